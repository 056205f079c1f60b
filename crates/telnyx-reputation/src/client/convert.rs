//! Turning the generated client's errors into ours ([`Error`]), reading the error body and
//! the headers that say how long to wait.

use std::time::{Duration, SystemTime};

use telnyx_reputation_api as api;
use telnyx_reputation_api::types::{NumberReputationError, NumberReputationErrors};

use crate::error::{ApiError, Error, TransportError};
use crate::retry::{self, parse_retry_after};
use crate::transport;

/// The error body an operation documents, as the generated client reads it: the July
/// operations' `{"errors": [...]}` envelope, or nothing (`()`) for the October 2026 ones, whose
/// errors are not documented. Either way an error status is read as the envelope when its body
/// is one ([`convert`]).
pub(crate) trait ErrorBody: std::fmt::Debug {
    /// The `errors` the body carried.
    fn into_errors(self) -> Vec<NumberReputationError>;
}

impl ErrorBody for NumberReputationErrors {
    fn into_errors(self) -> Vec<NumberReputationError> {
        self.errors
    }
}

impl ErrorBody for () {
    fn into_errors(self) -> Vec<NumberReputationError> {
        Vec::new()
    }
}

/// Turns the generated client's error into ours, reading the error body where there is one.
pub(super) async fn convert<E: ErrorBody>(error: api::Error<E>) -> Error {
    let operation = transport::current_operation();
    match error {
        api::Error::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let (request_id, retry_after) = header_facts(status, response.headers());
            Error::Api(ApiError {
                operation,
                status,
                errors: response
                    .into_inner()
                    .into_errors()
                    .into_iter()
                    .map(Into::into)
                    .collect(),
                request_id,
                retry_after,
            })
        }
        api::Error::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let (request_id, retry_after) = header_facts(status, response.headers());
            // Undocumented statuses (429, 5xx, ...) usually still carry the error envelope.
            let body = response.bytes().await;
            if (200..300).contains(&status) {
                return Error::Protocol {
                    operation,
                    detail: format!("undocumented success status {status}"),
                };
            }
            let errors = match body {
                Ok(body) => serde_json::from_slice::<NumberReputationErrors>(&body)
                    .map(|b| b.errors.into_iter().map(Into::into).collect())
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            Error::Api(ApiError {
                operation,
                status,
                errors,
                request_id,
                retry_after,
            })
        }
        api::Error::CommunicationError(e) if e.is_connect() => Error::Connect {
            operation,
            source: TransportError::new(e),
        },
        api::Error::CommunicationError(e) if e.is_redirect() => Error::Protocol {
            operation,
            detail: format!("redirect refused: {e}"),
        },
        api::Error::CommunicationError(e) => Error::Ambiguous {
            operation,
            reason: if e.is_timeout() {
                "timed out"
            } else {
                "connection failed after sending"
            },
            source: TransportError::new(e),
        },
        api::Error::ResponseBodyError(e) if transport::is_body_too_large(&e) => Error::Protocol {
            operation,
            detail: innermost(&e),
        },
        api::Error::ResponseBodyError(e) => Error::Ambiguous {
            operation,
            reason: "response body lost",
            source: TransportError::new(e),
        },
        // An error status whose body is not the documented envelope is still that error: the
        // status decides (exit codes, retries, rollback), the body's entries are read where
        // they can be.
        api::Error::InvalidResponsePayload(body, _)
            if transport::current_status().is_some_and(|s| s >= 400) =>
        {
            let status = transport::current_status().unwrap_or_default();
            Error::Api(ApiError {
                operation,
                status,
                errors: serde_json::from_slice::<NumberReputationErrors>(&body)
                    .map(|b| b.errors.into_iter().map(Into::into).collect())
                    .unwrap_or_default(),
                request_id: None,
                retry_after: None,
            })
        }
        api::Error::InvalidResponsePayload(_, e) => Error::Protocol {
            operation,
            detail: format!("the response body does not match the spec: {e}"),
        },
        api::Error::InvalidRequest(detail) => Error::InvalidRequest { operation, detail },
        other => Error::Protocol {
            operation,
            detail: other.to_string(),
        },
    }
}

/// The innermost message of an error's chain of sources (for a body over the limit, the
/// limit's own message rather than reqwest's wrapping of it).
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The request id of a response, and how long it asks to wait: `Retry-After`, else (on a 429)
/// `x-ratelimit-reset`.
fn header_facts(
    status: u16,
    headers: &reqwest::header::HeaderMap,
) -> (Option<String>, Option<Duration>) {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let request_id = ["x-request-id", "request-id"]
        .iter()
        .find_map(|name| text(name))
        .map(str::to_owned);
    let retry_after = text("retry-after")
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
        .or_else(|| {
            (status == 429)
                .then(|| text("x-ratelimit-reset").and_then(retry::parse_seconds))
                .flatten()
        });
    (request_id, retry_after)
}
