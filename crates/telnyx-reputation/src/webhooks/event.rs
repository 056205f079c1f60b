//! [`Event`]: a delivery's JSON body as a typed event — the shared envelope and one of the
//! three Number Reputation payloads, or any other event type kept whole.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use telnyx_e164::E164;
use uuid::Uuid;

use super::enums::{FlagReason, NumberSource, OwnershipStatus, RemovalReason, VerificationStatus};

/// What every event carries around its payload: `data.id`, `data.occurred_at`,
/// `data.record_type`, and the delivery's `meta`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope {
    /// `data.id`: identifies the event. A redelivery reuses it, so deduplicate on it.
    pub id: String,
    /// `data.occurred_at`: when it happened (any RFC 3339 offset on the wire, kept in UTC).
    pub occurred_at: DateTime<Utc>,
    /// `data.record_type`: `event`.
    pub record_type: String,
    /// `meta.attempt`: the delivery attempt, 1 for the first.
    pub attempt: u64,
    /// `meta.delivered_to`: the URL this delivery was sent to.
    pub delivered_to: String,
}

/// `number_reputation.number.flagged`: the account must confirm that it still owns a number
/// before `confirm_by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NumberFlagged {
    /// The number.
    pub phone_number: E164,
    /// The enterprise monitoring it.
    pub enterprise_id: Uuid,
    /// Where it is hosted.
    pub source: NumberSource,
    /// `pending_confirmation` (the only value this event has).
    pub ownership_status: OwnershipStatus,
    /// Why it needs confirmation.
    pub flag_reason: FlagReason,
    /// The deadline: unconfirmed by then, the number is removed (carrier change) or flagged
    /// (re-verification).
    pub confirm_by: DateTime<Utc>,
}

/// `number_reputation.number.removed`: a number left monitoring for an ownership reason (a
/// DELETE by the account sends no event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NumberRemoved {
    /// The number.
    pub phone_number: E164,
    /// The enterprise that monitored it.
    pub enterprise_id: Uuid,
    /// Where it was hosted.
    pub source: NumberSource,
    /// `removed` (the only value this event has).
    pub ownership_status: OwnershipStatus,
    /// Why it was removed.
    pub removal_reason: RemovalReason,
    /// When it was removed.
    pub removed_at: DateTime<Utc>,
}

/// `number_reputation.external_verification.status_changed`: Telnyx reviewed an enterprise's
/// proof of owning numbers hosted elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VerificationStatusChanged {
    /// The enterprise whose proof was reviewed.
    pub enterprise_id: Uuid,
    /// The outcome.
    pub status: VerificationStatus,
    /// When the decision was made.
    pub reviewed_at: DateTime<Utc>,
    /// Why the proof was rejected; absent or null unless `status` is `rejected`.
    #[serde(default)]
    pub rejection_reason: Option<String>,
}

/// One webhook event, dispatched on `data.event_type`.
///
/// The three Number Reputation events are typed; any other event type is kept whole as
/// [`Event::Other`], so a new event never fails a receiver. Unknown values of a payload's
/// string enums are kept too (their `Other` variants).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// `number_reputation.number.flagged`.
    NumberFlagged {
        /// The event's id, time and delivery.
        envelope: Envelope,
        /// The number and the deadline.
        payload: NumberFlagged,
    },
    /// `number_reputation.number.removed`.
    NumberRemoved {
        /// The event's id, time and delivery.
        envelope: Envelope,
        /// The number and why it was removed.
        payload: NumberRemoved,
    },
    /// `number_reputation.external_verification.status_changed`.
    VerificationStatusChanged {
        /// The event's id, time and delivery.
        envelope: Envelope,
        /// The review's outcome.
        payload: VerificationStatusChanged,
    },
    /// An event type this version does not type: its `data.event_type` and the whole body as
    /// JSON, unchanged.
    Other {
        /// `data.event_type`.
        event_type: String,
        /// The whole body.
        body: Value,
    },
}

/// Why a (verified) body is not a readable event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The body is not JSON (or not UTF-8). The parser's own error type is not part of this
    /// API: its line, column and message are.
    #[error("webhook body is not JSON: {detail}")]
    NotJson {
        /// The line of the body where reading stopped, from 1.
        line: usize,
        /// The column of that line, from 1 (0 when the body ended early).
        column: usize,
        /// What the JSON parser found there, with the line and column.
        detail: String,
    },
    /// The body is JSON but not a Telnyx event envelope (`data.id`, `data.event_type`,
    /// `data.occurred_at`, `data.record_type`, `data.payload`, `meta.attempt`,
    /// `meta.delivered_to`).
    #[error("webhook body is not a Telnyx event envelope: {path}: {detail}")]
    NotAnEnvelope {
        /// Where in the body, e.g. `meta.attempt`.
        path: String,
        /// What is wrong there.
        detail: String,
    },
    /// The payload of a known event type does not match its schema.
    #[error("{event_type} event: {path}: {detail}")]
    Payload {
        /// `data.event_type`.
        event_type: String,
        /// Where in the body, e.g. `data.payload.phone_number`.
        path: String,
        /// What is wrong there.
        detail: String,
    },
}

