//! The October 2026 operations of the client against the emulator, with its faults on
//! (latency, 5xx, 429s, answers dropped after the change was applied): the webhook URL, the
//! ownership proof (404 read as nothing submitted, then pending, approved by the clock, and
//! frozen), the `source` and `ownership_status` list filters, a number's tracking detail, a
//! flag answered in bulk, giving numbers up (removed, and listed only as removed), and the
//! ledger, which bills none of it.

use crate::common;

use std::time::Duration;

use common::client;
use futures::TryStreamExt;
use telnyx_reputation::bulk::CancellationToken;
use telnyx_reputation::e164::{E164, validate_batch};
use telnyx_reputation::ownership::{ConfirmOptions, ConfirmOutcome, ConfirmReport};
use telnyx_reputation::{
    ApiKey, Claim, Client, ClientConfig, DocumentId, Error, FlagReason, NumberFilter, NumberSource,
    OwnershipEventType, OwnershipStatus, Page, RemovalReason, Scope, VerificationStatus,
    WebhookUrl,
};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, Faults, MockConfig, MockHandle, Operation};
use uuid::Uuid;

const E: Uuid = DEMO_ENTERPRISE;

/// Faults every test runs under: latency with jitter, a share of 5xx and of 429s, and some
/// confirmations applied and then answered by a dropped connection.
fn faults() -> Faults {
    Faults {
        latency_ms: 1,
        jitter_ms: 2,
        error_rate: 0.15,
        throttle_rate: 0.1,
        commit_then_drop_rate: 0.15,
        ..Faults::default()
    }
}

/// The demo emulator, with numbers under `+1312555` hosted elsewhere, and a [`client`] of it.
async fn emulator() -> (MockHandle, Client) {
    let config = MockConfig {
        external: vec!["+1312555".parse().expect("a prefix")],
        seed: 7,
        ..MockConfig::demo()
    };
    let mock = telnyx_reputation_mock::start(config)
        .await
        .expect("the emulator starts");
    let client = client(&mock);
    (mock, client)
}

/// [`emulator`] with the enterprise's ownership proof submitted and approved (the clock moved
/// past its review), so that numbers under `+1312555` can be associated.
async fn emulator_with_approved_proof() -> (MockHandle, Client) {
    let (mock, client) = emulator().await;
    client
        .submit_ownership_proof(E, &[doc("invoice-1")], &[])
        .await
        .unwrap();
    mock.advance_clock(Duration::from_secs(2));
    (mock, client)
}

fn n(text: &str) -> E164 {
    text.parse().expect("an E.164 number")
}

fn doc(id: &str) -> DocumentId {
    DocumentId::new(id).expect("a document id")
}

/// Associates `numbers` (faults off: setting up is not what is tested), with the default
/// request timeout: a slow machine must not fail the set-up.
async fn associate(mock: &MockHandle, numbers: &[&str]) {
    let batch = validate_batch(numbers.iter().copied()).expect("a batch");
    common::setup_client(mock)
        .associate(E, &batch)
        .await
        .expect("associated");
}

/// Every number of the enterprise that `filter` keeps, as text, in list order.
async fn listed(client: &Client, filter: NumberFilter) -> Vec<String> {
    client
        .numbers(Scope::Enterprise(E))
        .filter(filter)
        .stream()
        .map_ok(|r| r.phone_number.to_string())
        .try_collect()
        .await
        .expect("the list")
}

/// The five operations of October 2026 billed nothing, and nothing but associations was billed.
fn bills_only_associations(mock: &MockHandle, associated: u64) {
    let billing = mock.billing();
    assert_eq!(billing.total(), associated, "{billing:?}");
    for line in billing.by_operation() {
        if matches!(
            line.operation,
            Operation::UpdateWebhook
                | Operation::SubmitExternalVerification
                | Operation::GetExternalVerification
                | Operation::GetOwnership
                | Operation::ConfirmOwnership
        ) {
            assert!(!line.billable, "{line:?}");
            assert_eq!(line.billed, 0, "{line:?}");
        }
    }
}

fn statuses(report: &ConfirmReport) -> Vec<(String, &'static str)> {
    report
        .results
        .iter()
        .map(|r| (r.phone_number.to_string(), r.outcome.as_str()))
        .collect()
}

