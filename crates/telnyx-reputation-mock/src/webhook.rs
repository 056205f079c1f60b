//! Number-ownership webhooks as Telnyx sends them: each enterprise's `webhook_url` (set with
//! `PATCH .../reputation/webhook`), the event envelope, the Ed25519 signature over
//! `<telnyx-timestamp>|<raw body>`, and redelivery of what was not answered 200.
//!
//! An event raised while the enterprise's `webhook_url` is null is not sent. Deliveries go only
//! to loopback hosts (`127.0.0.0/8`, `::1`, `localhost`); an event for another host is logged
//! as not sent. Each attempt has [`DELIVERY_TIMEOUT`]; one answered anything but 200, or not
//! answered, is sent again after the world's retry delay of emulator time with the same
//! `data.id` and `meta.attempt` one higher, up to [`MAX_ATTEMPTS`]. The queue holds at most
//! [`QUEUE`] attempts (more are logged as dropped), at most [`IN_FLIGHT`] are sent at once, and
//! the log keeps the last [`LOG`] attempts.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use telnyx_reputation_tls::Trust;
use tokio::sync::{Semaphore, mpsc};
use uuid::Uuid;

use crate::app::App;
use crate::model::Settings;
use crate::schedule::Job;
use crate::state::{Refusal, World};

/// Attempts per event, the first included.
pub const MAX_ATTEMPTS: u32 = 5;
/// How long one attempt may take, connection included.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts waiting to be sent.
pub const QUEUE: usize = 1024;
/// Attempts sent at once.
pub const IN_FLIGHT: usize = 16;
/// Attempts the log keeps.
pub const LOG: usize = 1000;
/// The longest `webhook_url` accepted.
const MAX_URL: usize = 2048;

/// The emulator's webhook signing key: Ed25519, derived from the seed, so a run with the same
/// `--seed` signs with the same key.
pub(crate) struct WebhookSigner {
    key: SigningKey,
}

impl WebhookSigner {
    /// The key of `seed`: SHA-256 of a fixed label and the seed is the secret.
    pub fn from_seed(seed: u64) -> WebhookSigner {
        let mut hash = sha2::Sha256::new();
        hash.update(b"telnyx-reputation-mock webhook signing key");
        hash.update(seed.to_le_bytes());
        let secret: [u8; 32] = hash.finalize().into();
        WebhookSigner {
            key: SigningKey::from_bytes(&secret),
        }
    }

    /// The public key as Telnyx shows it: standard base64 of the 32 raw bytes.
    pub fn public_key(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    /// `telnyx-signature-ed25519`: base64 of the signature over `<timestamp>|<body>`.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let mut message = Vec::with_capacity(timestamp.len() + 1 + body.len());
        message.extend_from_slice(timestamp.as_bytes());
        message.push(b'|');
        message.extend_from_slice(body);
        base64::engine::general_purpose::STANDARD.encode(self.key.sign(&message).to_bytes())
    }
}

/// One ownership event, as every attempt to deliver it carries it.
#[derive(Debug)]
pub(crate) struct Event {
    /// `data.id`, the same on every attempt.
    pub id: Uuid,
    /// `data.event_type`.
    pub event_type: &'static str,
    /// `data.occurred_at`, by the emulator's clock.
    pub occurred_at: DateTime<Utc>,
    /// `data.payload`.
    pub payload: serde_json::Value,
    /// Where it goes (`meta.delivered_to`).
    pub url: String,
    /// The account and enterprise it belongs to.
    pub account: usize,
    pub enterprise: Uuid,
}

/// One attempt at delivering an event.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub event: Arc<Event>,
    /// `meta.attempt`, from 1.
    pub number: u32,
}

