//! `resume JOURNAL` and `rollback JOURNAL`: finish or undo a job from its journal, with
//! progress, printing the job's report in the chosen format.

use std::path::PathBuf;

use telnyx_reputation::bulk::{BulkOptions, Outcome};

use crate::commands::report::{exit_of, print_report};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::progress;

/// Arguments of `resume` and `rollback`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The journal the job wrote with `associate --journal`.
    journal: PathBuf,
}

fn options(
    global: &Global,
    client: &telnyx_reputation::Client,
) -> (BulkOptions, Option<indicatif::ProgressBar>) {
    let bar = progress::bar(global);
    (
        progress::hook(BulkOptions::default(), bar.clone(), client),
        bar,
    )
}

/// Runs `resume`: completes the job, or reports how it already ended.
pub async fn resume(args: Args, global: &Global) -> Result<Exit, Failure> {
    let session = global.session().await?;
    let (options, bar) = options(global, &session.client);
    let result = session.client.resume_job(&args.journal, options).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    session.close().await;
    let report = result.map_err(Failure::from_bulk)?;
    let exit = exit_of(&report);
    print_report(report, global.output())?;
    Ok(exit)
}

/// Runs `rollback`: undoes the job. A job rolled back is this command succeeding (for
/// `resume` and `associate` it is the job failing).
pub async fn rollback(args: Args, global: &Global) -> Result<Exit, Failure> {
    let session = global.session().await?;
    let (options, bar) = options(global, &session.client);
    let result = session.client.rollback_job(&args.journal, options).await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    session.close().await;
    let report = result.map_err(Failure::from_bulk)?;
    let exit = if report.outcome == Outcome::RolledBack {
        Exit::Success
    } else {
        exit_of(&report)
    };
    print_report(report, global.output())?;
    Ok(exit)
}
