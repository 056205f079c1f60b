//! A journal read back: its events folded, number by number, into what the job did and what is
//! left to do.

use std::collections::{BTreeMap, BTreeSet};

use telnyx_e164::UsNumber;

use super::file;
use super::{Event, Header, JournalError, OperationKind, RefusedNumber, SentWith};
use crate::bulk::{FailureReason, Outcome};

/// What a journal says happened, folded number by number.
#[derive(Debug, Clone, Default)]
pub(crate) struct Replay {
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
    /// Undecided (a `failed` event and nothing after it), with why.
    pub failed: BTreeMap<UsNumber, FailureReason>,
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
