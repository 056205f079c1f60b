//! The emulator's rules, one behaviour each, over plain HTTP.

use crate::common::{admin, admin_json, numbers, raw};
use reqwest::Method;
use serde_json::{Value, json};
use telnyx_reputation_mock::{
    AccountConfig, DEMO_API_KEY, DEMO_ENTERPRISE, EnterpriseConfig, Faults, Inventory, MockConfig,
    MockHandle, start,
};
use uuid::Uuid;

/// Plain HTTP to the emulator under one API key.
struct Client {
    base: String,
    key: String,
    http: reqwest::Client,
}

fn client(mock: &MockHandle, key: &str) -> Client {
    Client {
        base: mock.base_url().to_owned(),
        key: key.to_owned(),
        http: crate::common::http(),
    }
}

impl Client {
    /// The status and JSON body (`Null` for none) of a request, or the transport error.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), reqwest::Error> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await?;
        let status = r.status().as_u16();
        let bytes = r.bytes().await?;
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    async fn get(&self, path: impl AsRef<str>) -> (u16, Value) {
        self.call(reqwest::Method::GET, path.as_ref(), None)
            .await
            .unwrap()
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, None)
            .await
            .unwrap()
    }
}

/// The records an associate created, or its status and each error's code and pointer.
async fn associate(
    c: &Client,
    enterprise: Uuid,
    nums: Vec<String>,
) -> Result<Vec<Value>, (u16, Vec<(String, Option<String>)>)> {
    let (status, body) = c
        .call(
            reqwest::Method::POST,
            &format!("/enterprises/{enterprise}/reputation/numbers"),
            Some(json!({ "phone_numbers": nums })),
        )
        .await
        .unwrap();
    if status == 201 {
        return Ok(body["data"].as_array().unwrap().clone());
    }
    Err((
        status,
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["code"].as_str().unwrap().to_owned(),
                    e["source"]["pointer"].as_str().map(str::to_owned),
                )
            })
            .collect(),
    ))
}

#[tokio::test]
async fn associate_creates_records_with_ids_and_timestamps() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    let data = associate(&c, DEMO_ENTERPRISE, numbers(0, 3)).await.unwrap();
    assert_eq!(data.len(), 3);
    assert!(data.iter().all(|r| r["id"].is_string()
        && r["created_at"].is_string()
        && r["enterprise_id"] == DEMO_ENTERPRISE.to_string()));
    assert_eq!(mock.world().associations.len(), 3);
}

#[tokio::test]
async fn associate_is_atomic_and_names_each_bad_number() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    let mut batch = numbers(0, 5);
    batch[1] = "+442079460000".into();
    batch[3] = "6035551234".into();
    batch[4] = batch[0].clone();
    let (status, errors) = associate(&c, DEMO_ENTERPRISE, batch).await.unwrap_err();
    assert_eq!(status, 400);
    assert_eq!(
        errors,
        [
            ("non_us".to_owned(), Some("/phone_numbers/1".to_owned())),
            (
                "missing_plus".to_owned(),
                Some("/phone_numbers/3".to_owned())
            ),
            ("duplicate".to_owned(), Some("/phone_numbers/4".to_owned())),
        ]
    );
    assert!(mock.world().associations.is_empty(), "nothing changed");
}

#[tokio::test]
async fn associate_refuses_numbers_already_associated_anywhere_and_not_owned() {
    let mut config = MockConfig::demo();
    let other = Uuid::from_u128(7);
    config.accounts.push(AccountConfig {
        api_key: "other".into(),
        enterprises: vec![EnterpriseConfig {
            id: other,
            approved: true,
        }],
        inventory: Inventory::Numbers([numbers(0, 1)[0].parse().unwrap()].into()),
        terms_agreed: true,
    });
    let mock = start(config).await.unwrap();
    associate(&client(&mock, DEMO_API_KEY), DEMO_ENTERPRISE, numbers(0, 1))
        .await
        .unwrap();
    let other_client = client(&mock, "other");
    let (_, errors) = associate(&other_client, other, numbers(0, 1))
        .await
        .unwrap_err();
    assert_eq!(errors[0].0, "already_associated");
    let (_, errors) = associate(&other_client, other, numbers(1, 1))
        .await
        .unwrap_err();
    assert_eq!(errors[0].0, "not_owned");
}

