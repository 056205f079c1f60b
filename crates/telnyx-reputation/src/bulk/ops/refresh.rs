//! Bulk refresh: batches of at most 100, each number's outcome from the server's per-number
//! answer, and after an ambiguous outcome each number's `last_refreshed_at` read from a free
//! list page before anything is sent again.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use telnyx_e164::{Batch, UsNumber};
use uuid::Uuid;

use super::{Decided, NumberOutcome, NumberResult, OpsOptions, OpsReport, Plan, run};
use crate::client::{Client, Page, Scope};
use crate::error::Error;

impl Client {
    /// Refreshes every number of `plan` on the enterprise, in batches of at most 100.
    /// **Billable per number refreshed**: [`Plan::billable`] is the most it can bill. Not
    /// atomic and not undone: the report says, number by number, what happened.
    ///
    /// A batch whose outcome is ambiguous is not sent again blindly: each of its numbers'
    /// `last_refreshed_at` is read from a free list page (`filter[phone_number][eq]`); a number
    /// refreshed since the batch was sent is done, and only the others are sent again.
    pub async fn refresh_planned(
        &self,
        enterprise_id: Uuid,
        plan: Plan,
        options: &OpsOptions,
    ) -> OpsReport {
        let size = options.size_for(Batch::MAX_SIZE);
        run(plan, size, options, |numbers| {
            refresh_batch(self, enterprise_id, numbers, options.resends)
        })
        .await
    }

    /// [`Plan::new`] and [`Client::refresh_planned`] in one, with strict parsing.
    pub async fn refresh_all<I, S>(
        &self,
        enterprise_id: Uuid,
        inputs: I,
        options: &OpsOptions,
    ) -> OpsReport
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let plan = Plan::new(inputs, crate::bulk::Parsing::Strict);
        self.refresh_planned(enterprise_id, plan, options).await
    }
}

/// One batch, sent at most `1 + resends` times, each resend only of numbers proved not
/// refreshed.
async fn refresh_batch(
    client: &Client,
    enterprise_id: Uuid,
    mut pending: Vec<UsNumber>,
    resends: u32,
) -> Decided {
    let mut decided = Decided::default();
    let mut sends = 0u32;
    while !pending.is_empty() {
        let batch = match Batch::new(pending.clone()) {
            Ok(batch) => batch,
            Err(e) => {
                let detail = e.to_string();
                decided.results.extend(pending.drain(..).map(|n| {
                    let outcome = NumberOutcome::Refused {
                        code: "invalid_batch".into(),
                        detail: detail.clone(),
                    };
                    NumberResult::new(&n, outcome)
                }));
                break;
            }
        };
        // Timestamps may be written to the second: anything refreshed in or after the second
        // the batch was sent counts as this batch's refresh.
        let sent_at = Utc::now()
            .duration_trunc(TimeDelta::seconds(1))
            .unwrap_or_else(|_| Utc::now());
        decided.requests = decided.requests.saturating_add(1);
        sends = sends.saturating_add(1);
        match client.refresh(enterprise_id, &batch).await {
            Ok(answer) => {
                for n in pending.drain(..) {
                    let text = n.to_string();
                    let outcome = match answer.results.iter().find(|r| r.phone_number == text) {
                        Some(r) => match &r.outcome {
                            Ok(()) => NumberOutcome::Done,
                            Err(reason) => NumberOutcome::Refused {
                                code: "refresh_failed".into(),
                                detail: reason.clone(),
                            },
                        },
                        None => NumberOutcome::Unknown {
                            detail: "the server's answer did not mention this number".into(),
                        },
                    };
                    decided.results.push(NumberResult::new(&n, outcome));
                }
            }
            Err(e) if e.outcome_unknown() => {
                tracing::warn!(error = %e, numbers = pending.len(), "refresh outcome unknown; looking the numbers up");
                let mut again = Vec::new();
                for n in pending.drain(..) {
                    decided.lookups = decided.lookups.saturating_add(1);
                    match last_refreshed(client, enterprise_id, &n).await {
                        Ok(Some(at)) if at >= sent_at => {
                            decided
                                .results
                                .push(NumberResult::new(&n, NumberOutcome::Done));
                        }
                        Ok(_) if sends <= resends => again.push(n),
                        Ok(_) => {
                            let outcome = NumberOutcome::Failed {
                                detail: format!("not refreshed: {e}"),
                            };
                            decided.results.push(NumberResult::new(&n, outcome));
                        }
                        Err(lookup) => {
                            let outcome = NumberOutcome::Unknown {
                                detail: format!("{e}; the lookup failed too: {lookup}"),
                            };
                            decided.results.push(NumberResult::new(&n, outcome));
                        }
                    }
                }
                pending = again;
            }
            Err(e) => {
                let code = refusal_code(&e);
                let detail = e.to_string();
                decided.results.extend(pending.drain(..).map(|n| {
                    let outcome = NumberOutcome::Refused {
                        code: code.clone(),
                        detail: detail.clone(),
                    };
                    NumberResult::new(&n, outcome)
                }));
            }
        }
    }
    decided
}

/// The number's `last_refreshed_at`, from a list page filtered to it (free, unlike a read).
async fn last_refreshed(
    client: &Client,
    enterprise_id: Uuid,
    number: &UsNumber,
) -> Result<Option<DateTime<Utc>>, Error> {
    let page = client
        .list(
            Scope::Enterprise(enterprise_id),
            Page::new(1, 1),
            Some(number.as_e164()),
        )
        .await?;
    Ok(page
        .data
        .iter()
        .find_map(|r| r.reputation_data.as_ref())
        .and_then(|d| d.last_refreshed_at.as_ref())
        .map(|t| t.0))
}

/// The code a refusal is reported with: the server's, else the HTTP status, else the kind.
pub(super) fn refusal_code(e: &Error) -> String {
    e.api()
        .and_then(|a| a.code())
        .map(str::to_owned)
        .or_else(|| e.status().map(|s| s.to_string()))
        .unwrap_or_else(|| "error".into())
}