impl Attempt {
    /// The body, exactly the bytes signed and sent.
    fn body(&self) -> Result<Vec<u8>, serde_json::Error> {
        let e = &self.event;
        serde_json::to_vec(&serde_json::json!({
            "data": {
                "record_type": "event",
                "id": e.id,
                "event_type": e.event_type,
                "occurred_at": e.occurred_at,
                "payload": e.payload,
            },
            "meta": {
                "attempt": self.number,
                "delivered_to": e.url,
            },
        }))
    }
}

/// One delivery attempt, as `GET /__mock/webhooks` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The event's `data.id` (the same on every attempt of one event).
    pub id: Uuid,
    /// The event's type, e.g. `number_reputation.number.flagged`.
    pub event_type: String,
    /// `meta.attempt`, from 1.
    pub attempt: u32,
    /// Where it was sent.
    pub url: String,
    /// The status the receiver answered; `None` when there was no answer.
    pub status: Option<u16>,
    /// Why there was no answer (a connection error, a timeout, or why it was not sent).
    pub error: Option<String>,
    /// When it was sent, by the real clock (the `telnyx-timestamp` it carried).
    pub sent_at: DateTime<Utc>,
}

/// The world's outgoing webhooks: the queue to the sender and the log.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outgoing {
    queue: Option<mpsc::Sender<Attempt>>,
    pub log: VecDeque<Delivery>,
}

impl Outgoing {
    /// Deliveries go to this queue from now on.
    pub fn connect(&mut self, queue: mpsc::Sender<Attempt>) {
        self.queue = Some(queue);
    }

    fn log(&mut self, delivery: Delivery) {
        if self.log.len() >= LOG {
            self.log.pop_front();
        }
        self.log.push_back(delivery);
    }

    /// Queues an attempt, or logs why it is not sent.
    fn dispatch(&mut self, attempt: Attempt) {
        let unsent = |attempt: &Attempt, why: &str| Delivery {
            id: attempt.event.id,
            event_type: attempt.event.event_type.to_owned(),
            attempt: attempt.number,
            url: attempt.event.url.clone(),
            status: None,
            error: Some(why.to_owned()),
            sent_at: Utc::now(),
        };
        if !is_loopback(&attempt.event.url) {
            let entry = unsent(
                &attempt,
                "not sent: the emulator delivers only to loopback hosts",
            );
            self.log(entry);
            return;
        }
        let Some(queue) = &self.queue else {
            let entry = unsent(&attempt, "not sent: no delivery task is running");
            self.log(entry);
            return;
        };
        match queue.try_send(attempt) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(attempt)) => {
                let entry = unsent(&attempt, "dropped: the delivery queue is full");
                self.log(entry);
            }
            Err(mpsc::error::TrySendError::Closed(attempt)) => {
                let entry = unsent(&attempt, "not sent: deliveries have stopped");
                self.log(entry);
            }
        }
    }
}

