//! [`Verifier`]: the account's Ed25519 public key, and the check of one delivery's headers and
//! raw body against it.

use std::ffi::OsString;
use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, VerifyingKey};
use http::HeaderMap;

use super::event::Event;
use super::timestamp::{self, BadInteger, Skew, TOLERANCE_SECS};
use super::{PUBLIC_KEY_ENV, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookError};

/// Why a public key cannot be used to verify webhooks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// [`Verifier::from_env`] found no `TELNYX_PUBLIC_KEY`.
    #[error(
        "environment variable {var} is not set; set it to the account's public key (base64, from the Mission Control Portal)"
    )]
    MissingEnv {
        /// The variable's name.
        var: &'static str,
    },
    /// The key is empty (or only whitespace).
    #[error("the webhook public key is empty")]
    Empty,
    /// The key is not standard, padded base64.
    #[error("the webhook public key is not standard padded base64: {detail}")]
    NotBase64 {
        /// What the decoder found.
        detail: String,
    },
    /// The key decodes to something other than the 32 bytes of an Ed25519 public key.
    #[error("the webhook public key decodes to {len} bytes; an Ed25519 public key is 32 bytes")]
    Length {
        /// How many bytes it decoded to.
        len: usize,
    },
    /// The 32 bytes are not the encoding of a point on the Ed25519 curve.
    #[error("the webhook public key is not a valid Ed25519 point")]
    NotAPoint,
    /// The key is a point of small order: every signature check against it is refused, so it
    /// cannot be the account's key.
    #[error("the webhook public key is a weak (small-order) Ed25519 point")]
    Weak,
}

/// Why a delivery is not authentic, or not fresh.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    #[error("missing required header {name}")]
    MissingHeader {
        /// `telnyx-signature-ed25519` or `telnyx-timestamp`.
        name: &'static str,
    },
    /// A required header is present but empty.
    #[error("header {name} is empty")]
    EmptyHeader {
        /// `telnyx-signature-ed25519` or `telnyx-timestamp`.
        name: &'static str,
    },
    /// `telnyx-timestamp` is not an integer number of seconds.
    #[error("header telnyx-timestamp is not an integer (Unix seconds): {value:?}")]
    TimestampNotInteger {
        /// The header value (invalid UTF-8 replaced).
        value: String,
    },
    /// `telnyx-timestamp` is an integer too large for any time (beyond 64 bits), so far
    /// outside the tolerance.
    #[error("header telnyx-timestamp {value:?} is too large to be a Unix time")]
    TimestampOutOfRange {
        /// The header value.
        value: String,
    },
    /// `telnyx-timestamp` is more than 300 s from the receiver's clock.
    #[error(
        "webhook timestamp {timestamp} is {difference_secs}s {} of the receiver's clock ({now}); at most {TOLERANCE_SECS}s either way is accepted",
        direction.describe()
    )]
    TimestampOutsideTolerance {
        /// The delivery's timestamp, Unix seconds.
        timestamp: i64,
        /// The receiver's clock, Unix seconds.
        now: i64,
        /// `|now - timestamp|`, seconds.
        difference_secs: u64,
        /// Whether the timestamp is in the past (stale, replayed) or in the future.
        direction: Skew,
    },
    /// `telnyx-signature-ed25519` is not standard, padded base64.
    #[error("header telnyx-signature-ed25519 is not standard padded base64: {detail}")]
    SignatureNotBase64 {
        /// What the decoder found.
        detail: String,
    },
    /// `telnyx-signature-ed25519` decodes to something other than 64 bytes.
    #[error(
        "header telnyx-signature-ed25519 decodes to {len} bytes; an Ed25519 signature is 64 bytes"
    )]
    SignatureLength {
        /// How many bytes it decoded to.
        len: usize,
    },
    /// The signature does not match `timestamp|body` under the key: the body or timestamp was
    /// changed, or another key signed it.
    #[error(
        "signature verification failed: the Ed25519 signature does not match the timestamp and body under this public key"
    )]
    SignatureMismatch,
}

impl VerifyError {
    /// A stable snake_case name of the failure, for logs and metrics: `missing_header`,
    /// `empty_header`, `timestamp_not_integer`, `timestamp_out_of_range`,
    /// `timestamp_outside_tolerance`, `signature_not_base64`, `signature_length`,
    /// `signature_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::MissingHeader { .. } => "missing_header",
            VerifyError::EmptyHeader { .. } => "empty_header",
            VerifyError::TimestampNotInteger { .. } => "timestamp_not_integer",
            VerifyError::TimestampOutOfRange { .. } => "timestamp_out_of_range",
            VerifyError::TimestampOutsideTolerance { .. } => "timestamp_outside_tolerance",
            VerifyError::SignatureNotBase64 { .. } => "signature_not_base64",
            VerifyError::SignatureLength { .. } => "signature_length",
            VerifyError::SignatureMismatch => "signature_mismatch",
        }
    }
}