#[tokio::test]
async fn the_webhook_url_is_set_cleared_and_a_private_host_is_refused_off_loopback() {
    let (mock, client) = emulator().await;
    mock.set_faults(faults());
    let url = WebhookUrl::new("https://hooks.example.com/telnyx").unwrap();
    let settings = client.set_webhook_url(E, Some(&url)).await.unwrap();
    assert_eq!(
        settings.webhook_url.as_deref(),
        Some("https://hooks.example.com/telnyx")
    );
    let read = client.settings(E).await.unwrap();
    assert_eq!(
        read.webhook_url.as_deref(),
        Some("https://hooks.example.com/telnyx")
    );
    assert_eq!(
        read.external_verification_status, None,
        "nothing submitted yet"
    );

    // The emulator takes a plain-http receiver on this machine.
    let local = WebhookUrl::new("http://127.0.0.1:9/hook").unwrap();
    let settings = client.set_webhook_url(E, Some(&local)).await.unwrap();
    assert_eq!(
        settings.webhook_url.as_deref(),
        Some("http://127.0.0.1:9/hook")
    );

    let cleared = client.set_webhook_url(E, None).await.unwrap();
    assert_eq!(cleared.webhook_url, None, "null stops the events");

    // Off loopback, a URL Telnyx could not reach is refused before anything is sent (the base
    // URL below does not resolve: reaching it would fail differently).
    let remote =
        Client::new(ClientConfig::new(ApiKey::new("k")).base_url("https://api.telnyx.invalid/v2"))
            .unwrap();
    for private in [
        "http://127.0.0.1:9/hook",
        "https://10.0.0.7/hook",
        "https://localhost/x",
    ] {
        let url = WebhookUrl::new(private).unwrap();
        let refused = remote.set_webhook_url(E, Some(&url)).await.unwrap_err();
        assert!(
            matches!(&refused, Error::InvalidRequest { detail, .. } if detail.contains("publicly routable")),
            "{private}: {refused}"
        );
    }
    bills_only_associations(&mock, 0);
    mock.shutdown().await;
}

#[tokio::test]
async fn an_ownership_proof_is_absent_then_pending_then_approved_and_then_frozen() {
    let (mock, client) = emulator().await;
    mock.set_faults(faults());
    assert_eq!(
        client.ownership_proof(E).await.unwrap(),
        None,
        "404: nothing submitted"
    );
    let none = client
        .submit_ownership_proof(E, &[], &[])
        .await
        .unwrap_err();
    assert!(matches!(none, Error::InvalidRequest { .. }), "{none}");

    let proof = client
        .submit_ownership_proof(
            E,
            &[doc("invoice-1"), doc("statement-2")],
            &[n("+13125550100")],
        )
        .await
        .unwrap();
    assert_eq!(proof.status, VerificationStatus::Pending);
    assert_eq!(proof.document_ids, ["invoice-1", "statement-2"]);
    assert_eq!(proof.phone_numbers, ["+13125550100"]);
    let settings = client.settings(E).await.unwrap();
    assert_eq!(
        settings.external_verification_status,
        Some(VerificationStatus::Pending)
    );

    // While pending, a new submission replaces the documents.
    let replaced = client
        .submit_ownership_proof(E, &[doc("invoice-3")], &[])
        .await
        .unwrap();
    assert_eq!(replaced.document_ids, ["invoice-3"]);

    mock.advance_clock(Duration::from_secs(2));
    let read = client.ownership_proof(E).await.unwrap().expect("submitted");
    assert_eq!(read.status, VerificationStatus::Approved);
    assert!(read.reviewed_at.is_some());
    let settings = client.settings(E).await.unwrap();
    assert_eq!(
        settings.external_verification_status,
        Some(VerificationStatus::Approved)
    );

    let frozen = client
        .submit_ownership_proof(E, &[doc("invoice-4")], &[])
        .await
        .unwrap_err();
    assert_eq!(frozen.status(), Some(409), "{frozen}");
    assert!(!frozen.outcome_unknown());
    bills_only_associations(&mock, 0);
    mock.shutdown().await;
}

