//! The public entry points of a bulk job: run one, prepare one, resume one, roll one back.

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::context::JobContext;
use super::finish::{Basis, apply_rollback, failures, finish};
use super::job_report::{Duplicate, JobReport, Note, Outcome, Refusal};
use super::journal::{
    Endpoint, Event, Header, JournalError, OperationKind, Replay, VERSION, Writer,
};
use super::operation::Operation;
use super::ops::RemediationTemplate;
use super::preflight::{Preflight, preflight};
use super::recovery::{header, must_roll_back, report_from_replay, resume_work};
use super::rollback::roll_back;
use super::workers::{Batches, execute, unpack};
use super::{BulkError, BulkOptions, Mode, Phase};
use crate::Client;

impl Client {
    /// Associates any number of inputs with an enterprise, keeping the promise of
    /// [`BulkOptions::mode`] across batches. See the [`bulk`](crate::bulk) module.
    ///
    /// The same as [`prepare_all`](Client::prepare_all) then [`PreparedJob::run`].
    /// Refusals and failures are in the returned [`JobReport`]; `Err` only when the journal could
    /// not be written (the job then stopped where it was, and the journal shows how far it got).
    pub async fn associate_all<I, S>(
        &self,
        enterprise_id: Uuid,
        inputs: I,
        options: BulkOptions,
    ) -> Result<JobReport, BulkError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.prepare_all(enterprise_id, inputs, options).run().await
    }

    /// Pre-flight only: reads and checks every input, drops duplicates, and returns the job
    /// ready to run. Sends nothing, so a caller can show what [`PreparedJob::run`] would send
    /// (and bill) before it does.
    ///
    /// Inputs are consumed as they come (a file can be streamed line by line); what is kept is
    /// 8 bytes per distinct valid number, plus the text of refused and duplicate inputs.
    pub fn prepare_all<I, S>(
        &self,
        enterprise_id: Uuid,
        inputs: I,
        options: BulkOptions,
    ) -> PreparedJob
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let checked = preflight(inputs, options.parsing);
        PreparedJob::new(self, enterprise_id, checked, options, Operation::Associate)
    }

    /// Completes a job from its journal: numbers in flight when it stopped are looked up, the
    /// rest are sent, and all-or-nothing is enforced as if the job had never stopped. A job
    /// that already finished is reported as it ended, with [`JobReport::finished_before`] set and
    /// nothing sent. Uses `options` only for concurrency, progress and time limits; mode and
    /// batches come from the journal. A torn last line is cut off first; a journal that fails
    /// verification anywhere else is refused.
    pub async fn resume_job(
        &self,
        journal: &Path,
        options: BulkOptions,
    ) -> Result<JobReport, BulkError> {
        self.resume_replay(journal, Replay::read(journal)?, options)
            .await
    }

    /// [`resume_job`](Client::resume_job) of a journal already read into `replay`.
    pub(crate) async fn resume_replay(
        &self,
        journal: &Path,
        replay: Replay,
        options: BulkOptions,
    ) -> Result<JobReport, BulkError> {
        let header = header(self, journal, &replay)?;
        let planned = || replay.plan.values().flatten().copied();
        if replay.finished.is_some() {
            let mut report = JobReport {
                finished_before: true,
                ..report_from_replay(&header, &replay)
            };
            report.list_unsent(planned());
            return Ok(report);
        }
        if !replay.planned {
            return Err(BulkError::NotStarted(journal.to_owned()));
        }
        if must_roll_back(&header, &replay) {
            return self
                .roll_back_replay(journal, &header, replay, options)
                .await;
        }
        let operation = operation_of(journal, &replay)?;
        let file = Writer::open_append(journal, &replay)?;
        let ctx = Arc::new(JobContext::new(
            self,
            &header,
            operation,
            Some(file),
            &options,
        ));
        ctx.tick(|p| {
            p.phase = Phase::Associating;
            p.done = (replay.ours.len() + replay.already.len()) as u64;
            p.associated = replay.ours.len() as u64;
            p.already_associated = replay.already.len() as u64;
        });
        let plan: Vec<UsNumber> = planned().collect();
        let mut tally = execute(&ctx, resume_work(&replay).into_iter()).await?;
        tally.ours.extend(replay.ours);
        tally.already.extend(replay.already);
        tally.refused.extend(replay.refused.into_values());
        tally.failed.extend(replay.failed);
        tally.ids.extend(replay.remediation_ids);
        let basis = Basis {
            job_id: header.job_id,
            inputs: header.inputs,
            valid: header.valid,
            preflight_refused: Vec::new(),
            duplicates: Vec::new(),
        };
        let mut report = finish(&ctx, basis, tally).await?;
        report.list_unsent(plan);
        Ok(report)
    }

    /// Undoes a job from its journal: every number it associated is disassociated (numbers
    /// in flight when it stopped are looked up first), whatever state it stopped in. A job
    /// already rolled back is reported so, with [`JobReport::finished_before`] set and nothing
    /// sent. Verifies the journal as [`resume_job`](Client::resume_job) does.
    pub async fn rollback_job(
        &self,
        journal: &Path,
        options: BulkOptions,
    ) -> Result<JobReport, BulkError> {
        let replay = Replay::read(journal)?;
        let header = header(self, journal, &replay)?;
        if !replay.operation.is_associate() {
            return Err(BulkError::NotUndoable(
                journal.to_owned(),
                replay.operation.as_str(),
            ));
        }
        if replay.finished == Some(Outcome::RolledBack) {
            return Ok(JobReport {
                finished_before: true,
                ..report_from_replay(&header, &replay)
            });
        }
        self.roll_back_replay(journal, &header, replay, options)
            .await
    }

    async fn roll_back_replay(
        &self,
        journal: &Path,
        header: &Header,
        replay: Replay,
        options: BulkOptions,
    ) -> Result<JobReport, BulkError> {
        let operation = operation_of(journal, &replay)?;
        let file = Writer::open_append(journal, &replay)?;
        let ctx = JobContext::new(self, header, operation, Some(file), &options);
        let mut report = report_from_replay(header, &replay);
        let ours = replay.ours.iter().copied().collect();
        let undecided = replay
            .in_flight
            .iter()
            .chain(replay.failed.keys())
            .copied()
            .collect();
        let end = roll_back(&ctx, ours, undecided, replay.rollback_started).await?;
        report.rolled_back = (replay.disassociated.len() as u64).saturating_add(end.undone);
        let mut failed = replay.failed;
        apply_rollback(&mut report, &mut failed, end);
        report.failed = failures(failed);
        report.requests = ctx.requests();
        ctx.tick(|p| p.phase = Phase::Finished);
        Ok(report)
    }
}

