//! The pacer: one per client, shared by every task using it, so that a job runs at the server's
//! rate limit instead of into it.
//!
//! Telnyx limits requests per enterprise and says where a client stands in every answer:
//! `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds until the
//! window resets). The pacer reads them from every response and admits a new request only when
//! the window still has room for it:
//!
//! - **Window budget.** The last answer said `remaining` as of its own request; the requests sent
//!   after that one are on their way and will use some of it. A request is admitted while
//!   `remaining − (requests sent since)` is positive. When the window is used up, new requests
//!   wait for its reset; after the reset, at most `limit` requests go out before an answer says
//!   where the new window stands.
//! - **AIMD.** The number of requests in flight is capped; the cap halves on a 429 and grows by
//!   one after a window with none.
//! - **A fixed ceiling** (`ClientConfig::max_requests_per_second`) spaces requests on the
//!   client side.
//! - **429s.** A 429 that describes its window holds new requests until that window resets; one
//!   that does not closes the gate for every new request until its `Retry-After` passes.
//!
//! The pacer also remembers when a request last succeeded, for the stall rule
//! ([`Patience`](crate::retry::Patience)).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use reqwest::header::HeaderMap;
use tokio::sync::Notify;

#[cfg(test)]
use crate::retry::MAX_RATE_LIMIT_WAIT;
use crate::retry::{parse_retry_after, parse_seconds};

/// The in-flight cap the pacer starts with, before any 429 has lowered it.
const INITIAL_LIMIT: u32 = 256;
/// The window length assumed until the server's headers tell another.
const DEFAULT_WINDOW: Duration = Duration::from_secs(1);

/// The shared pacing state of one client.
#[derive(Debug)]
pub(crate) struct Pacer {
    state: Mutex<State>,
    changed: Notify,
    /// The fixed ceiling's spacing between two requests.
    spacing: Option<Duration>,
    /// The cap on how long one 429's `Retry-After` closes the gate.
    rate_limit_cap: Duration,
}

#[derive(Debug)]
struct State {
    /// Requests admitted so far; each request's number is its place in this sequence.
    sent: u64,
    in_flight: u32,
    /// The AIMD cap on requests in flight.
    limit: u32,
    /// The current AIMD window: when it started and whether it saw a 429.
    aimd_window_start: Instant,
    aimd_window_had_429: bool,
    /// What the server last said of its window.
    window: Option<Window>,
    /// No new request before this (a 429's `Retry-After`).
    gate: Option<Instant>,
    /// The fixed ceiling's next free slot.
    next_slot: Instant,
    /// When a request last succeeded.
    last_progress: Instant,
    /// Until when requests are waiting for the rate limit (for progress displays).
    waiting_until: Option<Instant>,
    /// 429s seen.
    rate_limited: u64,
    /// Answers seen.
    answered: u64,
}

/// The server's rate-limit window, as the last answer described it.
#[derive(Debug, Clone, Copy)]
struct Window {
    limit: u64,
    remaining: u64,
    /// The request whose answer said `remaining`.
    as_of: u64,
    ends: Instant,
    length: Duration,
}

/// A request's place in flight; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    pacer: &'a Pacer,
    seq: u64,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut state = self.pacer.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        drop(state);
        self.pacer.changed.notify_waiters();
    }
}

/// What the pacer wants before admitting a request.
enum Admission {
    Now(u64),
    WaitUntil(Instant),
    WaitForSlot,
}

