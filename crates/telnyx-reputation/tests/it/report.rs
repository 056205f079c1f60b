//! Reports against the emulator: concurrent pages in order, rows equal to the emulator's
//! state, nothing billed, the changes since a snapshot, and ownership tracking (a carrier
//! change and a removal seen from list pages alone). No test here loses an answer, so every
//! client has the default request timeout: the short one would only fail a read on a loaded
//! machine.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use futures::TryStreamExt;
use telnyx_reputation::api::RemovalReason;
use telnyx_reputation::e164::{Batch, UsNumber};
use telnyx_reputation::report::{
    Alert, Change, Comparison, DEFAULT_SCORE_DELTA, Ownership, Row, Snapshot, SnapshotWriter,
    Source,
};
use telnyx_reputation::{Client, NumberReputation, Removal, Scope};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, MockConfig, MockHandle, start};

async fn populated(numbers: u64, seed: u64) -> MockHandle {
    let mut config = MockConfig::demo();
    config.populate = numbers;
    config.seed = seed;
    start(config).await.unwrap()
}

/// The emulator's monitored numbers of the demo enterprise, each with its risk word.
fn world_rows(mock: &MockHandle) -> BTreeMap<String, Option<String>> {
    mock.world()
        .associations
        .values()
        .filter(|a| a.enterprise_id == DEMO_ENTERPRISE)
        .map(|a| {
            let risk = a
                .reputation
                .as_ref()
                .and_then(|r| r.spam_risk.as_ref())
                .map(|r| format!("{r:?}").to_lowercase());
            (a.phone_number.to_string(), risk)
        })
        .collect()
}

async fn report(client: &Client, concurrency: usize) -> Vec<Row> {
    client
        .reputation_report(Scope::Enterprise(DEMO_ENTERPRISE), concurrency)
        .try_collect()
        .await
        .unwrap()
}

/// Every row of `scope`, walked one page at a time: the order a concurrent walk must keep.
async fn walked(client: &Client, scope: Scope) -> Vec<NumberReputation> {
    client
        .numbers(scope)
        .concurrency(1)
        .pages()
        .try_concat()
        .await
        .unwrap()
}

#[tokio::test]
async fn concurrent_pages_come_out_in_the_order_of_a_page_by_page_walk() {
    let mock = populated(1_234, 7).await;
    let client = common::setup_client(&mock);
    let scope = Scope::Enterprise(DEMO_ENTERPRISE);
    let sequential = walked(&client, scope).await;
    assert_eq!(sequential.len(), 1_234);
    for concurrency in [1, 3, 16] {
        let concurrent: Vec<_> = client
            .numbers(scope)
            .concurrency(concurrency)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(concurrent, sequential, "concurrency {concurrency}");
    }
    // Account-wide, and with a filter, the same rows as walked one page at a time.
    let account: Vec<_> = client
        .numbers(Scope::Account)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let account_walked = walked(&client, Scope::Account).await;
    assert_eq!(account, account_walked);
    let one: UsNumber = sequential[500].phone_number;
    let filtered: Vec<_> = client
        .numbers(scope)
        .filter(Some(one.as_e164()))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(filtered, vec![sequential[500].clone()]);
}

