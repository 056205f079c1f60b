//! Webhook verification and parsing against deliveries signed by an independent implementation
//! (`fixtures/webhooks/sign_vectors.py`: PyNaCl, cross-checked with the Python SDK's own
//! verifier), plus tampering of every accepted one. The clock is always given, never read.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use telnyx_reputation::webhooks::{
    Event, EventError, FlagReason, NumberSource, OwnershipStatus, RemovalReason, Skew,
    VerificationStatus, Verifier, VerifyError, WebhookError,
};

const VECTORS: &str = include_str!("../fixtures/webhooks/vectors.json");

#[derive(Deserialize)]
struct File {
    seed_ascii: String,
    public_key: String,
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    public_key: String,
    headers: BTreeMap<String, String>,
    body: String,
    now: i64,
    verify: String,
    event_type: Option<String>,
    event_error: Option<String>,
}

impl Vector {
    fn headers(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        map
    }

    fn verifier(&self) -> Verifier {
        Verifier::new(&self.public_key).expect("the vector's key")
    }

    fn verify(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), VerifyError> {
        self.verifier().verify_at(headers, body, at(now))
    }

    /// The timestamp header's integer (the vectors spell it with '+', spaces or '_').
    fn timestamp(&self) -> i64 {
        let headers = self.headers();
        let value = headers.get("telnyx-timestamp").expect("a timestamp header");
        let text: String = String::from_utf8_lossy(value.as_bytes())
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
        text.parse().expect("a vector's timestamp")
    }
}

fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).expect("after 1970"))
}

fn vectors() -> Vec<Vector> {
    let file: File = serde_json::from_str(VECTORS).expect("vectors.json");
    // The file's key is the public half of its seed: the vectors are what they claim.
    let seed: [u8; 32] = file.seed_ascii.as_bytes().try_into().expect("32-byte seed");
    let key = SigningKey::from_bytes(&seed);
    assert_eq!(
        STANDARD.encode(key.verifying_key().as_bytes()),
        file.public_key
    );
    assert!(file.vectors.len() >= 30, "the fixture lost vectors");
    file.vectors
}

