//! Bulk remediation on the engine: batches of at most 2,000, and a request whose answer was
//! lost found again by its own marker.
//!
//! Each request's `call_purpose` ends with a marker unique to that request (` [tr-` and 16 hex
//! digits `]`): the list of remediation requests shows the call purpose, so a request whose
//! answer was lost is found by listing the requests created since the job first sent its
//! numbers (on the server's clock) and matching the purpose, the marker and the count of
//! numbers; when the request's per-number results are out, every number they name must be one
//! of the request's. A 409 that names every number of a resend proves the earlier request was
//! applied too. Purpose and count alone never do: two requests of a job may share both.

use chrono::{DurationRound, TimeDelta};
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::{Plan, prepare};
use crate::bulk::context::JobContext;
use crate::bulk::journal::SentWith;
use crate::bulk::operation::{Operation, floor_of};
use crate::bulk::{BulkError, BulkOptions, JobReport, PreparedJob};
use crate::client::{Client, Page};
use crate::error::Error;
use crate::filter::InvalidInput;
use crate::remediation::{RemediationFilter, RemediationSubmission};

/// Characters a request's marker adds to its `call_purpose`: ` [tr-` 16 hex digits `]`.
pub const MARKER_CHARS: usize = 22;

/// What every request of a bulk remediation says besides its numbers: the call purpose and,
/// optionally, a contact email and an https webhook, checked as the API checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemediationTemplate {
    call_purpose: String,
    contact_email: Option<String>,
    webhook_url: Option<String>,
}

impl RemediationTemplate {
    /// Requests used as `call_purpose` says (1 to 2,000 characters less the
    /// [`MARKER_CHARS`] of the marker each request carries), or why the API would refuse it.
    pub fn new(call_purpose: &str) -> Result<RemediationTemplate, InvalidInput> {
        let room = RemediationSubmission::MAX_CALL_PURPOSE - MARKER_CHARS;
        let length = call_purpose.chars().count();
        if length == 0 {
            return Err(InvalidInput::new(
                "call_purpose",
                format!("must be 1 to {room} characters, got 0"),
            ));
        }
        if length > room {
            return Err(InvalidInput::new(
                "call_purpose",
                format!(
                    "must be at most {room} characters (the API's 2,000 less a {MARKER_CHARS}-character marker that lets a lost request be found again), got {length}"
                ),
            ));
        }
        let template = RemediationTemplate {
            call_purpose: call_purpose.to_owned(),
            contact_email: None,
            webhook_url: None,
        };
        template.probe()?;
        Ok(template)
    }

    /// The call purpose, contact email and webhook URL, as given.
    pub fn fields(&self) -> (&str, Option<&str>, Option<&str>) {
        (
            &self.call_purpose,
            self.contact_email.as_deref(),
            self.webhook_url.as_deref(),
        )
    }

    /// The `call_purpose` a request with `marker` carries.
    fn marked(&self, marker: Option<&str>) -> String {
        match marker {
            Some(marker) => format!("{} [{marker}]", self.call_purpose),
            None => self.call_purpose.clone(),
        }
    }

    /// The same, with a contact email.
    pub fn with_contact_email(self, email: &str) -> Result<RemediationTemplate, InvalidInput> {
        let template = RemediationTemplate {
            contact_email: Some(email.to_owned()),
            ..self
        };
        template.probe()?;
        Ok(template)
    }

    /// The same, with an https URL notified of status changes.
    pub fn with_webhook_url(self, url: &str) -> Result<RemediationTemplate, InvalidInput> {
        let template = RemediationTemplate {
            webhook_url: Some(url.to_owned()),
            ..self
        };
        template.probe()?;
        Ok(template)
    }

    /// The request for `numbers`, its purpose carrying `marker`.
    pub(in crate::bulk) fn submission(
        &self,
        numbers: impl IntoIterator<Item = telnyx_e164::E164>,
        marker: Option<&str>,
    ) -> Result<RemediationSubmission, InvalidInput> {
        let mut s = RemediationSubmission::new(numbers, &self.marked(marker))?;
        if let Some(email) = &self.contact_email {
            s = s.with_contact_email(email)?;
        }
        if let Some(url) = &self.webhook_url {
            s = s.with_webhook_url(url)?;
        }
        Ok(s)
    }

