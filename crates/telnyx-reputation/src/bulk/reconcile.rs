//! Reconciliation of associations: looking numbers up on the enterprise to learn what an
//! uncertain request did, and the ownership rule that says whose doing a found number is.
//!
//! Ownership is judged on the server's clock, never ours: a record created at or after the
//! server's time when the job first sent the number (a lower bound, see
//! [`floor_of`](super::operation::floor_of)) is this job's; one created before was there
//! already.
//!
//! Unlike a refresh, no run waits out the looseness of that bound: at a run's start it is
//! known only from a `Date` header, so it can be most of a second early, but nothing creates an
//! association on its own, so a record created in that second can only be another client's,
//! racing the job for the same number, which no lookup tells apart from the job's own.

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use telnyx_e164::UsNumber;

use super::context::JobContext;
use super::journal::SentWith;
use super::operation::floor_of;
use crate::Error;
use crate::client::{Page, Scope};
use crate::record::{AssociatedNumber, NumberPage};

/// Lookups in flight at once while reconciling one set.
pub(super) const LOOKUP_CONCURRENCY: usize = 8;

/// Where a number was found when looked up on the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// Not there, or (refresh, remediation) not applied.
    Absent,
    /// Applied by this job: associated (created) or refreshed since the job sent it, or in
    /// the remediation request the job sent.
    Ours,
    /// Associated before the job sent it.
    Before,
}

/// The ownership rule: a record created at or after `floor` (the server's clock when the job
/// first sent the number, a lower bound) is this job's; one created before, or without a date,
/// or when the server's clock is not known at all, was there already. Server dates are
/// compared, never computed with, so no date the server sends can overflow.
pub(super) fn owner(created_at: Option<DateTime<Utc>>, floor: Option<DateTime<Utc>>) -> Found {
    match (created_at, floor) {
        (Some(created), Some(floor)) if created >= floor => Found::Ours,
        _ => Found::Before,
    }
}

/// What one lookup page says about `number`, against the server-clock `floor`.
pub(super) fn found_in(page: &NumberPage, number: UsNumber, floor: Option<DateTime<Utc>>) -> Found {
    let record = page.data.iter().find(|r| r.phone_number == number);
    match record {
        None => Found::Absent,
        Some(r) => {
            if r.created_at.is_none() {
                tracing::warn!(number = %number, "record without created_at; treated as associated before the job");
            }
            owner(r.created_at, floor)
        }
    }
}

/// The numbers of `sent` that an associate answer confirms, by a record naming each.
pub(super) fn confirmed_by(sent: &[UsNumber], created: &[AssociatedNumber]) -> Vec<bool> {
    let in_order =
        created.len() == sent.len() && created.iter().zip(sent).all(|(r, n)| r.phone_number == *n);
    if in_order {
        return vec![true; sent.len()];
    }
    let mut named: Vec<UsNumber> = created.iter().map(|r| r.phone_number).collect();
    named.sort_unstable();
    sent.iter()
        .map(|n| named.binary_search(n).is_ok())
        .collect()
}

/// Looks one number up on the job's enterprise. Every lookup of an association goes through
/// here; `first` is how the job first sent it.
///
/// A lookup is idempotent: the client's retry path tries it again until it succeeds, or until
/// the job's stall rule gives up on the server ([`Error::Stalled`]); any other failure is
/// returned.
pub(super) async fn look_up(
    ctx: &JobContext,
    number: UsNumber,
    first: &SentWith,
) -> Result<Found, Error> {
    let page = lookup_page(ctx, number).await?;
    // Judged after the answer: its `Date` is one more reading of the server's clock.
    Ok(found_in(&page, number, floor_of(ctx, first)))
}

/// The one-row page of the job enterprise's list filtered to `number` (free, unlike a read),
/// counted as a lookup. Every lookup of a number, whatever the operation, asks for this page.
pub(super) async fn lookup_page(ctx: &JobContext, number: UsNumber) -> Result<NumberPage, Error> {
    ctx.count_lookup();
    ctx.idempotent
        .list(
            Scope::Enterprise(ctx.enterprise),
            Page::new(1, 1),
            Some(number.as_e164()),
        )
        .await
}

/// Looks every number up; `Err` when any lookup failed.
pub(super) async fn reconcile(
    ctx: &JobContext,
    numbers: &[UsNumber],
    first: &SentWith,
) -> Result<Vec<(UsNumber, Found)>, Error> {
    stream::iter(numbers.iter().copied())
        .map(|n| async move { look_up(ctx, n, first).await.map(|found| (n, found)) })
        .buffered(LOOKUP_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests;