impl Pacer {
    /// A pacer with an optional fixed ceiling in requests per second; one 429 closes the gate
    /// for at most `rate_limit_cap`.
    pub(crate) fn new(max_requests_per_second: Option<f64>, rate_limit_cap: Duration) -> Pacer {
        let now = Instant::now();
        Pacer {
            state: Mutex::new(State {
                sent: 0,
                in_flight: 0,
                limit: INITIAL_LIMIT,
                aimd_window_start: now,
                aimd_window_had_429: false,
                window: None,
                gate: None,
                next_slot: now,
                last_progress: now,
                waiting_until: None,
                rate_limited: 0,
                answered: 0,
            }),
            changed: Notify::new(),
            spacing: max_requests_per_second
                .filter(|r| r.is_finite() && *r > 0.0)
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            rate_limit_cap,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state holds plain numbers; a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a request may be sent, and takes its place in flight.
    pub(crate) async fn acquire(&self) -> Permit<'_> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            let admission = {
                let mut state = self.lock();
                // Registered under the lock, so a release between here and the await is seen.
                notified.as_mut().enable();
                state.admit(Instant::now(), self.spacing)
            };
            match admission {
                Admission::Now(seq) => return Permit { pacer: self, seq },
                Admission::WaitUntil(when) => {
                    let wait = when.saturating_duration_since(Instant::now());
                    tracing::debug!(wait_secs = wait.as_secs_f64(), "waiting for the rate limit");
                    tokio::time::sleep_until(when).await;
                }
                Admission::WaitForSlot => notified.await,
            }
        }
    }

    /// Reads an answer's rate-limit headers and status.
    pub(crate) fn observe(&self, permit: &Permit<'_>, status: u16, headers: &HeaderMap) {
        let now = Instant::now();
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let limit = header("x-ratelimit-limit").and_then(|v| v.trim().parse::<u64>().ok());
        let remaining = header("x-ratelimit-remaining").and_then(|v| v.trim().parse::<u64>().ok());
        let reset = header("x-ratelimit-reset").and_then(parse_seconds);
        let retry_after = header("retry-after")
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()))
            .map(|d| d.min(self.rate_limit_cap));
        let mut state = self.lock();
        state.answered = state.answered.saturating_add(1);
        let window = (limit, remaining, reset);
        let described_window = matches!(window, (Some(_), Some(_), Some(_)));
        if let (Some(limit), Some(remaining), Some(reset)) = window {
            state.learn_window(permit.seq, limit, remaining, reset, now);
        }
        if status == 429 {
            state.rate_limited = state.rate_limited.saturating_add(1);
            state.aimd_window_had_429 = true;
            let halved = state.limit.min(state.in_flight.max(1)) / 2;
            state.limit = halved.max(1);
            // An answer that describes its window already holds new requests until the window
            // resets, to the millisecond; `Retry-After` (whole seconds, rounded up) would hold
            // them up to a second longer. It closes the gate only when the window is unknown.
            if let Some(wait) = retry_after.filter(|_| !described_window) {
                let until = now + wait;
                state.gate = Some(state.gate.map_or(until, |g| g.max(until)));
            }
            tracing::debug!(
                in_flight_cap = state.limit,
                "429: halving requests in flight"
            );
        } else if status < 500 {
            state.last_progress = now;
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// How long ago a request last succeeded.
    pub(crate) fn since_progress(&self) -> Duration {
        self.lock().last_progress.elapsed()
    }

    /// Counts as progress (a new job starts its stall clock now).
    pub(crate) fn mark_progress(&self) {
        self.lock().last_progress = Instant::now();
    }

    /// How long new requests still wait for the rate limit, if they do.
    pub(crate) fn waiting_for(&self) -> Option<Duration> {
        let until = self.lock().waiting_until?;
        let left = until.saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    /// How many answers were 429.
    pub(crate) fn rate_limited(&self) -> u64 {
        self.lock().rate_limited
    }
}

impl State {
    fn admit(&mut self, now: Instant, spacing: Option<Duration>) -> Admission {
        self.grow_after_quiet_window(now);
        if let Some(gate) = self.gate {
            if gate > now {
                self.waiting_until = Some(gate);
                return Admission::WaitUntil(gate);
            }
            self.gate = None;
        }
        if let Some(window) = &mut self.window {
            if now >= window.ends {
                // A new window: at most `limit` requests until an answer says where it stands.
                window.remaining = window.limit;
                window.as_of = self.sent;
                window.ends = now + window.length;
            }
            let sent_since = self.sent.saturating_sub(window.as_of);
            if window.remaining <= sent_since {
                self.waiting_until = Some(window.ends);
                return Admission::WaitUntil(window.ends);
            }
        }
        // Until the first answer says whether and how the server limits, one request probes.
        if self.in_flight >= self.limit || (self.answered == 0 && self.in_flight > 0) {
            return Admission::WaitForSlot;
        }
        if let Some(spacing) = spacing {
            if self.next_slot > now {
                return Admission::WaitUntil(self.next_slot);
            }
            self.next_slot = self.next_slot.max(now) + spacing;
        }
        self.waiting_until = None;
        self.in_flight += 1;
        self.sent += 1;
        Admission::Now(self.sent)
    }

    /// Takes what an answer said of the window, unless a later answer already said more.
    fn learn_window(
        &mut self,
        seq: u64,
        limit: u64,
        remaining: u64,
        reset: Duration,
        now: Instant,
    ) {
        let ends = now + reset;
        let length = self.window.map_or(DEFAULT_WINDOW, |w| w.length).max(reset);
        match &mut self.window {
            // An answer about an older window, or older than the one we have: keep ours.
            Some(w) if ends + Duration::from_millis(50) < w.ends && seq < w.as_of => {}
            Some(w) if seq < w.as_of && ends <= w.ends + Duration::from_millis(50) => {
                w.remaining = w.remaining.min(remaining.saturating_add(w.as_of - seq));
                w.limit = limit;
            }
            _ => {
                self.window = Some(Window {
                    limit,
                    remaining,
                    as_of: seq,
                    ends,
                    length,
                })
            }
        }
    }

    fn grow_after_quiet_window(&mut self, now: Instant) {
        let length = self.window.map_or(DEFAULT_WINDOW, |w| w.length);
        if now.saturating_duration_since(self.aimd_window_start) >= length {
            if !self.aimd_window_had_429 && self.limit < INITIAL_LIMIT {
                self.limit += 1;
            }
            self.aimd_window_start = now;
            self.aimd_window_had_429 = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(limit: u64, remaining: u64, reset: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", limit.to_string().parse().unwrap());
        h.insert(
            "x-ratelimit-remaining",
            remaining.to_string().parse().unwrap(),
        );
        h.insert("x-ratelimit-reset", reset.parse().unwrap());
        h
    }

    fn admitted(state: &mut State, now: Instant) -> bool {
        matches!(state.admit(now, None), Admission::Now(_))
    }

    #[tokio::test(start_paused = true)]
    async fn a_used_up_window_holds_new_requests_until_its_reset() {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        let first = pacer.acquire().await;
        pacer.observe(&first, 200, &headers(3, 2, "0.5"));
        drop(first);
        // Two left in this window: two are admitted, the third waits for the reset.
        let a = pacer.acquire().await;
        let b = pacer.acquire().await;
        let mut state = pacer.lock();
        let now = Instant::now();
        assert!(matches!(state.admit(now, None), Admission::WaitUntil(_)));
        assert!(state.waiting_until.is_some());
        // After the reset, a new window: up to `limit` (3) before any answer.
        let later = now + Duration::from_millis(600);
        assert!(admitted(&mut state, later));
        assert!(admitted(&mut state, later));
        assert!(admitted(&mut state, later));
        assert!(!admitted(&mut state, later));
        drop(state);
        drop((a, b));
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_counts_requests_sent_after_the_answering_one() {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        pacer.lock().answered = 1; // past the first request's probe
        let a = pacer.acquire().await; // seq 1
        let b = pacer.acquire().await; // seq 2
        let c = pacer.acquire().await; // seq 3
        // a's answer: 3 remaining as of a; b and c are on their way → 1 left.
        pacer.observe(&a, 200, &headers(10, 3, "1"));
        let mut state = pacer.lock();
        let now = Instant::now();
        assert!(admitted(&mut state, now));
        assert!(!admitted(&mut state, now));
        drop(state);
        drop((a, b, c));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_halves_the_in_flight_cap_and_a_quiet_window_grows_it() {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        pacer.lock().answered = 1; // past the first request's probe
        let permits: Vec<_> = futures::future::join_all((0..8).map(|_| pacer.acquire())).await;
        pacer.observe(&permits[0], 429, &HeaderMap::new());
        assert_eq!(pacer.lock().limit, 4);
        assert_eq!(pacer.rate_limited(), 1);
        drop(permits);
        let mut state = pacer.lock();
        let now = Instant::now();
        state.grow_after_quiet_window(now + Duration::from_secs(1)); // the window with the 429
        assert_eq!(state.limit, 4);
        state.grow_after_quiet_window(now + Duration::from_secs(2)); // a quiet one
        assert_eq!(state.limit, 5);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_closes_the_gate_capped_at_a_minute() {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        let a = pacer.acquire().await;
        let mut h = HeaderMap::new();
        h.insert("retry-after", "31536000".parse().unwrap());
        pacer.observe(&a, 429, &h);
        drop(a);
        let wait = pacer.waiting_for();
        assert_eq!(wait, None); // nobody waits yet
        let mut state = pacer.lock();
        match state.admit(Instant::now(), None) {
            Admission::WaitUntil(t) => {
                assert!(t.saturating_duration_since(Instant::now()) <= MAX_RATE_LIMIT_WAIT)
            }
            _ => panic!("the gate should be closed"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_that_describes_its_window_holds_requests_until_the_reset_not_retry_after() {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        let a = pacer.acquire().await;
        let mut h = headers(50, 0, "0.3");
        h.insert("retry-after", "1".parse().unwrap());
        pacer.observe(&a, 429, &h);
        drop(a);
        let mut state = pacer.lock();
        let now = Instant::now();
        match state.admit(now, None) {
            Admission::WaitUntil(t) => {
                assert!(t.saturating_duration_since(now) <= Duration::from_millis(300))
            }
            _ => panic!("the window is used up"),
        }
        assert!(state.gate.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn one_request_probes_until_the_first_answer() {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        let probe = pacer.acquire().await;
        assert!(!admitted(&mut pacer.lock(), Instant::now()));
        // An answer without rate-limit headers: no limit to pace to.
        pacer.observe(&probe, 200, &HeaderMap::new());
        let mut state = pacer.lock();
        for _ in 0..20 {
            assert!(admitted(&mut state, Instant::now()));
        }
        drop(state);
        drop(probe);
    }

    #[tokio::test(start_paused = true)]
    async fn a_fixed_ceiling_spaces_requests() {
        let pacer = Pacer::new(Some(10.0), MAX_RATE_LIMIT_WAIT);
        let mut state = pacer.lock();
        state.answered = 1; // past the first request's probe
        let now = Instant::now();
        assert!(matches!(state.admit(now, pacer.spacing), Admission::Now(_)));
        assert!(matches!(
            state.admit(now, pacer.spacing),
            Admission::WaitUntil(_)
        ));
        let later = now + Duration::from_millis(100);
        assert!(matches!(
            state.admit(later, pacer.spacing),
            Admission::Now(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn only_answers_below_429_count_as_progress() {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        tokio::time::advance(Duration::from_secs(5)).await;
        let a = pacer.acquire().await;
        pacer.observe(&a, 503, &HeaderMap::new());
        assert!(pacer.since_progress() >= Duration::from_secs(5));
        pacer.observe(&a, 404, &HeaderMap::new());
        assert!(pacer.since_progress() < Duration::from_secs(1));
    }
}
