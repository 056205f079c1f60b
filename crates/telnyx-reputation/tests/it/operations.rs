//! The client's operations of the current edition against small servers of our own: what each
//! sends, what it returns, what is refused before anything is sent, and that the billable ones
//! (enable, refresh, remediation) are never sent again after an ambiguous outcome while reads
//! are.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use telnyx_reputation::e164::{E164, validate_batch};
use telnyx_reputation::{
    ApiKey, CheckFrequency, Client, ClientConfig, Contains, LoaAgent, LoaDocumentId, LoaRender,
    LoaSignature, NumberFilter, Page, RemediationFilter, RemediationStatus, RemediationSubmission,
    RetryPolicy, Scope,
};
use uuid::Uuid;

/// What the server saw: method, path and query, body.
type Seen = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

/// Serves every request with `answer`, recording it.
async fn serve(answer: fn() -> Response) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    let router =
        Router::new().fallback(move |method: axum::http::Method, uri: Uri, body: Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push((
                    method.to_string(),
                    uri.path_and_query()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    body.to_vec(),
                ));
                answer()
            }
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}"), seen)
}

fn client(base_url: &str) -> Client {
    Client::new(
        ClientConfig::new(ApiKey::new("test-key"))
            .base_url(base_url)
            .retry(RetryPolicy::default().base_delay(Duration::from_millis(1))),
    )
    .unwrap()
}

fn json(status: StatusCode, body: &'static str) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

fn server_error() -> Response {
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"{"errors":[{"code":"10099","title":"Server Error","detail":"boom","meta":{"url":"https://x/10099"}}]}"#,
    )
}

/// The smallest PDF document, as a rendered LOA.
const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

/// A 200 answer carrying [`PDF`].
fn pdf() -> Response {
    (StatusCode::OK, [("content-type", "application/pdf")], PDF).into_response()
}

const ENTERPRISE: Uuid = Uuid::from_u128(0x6a09cdc3_8948_47f0_aa62_74ac943d6c58);

fn body_json(seen: &Seen, i: usize) -> serde_json::Value {
    serde_json::from_slice(&seen.lock().unwrap()[i].2).unwrap()
}

#[tokio::test]
async fn billable_calls_are_not_sent_again_after_a_5xx_and_reads_are() {
    let (base, seen) = serve(server_error).await;
    let c = client(&base);
    let doc = LoaDocumentId::new("doc-1").unwrap();
    let batch = validate_batch(["+16035551234"]).unwrap();
    let number: E164 = "+16035551234".parse().unwrap();
    let submission = RemediationSubmission::new([number], "reminders").unwrap();

    let enable = c
        .enable(ENTERPRISE, &doc, CheckFrequency::Weekly)
        .await
        .unwrap_err();
    let refresh = c.refresh(ENTERPRISE, &batch).await.unwrap_err();
    let remediate = c
        .submit_remediation(ENTERPRISE, &submission)
        .await
        .unwrap_err();
    for error in [&enable, &refresh, &remediate] {
        assert!(error.outcome_unknown(), "{error}");
    }
    assert_eq!(seen.lock().unwrap().len(), 3, "one request each");

    seen.lock().unwrap().clear();
    let read = c.settings(ENTERPRISE).await.unwrap_err();
    assert_eq!(read.status(), Some(500));
    assert!(seen.lock().unwrap().len() > 1, "a read is retried");
}

#[tokio::test]
async fn enable_sends_the_document_and_frequency_and_returns_the_settings() {
    let (base, seen) = serve(|| {
        json(
            StatusCode::CREATED,
            r#"{"data":{"status":"pending","loa_status":"pending","check_frequency":"daily","loa_document_id":"doc-1"}}"#,
        )
    })
    .await;
    let doc = LoaDocumentId::new("doc-1").unwrap();
    let settings = client(&base)
        .enable(ENTERPRISE, &doc, CheckFrequency::Daily)
        .await
        .unwrap();
    assert_eq!(settings.check_frequency, Some(CheckFrequency::Daily));
    let (method, target, _) = seen.lock().unwrap()[0].clone();
    assert_eq!(
        (method.as_str(), target),
        ("POST", format!("/enterprises/{ENTERPRISE}/reputation"))
    );
    assert_eq!(
        body_json(&seen, 0),
        serde_json::json!({"loa_document_id": "doc-1", "check_frequency": "daily"})
    );
}

