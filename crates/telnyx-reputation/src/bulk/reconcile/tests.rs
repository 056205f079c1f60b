use super::*;
use proptest::prelude::*;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn n(text: &str) -> UsNumber {
    text.parse().unwrap()
}

#[test]
fn a_record_created_at_or_after_the_server_floor_is_ours_whatever_our_clock_says() {
    // The server's clock, an hour behind ours: only its own readings count.
    let floor = Some(at("2025-06-01T11:00:00Z"));
    assert_eq!(owner(Some(at("2025-06-01T11:00:00Z")), floor), Found::Ours);
    assert_eq!(owner(Some(at("2025-06-01T11:00:05Z")), floor), Found::Ours);
    assert_eq!(
        owner(Some(at("2025-06-01T10:59:59.999Z")), floor),
        Found::Before
    );
    assert_eq!(owner(None, floor), Found::Before);
    // Without any reading of the server's clock, nothing is claimed.
    assert_eq!(owner(Some(at("2025-06-01T11:00:05Z")), None), Found::Before);
}

#[test]
fn extreme_server_dates_do_not_overflow() {
    let floor = Some(at("2025-06-01T12:00:00Z"));
    assert_eq!(
        owner(Some(at("+262142-12-31T23:59:59Z")), floor),
        Found::Ours
    );
    assert_eq!(owner(Some(DateTime::<Utc>::MIN_UTC), floor), Found::Before);
    assert_eq!(
        owner(
            Some(at("2025-06-01T12:00:00Z")),
            Some(DateTime::<Utc>::MIN_UTC)
        ),
        Found::Ours
    );
}

fn record(number: &str) -> AssociatedNumber {
    crate::record::from_json(serde_json::json!({ "phone_number": number }))
}

/// The library's page of the API's JSON, or why it refuses it.
fn page_of(json: serde_json::Value) -> Result<NumberPage, String> {
    let raw = serde_json::from_value(json).map_err(|e| e.to_string())?;
    NumberPage::from_api("list_reputation_numbers", raw).map_err(|e| e.to_string())
}

#[test]
fn an_answer_confirms_only_the_numbers_it_names() {
    let sent = [n("+12015550100"), n("+12015550101"), n("+12015550102")];
    assert_eq!(confirmed_by(&sent, &[]), [false; 3]);
    assert_eq!(
        confirmed_by(&sent, &[record("+12015550102"), record("+12015550199")]),
        [false, false, true]
    );
    let all: Vec<_> = sent.iter().map(|s| record(s.as_str())).collect();
    assert_eq!(confirmed_by(&sent, &all), [true; 3]);
}

proptest! {
    /// Any page of the right shape, with any date the format can hold, is decided without a
    /// panic, and a number the page does not name is absent.
    #[test]
    fn any_lookup_page_is_decided_without_panic(
        year in -262_143i32..=262_142,
        month in 1u32..=12,
        day in 1u32..=28,
        secs in 0u32..86_400,
        name_it in any::<bool>(),
        extra in proptest::collection::vec("[+0-9]{0,14}", 0..4),
    ) {
        let created = format!(
            "{}{:06}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            if year < 0 { "-" } else { "+" },
            year.unsigned_abs(),
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
        );
        let number = n("+12015550100");
        let mut data: Vec<serde_json::Value> = extra
            .iter()
            .map(|p| serde_json::json!({ "phone_number": p, "created_at": created }))
            .collect();
        if name_it {
            data.push(serde_json::json!({ "phone_number": number.as_str(), "created_at": created }));
        }
        let meta = serde_json::json!({"page_number": 1, "page_size": 1, "total_pages": 1, "total_results": 1});
        if let Ok(page) = page_of(serde_json::json!({ "data": data, "meta": meta })) {
            let found = found_in(&page, number, Some(at("2025-06-01T12:00:00Z")));
            if !name_it && !extra.iter().any(|p| p == number.as_str()) {
                prop_assert_eq!(found, Found::Absent);
            }
            if name_it {
                prop_assert_ne!(found, Found::Absent);
            }
        }
    }

    /// Arbitrary JSON of any shape fed to the page decoder never panics it, and what decodes
    /// is decided without a panic.
    #[test]
    fn arbitrary_bytes_never_panic_the_decision(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let page = serde_json::from_slice(&bytes)
            .map_err(|e| e.to_string())
            .and_then(page_of);
        if let Ok(page) = page {
            let _ = found_in(&page, n("+12015550100"), Some(Utc::now()));
        }
    }
}
