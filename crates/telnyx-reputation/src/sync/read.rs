//! Reading what a sync plan needs from the API: the enterprise's monitored set, the
//! account-wide list (to find the numbers another enterprise holds), both through
//! [`Client::numbers`], and the enterprise's removed numbers through
//! [`Client::removed_numbers`] (list pages only: free).

use futures::TryStreamExt;
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::SyncPlan;
use crate::client::{Client, Scope};
use crate::error::Error;
use crate::removed::Removal;

/// What a sync plan is asked to do beyond making the sets equal. `PlanOptions::default()`
/// neither prunes nor adds removed numbers again; set each with its builder method.
///
/// ```
/// use telnyx_reputation::sync::PlanOptions;
/// let options = PlanOptions::default().prune(true);
/// assert!(options.prune && !options.readd_removed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Disassociate the enterprise's numbers that the inventory does not list.
    pub prune: bool,
    /// Associate again the numbers of the inventory that Telnyx removed from monitoring
    /// (billed); else they are listed and held back.
    pub readd_removed: bool,
}

impl PlanOptions {
    /// Sets whether the sync disassociates the enterprise's numbers that the inventory does
    /// not list.
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Sets whether the sync associates again (billed) the numbers of the inventory that
    /// Telnyx removed from monitoring, rather than listing them and holding them back.
    pub fn readd_removed(mut self, readd: bool) -> Self {
        self.readd_removed = readd;
        self
    }
}

impl Client {
    /// The numbers `enterprise` monitors now, each with when its association was made (when
    /// the list says). List pages only: free.
    pub(super) async fn associated_since(
        &self,
        enterprise: Uuid,
    ) -> Result<std::collections::HashMap<UsNumber, Option<chrono::DateTime<chrono::Utc>>>, Error>
    {
        let mut now = std::collections::HashMap::new();
        let mut rows = std::pin::pin!(self.numbers(Scope::Enterprise(enterprise)).stream());
        while let Some(record) = rows.try_next().await? {
            now.insert(record.phone_number, record.created_at);
        }
        Ok(now)
    }

    /// Plans a sync of `enterprise` to `desired` (any order, repeats allowed): reads the
    /// enterprise's monitored numbers and the account-wide list, then computes the
    /// [`SyncPlan`] (to associate, extras, unchanged, conflicts with other enterprises).
    /// Sends nothing but list requests, so planning never bills. With `prune`, the plan's
    /// extras are to be disassociated. Numbers Telnyx removed are held back, as
    /// [`Client::plan_sync_with`] does without `readd_removed`.
    pub async fn plan_sync(
        &self,
        enterprise: Uuid,
        desired: Vec<UsNumber>,
        prune: bool,
    ) -> Result<SyncPlan, Error> {
        let options = PlanOptions {
            prune,
            ..PlanOptions::default()
        };
        self.plan_sync_with(enterprise, desired, options).await
    }

    /// [`Client::plan_sync`] with `options`. When some numbers are to be associated, the
    /// enterprise's removed numbers are read too (one more list walk, free), and those of the
    /// inventory that Telnyx removed are held back with their reason, or associated again with
    /// [`PlanOptions::readd_removed`] (see [`SyncPlan::hold_back_removed`]).
    pub async fn plan_sync_with(
        &self,
        enterprise: Uuid,
        desired: Vec<UsNumber>,
        options: PlanOptions,
    ) -> Result<SyncPlan, Error> {
        let prune = options.prune;
        let mut current = Vec::new();
        let mut newest: Option<chrono::DateTime<chrono::Utc>> = None;
        let mut rows = std::pin::pin!(self.numbers(Scope::Enterprise(enterprise)).stream());
        while let Some(record) = rows.try_next().await? {
            current.push(record.phone_number);
            newest = newest.max(record.created_at);
        }
        let mut account = Vec::new();
        let mut rows = std::pin::pin!(self.numbers(Scope::Account).stream());
        while let Some(record) = rows.try_next().await? {
            // Only the numbers held elsewhere matter; the rest need no memory.
            if record.enterprise_id.is_some_and(|held| held != enterprise) {
                account.push((record.phone_number, record.enterprise_id));
            }
        }
        let mut plan = SyncPlan::new(enterprise, desired, current, account, prune);
        plan.newest_association = newest;
        if !plan.associate.is_empty() {
            let removals: Vec<Removal> = self
                .removed_numbers(Scope::Enterprise(enterprise))
                .try_collect()
                .await?;
            plan.hold_back_removed(removals, options.readd_removed);
        }
        Ok(plan)
    }
}
