//! The billable operations the engine runs, each as two things: a send (what one request
//! carries and what its answer confirms) and a lookup (what the server shows a request did,
//! when its answer was lost). Everything else, batches, the journal, reconciliation and the
//! report, is the engine's and the same for all three.

use chrono::{DateTime, Utc};
use telnyx_e164::{Batch, UsNumber};
use uuid::Uuid;

use super::context::JobContext;
use super::journal::{OperationKind, RefusedNumber, SentWith};
use super::ops::RemediationTemplate;
use super::reconcile::{Found, confirmed_by, look_up};
use crate::Error;
use crate::remediation::RemediationSubmission;

/// A batched, billable operation, with what its requests say besides their numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Operation {
    /// `associateReputationNumbers`: atomic, at most 100 numbers; undone by a rollback.
    Associate,
    /// `refreshReputationNumbers`: per number, at most 100; billed per number refreshed.
    Refresh,
    /// `submitReputationRemediation`: at most 2,000; billed per number submitted.
    Remediate(RemediationTemplate),
}

/// What an answer said about the numbers of its request.
#[derive(Debug, Default)]
pub(super) struct Answered {
    /// Applied: associated, refreshed or submitted.
    pub done: Vec<UsNumber>,
    /// Refused one by one (a refresh's per-number failures).
    pub refused: Vec<RefusedNumber>,
    /// Sent, but the answer does not say: to be looked up.
    pub unconfirmed: Vec<UsNumber>,
    /// The remediation request that holds `done`.
    pub id: Option<Uuid>,
}

/// Why a send did not succeed.
pub(super) enum Sent {
    /// Not sent: the request could not be built; the rule it broke.
    Invalid(String),
    /// Sent, and the call failed.
    Failed(Error),
}

impl Operation {
    /// Its kind, as the journal writes it.
    pub fn kind(&self) -> OperationKind {
        match self {
            Operation::Associate => OperationKind::Associate,
            Operation::Refresh => OperationKind::Refresh,
            Operation::Remediate(_) => OperationKind::Remediation,
        }
    }

    /// The most numbers one request may carry.
    pub fn max_batch(&self) -> usize {
        match self {
            Operation::Associate | Operation::Refresh => Batch::MAX_SIZE,
            Operation::Remediate(_) => RemediationSubmission::MAX_NUMBERS,
        }
    }

    /// How many times, by default, numbers proved not applied may be sent again: once for an
    /// association, twice for a refresh or a remediation.
    pub fn default_resends(&self) -> u32 {
        match self {
            Operation::Associate => 1,
            Operation::Refresh | Operation::Remediate(_) => 2,
        }
    }

    /// Whether one request is applied whole or not at all (then a number found applied with
    /// others of its request missing was not applied by it).
    pub fn atomic(&self) -> bool {
        matches!(self, Operation::Associate)
    }

    /// A fresh marker for one request, when the operation carries one (a remediation's
    /// `call_purpose` does): how a lookup finds that very request again.
    pub fn new_marker(&self) -> Option<String> {
        match self {
            Operation::Remediate(_) => Some(format!("tr-{:016x}", fastrand::u64(..))),
            _ => None,
        }
    }

    /// What must hold before this run sends its first request of the operation: for a refresh,
    /// the clock gate ([`JobContext::refresh_gate`], `number` being the one it reads); nothing
    /// for the others.
    pub async fn before_sending(&self, ctx: &JobContext, number: UsNumber) -> Result<(), Error> {
        match self {
            Operation::Refresh => ctx.refresh_gate(number).await,
            Operation::Associate | Operation::Remediate(_) => Ok(()),
        }
    }

