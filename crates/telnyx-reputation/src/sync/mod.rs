//! Sync: keep an enterprise's monitored numbers equal to an inventory. [`Inventory`] checks the
//! inventory as the bulk engine's pre-flight does; [`SyncPlan`] says what would change (to
//! associate, extras to disassociate with pruning, unchanged, conflicts with other enterprises
//! of the account, numbers Telnyx removed and held back unless [`PlanOptions::readd_removed`],
//! and the billable checks) before anything is sent; [`SyncPlan::apply`] makes
//! the change, journalled when asked, and [`Client::resume_sync`](crate::Client::resume_sync)
//! finishes a sync from its journal.

mod apply;
mod inventory;
mod journal;
mod plan;
mod prune;
mod read;

pub use apply::{SyncError, SyncOutcome};
pub use inventory::Inventory;
pub use plan::{Conflict, SyncPlan};
pub use read::PlanOptions;
