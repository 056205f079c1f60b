//! Sync: keep an enterprise's monitored numbers equal to an inventory. [`SyncPlan`] says what
//! would change (to associate, extras to disassociate with pruning, unchanged, conflicts with
//! other enterprises of the account, and the billable checks) before anything is sent.

mod apply;
mod plan;
mod read;

pub use apply::{SyncError, SyncOutcome};
pub use plan::{Conflict, SyncPlan};
