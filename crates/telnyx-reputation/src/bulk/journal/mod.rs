//! The bulk job's write-ahead journal: one JSON object per line, appended, flushed and fsync'd
//! before and after every step that touches the server.
//!
//! The `plan` lines are the one run written without an fsync each: they mean nothing until the
//! `planned` line closes them, and its fsync makes every line before it durable, before the
//! first request is sent. (A million numbers make 10,000 plan lines; one fsync instead of
//! 10,000.) A journal without `planned` is of a job that sent nothing.
//!
//! # Format (version 2)
//!
//! The first line is the job header; every later line is an event. Numbers are canonical E.164
//! strings, read back as [`UsNumber`]s (a line holding anything else is refused).
//!
//! ```text
//! {"v":2,"event":"job","job_id":"…","enterprise_id":"…","mode":"all_or_nothing","batch_size":100,"concurrency":4,"started_at":"…","inputs":250,"valid":250,"base_url":"https://api.telnyx.com/v2","key_sha256":"9f86d081884c7d65","sum":"…"}
//! {"event":"plan","batch":0,"numbers":["+16035550100", …],"sum":"…"}  every batch, before any is sent
//! {"event":"planned","batches":3,"sum":"…"}                          the plan is complete; nothing is sent before this
//! {"event":"attempt","batch":0,"numbers":[…],"at":"…","floor":"…","sum":"…"}   about to send these numbers
//! {"event":"committed","batch":0,"numbers":[…],"sum":"…"}            this job associated them
//! {"event":"already","batch":0,"numbers":[…],"sum":"…"}              associated with this enterprise before the job
//! {"event":"not_committed","batch":0,"numbers":[…],"sum":"…"}        the intent did not take effect
//! {"event":"refused","batch":0,"refusals":[{"number":"…","code":"…","detail":"…"}],"sum":"…"}
//! {"event":"failed","batch":0,"numbers":[…],"reason":"…","sum":"…"}  undecided; never sent again by this run
//! {"event":"rollback_started","sum":"…"}
//! {"event":"disassociated","numbers":[…],"sum":"…"}                  undone by the rollback
//! {"event":"finished","outcome":"completed","sum":"…"}
//! ```
//!
//! An `attempt` carries what a later run needs to learn what the request did if its answer is
//! lost: when it was sent (`at`, this machine's clock, used only to wait until the request can
//! no longer be in the server's hands), the server's clock at that moment as far as it was
//! known (`floor`, a lower bound: a record written by the request is dated at or after it), and
//! for a remediation the marker its `call_purpose` carries. Journals written before it have
//! `intent` lines instead, which read the same without those facts.
//!
//! Refresh and remediation jobs write the same journal, with an `operation` line after the
//! header (absent: associate); their mode is always best effort, and `committed` means
//! refreshed or submitted (billed). A remediation's `submitted` line is its `committed` with
//! the request's id.
//!
//! ```text
//! {"event":"operation","kind":"remediation","call_purpose":"…","contact_email":null,"webhook_url":null,"sum":"…"}
//! {"event":"submitted","batch":0,"numbers":[…],"remediation_id":"…","sum":"…"}
//! ```
//!
//! A sync's journal ([`SyncPlan::apply`](crate::sync::SyncPlan::apply)) is a job's journal with
//! its prune phase added: the extras it disassociates once every association succeeded are
//! written with the plan, before `planned`, and each disassociation is recorded as it ends.
//! Disassociations are idempotent and never rolled back: `rollback` undoes the associations
//! alone, and never associates a pruned number again.
//!
//! ```text
//! {"event":"sync","extras":120,"sum":"…"}                            this job is a sync; `prune` lines follow
//! {"event":"prune","numbers":["+16035550900", …],"sum":"…"}          extras to disassociate, before `planned`
//! {"event":"pruned","numbers":[…],"sum":"…"}                         disassociated (or found not associated)
//! {"event":"prune_finished","sum":"…"}                               every extra is off the enterprise
//! ```
//!
//! The numbers of the inventory that Telnyx removed from monitoring are written after the
//! `sync` line, before `planned`, 100 a line, with whether the sync associates them again
//! (they are then in its plan too): `resume` reports the ones it holds back as the first run did.
//!
//! ```text
//! {"event":"removed_by_telnyx","readd":false,"numbers":[{"phone_number":"+16035550901","removal_reason":"reassigned","removed_at":"…"}],"sum":"…"}
//! ```
//!
//! **Checksums.** Every line ends with `"sum"`: 16 hex digits, the first 8 bytes of the SHA-256
//! of the previous line's sum followed by this line's text without its sum (the header's
//! "previous sum" is eight zero bytes). The sums chain from the header, which holds the job id
//! and the enterprise, so a line cannot be edited, dropped, reordered or moved to another
//! journal without failing verification. A journal that fails it is refused with the line
//! number; only the last line may fail, as the torn write of a process that died mid-line, and
//! `resume`/`rollback` cut it off before they append.
//!
//! A last line whole but for its newline (the process died between the two) is read as any
//! other, and its newline written before the next line.
//!
//! **The endpoint.** The header names the base URL the job sends to and a fingerprint of its
//! API key (`key_sha256`: the first 8 bytes of the key's SHA-256, in hex; never the key), and
//! `resume` and `rollback` refuse a client of another endpoint or key
//! ([`JournalError::OtherEndpoint`]): the journal's numbers are that account's. Journals
//! written before these fields are read without the check.
//!
//! **One writer.** A process appending to a journal holds an exclusive lock on it
//! ([`holder`] names it): another `resume` or `rollback` is refused at once
//! ([`JournalError::Locked`]). A write or fsync that fails ends the writing for good
//! ([`JournalError::Poisoned`]): no later line is appended, by any batch.
//!
//! Version 1 (the same lines without `"sum"`) is still read, and appended to in its own format.
//!
//! Recovery reads the journal back into a [`Replay`]: what this job associated, what is still
//! in flight (an `intent` without an outcome: it may or may not have been applied, so it is
//! looked up on the server), and what is left to send.

