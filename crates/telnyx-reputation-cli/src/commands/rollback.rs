//! `rollback JOURNAL`: undo a job from its journal, with progress, printing the job's report in
//! the chosen format. For a sync, only its associations are undone: the extras it pruned stay
//! disassociated. Ctrl-C stops it between disassociations (see [`crate::signals`]).

use telnyx_reputation::bulk::Outcome;

use crate::bulk::job_report::{conclude, exit_of};
pub use crate::bulk::recovery::Args;
use crate::bulk::recovery::{Recovery, finished_before, recover};
use crate::context::Global;
use crate::exit::{Exit, Failure};

/// Runs `rollback`: undoes the job. A job rolled back is this command succeeding (for
/// `resume` and `associate` it is the job failing); one rolled back before says so (exit 0).
pub async fn rollback(args: Args, global: &Global) -> Result<Exit, Failure> {
    let report = recover(Recovery::Rollback, &args.journal, global)
        .await?
        .report;
    let exit = if finished_before(&report, global) || report.outcome == Outcome::RolledBack {
        Exit::Success
    } else {
        exit_of(&report)
    };
    conclude(report, Some(&args.journal), global, exit)
}
