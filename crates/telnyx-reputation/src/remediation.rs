//! Remediation: ask Telnyx to work on numbers flagged as spam. Billable per number submitted;
//! the request is accepted at once (202) and then moves from `pending` to a final status, which
//! [`Client::remediation`] reads.

use chrono::{DateTime, Utc};
use telnyx_e164::E164;
use telnyx_reputation_api::types::{
    NumberReputationPaginationMeta, RemediationPerNumberResults, RemediationRequest,
    RemediationRequestCreate, RemediationRequestList, RemediationRequestListItem,
};
use uuid::Uuid;

use crate::client::{Client, Page};
use crate::error::Error;
use crate::filter::InvalidInput;
use crate::retry::Idempotency;
use crate::settings::wire;

pub use telnyx_reputation_api::RemediationStatus;

/// A remediation request in full, as submitting or reading one gives it: its id and status, the
/// counts of numbers submitted and refused as ineligible, the per-number results once there are
/// some, and when each tier completed. [`Remediation::raw`] is the API's own record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Remediation {
    /// The request's id.
    pub id: Uuid,
    /// Where the request stands.
    pub status: RemediationStatus,
    /// How the numbers are used, as submitted.
    pub call_purpose: String,
    /// The contact email of the request, when one was given.
    pub contact_email: Option<String>,
    /// The https URL notified of status changes, when one was given.
    pub webhook_url: Option<String>,
    /// The numbers of the request, including any later cancelled.
    pub phone_numbers_count: u64,
    /// The numbers accepted for remediation (not refused as ineligible), queued or processed.
    pub phone_numbers_submitted: u64,
    /// The numbers refused before submission (a cooldown, for example).
    pub phone_numbers_ineligible: u64,
    /// The per-number results, once there are some (`None` while the request is pending).
    pub results: Option<RemediationResults>,
    /// When the first tier completed, once it has.
    pub tier1_completed_at: Option<DateTime<Utc>>,
    /// When the second tier completed, once it has.
    pub tier2_completed_at: Option<DateTime<Utc>>,
    /// When the request was made.
    pub created_at: DateTime<Utc>,
    /// When the request last changed.
    pub updated_at: DateTime<Utc>,
    raw: RemediationRequest,
}

/// Which numbers of a remediation request ended in which category (each as the API wrote the
/// number).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemediationResults {
    /// Numbers whose reputation was remediated.
    pub remediated: Vec<String>,
    /// Numbers that were not flagged, so needed nothing.
    pub not_flagged: Vec<String>,
    /// Numbers the carriers refused to remediate.
    pub refused: Vec<String>,
    /// Numbers that need a manual review.
    pub requires_review: Vec<String>,
    /// Numbers refused before submission.
    pub ineligible: Vec<String>,
}

/// A remediation request as a list gives it: without the per-number results or the contact
/// details. [`RemediationSummary::raw`] is the API's own record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RemediationSummary {
    /// The request's id.
    pub id: Uuid,
    /// Where the request stands.
    pub status: RemediationStatus,
    /// How the numbers are used, as submitted.
    pub call_purpose: String,
    /// The numbers of the request, including any later cancelled.
    pub phone_numbers_count: u64,
    /// When the first tier completed, once it has.
    pub tier1_completed_at: Option<DateTime<Utc>>,
    /// When the second tier completed, once it has.
    pub tier2_completed_at: Option<DateTime<Utc>>,
    /// When the request was made.
    pub created_at: DateTime<Utc>,
    /// When the request last changed.
    pub updated_at: DateTime<Utc>,
    raw: RemediationRequestListItem,
}

/// One page of remediation requests, with where it sits among the pages.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RemediationPage {
    /// The requests of the page.
    pub data: Vec<RemediationSummary>,
    /// Where the page sits among the pages.
    pub meta: PageMeta,
}

/// Where a page sits among a list's pages, as the API counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageMeta {
    /// The page's number (1-based).
    pub page_number: u64,
    /// The page's size, as the server applied it.
    pub page_size: u64,
    /// How many pages the list has.
    pub total_pages: u64,
    /// How many rows the list has.
    pub total_results: u64,
}

