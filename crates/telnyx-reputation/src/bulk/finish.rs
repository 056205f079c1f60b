//! The end of a run: the outcome rules, the rollback all-or-nothing requires, and the report.

use std::collections::{BTreeMap, BTreeSet};

use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::context::JobContext;
use super::job_report::{Duplicate, JobReport, NumberFailure, Outcome, Refusal};
use super::journal::{Event, JournalError, RefusedNumber};
use super::rollback::{RolledBack, roll_back};
use super::tally::Tally;
use super::{EndCause, FailureReason, Mode, Phase};

/// The pieces of a report that do not depend on how the job ended.
pub(super) struct Basis {
    pub job_id: Uuid,
    pub inputs: u64,
    pub valid: u64,
    pub preflight_refused: Vec<Refusal>,
    pub duplicates: Vec<Duplicate>,
}

/// Whether all-or-nothing requires the job to be undone now. Never after the job gave up on
/// the server (stall timeout or deadline): a rollback into the same unresponsive server would
/// give up too, so the job ends with its outcome unknown and its journal to resume or roll back.
/// Nor, with a journal, after the API refused the credentials or the enterprise (401, 403,
/// 404): a refused request associated nothing, and a rollback with the same key may be refused
/// too, so the journal is left for `rollback` with valid credentials. Without a journal there is
/// no later: the rollback is tried now, and what it cannot undo is reported.
pub(super) fn must_roll_back(mode: Mode, tally: &Tally, has_journal: bool) -> bool {
    mode == Mode::AllOrNothing
        && !tally.gave_up()
        && (!tally.denied() || !has_journal)
        && (!tally.refused.is_empty() || !tally.failed.is_empty() || tally.end.is_some())
}

/// The outcome of a job that is not rolled back.
pub(super) fn settled_outcome(tally: &Tally, preflight_refusals: usize) -> Outcome {
    if tally.gave_up() || (tally.end.is_some() && tally.ours.is_empty()) {
        Outcome::Failed
    } else if tally.refused.is_empty()
        && tally.failed.is_empty()
        && tally.not_sent == 0
        && preflight_refusals == 0
    {
        Outcome::Completed
    } else {
        Outcome::Partial
    }
}

/// A server refusal as the report shows it.
pub(super) fn refusal(r: &RefusedNumber) -> Refusal {
    Refusal {
        index: None,
        input: r.number.to_string(),
        code: r.code.clone(),
        detail: r.detail.clone(),
    }
}

/// Failures as the report shows them: one per number (a later reason replaces an earlier one).
pub(super) fn failures(failed: BTreeMap<UsNumber, FailureReason>) -> Vec<NumberFailure> {
    failed
        .into_iter()
        .map(|(n, reason)| NumberFailure {
            number: n.to_string(),
            reason,
        })
        .collect()
}

/// Writes what a rollback did into the report, so that every number is counted once: a number
/// the rollback disassociated counts as rolled back (not failed, not associated), an undecided
/// one found there from before counts as already associated, an undecided one found absent
/// stays failed when the job failed on it and is otherwise not sent (it was in flight when a
/// run stopped, and not applied), and one the rollback could not settle is failed, with the
/// rollback's reason, and no longer associated.
pub(super) fn apply_rollback(
    report: &mut JobReport,
    failed: &mut BTreeMap<UsNumber, FailureReason>,
    end: RolledBack,
) {
    let undone: BTreeSet<UsNumber> = end.disassociated.iter().copied().collect();
    for n in &undone {
        failed.remove(n);
    }
    let mut already: BTreeSet<UsNumber> = report.already_associated.iter().copied().collect();
    for n in end.before {
        failed.remove(&n);
        if already.insert(n) {
            report.already_associated.push(n);
        }
    }
    for n in end.absent {
        if !failed.contains_key(&n) {
            report.not_sent = report.not_sent.saturating_add(1);
        }
    }
    let left: BTreeSet<UsNumber> = end.failures.iter().map(|(n, _)| *n).collect();
    let skipped: BTreeSet<UsNumber> = end.skipped.iter().copied().collect();
    report
        .associated
        .retain(|n| !undone.contains(n) && !left.contains(n) && !skipped.contains(n));
    if end.failures.is_empty() && skipped.is_empty() {
        report.outcome = Outcome::RolledBack;
        return;
    }
    failed.extend(end.failures);
    report.outcome = Outcome::Failed;
    if !skipped.is_empty() {
        // Interrupted, with a journal to finish from: the skipped numbers are still ours,
        // counted once, as associated.
        report.interrupted = true;
        for n in &skipped {
            failed.remove(n);
        }
        report.associated.extend(skipped);
        report.end.get_or_insert(EndCause::RollbackInterrupted);
    }
    report.end.get_or_insert(EndCause::RollbackIncomplete);
}

