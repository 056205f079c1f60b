//! `resume JOURNAL`: finish a job from its journal, with progress, printing the job's report in
//! the chosen format; a sync's journal is finished prune included (the associations first,
//! then, when they all succeeded, the extras not yet disassociated). Ctrl-C stops it as it stops
//! `associate` (see [`crate::signals`]).

use telnyx_reputation::bulk::OperationKind;

use crate::bulk::job_report::{conclude, exit_of};
use crate::bulk::ops_report::{left_short, print_ops};
pub use crate::bulk::recovery::Args;
use crate::bulk::recovery::{Recovered, Recovery, finished_before, recover};
use crate::bulk::sync_outcome::{left_to_journal, note_kept, note_withheld};
use crate::context::Global;
use crate::exit::{Exit, Failure};

/// Runs `resume`: completes the job (a sync's prune included), or says how it already ended
/// (exit 0).
pub async fn resume(args: Args, global: &Global) -> Result<Exit, Failure> {
    let Recovered {
        report,
        pruned,
        prune_interrupted,
        withheld,
        kept,
    } = recover(Recovery::Resume, &args.journal, global).await?;
    // A refresh's or remediation's journal is finished the same way, and reported number by
    // number as the command that started it reports.
    if report.operation != OperationKind::Associate {
        let finished_before = finished_before(&report, global);
        let exit = print_ops(&report, global.output())?;
        if let Some(next) = left_short(&report, &args.journal) {
            eprintln!("{next}");
        }
        return Ok(if finished_before { Exit::Success } else { exit });
    }
    note_kept(&kept, global);
    if pruned > 0 || prune_interrupted {
        global.note(format!(
            "the sync's associations are done; {pruned} extra(s) disassociated by this run"
        ));
    }
    note_withheld(&withheld, global);
    let exit = if pruned == 0 && !prune_interrupted && finished_before(&report, global) {
        Exit::Success
    } else {
        exit_of(&report)
    };
    let exit = conclude(report, Some(&args.journal), global, exit)?;
    if prune_interrupted {
        eprintln!("{}", left_to_journal("interrupted", Some(&args.journal)));
        return Ok(Exit::Interrupted);
    }
    Ok(exit)
}
