//! Recovery from a journal: what a resume still has to do, whether it must roll back instead,
//! and the report a journal alone can give.

use std::path::Path;

use super::Mode;
use super::finish::{failures, refusal};
use super::job_report::{JobReport, Outcome};
use super::journal::{Endpoint, Header, JournalError, Replay, refuse_if_held};
use super::tally::{Step, Work};

/// The job's header, which every readable journal has, once it is known that `client` may
/// continue the job: no other process holds the journal (it would be running the job now), and
/// the journal's endpoint is the client's (its base URL and API key).
pub(super) fn header(
    client: &crate::Client,
    path: &Path,
    replay: &Replay,
) -> Result<Header, JournalError> {
    refuse_if_held(path)?;
    let header = replay.header.clone().ok_or_else(|| JournalError::Format {
        path: path.to_owned(),
        line: 1,
        reason: "no job header".into(),
    })?;
    let theirs = Endpoint::of(client);
    if !header.endpoint.admits(&theirs) {
        return Err(JournalError::OtherEndpoint {
            path: path.to_owned(),
            journal: header.endpoint,
            client: theirs,
        });
    }
    Ok(header)
}

/// Whether a resume must undo the job rather than complete it: a rollback began, or an
/// all-or-nothing job already has a refusal or an undecided number.
pub(super) fn must_roll_back(header: &Header, replay: &Replay) -> bool {
    replay.rollback_started
        || (header.mode == Mode::AllOrNothing
            && (!replay.refused.is_empty() || !replay.failed.is_empty()))
}

/// The work of a resume, batch by batch: numbers in flight when the job stopped are looked up
/// first (as their request was sent), then the numbers never sent are sent.
pub(super) fn resume_work(replay: &Replay) -> Vec<Work> {
    let mut work = Vec::new();
    for (batch, numbers) in &replay.plan {
        let in_flight: Vec<_> = numbers
            .iter()
            .filter(|n| replay.in_flight.contains(*n))
            .copied()
            .collect();
        if !in_flight.is_empty() {
            let sent = replay.last_sent.get(batch).cloned().unwrap_or_default();
            work.push(Work {
                batch: *batch,
                first: replay.first_sent.get(batch).cloned(),
                step: Step::LookUp(in_flight, sent),
            });
        }
    }
    work.extend(replay.unsent().into_iter().map(|(batch, numbers)| Work {
        batch,
        first: replay.first_sent.get(&batch).cloned(),
        step: Step::Send(numbers),
    }));
    work
}

