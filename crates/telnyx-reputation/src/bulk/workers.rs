//! The worker pool: batches run with bounded concurrency, drawn from the work as workers free
//! up, their decisions merged into one tally.

use std::sync::{Arc, Mutex};

use telnyx_e164::UsNumber;

use super::BulkError;
use super::batch::run_batch;
use super::context::JobContext;
use super::journal::JournalError;
use super::tally::{Step, Tally, Work};

/// Runs batches with bounded concurrency: `concurrency` worker tasks, each taking the next
/// batch from `work` as soon as its previous one is decided, so the client's work (encoding,
/// decoding) spreads over the runtime's threads and no hand-off sits between two requests of a
/// worker. Batches are drawn only as workers free up, so a plan of any length costs memory for
/// `concurrency` batches at a time. A journal failure stops everything at once, as a crash
/// would: in-flight requests are dropped and recovery is the journal's job. The workers are gone
/// when this returns, and with them their hold on the journal, so that the caller can resume
/// or roll back the job at once.
pub(super) async fn execute<W>(ctx: &Arc<JobContext>, work: W) -> Result<Tally, BulkError>
where
    W: Iterator<Item = Work> + Send + 'static,
{
    let work = Arc::new(Mutex::new(work));
    // One tally for all workers, merged into batch by batch: per-worker tallies merged at the
    // end would hold every decided number twice at the peak.
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..ctx.concurrency.max(1) {
        let (ctx, work, tally) = (Arc::clone(ctx), Arc::clone(&work), Arc::clone(&tally));
        workers.spawn(async move {
            loop {
                let next = work.lock().unwrap_or_else(|p| p.into_inner()).next();
                let Some(next) = next else {
                    return Ok::<_, JournalError>(());
                };
                let decided = run_batch(&ctx, next).await?;
                tally
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .merge(decided);
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(journal)) => {
                workers.shutdown().await;
                return Err(journal.into());
            }
            Err(join) => match join.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(join) => {
                    workers.shutdown().await;
                    return Err(BulkError::Interrupted(join.to_string()));
                }
            },
        }
    }
    let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    Ok(std::mem::take(&mut *tally))
}

/// A plan's batches, made as they are drawn from the compact pre-flight list.
pub(super) struct Batches {
    valid: Vec<u64>,
    size: usize,
    next: usize,
}

impl Batches {
    /// The batches of `size` numbers (at least 1) of the pre-flight list `valid`.
    pub fn new(valid: Vec<u64>, size: usize) -> Batches {
        Batches {
            valid,
            size: size.max(1),
            next: 0,
        }
    }
}

/// The number a compact pre-flight entry stands for; pre-flight keeps only numbers that passed
/// the same check, so an entry that does not (which cannot happen) is dropped, not a panic.
pub(super) fn unpack(chunk: &[u64]) -> Vec<UsNumber> {
    chunk
        .iter()
        .filter_map(|n| UsNumber::from_national_number(*n))
        .collect()
}

impl Iterator for Batches {
    type Item = Work;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.next.checked_mul(self.size)?;
        let end = start.saturating_add(self.size).min(self.valid.len());
        let chunk = self.valid.get(start..end)?;
        if chunk.is_empty() {
            return None;
        }
        self.next += 1;
        Some(Work {
            batch: (self.next - 1) as u64,
            first: None,
            step: Step::Send(unpack(chunk)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_the_plan_in_order() {
        let valid = vec![2_015_550_100, 2_015_550_101, 2_015_550_102];
        let batches: Vec<(u64, Step)> = Batches::new(valid.clone(), 2)
            .map(|w| (w.batch, w.step))
            .collect();
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[0], (0, Step::Send(unpack(&valid[..2]))));
        assert_eq!(batches[1], (1, Step::Send(unpack(&valid[2..]))));
        assert_eq!(Batches::new(Vec::new(), 2).count(), 0);
    }
}
