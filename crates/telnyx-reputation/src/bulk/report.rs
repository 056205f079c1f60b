//! What a bulk job did, number by number where it matters.

use serde::{Deserialize, Serialize};
use telnyx_e164::{UsNumber, UsNumberKind};
use uuid::Uuid;

use std::collections::BTreeMap;

use super::Mode;
use super::journal::OperationKind;

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every valid number is associated (by this job, or already before it).
    Completed,
    /// Best effort: some numbers are associated, others were refused or failed.
    Partial,
    /// All-or-nothing: inputs were refused at pre-flight; nothing was sent.
    Refused,
    /// All-or-nothing: something was refused or failed, and everything this job associated was
    /// disassociated again. The end state equals the start state.
    RolledBack,
    /// The job could not finish (network or server failure, or an incomplete rollback); the
    /// journal, if any, lets `resume` or `rollback` finish it.
    Failed,
}

impl Outcome {
    /// The journal's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Partial => "partial",
            Outcome::Refused => "refused",
            Outcome::RolledBack => "rolled_back",
            Outcome::Failed => "failed",
        }
    }
}

/// One input refused, with the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Its 0-based position among the inputs (absent when recovered from a journal).
    pub index: Option<u64>,
    /// The input as given (the canonical number, for server refusals).
    pub input: String,
    /// A stable code: the E.164 rule's, or the server's error code.
    pub code: String,
    /// A human-readable reason.
    pub detail: String,
}

/// One input dropped because an earlier input is the same number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// Its 0-based position.
    pub index: u64,
    /// The input as given.
    pub input: String,
    /// The position of the first input with the same number.
    pub first_index: u64,
}

/// A valid number sent on a condition only the server can check, and the condition: a US
/// toll-free number is accepted from the account's Telnyx inventory only, and only the server
/// knows the inventory. Derived from the number (see [`UsNumberKind::note`]), never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The number.
    pub number: UsNumber,
    /// Its kind (`toll_free`).
    pub kind: UsNumberKind,
    /// The condition, in words: "accepted from your Telnyx inventory only".
    pub note: &'static str,
}

impl Note {
    /// The note of `number`, if its kind carries one.
    pub fn of(number: UsNumber) -> Option<Note> {
        let kind = number.kind();
        kind.note().map(|note| Note { number, kind, note })
    }

    /// The note of a number written in E.164 (a report's refused input or failed number), if
    /// it is a number whose kind carries one.
    pub fn of_text(text: &str) -> Option<Note> {
        UsNumber::parse_strict(text).ok().and_then(Note::of)
    }
}

/// Numbers whose outcome could not be decided (network or server failure after retries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The number, in E.164 form.
    pub number: String,
    /// Why it failed: the last error, or why its outcome stayed unknown.
    pub reason: String,
}

/// The result of a bulk job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The job's id (also in its journal).
    pub job_id: Uuid,
    /// The enterprise the job associates numbers with.
    pub enterprise_id: Uuid,
    /// All or nothing, or best effort: what the job promised.
    pub mode: Mode,
    /// How it ended.
    pub outcome: Outcome,
    /// Inputs read.
    pub inputs: u64,
    /// Distinct valid numbers.
    pub valid: u64,
    /// Associated by this job and still associated (17 bytes each, serialized as E.164 text).
    pub associated: Vec<UsNumber>,
    /// Already associated with this enterprise before the job (done, not errors).
    pub already_associated: Vec<UsNumber>,
    /// Refused at pre-flight or by the server.
    pub refused: Vec<Refusal>,
    /// Inputs dropped as duplicates.
    pub duplicates: Vec<Duplicate>,
    /// Numbers whose outcome could not be decided.
    pub failed: Vec<Failure>,
    /// Numbers never associated because the job stopped first: never sent, or (in a rollback
    /// of a journal) in flight when the job stopped and found not applied.
    pub not_sent: u64,
    /// Numbers this job associated and then disassociated in its rollback.
    pub rolled_back: u64,
    /// Requests sent (associate, lookups, disassociate).
    pub requests: u64,
    /// Why the job failed, when it did.
    pub error: Option<String>,
    /// Set by `resume_job` and `rollback_job` when the journal shows the job already finished
    /// (rolled back, for a rollback): the report is the one its journal records, and nothing
    /// was sent. Not an error: there is nothing left to do.
    #[serde(default)]
    pub finished_before: bool,
    /// Set when [`BulkOptions::cancel_on`](super::BulkOptions::cancel_on)'s token stopped the
    /// job (or the rollback) with work left: numbers not sent, or not undone. `outcome` says
    /// what state it was left in.
    #[serde(default)]
    pub interrupted: bool,
    /// The operation the job ran. For a refresh or a remediation, `associated` holds the
    /// numbers refreshed or submitted (each one billed), and nothing is ever rolled back.
    #[serde(default, skip_serializing_if = "OperationKind::is_associate")]
    pub operation: OperationKind,
    /// A remediation: the request each submitted number is in, when its id is known.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub remediation_ids: BTreeMap<UsNumber, Uuid>,
    /// Free lookups made to learn what requests whose answers were lost did (counted in
    /// `requests` too).
    #[serde(default)]
    pub lookups: u64,
}

impl Report {
    /// A report of a job that has decided nothing yet: every list empty, every count zero.
    pub(super) fn blank(
        job_id: Uuid,
        enterprise_id: Uuid,
        mode: Mode,
        inputs: u64,
        valid: u64,
    ) -> Report {
        Report {
            job_id,
            enterprise_id,
            mode,
            outcome: Outcome::Failed,
            inputs,
            valid,
            associated: Vec::new(),
            already_associated: Vec::new(),
            refused: Vec::new(),
            duplicates: Vec::new(),
            failed: Vec::new(),
            not_sent: 0,
            rolled_back: 0,
            requests: 0,
            error: None,
            finished_before: false,
            interrupted: false,
            operation: OperationKind::Associate,
            remediation_ids: BTreeMap::new(),
            lookups: 0,
        }
    }

    /// How many numbers the report accounts for: associated, already associated, refused,
    /// failed, not sent and rolled back, each number in exactly one of them. For the report of
    /// a run this is the number of distinct inputs (`inputs` less `duplicates`); for one
    /// rebuilt from a journal, which does not keep the pre-flight refusals, it is `valid`.
    pub fn counted(&self) -> u64 {
        [
            self.associated.len(),
            self.already_associated.len(),
            self.refused.len(),
            self.failed.len(),
        ]
        .iter()
        .fold(0u64, |sum, n| sum.saturating_add(*n as u64))
        .saturating_add(self.not_sent)
        .saturating_add(self.rolled_back)
    }

    /// The notes of the numbers the report names (associated, already associated, refused,
    /// failed), in that order: one per toll-free number, which the server accepts from the
    /// account's Telnyx inventory only.
    pub fn notes(&self) -> impl Iterator<Item = Note> + '_ {
        let listed = self
            .associated
            .iter()
            .chain(&self.already_associated)
            .copied()
            .filter_map(Note::of);
        let named = self
            .refused
            .iter()
            .map(|r| r.input.as_str())
            .chain(self.failed.iter().map(|f| f.number.as_str()))
            .filter_map(Note::of_text);
        listed.chain(named)
    }

    /// Whether every valid number ended up associated.
    pub fn is_complete(&self) -> bool {
        self.outcome == Outcome::Completed
    }
}
