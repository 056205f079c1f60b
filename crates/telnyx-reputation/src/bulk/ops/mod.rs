//! Bulk refresh and bulk remediation: any number of inputs through the same engine as
//! association (pre-flight, batches, write-ahead journal, reconciliation, resume), each
//! number's outcome reported.
//!
//! Neither operation is atomic upstream and neither can be undone, so there is **no rollback**
//! (a job is always best effort): a refreshed number stays refreshed (and billed), a submitted
//! remediation stays submitted. What the engine promises instead:
//!
//! - **pre-flight** with the E.164 rules ([`crate::e164`]): refused inputs and duplicates are
//!   reported and never sent, so [`Plan::billable`] says before anything is sent how many
//!   billable numbers the job will send;
//! - **batches** of at most 100 (refresh) or 2,000 (remediation), with bounded concurrency and a
//!   progress callback;
//! - **a report per number** ([`NumberResult`]);
//! - **no blind repeat**: after an ambiguous outcome (timeout, dropped connection, 5xx) the
//!   state is looked up once the request timeout has passed, judged on the server's clock, and
//!   only what two lookups agree was not done is sent again (see
//!   [`Client::refresh_planned`](crate::Client::refresh_planned) and
//!   [`Client::remediate_planned`](crate::Client::remediate_planned)); a number that still
//!   cannot be settled is reported [`NumberOutcome::Unknown`];
//! - **a journal** ([`OpsOptions::journal`]), the same as association's: a job killed at any
//!   instant is finished by [`Client::resume_job`](crate::Client::resume_job), each number
//!   billed once;
//! - **409 in flight** (remediation): the numbers the server names are reported
//!   [`NumberOutcome::InFlight`] and never sent again by the job; the rest of their request,
//!   which the 409 refused as a whole, is sent without them;
//! - **cancellation** ([`OpsOptions::cancel_on`]): no batch is sent after the token is
//!   cancelled, the batches in flight are decided, and the numbers never sent are reported
//!   [`NumberOutcome::NotSent`] (not billed), so the report still says what was billed.

pub(crate) mod refresh;
pub(crate) mod remediate;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::job::PreparedJob;
use super::operation::Operation;
use super::preflight::{Parsing, Preflight, preflight};
use super::report::{Duplicate, Refusal, Report};
use super::{BulkError, BulkOptions, CancellationToken, Mode};
use crate::Client;
use telnyx_e164::UsNumber;

pub use remediate::{MARKER_CHARS, RemediationTemplate};

/// A job's inputs after pre-flight: what would be sent, and what was refused before sending.
pub struct Plan {
    preflight: Preflight,
}

impl Plan {
    /// Checks every input (strictly as E.164, or leniently as written by people) and drops
    /// duplicates; nothing is sent.
    pub fn new<I, S>(inputs: I, parsing: Parsing) -> Plan
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Plan {
            preflight: preflight(inputs, parsing),
        }
    }

    /// How many distinct valid numbers would be sent: each one a billable event (a check for a
    /// refresh, a remediation fee for a submission) if the server accepts it.
    pub fn billable(&self) -> u64 {
        self.preflight.valid.len() as u64
    }

    /// The distinct valid numbers, in input order.
    pub fn numbers(&self) -> Vec<UsNumber> {
        super::workers::unpack(&self.preflight.valid)
    }

    /// How many inputs were read.
    pub fn inputs(&self) -> u64 {
        self.preflight.inputs
    }

    /// The inputs pre-flight refused (never sent).
    pub fn refused(&self) -> &[Refusal] {
        &self.preflight.refused
    }

    /// The inputs dropped as repeats of an earlier one (never sent twice).
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.preflight.duplicates
    }
}

/// How a bulk refresh or remediation runs: batch size, concurrency, progress, how many times a
/// number proved not done may be sent again, and the journal. The default: the operation's
/// largest batch, 4 in flight, 2 more sends at most, no journal.
#[derive(Clone)]
pub struct OpsOptions {
    pub(crate) batch_size: Option<usize>,
    pub(crate) concurrency: usize,
    pub(crate) resends: u32,
    pub(crate) progress: Option<OpsProgressFn>,
    pub(crate) cancel: Option<CancellationToken>,
    pub(crate) journal: Option<PathBuf>,
}

impl Default for OpsOptions {
    fn default() -> Self {
        OpsOptions {
            batch_size: None,
            concurrency: 4,
            resends: 2,
            progress: None,
            cancel: None,
            journal: None,
        }
    }
}

impl std::fmt::Debug for OpsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpsOptions")
            .field("batch_size", &self.batch_size)
            .field("concurrency", &self.concurrency)
            .field("resends", &self.resends)
            .field("journal", &self.journal)
            .finish_non_exhaustive()
    }
}

