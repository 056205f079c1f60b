//! Remediation requests: submitted `pending`, `in_progress` one stage later and `completed`
//! with per-number results one more stage later, by the emulator's clock. A number with a
//! request in flight cannot be submitted again (409); numbers the enterprise does not monitor
//! are ineligible and not billed.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use telnyx_e164::E164;
use uuid::Uuid;

use crate::model::{Remediation, RemediationResults, RemediationStatus, SpamRisk};
use crate::reputation::reputation_of;
use crate::state::{Refusal, World};

/// At most this many numbers per request.
pub const MAX_NUMBERS: usize = 2000;
/// At most this many characters of `call_purpose`.
pub const MAX_CALL_PURPOSE: usize = 2000;

/// `RemediationRequestCreate`, as sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemediationBody {
    /// 1–2,000 numbers in E.164.
    pub phone_numbers: Option<Vec<String>>,
    /// 1–2,000 characters.
    pub call_purpose: Option<String>,
    /// An email address.
    pub contact_email: Option<String>,
    /// An https URL.
    pub webhook_url: Option<String>,
}

/// One stored request: what was sent, and the results it will show once completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemediationRecord {
    /// Its id.
    pub id: Uuid,
    /// The account that submitted it.
    pub account: usize,
    /// The enterprise it was submitted under.
    pub enterprise_id: Uuid,
    /// Every number sent.
    pub phone_numbers_count: u64,
    /// The results when completed (the ineligible bucket from the start).
    pub outcome: RemediationResults,
    /// How the numbers are used.
    pub call_purpose: String,
    /// Contact for the request.
    pub contact_email: Option<String>,
    /// Where status notifications would go.
    pub webhook_url: Option<String>,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
}

impl RemediationRecord {
    fn submitted(&self) -> usize {
        self.outcome
            .remediated
            .len()
            .saturating_add(self.outcome.not_flagged.len())
            .saturating_add(self.outcome.requires_review.len())
            .saturating_add(self.outcome.refused.len())
    }

    /// Its status at `now`, for stages of `step`.
    pub fn status(&self, now: DateTime<Utc>, step: TimeDelta) -> RemediationStatus {
        self.stages(now, step).0
    }

    fn stages(
        &self,
        now: DateTime<Utc>,
        step: TimeDelta,
    ) -> (
        RemediationStatus,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    ) {
        let tier1 = self
            .created_at
            .checked_add_signed(step)
            .unwrap_or(self.created_at);
        let tier2 = tier1.checked_add_signed(step).unwrap_or(tier1);
        if now >= tier2 {
            (RemediationStatus::Completed, Some(tier1), Some(tier2))
        } else if now >= tier1 {
            (RemediationStatus::InProgress, Some(tier1), None)
        } else {
            (RemediationStatus::Pending, None, None)
        }
    }

    /// The request as it stands at `now`.
    pub fn view(&self, now: DateTime<Utc>, step: TimeDelta) -> Remediation {
        let (status, tier1, tier2) = self.stages(now, step);
        let results = match status {
            RemediationStatus::Pending => None,
            RemediationStatus::InProgress => Some(RemediationResults {
                ineligible: self.outcome.ineligible.clone(),
                ..RemediationResults::default()
            }),
            _ => Some(self.outcome.clone()),
        };
        Remediation {
            id: self.id,
            status,
            phone_numbers_count: self.phone_numbers_count,
            phone_numbers_submitted: self.submitted() as u64,
            phone_numbers_ineligible: self.outcome.ineligible.len() as u64,
            call_purpose: self.call_purpose.clone(),
            contact_email: self.contact_email.clone(),
            webhook_url: self.webhook_url.clone(),
            results,
            tier1_completed_at: tier1,
            tier2_completed_at: tier2,
            created_at: self.created_at,
            updated_at: tier2.or(tier1).unwrap_or(self.created_at),
        }
    }
}

/// The filters of the remediation list.
#[derive(Debug, Clone, Default)]
pub(crate) struct RemediationFilter {
    /// `filter[status]`.
    pub status: Option<RemediationStatus>,
    /// `filter[created_at][gte]`.
    pub created_gte: Option<DateTime<Utc>>,
    /// `filter[created_at][lte]`.
    pub created_lte: Option<DateTime<Utc>>,
}

fn invalid(pointer: impl Into<String>, detail: impl Into<String>) -> Refusal {
    Refusal::Invalid {
        pointer: pointer.into(),
        detail: detail.into(),
    }
}

