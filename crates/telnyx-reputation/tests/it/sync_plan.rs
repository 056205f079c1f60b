//! Sync plans against the emulator: missing, extra and conflicting numbers found from list
//! pages alone, nothing billed by planning, and a plan applied by hand then planned again is
//! empty; numbers Telnyx removed held back (not billed) unless re-added, numbers the customer
//! removed planned as before.

use crate::common;

use std::collections::BTreeSet;

use telnyx_reputation::Scope;
use telnyx_reputation::api::RemovalReason;
use telnyx_reputation::bulk::BulkOptions;
use telnyx_reputation::e164::{Batch, UsNumber};
use telnyx_reputation::sync::PlanOptions;
use telnyx_reputation_mock::{DEMO_ENTERPRISE, EnterpriseConfig, Faults, MockConfig, start};
use uuid::Uuid;

const OTHER: Uuid = Uuid::from_u128(0x0ddba11);

fn n(i: u32) -> UsNumber {
    format!("+1603555{i:04}").parse().unwrap()
}

#[tokio::test]
async fn a_plan_finds_missing_extra_and_conflicting_numbers_and_is_empty_once_applied() {
    let mut config = MockConfig::demo();
    config.accounts[0].enterprises.push(EnterpriseConfig {
        id: OTHER,
        approved: true,
    });
    let mock = start(config).await.unwrap();
    // No faults here, so the default request timeout throughout: a call timed out on a loaded
    // machine and retried would find its own work done (a 404 for a disassociation).
    let client = common::setup_client(&mock);
    let setup = &client;
    // Monitored now: 0..300 on the enterprise, 900..905 on another one.
    for chunk in (0..300).collect::<Vec<u32>>().chunks(100) {
        let batch = Batch::new(chunk.iter().map(|i| n(*i)).collect()).unwrap();
        setup.associate(DEMO_ENTERPRISE, &batch).await.unwrap();
    }
    let held = Batch::new((900..905).map(n).collect()).unwrap();
    setup.associate(OTHER, &held).await.unwrap();
    let billed_before = mock.billing();

    // Wanted: 100..400 (so 0..100 extra, 300..400 missing), and 900..903 held elsewhere.
    let mut desired: Vec<UsNumber> = (100..400).chain(900..903).map(n).collect();
    desired.extend((100..110).map(n)); // repeats are fine
    desired.reverse();
    let plan = client
        .plan_sync(DEMO_ENTERPRISE, desired.clone(), true)
        .await
        .unwrap();
    assert_eq!(plan.associate, (300..400).map(n).collect::<Vec<_>>());
    assert_eq!(plan.extra, (0..100).map(n).collect::<Vec<_>>());
    assert_eq!(plan.disassociate(), &plan.extra[..]);
    assert_eq!(plan.unchanged, 200);
    let conflicts: Vec<_> = plan
        .conflicts
        .iter()
        .map(|c| (c.phone_number, c.held_by))
        .collect();
    assert_eq!(
        conflicts,
        (900..903).map(|i| (n(i), OTHER)).collect::<Vec<_>>()
    );
    assert_eq!(plan.billable_checks(), 100);
    assert_eq!(mock.billing(), billed_before, "planning bills nothing");

    // Without pruning the extras stay.
    let kept = client
        .plan_sync(DEMO_ENTERPRISE, desired.clone(), false)
        .await
        .unwrap();
    assert!(kept.disassociate().is_empty());
    assert_eq!(kept.extra.len(), 100);

    // Applying the plan by hand leaves nothing to do.
    for chunk in plan.associate.chunks(100) {
        client
            .associate(DEMO_ENTERPRISE, &Batch::new(chunk.to_vec()).unwrap())
            .await
            .unwrap();
    }
    for number in plan.disassociate() {
        client
            .disassociate(Scope::Enterprise(DEMO_ENTERPRISE), number.as_e164())
            .await
            .unwrap();
    }
    let again = client
        .plan_sync(DEMO_ENTERPRISE, desired, true)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(again.unchanged, 300);
    assert_eq!(again.conflicts.len(), 3);
    assert_eq!(
        mock.billing().associate - billed_before.associate,
        100,
        "only the plan's associations were billed"
    );
}