mod file;
mod lock;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::report::Outcome;

pub use file::Journal;
pub(crate) use lock::refuse_if_held;
pub use lock::{Holder, holder, pid_file};

/// The journal format version this code writes (it also reads version 1).
pub const VERSION: u32 = 2;

/// The first line: what the job is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// Format version of the file: [`VERSION`] for new journals; version 1 is still read.
    pub v: u32,
    /// The header's tag, always `"job"`, so that every line of the file has an `event`.
    pub event: String,
    /// The job's id, bound into every line's checksum so that lines cannot move between jobs.
    pub job_id: Uuid,
    /// The enterprise the numbers are associated with.
    pub enterprise_id: Uuid,
    /// `all_or_nothing` or `best_effort`: what `resume` does when a batch is refused.
    pub mode: super::Mode,
    /// Numbers per associate request (1–100); `resume` keeps the plan's batches as written.
    pub batch_size: usize,
    /// Requests in flight at once when the job started; `resume` may choose another.
    pub concurrency: usize,
    /// When the job started (client clock, RFC 3339).
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Inputs read, valid or not, duplicates included: the report's first count.
    pub inputs: u64,
    /// Inputs that passed pre-flight (distinct US local or toll-free numbers).
    pub valid: u64,
    /// Where the job sends its requests, and with which key: `resume` and `rollback` refuse
    /// another. Empty in journals written before it was recorded.
    #[serde(flatten)]
    pub endpoint: Endpoint,
}

/// The endpoint a journal's job talks to: its base URL and a fingerprint of its API key (never
/// the key).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Endpoint {
    /// The client's base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The first 8 bytes of the SHA-256 of the API key, in hex: enough to tell two keys apart,
    /// useless to call the API with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_sha256: Option<String>,
}

impl Endpoint {
    /// The endpoint of `client`.
    pub fn of(client: &crate::Client) -> Endpoint {
        Endpoint {
            base_url: Some(client.base_url().to_owned()),
            key_sha256: Some(client.key_fingerprint().to_owned()),
        }
    }

