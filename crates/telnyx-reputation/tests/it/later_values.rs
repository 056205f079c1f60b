//! Values a later edition of the API may add: a settings or remediation answer carrying a status
//! this client has never heard of reads, and the record carries the value as `Other`.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use telnyx_reputation::{
    ApiKey, CheckFrequency, Client, ClientConfig, LoaStatus, RemediationStatus, ReputationStatus,
    RetryPolicy,
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
