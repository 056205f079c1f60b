//! Numbers hosted elsewhere over plain HTTP: ownership proof (submitted, replaced, reviewed by
//! the emulator's clock, refused once approved, rejected through the admin route), and the
//! associate rules it unlocks: US local only, mixed requests, atomic refusals, and the
//! `filter[source]` list filter.

use crate::common;

use common::{NEW, READY, api, assert_error, config};
use serde_json::{Value, json};
use telnyx_reputation_mock::{Faults, MockConfig};

/// The test account with numbers under +1312 hosted elsewhere, reviewed after `review_ms`.
fn external_config(review_ms: u64) -> MockConfig {
    MockConfig {
        external: vec!["+1312".parse().unwrap(), "+1888".parse().unwrap()],
        verification_review_ms: review_ms,
        ..config(true)
    }
}

fn proof_path() -> String {
    format!("/enterprises/{READY}/reputation/external_verification")
}

fn codes(answer: &common::Answer) -> Vec<(String, String)> {
    answer.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().to_owned(),
                e["source"]["pointer"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn proof_is_404_until_submitted_then_pending_until_the_clock_passes_the_review() {
    let api = api(external_config(60_000)).await;
    assert_error(&api.get(&proof_path()).await, 404, "10009");
    let submitted = api
        .post(
            &proof_path(),
            json!({"document_ids": ["doc-invoice"], "phone_numbers": ["+13125550100"]}),
        )
        .await;
    assert_eq!(submitted.status.as_u16(), 201, "{}", submitted.json);
    let data = &submitted.json["data"];
    assert_eq!(data["status"], "pending");
    assert_eq!(data["document_ids"], json!(["doc-invoice"]));
    assert_eq!(data["phone_numbers"], json!(["+13125550100"]));
    assert_eq!(data["enterprise_id"], READY.to_string());
    assert!(data["submitted_at"].is_string());
    assert!(data.get("reviewed_at").is_none() && data.get("rejection_reason").is_none());
    let settings = api.get(&format!("/enterprises/{READY}/reputation")).await;
    assert_eq!(
        settings.json["data"]["external_verification_status"],
        "pending"
    );
    assert_eq!(api.get(&proof_path()).await.json, submitted.json);
    api.advance(59_000).await;
    assert_eq!(
        api.get(&proof_path()).await.json["data"]["status"],
        "pending"
    );
    api.advance(1_000).await;
    let approved = api.get(&proof_path()).await.json["data"].clone();
    assert_eq!(approved["status"], "approved");
    let submitted_at: chrono::DateTime<chrono::Utc> =
        data["submitted_at"].as_str().unwrap().parse().unwrap();
    let reviewed_at: chrono::DateTime<chrono::Utc> =
        approved["reviewed_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(reviewed_at - submitted_at, chrono::TimeDelta::seconds(60));
    let settings = api.get(&format!("/enterprises/{READY}/reputation")).await;
    assert_eq!(
        settings.json["data"]["external_verification_status"],
        "approved"
    );
    let refused = api
        .post(&proof_path(), json!({"document_ids": ["doc-2"]}))
        .await;
    assert_error(&refused, 409, "external_verification_approved");
    assert_eq!(
        api.get(&proof_path()).await.json["data"]["document_ids"],
        json!(["doc-invoice"]),
        "an approved proof cannot be changed"
    );
}

#[tokio::test]
async fn a_new_submission_replaces_the_documents_and_restarts_the_review() {
    let api = api(external_config(1_000)).await;
    api.post(&proof_path(), json!({"document_ids": ["a"]}))
        .await;
    api.advance(600).await;
    let replaced = api
        .post(&proof_path(), json!({"document_ids": ["b", "c"]}))
        .await;
    assert_eq!(replaced.status.as_u16(), 201);
    assert_eq!(replaced.json["data"]["document_ids"], json!(["b", "c"]));
    assert_eq!(replaced.json["data"]["phone_numbers"], json!([]));
    api.advance(600).await;
    assert_eq!(
        api.get(&proof_path()).await.json["data"]["status"],
        "pending",
        "the first submission's review no longer counts"
    );
    let rejected = api
        .post(
            "/__mock/external_verification",
            json!({"enterprise_id": READY, "status": "rejected", "rejection_reason": "illegible"}),
        )
        .await;
    assert_eq!(rejected.status.as_u16(), 200, "{}", rejected.json);
    assert_eq!(rejected.json["data"]["status"], "rejected");
    assert_eq!(rejected.json["data"]["rejection_reason"], "illegible");
    api.advance(1_000).await;
    let read = api.get(&proof_path()).await.json["data"].clone();
    assert_eq!(
        read["status"], "rejected",
        "a decided review is not approved later"
    );
    let settings = api.get(&format!("/enterprises/{READY}/reputation")).await;
    assert_eq!(
        settings.json["data"]["external_verification_status"],
        "rejected"
    );
    let again = api
        .post(&proof_path(), json!({"document_ids": ["d"]}))
        .await;
    assert_eq!(again.json["data"]["status"], "pending");
    assert!(again.json["data"].get("rejection_reason").is_none());
    api.advance(1_000).await;
    assert_eq!(
        api.get(&proof_path()).await.json["data"]["status"],
        "approved"
    );
}

#[tokio::test]
async fn submissions_are_checked() {
    let api = api(external_config(1_000)).await;
    for (body, pointer) in [
        (json!({}), "/document_ids"),
        (json!({"document_ids": []}), "/document_ids"),
        (json!({"document_ids": [""]}), "/document_ids/0"),
        (
            json!({"document_ids": ["d"], "phone_numbers": ["3125550100"]}),
            "/phone_numbers/0",
        ),
    ] {
        let e = assert_error(&api.post(&proof_path(), body.clone()).await, 422, "10005");
        assert_eq!(e["source"]["pointer"], pointer, "{body}");
    }
    assert_error(&api.get(&proof_path()).await, 404, "10009");
    assert_error(
        &api.post(
            &format!("/enterprises/{NEW}/reputation/external_verification"),
            json!({"document_ids": ["d"]}),
        )
        .await,
        404,
        "10009",
    );
}

#[tokio::test]
async fn numbers_hosted_elsewhere_need_the_approved_proof_and_must_be_us_local() {
    let api = api(external_config(1_000)).await;
    let external = "+13125550100".to_owned();
    let telnyx = "+16035550100".to_owned();
    let toll_free_inventory = "+18005550100".to_owned();
    let toll_free_external = "+18885550100".to_owned();
    let mixed = [
        telnyx.clone(),
        external.clone(),
        toll_free_inventory.clone(),
    ];
    let before = api.associate(READY, &mixed).await;
    assert_eq!(before.status.as_u16(), 400);
    assert_eq!(
        codes(&before),
        [(
            "external_verification_required".to_owned(),
            "/phone_numbers/1".to_owned()
        )]
    );
    let detail = before.json["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("external_verification_required") && detail.contains(&external));
    assert!(
        api.listed(READY, "").await.is_empty(),
        "atomic: nothing applied"
    );
    assert_eq!(api.billing().await["associate"], 0);
    // Still pending: still refused.
    api.post(&proof_path(), json!({"document_ids": ["d"]}))
        .await;
    assert_eq!(api.associate(READY, &mixed).await.status.as_u16(), 400);
    api.advance(1_000).await;
    let after = api.associate(READY, &mixed).await;
    assert_eq!(after.status.as_u16(), 201, "{}", after.json);
    let sources: Vec<(&str, &str)> = after.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["phone_number"].as_str().unwrap(),
                r["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            (telnyx.as_str(), "telnyx"),
            (external.as_str(), "external"),
            (toll_free_inventory.as_str(), "telnyx"),
        ]
    );
    assert_eq!(api.billing().await["associate"], 3);
    let refused = api
        .associate(
            READY,
            &[
                toll_free_external.clone(),
                "+14165550100".to_owned(),
                "+13125550101".to_owned(),
            ],
        )
        .await;
    assert_eq!(
        codes(&refused),
        [
            ("toll_free".to_owned(), "/phone_numbers/0".to_owned()),
            ("non_us".to_owned(), "/phone_numbers/1".to_owned()),
        ],
        "toll-free from elsewhere and Canadian numbers are refused; the rest waits"
    );
    assert!(
        refused.json["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("US local")
    );
    let external_only = api.listed(READY, "filter[source]=external").await;
    assert_eq!(
        external_only
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>(),
        [external.as_str()]
    );
    let simplified = api.get("/reputation/numbers?filter[source]=telnyx").await;
    assert_eq!(simplified.json["meta"]["total_results"], 2);
    let state: Value = api.state().await;
    assert_eq!(
        state["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["enterprise_id"] == READY.to_string())
            .unwrap()["external_verification"]["status"],
        "approved"
    );
}

#[tokio::test]
async fn populated_and_inventory_numbers_never_come_from_an_external_prefix() {
    let api = api(MockConfig {
        external: vec!["+1".parse().unwrap()],
        populate: 5,
        ..external_config(1_000)
    })
    .await;
    assert!(
        api.listed(READY, "").await.is_empty(),
        "every number is hosted elsewhere: none in the inventory to populate from"
    );
    let refused = api.associate(READY, &["+16035550100".to_owned()]).await;
    assert_eq!(
        codes(&refused)[0].0,
        "external_verification_required",
        "an external prefix wins over --inventory all"
    );
}

#[tokio::test]
async fn proof_operations_answer_through_the_faults() {
    let api = api(external_config(1_000)).await;
    api.mock.set_faults(Faults {
        throttle_rate: 1.0,
        ..Faults::default()
    });
    let throttled = api
        .post(&proof_path(), json!({"document_ids": ["d"]}))
        .await;
    assert_error(&throttled, 429, "10011");
    api.mock.set_faults(Faults {
        latency_ms: 3,
        jitter_ms: 3,
        ..Faults::default()
    });
    assert_error(&api.get(&proof_path()).await, 404, "10009");
    let submitted = api
        .post(&proof_path(), json!({"document_ids": ["d"]}))
        .await;
    assert_eq!(
        submitted.status.as_u16(),
        201,
        "the throttled one was not applied"
    );
}
