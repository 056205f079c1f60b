//! What the wire tests check on every recorded request: its query read back, its headers.

use super::client::KEY;
use super::recorder::Recorded;

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
