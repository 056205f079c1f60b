//! Bulk refresh on the engine: what a refresh answer confirms, number by number, and how a
//! refresh whose answer was lost is looked up: each number's `last_refreshed_at`, read from a
//! free list page (`filter[phone_number][eq]`, never a billable read), against the server's
//! clock when the job first sent it.

use futures::{StreamExt, stream};
use telnyx_e164::UsNumber;
use uuid::Uuid;

use super::{Plan, prepare};
use crate::bulk::context::JobContext;
use crate::bulk::journal::{RefusedNumber, SentWith};
use crate::bulk::operation::{Answered, Operation};
use crate::bulk::reconcile::{Found, LOOKUP_CONCURRENCY, lookup_page};
use crate::bulk::{BulkError, BulkOptions, JobReport, PreparedJob};
use crate::client::Client;
use crate::error::Error;
use crate::refresh::RefreshReport;

impl Client {
    /// Prepares a bulk refresh of every number of `plan` on the enterprise, in batches of at
    /// most 100, on the bulk engine: nothing is sent until [`PreparedJob::run`]. Always best effort.
    pub fn prepare_refresh(
        &self,
        enterprise_id: Uuid,
        plan: Plan,
        options: &BulkOptions,
    ) -> PreparedJob {
        prepare(self, enterprise_id, plan, options, Operation::Refresh)
    }

    /// Refreshes every number of `plan` on the enterprise, in batches of at most 100.
    /// **Billable per number refreshed**: [`Plan::billable`] is the most it can bill. Not
    /// atomic and not undone: the report says, number by number, what happened.
    ///
    /// A batch whose outcome is ambiguous is not sent again blindly: once the request timeout
    /// has passed, each number's `last_refreshed_at` is read from a free list page; a number
    /// refreshed since the job first sent it (on the server's clock) is done, and only numbers
    /// two such lookups agree were not refreshed are sent again. The server's clock is known to
    /// the second, so each run reads it once (a free list page) and waits a second before its
    /// first request: a refresh from before the run is never taken for the job's. With
    /// [`BulkOptions::journal`], a killed job is finished by
    /// [`Client::resume_job`](crate::Client::resume_job) without billing a number twice.
    ///
    /// `Err` only when the journal could not be written.
    pub async fn refresh_planned(
        &self,
        enterprise_id: Uuid,
        plan: Plan,
        options: &BulkOptions,
    ) -> Result<JobReport, BulkError> {
        self.prepare_refresh(enterprise_id, plan, options)
            .run()
            .await
    }

    /// [`Plan::new`] and [`Client::refresh_planned`] in one, with strict parsing.
    pub async fn refresh_all<I, S>(
        &self,
        enterprise_id: Uuid,
        inputs: I,
        options: &BulkOptions,
    ) -> Result<JobReport, BulkError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let plan = Plan::new(inputs, crate::bulk::Parsing::Strict);
        self.refresh_planned(enterprise_id, plan, options).await
    }
}

/// What a refresh answer says about the numbers sent: refreshed, failed (refused, with the
/// server's reason), or not mentioned (to be looked up).
pub(in crate::bulk) fn answered(numbers: &[UsNumber], answer: &RefreshReport) -> Answered {
    let mut out = Answered::default();
    for n in numbers {
        match answer.results.iter().find(|r| r.phone_number == n.as_str()) {
            Some(r) => match &r.outcome {
                Ok(()) => out.done.push(*n),
                Err(reason) => out.refused.push(RefusedNumber {
                    number: *n,
                    code: "refresh_failed".into(),
                    detail: reason.clone(),
                }),
            },
            None => out.unconfirmed.push(*n),
        }
    }
    out
}

/// Whether each number was refreshed since the job first sent it (`first`), by its
/// `last_refreshed_at` against the server's clock when it was sent (the floor recorded with
/// the request). Without that floor nothing can be told, and that is an error (the numbers
/// stay undecided, never resent).
pub(in crate::bulk) async fn look_up(
    ctx: &JobContext,
    numbers: &[UsNumber],
    first: &SentWith,
) -> Result<Vec<(UsNumber, Found)>, Error> {
    let refreshed = stream::iter(numbers.iter().copied())
        .map(|n| async move { last_refreshed(ctx, n).await.map(|at| (n, at)) })
        .buffered(LOOKUP_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, Error>>()?;
    // Only the floor recorded when the request was sent: it was taken after the run's clock
    // gate (`JobContext::refresh_gate`), so a refresh stamped at or after it is the job's. A
    // floor worked out now, or none, could let an earlier refresh pass for the job's.
    let Some(floor) = first.floor else {
        return Err(Error::Protocol {
            operation: "list_reputation_numbers",
            detail: "the server's clock was not known when the refresh was sent: cannot tell whether it was applied".into(),
        });
    };
    Ok(refreshed
        .into_iter()
        .map(|(n, at)| {
            let found = if at.is_some_and(|at| at >= floor) {
                Found::Ours
            } else {
                Found::Absent
            };
            (n, found)
        })
        .collect())
}

/// The number's `last_refreshed_at`, from a list page filtered to it (free, unlike a read).
async fn last_refreshed(
    ctx: &JobContext,
    number: UsNumber,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Error> {
    let page = lookup_page(ctx, number).await?;
    Ok(page
        .data
        .iter()
        .filter(|r| r.phone_number == number)
        .find_map(|r| r.reputation_data.as_ref())
        .and_then(|d| d.last_refreshed_at))
}
