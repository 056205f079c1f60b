//! Refresh: fetch fresh reputation now for up to 100 numbers. Billable per number, and not
//! atomic upstream: the answer says, number by number, whether it worked.

use telnyx_e164::Batch;
use telnyx_reputation_api::types::RefreshReputationRequest;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::retry::Idempotency;

/// What a refresh did, number by number, with the server's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefreshReport {
    /// One entry per number the server answered for, in its order.
    pub results: Vec<RefreshResult>,
    /// How many numbers the server says it was asked to refresh.
    pub total_requested: i64,
    /// How many of them it refreshed (each one a billable check).
    pub total_successful: i64,
    /// How many it could not refresh.
    pub total_failed: i64,
}

/// One number's refresh: done, or the server's reason why not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefreshResult {
    /// The number, as the server wrote it (E.164).
    pub phone_number: String,
    /// `Ok` when it was refreshed; otherwise the server's message (empty when it gave none).
    pub outcome: Result<(), String>,
}

impl RefreshReport {
    /// The numbers that were refreshed.
    pub fn refreshed(&self) -> impl Iterator<Item = &str> {
        self.results
            .iter()
            .filter(|r| r.outcome.is_ok())
            .map(|r| r.phone_number.as_str())
    }

    /// The numbers that were not, with the server's reason.
    pub fn failed(&self) -> impl Iterator<Item = (&str, &str)> {
        self.results.iter().filter_map(|r| match &r.outcome {
            Ok(()) => None,
            Err(reason) => Some((r.phone_number.as_str(), reason.as_str())),
        })
    }
}

impl Client {
    /// Refreshes the reputation of 1–100 distinct US local or toll-free numbers of the
    /// enterprise now (`refreshReputationNumbers`). **Billable per number refreshed.** The answer is per
    /// number: some may fail while others succeed.
    ///
    /// Sent again only when the server certainly did not act. After an ambiguous outcome
    /// ([`Error::outcome_unknown`]) read the numbers (their `last_refreshed_at`) before
    /// refreshing them again.
    pub async fn refresh(
        &self,
        enterprise_id: Uuid,
        batch: &Batch,
    ) -> Result<RefreshReport, Error> {
        let body = RefreshReputationRequest {
            phone_numbers: batch.iter().map(|n| n.to_string()).collect(),
        };
        let response = self
            .call(Idempotency::NotIdempotent, || {
                self.inner
                    .refresh_reputation_numbers()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        let data = response.data;
        Ok(RefreshReport {
            results: data
                .results
                .into_iter()
                .map(|r| RefreshResult {
                    phone_number: r.phone_number,
                    outcome: if r.success {
                        Ok(())
                    } else {
                        Err(r.error.unwrap_or_default())
                    },
                })
                .collect(),
            total_requested: data.total_requested,
            total_successful: data.total_successful,
            total_failed: data.total_failed,
        })
    }
}
