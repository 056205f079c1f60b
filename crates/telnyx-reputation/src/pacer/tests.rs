//! The pacer's rules on a paused clock: the window budget, window resets, AIMD, the gate, and a
//! simulated server with a short window, reordering and dropped answers.

use std::sync::Arc;

use super::*;
use crate::retry::MAX_RATE_LIMIT_WAIT;

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
    matches!(state.admit(now, None), Admission::Now { .. })
}

/// A pacer past its first request's probe.
fn probed() -> Pacer {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    pacer.lock().answered = 1;
    pacer
}

#[tokio::test(start_paused = true)]
async fn a_used_up_window_holds_new_requests_until_its_reset() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let first = pacer.acquire().await;
    pacer.observe(first, 200, &headers(3, 2, "0.5"));
    // Two left in this window: two are admitted, the third waits for the reset.
    let a = pacer.acquire().await;
    let b = pacer.acquire().await;
    let mut state = pacer.lock();
    let now = Instant::now();
    assert!(matches!(state.admit(now, None), Admission::WaitUntil(_)));
    assert!(state.waiting_until.is_some());
    // After the reset, a new window: `limit` (3) before any answer, less the two requests still
    // in flight, which may reach the server in it.
    let later = now + Duration::from_millis(600);
    assert!(admitted(&mut state, later));
    assert!(!admitted(&mut state, later));
    drop(state);
    drop((a, b));
}

#[tokio::test(start_paused = true)]
async fn the_budget_counts_requests_sent_after_the_answering_one() {
    let pacer = probed();
    let a = pacer.acquire().await; // seq 1
    let b = pacer.acquire().await; // seq 2
    let c = pacer.acquire().await; // seq 3
    // a's answer: 3 remaining as of a; b and c are on their way → 1 left.
    pacer.observe(a, 200, &headers(10, 3, "1"));
    let mut state = pacer.lock();
    let now = Instant::now();
    assert!(admitted(&mut state, now));
    assert!(!admitted(&mut state, now));
    drop(state);
    drop((b, c));
}

#[tokio::test(start_paused = true)]
async fn the_budget_counts_requests_in_flight_ahead_of_the_answering_one() {
    let pacer = probed();
    let a = pacer.acquire().await; // seq 1
    let b = pacer.acquire().await; // seq 2, a ahead of it
    let c = pacer.acquire().await; // seq 3, a and b ahead of it
    // c reached the server first: 3 remaining as of c, but a and b may still be counted after
    // it. Counting only the requests sent after c would allow 3; 1 is what is certain.
    pacer.observe(c, 200, &headers(10, 3, "1"));
    assert!(admitted(&mut pacer.lock(), Instant::now())); // d, seq 4
    assert!(!admitted(&mut pacer.lock(), Instant::now()));
    // a arrives after c: 2 remaining, b and d still to come → nothing left, and the bound that
    // said 1 before d was sent is not raised by the older answer.
    pacer.observe(a, 200, &headers(10, 2, "1"));
    assert!(!admitted(&mut pacer.lock(), Instant::now()));
    drop(b);
}

#[tokio::test(start_paused = true)]
async fn a_short_window_is_learned_and_a_used_up_new_window_waits_for_its_end_not_a_second() {
    // The case that made the randomized all-or-nothing test slow: 20 ms windows, and a new
    // window (guessed at its reset, before any answer) used up by requests still in flight.
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let probe = pacer.acquire().await;
    pacer.observe(probe, 200, &headers(3, 2, "0.020"));
    let a = pacer.acquire().await;
    let b = pacer.acquire().await;
    tokio::time::advance(Duration::from_millis(21)).await;
    let c = pacer.acquire().await; // the new window: 3 less a and b in flight
    let start = Instant::now();
    let d = pacer.acquire().await; // waits for that window's end
    let waited = Instant::now() - start;
    assert!(
        waited > Duration::ZERO && waited <= Duration::from_millis(20),
        "waited {waited:?} for a 20 ms window"
    );
    drop((a, b, c, d));
}

