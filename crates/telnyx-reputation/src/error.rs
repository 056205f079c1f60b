//! Typed errors: what failed, where, and what the server said.

use std::time::Duration;

use telnyx_reputation_api::types::NumberReputationError;
use thiserror::Error;

use crate::patience::Stall;

/// A refusal or failure reported by the API, with everything the response said about it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation, as the generated client's `OperationInfo` names it (e.g.
    /// `associate_reputation_numbers`); [`describe`] says what it does in words.
    pub operation: &'static str,
    /// The HTTP status of the answer, e.g. 422 for a refused number or 404 for an unknown
    /// enterprise.
    pub status: u16,
    /// The `errors` of the response body (empty when the body was not the documented envelope).
    pub errors: Vec<ApiErrorEntry>,
    /// The `x-request-id` header, when the server sent one: quote it to Telnyx support.
    pub request_id: Option<String>,
    /// How long the server asked to wait: its `Retry-After`, else on a 429 its
    /// `x-ratelimit-reset`.
    pub retry_after: Option<Duration>,
}

/// One entry of an error answer's `errors`: what the server refused, and where in the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiErrorEntry {
    /// The stable Telnyx error code: the field to branch on.
    pub code: String,
    /// A short category, e.g. `Bad Request` (advisory only).
    pub title: String,
    /// What went wrong on this request (may quote the offending value; not for matching).
    pub detail: String,
    /// The JSON pointer into the request body the entry is about (`/phone_numbers/3`).
    pub pointer: Option<String>,
    /// The query parameter the entry is about.
    pub parameter: Option<String>,
    /// The link to the Telnyx error catalog's entry for `code` (`meta.url`).
    pub url: String,
}

impl From<NumberReputationError> for ApiErrorEntry {
    fn from(e: NumberReputationError) -> ApiErrorEntry {
        let (pointer, parameter) = e.source.map_or((None, None), |s| (s.pointer, s.parameter));
        ApiErrorEntry {
            code: e.code,
            title: e.title,
            detail: e.detail,
            pointer,
            parameter,
            url: e.meta.url,
        }
    }
}

