//! The Number Reputation Terms of Service: the account agrees once, before any enterprise can
//! enable reputation.

use chrono::{DateTime, Utc};
use telnyx_reputation_api::types::TosAgreement;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::retry::Idempotency;

/// A recorded agreement: which product's terms (`product_type`), their version
/// (`terms_version`), and when it was agreed. The spec lets the server leave out every field;
/// [`TermsAgreement::raw`] is the API's own record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TermsAgreement {
    /// The agreement's id.
    pub id: Option<Uuid>,
    /// Which product's terms were agreed to, as the API writes it (`number_reputation`).
    pub product_type: Option<String>,
    /// The version of the terms agreed to (`terms_version`, else its alias `version`).
    pub terms_version: Option<String>,
    /// When the account agreed.
    pub agreed_at: Option<DateTime<Utc>>,
    /// When the agreement was recorded.
    pub created_at: Option<DateTime<Utc>>,
    raw: TosAgreement,
}

impl TermsAgreement {
    /// The API's record, exactly as it was received.
    pub fn raw(&self) -> &TosAgreement {
        &self.raw
    }

    fn from_api(raw: TosAgreement) -> TermsAgreement {
        TermsAgreement {
            id: raw.id,
            product_type: raw.product_type.as_ref().map(ToString::to_string),
            terms_version: raw.terms_version.clone().or_else(|| raw.version.clone()),
            agreed_at: raw.agreed_at.map(|t| t.into_inner()),
            created_at: raw.created_at.map(|t| t.into_inner()),
            raw,
        }
    }
}

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
        Ok(TermsAgreement::from_api(agreement.data))
    }
}
