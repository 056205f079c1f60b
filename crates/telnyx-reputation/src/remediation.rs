//! Remediation: ask Telnyx to work on numbers flagged as spam. Billable per number submitted;
//! the request is accepted at once (202) and then moves from `pending` to a final status, which
//! [`Client::remediation`] reads.

use chrono::{DateTime, Utc};
use telnyx_e164::E164;
use telnyx_reputation_api::types::{
    RemediationRequest, RemediationRequestCreate, RemediationRequestList,
};
use uuid::Uuid;

use crate::client::{Client, Page};
use crate::error::Error;
use crate::filter::InvalidInput;
use crate::retry::Idempotency;
use crate::settings::wire;

/// Where a remediation request stands: `Pending`, `InProgress`, `Completed`, `Failed` or
/// `Cancelled`.
pub use telnyx_reputation_api::types::RemediationStatus;

/// A remediation request: its id and status, the counts of numbers submitted and refused as
/// ineligible, the per-number results once there are some, and when each tier completed.
pub type Remediation = RemediationRequest;
/// One page of remediation requests (without per-number results), with where it sits among the
/// pages.
pub type RemediationPage = RemediationRequestList;

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemediationFilter {
    /// Only requests in this status (`filter[status]`).
    pub status: Option<RemediationStatus>,
    /// Only requests created at or after this time (`filter[created_at][gte]`).
    pub created_from: Option<DateTime<Utc>>,
    /// Only requests created at or before this time (`filter[created_at][lte]`).
    pub created_until: Option<DateTime<Utc>>,
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
        Ok(accepted.data)
    }

    /// One page of the enterprise's remediation requests (`listReputationRemediations`).
    pub async fn remediations(
        &self,
        enterprise_id: Uuid,
        page: Page,
        filter: RemediationFilter,
    ) -> Result<RemediationPage, Error> {
        self.call(Idempotency::Idempotent, || {
            let mut request = self
                .inner
                .list_reputation_remediations()
                .enterprise_id(enterprise_id)
                .page_number(page.number)
                .page_size(page.size);
            if let Some(status) = filter.status {
                request = request.filter_status(status);
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
        Ok(request.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
