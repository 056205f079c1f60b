//! Ownership tracking of monitored numbers (October 2026): each number's `source` (Telnyx
//! inventory or hosted elsewhere) and `ownership_status`, the tracking detail behind it, and the
//! answer to an ownership question: confirm the number is still yours, or give it up. None of
//! it is billable.
//!
//! How a number moves, as the API documents it for numbers hosted elsewhere: it starts
//! `verified`; a daily check that finds it with another carrier, or a due periodic
//! re-verification, makes it `pending_confirmation` with a `confirm_by` deadline (and sends the
//! `number_reputation.number.flagged` event, see [`webhooks`](crate::webhooks)). Confirming
//! ([`Claim::StillOwn`]) returns it to `verified`; giving it up ([`Claim::NoLongerOwn`])
//! removes it at once. Unanswered by the deadline, a carrier change removes it
//! (`unconfirmed_ownership`) and a re-verification leaves it `flagged`, still monitored.
//!
//! [`Client::confirm_ownership_all`] answers for many numbers at once.

mod bulk;

use chrono::{DateTime, Utc};
use telnyx_e164::E164;
use telnyx_reputation_api::types::{
    ReputationNumberOwnership, ReputationOwnershipConfirm, ReputationOwnershipEvent,
};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::record::NumberReputation;
use crate::retry::Idempotency;
use crate::verification::DocumentId;

pub use bulk::{ConfirmOptions, ConfirmOutcome, ConfirmReport, ConfirmResult};

/// Why a number's ownership was flagged: `CarrierChanged` (a check found it with another
/// carrier) or `ReverificationDue`. Open: a value added later reads as `Other`.
pub use telnyx_reputation_api::FlagReason;
/// Where a number is hosted: `Telnyx` (in the account's inventory) or `External` (hosted with
/// another provider). Open: a value added later reads as `Other`.
pub use telnyx_reputation_api::NumberSource;
/// What an event of an ownership history records: `Added`, `Check`, `Flag`, `Confirm` or
/// `Removed`. Open: a value added later reads as `Other`.
pub use telnyx_reputation_api::OwnershipEventType;
/// Where a number's ownership stands: `Verified`, `PendingConfirmation` (answer before
/// `confirm_by`), `Flagged` (a re-verification went unanswered; still monitored) or `Removed`.
/// Open: a value added later reads as `Other`.
pub use telnyx_reputation_api::OwnershipStatus;
/// Why a number was removed: `PortedAway`, `UnconfirmedOwnership`, `Reassigned`,
/// `CustomerReported` or `CustomerRemoved` (a disassociation). Open: a value added later reads
/// as `Other`.
pub use telnyx_reputation_api::RemovalReason;

/// A number's ownership tracking detail: `phone_number`, `source`, `ownership_status`, the
/// carrier on record (`baseline_carrier`, a SPID, and `baseline_recorded_at`),
/// `last_checked_at`, `confirm_by` and `flag_reason` while a question is open, and the
/// `history` of ownership events, most recent first.
///
/// The spec lets the server leave out every field, so each is an `Option` (the history is
/// empty when left out). [`Ownership::raw`] is the API's own record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Ownership {
    /// The number, as the API writes it.
    pub phone_number: Option<String>,
    /// Where the number is hosted: the Telnyx inventory, or elsewhere.
    pub source: Option<NumberSource>,
    /// Where the number's ownership stands.
    pub ownership_status: Option<OwnershipStatus>,
    /// The SPID of the carrier that held the number when its ownership was last established.
    pub baseline_carrier: Option<String>,
    /// When that carrier was recorded.
    pub baseline_recorded_at: Option<DateTime<Utc>>,
    /// When the number's ownership was last checked.
    pub last_checked_at: Option<DateTime<Utc>>,
    /// The deadline of an open ownership question.
    pub confirm_by: Option<DateTime<Utc>>,
    /// Why the number was flagged, while a question is open.
    pub flag_reason: Option<FlagReason>,
    /// The ownership events, most recent first.
    pub history: Vec<OwnershipEvent>,
    raw: ReputationNumberOwnership,
}

/// One event of an [`Ownership`]'s history: what it records (`event_type`), when
/// (`occurred_at`), and its `outcome` (`unchanged`, `carrier_changed`...; an open set of words
/// the API does not enumerate, so a string).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OwnershipEvent {
    /// What happened.
    pub event_type: Option<OwnershipEventType>,
    /// When it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// What the event found or did, as the API writes it.
    pub outcome: Option<String>,
}

impl Ownership {
    /// The API's record, exactly as it was received.
    pub fn raw(&self) -> &ReputationNumberOwnership {
        &self.raw
    }

    fn from_api(raw: ReputationNumberOwnership) -> Ownership {
        let time = |t: Option<telnyx_reputation_api::Timestamp>| t.map(|t| t.into_inner());
        Ownership {
            phone_number: raw.phone_number.clone(),
            source: raw.source.clone(),
            ownership_status: raw.ownership_status.clone(),
            baseline_carrier: raw.baseline_carrier.clone(),
            baseline_recorded_at: time(raw.baseline_recorded_at),
            last_checked_at: time(raw.last_checked_at),
            confirm_by: time(raw.confirm_by),
            flag_reason: raw.flag_reason.as_deref().map(FlagReason::from),
            history: raw
                .history
                .iter()
                .flatten()
                .map(|e: &ReputationOwnershipEvent| OwnershipEvent {
                    event_type: e.event_type.as_deref().map(OwnershipEventType::from),
                    occurred_at: time(e.occurred_at),
                    outcome: e.outcome.clone(),
                })
                .collect(),
            raw,
        }
    }
}

