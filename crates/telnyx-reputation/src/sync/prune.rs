//! The prune phase of a sync: the extras disassociated with bounded concurrency (each request
//! paced by the client, retried until it succeeds or the client's stall rule ends it), their
//! completions journalled as they come. A 404 counts as done: the number is not associated,
//! which is what the prune wants, and is what a retry of a disassociation whose answer was lost
//! finds.

use futures::{StreamExt, stream};
use telnyx_e164::{Batch, UsNumber};
use uuid::Uuid;

use crate::bulk::CancellationToken;
use crate::bulk::journal::{Event, JournalError, Writer};
use crate::client::{Client, Scope};
use crate::error::Error;

/// What a prune did.
#[derive(Debug, Default)]
pub(super) struct Pruned {
    /// Extras taken off the enterprise by this run (disassociated, or found not associated).
    pub done: Vec<UsNumber>,
    /// The first disassociation that failed after retries, if one did; no new one was started
    /// after it.
    pub failed: Option<(UsNumber, Error)>,
    /// Whether the caller's token stopped it with extras left.
    pub interrupted: bool,
}

/// Disassociates `extras` from `enterprise`, `concurrency` at a time. Each completion is
/// written to `journal` (when given) as a `pruned` line, grouped with the completions that
/// arrived with it; once every extra is done, `prune_finished`. Stops starting new
/// disassociations once `cancel` is cancelled or one has failed; those in flight finish.
pub(super) async fn prune(
    client: &Client,
    enterprise: Uuid,
    extras: Vec<UsNumber>,
    concurrency: usize,
    cancel: Option<&CancellationToken>,
    mut journal: Option<&mut Writer>,
) -> Result<Pruned, JournalError> {
    let idempotent = client.with_retry(client.retry_policy().clone().until_stalled());
    let scope = Scope::Enterprise(enterprise);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut end = Pruned::default();
    let mut skipped = false;
    let mut results = stream::iter(extras)
        .map(|n| {
            let (idempotent, stop) = (&idempotent, &stop);
            async move {
                if stop.load(std::sync::atomic::Ordering::SeqCst)
                    || cancel.is_some_and(CancellationToken::is_cancelled)
                {
                    return (n, None);
                }
                let result = match idempotent.disassociate(scope, n.as_e164()).await {
                    Err(e) if e.status() == Some(404) => Ok(()),
                    other => other,
                };
                if result.is_err() {
                    stop.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                (n, Some(result))
            }
        })
        .buffer_unordered(concurrency.max(1))
        .ready_chunks(Batch::MAX_SIZE);
    while let Some(chunk) = results.next().await {
        let mut done = Vec::with_capacity(chunk.len());
        for (n, result) in chunk {
            match result {
                None => skipped = true,
                Some(Ok(())) => done.push(n),
                Some(Err(e)) => {
                    if end.failed.is_none() {
                        end.failed = Some((n, e));
                    }
                }
            }
        }
        if !done.is_empty() {
            if let Some(journal) = journal.as_deref_mut() {
                journal.append(&Event::Pruned {
                    numbers: done.clone(),
                })?;
            }
            end.done.extend(done);
        }
    }
    end.interrupted = skipped && end.failed.is_none();
    if !skipped
        && end.failed.is_none()
        && let Some(journal) = journal
    {
        journal.append(&Event::PruneFinished)?;
    }
    Ok(end)
}
