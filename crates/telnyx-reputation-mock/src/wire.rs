//! The associate call's wire bodies, read and written by hand for speed: the request's numbers
//! borrowed from its bytes, and the 201 body written straight into one buffer. Both are checked
//! against the wire model (`crate::model`) by the tests below.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

/// The associate call's request body (`ReputationPhoneNumberCreate`), its numbers borrowed from
/// the request bytes: one allocation per request instead of one per number, which under load
/// sent every request through the allocator's slow paths.
#[derive(Deserialize)]
pub(crate) struct CreateBody<'a> {
    #[serde(borrow)]
    pub phone_numbers: Vec<std::borrow::Cow<'a, str>>,
}

/// Reads the associate body as axum's `Json` extractor would: JSON content type, then the
/// document; the error says which rule failed.
pub(crate) fn create_body<'a>(
    headers: &HeaderMap,
    bytes: &'a [u8],
) -> Result<CreateBody<'a>, String> {
    if !is_json(headers) {
        return Err(NOT_JSON.into());
    }
    serde_json::from_slice(bytes)
        .map_err(|e| format!("Failed to deserialize the JSON body into the target type: {e}"))
}

/// What a body of another content type is told.
const NOT_JSON: &str = "Expected request with `Content-Type: application/json`";

/// Whether the request says its body is JSON (`application/json` or `application/*+json`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .and_then(|essence| {
            let (kind, sub) = essence.split_once('/')?;
            Some(kind == "application" && (sub == "json" || sub.ends_with("+json")))
        })
        .unwrap_or(false)
}

/// Reads a JSON body of type `T`: a wrong content type is 400 (`10015`), as for associate; a
/// document that breaks `T` (a missing or unknown field, a wrong type or value) is 422
/// (`10005`) naming serde's reason. An empty body reads as `{}`.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<T, Box<Response>> {
    use crate::envelope::ErrorKind;
    let invalid =
        |e: serde_json::Error| Box::new(ErrorKind::Invalid.answer_pointing(e.to_string(), "/"));
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_slice(b"{}").map_err(invalid);
    }
    if !is_json(headers) {
        return Err(Box::new(ErrorKind::BadRequest.answer(NOT_JSON)));
    }
    serde_json::from_slice(bytes).map_err(invalid)
}

/// A handler's JSON body, read by [`json_body`]'s rules before the handler runs: a body that
/// breaks them is answered with its error, and the handler sees only a good one.
pub(crate) struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let headers = request.headers().clone();
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        json_body(&headers, &bytes).map(JsonBody).map_err(|r| *r)
    }
}

/// The associate call's 201 body (`ReputationPhoneNumberList` of `ReputationPhoneNumberPublic`),
/// written straight into a buffer of the right size: every value is a UUID, a canonical number,
/// a timestamp or an integer, none of which needs JSON escaping, and the timestamp is formatted
/// once per request instead of once per field. Its shape is checked against the spec by the
/// conformance run, and against the wire model by the tests.
pub(crate) fn created_response(created: &[crate::state::Association]) -> Response {
    let mut stamps = Stamps::default();
    let mut out = String::with_capacity(160 + 256 * created.len());
    out.push_str("{\"data\":[");
    for (i, a) in created.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_record(&mut out, a, &mut stamps);
        out.push('}');
    }
    let n = created.len();
    out.push_str(&format!(
        "],\"meta\":{{\"page_number\":1,\"page_size\":{n},\"total_results\":{n},\"total_pages\":1}}}}"
    ));
    (
        StatusCode::CREATED,
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        out,
    )
        .into_response()
}

/// Timestamps as text, the last few remembered: the rows of one page mostly share their
/// times (an associate or a `--populate` stamps every record with one instant), and formatting
/// a timestamp was most of what writing a page cost.
#[derive(Default)]
struct Stamps {
    recent: Vec<(chrono::DateTime<chrono::Utc>, String)>,
}

impl Stamps {
    fn push(&mut self, out: &mut String, t: chrono::DateTime<chrono::Utc>) {
        if let Some((_, text)) = self.recent.iter().find(|(at, _)| *at == t) {
            out.push_str(text);
            return;
        }
        let text = rfc3339(t);
        out.push_str(&text);
        if self.recent.len() >= 8 {
            self.recent.remove(0);
        }
        self.recent.push((t, text));
    }
}

