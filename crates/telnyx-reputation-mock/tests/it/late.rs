//! The faults that make outcomes uncertain: reads that see writes late, a server clock skewed
//! from the client's, writes applied after their answer timed out, and the largest
//! `x-ratelimit-reset` a header can carry.

use std::time::Duration;

use serde_json::{Value, json};
use telnyx_reputation_mock::{
    DEMO_API_KEY, DEMO_ENTERPRISE, Faults, MockConfig, MockHandle, start,
};

const NUMBER: &str = "+16035550100";

async fn call(
    http: &reqwest::Client,
    mock: &MockHandle,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<(u16, reqwest::header::HeaderMap, Value), reqwest::Error> {
    let mut request = http
        .request(method, format!("{}{path}", mock.base_url()))
        .bearer_auth(DEMO_API_KEY);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let r = request.send().await?;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let bytes = r.bytes().await?;
    Ok((
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

async fn get(mock: &MockHandle, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    call(
        &crate::common::http(),
        mock,
        reqwest::Method::GET,
        path,
        None,
    )
    .await
    .unwrap()
}

async fn post(mock: &MockHandle, path: &str, body: Value) -> (u16, Value) {
    let (status, _, body) = call(
        &crate::common::http(),
        mock,
        reqwest::Method::POST,
        path,
        Some(body),
    )
    .await
    .unwrap();
    (status, body)
}

fn numbers_path() -> String {
    format!("/enterprises/{DEMO_ENTERPRISE}/reputation/numbers")
}

/// What a lookup of one number finds: its record, or `None`.
async fn look_up(mock: &MockHandle) -> Option<Value> {
    let (status, _, body) = get(
        mock,
        &format!("{}?filter[phone_number][eq]=%2B16035550100", numbers_path()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().first().cloned()
}

async fn lagging(minutes: u64) -> MockHandle {
    start(MockConfig {
        faults: Faults {
            list_lag_ms: minutes * 60_000,
            ..Faults::default()
        },
        ..MockConfig::demo()
    })
    .await
    .unwrap()
}

const LAG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_lagging_read_does_not_see_an_association_until_the_lag_has_passed() {
    let mock = lagging(1).await;
    let (status, _) = post(&mock, &numbers_path(), json!({ "phone_numbers": [NUMBER] })).await;
    assert_eq!(status, 201);
    assert_eq!(look_up(&mock).await, None);
    let (status, _, _) = get(&mock, &format!("{}/%2B16035550100", numbers_path())).await;
    assert_eq!(status, 404, "a get sees it late too");
    // Applied at once all the same: the rules and the ledger see it.
    assert_eq!(mock.billing().associate, 1);
    let (status, _) = post(&mock, &numbers_path(), json!({ "phone_numbers": [NUMBER] })).await;
    assert_eq!(status, 400, "already associated");
    mock.advance_clock(LAG);
    assert_eq!(
        look_up(&mock).await.unwrap()["phone_number"],
        NUMBER,
        "seen once the lag has passed"
    );
}

#[tokio::test]
async fn a_lagging_read_still_finds_a_number_disassociated_and_the_data_before_a_refresh() {
    let mock = lagging(1).await;
    post(&mock, &numbers_path(), json!({ "phone_numbers": [NUMBER] })).await;
    mock.advance_clock(LAG);
    let (_, _, first) = get(
        &mock,
        &format!("{}/%2B16035550100?fresh=true", numbers_path()),
    )
    .await;
    let refreshed_before = first["data"]["reputation_data"]["last_refreshed_at"].clone();
    assert!(refreshed_before.is_string(), "{first}");
    mock.advance_clock(LAG);
    let (status, _) = post(
        &mock,
        &format!("{}/refresh", numbers_path()),
        json!({ "phone_numbers": [NUMBER] }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(mock.billing().refresh, 1);
    let seen = look_up(&mock).await.unwrap();
    assert_eq!(
        seen["reputation_data"]["last_refreshed_at"], refreshed_before,
        "the refresh is not seen yet"
    );
    mock.advance_clock(LAG);
    let seen = look_up(&mock).await.unwrap();
    assert_ne!(
        seen["reputation_data"]["last_refreshed_at"],
        refreshed_before
    );
    let (status, _, _) = call(
        &crate::common::http(),
        &mock,
        reqwest::Method::DELETE,
        &format!("{}/%2B16035550100", numbers_path()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(status, 204);
    assert!(look_up(&mock).await.is_some(), "still seen, one lag late");
    mock.advance_clock(LAG);
    assert_eq!(look_up(&mock).await, None);
}

#[tokio::test]
async fn a_lagging_read_does_not_list_a_new_remediation_request_yet() {
    let mock = lagging(1).await;
    post(&mock, &numbers_path(), json!({ "phone_numbers": [NUMBER] })).await;
    let path = format!("/enterprises/{DEMO_ENTERPRISE}/reputation/remediation");
    let (status, body) = post(
        &mock,
        &path,
        json!({ "phone_numbers": [NUMBER], "call_purpose": "reminders" }),
    )
    .await;
    assert_eq!(status, 202);
    let id = body["data"]["id"].as_str().unwrap().to_owned();
    let (_, _, list) = get(&mock, &path).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let (status, _, _) = get(&mock, &format!("{path}/{id}")).await;
    assert_eq!(status, 404);
    mock.advance_clock(LAG);
    let (_, _, list) = get(&mock, &path).await;
    assert_eq!(list["data"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_skewed_server_clock_shows_in_its_date_header_and_its_timestamps() {
    let mock = start(MockConfig {
        faults: Faults {
            clock_skew_ms: -3_600_000,
            ..Faults::default()
        },
        ..MockConfig::demo()
    })
    .await
    .unwrap();
    let client_now = chrono::Utc::now();
    let (status, headers, _) = get(&mock, &numbers_path()).await;
    assert_eq!(status, 200);
    let date = headers["date"].to_str().unwrap();
    let date = chrono::DateTime::parse_from_rfc2822(date).unwrap();
    assert!(
        client_now - date.to_utc() > chrono::TimeDelta::minutes(59),
        "{date}"
    );
    let (_, body) = post(&mock, &numbers_path(), json!({ "phone_numbers": [NUMBER] })).await;
    let created: chrono::DateTime<chrono::Utc> = body["data"][0]["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        client_now - created > chrono::TimeDelta::minutes(59),
        "{created}"
    );
    // Ahead works the same way, changed at run time.
    mock.set_faults(Faults {
        clock_skew_ms: 3_600_000,
        ..Faults::default()
    });
    let (_, headers, _) = get(&mock, &numbers_path()).await;
    let date = chrono::DateTime::parse_from_rfc2822(headers["date"].to_str().unwrap()).unwrap();
    assert!(date.to_utc() - chrono::Utc::now() > chrono::TimeDelta::minutes(59));
}

#[tokio::test]
async fn a_slow_commit_applies_the_write_after_the_client_gave_up_and_never_answers() {
    let mock = start(MockConfig {
        faults: Faults {
            slow_commit_ms: 300,
            ..Faults::default()
        },
        ..MockConfig::demo()
    })
    .await
    .unwrap();
    // The request is sent and left waiting: the emulator holds it, applies the write on its
    // own after the delay, and never answers. Waited for by its effect, not by the clock.
    let pending = {
        let base = mock.base_url().to_owned();
        tokio::spawn(async move {
            crate::common::http()
                .post(format!("{base}{}", numbers_path()))
                .bearer_auth(DEMO_API_KEY)
                .json(&json!({ "phone_numbers": [NUMBER] }))
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    for _ in 0..100_000 {
        if mock.billing().associate == 1 {
            break;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert_eq!(mock.billing().associate, 1);
    assert!(look_up(&mock).await.is_some());
    // Applied, and the client never hears so: the connection is dropped unanswered.
    let answer = pending.await.unwrap();
    assert!(answer.is_err_and(|e| !e.is_status()), "no answer at all");
    // A patient client hears nothing either: the connection is dropped once it is applied.
    let patient = call(
        &crate::common::http(),
        &mock,
        reqwest::Method::POST,
        &format!("{}/refresh", numbers_path()),
        Some(json!({ "phone_numbers": [NUMBER] })),
    )
    .await;
    assert!(patient.is_err_and(|e| !e.is_status()));
    assert_eq!(mock.billing().refresh, 1, "applied before the drop");
}

#[tokio::test]
async fn the_reset_header_can_carry_the_largest_value() {
    let mock = start(MockConfig {
        faults: Faults {
            rate_limit_reset_s: Some(u128::MAX),
            ..Faults::default()
        },
        ..MockConfig::demo()
    })
    .await
    .unwrap();
    let (status, headers, _) = get(&mock, &numbers_path()).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["x-ratelimit-reset"],
        "340282366920938463463374607431768211455"
    );
}
