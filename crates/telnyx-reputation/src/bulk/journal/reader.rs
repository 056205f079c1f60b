//! The public reading of a journal: what job it is, how far it got, and whether anyone is
//! running it now, without the machinery that replays it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Header, JournalError, OperationKind, Replay, lock};
use crate::Removal;
use crate::bulk::{JobReport, Mode, Outcome, recovery};

/// A bulk job's journal, read and verified: for listing jobs, and for deciding what to do
/// with one before [`Client::resume_job`](crate::Client::resume_job) or
/// [`Client::rollback_job`](crate::Client::rollback_job) acts on it. Reading sends nothing and
/// writes nothing (a torn last line is ignored here, and cut off by the next run that appends).
///
/// ```no_run
/// use telnyx_reputation::bulk::Journal;
/// # fn demo() -> Result<(), telnyx_reputation::bulk::JournalError> {
/// let journal = Journal::read("job.journal".as_ref())?;
/// let summary = journal.summary();
/// println!("{} {}: {}", summary.operation.as_str(), summary.job_id, summary.state);
/// if journal.has_work_left() && !summary.running {
///     // client.resume_job(journal.path(), options) finishes it.
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
    header: Header,
    replay: Replay,
}

impl Journal {
    /// Reads and verifies the journal at `path`. A torn last line (a process killed mid-write)
    /// is ignored; any other line that fails verification, a file of another format version
    /// ([`VERSION`](super::VERSION) is read) and a file without a job header are refused with
    /// [`JournalError::Format`], naming the line.
    pub fn read(path: &Path) -> Result<Journal, JournalError> {
        let replay = Replay::read(path)?;
        let header = replay.header.clone().ok_or_else(|| JournalError::Format {
            path: path.to_owned(),
            line: 1,
            reason: "no job header".into(),
        })?;
        Ok(Journal {
            path: path.to_owned(),
            header,
            replay,
        })
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the job has work left: it did not finish, or it is a sync whose associations
    /// completed and whose prune (the extras it disassociates) did not.
    pub fn has_work_left(&self) -> bool {
        self.replay.has_work_left()
    }

    /// What the job is and how far it got, number counts included, and whether a process
    /// holds the journal (is running the job) now.
    pub fn summary(&self) -> JobSummary {
        let replay = &self.replay;
        let header = &self.header;
        let count = |n: usize| n as u64;
        let state = match replay.finished {
            Some(_) if replay.has_work_left() => JobState::Pruning,
            Some(outcome) => JobState::Finished(outcome),
            None if !replay.planned => JobState::NotStarted,
            None if replay.rollback_started => JobState::RollingBack,
            None => JobState::Unfinished,
        };
        let holder = lock::holder(&self.path);
        JobSummary {
            job_id: header.job_id,
            enterprise_id: header.enterprise_id,
            operation: replay.operation,
            sync: replay.sync,
            mode: header.mode,
            started_at: header.started_at,
            inputs: header.inputs,
            numbers: header.valid,
            state,
            running: holder.is_some(),
            pid: holder.and_then(|h| h.pid),
            associated: count(replay.ours.len()),
            already_associated: count(replay.already.len()),
            refused: count(replay.refused.len()),
            failed: count(replay.failed.len()),
            in_flight: count(replay.in_flight.len()),
            not_sent: replay
                .unsent()
                .iter()
                .map(|(_, numbers)| count(numbers.len()))
                .sum(),
            rolled_back: count(replay.disassociated.len()),
            to_prune: count(replay.prune.len()),
            pruned: count(replay.pruned.len()),
            removed_by_telnyx: replay.removed_by_telnyx.clone(),
            readd_removed: replay.readd_removed,
        }
    }

    /// The report the journal alone gives, number by number (what
    /// [`Client::resume_job`](crate::Client::resume_job) returns for a job that already
    /// finished, without [`JobReport::finished_before`] set): the numbers of the plan that no
    /// line decides are listed as not sent.
    pub fn report(&self) -> JobReport {
        let mut report = recovery::report_from_replay(&self.header, &self.replay);
        report.list_unsent(self.replay.plan.values().flatten().copied());
        report
    }
}

/// Where a job stands, as its journal tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobState {
    /// The job stopped before its plan was written in full: it sent nothing, and cannot be
    /// resumed (start it again).
    NotStarted,
    /// The job stopped with work left (numbers to send, or in flight to look up).
    Unfinished,
    /// A rollback began and did not finish: only undoing is left.
    RollingBack,
    /// A sync whose associations completed, with extras left to disassociate.
    Pruning,
    /// The job ended, with this outcome.
    Finished(Outcome),
}

impl JobState {
    /// The state in one word: `not_started`, `unfinished`, `rolling_back`, `pruning`, or the
    /// outcome's word ([`Outcome::as_str`]).
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::NotStarted => "not_started",
            JobState::Unfinished => "unfinished",
            JobState::RollingBack => "rolling_back",
            JobState::Pruning => "pruning",
            JobState::Finished(outcome) => outcome.as_str(),
        }
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a journal says of its job ([`Journal::summary`]): its identity, its state, and each
/// valid number counted once by what the journal decided of it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JobSummary {
    /// The job's id.
    pub job_id: Uuid,
    /// The enterprise the job works on.
    pub enterprise_id: Uuid,
    /// What the job sends: associations, refreshes or remediation requests.
    pub operation: OperationKind,
    /// Whether the job is a sync's (its journal holds a prune of extras too).
    pub sync: bool,
    /// All-or-nothing or best effort (always best effort for a refresh or a remediation).
    pub mode: Mode,
    /// When the job started, on the clock of the machine that started it.
    pub started_at: DateTime<Utc>,
    /// Inputs the job read, valid or not, duplicates included.
    pub inputs: u64,
    /// Distinct valid numbers of the job.
    pub numbers: u64,
    /// Where the job stands.
    pub state: JobState,
    /// Whether a process holds the journal now: it is running the job, and
    /// `resume_job`/`rollback_job` would be refused ([`JournalError::Locked`]).
    pub running: bool,
    /// The pid of that process, when it is known.
    pub pid: Option<u32>,
    /// Associated by the job (refreshed, or submitted: billed, for a refresh or a
    /// remediation) and not undone.
    pub associated: u64,
    /// Found on the enterprise from before the job.
    pub already_associated: u64,
    /// Refused by the server.
    pub refused: u64,
    /// Undecided: the outcome could not be learned; looked up again by the next run.
    pub failed: u64,
    /// Sent with no outcome recorded: looked up by the next run.
    pub in_flight: u64,
    /// Planned and never sent.
    pub not_sent: u64,
    /// Undone by a rollback.
    pub rolled_back: u64,
    /// A sync's extras to disassociate once its associations succeed.
    pub to_prune: u64,
    /// Those extras taken off the enterprise so far.
    pub pruned: u64,
    /// A sync's numbers that Telnyx removed from monitoring, with their removal.
    pub removed_by_telnyx: Vec<Removal>,
    /// Whether the sync associates those again (else it holds them back).
    pub readd_removed: bool,
}
