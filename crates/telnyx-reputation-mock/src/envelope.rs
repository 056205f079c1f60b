//! The error envelope of the current edition: every error answer is
//! `{"errors": [{code, title, detail, meta: {url}, source?}, ...]}` (`number-reputation_Errors`),
//! and each kind of error is one [`ErrorKind`] that knows its status, code and title.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::faults::ServerError;
use crate::model::{ApiError, ApiErrors, ErrorMeta, ErrorSource};
use crate::state::{BatchRefusal, NumberRule, Refusal};

/// Every kind of error the emulator answers, with its status, code and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// 401 `10001`: missing or wrong bearer token.
    Unauthorized,
    /// 404 `10009`: unknown enterprise, number, remediation, settings never enabled, or a bad
    /// `fresh`.
    NotFound,
    /// 400 `10015`: a malformed body or query parameter.
    BadRequest,
    /// 400 `raw_plus_in_path`: the path carries an unencoded `+`.
    RawPlusInPath,
    /// 403 `enterprise_not_approved`: reputation not enabled, or not yet approved.
    NotApproved,
    /// 403 `terms_not_agreed`: enabling before the account agreed to the Terms of Service.
    TermsNotAgreed,
    /// 400 `reputation_already_enabled`: enabling twice.
    AlreadyEnabled,
    /// 400 `reputation_pending`: changing the frequency while vetting is pending.
    Pending,
    /// 422 `10005`: a body that breaks the operation's schema.
    Invalid,
    /// 409 `remediation_in_flight`: a number already has a remediation in flight.
    InFlight,
    /// 409 `number_removed`: confirming or flagging a number removed from monitoring.
    NumberRemoved,
    /// 409 `external_verification_approved`: changing an approved ownership proof.
    ProofApproved,
    /// 409 `external_verification_not_pending`: deciding a review that is not pending.
    NotUnderReview,
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
            | ErrorKind::AlreadyEnabled
            | ErrorKind::Pending
            | ErrorKind::Number(_)
            | ErrorKind::Batch(_) => StatusCode::BAD_REQUEST,
            ErrorKind::NotApproved | ErrorKind::TermsNotAgreed => StatusCode::FORBIDDEN,
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::InFlight
            | ErrorKind::NumberRemoved
            | ErrorKind::ProofApproved
            | ErrorKind::NotUnderReview => StatusCode::CONFLICT,
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
            ErrorKind::NotApproved => "enterprise_not_approved",
            ErrorKind::TermsNotAgreed => "terms_not_agreed",
            ErrorKind::AlreadyEnabled => "reputation_already_enabled",
            ErrorKind::Pending => "reputation_pending",
            ErrorKind::Invalid => "10005",
            ErrorKind::InFlight => "remediation_in_flight",
            ErrorKind::NumberRemoved => "number_removed",
            ErrorKind::ProofApproved => "external_verification_approved",
            ErrorKind::NotUnderReview => "external_verification_not_pending",
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
            ErrorKind::NotApproved | ErrorKind::TermsNotAgreed => "Forbidden",
            ErrorKind::BadRequest
            | ErrorKind::RawPlusInPath
            | ErrorKind::AlreadyEnabled
            | ErrorKind::Pending
            | ErrorKind::Number(_)
            | ErrorKind::Batch(_) => "Bad Request",
            ErrorKind::Invalid => "Invalid parameters",
            ErrorKind::InFlight
            | ErrorKind::NumberRemoved
            | ErrorKind::ProofApproved
            | ErrorKind::NotUnderReview => "Conflict",
            ErrorKind::TooManyRequests => "Too many requests",
            ErrorKind::Server(_) => "Server Error",
        }
    }

    /// One error of this kind, as the envelope holds it: `pointer` names a body field,
    /// `parameter` a query parameter.
    pub fn error(self, detail: String, pointer: Option<String>) -> ApiError {
        self.error_at(detail, pointer, None)
    }

    /// [`ErrorKind::error`] with the query parameter at fault too.
    pub fn error_at(
        self,
        detail: String,
        pointer: Option<String>,
        parameter: Option<String>,
    ) -> ApiError {
        let source = (pointer.is_some() || parameter.is_some())
            .then_some(ErrorSource { pointer, parameter });
        ApiError {
            code: self.code().to_owned(),
            title: self.title().to_owned(),
            detail,
            meta: ErrorMeta {
                url: format!(
                    "https://developers.telnyx.com/docs/overview/errors/{}",
                    self.code()
                ),
            },
            source,
        }
    }

    /// The whole answer: this kind's status and an envelope of one error without a pointer.
    pub fn answer(self, detail: impl Into<String>) -> Response {
        envelope(self.status(), vec![self.error(detail.into(), None)])
    }

    /// The whole answer, naming the body field at fault.
    pub fn answer_pointing(
        self,
        detail: impl Into<String>,
        pointer: impl Into<String>,
    ) -> Response {
        envelope(
            self.status(),
            vec![self.error(detail.into(), Some(pointer.into()))],
        )
    }

    /// The whole answer, naming the query parameter at fault.
    pub fn answer_parameter(
        self,
        detail: impl Into<String>,
        parameter: impl Into<String>,
    ) -> Response {
        envelope(
            self.status(),
            vec![self.error_at(detail.into(), None, Some(parameter.into()))],
        )
    }
}

