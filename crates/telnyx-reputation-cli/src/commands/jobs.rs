//! `resume JOURNAL` and `rollback JOURNAL`: finish or undo a job from its journal.

use std::path::PathBuf;

use telnyx_reputation::bulk::{BulkOptions, Outcome};

use crate::commands::associate::{exit_of, print_report};
use crate::context::Global;
use crate::exit::{Exit, Failure};

/// Arguments of `resume` and `rollback`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The journal the job wrote with `associate --journal`.
    journal: PathBuf,
}

/// Runs `resume` (or `rollback` when `undo`).
pub async fn run(args: Args, global: &Global, undo: bool) -> Result<Exit, Failure> {
    let session = global.session().await?;
    let result = if undo {
        session
            .client
            .rollback_job(&args.journal, BulkOptions::default())
            .await
    } else {
        session
            .client
            .resume_job(&args.journal, BulkOptions::default())
            .await
    };
    session.close().await;
    let report = result.map_err(|e| Failure::usage(e.to_string()))?;
    print_report(&report, global.output);
    // Undoing was asked for: a job rolled back is `rollback` succeeding (for `resume` it is the
    // job failing, as for `associate`).
    if undo && report.outcome == Outcome::RolledBack {
        return Ok(Exit::Success);
    }
    Ok(exit_of(&report))
}
