//! The monitored-number records, the library's own: [`NumberReputation`] (what a read, a list,
//! an associate call and an ownership answer give), [`AssociatedNumber`] and [`NumberPage`].
//! Each is read from the API's record once, checked, and keeps that record ([`raw`]).
//!
//! [`raw`]: NumberReputation::raw

use chrono::{DateTime, Utc};
use telnyx_e164::UsNumber;
use telnyx_reputation_api::types::{ReputationPhoneNumber, ReputationPhoneNumberList};
use telnyx_reputation_api::{FlagReason, NumberSource, OwnershipStatus, RemovalReason};
use uuid::Uuid;

use crate::error::Error;
use crate::remediation::PageMeta;
use crate::reputation::Reputation;

/// A number under monitoring: which number, on which enterprise, its reputation data once the
/// API has collected some, and its ownership tracking. [`NumberReputation::raw`] is the API's
/// own record.
///
/// The spec lets the server leave out every field of the record. The number is the one the
/// library requires (a record without one says nothing of any number); every other field is
/// an `Option`, `None` when the server left it out or sent `null`.
///
/// The number is a [`UsNumber`], as in a report's [`Row`](crate::report::Row): the API
/// monitors US local and toll-free numbers only, so a record of any other number (or of text
/// that is not a number) breaks the API's own rule, and is refused with an [`Error::Protocol`]
/// naming the field and the rule, like a score outside 0–100. Values the API documents as a
/// set are open enums: a value added later is kept as `Other`, never refused.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NumberReputation {
    /// The record's id.
    pub id: Option<Uuid>,
    /// The number.
    pub phone_number: UsNumber,
    /// The enterprise the number is monitored under.
    pub enterprise_id: Option<Uuid>,
    /// Its reputation data; `None` until the API's first collection for the number (a number
    /// just associated has none).
    pub reputation_data: Option<Reputation>,
    /// Where the number is hosted: the Telnyx inventory, or elsewhere.
    pub source: Option<NumberSource>,
    /// Where the number's ownership stands.
    pub ownership_status: Option<OwnershipStatus>,
    /// Why the number's ownership was flagged (`carrier_changed` when a check found it with
    /// another carrier), while a question is open.
    pub flag_reason: Option<FlagReason>,
    /// The deadline to confirm the number is still yours; set only while
    /// `pending_confirmation`.
    pub confirm_by: Option<DateTime<Utc>>,
    /// Why the number was removed; set only for removed numbers.
    pub removal_reason: Option<RemovalReason>,
    /// When the number was removed; set only for removed numbers.
    pub removed_at: Option<DateTime<Utc>>,
    /// When the number was associated (on the server's clock).
    pub created_at: Option<DateTime<Utc>>,
    /// When the record last changed.
    pub updated_at: Option<DateTime<Utc>>,
    raw: ReputationPhoneNumber,
}

/// A number just associated: the associate call answers with the same record as a read or a
/// list, so it is the same type. Its `reputation_data` is `None` until the API's first
/// collection for the number, and its `created_at` says when the association was made.
pub type AssociatedNumber = NumberReputation;

/// One page of the monitored numbers: its records, and where it sits among the pages.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NumberPage {
    /// The numbers of the page, in list order.
    pub data: Vec<NumberReputation>,
    /// Where the page sits among the pages.
    pub meta: PageMeta,
}

impl NumberReputation {
    /// The API's record, exactly as it was received.
    pub fn raw(&self) -> &ReputationPhoneNumber {
        &self.raw
    }

    /// Reads the API's record; the reason, naming the number when it has one, when it breaks a
    /// rule (no number, a number that is not US local or toll-free, a score outside 0–100).
    pub(crate) fn from_api(raw: ReputationPhoneNumber) -> Result<NumberReputation, String> {
        let text = raw
            .phone_number
            .as_deref()
            .ok_or_else(|| "a record has no phone_number".to_owned())?;
        let phone_number: UsNumber = text.parse().map_err(|e| format!("phone_number {e}"))?;
        let reputation_data = raw
            .reputation_data
            .as_ref()
            .map(Reputation::from_api)
            .transpose()
            .map_err(|e| format!("number {phone_number}: {e}"))?;
        let time = |t: Option<telnyx_reputation_api::Timestamp>| t.map(|t| t.into_inner());
        Ok(NumberReputation {
            id: raw.id,
            phone_number,
            enterprise_id: raw.enterprise_id,
            reputation_data,
            source: raw.source.clone(),
            ownership_status: raw.ownership_status.clone(),
            flag_reason: raw.flag_reason.as_deref().map(FlagReason::from),
            confirm_by: time(raw.confirm_by),
            removal_reason: raw.removal_reason.clone(),
            removed_at: time(raw.removed_at),
            created_at: time(raw.created_at),
            updated_at: time(raw.updated_at),
            raw,
        })
    }

    /// Reads the API's record for an answer of `operation` ([`Error::Protocol`] when it breaks
    /// a rule).
    pub(crate) fn from_answer(
        operation: &'static str,
        raw: ReputationPhoneNumber,
    ) -> Result<NumberReputation, Error> {
        NumberReputation::from_api(raw).map_err(|detail| Error::Protocol { operation, detail })
    }

    /// Reads every record of an answer of `operation`, in order.
    pub(crate) fn from_answers(
        operation: &'static str,
        raw: Vec<ReputationPhoneNumber>,
    ) -> Result<Vec<NumberReputation>, Error> {
        raw.into_iter()
            .map(|r| NumberReputation::from_answer(operation, r))
            .collect()
    }
}

