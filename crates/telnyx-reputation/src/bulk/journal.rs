//! The bulk job's write-ahead journal: one JSON object per line, appended, flushed and fsync'd
//! before and after every step that touches the server.
//!
//! The `plan` lines are the one run written without an fsync each: they mean nothing until the
//! `planned` line closes them, and its fsync makes every line before it durable, before the
//! first request is sent. (A million numbers make 10,000 plan lines; one fsync instead of
//! 10,000.) A journal without `planned` is of a job that sent nothing.
//!
//! # Format (version 1)
//!
//! The first line is the job header; every later line is an event. Numbers are canonical E.164
//! strings. A torn last line (the process died mid-write) is ignored on reading.
//!
//! ```text
//! {"v":1,"event":"job","job_id":"…","enterprise_id":"…","mode":"all_or_nothing","batch_size":100,"concurrency":4,"started_at":"…","inputs":250,"valid":250}
//! {"event":"plan","batch":0,"numbers":["+16035550100", …]}          every batch, before any is sent
//! {"event":"planned","batches":3}                                   the plan is complete; nothing is sent before this
//! {"event":"intent","batch":0,"numbers":[…]}                         about to send these numbers
//! {"event":"committed","batch":0,"numbers":[…]}                      this job associated them
//! {"event":"already","batch":0,"numbers":[…]}                        associated with this enterprise before the job
//! {"event":"not_committed","batch":0,"numbers":[…]}                  the intent did not take effect
//! {"event":"refused","batch":0,"refusals":[{"number":"…","code":"…","detail":"…"}]}
//! {"event":"failed","batch":0,"numbers":[…],"reason":"…"}            undecided after retries; never sent again by this run
//! {"event":"rollback_started"}
//! {"event":"disassociated","numbers":[…]}                            undone by the rollback
//! {"event":"finished","outcome":"completed"}
//! ```
//!
//! Recovery reads the journal back into a [`Replay`]: what this job associated, what is still
//! in flight (an `intent` without an outcome: it may or may not have been applied, so it is
//! looked up on the server), and what is left to send.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The journal format version this code writes and reads.
pub const VERSION: u32 = 1;

/// The first line: what the job is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// Format version.
    pub v: u32,
    /// Always `"job"`.
    pub event: String,
    /// The job's id.
    pub job_id: Uuid,
    /// The enterprise the numbers are associated with.
    pub enterprise_id: Uuid,
    /// `all_or_nothing` or `best_effort`.
    pub mode: super::Mode,
    /// Numbers per request.
    pub batch_size: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// When the job started (client clock, RFC 3339).
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Inputs read.
    pub inputs: u64,
    /// Inputs that passed pre-flight (distinct US local numbers).
    pub valid: u64,
}

/// One server refusal of one number.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefusedNumber {
    /// The number.
    pub number: String,
    /// The error code the server gave (or ours, when it gave none).
    pub code: String,
    /// The server's detail.
    pub detail: String,
}

/// Every event after the header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A batch of the plan.
    Plan {
        /// Batch number.
        batch: u64,
        /// Its numbers.
        numbers: Vec<String>,
    },
    /// Every batch of the plan is written; nothing is sent before this line.
    Planned {
        /// How many batches.
        batches: u64,
    },
    /// About to send.
    Intent {
        /// Batch number.
        batch: u64,
        /// The numbers of this request.
        numbers: Vec<String>,
    },
    /// Associated by this job.
    Committed {
        /// Batch number.
        batch: u64,
        /// The numbers.
        numbers: Vec<String>,
    },
    /// Associated with this enterprise before the job: done, not ours to undo.
    Already {
        /// Batch number.
        batch: u64,
        /// The numbers.
        numbers: Vec<String>,
    },
    /// The request did not take effect.
    NotCommitted {
        /// Batch number.
        batch: u64,
        /// The numbers.
        numbers: Vec<String>,
    },
    /// Refused by the server.
    Refused {
        /// Batch number.
        batch: u64,
        /// The refusals.
        refusals: Vec<RefusedNumber>,
    },
    /// Could not be decided after retries.
    Failed {
        /// Batch number.
        batch: u64,
        /// The numbers.
        numbers: Vec<String>,
        /// Why.
        reason: String,
    },
    /// The rollback began.
    RollbackStarted,
    /// Numbers undone by the rollback.
    Disassociated {
        /// The numbers.
        numbers: Vec<String>,
    },
    /// The job ended.
    Finished {
        /// `completed`, `partial`, `rolled_back`, `failed`.
        outcome: String,
    },
}

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// An I/O error on the journal file.
    #[error("journal {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a journal this code can read.
    #[error("journal {path}: line {line}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The journal already exists (a new job never overwrites one).
    #[error("journal {0} already exists; resume or roll back that job, or choose another path")]
    Exists(PathBuf),
    /// A test-only simulated crash.
    #[error("simulated crash after {0} journal appends")]
    SimulatedCrash(u64),
}

