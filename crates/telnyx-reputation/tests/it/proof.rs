//! Reconciliation is proof, not a race: one test per rule, each against the emulator with the
//! fault that breaks the rule left on, asserting what the user sees after one run (the report,
//! the emulator's state and its billing ledger).

use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use common::{REQUEST_TIMEOUT, associated, client, inventory, numbers};
use telnyx_reputation::bulk::ops::{Plan, RemediationTemplate};
use telnyx_reputation::bulk::{BulkOptions, Mode, Outcome, Parsing};
use telnyx_reputation::bulk::{JobReport, NumberOutcome};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, Faults, MockConfig, MockHandle, start};

/// The emulator, remediation requests in flight for an hour, owning `owned` when given.
async fn emulator(owned: Option<&[String]>) -> MockHandle {
    let mut config = MockConfig::demo();
    config.remediation_step_ms = 3_600_000;
    if let Some(owned) = owned {
        config.accounts[0].inventory = inventory(owned);
    }
    start(config).await.unwrap()
}

/// Associates `inputs` with the demo enterprise, with no faults.
async fn monitor(mock: &MockHandle, inputs: &[String]) {
    let report = client(mock)
        .associate_all(DEMO_ENTERPRISE, inputs, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.associated.len(), inputs.len());
}

/// [`emulator`], owning every number, with `numbers(0, count)` monitored; gives the emulator
/// and the numbers.
async fn monitored(count: u32) -> (MockHandle, Vec<String>) {
    let mock = emulator(None).await;
    let inputs = numbers(0, count);
    monitor(&mock, &inputs).await;
    (mock, inputs)
}

/// Refreshes ten monitored numbers with `faults` on; checks that every number ends done and
/// gives the emulator and the report.
async fn refresh_ten_under(faults: Faults) -> (MockHandle, JobReport) {
    let (mock, inputs) = monitored(10).await;
    mock.set_faults(faults);
    let report = client(&mock)
        .refresh_all(DEMO_ENTERPRISE, &inputs, &BulkOptions::default())
        .await
        .unwrap();
    all_done(&report, 10);
    (mock, report)
}

/// Associates `numbers(0, count)` in threes ([`associate_in_threes`]) with `faults` on, where
/// the account owns all but the last number; checks that the job rolls back its first batch,
/// and gives the emulator and the report.
async fn rolled_back_under(count: u32, faults: Faults) -> (MockHandle, JobReport) {
    let inputs = numbers(0, count);
    let mock = emulator(Some(&inputs[..inputs.len() - 1])).await;
    mock.set_faults(faults);
    let report = associate_in_threes(&mock, &inputs).await;
    assert_eq!(report.outcome, Outcome::RolledBack, "{report:?}");
    assert_eq!(report.rolled_back, 3);
    (mock, report)
}

/// Associates `inputs` all or nothing in batches of 3, one batch at a time.
async fn associate_in_threes(mock: &MockHandle, inputs: &[String]) -> JobReport {
    client(mock)
        .associate_all(
            DEMO_ENTERPRISE,
            inputs,
            BulkOptions::default()
                .mode(Mode::AllOrNothing)
                .batch_size(3)
                .concurrency(1),
        )
        .await
        .unwrap()
}

fn all_done(report: &JobReport, count: usize) {
    assert_eq!(report.numbers().len(), count, "{report:?}");
    assert!(
        report
            .numbers()
            .iter()
            .all(|n| n.outcome == NumberOutcome::Done),
        "{report:?}"
    );
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap()
}

#[tokio::test]
async fn a_lost_answer_is_looked_up_only_once_the_request_timeout_has_passed() {
    // Every refresh is applied and its answer lost; reads see writes a little late (less than
    // the request timeout). Looked up at once, the refresh would not be seen yet.
    let (mock, report) = refresh_ten_under(Faults {
        commit_then_drop_rate: 1.0,
        list_lag_ms: ms(REQUEST_TIMEOUT) / 2,
        ..Faults::default()
    })
    .await;
    assert_eq!(mock.billing().refresh, 10);
    assert_eq!(
        report.lookups, 11,
        "the run's one reading of the server's clock before its first refresh, then one \
         lookup per number: the first, after the timeout, already sees the refresh"
    );
}

