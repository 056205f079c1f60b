//! How the generated client reads an answer's body: the API crate's own reader
//! (`decode::from_response`) must accept what progenitor's `serde_json::from_slice` accepts and
//! fail as it fails, with the same message and the same bytes, while keeping status and headers.

use crate::support::client::{NUMBER, client, enterprise};
use crate::support::recorder::{Recorder, Reply};
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

/// An associate answer of `records` records, each carrying a note of `note` bytes.
fn many_records(records: usize, note: &str) -> String {
    let rows: Vec<String> = (0..records)
        .map(|i| format!(r#"{{"phone_number":"+1603555{i:04}","note":"{note}"}}"#))
        .collect();
    format!(r#"{{"data":[{}],{META}}}"#, rows.join(","))
}

#[tokio::test]
async fn large_bodies_decoded_off_the_runtime_read_and_fail_as_small_ones_do() {
    // 600 records of about 84 bytes: well past the 32 KiB from which a body is decoded on
    // the blocking pool.
    let large = many_records(600, "caf\u{e9} \u{260e} 0123456789abcdef0123456789abcdef");
    assert!(large.len() > 40 * 1024, "{} bytes", large.len());
    let value = associate_answered_with(201, large.as_bytes())
        .await
        .expect("201 is read");
    assert_eq!(value.status().as_u16(), 201);
    let expected: ReputationPhoneNumberList = serde_json::from_slice(large.as_bytes()).unwrap();
    assert_eq!(value.into_inner(), expected);

    let not_json = large.replacen("}]", "},]", 1).into_bytes();
    let not_utf8 = [large.as_bytes(), b"\xff"].concat();
    let mut wrong_type = large.clone().into_bytes();
    let at = large.rfind("+1603").expect("a number");
    wrong_type.splice(at - 1..at + 16, b"7".iter().copied());
    for body in [not_json, not_utf8, wrong_type] {
        match associate_answered_with(201, &body).await {
            Err(Error::InvalidResponsePayload(bytes, e)) => {
                assert_eq!(bytes.as_ref(), body.as_slice());
                assert_eq!(e.to_string(), from_slice_error(&body));
            }
            other => panic!("expected InvalidResponsePayload, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn on_body_runs_once_when_a_successful_body_arrives_and_never_for_an_error() {
    let counted = |status: u16, body: Vec<u8>| async move {
        let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = std::sync::Arc::clone(&runs);
        let action = Box::new(move || {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        let answer =
            telnyx_reputation_api::on_body(action, associate_answered_with(status, &body)).await;
        (answer, runs.load(std::sync::atomic::Ordering::SeqCst))
    };
    let good = many_records(2, "x").into_bytes();
    let (answer, runs) = counted(201, good).await;
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(runs, 1);
    // It runs when the body has arrived, before decoding: a body that then fails to decode has
    // still run it.
    let (answer, runs) = counted(201, b"{not json".to_vec()).await;
    assert!(
        matches!(answer, Err(Error::InvalidResponsePayload(..))),
        "{answer:?}"
    );
    assert_eq!(runs, 1);
    let envelope = br#"{"errors":[{"code":"10007","title":"Unexpected error","detail":"boom"}]}"#;
    for status in [422, 500] {
        let (answer, runs) = counted(status, envelope.to_vec()).await;
        assert!(answer.is_err(), "{status}: {answer:?}");
        assert_eq!(runs, 0, "{status}");
    }
}
