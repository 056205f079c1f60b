//! The associate call's wire bodies, read and written by hand for speed: the request's numbers
//! borrowed from its bytes, and the 201 body written straight into one buffer. Both are checked
//! against the generated types by the tests below.

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

/// The associate call's 201 body (`ReputationPhoneNumberList` of `ReputationPhoneNumberPublic`),
/// written straight into a buffer of the right size: every value is a UUID, a canonical number,
/// a timestamp or an integer, none of which needs JSON escaping, and the timestamp is formatted
/// once per request instead of once per field. Its shape is checked against the spec by the
/// conformance run, and against the generated types by the tests.
pub(crate) fn created_response(created: &[crate::state::Association]) -> Response {
    // The last timestamp written and its text: every record of one associate shares it.
    let mut stamp: Option<(chrono::DateTime<chrono::Utc>, String)> = None;
    let mut push_stamp = |out: &mut String, t: chrono::DateTime<chrono::Utc>| {
        let text = match &stamp {
            Some((at, text)) if *at == t => text,
            _ => &stamp.insert((t, rfc3339(t))).1,
        };
        out.push_str(text);
    };
    let mut out = String::with_capacity(160 + 256 * created.len());
    out.push_str("{\"data\":[");
    let mut uuid = Uuid::encode_buffer();
    for (i, a) in created.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":\"");
        out.push_str(a.id.hyphenated().encode_lower(&mut uuid));
        out.push_str("\",\"phone_number\":\"");
        out.push_str(a.phone_number.as_str());
        out.push_str("\",\"enterprise_id\":\"");
        out.push_str(a.enterprise_id.hyphenated().encode_lower(&mut uuid));
        out.push_str("\",\"created_at\":\"");
        push_stamp(&mut out, a.created_at);
        out.push_str("\",\"updated_at\":\"");
        push_stamp(&mut out, a.updated_at);
        out.push_str("\"}");
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

/// A timestamp as chrono's serde form writes it.
fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Page, PageMeta, PhoneNumberRecord};
    use crate::state::World;

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
        let mut world = World::new(vec![crate::state::AccountConfig {
            api_key: "k".into(),
            enterprises: vec![crate::state::EnterpriseConfig {
                id: Uuid::nil(),
                approved: true,
            }],
            inventory: crate::state::Inventory::All,
            terms_agreed: true,
        }]);
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

    #[test]
    fn timestamps_are_written_as_the_generated_types_write_them() {
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