    /// Sends one request for `numbers` (with `marker`, for a remediation).
    pub async fn send(
        &self,
        ctx: &JobContext,
        numbers: &[UsNumber],
        marker: Option<&str>,
    ) -> Result<Answered, Sent> {
        let invalid = |rule: String| Sent::Invalid(rule);
        match self {
            Operation::Associate => {
                let request = Batch::new(numbers.to_vec()).map_err(|r| invalid(r.to_string()))?;
                ctx.count_request();
                let created = ctx
                    .client
                    .associate(ctx.enterprise, &request)
                    .await
                    .map_err(Sent::Failed)?;
                // The records' timestamps are readings of the server's clock.
                if let Some(latest) = created.iter().filter_map(|r| r.created_at).max() {
                    ctx.client.observe_server_time(latest);
                }
                let confirmed = confirmed_by(numbers, &created);
                let (done, unconfirmed) = split(numbers, &confirmed);
                Ok(Answered {
                    done,
                    unconfirmed,
                    ..Answered::default()
                })
            }
            Operation::Refresh => {
                let request = Batch::new(numbers.to_vec()).map_err(|r| invalid(r.to_string()))?;
                ctx.count_request();
                let answer = ctx
                    .client
                    .refresh(ctx.enterprise, &request)
                    .await
                    .map_err(Sent::Failed)?;
                Ok(super::ops::refresh::answered(numbers, &answer))
            }
            Operation::Remediate(template) => {
                let submission = template
                    .submission(numbers.iter().map(UsNumber::as_e164), marker)
                    .map_err(|e| invalid(e.to_string()))?;
                ctx.count_request();
                let request = ctx
                    .client
                    .submit_remediation(ctx.enterprise, &submission)
                    .await
                    .map_err(Sent::Failed)?;
                ctx.client.observe_server_time(request.created_at);
                Ok(Answered {
                    done: numbers.to_vec(),
                    id: Some(request.id),
                    ..Answered::default()
                })
            }
        }
    }

    /// What the server shows a request for `numbers` did: for each number, applied by this job
    /// (since `first`, the batch's first request), there from before, or not applied; with the
    /// remediation request's id when one was found. `this` is the request looked for (a
    /// remediation is found by its marker).
    pub async fn look_up(
        &self,
        ctx: &JobContext,
        numbers: &[UsNumber],
        first: &SentWith,
        this: &SentWith,
    ) -> Result<(Vec<(UsNumber, Found)>, Option<Uuid>), Error> {
        match self {
            Operation::Associate => {
                let found = super::reconcile::reconcile(ctx, numbers, first).await?;
                Ok((found, None))
            }
            Operation::Refresh => {
                let found = super::ops::refresh::look_up(ctx, numbers, first).await?;
                Ok((found, None))
            }
            Operation::Remediate(template) => {
                let Some(marker) = this.marker.as_deref() else {
                    return Err(Error::Protocol {
                        operation: "list_reputation_remediations",
                        detail: "the lost request carries no marker to find it by".into(),
                    });
                };
                let id = super::ops::remediate::find(ctx, template, numbers, first, marker).await?;
                let found = if id.is_some() {
                    Found::Ours
                } else {
                    Found::Absent
                };
                Ok((numbers.iter().map(|n| (*n, found)).collect(), id))
            }
        }
    }
}

/// The server's clock when `sent` was sent, a lower bound: as recorded, else from the
/// client's readings of the server's clock (an instant of ours converted), else from the job's
/// start when the request's own time is not known (a journal of before).
pub(super) fn floor_of(ctx: &JobContext, sent: &SentWith) -> Option<DateTime<Utc>> {
    sent.floor
        .or_else(|| ctx.client.server_time_at(sent.at.unwrap_or(ctx.started_at)))
}

/// Numbers split by a flag each: those flagged, and the others.
fn split(numbers: &[UsNumber], flags: &[bool]) -> (Vec<UsNumber>, Vec<UsNumber>) {
    let (yes, no): (Vec<_>, Vec<_>) = numbers.iter().zip(flags).partition(|(_, f)| **f);
    (
        yes.into_iter().map(|(n, _)| *n).collect(),
        no.into_iter().map(|(n, _)| *n).collect(),
    )
}

/// Looks one number up for a rollback or a disassociation: whether it is on the enterprise
/// and, if so, whether the job associated it (created since the job began, on the server's
/// clock).
pub(super) async fn look_up_one(ctx: &JobContext, n: UsNumber) -> Result<Found, Error> {
    let since = SentWith {
        at: Some(ctx.started_at),
        ..SentWith::default()
    };
    look_up(ctx, n, &since).await
}
