//! One batch's decisions: send it, learn what happened, and record every number's outcome.
//!
//! A batch is worked as a stack of [`Step`]s: a refusal may split it (isolated numbers, halves
//! of a bisection), an uncertain answer turns into lookups ([`super::proof`]), and numbers
//! proved not applied are sent again, at most [`JobContext::resends`] times. Each decision is
//! recorded by [`super::tally`].

use chrono::Utc;
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::context::JobContext;
use super::journal::{Event, JournalError, RefusedNumber, SentWith};
use super::operation::{Operation, Sent};
use super::proof::{Proof, Seen, prove};
use super::reconcile::Found;
use super::refusal::{handle_refusal, pointed_index, refusal_code};
use super::tally::{Step, Tally, Work, already, commit, fail, next_send, record_refused};
use super::{EndCause, FailureReason};
use crate::Error;

/// How a set of numbers came to be uncertain.
#[derive(Clone, Copy)]
enum Uncertain {
    /// In flight when an earlier run stopped: that run's request counts as one send.
    FromJournal,
    /// This run sent them, after this many earlier sends, and no answer came (or a 5xx).
    Sent(u32),
    /// This run sent them, after this many earlier sends, and an answer came that does not
    /// name them.
    Answered(u32),
}

impl Uncertain {
    /// How many times the numbers have been sent, this request included.
    fn sends(self) -> u32 {
        match self {
            Uncertain::FromJournal => 1,
            Uncertain::Sent(before) | Uncertain::Answered(before) => before.saturating_add(1),
        }
    }

    /// Whether the request may still be in the server's hands: then the first lookup waits
    /// until its timeout has passed.
    fn may_be_pending(self) -> bool {
        !matches!(self, Uncertain::Answered(_))
    }
}

/// Runs one batch to a decision for each of its numbers.
pub(super) async fn run_batch(ctx: &JobContext, work: Work) -> Result<Tally, JournalError> {
    let Work {
        batch,
        mut first,
        step,
    } = work;
    let mut tally = Tally::default();
    let mut steps = vec![step];
    while let Some(step) = steps.pop() {
        match step {
            Step::LookUp(set, sent) if !set.is_empty() => {
                let first = first.get_or_insert_with(|| sent.clone()).clone();
                let mut at = Batch {
                    ctx,
                    batch,
                    first: &first,
                    steps: &mut steps,
                    tally: &mut tally,
                };
                at.settle(set, &sent, Uncertain::FromJournal).await?;
            }
            Step::Send(set) | Step::Resend(set, _) if set.is_empty() => {}
            Step::Send(set) | Step::Resend(set, _) if ctx.stopped() => {
                tally.not_sent += set.len() as u64;
            }
            Step::Send(set) => send(ctx, batch, &mut first, set, 0, &mut steps, &mut tally).await?,
            Step::Resend(set, sends) => {
                send(ctx, batch, &mut first, set, sends, &mut steps, &mut tally).await?;
            }
            Step::LookUp(..) => {}
        }
    }
    Ok(tally)
}

