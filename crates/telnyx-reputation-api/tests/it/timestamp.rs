//! `Timestamp` reads every value as chrono reads it, refuses what chrono refuses, and writes what
//! chrono writes.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, Utc};
use telnyx_reputation_api::Timestamp;

fn chrono(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::<FixedOffset>::from_str(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| e.to_string())
}

fn ours(s: &str) -> Result<DateTime<Utc>, String> {
    Timestamp::from_str(s)
        .map(|t| t.0)
        .map_err(|e| e.to_string())
}

#[test]
fn reads_what_chrono_reads_and_refuses_what_it_refuses() {
    for s in [
        "2026-11-26T03:04:05Z",
        "2026-11-26T03:04:05.1Z",
        "2026-11-26T03:04:05.123456789Z",
        "2026-11-26T03:04:05.1234567891Z",
        "2026-11-26T03:04:05+05:30",
        "2026-11-26T03:04:05.5-08:00",
        "2026-11-26T00:00:00-23:59",
        "2026-11-26t03:04:05z",
        "2026-11-26 03:04:05Z",
        "2016-12-31T23:59:60Z",
        "2026-02-29T03:04:05Z",
        "2024-02-29T03:04:05Z",
        "2026-13-01T03:04:05Z",
        "2026-11-26T24:00:00Z",
        "2026-11-26T03:04:05",
        "2026-11-26T03:04:05.Z",
        "2026-11-26T03:04:05+5:30",
        "2026-11-26T03:04:05+24:00",
        "2026-11-26T03:04:05ZZ",
        "+2026-11-26T03:04:05Z",
        "2026-1-26T03:04:05Z",
        "",
        "garbage",
    ] {
        assert_eq!(ours(s), chrono(s), "{s:?}");
    }
}

#[test]
fn agrees_with_chrono_on_many_generated_values() {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let secs = (x % 8_000_000_000) as i64 - 2_000_000_000;
        let nanos = ((x >> 20) % 1_000_000_000) as u32;
        let t = DateTime::from_timestamp(secs, nanos).unwrap();
        let offset = FixedOffset::east_opt(((x >> 40) % 86_399) as i32 - 43_199).unwrap();
        for form in [
            t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            t.with_timezone(&offset).to_rfc3339(),
            t.with_timezone(&offset)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        ] {
            assert_eq!(ours(&form), chrono(&form), "{form:?}");
        }
    }
}

#[test]
fn json_round_trip_is_chronos() {
    let t = DateTime::from_timestamp(1_795_000_000, 120_000_000).unwrap();
    let ours = serde_json::to_string(&Timestamp(t)).unwrap();
    assert_eq!(ours, serde_json::to_string(&t).unwrap());
    assert_eq!(
        serde_json::from_str::<Timestamp>(&ours).unwrap(),
        Timestamp(t)
    );
    assert!(serde_json::from_str::<Timestamp>("\"2026-13-01T00:00:00Z\"").is_err());
}
