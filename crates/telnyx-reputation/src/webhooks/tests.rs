//! The module's internals: the timestamp integer (Python `int()` rules), the window, the clock
//! conversion, key decoding and the environment variable. The signed-delivery behaviour is
//! tested end to end in `tests/it/webhooks.rs` against independently signed vectors.

use std::ffi::OsString;
use std::time::{Duration, UNIX_EPOCH};

use super::timestamp::{BadInteger, check_window, parse_int, unix_seconds};
use super::*;

#[test]
fn timestamps_parse_as_python_int_does() {
    // Each accepted spelling is one Python's int() accepts, with the same value.
    for (text, value) in [
        ("1791183612", 1_791_183_612),
        ("+1791183612", 1_791_183_612),
        ("  +1791183612", 1_791_183_612),
        ("\t1791183612 ", 1_791_183_612),
        ("1_791_183_612", 1_791_183_612),
        ("0001791183612", 1_791_183_612),
        ("-5", -5),
        ("0", 0),
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
    ] {
        assert_eq!(parse_int(text.as_bytes()), Ok(value), "{text:?}");
    }
    // ...and each refused one is refused by int() too.
    for text in [
        "",
        " ",
        "+",
        "-",
        "+ 5",
        "1__0",
        "_1",
        "1_",
        "+_1",
        "17911836l2",
        "1.5",
        "1e9",
        "0x10",
        "١٢",
        "1791183612\u{a0}",
    ] {
        assert_eq!(
            parse_int(text.as_bytes()),
            Err(BadInteger::Syntax),
            "{text:?}"
        );
    }
    for text in [
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
    ] {
        assert_eq!(
            parse_int(text.as_bytes()),
            Err(BadInteger::OutOfRange),
            "{text:?}"
        );
    }
    // A malformed value is a syntax error even when its digits alone would overflow.
    assert_eq!(
        parse_int(b"99999999999999999999999x"),
        Err(BadInteger::Syntax)
    );
}

#[test]
fn the_window_is_300_seconds_inclusive_either_way() {
    let now = 1_791_183_612;
    assert_eq!(check_window(now, now), Ok(()));
    assert_eq!(check_window(now - 300, now), Ok(()));
    assert_eq!(check_window(now + 300, now), Ok(()));
    let stale = check_window(now - 301, now).unwrap_err();
    assert_eq!((stale.difference_secs, stale.direction), (301, Skew::Past));
    let ahead = check_window(now + 301, now).unwrap_err();
    assert_eq!(
        (ahead.difference_secs, ahead.direction),
        (301, Skew::Future)
    );
    // The extremes of i64 neither overflow nor pass.
    let far = check_window(i64::MIN, i64::MAX).unwrap_err();
    assert_eq!((far.difference_secs, far.direction), (u64::MAX, Skew::Past));
    let far = check_window(i64::MAX, i64::MIN).unwrap_err();
    assert_eq!(
        (far.difference_secs, far.direction),
        (u64::MAX, Skew::Future)
    );
}

#[test]
fn the_clock_is_read_in_whole_seconds_truncated() {
    let at = |secs: u64, nanos: u32| UNIX_EPOCH + Duration::new(secs, nanos);
    assert_eq!(unix_seconds(at(1_791_183_612, 999_999_999)), 1_791_183_612);
    assert_eq!(unix_seconds(UNIX_EPOCH), 0);
    assert_eq!(unix_seconds(UNIX_EPOCH - Duration::new(1, 500_000_000)), -1);
}

#[test]
fn keys_are_decoded_strictly_and_checked_as_points() {
    let b64 = |bytes: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    // The public key of the all-sevens seed (as in the module's example).
    let key = "6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=";
    let verifier = Verifier::new(key).unwrap();
    assert_eq!(b64(verifier.public_key()), key);
    // A pasted newline is forgiven; whitespace inside is not.
    assert_eq!(Verifier::new(&format!(" {key}\n")).unwrap(), verifier);
    let inner = format!("{} {}", &key[..20], &key[20..]);
    assert!(matches!(
        Verifier::new(&inner),
        Err(KeyError::NotBase64 { .. })
    ));
    // Unpadded, URL-safe, and stray trailing bits: not the canonical standard form.
    assert!(matches!(
        Verifier::new(key.trim_end_matches('=')),
        Err(KeyError::NotBase64 { .. })
    ));
    let url_safe = b64(&[0xfb; 32]).replace('+', "-").replace('/', "_");
    assert!(matches!(
        Verifier::new(&url_safe),
        Err(KeyError::NotBase64 { .. })
    ));
    let stray_bits = format!("{}9=", &key[..42]);
    assert!(matches!(
        Verifier::new(&stray_bits),
        Err(KeyError::NotBase64 { .. })
    ));
    assert_eq!(Verifier::new(""), Err(KeyError::Empty));
    assert_eq!(Verifier::new(" \n"), Err(KeyError::Empty));
    assert_eq!(
        Verifier::new(&b64(&[1; 31])),
        Err(KeyError::Length { len: 31 })
    );
    assert_eq!(
        Verifier::new(&b64(&[1; 33])),
        Err(KeyError::Length { len: 33 })
    );
    // y = 2 is not on the curve; y = 1 is the identity, a small-order point.
    let mut not_a_point = [0; 32];
    not_a_point[0] = 2;
    assert_eq!(Verifier::from_bytes(&not_a_point), Err(KeyError::NotAPoint));
    let mut identity = [0; 32];
    identity[0] = 1;
    assert_eq!(Verifier::from_bytes(&identity), Err(KeyError::Weak));
    assert_eq!(Verifier::new(&b64(&identity)), Err(KeyError::Weak));
}

#[test]
fn the_environment_variable_is_required_and_decoded_like_a_key() {
    let key = "6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=";
    assert_eq!(
        Verifier::from_env_value(Some(OsString::from(format!("{key}\n")))),
        Verifier::new(key)
    );
    let missing = Verifier::from_env_value(None).unwrap_err();
    assert_eq!(
        missing,
        KeyError::MissingEnv {
            var: "TELNYX_PUBLIC_KEY"
        }
    );
    assert!(missing.to_string().contains("TELNYX_PUBLIC_KEY is not set"));
    assert_eq!(
        Verifier::from_env_value(Some(OsString::new())),
        Err(KeyError::Empty)
    );
}

#[test]
fn open_enums_keep_unknown_values_and_round_trip() {
    for wire in ["telnyx", "external", "satellite"] {
        let source: NumberSource = serde_json::from_value(serde_json::json!(wire)).unwrap();
        assert_eq!(source.as_str(), wire);
        assert_eq!(
            serde_json::to_value(&source).unwrap(),
            serde_json::json!(wire)
        );
    }
    assert_eq!(NumberSource::from("external"), NumberSource::External);
    assert_eq!(
        RemovalReason::from("customer_removed"),
        RemovalReason::CustomerRemoved
    );
    assert_eq!(
        OwnershipStatus::from("pending_confirmation").to_string(),
        "pending_confirmation"
    );
    assert_eq!(
        RemovalReason::from("ported_to_mars"),
        RemovalReason::Other("ported_to_mars".into())
    );
    assert_eq!(
        FlagReason::from("reverification_due"),
        FlagReason::ReverificationDue
    );
    assert_eq!(
        VerificationStatus::from("pending"),
        VerificationStatus::Pending
    );
}
