//! [`Timestamp`]: the type of every `format: date-time` value in the spec.
//!
//! A `chrono::DateTime<Utc>` with a faster reader. chrono reads RFC 3339 through its general
//! format parser, about 2,200 instructions a value (counted with callgrind); an associate
//! answer of 100 records carries 200 of them, which made timestamps a third of the client's CPU
//! per request. The common form `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` is read here directly;
//! anything else (lower-case `t`, a space, a leap second, more than nine fraction digits, an
//! invalid date) goes to chrono, so what is accepted, the value read and every error are
//! chrono's. Written exactly as chrono writes it.
//!
//! The generator maps `date-time` to this type (`telnyx_reputation_codegen::settings`).

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

/// A point in time from the API, in UTC. Derefs to [`chrono::DateTime<Utc>`].
///
/// ```
/// use telnyx_reputation_api::Timestamp;
/// let t: Timestamp = "2026-11-26T03:04:05.123456Z".parse().unwrap();
/// assert_eq!(t.to_rfc3339(), "2026-11-26T03:04:05.123456+00:00");
/// let shifted: Timestamp = "2026-11-26T05:04:05.123456+02:00".parse().unwrap();
/// assert_eq!(t, shifted);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// The chrono value.
    pub fn into_inner(self) -> DateTime<Utc> {
        self.0
    }
}

impl Deref for Timestamp {
    type Target = DateTime<Utc>;

    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Timestamp(t)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The two ASCII digits at `b[i]` and `b[i + 1]` as a number.
#[inline]
fn two_digits(b: &[u8], i: usize) -> Option<u32> {
    let high = b.get(i)?.wrapping_sub(b'0');
    let low = b.get(i + 1)?.wrapping_sub(b'0');
    (high < 10 && low < 10).then(|| u32::from(high) * 10 + u32::from(low))
}

/// The common RFC 3339 form, or `None` for chrono to decide.
///
/// Every field is read with plain byte arithmetic; chrono's own constructors then check the
/// calendar (`from_ymd_opt`) and the clock (`from_hms_nano_opt`), so a value accepted here is
/// exactly the one chrono builds. A `Z` offset, by far the most common, skips the offset
/// arithmetic.
fn fast(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    let (month, day) = (two_digits(b, 5)?, two_digits(b, 8)?);
    let (hour, minute, second) = (two_digits(b, 11)?, two_digits(b, 14)?, two_digits(b, 17)?);
    if second > 59 {
        return None; // a leap second: chrono's rules
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[19] == b'.' {
        i = 20;
        let mut scale = 100_000_000u32;
        while let Some(digit) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|d| *d < 10) {
            if scale == 0 {
                return None; // more than nine fraction digits
            }
            nanos += u32::from(digit) * scale;
            scale /= 10;
            i += 1;
        }
        if i == 20 {
            return None; // a `.` without digits
        }
    }
    let offset_seconds = match &b[i..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let rest = &b[i + 1..];
            let (hours, minutes) = (two_digits(rest, 0)?, two_digits(rest, 3)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = NaiveDateTime::new(date, time);
    if offset_seconds == 0 {
        return Some(local.and_utc());
    }
    let utc = local.checked_sub_signed(TimeDelta::seconds(offset_seconds))?;
    Some(utc.and_utc())
}

impl FromStr for Timestamp {
    type Err = chrono::ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fast(s) {
            Some(t) => Ok(Timestamp(t)),
            None => DateTime::<FixedOffset>::from_str(s).map(|t| Timestamp(t.with_timezone(&Utc))),
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date and time")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <DateTime<Utc> as schemars::JsonSchema>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <DateTime<Utc> as schemars::JsonSchema>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <DateTime<Utc> as schemars::JsonSchema>::json_schema(generator)
    }

    fn inline_schema() -> bool {
        <DateTime<Utc> as schemars::JsonSchema>::inline_schema()
    }
}
