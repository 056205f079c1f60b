//! A journalled sync against the emulator: the journal holds the associations and the prune
//! (written before anything is sent), `resume_sync` finishes a prune that stopped, and
//! `rollback_job` undoes the associations alone, never re-associating a pruned number; the
//! interrupt token stops a sync in its associations or in its prune, and `resume_sync`
//! finishes it.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use telnyx_reputation::bulk::{BulkOptions, JobState, Journal, Outcome};
use telnyx_reputation::e164::{Batch, UsNumber};
use telnyx_reputation::sync::SyncError;
use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};
use telnyx_reputation_mock::{
    DEMO_API_KEY, DEMO_ENTERPRISE, Faults, MockConfig, MockHandle, start,
};

fn n(i: u32) -> UsNumber {
    format!("+1603555{i:04}").parse().unwrap()
}

fn held(mock: &MockHandle) -> BTreeSet<UsNumber> {
    mock.world()
        .associations
        .values()
        .filter(|a| a.enterprise_id == DEMO_ENTERPRISE)
        .map(|a| UsNumber::try_from(a.phone_number).unwrap())
        .collect()
}

async fn seed(client: &Client, numbers: impl Iterator<Item = u32>) {
    let numbers: Vec<UsNumber> = numbers.map(n).collect();
    for chunk in numbers.chunks(100) {
        client
            .associate(DEMO_ENTERPRISE, &Batch::new(chunk.to_vec()).unwrap())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_prune_is_journalled_ahead_and_a_failed_prune_is_finished_by_resume() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let client = common::client(&mock);
    seed(&common::setup_client(&mock), 0..150).await;
    // Keep 0..50, prune 50..150: nothing to associate.
    let desired: Vec<UsNumber> = (0..50).map(n).collect();
    let plan = client
        .plan_sync(DEMO_ENTERPRISE, desired, true)
        .await
        .unwrap();
    assert_eq!(plan.disassociate().len(), 100);
    assert!(plan.associate.is_empty());
    let dir = common::tempdir();
    let path = dir.path().join("sync.journal");

    // Every request fails until a client with little patience gives up.
    mock.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let impatient = Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            .retry(
                RetryPolicy::default()
                    .max_retries(1)
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(2)),
            )
            .stall_timeout(Duration::from_millis(50)),
    )
    .unwrap();
    let result = plan
        .apply(
            &impatient,
            BulkOptions::default().journal(&path).concurrency(4),
        )
        .await;
    // The prune reads the enterprise again first; that read fails, and nothing is pruned.
    match result {
        Err(SyncError::Reread { source }) => assert!(source.outcome_unknown(), "{source}"),
        other => panic!("the prune should fail: {other:?}"),
    }
    let journal = Journal::read(&path).unwrap();
    let job = journal.summary();
    assert!(job.sync);
    // The associations completed; the prune is left.
    assert_eq!(job.state, JobState::Pruning);
    assert_eq!(job.to_prune, 100, "every extra was written ahead");
    assert_eq!(job.pruned, 0);
    assert!(journal.has_work_left());
    assert_eq!(held(&mock).len(), 150);

    mock.set_faults(Faults::default());
    let outcome = client
        .resume_sync(&path, BulkOptions::default())
        .await
        .unwrap();
    assert!(outcome.converged, "{outcome:?}");
    assert_eq!(outcome.disassociated.len(), 100);
    assert!(outcome.associations.unwrap().finished_before);
    let want: BTreeSet<_> = (0..50).map(n).collect();
    assert_eq!(held(&mock), want);
    let journal = Journal::read(&path).unwrap();
    assert_eq!(journal.summary().pruned, 100);
    assert_eq!(
        journal.summary().state,
        JobState::Finished(Outcome::Completed)
    );
    assert!(!journal.has_work_left());

    // Resumed again: nothing left, nothing sent.
    let requests = mock.stats().requests;
    let outcome = client
        .resume_sync(&path, BulkOptions::default())
        .await
        .unwrap();
    assert!(outcome.converged && outcome.disassociated.is_empty());
    assert_eq!(mock.stats().requests, requests);
}

#[tokio::test]
async fn a_prune_counts_a_number_already_gone_as_done() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let client = common::client(&mock);
    seed(&common::setup_client(&mock), 0..20).await;
    let plan = client
        .plan_sync(DEMO_ENTERPRISE, (0..10).map(n).collect(), true)
        .await
        .unwrap();
    // Someone else disassociates half the extras between the plan and its apply.
    for i in 10..15 {
        client
            .disassociate(
                telnyx_reputation::Scope::Enterprise(DEMO_ENTERPRISE),
                n(i).as_e164(),
            )
            .await
            .unwrap();
    }
    let outcome = plan.apply(&client, BulkOptions::default()).await.unwrap();
    assert!(outcome.converged);
    assert_eq!(outcome.disassociated.len(), 10);
    assert_eq!(held(&mock), (0..10).map(n).collect());
}