/// Whether `url` names a loopback host.
pub(crate) fn is_loopback(url: &str) -> bool {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A `webhook_url` as `PATCH .../webhook` accepts it: an `https://` URL with a host, or, as an
/// emulator allowance, an `http://` URL on a loopback host; at most 2,048 characters.
fn check_webhook_url(raw: &str) -> Result<(), Refusal> {
    let refuse = |why: String| Refusal::Invalid {
        pointer: "/webhook_url".into(),
        detail: why,
    };
    if raw.len() > MAX_URL {
        return Err(refuse(format!(
            "webhook_url must be at most {MAX_URL} characters, got {}",
            raw.len()
        )));
    }
    let url = url::Url::parse(raw)
        .map_err(|e| refuse(format!("webhook_url {raw:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(raw) => Ok(()),
        _ => Err(refuse(format!(
            "webhook_url {raw:?} must be an https:// URL (or http:// on a loopback host, \
             an emulator allowance)"
        ))),
    }
}

impl World {
    /// Sets or clears (`None`) where an enterprise's ownership events go: 404 when reputation
    /// is not enabled, 422 for a URL the rules refuse.
    pub fn set_webhook_url(
        &mut self,
        account: usize,
        enterprise: Uuid,
        url: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Settings, Refusal> {
        let record = self.settings_mut(account, enterprise)?;
        if let Some(url) = &url {
            check_webhook_url(url)?;
        }
        record.settings = record.view(now);
        record.settings.webhook_url = url;
        record.settings.updated_at = now;
        Ok(record.settings.clone())
    }

    /// The webhook URL of an enterprise, if set.
    fn webhook_url(&self, account: usize, enterprise: Uuid) -> Option<&str> {
        self.settings_record(account, enterprise)
            .and_then(|s| s.settings.webhook_url.as_deref())
    }

    /// Raises an ownership event of the enterprise: sent to its `webhook_url`, or not at all
    /// when that is null.
    pub(crate) fn raise(
        &mut self,
        account: usize,
        enterprise: Uuid,
        event_type: &'static str,
        occurred_at: DateTime<Utc>,
        payload: serde_json::Value,
    ) {
        let Some(url) = self.webhook_url(account, enterprise) else {
            return;
        };
        let event = Event {
            id: Uuid::new_v4(),
            event_type,
            occurred_at,
            payload,
            url: url.to_owned(),
            account,
            enterprise,
        };
        self.webhooks.dispatch(Attempt {
            event: Arc::new(event),
            number: 1,
        });
    }

    /// Sends an attempt again, unless the enterprise's `webhook_url` has been cleared since.
    pub(crate) fn redeliver(&mut self, attempt: Attempt) {
        if self
            .webhook_url(attempt.event.account, attempt.event.enterprise)
            .is_some()
        {
            self.webhooks.dispatch(attempt);
        }
    }

    /// Logs an attempt's answer; one not answered 200 is scheduled again `webhook_retry` of
    /// emulator time from `now`, up to [`MAX_ATTEMPTS`].
    fn delivered(&mut self, attempt: Attempt, delivery: Delivery, now: DateTime<Utc>) {
        let acknowledged = delivery.status == Some(200);
        self.webhooks.log(delivery);
        if !acknowledged && attempt.number < MAX_ATTEMPTS {
            let due = now
                .checked_add_signed(self.ownership_timings.webhook_retry)
                .unwrap_or(now);
            self.timers.schedule(
                due,
                Job::Redeliver(Attempt {
                    event: attempt.event,
                    number: attempt.number.saturating_add(1),
                }),
            );
        }
    }
}

/// Sends one attempt, signed with the real time of sending: the receiver's status, or why
/// there was none.
async fn send(
    client: &reqwest::Client,
    signer: &WebhookSigner,
    attempt: &Attempt,
) -> (Option<u16>, Option<String>, DateTime<Utc>) {
    let sent_at = Utc::now();
    let body = match attempt.body() {
        Ok(body) => body,
        Err(e) => return (None, Some(format!("not sent: {e}")), sent_at),
    };
    let timestamp = sent_at.timestamp().to_string();
    let signature = signer.sign(&timestamp, &body);
    let result = client
        .post(&attempt.event.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("telnyx-timestamp", &timestamp)
        .header("telnyx-signature-ed25519", signature)
        .body(body)
        .send()
        .await;
    match result {
        Ok(answer) => (Some(answer.status().as_u16()), None, sent_at),
        Err(e) => (None, Some(error_chain(&e)), sent_at),
    }
}

/// An error and its causes, on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The sender: takes attempts off the queue and sends up to [`IN_FLIGHT`] at once, each
/// within [`DELIVERY_TIMEOUT`], logging each answer in the world. Ends with the emulator.
pub(crate) async fn deliver_all(app: Arc<App>, mut queue: mpsc::Receiver<Attempt>) {
    // Plain http (loopback only) needs no trust roots. An https delivery uses the platform's
    // roots, as a real sender would, read at the first one: an emulator that sends none (most
    // that tests start) never reads the system's certificate files. On a machine without any
    // roots, deliveries to https fail as untrusted.
    let plain = match sender(Trust::Nothing) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhook deliveries are off: no HTTP client");
            return;
        }
    };
    let mut tls: Option<reqwest::Client> = None;
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    while let Some(attempt) = queue.recv().await {
        let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else {
            return;
        };
        let app = Arc::clone(&app);
        let client = if is_https(&attempt.event.url) {
            tls.get_or_insert_with(|| {
                sender(Trust::Platform).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "no https client: https deliveries go untrusted");
                    plain.clone()
                })
            })
            .clone()
        } else {
            plain.clone()
        };
        tokio::spawn(async move {
            let (status, error, sent_at) = send(&client, &app.signer, &attempt).await;
            let delivery = Delivery {
                id: attempt.event.id,
                event_type: attempt.event.event_type.to_owned(),
                attempt: attempt.number,
                url: attempt.event.url.clone(),
                status,
                error,
                sent_at,
            };
            let now = app.clock.now();
            app.world().delivered(attempt, delivery, now);
            app.attempts_done.send_modify(|n| *n = n.saturating_add(1));
            drop(permit);
        });
    }
}