    /// Whether a job recorded with this endpoint may be continued with `other`'s client: the
    /// same base URL and key, or a journal that recorded neither.
    pub fn admits(&self, other: &Endpoint) -> bool {
        let same = |mine: &Option<String>, theirs: &Option<String>| {
            mine.is_none() || theirs.is_none() || mine == theirs
        };
        same(&self.base_url, &other.base_url) && same(&self.key_sha256, &other.key_sha256)
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} with the key whose SHA-256 starts {}",
            self.base_url.as_deref().unwrap_or("(no base URL recorded)"),
            self.key_sha256.as_deref().unwrap_or("(not recorded)")
        )
    }
}

/// One server refusal of one number.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefusedNumber {
    /// The refused number, as the server named it by its index in the request.
    pub number: UsNumber,
    /// The error code the server gave (or ours, when it gave none).
    pub code: String,
    /// The server's `detail` text, kept for the report (not interpreted).
    pub detail: String,
}

/// Every event after the header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A batch of the plan, written before anything is sent.
    Plan {
        /// The batch's number in the plan, from 0; later events name the batch by it.
        batch: u64,
        /// The numbers the batch will send, in request order.
        numbers: Vec<UsNumber>,
    },
    /// Every batch of the plan is written; nothing is sent before this line.
    Planned {
        /// How many `plan` lines precede this one, the whole plan.
        batches: u64,
    },
    /// About to send a request: until its outcome is written, its numbers are in flight.
    Intent {
        /// The batch the request belongs to.
        batch: u64,
        /// The numbers of this request: the whole batch, or a part of it when a refusal is
        /// being isolated.
        numbers: Vec<UsNumber>,
    },
    /// About to send a request, with what a later run needs to learn what it did if its answer
    /// is lost: until its outcome is written, its numbers are in flight.
    Attempt {
        /// The batch the request belongs to.
        batch: u64,
        /// The numbers of this request.
        numbers: Vec<UsNumber>,
        /// When it was sent, on this machine's clock (only to wait out the request timeout).
        at: chrono::DateTime<chrono::Utc>,
        /// The server's clock when it was sent, a lower bound, when one was known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        floor: Option<chrono::DateTime<chrono::Utc>>,
        /// A remediation request's marker, carried in its `call_purpose`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        marker: Option<String>,
    },
    /// Which operation the job runs (written after the header; absent: associate), with a
    /// remediation's request fields.
    Operation {
        /// `associate`, `refresh` or `remediation`.
        kind: OperationKind,
        /// A remediation's call purpose, as the user gave it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_purpose: Option<String>,
        /// A remediation's contact email.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contact_email: Option<String>,
        /// A remediation's webhook URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        webhook_url: Option<String>,
    },
    /// Submitted for remediation by this job, in request `remediation_id` when it is known
    /// (billed).
    Submitted {
        /// The batch the numbers belong to.
        batch: u64,
        /// The numbers the request holds.
        numbers: Vec<UsNumber>,
        /// The request's id, when the answer or a lookup gave it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remediation_id: Option<uuid::Uuid>,
    },
    /// Associated by this job: a rollback undoes these.
    Committed {
        /// The batch the numbers belong to.
        batch: u64,
        /// The numbers the server confirmed (by its answer or by a lookup).
        numbers: Vec<UsNumber>,
    },
    /// Associated with this enterprise before the job: done, not ours to undo.
    Already {
        /// The batch the numbers belong to.
        batch: u64,
        /// The numbers found on the enterprise from before the job (a refusal naming them as
        /// already associated, or a lookup with an earlier creation time).
        numbers: Vec<UsNumber>,
    },
    /// The request did not take effect: its numbers may be sent again.
    NotCommitted {
        /// The batch the numbers belong to.
        batch: u64,
        /// The numbers proved not associated: an answer that proves the request was not
        /// applied, or a lookup that did not find them.
        numbers: Vec<UsNumber>,
    },
    /// Refused by the server: not associated, and never sent again by this job.
    Refused {
        /// The batch the refused numbers belong to.
        batch: u64,
        /// Each refused number with the server's code and detail.
        refusals: Vec<RefusedNumber>,
    },
    /// Could not be decided: neither the answer nor a lookup said whether these numbers are
    /// associated. A rollback looks them up again before it acts.
    Failed {
        /// The batch the numbers belong to.
        batch: u64,
        /// The numbers whose state is unknown.
        numbers: Vec<UsNumber>,
        /// The last error, in words, for the report.
        reason: String,
    },
    /// The rollback began: from here on `resume` does not send associations, only undoes.
    RollbackStarted,
    /// Numbers undone by the rollback.
    Disassociated {
        /// The numbers confirmed no longer on the enterprise (deleted, or found absent).
        numbers: Vec<UsNumber>,
    },
    /// The job ended; `resume` of a finished journal sends nothing (but a sync's prune may
    /// still be left: see [`Event::Sync`]).
    Finished {
        /// How it ended: completed, rolled back, partial or failed.
        outcome: Outcome,
    },
    /// The job is a sync: once its associations all succeeded, it disassociates the extras
    /// listed by the `prune` lines that follow (written before `planned`).
    Sync {
        /// How many extras the `prune` lines list in all.
        extras: u64,
        /// The newest association on the enterprise when the sync was planned, on the
        /// server's clock: an extra associated after it was associated again since the plan,
        /// and a resumed prune leaves it. Absent in journals of before, and when none was dated.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        newest_association: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Extras the sync disassociates after its associations; written before anything is sent.
    Prune {
        /// The extras of this line, in the order they are sent.
        numbers: Vec<UsNumber>,
    },
    /// Extras confirmed off the enterprise by the prune: disassociated, or answered 404 (not
    /// associated, which is what the prune wants). Never undone by a rollback.
    Pruned {
        /// The extras done.
        numbers: Vec<UsNumber>,
    },
    /// Every extra of the sync is off the enterprise: the sync is done.
    PruneFinished,
    /// Numbers of the sync's inventory that Telnyx removed from monitoring, with their reason;
    /// written before `planned`. Associated again (and in the plan) only when `readd`.
    RemovedByTelnyx {
        /// Whether the sync associates them again (`--readd-removed`).
        readd: bool,
        /// The numbers of this line, each with its removal.
        numbers: Vec<crate::removed::Removal>,
    },
}

