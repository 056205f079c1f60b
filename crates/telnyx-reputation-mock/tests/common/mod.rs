//! What the rule tests share: an emulator per test, plain HTTP to it, and a check that an
//! error answer is in the current envelope.

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use telnyx_reputation_mock::{
    AccountConfig, DEMO_API_KEY, EnterpriseConfig, Inventory, MockConfig, MockHandle, start,
};
use uuid::Uuid;

/// An enterprise that exists with reputation not enabled.
pub const NEW: Uuid = Uuid::from_u128(0x11);
/// An enterprise enabled and approved from the start.
pub const READY: Uuid = Uuid::from_u128(0x22);

/// An emulator and a client for it.
pub struct Api {
    pub mock: MockHandle,
    pub http: reqwest::Client,
    pub key: String,
}

/// A test account: `READY` approved when `with_ready`, `NEW` not enabled; the account has
/// agreed to the Terms of Service when it has an approved enterprise, as `mock serve` has it.
pub fn config(with_ready: bool) -> MockConfig {
    let mut enterprises = vec![EnterpriseConfig {
        id: NEW,
        approved: false,
    }];
    if with_ready {
        enterprises.push(EnterpriseConfig {
            id: READY,
            approved: true,
        });
    }
    MockConfig {
        accounts: vec![AccountConfig {
            api_key: DEMO_API_KEY.into(),
            enterprises,
            inventory: Inventory::All,
            terms_agreed: with_ready,
        }],
        ..MockConfig::demo()
    }
}

pub async fn api(config: MockConfig) -> Api {
    Api {
        mock: start(config).await.unwrap(),
        http: reqwest::Client::new(),
        key: DEMO_API_KEY.into(),
    }
}

/// An answer: its status, content type and body as JSON (`Null` when it is not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub json: Value,
}

impl Api {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.mock.base_url()))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let status = r.status();
        let content_type = r
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = r.bytes().await.unwrap().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            content_type,
            bytes,
            json,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn agree(&self) -> Answer {
        self.send(
            Method::POST,
            "/terms_of_service/number_reputation/agree",
            None,
        )
        .await
    }

    pub async fn enable(&self, enterprise: Uuid) -> Answer {
        self.post(
            &format!("/enterprises/{enterprise}/reputation"),
            json!({"loa_document_id": "doc-1"}),
        )
        .await
    }

    pub async fn associate(&self, enterprise: Uuid, numbers: &[String]) -> Answer {
        self.post(
            &format!("/enterprises/{enterprise}/reputation/numbers"),
            json!({ "phone_numbers": numbers }),
        )
        .await
    }

    /// The billing ledger as `/__mock/state` shows it, checked equal to the typed accessor.
    pub async fn billing(&self) -> Value {
        let state: Value = self
            .http
            .get(format!("{}/__mock/state", self.mock.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            state["billing"],
            serde_json::to_value(self.mock.billing()).unwrap()
        );
        state["billing"].clone()
    }
}

/// `+1603555NNNN` from `from`, `count` of them.
pub fn numbers(from: u32, count: u32) -> Vec<String> {
    (from..from + count)
        .map(|i| format!("+1603555{i:04}"))
        .collect()
}

/// A path's number, percent-encoded.
pub fn enc(number: &str) -> String {
    number.replace('+', "%2B")
}

/// Asserts an error answer: its status, and one error in the current envelope with this code,
/// a title, a detail and `meta.url`. Returns the first error.
#[track_caller]
pub fn assert_error(answer: &Answer, status: u16, code: &str) -> Value {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.json);
    assert!(answer.content_type.starts_with("application/json"));
    let first = answer.json["errors"][0].clone();
    assert_eq!(first["code"], code, "{}", answer.json);
    assert!(first["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(first["detail"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(
        first["meta"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://") && u.ends_with(code)),
        "{first}"
    );
    first
}
