//! Cases where libphonenumber 9.0.43 decides differently from older metadata, each checked here
//! against the pattern quoted from `metadata/phonenumbers-9.0.43-data.txt`.

use telnyx_e164::{E164, NumberKind, Reason};

fn kind(s: &str) -> NumberKind {
    E164::parse_strict(s).expect("well-formed").kind()
}

fn region(s: &str) -> Option<&'static str> {
    match kind(s) {
        NumberKind::NonUs { region } => Some(region.as_str()),
        _ => None,
    }
}

fn invalid(reason: Reason) -> NumberKind {
    NumberKind::Invalid { reason }
}

#[test]
fn newer_canadian_area_codes_are_non_us() {
    // CA fixed_line/mobile `(?:2(?:04|[23]6|[48]9|5[07]|[67]3)|...)[2-9]\d{6}`: 273.
    assert_eq!(region("+12732345678"), Some("CA"));
    // CA personal_number `...|(?:5(?:2[125-9]|3[23]|44|66|77|88)|6(?:22|33))[2-9]\d{6}`.
    assert_eq!(region("+16222345678"), Some("CA"));
    assert_eq!(region("+16332345678"), Some("CA"));
    // CA voip `600[2-9]\d{6}`; no US type takes 600.
    assert_eq!(region("+16002345678"), Some("CA"));
}

#[test]
fn toll_free_follows_the_metadata_down_to_the_exchange() {
    // US toll_free `8(?:00|33|44|55|66|77|88)[2-9]\d{6}`.
    assert_eq!(kind("+18002345678"), NumberKind::TollFree);
    assert_eq!(kind("+18332345678"), NumberKind::TollFree);
    // US toll_free leaves 800-1XX out; DO's leading digits `8001|8[024]9` claim them, and DO
    // toll_free `800(?:14|[2-9]\d)\d{5}|...` takes 800-14X: a Dominican number, not a US one.
    assert_eq!(region("+18001491234"), Some("DO"));
    assert_eq!(region("+18001401234"), Some("DO"));
    assert_eq!(kind("+18001501234"), invalid(Reason::InvalidExchange));
}

/// Service numbers of another NANP country are that country's, whatever their type there: the
/// associate call takes US toll-free numbers only. Every +1 pattern of a toll-free or premium
/// type outside the shared 8XX/900 codes, from the metadata of each region.
#[test]
fn caribbean_toll_free_and_premium_numbers_are_non_us() {
    for (number, want) in [
        // TT toll_free `868800\d{4}|...`.
        ("+18688001234", "TT"),
        // BS toll_free `242300\d{4}|...`.
        ("+12423001234", "BS"),
        // DO toll_free `800(?:14|[2-9]\d)\d{5}|8[024]9[01]\d{6}|...`.
        ("+18001451234", "DO"),
        ("+18090121234", "DO"),
        ("+18091991234", "DO"),
        ("+18290001234", "DO"),
        ("+18491501234", "DO"),
        // BB premium_rate `(?:246976|900[2-9]\d\d)\d{4}`.
        ("+12469761234", "BB"),
        // KY premium_rate `(?:345976|900[2-9]\d\d)\d{4}`.
        ("+13459761234", "KY"),
    ] {
        assert_eq!(region(number), Some(want), "{number}");
        assert_eq!(kind(number).refusal(), Some(Reason::NonUs), "{number}");
    }
    // The shared codes stay US: 8XX toll-free and 900 premium are claimed by US first.
    assert_eq!(
        kind("+18682345678"),
        NumberKind::NonUs {
            region: telnyx_e164::Region::new("TT")
        }
    );
    assert_eq!(kind("+18882345678"), NumberKind::TollFree);
    assert_eq!(kind("+19002345678"), NumberKind::PremiumRate);
}

#[test]
fn caribbean_numbers_of_unassigned_exchanges_are_invalid() {
    // BS: fixed_line 242-302 is listed; no BS type lists 242-201 or 242-555.
    assert_eq!(region("+12423021234"), Some("BS"));
    assert_eq!(kind("+12422011234"), invalid(Reason::UnassignedExchange));
    assert_eq!(kind("+12425551234"), invalid(Reason::UnassignedExchange));
    // BB uan `...246521[0369]\d{3}`: the line number decides within 246-521.
    assert_eq!(region("+12465210123"), Some("BB"));
    assert_eq!(kind("+12465212123"), invalid(Reason::UnassignedExchange));
}

#[test]
fn us_numbers_of_unassigned_exchanges_are_invalid() {
    // US fixed_line/mobile `983[2-57-9]\d{6}|...`: 983-6XX is not valid.
    assert_eq!(kind("+19832345678"), NumberKind::UsLocal);
    assert_eq!(kind("+19836345678"), invalid(Reason::UnassignedExchange));
}

#[test]
fn foreign_numbers_of_impossible_length_are_invalid() {
    // FR: every type has possible_length (9,).
    assert_eq!(region("+33123456789"), Some("FR"));
    assert_eq!(kind("+3312345678"), invalid(Reason::ImpossibleLength));
    // BJ general_desc `01\d{8}`, possible_length (10,): the older 8-digit plan is gone.
    assert_eq!(region("+2290123456789"), Some("BJ"));
    assert_eq!(kind("+22990123456"), invalid(Reason::ImpossibleLength));
}

#[test]
fn seven_digit_canadian_service_numbers_are_non_us() {
    // CA uan `310\d{4}`, possible_length (7,).
    assert_eq!(region("+13101234"), Some("CA"));
    assert_eq!(kind("+13111234"), invalid(Reason::NanpLength));
}

#[test]
fn non_geographic_calling_codes_are_known() {
    // Region 001, +800: possible_length (8,).
    assert_eq!(region("+80012345678"), Some("001"));
}
