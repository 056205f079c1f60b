//! What the emulator answered: counts a benchmark quotes ("share of requests answered 429").

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// Counts of API requests since the emulator started or its counts were last reset (admin
/// requests under `/__mock/` are not counted).
///
/// ```
/// let stats = telnyx_reputation_mock::Stats { requests: 200, too_many_requests: 3, rate_limited: 2 };
/// assert_eq!(stats.share_too_many_requests(), 0.015);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// API requests answered, whatever the answer (a dropped connection included).
    pub requests: u64,
    /// Requests answered 429, by the rate limit or by injected throttling.
    pub too_many_requests: u64,
    /// Of those, the ones refused by the rate limit.
    pub rate_limited: u64,
}

impl Stats {
    /// The share of requests answered 429 (0 when none were served).
    pub fn share_too_many_requests(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.too_many_requests as f64 / self.requests as f64
        }
    }
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    too_many_requests: AtomicU64,
    rate_limited: AtomicU64,
}

impl Counters {
    /// Counts a request on arrival.
    pub fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an answer of 429; `rate_limited` when the rate limit refused it.
    pub fn too_many_requests(&self, rate_limited: bool) {
        self.too_many_requests.fetch_add(1, Ordering::Relaxed);
        if rate_limited {
            self.rate_limited.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts now.
    pub fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            too_many_requests: self.too_many_requests.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// Starts counting from zero.
    pub fn reset(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.too_many_requests.store(0, Ordering::Relaxed);
        self.rate_limited.store(0, Ordering::Relaxed);
    }
}
