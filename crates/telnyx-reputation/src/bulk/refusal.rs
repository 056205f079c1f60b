//! Refusals (400/422) of an associate: which numbers the server refused (its `source.pointer`,
//! else bisection in best effort), and which of them were merely on this enterprise already.
//!
//! A number refused as already associated is the job's own when the job sent it before and
//! the server dates its record at or after the job first sent it (a resend whose earlier
//! request was applied after all): it is committed, and a rollback undoes it. On a first send
//! it can only have been there from before.
//!
//! A read may lag: a number another run associated a moment ago may not show yet, while the
//! server already refuses it as associated. In all-or-nothing mode, where a refusal ends the
//! job and undoes its billed work, a number that the lookup after a first send does not find
//! is looked up again one request timeout later (the lag a proof allows too), with new sends
//! held back meanwhile; only a number that both lookups miss is refused. A genuine refusal is
//! reported that much later. In best-effort mode a refusal costs no other number's work, and
//! one lookup decides.

use std::collections::{BTreeMap, BTreeSet};

use telnyx_e164::UsNumber;

use super::context::JobContext;
use super::journal::{JournalError, RefusedNumber, SentWith};
use super::proof::{Seen, prove};
use super::reconcile::{Found, reconcile};
use super::tally::{Step, Tally, already, commit, fail, next_send, record_refused};
use super::{FailureReason, Mode};
use crate::{ApiErrorEntry, Error};

/// The code a refusal is reported with: the server's, else the HTTP status, else the kind.
pub(super) fn refusal_code(e: &Error) -> String {
    e.api()
        .and_then(|a| a.code())
        .map(str::to_owned)
        .or_else(|| e.status().map(|s| s.to_string()))
        .unwrap_or_else(|| "error".into())
}

/// The input index that an error's `source.pointer` names, if any.
pub(super) fn pointed_index(error: &ApiErrorEntry) -> Option<usize> {
    let pointer = error.pointer.as_deref()?;
    let rest = pointer
        .strip_prefix("/phone_numbers/")
        .or_else(|| pointer.strip_prefix("/body/phone_numbers/"))?;
    rest.parse().ok()
}

/// The refusal of one number, from the error naming it or, failing that, the whole answer.
fn refusal_of(number: UsNumber, error: Option<&ApiErrorEntry>, fallback: &Error) -> RefusedNumber {
    match error {
        Some(e) => RefusedNumber {
            number,
            code: e.code.clone(),
            detail: if e.detail.is_empty() {
                e.title.clone()
            } else {
                e.detail.clone()
            },
        },
        None => RefusedNumber {
            number,
            code: fallback
                .api()
                .and_then(|a| a.code().map(str::to_owned))
                .unwrap_or_else(|| fallback.status().map(|s| s.to_string()).unwrap_or_default()),
            detail: fallback.to_string(),
        },
    }
}