#[tokio::test(start_paused = true)]
async fn requests_without_an_answer_free_their_place_but_stay_in_the_window_budget() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let probe = pacer.acquire().await;
    pacer.observe(probe, 200, &headers(5, 4, "1"));
    let dropped: Vec<_> = futures::future::join_all((0..4).map(|_| pacer.acquire())).await;
    drop(dropped); // connections dropped: perhaps counted by the server, never answered
    let mut state = pacer.lock();
    assert_eq!(state.in_flight, 0);
    let now = Instant::now();
    assert!(!admitted(&mut state, now), "the four may have been counted");
    let later = now + Duration::from_secs(1);
    assert!((0..5).all(|_| admitted(&mut state, later)));
    assert!(!admitted(&mut state, later));
}

#[tokio::test(start_paused = true)]
async fn a_task_waiting_for_a_place_is_woken_by_an_answer_or_a_dropped_request() {
    let pacer = Arc::new(probed());
    pacer.lock().limit = 1;
    let held = pacer.acquire().await;
    let waiter = tokio::spawn({
        let pacer = pacer.clone();
        async move {
            let permit = pacer.acquire().await;
            pacer.observe(permit, 200, &HeaderMap::new());
        }
    });
    tokio::task::yield_now().await;
    assert_eq!(pacer.lock().waiters, 1);
    pacer.observe(held, 200, &HeaderMap::new());
    waiter.await.unwrap();
    assert_eq!(pacer.lock().waiters, 0);

    let held = pacer.acquire().await;
    let waiter = tokio::spawn({
        let pacer = pacer.clone();
        async move { drop(pacer.acquire().await) }
    });
    tokio::task::yield_now().await;
    drop(held);
    waiter.await.unwrap();
    // A cancelled wait leaves the count too.
    let held = pacer.acquire().await;
    let cancelled = tokio::time::timeout(Duration::from_millis(5), pacer.acquire()).await;
    assert!(cancelled.is_err());
    assert_eq!(pacer.lock().waiters, 0);
    drop(held);
}

#[tokio::test(start_paused = true)]
async fn an_answer_from_the_previous_window_does_not_shrink_the_new_one() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let probe = pacer.acquire().await;
    pacer.observe(probe, 200, &headers(10, 9, "1"));
    tokio::time::advance(Duration::from_millis(900)).await;
    let late = pacer.acquire().await; // reaches the server 50 ms before its window ends
    tokio::time::advance(Duration::from_millis(150)).await;
    assert!(admitted(&mut pacer.lock(), Instant::now())); // the new window starts here
    // late's answer, of the old window: nothing left there, reset in 50 ms.
    pacer.observe(late, 200, &headers(10, 0, "0.050"));
    let mut state = pacer.lock();
    let now = Instant::now();
    // 10 − late (in flight at the reset) − the one already admitted.
    assert_eq!((0..9).filter(|_| admitted(&mut state, now)).count(), 8);
}

#[tokio::test(start_paused = true)]
async fn a_429_in_the_window_holds_new_requests_until_its_end() {
    let pacer = probed();
    let a = pacer.acquire().await;
    let b = pacer.acquire().await;
    pacer.observe(a, 200, &headers(10, 9, "1"));
    // Someone else used the window (another process with the same key): b was refused.
    pacer.observe(b, 429, &headers(10, 0, "0.8"));
    let mut state = pacer.lock();
    assert!(matches!(
        state.admit(Instant::now(), None),
        Admission::WaitUntil(_)
    ));
}