/// A count the API sends as a signed number, as a count: the reason when it is negative.
fn count(field: &str, value: i64) -> Result<u64, String> {
    u64::try_from(value).map_err(|_| format!("{field} is {value}, not a count"))
}

impl Remediation {
    /// The API's record, exactly as it was received.
    pub fn raw(&self) -> &RemediationRequest {
        &self.raw
    }

    /// Reads the API's record (`operation` names the call, for the error of a record that is
    /// not one).
    pub(crate) fn from_api(
        operation: &'static str,
        raw: RemediationRequest,
    ) -> Result<Remediation, Error> {
        let read = || -> Result<Remediation, String> {
            let results =
                raw.results
                    .as_ref()
                    .map(|r: &RemediationPerNumberResults| RemediationResults {
                        remediated: r.remediated.clone(),
                        not_flagged: r.not_flagged.clone(),
                        refused: r.refused.clone(),
                        requires_review: r.requires_review.clone(),
                        ineligible: r.ineligible.clone(),
                    });
            Ok(Remediation {
                id: raw.id,
                status: raw.status.clone(),
                call_purpose: raw.call_purpose.clone(),
                contact_email: raw.contact_email.clone(),
                webhook_url: raw.webhook_url.clone(),
                phone_numbers_count: count("phone_numbers_count", raw.phone_numbers_count)?,
                phone_numbers_submitted: count(
                    "phone_numbers_submitted",
                    raw.phone_numbers_submitted,
                )?,
                phone_numbers_ineligible: count(
                    "phone_numbers_ineligible",
                    raw.phone_numbers_ineligible,
                )?,
                results,
                tier1_completed_at: raw.tier1_completed_at.map(|t| t.into_inner()),
                tier2_completed_at: raw.tier2_completed_at.map(|t| t.into_inner()),
                created_at: raw.created_at.into_inner(),
                updated_at: raw.updated_at.into_inner(),
                raw: raw.clone(),
            })
        };
        read().map_err(|detail| Error::Protocol {
            operation,
            detail: format!("remediation request {}: {detail}", raw.id),
        })
    }
}

impl RemediationSummary {
    /// The API's record, exactly as it was received.
    pub fn raw(&self) -> &RemediationRequestListItem {
        &self.raw
    }

    fn from_api(raw: RemediationRequestListItem) -> Result<RemediationSummary, String> {
        Ok(RemediationSummary {
            id: raw.id,
            status: raw.status.clone(),
            call_purpose: raw.call_purpose.clone(),
            phone_numbers_count: count("phone_numbers_count", raw.phone_numbers_count)
                .map_err(|e| format!("remediation request {}: {e}", raw.id))?,
            tier1_completed_at: raw.tier1_completed_at.map(|t| t.into_inner()),
            tier2_completed_at: raw.tier2_completed_at.map(|t| t.into_inner()),
            created_at: raw.created_at.into_inner(),
            updated_at: raw.updated_at.into_inner(),
            raw,
        })
    }
}

impl PageMeta {
    /// Reads the API's page meta; the reason when a count is negative.
    pub(crate) fn from_api(meta: &NumberReputationPaginationMeta) -> Result<PageMeta, String> {
        Ok(PageMeta {
            page_number: count("meta.page_number", meta.page_number)?,
            page_size: count("meta.page_size", meta.page_size)?,
            total_pages: count("meta.total_pages", meta.total_pages)?,
            total_results: count("meta.total_results", meta.total_results)?,
        })
    }
}

impl RemediationPage {
    /// Reads the API's page.
    fn from_api(
        operation: &'static str,
        raw: RemediationRequestList,
    ) -> Result<RemediationPage, Error> {
        let read = || -> Result<RemediationPage, String> {
            Ok(RemediationPage {
                meta: PageMeta::from_api(&raw.meta)?,
                data: raw
                    .data
                    .into_iter()
                    .map(RemediationSummary::from_api)
                    .collect::<Result<_, _>>()?,
            })
        };
        read().map_err(|detail| Error::Protocol { operation, detail })
    }
}