#[tokio::test]
async fn render_loa_returns_the_pdf_bytes() {
    let (base, seen) = serve(pdf).await;
    let pdf = client(&base)
        .render_loa(ENTERPRISE, &LoaRender::default())
        .await
        .unwrap();
    assert_eq!(pdf, PDF);
    assert_eq!(body_json(&seen, 0), serde_json::json!({}));
}

#[tokio::test]
async fn render_loa_sends_the_agent_and_signature_field_by_field() {
    let (base, seen) = serve(pdf).await;
    let render = LoaRender::default()
        .agent(
            LoaAgent::new("Acme Telecom Partners LLC")
                .address("1 Main St", "Chicago", "IL", "60601", "US")
                .contact("Jane Doe", "Ops", "jane@acme.example", "+13125550000"),
        )
        .signature(LoaSignature::new("aGVsbG8=").signer_name("Jane Doe"));
    client(&base).render_loa(ENTERPRISE, &render).await.unwrap();
    assert_eq!(
        body_json(&seen, 0),
        serde_json::json!({
            "agent": {
                "legal_name": "Acme Telecom Partners LLC",
                "street_address": "1 Main St",
                "city": "Chicago",
                "administrative_area": "IL",
                "postal_code": "60601",
                "country": "US",
                "contact_name": "Jane Doe",
                "contact_title": "Ops",
                "contact_email": "jane@acme.example",
                "contact_phone": "+13125550000"
            },
            "signature": {"image_base64": "aGVsbG8=", "signer_name": "Jane Doe"}
        })
    );
}

#[tokio::test]
async fn refresh_reports_each_number() {
    let (base, seen) = serve(|| {
        json(
            StatusCode::OK,
            r#"{"data":{"results":[{"phone_number":"+16035551234","success":true,"error":null},{"phone_number":"+16035551235","success":false,"error":"not registered"}],"total_requested":2,"total_successful":1,"total_failed":1}}"#,
        )
    })
    .await;
    let batch = validate_batch(["+16035551234", "+16035551235"]).unwrap();
    let report = client(&base).refresh(ENTERPRISE, &batch).await.unwrap();
    assert_eq!(report.refreshed().collect::<Vec<_>>(), ["+16035551234"]);
    assert_eq!(
        report.failed().collect::<Vec<_>>(),
        [("+16035551235", "not registered")]
    );
    assert_eq!(
        body_json(&seen, 0),
        serde_json::json!({"phone_numbers": ["+16035551234", "+16035551235"]})
    );
}

#[tokio::test]
async fn lists_send_the_bracketed_filters_and_refuse_what_the_api_would() {
    let (base, seen) = serve(|| {
        json(
            StatusCode::OK,
            r#"{"data":[],"meta":{"page_number":1,"page_size":0,"total_pages":0,"total_results":0}}"#,
        )
    })
    .await;
    let c = client(&base);
    let filter = NumberFilter::contains(Contains::new("60355").unwrap()).in_enterprise(ENTERPRISE);
    c.numbers(Scope::Account)
        .filter(filter.clone())
        .page(Page::new(1, 500))
        .await
        .unwrap();
    let target = seen.lock().unwrap()[0].1.clone();
    assert_eq!(
        target,
        format!(
            "/reputation/numbers?filter%5Benterprise_id%5D={ENTERPRISE}&filter%5Bphone_number%5D%5Bcontains%5D=60355&page%5Bnumber%5D=1&page%5Bsize%5D=250"
        )
    );
    // An enterprise filter means nothing inside one enterprise: refused, nothing sent.
    let refused = c
        .numbers(Scope::Enterprise(ENTERPRISE))
        .filter(filter)
        .page(Page::default())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("filter[enterprise_id]"),
        "{refused}"
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(
        Contains::new("6035").is_err(),
        "fewer than 5 digits cannot be built"
    );

    c.remediations(ENTERPRISE)
        .filter(RemediationFilter::default().status(RemediationStatus::Completed))
        .page(Page::new(2, 50))
        .await
        .unwrap();
    let target = seen.lock().unwrap()[1].1.clone();
    assert_eq!(
        target,
        format!(
            "/enterprises/{ENTERPRISE}/reputation/remediation?filter%5Bstatus%5D=completed&page%5Bnumber%5D=2&page%5Bsize%5D=50"
        )
    );
}
