//! Typed errors: what failed, where, and what the server said.

use std::time::Duration;

use telnyx_reputation_api::types::TelnyxError;
use thiserror::Error;

/// A refusal or failure reported by the API, with everything the response said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The operation, as the spec names it (e.g. `AssociateReputationNumbers`).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The `errors` of the response body (empty when the body was not the documented envelope).
    pub errors: Vec<TelnyxError>,
    /// The `x-request-id` header, when the server sent one: quote it to Telnyx support.
    pub request_id: Option<String>,
    /// The server's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// The first error's `code`, the field to branch on.
    pub fn code(&self) -> Option<&str> {
        self.errors.first().map(|e| e.code.as_str())
    }

    /// A one-line summary: the first error's title and detail.
    pub fn summary(&self) -> String {
        match self.errors.first() {
            None => "no error body".to_owned(),
            Some(e) => {
                let mut s = format!("{} ({})", e.title, e.code);
                if let Some(detail) = &e.detail {
                    s.push_str(": ");
                    s.push_str(detail);
                }
                if self.errors.len() > 1 {
                    s.push_str(&format!(" (+{} more)", self.errors.len() - 1));
                }
                s
            }
        }
    }
}

/// Everything the client can fail with.
#[derive(Debug, Error)]
pub enum Error {
    /// The API answered with an error status.
    #[error("{}: HTTP {}: {}{}", .0.operation, .0.status, .0.summary(), request_id_suffix(.0))]
    Api(ApiError),
    /// No connection could be made: the request was certainly not sent.
    #[error("{operation}: cannot connect: {source}")]
    Connect {
        /// The operation.
        operation: &'static str,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The request was sent but no answer arrived (timeout, connection dropped): it may or may
    /// not have taken effect.
    #[error("{operation}: the outcome is unknown ({reason}): {source}")]
    Ambiguous {
        /// The operation.
        operation: &'static str,
        /// What happened, in a few words.
        reason: &'static str,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered something the spec does not describe.
    #[error("{operation}: unexpected response: {detail}")]
    Protocol {
        /// The operation.
        operation: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// The request could not be built from the arguments given.
    #[error("{operation}: invalid request: {detail}")]
    InvalidRequest {
        /// The operation.
        operation: &'static str,
        /// Why.
        detail: String,
    },
    /// The client's configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

fn request_id_suffix(e: &ApiError) -> String {
    e.request_id
        .as_deref()
        .map(|id| format!(" [request id {id}]"))
        .unwrap_or_default()
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The API error, when the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the request may have taken effect although it failed: a dropped connection or
    /// timeout after sending, or a 5xx (a gateway may answer 502/504 after the backend acted).
    /// An associate that fails this way must be reconciled before anything else is decided.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Ambiguous { .. } => true,
            Error::Api(e) => e.status >= 500,
            _ => false,
        }
    }

    /// Whether the failure is a network or server failure (as opposed to a refusal of the
    /// request itself).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Ambiguous { .. } => true,
            Error::Api(e) => crate::retry::is_retryable_status(e.status),
            _ => false,
        }
    }
}

/// Why a configuration was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// No API key: neither given nor in `TELNYX_API_KEY`.
    #[error("no API key: set TELNYX_API_KEY or pass one explicitly")]
    MissingApiKey,
    /// The base URL does not parse.
    #[error("base URL {url:?} is not a URL: {reason}")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The base URL is plain `http` to a host other than loopback.
    #[error(
        "base URL {url:?} is plain http to a non-loopback host; the API key would travel unencrypted (use https, or allow insecure http explicitly)"
    )]
    InsecureBaseUrl {
        /// The URL given.
        url: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
}