/// The fields every record of the API has (`id`, `phone_number`, `enterprise_id`, the two
/// timestamps, `source`, `ownership_status`, and the ownership fields that are set), from the
/// record's opening brace, left open for the fields that follow.
fn push_record(out: &mut String, a: &crate::state::Association, stamps: &mut Stamps) {
    let mut uuid = Uuid::encode_buffer();
    out.push_str("{\"id\":\"");
    out.push_str(a.id.hyphenated().encode_lower(&mut uuid));
    out.push_str("\",\"phone_number\":\"");
    out.push_str(a.phone_number.as_str());
    out.push_str("\",\"enterprise_id\":\"");
    out.push_str(a.enterprise_id.hyphenated().encode_lower(&mut uuid));
    out.push_str("\",\"created_at\":\"");
    stamps.push(out, a.created_at);
    out.push_str("\",\"updated_at\":\"");
    stamps.push(out, a.updated_at);
    out.push_str("\",\"source\":\"");
    out.push_str(a.source.as_str());
    out.push_str("\",\"ownership_status\":\"");
    out.push_str(a.ownership_status().as_str());
    out.push('"');
    if let Some(o) = a.ownership.as_deref() {
        let mut word = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                out.push_str(key);
                out.push('"');
                out.push_str(value);
                out.push('"');
            }
        };
        word(",\"flag_reason\":", o.flag_reason.map(|r| r.as_str()));
        word(",\"removal_reason\":", o.removal_reason.map(|r| r.as_str()));
        for (key, at) in [
            (",\"confirm_by\":\"", o.confirm_by),
            (",\"removed_at\":\"", o.removed_at),
        ] {
            if let Some(at) = at {
                out.push_str(key);
                stamps.push(out, at);
                out.push('"');
            }
        }
    }
}

/// `key` then the score, or `null`, written in place.
fn push_score(out: &mut String, key: &str, score: Option<i64>) {
    use std::fmt::Write;
    out.push_str(key);
    match score {
        // Writing to a String cannot fail.
        Some(s) => {
            let _ = write!(out, "{s}");
        }
        None => out.push_str("null"),
    }
}

/// `text` as a JSON string: copied between quotes when nothing in it needs escaping (every
/// category the feed gives), else escaped by serde.
fn push_json_str(out: &mut String, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(text).unwrap_or_else(|_| "null".to_owned()));
    }
}

/// A list page (`ReputationPhoneNumberListWithReputation`) written straight into one buffer,
/// as [`created_response`] is: the same JSON serde writes from [`crate::model::Page`] of
/// [`crate::model::PhoneNumberRecord`] (checked by the tests), several times faster, because
/// the records are not cloned and shared timestamps are formatted once.
pub(crate) fn list_response(
    rows: &[&crate::state::Association],
    meta: crate::model::PageMeta,
) -> Response {
    let mut stamps = Stamps::default();
    let mut out = String::with_capacity(160 + 420 * rows.len());
    out.push_str("{\"data\":[");
    for (i, a) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_record(&mut out, a, &mut stamps);
        if let Some(data) = a.reputation.as_deref() {
            out.push_str(",\"reputation_data\":{\"spam_risk\":");
            out.push_str(match data.spam_risk {
                Some(crate::model::SpamRisk::Low) => "\"low\"",
                Some(crate::model::SpamRisk::Medium) => "\"medium\"",
                Some(crate::model::SpamRisk::High) => "\"high\"",
                None => "null",
            });
            out.push_str(",\"spam_category\":");
            match &data.spam_category {
                Some(c) => push_json_str(&mut out, c),
                None => out.push_str("null"),
            }
            push_score(&mut out, ",\"maturity_score\":", data.maturity_score);
            push_score(&mut out, ",\"connection_score\":", data.connection_score);
            push_score(&mut out, ",\"engagement_score\":", data.engagement_score);
            push_score(&mut out, ",\"sentiment_score\":", data.sentiment_score);
            out.push_str(",\"last_refreshed_at\":");
            match data.last_refreshed_at {
                Some(t) => {
                    out.push('"');
                    stamps.push(&mut out, t);
                    out.push('"');
                }
                None => out.push_str("null"),
            }
            out.push('}');
        }
        out.push('}');
    }
    out.push_str(&format!(
        "],\"meta\":{{\"page_number\":{},\"page_size\":{},\"total_results\":{},\"total_pages\":{}}}}}",
        meta.page_number, meta.page_size, meta.total_results, meta.total_pages
    ));
    (
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        out,
    )
        .into_response()
}

