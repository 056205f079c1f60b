//! Parsing and classification, one rule each.

use proptest::prelude::*;
use telnyx_e164::{E164, NumberKind, Reason, UsNumber, UsNumberKind, validate_batch};

fn strict_reason(s: &str) -> Reason {
    E164::parse_strict(s).unwrap_err().reason
}

#[test]
fn strict_accepts_exactly_plus_and_digits() {
    assert_eq!(
        E164::parse_strict("+16035551234").unwrap().as_str(),
        "+16035551234"
    );
    assert_eq!(strict_reason(""), Reason::Empty);
    assert_eq!(strict_reason("16035551234"), Reason::MissingPlus);
    assert_eq!(strict_reason("+1 603 555 1234"), Reason::InvalidCharacter);
    assert_eq!(strict_reason(" +16035551234"), Reason::MissingPlus);
    assert_eq!(strict_reason("+1234567890123456"), Reason::TooLong);
    assert_eq!(strict_reason("+12"), Reason::TooShort);
    assert_eq!(strict_reason("+0123456789"), Reason::LeadingZero);
}

#[test]
fn lenient_reads_human_us_forms() {
    let want = E164::parse_strict("+16035551234").unwrap();
    for input in [
        "(603) 555-1234",
        "603-555-1234",
        "603.555.1234",
        "1 603 555 1234",
        "+1 (603) 555-1234",
        "16035551234",
        "  6035551234\t",
        "+16035551234",
    ] {
        assert_eq!(E164::parse_lenient(input).unwrap(), want, "{input:?}");
    }
    assert_eq!(
        E164::parse_lenient("555-1234").unwrap_err().reason,
        Reason::NotUsFormat
    );
    assert_eq!(
        E164::parse_lenient("26035551234").unwrap_err().reason,
        Reason::NotUsFormat
    );
    assert_eq!(
        E164::parse_lenient("603 555 12x4").unwrap_err().reason,
        Reason::InvalidCharacter
    );
    assert_eq!(
        E164::parse_lenient("   ").unwrap_err().reason,
        Reason::Empty
    );
}

#[test]
fn errors_carry_the_input_and_a_code() {
    let err = E164::parse_strict("603-555-1234").unwrap_err();
    assert_eq!(err.input, "603-555-1234");
    assert_eq!(err.code(), "missing_plus");
    assert_eq!(
        err.to_string(),
        "\"603-555-1234\": E.164 numbers start with '+'"
    );
}

fn kind(s: &str) -> NumberKind {
    E164::parse_strict(s).unwrap().kind()
}

#[test]
fn nanp_rules() {
    assert_eq!(kind("+16035551234"), NumberKind::UsLocal);
    assert_eq!(kind("+12125550199"), NumberKind::UsLocal);
    assert_eq!(
        kind("+1603555123"),
        NumberKind::Invalid {
            reason: Reason::NanpLength
        }
    );
    assert_eq!(
        kind("+11035551234"),
        NumberKind::Invalid {
            reason: Reason::InvalidAreaCode
        }
    );
    assert_eq!(
        kind("+16031551234"),
        NumberKind::Invalid {
            reason: Reason::InvalidExchange
        }
    );
    assert_eq!(
        kind("+19995551234"),
        NumberKind::Invalid {
            reason: Reason::UnassignedAreaCode
        }
    );
}

#[test]
fn us_service_codes_are_classified_by_type() {
    for tf in [
        "+18005551234",
        "+18335551234",
        "+18445551234",
        "+18555551234",
        "+18665551234",
        "+18775551234",
        "+18885551234",
    ] {
        assert_eq!(kind(tf), NumberKind::TollFree, "{tf}");
    }
    assert_eq!(kind("+19005551234"), NumberKind::PremiumRate);
    assert_eq!(kind("+15005551234"), NumberKind::NonGeographic);
}

#[test]
fn canada_territories_and_other_countries_are_non_us() {
    assert_eq!(kind("+14165551234").name(), "non_us");
    assert!(
        matches!(kind("+14165551234"), NumberKind::NonUs { region } if region.as_str() == "CA")
    );
    assert!(
        matches!(kind("+17875551234"), NumberKind::NonUs { region } if region.as_str() == "PR")
    );
    assert!(
        matches!(kind("+12423021234"), NumberKind::NonUs { region } if region.as_str() == "BS")
    );
    assert!(
        matches!(kind("+442079460000"), NumberKind::NonUs { region } if region.as_str() == "GB")
    );
    assert_eq!(
        kind("+290123456789"),
        NumberKind::Invalid {
            reason: Reason::ImpossibleLength
        }
    );
}

#[test]
fn unassigned_country_codes_are_invalid() {
    assert_eq!(
        kind("+8091234567"),
        NumberKind::Invalid {
            reason: Reason::UnassignedCountryCode
        }
    );
}

