//! Bulk refresh and bulk remediation against the emulator, with faults: every number's outcome
//! is reported once, and the emulator's ledger bills exactly what the report says was done
//! (never twice after a dropped answer or a 5xx).

use std::collections::BTreeMap;
use std::num::NonZeroU64;
use std::time::Duration;

use crate::common;
use telnyx_reputation::bulk::BulkOptions;
use telnyx_reputation::bulk::Parsing;
use telnyx_reputation::bulk::ops::{Plan, RemediationTemplate};
use telnyx_reputation::bulk::{JobReport, NumberOutcome};
use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};

use common::{client, numbers};
use telnyx_reputation_mock::{
    DEMO_API_KEY, DEMO_ENTERPRISE, Faults, MockConfig, MockHandle, start,
};

/// The emulator with remediation requests in flight for an hour, so a second submission of the
/// same number is a 409 whatever the test's pace.
async fn emulator() -> MockHandle {
    let mut config = MockConfig::demo();
    config.remediation_step_ms = 3_600_000;
    config.seed = 7;
    start(config).await.unwrap()
}

/// Associates `inputs` with the demo enterprise, with no faults.
async fn associate(mock: &MockHandle, inputs: &[String]) {
    let report = common::setup_client(mock)
        .associate_all(DEMO_ENTERPRISE, inputs, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.associated.len(), inputs.len());
}

/// Each number's outcome, checking that no number is reported twice.
fn outcomes(report: &JobReport) -> BTreeMap<String, NumberOutcome> {
    let mut map = BTreeMap::new();
    for n in report.numbers() {
        let twice = map.insert(n.phone_number.clone(), n.outcome.clone());
        assert!(twice.is_none(), "{} reported twice", n.phone_number);
    }
    map
}

fn faulty() -> Faults {
    Faults {
        error_rate: 0.2,
        commit_then_drop_rate: 0.2,
        ..Faults::default()
    }
}

#[tokio::test]
async fn bulk_refresh_reports_each_number_and_bills_only_the_refreshed() {
    let mock = emulator().await;
    let monitored = numbers(0, 250);
    associate(&mock, &monitored).await;
    let mut inputs = monitored.clone();
    inputs.push("+16035559999".into()); // valid, not monitored: refused by the server alone
    inputs.push("not a number".into());
    inputs.push(monitored[3].clone());
    let plan = Plan::new(&inputs, Parsing::Strict);
    assert_eq!(plan.billable(), 251);
    assert_eq!((plan.refused().len(), plan.duplicates().len()), (1, 1));
    let before = mock.billing();
    // No faults, so the default request timeout: a slow answer on a loaded machine is waited
    // for, not looked up and, not yet applied, sent again.
    let report = common::setup_client(&mock)
        .refresh_planned(DEMO_ENTERPRISE, plan, &BulkOptions::default())
        .await
        .unwrap();
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 251);
    assert!(monitored.iter().all(|n| outcomes[n] == NumberOutcome::Done));
    assert!(matches!(
        &outcomes["+16035559999"],
        NumberOutcome::Refused { code, .. } if code == "refresh_failed"
    ));
    assert_eq!(report.sends(), 3, "batches of at most 100");
    assert_eq!(report.billed(), 250);
    assert_eq!(mock.billing().refresh - before.refresh, 250);
    assert_eq!(
        mock.billing().fresh_read,
        before.fresh_read,
        "no billable read"
    );
}

#[tokio::test]
async fn bulk_refresh_under_faults_never_bills_a_number_twice() {
    let mock = emulator().await;
    let inputs = numbers(0, 300);
    associate(&mock, &inputs).await;
    mock.set_faults(faulty());
    let before = mock.billing();
    let report = client(&mock)
        .refresh_all(
            DEMO_ENTERPRISE,
            &inputs,
            &BulkOptions::default().batch_size(10).concurrency(3),
        )
        .await
        .unwrap();
    mock.set_faults(Faults::default());
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 300);
    assert!(report.lookups > 0, "some outcome was ambiguous: {report:?}");
    assert!(
        !outcomes
            .values()
            .any(|o| matches!(o, NumberOutcome::Refused { .. })),
        "{outcomes:?}"
    );
    // The ledger counts each refreshed number once per refresh: equal to the report's count
    // only if nothing applied was sent again.
    assert_eq!(mock.billing().refresh - before.refresh, report.billed());
    assert!(
        report.billed() > 250,
        "most numbers refreshed: {}",
        report.billed()
    );
}

