//! What a batch decides, recorded: the steps left for its numbers, the tally its decisions
//! add up to, and the helpers that write each decision to the journal, the tally and the
//! progress at once. Shared by the batch loop ([`super::batch`]) and the refusal handling
//! ([`super::refusal`]), which both record decisions and neither of which owns them.

use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::context::JobContext;
use super::journal::{Event, JournalError, RefusedNumber, SentWith};
use super::operation::Operation;
use super::{EndCause, FailureReason, Mode};

/// What is left to do for some numbers of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// Send them: never sent.
    Send(Vec<UsNumber>),
    /// Send them again: a request for them was proved not applied; the count is how many times
    /// they were sent already.
    Resend(Vec<UsNumber>, u32),
    /// A request for them may have been applied (it was in flight when a run stopped, sent as
    /// the journal says): look them up before anything else.
    LookUp(Vec<UsNumber>, SentWith),
}

/// One batch's work: its number in the plan, how it was first sent (when it was), and what is
/// left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Work {
    pub batch: u64,
    pub first: Option<SentWith>,
    pub step: Step,
}

/// What batches decided, merged.
#[derive(Default)]
pub(super) struct Tally {
    pub ours: Vec<UsNumber>,
    pub already: Vec<UsNumber>,
    pub refused: Vec<RefusedNumber>,
    pub failed: Vec<(UsNumber, FailureReason)>,
    pub not_sent: u64,
    /// The remediation request each submitted number is in, when known.
    pub ids: Vec<(UsNumber, Uuid)>,
    /// What ended the job early, if anything did: the job gave up on the server (stall
    /// timeout or deadline: the outcome of what is in flight is unknown, and the job ends
    /// without a rollback, which would stall too), the API refused the credentials or the
    /// enterprise (nothing more, rollback included, can be done with the same key), or it
    /// rejected a request for good. When several did, the one listed first here wins.
    pub end: Option<EndCause>,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.ours.extend(other.ours);
        self.already.extend(other.already);
        self.refused.extend(other.refused);
        self.failed.extend(other.failed);
        self.ids.extend(other.ids);
        self.not_sent += other.not_sent;
        if let Some(end) = other.end {
            self.end_with(end);
        }
    }

    /// Records what ends the job, unless an earlier cause weighs more: giving up on the
    /// server, then a denial, then any other rejection (among equals, the first stays).
    pub fn end_with(&mut self, cause: EndCause) {
        let weight = |c: &EndCause| match c {
            c if c.gave_up_on_server() => 3,
            EndCause::Denied { .. } => 2,
            _ => 1,
        };
        if self
            .end
            .as_ref()
            .is_none_or(|end| weight(&cause) > weight(end))
        {
            self.end = Some(cause);
        }
    }

    /// Records that the job gave up on the server (`cause` says how), and stops new batches.
    pub fn stall(&mut self, ctx: &JobContext, cause: EndCause) {
        self.end_with(cause);
        ctx.halt();
    }

    /// Ends the job on `error`, which stopped a request before it could be applied: giving up
    /// on the server when the stall rule ended it, its rejection otherwise; no new batch
    /// starts.
    pub fn end_on(&mut self, ctx: &JobContext, error: &crate::Error) {
        match error {
            crate::Error::Stalled { stall, .. } => {
                self.stall(ctx, EndCause::gave_up(stall, error.to_string()));
            }
            _ => {
                self.end_with(EndCause::of_error(error));
                ctx.halt();
            }
        }
    }

    /// Whether the job gave up on the server (stall timeout or deadline).
    pub fn gave_up(&self) -> bool {
        self.end.as_ref().is_some_and(EndCause::gave_up_on_server)
    }

    /// Whether the API refused the credentials or the enterprise.
    pub fn denied(&self) -> bool {
        matches!(self.end, Some(EndCause::Denied { .. }))
    }
}

/// The step that sends numbers the answer proved not applied: a first send stays a first
/// send, a resend stays a resend (with the same count).
pub(super) fn next_send(set: Vec<UsNumber>, sends: u32) -> Step {
    if sends == 0 {
        Step::Send(set)
    } else {
        Step::Resend(set, sends)
    }
}

/// Records numbers this job applied: associated, refreshed, or submitted in request `id`.
pub(super) fn commit(
    ctx: &JobContext,
    batch: u64,
    set: Vec<UsNumber>,
    id: Option<Uuid>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    if matches!(ctx.operation, Operation::Remediate(_)) {
        ctx.log(|| Event::Submitted {
            batch,
            numbers: set.clone(),
            remediation_id: id,
        })?;
    } else {
        ctx.log(|| Event::Committed {
            batch,
            numbers: set.clone(),
        })?;
    }
    let n = set.len() as u64;
    if let Some(id) = id {
        tally.ids.extend(set.iter().map(|num| (*num, id)));
    }
    tally.ours.extend(set);
    ctx.tick(|p| {
        p.associated += n;
        p.done += n;
    });
    Ok(())
}

/// Records numbers found on the enterprise from before the job.
pub(super) fn already(
    ctx: &JobContext,
    batch: u64,
    set: Vec<UsNumber>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    ctx.log(|| Event::Already {
        batch,
        numbers: set.clone(),
    })?;
    let n = set.len() as u64;
    tally.already.extend(set);
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
    set: Vec<UsNumber>,
    reason: FailureReason,
    tally: &mut Tally,
) -> Result<(), JournalError> {
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
