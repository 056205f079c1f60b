//! Bulk remediation: batches of at most 2,000, a 409's in-flight numbers reported and never sent
//! again, and after an ambiguous outcome the requests created since the job began listed before
//! anything is sent again.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use telnyx_e164::UsNumber;
use tokio::sync::RwLock;
use uuid::Uuid;

use super::refresh::refusal_code;
use super::{Decided, NumberOutcome, NumberResult, OpsOptions, OpsReport, Plan, run};
use crate::bulk::refusal::pointed_index;
use crate::client::{Client, Page};
use crate::error::Error;
use crate::filter::InvalidInput;
use crate::remediation::{RemediationFilter, RemediationSubmission};

/// What every request of a bulk remediation says besides its numbers: the call purpose and,
/// optionally, a contact email and an https webhook, checked as the API checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemediationTemplate {
    call_purpose: String,
    contact_email: Option<String>,
    webhook_url: Option<String>,
}

impl RemediationTemplate {
    /// Requests used as `call_purpose` says (1–2,000 characters), or why the API would refuse
    /// it.
    pub fn new(call_purpose: &str) -> Result<RemediationTemplate, InvalidInput> {
        let template = RemediationTemplate {
            call_purpose: call_purpose.to_owned(),
            contact_email: None,
            webhook_url: None,
        };
        template.probe()?;
        Ok(template)
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

    /// The request for `numbers`.
    fn submission(
        &self,
        numbers: impl IntoIterator<Item = telnyx_e164::E164>,
    ) -> Result<RemediationSubmission, InvalidInput> {
        let mut s = RemediationSubmission::new(numbers, &self.call_purpose)?;
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
        self.submission(probe).map(drop)
    }
}

/// What the batches of one job share: when it began, the requests it knows are its own, how
/// many batches of each size await a lookup, and a lock that keeps new submissions out while
/// one is looked up.
struct Shared {
    began: DateTime<Utc>,
    claimed: Mutex<HashSet<Uuid>>,
    unresolved: Mutex<HashMap<usize, usize>>,
    sending: RwLock<()>,
}

impl Shared {
    fn claim(&self, id: Uuid) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id)
    }

    /// Counts a batch of `count` numbers whose outcome is unknown.
    fn register(&self, count: usize) {
        let mut map = self.unresolved.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(count).or_insert(0);
        *entry = entry.saturating_add(1);
    }

    /// Takes one batch of `count` off the unresolved ones; returns how many there were.
    fn resolve(&self, count: usize) -> usize {
        let mut map = self.unresolved.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(count).or_insert(0);
        let before = *entry;
        *entry = entry.saturating_sub(1);
        before
    }
}

impl Client {
    /// Submits every number of `plan` for remediation on the enterprise, in requests of at
    /// most 2,000. **Billable per number submitted**: [`Plan::billable`] is the most it can
    /// bill. Not undone: a submitted request stays submitted.
    ///
    /// A 409 names the numbers already in flight: they are reported
    /// [`NumberOutcome::InFlight`] and never sent again, and the rest of that request is sent
    /// without them. After an ambiguous outcome no request is sent until the requests created
    /// since the job began are listed: one with the batch's purpose and count that no other
    /// batch of the job claims is the batch's, and only otherwise is the batch sent again.
    pub async fn remediate_planned(
        &self,
        enterprise_id: Uuid,
        plan: Plan,
        template: &RemediationTemplate,
        options: &OpsOptions,
    ) -> OpsReport {
        let size = options.size_for(RemediationSubmission::MAX_NUMBERS);
        let shared = Shared {
            // The server's created-at may be written to the second.
            began: Utc::now()
                .duration_trunc(TimeDelta::seconds(1))
                .unwrap_or_else(|_| Utc::now()),
            claimed: Mutex::new(HashSet::new()),
            unresolved: Mutex::new(HashMap::new()),
            sending: RwLock::new(()),
        };
        let shared = &shared;
        run(plan, size, options, |numbers| async move {
            remediate_batch(
                self,
                enterprise_id,
                template,
                shared,
                numbers,
                options.resends,
            )
            .await
        })
        .await
    }
}

