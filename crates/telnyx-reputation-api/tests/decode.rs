//! How the generated client reads an answer's body: the API crate's own reader
//! (`decode::from_response`) must accept what progenitor's `serde_json::from_slice` accepts and
//! fail as it fails, with the same message and the same bytes, while keeping status and headers.

#[allow(dead_code)] // each test binary uses part of the recorder
#[path = "support/recorder.rs"]
mod recorder;
#[path = "support/client.rs"]
mod support;

use recorder::{Recorder, Reply};
use support::{NUMBER, client, enterprise};
use telnyx_reputation_api::Error;
use telnyx_reputation_api::types::{ReputationPhoneNumberCreate, ReputationPhoneNumberList};

const META: &str = r#""meta":{"page_number":1,"page_size":1,"total_results":1,"total_pages":1}"#;

/// Sends an associate call answered with `status` and the raw `body`.
async fn associate_answered_with(
    status: u16,
    body: &[u8],
) -> Result<
    telnyx_reputation_api::ResponseValue<ReputationPhoneNumberList>,
    Error<telnyx_reputation_api::types::NumberReputationErrors>,
> {
    let server = Recorder::start(Reply::raw(status, "application/json", body.to_vec())).await;
    client(&server.base_url)
        .associate_reputation_numbers()
        .enterprise_id(enterprise())
        .body(ReputationPhoneNumberCreate {
            phone_numbers: vec![NUMBER.to_owned()],
        })
        .send()
        .await
}

/// The error `serde_json::from_slice` gives for `body`, as text.
fn from_slice_error(body: &[u8]) -> String {
    serde_json::from_slice::<ReputationPhoneNumberList>(body)
        .expect_err("the body is refused")
        .to_string()
}

#[tokio::test]
async fn a_valid_body_is_read_with_its_status_and_headers() {
    let body = format!(
        r#"{{"data":[{{"phone_number":"{NUMBER}","note":"caf\u00e9 ☎","created_at":"2026-11-24T10:00:00.5+02:00"}}],{META}}}"#
    );
    let value = associate_answered_with(201, body.as_bytes())
        .await
        .expect("201 is read");
    assert_eq!(value.status().as_u16(), 201);
    assert_eq!(
        value
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let expected: ReputationPhoneNumberList = serde_json::from_slice(body.as_bytes()).unwrap();
    assert_eq!(value.into_inner(), expected);
}

#[tokio::test]
async fn bodies_that_are_not_utf8_or_not_json_fail_as_from_slice_fails() {
    let not_utf8 = [
        br#"{"data":[{"phone_number":"+1603555"#.as_slice(),
        b"\xff\xfe",
        br#""}],"#,
        META.as_bytes(),
        b"}",
    ]
    .concat();
    let not_json = format!(r#"{{"data":[{{"phone_number":"{NUMBER}",}}],{META}}}"#).into_bytes();
    let wrong_type = format!(r#"{{"data":[{{"phone_number":7}}],{META}}}"#).into_bytes();
    let outside_a_string = [br#"{"data":[]"#.as_slice(), b"\xc3", b"}"].concat();
    for body in [not_utf8, not_json, wrong_type, outside_a_string] {
        match associate_answered_with(201, &body).await {
            Err(Error::InvalidResponsePayload(bytes, e)) => {
                assert_eq!(bytes.as_ref(), body.as_slice());
                assert_eq!(e.to_string(), from_slice_error(&body));
            }
            other => panic!("expected InvalidResponsePayload, got {other:?}"),
        }
    }
}
