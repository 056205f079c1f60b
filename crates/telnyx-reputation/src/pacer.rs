//! The pacer: one per client, shared by every task using it, so that a job runs at the server's
//! rate limit instead of into it.
//!
//! Telnyx limits requests per enterprise and says where a client stands in every answer:
//! `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds until the
//! window resets). The pacer reads them from every response and admits a new request only when
//! the window still has room for it:
//!
//! - **Window budget.** An answer says `remaining` as of its own request's arrival. Requests may
//!   arrive in another order than they were sent, so every request that might reach the server
//!   after it is counted against it: those already in flight when it was sent, and those sent
//!   since. What is left is a lower bound on the room in the window; of several answers about
//!   one window the pacer keeps the largest bound. When the bound reaches 0, new requests wait
//!   for the window's reset; after the reset, at most `limit` minus the requests still in
//!   flight (each charged to one window only) go out before an answer says where the new window
//!   stands.
//! - **Window length** is learned from the answers (the longest `x-ratelimit-reset` seen), so
//!   that a window of 20 ms is not taken for a second: a request that finds a new window used
//!   up waits for that window's end, never for a guessed second.
//! - **AIMD.** The number of requests in flight is capped; the cap halves on a 429 and grows by
//!   one after a window with none.
//! - **A fixed ceiling** (`ClientConfig::max_requests_per_second`) spaces requests on the
//!   client side.
//! - **429s.** A 429 that describes its window holds new requests until that window resets; one
//!   that does not closes the gate for every new request until its `Retry-After` passes.
//!
//! The pacer also remembers when a request last succeeded, for the stall rule
//! ([`Patience`](crate::Patience)).
//!
//! **Bounded waits.** Whatever the headers say, one wait for a window ends within the cap on a
//! 429's wait (60 s by default): an `x-ratelimit-reset` of a day is read as a window of a
//! minute, and an `x-ratelimit-limit` of 0 (a window that admits nothing, which no server
//! means) is not believed. A client call waits through [`Pacer::acquire_within`], which also
//! gives up when the stall rule or the deadline ends the call, or when its cancellation token
//! is cancelled; a request given up on was never sent.
//!
//! Its mutex is taken once to admit a request and once to read its answer and release its place;
//! the [`Notify`] is touched only when a task waits for a place in flight.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use reqwest::header::HeaderMap;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::patience::{Patience, Stall};
use crate::retry::{parse_retry_after, parse_seconds};

#[cfg(test)]
mod tests;

/// The in-flight cap the pacer starts with, before any 429 has lowered it.
const INITIAL_LIMIT: u32 = 256;
/// The window length assumed for AIMD until the server's headers tell one.
const DEFAULT_WINDOW: Duration = Duration::from_secs(1);
/// The shortest window length the pacer believes (`x-ratelimit-reset` has millisecond
/// precision; a 0 would make every admission a new window).
const MIN_WINDOW: Duration = Duration::from_millis(1);

/// The shared pacing state of one client: a handle, cheap to clone, that every clone of the
/// client and every [`Permit`] shares.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    shared: Arc<Shared>,
}