async fn remediate_batch(
    client: &Client,
    enterprise_id: Uuid,
    template: &RemediationTemplate,
    shared: &Shared,
    mut pending: Vec<UsNumber>,
    resends: u32,
) -> Decided {
    let mut decided = Decided::default();
    let mut unproved_sends = 0u32;
    while !pending.is_empty() {
        let submission = match template.submission(pending.iter().map(UsNumber::as_e164)) {
            Ok(s) => s,
            Err(e) => {
                refuse_all(&mut decided, &mut pending, "invalid", &e.to_string());
                break;
            }
        };
        decided.requests = decided.requests.saturating_add(1);
        let answer = {
            let _sending = shared.sending.read().await;
            let answer = client.submit_remediation(enterprise_id, &submission).await;
            // Counted before the lock is let go, so a lookup that starts next knows of it.
            if answer.as_ref().is_err_and(Error::outcome_unknown) {
                shared.register(pending.len());
            }
            answer
        };
        match answer {
            Ok(request) => {
                shared.claim(request.id);
                finish(&mut decided, &mut pending, request.id);
            }
            Err(e) if e.status() == Some(409) => {
                let named: HashSet<usize> = e
                    .api()
                    .map(|a| a.errors.iter().filter_map(pointed_index).collect())
                    .unwrap_or_default();
                if named.is_empty() {
                    let detail = e.to_string();
                    decided.results.extend(pending.drain(..).map(|n| {
                        let outcome = NumberOutcome::InFlight {
                            detail: detail.clone(),
                        };
                        NumberResult::new(&n, outcome)
                    }));
                    break;
                }
                let mut rest = Vec::new();
                for (i, n) in pending.drain(..).enumerate() {
                    if named.contains(&i) {
                        let outcome = NumberOutcome::InFlight {
                            detail: format!("{n} already has a remediation request in flight"),
                        };
                        decided.results.push(NumberResult::new(&n, outcome));
                    } else {
                        rest.push(n);
                    }
                }
                // The 409 refused the request as a whole: the rest was not submitted.
                pending = rest;
            }
            Err(e) if e.outcome_unknown() => {
                tracing::warn!(error = %e, numbers = pending.len(), "remediation outcome unknown; listing the job's requests");
                // No submission of the job is in flight while this one is looked up, so every
                // unclaimed request with this purpose and count is one whose answer was lost:
                // as many as there are such batches, and each is one of them; none, and none
                // was applied; fewer, and which ones cannot be told.
                let _alone = shared.sending.write().await;
                let unresolved = shared.resolve(pending.len());
                decided.lookups = decided.lookups.saturating_add(1);
                let found = find_lost(client, enterprise_id, template, shared, pending.len()).await;
                match found {
                    Ok(lost) if lost.len() >= unresolved.max(1) => {
                        if let Some(&id) = lost.first() {
                            shared.claim(id);
                            finish(&mut decided, &mut pending, id);
                        }
                    }
                    Ok(lost) if !lost.is_empty() => {
                        let detail = format!(
                            "{e}; {} of {unresolved} such requests of this job were applied, and which cannot be told",
                            lost.len()
                        );
                        decided.results.extend(pending.drain(..).map(|n| {
                            NumberResult::new(
                                &n,
                                NumberOutcome::Unknown {
                                    detail: detail.clone(),
                                },
                            )
                        }));
                    }
                    Ok(_) if unproved_sends < resends => {
                        unproved_sends = unproved_sends.saturating_add(1);
                    }
                    Ok(_) => {
                        let detail = format!("not submitted: {e}");
                        decided.results.extend(pending.drain(..).map(|n| {
                            NumberResult::new(
                                &n,
                                NumberOutcome::Failed {
                                    detail: detail.clone(),
                                },
                            )
                        }));
                    }
                    Err(lookup) => {
                        let detail = format!("{e}; the lookup failed too: {lookup}");
                        decided.results.extend(pending.drain(..).map(|n| {
                            NumberResult::new(
                                &n,
                                NumberOutcome::Unknown {
                                    detail: detail.clone(),
                                },
                            )
                        }));
                    }
                }
            }
            Err(e) => {
                let code = refusal_code(&e);
                refuse_all(&mut decided, &mut pending, &code, &e.to_string());
            }
        }
    }
    decided
}

/// Every pending number done, in request `id`.
fn finish(decided: &mut Decided, pending: &mut Vec<UsNumber>, id: Uuid) {
    decided
        .results
        .extend(pending.drain(..).map(|n| NumberResult {
            remediation_id: Some(id),
            ..NumberResult::new(&n, NumberOutcome::Done)
        }));
}

fn refuse_all(decided: &mut Decided, pending: &mut Vec<UsNumber>, code: &str, detail: &str) {
    decided.results.extend(pending.drain(..).map(|n| {
        let outcome = NumberOutcome::Refused {
            code: code.to_owned(),
            detail: detail.to_owned(),
        };
        NumberResult::new(&n, outcome)
    }));
}

/// The most pages of requests a lookup reads.
const LOOKUP_PAGES: u64 = 40;

/// The requests created since the job began, with the template's purpose and `count` numbers,
/// that no batch of the job has claimed.
async fn find_lost(
    client: &Client,
    enterprise_id: Uuid,
    template: &RemediationTemplate,
    shared: &Shared,
    count: usize,
) -> Result<Vec<Uuid>, Error> {
    let mut lost = Vec::new();
    let filter = RemediationFilter {
        created_from: Some(shared.began),
        ..RemediationFilter::default()
    };
    for number in 1..=LOOKUP_PAGES {
        let page = client
            .remediations(enterprise_id, Page::new(number, Page::MAX_SIZE), filter)
            .await?;
        let last = (page.data.len() as u64) < Page::MAX_SIZE;
        for request in &page.data {
            let purpose: &str = request.call_purpose.as_ref();
            let claimed = shared
                .claimed
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains(&request.id);
            if purpose == template.call_purpose
                && usize::try_from(request.phone_numbers_count).ok() == Some(count)
                && !claimed
            {
                lost.push(request.id);
            }
        }
        if last {
            break;
        }
    }
    Ok(lost)
}