#[tokio::test]
async fn lists_filter_on_source_and_ownership_and_a_number_shows_its_tracking_detail() {
    let (mock, client) = emulator_with_approved_proof().await;
    associate(
        &mock,
        &[
            "+16035550001",
            "+16035550002",
            "+13125550100",
            "+13125550101",
        ],
    )
    .await;
    common::ownership_event(&mock, E, "+13125550101", "carrier_changed").await;
    mock.set_faults(faults());

    let external = NumberFilter::default().source(NumberSource::External);
    assert_eq!(
        listed(&client, external.clone()).await,
        ["+13125550100", "+13125550101"]
    );
    let telnyx = NumberFilter::default().source(NumberSource::Telnyx);
    assert_eq!(
        listed(&client, telnyx).await,
        ["+16035550001", "+16035550002"]
    );
    let pending = external.ownership_status(OwnershipStatus::PendingConfirmation);
    assert_eq!(listed(&client, pending.clone()).await, ["+13125550101"]);
    // The account-wide list takes the same filters.
    let page = client
        .numbers(Scope::Account)
        .filter(pending.in_enterprise(E))
        .page(Page::new(1, 250))
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    let flagged = &page.data[0];
    assert_eq!(flagged.source, Some(NumberSource::External));
    assert_eq!(
        flagged.ownership_status,
        Some(OwnershipStatus::PendingConfirmation)
    );
    assert_eq!(flagged.flag_reason, Some(FlagReason::CarrierChanged));
    assert!(flagged.confirm_by.is_some());

    let detail = client.ownership(E, n("+13125550101")).await.unwrap();
    assert_eq!(detail.phone_number.as_deref(), Some("+13125550101"));
    assert_eq!(detail.source, Some(NumberSource::External));
    assert_eq!(
        detail.ownership_status,
        Some(OwnershipStatus::PendingConfirmation)
    );
    assert!(detail.baseline_carrier.is_some() && detail.last_checked_at.is_some());
    let history: Vec<_> = detail.history.into_iter().map(|h| h.event_type).collect();
    assert_eq!(
        history.first(),
        Some(&Some(OwnershipEventType::Flag)),
        "most recent first: {history:?}"
    );
    assert_eq!(
        history.last(),
        Some(&Some(OwnershipEventType::Added)),
        "{history:?}"
    );

    let unknown = client.ownership(E, n("+16035559999")).await.unwrap_err();
    assert_eq!(unknown.status(), Some(404), "{unknown}");
    bills_only_associations(&mock, 4);
    mock.shutdown().await;
}

#[tokio::test]
async fn flagged_numbers_confirmed_in_bulk_are_verified_again_under_faults() {
    let (mock, client) = emulator_with_approved_proof().await;
    let numbers: Vec<String> = (0..24).map(|i| format!("+131255501{i:02}")).collect();
    let texts: Vec<&str> = numbers.iter().map(String::as_str).collect();
    associate(&mock, &texts).await;
    for number in &numbers {
        common::ownership_event(&mock, E, number, "carrier_changed").await;
    }
    mock.set_faults(faults());
    let pending = NumberFilter::default().ownership_status(OwnershipStatus::PendingConfirmation);
    assert_eq!(listed(&client, pending.clone()).await.len(), 24);

    // Each number twice: answered once.
    let inputs = numbers.iter().chain(&numbers).map(|t| n(t));
    let options = ConfirmOptions::default()
        .concurrency(6)
        .resends(10)
        .evidence(doc("carrier-letter"));
    let report = client
        .confirm_ownership_all(E, inputs, Claim::StillOwn, options)
        .await;
    assert_eq!(report.duplicates, 24);
    let expected: Vec<(String, &str)> = numbers.iter().map(|t| (t.clone(), "done")).collect();
    assert_eq!(statuses(&report), expected, "{report:?}");
    assert!(report.is_complete());
    for result in &report.results {
        let ConfirmOutcome::Done { record, .. } = &result.outcome else {
            panic!("{result:?}");
        };
        assert_eq!(record.ownership_status, Some(OwnershipStatus::Verified));
        assert_eq!(record.confirm_by, None);
    }
    assert!(listed(&client, pending).await.is_empty());
    let verified = NumberFilter::default().ownership_status(OwnershipStatus::Verified);
    assert_eq!(listed(&client, verified).await.len(), 24);
    let detail = client.ownership(E, n(&numbers[0])).await.unwrap();
    let last = detail.history.into_iter().next().unwrap();
    assert_eq!(last.event_type, Some(OwnershipEventType::Confirm));
    bills_only_associations(&mock, 24);
    mock.shutdown().await;
}

