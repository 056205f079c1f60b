//! Jobs against the emulator with a server rate limit: a 429 slows a job down and never fails
//! it. Nothing here depends on timing: each test asserts the end state a user would see after
//! one run, however the windows fall.

use std::num::NonZeroU64;
use std::time::Duration;

use crate::common;
use telnyx_reputation::bulk::{BulkOptions, Outcome};
use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};

use common::{associated, numbers};
use telnyx_reputation_mock::{
    DEMO_API_KEY, DEMO_ENTERPRISE, Faults, MockConfig, MockHandle, start,
};

/// The emulator limiting each key and enterprise to `limit` requests per `window_ms`.
async fn limited(limit: u64, window_ms: u64, faults: Faults) -> MockHandle {
    let mut config = MockConfig::demo();
    config.faults = Faults {
        rate_limit: NonZeroU64::new(limit),
        rate_limit_window_ms: NonZeroU64::new(window_ms).unwrap(),
        ..faults
    };
    start(config).await.unwrap()
}

/// A client with no retry budget at all: only 429 waits may carry a job through.
fn client(mock: &MockHandle) -> Client {
    Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            .retry(RetryPolicy::none().base_delay(Duration::from_millis(1))),
    )
    .unwrap()
}

#[tokio::test]
async fn a_multi_batch_job_completes_with_every_number_under_a_rate_limit() {
    // 2 requests per 30 ms window, 16 batches at concurrency 8: most of the job waits.
    let mock = limited(2, 30, Faults::default()).await;
    let inputs = numbers(0, 1_600);
    let report = client(&mock)
        .associate_all(
            DEMO_ENTERPRISE,
            &inputs,
            BulkOptions::default().concurrency(8),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.rolled_back, 0);
    assert_eq!(associated(&mock), inputs.iter().cloned().collect());
}

#[tokio::test]
async fn a_rollback_completes_under_a_rate_limit() {
    let mock = limited(3, 20, Faults::default()).await;
    let c = client(&mock);
    let dir = common::tempdir();
    let journal = dir.path().join("job.journal");
    let inputs = numbers(2_000, 300);
    let report = c
        .associate_all(
            DEMO_ENTERPRISE,
            &inputs,
            BulkOptions::default().journal(&journal),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    // 300 disassociations, one request each, into a limit of 3 per window.
    let undone = c
        .rollback_job(&journal, BulkOptions::default().concurrency(8))
        .await
        .unwrap();
    assert_eq!(undone.outcome, Outcome::RolledBack, "{undone:?}");
    assert_eq!(undone.rolled_back, 300);
    assert!(associated(&mock).is_empty());
}

#[tokio::test]
async fn random_429s_on_top_of_a_rate_limit_still_complete_the_job() {
    let mock = limited(
        4,
        25,
        Faults {
            throttle_rate: 0.2,
            ..Faults::default()
        },
    )
    .await;
    let inputs = numbers(4_000, 900);
    let c = Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            // The injected 429s ask for a second each; the test need not wait that long.
            .retry(RetryPolicy::none().max_rate_limit_wait(Duration::from_millis(5))),
    )
    .unwrap();
    let report = c
        .associate_all(
            DEMO_ENTERPRISE,
            &inputs,
            BulkOptions::default().concurrency(6),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    assert_eq!(associated(&mock), inputs.iter().cloned().collect());
    assert!(
        mock.stats().too_many_requests > 0,
        "the server did refuse some requests"
    );
}

#[tokio::test]
async fn a_server_that_only_refuses_with_429_ends_the_job_by_the_stall_rule_without_a_rollback() {
    let mut config = MockConfig::demo();
    config.faults = Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    };
    let mock = start(config).await.unwrap();
    let c = Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            .retry(RetryPolicy::default().max_rate_limit_wait(Duration::from_millis(5)))
            .stall_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let report = c
        .associate_all(
            DEMO_ENTERPRISE,
            &numbers(6_000, 250),
            BulkOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    assert_eq!(
        report.rolled_back, 0,
        "no rollback was started by a rate limit"
    );
    let end = report.end.expect("the job ended early");
    assert!(end.gave_up_on_server(), "{end:?}");
    let error = end.to_string();
    assert!(error.starts_with("outcome unknown"), "{error}");
    assert!(error.contains("kept refusing with 429"), "{error}");
    assert!(associated(&mock).is_empty());
}
