//! What a bulk job did, number by number where it matters.

use serde::{Deserialize, Serialize};
use telnyx_e164::{UsNumber, UsNumberKind};
use uuid::Uuid;

use std::collections::{BTreeMap, BTreeSet};

use super::journal::OperationKind;
use super::{EndCause, FailureReason, Mode};

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct NumberFailure {
    /// The number, in E.164 form.
    pub number: String,
    /// Why it failed, or why its outcome stayed unknown.
    pub reason: FailureReason,
}

/// The result of a bulk job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobReport {
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
    pub failed: Vec<NumberFailure>,
    /// Numbers never associated because the job stopped first: never sent, or (in a rollback
    /// of a journal) in flight when the job stopped and found not applied.
    pub not_sent: u64,
    /// Numbers this job associated and then disassociated in its rollback.
    pub rolled_back: u64,
    /// Requests sent (associate, lookups, disassociate).
    pub requests: u64,
    /// What ended the job short of its promise, when something did (refusals of numbers are
    /// in the lists above, not here).
    pub end: Option<EndCause>,
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
    /// The job's numbers that no other list names: never sent because the job stopped first
    /// (cancelled, or given up on the server). Listed for a job that rolled nothing back
    /// (a rollback's numbers are counted in `rolled_back` and `not_sent` alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsent: Vec<UsNumber>,
}

/// What happened to one valid number of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NumberOutcome {
    /// Associated (by this job or before it), refreshed, or submitted for remediation: for a
    /// refresh or a remediation, billed.
    Done,
    /// The server refused it (or its whole request); not billed.
    Refused {
        /// The server's error code, or `refresh_failed` for a refresh's per-number failure.
        code: String,
        /// The server's reason.
        detail: String,
    },
    /// Remediation only: a request for this number is already in flight (409). Not sent
    /// again by this job.
    InFlight {
        /// The server's message.
        detail: String,
    },
    /// Proved not done after an ambiguous outcome, and not sent again (resends used up).
    Failed {
        /// What went wrong.
        detail: String,
    },
    /// Not known: the request may have been applied, and the lookup could not settle it.
    /// Check before sending it again.
    Unknown {
        /// What went wrong.
        detail: String,
    },
    /// Never sent: the job stopped (was cancelled) before its batch went out. Not billed;
    /// safe to send.
    NotSent,
}

/// One valid number's outcome, as [`JobReport::numbers`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NumberResult {
    /// The number, in E.164.
    pub phone_number: String,
    /// What happened to it.
    #[serde(flatten)]
    pub outcome: NumberOutcome,
    /// Remediation: the id of the request that holds it, when submitted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remediation_id: Option<Uuid>,
}

impl NumberResult {
    fn new(number: &UsNumber, outcome: NumberOutcome) -> NumberResult {
        NumberResult {
            phone_number: number.to_string(),
            outcome,
            remediation_id: None,
        }
    }
}

/// Whether a refusal is pre-flight's (an input, never sent) rather than the server's (a
/// number's): the server's carry no input position and name a valid number.
fn is_preflight(r: &Refusal) -> bool {
    r.index.is_some() || r.input.parse::<UsNumber>().is_err()
}

impl JobReport {
    /// A report of a job that has decided nothing yet: every list empty, every count zero.
    pub(super) fn blank(
        job_id: Uuid,
        enterprise_id: Uuid,
        mode: Mode,
        inputs: u64,
        valid: u64,
    ) -> JobReport {
        JobReport {
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
            end: None,
            finished_before: false,
            interrupted: false,
            operation: OperationKind::Associate,
            remediation_ids: BTreeMap::new(),
            lookups: 0,
            unsent: Vec::new(),
        }
    }

    /// Lists in [`unsent`](Self::unsent) the numbers of `plan` (the job's, in plan order) that
    /// the report does not name otherwise; nothing for a job that rolled numbers back, whose
    /// undone numbers are named nowhere either.
    pub(super) fn list_unsent(&mut self, plan: impl IntoIterator<Item = UsNumber>) {
        if self.rolled_back > 0 {
            return;
        }
        let named: BTreeSet<UsNumber> = self
            .associated
            .iter()
            .chain(&self.already_associated)
            .copied()
            .chain(
                self.refused
                    .iter()
                    .filter(|r| !is_preflight(r))
                    .filter_map(|r| r.input.parse().ok()),
            )
            .chain(self.failed.iter().filter_map(|f| f.number.parse().ok()))
            .collect();
        self.unsent = plan.into_iter().filter(|n| !named.contains(n)).collect();
    }

    /// Every valid number's outcome, in number order: done (associated, already associated,
    /// refreshed or submitted, with its remediation request's id when known), refused by the
    /// server, in flight (a remediation's 409), failed (proved not done), unknown, or never
    /// sent. Pre-flight's refusals are inputs, not numbers: see
    /// [`refused_before_sending`](Self::refused_before_sending).
    pub fn numbers(&self) -> Vec<NumberResult> {
        let mut outcomes: BTreeMap<UsNumber, NumberResult> = BTreeMap::new();
        for n in &self.associated {
            let mut result = NumberResult::new(n, NumberOutcome::Done);
            result.remediation_id = self.remediation_ids.get(n).copied();
            outcomes.insert(*n, result);
        }
        for n in &self.already_associated {
            outcomes.insert(*n, NumberResult::new(n, NumberOutcome::Done));
        }
        for r in self.refused.iter().filter(|r| !is_preflight(r)) {
            let Ok(n) = r.input.parse::<UsNumber>() else {
                continue;
            };
            let outcome = if r.code == "in_flight" {
                NumberOutcome::InFlight {
                    detail: r.detail.clone(),
                }
            } else {
                NumberOutcome::Refused {
                    code: r.code.clone(),
                    detail: r.detail.clone(),
                }
            };
            outcomes.insert(n, NumberResult::new(&n, outcome));
        }
        for f in &self.failed {
            let Ok(n) = f.number.parse::<UsNumber>() else {
                continue;
            };
            let detail = f.reason.to_string();
            let outcome = if f.reason.proved_not_done() {
                NumberOutcome::Failed { detail }
            } else {
                NumberOutcome::Unknown { detail }
            };
            outcomes
                .entry(n)
                .or_insert_with(|| NumberResult::new(&n, outcome));
        }
        for n in &self.unsent {
            outcomes
                .entry(*n)
                .or_insert_with(|| NumberResult::new(n, NumberOutcome::NotSent));
        }
        outcomes.into_values().collect()
    }

    /// The inputs pre-flight refused (never sent), without the server's refusals of numbers,
    /// which [`numbers`](Self::numbers) reports.
    pub fn refused_before_sending(&self) -> impl Iterator<Item = &Refusal> + '_ {
        self.refused.iter().filter(|r| is_preflight(r))
    }

    /// How many numbers were refreshed or submitted: what a refresh or a remediation billed
    /// (a remediation's at most: the server does not bill numbers it finds ineligible). For an
    /// association, the numbers associated, by this job or before it.
    pub fn billed(&self) -> u64 {
        (self.associated.len() as u64).saturating_add(self.already_associated.len() as u64)
    }

    /// How many valid numbers ended in an outcome other than done: refused by the server, in
    /// flight, failed, unknown or never sent.
    pub fn not_done(&self) -> u64 {
        self.numbers()
            .iter()
            .filter(|n| n.outcome != NumberOutcome::Done)
            .count() as u64
    }

    /// Requests sent other than the free lookups: the billable ones, for a refresh or a
    /// remediation (resends included).
    pub fn sends(&self) -> u64 {
        self.requests.saturating_sub(self.lookups)
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
