//! The error envelope: every error answer is `{"errors": [NumberReputationError, ...]}` (the generated
//! client's own types), and each kind of error is one [`ErrorKind`] that knows its status,
//! code and title.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use telnyx_reputation_api::types::{
    NumberReputationError, NumberReputationErrorMeta, NumberReputationErrorSource,
    NumberReputationErrors,
};

use crate::faults::ServerError;
use crate::state::{BatchRefusal, NumberRule, Refusal};

/// Every kind of error the emulator answers, with its status, code and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// 401 `10001`: missing or wrong bearer token.
    Unauthorized,
    /// 404 `10009`: unknown enterprise, number not associated, or a bad `fresh`.
    NotFound,
    /// 400 `10015`: a malformed body or paging parameter.
    BadRequest,
    /// 400 `raw_plus_in_path`: the path carries an unencoded `+`.
    RawPlusInPath,
    /// 403 `enterprise_not_approved`: reading under an enterprise not approved.
    NotApproved,
    /// 400 `enterprise_not_approved`: associating under an enterprise not approved.
    NotApprovedToAssociate,
    /// 400 with the number rule's code (`toll_free`, `duplicate`, ...).
    Number(NumberRule),
    /// 400 `empty` or `too_many`: the list of numbers as a whole.
    Batch(BatchRefusal),
    /// 429 `10011`: over the rate limit, or throttled by a fault.
    TooManyRequests,
    /// 500, 502 or 503 `10000`: an injected server error, or the emulator's own failure.
    Server(ServerError),
}

impl ErrorKind {
    /// The answer's status.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::BadRequest
            | ErrorKind::RawPlusInPath
            | ErrorKind::NotApprovedToAssociate
            | ErrorKind::Number(_)
            | ErrorKind::Batch(_) => StatusCode::BAD_REQUEST,
            ErrorKind::NotApproved => StatusCode::FORBIDDEN,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Server(ServerError::Internal) => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Server(ServerError::BadGateway) => StatusCode::BAD_GATEWAY,
            ErrorKind::Server(ServerError::Unavailable) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The error's `code`: what a client branches on.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "10001",
            ErrorKind::NotFound => "10009",
            ErrorKind::BadRequest => "10015",
            ErrorKind::RawPlusInPath => "raw_plus_in_path",
            ErrorKind::NotApproved | ErrorKind::NotApprovedToAssociate => "enterprise_not_approved",
            ErrorKind::Number(rule) => rule.code(),
            ErrorKind::Batch(batch) => batch.code(),
            ErrorKind::TooManyRequests => "10011",
            ErrorKind::Server(_) => "10000",
        }
    }

    /// The error's `title`.
    pub fn title(self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "Unauthorized",
            ErrorKind::NotFound => "Not Found",
            ErrorKind::NotApproved => "Forbidden",
            ErrorKind::BadRequest
            | ErrorKind::RawPlusInPath
            | ErrorKind::NotApprovedToAssociate
            | ErrorKind::Number(_)
            | ErrorKind::Batch(_) => "Bad Request",
            ErrorKind::TooManyRequests => "Too many requests",
            ErrorKind::Server(_) => "Server Error",
        }
    }

    /// One error of this kind, as the envelope holds it.
    pub fn error(self, detail: String, pointer: Option<String>) -> NumberReputationError {
        NumberReputationError {
            code: self.code().to_owned(),
            title: self.title().to_owned(),
            detail,
            meta: NumberReputationErrorMeta {
                url: format!(
                    "https://developers.telnyx.com/docs/overview/errors/{}",
                    self.code()
                ),
                pending_check_codes: Vec::new(),
                pending_check_ids: Vec::new(),
                pending_check_labels: Vec::new(),
            },
            source: pointer.map(|p| NumberReputationErrorSource {
                pointer: Some(p),
                parameter: None,
            }),
        }
    }

    /// The whole answer: this kind's status and an envelope of one error without a pointer.
    pub fn answer(self, detail: impl Into<String>) -> Response {
        envelope(self.status(), vec![self.error(detail.into(), None)])
    }
}

/// An answer of `status` carrying `errors`.
pub(crate) fn envelope(status: StatusCode, errors: Vec<NumberReputationError>) -> Response {
    (status, Json(NumberReputationErrors { errors })).into_response()
}

/// The answer to a refused operation.
pub(crate) fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::UnknownEnterprise(id) => {
            ErrorKind::NotFound.answer(format!("enterprise {id} not found"))
        }
        Refusal::NotApproved(id) => ErrorKind::NotApproved.answer(format!(
            "enterprise {id} is not approved for Number Reputation"
        )),
        Refusal::NotAssociated(n) => ErrorKind::NotFound.answer(format!("{n} is not associated")),
        Refusal::Batch(batch) => {
            let kind = ErrorKind::Batch(batch);
            envelope(
                kind.status(),
                vec![kind.error(batch.detail(), Some("/phone_numbers".into()))],
            )
        }
        Refusal::Numbers(list) => envelope(
            StatusCode::BAD_REQUEST,
            list.into_iter()
                .map(|n| {
                    ErrorKind::Number(n.rule)
                        .error(n.detail, Some(format!("/phone_numbers/{}", n.index)))
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_states_its_documented_status_and_code() {
        let table = [
            (ErrorKind::Unauthorized, 401, "10001"),
            (ErrorKind::NotFound, 404, "10009"),
            (ErrorKind::BadRequest, 400, "10015"),
            (ErrorKind::RawPlusInPath, 400, "raw_plus_in_path"),
            (ErrorKind::NotApproved, 403, "enterprise_not_approved"),
            (
                ErrorKind::NotApprovedToAssociate,
                400,
                "enterprise_not_approved",
            ),
            (ErrorKind::Number(NumberRule::Duplicate), 400, "duplicate"),
            (
                ErrorKind::Number(NumberRule::Invalid("toll_free")),
                400,
                "toll_free",
            ),
            (
                ErrorKind::Batch(BatchRefusal::TooMany(101)),
                400,
                "too_many",
            ),
            (ErrorKind::TooManyRequests, 429, "10011"),
            (ErrorKind::Server(ServerError::Internal), 500, "10000"),
            (ErrorKind::Server(ServerError::BadGateway), 502, "10000"),
            (ErrorKind::Server(ServerError::Unavailable), 503, "10000"),
        ];
        for (kind, status, code) in table {
            assert_eq!((kind.status().as_u16(), kind.code()), (status, code));
        }
    }

    #[tokio::test]
    async fn a_number_refusal_points_at_each_number() {
        let response = refusal(Refusal::Numbers(vec![crate::state::NumberRefusal {
            index: 4,
            number: "+18005550000".into(),
            rule: NumberRule::Invalid("toll_free"),
            detail: "+18005550000: toll free".into(),
        }]));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: NumberReputationErrors = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body.errors[0].code, "toll_free");
        assert_eq!(
            body.errors[0]
                .source
                .as_ref()
                .and_then(|s| s.pointer.as_deref()),
            Some("/phone_numbers/4")
        );
    }
}