#[tokio::test]
async fn bulk_refresh_completes_under_a_rate_limit() {
    let mut config = MockConfig::demo();
    config.faults.rate_limit = NonZeroU64::new(2);
    config.faults.rate_limit_window_ms = NonZeroU64::new(30).unwrap();
    let mock = start(config).await.unwrap();
    let inputs = numbers(0, 400);
    let patient = Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            .retry(RetryPolicy::none().base_delay(Duration::from_millis(1))),
    )
    .unwrap();
    let associated = patient
        .associate_all(DEMO_ENTERPRISE, &inputs, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(associated.associated.len(), 400);
    let before = mock.billing();
    let report = patient
        .refresh_all(
            DEMO_ENTERPRISE,
            &inputs,
            &BulkOptions::default().concurrency(4),
        )
        .await
        .unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.billed(), 400);
    assert_eq!(mock.billing().refresh - before.refresh, 400);
}

#[tokio::test]
async fn bulk_remediation_batches_by_2000_and_reports_in_flight_numbers() {
    let mock = emulator().await;
    let inputs = numbers(0, 2_500);
    associate(&mock, &inputs).await;
    let template = RemediationTemplate::new("appointment reminders").unwrap();
    let before = mock.billing();
    let first = client(&mock)
        .remediate_planned(
            DEMO_ENTERPRISE,
            Plan::new(&inputs, Parsing::Strict),
            &template,
            &BulkOptions::default(),
        )
        .await
        .unwrap();
    assert!(first.is_complete(), "{first:?}");
    assert_eq!(first.sends(), 2, "2,000 then 500");
    assert_eq!(mock.billing().remediation - before.remediation, 2_500);
    let ids: std::collections::BTreeSet<_> =
        first.numbers().iter().map(|n| n.remediation_id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(Option::is_some));

    // 10 numbers in flight among 30: they are reported, the other 20 submitted once.
    let more = numbers(5_000, 20);
    associate(&mock, &more).await;
    let mut second_inputs = inputs[..10].to_vec();
    second_inputs.extend(more.iter().cloned());
    let before = mock.billing();
    let second = client(&mock)
        .remediate_planned(
            DEMO_ENTERPRISE,
            Plan::new(&second_inputs, Parsing::Strict),
            &template,
            &BulkOptions::default(),
        )
        .await
        .unwrap();
    let outcomes = outcomes(&second);
    assert!(
        inputs[..10]
            .iter()
            .all(|n| matches!(outcomes[n], NumberOutcome::InFlight { .. })),
        "{outcomes:?}"
    );
    assert!(more.iter().all(|n| outcomes[n] == NumberOutcome::Done));
    assert_eq!(
        second.sends(),
        2,
        "the 409, then the rest without the in-flight numbers"
    );
    assert_eq!(second.billed(), 20);
    assert_eq!(mock.billing().remediation - before.remediation, 20);
}

/// Remediates `count` associated numbers in batches of `batch_size`, `concurrency` at a time,
/// against the faulty emulator (faults off again once the job ends): the job's report, and
/// the remediations the ledger billed during the job.
async fn remediate_under_faults(
    count: u32,
    batch_size: usize,
    concurrency: usize,
) -> (JobReport, u64) {
    let mock = emulator().await;
    let inputs = numbers(0, count);
    associate(&mock, &inputs).await;
    mock.set_faults(faulty());
    let before = mock.billing();
    let template = RemediationTemplate::new("appointment reminders").unwrap();
    let report = client(&mock)
        .remediate_planned(
            DEMO_ENTERPRISE,
            Plan::new(&inputs, Parsing::Strict),
            &template,
            &BulkOptions::default()
                .batch_size(batch_size)
                .concurrency(concurrency),
        )
        .await
        .unwrap();
    mock.set_faults(Faults::default());
    let billed = mock.billing().remediation - before.remediation;
    (report, billed)
}

