//! Wire tests of the generated client for the operations the July 2026 edition added: settings,
//! the Letter of Authorization, refresh, remediation and the Terms of Service. For each, the
//! exact request on the socket (method, raw path, query with its bracketed names, headers, JSON
//! body) and how the documented answer reads, against a loopback server that records the bytes.

use crate::support::client::{ENTERPRISE, NUMBER, client, enterprise};

use std::num::NonZeroU64;

use crate::support::recorder::{Recorder, Reply};
use crate::support::wire::{
    assert_deletes, each_error, error_body, only_request, only_request_on_path, query_pairs,
};
use futures::StreamExt;
use serde_json::json;
use telnyx_reputation_api::types::{
    EnterpriseReputationCreate, EnterpriseReputationLoaRender, EnterpriseReputationLoaUpdate,
    EnterpriseReputationPublic, EnterpriseReputationUpdateFrequency, LoaSignaturePayload,
    NumberReputationErrors, RefreshReputationRequest, RemediationRequest, RemediationRequestCreate,
};
use telnyx_reputation_api::{
    CheckFrequency, Client, Error, LoaStatus, RemediationStatus, ReputationStatus,
};
use uuid::Uuid;

const REMEDIATION: &str = "b7c1f1c0-7a9d-4f0a-9d3e-2f6a1c4b8e21";

fn settings_json(status: &str) -> serde_json::Value {
    json!({"data": {
        "enterprise_id": ENTERPRISE,
        "status": status,
        "loa_status": status,
        "loa_document_id": "doc-1",
        "check_frequency": "weekly",
        "rejection_reasons": null,
        "created_at": "2026-11-24T10:00:00Z",
        "updated_at": "2026-11-24T10:00:00Z"
    }})
}

fn remediation_json() -> serde_json::Value {
    json!({
        "id": REMEDIATION,
        "status": "pending",
        "call_purpose": "Appointment reminders",
        "phone_numbers_count": 1,
        "phone_numbers_submitted": 1,
        "phone_numbers_ineligible": 0,
        "results": null,
        "contact_email": "ops@example.com",
        "webhook_url": "https://example.com/hook",
        "tier1_completed_at": null,
        "tier2_completed_at": null,
        "created_at": "2026-11-24T10:00:00Z",
        "updated_at": "2026-11-24T10:00:00Z"
    })
}

fn error_json(code: &str) -> serde_json::Value {
    json!({"errors": [{
        "code": code,
        "title": "Error",
        "detail": "detail",
        "meta": {"url": format!("https://developers.telnyx.com/docs/overview/errors/{code}")}
    }]})
}

fn assert_error_code<T: std::fmt::Debug>(
    result: Result<T, Error<NumberReputationErrors>>,
    status: u16,
    code: &str,
) {
    let response = error_body(result, status);
    assert_eq!(response.errors[0].code, code);
    assert!(response.errors[0].meta.url.ends_with(code));
}

/// The settings GetReputationSettings reads from an answer of `body` (the call failing with
/// `read` when they do not read), and the recorder that answered.
async fn get_settings(
    body: serde_json::Value,
    read: &str,
) -> (EnterpriseReputationPublic, Recorder) {
    let server = Recorder::start(Reply::json(200, body)).await;
    let settings = client(&server.base_url)
        .get_reputation_settings()
        .enterprise_id(enterprise())
        .send()
        .await
        .expect(read)
        .into_inner()
        .data;
    (settings, server)
}

/// The remediation request GetReputationRemediation reads from an answer of `{"data": body}`
/// for [`REMEDIATION`] (the call failing with `read` when it does not read), and the recorder
/// that answered.
async fn get_remediation(body: serde_json::Value, read: &str) -> (RemediationRequest, Recorder) {
    let server = Recorder::start(Reply::json(200, json!({"data": body}))).await;
    let request = client(&server.base_url)
        .get_reputation_remediation()
        .enterprise_id(enterprise())
        .remediation_id(REMEDIATION.parse::<Uuid>().expect("uuid"))
        .send()
        .await
        .expect(read)
        .into_inner()
        .data;
    (request, server)
}

