//! Ownership proof for numbers hosted elsewhere (`edition-2026-10.md` §2.2, §2.3, §5.3): one
//! submission per enterprise, `pending` until the review ends the world's review delay later
//! (by the emulator's clock), then `approved`, which lets the enterprise associate numbers
//! hosted elsewhere. While `pending` or `rejected` a new submission replaces the documents and
//! starts the review again; once `approved` it is refused (409). The settings'
//! `external_verification_status` mirrors the status, and the review's end raises
//! `number_reputation.external_verification.status_changed`.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::model::{ExternalVerification, ExternalVerificationStatus};
use crate::schedule::Job;
use crate::state::{Refusal, World};

/// At most this many `document_ids`.
pub const MAX_DOCUMENTS: usize = 100;
/// At most this many `phone_numbers` listed with the documents.
pub const MAX_LISTED: usize = 1000;
/// The longest document id.
const MAX_ID: usize = 255;

/// `number_reputation.external_verification.status_changed`.
pub const STATUS_CHANGED: &str = "number_reputation.external_verification.status_changed";

/// `POST .../external_verification`'s body. Unknown fields are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VerificationBody {
    /// Required: 1 to 100 ids (1–255 characters each) of documents proving ownership.
    pub document_ids: Option<Vec<String>>,
    /// Optional: up to 1,000 E.164 numbers the documents cover.
    pub phone_numbers: Option<Vec<String>>,
}

fn invalid(pointer: impl Into<String>, detail: impl Into<String>) -> Refusal {
    Refusal::Invalid {
        pointer: pointer.into(),
        detail: detail.into(),
    }
}

/// The body's rules (422 at the first field at fault): its documents and listed numbers.
fn check_body(body: &VerificationBody) -> Result<(Vec<String>, Vec<String>), Refusal> {
    let documents = body
        .document_ids
        .as_deref()
        .ok_or_else(|| invalid("/document_ids", "document_ids is required"))?;
    if documents.is_empty() || documents.len() > MAX_DOCUMENTS {
        return Err(invalid(
            "/document_ids",
            format!(
                "document_ids must hold 1 to {MAX_DOCUMENTS} ids, got {}",
                documents.len()
            ),
        ));
    }
    for (i, id) in documents.iter().enumerate() {
        if id.trim().is_empty() || id.chars().count() > MAX_ID {
            return Err(invalid(
                format!("/document_ids/{i}"),
                format!("document_ids[{i}] must be 1 to {MAX_ID} characters, got {id:?}"),
            ));
        }
    }
    let listed = body.phone_numbers.as_deref().unwrap_or_default();
    if listed.len() > MAX_LISTED {
        return Err(invalid(
            "/phone_numbers",
            format!(
                "phone_numbers must hold at most {MAX_LISTED} numbers, got {}",
                listed.len()
            ),
        ));
    }
    for (i, n) in listed.iter().enumerate() {
        if let Err(e) = telnyx_e164::E164::parse_strict(n) {
            return Err(invalid(
                format!("/phone_numbers/{i}"),
                format!("phone_numbers[{i}] is not an E.164 number: {e}"),
            ));
        }
    }
    Ok((documents.to_vec(), listed.to_vec()))
}

impl World {
    /// Submits (or, while `pending` or `rejected`, replaces) the enterprise's ownership proof:
    /// `pending`, reviewed the world's review delay later. 404 when reputation is not enabled,
    /// 409 once approved, 422 for a body against the rules.
    pub fn submit_verification(
        &mut self,
        account: usize,
        enterprise: Uuid,
        body: &VerificationBody,
        now: DateTime<Utc>,
    ) -> Result<ExternalVerification, Refusal> {
        let review = self.ownership_timings.review;
        let record = self.settings_mut(account, enterprise)?;
        if record
            .verification
            .as_ref()
            .is_some_and(|v| v.status == ExternalVerificationStatus::Approved)
        {
            return Err(Refusal::ProofApproved(enterprise));
        }
        let (document_ids, phone_numbers) = check_body(body)?;
        let proof = ExternalVerification {
            enterprise_id: enterprise,
            document_ids,
            phone_numbers,
            status: ExternalVerificationStatus::Pending,
            submitted_at: now,
            reviewed_at: None,
            rejection_reason: None,
        };
        record.settings = record.view(now);
        record.settings.external_verification_status = Some(ExternalVerificationStatus::Pending);
        record.settings.updated_at = now;
        record.verification = Some(proof.clone());
        let due = now
            .checked_add_signed(review)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.timers.schedule(
            due,
            Job::ReviewEnds {
                account,
                enterprise,
                submitted_at: now,
            },
        );
        Ok(proof)
    }

