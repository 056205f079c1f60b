//! The retry policy: which failures are retried, how often, and how long to wait.
//!
//! Retried: connection failures, 408, 429 and 5xx, by default twice, with exponential backoff
//! and full jitter, honouring `Retry-After` (seconds or an HTTP date) up to a cap. A 409 is a real
//! conflict and is never retried. An associate is never retried blindly: see
//! [`Idempotency`].

use std::time::{Duration, SystemTime};

/// Whether a request may be sent again after a failure whose outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads and deletes: sending twice has the effect of sending once.
    Idempotent,
    /// Associate: billable and atomic; sent again only when the server certainly did not act
    /// (no connection, 408, 429). Otherwise the caller gets an ambiguous-outcome error and must
    /// reconcile (the bulk engine does).
    NotIdempotent,
}

/// How a failed request is retried.
///
/// ```
/// use std::time::Duration;
/// use telnyx_reputation::RetryPolicy;
/// let policy = RetryPolicy::default().max_retries(5).max_delay(Duration::from_secs(10));
/// assert_eq!(policy.retries(), 5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets how many times a request is retried after its first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the first backoff delay (doubled at each retry).
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the cap on any one wait, `Retry-After` included.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How many retries follow the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (0-based): `Retry-After` when the server gave one,
    /// else exponential backoff with full jitter (`jitter` in `[0, 1)`), both capped.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let wait = match retry_after {
            Some(server_says) => server_says,
            None => {
                let exp = self
                    .base_delay
                    .saturating_mul(2u32.saturating_pow(retry.min(20)));
                exp.mul_f64(jitter.clamp(0.0, 1.0))
            }
        };
        wait.min(self.max_delay)
    }
}

/// Whether an HTTP status is worth another attempt.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Whether a status proves the server did not act on the request, so even a non-idempotent
/// request can be sent again.
pub fn proves_not_applied(status: u16) -> bool {
    matches!(status, 408 | 429)
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (relative to `now`).
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use telnyx_reputation::retry::parse_retry_after;
/// let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
/// assert_eq!(
///     parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
///     Some(Duration::from_secs(10))
/// );
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_two_retries() {
        assert_eq!(RetryPolicy::default().retries(), 2);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        let almost_one = 0.999_999;
        assert!(policy.delay(0, None, almost_one) <= Duration::from_millis(100));
        assert!(policy.delay(1, None, almost_one) > Duration::from_millis(150));
        assert_eq!(
            policy.delay(5, None, almost_one),
            Duration::from_millis(350)
        );
        assert_eq!(policy.delay(3, None, 0.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_wins_over_backoff_but_not_over_the_cap() {
        let policy = RetryPolicy::default().max_delay(Duration::from_secs(5));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3)), 0.5),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(60)), 0.5),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 422] {
            assert!(!is_retryable_status(status), "{status}");
        }
        assert!(proves_not_applied(429));
        assert!(!proves_not_applied(503));
    }

    #[test]
    fn retry_after_in_the_past_is_zero() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_100);
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(Duration::ZERO)
        );
    }
}
