//! The server's clock as the client learns it: every answer's `Date` header, and the
//! timestamps of records the server has just written, each a reading of the server's clock at
//! a known moment of ours.
//!
//! What is kept is the tightest known lower bound of the server's clock minus ours (a reading
//! can only be earlier than the server's time at the moment it arrives: a `Date` is truncated
//! to the second and was written before the answer travelled). From it, [`ServerClock::at`]
//! says, on the server's clock, a time no later than any instant of ours: that is how the bulk
//! engine judges "before the job" and "refreshed since the request" by the server's clock,
//! never by ours, whatever the skew between the two. Our clock is used only to measure how
//! much time passed between two of our own instants.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};

/// No reading yet.
const UNKNOWN: i64 = i64::MIN;

/// The tightest known lower bound of (server clock − client clock), in milliseconds.
#[derive(Debug)]
pub(crate) struct ServerClock {
    offset_floor_ms: AtomicI64,
}

impl Default for ServerClock {
    fn default() -> Self {
        ServerClock {
            offset_floor_ms: AtomicI64::new(UNKNOWN),
        }
    }
}

impl ServerClock {
    /// Takes in a reading: the server's clock said `server` no later than our `ours`.
    pub fn observe(&self, server: DateTime<Utc>, ours: DateTime<Utc>) {
        let offset = server.signed_duration_since(ours).num_milliseconds();
        if offset == UNKNOWN {
            return;
        }
        self.offset_floor_ms.fetch_max(offset, Ordering::Relaxed);
    }

    /// Takes in an answer's `Date` header, received now.
    pub fn observe_date(&self, headers: &reqwest::header::HeaderMap) {
        let date = headers
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        if let Some(date) = date {
            self.observe(DateTime::<Utc>::from(date), Utc::now());
        }
    }

    /// On the server's clock, a time no later than our instant `ours`: `None` before any
    /// reading.
    pub fn at(&self, ours: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let offset = self.offset_floor_ms.load(Ordering::Relaxed);
        if offset == UNKNOWN {
            return None;
        }
        ours.checked_add_signed(TimeDelta::try_milliseconds(offset)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_tightest_reading_wins_and_converts_our_instants() {
        let clock = ServerClock::default();
        assert_eq!(clock.at(Utc::now()), None);
        // The server runs an hour behind; the second reading is tighter by half a second.
        clock.observe(at("2026-07-01T11:00:00Z"), at("2026-07-01T12:00:01Z"));
        clock.observe(at("2026-07-01T11:00:00.500Z"), at("2026-07-01T12:00:01Z"));
        clock.observe(at("2026-07-01T10:00:00Z"), at("2026-07-01T12:00:01Z"));
        assert_eq!(
            clock.at(at("2026-07-01T12:30:00Z")),
            Some(at("2026-07-01T11:29:59.500Z"))
        );
    }

    #[test]
    fn a_date_header_is_a_reading_and_nonsense_is_ignored() {
        let clock = ServerClock::default();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::DATE, "yesterday".parse().unwrap());
        clock.observe_date(&headers);
        assert_eq!(clock.at(Utc::now()), None);
        headers.insert(
            reqwest::header::DATE,
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        clock.observe_date(&headers);
        let server_now = clock.at(Utc::now()).unwrap();
        assert!(server_now.to_rfc3339().starts_with("1994-11-06T08:49"));
        // Extreme readings saturate instead of overflowing.
        clock.observe(DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC);
        let _ = clock.at(Utc::now());
    }
}
