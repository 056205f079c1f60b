//! Applying a [`SyncPlan`]: the associations through the bulk engine (all or nothing, or best
//! effort, as the options say), then, only when every association succeeded, the extras
//! disassociated when pruning, with bounded concurrency. Disassociations are free and
//! idempotent; they are never rolled back.
//!
//! With a journal ([`BulkOptions::journal`]) the whole sync is written ahead before anything is
//! sent: the associations' plan as the engine writes it, and the extras to prune (see
//! [`journal`](crate::bulk::journal)). The engine then runs the associations from the
//! journal, and each disassociation's completion is recorded. [`Client::resume_sync`] finishes
//! a sync stopped anywhere; [`Client::rollback_job`] undoes its associations (never its
//! disassociations).

use std::path::Path;

use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::SyncPlan;
use super::prune::{Pruned, prune};
use crate::bulk::journal::{Event, Replay, Writer};
use crate::bulk::{BulkError, BulkOptions, CancellationToken, JobReport, Outcome};
use crate::client::Client;
use crate::error::Error;
use crate::removed::Removal;

/// What applying (or resuming) a sync did.
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncOutcome {
    /// The bulk job's report of the associations; `None` when the plan had none to make and no
    /// journal was kept.
    pub associations: Option<JobReport>,
    /// The extras disassociated by this run (pruning only).
    pub disassociated: Vec<UsNumber>,
    /// Extras of the plan left on the enterprise because they were associated again after the
    /// plan was made (their record is newer than the journal): someone wants them there now,
    /// so the prune does not remove them.
    pub kept: Vec<UsNumber>,
    /// Whether the enterprise now holds what the plan aimed at: every association made (or
    /// none needed) and, when pruning, every extra disassociated.
    pub converged: bool,
    /// Whether the caller's token ([`BulkOptions::cancel_on`]) stopped the sync with work
    /// left; with a journal, [`Client::resume_sync`] finishes it.
    pub interrupted: bool,
    /// The numbers of the inventory that Telnyx removed and the sync held back (not
    /// associated, not billed), with their removal: [`SyncPlan::withheld`], or what the
    /// journal says of it.
    pub withheld: Vec<Removal>,
}

/// Why applying a plan stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The bulk job of the associations, or the journal, failed.
    #[error(transparent)]
    Bulk(#[from] BulkError),
    /// The enterprise could not be read again before the prune of a resumed sync: nothing was
    /// disassociated, and resuming the journal again tries again.
    #[error("reading the enterprise again before pruning: {source}")]
    Reread {
        /// What failed.
        #[source]
        source: Error,
    },
    /// A disassociation failed after retries; the extras before it are disassociated, and
    /// resuming the journal (or planning again) picks up the rest.
    #[error("disassociating {number}: {source}")]
    Disassociate {
        /// The number being disassociated.
        number: UsNumber,
        /// What failed.
        #[source]
        source: Error,
        /// The extras disassociated by this run before the failure was known.
        done: Vec<UsNumber>,
    },
}

impl From<crate::bulk::JournalError> for SyncError {
    fn from(e: crate::bulk::JournalError) -> SyncError {
        SyncError::Bulk(BulkError::Journal(e))
    }
}

/// The outcome of a prune, or the error of its first failed disassociation. (The error is as
/// large as the public `apply` and `resume_sync` return; it is moved straight into theirs.)
#[allow(clippy::result_large_err)]
fn concluded(
    associations: Option<JobReport>,
    pruned: Pruned,
    associated: bool,
    withheld: Vec<Removal>,
) -> Result<SyncOutcome, SyncError> {
    if let Some((number, source)) = pruned.failed {
        return Err(SyncError::Disassociate {
            number,
            source,
            done: pruned.done,
        });
    }
    let interrupted = pruned.interrupted || associations.as_ref().is_some_and(|r| r.interrupted);
    Ok(SyncOutcome {
        converged: associated && !interrupted,
        associations,
        disassociated: pruned.done,
        kept: Vec::new(),
        interrupted,
        withheld,
    })
}

impl SyncPlan {
    /// Applies the plan with `client`: associations first, through the bulk engine with
    /// `options`; then, only when they all succeeded (outcome completed) and the plan prunes,
    /// the extras are disassociated, `options`' concurrency at a time. Conflicts are never
    /// sent. With a journal in `options`, the whole sync is written to it before anything is
    /// sent, and each step as it ends (see the module's documentation). The options' token
    /// stops it between requests.
    pub async fn apply(
        &self,
        client: &Client,
        options: BulkOptions,
    ) -> Result<SyncOutcome, SyncError> {
        self.apply_as(client, Uuid::new_v4(), options).await
    }