/// `text` as it may be shown on a terminal: control characters (escape sequences, bells, line
/// breaks, carriage returns) and the characters that reorder text (bidirectional overrides)
/// written as `\u{…}` escapes, everything else as it is. Server text goes through it before it
/// is part of an error's message, so that an answer cannot move a cursor or retitle a window.
///
/// ```
/// use telnyx_reputation::printable;
/// assert_eq!(printable("bad\u{1b}[31m number\n"), "bad\\u{1b}[31m number\\u{a}");
/// assert_eq!(printable("+1 (603) 555-0100 é"), "+1 (603) 555-0100 é");
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl ApiError {
    /// The first error's `code`, the field to branch on.
    pub fn code(&self) -> Option<&str> {
        self.errors.first().map(|e| e.code.as_str())
    }

    /// A one-line summary: the first error's title and detail, with control characters
    /// escaped ([`printable`]).
    pub fn summary(&self) -> String {
        match self.errors.first() {
            None => "no error body".to_owned(),
            Some(e) => {
                let mut s = format!("{} ({})", printable(&e.title), printable(&e.code));
                if !e.detail.is_empty() {
                    s.push_str(": ");
                    s.push_str(&printable(&e.detail));
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
///
/// New kinds of failure may be added: match with a `_` arm, or use the questions
/// ([`Error::outcome_unknown`], [`Error::is_transient`], [`Error::status`]...).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error("{}: HTTP {}: {}{}", describe(.0.operation), .0.status, .0.summary(), request_id_suffix(.0))]
    Api(ApiError),
    /// No connection could be made: the request was certainly not sent.
    #[error("{}: cannot connect: {source}", describe(operation))]
    Connect {
        /// The operation, as the generated client names it ([`describe`] gives it in words).
        operation: &'static str,
        /// The transport's error, for its details.
        #[source]
        source: TransportError,
    },
    /// The request was sent but no answer arrived (timeout, connection dropped): it may or may
    /// not have taken effect.
    #[error("{}: the outcome is unknown ({reason}): {source}", describe(operation))]
    Ambiguous {
        /// The operation, as the generated client names it ([`describe`] gives it in words).
        operation: &'static str,
        /// What happened, in a few words.
        reason: &'static str,
        /// The transport's error, for its details.
        #[source]
        source: TransportError,
    },
    /// The server answered something the spec does not describe.
    #[error("{}: unexpected response: {}", describe(operation), printable(detail))]
    Protocol {
        /// The operation, as the generated client names it ([`describe`] gives it in words).
        operation: &'static str,
        /// What was wrong with the answer: its status, its shape, or its size.
        detail: String,
    },
    /// A list did not end the way a list ends ([`PaginationKind`]: a page repeated the previous
    /// one, the server answered another page than the one asked for, a page was empty before
    /// the last, or the list went on past the page limit,
    /// [`Client::MAX_PAGES`](crate::Client::MAX_PAGES) by default). The rows of the pages
    /// before it were good; the list as a whole is not known.
    #[error("{}: gave up at page {page}: {kind}", describe(operation))]
    Pagination {
        /// The operation, as the generated client names it ([`describe`] gives it in words).
        operation: &'static str,
        /// The page at which the walk ended.
        page: u64,
        /// What the server did that no list does.
        kind: PaginationKind,
    },
    /// The request could not be built from the arguments given.
    #[error("{}: invalid request: {detail}", describe(operation))]
    InvalidRequest {
        /// The operation, as the generated client names it ([`describe`] gives it in words).
        operation: &'static str,
        /// Why the arguments could not make a request.
        detail: String,
    },
    /// The request was held back by the server's rate limit (its `x-ratelimit-*` headers or a
    /// 429's `Retry-After`) and never sent: what a [`Stalled`](Error::Stalled) call that never
    /// got to send reports as its last failure.
    #[error(
        "{}: held back by the server's rate limit, never sent",
        describe(operation)
    )]
    Throttled {
        /// The operation, as the generated client names it (`""` when it never got to send).
        operation: &'static str,
        /// Whether the server had refused requests of this client with 429 before (else its
        /// `x-ratelimit-*` headers alone held the request back).
        after_429s: bool,
    },
    /// The caller's cancellation token ended the call while it waited (for the rate limit, or
    /// to try again after a failure that proved nothing was applied): the request was not sent
    /// again, and its last attempt, if any, was not applied.
    #[error("{}: cancelled while waiting to send; not sent", describe(operation))]
    Cancelled {
        /// The operation, as the generated client names it (`""` when it never got to send).
        operation: &'static str,
    },
    /// The client's configuration is unusable (no key, a bad or insecure base URL): nothing was
    /// sent.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The server made no progress: retries (429 waits included) went on until no request had
    /// succeeded for the stall timeout, or until the deadline. The last failure says what the
    /// server kept answering; its [`Error::outcome_unknown`] says whether the last attempt may
    /// have taken effect.
    #[error("{}: gave up, {stall}: {}", describe(operation), stall_cause(last))]
    Stalled {
        /// The operation, as the generated client names it ([`describe`] gives it in words).
        operation: &'static str,
        /// Why the waiting ended: the stall timeout or the deadline.
        stall: Stall,
        /// The last failure before giving up (for a 429 storm, the last 429).
        last: Box<Error>,
    },
}

/// What a stalled call kept getting, in words.
fn stall_cause(last: &Error) -> String {
    match last {
        Error::Throttled {
            after_429s: true, ..
        } => "the server kept refusing with 429 (rate limited), and the last request, held back by its rate limit, was never sent".to_owned(),
        Error::Throttled { .. } => "the server's rate limit (its x-ratelimit-* headers) held the request back; it was never sent".to_owned(),
        _ if last.status() == Some(429) => {
            "the server kept refusing with 429 (rate limited)".to_owned()
        }
        _ => format!("the last failure was: {last}"),
    }
}

/// What an operation does, in words, for messages and logs (the user never needs the spec's
/// operation id). Takes the id as the spec writes it (`ListReputationNumbers`) or as the
/// generated client's `OperationInfo` does (`list_reputation_numbers`); unknown ids are given as
/// they are.
///
/// ```
/// use telnyx_reputation::describe;
/// assert_eq!(describe("ListReputationNumbers"), "listing numbers");
/// assert_eq!(describe("list_reputation_numbers_simplified"), "listing numbers");
/// ```
pub fn describe(operation: &str) -> &str {
    const WORDS: &[(&str, &str)] = &[
        ("AssociateReputationNumbers", "associating numbers"),
        ("ListReputationNumbers", "listing numbers"),
        ("ListReputationNumbersSimplified", "listing numbers"),
        ("GetPhoneNumberReputation", "reading a number's reputation"),
        (
            "GetPhoneNumberReputationSimplified",
            "reading a number's reputation",
        ),
        ("DisassociateReputationNumber", "disassociating a number"),
        (
            "DisassociateReputationNumberSimplified",
            "disassociating a number",
        ),
        ("GetReputationSettings", "reading the reputation settings"),
        ("EnableReputationSettings", "enabling reputation"),
        ("DisableReputationSettings", "disabling reputation"),
        ("UpdateReputationFrequency", "changing the check frequency"),
        (
            "GenerateReputationLoa",
            "rendering the Letter of Authorization",
        ),
        (
            "ReplaceReputationLoa",
            "replacing the Letter of Authorization",
        ),
        ("RefreshReputationNumbers", "refreshing numbers"),
        (
            "SubmitReputationRemediation",
            "submitting numbers for remediation",
        ),
        ("ListReputationRemediations", "listing remediation requests"),
        ("GetReputationRemediation", "reading a remediation request"),
        (
            "AgreeNumberReputationTermsOfService",
            "agreeing to the Terms of Service",
        ),
        (
            "UpdateReputationWebhook",
            "setting the ownership webhook URL",
        ),
        (
            "SubmitExternalVerification",
            "submitting the ownership proof",
        ),
        (
            "GetExternalVerification",
            "reading the ownership proof's review",
        ),
        ("GetNumberOwnership", "reading a number's ownership"),
        (
            "ConfirmNumberOwnership",
            "answering a number's ownership question",
        ),
    ];
    if operation.is_empty() {
        return "sending a request";
    }
    let same = |id: &str| {
        let mut theirs = operation.bytes().filter(|b| *b != b'_');
        id.bytes()
            .all(|b| theirs.next().is_some_and(|t| t.eq_ignore_ascii_case(&b)))
            && theirs.next().is_none()
    };
    WORDS
        .iter()
        .find(|(id, _)| same(id))
        .map_or(operation, |(_, words)| words)
}

fn request_id_suffix(e: &ApiError) -> String {
    e.request_id
        .as_deref()
        .map(|id| format!(" [request id {}]", printable(id)))
        .unwrap_or_default()
}

impl Error {
    /// The HTTP status, when the server answered (for a stalled call, its last answer).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Stalled { last, .. } => last.status(),
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
    /// timeout after sending, a 5xx (a gateway may answer 502/504 after the backend acted) or
    /// a 408 (a request timeout: the same). An associate that fails this way must be reconciled
    /// before anything else is decided.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Ambiguous { .. } => true,
            Error::Api(e) => e.status >= 500 || e.status == 408,
            Error::Stalled { last, .. } => last.outcome_unknown(),
            _ => false,
        }
    }

    /// Whether the failure is a network or server failure (as opposed to a refusal of the
    /// request itself).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Connect { .. } | Error::Ambiguous { .. } | Error::Stalled { .. } => true,
            Error::Api(e) => Error::is_retryable_status(e.status),
            _ => false,
        }
    }

    /// Whether an HTTP status is worth another attempt: 408, 429 and 5xx.
    pub(crate) fn is_retryable_status(status: u16) -> bool {
        matches!(status, 408 | 429 | 500..=599)
    }

    /// The operation that failed, as the generated client names it (`""` for a configuration
    /// error).
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Api(e) => e.operation,
            Error::Connect { operation, .. }
            | Error::Ambiguous { operation, .. }
            | Error::Protocol { operation, .. }
            | Error::Pagination { operation, .. }
            | Error::InvalidRequest { operation, .. }
            | Error::Throttled { operation, .. }
            | Error::Cancelled { operation }
            | Error::Stalled { operation, .. } => operation,
            Error::Config(_) => "",
        }
    }
}