/// A small deterministic generator, so each seeded start is reproducible.
fn next(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

#[tokio::test]
async fn sync_converges_from_seeded_starts_under_faults_and_bills_only_its_plan() {
    // Each seed has its own emulator, so the six go at once: a sync under faults waits on lost
    // answers far more than it computes.
    common::concurrently(1..=6u64, 6, |seed| async move {
        let mut config = MockConfig::demo();
        config.seed = seed;
        config.accounts[0].enterprises.push(EnterpriseConfig {
            id: OTHER,
            approved: true,
        });
        config.faults = Faults {
            error_rate: 0.1,
            throttle_rate: 0.05,
            commit_then_drop_rate: 0.05,
            ..Faults::default()
        };
        let mock = start(config).await.unwrap();
        let client = common::client(&mock);
        let mut rng = seed;
        let pick = |rng: &mut u64, count: u64| -> Vec<UsNumber> {
            let mut v: Vec<u32> = (0..count).map(|_| (next(rng) % 600) as u32).collect();
            v.sort_unstable();
            v.dedup();
            v.into_iter().map(n).collect()
        };
        let current = pick(&mut rng, 150);
        let elsewhere: Vec<UsNumber> = pick(&mut rng, 30)
            .into_iter()
            .filter(|x| !current.contains(x))
            .collect();
        mock.set_faults(Faults::default());
        let setup = common::setup_client(&mock);
        for chunk in current.chunks(100) {
            setup
                .associate(DEMO_ENTERPRISE, &Batch::new(chunk.to_vec()).unwrap())
                .await
                .unwrap();
        }
        if !elsewhere.is_empty() {
            setup
                .associate(OTHER, &Batch::new(elsewhere.clone()).unwrap())
                .await
                .unwrap();
        }
        mock.set_faults(Faults {
            error_rate: 0.1,
            throttle_rate: 0.05,
            commit_then_drop_rate: 0.05,
            ..Faults::default()
        });
        let desired = pick(&mut rng, 200);
        let before = mock.billing();
        // The plan's reads meet the 5xx and the 429s with the default timeout: they are free
        // and lose no answer, and the short one would only fail them on a loaded machine. The
        // sync, which loses answers, waits out the short one.
        let plan = setup
            .plan_sync(DEMO_ENTERPRISE, desired.clone(), true)
            .await
            .unwrap();
        let dir = common::tempdir();
        let outcome = plan
            .apply(
                &client,
                BulkOptions::default().journal(dir.path().join("sync.journal")),
            )
            .await
            .unwrap();
        assert!(outcome.converged, "seed {seed}: {outcome:?}");
        let held: BTreeSet<UsNumber> = mock
            .world()
            .associations
            .values()
            .filter(|a| a.enterprise_id == DEMO_ENTERPRISE)
            .map(|a| UsNumber::try_from(a.phone_number).unwrap())
            .collect();
        let wanted: BTreeSet<UsNumber> = desired
            .iter()
            .copied()
            .filter(|x| !elsewhere.contains(x))
            .collect();
        assert_eq!(held, wanted, "seed {seed}");
        assert_eq!(
            mock.billing().associate - before.associate,
            plan.billable_checks(),
            "seed {seed}: only the plan's associations are billed"
        );
        let again = setup
            .plan_sync(DEMO_ENTERPRISE, desired, true)
            .await
            .unwrap();
        assert!(again.is_empty(), "seed {seed}: {again:?}");
    })
    .await;
}

#[tokio::test]
async fn numbers_telnyx_removed_are_held_back_unless_readded_and_customer_removals_are_not() {
    let mock = start(MockConfig::demo()).await.unwrap();
    // No faults: no answer is lost, so the default request timeout only keeps a loaded machine
    // from failing a call the test makes directly.
    let client = common::setup_client(&mock);
    let scope = Scope::Enterprise(DEMO_ENTERPRISE);
    client
        .associate(
            DEMO_ENTERPRISE,
            &Batch::new((0..10).map(n).collect()).unwrap(),
        )
        .await
        .unwrap();
    // Telnyx removes one (reported disconnected: reassigned); the customer removes another.
    common::ownership_event(&mock, DEMO_ENTERPRISE, n(3).as_str(), "disconnected").await;
    client.disassociate(scope, n(4).as_e164()).await.unwrap();
    let toll_free: UsNumber = "+18005550100".parse().unwrap();
    let desired: Vec<UsNumber> = (0..10).map(n).chain([toll_free]).collect();
    let billed = mock.billing();

    let plan = client
        .plan_sync(DEMO_ENTERPRISE, desired.clone(), false)
        .await
        .unwrap();
    assert_eq!(
        plan.associate,
        vec![n(4), toll_free],
        "customer_removed: as before"
    );
    let held: Vec<(UsNumber, Option<RemovalReason>)> = plan
        .removed_by_telnyx
        .iter()
        .map(|r| (r.phone_number, r.removal_reason.clone()))
        .collect();
    assert_eq!(held, vec![(n(3), Some(RemovalReason::Reassigned))]);
    assert!(plan.removed_by_telnyx[0].removed_at.is_some());
    assert_eq!(plan.withheld().len(), 1);
    assert_eq!(
        plan.billable_checks(),
        2,
        "the removed number is not billed"
    );
    let notes: Vec<UsNumber> = plan.notes().map(|note| note.number).collect();
    assert_eq!(notes, vec![toll_free]);
    assert_eq!(mock.billing(), billed, "planning bills nothing");

    let outcome = plan.apply(&client, BulkOptions::default()).await.unwrap();
    assert!(outcome.converged, "{outcome:?}");
    assert_eq!(outcome.withheld, plan.removed_by_telnyx);
    assert_eq!(mock.billing().associate - billed.associate, 2);
    let monitored: BTreeSet<UsNumber> = mock
        .world()
        .associations
        .values()
        .map(|a| UsNumber::try_from(a.phone_number).unwrap())
        .collect();
    let mut wanted: BTreeSet<UsNumber> = desired.iter().copied().collect();
    wanted.remove(&n(3));
    assert_eq!(monitored, wanted);

    // Planned again: nothing to send, the removed number still listed.
    let again = client
        .plan_sync(DEMO_ENTERPRISE, desired.clone(), false)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(again.removed_by_telnyx, plan.removed_by_telnyx);

    // Asked to, the sync associates it again: billed once.
    let readd = PlanOptions::default().readd_removed(true);
    let readding = client
        .plan_sync_with(DEMO_ENTERPRISE, desired.clone(), readd)
        .await
        .unwrap();
    assert_eq!(readding.associate, vec![n(3)]);
    assert!(readding.withheld().is_empty());
    assert_eq!(readding.billable_checks(), 1);
    let before = mock.billing();
    let outcome = readding
        .apply(&client, BulkOptions::default())
        .await
        .unwrap();
    assert!(
        outcome.converged && outcome.withheld.is_empty(),
        "{outcome:?}"
    );
    assert_eq!(mock.billing().associate - before.associate, 1);
    let done = client
        .plan_sync(DEMO_ENTERPRISE, desired, false)
        .await
        .unwrap();
    assert!(
        done.is_empty() && done.removed_by_telnyx.is_empty(),
        "{done:?}"
    );
    assert_eq!(done.unchanged, 11);
}