/// Sends one request (after `sends` earlier sends of the same numbers) and decides what its
/// answer means.
async fn send(
    ctx: &JobContext,
    batch: u64,
    first: &mut Option<SentWith>,
    set: Vec<UsNumber>,
    sends: u32,
    steps: &mut Vec<Step>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    if let Some(&number) = set.first() {
        // Not while another batch makes sure of a refusal (see `JobContext::hold_sends`).
        ctx.unheld().await;
        let ready = ctx.operation.before_sending(ctx, number).await;
        if let Err(e) = &ready {
            tally.end_on(ctx, e);
        }
        if ready.is_err() || ctx.stopped() {
            // Nothing was sent: not sent, as far as the job goes, so that a resume sends them.
            tally.not_sent += set.len() as u64;
            return Ok(());
        }
    }
    let at = Utc::now();
    let this = SentWith {
        at: Some(at),
        floor: ctx.client.server_time_at(at),
        marker: ctx.operation.new_marker(),
    };
    ctx.log(|| Event::Attempt {
        batch,
        numbers: set.clone(),
        at,
        floor: this.floor,
        marker: this.marker.clone(),
    })?;
    let first = first.get_or_insert_with(|| this.clone()).clone();
    let answer = ctx.operation.send(ctx, &set, this.marker.as_deref()).await;
    let mut at = Batch {
        ctx,
        batch,
        first: &first,
        steps,
        tally,
    };
    match answer {
        Ok(answered) => {
            if !answered.done.is_empty() {
                at.commit(answered.done, answered.id)?;
            }
            if !answered.refused.is_empty() {
                record_refused(ctx, batch, answered.refused, at.tally)?;
            }
            if !answered.unconfirmed.is_empty() {
                tracing::warn!(
                    batch,
                    unconfirmed = answered.unconfirmed.len(),
                    "the answer did not confirm every number; looking them up"
                );
                // Answered: the server is done with the request, so no wait before the
                // first lookup.
                at.settle(answered.unconfirmed, &this, Uncertain::Answered(sends))
                    .await?;
            }
            Ok(())
        }
        Err(Sent::Invalid(rule)) => {
            let reason = FailureReason::Invalid { rule };
            ctx.log(|| Event::Failed {
                batch,
                numbers: set.clone(),
                reason: reason.clone(),
            })?;
            at.tally
                .failed
                .extend(set.into_iter().map(|n| (n, reason.clone())));
            ctx.halt();
            Ok(())
        }
        Err(Sent::Failed(e)) if e.outcome_unknown() || matches!(e, Error::Protocol { .. }) => {
            tracing::warn!(batch, error = %e, "outcome unknown; looking the numbers up once the request timeout has passed");
            at.settle(set, &this, Uncertain::Sent(sends)).await
        }
        Err(Sent::Failed(e))
            if e.status() == Some(409) && matches!(ctx.operation, Operation::Remediate(_)) =>
        {
            at.in_flight(set, sends, &e)
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
            match ctx.operation {
                Operation::Associate => {
                    handle_refusal(ctx, batch, &first, set, sends, &e, at.steps, at.tally).await
                }
                _ => at.refuse_pointed(set, sends, &e),
            }
        }
        Err(Sent::Failed(e)) => {
            // Not applied (no connection, 429, 401/403/404...): nothing to reconcile.
            ctx.log(|| Event::NotCommitted {
                batch,
                numbers: set.clone(),
            })?;
            if matches!(e, Error::Stalled { .. }) {
                // Proved not applied: not sent, as far as the job goes, so that a resume sends
                // them.
                at.tally.end_on(ctx, &e);
                at.tally.not_sent += set.len() as u64;
                return Ok(());
            }
            let denied = matches!(e.status(), Some(401 | 403 | 404));
            if denied || !e.is_transient() {
                at.tally.end_on(ctx, &e);
            }
            let reason = FailureReason::NotApplied {
                status: e.status(),
                detail: e.to_string(),
            };
            fail(ctx, batch, set, reason, at.tally)
        }
    }
}

/// One batch at work: what its decisions need.
struct Batch<'a> {
    ctx: &'a JobContext,
    batch: u64,
    /// How the batch was first sent: the reference of "applied since".
    first: &'a SentWith,
    steps: &'a mut Vec<Step>,
    tally: &'a mut Tally,
}

