//! The lines of a journal: the job header, the endpoint it names, and every event after it.

use serde::{Deserialize, Serialize};
use telnyx_e164::UsNumber;
use uuid::Uuid;

use crate::bulk::{FailureReason, Outcome};

/// The first line: what the job is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Header {
    /// Format version of the file: [`VERSION`], the only one read (any other is refused).
    pub v: u32,
    /// The header's tag, always `"job"`, so that every line of the file has an `event`.
    pub event: String,
    /// The job's id, bound into every line's checksum so that lines cannot move between jobs.
    pub job_id: Uuid,
    /// The enterprise the numbers are associated with.
    pub enterprise_id: Uuid,
    /// `all_or_nothing` or `best_effort`: what `resume` does when a batch is refused.
    pub mode: crate::bulk::Mode,
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
#[non_exhaustive]
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
    pub(crate) fn of(client: &crate::Client) -> Endpoint {
        Endpoint {
            base_url: Some(client.base_url().to_owned()),
            key_sha256: Some(client.key_fingerprint().to_owned()),
        }
    }

    /// Whether a job recorded with this endpoint may be continued with `other`'s client: the
    /// same base URL and key, or a journal that recorded neither.
    pub(crate) fn admits(&self, other: &Endpoint) -> bool {
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
pub(crate) struct RefusedNumber {
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
pub(crate) enum Event {
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
        /// Why, for the report.
        reason: FailureReason,
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
        /// Whether the sync associates them again.
        readd: bool,
        /// The numbers of this line, each with its removal.
        numbers: Vec<crate::removed::Removal>,
    },
}

/// The billable operation a bulk job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
pub(crate) struct SentWith {
    /// When it was sent, on this machine's clock (`None`: a journal of before, which did not
    /// say).
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// The server's clock when it was sent, a lower bound, when one was known.
    pub floor: Option<chrono::DateTime<chrono::Utc>>,
    /// A remediation request's marker.
    pub marker: Option<String>,
}
