//! What `resume` and `rollback` share: their argument (the job's journal), and the run of a
//! journal to its end or back to its start ([`recover`]), with progress and the interrupt
//! handler.

use std::path::{Path, PathBuf};

use telnyx_reputation::Removal;
use telnyx_reputation::bulk::{BulkOptions, CancellationToken, JobReport};
use telnyx_reputation::sync::SyncOutcome;

use crate::bulk::sync_outcome::sync_failure;
use crate::context::{Global, Session};
use crate::exit::Failure;
use crate::journals::quoted;
use crate::progress;
use crate::signals::{self, Messages};

/// Arguments of `resume` and `rollback`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The job's journal: the one `associate`, `refresh` or `remediation submit` named (by
    /// default under
    /// `$XDG_STATE_HOME/telnyx-reputation/jobs/`; `telnyx-reputation jobs` lists them), or the
    /// one given with `associate --journal`.
    pub journal: PathBuf,
}

/// Which of the two commands is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// `resume`: complete the job.
    Resume,
    /// `rollback`: undo it.
    Rollback,
}

/// What `resume` or `rollback` did: the job's report, and for a sync's `resume`, its prune.
pub struct Recovered {
    /// The report of the job's associations (or of their rollback).
    pub report: JobReport,
    /// The extras a sync's `resume` disassociated (none for a job that is not a sync, and for
    /// `rollback`, which never touches them).
    pub pruned: usize,
    /// Whether an interrupt stopped a sync's prune with extras left.
    pub prune_interrupted: bool,
    /// The numbers a sync's journal says Telnyx removed and the sync holds back.
    pub withheld: Vec<Removal>,
    /// A sync's extras that the prune left, associated again since the sync was planned.
    pub kept: Vec<String>,
}

/// Runs `resume` or `rollback` on a journal, with progress and the interrupt handler; returns
/// the job's report.
pub async fn recover(
    which: Recovery,
    journal: &Path,
    global: &Global,
) -> Result<Recovered, Failure> {
    let session: Session = global.session().await?;
    let bar = progress::bar(global);
    let token = CancellationToken::new();
    let options = progress::hook(
        BulkOptions::default().cancel_on(token.clone()),
        bar.clone(),
        &session.client,
    );
    let path = quoted(journal);
    let what = match which {
        Recovery::Resume => "sending no new batches",
        Recovery::Rollback => "starting no new disassociations",
    };
    let watch = signals::watch(
        token,
        Messages {
            first: format!(
                "interrupted: {what}; waiting for the requests in flight, then leaving the job to its journal {path} (Ctrl-C again to exit now)"
            ),
            second: format!(
                "interrupted again: exiting now; requests in flight may or may not have been applied, and the journal knows which to look up.\n  to finish the job: telnyx-reputation resume {path}\n  to undo it:        telnyx-reputation rollback {path}"
            ),
        },
        bar.clone(),
    )?;
    let result = match which {
        Recovery::Resume => session
            .client
            .resume_sync(journal, options)
            .await
            .map_err(|e| sync_failure(e, Some(journal)))
            .and_then(recovered),
        Recovery::Rollback => session
            .client
            .rollback_job(journal, options)
            .await
            .map_err(Failure::from_bulk)
            .map(|report| Recovered {
                report,
                pruned: 0,
                prune_interrupted: false,
                withheld: Vec::new(),
                kept: Vec::new(),
            }),
    };
    drop(watch);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    session.close().await;
    result
}

/// A resume's report and prune, from the library's outcome.
fn recovered(outcome: SyncOutcome) -> Result<Recovered, Failure> {
    let report = outcome
        .associations
        .ok_or_else(|| Failure::unavailable("the resume gave no report of the job"))?;
    Ok(Recovered {
        prune_interrupted: outcome.interrupted && !report.interrupted,
        pruned: outcome.disassociated.len(),
        kept: outcome.kept.iter().map(ToString::to_string).collect(),
        report,
        withheld: outcome.withheld,
    })
}

/// Says that the job had already ended, when it had (nothing was sent).
pub fn finished_before(report: &JobReport, global: &Global) -> bool {
    if report.finished_before {
        global.note(format!(
            "job {} had already finished ({}): nothing to do",
            report.job_id,
            report.outcome.as_str()
        ));
    }
    report.finished_before
}