impl std::ops::Deref for Pacer {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

/// What a [`Pacer`]'s handles share.
#[derive(Debug)]
pub(crate) struct Shared {
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
    /// Tasks waiting for a place in flight (the only ones [`Pacer::changed`] wakes).
    waiters: u32,
    /// The AIMD cap on requests in flight.
    limit: u32,
    /// The current AIMD window: when it started and whether it saw a 429.
    aimd_window_start: Instant,
    aimd_window_had_429: bool,
    /// What the server last said of its window.
    window: Option<Window>,
    /// The requests up to this one were charged to a window at its reset.
    charged_through: u64,
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

/// The server's rate-limit window, as the answers described it.
#[derive(Debug, Clone, Copy)]
struct Window {
    limit: u64,
    /// A lower bound on the room left in the window, as of request `as_of`'s admission: every
    /// request admitted after it still has to be taken off.
    room: u64,
    /// The request (its sequence number) the bound is counted from.
    as_of: u64,
    ends: Instant,
    /// Whether `ends` came from an answer (`false`: guessed from the length at a reset).
    told: bool,
    /// The longest `x-ratelimit-reset` seen: the window's length, or a little less.
    length: Duration,
}

impl Window {
    /// Requests that may still be sent in this window, `sent` requests having gone out.
    fn left(&self, sent: u64) -> u64 {
        self.room.saturating_sub(sent.saturating_sub(self.as_of))
    }
}

/// A request's place in flight; dropping it frees the place ([`Pacer::observe`] frees it with
/// the same lock that reads the answer).
#[derive(Debug)]
pub(crate) struct Permit {
    pacer: Pacer,
    seq: u64,
    /// Requests in flight when this one was admitted: any of them may reach the server after it.
    ahead: u32,
    /// Whether [`Pacer::observe`] released its place already.
    answered: bool,
}

/// What bounds a wait for admission: the call's stall rule (with how long ago a request last
/// succeeded, as the call counts it) and its cancellation token.
pub(crate) struct Bounds<'a> {
    /// The stall timeout and the deadline of the call.
    pub patience: Patience,
    /// How long ago the call last saw progress.
    pub since_progress: &'a (dyn Fn() -> Duration + Send + Sync),
    /// Once cancelled, the wait ends (the request is not sent).
    pub cancel: Option<&'a CancellationToken>,
}

/// Why a bounded wait for admission ended without admission: the request was never sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitEnd {
    /// The stall rule or the deadline ended it.
    Stalled(Stall),
    /// The caller's token was cancelled.
    Cancelled,
}

impl Bounds<'_> {
    /// Whether the wait must end now, and otherwise until when it may go on: the moment the
    /// stall timeout would pass without progress, or the deadline, whichever comes first.
    fn check(&self) -> Result<Instant, WaitEnd> {
        if self.cancel.is_some_and(CancellationToken::is_cancelled) {
            return Err(WaitEnd::Cancelled);
        }
        let quiet = (self.since_progress)();
        let now = Instant::now();
        if let Some(stall) = self.patience.check(quiet, now.into_std()) {
            return Err(WaitEnd::Stalled(stall));
        }
        let stalls_at = now + self.patience.stall_timeout.saturating_sub(quiet);
        Ok(match self.patience.deadline {
            Some(deadline) => stalls_at.min(Instant::from_std(deadline)),
            None => stalls_at,
        })
    }
}

/// Waits for `wake`, or less when `bounds` end the wait first: `Err` when they ended it (or had
/// ended it before the wait began), `Ok` when `wake` came, or when the wait must look again.
async fn bounded(
    bounds: Option<&Bounds<'_>>,
    wake: impl Future<Output = ()>,
) -> Result<(), WaitEnd> {
    let Some(bounds) = bounds else {
        wake.await;
        return Ok(());
    };
    let until = bounds.check()?;
    let cancelled = async {
        match bounds.cancel {
            Some(token) => token.cancelled().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = wake => Ok(()),
        () = tokio::time::sleep_until(until) => bounds.check().map(|_| ()),
        () = cancelled => Err(WaitEnd::Cancelled),
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        // Reached only when no answer was read (a dropped connection, a timeout, a cancelled
        // call): the request may still have been counted, so the window budget keeps it.
        let mut state = self.pacer.lock();
        let wake = state.release();
        drop(state);
        if wake {
            self.pacer.changed.notify_waiters();
        }
    }
}

/// What the pacer wants before admitting a request.
#[derive(Debug)]
enum Admission {
    Now { seq: u64, ahead: u32 },
    WaitUntil(Instant),
    WaitForSlot,
}

/// Counts a task among the waiters for a place while it lives (also when its `acquire` is
/// cancelled).
struct Waiting<'a>(&'a Shared);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.waiters = state.waiters.saturating_sub(1);
    }
}

