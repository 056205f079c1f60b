//! Helpers shared by this crate's integration tests against the emulator. Each test binary
//! uses a part of them.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::Duration;

use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};
use telnyx_reputation_mock::{DEMO_API_KEY, Inventory, MockHandle};

/// A client of the demo account with quick retries; the emulator's injected 429s ask for a
/// second each, which the tests need not wait. Its request timeout is short, since the bulk
/// engine waits that long before it looks up a request whose answer was lost.
pub fn client(mock: &MockHandle) -> Client {
    with_timeout(mock, Some(REQUEST_TIMEOUT))
}

/// [`client`] with the library's default request timeout (30 s), for calls that lose no answer:
/// a test's set-up with the faults off, a test without faults, free reads under 5xx and 429s.
/// The short timeout would only fail such a call on a machine slow enough to take 250 ms over
/// one request, or make a test that counts requests count a lookup.
pub fn setup_client(mock: &MockHandle) -> Client {
    with_timeout(mock, None)
}

/// [`client`] with `timeout` as request timeout, for a test on an emulator without faults that
/// recovers many jobs, each waiting one request timeout between the two lookups that prove a
/// request not applied. An answer slower than `timeout` only makes a request's outcome
/// uncertain, which the job then settles by the same lookups.
pub fn client_with_timeout(mock: &MockHandle, timeout: Duration) -> Client {
    with_timeout(mock, Some(timeout))
}

/// [`client`]'s configuration with `timeout` as request timeout (`None`: the default).
fn with_timeout(mock: &MockHandle, timeout: Option<Duration>) -> Client {
    let mut config = ClientConfig::new(ApiKey::new(DEMO_API_KEY)).base_url(mock.base_url());
    if let Some(timeout) = timeout {
        config = config.request_timeout(timeout);
    }
    Client::new(
        config.retry(
            RetryPolicy::default()
                .max_retries(4)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5))
                // The emulator's injected 429s ask for a second; the tests need not wait it.
                .max_rate_limit_wait(Duration::from_millis(5)),
        ),
    )
    .expect("valid config")
}

/// The request timeout of [`client`]: no emulator answer of these tests takes this long, but
/// a lost one is waited out this long (twice, to prove it not applied).
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(250);

/// `count` distinct valid US numbers from `+1603555` and four digits starting at `from`.
pub fn numbers(from: u32, count: u32) -> Vec<String> {
    (from..from + count)
        .map(|i| format!("+1603555{i:04}"))
        .collect()
}

/// An account inventory of exactly `owned` (E.164 texts): the emulator refuses any other number
/// as not owned.
pub fn inventory(owned: &[String]) -> Inventory {
    Inventory::Numbers(owned.iter().map(|n| n.parse().unwrap()).collect())
}

/// The numbers the emulator holds associated, on any enterprise.
pub fn associated(mock: &MockHandle) -> BTreeSet<String> {
    mock.world()
        .associations
        .values()
        .map(|a| a.phone_number.to_string())
        .collect()
}

/// A seeded xorshift for the randomized tests, so a failing run can be repeated from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The generator of run `run` of a randomized test seeded with `seed`: each run draws from
    /// its own sequence (splitmix64 of the two), so runs can go concurrently and a failing run
    /// repeats alone from its number.
    pub fn for_run(seed: u64, run: u64) -> Rng {
        let mut z = seed ^ run.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        // xorshift never leaves zero.
        Rng((z ^ (z >> 31)).max(1))
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// A plain-http client for the emulator's own routes (the workspace's reqwest has TLS only
/// through `telnyx-reputation-tls`; the emulator speaks http, so this one trusts no server).
pub fn http() -> reqwest::Client {
    telnyx_reputation_tls::client_builder(telnyx_reputation_tls::Trust::Nothing)
        .unwrap()
        .build()
        .unwrap()
}

/// Reports an ownership event of a monitored number through the emulator's admin route
/// (`carrier_changed`, `reverification_due` or `disconnected`); panics unless it answers 200.
pub async fn ownership_event(mock: &MockHandle, enterprise: uuid::Uuid, number: &str, event: &str) {
    let answer = http()
        .post(format!("{}/__mock/ownership", mock.base_url()))
        .json(&serde_json::json!({
            "enterprise_id": enterprise,
            "phone_number": number,
            "event": event,
        }))
        .send()
        .await
        .unwrap();
    let status = answer.status();
    assert_eq!(
        status,
        200,
        "{event} {number}: {}",
        answer.text().await.unwrap()
    );
}

/// Submits the enterprise's ownership proof and moves the emulator's clock past its review,
/// so that numbers under an external prefix can be associated (`source: external`).
pub async fn approve_external(mock: &MockHandle, enterprise: uuid::Uuid) {
    let answer = http()
        .post(format!(
            "{}/enterprises/{enterprise}/reputation/external_verification",
            mock.base_url()
        ))
        .bearer_auth(DEMO_API_KEY)
        .json(&serde_json::json!({ "document_ids": ["doc-carrier-invoice"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201, "{}", answer.text().await.unwrap());
    mock.advance_clock(Duration::from_secs(2));
}

/// How many randomized runs a test makes: `var` from the environment, else `default`, the
/// small count `cargo test` runs. `.ci/run` sets the full counts (its header lists them).
pub fn runs_from_env(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{var}={v:?} is not a count of runs")),
        Err(_) => default,
    }
}

/// How many runs of a randomized test go at once. A run waits far more than it computes (a
/// lost answer's timeout, a lookup's settle time, a rate-limit window: the library's `bulk`
/// randomized runs took 80 s of wall time for 20 s of CPU one after the other), so several at a
/// time finish together what one at a time would take in turn.
pub const CONCURRENT_RUNS: usize = 8;

/// Runs `run` on each of `items`, up to `concurrent` at a time (a slow run does not hold the
/// others back), and gives their results in the order of `items`. A run that panics fails the
/// test at once.
pub async fn concurrently<I, T, F, Fut>(
    items: impl IntoIterator<Item = I>,
    concurrent: usize,
    mut run: F,
) -> Vec<T>
where
    F: FnMut(I) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    use futures::StreamExt as _;
    let mut done: Vec<(usize, T)> = futures::stream::iter(items.into_iter().enumerate())
        .map(|(i, item)| {
            let result = run(item);
            async move { (i, result.await) }
        })
        .buffer_unordered(concurrent.max(1))
        .collect()
        .await;
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

/// A temporary directory for a test's journals and files: on the memory file system
/// (`/dev/shm`) where there is one, else the system's temporary directory. A job fsyncs each
/// journal line it writes, and on a disk those fsyncs are most of a journaled test's time; on
/// a memory file system they cost nothing.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap()
}

/// How a randomized run recovers when its job was killed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recovery {
    Resume,
    Rollback,
}

/// Where a randomized run's job is killed: before its plan is whole, or among its sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kill {
    Early,
    Late,
}

/// A choice of a randomized run's set-up `S`, by name, and whether a set-up made it.
pub type Draw<S> = (&'static str, fn(&S) -> bool);

/// Asserts that the runs `ran` (each with its set-up, `setup` of it) made every choice of
/// `drawn` both ways: drawn in one run at least, left out in another.
pub fn assert_drawn_both_ways<R: std::fmt::Debug, S>(
    ran: &[R],
    setup: impl Fn(&R) -> &S,
    drawn: &[Draw<S>],
) {
    for (name, on) in drawn {
        for want in [true, false] {
            assert!(
                ran.iter().any(|r| on(setup(r)) == want),
                "{name} never {}: {ran:?}",
                if want { "drawn" } else { "left out" }
            );
        }
    }
}
