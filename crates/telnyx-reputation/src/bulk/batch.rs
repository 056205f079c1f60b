//! One batch's decisions: send it, learn what happened, and record every number's outcome.
//!
//! A batch is worked as a stack of [`Step`]s: a refusal may split it (isolated numbers, halves
//! of a bisection), an uncertain answer turns into lookups, and numbers proved not applied are
//! sent again once.

use telnyx_e164::{Batch, UsLocalNumber};

use super::Mode;
use super::context::JobContext;
use super::journal::{Event, JournalError, RefusedNumber};
use super::reconcile::{Found, confirmed_by, reconcile, split_found};
use super::refusal::handle_refusal;
use crate::Error;

/// A batched, billable operation the engine runs: what one request sends and what its answer
/// confirms. Associate is the one there is; refresh (at most 100 numbers a request, results
/// per number, not atomic) and remediation (at most 2,000, a 409 per number in flight) fit the
/// same seam: a batch size, a send, and per-number confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operation {
    /// `AssociateReputationNumbers`: atomic, at most 100 numbers.
    Associate,
}

impl Operation {
    /// The most numbers one request may carry.
    pub fn max_batch(self) -> usize {
        match self {
            Operation::Associate => Batch::MAX_SIZE,
        }
    }

    /// Sends one request for `numbers`; on success, which of them the answer confirms.
    async fn send(self, ctx: &JobContext, numbers: &[UsLocalNumber]) -> Result<Vec<bool>, Sent> {
        match self {
            Operation::Associate => {
                let request = Batch::new(numbers.to_vec()).map_err(|rejection| {
                    Sent::Invalid(format!(
                        "internal error: batch refused by pre-flight: {rejection}"
                    ))
                })?;
                ctx.count_request();
                let created = ctx
                    .client
                    .associate(ctx.enterprise, &request)
                    .await
                    .map_err(Sent::Failed)?;
                Ok(confirmed_by(numbers, &created))
            }
        }
    }
}

/// Why a send did not succeed.
enum Sent {
    /// Not sent: the request could not be built.
    Invalid(String),
    /// Sent, and the call failed.
    Failed(Error),
}

/// What is left to do for some numbers of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// Send them: never sent by this run.
    Send(Vec<UsLocalNumber>),
    /// Send them again: a request for them was proved not applied. A second proof fails them
    /// rather than send a billable request a third time.
    Resend(Vec<UsLocalNumber>),
    /// A request for them may have been applied (it was in flight when a run stopped): look
    /// them up before anything else.
    LookUp(Vec<UsLocalNumber>),
}

/// What batches decided, merged.
#[derive(Default)]
pub(super) struct Tally {
    pub ours: Vec<UsLocalNumber>,
    pub already: Vec<UsLocalNumber>,
    pub refused: Vec<RefusedNumber>,
    pub failed: Vec<(UsLocalNumber, String)>,
    pub not_sent: u64,
    pub fatal: Option<String>,
    /// Whether the API refused the credentials or the enterprise (401, 403, or 404 on the
    /// associate call): nothing more, rollback included, can be done with the same key.
    pub denied: bool,
    /// Why the job gave up on the server (stall timeout or deadline): the outcome of what is
    /// in flight is unknown, and the job ends without a rollback, which would stall too.
    pub stalled: Option<String>,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.ours.extend(other.ours);
        self.already.extend(other.already);
        self.refused.extend(other.refused);
        self.failed.extend(other.failed);
        self.not_sent += other.not_sent;
        if self.fatal.is_none() {
            self.fatal = other.fatal;
        }
        self.denied |= other.denied;
        if self.stalled.is_none() {
            self.stalled = other.stalled;
        }
    }

    /// Records that the job gave up on the server, and stops new batches.
    pub fn stall(&mut self, ctx: &JobContext, why: String) {
        if self.stalled.is_none() {
            self.stalled = Some(why);
        }
        ctx.halt();
    }
}

/// Why some numbers are being looked up.
#[derive(Clone, Copy)]
enum Uncertain {
    /// In flight when an earlier run stopped.
    FromJournal,
    /// This run sent them (the `bool`: as a resend) and the answer did not settle them.
    Sent(bool),
}