#[tokio::test]
async fn bulk_remediation_under_faults_never_submits_a_number_twice() {
    let (report, billed) = remediate_under_faults(600, 20, 3).await;
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 600);
    assert!(report.lookups > 0, "some outcome was ambiguous: {report:?}");
    // A blind resend of an applied request would be a 409 for numbers the job itself
    // submitted: none may be reported in flight.
    assert!(
        !outcomes.values().any(|o| matches!(
            o,
            NumberOutcome::InFlight { .. } | NumberOutcome::Refused { .. }
        )),
        "{outcomes:?}"
    );
    // Billed exactly what the report says was submitted, give or take the numbers it says it
    // cannot tell about (two lost answers of the same size, only one of them applied).
    let unknown = outcomes
        .values()
        .filter(|o| matches!(o, NumberOutcome::Unknown { .. }))
        .count() as u64;
    assert!(
        (report.billed()..=report.billed() + unknown).contains(&billed),
        "ledger {billed}, report {} (+{unknown} unknown)",
        report.billed()
    );
    assert!(
        report.billed() > 400,
        "most numbers submitted: {}",
        report.billed()
    );
}

#[tokio::test]
async fn bulk_remediation_one_at_a_time_under_faults_bills_exactly_what_it_reports() {
    // One request at a time, each lost answer waited out in turn: 100 numbers (10 batches,
    // some of them lost or failed) by default; `OPS_SERIAL_NUMBERS` sets more (`.ci/run`:
    // 300).
    let count = u32::try_from(common::runs_from_env("OPS_SERIAL_NUMBERS", 100))
        .expect("OPS_SERIAL_NUMBERS fits a u32");
    let (report, billed) = remediate_under_faults(count, 10, 1).await;
    let outcomes = outcomes(&report);
    assert!(report.lookups > 0, "some outcome was ambiguous: {report:?}");
    assert!(
        outcomes
            .values()
            .all(|o| matches!(o, NumberOutcome::Done | NumberOutcome::Failed { .. })),
        "{outcomes:?}"
    );
    assert_eq!(billed, report.billed());
}

#[test]
fn a_template_is_checked_before_any_job() {
    assert!(RemediationTemplate::new("").is_err());
    let t = RemediationTemplate::new("reminders").unwrap();
    assert!(t.clone().with_webhook_url("http://example.com").is_err());
    assert!(t.with_contact_email("ops@example.com").is_ok());
}

#[tokio::test]
async fn a_cancelled_refresh_sends_no_new_batch_and_reports_the_rest_not_sent() {
    let mock = emulator().await;
    let inputs = numbers(0, 50);
    associate(&mock, &inputs).await;
    let before = mock.billing();
    // Cancelled from the progress callback once the first batch is decided: one request in
    // flight at a time, so no other batch has gone out by then.
    let token = telnyx_reputation::bulk::CancellationToken::new();
    let cancel = token.clone();
    let options = BulkOptions::default()
        .batch_size(10)
        .concurrency(1)
        .cancel_on(token)
        .progress(move |p| {
            if p.done > 0 {
                cancel.cancel();
            }
        });
    let report = client(&mock)
        .refresh_all(DEMO_ENTERPRISE, &inputs, &options)
        .await
        .unwrap();
    let outcomes = outcomes(&report);
    assert_eq!(outcomes.len(), 50, "every number reported once");
    assert_eq!(report.sends(), 1);
    assert_eq!((report.billed(), report.unsent.len() as u64), (10, 40));
    assert!(
        outcomes
            .values()
            .all(|o| matches!(o, NumberOutcome::Done | NumberOutcome::NotSent))
    );
    assert_eq!(
        mock.billing().refresh - before.refresh,
        10,
        "only what was sent is billed"
    );

    // Cancelled before it starts: nothing is sent.
    let token = telnyx_reputation::bulk::CancellationToken::new();
    token.cancel();
    let report = client(&mock)
        .remediate_planned(
            DEMO_ENTERPRISE,
            Plan::new(&inputs, Parsing::Strict),
            &RemediationTemplate::new("appointment reminders").unwrap(),
            &BulkOptions::default().cancel_on(token),
        )
        .await
        .unwrap();
    assert_eq!((report.sends(), report.unsent.len() as u64), (0, 50));
    assert_eq!(mock.billing().remediation, before.remediation);
}