/// `^\+[1-9][0-9]{9,14}$`, the pattern the API states for remediation numbers.
fn e164_pattern(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else {
        return false;
    };
    (10..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// Checks the body's schema (422 at the first field at fault).
fn check_body(body: &RemediationBody) -> Result<(&[String], &str), Refusal> {
    let numbers = body
        .phone_numbers
        .as_deref()
        .ok_or_else(|| invalid("/phone_numbers", "phone_numbers is required"))?;
    if numbers.is_empty() || numbers.len() > MAX_NUMBERS {
        return Err(invalid(
            "/phone_numbers",
            format!(
                "phone_numbers must hold 1 to {MAX_NUMBERS} numbers, got {}",
                numbers.len()
            ),
        ));
    }
    for (i, n) in numbers.iter().enumerate() {
        if !e164_pattern(n) {
            return Err(invalid(
                format!("/phone_numbers/{i}"),
                format!("{n:?} is not an E.164 number (^\\+[1-9][0-9]{{9,14}}$)"),
            ));
        }
        if numbers[..i].contains(n) {
            return Err(invalid(
                format!("/phone_numbers/{i}"),
                format!("{n} appears twice in the request"),
            ));
        }
    }
    let purpose = body
        .call_purpose
        .as_deref()
        .ok_or_else(|| invalid("/call_purpose", "call_purpose is required"))?;
    let chars = purpose.chars().count();
    if chars == 0 || chars > MAX_CALL_PURPOSE {
        return Err(invalid(
            "/call_purpose",
            format!("call_purpose must be 1 to {MAX_CALL_PURPOSE} characters, got {chars}"),
        ));
    }
    if let Some(email) = &body.contact_email {
        let ok = email.len() <= 255
            && email
                .split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        if !ok {
            return Err(invalid(
                "/contact_email",
                format!("{email:?} is not an email address"),
            ));
        }
    }
    if let Some(url) = &body.webhook_url {
        let ok = url.len() <= 2048
            && url
                .strip_prefix("https://")
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if !ok {
            return Err(invalid(
                "/webhook_url",
                format!("{url:?} is not an https:// URL"),
            ));
        }
    }
    Ok((numbers, purpose))
}

impl World {
    /// Submits a remediation request (billable per eligible number): 403 before approval,
    /// 422 for a body against the schema, 409 when a number has a request in flight.
    pub fn submit_remediation(
        &mut self,
        account: usize,
        enterprise_id: Uuid,
        body: &RemediationBody,
        now: DateTime<Utc>,
    ) -> Result<Remediation, Refusal> {
        self.require_approved(account, enterprise_id, now)?;
        let (numbers, purpose) = check_body(body)?;
        let step = self.remediation_step;
        let in_flight: Vec<(usize, String)> = numbers
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                E164::parse_strict(n)
                    .ok()
                    .and_then(|k| self.latest_remediation.get(&k))
                    .and_then(|i| self.remediations.get(*i))
                    .is_some_and(|r| r.status(now, step).in_flight())
            })
            .map(|(i, n)| (i, n.clone()))
            .collect();
        if !in_flight.is_empty() {
            return Err(Refusal::InFlight(in_flight));
        }
        let mut outcome = RemediationResults::default();
        let mut eligible = Vec::new();
        for n in numbers {
            let record = E164::parse_strict(n)
                .ok()
                .and_then(|k| self.associations.get(&k))
                .filter(|a| a.account == account && a.enterprise_id == enterprise_id);
            let Some(record) = record else {
                outcome.ineligible.push(n.clone());
                continue;
            };
            let risk = match &record.reputation {
                Some(data) => data.spam_risk,
                None => reputation_of(&record.phone_number, now).spam_risk,
            };
            let bucket = match risk {
                Some(SpamRisk::High) if record.seq % 7 == 0 => &mut outcome.refused,
                Some(SpamRisk::High | SpamRisk::Medium) => &mut outcome.remediated,
                Some(SpamRisk::Low) => &mut outcome.not_flagged,
                None => &mut outcome.requires_review,
            };
            bucket.push(n.clone());
            eligible.push(record.phone_number);
        }
        let (_, id) = self.next_record();
        let record = RemediationRecord {
            id,
            account,
            enterprise_id,
            phone_numbers_count: numbers.len() as u64,
            outcome,
            call_purpose: purpose.to_owned(),
            contact_email: body.contact_email.clone(),
            webhook_url: body.webhook_url.clone(),
            created_at: now,
        };
        let view = record.view(now, step);
        let at = self.remediations.len();
        self.remediations.push(record);
        for n in eligible {
            self.latest_remediation.insert(n, at);
        }
        self.billing.remediation = self
            .billing
            .remediation
            .saturating_add(view.phone_numbers_submitted);
        Ok(view)
    }

    /// One request of the enterprise, as it stands at `now`.
    pub fn remediation(
        &self,
        account: usize,
        enterprise_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Remediation, Refusal> {
        self.enterprise(account, enterprise_id)?;
        self.remediations
            .iter()
            .find(|r| r.id == id && r.account == account && r.enterprise_id == enterprise_id)
            .map(|r| r.view(now, self.remediation_step))
            .ok_or(Refusal::UnknownRemediation(id))
    }

    /// The enterprise's requests that pass the filter, in submission order, as they stand at
    /// `now`.
    pub(crate) fn remediations_matching(
        &self,
        account: usize,
        enterprise_id: Uuid,
        filter: &RemediationFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<Remediation>, Refusal> {
        self.enterprise(account, enterprise_id)?;
        Ok(self
            .remediations
            .iter()
            .filter(|r| r.account == account && r.enterprise_id == enterprise_id)
            .filter(|r| filter.created_gte.is_none_or(|t| r.created_at >= t))
            .filter(|r| filter.created_lte.is_none_or(|t| r.created_at <= t))
            .map(|r| r.view(now, self.remediation_step))
            .filter(|r| filter.status.is_none_or(|s| r.status == s))
            .collect())
    }
}
