//! Bulk refresh and bulk remediation: any number of inputs through the same pre-flight and
//! batching as association, each number's outcome reported.
//!
//! Neither operation is atomic upstream and neither can be undone, so there is **no rollback**:
//! a refreshed number stays refreshed (and billed), a submitted remediation stays submitted.
//! What the engine promises instead:
//!
//! - **pre-flight** with the E.164 rules ([`crate::e164`]): refused inputs and duplicates are
//!   reported and never sent, so [`Plan::billable`] says before anything is sent how many
//!   billable numbers the job will send;
//! - **batches** of at most 100 (refresh) or 2,000 (remediation), with bounded concurrency and a
//!   progress callback;
//! - **a report per number** ([`NumberResult`]);
//! - **no blind repeat**: after an ambiguous outcome (timeout, dropped connection, 5xx) the
//!   state is looked up first. A refresh looks at each number's `last_refreshed_at` on a free
//!   list page filtered by `filter[phone_number][eq]` (never a billable read); a remediation
//!   lists the requests created since the job began. Only what the lookup proves was not done
//!   is sent again, and a number that still cannot be settled is reported
//!   [`NumberOutcome::Unknown`];
//! - **409 in flight** (remediation): the numbers the server names are reported
//!   [`NumberOutcome::InFlight`] and never sent again by the job; the rest of their request,
//!   which the 409 refused as a whole, is sent without them;
//! - **cancellation** ([`OpsOptions::cancel_on`]): no batch is sent after the token is
//!   cancelled, the batches in flight are decided, and the numbers never sent are reported
//!   [`NumberOutcome::NotSent`] (not billed), so the report still says what was billed.

mod refresh;
mod remediate;

use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CancellationToken;
use super::preflight::{Parsing, Preflight, preflight};
use super::report::{Duplicate, Refusal};
use super::workers::unpack;
use telnyx_e164::UsNumber;

pub use remediate::RemediationTemplate;

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

/// How a bulk refresh or remediation runs: batch size, concurrency, progress, and how many times
/// a number proved not done may be sent again. The default: the operation's largest batch, 4 in
/// flight, 2 more sends at most.
#[derive(Clone)]
pub struct OpsOptions {
    pub(crate) batch_size: Option<usize>,
    pub(crate) concurrency: usize,
    pub(crate) resends: u32,
    pub(crate) progress: Option<OpsProgressFn>,
    pub(crate) cancel: Option<CancellationToken>,
}

impl Default for OpsOptions {
    fn default() -> Self {
        OpsOptions {
            batch_size: None,
            concurrency: 4,
            resends: 2,
            progress: None,
            cancel: None,
        }
    }
}

impl std::fmt::Debug for OpsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpsOptions")
            .field("batch_size", &self.batch_size)
            .field("concurrency", &self.concurrency)
            .field("resends", &self.resends)
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

    /// Sets how many more times numbers that a lookup proved not done after an ambiguous
    /// outcome may be sent (0: never; they are then reported failed).
    pub fn resends(mut self, resends: u32) -> Self {
        self.resends = resends;
        self
    }

    /// Calls `progress` after each decided batch.
    pub fn progress(mut self, progress: impl Fn(&OpsProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
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

    fn size_for(&self, max: usize) -> usize {
        self.batch_size.unwrap_or(max).clamp(1, max)
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

/// What one batch decided: its numbers' outcomes and the requests it took.
#[derive(Debug, Default)]
pub(crate) struct Decided {
    pub results: Vec<NumberResult>,
    pub requests: u64,
    pub lookups: u64,
}

/// Runs `per_batch` over the plan's batches of `size`, `options.concurrency` at a time, and
/// gathers the report.
async fn run<F, Fut>(plan: Plan, size: usize, options: &OpsOptions, per_batch: F) -> OpsReport
where
    F: Fn(Vec<UsNumber>) -> Fut,
    Fut: Future<Output = Decided>,
{
    let Preflight {
        inputs,
        valid,
        refused,
        duplicates,
    } = plan.preflight;
    let mut report = OpsReport {
        inputs,
        refused,
        duplicates,
        numbers: Vec::with_capacity(valid.len()),
        requests: 0,
        lookups: 0,
    };
    let mut progress = OpsProgress {
        total: valid.len() as u64,
        ..OpsProgress::default()
    };
    let chunks: Vec<&[_]> = valid.chunks(size.max(1)).collect();
    // Batches are taken one at a time as places free up, so a cancellation stops the taking:
    // the count taken tells which were never sent.
    let taken = std::cell::Cell::new(0usize);
    let cancelled = || options.cancel.as_ref().is_some_and(|t| t.is_cancelled());
    let mut batches = futures::stream::iter(chunks.iter())
        .take_while(|_| std::future::ready(!cancelled()))
        .map(|chunk| {
            taken.set(taken.get() + 1);
            per_batch(unpack(chunk))
        })
        .buffer_unordered(options.concurrency.max(1));
    while let Some(decided) = batches.next().await {
        let succeeded = decided
            .results
            .iter()
            .filter(|r| r.outcome == NumberOutcome::Done)
            .count() as u64;
        progress.done = progress.done.saturating_add(decided.results.len() as u64);
        progress.succeeded = progress.succeeded.saturating_add(succeeded);
        progress.requests = progress
            .requests
            .saturating_add(decided.requests)
            .saturating_add(decided.lookups);
        report.requests = report.requests.saturating_add(decided.requests);
        report.lookups = report.lookups.saturating_add(decided.lookups);
        report.numbers.extend(decided.results);
        if let Some(callback) = &options.progress {
            callback(&progress);
        }
    }
    drop(batches);
    for chunk in chunks.iter().skip(taken.get()) {
        for number in unpack(chunk) {
            report
                .numbers
                .push(NumberResult::new(&number, NumberOutcome::NotSent));
        }
    }
    report
}
