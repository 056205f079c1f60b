//! Values a later edition of the API may add: a settings, remediation or number answer carrying
//! a value this client has never heard of reads, and the record carries the value as `Other`.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::TryStreamExt;
use telnyx_reputation::report::{Risk, Row, Selection};
use telnyx_reputation::{
    ApiKey, CheckFrequency, Client, ClientConfig, LoaStatus, Page, RemediationStatus,
    ReputationStatus, RetryPolicy, Scope, SpamRisk,
};
use uuid::Uuid;

const ENTERPRISE: Uuid = Uuid::from_u128(0x1f7c_0000_0000_4000_8000_0000_0000_0001);
const REMEDIATION: Uuid = Uuid::from_u128(0xb7c1_f1c0_7a9d_4f0a_9d3e_2f6a_1c4b_8e21);

/// Serves `router` on a free loopback port; returns a client of it.
async fn client_of(router: Router) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Client::new(
        ClientConfig::new(ApiKey::new("test-key"))
            .base_url(format!("http://{addr}"))
            .retry(RetryPolicy::default().base_delay(Duration::from_millis(1))),
    )
    .unwrap()
}

fn json(body: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

#[tokio::test]
async fn settings_in_statuses_added_later_read_as_other() {
    let body = serde_json::json!({"data": {
        "enterprise_id": ENTERPRISE,
        "status": "suspended",
        "loa_status": "expired",
        "loa_document_id": "doc-1",
        "check_frequency": "hourly",
        "rejection_reasons": null,
        "created_at": "2026-11-24T10:00:00Z",
        "updated_at": "2026-11-24T10:00:00Z"
    }});
    let path = format!("/enterprises/{ENTERPRISE}/reputation");
    let client =
        client_of(Router::new().route(&path, get(move || async move { json(body) }))).await;

    let settings = client.settings(ENTERPRISE).await.expect("settings read");
    assert_eq!(settings.status, ReputationStatus::Other("suspended".into()));
    assert_eq!(
        settings.loa_status,
        Some(LoaStatus::Other("expired".into()))
    );
    assert_eq!(
        settings.check_frequency,
        Some(CheckFrequency::Other("hourly".into()))
    );
    assert_eq!(settings.raw().status, Some(settings.status.clone()));
}

#[tokio::test]
async fn a_remediation_in_a_status_added_later_reads_as_other() {
    let body = serde_json::json!({"data": {
        "id": REMEDIATION,
        "status": "escalated",
        "call_purpose": "Appointment reminders",
        "phone_numbers_count": 1,
        "phone_numbers_submitted": 1,
        "phone_numbers_ineligible": 0,
        "results": null,
        "contact_email": "ops@example.com",
        "webhook_url": null,
        "tier1_completed_at": null,
        "tier2_completed_at": null,
        "created_at": "2026-11-24T10:00:00Z",
        "updated_at": "2026-11-24T10:00:00Z"
    }});
    let path = format!("/enterprises/{ENTERPRISE}/reputation/remediation/{REMEDIATION}");
    let client =
        client_of(Router::new().route(&path, get(move || async move { json(body) }))).await;

    let remediation = client
        .remediation(ENTERPRISE, REMEDIATION)
        .await
        .expect("remediation read");
    assert_eq!(
        remediation.status,
        RemediationStatus::Other("escalated".into())
    );
    assert_eq!(remediation.status.to_string(), "escalated");
}

#[tokio::test]
async fn a_spam_risk_bucket_added_later_is_kept_and_reaches_no_report_level() {
    let body = serde_json::json!({
        "data": [
            {"phone_number": "+16035550001", "reputation_data": {"spam_risk": "high"}},
            {"phone_number": "+16035550002",
             "reputation_data": {"spam_risk": "critical", "maturity_score": 12}}
        ],
        "meta": {"page_number": 1, "page_size": 250, "total_pages": 1, "total_results": 2}
    });
    let path = format!("/enterprises/{ENTERPRISE}/reputation/numbers");
    let client =
        client_of(Router::new().route(&path, get(move || async move { json(body) }))).await;
    let scope = Scope::Enterprise(ENTERPRISE);

    let page = client.numbers(scope).page(Page::default()).await.unwrap();
    let risks: Vec<Option<SpamRisk>> = page
        .data
        .iter()
        .map(|r| r.reputation_data.as_ref().and_then(|d| d.spam_risk.clone()))
        .collect();
    assert_eq!(
        risks,
        [
            Some(SpamRisk::High),
            Some(SpamRisk::Other("critical".into()))
        ]
    );
    assert_eq!(
        page.data[1]
            .raw()
            .reputation_data
            .as_ref()
            .unwrap()
            .spam_risk,
        Some(SpamRisk::Other("critical".into()))
    );

    let rows: Vec<Row> = client
        .reputation_report(scope, 1)
        .try_collect()
        .await
        .unwrap();
    let levels: Vec<Option<Risk>> = rows.iter().map(Row::risk).collect();
    assert_eq!(levels, [Some(Risk::High), None], "unknown reaches no level");
    assert_eq!(rows[1].reputation.spam_risk, risks[1]);
    assert_eq!(rows[1].reputation.maturity_score, Some(12));
    let mut at_least_low = Selection::new(Some(Risk::Low));
    let kept: Vec<bool> = rows.iter().map(|r| at_least_low.keep(r)).collect();
    assert_eq!(kept, [true, false]);
    assert_eq!(
        (at_least_low.counts().high, at_least_low.counts().unknown),
        (1, 1)
    );
}
