//! The rate limit as Telnyx applies it, over HTTP. Windows are a minute long so that every
//! request of a test falls in the first one: nothing here depends on timing.

use std::num::NonZeroU64;

use crate::common::{admin, admin_json};
use reqwest::{Method, Response};
use telnyx_reputation_mock::{
    AccountConfig, DEMO_API_KEY, DEMO_ENTERPRISE, EnterpriseConfig, Faults, Inventory, MockConfig,
    MockHandle, Stats, start,
};
use uuid::Uuid;

const OTHER_ENTERPRISE: Uuid = Uuid::from_u128(0x0e);

/// The demo account with a second approved enterprise, a second account, and `limit` requests
/// a minute.
async fn limited(limit: u64) -> MockHandle {
    let mut config = MockConfig::demo();
    config.accounts[0].enterprises.push(EnterpriseConfig {
        id: OTHER_ENTERPRISE,
        approved: true,
    });
    config.accounts.push(AccountConfig {
        api_key: "second-key".into(),
        enterprises: vec![],
        inventory: Inventory::All,
        terms_agreed: true,
    });
    config.faults = Faults {
        rate_limit: NonZeroU64::new(limit),
        rate_limit_window_ms: NonZeroU64::new(60_000).unwrap(),
        ..Faults::default()
    };
    start(config).await.unwrap()
}

/// One client per test: building one costs more than the requests of a test.
struct Api {
    mock: MockHandle,
    http: reqwest::Client,
}

impl std::ops::Deref for Api {
    type Target = MockHandle;
    fn deref(&self) -> &MockHandle {
        &self.mock
    }
}

fn api(mock: MockHandle) -> Api {
    Api {
        mock,
        http: crate::common::http(),
    }
}

async fn send(mock: &Api, method: Method, key: &str, path: &str) -> Response {
    mock.http
        .request(method, format!("{}{path}", mock.base_url()))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

async fn associate(mock: &Api, enterprise: Uuid, number: &str) -> Response {
    mock.http
        .post(format!(
            "{}/enterprises/{enterprise}/reputation/numbers",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .json(&serde_json::json!({ "phone_numbers": [number] }))
        .send()
        .await
        .unwrap()
}

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn over_the_limit_is_429_with_retry_after_and_10011_and_not_applied() {
    let mock = api(limited(3).await);
    let mut answers = Vec::new();
    for i in 0..5 {
        answers.push(associate(&mock, DEMO_ENTERPRISE, &format!("+1603555000{i}")).await);
    }
    for (r, remaining) in answers[..3].iter().zip(["2", "1", "0"]) {
        assert_eq!(r.status().as_u16(), 201);
        assert_eq!(header(r, "x-ratelimit-limit"), Some("3"));
        assert_eq!(header(r, "x-ratelimit-remaining"), Some(remaining));
        assert_eq!(header(r, "retry-after"), None);
    }
    for r in answers.drain(3..) {
        assert_eq!(r.status().as_u16(), 429);
        assert_eq!(header(&r, "x-ratelimit-limit"), Some("3"));
        assert_eq!(header(&r, "x-ratelimit-remaining"), Some("0"));
        let reset: f64 = header(&r, "x-ratelimit-reset").unwrap().parse().unwrap();
        assert!(reset > 0.0 && reset <= 60.0, "{reset}");
        let retry_after: u64 = header(&r, "retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert!(
            retry_after as f64 >= reset,
            "rounded up: {retry_after} < {reset}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "10011");
        assert_eq!(body["errors"].as_array().unwrap().len(), 1);
    }
    let associated: Vec<String> = mock
        .world()
        .associations
        .values()
        .map(|a| a.phone_number.to_string())
        .collect();
    assert_eq!(associated, ["+16035550000", "+16035550001", "+16035550002"]);
    assert_eq!(
        mock.stats(),
        Stats {
            requests: 5,
            too_many_requests: 2,
            rate_limited: 2
        }
    );
}

#[tokio::test]
async fn each_key_and_enterprise_has_a_budget_of_its_own() {
    let mock = api(limited(1).await);
    let under = |enterprise: Uuid| format!("/enterprises/{enterprise}/reputation/numbers");
    let account_wide = "/reputation/numbers";
    let statuses = [
        send(&mock, Method::GET, DEMO_API_KEY, &under(DEMO_ENTERPRISE)).await,
        send(&mock, Method::GET, DEMO_API_KEY, &under(DEMO_ENTERPRISE)).await,
        send(&mock, Method::GET, DEMO_API_KEY, &under(OTHER_ENTERPRISE)).await,
        send(&mock, Method::GET, DEMO_API_KEY, account_wide).await,
        send(&mock, Method::GET, DEMO_API_KEY, account_wide).await,
        send(&mock, Method::GET, "second-key", account_wide).await,
    ]
    .map(|r| r.status().as_u16());
    assert_eq!(statuses, [200, 429, 200, 200, 429, 200]);
    assert_eq!(mock.stats().rate_limited, 2);
}

#[tokio::test]
async fn error_answers_carry_the_headers_too() {
    let mock = api(limited(10).await);
    let missing = send(
        &mock,
        Method::GET,
        DEMO_API_KEY,
        "/reputation/numbers/%2B16035559999",
    )
    .await;
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(header(&missing, "x-ratelimit-limit"), Some("10"));
    assert_eq!(header(&missing, "x-ratelimit-remaining"), Some("9"));
    assert!(header(&missing, "x-ratelimit-reset").is_some());
}

#[tokio::test]
async fn without_a_rate_limit_no_header_is_sent_and_nothing_is_refused() {
    let mock = api(start(MockConfig::demo()).await.unwrap());
    for _ in 0..20 {
        let r = send(&mock, Method::GET, DEMO_API_KEY, "/reputation/numbers").await;
        assert_eq!(r.status().as_u16(), 200);
        for name in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "retry-after",
        ] {
            assert_eq!(header(&r, name), None, "{name}");
        }
    }
    assert_eq!(
        mock.stats(),
        Stats {
            requests: 20,
            ..Stats::default()
        }
    );
}

#[tokio::test]
async fn injected_throttling_is_counted_apart_from_the_rate_limit() {
    let mock = api(start(MockConfig::demo()).await.unwrap());
    mock.set_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    });
    let r = send(&mock, Method::GET, DEMO_API_KEY, "/reputation/numbers").await;
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(header(&r, "retry-after"), Some("1"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "10011");
    let stats = mock.stats();
    assert_eq!((stats.too_many_requests, stats.rate_limited), (1, 0));
}

#[tokio::test]
async fn the_admin_routes_report_and_reset_the_counts_and_set_the_limit() {
    let mock = api(start(MockConfig::demo()).await.unwrap());
    let http = &mock.http;
    let faults: Faults = admin(
        http,
        mock.base_url(),
        Method::PUT,
        "faults",
        Some(serde_json::json!({ "rate_limit": 1, "rate_limit_window_ms": 60000 })),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(faults.rate_limit, NonZeroU64::new(1));
    for _ in 0..3 {
        send(&mock, Method::GET, DEMO_API_KEY, "/reputation/numbers").await;
    }
    let state: serde_json::Value = admin_json(http, mock.base_url(), "state").await;
    assert_eq!(
        state["stats"],
        serde_json::json!({"requests": 3, "too_many_requests": 2, "rate_limited": 2})
    );
    let stats: Stats = admin_json(http, mock.base_url(), "stats").await;
    assert_eq!(stats, mock.stats());
    admin(http, mock.base_url(), Method::DELETE, "stats", None).await;
    assert_eq!(mock.stats(), Stats::default());
}