/// The operation a journal's job runs, its remediation template rebuilt and checked.
fn operation_of(path: &Path, replay: &Replay) -> Result<Operation, JournalError> {
    let bad = |reason: String| JournalError::Format {
        path: path.to_owned(),
        line: 2,
        reason,
    };
    Ok(match replay.operation {
        OperationKind::Associate => Operation::Associate,
        OperationKind::Refresh => Operation::Refresh,
        OperationKind::Remediation => {
            let (purpose, email, webhook) = replay
                .remediation
                .clone()
                .ok_or_else(|| bad("a remediation job without its call purpose".into()))?;
            let mut template =
                RemediationTemplate::new(&purpose).map_err(|e| bad(e.to_string()))?;
            if let Some(email) = email {
                template = template
                    .with_contact_email(&email)
                    .map_err(|e| bad(e.to_string()))?;
            }
            if let Some(url) = webhook {
                template = template
                    .with_webhook_url(&url)
                    .map_err(|e| bad(e.to_string()))?;
            }
            Operation::Remediate(template)
        }
    })
}

/// The `operation` line of a refresh or remediation journal (an associate job writes none).
fn operation_line(operation: &Operation) -> Option<Event> {
    match operation {
        Operation::Associate => None,
        Operation::Refresh => Some(Event::Operation {
            kind: OperationKind::Refresh,
            call_purpose: None,
            contact_email: None,
            webhook_url: None,
        }),
        Operation::Remediate(template) => {
            let (purpose, email, webhook) = template.fields();
            Some(Event::Operation {
                kind: OperationKind::Remediation,
                call_purpose: Some(purpose.to_owned()),
                contact_email: email.map(str::to_owned),
                webhook_url: webhook.map(str::to_owned),
            })
        }
    }
}