impl crate::pages::ListPage for RemediationPage {
    type Row = RemediationSummary;
    type Key = Uuid;
    fn page_number(&self) -> i64 {
        i64::try_from(self.meta.page_number).unwrap_or(i64::MAX)
    }
    fn total_pages(&self) -> i64 {
        i64::try_from(self.meta.total_pages).unwrap_or(i64::MAX)
    }
    fn rows(&self) -> &[RemediationSummary] {
        &self.data
    }
    fn into_rows(self) -> Vec<RemediationSummary> {
        self.data
    }
    fn key(row: &RemediationSummary) -> Uuid {
        row.id
    }
}

const OPERATION: &str = "submit_reputation_remediation";

/// A remediation request ready to send, checked as the API checks it: 1–2,000 numbers, a
/// `call_purpose` of 1–2,000 characters, and optionally a contact email and an https webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemediationSubmission {
    numbers: Vec<E164>,
    call_purpose: String,
    contact_email: Option<String>,
    webhook_url: Option<String>,
}

impl RemediationSubmission {
    /// The most numbers one request takes.
    pub const MAX_NUMBERS: usize = 2_000;
    /// The longest `call_purpose`, in characters.
    pub const MAX_CALL_PURPOSE: usize = 2_000;
    /// The longest contact email, in characters.
    pub const MAX_CONTACT_EMAIL: usize = 255;
    /// The longest webhook URL, in characters.
    pub const MAX_WEBHOOK_URL: usize = 2_048;

    /// A submission of `numbers`, used as `call_purpose` says (free text: "appointment
    /// reminders for our dental clinic"), or why the API would refuse it.
    pub fn new(
        numbers: impl IntoIterator<Item = E164>,
        call_purpose: &str,
    ) -> Result<RemediationSubmission, InvalidInput> {
        let numbers: Vec<E164> = numbers.into_iter().collect();
        if numbers.is_empty() || numbers.len() > Self::MAX_NUMBERS {
            return Err(InvalidInput::new(
                "phone_numbers",
                format!(
                    "a request takes 1 to {} numbers, got {}",
                    Self::MAX_NUMBERS,
                    numbers.len()
                ),
            ));
        }
        // The API's pattern: `^\+[1-9][0-9]{9,14}$`, 10 to 15 digits.
        if let Some(short) = numbers
            .iter()
            .find(|n| !(10..=15).contains(&n.digits().len()))
        {
            return Err(InvalidInput::new(
                "phone_numbers",
                format!("{short} is not a number of 10 to 15 digits"),
            ));
        }
        let length = call_purpose.chars().count();
        if length == 0 || length > Self::MAX_CALL_PURPOSE {
            return Err(InvalidInput::new(
                "call_purpose",
                format!(
                    "must be 1 to {} characters, got {length}",
                    Self::MAX_CALL_PURPOSE
                ),
            ));
        }
        Ok(RemediationSubmission {
            numbers,
            call_purpose: call_purpose.to_owned(),
            contact_email: None,
            webhook_url: None,
        })
    }