#[tokio::test(start_paused = true)]
async fn a_429_halves_the_in_flight_cap_and_a_quiet_window_grows_it() {
    let pacer = probed();
    let mut permits: Vec<_> = futures::future::join_all((0..8).map(|_| pacer.acquire())).await;
    pacer.observe(permits.remove(0), 429, &HeaderMap::new());
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
    pacer.observe(a, 429, &h);
    let wait = pacer.waiting_for();
    assert_eq!(wait, None); // nobody waits yet
    let mut state = pacer.lock();
    match state.admit(Instant::now(), None) {
        Admission::WaitUntil(t) => {
            assert!(t.saturating_duration_since(Instant::now()) <= MAX_RATE_LIMIT_WAIT)
        }
        other => panic!("the gate should be closed, not {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_that_describes_its_window_holds_requests_until_the_reset_not_retry_after() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let a = pacer.acquire().await;
    let mut h = headers(50, 0, "0.3");
    h.insert("retry-after", "1".parse().unwrap());
    pacer.observe(a, 429, &h);
    let mut state = pacer.lock();
    let now = Instant::now();
    match state.admit(now, None) {
        Admission::WaitUntil(t) => {
            assert!(t.saturating_duration_since(now) <= Duration::from_millis(300))
        }
        other => panic!("the window is used up, not {other:?}"),
    }
    assert!(state.gate.is_none());
}

#[tokio::test(start_paused = true)]
async fn one_request_probes_until_the_first_answer() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let probe = pacer.acquire().await;
    assert!(!admitted(&mut pacer.lock(), Instant::now()));
    // An answer without rate-limit headers: no limit to pace to.
    pacer.observe(probe, 200, &HeaderMap::new());
    let mut state = pacer.lock();
    for _ in 0..20 {
        assert!(admitted(&mut state, Instant::now()));
    }
}

#[tokio::test(start_paused = true)]
async fn a_fixed_ceiling_spaces_requests() {
    let pacer = Pacer::new(Some(10.0), MAX_RATE_LIMIT_WAIT);
    let mut state = pacer.lock();
    state.answered = 1; // past the first request's probe
    let now = Instant::now();
    assert!(matches!(
        state.admit(now, pacer.spacing),
        Admission::Now { .. }
    ));
    assert!(matches!(
        state.admit(now, pacer.spacing),
        Admission::WaitUntil(_)
    ));
    let later = now + Duration::from_millis(100);
    assert!(matches!(
        state.admit(later, pacer.spacing),
        Admission::Now { .. }
    ));
}

#[tokio::test(start_paused = true)]
async fn only_answers_below_429_count_as_progress() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    tokio::time::advance(Duration::from_secs(5)).await;
    let a = pacer.acquire().await;
    pacer.observe(a, 503, &HeaderMap::new());
    assert!(pacer.since_progress() >= Duration::from_secs(5));
    let b = pacer.acquire().await;
    pacer.observe(b, 404, &HeaderMap::new());
    assert!(pacer.since_progress() < Duration::from_secs(1));
}

/// A server that counts requests in fixed windows from its creation, as the emulator does.
struct Server {
    epoch: Instant,
    window: Duration,
    limit: u64,
    counts: Mutex<(std::collections::HashMap<u128, u64>, u64, u64)>,
}

impl Server {
    /// Counts a request arriving now; its answer's status and headers.
    fn arrive(&self) -> (u16, HeaderMap) {
        let elapsed = Instant::now() - self.epoch;
        let index = elapsed.as_nanos() / self.window.as_nanos();
        let reset = self.window.as_nanos() - elapsed.as_nanos() % self.window.as_nanos();
        let mut counts = self.counts.lock().unwrap();
        let count = counts.0.entry(index).or_default();
        *count += 1;
        let (admitted, remaining) = (*count <= self.limit, self.limit.saturating_sub(*count));
        if admitted {
            counts.1 += 1;
        } else {
            counts.2 += 1;
        }
        let millis = reset.div_ceil(1_000_000);
        let h = headers(
            self.limit,
            remaining,
            &format!("{}.{:03}", millis / 1000, millis % 1000),
        );
        (if admitted { 200 } else { 429 }, h)
    }
}

