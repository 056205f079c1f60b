//! The emulator's rules, one behaviour each, through the generated client and raw HTTP.

use std::num::NonZeroU64;

use telnyx_reputation_api::types::ReputationPhoneNumberCreate;
use telnyx_reputation_api::{Client, Error};
use telnyx_reputation_mock::{
    AccountConfig, DEMO_API_KEY, DEMO_ENTERPRISE, EnterpriseConfig, Faults, Inventory, MockConfig,
    MockHandle, start,
};
use uuid::Uuid;

fn client(mock: &MockHandle, key: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {key}").parse().unwrap(),
    );
    Client::new_with_client(
        mock.base_url(),
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap(),
        telnyx_reputation_api::Hooks::default(),
    )
}

fn numbers(from: u32, count: u32) -> Vec<String> {
    (from..from + count)
        .map(|i| format!("+1603555{i:04}"))
        .collect()
}

async fn associate(
    c: &Client,
    enterprise: Uuid,
    nums: Vec<String>,
) -> Result<usize, (u16, Vec<(String, Option<String>)>)> {
    match c
        .associate_reputation_numbers()
        .enterprise_id(enterprise)
        .body(ReputationPhoneNumberCreate {
            phone_numbers: nums,
        })
        .send()
        .await
    {
        Ok(r) => Ok(r.into_inner().data.len()),
        Err(Error::ErrorResponse(r)) => Err((
            r.status().as_u16(),
            r.into_inner()
                .errors
                .into_iter()
                .map(|e| (e.code, e.source.and_then(|s| s.pointer)))
                .collect(),
        )),
        Err(e) => panic!("unexpected {e:?}"),
    }
}

#[tokio::test]
async fn associate_creates_records_with_ids_and_timestamps() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    let created = c
        .associate_reputation_numbers()
        .enterprise_id(DEMO_ENTERPRISE)
        .body(ReputationPhoneNumberCreate {
            phone_numbers: numbers(0, 3),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let data = created.into_inner().data;
    assert_eq!(data.len(), 3);
    assert!(data.iter().all(|r| r.id.is_some()
        && r.created_at.is_some()
        && r.enterprise_id == Some(DEMO_ENTERPRISE)));
    assert_eq!(mock.world().associations.len(), 3);
}

#[tokio::test]
async fn associate_is_atomic_and_names_each_bad_number() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    let mut batch = numbers(0, 5);
    batch[1] = "+18005551234".into();
    batch[3] = "6035551234".into();
    batch[4] = batch[0].clone();
    let (status, errors) = associate(&c, DEMO_ENTERPRISE, batch).await.unwrap_err();
    assert_eq!(status, 400);
    assert_eq!(
        errors,
        [
            ("toll_free".to_owned(), Some("/phone_numbers/1".to_owned())),
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
    let r = reqwest::Client::new()
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
        .get_phone_number_reputation()
        .enterprise_id(unapproved)
        .phone_number("+16035550000")
        .send()
        .await;
    assert!(matches!(got, Err(Error::ErrorResponse(r)) if r.status().as_u16() == 403));
}

#[tokio::test]
async fn missing_or_wrong_bearer_is_401_with_the_error_body() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let r = reqwest::get(format!("{}/reputation/numbers", mock.base_url()))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "10001");
    let wrong = client(&mock, "nope")
        .list_reputation_numbers_simplified()
        .send()
        .await;
    assert!(matches!(wrong, Err(Error::ErrorResponse(r)) if r.status().as_u16() == 401));
}