#[tokio::test]
async fn numbers_given_up_or_left_unconfirmed_are_removed_and_listed_only_as_removed() {
    let (mock, client) = emulator().await;
    associate(
        &mock,
        &[
            "+16035550001",
            "+16035550002",
            "+16035550003",
            "+16035550004",
        ],
    )
    .await;
    common::ownership_event(&mock, E, "+16035550003", "carrier_changed").await;
    common::ownership_event(&mock, E, "+16035550004", "carrier_changed").await;
    mock.set_faults(faults());

    let gone = [n("+16035550001"), n("+16035550003")];
    let report = client
        .confirm_ownership_all(
            E,
            gone,
            Claim::NoLongerOwn,
            ConfirmOptions::default().resends(10),
        )
        .await;
    assert_eq!(
        statuses(&report),
        [
            ("+16035550001".to_owned(), "done"),
            ("+16035550003".to_owned(), "done")
        ],
        "{report:?}"
    );
    // +16035550004's carrier change goes unanswered past its deadline (3 days).
    mock.advance_clock(Duration::from_secs(3 * 24 * 3600 + 1));

    assert_eq!(
        listed(&client, NumberFilter::default()).await,
        ["+16035550002"]
    );
    let removed: Vec<_> = client
        .numbers(Scope::Enterprise(E))
        .filter(NumberFilter::removed())
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut reasons: Vec<(String, Option<RemovalReason>, bool)> = removed
        .iter()
        .map(|r| {
            (
                r.phone_number.to_string(),
                r.removal_reason.clone(),
                r.removed_at.is_some(),
            )
        })
        .collect();
    reasons.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        reasons,
        [
            (
                "+16035550001".to_owned(),
                Some(RemovalReason::CustomerReported),
                true
            ),
            (
                "+16035550003".to_owned(),
                Some(RemovalReason::PortedAway),
                true
            ),
            (
                "+16035550004".to_owned(),
                Some(RemovalReason::UnconfirmedOwnership),
                true
            ),
        ]
    );
    let detail = client.ownership(E, n("+16035550001")).await.unwrap();
    assert_eq!(detail.ownership_status, Some(OwnershipStatus::Removed));
    bills_only_associations(&mock, 4);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_refused_answer_and_a_cancelled_run_are_reported_number_by_number() {
    let (mock, client) = emulator().await;
    associate(&mock, &["+16035550001"]).await;
    common::ownership_event(&mock, E, "+16035550001", "disconnected").await;

    // Confirming a removed number is refused (409 on the emulator); a number the enterprise
    // never had is refused too (404). Nothing is sent twice for a refusal.
    let report = client
        .confirm_ownership_all(
            E,
            [n("+16035550001"), n("+16035550099")],
            Claim::StillOwn,
            ConfirmOptions::default(),
        )
        .await;
    let refusals: Vec<Option<u16>> = report
        .results
        .iter()
        .map(|r| match &r.outcome {
            ConfirmOutcome::Refused(e) => Some(e.status),
            _ => None,
        })
        .collect();
    assert_eq!(refusals, [Some(409), Some(404)], "{report:?}");
    assert_eq!(report.requests, 2);
    assert_eq!(report.lookups, 0);

    let token = CancellationToken::new();
    token.cancel();
    let cancelled = client
        .confirm_ownership_all(
            E,
            [n("+16035550001"), n("+16035550002")],
            Claim::NoLongerOwn,
            ConfirmOptions::default().cancel_on(token),
        )
        .await;
    assert_eq!(
        statuses(&cancelled),
        [
            ("+16035550001".to_owned(), "not_sent"),
            ("+16035550002".to_owned(), "not_sent")
        ]
    );
    assert_eq!(cancelled.requests, 0);
    bills_only_associations(&mock, 1);
    mock.shutdown().await;
}

#[tokio::test]
async fn an_answer_applied_but_never_acknowledged_is_found_done_by_a_lookup_not_sent_again() {
    let (mock, client) = emulator().await;
    associate(&mock, &["+16035550001", "+16035550002", "+16035550003"]).await;
    // Every confirmation is applied, then its connection dropped without an answer.
    mock.set_faults(Faults {
        commit_then_drop_rate: 1.0,
        ..Faults::default()
    });
    let numbers = [n("+16035550001"), n("+16035550002"), n("+16035550003")];
    let single = client
        .confirm_ownership(E, numbers[0], Claim::NoLongerOwn, None)
        .await
        .unwrap_err();
    assert!(single.outcome_unknown(), "{single}");

    let report = client
        .confirm_ownership_all(E, numbers, Claim::NoLongerOwn, ConfirmOptions::default())
        .await;
    let looked_up: Vec<bool> = report
        .results
        .iter()
        .map(|r| {
            matches!(
                r.outcome,
                ConfirmOutcome::Done {
                    looked_up: true,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(looked_up, [true, true, true], "{report:?}");
    assert_eq!((report.requests, report.lookups), (3, 3));
    assert!(listed(&client, NumberFilter::default()).await.is_empty());
    assert_eq!(listed(&client, NumberFilter::removed()).await.len(), 3);
    bills_only_associations(&mock, 3);
    mock.shutdown().await;
}
