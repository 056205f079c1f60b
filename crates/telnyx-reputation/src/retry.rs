//! One retry path: a pure decision ([`RetryPolicy::decide_failure`]) and one async runner
//! ([`run_until`]), which every call of the client goes through. Only [`RetryPolicy`] is
//! public; the classification and the runner are the client's own.
//!
//! Failures are first classified ([`Failure`]): what kind of failure happened, and so whether
//! the server can have acted. The policy then decides whether and when to try again:
//!
//! - **Rate limited (429)** is back-pressure, not failure: the request was not applied, and it is
//!   always sent again after `Retry-After`, else `x-ratelimit-reset`, else backoff, each wait
//!   capped at 60 s by default. These waits do not use the retry budget; only the
//!   stall rule ([`Patience`]) ends them.
//! - **Not sent** (no connection) is retried within the budget, even for a billable associate.
//! - **Ambiguous** (timeout or dropped connection after sending, 5xx, and 408, which a gateway
//!   may send after the server acted) is retried within the budget only when the request is
//!   [`Idempotency::Idempotent`]. A billable call (associate, a reputation read that may bill)
//!   gets the error back and must be reconciled, never sent again blindly.
//! - Anything else (a refusal, a protocol failure) is final.
//!
//! Backoff is exponential with full jitter (`fastrand`), capped by [`RetryPolicy::max_delay`].

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use crate::error::Error;
use crate::patience::{Patience, Stall};

/// The longest a single 429 makes a request wait by default, whatever the server asks: a
/// `Retry-After` of a year means 60 s ([`RetryPolicy::max_rate_limit_wait`] changes it). The
/// stall rule decides when to stop waiting altogether.
pub(crate) const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// Whether a request may be sent again after a failure whose outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Reads and deletes: sending twice has the effect of sending once.
    Idempotent,
    /// Associate, refresh, remediation, reputation reads (billable when fresh or uncached):
    /// sent again only when the server certainly did not act (no connection, 429). Otherwise the
    /// caller gets an ambiguous-outcome error and must reconcile (the bulk engine does).
    NotIdempotent,
}

/// What kind of failure happened, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 429: the server refused to act for now. `wait` is what it asked for (`Retry-After`, else
    /// `x-ratelimit-reset`), when it said.
    RateLimited {
        /// The server's requested wait, if any.
        wait: Option<Duration>,
    },
    /// The request never left: no connection could be made.
    NotSent,
    /// Sent, and the outcome is unknown: a timeout, a dropped connection, a 5xx, a 408 (a
    /// request timeout that a gateway may answer after the server behind it acted).
    Ambiguous,
    /// A refusal or an unreadable answer: trying again gives the same result.
    Final,
}

/// How a failed request is retried: the budget for transient failures and the backoff.
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
    max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_rate_limit_wait: MAX_RATE_LIMIT_WAIT,
        }
    }
}

impl RetryPolicy {
    /// No retries of transient failures (a 429 is still waited out: it is not a failure).
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// This policy with no limit on the count of retries: every retryable failure is retried
    /// until the stall rule ([`Patience`]) ends it. For idempotent calls that must finish, such
    /// as the lookups of reconciliation and the disassociations of a rollback. Backoff keeps its
    /// base and is capped at 5 s (or lower, if this policy's cap is lower), so that a recovering
    /// server is noticed quickly.
    ///
    /// ```
    /// use telnyx_reputation::RetryPolicy;
    /// assert_eq!(RetryPolicy::default().until_stalled().retries(), u32::MAX);
    /// ```
    pub fn until_stalled(self) -> Self {
        RetryPolicy {
            max_retries: u32::MAX,
            max_delay: self.max_delay.min(Duration::from_secs(5)),
            ..self
        }
    }

    /// Sets how many times a transient failure is retried after the first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the first backoff delay (doubled at each retry).
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets the cap on any one backoff wait and on a transient failure's `Retry-After`.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the cap on the wait one 429 causes (default 60 s).
    pub fn max_rate_limit_wait(mut self, cap: Duration) -> Self {
        self.max_rate_limit_wait = cap;
        self
    }

    /// The cap on the wait one 429 causes.
    pub fn rate_limit_wait_cap(&self) -> Duration {
        self.max_rate_limit_wait
    }

    /// How many retries of a transient failure follow the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether, and after how long, to send a request again after a failure of kind `failure`.
    /// `attempt` counts the earlier failures of the same kind (429s are counted apart from
    /// transient failures; see [`run_until`]); the jitter is given (`[0, 1)`), so the rule can
    /// be tested as a table.
    pub(crate) fn decide_failure(
        &self,
        failure: Failure,
        attempt: u32,
        idempotency: Idempotency,
        jitter: f64,
    ) -> Option<Duration> {
        let within_budget = attempt < self.max_retries;
        match failure {
            Failure::RateLimited { wait } => Some(
                wait.unwrap_or_else(|| self.backoff(attempt, jitter))
                    .min(self.max_rate_limit_wait),
            ),
            Failure::NotSent => within_budget.then(|| self.backoff(attempt, jitter)),
            Failure::Ambiguous => (within_budget && idempotency == Idempotency::Idempotent)
                .then(|| self.backoff(attempt, jitter)),
            Failure::Final => None,
        }
    }

