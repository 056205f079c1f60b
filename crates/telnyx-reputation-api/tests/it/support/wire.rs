//! What the wire tests check on every recorded request: its query read back, its headers, and
//! the one request a call made.

use super::client::{KEY, client};
use super::recorder::{Recorded, Recorder, Reply};
use telnyx_reputation_api::types::NumberReputationErrors;
use telnyx_reputation_api::{Error, ResponseValue};

/// The query's pairs, percent-decoded.
pub fn query_pairs(recorded: &Recorded) -> Vec<(String, String)> {
    let query = recorded.query().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Asserts the bearer header, and a JSON content type exactly when there is a body.
pub fn assert_headers(recorded: &Recorded, json_body: bool) {
    assert_eq!(
        recorded.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    if json_body {
        assert_eq!(recorded.header("content-type"), Some("application/json"));
    } else {
        assert!(recorded.body.is_empty(), "no body: {recorded:?}");
    }
}

/// The one request `server` recorded, asserted to be `method` on exactly `target` (path and
/// query as sent) with the bearer header, and a JSON body exactly when `json_body`.
pub fn only_request(server: &Recorder, method: &str, target: &str, json_body: bool) -> Recorded {
    let sent = server.only();
    assert_eq!(sent.method, method);
    assert_eq!(sent.target, target);
    assert_headers(&sent, json_body);
    sent
}

/// The one request `server` recorded, asserted to be `method` on the raw `path` (whatever its
/// query) with the bearer header and no body; the query is left to the caller to check.
pub fn only_request_on_path(server: &Recorder, method: &str, path: &str) -> Recorded {
    let sent = server.only();
    assert_eq!(sent.method, method);
    assert_eq!(sent.path(), path);
    assert_headers(&sent, false);
    sent
}

/// Makes `call` on a client of a fresh recorder for each `(status, code)` of `errors`, the
/// recorder answering `status` with `body(code)`, and hands each result with its status and
/// code to `check`.
pub async fn each_error<T, E, F, Fut>(
    errors: &[(u16, &str)],
    body: impl Fn(&str) -> serde_json::Value,
    call: F,
    check: impl Fn(Result<T, E>, u16, &str),
) where
    F: Fn(telnyx_reputation_api::Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    for &(status, code) in errors {
        let server = Recorder::start(Reply::json(status, body(code))).await;
        check(call(client(&server.base_url)).await, status, code);
    }
}

/// Answers `call` (made on a client of a fresh recorder) with an empty 204, and asserts that it
/// reads as 204 and that the call sent one DELETE of exactly `target` with the bearer header and
/// no body.
pub async fn assert_deletes<T, E, F, Fut>(target: &str, call: F)
where
    E: std::fmt::Debug,
    F: FnOnce(telnyx_reputation_api::Client) -> Fut,
    Fut: std::future::Future<Output = Result<telnyx_reputation_api::ResponseValue<T>, E>>,
{
    let server = Recorder::start(Reply::empty(204)).await;
    let response = call(client(&server.base_url)).await.expect("204 is read");
    assert_eq!(response.status().as_u16(), 204);
    only_request(&server, "DELETE", target, false);
}

/// The error body `result` read, asserted to be the documented error answer with `status`
/// (failing with what came instead).
pub fn error_body<T: std::fmt::Debug>(
    result: Result<T, Error<NumberReputationErrors>>,
    status: u16,
) -> ResponseValue<NumberReputationErrors> {
    match result {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), status);
            response
        }
        other => panic!("expected the error body for {status}, got {other:?}"),
    }
}