#[tokio::test]
async fn a_write_that_lands_after_its_answer_timed_out_is_found_and_never_sent_again() {
    let (mock, inputs) = monitored(20).await;
    // Each write lands after the client gave up waiting for its answer, which never comes:
    // 1.5 timeouts after it arrived, half a timeout before the first lookup and one and a half
    // before the second. The timeout is a second, not the short one, so that the emulator's
    // timer would have to run a second late, on a loaded machine, to land a write after both.
    let timeout = Duration::from_secs(1);
    mock.set_faults(Faults {
        slow_commit_ms: ms(timeout) * 3 / 2,
        ..Faults::default()
    });
    let client = |mock: &MockHandle| common::client_with_timeout(mock, timeout);
    let refresh = client(&mock)
        .refresh_all(
            DEMO_ENTERPRISE,
            &inputs[..10],
            &BulkOptions::default().batch_size(5),
        )
        .await
        .unwrap();
    all_done(&refresh, 10);
    assert_eq!(mock.billing().refresh, 10, "each number billed once");
    let remediation = client(&mock)
        .remediate_planned(
            DEMO_ENTERPRISE,
            Plan::new(&inputs[10..], Parsing::Strict),
            &RemediationTemplate::new("appointment reminders").unwrap(),
            &BulkOptions::default().batch_size(5),
        )
        .await
        .unwrap();
    all_done(&remediation, 10);
    assert_eq!(mock.billing().remediation, 10, "each number submitted once");
    let ids: BTreeSet<_> = remediation
        .numbers()
        .iter()
        .map(|n| n.remediation_id.expect("found by its marker"))
        .collect();
    assert_eq!(ids.len(), 2, "two requests, each found as itself");
}

#[tokio::test]
async fn two_lost_requests_of_the_same_purpose_and_size_are_each_found_by_their_marker() {
    let (mock, inputs) = monitored(40).await;
    mock.set_faults(Faults {
        commit_then_drop_rate: 1.0,
        ..Faults::default()
    });
    let report = client(&mock)
        .remediate_planned(
            DEMO_ENTERPRISE,
            Plan::new(&inputs, Parsing::Strict),
            &RemediationTemplate::new("appointment reminders").unwrap(),
            &BulkOptions::default().batch_size(10).concurrency(4),
        )
        .await
        .unwrap();
    all_done(&report, 40);
    assert_eq!(mock.billing().remediation, 40);
    let ids: BTreeSet<_> = report.numbers().iter().map(|n| n.remediation_id).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert!(ids.iter().all(Option::is_some));
}

#[tokio::test]
async fn a_server_clock_behind_ours_still_makes_the_jobs_numbers_its_own_to_roll_back() {
    // The last number is not the account's: the server refuses it, and all-or-nothing rolls
    // back the first batch, whose answer was lost.
    let (mock, _report) = rolled_back_under(
        6,
        Faults {
            clock_skew_ms: -3_600_000,
            commit_then_drop_rate: 1.0,
            ..Faults::default()
        },
    )
    .await;
    assert!(associated(&mock).is_empty(), "the start state again");
}

#[tokio::test]
async fn a_server_clock_ahead_of_ours_does_not_make_a_number_from_before_the_jobs() {
    let inputs = numbers(0, 2);
    let mock = emulator(None).await;
    mock.set_faults(Faults {
        clock_skew_ms: 3_600_000,
        ..Faults::default()
    });
    // Someone else's number, associated before the job (by the server's clock).
    monitor(&mock, &inputs[..1]).await;
    mock.advance_clock(Duration::from_secs(5));
    let dir = common::tempdir();
    let journal = dir.path().join("job.journal");
    // Killed with its request in flight: plan, planned and attempt written, nothing after.
    let killed = client(&mock)
        .associate_all(
            DEMO_ENTERPRISE,
            &inputs,
            BulkOptions::default()
                .journal(&journal)
                .crash_after_journal_appends(3),
        )
        .await;
    assert!(killed.is_err());
    let report = client(&mock)
        .rollback_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::RolledBack, "{report:?}");
    assert_eq!(report.already_associated, vec![inputs[0].parse().unwrap()]);
    assert_eq!(
        associated(&mock),
        BTreeSet::from([inputs[0].clone()]),
        "the number from before stays"
    );
}