/// A timestamp as chrono's serde form writes it.
fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Page, PageMeta, PhoneNumberRecord};
    use crate::state::World;

    /// A world of one account (key `k`, every number its own, the Terms agreed) with one
    /// approved enterprise, the nil UUID.
    fn one_enterprise_world() -> World {
        World::new(vec![crate::state::AccountConfig {
            api_key: "k".into(),
            enterprises: vec![crate::state::EnterpriseConfig {
                id: Uuid::nil(),
                approved: true,
            }],
            inventory: crate::state::Inventory::All,
            terms_agreed: true,
        }])
    }

    #[test]
    fn the_request_body_is_read_as_the_json_extractor_reads_it() {
        let with = |content_type: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap(),
            );
            headers
        };
        let body = br#"{"phone_numbers":["+16035551234","+1603555\u0031235"]}"#;
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "application/vnd.x+json",
        ] {
            let parsed = create_body(&with(ok), body).unwrap();
            assert_eq!(
                parsed.phone_numbers,
                ["+16035551234", "+16035551235"],
                "{ok}"
            );
        }
        for refused in ["text/plain", "application/xml", "json"] {
            let e = create_body(&with(refused), body).err().unwrap();
            assert!(
                e.contains("Content-Type: application/json"),
                "{refused}: {e}"
            );
        }
        assert!(create_body(&HeaderMap::new(), body).is_err());
        let e = create_body(&with("application/json"), br#"{"phone_numbers":"+1"}"#)
            .err()
            .unwrap();
        assert!(e.starts_with("Failed to deserialize"), "{e}");
    }

    #[tokio::test]
    async fn the_created_body_is_the_models_body() {
        let mut world = one_enterprise_world();
        for count in [1usize, 2, 100] {
            let numbers: Vec<String> = (0..count)
                .map(|i| format!("+1603{:07}", 5_550_000 + 1000 * count + i))
                .collect();
            let created = world
                .associate(0, Uuid::nil(), &numbers, chrono::Utc::now())
                .unwrap();
            let response = created_response(&created);
            assert_eq!(response.status(), StatusCode::CREATED);
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let ours: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let typed: Page<PhoneNumberRecord> = serde_json::from_slice(&bytes).unwrap();
            let n = count as u64;
            let expected = Page {
                data: created.iter().map(|a| a.record()).collect(),
                meta: PageMeta {
                    page_number: 1,
                    page_size: n,
                    total_results: n,
                    total_pages: 1,
                },
            };
            assert_eq!(typed, expected);
            assert_eq!(ours, serde_json::to_value(&expected).unwrap());
        }
    }

    #[tokio::test]
    async fn the_list_body_is_the_models_body() {
        let mut world = one_enterprise_world();
        world.populate(40, 3, chrono::Utc::now());
        let numbers: Vec<String> = (0..3).map(|i| format!("+1603555{i:04}")).collect();
        world
            .associate(0, Uuid::nil(), &numbers, chrono::Utc::now())
            .unwrap();
        // One with data of its own (a check), two never read.
        world
            .get(0, None, &numbers[0], true, chrono::Utc::now())
            .unwrap();
        if let Some(a) = world.associations.values_mut().next()
            && let Some(data) = a.reputation.as_deref_mut()
        {
            data.spam_category = Some("Quote \" and \\ back".into());
            data.last_refreshed_at = None;
        }
        // One number flagged (confirm_by, flag_reason), one removed (removal_reason,
        // removed_at): every optional field of the record is written somewhere.
        world
            .ownership_change(
                Uuid::nil(),
                &numbers[1],
                crate::OwnershipChange::CarrierChanged,
                chrono::Utc::now(),
            )
            .unwrap();
        world
            .disassociate(0, None, &numbers[2], chrono::Utc::now())
            .unwrap();
        let rows: Vec<&crate::state::Association> = world
            .associations
            .values()
            .chain(world.removed.values())
            .collect();
        assert!(rows.iter().any(|a| a.ownership_status()
            == crate::model::OwnershipStatus::PendingConfirmation));
        assert!(
            rows.iter()
                .any(|a| a.ownership_status() == crate::model::OwnershipStatus::Removed)
        );
        let meta = PageMeta {
            page_number: 2,
            page_size: rows.len() as u64,
            total_results: 99,
            total_pages: 3,
        };
        let risks: std::collections::HashSet<_> = rows
            .iter()
            .map(|a| a.reputation.as_ref().map(|d| d.spam_risk))
            .collect();
        assert!(
            risks.len() >= 4,
            "low, medium, high, null and none: {risks:?}"
        );
        let response = list_response(&rows, meta);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let ours: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let expected = Page {
            data: rows.iter().map(|a| a.record()).collect::<Vec<_>>(),
            meta,
        };
        assert_eq!(ours, serde_json::to_value(&expected).unwrap());
    }

    #[test]
    fn text_and_scores_are_written_as_serde_writes_them() {
        for text in [
            "",
            "robocall",
            "Quote \" and \\ back",
            "tab\there",
            "nul\u{0}",
            "del\u{7f}",
            "caf\u{e9} \u{260e}",
            "\u{1f}\u{20}",
        ] {
            let mut out = String::new();
            push_json_str(&mut out, text);
            assert_eq!(out, serde_json::to_string(text).unwrap(), "{text:?}");
        }
        for score in [
            None,
            Some(0),
            Some(-7),
            Some(100),
            Some(i64::MIN),
            Some(i64::MAX),
        ] {
            let mut out = String::new();
            push_score(&mut out, ",\"s\":", score);
            assert_eq!(
                out,
                format!(",\"s\":{}", serde_json::to_string(&score).unwrap()),
                "{score:?}"
            );
        }
    }

    #[test]
    fn timestamps_are_written_as_chronos_serde_form_writes_them() {
        use chrono::TimeZone;
        let base = chrono::Utc.with_ymd_and_hms(2026, 11, 26, 3, 4, 5).unwrap();
        for nanos in [0, 1, 120_000_000, 123_456_000, 123_456_789, 999_999_999] {
            let t = base + chrono::TimeDelta::nanoseconds(nanos);
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", rfc3339(t)),
                "{nanos} ns"
            );
        }
    }
}
