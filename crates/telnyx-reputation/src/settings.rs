//! The enterprise's reputation settings: read, enable (billable), disable, and the check
//! frequency; and the Letter of Authorization document id they rest on.

use telnyx_reputation_api::types::{
    EnterpriseReputationCreate, EnterpriseReputationPublic, EnterpriseReputationUpdateFrequency,
};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::filter::InvalidInput;
use crate::retry::Idempotency;

/// How often Telnyx refreshes the stored reputation of an enterprise's numbers (each scheduled
/// refresh is a billable check per number): `BusinessDaily` (the API's default), `Daily`,
/// `Weekly`, `Biweekly`, `Monthly` or `Never`.
pub use telnyx_reputation_api::types::ReputationCheckFrequency as CheckFrequency;
/// Where the Letter of Authorization's review stands: `Pending`, `Approved` or `Rejected`.
pub use telnyx_reputation_api::types::ReputationLoaStatusPublic as LoaStatus;
/// Where an activation stands: `Pending` until vetting approves it, then `Approved` (or
/// `Rejected`, with reasons; `Deleted` once disabled).
pub use telnyx_reputation_api::types::ReputationStatus;

/// An enterprise's reputation settings: `status` and `loa_status` (both must be approved before
/// numbers can be added), `check_frequency`, `loa_document_id`, `rejection_reasons`, and when
/// they were created and last changed.
pub type Settings = EnterpriseReputationPublic;

/// The id of a signed Letter of Authorization, as the Telnyx Documents API returned it on
/// upload: 1 to 255 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoaDocumentId(String);

impl LoaDocumentId {
    /// The longest id the API accepts.
    pub const MAX_LEN: usize = 255;

    /// The id, or why the API would refuse it.
    pub fn new(id: &str) -> Result<LoaDocumentId, InvalidInput> {
        let length = id.chars().count();
        if length == 0 || length > Self::MAX_LEN {
            return Err(InvalidInput::new(
                "loa_document_id",
                format!("must be 1 to {} characters, got {length}", Self::MAX_LEN),
            ));
        }
        Ok(LoaDocumentId(id.to_owned()))
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for LoaDocumentId {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<LoaDocumentId, InvalidInput> {
        LoaDocumentId::new(s)
    }
}

/// The generated client's form of a checked value. The checks above are the spec's, so this
/// only fails if the spec changes under them; it is then reported, not sent.
pub(crate) fn wire<T: std::str::FromStr>(
    operation: &'static str,
    field: &'static str,
    value: &str,
) -> Result<T, Error>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| Error::InvalidRequest {
        operation,
        detail: format!("{field}: {e}"),
    })
}

impl Client {
    /// The enterprise's reputation settings (`getReputationSettings`). A 404 means reputation
    /// was never enabled for it.
    pub async fn settings(&self, enterprise_id: Uuid) -> Result<Settings, Error> {
        let settings = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .get_reputation_settings()
                    .enterprise_id(enterprise_id)
                    .send()
            })
            .await?;
        Ok(settings.data)
    }

    /// Enables reputation for the enterprise (`enableReputationSettings`). **Billable** (a
    /// monthly fee per enterprise). The account must have agreed to the Terms of Service
    /// ([`Client::agree_to_terms`]); the new activation starts `pending`.
    ///
    /// Sent again only when the server certainly did not act; after an ambiguous outcome
    /// ([`Error::outcome_unknown`]) read [`Client::settings`] before enabling again.
    pub async fn enable(
        &self,
        enterprise_id: Uuid,
        loa_document_id: &LoaDocumentId,
        check_frequency: CheckFrequency,
    ) -> Result<Settings, Error> {
        let body = EnterpriseReputationCreate {
            check_frequency,
            loa_document_id: wire(
                "enable_reputation_settings",
                "loa_document_id",
                loa_document_id.as_str(),
            )?,
        };
        let settings = self
            .call(Idempotency::NotIdempotent, || {
                self.inner
                    .enable_reputation_settings()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(settings.data)
    }

    /// Disables reputation for the enterprise (`disableReputationSettings`): every number of
    /// the enterprise is de-registered with it. Not billable.
    pub async fn disable(&self, enterprise_id: Uuid) -> Result<(), Error> {
        self.call(Idempotency::Idempotent, || {
            self.inner
                .disable_reputation_settings()
                .enterprise_id(enterprise_id)
                .send()
        })
        .await
    }

    /// Changes how often the enterprise's numbers are refreshed (`updateReputationFrequency`),
    /// from the next scheduled refresh. Refused (400) while the activation is `pending`.
    pub async fn set_check_frequency(
        &self,
        enterprise_id: Uuid,
        check_frequency: CheckFrequency,
    ) -> Result<Settings, Error> {
        let body = EnterpriseReputationUpdateFrequency { check_frequency };
        let settings = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .update_reputation_frequency()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(settings.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_id_is_1_to_255_characters() {
        assert_eq!(LoaDocumentId::new("doc-1").unwrap().as_str(), "doc-1");
        assert!(LoaDocumentId::new(&"é".repeat(255)).is_ok());
        assert_eq!(LoaDocumentId::new("").unwrap_err().field, "loa_document_id");
        assert!(LoaDocumentId::new(&"x".repeat(256)).is_err());
    }
}
