//! The rate limit, as Telnyx applies it: requests counted per API key and enterprise in fixed
//! windows, every answer telling the client where it stands (`x-ratelimit-*`), and a 429 with
//! `Retry-After` over the limit.
//!
//! Windows are aligned on the limiter's creation: window `k` covers `[k·w, (k+1)·w)` after it.
//! A decision reads the time it is given and never sleeps, so tests drive it with any instant.
//! The counts live in shards, each behind its own small mutex, so that requests of different
//! keys seldom meet on one lock.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU64;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use uuid::Uuid;

/// What one budget is counted under: an account (its API key) and, on routes that name one,
/// an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct LimitKey {
    /// The account the bearer token authenticated.
    pub account: usize,
    /// The enterprise of the path, or `None` on account-wide routes.
    pub enterprise: Option<Uuid>,
}

/// One key's count in its current window.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// The window's length when it was counted (a changed length starts afresh).
    length: Duration,
    /// Which window since the limiter's creation.
    index: u128,
    /// Requests admitted or refused in it.
    count: u64,
}

/// The verdict on one request, with what its answer's headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    /// Whether the request may proceed.
    pub admitted: bool,
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in the current window after this one.
    pub remaining: u64,
    /// Time until the current window ends.
    pub reset: Duration,
}

impl Decision {
    /// Writes `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds
    /// with millisecond precision, rounded up: never earlier than the real reset), and on a
    /// refusal `Retry-After` (whole seconds, rounded up, at least 1).
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert("x-ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(self.remaining));
        let millis = ceil_millis(self.reset);
        let reset = format!("{}.{:03}", millis / 1000, millis % 1000);
        if let Ok(value) = HeaderValue::from_str(&reset) {
            headers.insert("x-ratelimit-reset", value);
        }
        if !self.admitted {
            headers.insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from(retry_after_seconds(self.reset)),
            );
        }
    }
}

/// A duration in whole milliseconds, rounded up.
fn ceil_millis(d: Duration) -> u128 {
    d.as_nanos().div_ceil(1_000_000)
}

/// `Retry-After` for a window that ends in `reset`: whole seconds, rounded up, at least 1 (a
/// `0` would invite a retry into the same full window).
pub(crate) fn retry_after_seconds(reset: Duration) -> u64 {
    u64::try_from(reset.as_nanos().div_ceil(1_000_000_000))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Shards of the counts; a power of two so a hash picks one with a mask.
const SHARDS: usize = 32;

/// Per-key counts in fixed windows.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    epoch: Instant,
    shards: Box<[Mutex<HashMap<LimitKey, Window>>]>,
}