/// A report rebuilt from a journal alone.
pub(super) fn report_from_replay(header: &Header, replay: &Replay) -> JobReport {
    let mut report = JobReport::blank(
        header.job_id,
        header.enterprise_id,
        header.mode,
        header.inputs,
        header.valid,
    );
    report.outcome = replay.finished.unwrap_or(Outcome::Failed);
    report.operation = replay.operation;
    report.remediation_ids = replay.remediation_ids.clone();
    report.associated = replay.ours.iter().copied().collect();
    report.already_associated = replay.already.iter().copied().collect();
    report.refused = replay.refused.values().map(refusal).collect();
    // Each number once: a number the journal decided twice (failed, then found there or undone)
    // counts by its later decision.
    let failed = replay
        .failed
        .iter()
        .filter(|(n, _)| {
            !replay.ours.contains(*n)
                && !replay.already.contains(*n)
                && !replay.refused.contains_key(*n)
                && !replay.disassociated.contains(*n)
        })
        .map(|(n, reason)| (*n, reason.clone()))
        .collect();
    report.failed = failures(failed);
    report.rolled_back = replay.disassociated.len() as u64;
    // The valid numbers no line decides were never associated: never sent (a plan cut short
    // by a kill sent nothing), or, once the job finished, in flight and found not applied. The
    // in-flight numbers of an unfinished job are left for its rollback to settle.
    let in_flight = if replay.finished.is_some() {
        0
    } else {
        replay
            .in_flight
            .iter()
            .filter(|n| {
                !replay.ours.contains(*n)
                    && !replay.already.contains(*n)
                    && !replay.refused.contains_key(*n)
                    && !replay.failed.contains_key(*n)
                    && !replay.disassociated.contains(*n)
            })
            .count()
    };
    let decided = [
        report.associated.len(),
        report.already_associated.len(),
        report.refused.len(),
        report.failed.len(),
        replay.disassociated.len(),
        in_flight,
    ]
    .iter()
    .fold(0u64, |sum, n| sum.saturating_add(*n as u64));
    report.not_sent = header.valid.saturating_sub(decided);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::journal::Event;
    use telnyx_e164::UsNumber;

    fn n(i: u32) -> UsNumber {
        format!("+1201555{i:04}").parse().unwrap()
    }

    #[test]
    fn a_resume_looks_up_what_was_in_flight_and_sends_what_never_was() {
        let mut replay = Replay::default();
        for event in [
            Event::Plan {
                batch: 0,
                numbers: vec![n(0), n(1)],
            },
            Event::Plan {
                batch: 1,
                numbers: vec![n(2), n(3)],
            },
            Event::Plan {
                batch: 2,
                numbers: vec![n(4)],
            },
            Event::Planned { batches: 3 },
            Event::Intent {
                batch: 0,
                numbers: vec![n(0), n(1)],
            },
            Event::Committed {
                batch: 0,
                numbers: vec![n(0), n(1)],
            },
            Event::Intent {
                batch: 1,
                numbers: vec![n(2), n(3)],
            },
        ] {
            replay.apply(event);
        }
        let work: Vec<(u64, Step)> = resume_work(&replay)
            .into_iter()
            .map(|w| (w.batch, w.step))
            .collect();
        assert_eq!(
            work,
            vec![
                (1, Step::LookUp(vec![n(2), n(3)], Default::default())),
                (2, Step::Send(vec![n(4)]))
            ]
        );
        let report = report_from_replay(
            &Header {
                v: 2,
                event: "job".into(),
                job_id: uuid::Uuid::nil(),
                enterprise_id: uuid::Uuid::nil(),
                mode: Mode::AllOrNothing,
                batch_size: 2,
                concurrency: 1,
                started_at: chrono::DateTime::UNIX_EPOCH,
                inputs: 5,
                valid: 5,
                endpoint: Endpoint::default(),
            },
            &replay,
        );
        assert_eq!(report.outcome, Outcome::Failed);
        assert_eq!(report.associated, vec![n(0), n(1)]);
        // n2, n3 in flight (left to a rollback to settle), n4 never sent.
        assert_eq!(report.not_sent, 1);
        assert_eq!(report.counted() + 2, 5);
    }

    #[test]
    fn a_journal_report_counts_each_number_once() {
        let mut replay = Replay::default();
        for event in [
            Event::Plan {
                batch: 0,
                numbers: vec![n(0), n(1), n(2), n(3)],
            },
            Event::Planned { batches: 1 },
            Event::Intent {
                batch: 0,
                numbers: vec![n(0), n(1), n(2), n(3)],
            },
            Event::Committed {
                batch: 0,
                numbers: vec![n(0)],
            },
            Event::Failed {
                batch: 0,
                numbers: vec![n(1), n(2)],
                reason: crate::bulk::FailureReason::LookupFailed {
                    status: None,
                    detail: "timed out".into(),
                },
            },
            Event::RollbackStarted,
            // The rollback found n1 was the job's and undid it, with n0.
            Event::Disassociated {
                numbers: vec![n(0), n(1)],
            },
            Event::Finished {
                outcome: Outcome::RolledBack,
            },
        ] {
            replay.apply(event);
        }
        let header = Header {
            v: 2,
            event: "job".into(),
            job_id: uuid::Uuid::nil(),
            enterprise_id: uuid::Uuid::nil(),
            mode: Mode::AllOrNothing,
            batch_size: 4,
            concurrency: 1,
            started_at: chrono::DateTime::UNIX_EPOCH,
            inputs: 4,
            valid: 4,
            endpoint: Endpoint::default(),
        };
        let report = report_from_replay(&header, &replay);
        assert_eq!(report.rolled_back, 2);
        assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
        // n3 was in flight, and the finished rollback found it not applied.
        assert_eq!(report.not_sent, 1);
        assert_eq!(report.counted(), 4);
    }
}
