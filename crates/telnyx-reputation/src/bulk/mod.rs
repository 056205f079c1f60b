//! Atomic bulk association: any number of inputs, all-or-nothing across batches, crash-safe.
//!
//! Hand-written on top of the generated client; the spec cannot say any of this. The API's
//! associate call is atomic per request of at most 100 numbers; [`Client::associate_all`](crate::Client::associate_all)
//! extends the promise to a whole job:
//!
//! 1. **Pre-flight** every input with the E.164 rules ([`crate::e164`]): US local and US
//!    toll-free numbers pass, everything else is refused; duplicates are dropped and reported.
//!    In [`Mode::AllOrNothing`] one refused input ends the job before anything is sent. A
//!    toll-free number passes with a [`Note`]: the server accepts it from the account's Telnyx
//!    inventory only, and only the server knows the inventory.
//! 2. **Batches** of at most 100 (configurable) run with bounded concurrency (default 4).
//! 3. **Refusals**: numbers already associated with this enterprise count as done. In
//!    all-or-nothing, any other refusal fails the job and every number this job associated is
//!    disassociated again; in [`Mode::BestEffort`] the offending numbers are isolated (from
//!    `source.pointer`, else by bisection) and the rest associated. Reads may lag behind
//!    writes: before an all-or-nothing job takes a refused number that a lookup does not show
//!    for refused, it holds its other batches back and looks it up again one request timeout
//!    later, so that a number another run associated a moment ago counts as done.
//! 4. **Ambiguous outcomes** (timeout, dropped connection, 5xx after sending): once the request
//!    timeout has passed (the request is then no longer in the server's hands), the numbers are
//!    looked up on the enterprise before anything else is decided; a request is sent again only
//!    when two lookups, a request timeout apart, agree that it was not applied (see `proof`).
//!    A job whose requests are all answered waits for nothing.
//! 5. **Journal** (optional): every step is written ahead to a file, so
//!    [`Client::resume_job`](crate::Client::resume_job) and [`Client::rollback_job`](crate::Client::rollback_job) can finish or undo a job whose
//!    process was killed at any instant. See [`journal`] for the format; [`Journal`] reads one
//!    back (the job's [`JobSummary`], whether it has work left) without acting on it.
//! 6. **Interrupts** ([`BulkOptions::cancel_on`]): once the caller's token is cancelled, no new
//!    batch is sent and the requests in flight are decided; then an all-or-nothing job without a
//!    journal rolls back, and a job with one leaves it for `resume_job` or `rollback_job`.
//!
//! [`Client::prepare_all`](crate::Client::prepare_all) does step 1 alone and returns a [`PreparedJob`] that says what
//! [`PreparedJob::run`] would send (and bill) before anything is sent; `associate_all` is the
//! two in one. Inputs are consumed as a stream: what a job holds is 8 bytes per distinct valid
//! number plus the text of refused and duplicate inputs, so a file of a million numbers runs in
//! tens of megabytes (see `BENCHMARKS.md`).
//!
//! What cut a job short is typed, for callers to branch on: [`JobReport::end`] ([`EndCause`]:
//! denied credentials, a stall, the deadline, a cancellation, an unfinished rollback...), and
//! each undecided number's [`NumberFailure::reason`] ([`FailureReason`]).
//!
//! Bulk refresh and bulk remediation run on this same engine (one journal format, one way to
//! settle a batch in flight, one resume, the same [`BulkOptions`], [`Progress`], [`PreparedJob`]
//! and [`JobReport`], whose [`JobReport::numbers`] says what happened to each number), always best
//! effort and without a rollback (neither can be undone): see [`ops`].
//!
//! Ownership rule used when reconciling, judged on the server's clock (its `Date` headers and
//! the timestamps of the records it writes), never on ours: a number found on the enterprise
//! whose record was created at or after the server's time when the job first sent it is this
//! job's, even when a resend of it is refused as already associated; one created before was
//! already associated. "Refreshed" is judged the same way, by `last_refreshed_at`.
//!
//! A job that gives up on the server (stall timeout or deadline) records the batches it proved
//! not applied as not sent, and leaves those whose outcome it could not learn in flight, so
//! that `resume_job` looks them up and sends the rest, never rolling back for it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use telnyx_reputation::{Client, bulk::{BulkOptions, Mode}};
//! let client = Client::from_env()?;
//! let enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58".parse()?;
//! let inputs = ["+16035551234", "+16035551235", "+16035551236"];
//! let report = client
//!     .associate_all(enterprise, inputs, BulkOptions::default().mode(Mode::AllOrNothing))
//!     .await?;
//! println!("{:?}: {} associated", report.outcome, report.associated.len());
//! # Ok(()) }
//! ```