/// The rate-limit headers, named once.
const LIMIT: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("x-ratelimit-limit");
const REMAINING: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("x-ratelimit-remaining");
const RESET: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("x-ratelimit-reset");

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state holds plain numbers; a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Pacer {
    /// A pacer with an optional fixed ceiling in requests per second; one 429 closes the gate
    /// for at most `rate_limit_cap`.
    pub(crate) fn new(max_requests_per_second: Option<f64>, rate_limit_cap: Duration) -> Pacer {
        let now = Instant::now();
        let shared = Shared {
            state: Mutex::new(State {
                sent: 0,
                in_flight: 0,
                waiters: 0,
                limit: INITIAL_LIMIT,
                aimd_window_start: now,
                aimd_window_had_429: false,
                window: None,
                charged_through: 0,
                gate: None,
                next_slot: now,
                last_progress: now,
                waiting_until: None,
                rate_limited: 0,
                answered: 0,
            }),
            changed: Notify::new(),
            // A rate too small for a spacing that a `Duration` holds is no ceiling at all.
            spacing: max_requests_per_second
                .filter(|r| r.is_finite() && *r > 0.0)
                .and_then(|r| Duration::try_from_secs_f64(1.0 / r).ok()),
            rate_limit_cap,
        };
        Pacer {
            shared: Arc::new(shared),
        }
    }

    /// Waits until a request may be sent, and takes its place in flight.
    pub(crate) async fn acquire(&self) -> Permit {
        loop {
            // Unbounded, a wait only ends in admission.
            if let Ok(permit) = self.wait_for_admission(None).await {
                return permit;
            }
        }
    }

    /// [`acquire`](Self::acquire), giving up (nothing is sent) when `bounds` end the wait: the
    /// stall rule, the deadline or the token.
    pub(crate) async fn acquire_within(&self, bounds: &Bounds<'_>) -> Result<Permit, WaitEnd> {
        self.wait_for_admission(Some(bounds)).await
    }

    /// The one admission loop, bounded or not: admitted at once when the pacer allows it, else
    /// a wait, which `bounds` may end first.
    async fn wait_for_admission(&self, bounds: Option<&Bounds<'_>>) -> Result<Permit, WaitEnd> {
        loop {
            // The common case: admitted at once, one lock, no `Notify` registration.
            let admission = self.lock().admit(Instant::now(), self.spacing);
            let admission = match admission {
                Admission::WaitForSlot => {
                    let notified = self.changed.notified();
                    tokio::pin!(notified);
                    let (admission, waiting) = {
                        let mut state = self.lock();
                        // Registered under the lock, so a release after it is seen.
                        notified.as_mut().enable();
                        let admission = state.admit(Instant::now(), self.spacing);
                        let waiting = matches!(admission, Admission::WaitForSlot).then(|| {
                            state.waiters = state.waiters.saturating_add(1);
                            Waiting(self)
                        });
                        (admission, waiting)
                    };
                    if let Some(waiting) = waiting {
                        bounded(bounds, notified).await?;
                        drop(waiting);
                        continue;
                    }
                    admission
                }
                other => other,
            };
            match admission {
                Admission::Now { seq, ahead } => {
                    return Ok(Permit {
                        pacer: self.clone(),
                        seq,
                        ahead,
                        answered: false,
                    });
                }
                Admission::WaitUntil(when) => {
                    let wait = when.saturating_duration_since(Instant::now());
                    tracing::debug!(wait_secs = wait.as_secs_f64(), "waiting for the rate limit");
                    bounded(bounds, tokio::time::sleep_until(when)).await?;
                }
                Admission::WaitForSlot => {}
            }
        }
    }

    /// Reads an answer's rate-limit headers and status, and frees the request's place in flight
    /// under the same lock.
    pub(crate) fn observe(&self, permit: Permit, status: u16, headers: &HeaderMap) {
        let number = |name: &reqwest::header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        // A window that admits nothing says nothing a client can pace to; a reset further off
        // than the cap on one wait is waited for that long at most.
        let window = match (number(&LIMIT), number(&REMAINING)) {
            (Some(limit), Some(remaining)) if limit > 0 => headers
                .get(&RESET)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_seconds)
                .map(|reset| (limit, remaining, reset.min(self.rate_limit_cap))),
            _ => None,
        };
        // `Retry-After` matters only on a 429 that does not describe its window.
        let retry_after = (status == 429 && window.is_none())
            .then(|| headers.get(reqwest::header::RETRY_AFTER))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()))
            .map(|d| d.min(self.rate_limit_cap));
        let (seq, ahead) = (permit.seq, permit.ahead);
        // Released below, with the same lock; the permit's own drop then releases nothing.
        let mut permit = permit;
        permit.answered = true;
        let now = Instant::now();
        let mut state = self.lock();
        state.answered = state.answered.saturating_add(1);
        if let Some((limit, remaining, reset)) = window {
            let answer = Answer {
                seq,
                ahead,
                limit,
                remaining,
                reset,
                refused: status == 429,
            };
            state.learn_window(answer, now);
        }
        if status == 429 {
            state.rate_limited = state.rate_limited.saturating_add(1);
            state.aimd_window_had_429 = true;
            let halved = state.limit.min(state.in_flight.max(1)) / 2;
            state.limit = halved.max(1);
            // An answer that describes its window already holds new requests until the window
            // resets, to the millisecond; `Retry-After` (whole seconds, rounded up) would hold
            // them up to a second longer. It closes the gate only when the window is unknown.
            if let Some(wait) = retry_after {
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
        let wake = state.release();
        drop(state);
        if wake {
            self.changed.notify_waiters();
        }
    }

    /// How long ago a request last succeeded.
    pub(crate) fn since_progress(&self) -> Duration {
        self.lock().last_progress.elapsed()
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

/// What one answer said of the server's window.
#[derive(Debug, Clone, Copy)]
struct Answer {
    /// The answered request's sequence number.
    seq: u64,
    /// Requests in flight when it was admitted.
    ahead: u32,
    limit: u64,
    remaining: u64,
    reset: Duration,
    /// Whether the answer was a 429: the window was full when the request arrived.
    refused: bool,
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
                // A new window. Until an answer says where it stands, `limit` requests, less
                // those still in flight that may reach the server in it. Each is charged to one
                // window only (those sent since the last reset, at most): a request that hangs
                // does not shrink every window after it.
                let uncharged = self.sent.saturating_sub(self.charged_through);
                let charged = u64::from(self.in_flight).min(uncharged);
                window.room = window.limit.saturating_sub(charged);
                self.charged_through = self.sent;
                window.as_of = self.sent;
                window.ends = now + window.length;
                window.told = false;
            }
            if window.left(self.sent) == 0 {
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
        let ahead = self.in_flight;
        self.in_flight = self.in_flight.saturating_add(1);
        self.sent = self.sent.saturating_add(1);
        Admission::Now {
            seq: self.sent,
            ahead,
        }
    }

    /// Frees one place in flight; says whether a task waits for one.
    fn release(&mut self) -> bool {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.waiters > 0
    }

    /// Takes what an answer said of the window: a later window replaces ours, an earlier one
    /// teaches nothing, and of two bounds on the same window the larger holds (each is a lower
    /// bound on the room left), unless the answer was a 429.
    fn learn_window(&mut self, answer: Answer, now: Instant) {
        let ends = now + answer.reset;
        let length = self
            .window
            .map_or(answer.reset, |w| w.length.max(answer.reset))
            .max(MIN_WINDOW);
        let room = if answer.refused {
            0
        } else {
            answer.remaining.saturating_sub(u64::from(answer.ahead))
        };
        let fresh = Window {
            limit: answer.limit,
            room,
            as_of: answer.seq,
            ends,
            told: true,
            length,
        };
        let Some(w) = &mut self.window else {
            self.window = Some(fresh);
            return;
        };
        // Two answers about one window say ends apart by no more than their answers' delays;
        // answers about two windows, by about a window's length.
        let tolerance = length / 2;
        w.length = length;
        w.limit = answer.limit;
        if ends > w.ends + tolerance {
            *w = fresh;
        } else if ends + tolerance >= w.ends {
            if answer.refused || fresh.left(self.sent) > w.left(self.sent) {
                w.room = fresh.room;
                w.as_of = fresh.as_of;
            }
            // Every told end is at or after the server's (the answer left after `reset` was
            // computed); the earliest is the closest.
            w.ends = if w.told { w.ends.min(ends) } else { ends };
            w.told = true;
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