impl OpsOptions {
    /// Sets the numbers per request (at least 1; clamped to the operation's maximum: 100 for a
    /// refresh, 2,000 for a remediation).
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = Some(size.max(1));
        self
    }

    /// Sets how many requests are in flight at once (at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Sets how many more times numbers that two lookups proved not done after an ambiguous
    /// outcome may be sent (0: never; they are then reported failed).
    pub fn resends(mut self, resends: u32) -> Self {
        self.resends = resends;
        self
    }

    /// Calls `progress` as numbers are decided.
    pub fn progress(mut self, progress: impl Fn(&OpsProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Writes the job's write-ahead journal to `path` (which must not exist yet): the same
    /// format as an association's, so [`Client::resume_job`](crate::Client::resume_job)
    /// finishes a job killed at any instant, without billing a number twice.
    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// Stops the job when `token` is cancelled (on Ctrl-C, say): no batch is sent after that,
    /// the batches in flight are decided as usual, and the numbers of the batches never sent are
    /// reported [`NumberOutcome::NotSent`].
    ///
    /// ```
    /// use telnyx_reputation::bulk::CancellationToken;
    /// use telnyx_reputation::bulk::ops::OpsOptions;
    /// let token = CancellationToken::new();
    /// let options = OpsOptions::default().cancel_on(token.clone());
    /// // elsewhere, on Ctrl-C:
    /// token.cancel();
    /// # drop(options);
    /// ```
    pub fn cancel_on(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// The engine's options these stand for (always best effort).
    pub(crate) fn bulk(&self) -> BulkOptions {
        let mut options = BulkOptions::default()
            .mode(Mode::BestEffort)
            .concurrency(self.concurrency)
            .resends(self.resends);
        options.batch_size = self.batch_size;
        options.journal = self.journal.clone();
        options.cancel = self.cancel.clone();
        if let Some(callback) = self.progress.clone() {
            // Called as numbers are decided, not as the job changes phase.
            let reported = std::sync::atomic::AtomicU64::new(0);
            options = options.progress(move |p| {
                if p.done == 0
                    || reported.swap(p.done, std::sync::atomic::Ordering::Relaxed) == p.done
                {
                    return;
                }
                callback(&OpsProgress {
                    total: p.total,
                    done: p.done,
                    succeeded: p.associated,
                    requests: p.requests,
                });
            });
        }
        options
    }
}

/// Counts reported to the progress callback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpsProgress {
    /// Distinct valid numbers in the job.
    pub total: u64,
    /// Numbers whose outcome is decided.
    pub done: u64,
    /// Numbers refreshed or submitted (billed).
    pub succeeded: u64,
    /// Requests sent so far, lookups included.
    pub requests: u64,
}

/// A progress callback for [`OpsOptions::progress`]; called from the job's task, keep it cheap.
pub type OpsProgressFn = Arc<dyn Fn(&OpsProgress) + Send + Sync>;

/// What happened to one number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum NumberOutcome {
    /// Refreshed, or submitted for remediation: billed.
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
    /// Never sent: the job was cancelled before its batch went out. Not billed; safe to send.
    NotSent,
}

/// One number's outcome in a bulk refresh or remediation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub(crate) fn new(number: &UsNumber, outcome: NumberOutcome) -> NumberResult {
        NumberResult {
            phone_number: number.to_string(),
            outcome,
            remediation_id: None,
        }
    }
}

/// What a bulk refresh or remediation did: the pre-flight's refusals and duplicates, and every
/// sent number's outcome (in no particular order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpsReport {
    /// How many inputs were read.
    pub inputs: u64,
    /// Inputs refused by pre-flight (never sent).
    pub refused: Vec<Refusal>,
    /// Inputs dropped as repeats.
    pub duplicates: Vec<Duplicate>,
    /// One entry per distinct valid number.
    pub numbers: Vec<NumberResult>,
    /// Billable requests sent (resends included).
    pub requests: u64,
    /// Free lookups made to settle ambiguous outcomes.
    pub lookups: u64,
    /// The job's id (in its journal, if it wrote one).
    #[serde(default)]
    pub job_id: Uuid,
    /// Why the job stopped short, when it did (the server stalled, a journal to resume).
    #[serde(default)]
    pub error: Option<String>,
    /// Whether a cancellation stopped the job with numbers not sent.
    #[serde(default)]
    pub interrupted: bool,
}

impl OpsReport {
    /// How many numbers were refreshed or submitted: what the job billed (for a remediation,
    /// at most: the server does not bill numbers it finds ineligible).
    pub fn billed(&self) -> u64 {
        self.count(|o| matches!(o, NumberOutcome::Done))
    }

    /// How many numbers ended in each outcome other than done: refused, in flight, failed,
    /// unknown, not sent.
    pub fn not_done(&self) -> u64 {
        (self.numbers.len() as u64).saturating_sub(self.billed())
    }