/// An answer of `status` carrying `errors`.
pub(crate) fn envelope(status: StatusCode, errors: Vec<ApiError>) -> Response {
    (status, Json(ApiErrors { errors })).into_response()
}

/// An error answer that is not in the envelope yet (axum's own rejections of a path, query or
/// body are plain text) put into it, keeping its status and its text as the detail; every
/// other answer as it is.
pub(crate) async fn into_envelope(response: Response) -> Response {
    let status = response.status();
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return response;
    }
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = String::from_utf8_lossy(&bytes).trim().to_owned();
    let kind = match status {
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorKind::Invalid,
        s if s.is_server_error() => ErrorKind::Server(ServerError::Internal),
        _ => ErrorKind::BadRequest,
    };
    let detail = if detail.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        detail
    };
    envelope(status, vec![kind.error(detail, None)])
}

/// The answer to a path no operation has.
pub(crate) async fn no_such_route(uri: axum::http::Uri) -> Response {
    ErrorKind::NotFound.answer(format!("no operation at {}", uri.path()))
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
        Refusal::NotEnabled(id) => ErrorKind::NotFound.answer(format!(
            "Number Reputation is not enabled for enterprise {id}"
        )),
        Refusal::TermsNotAgreed => ErrorKind::TermsNotAgreed.answer(
            "the account has not agreed to the Number Reputation Terms of Service \
             (POST /terms_of_service/number_reputation/agree)",
        ),
        Refusal::AlreadyEnabled(id) => ErrorKind::AlreadyEnabled.answer(format!(
            "Number Reputation is already enabled for enterprise {id}"
        )),
        Refusal::Pending(id) => ErrorKind::Pending.answer(format!(
            "enterprise {id}'s Number Reputation activation is pending approval"
        )),
        Refusal::Invalid { pointer, detail } => ErrorKind::Invalid.answer_pointing(detail, pointer),
        Refusal::InFlight(list) => envelope(
            StatusCode::CONFLICT,
            list.into_iter()
                .map(|(index, number)| {
                    ErrorKind::InFlight.error(
                        format!("{number} already has a remediation request in flight"),
                        Some(format!("/phone_numbers/{index}")),
                    )
                })
                .collect(),
        ),
        Refusal::UnknownRemediation(id) => {
            ErrorKind::NotFound.answer(format!("remediation request {id} not found"))
        }
        Refusal::NotAssociated(n) => ErrorKind::NotFound.answer(format!("{n} is not associated")),
        Refusal::Removed(n) => ErrorKind::NumberRemoved.answer(format!(
            "{n} was removed from Number Reputation; associate it again to monitor it"
        )),
        Refusal::ProofApproved(id) => ErrorKind::ProofApproved.answer(format!(
            "enterprise {id}'s ownership proof is approved and cannot be changed"
        )),
        Refusal::NoProof(id) => ErrorKind::NotFound.answer(format!(
            "enterprise {id} has submitted no ownership proof \
             (POST /enterprises/{id}/reputation/external_verification)"
        )),
        Refusal::NotUnderReview(id) => ErrorKind::NotUnderReview.answer(format!(
            "enterprise {id}'s ownership proof is not pending review"
        )),
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
            (ErrorKind::TermsNotAgreed, 403, "terms_not_agreed"),
            (ErrorKind::AlreadyEnabled, 400, "reputation_already_enabled"),
            (ErrorKind::Pending, 400, "reputation_pending"),
            (ErrorKind::Invalid, 422, "10005"),
            (ErrorKind::InFlight, 409, "remediation_in_flight"),
            (ErrorKind::NumberRemoved, 409, "number_removed"),
            (
                ErrorKind::ProofApproved,
                409,
                "external_verification_approved",
            ),
            (
                ErrorKind::NotUnderReview,
                409,
                "external_verification_not_pending",
            ),
            (
                ErrorKind::Number(NumberRule::ExternalVerificationRequired),
                400,
                "external_verification_required",
            ),
            (ErrorKind::Number(NumberRule::Duplicate), 400, "duplicate"),
            (
                ErrorKind::Number(NumberRule::Invalid("non_us")),
                400,
                "non_us",
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
            number: "+14165550000".into(),
            rule: NumberRule::Invalid("non_us"),
            detail: "+14165550000: only US numbers can be monitored".into(),
        }]));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body: ApiErrors = serde_json::from_slice(&bytes).unwrap();
        assert!(body.errors[0].meta.url.ends_with("/non_us"));
        assert_eq!(body.errors[0].code, "non_us");
        assert_eq!(
            body.errors[0]
                .source
                .as_ref()
                .and_then(|s| s.pointer.as_deref()),
            Some("/phone_numbers/4")
        );
    }
}
