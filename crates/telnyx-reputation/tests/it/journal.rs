//! Recovery from a journal against the emulator: torn and damaged journals, and jobs that
//! already finished.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common;
use telnyx_reputation::bulk::{BulkError, BulkOptions, Outcome};

use common::{client, numbers};
use telnyx_reputation::Client;
use telnyx_reputation_mock::{DEMO_ENTERPRISE, EnterpriseConfig, MockConfig, MockHandle, start};
use uuid::Uuid;

/// Every association: (number, enterprise).
fn world(mock: &MockHandle) -> BTreeSet<(String, Uuid)> {
    mock.world()
        .associations
        .values()
        .map(|a| (a.phone_number.to_string(), a.enterprise_id))
        .collect()
}

/// Writes a real journal of a killed job: 6 numbers in batches of 2, killed after the second
/// batch was sent. Returns the journal's bytes.
async fn killed_journal(c: &Client, dir: &Path) -> Vec<u8> {
    let path = dir.join("killed.journal");
    let crashed = c
        .associate_all(
            DEMO_ENTERPRISE,
            numbers(0, 6),
            BulkOptions::default()
                .batch_size(2)
                .concurrency(1)
                .journal(&path)
                .crash_after_journal_appends(7),
        )
        .await;
    assert!(crashed.is_err(), "the job died");
    std::fs::read(&path).unwrap()
}

#[tokio::test]
async fn a_torn_last_line_is_cut_off_and_the_job_still_resumes_and_rolls_back() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock);
    let dir = common::tempdir();
    let mut bytes = killed_journal(&c, dir.path()).await;
    bytes.extend_from_slice(b"{\"event\":\"committed\",\"batch\":1,\"numb");
    let path = dir.path().join("torn.journal");
    std::fs::write(&path, &bytes).unwrap();
    let report = c.resume_job(&path, BulkOptions::default()).await.unwrap();
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    let report = c.rollback_job(&path, BulkOptions::default()).await.unwrap();
    assert_eq!(report.outcome, Outcome::RolledBack, "{report:?}");
    assert!(world(&mock).is_empty());
}

/// Flips every byte of a real journal, one at a time, and runs `rollback` (odd bytes) or
/// `resume` (even bytes) on each result: none may act on a number or an enterprise that is
/// not the job's. Either the journal is refused at verification, naming the file and a line,
/// or the recovery touches only the job's numbers on the job's enterprise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_single_byte_flip_makes_recovery_act_outside_the_job() {
    let mut config = MockConfig::demo();
    let other = Uuid::from_u128(42);
    config.accounts[0].enterprises.push(EnterpriseConfig {
        id: other,
        approved: true,
    });
    let mock = start(config).await.unwrap();
    let c = client(&mock);
    let dir = common::tempdir();
    let original = killed_journal(&c, dir.path()).await;
    // Bystanders: numbers next to the job's, on this enterprise and on another.
    c.associate_all(DEMO_ENTERPRISE, numbers(6, 4), BulkOptions::default())
        .await
        .unwrap();
    c.associate_all(other, numbers(10, 4), BulkOptions::default())
        .await
        .unwrap();
    let job: BTreeSet<String> = numbers(0, 6).into_iter().collect();
    let bystanders: BTreeSet<(String, Uuid)> = world(&mock)
        .into_iter()
        .filter(|(n, _)| !job.contains(n))
        .collect();
    assert_eq!(bystanders.len(), 8);
    let path = dir.path().join("flipped.journal");
    let (mut refused, mut acted) = (0, 0);
    for i in 0..original.len() {
        let mut bytes = original.clone();
        bytes[i] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        let result = if i % 2 == 1 {
            c.rollback_job(&path, BulkOptions::default()).await
        } else {
            c.resume_job(&path, BulkOptions::default()).await
        };
        match result {
            Err(BulkError::Journal(e)) => {
                let text = e.to_string();
                assert!(
                    text.contains("flipped.journal") && text.contains("line "),
                    "byte {i}: {text}"
                );
                refused += 1;
            }
            Err(BulkError::NotStarted(_)) => refused += 1,
            Err(e) => panic!("byte {i}: {e}"),
            Ok(report) => {
                acted += 1;
                assert_eq!(report.enterprise_id, DEMO_ENTERPRISE, "byte {i}");
                for n in report.associated.iter().chain(&report.already_associated) {
                    assert!(job.contains(n.as_str()), "byte {i}: {n}");
                }
            }
        }
        let now = world(&mock);
        assert!(
            bystanders.is_subset(&now),
            "byte {i}: a bystander was disassociated"
        );
        for (n, enterprise) in &now {
            assert!(
                bystanders.contains(&(n.clone(), *enterprise))
                    || (job.contains(n) && *enterprise == DEMO_ENTERPRISE),
                "byte {i}: {n} on {enterprise} is not the job's"
            );
        }
    }
    assert!(refused > 0 && acted > 0, "{refused} refused, {acted} acted");
    println!(
        "{} flips: {refused} refused at verification, {acted} recovered within the job",
        original.len()
    );
}
