//! What the emulator is told to get wrong (and how fast it may be called), and the seeded
//! draws that decide each request's fate, so that a run repeats.

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Faults and the rate limit, all off by default. Settable at start ([`crate::MockConfig`]), at
/// run time (`PUT /__mock/faults`, [`crate::MockHandle::set_faults`]) and, with the `clap`
/// feature, as flags of `mock serve` (each field is `--field-name`, e.g. `--latency-ms 20`).
///
/// Random decisions come from a seeded counter (the emulator's `Draws`), so a run with the same seed and the
/// same requests in the same order repeats.
///
/// ```
/// use std::num::NonZeroU64;
/// let faults = telnyx_reputation_mock::Faults {
///     latency_ms: 20,
///     rate_limit: NonZeroU64::new(50),
///     ..Default::default()
/// };
/// assert_eq!(faults.rate_limit_window_ms.get(), 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
#[serde(default)]
pub struct Faults {
    /// Every API answer leaves this long after its request arrived (the operation itself is
    /// applied on arrival); at most an hour ([`MAX_DELAY_MS`]).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(..=MAX_DELAY_MS)))]
    pub latency_ms: u64,
    /// Up to this much more latency, drawn per request; at most an hour.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(..=MAX_DELAY_MS)))]
    pub jitter_ms: u64,
    /// Share of API requests answered 500, 502 or 503 (0.0–1.0).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0.0, value_parser = parse_share))]
    pub error_rate: f64,
    /// Share of API requests answered 429 with `Retry-After: 1` at random (0.0–1.0), whatever
    /// the rate limit: injected throttling, not a limit a client can pace to.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0.0, value_parser = parse_share))]
    pub throttle_rate: f64,
    /// Requests allowed per window, per API key and enterprise (account-wide routes count under
    /// the key alone); over it, 429 with `Retry-After` and code `10011`, not applied. Unset: no
    /// limit and no `x-ratelimit-*` headers.
    #[cfg_attr(feature = "clap", arg(long))]
    pub rate_limit: Option<NonZeroU64>,
    /// The rate limit's fixed window.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = DEFAULT_WINDOW_MS))]
    pub rate_limit_window_ms: NonZeroU64,
    /// Share of successful associates, refreshes, remediation and ownership-proof submissions
    /// and ownership confirmations applied and then answered by dropping the connection
    /// (0.0–1.0).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0.0, value_parser = parse_share))]
    pub commit_then_drop_rate: f64,
    /// Delay between the headers and the body of successful answers; at most an hour.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(..=MAX_DELAY_MS)))]
    pub slow_body_ms: u64,
    /// Refuse an associate with one error that names no number (no `source.pointer`), as
    /// servers that only say "validation failed" do.
    #[cfg_attr(feature = "clap", arg(long))]
    pub omit_pointers: bool,
    /// Reads see writes this late, in emulator time (clock advances count, the skew does not:
    /// a replica lags in elapsed time), as a lagging replica serves them: a number
    /// associated less than this long ago is not found by a list or a get yet, one disassociated
    /// is still found by a lookup of it (`filter[phone_number][eq]` or a get), a refreshed one
    /// shows its data from before, and a remediation request is neither listed nor read by id.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0))]
    pub list_lag_ms: u64,
    /// How far the server's clock is from the client's (may be negative: behind): its `Date`
    /// header and every timestamp it writes.
    #[cfg_attr(
        feature = "clap",
        arg(long, default_value_t = 0, allow_negative_numbers = true)
    )]
    pub clock_skew_ms: i64,
    /// A drawn share ([`Faults::slow_commit_rate`]) of associates, refreshes and remediation
    /// submissions is applied this long after it arrived (real time), and never answered: the
    /// connection is dropped once the write is applied, so a client whose request timed out
    /// first sees a write land after it gave up. 0: off.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 0))]
    pub slow_commit_ms: u64,
    /// The share of billable writes that `--slow-commit-ms` holds back (0.0–1.0; all by
    /// default).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = 1.0, value_parser = parse_share))]
    pub slow_commit_rate: f64,
    /// Sent as every answer's `x-ratelimit-reset` (whole seconds) in place of the window's,
    /// rate limit or not: values as large as the header can carry (up to 2^128 - 1), for
    /// clients that must not wait that long.
    #[cfg_attr(feature = "clap", arg(long))]
    pub rate_limit_reset_s: Option<u128>,
    /// Operations whose answers are held until released (by a `PUT /__mock/faults` whose
    /// `hold` no longer names them): each request is applied on arrival, as under latency, and
    /// its answer waits, without a timer, until then. `GET /__mock/held` counts the answers
    /// held now, so a test can act exactly while N requests are in flight. Names as the
    /// ledger's per-operation view gives them (`associate_numbers`, `refresh_numbers`, ...);
    /// as a flag, comma-separated or repeated.
    #[cfg_attr(feature = "clap", arg(long, value_delimiter = ',', value_parser = parse_operation))]
    pub hold: Vec<crate::Operation>,
}

