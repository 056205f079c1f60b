//! What the wire tests check on every recorded request: its query read back, its headers, and
//! the one request a call made.

use super::client::KEY;
use super::recorder::{Recorded, Recorder};

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