#[tokio::test(start_paused = true)]
async fn a_short_window_with_reordering_and_dropped_answers_runs_at_the_limit_without_429s() {
    // 3 requests per 20 ms window, 4 tasks, 0–4 ms each way (so requests overtake each other),
    // a fifth of the answers lost after the server counted the request.
    const WANTED: u64 = 60;
    let server = Arc::new(Server {
        epoch: Instant::now(),
        window: Duration::from_millis(20),
        limit: 3,
        counts: Mutex::default(),
    });
    let pacer = Arc::new(Pacer::new(None, MAX_RATE_LIMIT_WAIT));
    let start = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|task| {
            let (server, pacer) = (server.clone(), pacer.clone());
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(task);
                while server.counts.lock().unwrap().1 < WANTED {
                    let permit = pacer.acquire().await;
                    tokio::time::sleep(Duration::from_micros(rng.u64(0..4000))).await;
                    let (status, headers) = server.arrive();
                    tokio::time::sleep(Duration::from_micros(rng.u64(0..4000))).await;
                    if rng.u8(0..5) == 0 {
                        drop(permit);
                    } else {
                        pacer.observe(permit, status, &headers);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = Instant::now() - start;
    let (_, served, refused) = *server.counts.lock().unwrap();
    assert_eq!(refused, 0, "no request beyond the limit");
    // 60 requests need 20 windows (400 ms); a window taken for a second would cost a second.
    assert!(
        elapsed < Duration::from_millis(700),
        "{served} requests took {elapsed:?}"
    );
}

/// Bounds of a call that began now: `stall` without progress, an optional deadline, a token.
fn bounds<'a>(
    stall: Duration,
    deadline: Option<Duration>,
    since: &'a (dyn Fn() -> Duration + Send + Sync),
    cancel: Option<&'a CancellationToken>,
) -> Bounds<'a> {
    Bounds {
        patience: Patience {
            stall_timeout: stall,
            deadline: deadline.map(|d| (Instant::now() + d).into_std()),
        },
        since_progress: since,
        cancel,
    }
}

#[tokio::test(start_paused = true)]
async fn a_window_that_admits_nothing_is_not_believed() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let first = pacer.acquire().await;
    pacer.observe(first, 200, &headers(0, 0, "30"));
    let start = Instant::now();
    let second = pacer.acquire().await;
    assert_eq!(start.elapsed(), Duration::ZERO, "admitted at once");
    assert!(pacer.lock().window.is_none());
    drop(second);
}

#[tokio::test(start_paused = true)]
async fn a_reset_of_a_day_holds_requests_for_the_cap_at_most() {
    let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let first = pacer.acquire().await;
    pacer.observe(first, 200, &headers(1, 0, "86400"));
    let start = Instant::now();
    let second = pacer.acquire().await;
    let waited = start.elapsed();
    assert!(
        waited > Duration::ZERO && waited <= MAX_RATE_LIMIT_WAIT,
        "{waited:?}"
    );
    drop(second);
}

#[tokio::test(start_paused = true)]
async fn a_wait_for_the_window_ends_with_the_stall_rule_the_deadline_or_the_token() {
    let start = Instant::now();
    let since = move || start.elapsed();
    let used_up = || async {
        let pacer = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
        let first = pacer.acquire().await;
        pacer.observe(first, 200, &headers(1, 0, "50"));
        pacer
    };

    let pacer = used_up().await;
    let stalled = pacer
        .acquire_within(&bounds(Duration::from_secs(5), None, &since, None))
        .await;
    assert!(
        matches!(stalled, Err(WaitEnd::Stalled(Stall::NoProgress(_)))),
        "{stalled:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "{:?}",
        start.elapsed()
    );

    let pacer = used_up().await;
    let late = pacer
        .acquire_within(&bounds(
            Duration::from_secs(600),
            Some(Duration::from_secs(2)),
            &|| Duration::ZERO,
            None,
        ))
        .await;
    assert!(
        matches!(late, Err(WaitEnd::Stalled(Stall::Deadline))),
        "{late:?}"
    );

    let pacer = used_up().await;
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        cancel.cancel();
    });
    let cancelled = pacer
        .acquire_within(&bounds(
            Duration::from_secs(600),
            None,
            &|| Duration::ZERO,
            Some(&token),
        ))
        .await;
    assert!(
        matches!(cancelled, Err(WaitEnd::Cancelled)),
        "{cancelled:?}"
    );
    assert_eq!(pacer.lock().in_flight, 0, "nothing was admitted");

    // Admitted at once, a call is not held to a stall that passed while it was idle.
    let fresh = Pacer::new(None, MAX_RATE_LIMIT_WAIT);
    let permit = fresh
        .acquire_within(&bounds(
            Duration::ZERO,
            None,
            &|| Duration::from_secs(1),
            None,
        ))
        .await;
    assert!(permit.is_ok());
}

#[test]
fn a_rate_too_small_to_space_is_no_ceiling_and_no_panic() {
    for rate in [1e-20, f64::MIN_POSITIVE, 0.0, -1.0, f64::NAN] {
        let pacer = Pacer::new(Some(rate), MAX_RATE_LIMIT_WAIT);
        assert_eq!(pacer.spacing, None, "{rate}");
    }
    assert!(Pacer::new(Some(2.0), MAX_RATE_LIMIT_WAIT).spacing.is_some());
}
