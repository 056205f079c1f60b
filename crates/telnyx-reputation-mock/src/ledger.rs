//! The billing ledger: every event Telnyx would bill, counted by kind, so that a test can
//! assert that a command billed exactly what it said it would.

use serde::{Deserialize, Serialize};

/// Billable events since the emulator started or its state was last reset
/// (`DELETE /__mock/state`). Shown under `billing` in `GET /__mock/state`, and by
/// [`crate::MockHandle::billing`].
///
/// ```
/// let ledger = telnyx_reputation_mock::Billing { associate: 3, fresh_read: 1, ..Default::default() };
/// assert_eq!(ledger.checks(), 4);
/// assert_eq!(ledger.total(), 4);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billing {
    /// Reputation enabled for an enterprise (the monthly fee starts).
    pub enable: u64,
    /// Numbers associated (one check each).
    pub associate: u64,
    /// Numbers refreshed successfully (one check each).
    pub refresh: u64,
    /// Reads with `fresh=true` (one check each).
    pub fresh_read: u64,
    /// Reads without `fresh` of a number that had no cached data (one check each).
    pub uncached_read: u64,
    /// Numbers submitted for remediation (ineligible ones are not).
    pub remediation: u64,
}

impl Billing {
    /// The reputation checks among these events ($0.10 each): associate, refresh, fresh and
    /// first reads.
    pub fn checks(&self) -> u64 {
        self.associate
            .saturating_add(self.refresh)
            .saturating_add(self.fresh_read)
            .saturating_add(self.uncached_read)
    }

    /// Every billable event.
    pub fn total(&self) -> u64 {
        self.checks()
            .saturating_add(self.enable)
            .saturating_add(self.remediation)
    }
}