/// Runs one batch to a decision for each of its numbers.
pub(super) async fn run_batch(
    ctx: &JobContext,
    batch: u64,
    first: Step,
) -> Result<Tally, JournalError> {
    let mut tally = Tally::default();
    let mut work = vec![first];
    while let Some(step) = work.pop() {
        match step {
            Step::LookUp(set) if !set.is_empty() => {
                settle(
                    ctx,
                    batch,
                    set,
                    Uncertain::FromJournal,
                    &mut work,
                    &mut tally,
                )
                .await?;
            }
            Step::Send(set) | Step::Resend(set) if set.is_empty() => {}
            Step::Send(set) | Step::Resend(set) if ctx.stopped() => {
                tally.not_sent += set.len() as u64;
            }
            Step::Send(set) => send(ctx, batch, set, false, &mut work, &mut tally).await?,
            Step::Resend(set) => send(ctx, batch, set, true, &mut work, &mut tally).await?,
            Step::LookUp(_) => {}
        }
    }
    Ok(tally)
}

/// Sends one request and decides what its answer means.
async fn send(
    ctx: &JobContext,
    batch: u64,
    set: Vec<UsLocalNumber>,
    resend: bool,
    work: &mut Vec<Step>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    ctx.log(|| Event::Intent {
        batch,
        numbers: set.clone(),
    })?;
    match Operation::Associate.send(ctx, &set).await {
        Ok(confirmed) if confirmed.iter().all(|c| *c) => commit(ctx, batch, set, tally),
        Ok(confirmed) => {
            // A 2xx that does not name every number confirms only those it names.
            let (named, unnamed): (Vec<_>, Vec<_>) =
                set.iter().zip(&confirmed).partition(|(_, c)| **c);
            let named: Vec<UsLocalNumber> = named.into_iter().map(|(n, _)| *n).collect();
            let unnamed: Vec<UsLocalNumber> = unnamed.into_iter().map(|(n, _)| *n).collect();
            tracing::warn!(
                batch,
                unconfirmed = unnamed.len(),
                "the answer did not confirm every number; looking them up"
            );
            if !named.is_empty() {
                commit(ctx, batch, named, tally)?;
            }
            settle(ctx, batch, unnamed, Uncertain::Sent(resend), work, tally).await
        }
        Err(Sent::Invalid(reason)) => {
            ctx.log(|| Event::Failed {
                batch,
                numbers: set.clone(),
                reason: reason.clone(),
            })?;
            tally
                .failed
                .extend(set.into_iter().map(|n| (n, reason.clone())));
            ctx.halt();
            Ok(())
        }
        Err(Sent::Failed(e)) if e.outcome_unknown() || matches!(e, Error::Protocol { .. }) => {
            tracing::warn!(batch, error = %e, "associate outcome unknown; looking the numbers up");
            settle(ctx, batch, set, Uncertain::Sent(resend), work, tally).await
        }
        Err(Sent::Failed(Error::Cancelled { .. })) => {
            // Interrupted while it waited to be sent: never sent, as a batch not drawn.
            ctx.log(|| Event::NotCommitted {
                batch,
                numbers: set.clone(),
            })?;
            tally.not_sent += set.len() as u64;
            Ok(())
        }
        Err(Sent::Failed(e)) if matches!(e.status(), Some(400 | 422)) => {
            ctx.log(|| Event::NotCommitted {
                batch,
                numbers: set.clone(),
            })?;
            handle_refusal(ctx, batch, set, &e, work, tally).await
        }
        Err(Sent::Failed(e)) => {
            // Not applied (no connection, 429, 401/403/404...): nothing to reconcile.
            ctx.log(|| Event::NotCommitted {
                batch,
                numbers: set.clone(),
            })?;
            if matches!(e, Error::Stalled { .. }) {
                tally.stall(ctx, e.to_string());
            }
            let denied = matches!(e.status(), Some(401 | 403 | 404));
            tally.denied |= denied;
            let fatal = denied || !e.is_transient();
            if fatal && tally.fatal.is_none() {
                tally.fatal = Some(e.to_string());
                ctx.halt();
            }
            fail(ctx, batch, set, &e.to_string(), "not applied", tally)
        }
    }
}