/// The billable operation a bulk job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    /// `associateReputationNumbers`: atomic, at most 100 numbers a request.
    #[default]
    Associate,
    /// `refreshReputationNumbers`: per number, at most 100 a request.
    Refresh,
    /// `submitReputationRemediation`: at most 2,000 numbers a request.
    Remediation,
}

impl OperationKind {
    /// Whether it is [`OperationKind::Associate`] (the default, not written).
    pub fn is_associate(&self) -> bool {
        *self == OperationKind::Associate
    }

    /// The word the journal and the reports use: `associate`, `refresh` or `remediation`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Associate => "associate",
            OperationKind::Refresh => "refresh",
            OperationKind::Remediation => "remediation",
        }
    }
}

/// What a request was sent with, for learning later what it did if its answer was lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentWith {
    /// When it was sent, on this machine's clock (`None`: a journal of before, which did not
    /// say).
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// The server's clock when it was sent, a lower bound, when one was known.
    pub floor: Option<chrono::DateTime<chrono::Utc>>,
    /// A remediation request's marker.
    pub marker: Option<String>,
}

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// An I/O error on the journal file.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file that could not be created, read, written or synced.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a journal this code can read, or fails verification (a checksum that
    /// does not match, a line that is not an event): it is not used, so nothing is sent on its
    /// word.
    #[error("journal {path}: line {line}: {reason}")]
    Format {
        /// The journal file that failed verification.
        path: PathBuf,
        /// The 1-based number of the first line that fails.
        line: usize,
        /// What is wrong with that line, in words.
        reason: String,
    },
    /// The journal already exists (a new job never overwrites one).
    #[error("journal {0} already exists; resume or roll back that job, or choose another path")]
    Exists(PathBuf),
    /// Another process (or another job of this one) holds the journal: it is running that job
    /// now. Nothing was read further, and nothing was sent.
    #[error("journal {}: in use by {}; nothing was sent", .path.display(), holder_text(*.pid))]
    Locked {
        /// The journal.
        path: PathBuf,
        /// The pid of the process holding it, when its sidecar names it.
        pid: Option<u32>,
    },
    /// The journal was written between the moment it was read and the moment it was locked to
    /// append to it (another process finished a step of the job meanwhile): nothing was sent
    /// on the word of the stale reading.
    #[error("journal {}: written by another process while it was read; nothing was sent", .0.display())]
    Changed(PathBuf),
    /// A write or fsync of the journal failed: the job stopped at once, and no line is appended
    /// after it (the file may end in a part of a line, which the next reader cuts off). What was
    /// in flight is looked up by the next resume or rollback.
    #[error("journal {}: a write failed ({cause}); the job stopped and nothing more was written to it", .path.display())]
    Poisoned {
        /// The journal.
        path: PathBuf,
        /// The operating system's error, in words.
        cause: String,
    },
    /// The journal's job talks to another endpoint or with another key than this client: its
    /// numbers belong to that account, so nothing is sent with this one.
    #[error("journal {}: written for {journal}, but this client is {client}; use that base URL and API key", .path.display())]
    OtherEndpoint {
        /// The journal.
        path: PathBuf,
        /// The endpoint the journal records.
        journal: Endpoint,
        /// The endpoint of the client asked to continue it.
        client: Endpoint,
    },
    /// A simulated crash after a number of appends (only with the `test-hooks` feature), for
    /// tests that kill a job at a chosen point.
    #[cfg(any(test, feature = "test-hooks"))]
    #[error("simulated crash after {0} journal appends")]
    SimulatedCrash(u64),
}