impl Batch<'_> {
    /// Records numbers this job applied (in remediation request `id`).
    fn commit(&mut self, set: Vec<UsNumber>, id: Option<Uuid>) -> Result<(), JournalError> {
        commit(self.ctx, self.batch, set, id, self.tally)
    }

    /// Looks up numbers whose request (`this`) may or may not have been applied, and decides:
    /// applied ones are the job's, ones there from before are done, and ones proved not
    /// applied are sent again (at most [`JobContext::resends`] times).
    async fn settle(
        &mut self,
        set: Vec<UsNumber>,
        this: &SentWith,
        why: Uncertain,
    ) -> Result<(), JournalError> {
        let (ctx, batch) = (self.ctx, self.batch);
        let proof = match prove(
            ctx,
            &set,
            self.first,
            this,
            why.may_be_pending(),
            Seen::Applied,
        )
        .await
        {
            Ok(proof) => proof,
            Err(e) => {
                tracing::warn!(batch, error = %e, "reconciliation lookup failed");
                let gave_up = ctx.gave_up();
                let stall = gave_up.or(match &e {
                    Error::Stalled { stall, .. } => Some(*stall),
                    _ => None,
                });
                let detail = match gave_up {
                    Some(stall) => format!("gave up on the server: {stall}"),
                    None => e.to_string(),
                };
                let reason = FailureReason::LookupFailed {
                    status: e.status(),
                    detail: detail.clone(),
                };
                if let Some(stall) = stall {
                    // Left in flight in the journal: a resume looks them up again.
                    self.tally.stall(ctx, EndCause::gave_up(&stall, detail));
                    let n = set.len() as u64;
                    self.tally
                        .failed
                        .extend(set.into_iter().map(|num| (num, reason.clone())));
                    ctx.tick(|p| p.done += n);
                    return Ok(());
                }
                return fail(ctx, batch, set, reason, self.tally);
            }
        };
        let absent = self.decide(proof)?;
        if absent.is_empty() {
            return Ok(());
        }
        ctx.log(|| Event::NotCommitted {
            batch,
            numbers: absent.clone(),
        })?;
        let sends = why.sends();
        if sends <= ctx.resends {
            self.steps.push(Step::Resend(absent, sends));
            Ok(())
        } else {
            fail(ctx, batch, absent, FailureReason::ResendsUsedUp, self.tally)
        }
    }

    /// Records what a proof shows; returns the numbers proved not applied. For an atomic
    /// operation, a request was applied only when every number of it is the job's; otherwise
    /// the numbers found were there from before.
    fn decide(&mut self, proof: Proof) -> Result<Vec<UsNumber>, JournalError> {
        let applied_whole = proof.all_ours();
        let atomic = self.ctx.operation.atomic();
        let (mut ours, mut before, mut absent) = (Vec::new(), Vec::new(), Vec::new());
        for (n, found) in proof.found {
            match found {
                Found::Ours if !atomic || applied_whole => ours.push(n),
                Found::Ours | Found::Before => before.push(n),
                Found::Absent => absent.push(n),
            }
        }
        if !ours.is_empty() {
            self.commit(ours, proof.id)?;
        }
        if !before.is_empty() {
            already(self.ctx, self.batch, before, self.tally)?;
        }
        Ok(absent)
    }

    /// A remediation refused with 409: a number already has a request in flight. When the
    /// numbers were sent before by this job and the 409 names every one of them, the earlier
    /// request is what holds them: it was applied. Otherwise the numbers named are someone
    /// else's in flight (refused, never sent again by this job), and the rest, which the 409
    /// refused with them, are sent without them.
    fn in_flight(&mut self, set: Vec<UsNumber>, sends: u32, e: &Error) -> Result<(), JournalError> {
        let named: std::collections::BTreeSet<usize> = e
            .api()
            .map(|a| a.errors.iter().filter_map(pointed_index).collect())
            .unwrap_or_default();
        if sends > 0 && (0..set.len()).all(|i| named.contains(&i)) {
            tracing::warn!(
                batch = self.batch,
                "a resend is refused for every number in flight: the earlier request was applied"
            );
            return self.commit(set, None);
        }
        let (ctx, batch) = (self.ctx, self.batch);
        ctx.log(|| Event::NotCommitted {
            batch,
            numbers: set.clone(),
        })?;
        let refusal = |n: UsNumber| RefusedNumber {
            number: n,
            code: "in_flight".into(),
            detail: format!("{n} already has a remediation request in flight"),
        };
        if named.is_empty() {
            return record_refused(
                ctx,
                batch,
                set.into_iter().map(refusal).collect(),
                self.tally,
            );
        }
        let mut refused = Vec::new();
        let mut rest = Vec::new();
        for (i, n) in set.into_iter().enumerate() {
            if named.contains(&i) {
                refused.push(refusal(n));
            } else {
                rest.push(n);
            }
        }
        record_refused(ctx, batch, refused, self.tally)?;
        self.steps.push(next_send(rest, sends));
        Ok(())
    }

    /// A refresh or remediation refused with 400/422: the numbers the answer points at are
    /// refused and the rest sent again without them; with no pointer, all are refused.
    fn refuse_pointed(
        &mut self,
        set: Vec<UsNumber>,
        sends: u32,
        e: &Error,
    ) -> Result<(), JournalError> {
        let code = refusal_code(e);
        let detail = e.to_string();
        let named: std::collections::BTreeSet<usize> = e
            .api()
            .map(|a| a.errors.iter().filter_map(pointed_index).collect())
            .unwrap_or_default();
        let refusal = |n: UsNumber| RefusedNumber {
            number: n,
            code: code.clone(),
            detail: detail.clone(),
        };
        if named.is_empty() || !named.iter().all(|i| *i < set.len()) {
            let refused = set.into_iter().map(refusal).collect();
            return record_refused(self.ctx, self.batch, refused, self.tally);
        }
        let (refused, rest): (Vec<_>, Vec<_>) = set
            .into_iter()
            .enumerate()
            .partition(|(i, _)| named.contains(i));
        record_refused(
            self.ctx,
            self.batch,
            refused.into_iter().map(|(_, n)| refusal(n)).collect(),
            self.tally,
        )?;
        self.steps
            .push(next_send(rest.into_iter().map(|(_, n)| n).collect(), sends));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: u32) -> UsNumber {
        format!("+1201555{i:04}").parse().unwrap()
    }

    #[test]
    fn a_set_proved_not_applied_is_sent_again_as_often_as_it_was_sent() {
        assert_eq!(next_send(vec![n(0)], 0), Step::Send(vec![n(0)]));
        assert_eq!(next_send(vec![n(0)], 2), Step::Resend(vec![n(0)], 2));
        assert_eq!(Uncertain::FromJournal.sends(), 1);
        assert_eq!(Uncertain::Sent(0).sends(), 1);
        assert_eq!(Uncertain::Sent(1).sends(), 2);
    }
}