/// A bulk job checked and ready to run: the result of [`Client::prepare_all`] (and of the
/// refresh and remediation plans of [`ops`](super::ops)). Nothing has been sent.
pub struct PreparedJob {
    client: Client,
    job_id: Uuid,
    enterprise_id: Uuid,
    checked: Preflight,
    options: BulkOptions,
    operation: Operation,
}

impl std::fmt::Debug for PreparedJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedJob")
            .field("job_id", &self.job_id)
            .field("enterprise_id", &self.enterprise_id)
            .field("inputs", &self.checked.inputs)
            .field("valid", &self.checked.valid.len())
            .field("refused", &self.checked.refused.len())
            .field("duplicates", &self.checked.duplicates.len())
            .field("options", &self.options)
            .field("operation", &self.operation.kind())
            .finish()
    }
}

impl PreparedJob {
    /// A job of `operation` over checked inputs; refresh and remediation are always best
    /// effort (neither can be undone).
    pub(super) fn new(
        client: &Client,
        enterprise_id: Uuid,
        checked: Preflight,
        mut options: BulkOptions,
        operation: Operation,
    ) -> PreparedJob {
        if operation != Operation::Associate {
            options.mode = Mode::BestEffort;
        }
        PreparedJob {
            client: client.clone(),
            job_id: Uuid::new_v4(),
            enterprise_id,
            checked,
            options,
            operation,
        }
    }

    /// The id the job will run under: in its journal's header and its [`JobReport::job_id`].
    /// Known before anything is sent, so a caller can name the journal after it.
    pub fn job_id(&self) -> Uuid {
        self.job_id
    }

    /// How many requests [`run`](Self::run) would send if nothing were refused or retried: the
    /// valid numbers in batches of the chosen size. More than one, and a crash could leave the
    /// job half-applied: that is when a journal matters.
    pub fn batches(&self) -> u64 {
        let size = self.options.size_for(self.operation.max_batch()) as u64;
        self.valid().div_ceil(size)
    }

    /// The journal [`run`](Self::run) will write, if any (from [`BulkOptions::journal`] or
    /// [`with_journal`](Self::with_journal)).
    pub fn journal(&self) -> Option<&Path> {
        self.options.journal.as_deref()
    }

    /// Writes a journal to `path` (which must not exist yet), as [`BulkOptions::journal`] does;
    /// for a caller that names it after [`job_id`](Self::job_id) or chooses it once it knows
    /// how many [`batches`](Self::batches) the job has.
    pub fn with_journal(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.options.journal = Some(path.into());
        self
    }

    /// Inputs read.
    pub fn inputs(&self) -> u64 {
        self.checked.inputs
    }

    /// Distinct valid numbers: what [`run`](Self::run) would associate.
    pub fn valid(&self) -> u64 {
        self.checked.valid.len() as u64
    }

    /// Inputs refused at pre-flight, with the rule each broke.
    pub fn refused(&self) -> &[Refusal] {
        &self.checked.refused
    }