mod batch;
mod cause;
mod context;
mod finish;
mod job;
mod job_report;
pub mod journal;
mod operation;
pub mod ops;
mod preflight;
mod proof;
mod reconcile;
mod recovery;
mod refusal;
mod rollback;
mod tally;
mod workers;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use cause::{EndCause, FailureReason};
pub use job::PreparedJob;
pub use job_report::{
    Duplicate, JobReport, Note, NumberFailure, NumberOutcome, NumberResult, Outcome, Refusal,
};
pub use journal::{JobState, JobSummary, Journal, JournalError, OperationKind};
pub use preflight::Parsing;
pub(crate) use preflight::preflight;
/// The token [`BulkOptions::cancel_on`] takes (re-exported from `tokio-util`).
pub use tokio_util::sync::CancellationToken;

/// What a refusal does to the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mode {
    /// Every number of the job ends up associated, or none does (the default).
    #[default]
    AllOrNothing,
    /// Associate every number that can be; report the others.
    BestEffort,
}

impl Mode {
    /// The mode as the journal writes it and reports print it: `all_or_nothing` or
    /// `best_effort`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::AllOrNothing => "all_or_nothing",
            Mode::BestEffort => "best_effort",
        }
    }
}

/// Which stage a job is in, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Reading and checking inputs.
    Preflight,
    /// Sending batches.
    Associating,
    /// Undoing what the job associated.
    RollingBack,
    /// Done: the outcome is decided and, with a journal, written.
    Finished,
}

/// Counts reported to the progress callback as the job advances.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The stage the job is in: checking, associating, rolling back or done.
    pub phase: Phase,
    /// Distinct valid numbers in the job.
    pub total: u64,
    /// Numbers whose outcome is decided.
    pub done: u64,
    /// Associated by this job so far.
    pub associated: u64,
    /// Found already associated with this enterprise.
    pub already_associated: u64,
    /// Refused (pre-flight and server).
    pub refused: u64,
    /// Undone by the rollback so far.
    pub rolled_back: u64,
    /// Requests sent so far.
    pub requests: u64,
}

/// A progress callback, called from the job's tasks after each decided batch or number; keep
/// it cheap (it runs on the job's threads).
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How a bulk job runs (an association, a refresh or a remediation): mode, batch size,
/// concurrency, input parsing, journal, progress, cancellation and patience.
/// `BulkOptions::default()` is all-or-nothing, the operation's largest batch, 4 in flight,
/// strict parsing, no journal. A refresh or a remediation is always best effort (neither can be
/// undone), whatever the mode says, and reads its inputs through a [`ops::Plan`].
#[derive(Clone)]
pub struct BulkOptions {
    pub(crate) mode: Mode,
    pub(crate) batch_size: Option<usize>,
    pub(crate) concurrency: usize,
    pub(crate) parsing: Parsing,
    pub(crate) journal: Option<PathBuf>,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) stall_timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) cancel: Option<CancellationToken>,
    pub(crate) resends: Option<u32>,
    #[cfg(any(test, feature = "test-hooks"))]
    pub(crate) crash_after_journal_appends: Option<u64>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            mode: Mode::AllOrNothing,
            batch_size: None,
            concurrency: 4,
            parsing: Parsing::Strict,
            journal: None,
            progress: None,
            stall_timeout: None,
            deadline: None,
            cancel: None,
            resends: None,
            #[cfg(any(test, feature = "test-hooks"))]
            crash_after_journal_appends: None,
        }
    }
}