/// "process 1234", or "another process" when its pid is not known.
fn holder_text(pid: Option<u32>) -> String {
    pid.map_or_else(
        || "another process".to_owned(),
        |pid| format!("process {pid}"),
    )
}

/// What a journal says happened, folded number by number.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// The header, or `None` for an empty file (a job killed before its first line).
    pub header: Option<Header>,
    /// The plan: batch number → its numbers, in order.
    pub plan: BTreeMap<u64, Vec<UsNumber>>,
    /// Associated by this job (and not yet undone).
    pub ours: BTreeSet<UsNumber>,
    /// Associated with this enterprise before the job.
    pub already: BTreeSet<UsNumber>,
    /// Refused by the server, with the refusal.
    pub refused: BTreeMap<UsNumber, RefusedNumber>,
    /// Undecided (a `failed` event and nothing after it), with the last error in words.
    pub failed: BTreeMap<UsNumber, String>,
    /// Sent, outcome not recorded: may or may not be associated.
    pub in_flight: BTreeSet<UsNumber>,
    /// Confirmed absent by a rollback: no longer the job's to undo.
    pub disassociated: BTreeSet<UsNumber>,
    /// Whether the plan was written in full (before it, nothing was sent).
    pub planned: bool,
    /// Whether a rollback began, in which case `resume` only continues the rollback.
    pub rollback_started: bool,
    /// The recorded outcome, if the job finished.
    pub finished: Option<Outcome>,
    /// Whether the journal is a sync's (it has a `sync` line).
    pub sync: bool,
    /// The sync's extras, to disassociate once its associations all succeeded.
    pub prune: BTreeSet<UsNumber>,
    /// Extras the prune has taken off the enterprise.
    pub pruned: BTreeSet<UsNumber>,
    /// Whether the prune ended with every extra off the enterprise.
    pub prune_finished: bool,
    /// The operation the job runs, from its `operation` line (associate without one).
    pub operation: OperationKind,
    /// A remediation job's request fields: call purpose, contact email, webhook URL.
    pub remediation: Option<(String, Option<String>, Option<String>)>,
    /// How each batch was first sent: the reference of "since the job sent it".
    pub first_sent: BTreeMap<u64, SentWith>,
    /// How each batch's last request was sent: what a lookup of its numbers in flight uses.
    pub last_sent: BTreeMap<u64, SentWith>,
    /// The remediation request each submitted number is in, when known.
    pub remediation_ids: BTreeMap<UsNumber, uuid::Uuid>,
    /// The sync's numbers that Telnyx removed, with their removal.
    pub removed_by_telnyx: Vec<crate::removed::Removal>,
    /// Whether the sync associates those again (its plan holds them); else it holds them back.
    pub readd_removed: bool,
    /// The newest association on the enterprise when the sync was planned, on the server's
    /// clock ([`Event::Sync`]).
    pub newest_association: Option<chrono::DateTime<chrono::Utc>>,
    /// Where appending continues: the format version, the length of the verified lines, and
    /// the last line's sum.
    pub(crate) tail: file::Tail,
}

