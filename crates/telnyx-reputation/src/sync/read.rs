//! Reading what a sync plan needs from the API: the enterprise's monitored set and the
//! account-wide list (to find the numbers another enterprise holds), both through
//! [`Client::list_all`] (list pages only: free).

use futures::TryStreamExt;
use telnyx_e164::UsLocalNumber;
use uuid::Uuid;

use super::SyncPlan;
use crate::client::{Client, NumberReputation, Scope};
use crate::error::Error;
use crate::filter::NumberFilter;

/// A listed record's number, or a protocol error naming the list.
fn listed_number(
    record: &NumberReputation,
    operation: &'static str,
) -> Result<UsLocalNumber, Error> {
    let text = record
        .phone_number
        .as_deref()
        .ok_or_else(|| Error::Protocol {
            operation,
            detail: "a listed record has no phone_number".into(),
        })?;
    text.parse().map_err(|e| Error::Protocol {
        operation,
        detail: format!("listed number {text:?}: {e}"),
    })
}

impl Client {
    /// The numbers `enterprise` monitors now, each with when its association was made (when
    /// the list says). List pages only: free.
    pub(super) async fn associated_since(
        &self,
        enterprise: Uuid,
    ) -> Result<
        std::collections::HashMap<UsLocalNumber, Option<chrono::DateTime<chrono::Utc>>>,
        Error,
    > {
        let mut now = std::collections::HashMap::new();
        let mut rows =
            std::pin::pin!(self.list_all(Scope::Enterprise(enterprise), NumberFilter::default()));
        while let Some(record) = rows.try_next().await? {
            let number = listed_number(&record, "list_reputation_numbers")?;
            now.insert(number, record.created_at.as_ref().map(|c| **c));
        }
        Ok(now)
    }

    /// Plans a sync of `enterprise` to `desired` (any order, repeats allowed): reads the
    /// enterprise's monitored numbers and the account-wide list, then computes the
    /// [`SyncPlan`] (to associate, extras, unchanged, conflicts with other enterprises).
    /// Sends nothing but list requests, so planning never bills. With `prune`, the plan's
    /// extras are to be disassociated.
    pub async fn plan_sync(
        &self,
        enterprise: Uuid,
        desired: Vec<UsLocalNumber>,
        prune: bool,
    ) -> Result<SyncPlan, Error> {
        let mut current = Vec::new();
        let mut rows =
            std::pin::pin!(self.list_all(Scope::Enterprise(enterprise), NumberFilter::default()));
        while let Some(record) = rows.try_next().await? {
            current.push(listed_number(&record, "list_reputation_numbers")?);
        }
        let mut account = Vec::new();
        let mut rows = std::pin::pin!(self.list_all(Scope::Account, NumberFilter::default()));
        while let Some(record) = rows.try_next().await? {
            let number = listed_number(&record, "list_reputation_numbers_simplified")?;
            // Only the numbers held elsewhere matter; the rest need no memory.
            if record.enterprise_id.is_some_and(|held| held != enterprise) {
                account.push((number, record.enterprise_id));
            }
        }
        Ok(SyncPlan::new(enterprise, desired, current, account, prune))
    }
}