impl std::fmt::Debug for BulkOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkOptions")
            .field("mode", &self.mode)
            .field("batch_size", &self.batch_size)
            .field("concurrency", &self.concurrency)
            .field("parsing", &self.parsing)
            .field("journal", &self.journal)
            .field("stall_timeout", &self.stall_timeout)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl BulkOptions {
    /// Sets what a refusal does to the job: all-or-nothing (the default) rolls every batch
    /// back; best effort keeps the rest.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the numbers per request (at least 1, and at most the operation's largest: 100 for
    /// associate and refresh, 2,000 for remediation; by default that largest).
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = Some(size.max(1));
        self
    }

    /// The numbers per request for an operation whose requests take at most `max`.
    pub(crate) fn size_for(&self, max: usize) -> usize {
        self.batch_size.unwrap_or(max).clamp(1, max.max(1))
    }

    /// Sets how many requests are in flight at once (at least 1).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Sets how inputs are read: strictly as E.164 (the default) or leniently as human-written US
    /// numbers (always sent in canonical form).
    pub fn parsing(mut self, parsing: Parsing) -> Self {
        self.parsing = parsing;
        self
    }

    /// Writes a journal to this path (which must not exist yet).
    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// Calls `progress` as the job advances.
    pub fn progress(mut self, progress: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Gives up on a server that makes no progress: when no request of the job has succeeded
    /// for `timeout` (default: the client's, [`ClientConfig::stall_timeout`](crate::ClientConfig::stall_timeout),
    /// 120 s unless set), retries (429 waits included) stop and the job ends with the numbers
    /// still undecided reported failed (outcome unknown). Idempotent calls are retried until
    /// then, never given up after a fixed count.
    pub fn stall_timeout(mut self, timeout: Duration) -> Self {
        self.stall_timeout = Some(timeout);
        self
    }

    /// Ends the job, as the stall timeout does, once `deadline` has passed since it began
    /// (default: no deadline).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Stops the job early once `token` is cancelled, as a Ctrl-C handler or a service's
    /// shutdown does:
    ///
    /// - no new batch is sent, and requests in flight finish (or time out) and are decided;
    /// - **with a journal**, nothing more is done: the journal is left for
    ///   [`Client::resume_job`](crate::Client::resume_job) or
    ///   [`Client::rollback_job`](crate::Client::rollback_job), and the report's outcome is
    ///   [`Outcome::Failed`];
    /// - **without a journal**, an all-or-nothing job keeps its promise: what it associated is
    ///   disassociated again (the outcome is [`Outcome::RolledBack`]), and that rollback is not
    ///   cut short by the token; a best-effort job keeps what it associated
    ///   ([`Outcome::Partial`]).
    ///
    /// Either way [`JobReport::interrupted`] is set when the token stopped work that was left to
    /// do. A rollback ([`Client::rollback_job`](crate::Client::rollback_job), or the rollback of
    /// a journaled job) stops too, between disassociations, with the rest left for another
    /// `rollback_job`. A token cancelled after the job ended has no effect.
    ///
    /// ```
    /// use telnyx_reputation::bulk::{BulkOptions, CancellationToken};
    /// let token = CancellationToken::new();
    /// let options = BulkOptions::default().cancel_on(token.clone());
    /// // From a signal handler, or a shutdown path: `token.cancel()`.
    /// # drop(options);
    /// ```
    pub fn cancel_on(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Sets how many times numbers that two lookups proved not applied, after an uncertain
    /// outcome, may be sent again (default 1 for an association, 2 for a refresh or a
    /// remediation; 0: never, they are then reported failed). A number is never sent again on
    /// any weaker proof.
    pub fn resends(mut self, resends: u32) -> Self {
        self.resends = Some(resends);
        self
    }

    /// The resends allowed for an operation whose default is `default`.
    pub(crate) fn resends_or(&self, default: u32) -> u32 {
        self.resends.unwrap_or(default)
    }

    /// Test hook: the job stops dead, as if killed, when it tries to write journal line `n + 1`.
    #[cfg(any(test, feature = "test-hooks"))]
    #[doc(hidden)]
    pub fn crash_after_journal_appends(mut self, n: u64) -> Self {
        self.crash_after_journal_appends = Some(n);
        self
    }
}

/// Why a bulk job could not run or finish (refusals are not errors: they are in the
/// [`JobReport`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BulkError {
    /// The journal could not be written or read.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The job stopped before its plan was written in full, so it sent nothing and cannot be
    /// resumed (its inputs are not all in the journal): run it again.
    #[error(
        "journal {0}: the job stopped before it sent anything, so there is nothing to finish or undo"
    )]
    NotStarted(std::path::PathBuf),
    /// `rollback_job` on the journal of a refresh or a remediation: neither can be undone
    /// (a refresh stays billed, a submitted request stays submitted); `resume_job` finishes it.
    #[error("journal {0}: a {1} job cannot be undone, only finished")]
    NotUndoable(std::path::PathBuf, &'static str),
    /// A batch was cancelled because the runtime is shutting down (not [`BulkOptions::cancel_on`],
    /// which ends the job with a [`JobReport`]); the journal, if any, shows
    /// how far the job got and lets `resume` or `rollback` finish it.
    #[error("the job was interrupted: {0}")]
    Interrupted(String),
}

#[cfg(test)]
mod tests {
    use super::Mode;

    #[test]
    fn a_mode_prints_as_the_journal_writes_it() {
        for mode in [Mode::AllOrNothing, Mode::BestEffort] {
            assert_eq!(
                serde_json::to_value(mode).unwrap(),
                serde_json::Value::from(mode.as_str())
            );
        }
    }
}
