//! What a batch decides, recorded: the steps left for its numbers, the tally its decisions
//! add up to, and the helpers that write each decision to the journal, the tally and the
//! progress at once. Shared by the batch loop ([`super::batch`]) and the refusal handling
//! ([`super::refusal`]), which both record decisions and neither of which owns them.

use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::Mode;
use super::context::JobContext;
use super::journal::{Event, JournalError, RefusedNumber, SentWith};
use super::operation::Operation;

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
    pub failed: Vec<(UsNumber, String)>,
    pub not_sent: u64,
    /// The remediation request each submitted number is in, when known.
    pub ids: Vec<(UsNumber, Uuid)>,
    pub fatal: Option<String>,
    /// Whether the API refused the credentials or the enterprise (401, 403, or 404 on the
    /// billable call): nothing more, rollback included, can be done with the same key.
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
        self.ids.extend(other.ids);
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
