//! Receiving Telnyx webhooks: verify a delivery exactly as Telnyx signs it, then read its
//! typed [`Event`].
//!
//! Telnyx delivers the Number Reputation events (a number needs its ownership confirmed, a
//! number was removed, an ownership proof was reviewed) to the enterprise's `webhook_url`,
//! signed with the account's Ed25519 key:
//!
//! - `telnyx-timestamp`: Unix seconds at sending;
//! - `telnyx-signature-ed25519`: base64 of the 64-byte Ed25519 signature of the bytes
//!   `<telnyx-timestamp, verbatim> | <raw body>`.
//!
//! [`Verifier`] holds the account's public key (base64 of 32 bytes, from the Mission Control
//! Portal, or `TELNYX_PUBLIC_KEY` via [`Verifier::from_env`]). It takes the request's
//! [`http::HeaderMap`] and the raw body bytes, so it fits any framework built on `http`
//! (axum, hyper, tower...; see `examples/webhook_axum.rs`). A delivery passes
//! when both headers are present and non-empty, the timestamp is within ±300 s of the clock
//! (whole seconds; exactly 300 passes), and the signature verifies. Every other outcome is a
//! distinct [`VerifyError`]; answer those with 401, and acknowledge a verified event with 200
//! (anything else makes Telnyx deliver it again). [`Verifier::unwrap`] verifies and parses in
//! one call, like the SDK's `client.webhooks.unwrap`.
//!
//! Details, and where they follow the Python SDK 4.189.0 (`lib/webhook_verification.py` and
//! the generated `resources/webhooks.py`):
//!
//! - **Base64 is decoded strictly**: the standard alphabet, `=` padding required, no
//!   whitespace or other characters inside, no stray bits in the last character. The
//!   SDK's generated path decodes with `validate=True` as well, while its hand-written `lib/`
//!   path silently drops characters outside the alphabet. Telnyx's encoder only ever produces
//!   the canonical form, so anything else means the header was altered on the way: rejecting
//!   it reports that at its cause ([`VerifyError::SignatureNotBase64`]) rather than as a
//!   mismatch, and leaves exactly one accepted spelling of each signature. The only leniency
//!   is for the public key, whose surrounding whitespace (a newline pasted into an
//!   environment file) is trimmed.
//! - **The timestamp is read as Python's `int()` reads it**, since the SDK does: surrounding
//!   spaces or tabs, a `+` or `-` sign, and `_` between digits are accepted. The signed bytes
//!   are still the header exactly as received.
//! - **The clock can be injected**: [`Verifier::verify_at`] and [`Verifier::unwrap_at`] take
//!   `now`; [`Verifier::verify`] and [`Verifier::unwrap`] read [`std::time::SystemTime::now`].
//! - **Headers**: names are case-insensitive; of a repeated header the first value counts (as
//!   the SDK's lookup); an empty value is [`VerifyError::EmptyHeader`], which the SDK folds
//!   into "missing".
//! - **Ed25519** is checked strictly (`verify_strict`: canonical `S`, no small-order points),
//!   as libsodium (the SDK's PyNaCl) does, and a small-order public key is refused up front
//!   ([`KeyError::Weak`]).
//! - **The body** is verified as received, byte for byte, and never re-serialised. Its size is
//!   bounded by the caller (axum's `Bytes` extractor: 2 MB by default).
//!
//! A runnable example (the hidden lines play Telnyx: they sign a delivery with a fixed key):
//!
//! ```
//! # use base64::Engine as _;
//! # use ed25519_dalek::{Signer as _, SigningKey};
//! # use std::time::{Duration, UNIX_EPOCH};
//! # let telnyx = SigningKey::from_bytes(&[7; 32]);
//! # let public_key = base64::engine::general_purpose::STANDARD.encode(telnyx.verifying_key().as_bytes());
//! # let body = br#"{"data":{"record_type":"event","id":"0ccc7b54-8df3-4c52-9a4e-7d1f4b2c9e01","occurred_at":"2026-10-05T07:00:12.521992Z","event_type":"number_reputation.number.flagged","payload":{"record_type":"reputation_phone_number","phone_number":"+13125550142","enterprise_id":"4a6192a4-1c2b-4d5e-8f90-123456789abc","source":"external","ownership_status":"pending_confirmation","flag_reason":"carrier_changed","confirm_by":"2026-10-08T07:00:00+00:00"}},"meta":{"attempt":1,"delivered_to":"https://example.com/webhooks/telnyx"}}"#;
//! # let timestamp = "1791183612";
//! # let signed = [timestamp.as_bytes(), b"|", body].concat();
//! # let signature = base64::engine::general_purpose::STANDARD.encode(telnyx.sign(&signed).to_bytes());
//! # let mut headers = http::HeaderMap::new();
//! # headers.insert("telnyx-timestamp", timestamp.parse()?);
//! # headers.insert("Telnyx-Signature-Ed25519", signature.parse()?);
//! # let now = UNIX_EPOCH + Duration::from_secs(1_791_183_640);
//! use telnyx_reputation::webhooks::{Event, FlagReason, Verifier, VerifyError, WebhookError};
//!
//! // Once, at start-up (or `Verifier::from_env()`, reading TELNYX_PUBLIC_KEY).
//! let verifier = Verifier::new(&public_key)?;
//!
//! // Per delivery: the request's headers and raw body. A service calls `unwrap`, which reads
//! // the system clock; this example pins the clock 28 s after the delivery was signed.
//! match verifier.unwrap_at(&headers, body, now)? {
//!     Event::NumberFlagged { envelope, payload } => {
//!         assert_eq!(envelope.attempt, 1);
//!         assert_eq!(payload.phone_number.as_str(), "+13125550142");
//!         assert_eq!(payload.flag_reason, FlagReason::CarrierChanged);
//!         // ...ask the number's owner to confirm before payload.confirm_by.
//!     }
//!     other => println!("ignoring {}", other.event_type()),
//! }
//!
//! // Ten minutes later the same delivery is refused as stale (a replay).
//! let later = now + Duration::from_secs(600);
//! let refused = verifier.unwrap_at(&headers, body, later).unwrap_err();
//! assert!(matches!(
//!     refused,
//!     WebhookError::Verify(VerifyError::TimestampOutsideTolerance { difference_secs: 628, .. })
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod enums;
mod event;
mod timestamp;
mod verify;