/// Answers `call` (made on a client of a fresh recorder) with each error in turn, a status and
/// its error code, and asserts that each reads as the error envelope with that status and code.
async fn each_error_code<T, F, Fut>(errors: &[(u16, &str)], call: F)
where
    T: std::fmt::Debug,
    F: Fn(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error<NumberReputationErrors>>>,
{
    each_error(errors, error_json, call, assert_error_code).await;
}

#[tokio::test]
async fn get_reputation_settings_reads_the_settings() {
    let (settings, server) = get_settings(settings_json("approved"), "200 is read").await;
    only_request(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation"),
        false,
    );
    assert_eq!(settings.status, Some(ReputationStatus::Approved));
    assert_eq!(settings.loa_status, Some(LoaStatus::Approved));
    assert_eq!(settings.check_frequency, Some(CheckFrequency::Weekly));
    assert_eq!(settings.rejection_reasons, None);
}

#[tokio::test]
async fn enable_reputation_settings_posts_the_document_and_frequency() {
    let server = Recorder::start(Reply::json(201, settings_json("pending"))).await;
    let enabled = client(&server.base_url)
        .enable_reputation_settings()
        .enterprise_id(enterprise())
        .body(EnterpriseReputationCreate {
            loa_document_id: "doc-1".parse().expect("1 to 255 characters"),
            check_frequency: CheckFrequency::BusinessDaily,
        })
        .send()
        .await
        .expect("201 is read");
    assert_eq!(enabled.status().as_u16(), 201);
    let sent = only_request(
        &server,
        "POST",
        &format!("/enterprises/{ENTERPRISE}/reputation"),
        true,
    );
    assert_eq!(
        sent.json(),
        json!({"loa_document_id": "doc-1", "check_frequency": "business_daily"})
    );
    assert!(
        "".parse::<telnyx_reputation_api::types::EnterpriseReputationCreateLoaDocumentId>()
            .is_err()
    );

    let refused = Recorder::start(Reply::json(403, error_json("10010"))).await;
    let result = client(&refused.base_url)
        .enable_reputation_settings()
        .enterprise_id(enterprise())
        .body(EnterpriseReputationCreate {
            loa_document_id: "doc-1".parse().expect("valid"),
            check_frequency: CheckFrequency::Daily,
        })
        .send()
        .await;
    // 403 is not documented for this operation: it reads as an unexpected response.
    assert!(matches!(result, Err(Error::UnexpectedResponse(r)) if r.status().as_u16() == 403));
}

#[tokio::test]
async fn disable_reputation_settings_deletes_and_reads_204() {
    let disable = |c: Client| async move {
        c.disable_reputation_settings()
            .enterprise_id(enterprise())
            .send()
            .await
    };
    assert_deletes(&format!("/enterprises/{ENTERPRISE}/reputation"), disable).await;

    each_error_code(&[(404, "10009")], disable).await;
}

#[tokio::test]
async fn update_reputation_frequency_patches_the_frequency() {
    let server = Recorder::start(Reply::json(200, settings_json("approved"))).await;
    client(&server.base_url)
        .update_reputation_frequency()
        .enterprise_id(enterprise())
        .body(EnterpriseReputationUpdateFrequency {
            check_frequency: CheckFrequency::Monthly,
        })
        .send()
        .await
        .expect("200 is read");
    let sent = only_request(
        &server,
        "PATCH",
        &format!("/enterprises/{ENTERPRISE}/reputation/frequency"),
        true,
    );
    assert_eq!(sent.json(), json!({"check_frequency": "monthly"}));

    each_error_code(&[(400, "10015")], |c| async move {
        c.update_reputation_frequency()
            .enterprise_id(enterprise())
            .body(EnterpriseReputationUpdateFrequency {
                check_frequency: CheckFrequency::Never,
            })
            .send()
            .await
    })
    .await;
}

#[tokio::test]
async fn generate_reputation_loa_posts_the_optional_parts_and_returns_the_pdf_bytes() {
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let server = Recorder::start(Reply::raw(200, "application/pdf", pdf.clone())).await;
    let response = client(&server.base_url)
        .generate_reputation_loa()
        .enterprise_id(enterprise())
        .body(EnterpriseReputationLoaRender {
            agent: None,
            signature: Some(LoaSignaturePayload {
                image_base64: "aGk=".into(),
                signer_name: Some("Ada Lovelace".into()),
            }),
        })
        .send()
        .await
        .expect("200 is read");
    let sent = only_request(
        &server,
        "POST",
        &format!("/enterprises/{ENTERPRISE}/reputation/loa"),
        true,
    );
    assert_eq!(
        sent.json(),
        json!({"signature": {"image_base64": "aGk=", "signer_name": "Ada Lovelace"}})
    );
    let mut stream = response.into_inner_stream();
    let mut got = Vec::new();
    while let Some(chunk) = stream.next().await {
        got.extend_from_slice(&chunk.expect("body"));
    }
    assert_eq!(got, pdf);
}

#[tokio::test]
async fn replace_reputation_loa_patches_the_document_id() {
    let server = Recorder::start(Reply::json(200, settings_json("pending"))).await;
    let settings = client(&server.base_url)
        .replace_reputation_loa()
        .enterprise_id(enterprise())
        .body(EnterpriseReputationLoaUpdate {
            loa_document_id: "doc-2".parse().expect("valid"),
        })
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    let sent = only_request(
        &server,
        "PATCH",
        &format!("/enterprises/{ENTERPRISE}/reputation/loa"),
        true,
    );
    assert_eq!(sent.json(), json!({"loa_document_id": "doc-2"}));
    assert_eq!(settings.loa_status, Some(LoaStatus::Pending));
}

#[tokio::test]
async fn refresh_reputation_numbers_posts_the_numbers_and_reads_each_outcome() {
    let server = Recorder::start(Reply::json(
        200,
        json!({"data": {
            "results": [
                {"phone_number": NUMBER, "success": true, "error": null},
                {"phone_number": "+16035551235", "success": false, "error": "rate limited"}
            ],
            "total_requested": 2, "total_successful": 1, "total_failed": 1
        }}),
    ))
    .await;
    let refreshed = client(&server.base_url)
        .refresh_reputation_numbers()
        .enterprise_id(enterprise())
        .body(RefreshReputationRequest {
            phone_numbers: vec![NUMBER.into(), "+16035551235".into()],
        })
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    let sent = only_request(
        &server,
        "POST",
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers/refresh"),
        true,
    );
    assert_eq!(
        sent.json(),
        json!({"phone_numbers": [NUMBER, "+16035551235"]})
    );
    assert_eq!(refreshed.total_failed, 1);
    assert!(refreshed.results[0].success && refreshed.results[0].error.is_none());
    assert_eq!(refreshed.results[1].error.as_deref(), Some("rate limited"));

    // `4XX` and `default` read as the error envelope, on either side of 500.
    each_error_code(&[(429, "10011"), (503, "10099")], |c| async move {
        c.refresh_reputation_numbers()
            .enterprise_id(enterprise())
            .body(RefreshReputationRequest {
                phone_numbers: vec![NUMBER.into()],
            })
            .send()
            .await
    })
    .await;
}

#[tokio::test]
async fn list_reputation_remediations_sends_the_bracketed_filters() {
    let server = Recorder::start(Reply::json(
        200,
        json!({"data": [{
            "id": REMEDIATION, "status": "in_progress", "call_purpose": "Reminders",
            "phone_numbers_count": 3, "created_at": "2026-11-24T10:00:00Z",
            "updated_at": "2026-11-24T10:01:00Z"
        }], "meta": {"page_number": 1, "page_size": 1, "total_results": 1, "total_pages": 1}}),
    ))
    .await;
    let from: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse().expect("time");
    let until: chrono::DateTime<chrono::Utc> = "2026-12-31T23:59:59Z".parse().expect("time");
    let page = client(&server.base_url)
        .list_reputation_remediations()
        .enterprise_id(enterprise())
        .page_number(NonZeroU64::new(1).expect("non-zero"))
        .page_size(NonZeroU64::new(250).expect("non-zero"))
        .filter_status(RemediationStatus::InProgress)
        .filter_created_at_gte(from)
        .filter_created_at_lte(until)
        .send()
        .await
        .expect("200 is read")
        .into_inner();
    let sent = only_request_on_path(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation/remediation"),
    );
    let mut pairs = query_pairs(&sent);
    pairs.sort();
    assert_eq!(
        pairs,
        [
            (
                "filter[created_at][gte]".to_owned(),
                "2026-01-01T00:00:00Z".to_owned()
            ),
            (
                "filter[created_at][lte]".to_owned(),
                "2026-12-31T23:59:59Z".to_owned()
            ),
            ("filter[status]".to_owned(), "in_progress".to_owned()),
            ("page[number]".to_owned(), "1".to_owned()),
            ("page[size]".to_owned(), "250".to_owned()),
        ]
    );
    let raw = sent.query().expect("query");
    assert!(raw.contains("filter%5Bstatus%5D=in_progress"), "{raw}");
    assert!(
        raw.contains("filter%5Bcreated_at%5D%5Bgte%5D=2026-01-01T00%3A00%3A00Z"),
        "{raw}"
    );
    assert_eq!(page.data[0].status, RemediationStatus::InProgress);
    assert_eq!(page.meta.total_results, 1);
}

#[tokio::test]
async fn submit_reputation_remediation_posts_the_request_and_reads_the_202() {
    let server = Recorder::start(Reply::json(202, json!({"data": remediation_json()}))).await;
    let accepted = client(&server.base_url)
        .submit_reputation_remediation()
        .enterprise_id(enterprise())
        .body(RemediationRequestCreate {
            phone_numbers: vec![NUMBER.parse().expect("matches the pattern")],
            call_purpose: "Appointment reminders"
                .parse()
                .expect("1 to 2000 characters"),
            contact_email: Some("ops@example.com".parse().expect("valid")),
            webhook_url: Some("https://example.com/hook".parse().expect("valid")),
        })
        .send()
        .await
        .expect("202 is read");
    assert_eq!(accepted.status().as_u16(), 202);
    let sent = only_request(
        &server,
        "POST",
        &format!("/enterprises/{ENTERPRISE}/reputation/remediation"),
        true,
    );
    assert_eq!(
        sent.json(),
        json!({
            "phone_numbers": [NUMBER],
            "call_purpose": "Appointment reminders",
            "contact_email": "ops@example.com",
            "webhook_url": "https://example.com/hook"
        })
    );
    let request = accepted.into_inner().data;
    assert_eq!(request.id, REMEDIATION.parse::<Uuid>().expect("uuid"));
    assert_eq!(request.status, RemediationStatus::Pending);
    assert_eq!(request.results, None);
    assert!(
        "16035551234"
            .parse::<telnyx_reputation_api::types::RemediationRequestCreatePhoneNumbersItem>()
            .is_err(),
        "the pattern wants the +"
    );

    each_error_code(&[(409, "10021")], |c| async move {
        c.submit_reputation_remediation()
            .enterprise_id(enterprise())
            .body(RemediationRequestCreate {
                phone_numbers: vec![NUMBER.parse().expect("valid")],
                call_purpose: "Reminders".parse().expect("valid"),
                contact_email: None,
                webhook_url: None,
            })
            .send()
            .await
    })
    .await;
}

#[tokio::test]
async fn get_reputation_remediation_reads_the_request() {
    let mut body = remediation_json();
    body["status"] = json!("completed");
    body["results"] = json!({"remediated": [NUMBER], "not_flagged": [], "requires_review": [],
        "refused": [], "ineligible": []});
    let (request, server) = get_remediation(body, "200 is read").await;
    only_request(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation/remediation/{REMEDIATION}"),
        false,
    );
    assert_eq!(request.status, RemediationStatus::Completed);
    assert_eq!(request.results.expect("results").remediated, [NUMBER]);
}

#[tokio::test]
async fn settings_in_statuses_this_client_does_not_know_still_read() {
    let mut body = settings_json("suspended");
    body["data"]["loa_status"] = json!("expired");
    body["data"]["check_frequency"] = json!("hourly");
    let (settings, _) = get_settings(body, "unknown values are kept, not refused").await;
    assert_eq!(
        settings.status,
        Some(ReputationStatus::Other("suspended".into()))
    );
    assert_eq!(
        settings.loa_status,
        Some(LoaStatus::Other("expired".into()))
    );
    assert_eq!(
        settings.check_frequency,
        Some(CheckFrequency::Other("hourly".into()))
    );
}

#[tokio::test]
async fn a_remediation_in_a_status_this_client_does_not_know_still_reads() {
    let mut body = remediation_json();
    body["status"] = json!("escalated");
    let (request, _) = get_remediation(body, "an unknown status is kept, not refused").await;
    assert_eq!(request.status, RemediationStatus::Other("escalated".into()));
    assert_eq!(request.status.to_string(), "escalated");
}

#[tokio::test]
async fn agree_number_reputation_terms_of_service_posts_without_a_body() {
    let server = Recorder::start(Reply::json(
        201,
        json!({"data": {"id": "550e8400-e29b-41d4-a716-446655440000",
            "product_type": "number_reputation", "terms_version": "v1.0.0", "version": "v1.0.0",
            "agreed_at": "2026-11-24T10:00:00Z", "created_at": "2026-11-24T10:00:00Z"}}),
    ))
    .await;
    let agreement = client(&server.base_url)
        .agree_number_reputation_terms_of_service()
        .send()
        .await
        .expect("201 is read")
        .into_inner()
        .data;
    only_request(
        &server,
        "POST",
        "/terms_of_service/number_reputation/agree",
        false,
    );
    assert_eq!(agreement.terms_version.as_deref(), Some("v1.0.0"));
    assert_eq!(
        agreement.product_type,
        Some(telnyx_reputation_api::types::TosProductType::NumberReputation)
    );
}
