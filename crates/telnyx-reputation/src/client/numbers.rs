//! The number operations: associate, list a page, read one number's reputation, disassociate;
//! and the types they take ([`Scope`], [`Page`], [`Freshness`]). The records they give are in
//! `record`.

use std::num::NonZeroU64;

use telnyx_e164::{Batch, E164};
use telnyx_reputation_api::types::ReputationPhoneNumberCreate;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::filter::NumberFilter;
use crate::record::{AssociatedNumber, NumberPage, NumberReputation};
use crate::retry::Idempotency;

/// Whether a reputation read may use cached data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Freshness {
    /// Cached data (fetched fresh by the API only when it has none yet).
    #[default]
    Cached,
    /// Fresh data: `fresh=true`. **Billable.**
    Fresh,
}

/// Which numbers an operation addresses: every enterprise of the account, or one.
///
/// The API has each number operation twice: under `/enterprises/{id}/reputation/numbers` and
/// account-wide under `/reputation/numbers` (the "simplified" forms). One method per operation
/// takes a `Scope` and picks the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// The whole account, whichever enterprise a number is on.
    Account,
    /// One enterprise.
    Enterprise(Uuid),
}

impl From<Option<Uuid>> for Scope {
    fn from(enterprise: Option<Uuid>) -> Scope {
        enterprise.map_or(Scope::Account, Scope::Enterprise)
    }
}

/// Which page of a list, and how large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// 1-based page number.
    pub number: NonZeroU64,
    /// Page size, 1 to [`Page::MAX_SIZE`].
    pub size: NonZeroU64,
}

impl Page {
    /// The largest page the API serves.
    pub const MAX_SIZE: u64 = 250;

    /// Page `number` of `size` (clamped to 1..=250).
    pub fn new(number: u64, size: u64) -> Page {
        Page {
            number: NonZeroU64::new(number.max(1)).unwrap_or(NonZeroU64::MIN),
            size: NonZeroU64::new(size.clamp(1, Self::MAX_SIZE)).unwrap_or(NonZeroU64::MIN),
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Page::new(1, 10)
    }
}

impl Client {
    /// Associates a batch of 1–100 distinct US local or toll-free numbers with an enterprise
    /// (`AssociateReputationNumbers`). **Billable and atomic**: one refused number refuses all.
    ///
    /// Sent again only when the server certainly did not act (no connection, 429). A dropped
    /// connection, timeout, 408 or 5xx returns an error whose [`Error::outcome_unknown`] is true:
    /// look the numbers up before deciding anything (the bulk engine does). So does an answer
    /// whose records cannot be read ([`Error::Protocol`]: a record that breaks a rule of
    /// [`NumberReputation`]): the call succeeded, and was billed, but says nothing certain.
    pub async fn associate(
        &self,
        enterprise_id: Uuid,
        batch: &Batch,
    ) -> Result<Vec<AssociatedNumber>, Error> {
        let created = self
            .call(Idempotency::NotIdempotent, || {
                self.inner
                    .associate_reputation_numbers()
                    .enterprise_id(enterprise_id)
                    .body(wire_body(batch))
                    .send()
            })
            .await?;
        NumberReputation::from_answers("associate_reputation_numbers", created.data)
    }