fn vector(name: &str) -> Vector {
    vectors()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

/// The typed event of an accepted vector, through `unwrap_at`.
fn unwrap(name: &str) -> Event {
    let v = vector(name);
    v.verifier()
        .unwrap_at(&v.headers(), v.body.as_bytes(), at(v.now))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("a test date-time")
}

#[test]
fn every_vector_has_the_outcome_the_independent_signer_expects() {
    for v in vectors() {
        let outcome = v.verify(&v.headers(), v.body.as_bytes(), v.now);
        let code = outcome.as_ref().err().map_or("ok", VerifyError::code);
        assert_eq!(code, v.verify, "{}: {outcome:?}", v.name);
        if outcome.is_err() {
            let unwrapped = v
                .verifier()
                .unwrap_at(&v.headers(), v.body.as_bytes(), at(v.now));
            assert!(
                matches!(unwrapped, Err(WebhookError::Verify(ref e)) if e.code() == v.verify),
                "{}: {unwrapped:?}",
                v.name
            );
            continue;
        }
        let parsed = v
            .verifier()
            .unwrap_at(&v.headers(), v.body.as_bytes(), at(v.now));
        match (&v.event_type, &v.event_error, parsed) {
            (Some(expected), None, Ok(event)) => {
                assert_eq!(event.event_type(), expected, "{}", v.name)
            }
            (None, Some(expected), Err(WebhookError::Event(e))) => {
                assert_eq!(e.code(), expected, "{}: {e}", v.name)
            }
            (_, _, other) => panic!("{}: unexpected {other:?}", v.name),
        }
    }
}

#[test]
fn one_changed_byte_anywhere_in_a_body_fails_the_signature() {
    let v = vector("verification_rejected_utf8");
    let (headers, verifier) = (v.headers(), v.verifier());
    let body = v.body.as_bytes();
    for i in 0..body.len() {
        let mut tampered = body.to_vec();
        tampered[i] ^= 0x01;
        assert_eq!(
            verifier.verify_at(&headers, &tampered, at(v.now)),
            Err(VerifyError::SignatureMismatch),
            "byte {i}"
        );
    }
    // Dropping the last byte (the newline of `trailing_newline`) fails too.
    let v = vector("trailing_newline");
    let body = v.body.as_bytes();
    assert_eq!(body.last(), Some(&b'\n'));
    assert_eq!(
        v.verify(&v.headers(), &body[..body.len() - 1], v.now),
        Err(VerifyError::SignatureMismatch)
    );
}

#[test]
fn every_accepted_vector_fails_when_tampered_stale_early_or_under_another_key() {
    let other = Verifier::from_bytes(SigningKey::from_bytes(&[9; 32]).verifying_key().as_bytes())
        .expect("key");
    let accepted: Vec<Vector> = vectors().into_iter().filter(|v| v.verify == "ok").collect();
    assert!(accepted.len() >= 13);
    for v in &accepted {
        let (headers, body) = (v.headers(), v.body.as_bytes());
        // The middle byte of the body.
        let mut tampered = body.to_vec();
        tampered[body.len() / 2] ^= 0x20;
        assert_eq!(
            v.verify(&headers, &tampered, v.now),
            Err(VerifyError::SignatureMismatch),
            "{}",
            v.name
        );
        // A timestamp one second later than the signed one, well within the window.
        let mut moved = headers.clone();
        let later = (v.timestamp() + 1).to_string();
        moved.insert("telnyx-timestamp", later.parse().expect("header"));
        assert_eq!(
            v.verify(&moved, body, v.timestamp()),
            Err(VerifyError::SignatureMismatch),
            "{}",
            v.name
        );
        assert_eq!(
            other.verify_at(&headers, body, at(v.now)),
            Err(VerifyError::SignatureMismatch),
            "{}",
            v.name
        );
        // ±300 s passes, ±301 s does not, with the difference and its direction.
        let ts = v.timestamp();
        assert_eq!(v.verify(&headers, body, ts + 300), Ok(()), "{}", v.name);
        assert_eq!(v.verify(&headers, body, ts - 300), Ok(()), "{}", v.name);
        for (now, direction) in [(ts + 301, Skew::Past), (ts - 301, Skew::Future)] {
            assert_eq!(
                v.verify(&headers, body, now),
                Err(VerifyError::TimestampOutsideTolerance {
                    timestamp: ts,
                    now,
                    difference_secs: 301,
                    direction,
                }),
                "{}",
                v.name
            );
        }
    }
}

#[test]
fn refusals_say_which_header_and_which_rule() {
    let v = vector("flagged");
    let headers = v.headers();
    let body = v.body.as_bytes();
    let without = |name: &str| {
        let mut h = headers.clone();
        h.remove(name);
        h
    };
    // Both absent: the signature header is reported first, as the SDK does.
    let none = v.verify(&HeaderMap::new(), body, v.now).unwrap_err();
    assert_eq!(
        none,
        VerifyError::MissingHeader {
            name: "telnyx-signature-ed25519"
        }
    );
    assert_eq!(
        none.to_string(),
        "missing required header telnyx-signature-ed25519"
    );
    assert_eq!(
        v.verify(&without("telnyx-timestamp"), body, v.now),
        Err(VerifyError::MissingHeader {
            name: "telnyx-timestamp"
        })
    );
    let mut empty = headers.clone();
    empty.insert("telnyx-timestamp", HeaderValue::from_static(""));
    assert_eq!(
        v.verify(&empty, body, v.now).unwrap_err().to_string(),
        "header telnyx-timestamp is empty"
    );

    let stale = v.verify(&headers, body, v.timestamp() + 301).unwrap_err();
    assert_eq!(
        stale.to_string(),
        "webhook timestamp 1791183612 is 301s in the past of the receiver's clock (1791183913); at most 300s either way is accepted"
    );
    let early = v.verify(&headers, body, v.timestamp() - 301).unwrap_err();
    assert!(early.to_string().contains("301s in the future"), "{early}");

    let mut letters = headers.clone();
    letters.insert("telnyx-timestamp", HeaderValue::from_static("soon"));
    assert_eq!(
        v.verify(&letters, body, v.now).unwrap_err().to_string(),
        "header telnyx-timestamp is not an integer (Unix seconds): \"soon\""
    );
    let mut huge = headers.clone();
    huge.insert(
        "telnyx-timestamp",
        HeaderValue::from_static("99999999999999999999999"),
    );
    assert_eq!(
        v.verify(&huge, body, v.now).map_err(|e| e.code()),
        Err("timestamp_out_of_range")
    );
    // Non-ASCII bytes in the header are named, not a panic.
    let mut latin1 = headers.clone();
    latin1.insert(
        "telnyx-timestamp",
        HeaderValue::from_bytes(b"1791183612\xa0").expect("obs-text"),
    );
    assert!(matches!(
        v.verify(&latin1, body, v.now),
        Err(VerifyError::TimestampNotInteger { .. })
    ));

    let unpadded = vector("signature_unpadded");
    let refused = unpadded
        .verify(&unpadded.headers(), body, unpadded.now)
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .starts_with("header telnyx-signature-ed25519 is not standard padded base64"),
        "{refused}"
    );
    let short = vector("signature_63_bytes");
    assert_eq!(
        short.verify(&short.headers(), body, short.now),
        Err(VerifyError::SignatureLength { len: 63 })
    );
}

