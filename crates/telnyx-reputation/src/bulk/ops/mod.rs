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
//! - **a report per number** ([`JobReport::numbers`](crate::bulk::JobReport::numbers));
//! - **no blind repeat**: after an ambiguous outcome (timeout, dropped connection, 5xx) the
//!   state is looked up once the request timeout has passed, judged on the server's clock, and
//!   only what two lookups agree was not done is sent again (see
//!   [`Client::refresh_planned`](crate::Client::refresh_planned) and
//!   [`Client::remediate_planned`](crate::Client::remediate_planned)); a number that still
//!   cannot be settled is reported [`NumberOutcome::Unknown`](crate::bulk::NumberOutcome::Unknown);
//! - **a journal** ([`BulkOptions::journal`]), the same as association's: a job killed at any
//!   instant is finished by [`Client::resume_job`](crate::Client::resume_job), each number
//!   billed once;
//! - **409 in flight** (remediation): the numbers the server names are reported
//!   [`NumberOutcome::InFlight`](crate::bulk::NumberOutcome::InFlight) and never sent again by the job; the rest of their request,
//!   which the 409 refused as a whole, is sent without them;
//! - **cancellation** ([`BulkOptions::cancel_on`]): no batch is sent after the token is
//!   cancelled, the batches in flight are decided, and the numbers never sent are reported
//!   [`NumberOutcome::NotSent`](crate::bulk::NumberOutcome::NotSent) (not billed), so the report still says what was billed.

pub(crate) mod refresh;
pub(crate) mod remediate;

use uuid::Uuid;

use super::job::PreparedJob;
use super::job_report::{Duplicate, JobReport, Outcome, Refusal};
use super::operation::Operation;
use super::preflight::{Parsing, Preflight, preflight};
use super::{BulkOptions, Mode};
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

    /// The report of a job of this plan that sends nothing, for a plan with no valid number
    /// ([`billable`](Self::billable) 0): what pre-flight refused and dropped, best effort,
    /// completed when nothing was refused and partial otherwise. Its job and enterprise ids
    /// are nil: no job ran.
    pub fn report_before_sending(&self) -> JobReport {
        let mut report = JobReport::blank(
            Uuid::nil(),
            Uuid::nil(),
            Mode::BestEffort,
            self.inputs(),
            self.billable(),
        );
        report.outcome = if self.refused().is_empty() {
            Outcome::Completed
        } else {
            Outcome::Partial
        };
        report.refused = self.refused().to_vec();
        report.duplicates = self.duplicates().to_vec();
        report
    }
}

/// A refresh or a remediation of `plan`, checked and ready to run on the engine, always best
/// effort (neither can be undone); `options`' parsing is not used (the plan has read the
/// inputs).
pub(in crate::bulk) fn prepare(
    client: &Client,
    enterprise_id: Uuid,
    plan: Plan,
    options: &BulkOptions,
    operation: Operation,
) -> PreparedJob {
    let options = options.clone().mode(Mode::BestEffort);
    PreparedJob::new(client, enterprise_id, plan.preflight, options, operation)
}