/// Verifies Telnyx webhook deliveries against the account's Ed25519 public key.
///
/// A delivery is authentic when `telnyx-signature-ed25519` is an Ed25519 signature, under this
/// key, of the bytes `<telnyx-timestamp header, verbatim> | <raw body>`, and fresh when the
/// timestamp is within ±[`TOLERANCE_SECS`] of the receiver's clock. Build it once (it is
/// cheap to clone and share) and call [`Verifier::unwrap`] (or [`Verifier::verify`]) per
/// delivery.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    key: VerifyingKey,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("public_key", &STANDARD.encode(self.key.as_bytes()))
            .finish()
    }
}

/// Decodes standard, padded, canonical base64 (see the module's notes on strictness).
fn decode_strict(text: &[u8]) -> Result<Vec<u8>, String> {
    STANDARD.decode(text).map_err(|e| e.to_string())
}

impl Verifier {
    /// A verifier for the account's public key as the Mission Control Portal shows it: base64
    /// of 32 bytes. Surrounding whitespace (a pasted newline) is ignored; the rest must be
    /// standard, padded base64.
    pub fn new(public_key_base64: &str) -> Result<Verifier, KeyError> {
        let text = public_key_base64.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let bytes =
            decode_strict(text.as_bytes()).map_err(|detail| KeyError::NotBase64 { detail })?;
        let raw: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Length { len: bytes.len() })?;
        Verifier::from_bytes(&raw)
    }

    /// A verifier for the raw 32 bytes of the public key.
    pub fn from_bytes(public_key: &[u8; 32]) -> Result<Verifier, KeyError> {
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| KeyError::NotAPoint)?;
        if key.is_weak() {
            return Err(KeyError::Weak);
        }
        Ok(Verifier { key })
    }

    /// A verifier for the key in the `TELNYX_PUBLIC_KEY` environment variable (the variable the
    /// Python SDK reads), decoded as [`Verifier::new`] does.
    pub fn from_env() -> Result<Verifier, KeyError> {
        Verifier::from_env_value(std::env::var_os(PUBLIC_KEY_ENV))
    }

    /// [`Verifier::from_env`] given the variable's value.
    pub(crate) fn from_env_value(value: Option<OsString>) -> Result<Verifier, KeyError> {
        let value = value.ok_or(KeyError::MissingEnv {
            var: PUBLIC_KEY_ENV,
        })?;
        let text = value.into_string().map_err(|_| KeyError::NotBase64 {
            detail: format!("{PUBLIC_KEY_ENV} is not valid Unicode"),
        })?;
        Verifier::new(&text)
    }

    /// The raw 32 bytes of the public key.
    pub fn public_key(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// Checks that a delivery is authentic and fresh by the system clock. `headers` are the
    /// request's headers (names are case-insensitive), `body` its raw bytes exactly as
    /// received (never re-serialised JSON).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// [`Verifier::verify`] against the clock reading `now` instead of the system clock.
    ///
    /// The checks run in the SDK's order: the signature header is present, the timestamp
    /// header is present, the timestamp is an integer within ±300 s of `now` (whole seconds,
    /// exactly 300 passes), the signature is base64 of 64 bytes, and it verifies.
    pub fn verify_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), VerifyError> {
        let signature = required(headers, SIGNATURE_HEADER)?;
        let stamp = required(headers, TIMESTAMP_HEADER)?;
        let timestamp = timestamp::parse_int(stamp).map_err(|bad| {
            let value = String::from_utf8_lossy(stamp).into_owned();
            match bad {
                BadInteger::Syntax => VerifyError::TimestampNotInteger { value },
                BadInteger::OutOfRange => VerifyError::TimestampOutOfRange { value },
            }
        })?;
        let now = timestamp::unix_seconds(now);
        timestamp::check_window(timestamp, now).map_err(|outside| {
            VerifyError::TimestampOutsideTolerance {
                timestamp,
                now,
                difference_secs: outside.difference_secs,
                direction: outside.direction,
            }
        })?;
        let signature = decode_strict(signature)
            .map_err(|detail| VerifyError::SignatureNotBase64 { detail })?;
        let signature: [u8; 64] =
            signature
                .as_slice()
                .try_into()
                .map_err(|_| VerifyError::SignatureLength {
                    len: signature.len(),
                })?;
        let mut message =
            Vec::with_capacity(stamp.len().saturating_add(1).saturating_add(body.len()));
        message.extend_from_slice(stamp);
        message.push(b'|');
        message.extend_from_slice(body);
        self.key
            .verify_strict(&message, &Signature::from_bytes(&signature))
            .map_err(|_| VerifyError::SignatureMismatch)
    }

    /// Verifies a delivery by the system clock, then parses its event: the counterpart of the
    /// SDK's `client.webhooks.unwrap(payload, headers=...)`.
    pub fn unwrap(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, WebhookError> {
        self.unwrap_at(headers, body, SystemTime::now())
    }

    /// [`Verifier::unwrap`] against the clock reading `now`.
    pub fn unwrap_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Event, WebhookError> {
        self.verify_at(headers, body, now)?;
        Ok(Event::parse(body)?)
    }
}

/// The first value of a required header, as raw bytes: absent and empty are told apart.
fn required<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h [u8], VerifyError> {
    match headers.get(name) {
        None => Err(VerifyError::MissingHeader { name }),
        Some(value) if value.is_empty() => Err(VerifyError::EmptyHeader { name }),
        Some(value) => Ok(value.as_bytes()),
    }
}