/// A 400/422 refusal: find the offending numbers (pointer, else lookups, else bisection), count
/// the ones already on this enterprise as done (or as the job's, after a resend), and decide
/// what to send next. `sends` is how many times the set was sent before this request.
#[allow(clippy::too_many_arguments)]
pub(super) async fn handle_refusal(
    ctx: &JobContext,
    batch: u64,
    first: &SentWith,
    set: Vec<UsNumber>,
    sends: u32,
    error: &Error,
    work: &mut Vec<Step>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    let errors = error.api().map(|a| a.errors.as_slice()).unwrap_or_default();
    let mut pointed: BTreeMap<usize, &ApiErrorEntry> = BTreeMap::new();
    for e in errors {
        if let Some(i) = pointed_index(e).filter(|i| *i < set.len()) {
            pointed.entry(i).or_insert(e);
        }
    }
    if pointed.is_empty() && set.len() > 1 && ctx.mode == Mode::BestEffort {
        // Bisection: a bad number costs about 2·log2(batch) extra requests, not its batch;
        // lookups happen only once a single number is left.
        let (left, right) = set.split_at(set.len() / 2);
        work.push(next_send(right.to_vec(), sends));
        work.push(next_send(left.to_vec(), sends));
        return Ok(());
    }
    let candidates: Vec<UsNumber> = if pointed.is_empty() {
        set.clone()
    } else {
        pointed.keys().map(|i| set[*i]).collect()
    };
    // All-or-nothing: the refusal may end the job and undo its billed work, so no other batch
    // adds to that work while this one makes sure of it.
    let _held = (ctx.mode == Mode::AllOrNothing).then(|| ctx.hold_sends());
    // Numbers already associated with this enterprise are done, not errors. After a resend, a
    // number not seen applied may be the earlier request's, seen late; after a first send in
    // all-or-nothing mode, a number not seen at all may be another run's, seen late: each is
    // looked up twice.
    let looked = if sends == 0 && ctx.mode == Mode::BestEffort {
        reconcile(ctx, &candidates, first).await
    } else {
        let seen = if sends == 0 {
            Seen::Present
        } else {
            Seen::Applied
        };
        prove(ctx, &candidates, first, first, false, seen)
            .await
            .map(|proof| proof.found)
    };
    let found = match looked {
        Ok(found) => found,
        Err(e) => {
            let reason = FailureReason::RefusedUnchecked {
                status: e.status(),
                detail: e.to_string(),
            };
            return fail(ctx, batch, set, reason, tally);
        }
    };
    let here: BTreeSet<UsNumber> = found
        .iter()
        .filter(|(_, f)| *f != Found::Absent)
        .map(|(n, _)| *n)
        .collect();
    let (ours, before): (Vec<_>, Vec<_>) = found
        .iter()
        .copied()
        .filter(|(_, f)| *f != Found::Absent)
        .partition(|(_, f)| sends > 0 && *f == Found::Ours);
    if !ours.is_empty() {
        commit(
            ctx,
            batch,
            ours.into_iter().map(|(n, _)| n).collect(),
            None,
            tally,
        )?;
    }
    if !before.is_empty() {
        already(
            ctx,
            batch,
            before.into_iter().map(|(n, _)| n).collect(),
            tally,
        )?;
    }

    if !pointed.is_empty() {
        let refused: Vec<RefusedNumber> = pointed
            .iter()
            .filter(|(i, _)| !here.contains(&set[**i]))
            .map(|(i, e)| refusal_of(set[*i], Some(e), error))
            .collect();
        let rest: Vec<UsNumber> = set
            .iter()
            .enumerate()
            .filter(|(i, _)| !pointed.contains_key(i))
            .map(|(_, n)| *n)
            .collect();
        record_refused(ctx, batch, refused, tally)?;
        if ctx.mode == Mode::AllOrNothing && !tally.refused.is_empty() {
            ctx.halt();
            tally.not_sent += rest.len() as u64;
        } else {
            work.push(next_send(rest, sends));
        }
        return Ok(());
    }

    // No pointer: the server refused the set without saying which number.
    let remaining: Vec<UsNumber> = set.iter().copied().filter(|n| !here.contains(n)).collect();
    if !here.is_empty() {
        work.push(next_send(remaining, sends));
    } else if remaining.len() == 1 {
        record_refused(
            ctx,
            batch,
            vec![refusal_of(remaining[0], errors.first(), error)],
            tally,
        )?;
    } else {
        // All-or-nothing: the job fails anyway; finding the culprit would mean billable probes.
        let refused = remaining
            .iter()
            .map(|n| {
                let mut r = refusal_of(*n, errors.first(), error);
                r.detail = format!(
                    "refused with its batch (the server named no number): {}",
                    r.detail
                );
                r
            })
            .collect();
        record_refused(ctx, batch, refused, tally)?;
        ctx.halt();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_at(pointer: &str) -> ApiErrorEntry {
        ApiErrorEntry {
            code: "x".into(),
            title: "t".into(),
            pointer: Some(pointer.into()),
            url: "https://developers.telnyx.com/docs/overview/errors/10005".into(),
            ..ApiErrorEntry::default()
        }
    }

    #[test]
    fn pointers_name_the_offending_index() {
        assert_eq!(pointed_index(&error_at("/phone_numbers/7")), Some(7));
        assert_eq!(pointed_index(&error_at("/body/phone_numbers/0")), Some(0));
        assert_eq!(pointed_index(&error_at("/body/enterprise_id")), None);
        assert_eq!(pointed_index(&error_at("/phone_numbers/x")), None);
        assert_eq!(pointed_index(&error_at("/phone_numbers/-1")), None);
    }

    #[test]
    fn a_refusal_without_an_error_object_takes_the_answers_status() {
        let fallback = Error::Protocol {
            operation: "AssociateReputationNumbers",
            detail: "bad".into(),
        };
        let n: UsNumber = "+12015550100".parse().unwrap();
        let r = refusal_of(n, None, &fallback);
        assert_eq!((r.number, r.code.as_str()), (n, ""));
        let r = refusal_of(n, Some(&error_at("/phone_numbers/0")), &fallback);
        assert_eq!((r.code.as_str(), r.detail.as_str()), ("x", "t"));
    }
}