#[tokio::test]
async fn a_rollback_of_a_sync_undoes_its_associations_and_keeps_its_prune() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let client = common::client(&mock);
    seed(&common::setup_client(&mock), 0..40).await;
    let desired: Vec<UsNumber> = (20..40).chain(100..160).map(n).collect();
    let plan = client
        .plan_sync(DEMO_ENTERPRISE, desired, true)
        .await
        .unwrap();
    let dir = common::tempdir();
    let path = dir.path().join("sync.journal");
    let billed = mock.billing().associate;
    let outcome = plan
        .apply(
            &client,
            BulkOptions::default()
                .journal(&path)
                .concurrency(3)
                .batch_size(25),
        )
        .await
        .unwrap();
    assert!(outcome.converged);
    assert_eq!(outcome.disassociated.len(), 20);
    assert_eq!(mock.billing().associate - billed, 60);
    let want: BTreeSet<_> = (20..40).chain(100..160).map(n).collect();
    assert_eq!(held(&mock), want);

    let report = client
        .rollback_job(&path, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert_eq!(report.rolled_back, 60);
    // The associations are undone; the pruned extras stay pruned.
    let left: BTreeSet<_> = (20..40).map(n).collect();
    assert_eq!(held(&mock), left);
    // And a resume of the rolled-back sync sends nothing.
    let requests = mock.stats().requests;
    let outcome = client
        .resume_sync(&path, BulkOptions::default())
        .await
        .unwrap();
    assert!(!outcome.converged && outcome.disassociated.is_empty());
    assert_eq!(mock.stats().requests, requests);
    assert_eq!(
        mock.billing().associate - billed,
        60,
        "nothing billed again"
    );
}

#[tokio::test]
async fn a_sync_stopped_by_the_token_sends_nothing_more_and_resume_finishes_it() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let client = common::client(&mock);
    seed(&common::setup_client(&mock), 0..30).await;
    let dir = common::tempdir();
    let stopped = || {
        let token = telnyx_reputation::bulk::CancellationToken::new();
        token.cancel();
        token
    };
    for (desired, extras, associations_done) in [
        // Associations and extras: stopped in the associations, before the prune.
        ((0..10).chain(50..55).collect::<Vec<u32>>(), 20, false),
        // Extras alone (5..10 and 50..55 now): the associations (none) complete, and the
        // prune is stopped before its first request.
        ((0..5).collect(), 10, true),
    ] {
        let plan = client
            .plan_sync(
                DEMO_ENTERPRISE,
                desired.iter().copied().map(n).collect(),
                true,
            )
            .await
            .unwrap();
        assert_eq!(plan.disassociate().len(), extras);
        let path = dir.path().join(format!("sync{extras}.journal"));
        let requests = mock.stats().requests;
        let outcome = plan
            .apply(
                &client,
                BulkOptions::default().journal(&path).cancel_on(stopped()),
            )
            .await
            .unwrap();
        assert!(outcome.interrupted && !outcome.converged, "{outcome:?}");
        assert!(outcome.disassociated.is_empty());
        assert_eq!(mock.stats().requests, requests, "nothing sent");
        let journal = Journal::read(&path).unwrap();
        assert!(journal.has_work_left());
        assert_eq!(
            journal.summary().state == JobState::Pruning,
            associations_done
        );
        assert_eq!(journal.summary().pruned, 0);

        let outcome = client
            .resume_sync(&path, BulkOptions::default())
            .await
            .unwrap();
        assert!(outcome.converged && !outcome.interrupted, "{outcome:?}");
        assert_eq!(outcome.disassociated.len(), extras);
        let want: BTreeSet<_> = desired.iter().copied().map(n).collect();
        assert_eq!(held(&mock), want);
        assert!(!Journal::read(&path).unwrap().has_work_left());
    }
}

#[tokio::test]
async fn the_numbers_telnyx_removed_are_journalled_and_resume_reports_them_the_same() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let client = common::client(&mock);
    seed(&common::setup_client(&mock), 0..5).await;
    common::ownership_event(&mock, DEMO_ENTERPRISE, n(1).as_str(), "disconnected").await;
    common::ownership_event(&mock, DEMO_ENTERPRISE, n(2).as_str(), "disconnected").await;
    let desired: Vec<UsNumber> = (0..8).map(n).collect();
    let plan = client
        .plan_sync(DEMO_ENTERPRISE, desired.clone(), false)
        .await
        .unwrap();
    assert_eq!(plan.associate, (5..8).map(n).collect::<Vec<_>>());
    assert_eq!(plan.withheld().len(), 2);
    let dir = common::tempdir();
    let path = dir.path().join("sync.journal");
    let outcome = plan
        .apply(&client, BulkOptions::default().journal(&path))
        .await
        .unwrap();
    assert!(outcome.converged, "{outcome:?}");
    assert_eq!(outcome.withheld, plan.removed_by_telnyx);

    let journal = Journal::read(&path).unwrap();
    assert_eq!(journal.summary().removed_by_telnyx, plan.removed_by_telnyx);
    assert!(!journal.summary().readd_removed);
    let planned: BTreeSet<String> = journal
        .report()
        .numbers()
        .into_iter()
        .map(|r| r.phone_number)
        .collect();
    assert!(!planned.contains(n(1).as_str()) && !planned.contains(n(2).as_str()));

    // Resuming the finished journal sends nothing and says the same.
    let billed = mock.billing();
    let resumed = client
        .resume_sync(&path, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(resumed.withheld, plan.removed_by_telnyx);
    assert_eq!(mock.billing(), billed);
    assert_eq!(
        held(&mock),
        desired
            .iter()
            .copied()
            .filter(|x| *x != n(1) && *x != n(2))
            .collect()
    );

    // Re-added, the journal says so and the numbers are in its plan.
    let readding = client
        .plan_sync_with(
            DEMO_ENTERPRISE,
            desired,
            telnyx_reputation::sync::PlanOptions::default().readd_removed(true),
        )
        .await
        .unwrap();
    let path = dir.path().join("readd.journal");
    let outcome = readding
        .apply(&client, BulkOptions::default().journal(&path))
        .await
        .unwrap();
    assert!(
        outcome.converged && outcome.withheld.is_empty(),
        "{outcome:?}"
    );
    let journal = Journal::read(&path).unwrap();
    assert!(journal.summary().readd_removed);
    assert_eq!(journal.summary().removed_by_telnyx.len(), 2);
    assert_eq!(journal.report().associated, vec![n(1), n(2)]);
    assert_eq!(mock.billing().associate - billed.associate, 2);
}
