//! The emulator's time: a sub-millisecond timer for injected latency, and the [`Clock`] that
//! every state change reads (so a test can move time forward instead of sleeping).
//!
//! `tokio::time::sleep` works on a 1 ms wheel: it rounds every deadline up to the next
//! millisecond tick and wakes when a worker next turns the driver, so a configured 20 ms became
//! more than 21 ms (`BENCHMARKS.md`, "Emulator latency"). An emulator that promises 20 ms must
//! deliver 20 ms, or every benchmark against it measures the emulator's timer instead of the
//! client.
//!
//! One thread keeps the pending deadlines in a heap and waits on a condition variable with a
//! timeout (a futex on Linux, backed by a high-resolution timer) until [`FINAL_STRETCH`] before
//! the next deadline, yields the processor until the deadline, then completes the one-shot
//! channel of each deadline that has passed. Waiters are plain futures.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

struct Pending {
    deadline: Instant,
    seq: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.deadline, self.seq) == (other.deadline, other.seq)
    }
}

impl Eq for Pending {}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.deadline, self.seq).cmp(&(other.deadline, other.seq))
    }
}

/// How long before a deadline the timer stops sleeping and yields until it: a timed sleep on
/// a virtual machine wakes about 0.2 ms late on average, and up to a millisecond.
const FINAL_STRETCH: Duration = Duration::from_micros(400);

#[derive(Default)]
struct Queue {
    heap: BinaryHeap<Reverse<Pending>>,
    seq: u64,
}

struct Timer {
    queue: Mutex<Queue>,
    changed: Condvar,
}

impl Timer {
    fn run(&self) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let now = Instant::now();
            while queue
                .heap
                .peek()
                .is_some_and(|Reverse(p)| p.deadline <= now)
            {
                if let Some(Reverse(due)) = queue.heap.pop() {
                    // The waiter may have gone (its request was dropped): nothing to do then.
                    let _ = due.wake.send(());
                }
            }
            queue = match queue.heap.peek() {
                None => self.changed.wait(queue).unwrap_or_else(|p| p.into_inner()),
                Some(Reverse(next)) => {
                    let wait = next.deadline.saturating_duration_since(now);
                    if wait > FINAL_STRETCH {
                        self.changed
                            .wait_timeout(queue, wait - FINAL_STRETCH)
                            .unwrap_or_else(|p| p.into_inner())
                            .0
                    } else {
                        // The final stretch is waited out by yielding the processor, not by a
                        // timed sleep, which would overshoot by about as much again. The queue
                        // is looked at again after each yield: a request may have come in with
                        // an earlier deadline.
                        drop(queue);
                        std::thread::yield_now();
                        self.queue.lock().unwrap_or_else(|p| p.into_inner())
                    }
                }
            };
        }
    }
}

fn timer() -> &'static Arc<Timer> {
    static TIMER: OnceLock<Arc<Timer>> = OnceLock::new();
    TIMER.get_or_init(|| {
        let timer = Arc::new(Timer {
            queue: Mutex::new(Queue::default()),
            changed: Condvar::new(),
        });
        let worker = Arc::clone(&timer);
        std::thread::Builder::new()
            .name("mock-latency-timer".into())
            .spawn(move || worker.run())
            .expect("the emulator cannot start its latency timer thread");
        timer
    })
}

/// Completes at `deadline`, to within the operating system's timer slack (tens of
/// microseconds on Linux), never before it.
pub async fn sleep_until(deadline: Instant) {
    if deadline <= Instant::now() {
        return;
    }
    let (wake, woken) = oneshot::channel();
    let timer = timer();
    {
        let mut queue = timer.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.seq += 1;
        let seq = queue.seq;
        let earliest = queue
            .heap
            .peek()
            .is_none_or(|Reverse(p)| deadline < p.deadline);
        queue.heap.push(Reverse(Pending {
            deadline,
            seq,
            wake,
        }));
        if earliest {
            timer.changed.notify_one();
        }
    }
    // The timer thread never drops a sender before sending; an error would mean it died, and
    // then the deadline has passed as far as anyone can tell.
    let _ = woken.await;
}

/// [`sleep_until`] `now + duration`.
pub async fn sleep(duration: Duration) {
    sleep_until(Instant::now() + duration).await;
}

/// The emulator's wall clock: the system's, plus an offset that only grows. Activations are
/// approved and remediations move on when this clock says their time has come, so a test
/// advances it ([`crate::MockHandle::advance_clock`], `POST /__mock/clock`) rather than sleeps.
///
/// A skew ([`crate::Faults::clock_skew_ms`]) is added on top: the server's clock is then that
/// far from the client's, in its `Date` header and in every timestamp it writes.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: std::sync::atomic::AtomicI64,
    skew_ms: std::sync::atomic::AtomicI64,
}

impl Clock {
    /// Sets how far the server's clock is from the system's, besides the advances.
    pub fn set_skew(&self, skew_ms: i64) {
        self.skew_ms
            .store(skew_ms, std::sync::atomic::Ordering::Relaxed);
    }

    /// The emulator's now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.at_offset(self.skew_ms.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The emulator's now without the skew: what reads that see writes late count in, since a
    /// lagging replica lags in elapsed time whatever its clock reads (a skew changed at run
    /// time would otherwise hide the writes made under a later clock for the difference).
    pub fn unskewed(&self) -> chrono::DateTime<chrono::Utc> {
        self.at_offset(0)
    }

    fn at_offset(&self, skew_ms: i64) -> chrono::DateTime<chrono::Utc> {
        let offset = self
            .offset_ms
            .load(std::sync::atomic::Ordering::Relaxed)
            .saturating_add(skew_ms);
        chrono::Utc::now()
            .checked_add_signed(chrono::TimeDelta::milliseconds(offset))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
    }

    /// Moves the clock forward by `by` (saturating).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self.offset_ms.fetch_update(
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
            |o| Some(o.saturating_add(ms)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_forward_when_advanced() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() - before >= chrono::TimeDelta::seconds(3600));
    }

    #[test]
    fn a_skew_moves_the_clock_either_way() {
        let clock = Clock::default();
        clock.set_skew(-7_200_000);
        assert!(chrono::Utc::now() - clock.now() > chrono::TimeDelta::minutes(119));
        clock.set_skew(7_200_000);
        assert!(clock.now() - chrono::Utc::now() >= chrono::TimeDelta::seconds(7_199));
    }

    #[tokio::test]
    async fn never_wakes_before_its_deadline() {
        for micros in [0u64, 1, 250, 1_000, 3_500] {
            let deadline = Instant::now() + Duration::from_micros(micros);
            sleep_until(deadline).await;
            assert!(Instant::now() >= deadline, "{micros} µs woke early");
        }
    }

    #[tokio::test]
    async fn many_waiters_each_wake_after_their_own_deadline() {
        let start = Instant::now();
        let waiters: Vec<_> = (0..64u64)
            .rev()
            .map(|i| {
                let deadline = start + Duration::from_micros(i * 37);
                tokio::spawn(async move {
                    sleep_until(deadline).await;
                    (deadline, Instant::now())
                })
            })
            .collect();
        for waiter in waiters {
            let (deadline, woke) = waiter.await.unwrap();
            assert!(woke >= deadline);
        }
    }

    #[tokio::test]
    async fn a_dropped_waiter_does_not_stop_the_timer() {
        let gone = tokio::spawn(sleep(Duration::from_secs(3600)));
        gone.abort();
        let deadline = Instant::now() + Duration::from_micros(500);
        sleep_until(deadline).await;
        assert!(Instant::now() >= deadline);
    }
}