    /// How many numbers were never sent because the job was cancelled first.
    pub fn not_sent(&self) -> u64 {
        self.count(|o| matches!(o, NumberOutcome::NotSent))
    }

    /// Whether every input was valid and every number done.
    pub fn is_complete(&self) -> bool {
        self.refused.is_empty() && self.not_done() == 0
    }

    fn count(&self, f: impl Fn(&NumberOutcome) -> bool) -> u64 {
        self.numbers.iter().filter(|n| f(&n.outcome)).count() as u64
    }
}

/// A bulk refresh or remediation checked and ready to run on the engine: what
/// [`Client::prepare_refresh`](crate::Client::prepare_refresh) and
/// [`Client::prepare_remediation`](crate::Client::prepare_remediation) return. Nothing has been
/// sent.
#[derive(Debug)]
pub struct PreparedOps {
    job: PreparedJob,
    numbers: Vec<UsNumber>,
}

impl PreparedOps {
    pub(in crate::bulk) fn new(
        client: &Client,
        enterprise_id: Uuid,
        plan: Plan,
        options: &OpsOptions,
        operation: Operation,
    ) -> PreparedOps {
        let job = PreparedJob::new(
            client,
            enterprise_id,
            plan.preflight,
            options.bulk(),
            operation,
        );
        PreparedOps {
            numbers: job.numbers(),
            job,
        }
    }

    /// The id the job runs under, in its journal: known before anything is sent, so a caller
    /// can name the journal after it.
    pub fn job_id(&self) -> Uuid {
        self.job.job_id()
    }

    /// How many requests the job sends if nothing is retried.
    pub fn batches(&self) -> u64 {
        self.job.batches()
    }

    /// Writes the journal to `path` (which must not exist yet), as [`OpsOptions::journal`].
    pub fn with_journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.job = self.job.with_journal(path);
        self
    }

    /// The journal the job writes, if any.
    pub fn journal(&self) -> Option<&std::path::Path> {
        self.job.journal()
    }

    /// Runs the job; `Err` only when its journal could not be written (it then stopped where
    /// it was, and the journal shows how far it got).
    pub async fn run(self) -> Result<OpsReport, BulkError> {
        let report = self.job.run().await?;
        Ok(OpsReport::from_report(&report, &self.numbers))
    }
}

impl OpsReport {
    /// A refresh's or remediation's report, number by number, from the engine's report of the
    /// job (a run's, a resume's) and the job's numbers (in plan order): numbers no outcome
    /// names were never sent.
    pub fn from_report(report: &Report, numbers: &[UsNumber]) -> OpsReport {
        let mut outcomes: BTreeMap<UsNumber, NumberResult> = BTreeMap::new();
        for n in &report.associated {
            let mut result = NumberResult::new(n, NumberOutcome::Done);
            result.remediation_id = report.remediation_ids.get(n).copied();
            outcomes.insert(*n, result);
        }
        for n in &report.already_associated {
            outcomes.insert(*n, NumberResult::new(n, NumberOutcome::Done));
        }
        let mut preflight_refused = Vec::new();
        for r in &report.refused {
            let Ok(n) = r.input.parse::<UsNumber>() else {
                preflight_refused.push(r.clone());
                continue;
            };
            if r.index.is_some() {
                preflight_refused.push(r.clone());
                continue;
            }
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
        for f in &report.failed {
            let Ok(n) = f.number.parse::<UsNumber>() else {
                continue;
            };
            let proved =
                f.reason.starts_with("not applied") || f.reason.starts_with("not sent again");
            let outcome = if proved {
                NumberOutcome::Failed {
                    detail: f.reason.clone(),
                }
            } else {
                NumberOutcome::Unknown {
                    detail: f.reason.clone(),
                }
            };
            outcomes
                .entry(n)
                .or_insert_with(|| NumberResult::new(&n, outcome));
        }
        let known: BTreeSet<UsNumber> = outcomes.keys().copied().collect();
        let mut numbers_out: Vec<NumberResult> = Vec::with_capacity(numbers.len());
        for n in numbers {
            match outcomes.remove(n) {
                Some(result) => numbers_out.push(result),
                None if !known.contains(n) => {
                    numbers_out.push(NumberResult::new(n, NumberOutcome::NotSent));
                }
                None => {}
            }
        }
        // Numbers the report names that the list did not (a journal's, say) are kept too.
        numbers_out.extend(outcomes.into_values());
        OpsReport {
            inputs: report.inputs,
            refused: preflight_refused,
            duplicates: report.duplicates.clone(),
            numbers: numbers_out,
            requests: report.requests.saturating_sub(report.lookups),
            lookups: report.lookups,
            job_id: report.job_id,
            error: report.error.clone(),
            interrupted: report.interrupted,
        }
    }
}
