//! The Number Reputation Terms of Service: the account agrees once, before any enterprise can
//! enable reputation.

use telnyx_reputation_api::types::TosAgreement;

use crate::client::Client;
use crate::error::Error;
use crate::retry::Idempotency;

/// A recorded agreement: which product's terms (`product_type`), their version
/// (`terms_version`), and when it was agreed.
pub type TermsAgreement = TosAgreement;

impl Client {
    /// Records the account's agreement to the current Number Reputation Terms of Service
    /// (`agreeNumberReputationTermsOfService`). Idempotent; not billable. Enabling reputation
    /// is refused (403) until the account has agreed.
    pub async fn agree_to_terms(&self) -> Result<TermsAgreement, Error> {
        let agreement = self
            .call(Idempotency::Idempotent, || {
                self.inner.agree_number_reputation_terms_of_service().send()
            })
            .await?;
        Ok(agreement.data)
    }
}