#[test]
fn us_number_holds_us_local_and_toll_free_numbers_only() {
    let local = UsNumber::parse_strict("+16035551234").unwrap();
    assert_eq!(local.kind(), UsNumberKind::Local);
    assert_eq!(local.kind().note(), None);
    let toll_free = UsNumber::parse_lenient("(888) 555-1234").unwrap();
    assert_eq!(
        (toll_free.as_str(), toll_free.kind()),
        ("+18885551234", UsNumberKind::TollFree)
    );
    assert_eq!(
        toll_free.kind().note(),
        Some("accepted from your Telnyx inventory only")
    );
    for (input, reason) in [
        ("+14165551234", Reason::NonUs),       // Canada
        ("+18688001234", Reason::NonUs),       // Trinidad's toll-free 868-800
        ("+12469761234", Reason::NonUs),       // Barbados's premium 246-976
        ("+17875551234", Reason::NonUs),       // Puerto Rico
        ("+19005551234", Reason::PremiumRate), // US premium
        ("+15005551234", Reason::NonGeographic),
        ("+442079460000", Reason::NonUs),
    ] {
        assert_eq!(
            UsNumber::parse_strict(input).unwrap_err().reason,
            reason,
            "{input}"
        );
    }
    let e = E164::parse_strict("+19005551234").unwrap();
    assert_eq!(UsNumber::try_from(e), Err(NumberKind::PremiumRate));
    let e = E164::parse_strict("+18005551234").unwrap();
    assert_eq!(
        UsNumber::try_from(e).map(|n| n.kind()),
        Ok(UsNumberKind::TollFree)
    );
}

#[test]
fn serde_uses_the_canonical_string() {
    let n = UsNumber::parse_strict("+16035551234").unwrap();
    assert_eq!(serde_json::to_string(&n).unwrap(), "\"+16035551234\"");
    let back: E164 = serde_json::from_str("\"+16035551234\"").unwrap();
    assert_eq!(back, n.as_e164());
    let tf: UsNumber = serde_json::from_str("\"+18005551234\"").unwrap();
    assert_eq!(tf.kind(), UsNumberKind::TollFree);
    let err = serde_json::from_str::<UsNumber>("\"+14165551234\"").unwrap_err();
    assert!(err.to_string().contains("only US numbers"), "{err}");
    assert_eq!(
        serde_json::to_string(&UsNumberKind::TollFree).unwrap(),
        "\"toll_free\""
    );
    assert_eq!(
        serde_json::to_string(&NumberKind::TollFree).unwrap(),
        "\"toll_free\""
    );
}

#[test]
fn batch_rejection_lists_every_problem_at_once() {
    let mut inputs: Vec<String> = (0..101).map(|i| format!("+1603555{i:04}")).collect();
    inputs[3] = "+18688001234".into();
    inputs[5] = "+18005551234".into();
    inputs[7] = "garbage".into();
    inputs[9] = inputs[1].clone();
    let err = validate_batch(&inputs).unwrap_err();
    assert_eq!(err.too_many, Some(101));
    assert_eq!(err.entries.len(), 2);
    assert_eq!(
        (err.entries[0].index, err.entries[0].reason),
        (3, Reason::NonUs)
    );
    assert_eq!(
        (err.entries[1].index, err.entries[1].reason),
        (7, Reason::MissingPlus)
    );
    assert_eq!(
        (err.duplicates[0].index, err.duplicates[0].first_index),
        (9, 1)
    );
    let text = err.to_string();
    assert!(
        text.contains("too_many") && text.contains("#3 \"+18688001234\": non_us"),
        "{text}"
    );
    assert!(validate_batch(Vec::<String>::new()).unwrap_err().empty);
}

// Cases: proptest's default, 256, or `PROPTEST_CASES` (`.ci/run` sets 2000); the inputs are
// arbitrary bytes and the only verdict is "no panic", so every case checks the same thing.
proptest! {
    #[test]
    fn no_input_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let s = String::from_utf8_lossy(&bytes);
        let _ = E164::parse_strict(&s).map(|n| n.kind());
        let _ = E164::parse_lenient(&s).map(|n| n.kind());
    }

    #[test]
    fn no_unicode_input_panics(s in "\\PC{0,40}") {
        let _ = E164::parse_strict(&s).map(|n| n.kind());
        let _ = E164::parse_lenient(&s).map(|n| n.kind());
    }

    #[test]
    fn every_digit_string_classifies(digits in "[0-9]{0,20}") {
        let s = format!("+{digits}");
        if let Ok(n) = E164::parse_strict(&s) {
            prop_assert_eq!(n.as_str(), s.as_str());
            let _ = n.kind();
        }
    }
}

#[test]
fn non_ascii_digits_and_very_long_inputs_are_refused() {
    assert_eq!(strict_reason("+١٦٠٣٥٥٥١٢٣٤"), Reason::TooLong);
    assert_eq!(
        E164::parse_lenient("٦٠٣٥٥٥١٢٣٤").unwrap_err().reason,
        Reason::InvalidCharacter
    );
    let long = "9".repeat(1_000_000);
    assert_eq!(strict_reason(&format!("+{long}")), Reason::TooLong);
    assert_eq!(
        E164::parse_lenient(&long).unwrap_err().reason,
        Reason::TooLong
    );
}

proptest! {
    #[test]
    fn national_numbers_round_trip(n in 0u64..20_000_000_000) {
        let text = format!("+1{n:010}");
        match UsNumber::from_national_number(n) {
            Some(number) => {
                prop_assert_eq!(number.national_number(), n);
                prop_assert_eq!(number.to_string(), text.clone());
                prop_assert_eq!(UsNumber::parse_strict(&text).ok(), Some(number));
            }
            // Refused exactly when parsing the same number is refused.
            None => prop_assert!(n >= 10_000_000_000 || UsNumber::parse_strict(&text).is_err()),
        }
    }
}
