//! Reconciliation is proof, not a race: what a request whose answer was lost did is learnt
//! from the server only once the request can no longer be in its hands, and "not applied"
//! takes two lookups that agree.
//!
//! 1. The first lookup waits until the request timeout has passed since the request was sent
//!    (by then the server has applied it or dropped it). A request whose timeout already passed
//!    (it timed out, or it was sent by a run that was killed long ago) is looked up at once.
//! 2. A number the lookup shows applied is settled. The others are looked up again one request
//!    timeout later, so that a read that sees writes late, or a write that landed after the
//!    answer was given up, is seen; only a number both lookups show not applied is proved not
//!    applied, and only such a number may be sent again.
//!
//! The same two lookups settle a refusal ([`super::refusal`]): there the question is whether
//! a number is on the enterprise at all ([`Seen::Present`]), not whether the request applied it
//! ([`Seen::Applied`]).
//!
//! Nothing here runs for a request that was answered: a job without uncertain outcomes waits
//! for nothing.

use std::time::Duration;

use chrono::Utc;
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::context::JobContext;
use super::journal::SentWith;
use super::reconcile::Found;
use crate::Error;

/// What a lookup has to show of a number for it to need no second lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// Applied by this job: the question after a request whose outcome is uncertain, or after
    /// the refusal of a resend (the earlier request's work, seen late).
    Applied,
    /// On the enterprise, whoever put it there: the question after the refusal of a first send
    /// in all-or-nothing mode, where a number another run associated a moment ago is refused as
    /// associated while a read that lags does not show it yet.
    Present,
}

impl Seen {
    fn by(self, found: Found) -> bool {
        match self {
            Seen::Applied => found == Found::Ours,
            Seen::Present => found != Found::Absent,
        }
    }
}

/// What the lookups proved about a request's numbers.
#[derive(Debug)]
pub(super) struct Proof {
    /// Each number, by the latest lookup that saw it applied, else by the second.
    pub found: Vec<(UsNumber, Found)>,
    /// The remediation request found, if any.
    pub id: Option<Uuid>,
}

impl Proof {
    /// Whether every number was found applied by this job.
    pub fn all_ours(&self) -> bool {
        self.found.iter().all(|(_, f)| *f == Found::Ours)
    }
}

/// How long from `sent` until the request timeout has passed: zero when it already has (or
/// when the journal did not say when it was sent: a run of before, long gone).
pub(super) fn time_left(sent: &SentWith, timeout: Duration) -> Duration {
    let Some(at) = sent.at else {
        return Duration::ZERO;
    };
    let elapsed = Utc::now()
        .signed_duration_since(at)
        .to_std()
        .unwrap_or(Duration::ZERO);
    // A clock that went backwards waits no more than one timeout.
    timeout.saturating_sub(elapsed).min(timeout)
}

/// Proves what the request `this` (of a batch first sent as `first`) did to `numbers`: waits
/// out its timeout when `wait_first` (an uncertain answer; not for a refusal, which is an
/// answer), then looks up, and one request timeout later looks up again what the first lookup
/// did not show as `seen` asks.
pub(super) async fn prove(
    ctx: &JobContext,
    numbers: &[UsNumber],
    first: &SentWith,
    this: &SentWith,
    wait_first: bool,
    seen: Seen,
) -> Result<Proof, Error> {
    if wait_first {
        let wait = time_left(this, ctx.settle);
        if !wait.is_zero() {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "waiting out the request timeout before a lookup"
            );
            tokio::time::sleep(wait).await;
        }
    }
    let (mut found, mut id) = ctx.operation.look_up(ctx, numbers, first, this).await?;
    let unseen: Vec<UsNumber> = found
        .iter()
        .filter(|(_, f)| !seen.by(*f))
        .map(|(n, _)| *n)
        .collect();
    if unseen.is_empty() {
        return Ok(Proof { found, id });
    }
    let wait_ms = u64::try_from(ctx.settle.as_millis()).unwrap_or(u64::MAX);
    match seen {
        Seen::Applied => tracing::debug!(
            numbers = unseen.len(),
            wait_ms,
            "not seen applied; looking again once the request timeout has passed"
        ),
        Seen::Present => tracing::warn!(
            numbers = unseen.len(),
            wait_ms,
            "refused numbers not found on the enterprise; looking again once a lagging read shows them"
        ),
    }
    tokio::time::sleep(ctx.settle).await;
    let (again, again_id) = ctx.operation.look_up(ctx, &unseen, first, this).await?;
    id = id.or(again_id);
    for (n, f) in again {
        if let Some(slot) = found.iter_mut().find(|(m, _)| *m == n) {
            // Seen once seen; otherwise the later lookup decides.
            if !seen.by(slot.1) {
                slot.1 = f;
            }
        }
    }
    Ok(Proof { found, id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_what_is_left_of_the_timeout_and_never_more() {
        let timeout = Duration::from_secs(30);
        let just_sent = SentWith {
            at: Some(Utc::now()),
            ..SentWith::default()
        };
        let left = time_left(&just_sent, timeout);
        assert!(
            left > Duration::from_secs(29) && left <= timeout,
            "{left:?}"
        );
        let long_ago = SentWith {
            at: Some(Utc::now() - chrono::TimeDelta::minutes(5)),
            ..SentWith::default()
        };
        assert_eq!(time_left(&long_ago, timeout), Duration::ZERO);
        let in_the_future = SentWith {
            at: Some(Utc::now() + chrono::TimeDelta::days(1)),
            ..SentWith::default()
        };
        assert_eq!(time_left(&in_the_future, timeout), timeout);
        assert_eq!(time_left(&SentWith::default(), timeout), Duration::ZERO);
    }
}