/// An open journal, appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    appends: u64,
    crash_after: Option<u64>,
}

impl Journal {
    /// Creates a new journal with its header; refuses to overwrite an existing file.
    pub fn create(path: &Path, header: &Header) -> Result<Journal, JournalError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => JournalError::Exists(path.to_owned()),
                _ => JournalError::Io {
                    path: path.to_owned(),
                    source,
                },
            })?;
        let mut journal = Journal {
            path: path.to_owned(),
            file,
            appends: 0,
            crash_after: None,
        };
        journal.write_line(
            &serde_json::to_string(header).map_err(|e| journal.format(e))?,
            true,
        )?;
        // The directory entry must survive a crash too.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(journal)
    }

    /// Opens an existing journal to append to it.
    pub fn open_append(path: &Path) -> Result<Journal, JournalError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| JournalError::Io {
                path: path.to_owned(),
                source,
            })?;
        Ok(Journal {
            path: path.to_owned(),
            file,
            appends: 0,
            crash_after: None,
        })
    }

    /// Test hook: every append after the `n`th fails as if the process had died.
    pub(crate) fn crash_after(&mut self, n: Option<u64>) {
        self.crash_after = n;
    }

    /// Appends one event, then flushes and fsyncs it (and every line before it).
    pub fn append(&mut self, event: &Event) -> Result<(), JournalError> {
        self.append_with(event, true)
    }

    /// Appends one event without an fsync: it is durable once a later [`append`](Self::append)
    /// returns. For runs of lines that mean nothing until a synced line closes them (the plan,
    /// closed by `planned`).
    pub fn append_unsynced(&mut self, event: &Event) -> Result<(), JournalError> {
        self.append_with(event, false)
    }

    fn append_with(&mut self, event: &Event, sync: bool) -> Result<(), JournalError> {
        if let Some(limit) = self.crash_after
            && self.appends >= limit
        {
            return Err(JournalError::SimulatedCrash(limit));
        }
        let line = serde_json::to_string(event).map_err(|e| self.format(e))?;
        self.write_line(&line, sync)?;
        self.appends += 1;
        Ok(())
    }

    fn write_line(&mut self, line: &str, sync: bool) -> Result<(), JournalError> {
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.file.write_all(&bytes).map_err(io)?;
        self.file.flush().map_err(io)?;
        if sync {
            self.file.sync_data().map_err(io)?;
        }
        Ok(())
    }

    fn format(&self, e: serde_json::Error) -> JournalError {
        JournalError::Format {
            path: self.path.clone(),
            line: 0,
            reason: e.to_string(),
        }
    }
}

/// What a journal says happened, folded number by number.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// The header.
    pub header: Option<Header>,
    /// The plan: batch number → its numbers, in order.
    pub plan: BTreeMap<u64, Vec<String>>,
    /// Associated by this job (and not yet undone).
    pub ours: BTreeSet<String>,
    /// Associated with this enterprise before the job.
    pub already: BTreeSet<String>,
    /// Refused by the server, with the refusal.
    pub refused: BTreeMap<String, RefusedNumber>,
    /// Undecided after retries, with the reason.
    pub failed: BTreeMap<String, String>,
    /// Sent, outcome not recorded: may or may not be associated.
    pub in_flight: BTreeSet<String>,
    /// Undone by a rollback.
    pub disassociated: BTreeSet<String>,
    /// Whether the plan was written in full (before it, nothing was sent).
    pub planned: bool,
    /// Whether a rollback began.
    pub rollback_started: bool,
    /// The recorded outcome, if the job finished.
    pub finished: Option<String>,
}

