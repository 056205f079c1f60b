//! The enterprise lifecycle over plain HTTP: Terms of Service, enabling and approval by the
//! emulator's clock, frequency, disable, and the Letter of Authorization.

use crate::common;

use std::time::Duration;

use common::{NEW, READY, api, assert_error, config, config_with_other, enc, numbers};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn enabling_before_the_account_agrees_is_403_and_the_agreement_is_the_accounts() {
    let api = api(config(false)).await;
    assert_error(&api.enable(NEW).await, 403, "terms_not_agreed");
    assert_eq!(
        api.mock.billing().enable,
        0,
        "a refused enable is not billed"
    );
    let agreed = api.agree().await;
    assert_eq!(agreed.status.as_u16(), 201);
    assert_eq!(agreed.json["data"]["product_type"], "number_reputation");
    assert_eq!(
        agreed.json["data"]["terms_version"],
        agreed.json["data"]["version"]
    );
    let again = api.agree().await;
    assert_eq!(again.json["data"]["id"], agreed.json["data"]["id"]);
    let enabled = api.enable(NEW).await;
    assert_eq!(enabled.status.as_u16(), 201, "{}", enabled.json);
    assert_eq!(api.billing().await["enable"], 1);
}

#[tokio::test]
async fn an_account_with_an_approved_enterprise_has_agreed() {
    let api = api(config(true)).await;
    let enabled = api.enable(NEW).await;
    assert_eq!(enabled.status.as_u16(), 201, "{}", enabled.json);
}

#[tokio::test]
async fn enable_needs_a_document_refuses_unknown_fields_and_refuses_twice() {
    let api = api(config(true)).await;
    let path = format!("/enterprises/{NEW}/reputation");
    let missing = api.post(&path, json!({"check_frequency": "daily"})).await;
    let e = assert_error(&missing, 422, "10005");
    assert_eq!(e["source"]["pointer"], "/loa_document_id");
    assert_error(
        &api.post(&path, json!({"loa_document_id": ""})).await,
        422,
        "10005",
    );
    assert_error(
        &api.post(&path, json!({"loa_document_id": "d", "surprise": 1}))
            .await,
        422,
        "10005",
    );
    assert_error(
        &api.post(
            &path,
            json!({"loa_document_id": "d", "check_frequency": "hourly"}),
        )
        .await,
        422,
        "10005",
    );
    assert_eq!(api.mock.billing().enable, 0);
    let first = api
        .post(
            &path,
            json!({"loa_document_id": "d", "check_frequency": "weekly"}),
        )
        .await;
    assert_eq!(first.status.as_u16(), 201);
    assert_eq!(first.json["data"]["check_frequency"], "weekly");
    assert_error(&api.enable(NEW).await, 400, "reputation_already_enabled");
    assert_error(&api.enable(READY).await, 400, "reputation_already_enabled");
    assert_error(&api.enable(Uuid::from_u128(0x99)).await, 404, "10009");
    assert_eq!(api.billing().await["enable"], 1);
}

#[tokio::test]
async fn a_new_activation_is_pending_and_refuses_work_until_the_clock_approves_it() {
    let mut cfg = config(true);
    cfg.approve_after_ms = 60_000;
    let api = api(cfg).await;
    let enabled = api.enable(NEW).await;
    assert_eq!(enabled.json["data"]["status"], "pending");
    assert_eq!(enabled.json["data"]["loa_status"], "pending");
    assert_eq!(enabled.json["data"]["check_frequency"], "business_daily");
    assert_eq!(enabled.json["data"]["loa_document_id"], "doc-1");

    let settings = format!("/enterprises/{NEW}/reputation");
    assert_eq!(api.get(&settings).await.json["data"]["status"], "pending");
    assert_error(
        &api.associate(NEW, &numbers(0, 1)).await,
        403,
        "enterprise_not_approved",
    );
    assert_error(
        &api.post(
            &format!("/enterprises/{NEW}/reputation/numbers/refresh"),
            json!({"phone_numbers": numbers(0, 1)}),
        )
        .await,
        403,
        "enterprise_not_approved",
    );
    let frequency = format!("/enterprises/{NEW}/reputation/frequency");
    assert_error(
        &api.send(
            Method::PATCH,
            &frequency,
            Some(json!({"check_frequency": "daily"})),
        )
        .await,
        400,
        "reputation_pending",
    );
    assert_eq!(api.mock.billing().associate, 0);

    api.mock.advance_clock(Duration::from_millis(59_000));
    assert_eq!(api.get(&settings).await.json["data"]["status"], "pending");
    api.mock.advance_clock(Duration::from_millis(1_000));
    let approved = api.get(&settings).await.json;
    assert_eq!(approved["data"]["status"], "approved");
    assert_eq!(approved["data"]["loa_status"], "approved");
    assert_eq!(
        api.associate(NEW, &numbers(0, 2)).await.status.as_u16(),
        201
    );
    let changed = api
        .send(
            Method::PATCH,
            &frequency,
            Some(json!({"check_frequency": "daily"})),
        )
        .await;
    assert_eq!(changed.status.as_u16(), 200);
    assert_eq!(changed.json["data"]["check_frequency"], "daily");
    assert_eq!(
        api.get(&settings).await.json["data"]["check_frequency"],
        "daily"
    );
    assert_error(
        &api.send(
            Method::PATCH,
            &frequency,
            Some(json!({"check_frequency": "sometimes"})),
        )
        .await,
        422,
        "10005",
    );
}

