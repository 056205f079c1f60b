//! How a sync's outcome is told (after `sync`, and after `resume` of a sync's journal): what it
//! did, the numbers it held back or kept, what to run next when it stopped with work left, and
//! the failure of a sync that could not run or finish.

use std::path::Path;

use telnyx_reputation::Removal;
use telnyx_reputation::bulk::Outcome;
use telnyx_reputation::sync::{SyncError, SyncOutcome};

use crate::bulk::job_report::exit_of;
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::journals::{self, quoted};

/// The most numbers a plan's table lists on one line; the JSON lists them all.
pub const LISTED: usize = 20;

/// `items` joined, the first [`LISTED`] of them, saying how many more there are.
pub fn listed(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let mut text: Vec<String> = items.take(LISTED).collect();
    if total > LISTED {
        text.push(format!(
            "and {} more (--output json lists them all)",
            total - LISTED
        ));
    }
    text.join(", ")
}

/// A removal in words: `+16035550001 (reassigned, 2026-10-09T07:00:03+00:00)`.
pub fn removal_text(r: &Removal) -> String {
    let reason = r
        .removal_reason
        .as_ref()
        .map_or("reason not given", |r| r.as_str());
    match r.removed_at {
        Some(at) => format!("{} ({reason}, {})", r.phone_number, at.to_rfc3339()),
        None => format!("{} ({reason})", r.phone_number),
    }
}

/// Says what the sync did, and what to run next when it stopped short; the exit.
pub fn conclude_sync(outcome: &SyncOutcome, journal: Option<&Path>, global: &Global) -> Exit {
    let report = outcome.associations.as_ref();
    global.note(format!(
        "associated {}, disassociated {}",
        report.map_or(0, |r| r.associated.len()),
        outcome.disassociated.len()
    ));
    note_withheld(&outcome.withheld, global);
    note_kept(&outcome.kept, global);
    if outcome.interrupted {
        let engine = report
            .filter(|r| journal.is_none() && r.interrupted)
            .and_then(|r| journals::next_steps(r, journal));
        eprintln!(
            "{}",
            engine.unwrap_or_else(|| left_to_journal("interrupted", journal))
        );
        return Exit::Interrupted;
    }
    match report {
        None => Exit::Success,
        Some(r) if r.outcome == Outcome::Completed => Exit::Success,
        Some(r) => {
            if let Some(next) = journals::next_steps(r, journal) {
                eprintln!("{next}");
            }
            exit_of(r)
        }
    }
}

/// Says which numbers of the inventory the sync held back because Telnyx removed them (after
/// `sync`, and after `resume` of its journal).
pub fn note_withheld(withheld: &[Removal], global: &Global) {
    if !withheld.is_empty() {
        global.note(format!(
            "{} number(s) removed by Telnyx not associated again (--readd-removed associates them, billed): {}",
            withheld.len(),
            listed(withheld.iter().map(removal_text))
        ));
    }
}

/// Says which extras the prune left because they were associated again after the plan.
pub fn note_kept(kept: &[impl std::fmt::Display], global: &Global) {
    if kept.is_empty() {
        return;
    }
    let kept: Vec<String> = kept.iter().map(ToString::to_string).collect();
    global.note(format!(
        "{} extra(s) kept: associated again since the sync was planned: {}",
        kept.len(),
        kept.join(", ")
    ));
}

/// What to run after a sync stopped with work left (`why`), naming its journal if it has one.
pub fn left_to_journal(why: &str, journal: Option<&Path>) -> String {
    match journal {
        Some(journal) => {
            let path = quoted(journal);
            format!(
                "{why}: the sync stopped with work left; its journal is {}.\n  to finish it:               telnyx-reputation resume {path}\n  to undo its associations:  telnyx-reputation rollback {path}",
                journal.display()
            )
        }
        None => format!("{why}: the sync stopped with work left; run it again to finish"),
    }
}

/// The failure of a sync that could not run or finish, with what to run next.
pub fn sync_failure(error: SyncError, journal: Option<&Path>) -> Failure {
    match error {
        SyncError::Bulk(e) => Failure::from_bulk(e),
        SyncError::Reread { source } => {
            let mut failure = Failure::from_api(source);
            failure.message = format!(
                "reading the enterprise again before pruning: {}\n{}",
                failure.message,
                left_to_journal("the prune did not start", journal)
            );
            failure
        }
        SyncError::Disassociate { source, .. } => {
            let mut failure = Failure::from_api(source);
            failure.message = format!(
                "{}\n{}",
                failure.message,
                left_to_journal("a disassociation failed", journal)
            );
            failure
        }
        other => Failure::unavailable(other.to_string()),
    }
}