/// Why a configuration was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key: neither given nor in `TELNYX_API_KEY`.
    #[error("no API key: set TELNYX_API_KEY or pass one explicitly")]
    MissingApiKey,
    /// The base URL does not parse.
    #[error("base URL {url:?} is not a URL: {reason}")]
    InvalidBaseUrl {
        /// The base URL exactly as configured.
        url: String,
        /// The URL parser's reason, in words.
        reason: String,
    },
    /// The base URL is plain `http` to a host other than loopback.
    #[error(
        "base URL {url:?} is plain http to a non-loopback host; the API key would travel unencrypted (use https, or allow insecure http explicitly)"
    )]
    InsecureBaseUrl {
        /// The base URL exactly as configured.
        url: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
}

/// How a list failed to end the way a list ends ([`Error::Pagination`]): what the server did
/// that no list does, with the page numbers it concerns.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationKind {
    /// The server answered another page than the one asked for.
    #[error("asked for page {asked}, the server answered page {answered}")]
    WrongPage {
        /// The page asked for.
        asked: u64,
        /// The `page_number` of the answer.
        answered: i64,
    },
    /// The first page's `total_pages` is over the walk's page limit: no other page was asked
    /// for.
    #[error(
        "the first page says the list has {total_pages} pages, more than the limit of {max_pages}; no other page was asked for"
    )]
    TooManyPages {
        /// The first page's `total_pages`.
        total_pages: u64,
        /// The walk's page limit.
        max_pages: u64,
    },
    /// A page before the first page's `total_pages`th was empty: the list is not what its
    /// first page said.
    #[error("page {page} is empty, but the first page said the list has {total_pages} pages")]
    EmptyPage {
        /// The empty page.
        page: u64,
        /// The first page's `total_pages`.
        total_pages: u64,
    },
    /// A page repeated the previous one (the same rows): the server does not move through its
    /// pages.
    #[error("page {page} repeats page {}: the server does not move through its pages", page.saturating_sub(1))]
    RepeatedPage {
        /// The page that repeated the one before it.
        page: u64,
    },
    /// The list went on past the walk's page limit; the walk stopped there.
    #[error("the list goes on past {max_pages} pages; stopped there")]
    PastMaxPages {
        /// The walk's page limit.
        max_pages: u64,
    },
    /// The request for the page was cancelled before it answered.
    #[error("the page's request was cancelled")]
    Cancelled,
}

/// A transport failure: no connection, a timeout, a connection dropped, a body cut short. The
/// HTTP stack's own error stays inside (its message is this one's, and its causes are this
/// one's [`source`](std::error::Error::source)), so that its version is not part of this API.
#[derive(Debug)]
pub struct TransportError(reqwest::Error);

impl TransportError {
    /// Wraps the HTTP stack's error.
    pub(crate) fn new(error: reqwest::Error) -> TransportError {
        TransportError(error)
    }

    /// Whether the request timed out (connecting, or waiting for the answer).
    pub fn is_timeout(&self) -> bool {
        self.0.is_timeout()
    }

    /// Whether no connection could be made (the request was certainly not sent).
    pub fn is_connect(&self) -> bool {
        self.0.is_connect()
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