    /// Inputs dropped because an earlier input is the same number.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.checked.duplicates
    }

    /// The valid numbers that pass on a condition only the server checks, in input order:
    /// toll-free numbers, accepted from the account's Telnyx inventory only.
    pub fn notes(&self) -> impl Iterator<Item = Note> + '_ {
        self.checked
            .valid
            .iter()
            .filter_map(|n| telnyx_e164::UsNumber::from_national_number(*n))
            .filter_map(Note::of)
    }

    /// Whether [`run`](Self::run) would send anything: not when the job is all-or-nothing and
    /// an input was refused, nor when no input is valid.
    pub fn will_send(&self) -> bool {
        let refusals_stop_it =
            self.options.mode == Mode::AllOrNothing && !self.checked.refused.is_empty();
        !self.checked.valid.is_empty() && !refusals_stop_it
    }

    /// Runs the job: writes the plan to the journal (if any), sends the batches, and enforces
    /// the mode. See [`Client::associate_all`].
    pub async fn run(self) -> Result<JobReport, BulkError> {
        let PreparedJob {
            client,
            job_id,
            enterprise_id,
            checked,
            options,
            operation,
        } = self;
        let size = options.size_for(operation.max_batch());
        let header = Header {
            v: VERSION,
            event: "job".into(),
            job_id,
            enterprise_id,
            mode: options.mode,
            batch_size: size,
            concurrency: options.concurrency,
            started_at: Utc::now(),
            inputs: checked.inputs,
            valid: checked.valid.len() as u64,
            endpoint: Endpoint::of(&client),
        };
        let basis = Basis {
            job_id: header.job_id,
            inputs: checked.inputs,
            valid: header.valid,
            preflight_refused: checked.refused,
            duplicates: checked.duplicates,
        };
        if options.mode == Mode::AllOrNothing && !basis.preflight_refused.is_empty() {
            // Nothing is sent: not even a journal is needed.
            let ctx = JobContext::new(&client, &header, operation, None, &options);
            let refusals = basis.preflight_refused.len() as u64;
            ctx.tick(|p| {
                p.refused = refusals;
                p.phase = Phase::Finished;
            });
            let mut report = JobReport::blank(
                basis.job_id,
                enterprise_id,
                options.mode,
                basis.inputs,
                basis.valid,
            );
            report.outcome = Outcome::Refused;
            report.operation = ctx.operation.kind();
            report.refused = basis.preflight_refused;
            report.duplicates = basis.duplicates;
            report.not_sent = basis.valid;
            return Ok(report);
        }
        let journal = match &options.journal {
            Some(path) => {
                let journal = Writer::create(path, &header)?;
                #[cfg(any(test, feature = "test-hooks"))]
                let journal = {
                    let mut journal = journal;
                    journal.crash_after(options.crash_after_journal_appends);
                    journal
                };
                Some(journal)
            }
            None => None,
        };
        let ctx = Arc::new(JobContext::new(
            &client, &header, operation, journal, &options,
        ));
        if ctx.has_journal() {
            // The plan is written whole, and made durable by the fsync of `Planned`, before
            // anything is sent; its lines need no fsync of their own.
            if let Some(line) = operation_line(&ctx.operation) {
                ctx.log_unsynced(|| line)?;
            }
            let batches = checked.valid.chunks(size).len() as u64;
            for (i, chunk) in checked.valid.chunks(size).enumerate() {
                ctx.log_unsynced(|| Event::Plan {
                    batch: i as u64,
                    numbers: unpack(chunk),
                })?;
            }
            ctx.log(|| Event::Planned { batches })?;
        }
        let refusals = basis.preflight_refused.len() as u64;
        ctx.tick(|p| {
            p.phase = Phase::Associating;
            p.refused = refusals;
        });
        let plan = checked.valid.clone();
        let tally = execute(&ctx, Batches::new(checked.valid, size)).await?;
        let mut report = finish(&ctx, basis, tally).await?;
        report.list_unsent(
            plan.iter()
                .filter_map(|n| UsNumber::from_national_number(*n)),
        );
        Ok(report)
    }
}