/// The longest delay a fault adds to an answer (one hour), whatever it is set to: longer is no
/// test of a client, and an instant that far off may not exist.
pub const MAX_DELAY_MS: u64 = 3_600_000;

/// One second, the window Telnyx counts in.
const DEFAULT_WINDOW_MS: NonZeroU64 = NonZeroU64::new(1000).unwrap();

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            throttle_rate: 0.0,
            rate_limit: None,
            rate_limit_window_ms: DEFAULT_WINDOW_MS,
            commit_then_drop_rate: 0.0,
            slow_body_ms: 0,
            omit_pointers: false,
            list_lag_ms: 0,
            clock_skew_ms: 0,
            slow_commit_ms: 0,
            slow_commit_rate: 1.0,
            rate_limit_reset_s: None,
            hold: Vec::new(),
        }
    }
}

impl Faults {
    /// The rate limit's window as a duration.
    pub fn rate_limit_window(&self) -> Duration {
        Duration::from_millis(self.rate_limit_window_ms.get())
    }

    /// How long after its arrival a request's answer may leave: the latency plus a drawn
    /// jitter, or `None` when neither is set.
    pub(crate) fn answer_delay(&self, draws: &Draws) -> Option<Duration> {
        if self.latency_ms == 0 && self.jitter_ms == 0 {
            return None;
        }
        // The draw is in [0, 1), so the product stays below `jitter_ms`.
        let jitter = (draws.next() * self.jitter_ms.min(MAX_DELAY_MS) as f64) as u64;
        Some(Duration::from_millis(
            self.latency_ms.min(MAX_DELAY_MS).saturating_add(jitter),
        ))
    }

    /// Whether this request is throttled at random.
    pub(crate) fn throttles(&self, draws: &Draws) -> bool {
        self.throttle_rate > 0.0 && draws.next() < self.throttle_rate
    }

    /// The injected server error for this request, if any.
    pub(crate) fn server_error(&self, draws: &Draws) -> Option<ServerError> {
        if self.error_rate > 0.0 && draws.next() < self.error_rate {
            const ALL: [ServerError; 3] = [
                ServerError::Internal,
                ServerError::BadGateway,
                ServerError::Unavailable,
            ];
            Some(ALL[(draws.next() * 3.0) as usize % 3])
        } else {
            None
        }
    }

    /// Whether this successful associate is applied and then answered by a dropped connection.
    pub(crate) fn commits_then_drops(&self, draws: &Draws) -> bool {
        self.commit_then_drop_rate > 0.0 && draws.next() < self.commit_then_drop_rate
    }

    /// How long this billable write is held back before it is applied (and never answered),
    /// if it is.
    pub(crate) fn slow_commit(&self, draws: &Draws) -> Option<Duration> {
        (self.slow_commit_ms > 0
            && self.slow_commit_rate > 0.0
            && draws.next() < self.slow_commit_rate)
            .then(|| Duration::from_millis(self.slow_commit_ms))
    }