#[test]
fn a_repeated_header_counts_by_its_first_value() {
    let v = vector("flagged");
    let mut headers = v.headers();
    headers.append(
        "telnyx-signature-ed25519",
        HeaderValue::from_static("bm90IGEgc2lnbmF0dXJl"),
    );
    assert_eq!(v.verify(&headers, v.body.as_bytes(), v.now), Ok(()));
}

#[test]
fn the_flagged_docs_example_is_typed() {
    let event = unwrap("flagged");
    assert_eq!(event.id(), Some("0ccc7b54-8df3-4c52-9a4e-7d1f4b2c9e01"));
    let Event::NumberFlagged { envelope, payload } = event else {
        panic!("{event:?}")
    };
    assert_eq!(envelope.id, "0ccc7b54-8df3-4c52-9a4e-7d1f4b2c9e01");
    assert_eq!(envelope.occurred_at, utc("2026-10-05T07:00:12.521992Z"));
    assert_eq!(envelope.record_type, "event");
    assert_eq!(envelope.attempt, 1);
    assert_eq!(envelope.delivered_to, "https://example.com/webhooks/telnyx");
    assert_eq!(payload.phone_number.as_str(), "+13125550142");
    assert_eq!(
        payload.enterprise_id.to_string(),
        "4a6192a4-1c2b-4d5e-8f90-123456789abc"
    );
    assert_eq!(payload.source, NumberSource::External);
    assert_eq!(
        payload.ownership_status,
        OwnershipStatus::PendingConfirmation
    );
    assert_eq!(payload.flag_reason, FlagReason::CarrierChanged);
    assert_eq!(payload.confirm_by, utc("2026-10-08T07:00:00Z"));

    let Event::NumberFlagged { envelope, payload } = unwrap("trailing_newline") else {
        panic!("trailing_newline")
    };
    assert_eq!(payload.flag_reason, FlagReason::ReverificationDue);
    assert_eq!(envelope.attempt, 3);
    // The pretty-printed body is the same event.
    assert_eq!(unwrap("pretty_printed"), unwrap("flagged"));
}

#[test]
fn the_removed_docs_example_is_typed() {
    let Event::NumberRemoved { envelope, payload } = unwrap("removed") else {
        panic!("removed")
    };
    assert_eq!(envelope.occurred_at, utc("2026-10-09T07:00:03Z"));
    assert_eq!(payload.phone_number.as_str(), "+13125550142");
    assert_eq!(payload.source, NumberSource::External);
    assert_eq!(payload.ownership_status, OwnershipStatus::Removed);
    assert_eq!(payload.removal_reason, RemovalReason::UnconfirmedOwnership);
    assert_eq!(payload.removed_at, utc("2026-10-09T07:00:03Z"));
}

#[test]
fn verification_reviews_are_typed_with_offsets_fractions_and_utf8() {
    let Event::VerificationStatusChanged { payload, .. } = unwrap("verification_approved") else {
        panic!("verification_approved")
    };
    assert_eq!(payload.status, VerificationStatus::Approved);
    assert_eq!(payload.rejection_reason, None);
    assert_eq!(payload.reviewed_at, utc("2026-10-06T14:03:10Z"));

    let Event::VerificationStatusChanged { envelope, payload } =
        unwrap("verification_rejected_utf8")
    else {
        panic!("verification_rejected_utf8")
    };
    // +02:00 is the same instant as 14:03:10 UTC.
    assert_eq!(envelope.occurred_at, utc("2026-10-06T14:03:10Z"));
    assert_eq!(envelope.attempt, 2);
    assert_eq!(payload.status, VerificationStatus::Rejected);
    assert_eq!(
        payload.rejection_reason.as_deref(),
        Some("Facture illisible — titulaire différent ✗ 📄")
    );
    assert_eq!(payload.reviewed_at, utc("2026-10-06T14:03:10.5Z"));
}

#[test]
fn an_unknown_event_type_is_kept_whole() {
    let v = vector("unknown_event_type");
    let event = unwrap("unknown_event_type");
    assert_eq!(event.event_type(), "number_reputation.number.reinstated");
    assert_eq!(event.id(), Some("d3f4e5a6-b7c8-4d9e-8f01-2b3c4d5e6f70"));
    assert_eq!(event.envelope(), None);
    let Event::Other { event_type, body } = event else {
        panic!("not kept as Other")
    };
    assert_eq!(event_type, "number_reputation.number.reinstated");
    let original: serde_json::Value = serde_json::from_str(&v.body).expect("json");
    assert_eq!(body, original);
    assert_eq!(body["data"]["payload"]["extra"]["nested"][2], 3);
}