impl Replay {
    /// Reads a journal file. A torn last line is ignored; any other bad line is an error.
    pub fn read(path: &Path) -> Result<Replay, JournalError> {
        let file = File::open(path).map_err(|source| JournalError::Io {
            path: path.to_owned(),
            source,
        })?;
        let lines: Vec<String> = BufReader::new(file)
            .lines()
            .collect::<Result<_, _>>()
            .map_err(|source| JournalError::Io {
                path: path.to_owned(),
                source,
            })?;
        let bad = |line: usize, reason: String| JournalError::Format {
            path: path.to_owned(),
            line,
            reason,
        };
        let mut replay = Replay::default();
        let Some(first) = lines.first() else {
            return Err(bad(1, "empty journal (no job header)".into()));
        };
        let header: Header = serde_json::from_str(first).map_err(|e| bad(1, e.to_string()))?;
        if header.v != VERSION || header.event != "job" {
            return Err(bad(
                1,
                format!("journal version {} (this build reads {VERSION})", header.v),
            ));
        }
        replay.header = Some(header);
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Event>(line) {
                Ok(event) => replay.apply(event),
                Err(_) if i == last => break, // torn by a crash mid-write
                Err(e) => return Err(bad(i + 1, e.to_string())),
            }
        }
        Ok(replay)
    }

    /// Folds one event into the state.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Plan { batch, numbers } => {
                self.plan.insert(batch, numbers);
            }
            Event::Planned { .. } => self.planned = true,
            Event::Intent { numbers, .. } => self.in_flight.extend(numbers),
            Event::Committed { numbers, .. } => {
                for n in numbers {
                    self.in_flight.remove(&n);
                    self.ours.insert(n);
                }
            }
            Event::Already { numbers, .. } => {
                for n in numbers {
                    self.in_flight.remove(&n);
                    self.already.insert(n);
                }
            }
            Event::NotCommitted { numbers, .. } => {
                for n in &numbers {
                    self.in_flight.remove(n);
                }
            }
            Event::Refused { refusals, .. } => {
                for r in refusals {
                    self.in_flight.remove(&r.number);
                    self.refused.insert(r.number.clone(), r);
                }
            }
            Event::Failed {
                numbers, reason, ..
            } => {
                for n in numbers {
                    self.in_flight.remove(&n);
                    self.failed.insert(n, reason.clone());
                }
            }
            Event::RollbackStarted => self.rollback_started = true,
            Event::Disassociated { numbers } => {
                for n in numbers {
                    self.ours.remove(&n);
                    self.disassociated.insert(n);
                }
            }
            Event::Finished { outcome } => self.finished = Some(outcome),
        }
    }

    /// Planned numbers with no outcome yet and not in flight: still to be sent.
    pub fn unsent(&self) -> Vec<(u64, Vec<String>)> {
        self.plan
            .iter()
            .map(|(batch, numbers)| {
                let left = numbers
                    .iter()
                    .filter(|n| !self.is_decided(n) && !self.in_flight.contains(*n))
                    .cloned()
                    .collect::<Vec<_>>();
                (*batch, left)
            })
            .filter(|(_, left)| !left.is_empty())
            .collect()
    }

    fn is_decided(&self, n: &str) -> bool {
        self.ours.contains(n)
            || self.already.contains(n)
            || self.refused.contains_key(n)
            || self.failed.contains_key(n)
            || self.disassociated.contains(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            v: VERSION,
            event: "job".into(),
            job_id: Uuid::nil(),
            enterprise_id: Uuid::nil(),
            mode: super::super::Mode::AllOrNothing,
            batch_size: 2,
            concurrency: 1,
            started_at: chrono::DateTime::UNIX_EPOCH,
            inputs: 3,
            valid: 3,
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn events_round_trip_and_fold() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.journal");
        let mut journal = Journal::create(&path, &header()).unwrap();
        for event in [
            Event::Plan {
                batch: 0,
                numbers: strings(&["+12015550100", "+12015550101"]),
            },
            Event::Plan {
                batch: 1,
                numbers: strings(&["+12015550102"]),
            },
            Event::Intent {
                batch: 0,
                numbers: strings(&["+12015550100", "+12015550101"]),
            },
            Event::Committed {
                batch: 0,
                numbers: strings(&["+12015550100", "+12015550101"]),
            },
            Event::Intent {
                batch: 1,
                numbers: strings(&["+12015550102"]),
            },
        ] {
            journal.append(&event).unwrap();
        }
        let replay = Replay::read(&path).unwrap();
        assert_eq!(replay.header, Some(header()));
        assert_eq!(replay.ours.len(), 2);
        assert_eq!(replay.in_flight, ["+12015550102".to_owned()].into());
        assert!(replay.unsent().is_empty());
    }

    #[test]
    fn a_torn_last_line_is_ignored_but_a_torn_middle_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.journal");
        let mut journal = Journal::create(&path, &header()).unwrap();
        journal
            .append(&Event::Plan {
                batch: 0,
                numbers: strings(&["+12015550100"]),
            })
            .unwrap();
        drop(journal);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"event\":\"intent\",\"batch\":0,\"numb");
        std::fs::write(&path, &text).unwrap();
        let replay = Replay::read(&path).unwrap();
        assert!(replay.in_flight.is_empty());
        assert_eq!(replay.unsent().len(), 1);

        text.push_str("\n{\"event\":\"rollback_started\"}\n");
        std::fs::write(&path, &text).unwrap();
        assert!(matches!(
            Replay::read(&path),
            Err(JournalError::Format { line: 3, .. })
        ));
    }

    #[test]
    fn an_existing_journal_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.journal");
        Journal::create(&path, &header()).unwrap();
        assert!(matches!(
            Journal::create(&path, &header()),
            Err(JournalError::Exists(_))
        ));
    }

    #[test]
    fn another_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.journal");
        let mut h = header();
        h.v = 99;
        std::fs::write(&path, serde_json::to_string(&h).unwrap() + "\n").unwrap();
        let err = Replay::read(&path).unwrap_err();
        assert!(err.to_string().contains("journal version 99"), "{err}");
    }
}
