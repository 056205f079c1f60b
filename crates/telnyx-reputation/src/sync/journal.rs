//! A sync's journal, written whole before anything is sent: the job header and the plan of its
//! associations (as the bulk engine writes them, so the engine runs them from the journal and
//! `rollback` undoes them), then the `sync` line, the extras to prune and the numbers Telnyx
//! removed (held back or associated again), closed by `planned`.

use std::path::Path;

use chrono::Utc;
use telnyx_e164::{Batch, UsNumber};
use uuid::Uuid;

use super::SyncPlan;
use crate::Client;
use crate::bulk::BulkOptions;
use crate::bulk::journal::{Endpoint, Event, Header, JournalError, VERSION, Writer};

/// Numbers per `prune` line, as per `plan` line at most.
const PRUNE_LINE: usize = Batch::MAX_SIZE;

/// Creates the journal of `plan` at `path` (which must not exist): header, plan, `sync`,
/// `prune` lines, `removed_by_telnyx` lines, then `planned`, whose fsync makes every line before it durable. The header
/// names the job `job_id`.
pub(super) fn write(
    client: &Client,
    path: &Path,
    job_id: Uuid,
    plan: &SyncPlan,
    options: &BulkOptions,
) -> Result<(), JournalError> {
    let size = options.size_for(Batch::MAX_SIZE);
    let valid = u64::try_from(plan.associate.len()).unwrap_or(u64::MAX);
    let header = Header {
        v: VERSION,
        event: "job".into(),
        job_id,
        enterprise_id: plan.enterprise,
        mode: options.mode,
        batch_size: size,
        concurrency: options.concurrency,
        started_at: Utc::now(),
        inputs: valid,
        valid,
        endpoint: Endpoint::of(client),
    };
    let mut journal = Writer::create(path, &header)?;
    let mut batches = 0u64;
    for chunk in plan.associate.chunks(size) {
        journal.append_unsynced(&Event::Plan {
            batch: batches,
            numbers: chunk.to_vec(),
        })?;
        batches = batches.saturating_add(1);
    }
    let extras: &[UsNumber] = plan.disassociate();
    journal.append_unsynced(&Event::Sync {
        extras: u64::try_from(extras.len()).unwrap_or(u64::MAX),
        newest_association: plan.newest_association,
    })?;
    for chunk in extras.chunks(PRUNE_LINE) {
        journal.append_unsynced(&Event::Prune {
            numbers: chunk.to_vec(),
        })?;
    }
    for chunk in plan.removed_by_telnyx.chunks(PRUNE_LINE) {
        journal.append_unsynced(&Event::RemovedByTelnyx {
            readd: plan.readd_removed,
            numbers: chunk.to_vec(),
        })?;
    }
    journal.append(&Event::Planned { batches })
}