#[tokio::test]
async fn a_refresh_is_judged_on_the_servers_clock() {
    let (mock, _report) = refresh_ten_under(Faults {
        clock_skew_ms: -3_600_000,
        commit_then_drop_rate: 1.0,
        ..Faults::default()
    })
    .await;
    assert_eq!(mock.billing().refresh, 10, "refreshed once, seen refreshed");
}

#[tokio::test]
async fn a_resend_refused_as_already_associated_is_the_jobs_own_and_rolled_back() {
    // The first request is applied and its answer lost, and reads see it only after both
    // lookups of the proof: it is sent again, and refused as already associated. The lookups
    // after the refusal see it, dated after the job first sent it: it is the job's.
    let (mock, report) = rolled_back_under(
        4,
        Faults {
            commit_then_drop_rate: 1.0,
            list_lag_ms: ms(REQUEST_TIMEOUT) * 13 / 5,
            ..Faults::default()
        },
    )
    .await;
    assert!(report.already_associated.is_empty(), "{report:?}");
    assert!(associated(&mock).is_empty(), "nothing of the job is left");
    assert_eq!(mock.billing().associate, 3, "associated once");
}

#[tokio::test]
async fn a_first_send_refused_as_already_associated_under_a_lagging_read_is_done_not_rolled_back() {
    // Another run associated the last three numbers a moment ago, and reads see writes late
    // (by less than a request timeout). The job's first batch is associated; its second is
    // refused as already associated, and the lookup right after the refusal does not show those
    // numbers yet. Taken for refused, they would end the job and undo the first batch, billed.
    // The second lookup, a request timeout later, shows them: they are done.
    let inputs = numbers(0, 6);
    let mock = emulator(None).await;
    mock.set_faults(Faults {
        list_lag_ms: ms(REQUEST_TIMEOUT) * 9 / 10,
        ..Faults::default()
    });
    monitor(&mock, &inputs[3..]).await;
    let report = associate_in_threes(&mock, &inputs).await;
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    let strings = |numbers: &[telnyx_e164::UsNumber]| -> Vec<String> {
        numbers.iter().map(|n| n.as_e164().to_string()).collect()
    };
    assert_eq!(strings(&report.associated), inputs[..3], "{report:?}");
    assert_eq!(
        strings(&report.already_associated),
        inputs[3..],
        "{report:?}"
    );
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(report.rolled_back, 0);
    assert_eq!(
        associated(&mock),
        inputs.iter().cloned().collect::<BTreeSet<_>>()
    );
    assert_eq!(mock.billing().associate, 6, "each number billed once");
}

#[tokio::test]
async fn a_stalled_job_leaves_its_batches_to_resume_which_finishes_without_a_rollback() {
    let mock = Arc::new(emulator(None).await);
    let inputs = numbers(0, 30);
    let dir = common::tempdir();
    let journal = dir.path().join("job.journal");
    // Once the first batch is in, the server refuses everything with 429 until the job gives up.
    let server = Arc::clone(&mock);
    let report = client(&mock)
        .associate_all(
            DEMO_ENTERPRISE,
            &inputs,
            BulkOptions::default()
                .batch_size(10)
                .concurrency(1)
                .stall_timeout(Duration::from_millis(300))
                .journal(&journal)
                .progress(move |p| {
                    if p.associated >= 10 {
                        server.set_faults(Faults {
                            throttle_rate: 1.0,
                            ..Faults::default()
                        });
                    }
                }),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    assert_eq!(report.associated.len(), 10);
    assert_eq!(report.not_sent, 20, "proved not applied: not sent");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.rolled_back, 0);
    mock.set_faults(Faults::default());
    let resumed = client(&mock)
        .resume_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(resumed.outcome, Outcome::Completed, "{resumed:?}");
    assert_eq!(resumed.associated.len(), 30);
    assert_eq!(associated(&mock).len(), 30);
    assert_eq!(mock.billing().associate, 30);
}