    /// Exponential backoff with full jitter: a wait in `[0, base × 2^attempt)`, capped.
    fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        self.base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.max_delay)
            .mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// How a retried operation ended without success.
#[derive(Debug)]
pub(crate) enum Gave<E> {
    /// The policy said not to try again: the last failure.
    Up(E),
    /// The stall rule ended it: the last failure, and why.
    Stalled(E, Stall),
    /// The caller's token ended a wait before the next attempt ([`run_until`]): the last
    /// failure, after which nothing more was sent.
    Cancelled(E),
}

/// Runs `attempt` until it succeeds, the policy says stop, or the stall rule ends it; the
/// waits between attempts also end when `cancel` is cancelled ([`Gave::Cancelled`]).
///
/// `classify` says what kind of failure each error is; `since_progress` says how long ago any
/// request (of this client, not only this call) last succeeded. 429s are counted apart from
/// transient failures, so a rate limit never uses up the retry budget. No wait outlasts the
/// stall rule: a wait that would pass the stall timeout or the deadline ends there, with
/// [`Gave::Stalled`], instead of sending once more.
pub(crate) async fn run_until<T, E, F, Fut>(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    patience: Patience,
    cancel: Option<&tokio_util::sync::CancellationToken>,
    classify: impl Fn(&E) -> Failure,
    since_progress: impl Fn() -> Duration,
    mut attempt: F,
) -> Result<T, Gave<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let (mut transient, mut rate_limited) = (0u32, 0u32);
    loop {
        let error = match attempt().await {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let failure = classify(&error);
        let count = match failure {
            Failure::RateLimited { .. } => &mut rate_limited,
            _ => &mut transient,
        };
        let Some(wait) = policy.decide_failure(failure, *count, idempotency, fastrand::f64())
        else {
            return Err(Gave::Up(error));
        };
        *count = count.saturating_add(1);
        let now = Instant::now();
        let quiet = since_progress();
        if let Some(stall) = patience.check(quiet, now) {
            return Err(Gave::Stalled(error, stall));
        }
        // The wait ends at the stall timeout or the deadline, if either comes first; then the
        // call gives up rather than send once more.
        let bounded = patience
            .clamp_wait(wait, now)
            .min(patience.stall_timeout.saturating_sub(quiet));
        if matches!(failure, Failure::RateLimited { .. }) {
            tracing::debug!(wait = ?bounded, error = %error, "rate limited; waiting");
        } else {
            tracing::warn!(retry = *count, wait = ?bounded, error = %error, "retrying");
        }
        let cancelled = async {
            match cancel {
                Some(token) => token.cancelled().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = tokio::time::sleep(bounded) => {}
            () = cancelled => return Err(Gave::Cancelled(error)),
        }
        if bounded < wait
            && let Some(stall) = patience.check(since_progress(), Instant::now())
        {
            return Err(Gave::Stalled(error, stall));
        }
    }
}

/// What kind of failure `error` is for retrying.
pub(crate) fn failure(error: &Error) -> Failure {
    match error {
        Error::Api(e) => classify_status(e.status, e.retry_after),
        Error::Connect { .. } => Failure::NotSent,
        Error::Ambiguous { .. } => Failure::Ambiguous,
        _ => Failure::Final,
    }
}

/// The [`Failure`] kind of an HTTP status (`rate_limit_wait` for a 429).
pub(crate) fn classify_status(status: u16, rate_limit_wait: Option<Duration>) -> Failure {
    match status {
        429 => Failure::RateLimited {
            wait: rate_limit_wait,
        },
        408 | 500..=599 => Failure::Ambiguous,
        _ => Failure::Final,
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (relative to `now`).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses a number of seconds that may have a fraction (`x-ratelimit-reset: 0.734`), refusing
/// negative, non-finite and absurd values (more than a day).
pub(crate) fn parse_seconds(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && (0.0..=86_400.0).contains(&seconds))
        .then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Failure::*;
    use Idempotency::*;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// The whole rule as a table: failure, attempt, idempotency → wait (jitter fixed at 0.5).
    #[test]
    fn decision_table() {
        let policy = RetryPolicy::default() // 2 retries, 250 ms base, 30 s cap
            ;
        let rows: &[(Failure, u32, Idempotency, Option<Duration>)] = &[
            // 429: always, the server's wait when given, capped at 60 s, outside the budget.
            (
                RateLimited { wait: Some(S(3)) },
                0,
                NotIdempotent,
                Some(S(3)),
            ),
            (
                RateLimited { wait: Some(S(3)) },
                50,
                NotIdempotent,
                Some(S(3)),
            ),
            (
                RateLimited {
                    wait: Some(S(31_536_000)),
                },
                0,
                Idempotent,
                Some(S(60)),
            ),
            (RateLimited { wait: None }, 0, NotIdempotent, Some(MS(125))),
            (RateLimited { wait: None }, 1, Idempotent, Some(MS(250))),
            // Not sent / not applied: within the budget, whatever the idempotency.
            (NotSent, 0, NotIdempotent, Some(MS(125))),
            (NotSent, 1, NotIdempotent, Some(MS(250))),
            (NotSent, 2, NotIdempotent, None),
            // Ambiguous: only idempotent requests, within the budget.
            (Ambiguous, 0, Idempotent, Some(MS(125))),
            (Ambiguous, 1, Idempotent, Some(MS(250))),
            (Ambiguous, 2, Idempotent, None),
            (Ambiguous, 0, NotIdempotent, None),
            // Final: never.
            (Final, 0, Idempotent, None),
            (Final, 0, NotIdempotent, None),
        ];
        for &(failure, attempt, idempotency, expected) in rows {
            assert_eq!(
                policy.decide_failure(failure, attempt, idempotency, 0.5),
                expected,
                "{failure:?} attempt {attempt} {idempotency:?}"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy::default()
            .base_delay(MS(100))
            .max_delay(MS(350))
            .max_retries(10);
        let almost_one = 0.999_999;
        let wait = |attempt| policy.decide_failure(NotSent, attempt, Idempotent, almost_one);
        assert!(wait(0).unwrap() <= MS(100));
        assert!(wait(1).unwrap() > MS(150));
        assert!(wait(5).unwrap() <= MS(350));
        assert!(wait(9).unwrap() <= MS(350));
        assert_eq!(wait(10), None);
        assert_eq!(
            policy.decide_failure(NotSent, 3, Idempotent, 0.0),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn until_stalled_never_runs_out_of_budget() {
        let policy = RetryPolicy::default().until_stalled();
        assert!(
            policy
                .decide_failure(Ambiguous, 1_000_000, Idempotent, 0.9)
                .unwrap()
                <= S(5)
        );
        assert_eq!(
            policy.decide_failure(Ambiguous, 0, NotIdempotent, 0.9),
            None
        );
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(
            classify_status(429, Some(S(2))),
            RateLimited { wait: Some(S(2)) }
        );
        for status in [408, 500, 502, 503, 504] {
            assert_eq!(classify_status(status, None), Ambiguous, "{status}");
        }
        for status in [400, 401, 403, 404, 409, 422] {
            assert_eq!(classify_status(status, None), Final, "{status}");
            assert!(!Error::is_retryable_status(status));
        }
    }

    #[test]
    fn patience_gives_up_on_no_progress_or_the_deadline() {
        let now = Instant::now();
        let patience = Patience {
            stall_timeout: S(120),
            deadline: Some(now + S(10)),
        };
        assert_eq!(patience.check(S(119), now), None);
        assert_eq!(patience.check(S(120), now), Some(Stall::NoProgress(S(120))));
        assert_eq!(patience.check(S(0), now + S(10)), Some(Stall::Deadline));
        assert_eq!(patience.clamp_wait(S(60), now), S(10));
        assert_eq!(patience.clamp_wait(S(60), now + S(11)), Duration::ZERO);
    }

    #[test]
    fn header_values_parse() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(S(7)));
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(S(10))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_100);
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_seconds("0.734"), Some(MS(734)));
        assert_eq!(parse_seconds("2"), Some(S(2)));
        for bad in ["-1", "NaN", "inf", "1e30", "x"] {
            assert_eq!(parse_seconds(bad), None, "{bad}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_runner_waits_out_429s_beyond_the_budget_then_succeeds() {
        let mut calls = 0;
        let result: Result<u32, Gave<String>> = run_until(
            &RetryPolicy::none(),
            NotIdempotent,
            Patience::default(),
            None,
            |e: &String| {
                if e == "429" {
                    RateLimited { wait: Some(S(1)) }
                } else {
                    Final
                }
            },
            || Duration::ZERO,
            || {
                calls += 1;
                let n = calls;
                async move { if n <= 5 { Err("429".to_owned()) } else { Ok(n) } }
            },
        )
        .await;
        assert_eq!(result.ok(), Some(6));
    }

    #[tokio::test(start_paused = true)]
    async fn the_runner_gives_up_by_the_stall_rule_only() {
        // The paused clock: every backoff sleep advances it at once.
        let start = tokio::time::Instant::now();
        let result: Result<(), Gave<String>> = run_until(
            &RetryPolicy::default().until_stalled(),
            Idempotent,
            Patience {
                stall_timeout: S(30),
                deadline: None,
            },
            None,
            |_: &String| Ambiguous,
            || start.elapsed(),
            || async { Err("503".to_owned()) },
        )
        .await;
        match result {
            Err(Gave::Stalled(last, Stall::NoProgress(_))) => assert_eq!(last, "503"),
            other => panic!("expected a stall, got {other:?}"),
        }
    }
}