#[test]
fn unknown_enum_values_are_kept_and_do_not_fail_the_event() {
    let Event::NumberFlagged { payload, .. } = unwrap("unknown_enum_values") else {
        panic!("unknown_enum_values")
    };
    assert_eq!(payload.source, NumberSource::Other("satellite".into()));
    assert_eq!(
        payload.flag_reason,
        FlagReason::Other("number_ported".into())
    );
    assert_eq!(payload.flag_reason.as_str(), "number_ported");
    assert_eq!(payload.phone_number.as_str(), "+13125550142");
}

/// The flagged docs body with one substitution, parsed without verification.
fn flagged_with(from: &str, to: &str) -> Result<Event, EventError> {
    let body = vector("flagged").body;
    assert!(body.contains(from), "{from}");
    Event::parse(body.replacen(from, to, 1).as_bytes())
}

#[test]
fn a_malformed_payload_names_the_field_and_the_rule() {
    let err = flagged_with("\"+13125550142\"", "\"13125550142\"").unwrap_err();
    let EventError::Payload {
        ref event_type,
        ref path,
        ref detail,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(event_type, "number_reputation.number.flagged");
    assert_eq!(path, "data.payload.phone_number");
    assert!(detail.contains("13125550142"), "{detail}");
    assert!(
        err.to_string()
            .starts_with("number_reputation.number.flagged event: data.payload.phone_number: "),
        "{err}"
    );

    let err = flagged_with("\"2026-10-08T07:00:00+00:00\"", "\"next Thursday\"").unwrap_err();
    assert!(
        matches!(err, EventError::Payload { ref path, .. } if path == "data.payload.confirm_by"),
        "{err:?}"
    );
    let err = flagged_with(",\"flag_reason\":\"carrier_changed\"", "").unwrap_err();
    assert!(
        matches!(&err, EventError::Payload { path, detail, .. }
            if path == "data.payload" && detail.contains("flag_reason")),
        "{err:?}"
    );
    let err = flagged_with("\"attempt\":1", "\"attempt\":-1").unwrap_err();
    assert!(
        matches!(err, EventError::NotAnEnvelope { ref path, .. } if path == "meta.attempt"),
        "{err:?}"
    );
    let err = flagged_with("\"occurred_at\":\"2026-10-05T07:00:12.521992Z\",", "").unwrap_err();
    assert!(
        matches!(&err, EventError::NotAnEnvelope { path, detail }
            if path == "data" && detail.contains("occurred_at")),
        "{err:?}"
    );
    for (body, path) in [
        ("[]", "(body)"),
        ("{\"meta\":{}}", "data"),
        ("{\"data\":{\"event_type\":7}}", "data.event_type"),
    ] {
        let err = Event::parse(body.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, EventError::NotAnEnvelope { path: p, .. } if p == path),
            "{body}: {err:?}"
        );
    }
    assert_eq!(Event::parse(b"\xff").unwrap_err().code(), "not_json");
    match Event::parse(b"{\n  \"data\": tru").unwrap_err() {
        EventError::NotJson {
            line,
            column,
            detail,
        } => {
            assert_eq!((line, column), (2, 13), "{detail}");
            assert!(detail.contains("line 2 column 13"), "{detail}");
        }
        other => panic!("not_json expected: {other:?}"),
    }
    // A verification event without rejection_reason at all reads as None.
    let approved = vector("verification_approved").body;
    let absent = approved.replace("\"rejection_reason\":null,", "");
    assert!(matches!(
        Event::parse(absent.as_bytes()),
        Ok(Event::VerificationStatusChanged { payload, .. }) if payload.rejection_reason.is_none()
    ));
}

#[test]
fn the_system_clock_variants_accept_a_delivery_signed_just_now() {
    // Signs with the vectors' seed at the current time; the one test that reads the real
    // clock, and it passes for any clock since the timestamp comes from the same clock.
    let file: File = serde_json::from_str(VECTORS).expect("vectors.json");
    let seed: [u8; 32] = file.seed_ascii.as_bytes().try_into().expect("seed");
    let key = SigningKey::from_bytes(&seed);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .to_string();
    let body = vector("removed").body;
    let signed = [now.as_bytes(), b"|", body.as_bytes()].concat();
    let mut headers = HeaderMap::new();
    headers.insert("telnyx-timestamp", now.parse().expect("header"));
    headers.insert(
        "telnyx-signature-ed25519",
        STANDARD
            .encode(key.sign(&signed).to_bytes())
            .parse()
            .expect("header"),
    );
    let verifier = Verifier::new(&file.public_key).expect("key");
    assert_eq!(verifier.verify(&headers, body.as_bytes()), Ok(()));
    let event = verifier.unwrap(&headers, body.as_bytes()).expect("event");
    assert_eq!(event.event_type(), Event::NUMBER_REMOVED);
}