#[tokio::test]
async fn the_admin_clock_route_approves_too() {
    let api = api(config(true)).await;
    api.enable(NEW).await;
    let moved = api
        .http
        .post(format!("{}/__mock/clock", api.mock.base_url()))
        .json(&json!({"advance_ms": 1000}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 200);
    let settings = api.get(&format!("/enterprises/{NEW}/reputation")).await;
    assert_eq!(settings.json["data"]["status"], "approved");
}

#[tokio::test]
async fn settings_of_an_enterprise_never_enabled_are_404() {
    let api = api(config(true)).await;
    assert_error(
        &api.get(&format!("/enterprises/{NEW}/reputation")).await,
        404,
        "10009",
    );
    assert_error(
        &api.send(
            Method::DELETE,
            &format!("/enterprises/{NEW}/reputation"),
            None,
        )
        .await,
        404,
        "10009",
    );
}

#[tokio::test]
async fn disable_de_registers_every_number_of_the_enterprise_and_only_those() {
    let other = Uuid::from_u128(0x33);
    let api = api(config_with_other(other)).await;
    api.associate(READY, &numbers(0, 3)).await;
    api.associate(other, &numbers(10, 2)).await;
    let gone = api
        .send(
            Method::DELETE,
            &format!("/enterprises/{READY}/reputation"),
            None,
        )
        .await;
    assert_eq!(gone.status.as_u16(), 204);
    let left: Vec<(String, Uuid)> = api
        .mock
        .world()
        .associations
        .values()
        .map(|a| (a.phone_number.to_string(), a.enterprise_id))
        .collect();
    assert_eq!(
        left,
        numbers(10, 2)
            .into_iter()
            .map(|n| (n, other))
            .collect::<Vec<_>>()
    );
    let all = api.get("/reputation/numbers").await.json;
    assert_eq!(all["meta"]["total_results"], 2);
    assert_error(
        &api.get(&format!("/enterprises/{READY}/reputation")).await,
        404,
        "10009",
    );
    assert_error(
        &api.get(&format!(
            "/enterprises/{READY}/reputation/numbers/{}",
            enc(&numbers(0, 1)[0])
        ))
        .await,
        403,
        "enterprise_not_approved",
    );
    // Enabled again (a new, pending activation), the numbers are not back.
    assert_eq!(api.enable(READY).await.json["data"]["status"], "pending");
    let listed = api
        .get(&format!("/enterprises/{READY}/reputation/numbers"))
        .await;
    assert_eq!(listed.json["meta"]["total_results"], 0);
}

/// The objects of a PDF, checked through its cross-reference table: `startxref` names the
/// table, and each in-use entry's offset is where that object starts. Returns the object count.
fn check_pdf(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-1."));
    assert!(pdf.ends_with(b"%%EOF\n"));
    let key = b"startxref\n";
    let at = pdf.windows(key.len()).rposition(|w| w == key).unwrap();
    let digits: String = pdf[at + key.len()..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .map(|b| char::from(*b))
        .collect();
    let table_at: usize = digits.parse().unwrap();
    let table = std::str::from_utf8(&pdf[table_at..at]).unwrap();
    let mut lines = table.lines();
    assert_eq!(lines.next(), Some("xref"));
    let count: usize = lines
        .next()
        .and_then(|l| l.strip_prefix("0 "))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(lines.next(), Some("0000000000 65535 f "));
    for object in 1..count {
        let entry = lines.next().unwrap();
        assert!(entry.ends_with(" 00000 n "), "{entry}");
        let offset: usize = entry[..10].parse().unwrap();
        assert!(
            pdf[offset..].starts_with(format!("{object} 0 obj\n").as_bytes()),
            "object {object} is not at {offset}"
        );
    }
    assert!(table.contains(&format!("trailer\n<< /Size {count} /Root 1 0 R")));
    count
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_loa_is_a_well_formed_pdf_naming_the_enterprise_and_is_free() {
    let api = api(config(false)).await;
    let path = format!("/enterprises/{NEW}/reputation/loa");
    let unsigned = api.post(&path, json!({})).await;
    assert_eq!(unsigned.status.as_u16(), 200);
    assert_eq!(unsigned.content_type, "application/pdf");
    assert!(check_pdf(&unsigned.bytes) >= 6);
    assert!(contains(&unsigned.bytes, &NEW.to_string()));
    assert!(contains(&unsigned.bytes, "Signature: ____"));
    let signed = api
        .post(
            &path,
            json!({
                "agent": {"legal_name": "Acme (Resale) Ltd", "street_address": "1 Main St",
                          "city": "Chicago", "administrative_area": "IL", "postal_code": "60601",
                          "country": "US", "contact_name": "A", "contact_title": "B",
                          "contact_email": "a@example.com", "contact_phone": "+13125550000"},
                "signature": {"image_base64": "iVBORw0KGgo=", "signer_name": "Jo Signer"}
            }),
        )
        .await;
    check_pdf(&signed.bytes);
    assert!(contains(&signed.bytes, r"Agent: Acme \(Resale\) Ltd"));
    assert!(contains(&signed.bytes, "Signed by: Jo Signer"));
    assert_error(
        &api.post(
            &format!("/enterprises/{}/reputation/loa", Uuid::from_u128(5)),
            json!({}),
        )
        .await,
        404,
        "10009",
    );
    assert_eq!(
        api.billing().await,
        json!({"enable": 0, "associate": 0, "refresh": 0,
        "fresh_read": 0, "uncached_read": 0, "remediation": 0})
    );
}

#[tokio::test]
async fn the_loa_document_is_replaced_on_an_enabled_enterprise_only() {
    let api = api(config(true)).await;
    let path = format!("/enterprises/{READY}/reputation/loa");
    let replaced = api
        .send(
            Method::PATCH,
            &path,
            Some(json!({"loa_document_id": "doc-2"})),
        )
        .await;
    assert_eq!(replaced.status.as_u16(), 200);
    assert_eq!(replaced.json["data"]["loa_document_id"], "doc-2");
    assert_eq!(
        api.get(&format!("/enterprises/{READY}/reputation"))
            .await
            .json["data"]["loa_document_id"],
        "doc-2"
    );
    assert_error(
        &api.send(Method::PATCH, &path, Some(json!({}))).await,
        422,
        "10005",
    );
    // The schema of this body allows additional properties (the others' do not).
    let extra = api
        .send(
            Method::PATCH,
            &path,
            Some(json!({"loa_document_id": "doc-4", "note": "signed"})),
        )
        .await;
    assert_eq!(extra.status.as_u16(), 200, "{}", extra.json);
    assert_eq!(extra.json["data"]["loa_document_id"], "doc-4");
    assert_error(
        &api.send(
            Method::PATCH,
            &format!("/enterprises/{NEW}/reputation/loa"),
            Some(json!({"loa_document_id": "doc-3"})),
        )
        .await,
        404,
        "10009",
    );
}

#[tokio::test]
async fn rejections_of_paths_and_unknown_routes_are_in_the_envelope_too() {
    let api = api(config(true)).await;
    assert_error(
        &api.get("/enterprises/not-a-uuid/reputation").await,
        400,
        "10015",
    );
    assert_error(&api.get("/nowhere").await, 404, "10009");
    assert_error(
        &api.send(
            Method::PUT,
            &format!("/enterprises/{READY}/reputation"),
            None,
        )
        .await,
        405,
        "10015",
    );
}
