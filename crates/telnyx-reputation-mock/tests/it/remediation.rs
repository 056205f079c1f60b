//! Remediation over plain HTTP: its stages by the emulator's clock, per-number results, 409
//! for a number in flight, the schema's 422s, the list filters, and its billing.

use crate::common;

use std::time::Duration;

use common::{NEW, READY, api, assert_error, config, numbers};
use serde_json::{Value, json};
use uuid::Uuid;

fn submit_path() -> String {
    format!("/enterprises/{READY}/reputation/remediation")
}

fn body(numbers: &[String]) -> Value {
    json!({"phone_numbers": numbers, "call_purpose": "Appointment reminders"})
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_request_moves_from_pending_to_in_progress_to_completed_with_results() {
    let api = api(config(true)).await;
    api.associate(READY, &numbers(0, 20)).await;
    let mut sent = numbers(0, 20);
    sent.push("+16035559999".into()); // not monitored: ineligible
    let submitted = api.post(&submit_path(), body(&sent)).await;
    assert_eq!(submitted.status.as_u16(), 202, "{}", submitted.json);
    let data = &submitted.json["data"];
    assert_eq!(data["status"], "pending");
    assert!(data["results"].is_null());
    assert_eq!(
        (
            &data["phone_numbers_count"],
            &data["phone_numbers_submitted"],
            &data["phone_numbers_ineligible"]
        ),
        (&json!(21), &json!(20), &json!(1))
    );
    assert_eq!(api.billing().await["remediation"], 20);
    let id = data["id"].as_str().unwrap().to_owned();
    let get = format!("{}/{id}", submit_path());

    api.mock.advance_clock(Duration::from_millis(1000));
    let running = api.get(&get).await.json;
    assert_eq!(running["data"]["status"], "in_progress");
    assert!(running["data"]["tier1_completed_at"].is_string());
    assert!(running["data"]["tier2_completed_at"].is_null());
    assert_eq!(
        strings(&running["data"]["results"]["ineligible"]),
        ["+16035559999"]
    );

    api.mock.advance_clock(Duration::from_millis(1000));
    let done = api.get(&get).await.json["data"].clone();
    assert_eq!(done["status"], "completed");
    assert!(done["tier2_completed_at"].is_string());
    let results = &done["results"];
    let mut bucketed: Vec<String> = ["remediated", "not_flagged", "requires_review", "refused"]
        .iter()
        .flat_map(|k| strings(&results[*k]))
        .collect();
    bucketed.sort();
    assert_eq!(
        bucketed,
        numbers(0, 20),
        "every submitted number has one result"
    );
    // Results follow each number's risk: a low-risk number is not flagged, a flagged one is
    // remediated (or refused).
    for n in numbers(0, 20) {
        let e164 = telnyx_e164::E164::parse_strict(&n).unwrap();
        let risk = telnyx_reputation_mock::reputation_of(&e164, chrono::Utc::now()).spam_risk;
        let bucket = ["remediated", "not_flagged", "requires_review", "refused"]
            .into_iter()
            .find(|k| strings(&results[*k]).contains(&n))
            .unwrap();
        let expected: &[&str] = match risk {
            Some(telnyx_reputation_mock::model::SpamRisk::Low) => &["not_flagged"],
            Some(_) => &["remediated", "refused"],
            None => &["requires_review"],
        };
        assert!(expected.contains(&bucket), "{n}: {risk:?} in {bucket}");
    }
    assert_eq!(
        api.mock.billing().remediation,
        20,
        "reading results is free"
    );
}

#[tokio::test]
async fn a_number_with_a_request_in_flight_is_409_until_it_completes() {
    let api = api(config(true)).await;
    api.associate(READY, &numbers(0, 5)).await;
    assert_eq!(
        api.post(&submit_path(), body(&numbers(0, 3)))
            .await
            .status
            .as_u16(),
        202
    );
    let mut again = numbers(3, 2);
    again.push("+16035550001".into());
    let conflict = api.post(&submit_path(), body(&again)).await;
    let e = assert_error(&conflict, 409, "remediation_in_flight");
    assert_eq!(e["source"]["pointer"], "/phone_numbers/2");
    assert_eq!(
        api.mock.billing().remediation,
        3,
        "a refused request bills nothing"
    );
    api.mock.advance_clock(Duration::from_millis(1000));
    assert_error(
        &api.post(&submit_path(), body(&numbers(1, 1))).await,
        409,
        "remediation_in_flight",
    );
    api.mock.advance_clock(Duration::from_millis(1000));
    assert_eq!(
        api.post(&submit_path(), body(&again)).await.status.as_u16(),
        202
    );
    assert_eq!(api.billing().await["remediation"], 6);
}

#[tokio::test]
async fn the_body_is_checked_against_the_schema() {
    let api = api(config(true)).await;
    api.associate(READY, &numbers(0, 1)).await;
    let n = numbers(0, 1);
    let cases = [
        (json!({"call_purpose": "x"}), "/phone_numbers"),
        (
            json!({"phone_numbers": [], "call_purpose": "x"}),
            "/phone_numbers",
        ),
        (
            json!({"phone_numbers": vec!["+16035550000"; 2001], "call_purpose": "x"}),
            "/phone_numbers",
        ),
        (
            json!({"phone_numbers": ["6035550000"], "call_purpose": "x"}),
            "/phone_numbers/0",
        ),
        (json!({"phone_numbers": n}), "/call_purpose"),
        (
            json!({"phone_numbers": n, "call_purpose": ""}),
            "/call_purpose",
        ),
        (
            json!({"phone_numbers": n, "call_purpose": "x".repeat(2001)}),
            "/call_purpose",
        ),
        (
            json!({"phone_numbers": n, "call_purpose": "x", "contact_email": "nope"}),
            "/contact_email",
        ),
        (
            json!({"phone_numbers": n, "call_purpose": "x", "webhook_url": "http://example.com/h"}),
            "/webhook_url",
        ),
        (
            json!({"phone_numbers": n, "call_purpose": "x", "extra": true}),
            "/",
        ),
    ];
    for (sent, pointer) in cases {
        let e = assert_error(&api.post(&submit_path(), sent.clone()).await, 422, "10005");
        assert_eq!(e["source"]["pointer"], pointer, "{sent}");
    }
    assert_eq!(api.mock.billing().remediation, 0);
    let full = api
        .post(
            &submit_path(),
            json!({"phone_numbers": n, "call_purpose": "x".repeat(2000),
                   "contact_email": "ops@example.com",
                   "webhook_url": "https://example.com/hooks"}),
        )
        .await;
    assert_eq!(full.status.as_u16(), 202);
    assert_eq!(full.json["data"]["contact_email"], "ops@example.com");
    assert_eq!(
        full.json["data"]["webhook_url"],
        "https://example.com/hooks"
    );
}

#[tokio::test]
async fn remediation_needs_an_approved_enterprise() {
    let api = api(config(true)).await;
    assert_error(
        &api.post(
            &format!("/enterprises/{NEW}/reputation/remediation"),
            body(&numbers(0, 1)),
        )
        .await,
        403,
        "enterprise_not_approved",
    );
    assert_error(
        &api.get(&format!("{}/{}", submit_path(), Uuid::from_u128(7)))
            .await,
        404,
        "10009",
    );
}

#[tokio::test]
async fn the_list_filters_by_status_and_creation_time() {
    let api = api(config(true)).await;
    api.associate(READY, &numbers(0, 3)).await;
    let first = api.post(&submit_path(), body(&numbers(0, 1))).await.json["data"].clone();
    api.mock.advance_clock(Duration::from_millis(1500));
    let second = api.post(&submit_path(), body(&numbers(1, 1))).await.json["data"].clone();
    api.mock.advance_clock(Duration::from_millis(1000));
    let third = api.post(&submit_path(), body(&numbers(2, 1))).await.json["data"].clone();
    // Now: first completed, second in progress, third pending.
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let id = |r: &Value| r["id"].as_str().unwrap().to_owned();
    let all = api.get(&submit_path()).await.json;
    assert_eq!(ids(&all), [id(&first), id(&second), id(&third)]);
    assert_eq!(all["meta"]["total_results"], 3);
    assert!(
        all["data"][0].get("results").is_none(),
        "the list is the slim form"
    );
    for (status, expected) in [
        ("completed", &first),
        ("in_progress", &second),
        ("pending", &third),
    ] {
        let page = api
            .get(&format!("{}?filter[status]={status}", submit_path()))
            .await
            .json;
        assert_eq!(ids(&page), [id(expected)], "{status}");
    }
    let at = |r: &Value| r["created_at"].as_str().unwrap().replace('+', "%2B");
    let since = api
        .get(&format!(
            "{}?filter[created_at][gte]={}",
            submit_path(),
            at(&second)
        ))
        .await
        .json;
    assert_eq!(ids(&since), [id(&second), id(&third)]);
    let until = api
        .get(&format!(
            "{}?filter[created_at][lte]={}",
            submit_path(),
            at(&second)
        ))
        .await
        .json;
    assert_eq!(ids(&until), [id(&first), id(&second)]);
    let paged = api
        .get(&format!("{}?page[size]=2&page[number]=2", submit_path()))
        .await
        .json;
    assert_eq!(ids(&paged), [id(&third)]);
    assert_error(
        &api.get(&format!("{}?filter[status]=lost", submit_path()))
            .await,
        400,
        "10015",
    );
    assert_error(
        &api.get(&format!(
            "{}?filter[created_at][gte]=yesterday",
            submit_path()
        ))
        .await,
        400,
        "10015",
    );
}
