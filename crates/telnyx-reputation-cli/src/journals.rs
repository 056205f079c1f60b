//! Where jobs keep their journals, and what to tell the user to run next once a job stops
//! short (interrupted, outcome unknown, a rollback that did not finish).
//!
//! A job of more than one batch writes a journal by default, to
//! `$XDG_STATE_HOME/telnyx-reputation/jobs/<job-id>.journal` (else the platform's state or local
//! data directory: `~/.local/state` on Linux), so that a crash or an interrupt never leaves a
//! job without a way back; so does every `sync`, whose journal holds its prune too. `telnyx-reputation jobs` lists the unfinished ones there.

use std::path::{Path, PathBuf};

use telnyx_reputation::bulk::{EndCause, JobReport, Journal, Outcome};

use uuid::Uuid;

use crate::context::Global;
use crate::exit::Failure;

/// `--journal PATH` and `--no-journal`, as every command that starts a bulk job takes them.
#[derive(clap::Args, Debug, Clone)]
pub struct JournalArgs {
    /// Write-ahead journal, for `resume` (and, for an association, `rollback`) after a crash or
    /// an interrupt: a job killed at any instant is finished from it without billing a number
    /// twice. By default a job writes one to
    /// `$XDG_STATE_HOME/telnyx-reputation/jobs/<job-id>.journal` (see `telnyx-reputation jobs`);
    /// not with --mock, whose emulator ends with the command, nor for an association of one
    /// batch, which the API applies whole or not at all.
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// Write no journal: a crash can then leave the job half-applied with no record of which
    /// numbers were billed, and no way to resume or undo it.
    #[arg(long, conflicts_with = "journal")]
    no_journal: bool,
}

impl JournalArgs {
    /// The journal job `job_id` writes: `--journal`'s; none with `--no-journal`, against the
    /// built-in emulator (which ends with the process, so there is nothing to resume against),
    /// or when the job does not `need` one (an association of one batch); else the default
    /// one, named after the job.
    pub fn path(
        &self,
        job_id: Uuid,
        need: bool,
        global: &Global,
    ) -> Result<Option<PathBuf>, Failure> {
        if let Some(path) = &self.journal {
            return Ok(Some(path.clone()));
        }
        if self.no_journal || global.mock || !need {
            return Ok(None);
        }
        default_path(job_id).map(Some)
    }
}

/// The program's name, as the commands it suggests start with.
const PROGRAM: &str = "telnyx-reputation";

/// The directory of default journals: `$XDG_STATE_HOME/telnyx-reputation/jobs` when that
/// variable is set (to an absolute path, as the XDG rules require), else the platform's
/// equivalent; `None` when the platform has none (no home directory).
pub fn directory() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::state_dir)
        .or_else(dirs::data_local_dir)?;
    Some(base.join("telnyx-reputation").join("jobs"))
}

/// The default journal of job `job_id`, its directory created (mode 0700 on unix: journals
/// name numbers and enterprises).
pub fn default_path(job_id: uuid::Uuid) -> Result<PathBuf, Failure> {
    let dir = directory().ok_or_else(|| {
        Failure::usage(
            "no state directory for the job's journal (no home directory): pass --journal PATH, or --no-journal",
        )
    })?;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).map_err(|e| {
        Failure::usage(format!(
            "cannot create {} for the job's journal: {e} (pass --journal PATH, or --no-journal)",
            dir.display()
        ))
    })?;
    Ok(dir.join(format!("{job_id}.journal")))
}

/// `resume JOURNAL` and `rollback JOURNAL`, as commands to copy.
fn commands(journal: &Path) -> (String, String) {
    let path = quoted(journal);
    (
        format!("{PROGRAM} resume {path}"),
        format!("{PROGRAM} rollback {path}"),
    )
}

/// What to run after a job stopped because its journal could not be written.
pub fn after_write_failure(journal: &Path) -> String {
    let (resume, rollback) = commands(journal);
    format!(
        "the job stopped at the failed write; requests in flight are looked up by the next run. Once {} can be written again:\n  to finish the job: {resume}\n  to undo it:        {rollback}",
        journal.display()
    )
}

/// A path as a shell word: as it is when it needs no quoting, else in single quotes.
pub fn quoted(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Whether the journal at `path` is of a job with work left, a sync's prune included (an
/// unreadable one counts: the commands that would use it say what is wrong with it).
pub fn unfinished(path: &Path) -> bool {
    Journal::read(path).map_or(true, |journal| journal.has_work_left())
}

/// Whether an all-or-nothing job ended on refused credentials with numbers it associated
/// left associated (no rollback was tried with that key).
fn left_by_denial(report: &JobReport) -> bool {
    matches!(
        report.end,
        Some(EndCause::Denied {
            still_associated: Some(n),
            ..
        }) if n > 0
    )
}

/// What the user should run next, for a job that ended short of its promise; `None` when
/// there is nothing to do. `journal` is the job's journal, if it has one.
pub fn next_steps(report: &JobReport, journal: Option<&Path>) -> Option<String> {
    let associated = report.associated.len();
    match (report.interrupted, report.outcome, journal) {
        (true, Outcome::RolledBack, _) => Some(format!(
            "interrupted: no new batches were sent, and the {} number(s) this job had associated were disassociated again; nothing is left associated. Run the same command again to start over.",
            report.rolled_back
        )),
        (true, Outcome::Partial, None) => Some(format!(
            "interrupted: no new batches were sent; {associated} number(s) associated stay associated (best effort), {} not sent.",
            report.not_sent
        )),
        (true, _, Some(journal)) => {
            let (resume, rollback) = commands(journal);
            Some(format!(
                "interrupted: the job stopped with {associated} number(s) associated and {} not sent; its journal is {}.\n  to finish it: {resume}\n  to undo it:   {rollback}",
                report.not_sent,
                journal.display()
            ))
        }
        (true, _, None) => Some(format!(
            "interrupted: the rollback did not finish and there is no journal; {} number(s) may still be associated (listed above): `{PROGRAM} list --enterprise {}` shows them.",
            associated + report.failed.len(),
            report.enterprise_id
        )),
        (false, Outcome::Failed, Some(journal)) if unfinished(journal) => {
            let (resume, rollback) = commands(journal);
            let rollback_left = matches!(report.end, Some(EndCause::RollbackIncomplete));
            Some(if rollback_left {
                format!(
                    "the rollback did not finish; its journal is {}.\n  to finish undoing it: {rollback}",
                    journal.display()
                )
            } else {
                format!(
                    "the job did not finish (its outcome is unknown where it stopped); its journal is {}.\n  to finish it: {resume}\n  to undo it:   {rollback}",
                    journal.display()
                )
            })
        }
        (false, Outcome::Failed, Some(journal)) if left_by_denial(report) => {
            // What the job associated is untouched: the refused key could not undo it.
            let (_, rollback) = commands(journal);
            Some(format!(
                "no rollback was tried with the refused credentials; its journal is {}.\n  to undo the job with valid credentials: {rollback}",
                journal.display()
            ))
        }
        (false, Outcome::Failed, None) if !report.failed.is_empty() => Some(format!(
            "the job did not finish and wrote no journal; `{PROGRAM} list --enterprise {}` shows what is associated.",
            report.enterprise_id
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_only_when_the_shell_needs_it() {
        assert_eq!(quoted(Path::new("/a/b-c_d.journal")), "/a/b-c_d.journal");
        assert_eq!(quoted(Path::new("/a b/it's")), r"'/a b/it'\''s'");
    }
}