impl Replay {
    /// Reads and verifies a journal file. A torn last line is ignored (and cut off by the next
    /// append); any other line that fails verification is an error naming it.
    pub fn read(path: &std::path::Path) -> Result<Replay, JournalError> {
        file::read(path)
    }

    /// Folds one event into the state.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Plan { batch, numbers } => {
                self.plan.insert(batch, numbers);
            }
            Event::Planned { .. } => self.planned = true,
            Event::Intent { batch, numbers } => {
                self.first_sent.entry(batch).or_default();
                self.last_sent.insert(batch, SentWith::default());
                self.in_flight.extend(numbers);
            }
            Event::Attempt {
                batch,
                numbers,
                at,
                floor,
                marker,
            } => {
                let sent = SentWith {
                    at: Some(at),
                    floor,
                    marker,
                };
                self.first_sent.entry(batch).or_insert_with(|| sent.clone());
                self.last_sent.insert(batch, sent);
                self.in_flight.extend(numbers);
            }
            Event::Operation {
                kind,
                call_purpose,
                contact_email,
                webhook_url,
            } => {
                self.operation = kind;
                self.remediation = call_purpose.map(|p| (p, contact_email, webhook_url));
            }
            Event::Submitted {
                numbers,
                remediation_id,
                ..
            } => {
                for n in numbers {
                    self.in_flight.remove(&n);
                    if let Some(id) = remediation_id {
                        self.remediation_ids.insert(n, id);
                    }
                    self.ours.insert(n);
                }
            }
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
                    self.refused.insert(r.number, r);
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
                // Undone: no longer ours, nor undecided, nor in flight.
                for n in numbers {
                    self.ours.remove(&n);
                    self.failed.remove(&n);
                    self.in_flight.remove(&n);
                    self.disassociated.insert(n);
                }
            }
            Event::Finished { outcome } => self.finished = Some(outcome),
            Event::Sync {
                newest_association, ..
            } => {
                self.sync = true;
                self.newest_association = newest_association;
            }
            Event::Prune { numbers } => self.prune.extend(numbers),
            Event::Pruned { numbers } => self.pruned.extend(numbers),
            Event::PruneFinished => self.prune_finished = true,
            Event::RemovedByTelnyx { readd, numbers } => {
                self.readd_removed = readd;
                self.removed_by_telnyx.extend(numbers);
            }
        }
    }

    /// The sync's extras not yet taken off the enterprise, in order.
    pub fn unpruned(&self) -> Vec<UsNumber> {
        self.prune.difference(&self.pruned).copied().collect()
    }

    /// Whether the job has work left: it did not finish, or it is a sync whose associations
    /// completed and whose prune did not finish.
    pub fn has_work_left(&self) -> bool {
        match self.finished {
            None => true,
            Some(Outcome::Completed) => self.sync && !self.prune_finished,
            Some(_) => false,
        }
    }

    /// Planned numbers with no outcome yet and not in flight: still to be sent.
    pub fn unsent(&self) -> Vec<(u64, Vec<UsNumber>)> {
        self.plan
            .iter()
            .map(|(batch, numbers)| {
                let left = numbers
                    .iter()
                    .filter(|n| !self.is_decided(n) && !self.in_flight.contains(*n))
                    .copied()
                    .collect::<Vec<_>>();
                (*batch, left)
            })
            .filter(|(_, left)| !left.is_empty())
            .collect()
    }

    fn is_decided(&self, n: &UsNumber) -> bool {
        self.ours.contains(n)
            || self.already.contains(n)
            || self.refused.contains_key(n)
            || self.failed.contains_key(n)
            || self.disassociated.contains(n)
    }
}