impl RateLimiter {
    /// A limiter whose first window starts at `epoch`.
    pub fn new(epoch: Instant) -> RateLimiter {
        RateLimiter {
            epoch,
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    /// Counts one request of `key` at `now` against `limit` per `window`; a refused request is
    /// counted too (it used the server), but never admitted.
    pub fn decide(
        &self,
        key: LimitKey,
        limit: NonZeroU64,
        window: Duration,
        now: Instant,
    ) -> Decision {
        let length = window.max(Duration::from_millis(1));
        let elapsed = now.saturating_duration_since(self.epoch);
        let index = elapsed.as_nanos() / length.as_nanos();
        // `elapsed` lies inside window `index`, so its end is later and the subtraction holds.
        let offset = elapsed.as_nanos() % length.as_nanos();
        let reset_nanos = length.as_nanos().saturating_sub(offset);
        let reset = Duration::from_nanos(u64::try_from(reset_nanos).unwrap_or(u64::MAX));
        let count = {
            let mut shard = self.shard(&key).lock().unwrap_or_else(|p| p.into_inner());
            let entry = shard.entry(key).or_insert(Window {
                length,
                index,
                count: 0,
            });
            if entry.index != index || entry.length != length {
                *entry = Window {
                    length,
                    index,
                    count: 0,
                };
            }
            entry.count = entry.count.saturating_add(1);
            entry.count
        };
        let limit = limit.get();
        Decision {
            admitted: count <= limit,
            limit,
            remaining: limit.saturating_sub(count),
            reset,
        }
    }

    fn shard(&self, key: &LimitKey) -> &Mutex<HashMap<LimitKey, Window>> {
        let mut hasher = std::hash::DefaultHasher::new();
        key.hash(&mut hasher);
        let index = usize::try_from(hasher.finish()).unwrap_or(0) & (SHARDS - 1);
        &self.shards[index]
    }
}

/// The enterprise a request's path names (`/enterprises/{id}/...`), if it names a valid one.
pub(crate) fn enterprise_in_path(path: &str) -> Option<Uuid> {
    let rest = path.strip_prefix("/enterprises/")?;
    Uuid::parse_str(rest.split('/').next()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: LimitKey = LimitKey {
        account: 0,
        enterprise: None,
    };

    fn limit(n: u64) -> NonZeroU64 {
        NonZeroU64::new(n).unwrap()
    }

    #[test]
    fn a_window_admits_the_limit_then_refuses_until_it_ends() {
        let epoch = Instant::now();
        let limiter = RateLimiter::new(epoch);
        let second = Duration::from_secs(1);
        let at = |ms: u64| epoch + Duration::from_millis(ms);
        let verdicts: Vec<_> = [0, 100, 200, 300, 700]
            .map(|ms| limiter.decide(A, limit(3), second, at(ms)))
            .into_iter()
            .map(|d| (d.admitted, d.remaining))
            .collect();
        assert_eq!(
            verdicts,
            [(true, 2), (true, 1), (true, 0), (false, 0), (false, 0)]
        );
        let refused = limiter.decide(A, limit(3), second, at(700));
        assert_eq!(refused.reset, Duration::from_millis(300));
        let next = limiter.decide(A, limit(3), second, at(1000));
        assert!(next.admitted);
        assert_eq!((next.remaining, next.reset), (2, second));
    }

    #[test]
    fn keys_and_enterprises_have_budgets_of_their_own() {
        let epoch = Instant::now();
        let limiter = RateLimiter::new(epoch);
        let keys = [
            A,
            LimitKey {
                account: 1,
                enterprise: None,
            },
            LimitKey {
                account: 0,
                enterprise: Some(Uuid::from_u128(1)),
            },
            LimitKey {
                account: 0,
                enterprise: Some(Uuid::from_u128(2)),
            },
        ];
        for key in keys {
            let d = limiter.decide(key, limit(1), Duration::from_secs(60), epoch);
            assert!(d.admitted, "{key:?}");
            let d = limiter.decide(key, limit(1), Duration::from_secs(60), epoch);
            assert!(!d.admitted, "{key:?}");
        }
    }

    #[test]
    fn a_changed_window_length_starts_a_fresh_count() {
        let epoch = Instant::now();
        let limiter = RateLimiter::new(epoch);
        assert!(
            limiter
                .decide(A, limit(1), Duration::from_secs(1), epoch)
                .admitted
        );
        assert!(
            limiter
                .decide(A, limit(1), Duration::from_secs(2), epoch)
                .admitted
        );
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up_and_never_zero() {
        for (ms, expected) in [(0, 1), (1, 1), (300, 1), (1000, 1), (1001, 2), (59_999, 60)] {
            assert_eq!(
                retry_after_seconds(Duration::from_millis(ms)),
                expected,
                "{ms}"
            );
        }
    }

    #[test]
    fn headers_state_the_reset_in_seconds_to_the_millisecond_rounded_up() {
        let mut headers = HeaderMap::new();
        Decision {
            admitted: false,
            limit: 3,
            remaining: 0,
            reset: Duration::from_micros(733_200),
        }
        .write_headers(&mut headers);
        assert_eq!(headers["x-ratelimit-limit"], "3");
        assert_eq!(headers["x-ratelimit-remaining"], "0");
        assert_eq!(headers["x-ratelimit-reset"], "0.734");
        assert_eq!(headers["retry-after"], "1");
        let mut headers = HeaderMap::new();
        Decision {
            admitted: true,
            limit: 3,
            remaining: 2,
            reset: Duration::from_millis(59_000),
        }
        .write_headers(&mut headers);
        assert_eq!(headers["x-ratelimit-reset"], "59.000");
        assert!(headers.get("retry-after").is_none());
    }

    #[test]
    fn the_enterprise_is_read_from_enterprise_paths_only() {
        let id = Uuid::from_u128(0xabc);
        assert_eq!(
            enterprise_in_path(&format!("/enterprises/{id}/reputation/numbers")),
            Some(id)
        );
        assert_eq!(enterprise_in_path("/reputation/numbers"), None);
        assert_eq!(
            enterprise_in_path("/enterprises/nope/reputation/numbers"),
            None
        );
    }
}