/// Decides the outcome, rolls back when all-or-nothing requires it, and writes the end.
pub(super) async fn finish(
    ctx: &JobContext,
    basis: Basis,
    tally: Tally,
) -> Result<JobReport, JournalError> {
    let mut report = JobReport::blank(
        basis.job_id,
        ctx.enterprise,
        ctx.mode,
        basis.inputs,
        basis.valid,
    );
    let preflight_refusals = basis.preflight_refused.len();
    report.refused = basis.preflight_refused;
    report.refused.extend(tally.refused.iter().map(refusal));
    report.duplicates = basis.duplicates;
    report.not_sent = tally.not_sent;
    report.end = tally.end.clone();
    let mut failed: BTreeMap<UsNumber, FailureReason> = tally.failed.iter().cloned().collect();
    let interrupted = ctx.interrupted() && tally.not_sent > 0;
    if interrupted {
        report.interrupted = true;
        report.end.get_or_insert(EndCause::Cancelled);
    }
    if interrupted && ctx.has_journal() {
        // Left as it is, unfinished: the journal is for `resume` or `rollback`.
        report.outcome = Outcome::Failed;
        report.associated = tally.ours;
        report.already_associated = tally.already;
    } else if must_roll_back(ctx.mode, &tally, ctx.has_journal())
        || (interrupted && ctx.mode == Mode::AllOrNothing && !tally.gave_up())
    {
        report.already_associated = tally.already;
        let undecided = failed.keys().copied().collect();
        let end = roll_back(ctx, tally.ours, undecided, false).await?;
        report.rolled_back = end.undone;
        apply_rollback(&mut report, &mut failed, end);
    } else {
        report.outcome = settled_outcome(&tally, preflight_refusals);
        if ctx.mode == Mode::AllOrNothing
            && let Some(EndCause::Denied {
                still_associated, ..
            }) = &mut report.end
        {
            // No rollback was tried with the refused credentials: say what is left.
            report.outcome = Outcome::Failed;
            *still_associated = Some(tally.ours.len() as u64);
        }
        // A job that gave up on the server is not finished: its journal keeps what is in
        // flight and what was proved not sent, for `resume`.
        if !tally.gave_up() && (report.outcome != Outcome::Failed || tally.failed.is_empty()) {
            let outcome = report.outcome;
            ctx.log(|| Event::Finished { outcome })?;
        }
        report.associated = tally.ours;
        report.already_associated = tally.already;
    }
    report.failed = failures(failed);
    report.requests = ctx.requests();
    report.lookups = ctx.lookups();
    report.operation = ctx.operation.kind();
    report.remediation_ids = tally.ids.into_iter().collect();
    ctx.tick(|p| p.phase = Phase::Finished);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: u32) -> UsNumber {
        format!("+1201555{i:04}").parse().unwrap()
    }

    /// A failure with `detail` as its words.
    fn unknown(detail: &str) -> FailureReason {
        FailureReason::LookupFailed {
            status: None,
            detail: detail.into(),
        }
    }

    fn ended(cause: EndCause) -> Tally {
        Tally {
            end: Some(cause),
            ..Tally::default()
        }
    }

    fn rejected() -> EndCause {
        EndCause::Rejected {
            status: Some(409),
            detail: "HTTP 409".into(),
        }
    }

    fn denied() -> EndCause {
        EndCause::Denied {
            status: 403,
            detail: "HTTP 403".into(),
            still_associated: None,
        }
    }

    fn stalled() -> EndCause {
        EndCause::Stalled {
            detail: "no request succeeded for 120 s".into(),
        }
    }

    #[test]
    fn all_or_nothing_rolls_back_on_any_refusal_failure_or_fatal_error() {
        let mut tally = Tally::default();
        assert!(!must_roll_back(Mode::AllOrNothing, &tally, true));
        tally.failed.push((n(0), unknown("x")));
        assert!(must_roll_back(Mode::AllOrNothing, &tally, true));
        assert!(!must_roll_back(Mode::BestEffort, &tally, true));
        let stalled = ended(stalled());
        assert!(!must_roll_back(Mode::AllOrNothing, &stalled, true));
        assert_eq!(settled_outcome(&stalled, 0), Outcome::Failed);
        assert!(must_roll_back(Mode::AllOrNothing, &ended(rejected()), true));
        // Refused credentials: left to the journal, or, without one, rolled back now.
        let denied = ended(denied());
        assert!(!must_roll_back(Mode::AllOrNothing, &denied, true));
        assert!(must_roll_back(Mode::AllOrNothing, &denied, false));
    }

    #[test]
    fn giving_up_outweighs_a_denial_which_outweighs_a_rejection() {
        let mut tally = ended(rejected());
        tally.end_with(denied());
        assert!(tally.denied());
        tally.end_with(rejected());
        assert!(tally.denied(), "a rejection does not replace a denial");
        tally.end_with(stalled());
        assert!(tally.gave_up() && !tally.denied());
        let mut merged = ended(denied());
        merged.merge(tally);
        assert!(merged.gave_up());
    }

    #[test]
    fn outcome_rules() {
        let mut tally = Tally::default();
        tally.ours.push(n(0));
        assert_eq!(settled_outcome(&tally, 0), Outcome::Completed);
        assert_eq!(settled_outcome(&tally, 1), Outcome::Partial);
        tally.not_sent = 1;
        assert_eq!(settled_outcome(&tally, 0), Outcome::Partial);
        assert_eq!(settled_outcome(&ended(denied()), 0), Outcome::Failed);
    }

    #[test]
    fn a_rollback_moves_each_number_to_one_outcome() {
        // n0, n1 associated by the job; n2..n5 undecided (failed) when the rollback began.
        let mut report = JobReport::blank(Uuid::nil(), Uuid::nil(), Mode::AllOrNothing, 6, 6);
        report.associated = vec![n(0), n(1)];
        let mut failed: BTreeMap<UsNumber, FailureReason> =
            (2..6).map(|i| (n(i), unknown("timed out"))).collect();
        let end = RolledBack {
            undone: 2,
            disassociated: vec![n(0), n(2)],
            before: vec![n(3)],
            absent: vec![n(4)],
            left: vec![n(1), n(5)],
            failures: vec![
                (n(1), unknown("still there")),
                (n(5), unknown("lookup failed")),
            ],
            skipped: vec![],
        };
        report.rolled_back = end.undone;
        apply_rollback(&mut report, &mut failed, end);
        report.failed = failures(failed);
        assert_eq!(report.outcome, Outcome::Failed);
        assert!(report.associated.is_empty());
        assert_eq!(report.already_associated, vec![n(3)]);
        let failed: Vec<&str> = report.failed.iter().map(|f| f.number.as_str()).collect();
        assert_eq!(failed, ["+12015550001", "+12015550004", "+12015550005"]);
        assert_eq!(report.failed[0].reason, unknown("still there"));
        assert_eq!(report.not_sent, 0);
        assert_eq!(report.counted(), 6);
        assert_eq!(report.end, Some(EndCause::RollbackIncomplete));
    }

    #[test]
    fn an_interrupted_rollback_counts_what_it_skipped_once_as_still_associated() {
        // n0, n1 associated by the job, n2 undecided and found ours; the interrupt stopped the
        // rollback after n0.
        let mut report = JobReport::blank(Uuid::nil(), Uuid::nil(), Mode::AllOrNothing, 3, 3);
        report.associated = vec![n(0), n(1)];
        let mut failed: BTreeMap<UsNumber, FailureReason> = [(n(2), unknown("timed out"))].into();
        let end = RolledBack {
            undone: 1,
            disassociated: vec![n(0)],
            skipped: vec![n(1), n(2)],
            ..RolledBack::default()
        };
        report.rolled_back = end.undone;
        apply_rollback(&mut report, &mut failed, end);
        report.failed = failures(failed);
        assert_eq!(report.outcome, Outcome::Failed);
        assert!(report.interrupted);
        assert_eq!(report.associated, vec![n(1), n(2)]);
        assert!(report.failed.is_empty());
        assert_eq!(report.counted(), 3);
    }

    #[test]
    fn a_number_fails_once_in_the_report_whatever_the_reasons() {
        let mut failed = BTreeMap::new();
        failed.insert(n(0), unknown("timed out"));
        failed.extend([(n(0), FailureReason::ResendsUsedUp)]);
        failed.insert(n(1), unknown("x"));
        let report = failures(failed);
        assert_eq!(report.len(), 2);
        assert_eq!(report[0].reason, FailureReason::ResendsUsedUp);
    }
}