#[tokio::test]
async fn associate_refuses_more_than_100_and_unapproved_or_unknown_enterprises() {
    let mut config = MockConfig::demo();
    let unapproved = Uuid::from_u128(9);
    config.accounts[0].enterprises.push(EnterpriseConfig {
        id: unapproved,
        approved: false,
    });
    let mock = start(config).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    assert_eq!(
        associate(&c, DEMO_ENTERPRISE, numbers(0, 101))
            .await
            .unwrap_err()
            .1[0]
            .0,
        "too_many"
    );
    // Before approval the current edition refuses with a 403 in its error envelope.
    let r = crate::common::http()
        .post(format!(
            "{}/enterprises/{unapproved}/reputation/numbers",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .json(&serde_json::json!({"phone_numbers": numbers(0, 1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "enterprise_not_approved");
    assert_eq!(
        associate(&c, Uuid::from_u128(1), numbers(0, 1))
            .await
            .unwrap_err()
            .0,
        404
    );
    let got = c
        .get(&format!(
            "/enterprises/{unapproved}/reputation/numbers/%2B16035550000"
        ))
        .await;
    assert_eq!(got.0, 403);
}

#[tokio::test]
async fn missing_or_wrong_bearer_is_401_with_the_error_body() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let r = crate::common::http()
        .get(format!("{}/reputation/numbers", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "10001");
    let wrong = client(&mock, "nope").get("/reputation/numbers").await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1["errors"][0]["code"], "10001");
}

#[tokio::test]
async fn list_pages_in_a_stable_order_with_meta_and_an_empty_page_past_the_end() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    associate(&c, DEMO_ENTERPRISE, numbers(0, 25))
        .await
        .unwrap();
    let page = |n: u64| {
        c.get(format!(
            "/enterprises/{DEMO_ENTERPRISE}/reputation/numbers?page%5Bnumber%5D={n}&page%5Bsize%5D=10"
        ))
    };
    let p3 = page(3).await.1;
    assert_eq!(p3["data"].as_array().unwrap().len(), 5);
    assert_eq!(p3["data"][0]["phone_number"], "+16035550020");
    // `page_size` is the rows of this page, as the current edition says.
    assert_eq!(
        p3["meta"],
        json!({"page_number": 3, "page_size": 5, "total_results": 25, "total_pages": 3})
    );
    let p9 = page(9).await.1;
    assert!(p9["data"].as_array().unwrap().is_empty());
    assert_eq!(p9["meta"]["total_pages"], 3);
    let filtered: serde_json::Value = raw(
        &mock,
        Method::GET,
        "/reputation/numbers?filter%5Bphone_number%5D%5Beq%5D=%2B16035550007",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
    let r = raw(&mock, Method::GET, "/reputation/numbers?page[size]=0").await;
    assert_eq!(r.status().as_u16(), 400);
    let huge = raw(
        &mock,
        Method::GET,
        "/reputation/numbers?page[number]=99999999999999999999999",
    )
    .await;
    assert_eq!(
        huge.status().as_u16(),
        200,
        "a page past any end is empty, not an error"
    );
    let body: serde_json::Value = huge.json().await.unwrap();
    // The generated type leaves an empty `data` out; either way there are no records.
    assert!(
        body["data"].as_array().is_none_or(|d| d.is_empty()),
        "{body}"
    );
    assert_eq!(body["meta"]["total_results"], 25);
}

#[tokio::test]
async fn get_computes_data_once_and_refreshes_only_when_fresh() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    associate(&c, DEMO_ENTERPRISE, numbers(0, 1)).await.unwrap();
    let get = |fresh: bool| {
        c.get(format!(
            "/enterprises/{DEMO_ENTERPRISE}/reputation/numbers/%2B16035550000?fresh={fresh}"
        ))
    };
    let data = |answer: (u16, Value)| {
        assert_eq!(answer.0, 200);
        answer.1["data"]["reputation_data"].clone()
    };
    let first = data(get(false).await);
    let cached = data(get(false).await);
    assert_eq!(first, cached, "cached data is returned as is");
    let fresh = data(get(true).await);
    assert_eq!(
        fresh["spam_risk"], first["spam_risk"],
        "deterministic from the number"
    );
    let at = |v: &Value| {
        chrono::DateTime::parse_from_rfc3339(v["last_refreshed_at"].as_str().unwrap()).unwrap()
    };
    assert!(at(&fresh) >= at(&first));
    let missing = c.get("/reputation/numbers/%2B16035559999").await;
    assert_eq!(missing.0, 404);
}

#[tokio::test]
async fn disassociate_is_204_then_404_and_a_raw_plus_is_refused() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    associate(&c, DEMO_ENTERPRISE, numbers(0, 2)).await.unwrap();
    let r = raw(&mock, Method::DELETE, "/reputation/numbers/+16035550000").await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("%2B"));
    let ok = c
        .delete(&format!(
            "/enterprises/{DEMO_ENTERPRISE}/reputation/numbers/%2B16035550000"
        ))
        .await;
    assert_eq!(ok.0, 204);
    let again = c.delete("/reputation/numbers/%2B16035550000").await;
    assert_eq!(again.0, 404);
    assert_eq!(mock.world().associations.len(), 1);
}

#[tokio::test]
async fn allow_raw_plus_accepts_an_unencoded_path() {
    let mut config = MockConfig::demo();
    config.allow_raw_plus = true;
    let mock = start(config).await.unwrap();
    associate(&client(&mock, DEMO_API_KEY), DEMO_ENTERPRISE, numbers(0, 1))
        .await
        .unwrap();
    let r = raw(&mock, Method::DELETE, "/reputation/numbers/+16035550000").await;
    assert_eq!(r.status().as_u16(), 204);
}

#[tokio::test]
async fn commit_then_drop_applies_the_associate_and_closes_without_an_answer() {
    let mock = start(MockConfig::demo()).await.unwrap();
    mock.set_faults(Faults {
        commit_then_drop_rate: 1.0,
        ..Faults::default()
    });
    let result = client(&mock, DEMO_API_KEY)
        .call(
            reqwest::Method::POST,
            &format!("/enterprises/{DEMO_ENTERPRISE}/reputation/numbers"),
            Some(json!({ "phone_numbers": numbers(0, 2) })),
        )
        .await;
    assert!(
        result.as_ref().is_err_and(|e| !e.is_status()),
        "no answer at all: {result:?}"
    );
    assert_eq!(mock.world().associations.len(), 2, "applied");
}

#[tokio::test]
async fn injected_faults_are_seeded_and_throttling_carries_retry_after() {
    let mock = start(MockConfig::demo()).await.unwrap();
    mock.set_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    });
    let r = raw(&mock, Method::GET, "/reputation/numbers").await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    mock.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let r = raw(&mock, Method::GET, "/reputation/numbers").await;
    assert!([500, 502, 503].contains(&r.status().as_u16()));
}

#[tokio::test]
async fn admin_state_dumps_and_resets() {
    let mock = start(MockConfig::demo()).await.unwrap();
    associate(&client(&mock, DEMO_API_KEY), DEMO_ENTERPRISE, numbers(0, 2))
        .await
        .unwrap();
    let http = crate::common::http();
    let state: serde_json::Value = admin_json(&http, mock.base_url(), "state").await;
    assert_eq!(state["associations"].as_array().unwrap().len(), 2);
    admin(&http, mock.base_url(), Method::DELETE, "state", None).await;
    assert!(mock.world().associations.is_empty());
    let faults = admin(
        &http,
        mock.base_url(),
        Method::PUT,
        "faults",
        Some(serde_json::json!({"latency_ms": 5})),
    )
    .await;
    assert_eq!(faults.status().as_u16(), 200);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_slow_body_sends_headers_first_and_the_body_later() {
    let mock = start(MockConfig::demo()).await.unwrap();
    mock.set_faults(Faults {
        slow_body_ms: 50,
        ..Faults::default()
    });
    let response = raw(&mock, Method::GET, "/reputation/numbers").await;
    // Delayed, the answer still arrives whole and well-formed (timing is not asserted in tests).
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["meta"]["total_results"], 0);
}
