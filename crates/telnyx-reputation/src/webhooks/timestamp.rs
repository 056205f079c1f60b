//! The `telnyx-timestamp` header: its integer, read as Python's `int()` reads it (the SDK's
//! rule), and the ±300 s window against a caller-given clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// How far a delivery's timestamp may be from the receiver's clock, in whole seconds, in
/// either direction. Exactly this far still passes.
pub const TOLERANCE_SECS: u64 = 300;

/// Which side of the receiver's clock a rejected timestamp lies on.
///
/// Exhaustive on purpose, unlike the crate's other enums: a timestamp outside the tolerance is
/// before it or after it, and there is no third side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skew {
    /// The timestamp is older than the tolerance allows: a late or replayed delivery.
    Past,
    /// The timestamp is further ahead than the tolerance allows: a sender's (or the
    /// receiver's) clock is off.
    Future,
}

impl Skew {
    /// `"in the past"` or `"in the future"`, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Skew::Past => "in the past",
            Skew::Future => "in the future",
        }
    }
}

/// Why a header value is not an integer, or too large for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadInteger {
    /// Not an integer as Python's `int()` reads one.
    Syntax,
    /// An integer, but outside `i64` (so far outside any tolerance).
    OutOfRange,
}

/// Parses a header value as Python's `int()` parses an ASCII string: surrounding ASCII
/// whitespace (space, tab, vertical tab, form feed) is ignored, an optional `+` or `-`, then
/// decimal digits where single underscores may separate digits (`1_700_000_000`). Leading
/// zeros are allowed. Anything else, including an empty value, is a syntax error.
pub(crate) fn parse_int(value: &[u8]) -> Result<i64, BadInteger> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | 0x0b | 0x0c);
    let start = value
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    let trimmed = &value[start..end];
    let (negative, digits) = match trimmed.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, trimmed),
    };
    if digits.is_empty() || digits.first() == Some(&b'_') || digits.last() == Some(&b'_') {
        return Err(BadInteger::Syntax);
    }
    // Accumulated negatively so that i64::MIN is representable; overflow is only reported once
    // the whole value is known to be well formed.
    let mut total: Option<i64> = Some(0);
    let mut previous_underscore = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                previous_underscore = false;
                total = total
                    .and_then(|t| t.checked_mul(10))
                    .and_then(|t| t.checked_sub(i64::from(b - b'0')));
            }
            b'_' if !previous_underscore => previous_underscore = true,
            _ => return Err(BadInteger::Syntax),
        }
    }
    let total = total.ok_or(BadInteger::OutOfRange)?;
    if negative {
        Ok(total)
    } else {
        total.checked_neg().ok_or(BadInteger::OutOfRange)
    }
}

/// Whole Unix seconds of `now`, truncated toward zero as Python's `int(time.time())` does.
/// Saturates at the ends of `i64` (hundreds of billions of years away) instead of failing.
pub(crate) fn unix_seconds(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// A timestamp outside the window: how far, and on which side of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutsideTolerance {
    pub(crate) difference_secs: u64,
    pub(crate) direction: Skew,
}

/// Checks `|now - timestamp| <= TOLERANCE_SECS`, in whole seconds.
pub(crate) fn check_window(timestamp: i64, now: i64) -> Result<(), OutsideTolerance> {
    let difference = i128::from(now) - i128::from(timestamp);
    // |difference| < 2^64 for any two i64 values, so this conversion cannot fail.
    let difference_secs = u64::try_from(difference.unsigned_abs()).unwrap_or(u64::MAX);
    if difference_secs <= TOLERANCE_SECS {
        return Ok(());
    }
    let direction = if difference > 0 {
        Skew::Past
    } else {
        Skew::Future
    };
    Err(OutsideTolerance {
        difference_secs,
        direction,
    })
}