/// A record read from the API's JSON, for the crate's tests.
#[cfg(test)]
pub(crate) fn from_json(value: serde_json::Value) -> NumberReputation {
    let raw = serde_json::from_value(value).expect("a record of the API");
    NumberReputation::from_api(raw).expect("a record the library reads")
}

impl NumberPage {
    /// Reads a page of the API's list `operation` ([`Error::Protocol`] when a record breaks a
    /// rule or a count is negative).
    pub(crate) fn from_api(
        operation: &'static str,
        raw: ReputationPhoneNumberList,
    ) -> Result<NumberPage, Error> {
        let meta = PageMeta::from_api(&raw.meta)
            .map_err(|detail| Error::Protocol { operation, detail })?;
        Ok(NumberPage {
            data: NumberReputation::from_answers(operation, raw.data)?,
            meta,
        })
    }
}

impl crate::pages::ListPage for NumberPage {
    type Row = NumberReputation;
    type Key = (Option<Uuid>, UsNumber, Option<Uuid>);
    fn page_number(&self) -> i64 {
        i64::try_from(self.meta.page_number).unwrap_or(i64::MAX)
    }
    fn total_pages(&self) -> i64 {
        i64::try_from(self.meta.total_pages).unwrap_or(i64::MAX)
    }
    fn rows(&self) -> &[NumberReputation] {
        &self.data
    }
    fn into_rows(self) -> Vec<NumberReputation> {
        self.data
    }
    fn key(row: &NumberReputation) -> Self::Key {
        (row.id, row.phone_number, row.enterprise_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reputation::SpamRisk;

    fn raw(json: serde_json::Value) -> ReputationPhoneNumber {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn every_field_of_the_record_is_read_and_the_record_kept() {
        let record = raw(serde_json::json!({
            "id": "8a4b1f5e-2f12-4c0c-9a98-9b3a7d8b8e62",
            "phone_number": "+16035551234",
            "enterprise_id": "6a09cdc3-8948-47f0-aa62-74ac943d6c58",
            "reputation_data": {"spam_risk": "medium", "maturity_score": 72,
                                "last_refreshed_at": "2026-04-26T18:09:24Z"},
            "source": "external", "ownership_status": "pending_confirmation",
            "flag_reason": "carrier_changed", "confirm_by": "2026-10-08T07:00:00Z",
            "removal_reason": null, "removed_at": null,
            "created_at": "2026-04-26T18:06:51Z", "updated_at": "2026-04-26T18:09:24Z"
        }));
        let read = NumberReputation::from_api(record.clone()).unwrap();
        assert_eq!(read.phone_number.as_str(), "+16035551234");
        assert_eq!(
            read.id,
            Some("8a4b1f5e-2f12-4c0c-9a98-9b3a7d8b8e62".parse().unwrap())
        );
        let data = read.reputation_data.as_ref().unwrap();
        assert_eq!(
            (data.spam_risk.clone(), data.maturity_score),
            (Some(SpamRisk::Medium), Some(72))
        );
        assert_eq!(read.source, Some(NumberSource::External));
        assert_eq!(
            read.ownership_status,
            Some(OwnershipStatus::PendingConfirmation)
        );
        assert_eq!(read.flag_reason, Some(FlagReason::CarrierChanged));
        assert_eq!(
            read.confirm_by,
            Some("2026-10-08T07:00:00Z".parse().unwrap())
        );
        assert_eq!((read.removal_reason.clone(), read.removed_at), (None, None));
        assert_eq!(
            read.created_at,
            Some("2026-04-26T18:06:51Z".parse().unwrap())
        );
        assert_eq!(read.raw(), &record);
    }

    #[test]
    fn a_record_that_breaks_a_rule_is_refused_naming_the_field_and_the_rule() {
        let refused = |json: serde_json::Value| NumberReputation::from_api(raw(json)).unwrap_err();
        assert_eq!(
            refused(serde_json::json!({"enterprise_id": "6a09cdc3-8948-47f0-aa62-74ac943d6c58"})),
            "a record has no phone_number"
        );
        assert_eq!(
            refused(serde_json::json!({"phone_number": "+14165551234"})),
            "phone_number \"+14165551234\": only US numbers can be monitored"
        );
        assert_eq!(
            refused(serde_json::json!({"phone_number": "+16035551234",
                                       "reputation_data": {"engagement_score": 250}})),
            "number +16035551234: engagement_score 250 is not a score from 0 to 100"
        );
        // Values added later are kept, not refused.
        let later = NumberReputation::from_api(raw(serde_json::json!({
            "phone_number": "+16035551234", "source": "partner", "flag_reason": "audit_due"
        })))
        .unwrap();
        assert_eq!(later.source, Some(NumberSource::Other("partner".into())));
        assert_eq!(
            later.flag_reason,
            Some(FlagReason::Other("audit_due".into()))
        );
        assert_eq!(later.reputation_data, None);
    }

    #[test]
    fn a_page_with_a_negative_count_is_a_protocol_error_naming_it() {
        let page: ReputationPhoneNumberList = serde_json::from_value(serde_json::json!({
            "data": [{"phone_number": "+16035551234"}],
            "meta": {"page_number": 1, "page_size": 250, "total_pages": -1, "total_results": 1}
        }))
        .unwrap();
        let error = NumberPage::from_api("list_reputation_numbers", page).unwrap_err();
        assert!(
            matches!(&error, Error::Protocol { detail, .. } if detail == "meta.total_pages is -1, not a count"),
            "{error:?}"
        );
    }
}