#[tokio::test]
async fn pages_answered_out_of_order_still_come_out_in_order_and_the_window_stays_bounded() {
    let mock = populated(2_000, 3).await;
    let client = common::setup_client(&mock);
    let scope = Scope::Enterprise(DEMO_ENTERPRISE);
    let sequential = walked(&client, scope).await;
    // Each answer held 0–15 ms more than the others: later pages often arrive first.
    mock.set_faults(telnyx_reputation_mock::Faults {
        jitter_ms: 15,
        ..Default::default()
    });
    let concurrent: Vec<_> = client
        .numbers(scope)
        .concurrency(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(concurrent, sequential);

    // Taking one row of page 2 and dropping the stream: page 1, the 10 pages asked for ahead
    // once page 1 gave the count (5 at a time), and the one asked for when page 2 was taken;
    // no more, and the rest of the 40 pages never asked for.
    let mock = populated(10_000, 3).await;
    let client = common::setup_client(&mock);
    mock.reset_stats();
    let mut rows = Box::pin(client.numbers(scope).concurrency(5).stream());
    for _ in 0..=250 {
        rows.try_next().await.unwrap().unwrap();
    }
    drop(rows);
    let requests = mock.stats().requests;
    assert!((2..=12).contains(&requests), "{requests} requests");
}

#[tokio::test]
async fn a_report_equals_the_emulators_state_and_bills_nothing() {
    let mock = populated(700, 11).await;
    let client = common::setup_client(&mock);
    for _ in 0..3 {
        let rows = report(&client, 4).await;
        let seen: BTreeMap<String, Option<String>> = rows
            .iter()
            .map(|r| (r.phone_number.to_string(), r.risk().map(|r| r.to_string())))
            .collect();
        assert_eq!(seen.len(), rows.len(), "each number once");
        assert_eq!(seen, world_rows(&mock));
        // The seeded data spreads over every bucket, and some numbers have none.
        let risks: BTreeSet<_> = seen.values().cloned().collect();
        assert_eq!(risks.len(), 4, "{risks:?}");
    }
    assert_eq!(mock.billing().total(), 0, "{:?}", mock.billing());
}

#[tokio::test]
async fn since_a_snapshot_reports_added_removed_and_refreshed_numbers() {
    let mock = populated(300, 5).await;
    let client = common::setup_client(&mock);
    let before = report(&client, 4).await;
    let mut writer = SnapshotWriter::new(Vec::new(), "snapshot.jsonl");
    for row in &before {
        writer.write(row).unwrap();
    }
    let (bytes, written) = writer.finish().unwrap();
    assert_eq!(written, 300);
    let snapshot = Snapshot::read(&bytes[..], "snapshot.jsonl".as_ref()).unwrap();

    // One removed, one added, a few refreshed (new data), the rest untouched.
    let scope = Scope::Enterprise(DEMO_ENTERPRISE);
    let removed = before[10].phone_number;
    client.disassociate(scope, removed.as_e164()).await.unwrap();
    let added: UsNumber = "+19195550123".parse().unwrap();
    client
        .associate(DEMO_ENTERPRISE, &Batch::new(vec![added]).unwrap())
        .await
        .unwrap();
    let refreshed: Vec<UsNumber> = before[20..30].iter().map(|r| r.phone_number).collect();
    client
        .refresh(DEMO_ENTERPRISE, &Batch::new(refreshed.clone()).unwrap())
        .await
        .unwrap();

    let after = report(&client, 4).await;
    let mut comparison = Comparison::new(&snapshot, DEFAULT_SCORE_DELTA);
    let mut changes = Vec::new();
    for row in &after {
        comparison.compare(row, &mut changes);
    }
    changes.extend(comparison.removed());

    let of = |number: UsNumber| -> Vec<&Change> {
        changes
            .iter()
            .filter(|c| c.phone_number == number)
            .map(|c| &c.change)
            .collect()
    };
    assert!(
        matches!(of(removed)[..], [Change::Removed { .. }]),
        "{changes:?}"
    );
    assert!(
        matches!(of(added)[..], [Change::Added { .. }]),
        "{changes:?}"
    );
    let now: BTreeMap<UsNumber, &Row> = after.iter().map(|r| (r.phone_number, r)).collect();
    for row in &before[20..30] {
        let current = now[&row.phone_number];
        let risk_moved = current.risk() != row.risk();
        let category_moved = current.reputation.spam_category != row.reputation.spam_category;
        let found = of(row.phone_number);
        assert_eq!(
            found
                .iter()
                .any(|c| matches!(c, Change::RiskUp { .. } | Change::RiskDown { .. })),
            risk_moved,
            "{found:?}"
        );
        assert_eq!(
            found
                .iter()
                .any(|c| matches!(c, Change::CategoryChanged { .. })),
            category_moved,
            "{found:?}"
        );
    }
    // Nothing else changed.
    let touched: BTreeSet<UsNumber> = refreshed.iter().copied().chain([removed, added]).collect();
    assert!(
        changes.iter().all(|c| touched.contains(&c.phone_number)),
        "{changes:?}"
    );
    assert!(
        changes.len() > 2,
        "the refreshes changed something: {changes:?}"
    );
}

#[tokio::test]
async fn rows_carry_ownership_and_since_reports_a_flag_and_a_removal_with_its_reason() {
    let mut config = MockConfig::demo();
    config.external = vec!["+1919555".parse().unwrap()];
    let mock = start(config).await.unwrap();
    let client = common::setup_client(&mock);
    common::approve_external(&mock, DEMO_ENTERPRISE).await;
    let external: UsNumber = "+19195550001".parse().unwrap();
    let disconnected: UsNumber = "+16035550002".parse().unwrap();
    let numbers: Vec<UsNumber> = ["+16035550001", "+18005550100"]
        .iter()
        .map(|n| n.parse().unwrap())
        .chain([disconnected, external])
        .collect();
    client
        .associate(DEMO_ENTERPRISE, &Batch::new(numbers).unwrap())
        .await
        .unwrap();
    let billed = mock.billing();

    let before = report(&client, 2).await;
    let tracking: BTreeMap<String, (Option<Source>, Option<Ownership>)> = before
        .iter()
        .map(|r| {
            (
                r.phone_number.to_string(),
                (r.tracking.source, r.tracking.ownership_status),
            )
        })
        .collect();
    let verified = |source| (Some(source), Some(Ownership::Verified));
    assert_eq!(
        tracking,
        BTreeMap::from([
            ("+16035550001".into(), verified(Source::Telnyx)),
            ("+16035550002".into(), verified(Source::Telnyx)),
            ("+18005550100".into(), verified(Source::Telnyx)),
            ("+19195550001".into(), verified(Source::External)),
        ])
    );
    assert!(before.iter().all(|r| r.tracking.confirm_by.is_none()));
    let mut writer = SnapshotWriter::new(Vec::new(), "s.jsonl");
    for row in &before {
        writer.write(row).unwrap();
    }
    let snapshot = Snapshot::read(&writer.finish().unwrap().0[..], "s.jsonl".as_ref()).unwrap();

    // The daily check finds the external number with another carrier; the other one is
    // reported disconnected (removed: reassigned).
    common::ownership_event(&mock, DEMO_ENTERPRISE, external.as_str(), "carrier_changed").await;
    common::ownership_event(
        &mock,
        DEMO_ENTERPRISE,
        disconnected.as_str(),
        "disconnected",
    )
    .await;

    let after = report(&client, 2).await;
    assert_eq!(after.len(), 3, "a removed number leaves the list");
    let flagged = after.iter().find(|r| r.phone_number == external).unwrap();
    assert_eq!(
        flagged.tracking.ownership_status,
        Some(Ownership::PendingConfirmation)
    );
    let confirm_by = flagged
        .tracking
        .confirm_by
        .expect("a deadline while pending");
    let mut alert = Alert::on_ownership();
    for row in &after {
        alert.row(row);
    }
    assert_eq!(alert.ownership_hits(), 1);
    assert_eq!(alert.needing_confirmation()[0].phone_number, external);

    let mut comparison = Comparison::new(&snapshot, DEFAULT_SCORE_DELTA);
    let mut changes = Vec::new();
    for row in &after {
        comparison.compare(row, &mut changes);
    }
    let removals: BTreeMap<UsNumber, Removal> = client
        .removed_numbers(Scope::Enterprise(DEMO_ENTERPRISE))
        .map_ok(|r| (r.phone_number, r))
        .try_collect()
        .await
        .unwrap();
    changes.extend(comparison.removed_with(&removals));
    let found: Vec<(UsNumber, Change)> = changes
        .into_iter()
        .map(|c| (c.phone_number, c.change))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                external,
                Change::OwnershipChanged {
                    from: Some(Ownership::Verified),
                    to: Some(Ownership::PendingConfirmation),
                    confirm_by: Some(confirm_by),
                }
            ),
            (
                disconnected,
                Change::Removed {
                    risk: None,
                    removal_reason: Some(RemovalReason::Reassigned),
                    removed_at: removals[&disconnected].removed_at,
                }
            ),
        ]
    );
    assert!(removals[&disconnected].removed_at.is_some());
    assert_eq!(
        mock.billing(),
        billed,
        "reports and list walks bill nothing"
    );
}
