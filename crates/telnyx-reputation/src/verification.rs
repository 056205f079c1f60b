//! Ownership proof for numbers hosted elsewhere: an enterprise submits documents showing it owns
//! numbers that are not in its Telnyx inventory, once; Telnyx reviews them, and numbers hosted
//! elsewhere can be associated once the proof is approved. Not billable.

use chrono::{DateTime, Utc};
use telnyx_e164::E164;
use telnyx_reputation_api::types::{ExternalVerification, ExternalVerificationCreate};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::filter::{InvalidInput, echo};
use crate::retry::Idempotency;

/// Where the review of an ownership proof stands: `Pending`, `Approved` or `Rejected` (open:
/// a value added later reads as `Other`). The same type is the settings'
/// `external_verification_status`.
pub use telnyx_reputation_api::VerificationStatus;

/// An enterprise's ownership proof and its review: `document_ids`, `phone_numbers` (the numbers
/// listed with it), `status`, `submitted_at`, and once reviewed `reviewed_at`, with a
/// `rejection_reason` when rejected.
///
/// The status is always there (a proof without one is refused as [`Error::Protocol`]); the
/// spec lets the server leave out every other field. [`Verification::raw`] is the API's own
/// record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verification {
    /// Where the review stands.
    pub status: VerificationStatus,
    /// The enterprise the proof is of, as the API writes it.
    pub enterprise_id: Option<String>,
    /// The ownership-proof documents on file (empty when the answer lists none).
    pub document_ids: Vec<String>,
    /// The numbers listed with the documents, as the API writes them (empty when none).
    pub phone_numbers: Vec<String>,
    /// When the proof was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the proof was reviewed, once it has been.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why the proof was rejected, when it was.
    pub rejection_reason: Option<String>,
    raw: ExternalVerification,
}

impl Verification {
    /// The API's record, exactly as it was received.
    pub fn raw(&self) -> &ExternalVerification {
        &self.raw
    }

    /// Reads the API's record (`operation` names the call, for the error of a record that is
    /// not a proof).
    fn from_api(operation: &'static str, raw: ExternalVerification) -> Result<Verification, Error> {
        let status = raw.status.clone().ok_or_else(|| Error::Protocol {
            operation,
            detail: "the ownership proof has no status, which the API always sends".into(),
        })?;
        Ok(Verification {
            status,
            enterprise_id: raw.enterprise_id.clone(),
            document_ids: raw.document_ids.clone().unwrap_or_default(),
            phone_numbers: raw.phone_numbers.clone().unwrap_or_default(),
            submitted_at: raw.submitted_at.map(|t| t.into_inner()),
            reviewed_at: raw.reviewed_at.map(|t| t.into_inner()),
            rejection_reason: raw.rejection_reason.clone(),
            raw,
        })
    }
}

/// The id of a document uploaded with the Telnyx Documents API (a carrier invoice, an account
/// statement...): 1 to [`DocumentId::MAX_LEN`] characters, none of them a control character
/// and not blank.
///
/// The API documents no bound for these ids; 255 is the one the spec sets for the Letter of
/// Authorization's id, which comes from the same Documents API.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentId(String);

impl DocumentId {
    /// The longest id accepted, in characters.
    pub const MAX_LEN: usize = 255;

    /// The id, or why it cannot be one.
    pub fn new(id: &str) -> Result<DocumentId, InvalidInput> {
        let field = "document_id";
        let length = id.chars().count();
        if id.trim().is_empty() || length > Self::MAX_LEN {
            return Err(InvalidInput::new(
                field,
                format!(
                    "{:?} is not an id: 1 to {} characters, not blank",
                    echo(id),
                    Self::MAX_LEN
                ),
            ));
        }
        if id.chars().any(char::is_control) {
            return Err(InvalidInput::new(
                field,
                format!("{:?} contains a control character", echo(id)),
            ));
        }
        Ok(DocumentId(id.to_owned()))
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DocumentId {
    type Err = InvalidInput;

    fn from_str(s: &str) -> Result<DocumentId, InvalidInput> {
        DocumentId::new(s)
    }
}

impl std::fmt::Display for DocumentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Client {
    /// Submits the enterprise's ownership proof for its numbers hosted elsewhere
    /// (`submitExternalVerification`): one or more `document_ids`, and optionally the
    /// `phone_numbers` they cover (numbers not listed can still be added later; each is checked
    /// on its own). The answer is the proof, `Pending` review. Not billable.
    ///
    /// The proof is reviewed once per enterprise: while it is `Pending` or `Rejected` a new
    /// submission replaces the documents; once `Approved` it cannot be changed, and the API
    /// refuses the call ([`Error::Api`]; the emulator answers 409
    /// `external_verification_approved`). No `document_ids` at all is refused before anything is
    /// sent ([`Error::InvalidRequest`]).
    ///
    /// Sending the same documents twice leaves the same proof on file, so the call is retried
    /// like a read when its outcome is unknown.
    pub async fn submit_ownership_proof(
        &self,
        enterprise_id: Uuid,
        document_ids: &[DocumentId],
        phone_numbers: &[E164],
    ) -> Result<Verification, Error> {
        if document_ids.is_empty() {
            return Err(Error::InvalidRequest {
                operation: "submit_external_verification",
                detail: "document_ids: at least one document id is needed".into(),
            });
        }
        let body = ExternalVerificationCreate {
            document_ids: document_ids.iter().map(|d| d.0.clone()).collect(),
            phone_numbers: phone_numbers
                .iter()
                .map(|n| n.as_str().to_owned())
                .collect(),
        };
        let proof = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .submit_external_verification()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Verification::from_api("submit_external_verification", proof.data)
    }

    /// The enterprise's ownership proof and where its review stands
    /// (`getExternalVerification`), or `None` when the API answers 404: **a 404 is read as
    /// "nothing submitted"**, the one 404 the API documents. An enterprise the account does not
    /// have, or one without reputation enabled, answers 404 too; [`Client::settings`] tells them
    /// apart. Not billable.
    pub async fn ownership_proof(
        &self,
        enterprise_id: Uuid,
    ) -> Result<Option<Verification>, Error> {
        let answer = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .get_external_verification()
                    .enterprise_id(enterprise_id)
                    .send()
            })
            .await;
        match answer {
            Ok(proof) => Verification::from_api("get_external_verification", proof.data).map(Some),
            Err(e) if e.status() == Some(404) && matches!(e, Error::Api(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_id_is_1_to_255_printable_characters() {
        assert_eq!(DocumentId::new("doc-1").unwrap().as_str(), "doc-1");
        assert!(DocumentId::new(&"é".repeat(255)).is_ok());
        for refused in ["", "   ", "a\nb"] {
            assert_eq!(DocumentId::new(refused).unwrap_err().field, "document_id");
        }
        let long = DocumentId::new(&"x".repeat(256)).unwrap_err();
        assert!(long.reason.contains("1 to 255"), "{long}");
    }
}
