//! A bulk job stopped by its cancellation token (`BulkOptions::cancel_on`), as a Ctrl-C handler
//! or a service's shutdown stops it: no new batch, then the all-or-nothing promise kept (without
//! a journal) or left to the journal (with one). The token is cancelled from the progress
//! callback once a batch is decided, so the interrupt lands mid-job without any timing.

use telnyx_reputation::bulk::{BulkOptions, CancellationToken, Mode, Outcome};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, MockConfig, start};

use crate::common;

use common::{associated, client, numbers};

/// Options of a 20-batch job, one batch at a time, whose token is cancelled once `after`
/// numbers are associated.
fn options(token: &CancellationToken, after: u64) -> BulkOptions {
    let cancel = token.clone();
    BulkOptions::default()
        .batch_size(10)
        .concurrency(1)
        .cancel_on(token.clone())
        .progress(move |p| {
            if p.associated >= after {
                cancel.cancel();
            }
        })
}

#[tokio::test]
async fn without_a_journal_an_interrupted_all_or_nothing_job_rolls_back() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let token = CancellationToken::new();
    let report = client(&mock)
        .associate_all(DEMO_ENTERPRISE, numbers(0, 200), options(&token, 30))
        .await
        .unwrap();
    assert!(report.interrupted, "{report:?}");
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert_eq!(report.rolled_back, 30);
    assert_eq!(report.not_sent, 170);
    assert!(report.associated.is_empty());
    assert!(associated(&mock).is_empty(), "the start state again");
}

#[tokio::test]
async fn without_a_journal_an_interrupted_best_effort_job_keeps_what_it_associated() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let token = CancellationToken::new();
    let report = client(&mock)
        .associate_all(
            DEMO_ENTERPRISE,
            numbers(0, 200),
            options(&token, 30).mode(Mode::BestEffort),
        )
        .await
        .unwrap();
    assert!(report.interrupted);
    assert_eq!(report.outcome, Outcome::Partial);
    assert_eq!(report.associated.len(), 30);
    assert_eq!(report.not_sent, 170);
    assert_eq!(associated(&mock).len(), 30);
}

#[tokio::test]
async fn with_a_journal_an_interrupted_job_is_left_for_resume() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let dir = common::tempdir();
    let journal = dir.path().join("job.journal");
    let token = CancellationToken::new();
    let c = client(&mock);
    let report = c
        .associate_all(
            DEMO_ENTERPRISE,
            numbers(0, 200),
            options(&token, 30).journal(&journal),
        )
        .await
        .unwrap();
    assert!(report.interrupted);
    assert_eq!(report.outcome, Outcome::Failed);
    assert_eq!(report.associated.len(), 30);
    assert_eq!(
        associated(&mock).len(),
        30,
        "nothing undone: the journal holds it"
    );
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(!text.contains("\"finished\""), "the job is not finished");

    let resumed = c
        .resume_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(resumed.outcome, Outcome::Completed, "{resumed:?}");
    assert!(!resumed.interrupted);
    assert_eq!(associated(&mock).len(), 200);
}

#[tokio::test]
async fn with_a_journal_an_interrupted_job_rolls_back_from_it() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let dir = common::tempdir();
    let journal = dir.path().join("job.journal");
    let token = CancellationToken::new();
    let c = client(&mock);
    c.associate_all(
        DEMO_ENTERPRISE,
        numbers(0, 200),
        options(&token, 50).journal(&journal),
    )
    .await
    .unwrap();
    assert_eq!(associated(&mock).len(), 50);

    // A rollback interrupted after its first 10 disassociations stops there, and says so.
    let stop = CancellationToken::new();
    let cancel = stop.clone();
    let partial = c
        .rollback_job(
            &journal,
            BulkOptions::default()
                .concurrency(1)
                .cancel_on(stop.clone())
                .progress(move |p| {
                    if p.rolled_back >= 10 {
                        cancel.cancel();
                    }
                }),
        )
        .await
        .unwrap();
    assert!(partial.interrupted, "{partial:?}");
    assert_eq!(partial.outcome, Outcome::Failed);
    let left = associated(&mock).len();
    assert_eq!(left, 40, "concurrency 1: the tenth was the last started");
    assert_eq!(partial.associated.len(), left);

    let done = c
        .rollback_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(done.outcome, Outcome::RolledBack, "{done:?}");
    assert!(associated(&mock).is_empty());
}

#[tokio::test]
async fn a_token_cancelled_after_the_job_changes_nothing() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let token = CancellationToken::new();
    let report = client(&mock)
        .associate_all(
            DEMO_ENTERPRISE,
            numbers(0, 20),
            BulkOptions::default()
                .batch_size(10)
                .cancel_on(token.clone()),
        )
        .await
        .unwrap();
    token.cancel();
    assert!(!report.interrupted);
    assert_eq!(report.outcome, Outcome::Completed);
}