/// Records numbers this job associated.
fn commit(
    ctx: &JobContext,
    batch: u64,
    set: Vec<UsLocalNumber>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    ctx.log(|| Event::Committed {
        batch,
        numbers: set.clone(),
    })?;
    let n = set.len() as u64;
    tally.ours.extend(set);
    ctx.tick(|p| {
        p.associated += n;
        p.done += n;
    });
    Ok(())
}

/// Looks up numbers whose request may or may not have been applied, and decides: present ones
/// by the atomic rule, absent ones are sent (again, at most once).
async fn settle(
    ctx: &JobContext,
    batch: u64,
    set: Vec<UsLocalNumber>,
    why: Uncertain,
    work: &mut Vec<Step>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    let found = match reconcile(ctx, &set).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(batch, error = %e, "reconciliation lookup failed");
            let reason = ctx.gave_up().unwrap_or_else(|| e.to_string());
            if matches!(e, Error::Stalled { .. }) || ctx.gave_up().is_some() {
                tally.stall(ctx, reason.clone());
            }
            return fail(
                ctx,
                batch,
                set,
                &reason,
                "outcome unknown and lookup failed",
                tally,
            );
        }
    };
    let (present, absent) = split_found(&found);
    decide_present(ctx, batch, &found, present, tally)?;
    if absent.is_empty() {
        return Ok(());
    }
    ctx.log(|| Event::NotCommitted {
        batch,
        numbers: absent.clone(),
    })?;
    match why {
        Uncertain::FromJournal => work.push(Step::Send(absent)),
        Uncertain::Sent(false) => work.push(Step::Resend(absent)),
        Uncertain::Sent(true) => fail(
            ctx,
            batch,
            absent,
            "proved not applied twice",
            "not sent a third time",
            tally,
        )?,
    }
    Ok(())
}

/// Whether an uncertain request for `found` was applied, by the atomic rule: it was when every
/// number of the set is present and new; otherwise it was not, and the present ones were
/// associated before.
pub(super) fn applied(found: &[(UsLocalNumber, Found)]) -> bool {
    found.iter().all(|(_, f)| *f == Found::Ours)
}

/// Records numbers found associated after an uncertain request.
fn decide_present(
    ctx: &JobContext,
    batch: u64,
    found: &[(UsLocalNumber, Found)],
    present: Vec<UsLocalNumber>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    if present.is_empty() {
        return Ok(());
    }
    if applied(found) {
        return commit(ctx, batch, present, tally);
    }
    ctx.log(|| Event::Already {
        batch,
        numbers: present.clone(),
    })?;
    let n = present.len() as u64;
    tally.already.extend(present);
    ctx.tick(|p| {
        p.already_associated += n;
        p.done += n;
    });
    Ok(())
}

/// Records numbers whose outcome could not be decided; all-or-nothing stops.
pub(super) fn fail(
    ctx: &JobContext,
    batch: u64,
    set: Vec<UsLocalNumber>,
    error: &str,
    what: &str,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    let reason = format!("{what}: {error}");
    ctx.log(|| Event::Failed {
        batch,
        numbers: set.clone(),
        reason: reason.clone(),
    })?;
    let n = set.len() as u64;
    tally
        .failed
        .extend(set.into_iter().map(|num| (num, reason.clone())));
    ctx.tick(|p| p.done += n);
    if ctx.mode == Mode::AllOrNothing {
        ctx.halt();
    }
    Ok(())
}

/// Records server refusals; all-or-nothing stops.
pub(super) fn record_refused(
    ctx: &JobContext,
    batch: u64,
    refused: Vec<RefusedNumber>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    if refused.is_empty() {
        return Ok(());
    }
    ctx.log(|| Event::Refused {
        batch,
        refusals: refused.clone(),
    })?;
    let n = refused.len() as u64;
    tally.refused.extend(refused);
    ctx.tick(|p| {
        p.refused += n;
        p.done += n;
    });
    if ctx.mode == Mode::AllOrNothing {
        ctx.halt();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: u32) -> UsLocalNumber {
        format!("+1201555{i:04}").parse().unwrap()
    }

    #[test]
    fn an_uncertain_request_was_applied_only_when_every_number_is_new() {
        assert!(applied(&[(n(0), Found::Ours), (n(1), Found::Ours)]));
        assert!(!applied(&[(n(0), Found::Ours), (n(1), Found::Before)]));
        assert!(!applied(&[(n(0), Found::Ours), (n(1), Found::Absent)]));
    }
}
