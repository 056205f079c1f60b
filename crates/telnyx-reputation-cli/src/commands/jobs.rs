//! `jobs`: the jobs whose journals are in the default directory ([`crate::journals`]) and that
//! have work left, one row each (id, enterprise, start, counts, journal), to `resume` or
//! `rollback`. Reads the journals only; sends nothing.

use std::path::{Path, PathBuf};

use serde::Serialize;
use telnyx_reputation::bulk::Journal;
use uuid::Uuid;

use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::journals;
use crate::output::{JsonRows, Sink};

/// Arguments of `jobs`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also list the jobs that finished (completed, rolled back, ...).
    #[arg(long)]
    all: bool,
}

/// One job, as its journal tells it.
#[derive(Debug, Serialize)]
struct Row {
    job_id: Option<Uuid>,
    /// `associate`, `refresh`, `remediation` or `sync` (a sync's journal holds its prune too).
    kind: &'static str,
    enterprise_id: Option<Uuid>,
    started_at: Option<String>,
    /// `running (pid N)` (a process holds the journal and is running the job now),
    /// `unfinished`, `rolling_back`, `pruning` (a sync whose associations completed, with
    /// extras left to disassociate), `not_started` (nothing was sent), `unreadable`, or the
    /// outcome of a finished job (with `--all`).
    state: String,
    /// The pid of the process running the job, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    /// Distinct valid numbers of the job.
    numbers: u64,
    /// Associated (refreshed, submitted: billed, for a refresh or a remediation).
    associated: u64,
    already_associated: u64,
    refused: u64,
    failed: u64,
    /// Sent, outcome not recorded: looked up by `resume` or `rollback`.
    in_flight: u64,
    not_sent: u64,
    rolled_back: u64,
    /// A sync's extras to disassociate, and those disassociated so far.
    to_prune: u64,
    pruned: u64,
    journal: PathBuf,
    /// Why an unreadable journal is.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Row {
    fn read(path: &Path) -> Row {
        let mut row = Row {
            job_id: None,
            kind: "associate",
            enterprise_id: None,
            started_at: None,
            state: "unreadable".into(),
            pid: None,
            numbers: 0,
            associated: 0,
            already_associated: 0,
            refused: 0,
            failed: 0,
            in_flight: 0,
            not_sent: 0,
            rolled_back: 0,
            to_prune: 0,
            pruned: 0,
            journal: path.to_owned(),
            error: None,
        };
        let journal = match Journal::read(path) {
            Ok(journal) => journal,
            Err(e) => {
                row.error = Some(e.to_string());
                return row;
            }
        };
        let job = journal.summary();
        row.job_id = Some(job.job_id);
        row.enterprise_id = Some(job.enterprise_id);
        row.started_at = Some(
            job.started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
        row.kind = if job.sync {
            "sync"
        } else {
            job.operation.as_str()
        };
        row.pid = job.pid;
        row.state = match job.pid {
            _ if !job.running => job.state.to_string(),
            Some(pid) => format!("running (pid {pid})"),
            None => "running".into(),
        };
        row.numbers = job.numbers;
        row.associated = job.associated;
        row.already_associated = job.already_associated;
        row.refused = job.refused;
        row.failed = job.failed;
        row.in_flight = job.in_flight;
        row.not_sent = job.not_sent;
        row.rolled_back = job.rolled_back;
        row.to_prune = job.to_prune;
        row.pruned = job.pruned;
        row
    }

    /// Whether the job has work left (or its journal cannot say).
    fn open(&self) -> bool {
        self.state.starts_with("running")
            || matches!(
                self.state.as_str(),
                "unfinished" | "rolling_back" | "pruning" | "unreadable"
            )
    }
}

/// The journals in `dir`, oldest job first; none when the directory does not exist.
fn journals_in(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Failure::usage(format!("{}: {e}", dir.display()))),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "journal"))
        .collect();
    paths.sort();
    Ok(paths)
}

/// Runs `jobs`.
pub fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let dir = journals::directory()
        .ok_or_else(|| Failure::usage("no state directory (no home directory): no jobs"))?;
    let mut rows: Vec<Row> = journals_in(&dir)?
        .iter()
        .map(|path| Row::read(path))
        .filter(|row| args.all || row.open())
        .collect();
    rows.sort_by(|a, b| a.started_at.cmp(&b.started_at));
    if rows.is_empty() {
        global.note(format!(
            "no {}jobs in {}",
            if args.all { "" } else { "unfinished " },
            dir.display()
        ));
    }
    let mut sink = Sink::new(
        global.output(),
        &[
            "job",
            "kind",
            "enterprise",
            "started",
            "state",
            "numbers",
            "associated",
            "already",
            "refused",
            "failed",
            "in_flight",
            "not_sent",
            "rolled_back",
            "to_prune",
            "pruned",
            "journal",
        ],
        JsonRows::Array,
    )?;
    let text = |id: Option<Uuid>| id.map(|i| i.to_string()).unwrap_or_default();
    for row in &rows {
        let cells = [
            text(row.job_id),
            row.kind.to_owned(),
            text(row.enterprise_id),
            row.started_at.clone().unwrap_or_default(),
            match &row.error {
                Some(e) => format!("{}: {e}", row.state),
                None => row.state.clone(),
            },
            row.numbers.to_string(),
            row.associated.to_string(),
            row.already_associated.to_string(),
            row.refused.to_string(),
            row.failed.to_string(),
            row.in_flight.to_string(),
            row.not_sent.to_string(),
            row.rolled_back.to_string(),
            row.to_prune.to_string(),
            row.pruned.to_string(),
            row.journal.display().to_string(),
        ];
        sink.row(row, &cells)?;
    }
    sink.finish()?;
    Ok(Exit::Success)
}