    /// [`apply`](Self::apply), with the journal's job id chosen by the caller (who can then
    /// name the journal after it before anything is written, as the CLI's default journals
    /// are named).
    pub async fn apply_as(
        &self,
        client: &Client,
        job_id: Uuid,
        options: BulkOptions,
    ) -> Result<SyncOutcome, SyncError> {
        if let Some(path) = options.journal.clone() {
            super::journal::write(client, &path, job_id, self, &options)?;
            return client.resume_sync(&path, options).await;
        }
        let cancel = options.cancel.clone();
        let concurrency = options.concurrency;
        let associations = if self.associate.is_empty() {
            None
        } else {
            let inputs = self.associate.iter().map(|n| n.to_string());
            Some(
                client
                    .associate_all(self.enterprise, inputs, options)
                    .await?,
            )
        };
        let associated = associations
            .as_ref()
            .is_none_or(|r| r.outcome == Outcome::Completed);
        let extras = if associated {
            self.disassociate().to_vec()
        } else {
            Vec::new()
        };
        let pruned = prune(
            client,
            self.enterprise,
            extras,
            concurrency,
            cancel.as_ref(),
            None,
        )
        .await?;
        concluded(associations, pruned, associated, self.withheld().to_vec())
    }
}

impl Client {
    /// Finishes a job from its journal, and a sync's prune: the associations are completed as
    /// [`resume_job`](Client::resume_job) completes them; then, only when they all succeeded
    /// and the journal is a sync's, the extras not yet disassociated are (a 404 counts as
    /// done). The report of a job that had finished has [`JobReport::finished_before`] set; a
    /// sync whose prune had finished sends nothing. Uses `options` for concurrency, progress,
    /// time limits and the interrupt token.
    pub async fn resume_sync(
        &self,
        journal: &Path,
        options: BulkOptions,
    ) -> Result<SyncOutcome, SyncError> {
        let cancel = options.cancel.clone();
        let concurrency = options.concurrency;
        // What makes the journal a sync's, and the numbers it held back, were written before
        // `planned`, and whether its prune finished before any resume: the journal as it is
        // now says all three, and the job reads it once.
        let replay = Replay::read(journal)?;
        let withheld = if replay.readd_removed {
            Vec::new()
        } else {
            replay.removed_by_telnyx.clone()
        };
        let (sync, prune_finished) = (replay.sync, replay.prune_finished);
        let report = self.resume_replay(journal, replay, options).await?;
        let associated = report.outcome == Outcome::Completed;
        if !sync || !associated || prune_finished {
            return Ok(SyncOutcome {
                converged: associated,
                interrupted: report.interrupted,
                associations: Some(report),
                disassociated: Vec::new(),
                withheld,
                kept: Vec::new(),
            });
        }
        // Read again: the prune appends after the lines the job just wrote.
        let replay = Replay::read(journal)?;
        let enterprise = report.enterprise_id;
        // The enterprise as it is now, not as it was planned: an extra gone since is done, and
        // one associated again since is someone's wish, not the plan's extra.
        // (Stopped already, the prune sends nothing, not even this read.)
        let since = replay.header.as_ref().map(|h| h.started_at);
        let stopped = cancel.as_ref().is_some_and(CancellationToken::is_cancelled);
        let (unpruned, gone, kept) = match since {
            Some(since) if !stopped => {
                still_extra(
                    self,
                    enterprise,
                    replay.unpruned(),
                    replay.newest_association,
                    since,
                )
                .await?
            }
            _ => (replay.unpruned(), Vec::new(), Vec::new()),
        };
        let mut file = Writer::open_append(journal, &replay)?;
        if !gone.is_empty() {
            file.append(&Event::Pruned {
                numbers: gone.clone(),
            })?;
        }
        let mut pruned = prune(
            self,
            enterprise,
            unpruned,
            concurrency,
            cancel.as_ref(),
            Some(&mut file),
        )
        .await?;
        pruned.done.splice(0..0, gone);
        let mut outcome = concluded(Some(report), pruned, associated, withheld)?;
        outcome.kept = kept;
        Ok(outcome)
    }
}

/// What a prune still has to do, from the enterprise as it is now: of `extras`, those still
/// associated from before the plan (to disassociate), those no longer associated (done), and
/// those associated again since the plan (kept). "Since the plan" is judged on the server's
/// clock, never ours: an association newer than `newest`, the newest the plan saw (journalled
/// with the sync), was made after it. A journal without it (written before this rule) carries
/// the sync's start (`since`, this machine's clock) onto the server's clock through the
/// re-read's answers, as a lower bound, so an uncertain number is kept, never pruned. Reads
/// list pages only (free).
#[allow(clippy::result_large_err)]
async fn still_extra(
    client: &Client,
    enterprise: Uuid,
    extras: Vec<UsNumber>,
    newest: Option<chrono::DateTime<chrono::Utc>>,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<UsNumber>, Vec<UsNumber>, Vec<UsNumber>), SyncError> {
    if extras.is_empty() {
        return Ok((extras, Vec::new(), Vec::new()));
    }
    // As persistent as the disassociations that follow: until the client's stall rule.
    let now = client
        .with_retry(client.retry_policy().clone().until_stalled())
        .associated_since(enterprise)
        .await
        .map_err(|source| SyncError::Reread { source })?;
    let since = newest.unwrap_or_else(|| client.server_time_at(since).unwrap_or(since));
    let (mut left, mut gone, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    for n in extras {
        match now.get(&n) {
            None => gone.push(n),
            Some(Some(created)) if *created > since => kept.push(n),
            Some(_) => left.push(n),
        }
    }
    if !kept.is_empty() {
        tracing::warn!(
            kept = kept.len(),
            "extras associated again since the sync was planned are kept"
        );
    }
    Ok((left, gone, kept))
}
