//! The emulator's timers: jobs due at an instant of the emulator's clock (an ownership proof's
//! review ending, a confirmation deadline, a webhook redelivery), run in order of their due
//! time once the clock reaches it, whether real time carried it there or `/__mock/clock` did.
//!
//! The jobs live in the world, under its lock, so that a job and the operation that scheduled
//! it never race. Three things run them: every request (the router checks one atomic first, so
//! a request with nothing due takes no lock for it), a clock advance (before it answers, so a
//! test sees the effects at once), and a background task that sleeps until the next due time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use telnyx_e164::E164;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::app::App;
use crate::state::World;
use crate::webhook::Attempt;

/// What a timer does when it is due.
#[derive(Debug, Clone)]
pub(crate) enum Job {
    /// The review of the ownership proof submitted at `submitted_at` ends (approved). A newer
    /// submission makes the job stale.
    ReviewEnds {
        account: usize,
        enterprise: Uuid,
        submitted_at: DateTime<Utc>,
    },
    /// A number's confirmation deadline; stale unless the number is still pending with this
    /// very deadline.
    ConfirmDeadline {
        number: E164,
        confirm_by: DateTime<Utc>,
    },
    /// A delivery that was not acknowledged is sent again.
    Redeliver(Attempt),
}

#[derive(Debug, Clone)]
struct Entry {
    due: DateTime<Utc>,
    seq: u64,
    job: Job,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.seq).cmp(&(other.due, other.seq))
    }
}

/// The earliest due time (emulator microseconds, rounded up; `i64::MAX` when nothing is
/// scheduled) where a request can read it without a lock, and the background task's doorbell.
#[derive(Debug)]
pub(crate) struct Wakeup {
    next_due_us: AtomicI64,
    bell: Notify,
}

impl Default for Wakeup {
    fn default() -> Wakeup {
        Wakeup {
            next_due_us: AtomicI64::new(i64::MAX),
            bell: Notify::new(),
        }
    }
}

impl Wakeup {
    /// Whether a job is due at `now`, to the microsecond (a job due within the microsecond
    /// `now` is in waits for the next one).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.next_due_us.load(Ordering::Acquire) <= now.timestamp_micros()
    }

    /// Wakes the background task (a job was scheduled, or the clock moved).
    pub fn ring(&self) {
        self.bell.notify_one();
    }
}

/// The pending jobs, soonest first.
#[derive(Clone, Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<Entry>>,
    seq: u64,
    wakeup: Arc<Wakeup>,
}

impl std::fmt::Debug for Timers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timers")
            .field("pending", &self.heap.len())
            .finish()
    }
}

/// `t` in microseconds, rounded up, so that `is_due` never says yes early.
fn ceil_us(t: DateTime<Utc>) -> i64 {
    let us = t.timestamp_micros();
    if t.timestamp_subsec_nanos().is_multiple_of(1_000) {
        us
    } else {
        us.saturating_add(1)
    }
}

impl Timers {
    /// Runs `job` when the emulator's clock reaches `due`.
    pub fn schedule(&mut self, due: DateTime<Utc>, job: Job) {
        self.seq = self.seq.wrapping_add(1);
        self.heap.push(Reverse(Entry {
            due,
            seq: self.seq,
            job,
        }));
        let us = ceil_us(due);
        if self.wakeup.next_due_us.fetch_min(us, Ordering::AcqRel) > us {
            self.wakeup.ring();
        }
    }

    /// The soonest job if it is due at `now`.
    fn pop_due(&mut self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, Job)> {
        if self.heap.peek().is_some_and(|Reverse(e)| e.due <= now) {
            self.heap.pop().map(|Reverse(e)| (e.due, e.job))
        } else {
            None
        }
    }

    /// Publishes the earliest due time after jobs were taken.
    fn publish(&self) {
        let next = self
            .heap
            .peek()
            .map_or(i64::MAX, |Reverse(e)| ceil_us(e.due));
        self.wakeup.next_due_us.store(next, Ordering::Release);
    }

    /// Forgets every job (a state reset).
    pub fn clear(&mut self) {
        self.heap.clear();
        self.publish();
    }

    /// Jobs pending.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// The doorbell and due time the app shares.
    pub fn wakeup(&self) -> Arc<Wakeup> {
        Arc::clone(&self.wakeup)
    }
}

impl World {
    /// Runs every job due at `now`, soonest first, each at its own due time (a deadline that
    /// passed an hour ago removes the number as of then). Jobs they schedule run too when due.
    pub(crate) fn run_due(&mut self, now: DateTime<Utc>) {
        while let Some((due, job)) = self.timers.pop_due(now) {
            match job {
                Job::ReviewEnds {
                    account,
                    enterprise,
                    submitted_at,
                } => self.end_review(account, enterprise, submitted_at, due),
                Job::ConfirmDeadline { number, confirm_by } => {
                    self.deadline_passed(number, confirm_by)
                }
                Job::Redeliver(attempt) => self.redeliver(attempt),
            }
        }
        self.timers.publish();
    }
}

impl App {
    /// Runs the jobs due at the emulator's now, if the atomic says any is (no lock otherwise).
    pub fn run_due(&self) {
        let now = self.clock.now();
        if self.wakeup.is_due(now) {
            self.world().run_due(now);
        }
    }

    /// Moves the clock forward and runs what became due before returning, so that the caller
    /// sees the effects at once; the background task is woken to sleep anew.
    pub fn advance_clock(&self, by: Duration) {
        self.clock.advance(by);
        let now = self.clock.now();
        self.world().run_due(now);
        self.wakeup.ring();
    }
}

/// The longest the background task sleeps without looking again.
const MAX_NAP: Duration = Duration::from_secs(60);

/// Runs the jobs as real time passes: sleeps until the next due time (or a doorbell: a job
/// scheduled sooner, the clock moved), then runs what is due. Ends with the emulator.
pub(crate) async fn run_timers(app: Arc<App>) {
    loop {
        app.run_due();
        let next = app.wakeup.next_due_us.load(Ordering::Acquire);
        let now = app.clock.now().timestamp_micros();
        let nap = u64::try_from(next.saturating_sub(now))
            .map(Duration::from_micros)
            .unwrap_or(Duration::ZERO)
            .clamp(Duration::from_millis(1), MAX_NAP);
        tokio::select! {
            () = tokio::time::sleep(nap) => {}
            () = app.wakeup.bell.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_come_out_soonest_first_and_only_when_due() {
        let mut timers = Timers::default();
        let t0 = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap();
        let at = |ms: i64| t0 + chrono::TimeDelta::milliseconds(ms);
        for (ms, n) in [(30, 3u8), (10, 1), (20, 2)] {
            timers.schedule(
                at(ms),
                Job::ConfirmDeadline {
                    number: E164::parse_strict(&format!("+1603555000{n}")).unwrap(),
                    confirm_by: at(ms),
                },
            );
        }
        assert!(timers.wakeup.is_due(at(10)));
        assert!(!timers.wakeup.is_due(at(9)));
        assert!(timers.pop_due(at(5)).is_none());
        let due: Vec<DateTime<Utc>> =
            std::iter::from_fn(|| timers.pop_due(at(25)).map(|(d, _)| d)).collect();
        assert_eq!(due, [at(10), at(20)]);
        timers.publish();
        assert!(!timers.wakeup.is_due(at(29)));
        assert!(timers.wakeup.is_due(at(30)));
        timers.clear();
        assert!(!timers.wakeup.is_due(at(1_000_000)));
    }
}
