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
    // US toll_free `8(?:00|33|44|55|66|77|88)[2-9]\d{6}` leaves 800-1XX out; DO's leading
    // digits `8001|8[024]9` claim them, and DO toll_free `800(?:14|[2-9]\d)\d{5}|...` takes 800-14X.
    assert_eq!(kind("+18001491234"), NumberKind::TollFree);
    assert_eq!(kind("+18001401234"), NumberKind::TollFree);
    assert_eq!(kind("+18001501234"), invalid(Reason::InvalidExchange));
    // DO toll_free `...|8[024]9[01]\d{6}`: 809-0XX and 809-1XX are toll-free.
    assert_eq!(kind("+18090121234"), NumberKind::TollFree);
    // BS toll_free `242300\d{4}|...`.
    assert_eq!(kind("+12423001234"), NumberKind::TollFree);
    assert_eq!(kind("+18002345678"), NumberKind::TollFree);
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