    /// How late reads see writes.
    pub(crate) fn list_lag(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::milliseconds(i64::try_from(self.list_lag_ms).unwrap_or(i64::MAX))
    }
}

/// The server errors [`Faults::error_rate`] injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerError {
    /// 500.
    Internal,
    /// 502.
    BadGateway,
    /// 503.
    Unavailable,
}

/// Parses a share of requests: a number from 0 to 1.
#[cfg(feature = "clap")]
fn parse_share(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("expected a share from 0 to 1, got {raw:?}")),
    }
}

/// Parses an operation's name as the ledger gives it (`associate_numbers`).
#[cfg(feature = "clap")]
fn parse_operation(raw: &str) -> Result<crate::Operation, String> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| {
        let names: Vec<String> = crate::Operation::ALL
            .iter()
            .filter_map(|op| serde_json::to_value(op).ok())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        format!("expected an operation ({}), got {raw:?}", names.join(", "))
    })
}

/// Numbers in [0, 1) from a seed and a counter (splitmix64): the same seed gives the same
/// sequence, whichever thread draws.
#[derive(Debug)]
pub(crate) struct Draws {
    seed: u64,
    counter: AtomicU64,
}

impl Draws {
    /// A sequence from `seed`.
    pub(crate) fn new(seed: u64) -> Draws {
        Draws {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// The next number of the sequence.
    pub(crate) fn next(&self) -> f64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut z = self
            .seed
            .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_repeat_for_a_seed_and_stay_below_one() {
        let a = Draws::new(7);
        let b = Draws::new(7);
        for _ in 0..1000 {
            let x = a.next();
            assert_eq!(x, b.next());
            assert!((0.0..1.0).contains(&x));
        }
    }

    #[test]
    fn no_fault_fires_by_default() {
        let faults = Faults::default();
        let draws = Draws::new(1);
        assert_eq!(faults.answer_delay(&draws), None);
        assert!(!faults.throttles(&draws));
        assert_eq!(faults.server_error(&draws), None);
        assert!(!faults.commits_then_drops(&draws));
        assert_eq!(faults.slow_commit(&draws), None);
        assert_eq!(faults.list_lag(), chrono::TimeDelta::zero());
        assert_eq!((faults.clock_skew_ms, faults.rate_limit_reset_s), (0, None));
        assert_eq!(faults.rate_limit, None);
        assert!(faults.hold.is_empty());
    }

    #[test]
    fn a_rate_of_one_always_fires() {
        let faults = Faults {
            throttle_rate: 1.0,
            error_rate: 1.0,
            commit_then_drop_rate: 1.0,
            latency_ms: 5,
            slow_commit_ms: 40,
            ..Faults::default()
        };
        let draws = Draws::new(3);
        for _ in 0..100 {
            assert_eq!(faults.slow_commit(&draws), Some(Duration::from_millis(40)));
            assert!(faults.throttles(&draws));
            assert!(faults.server_error(&draws).is_some());
            assert!(faults.commits_then_drops(&draws));
            assert_eq!(faults.answer_delay(&draws), Some(Duration::from_millis(5)));
        }
    }

    #[test]
    fn faults_read_from_partial_json_keep_the_defaults() {
        let faults: Faults = serde_json::from_str(r#"{"rate_limit": 3}"#).unwrap();
        assert_eq!(faults.rate_limit, NonZeroU64::new(3));
        assert_eq!(faults.rate_limit_window(), Duration::from_secs(1));
        assert!(serde_json::from_str::<Faults>(r#"{"rate_limit_window_ms": 0}"#).is_err());
    }

    #[test]
    fn the_largest_reset_and_a_negative_skew_read_from_json() {
        let faults: Faults = serde_json::from_str(&format!(
            r#"{{"rate_limit_reset_s": {}, "clock_skew_ms": -90000}}"#,
            u128::MAX
        ))
        .unwrap();
        assert_eq!(faults.rate_limit_reset_s, Some(u128::MAX));
        assert_eq!(faults.clock_skew_ms, -90_000);
    }
}