#[tokio::test]
async fn list_pages_in_a_stable_order_with_meta_and_an_empty_page_past_the_end() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    associate(&c, DEMO_ENTERPRISE, numbers(0, 25))
        .await
        .unwrap();
    let page = |n: u64| {
        c.list_reputation_numbers()
            .enterprise_id(DEMO_ENTERPRISE)
            .page_number(NonZeroU64::new(n).unwrap())
            .page_size(NonZeroU64::new(10).unwrap())
            .send()
    };
    let p3 = page(3).await.unwrap().into_inner();
    assert_eq!(p3.data.len(), 5);
    assert_eq!(p3.data[0].phone_number.as_deref(), Some("+16035550020"));
    let meta = p3.meta.unwrap();
    assert_eq!(
        (
            meta.page_number,
            meta.page_size,
            meta.total_results,
            meta.total_pages
        ),
        // `page_size` is the rows of this page, as the current edition says.
        (Some(3), Some(5), Some(25), Some(3))
    );
    let p9 = page(9).await.unwrap().into_inner();
    assert!(p9.data.is_empty());
    assert_eq!(p9.meta.unwrap().total_pages, Some(3));
    let filtered: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/reputation/numbers?filter%5Bphone_number%5D%5Beq%5D=%2B16035550007",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
    let r = reqwest::Client::new()
        .get(format!(
            "{}/reputation/numbers?page[size]=0",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let huge = reqwest::Client::new()
        .get(format!(
            "{}/reputation/numbers?page[number]=99999999999999999999999",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap();
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
        c.get_phone_number_reputation()
            .enterprise_id(DEMO_ENTERPRISE)
            .phone_number("+16035550000")
            .fresh(fresh)
            .send()
    };
    let first = get(false)
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap()
        .reputation_data
        .unwrap();
    let cached = get(false)
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap()
        .reputation_data
        .unwrap();
    assert_eq!(first, cached, "cached data is returned as is");
    let fresh = get(true)
        .await
        .unwrap()
        .into_inner()
        .data
        .unwrap()
        .reputation_data
        .unwrap();
    assert_eq!(
        fresh.spam_risk, first.spam_risk,
        "deterministic from the number"
    );
    assert!(fresh.last_refreshed_at >= first.last_refreshed_at);
    let missing = c
        .get_phone_number_reputation_simplified()
        .phone_number("+16035559999")
        .send()
        .await;
    assert!(matches!(missing, Err(Error::ErrorResponse(r)) if r.status().as_u16() == 404));
}

#[tokio::test]
async fn disassociate_is_204_then_404_and_a_raw_plus_is_refused() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock, DEMO_API_KEY);
    associate(&c, DEMO_ENTERPRISE, numbers(0, 2)).await.unwrap();
    let r = reqwest::Client::new()
        .delete(format!(
            "{}/reputation/numbers/+16035550000",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("%2B"));
    let ok = c
        .disassociate_reputation_number()
        .enterprise_id(DEMO_ENTERPRISE)
        .phone_number("+16035550000")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 204);
    let again = c
        .disassociate_reputation_number_simplified()
        .phone_number("+16035550000")
        .send()
        .await;
    assert!(matches!(again, Err(Error::ErrorResponse(r)) if r.status().as_u16() == 404));
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
    let r = reqwest::Client::new()
        .delete(format!(
            "{}/reputation/numbers/+16035550000",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap();
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
        .associate_reputation_numbers()
        .enterprise_id(DEMO_ENTERPRISE)
        .body(ReputationPhoneNumberCreate {
            phone_numbers: numbers(0, 2),
        })
        .send()
        .await;
    assert!(
        matches!(result, Err(Error::CommunicationError(_))),
        "{result:?}"
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
    let r = reqwest::Client::new()
        .get(format!("{}/reputation/numbers", mock.base_url()))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    mock.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let r = reqwest::Client::new()
        .get(format!("{}/reputation/numbers", mock.base_url()))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap();
    assert!([500, 502, 503].contains(&r.status().as_u16()));
}

#[tokio::test]
async fn admin_state_dumps_and_resets() {
    let mock = start(MockConfig::demo()).await.unwrap();
    associate(&client(&mock, DEMO_API_KEY), DEMO_ENTERPRISE, numbers(0, 2))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let state: serde_json::Value = http
        .get(format!("{}/__mock/state", mock.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["associations"].as_array().unwrap().len(), 2);
    http.delete(format!("{}/__mock/state", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert!(mock.world().associations.is_empty());
    let faults = http
        .put(format!("{}/__mock/faults", mock.base_url()))
        .json(&serde_json::json!({"latency_ms": 5}))
        .send()
        .await
        .unwrap();
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
    let response = reqwest::Client::new()
        .get(format!("{}/reputation/numbers", mock.base_url()))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap();
    // Delayed, the answer still arrives whole and well-formed (timing is not asserted in tests).
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["meta"]["total_results"], 0);
}
