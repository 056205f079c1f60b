//! JobReport arithmetic over many fault mixes: whatever the server does, every input is counted in
//! exactly one of a report's outcomes (associated, already associated, refused, failed, not
//! sent, rolled back), so the counts add up to the distinct inputs, and no number is listed in
//! two of them.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Rng, client, numbers};
use telnyx_reputation::bulk::{BulkError, BulkOptions, JobReport, Mode};
use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, Faults, Inventory, MockConfig, start};
use uuid::Uuid;

/// Asserts the invariant: `expected` numbers counted, none of them twice.
fn assert_counted_once(report: &JobReport, expected: u64, what: &str) {
    assert_eq!(
        report.counted(),
        expected,
        "{what}: the counts do not add up: {} associated, {} already, {} refused, {} failed, {} not sent, {} rolled back ({:?}, {:?})",
        report.associated.len(),
        report.already_associated.len(),
        report.refused.len(),
        report.failed.len(),
        report.not_sent,
        report.rolled_back,
        report.outcome,
        report.end,
    );
    let mut seen = BTreeSet::new();
    let listed = report
        .associated
        .iter()
        .chain(&report.already_associated)
        .map(ToString::to_string)
        .chain(report.failed.iter().map(|f| f.number.clone()))
        .chain(report.refused.iter().map(|r| r.input.clone()));
    for n in listed {
        assert!(seen.insert(n.clone()), "{what}: {n} is listed twice");
    }
}

/// A client of the emulator with `key`, quick retries and a short stall timeout.
fn client_with_key(base_url: &str, key: &str) -> Client {
    Client::new(
        ClientConfig::new(ApiKey::new(key))
            .base_url(base_url)
            .request_timeout(common::REQUEST_TIMEOUT)
            .retry(
                RetryPolicy::default()
                    .max_retries(2)
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(5))
                    .max_rate_limit_wait(Duration::from_millis(5)),
            )
            .stall_timeout(Duration::from_millis(300)),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_input_is_counted_once_whatever_the_faults() {
    // Each run draws its set-up (faults, mode, key, inventory, a kill) from the seeded `rng`;
    // 40 runs draw every branch of it, the rarest (a server that never answers, 5 %) twice on
    // average. `COUNTS_RUNS` sets more (`.ci/run`: 100, each starting its own emulator).
    // Each run has its own emulator and its own generator, so a few go at once.
    let runs = common::runs_from_env("COUNTS_RUNS", 40);
    common::concurrently(0..runs, common::CONCURRENT_RUNS, |run| async move {
        let mut rng = Rng::for_run(0x2545_F491_4F6C_DD1D, run);
        let mut config = MockConfig::demo();
        config.seed = run;
        let count = 1 + rng.below(180) as u32;
        let base = (run as u32 % 36) * 250;
        let mut inputs = numbers(base, count);
        let mut owned = inputs.clone();
        if rng.chance(0.4) {
            // Numbers the account does not own: refused by the server.
            for _ in 0..=rng.below(3) {
                let i = rng.below(owned.len() as u64) as usize;
                owned.remove(i);
                if owned.is_empty() {
                    break;
                }
            }
        }
        if rng.chance(0.2) {
            // A number no rule accepts (Trinidad's toll-free, not a US number): refused at
            // pre-flight.
            inputs.push("+18688000000".into());
        }
        if rng.chance(0.2) {
            // A US toll-free number: passes pre-flight; the server takes it only from the
            // inventory, which holds it in half of these runs.
            inputs.push("+18885550000".into());
            if rng.chance(0.5) {
                owned.push("+18885550000".into());
            }
        }
        if rng.chance(0.3) {
            // A duplicate: dropped, and counted apart.
            let i = rng.below(u64::from(count)) as usize;
            inputs.push(inputs[i].clone());
        }
        config.accounts[0].inventory =
            Inventory::Numbers(owned.iter().map(|n| n.parse().unwrap()).collect());
        let never_answers = rng.chance(0.05);
        config.faults = Faults {
            error_rate: if never_answers {
                1.0
            } else if rng.chance(0.5) {
                0.2
            } else {
                0.0
            },
            commit_then_drop_rate: if rng.chance(0.5) { 0.3 } else { 0.0 },
            throttle_rate: if rng.chance(0.3) { 0.1 } else { 0.0 },
            omit_pointers: rng.chance(0.3),
            ..Faults::default()
        };
        let mode = if rng.chance(0.6) {
            Mode::AllOrNothing
        } else {
            Mode::BestEffort
        };
        let mock = start(config).await.unwrap();
        // Some runs with a key the server refuses, or an enterprise it does not know.
        let (c, enterprise) = match rng.below(10) {
            0 => (
                client_with_key(mock.base_url(), "wrong-key"),
                DEMO_ENTERPRISE,
            ),
            1 => (
                client_with_key(mock.base_url(), telnyx_reputation_mock::DEMO_API_KEY),
                Uuid::from_u128(7),
            ),
            _ if never_answers => (
                client_with_key(mock.base_url(), telnyx_reputation_mock::DEMO_API_KEY),
                DEMO_ENTERPRISE,
            ),
            _ => (client(&mock), DEMO_ENTERPRISE),
        };
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("job.journal");
        let mut options = BulkOptions::default()
            .mode(mode)
            .batch_size(1 + rng.below(60) as usize)
            .concurrency(1 + rng.below(4) as usize)
            .journal(&journal);
        let kill = rng.chance(0.3).then(|| rng.below(10));
        if let Some(k) = kill {
            options = options.crash_after_journal_appends(k);
        }
        let prepared = c.prepare_all(enterprise, &inputs, options);
        let distinct = prepared.inputs() - prepared.duplicates().len() as u64;
        let valid = prepared.valid();
        let what = format!("run {run} ({mode:?}, {count} numbers)");
        match prepared.run().await {
            Ok(report) => assert_counted_once(&report, distinct, &what),
            Err(BulkError::NotStarted(_)) => {}
            Err(_) => {
                // Killed: the report of one resume or one rollback counts the valid numbers
                // (the journal does not keep the pre-flight refusals).
                let recovered = if rng.chance(0.5) {
                    c.resume_job(&journal, BulkOptions::default()).await
                } else {
                    c.rollback_job(&journal, BulkOptions::default()).await
                };
                match recovered {
                    Ok(report) => {
                        assert_counted_once(&report, valid, &format!("{what}, recovered"))
                    }
                    Err(BulkError::NotStarted(_)) => {}
                    Err(e) => panic!("{what}: {e}"),
                }
            }
        }
        mock.shutdown().await;
    })
    .await;
}