    /// The same submission, with a contact email for this request.
    pub fn with_contact_email(self, email: &str) -> Result<RemediationSubmission, InvalidInput> {
        let field = "contact_email";
        if email.chars().count() > Self::MAX_CONTACT_EMAIL {
            return Err(InvalidInput::new(
                field,
                format!("longer than {} characters", Self::MAX_CONTACT_EMAIL),
            ));
        }
        let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        });
        if !well_formed {
            return Err(InvalidInput::new(
                field,
                format!("{email:?} is not an email address"),
            ));
        }
        Ok(RemediationSubmission {
            contact_email: Some(email.to_owned()),
            ..self
        })
    }

    /// The same submission, with an https URL to notify of status changes.
    pub fn with_webhook_url(
        self,
        webhook_url: &str,
    ) -> Result<RemediationSubmission, InvalidInput> {
        let field = "webhook_url";
        if webhook_url.chars().count() > Self::MAX_WEBHOOK_URL {
            return Err(InvalidInput::new(
                field,
                format!("longer than {} characters", Self::MAX_WEBHOOK_URL),
            ));
        }
        let parsed = url::Url::parse(webhook_url)
            .map_err(|e| InvalidInput::new(field, format!("{webhook_url:?}: {e}")))?;
        if parsed.scheme() != "https" || parsed.host_str().is_none_or(str::is_empty) {
            return Err(InvalidInput::new(
                field,
                format!("{webhook_url:?} is not an https:// URL"),
            ));
        }
        Ok(RemediationSubmission {
            webhook_url: Some(webhook_url.to_owned()),
            ..self
        })
    }

    /// The numbers to submit (each one billable).
    pub fn numbers(&self) -> &[E164] {
        &self.numbers
    }

    fn body(&self) -> Result<RemediationRequestCreate, Error> {
        Ok(RemediationRequestCreate {
            phone_numbers: self
                .numbers
                .iter()
                .map(|n| wire(OPERATION, "phone_numbers", n.as_str()))
                .collect::<Result<_, _>>()?,
            call_purpose: wire(OPERATION, "call_purpose", &self.call_purpose)?,
            contact_email: self
                .contact_email
                .as_deref()
                .map(|e| wire(OPERATION, "contact_email", e))
                .transpose()?,
            webhook_url: self
                .webhook_url
                .as_deref()
                .map(|u| wire(OPERATION, "webhook_url", u))
                .transpose()?,
        })
    }
}

/// Which remediation requests a list returns; the default keeps all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemediationFilter {
    /// Only requests in this status (`filter[status]`).
    pub status: Option<RemediationStatus>,
    /// Only requests created at or after this time (`filter[created_at][gte]`).
    pub created_from: Option<DateTime<Utc>>,
    /// Only requests created at or before this time (`filter[created_at][lte]`).
    pub created_until: Option<DateTime<Utc>>,
}

impl RemediationFilter {
    /// The same filter, keeping only requests in `status` (`None`: any status).
    pub fn status(self, status: impl Into<Option<RemediationStatus>>) -> RemediationFilter {
        RemediationFilter {
            status: status.into(),
            ..self
        }
    }

    /// The same filter, keeping only requests created at or after `from` (`None`: no bound).
    pub fn created_from(self, from: impl Into<Option<DateTime<Utc>>>) -> RemediationFilter {
        RemediationFilter {
            created_from: from.into(),
            ..self
        }
    }

    /// The same filter, keeping only requests created at or before `until` (`None`: no bound).
    pub fn created_until(self, until: impl Into<Option<DateTime<Utc>>>) -> RemediationFilter {
        RemediationFilter {
            created_until: until.into(),
            ..self
        }
    }
}

