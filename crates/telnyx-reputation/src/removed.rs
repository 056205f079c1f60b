//! Numbers removed from monitoring: the list with `filter[ownership_status]=removed` (the
//! only list that shows them), walked page by page like every list (free), each record read
//! as a [`Removal`]: which number, why and when. A report says why a number left the list, and
//! a sync holds back the numbers Telnyx removed.

use chrono::{DateTime, Utc};
use futures::{Stream, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use telnyx_e164::UsNumber;
use telnyx_reputation_api::{OwnershipStatus, RemovalReason};
use uuid::Uuid;

use crate::client::{Client, Page, Scope};
use crate::error::Error;
use crate::record::{NumberPage, NumberReputation};
use crate::retry::Idempotency;

/// A number removed from monitoring, as the removed numbers' list gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Removal {
    /// The number.
    pub phone_number: UsNumber,
    /// The enterprise it was monitored under, when the list says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_id: Option<Uuid>,
    /// Why it was removed; `None` when the server did not say.
    pub removal_reason: Option<RemovalReason>,
    /// When it was removed.
    pub removed_at: Option<DateTime<Utc>>,
}

impl Removal {
    /// Whether Telnyx removed the number (`ported_away`, `unconfirmed_ownership`,
    /// `reassigned`, `customer_reported`, a reason this client does not know, or none given)
    /// rather than the customer disassociating it (`customer_removed`). Associating such a
    /// number again is billed for a number its owner may no longer hold, so a sync does it only
    /// when asked.
    pub fn by_telnyx(&self) -> bool {
        self.removal_reason != Some(RemovalReason::CustomerRemoved)
    }

    /// The removal of one listed record; `None` for a record that does not say it is removed
    /// (a server that ignored the filter lists monitored numbers: they are not removals).
    pub fn from_record(record: &NumberReputation) -> Option<Removal> {
        let removed = record.ownership_status == Some(OwnershipStatus::Removed)
            || record.removal_reason.is_some();
        removed.then(|| Removal {
            phone_number: record.phone_number,
            enterprise_id: record.enterprise_id,
            removal_reason: record.removal_reason.clone(),
            removed_at: record.removed_at,
        })
    }
}

impl Client {
    /// The numbers removed from monitoring in `scope` (`filter[ownership_status]=removed`), in
    /// list order, one list walk under the rules of [`NumberQuery::pages`](crate::NumberQuery::pages)
    /// (list pages only: never billed). A record that breaks a rule of [`NumberReputation`]
    /// ends the stream with [`Error::Protocol`].
    pub fn removed_numbers(
        &self,
        scope: Scope,
    ) -> impl Stream<Item = Result<Removal, Error>> + Send + 'static + use<> {
        let operation = crate::pages::scope_operation(scope);
        let client = self.clone();
        crate::pages::walk(operation, Self::MAX_PAGES, move |number| {
            let client = client.clone();
            async move {
                client
                    .list_removed(scope, Page::new(number, Page::MAX_SIZE))
                    .await
            }
        })
        .map_ok(|rows| {
            stream::iter(
                rows.into_iter()
                    .filter_map(|record| Removal::from_record(&record).map(Ok)),
            )
        })
        .try_flatten()
    }

    /// One page of the removed numbers in `scope`.
    async fn list_removed(&self, scope: Scope, page: Page) -> Result<NumberPage, Error> {
        self.call(Idempotency::Idempotent, || async move {
            match scope {
                Scope::Enterprise(id) => {
                    self.inner
                        .list_reputation_numbers()
                        .enterprise_id(id)
                        .page_number(page.number)
                        .page_size(page.size)
                        .filter_ownership_status(OwnershipStatus::Removed)
                        .send()
                        .await
                }
                Scope::Account => {
                    self.inner
                        .list_reputation_numbers_simplified()
                        .page_number(page.number)
                        .page_size(page.size)
                        .filter_ownership_status(OwnershipStatus::Removed)
                        .send()
                        .await
                }
            }
        })
        .await
        .and_then(|page| NumberPage::from_api(crate::pages::scope_operation(scope), page.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: Option<&str>, reason: Option<&str>) -> NumberReputation {
        crate::record::from_json(serde_json::json!({
            "phone_number": "+16035550001",
            "ownership_status": status,
            "removal_reason": reason,
            "removed_at": reason.map(|_| "2026-10-09T07:00:03Z"),
        }))
    }

    #[test]
    fn only_records_that_say_they_are_removed_are_removals() {
        assert_eq!(Removal::from_record(&record(Some("verified"), None)), None);
        let r = Removal::from_record(&record(Some("removed"), Some("reassigned"))).unwrap();
        assert!(r.by_telnyx());
        assert_eq!(r.phone_number.as_str(), "+16035550001");
        assert_eq!(r.removed_at, Some("2026-10-09T07:00:03Z".parse().unwrap()));
        let mine =
            Removal::from_record(&record(Some("removed"), Some("customer_removed"))).unwrap();
        assert!(!mine.by_telnyx());
        let unsaid = Removal::from_record(&record(Some("removed"), None)).unwrap();
        assert!(
            unsaid.by_telnyx(),
            "no reason: held back, never billed unasked"
        );
        // A reason alone says removed too.
        assert!(Removal::from_record(&record(None, Some("ported_away"))).is_some());
    }
}