#[cfg(test)]
mod tests;

pub use enums::{FlagReason, NumberSource, OwnershipStatus, RemovalReason, VerificationStatus};
pub use event::{
    Envelope, Event, EventError, NumberFlagged, NumberRemoved, VerificationStatusChanged,
};
pub use timestamp::{Skew, TOLERANCE_SECS};
pub use verify::{KeyError, Verifier, VerifyError};

/// The header carrying the base64 Ed25519 signature (header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "telnyx-signature-ed25519";
/// The header carrying the delivery's Unix time in seconds, part of the signed bytes.
pub const TIMESTAMP_HEADER: &str = "telnyx-timestamp";
/// The environment variable [`Verifier::from_env`] reads the public key from, as the Python SDK
/// does.
pub const PUBLIC_KEY_ENV: &str = "TELNYX_PUBLIC_KEY";

/// Why [`Verifier::unwrap`] returned no event: the delivery is not authentic or not fresh
/// (answer 401), or it is authentic but its body is not a readable event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// Verification failed; the body was not read.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The delivery is authentic, but its body is not a Telnyx event.
    #[error(transparent)]
    Event(#[from] EventError),
}

impl WebhookError {
    /// The stable code of the underlying [`VerifyError`] or [`EventError`].
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::Verify(e) => e.code(),
            WebhookError::Event(e) => e.code(),
        }
    }
}