impl Client {
    /// Submits numbers of the enterprise for remediation (`submitReputationRemediation`).
    /// **Billable per number.** A number that already has a request in flight refuses the whole
    /// request (409).
    ///
    /// Sent again only when the server certainly did not act. After an ambiguous outcome
    /// ([`Error::outcome_unknown`]) list the enterprise's requests before submitting again.
    pub async fn submit_remediation(
        &self,
        enterprise_id: Uuid,
        submission: &RemediationSubmission,
    ) -> Result<Remediation, Error> {
        let body = submission.body()?;
        let accepted = self
            .call(Idempotency::NotIdempotent, || {
                self.inner
                    .submit_reputation_remediation()
                    .enterprise_id(enterprise_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Remediation::from_api(OPERATION, accepted.data)
    }

    /// One page of the enterprise's remediation requests (`listReputationRemediations`):
    /// [`RemediationQuery::page`](crate::RemediationQuery::page).
    pub(crate) async fn remediation_page(
        &self,
        enterprise_id: Uuid,
        page: Page,
        filter: &RemediationFilter,
    ) -> Result<RemediationPage, Error> {
        self.call(Idempotency::Idempotent, || {
            let mut request = self
                .inner
                .list_reputation_remediations()
                .enterprise_id(enterprise_id)
                .page_number(page.number)
                .page_size(page.size);
            if let Some(status) = &filter.status {
                request = request.filter_status(status.clone());
            }
            if let Some(from) = filter.created_from {
                request = request.filter_created_at_gte(from);
            }
            if let Some(until) = filter.created_until {
                request = request.filter_created_at_lte(until);
            }
            request.send()
        })
        .await
        .and_then(|page| RemediationPage::from_api("list_reputation_remediations", page))
    }

    /// One remediation request in full, with its per-number results once there are some
    /// (`getReputationRemediation`).
    pub async fn remediation(&self, enterprise_id: Uuid, id: Uuid) -> Result<Remediation, Error> {
        let request = self
            .call(Idempotency::Idempotent, || {
                self.inner
                    .get_reputation_remediation()
                    .enterprise_id(enterprise_id)
                    .remediation_id(id)
                    .send()
            })
            .await?;
        Remediation::from_api("get_reputation_remediation", request.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_count_is_refused_naming_the_request_and_the_field() {
        let id = Uuid::from_u128(9);
        let raw = |count: i64| -> RemediationRequest {
            serde_json::from_value(serde_json::json!({
                "id": id, "call_purpose": "reminders", "status": "pending",
                "phone_numbers_count": count, "phone_numbers_submitted": 1,
                "phone_numbers_ineligible": 0,
                "created_at": "2026-10-01T00:00:00Z", "updated_at": "2026-10-01T00:00:00Z",
            }))
            .unwrap()
        };
        let read = Remediation::from_api(OPERATION, raw(1)).unwrap();
        assert_eq!((read.id, read.phone_numbers_count), (id, 1));
        assert_eq!(read.raw().phone_numbers_count, 1);
        let error = Remediation::from_api(OPERATION, raw(-1))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(&id.to_string()) && error.contains("phone_numbers_count is -1"),
            "{error}"
        );
    }

    fn number(i: u32) -> E164 {
        format!("+1603555{i:04}").parse().unwrap()
    }

    #[test]
    fn a_submission_takes_1_to_2000_numbers_and_a_purpose_of_1_to_2000_characters() {
        assert!(RemediationSubmission::new([number(1)], "reminders").is_ok());
        let none = RemediationSubmission::new([], "reminders").unwrap_err();
        assert_eq!(none.field, "phone_numbers");
        let many = (0..2_001).map(number);
        assert!(RemediationSubmission::new(many, "x").is_err());
        assert!(RemediationSubmission::new((0..2_000).map(number), "x").is_ok());
        assert_eq!(
            RemediationSubmission::new([number(1)], "")
                .unwrap_err()
                .field,
            "call_purpose"
        );
        assert!(RemediationSubmission::new([number(1)], &"é".repeat(2_000)).is_ok());
        assert!(RemediationSubmission::new([number(1)], &"x".repeat(2_001)).is_err());
    }

    #[test]
    fn the_webhook_must_be_https_and_the_email_an_address() {
        let s = RemediationSubmission::new([number(1)], "reminders").unwrap();
        assert!(
            s.clone()
                .with_webhook_url("https://example.com/hook")
                .is_ok()
        );
        for refused in [
            "http://example.com/hook",
            "ftp://x",
            "example.com",
            "https://",
        ] {
            let e = s.clone().with_webhook_url(refused).unwrap_err();
            assert_eq!(e.field, "webhook_url", "{refused}");
        }
        assert!(s.clone().with_contact_email("ops@example.com").is_ok());
        for refused in [
            "ops",
            "@example.com",
            "ops@example",
            "a b@example.com",
            "a@@b.com",
        ] {
            let e = s.clone().with_contact_email(refused).unwrap_err();
            assert_eq!(e.field, "contact_email", "{refused}");
        }
    }
}