    /// Checks the template with a stand-in number, so a bad field is refused before a job.
    fn probe(&self) -> Result<(), InvalidInput> {
        let probe = UsNumber::from_national_number(2_015_550_123)
            .map(|n| n.as_e164())
            .into_iter();
        self.submission(probe, Some("tr-0000000000000000"))
            .map(drop)
    }
}

impl Client {
    /// Prepares a bulk remediation of every number of `plan` on the enterprise, in requests of
    /// at most 2,000, on the bulk engine: nothing is sent until [`PreparedJob::run`]. Always best effort.
    pub fn prepare_remediation(
        &self,
        enterprise_id: Uuid,
        plan: Plan,
        template: &RemediationTemplate,
        options: &BulkOptions,
    ) -> PreparedJob {
        prepare(
            self,
            enterprise_id,
            plan,
            options,
            Operation::Remediate(template.clone()),
        )
    }

    /// Submits every number of `plan` for remediation on the enterprise, in requests of at
    /// most 2,000. **Billable per number submitted**: [`Plan::billable`] is the most it can
    /// bill. Not undone: a submitted request stays submitted.
    ///
    /// A 409 names the numbers already in flight: they are reported
    /// [`NumberOutcome::InFlight`](crate::bulk::NumberOutcome::InFlight) and never sent again, and
    /// the rest of that request is sent without them. After an ambiguous outcome the request
    /// is looked for by its own marker (see the module), once the request timeout has passed;
    /// only when two lookups agree it was not applied is it sent again.
    ///
    /// `Err` only when the journal could not be written.
    pub async fn remediate_planned(
        &self,
        enterprise_id: Uuid,
        plan: Plan,
        template: &RemediationTemplate,
        options: &BulkOptions,
    ) -> Result<JobReport, BulkError> {
        self.prepare_remediation(enterprise_id, plan, template, options)
            .run()
            .await
    }
}

/// The most pages of requests a lookup reads.
const LOOKUP_PAGES: u64 = 40;

/// The job's request that carries `marker`: created since the batch was first sent (on the
/// server's clock), with the template's purpose and that marker, as many numbers as `numbers`,
/// and, once its results are out, none but `numbers` in them.
pub(in crate::bulk) async fn find(
    ctx: &JobContext,
    template: &RemediationTemplate,
    numbers: &[UsNumber],
    first: &SentWith,
    marker: &str,
) -> Result<Option<Uuid>, Error> {
    let purpose = template.marked(Some(marker));
    // The filter may be read to the second: truncated down, it stays a lower bound.
    let created_from =
        floor_of(ctx, first).map(|f| f.duration_trunc(TimeDelta::seconds(1)).unwrap_or(f));
    let filter = RemediationFilter {
        created_from,
        ..RemediationFilter::default()
    };
    for page_number in 1..=LOOKUP_PAGES {
        ctx.count_lookup();
        let page = ctx
            .idempotent
            .remediation_page(
                ctx.enterprise,
                Page::new(page_number, Page::MAX_SIZE),
                &filter,
            )
            .await?;
        let last = (page.data.len() as u64) < Page::MAX_SIZE;
        for request in &page.data {
            let same_purpose: &str = request.call_purpose.as_ref();
            if same_purpose == purpose
                && usize::try_from(request.phone_numbers_count).ok() == Some(numbers.len())
                && holds_only(ctx, request.id, numbers).await?
            {
                return Ok(Some(request.id));
            }
        }
        if last {
            break;
        }
    }
    Ok(None)
}

/// Whether request `id`'s per-number results, once out, name none but `numbers`.
async fn holds_only(ctx: &JobContext, id: Uuid, numbers: &[UsNumber]) -> Result<bool, Error> {
    ctx.count_lookup();
    let request = ctx.idempotent.remediation(ctx.enterprise, id).await?;
    let Some(results) = request.results else {
        return Ok(true);
    };
    let ours: std::collections::HashSet<&str> = numbers.iter().map(UsNumber::as_str).collect();
    Ok([
        &results.remediated,
        &results.not_flagged,
        &results.requires_review,
        &results.refused,
        &results.ineligible,
    ]
    .into_iter()
    .flatten()
    .all(|n| ours.contains(n.as_str())))
}