    /// The enterprise's ownership proof and its review (404 before any submission).
    pub fn external_verification(
        &self,
        account: usize,
        enterprise: Uuid,
    ) -> Result<ExternalVerification, Refusal> {
        self.enterprise(account, enterprise)?;
        self.settings_record(account, enterprise)
            .and_then(|s| s.verification.clone())
            .ok_or(Refusal::NoProof(enterprise))
    }

    /// Whether the enterprise may associate numbers hosted elsewhere.
    pub(crate) fn proof_approved(&self, account: usize, enterprise: Uuid) -> bool {
        self.settings_record(account, enterprise)
            .and_then(|s| s.verification.as_ref())
            .is_some_and(|v| v.status == ExternalVerificationStatus::Approved)
    }

    /// The review timer of the submission made at `submitted_at`: approved at `at`, unless a
    /// newer submission replaced it or it was decided already.
    pub(crate) fn end_review(
        &mut self,
        account: usize,
        enterprise: Uuid,
        submitted_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) {
        let current = self
            .settings_record(account, enterprise)
            .and_then(|s| s.verification.as_ref())
            .is_some_and(|v| {
                v.submitted_at == submitted_at && v.status == ExternalVerificationStatus::Pending
            });
        if current {
            self.decide(account, enterprise, None, at);
        }
    }

    /// Ends the pending review of an enterprise's proof now, approved (`rejection_reason`
    /// `None`) or rejected (`POST /__mock/external_verification`): 404 when there is no
    /// submission, 409 when it is not pending.
    pub fn review_verification(
        &mut self,
        enterprise: Uuid,
        rejection_reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ExternalVerification, Refusal> {
        let account = (0..self.accounts.len())
            .find(|a| {
                self.settings_record(*a, enterprise)
                    .is_some_and(|s| s.verification.is_some())
            })
            .ok_or(Refusal::NoProof(enterprise))?;
        if !self
            .settings_record(account, enterprise)
            .and_then(|s| s.verification.as_ref())
            .is_some_and(|v| v.status == ExternalVerificationStatus::Pending)
        {
            return Err(Refusal::NotUnderReview(enterprise));
        }
        self.decide(account, enterprise, rejection_reason, now);
        self.external_verification(account, enterprise)
    }

    /// Records a review's outcome at `at` and raises `status_changed`.
    fn decide(
        &mut self,
        account: usize,
        enterprise: Uuid,
        rejection_reason: Option<String>,
        at: DateTime<Utc>,
    ) {
        let status = if rejection_reason.is_some() {
            ExternalVerificationStatus::Rejected
        } else {
            ExternalVerificationStatus::Approved
        };
        let Ok(record) = self.settings_mut(account, enterprise) else {
            return;
        };
        let Some(proof) = record.verification.as_mut() else {
            return;
        };
        proof.status = status;
        proof.reviewed_at = Some(at);
        proof.rejection_reason = rejection_reason.clone();
        record.settings = record.view(at);
        record.settings.external_verification_status = Some(status);
        record.settings.updated_at = at;
        let payload = serde_json::json!({
            "record_type": "reputation_external_verification",
            "enterprise_id": enterprise,
            "status": status,
            "rejection_reason": rejection_reason,
            "reviewed_at": at,
        });
        self.raise(account, enterprise, STATUS_CHANGED, at, payload);
    }
}