    /// One page of the monitored numbers in `scope`, filtered (`listReputationNumbers` /
    /// `listReputationNumbersSimplified`). `filter` is a [`NumberFilter`], or an
    /// `Option<E164>` for an exact match on one number.
    ///
    /// Removed numbers are listed only when the filter asks for them
    /// ([`NumberFilter::ownership_status`] = [`OwnershipStatus::Removed`](crate::OwnershipStatus::Removed)),
    /// each with its `removal_reason` and `removed_at`; every other list leaves them out.
    ///
    /// A filter on an enterprise only means something account-wide: in the enterprise scope it is
    /// refused before anything is sent ([`Error::InvalidRequest`]). A record that breaks a rule
    /// ([`NumberReputation`]) fails the page with [`Error::Protocol`].
    pub(crate) async fn list(
        &self,
        scope: Scope,
        page: Page,
        filter: impl Into<NumberFilter>,
    ) -> Result<NumberPage, Error> {
        let filter = filter.into();
        let eq = filter.phone_number.map(|n| n.to_string());
        let contains = filter.contains.as_ref().map(|c| c.as_str().to_owned());
        let (source, ownership_status) = (&filter.source, &filter.ownership_status);
        if let (Scope::Enterprise(_), Some(_)) = (scope, filter.enterprise_id) {
            return Err(Error::InvalidRequest {
                operation: "list_reputation_numbers",
                detail: "filter[enterprise_id] is only for the account-wide list".into(),
            });
        }
        self.call(Idempotency::Idempotent, || {
            let (eq, contains) = (eq.clone(), contains.clone());
            async move {
                // The filters both lists take, set the same way on either list's request (the
                // two requests are types of their own, with the same setters).
                macro_rules! number_filters {
                    ($request:expr) => {{
                        let mut request = $request;
                        if let Some(f) = eq {
                            request = request.filter_phone_number_eq(f);
                        }
                        if let Some(f) = contains {
                            request = request.filter_phone_number_contains(f);
                        }
                        if let Some(f) = source.clone() {
                            request = request.filter_source(f);
                        }
                        if let Some(f) = ownership_status.clone() {
                            request = request.filter_ownership_status(f);
                        }
                        request
                    }};
                }
                match scope {
                    Scope::Enterprise(id) => {
                        let request = number_filters!(
                            self.inner
                                .list_reputation_numbers()
                                .enterprise_id(id)
                                .page_number(page.number)
                                .page_size(page.size)
                        );
                        request.send().await
                    }
                    Scope::Account => {
                        let mut request = number_filters!(
                            self.inner
                                .list_reputation_numbers_simplified()
                                .page_number(page.number)
                                .page_size(page.size)
                        );
                        if let Some(id) = filter.enterprise_id {
                            request = request.filter_enterprise_id(id);
                        }
                        request.send().await
                    }
                }
            }
        })
        .await
        .and_then(|page| NumberPage::from_api(crate::pages::scope_operation(scope), page.0))
    }

    /// One number's reputation in `scope` (`GetPhoneNumberReputation` /
    /// `GetPhoneNumberReputationSimplified`). [`Freshness::Fresh`] is **billable**, and so is a
    /// read of a number with no cached data.
    ///
    /// Since any read may bill, a read is sent again only when the server certainly did not act
    /// (no connection, 429): after a timeout, a dropped connection, a 408 or a 5xx the error is
    /// returned ([`Error::outcome_unknown`]), and the read may have been billed once.
    pub async fn get(
        &self,
        scope: Scope,
        phone_number: E164,
        freshness: Freshness,
    ) -> Result<NumberReputation, Error> {
        let number = phone_number.to_string();
        let fresh = freshness == Freshness::Fresh;
        let response = self
            .call(Idempotency::NotIdempotent, || {
                let number = number.clone();
                async move {
                    match scope {
                        Scope::Enterprise(id) => {
                            self.inner
                                .get_phone_number_reputation()
                                .enterprise_id(id)
                                .phone_number(number)
                                .fresh(fresh)
                                .send()
                                .await
                        }
                        Scope::Account => {
                            self.inner
                                .get_phone_number_reputation_simplified()
                                .phone_number(number)
                                .fresh(fresh)
                                .send()
                                .await
                        }
                    }
                }
            })
            .await?;
        let operation = match scope {
            Scope::Enterprise(_) => "get_phone_number_reputation",
            Scope::Account => "get_phone_number_reputation_simplified",
        };
        NumberReputation::from_answer(operation, response.data)
    }

    /// Removes a number from monitoring in `scope` (`DisassociateReputationNumber` /
    /// `DisassociateReputationNumberSimplified`). Idempotent; not billable.
    pub async fn disassociate(&self, scope: Scope, phone_number: E164) -> Result<(), Error> {
        let number = phone_number.to_string();
        self.call(Idempotency::Idempotent, || {
            let number = number.clone();
            async move {
                match scope {
                    Scope::Enterprise(id) => {
                        self.inner
                            .disassociate_reputation_number()
                            .enterprise_id(id)
                            .phone_number(number)
                            .send()
                            .await
                    }
                    Scope::Account => {
                        self.inner
                            .disassociate_reputation_number_simplified()
                            .phone_number(number)
                            .send()
                            .await
                    }
                }
            }
        })
        .await
    }
}

/// The associate call's body: each number's canonical text, copied as it is (built for each
/// attempt rather than built once and cloned, which costs the same allocations twice).
fn wire_body(batch: &Batch) -> ReputationPhoneNumberCreate {
    ReputationPhoneNumberCreate {
        phone_numbers: batch.iter().map(|n| n.as_str().to_owned()).collect(),
    }
}