impl EventError {
    /// A stable snake_case name of the failure: `not_json`, `not_an_envelope` or `payload`.
    pub fn code(&self) -> &'static str {
        match self {
            EventError::NotJson { .. } => "not_json",
            EventError::NotAnEnvelope { .. } => "not_an_envelope",
            EventError::Payload { .. } => "payload",
        }
    }
}

/// The body as the API sends it, for one payload type.
#[derive(Deserialize)]
struct Wire<P> {
    data: WireData<P>,
    meta: WireMeta,
}

#[derive(Deserialize)]
struct WireData<P> {
    id: String,
    occurred_at: DateTime<Utc>,
    record_type: String,
    payload: P,
}

#[derive(Deserialize)]
struct WireMeta {
    attempt: u64,
    delivered_to: String,
}

impl Event {
    /// `data.event_type` of [`Event::NumberFlagged`].
    pub const NUMBER_FLAGGED: &'static str = "number_reputation.number.flagged";
    /// `data.event_type` of [`Event::NumberRemoved`].
    pub const NUMBER_REMOVED: &'static str = "number_reputation.number.removed";
    /// `data.event_type` of [`Event::VerificationStatusChanged`].
    pub const VERIFICATION_STATUS_CHANGED: &'static str =
        "number_reputation.external_verification.status_changed";

    /// Parses a body **without verifying it** (the SDK's `unsafe_unwrap`): for bodies already
    /// verified with [`Verifier::verify`](super::Verifier::verify), or for tests. Anything
    /// received over the network goes through [`Verifier::unwrap`](super::Verifier::unwrap).
    pub fn parse(body: &[u8]) -> Result<Event, EventError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| EventError::NotJson {
            line: e.line(),
            column: e.column(),
            detail: e.to_string(),
        })?;
        let event_type = event_type(&value)?.to_owned();
        Ok(match event_type.as_str() {
            Event::NUMBER_FLAGGED => {
                let (envelope, payload) = typed(&value, &event_type)?;
                Event::NumberFlagged { envelope, payload }
            }
            Event::NUMBER_REMOVED => {
                let (envelope, payload) = typed(&value, &event_type)?;
                Event::NumberRemoved { envelope, payload }
            }
            Event::VERIFICATION_STATUS_CHANGED => {
                let (envelope, payload) = typed(&value, &event_type)?;
                Event::VerificationStatusChanged { envelope, payload }
            }
            _ => Event::Other {
                event_type,
                body: value,
            },
        })
    }

    /// `data.event_type`.
    pub fn event_type(&self) -> &str {
        match self {
            Event::NumberFlagged { .. } => Event::NUMBER_FLAGGED,
            Event::NumberRemoved { .. } => Event::NUMBER_REMOVED,
            Event::VerificationStatusChanged { .. } => Event::VERIFICATION_STATUS_CHANGED,
            Event::Other { event_type, .. } => event_type,
        }
    }

    /// The envelope of a typed event; `None` for [`Event::Other`] (read its `body`).
    pub fn envelope(&self) -> Option<&Envelope> {
        match self {
            Event::NumberFlagged { envelope, .. }
            | Event::NumberRemoved { envelope, .. }
            | Event::VerificationStatusChanged { envelope, .. } => Some(envelope),
            Event::Other { .. } => None,
        }
    }

    /// `data.id`, the key to deduplicate redeliveries on, for every event (of an
    /// [`Event::Other`], when its body has a string there).
    pub fn id(&self) -> Option<&str> {
        match self {
            Event::Other { body, .. } => body.get("data")?.get("id")?.as_str(),
            typed => typed.envelope().map(|e| e.id.as_str()),
        }
    }
}

/// `data.event_type` of a JSON body, or where the envelope breaks.
fn event_type(value: &Value) -> Result<&str, EventError> {
    let broken = |path: &str, detail: &str| EventError::NotAnEnvelope {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    if !value.is_object() {
        return Err(broken("(body)", "is not a JSON object"));
    }
    let data = value
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| broken("data", "is missing or not an object"))?;
    data.get("event_type")
        .and_then(Value::as_str)
        .ok_or_else(|| broken("data.event_type", "is missing or not a string"))
}

/// The envelope and payload of a known event type, or the path of the first field that does
/// not match.
fn typed<P>(value: &Value, event_type: &str) -> Result<(Envelope, P), EventError>
where
    P: for<'de> Deserialize<'de>,
{
    let wire: Wire<P> = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let detail = e.into_inner().to_string();
        if path == "data.payload" || path.starts_with("data.payload.") {
            EventError::Payload {
                event_type: event_type.to_owned(),
                path,
                detail,
            }
        } else {
            EventError::NotAnEnvelope { path, detail }
        }
    })?;
    let envelope = Envelope {
        id: wire.data.id,
        occurred_at: wire.data.occurred_at,
        record_type: wire.data.record_type,
        attempt: wire.meta.attempt,
        delivered_to: wire.meta.delivered_to,
    };
    Ok((envelope, wire.data.payload))
}
