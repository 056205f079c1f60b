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

/// [`config`] with `READY` approved and a second approved enterprise, `other`, in the same
/// account.
pub fn config_with_other(other: Uuid) -> MockConfig {
    let mut config = config(true);
    config.accounts[0].enterprises.push(EnterpriseConfig {
        id: other,
        approved: true,
    });
    config
}

/// A plain-http client of the emulator (the workspace's reqwest has TLS only through
/// `telnyx-reputation-tls`; the emulator speaks http, so this one trusts no server).
pub fn http() -> reqwest::Client {
    telnyx_reputation_tls::client_builder(telnyx_reputation_tls::Trust::Nothing)
        .unwrap()
        .build()
        .unwrap()
}

pub async fn api(config: MockConfig) -> Api {
    Api {
        mock: start(config).await.unwrap(),
        http: http(),
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
        let state: Value = admin_json(&self.http, self.mock.base_url(), "state").await;
        assert_eq!(
            state["billing"],
            serde_json::to_value(self.mock.billing()).unwrap()
        );
        state["billing"].clone()
    }
}

/// A request to the emulator at `path` exactly as written (a raw `+` or bracket is sent as it
/// is), with the demo account's key; the answer as it came, status and headers included.
pub async fn raw(mock: &MockHandle, method: Method, path: &str) -> reqwest::Response {
    http()
        .request(method, format!("{}{path}", mock.base_url()))
        .bearer_auth(DEMO_API_KEY)
        .send()
        .await
        .unwrap()
}

/// A request to the admin route `/__mock/<route>` of the emulator at `base_url` (admin routes
/// take no key), with `body` as JSON when there is one; the answer as it came.
pub async fn admin(
    http: &reqwest::Client,
    base_url: &str,
    method: Method,
    route: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = http.request(method, format!("{base_url}/__mock/{route}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// The answer of `GET /__mock/<route>` (e.g. `state`, `stats`) read from JSON as `T`.
pub async fn admin_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    base_url: &str,
    route: &str,
) -> T {
    admin(http, base_url, Method::GET, route, None)
        .await
        .json()
        .await
        .unwrap()
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

/// A webhook delivery as the receiver got it: the two signature headers verbatim, the raw
/// body, and the body as JSON.
pub struct Received {
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
    pub json: Value,
}

/// A loopback webhook receiver: answers each delivery with the next scripted status (200 once
/// the script runs out) and hands every delivery to the test in order of arrival.
pub struct Receiver {
    pub url: String,
    deliveries: tokio::sync::mpsc::UnboundedReceiver<Received>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Listens on 127.0.0.1 at a free port; `answers` are the statuses of the first deliveries.
    pub async fn start(answers: &[u16]) -> Receiver {
        use std::sync::{Arc, Mutex};
        let script = Arc::new(Mutex::new(answers.to_vec()));
        let (tx, deliveries) = tokio::sync::mpsc::unbounded_channel();
        let handler = move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let script = Arc::clone(&script);
            let tx = tx.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let received = Received {
                    timestamp: header("telnyx-timestamp"),
                    signature: header("telnyx-signature-ed25519"),
                    json: serde_json::from_slice(&body).unwrap_or(Value::Null),
                    body: body.to_vec(),
                };
                let status = {
                    let mut script = script.lock().unwrap();
                    if script.is_empty() {
                        200
                    } else {
                        script.remove(0)
                    }
                };
                let _ = tx.send(received);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        };
        let router = axum::Router::new().route("/hook", axum::routing::post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Receiver {
            url,
            deliveries,
            task,
        }
    }

    /// The next delivery (a bound of 30 s so that a missing one fails the test instead of
    /// hanging it).
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(std::time::Duration::from_secs(30), self.deliveries.recv())
            .await
            .expect("no webhook delivery arrived")
            .expect("the receiver stopped")
    }

    /// A delivery that has already arrived, if any.
    pub fn try_next(&mut self) -> Option<Received> {
        self.deliveries.try_recv().ok()
    }
}

/// Whether a delivery's signature verifies as Telnyx's SDK checks it: Ed25519 over
/// `<telnyx-timestamp>|<raw body>` with the base64 public key.
pub fn signature_verifies(public_key: &str, received: &Received) -> bool {
    use base64::Engine;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let engine = base64::engine::general_purpose::STANDARD;
    let key: [u8; 32] = engine.decode(public_key).unwrap().try_into().unwrap();
    let key = VerifyingKey::from_bytes(&key).unwrap();
    let Ok(signature) = engine.decode(&received.signature) else {
        return false;
    };
    let Ok(signature) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    let mut message = received.timestamp.as_bytes().to_vec();
    message.push(b'|');
    message.extend_from_slice(&received.body);
    key.verify(&message, &Signature::from_bytes(&signature))
        .is_ok()
}

/// Asserts that a delivery is signed with the emulator's key.
#[track_caller]
pub fn assert_signed(public_key: &str, received: &Received) {
    assert!(
        signature_verifies(public_key, received),
        "the signature does not verify over <timestamp>|<body>"
    );
}

impl Api {
    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    /// Sets (or with `None` clears) the enterprise's ownership webhook URL.
    pub async fn set_webhook(&self, enterprise: Uuid, url: Option<&str>) -> Answer {
        self.patch(
            &format!("/enterprises/{enterprise}/reputation/webhook"),
            json!({ "webhook_url": url }),
        )
        .await
    }

    /// Reports an ownership event through the admin route.
    pub async fn ownership_event(&self, enterprise: Uuid, number: &str, event: &str) -> Answer {
        self.post(
            "/__mock/ownership",
            json!({"enterprise_id": enterprise, "phone_number": number, "event": event}),
        )
        .await
    }

    /// Moves the emulator's clock through the admin route (due timers run before it answers).
    pub async fn advance(&self, ms: u64) {
        let answer = self
            .post("/__mock/clock", json!({ "advance_ms": ms }))
            .await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.json);
    }

    /// `ownership_confirm`.
    pub async fn confirm(&self, enterprise: Uuid, number: &str, still_own: bool) -> Answer {
        self.post(
            &format!(
                "/enterprises/{enterprise}/reputation/numbers/{}/ownership_confirm",
                enc(number)
            ),
            json!({ "still_own": still_own }),
        )
        .await
    }

    /// `GET .../ownership`.
    pub async fn ownership(&self, enterprise: Uuid, number: &str) -> Answer {
        self.get(&format!(
            "/enterprises/{enterprise}/reputation/numbers/{}/ownership",
            enc(number)
        ))
        .await
    }

    /// The enterprise's list with a query (e.g. `filter[ownership_status]=removed`), as
    /// (number, record) pairs.
    pub async fn listed(&self, enterprise: Uuid, query: &str) -> Vec<(String, Value)> {
        let page = self
            .get(&format!(
                "/enterprises/{enterprise}/reputation/numbers?page[size]=250&{query}"
            ))
            .await;
        assert_eq!(page.status.as_u16(), 200, "{}", page.json);
        page.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["phone_number"].as_str().unwrap().to_owned(), r.clone()))
            .collect()
    }

    /// `GET /__mock/state`.
    pub async fn state(&self) -> Value {
        self.get("/__mock/state").await.json
    }
}