/// The answer to an ownership question (`still_own` on the wire).
///
/// Exhaustive on purpose, unlike the crate's other enums: it is the two values of a boolean
/// field, so a `match` on it needs no wildcard arm and never will.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Claim {
    /// The caller still owns the number (`still_own: true`): a `pending_confirmation` or
    /// `flagged` number becomes `verified`, and after a carrier change the new carrier is the
    /// one on record.
    StillOwn,
    /// The caller no longer owns the number (`still_own: false`): it is **removed** from
    /// Number Reputation at once, whatever its status. This cannot be undone by this call.
    NoLongerOwn,
}

impl Claim {
    /// The wire value of `still_own`.
    pub fn still_own(self) -> bool {
        self == Claim::StillOwn
    }

    /// The ownership status a number has once the answer is applied: `Verified` or `Removed`.
    pub fn status_after(self) -> OwnershipStatus {
        match self {
            Claim::StillOwn => OwnershipStatus::Verified,
            Claim::NoLongerOwn => OwnershipStatus::Removed,
        }
    }
}

impl From<bool> for Claim {
    /// `still_own` as a claim.
    fn from(still_own: bool) -> Claim {
        if still_own {
            Claim::StillOwn
        } else {
            Claim::NoLongerOwn
        }
    }
}

impl Client {
    /// One number's ownership tracking detail on the enterprise (`getNumberOwnership`). There
    /// is no account-wide form. Not billable.
    pub async fn ownership(
        &self,
        enterprise_id: Uuid,
        phone_number: E164,
    ) -> Result<Ownership, Error> {
        let number = phone_number.as_str();
        let detail = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .get_number_ownership()
                    .enterprise_id(enterprise_id)
                    .phone_number(number)
                    .send()
            })
            .await?;
        Ok(Ownership::from_api(detail.data))
    }

    /// Answers an ownership question about one number of the enterprise
    /// (`confirmNumberOwnership`), optionally with the id of an uploaded document supporting
    /// the answer; returns the number's record after it ([`Claim::NoLongerOwn`]: with
    /// `ownership_status` `removed`). Not billable.
    ///
    /// [`Claim::NoLongerOwn`] removes the number. What a second answer does (a `StillOwn` on a
    /// number already `verified`, anything on a removed one) is not documented, so the call is
    /// sent again only when the server certainly did not act (no connection, 408, 429). After an
    /// ambiguous outcome ([`Error::outcome_unknown`]) read the number's `ownership_status`
    /// before answering again; [`Client::confirm_ownership_all`] does that for you.
    pub async fn confirm_ownership(
        &self,
        enterprise_id: Uuid,
        phone_number: E164,
        claim: Claim,
        evidence_document_id: Option<&DocumentId>,
    ) -> Result<NumberReputation, Error> {
        let number = phone_number.as_str();
        let body = ReputationOwnershipConfirm {
            still_own: claim.still_own(),
            evidence_document_id: evidence_document_id.map(|d| d.as_str().to_owned()),
        };
        let record = self
            .call(Idempotency::NotIdempotent, || {
                self.inner
                    .confirm_number_ownership()
                    .enterprise_id(enterprise_id)
                    .phone_number(number)
                    .body(body.clone())
                    .send()
            })
            .await?;
        NumberReputation::from_answer("confirm_number_ownership", record.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_still_own_on_the_wire_and_names_the_status_it_leads_to() {
        assert!(Claim::StillOwn.still_own());
        assert!(!Claim::NoLongerOwn.still_own());
        assert_eq!(Claim::from(true), Claim::StillOwn);
        assert_eq!(Claim::from(false), Claim::NoLongerOwn);
        assert_eq!(Claim::StillOwn.status_after(), OwnershipStatus::Verified);
        assert_eq!(Claim::NoLongerOwn.status_after(), OwnershipStatus::Removed);
    }

    #[test]
    fn a_detail_reads_its_documented_words_as_variants_and_keeps_later_ones() {
        let raw: ReputationNumberOwnership = serde_json::from_value(serde_json::json!({
            "phone_number": "+13125550101",
            "flag_reason": "carrier_changed",
            "history": [
                {"event_type": "flag", "outcome": "carrier_changed"},
                {"event_type": "audit", "outcome": "unchanged"},
                {"event_type": "added"}
            ]
        }))
        .unwrap();
        let detail = Ownership::from_api(raw.clone());
        assert_eq!(detail.flag_reason, Some(FlagReason::CarrierChanged));
        let events: Vec<_> = detail
            .history
            .iter()
            .map(|e| e.event_type.clone())
            .collect();
        assert_eq!(
            events,
            [
                Some(OwnershipEventType::Flag),
                Some(OwnershipEventType::Other("audit".into())),
                Some(OwnershipEventType::Added)
            ]
        );
        assert_eq!(
            detail.history[0].outcome.as_deref(),
            Some("carrier_changed")
        );
        assert_eq!(detail.raw(), &raw);

        let later = Ownership::from_api(
            serde_json::from_value(serde_json::json!({"flag_reason": "audit_due"})).unwrap(),
        );
        assert_eq!(
            later.flag_reason,
            Some(FlagReason::Other("audit_due".into()))
        );
    }
}
