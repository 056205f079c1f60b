//! Reconciliation: looking numbers up on the enterprise to learn what an uncertain request did,
//! and the ownership rule that says whose doing a found number is.

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use telnyx_e164::UsNumber;

use super::context::JobContext;
use crate::Error;
use crate::client::{AssociatedNumber, NumberPage, Page, Scope};

/// How far a server clock may lag ours when deciding that a record was created by this job.
const CLOCK_MARGIN: chrono::TimeDelta = chrono::TimeDelta::seconds(2);
/// Lookups in flight at once while reconciling one set.
const LOOKUP_CONCURRENCY: usize = 8;

/// Where a number was found when looked up on the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    Absent,
    /// Associated, created after the job started: this job's doing.
    Ours,
    /// Associated before the job started.
    Before,
}

/// The ownership rule: a record created after the job started (less the clock margin) is this
/// job's; one created before, or without a date, was there already. Server dates are compared,
/// never computed with, so no date the server sends can overflow.
pub(super) fn owner(created_at: Option<DateTime<Utc>>, started_at: DateTime<Utc>) -> Found {
    match created_at {
        Some(created) => {
            let since = started_at
                .checked_sub_signed(CLOCK_MARGIN)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            if created >= since {
                Found::Ours
            } else {
                Found::Before
            }
        }
        None => Found::Before,
    }
}

/// What one lookup page says about `number`.
pub(super) fn found_in(page: &NumberPage, number: UsNumber, started_at: DateTime<Utc>) -> Found {
    let record = page
        .data
        .iter()
        .find(|r| r.phone_number.as_deref() == Some(number.as_str()));
    match record {
        None => Found::Absent,
        Some(r) => {
            if r.created_at.is_none() {
                tracing::warn!(number = %number, "record without created_at; treated as associated before the job");
            }
            owner(r.created_at.as_ref().map(|c| **c), started_at)
        }
    }
}

/// The numbers of `sent` that an associate answer confirms, by a record naming each.
pub(super) fn confirmed_by(sent: &[UsNumber], created: &[AssociatedNumber]) -> Vec<bool> {
    let in_order = created.len() == sent.len()
        && created
            .iter()
            .zip(sent)
            .all(|(r, n)| r.phone_number.as_deref() == Some(n.as_str()));
    if in_order {
        return vec![true; sent.len()];
    }
    let mut named: Vec<&str> = created
        .iter()
        .filter_map(|r| r.phone_number.as_deref())
        .collect();
    named.sort_unstable();
    sent.iter()
        .map(|n| named.binary_search(&n.as_str()).is_ok())
        .collect()
}

/// Looks one number up on the job's enterprise. Every lookup of the engine goes through here.
///
/// A lookup is idempotent: the client's retry path tries it again until it succeeds, or until
/// the job's stall rule gives up on the server ([`Error::Stalled`]); any other failure is
/// returned.
pub(super) async fn look_up(ctx: &JobContext, number: UsNumber) -> Result<Found, Error> {
    ctx.count_request();
    let page = ctx
        .idempotent
        .list(
            Scope::Enterprise(ctx.enterprise),
            Page::new(1, 1),
            Some(number.as_e164()),
        )
        .await?;
    Ok(found_in(&page, number, ctx.started_at))
}

/// Looks every number up; `Err` when any lookup failed.
pub(super) async fn reconcile(
    ctx: &JobContext,
    numbers: &[UsNumber],
) -> Result<Vec<(UsNumber, Found)>, Error> {
    stream::iter(numbers.iter().copied())
        .map(|n| async move { look_up(ctx, n).await.map(|found| (n, found)) })
        .buffered(LOOKUP_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// Splits looked-up numbers into those found associated and those absent.
pub(super) fn split_found(found: &[(UsNumber, Found)]) -> (Vec<UsNumber>, Vec<UsNumber>) {
    let (present, absent): (Vec<_>, Vec<_>) = found.iter().partition(|(_, f)| *f != Found::Absent);
    (
        present.into_iter().map(|(n, _)| n).collect(),
        absent.into_iter().map(|(n, _)| n).collect(),
    )
}

#[cfg(test)]
mod tests;