/// A delivery client trusting as `trust` says: no proxy, no redirects, [`DELIVERY_TIMEOUT`].
fn sender(trust: Trust) -> reqwest::Result<reqwest::Client> {
    telnyx_reputation_tls::client_builder_or_untrusting(trust)
        .timeout(DELIVERY_TIMEOUT)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Whether `url` (checked by [`check_webhook_url`]) is sent over TLS: read as that check
/// reads it.
fn is_https(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.scheme() == "https")
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    use super::*;

    #[test]
    fn the_key_follows_the_seed_and_signatures_verify_over_timestamp_bar_body() {
        let signer = WebhookSigner::from_seed(7);
        assert_eq!(
            signer.public_key(),
            WebhookSigner::from_seed(7).public_key()
        );
        assert_ne!(
            signer.public_key(),
            WebhookSigner::from_seed(8).public_key()
        );
        let engine = base64::engine::general_purpose::STANDARD;
        let key: [u8; 32] = engine
            .decode(signer.public_key())
            .unwrap()
            .try_into()
            .unwrap();
        let key = VerifyingKey::from_bytes(&key).unwrap();
        let signature: [u8; 64] = engine
            .decode(signer.sign("1700000000", b"{\"a\":1}"))
            .unwrap()
            .try_into()
            .unwrap();
        let signature = Signature::from_bytes(&signature);
        assert!(key.verify(b"1700000000|{\"a\":1}", &signature).is_ok());
        assert!(key.verify(b"1700000001|{\"a\":1}", &signature).is_err());
    }

    #[test]
    fn urls_are_https_or_loopback_http() {
        for ok in [
            "https://example.com/hooks",
            "http://127.0.0.1:9000/x",
            "http://localhost/x",
            "http://[::1]:80/",
            "https://127.0.0.1:1/",
        ] {
            assert!(check_webhook_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/x",
            "ftp://127.0.0.1/",
            "not a url",
            "",
            "https://",
            "http://10.0.0.1/",
        ] {
            assert!(
                matches!(check_webhook_url(bad), Err(Refusal::Invalid { pointer, .. }) if pointer == "/webhook_url"),
                "{bad}"
            );
        }
        assert!(check_webhook_url(&format!("https://e.com/{}", "a".repeat(MAX_URL))).is_err());
        assert!(!is_loopback("https://example.com/"));
        for (url, tls) in [
            ("https://example.com/hooks", true),
            ("HTTPS://example.com/", true),
            (" https://example.com/", true),
            ("http://127.0.0.1:9000/x", false),
            ("HTTP://localhost/x", false),
        ] {
            assert!(check_webhook_url(url).is_ok(), "{url}");
            assert_eq!(is_https(url), tls, "{url}");
        }
    }
}
