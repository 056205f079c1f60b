//! When a caller stops waiting for a server that makes no progress: [`Patience`] (the stall
//! rule) and [`Stall`] (why it ended a call).

use std::time::{Duration, Instant};

/// When a caller stops waiting for a server that makes no progress.
///
/// The stall rule: give up when no request of the client has succeeded for `stall_timeout`, or
/// when the `deadline` has passed. It bounds every retry loop, 429 waits included, and nothing
/// else does: a call is never given up after a fixed count while the server still answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Patience {
    /// How long without any successful request before giving up.
    pub stall_timeout: Duration,
    /// When to give up, whatever happens.
    pub deadline: Option<Instant>,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            stall_timeout: Duration::from_secs(120),
            deadline: None,
        }
    }
}

/// Why a retry loop gave up on a server that kept failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stall {
    /// No request succeeded for this long (the stall timeout).
    NoProgress(Duration),
    /// The overall deadline ([`Patience::deadline`]) passed.
    Deadline,
}

impl std::fmt::Display for Stall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stall::NoProgress(d) => {
                write!(f, "no request succeeded for {:.1} s", d.as_secs_f64())
            }
            Stall::Deadline => f.write_str("the deadline passed"),
        }
    }
}

impl Patience {
    /// Whether to give up now, given how long ago a request last succeeded.
    pub fn check(&self, since_progress: Duration, now: Instant) -> Option<Stall> {
        if self.deadline.is_some_and(|d| now >= d) {
            return Some(Stall::Deadline);
        }
        (since_progress >= self.stall_timeout).then_some(Stall::NoProgress(since_progress))
    }

    /// `wait`, shortened so that it ends no later than the deadline.
    pub fn clamp_wait(&self, wait: Duration, now: Instant) -> Duration {
        match self.deadline {
            Some(d) => wait.min(d.saturating_duration_since(now)),
            None => wait,
        }
    }
}
