//! The rollback: every number the job associated is disassociated again. One path, used when a
//! running all-or-nothing job fails and by `rollback_job` on a journal.

use futures::{StreamExt, stream};
use telnyx_e164::{Batch, UsNumber};

use super::context::JobContext;
use super::job_report::Outcome;
use super::journal::{Event, JournalError};
use super::operation::look_up_one;
use super::reconcile::Found;
use super::{FailureReason, Phase};
use crate::client::Scope;

/// What a rollback did.
#[derive(Debug, Default)]
pub(super) struct RolledBack {
    /// Numbers this rollback disassociated (or found already absent).
    pub undone: u64,
    /// Numbers of the job that may still be associated: their disassociation failed, or their
    /// outcome could not be looked up.
    pub left: Vec<UsNumber>,
    /// Why, for each number left.
    pub failures: Vec<(UsNumber, FailureReason)>,
    /// The numbers this rollback disassociated (or found already absent): `undone` of them.
    pub disassociated: Vec<UsNumber>,
    /// Numbers of the undecided ones found on the enterprise from before the job: left alone.
    pub before: Vec<UsNumber>,
    /// Numbers of the undecided ones found not associated: their request was not applied.
    pub absent: Vec<UsNumber>,
    /// Numbers of the job not undone because the rollback was interrupted
    /// ([`JobContext::rollback_interrupted`]): still associated, left to the journal.
    pub skipped: Vec<UsNumber>,
}

impl RolledBack {
    /// Whether the end state equals the start state.
    pub fn complete(&self) -> bool {
        self.failures.is_empty() && self.skipped.is_empty()
    }
}

/// Undoes `ours`, and every number of `undecided` that the server shows as created by this
/// job. Writes `rollback_started` (unless `started`) and, when complete, `finished`.
pub(super) async fn roll_back(
    ctx: &JobContext,
    ours: Vec<UsNumber>,
    undecided: Vec<UsNumber>,
    started: bool,
) -> Result<RolledBack, JournalError> {
    if !started {
        ctx.log(|| Event::RollbackStarted)?;
    }
    ctx.tick(|p| p.phase = Phase::RollingBack);
    let mut end = RolledBack::default();
    let mut set = ours;
    let looked_up: Vec<(UsNumber, Result<Found, crate::Error>)> = stream::iter(undecided)
        .map(|n| async move { (n, look_up_one(ctx, n).await) })
        .buffered(ctx.concurrency.max(1))
        .collect()
        .await;
    for (n, found) in looked_up {
        match found {
            Ok(Found::Ours) => set.push(n),
            Ok(Found::Before) => end.before.push(n),
            Ok(Found::Absent) => end.absent.push(n),
            Err(e) => {
                end.left.push(n);
                end.failures.push((
                    n,
                    FailureReason::RollbackLookupFailed {
                        status: e.status(),
                        detail: e.to_string(),
                    },
                ));
            }
        }
    }
    set.sort_unstable();
    set.dedup();
    for chunk in set.chunks(Batch::MAX_SIZE) {
        // An interrupt stops the disassociations not yet started; those in flight finish.
        let results: Vec<(UsNumber, Option<Result<(), FailureReason>>)> =
            stream::iter(chunk.iter().copied())
                .map(|n| async move {
                    if ctx.rollback_interrupted() {
                        return (n, None);
                    }
                    let result = disassociate_one(ctx, n).await;
                    if result.is_ok() {
                        // Progress number by number; the journal records the chunk below.
                        ctx.tick(|p| p.rolled_back += 1);
                    }
                    (n, Some(result))
                })
                .buffer_unordered(ctx.concurrency.max(1))
                .collect()
                .await;
        let mut done = Vec::with_capacity(results.len());
        for (n, result) in results {
            match result {
                None => end.skipped.push(n),
                Some(Ok(())) => done.push(n),
                Some(Err(reason)) => {
                    end.left.push(n);
                    end.failures.push((n, reason));
                }
            }
        }
        if !done.is_empty() {
            let n = done.len() as u64;
            ctx.log(|| Event::Disassociated {
                numbers: done.clone(),
            })?;
            end.disassociated.extend(done);
            end.undone += n;
        }
    }
    if end.complete() {
        ctx.log(|| Event::Finished {
            outcome: Outcome::RolledBack,
        })?;
    }
    Ok(end)
}

/// Disassociates one number from the job's enterprise. Every disassociation of the engine goes
/// through here.
///
/// It is idempotent, so a transient failure is tried again until it succeeds or the job gives
/// up on the server. A 404 counts as "already absent" only once a lookup confirms that the
/// number is not on the enterprise.
pub(super) async fn disassociate_one(ctx: &JobContext, n: UsNumber) -> Result<(), FailureReason> {
    ctx.count_request();
    let scope = Scope::Enterprise(ctx.enterprise);
    let failed = |e: &crate::Error, detail: String| FailureReason::RollbackFailed {
        status: e.status(),
        detail,
    };
    match ctx.idempotent.disassociate(scope, n.as_e164()).await {
        Ok(()) => Ok(()),
        Err(e) if e.status() == Some(404) => match look_up_one(ctx, n).await {
            Ok(Found::Absent) => Ok(()),
            Ok(_) => Err(failed(
                &e,
                format!("{e}, yet the number is listed on the enterprise"),
            )),
            Err(lookup) => Err(failed(
                &e,
                format!("{e}, and the number could not be looked up: {lookup}"),
            )),
        },
        Err(e) => Err(failed(&e, e.to_string())),
    }
}
