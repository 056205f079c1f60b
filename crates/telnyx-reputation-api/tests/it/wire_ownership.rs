//! Wire tests of the generated client for what the October 2026 edition added: the ownership
//! webhook URL, the ownership proof for numbers hosted elsewhere, a number's ownership detail
//! and confirmation, the two list filters, the new fields of the phone-number record and the
//! settings, and the three webhook payloads. For each, the exact request on the socket and how
//! the answer reads, against a loopback server that records the bytes.

use crate::support::client::{ENTERPRISE, NUMBER, client, enterprise};

use crate::support::recorder::{Recorded, Recorder, Reply};
use crate::support::wire::{only_request, query_pairs};
use serde_json::json;
use telnyx_reputation_api::types::{
    EnterpriseReputationWebhookUpdate, ExternalVerificationCreate,
    NumberReputationExternalVerificationStatusChangedEvent, NumberReputationNumberFlaggedEvent,
    NumberReputationNumberRemovedEvent, ReputationOwnershipConfirm, ReputationPhoneNumber,
};
use telnyx_reputation_api::{
    Error, FlagReason, NumberSource, OwnershipStatus, RemovalReason, VerificationStatus,
};

/// The number as the API wants it in a path.
const ENCODED: &str = "%2B16035551234";

fn settings_json(webhook_url: serde_json::Value) -> serde_json::Value {
    json!({"data": {
        "enterprise_id": ENTERPRISE,
        "status": "approved",
        "loa_status": "approved",
        "check_frequency": "weekly",
        "external_verification_status": "approved",
        "webhook_url": webhook_url,
        "created_at": "2026-10-01T10:00:00Z",
        "updated_at": "2026-10-05T07:00:12.521992Z"
    }})
}

fn verification_json(status: &str, rejection_reason: serde_json::Value) -> serde_json::Value {
    json!({"data": {
        "enterprise_id": ENTERPRISE,
        "document_ids": ["doc-invoice"],
        "phone_numbers": [NUMBER],
        "status": status,
        "rejection_reason": rejection_reason,
        "submitted_at": "2026-10-01T10:00:00Z",
        "reviewed_at": null
    }})
}

fn error_json(code: &str) -> serde_json::Value {
    json!({"errors": [{
        "code": code,
        "title": "Resource not found",
        "detail": "No ownership proof has been submitted.",
        "meta": {"url": format!("https://developers.telnyx.com/docs/overview/errors/{code}")}
    }]})
}

fn page(records: serde_json::Value) -> serde_json::Value {
    json!({"data": records, "meta": {"page_number": 1, "page_size": 1, "total_pages": 1, "total_results": 1}})
}

#[tokio::test]
async fn update_reputation_webhook_patches_the_url_and_none_sends_null() {
    let url = "https://example.com/webhooks/telnyx";
    let server = Recorder::start(Reply::json(200, settings_json(json!(url)))).await;
    let settings = client(&server.base_url)
        .update_reputation_webhook()
        .enterprise_id(enterprise())
        .body(EnterpriseReputationWebhookUpdate {
            webhook_url: Some(url.into()),
        })
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    let sent = only_request(
        &server,
        "PATCH",
        &format!("/enterprises/{ENTERPRISE}/reputation/webhook"),
        true,
    );
    assert_eq!(sent.json(), json!({"webhook_url": url}));
    assert_eq!(settings.webhook_url.as_deref(), Some(url));
    assert_eq!(
        settings.external_verification_status,
        Some(VerificationStatus::Approved)
    );

    // `null` stops the three ownership events; the key is required, so it is sent, as null.
    let stopped = Recorder::start(Reply::json(200, settings_json(json!(null)))).await;
    let settings = client(&stopped.base_url)
        .update_reputation_webhook()
        .enterprise_id(enterprise())
        .body(EnterpriseReputationWebhookUpdate { webhook_url: None })
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    let sent = stopped.only();
    assert_eq!(sent.body, br#"{"webhook_url":null}"#);
    assert_eq!(settings.webhook_url, None);

    // The body's builder refuses to send without a decision about the URL.
    let unset = client(&stopped.base_url)
        .update_reputation_webhook()
        .enterprise_id(enterprise())
        .body_map(|b| b)
        .send()
        .await;
    assert!(
        matches!(&unset, Err(Error::InvalidRequest(m)) if m.contains("webhook_url")),
        "{unset:?}"
    );
}

#[tokio::test]
async fn submit_external_verification_posts_the_documents_and_the_optional_numbers() {
    let server = Recorder::start(Reply::json(201, verification_json("pending", json!(null)))).await;
    let submitted = client(&server.base_url)
        .submit_external_verification()
        .enterprise_id(enterprise())
        .body(ExternalVerificationCreate {
            document_ids: vec!["doc-invoice".into()],
            phone_numbers: vec![NUMBER.into()],
        })
        .send()
        .await
        .expect("a 2xx is read");
    assert_eq!(submitted.status().as_u16(), 201);
    let sent = only_request(
        &server,
        "POST",
        &format!("/enterprises/{ENTERPRISE}/reputation/external_verification"),
        true,
    );
    assert_eq!(
        sent.json(),
        json!({"document_ids": ["doc-invoice"], "phone_numbers": [NUMBER]})
    );
    let data = submitted.into_inner().data;
    assert_eq!(data.status, Some(VerificationStatus::Pending));
    assert_eq!(data.reviewed_at, None);
    assert_eq!(
        data.submitted_at.map(|t| t.timestamp()),
        Some(1_790_848_800)
    );

    // Without numbers (they are optional) the key is left out, as the docs' example shows.
    let bare = Recorder::start(Reply::json(200, verification_json("pending", json!(null)))).await;
    client(&bare.base_url)
        .submit_external_verification()
        .enterprise_id(enterprise())
        .body(ExternalVerificationCreate {
            document_ids: vec!["doc-invoice".into()],
            phone_numbers: Vec::new(),
        })
        .send()
        .await
        .expect("a 2xx is read");
    assert_eq!(bare.only().json(), json!({"document_ids": ["doc-invoice"]}));
}

#[tokio::test]
async fn get_external_verification_reads_the_review_and_the_documented_404() {
    let server = Recorder::start(Reply::json(
        200,
        verification_json(
            "rejected",
            json!("The invoice does not name the enterprise."),
        ),
    ))
    .await;
    let data = client(&server.base_url)
        .get_external_verification()
        .enterprise_id(enterprise())
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    only_request(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation/external_verification"),
        false,
    );
    assert_eq!(data.status, Some(VerificationStatus::Rejected));
    assert_eq!(
        data.rejection_reason.as_deref(),
        Some("The invoice does not name the enterprise.")
    );
    assert_eq!(data.document_ids, Some(vec!["doc-invoice".to_owned()]));

    let nothing = Recorder::start(Reply::json(404, error_json("10009"))).await;
    let result = client(&nothing.base_url)
        .get_external_verification()
        .enterprise_id(enterprise())
        .send()
        .await;
    match result {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 404);
            assert_eq!(response.errors[0].code, "10009");
        }
        other => panic!("expected the 404 error body, got {other:?}"),
    }
}

#[tokio::test]
async fn get_number_ownership_encodes_the_number_and_reads_the_history() {
    let detail = json!({"data": {
        "phone_number": NUMBER,
        "source": "external",
        "ownership_status": "pending_confirmation",
        "baseline_carrier": "6529",
        "baseline_recorded_at": "2026-10-01T10:00:00Z",
        "confirm_by": "2026-10-08T07:00:00+00:00",
        "flag_reason": "carrier_changed",
        "last_checked_at": "2026-10-05T07:00:12.521992Z",
        "history": [
            {"event_type": "flag", "occurred_at": "2026-10-05T07:00:12Z", "outcome": "carrier_changed"},
            {"event_type": "check", "occurred_at": null, "outcome": "ported_to_mars"},
            {"event_type": "added"}
        ]
    }});
    let server = Recorder::start(Reply::json(200, detail)).await;
    let data = client(&server.base_url)
        .get_number_ownership()
        .enterprise_id(enterprise())
        .phone_number(NUMBER)
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    only_request(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers/{ENCODED}/ownership"),
        false,
    );
    assert_eq!(data.source, Some(NumberSource::External));
    assert_eq!(
        data.ownership_status,
        Some(OwnershipStatus::PendingConfirmation)
    );
    assert_eq!(data.flag_reason.as_deref(), Some("carrier_changed"));
    assert_eq!(
        data.confirm_by.map(|t| t.to_rfc3339()),
        Some("2026-10-08T07:00:00+00:00".to_owned())
    );
    let history = data.history.expect("history is present");
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].event_type.as_deref(), Some("flag"));
    assert_eq!(history[1].occurred_at, None);
    assert_eq!(history[1].outcome.as_deref(), Some("ported_to_mars"));
    assert_eq!(history[2].outcome, None);

    // No error is documented: a 404 reads as an unexpected answer, with its status.
    let missing = Recorder::start(Reply::json(404, error_json("10009"))).await;
    let result = client(&missing.base_url)
        .get_number_ownership()
        .enterprise_id(enterprise())
        .phone_number(NUMBER)
        .send()
        .await;
    assert!(
        matches!(&result, Err(Error::UnexpectedResponse(r)) if r.status().as_u16() == 404),
        "{result:?}"
    );
}

#[tokio::test]
async fn confirm_number_ownership_posts_the_answer_and_reads_the_record() {
    let removed = json!({"data": {
        "id": "8a4b1f5e-2f12-4c0c-9a98-9b3a7d8b8e62",
        "enterprise_id": ENTERPRISE,
        "phone_number": NUMBER,
        "source": "external",
        "ownership_status": "removed",
        "removal_reason": "customer_reported",
        "removed_at": "2026-10-06T09:30:00+00:00",
        "confirm_by": null,
        "flag_reason": null,
        "reputation_data": null
    }});
    let server = Recorder::start(Reply::json(200, removed)).await;
    let record = client(&server.base_url)
        .confirm_number_ownership()
        .enterprise_id(enterprise())
        .phone_number(NUMBER)
        .body(ReputationOwnershipConfirm {
            still_own: false,
            evidence_document_id: None,
        })
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    let sent = only_request(
        &server,
        "POST",
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers/{ENCODED}/ownership_confirm"),
        true,
    );
    assert_eq!(sent.json(), json!({"still_own": false}));
    assert_eq!(record.ownership_status, Some(OwnershipStatus::Removed));
    assert_eq!(record.removal_reason, Some(RemovalReason::CustomerReported));
    assert!(record.removed_at.is_some());
    assert_eq!((record.confirm_by, record.flag_reason), (None, None));

    let kept = Recorder::start(Reply::json(
        200,
        json!({"data": {"phone_number": NUMBER, "ownership_status": "verified"}}),
    ))
    .await;
    let record = client(&kept.base_url)
        .confirm_number_ownership()
        .enterprise_id(enterprise())
        .phone_number(NUMBER)
        .body(ReputationOwnershipConfirm {
            still_own: true,
            evidence_document_id: Some("doc-bill".into()),
        })
        .send()
        .await
        .expect("200 is read")
        .into_inner()
        .data;
    assert_eq!(
        kept.only().json(),
        json!({"still_own": true, "evidence_document_id": "doc-bill"})
    );
    assert_eq!(record.ownership_status, Some(OwnershipStatus::Verified));
    assert_eq!(record.removal_reason, None);
}

/// Asserts that a list request's query carries `filter[source]` as `source` and
/// `filter[ownership_status]` as `ownership_status`, by their bracketed names.
#[track_caller]
fn assert_filters(sent: &Recorded, source: &str, ownership_status: &str) {
    let pairs = query_pairs(sent);
    for (name, value) in [
        ("filter[source]", source),
        ("filter[ownership_status]", ownership_status),
    ] {
        assert!(
            pairs.contains(&(name.to_owned(), value.to_owned())),
            "{pairs:?}"
        );
    }
}

#[tokio::test]
async fn both_lists_send_the_source_and_ownership_filters_by_their_bracketed_names() {
    let server = Recorder::start(Reply::json(200, page(json!([])))).await;
    client(&server.base_url)
        .list_reputation_numbers()
        .enterprise_id(enterprise())
        .filter_source(NumberSource::External)
        .filter_ownership_status(OwnershipStatus::Removed)
        .send()
        .await
        .expect("200 is read");
    let sent = server.only();
    assert_eq!(
        sent.path(),
        format!("/enterprises/{ENTERPRISE}/reputation/numbers")
    );
    assert_filters(&sent, "external", "removed");

    // The simplified list takes the same two; a value this client does not know is sent as is.
    let simplified = Recorder::start(Reply::json(200, page(json!([])))).await;
    client(&simplified.base_url)
        .list_reputation_numbers_simplified()
        .filter_source(NumberSource::Telnyx)
        .filter_ownership_status(OwnershipStatus::from("suspended"))
        .send()
        .await
        .expect("200 is read");
    let sent = simplified.only();
    assert_eq!(sent.path(), "/reputation/numbers");
    assert_filters(&sent, "telnyx", "suspended");

    // Without the filters, neither name is sent.
    let plain = Recorder::start(Reply::json(200, page(json!([])))).await;
    client(&plain.base_url)
        .list_reputation_numbers_simplified()
        .send()
        .await
        .expect("200 is read");
    let sent = plain.only();
    assert!(!sent.target.contains("filter"), "{}", sent.target);
}

#[tokio::test]
async fn records_read_with_the_new_fields_present_absent_null_or_unknown() {
    let records = json!([
        {"phone_number": "+16035550001", "source": "external", "ownership_status": "pending_confirmation",
         "confirm_by": "2026-10-08T07:00:00+00:00", "flag_reason": "carrier_changed"},
        {"phone_number": "+16035550002"},
        {"phone_number": "+16035550003", "source": null, "ownership_status": null, "confirm_by": null,
         "flag_reason": null, "removal_reason": null, "removed_at": null},
        {"phone_number": "+16035550004", "source": "partner", "ownership_status": "suspended",
         "flag_reason": "reverification_due", "removal_reason": "number_recycled",
         "removed_at": "2026-10-09T07:00:03Z"}
    ]);
    let server = Recorder::start(Reply::json(200, page(records))).await;
    let list = client(&server.base_url)
        .list_reputation_numbers()
        .enterprise_id(enterprise())
        .filter_ownership_status(OwnershipStatus::Removed)
        .send()
        .await
        .expect("every record reads")
        .into_inner();
    let list = &list.data;
    let [present, absent, null, unknown] = &list[..] else {
        panic!("four records: {list:?}");
    };
    assert_eq!(present.source, Some(NumberSource::External));
    assert_eq!(
        present.ownership_status,
        Some(OwnershipStatus::PendingConfirmation)
    );
    assert_eq!(
        present.confirm_by.map(|t| t.timestamp()),
        Some(1_791_442_800)
    );
    assert_eq!(present.flag_reason.as_deref(), Some("carrier_changed"));

    for record in [absent, null] {
        // Apart from the number, nothing is set: every new field reads as None.
        let without_number = ReputationPhoneNumber {
            phone_number: None,
            ..(*record).clone()
        };
        assert_eq!(
            without_number,
            ReputationPhoneNumber::default(),
            "{record:?}"
        );
    }

    assert_eq!(unknown.source, Some(NumberSource::Other("partner".into())));
    assert_eq!(
        unknown.ownership_status,
        Some(OwnershipStatus::Other("suspended".into()))
    );
    assert_eq!(
        unknown.removal_reason,
        Some(RemovalReason::Other("number_recycled".into()))
    );
    // Written back, the unknown values are the strings that came in.
    let written = serde_json::to_value(unknown).expect("serialisable");
    assert_eq!(written["source"], "partner");
    assert_eq!(written["removal_reason"], "number_recycled");
    assert_eq!(written.get("confirm_by"), None, "None is left out");
}

#[test]
fn the_three_webhook_payloads_read_as_the_docs_show_them() {
    let flagged: NumberReputationNumberFlaggedEvent = serde_json::from_value(json!({
        "data": {"record_type": "event", "id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
                 "occurred_at": "2026-10-05T07:00:12.521992Z", "event_type": "number_reputation.number.flagged",
                 "payload": {"record_type": "reputation_phone_number", "phone_number": "+13125550142",
                             "enterprise_id": ENTERPRISE, "source": "external",
                             "ownership_status": "pending_confirmation", "flag_reason": "carrier_changed",
                             "confirm_by": "2026-10-08T07:00:00+00:00"}},
        "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks/telnyx"}
    }))
    .expect("the flagged example reads");
    assert_eq!(flagged.data.payload.flag_reason, FlagReason::CarrierChanged);
    assert_eq!(flagged.data.payload.source, NumberSource::External);
    assert_eq!(flagged.meta.attempt, 1);

    let removed: NumberReputationNumberRemovedEvent = serde_json::from_value(json!({
        "data": {"record_type": "event", "id": "1", "occurred_at": "2026-10-09T07:00:03Z",
                 "event_type": "number_reputation.number.removed",
                 "payload": {"record_type": "reputation_phone_number", "phone_number": "+13125550142",
                             "enterprise_id": ENTERPRISE, "source": "external", "ownership_status": "removed",
                             "removal_reason": "unconfirmed_ownership", "removed_at": "2026-10-09T07:00:03+00:00"}},
        "meta": {"attempt": 2, "delivered_to": "https://example.com/webhooks/telnyx"}
    }))
    .expect("the removed example reads");
    assert_eq!(
        removed.data.payload.removal_reason,
        RemovalReason::UnconfirmedOwnership
    );

    let reviewed = json!({
        "data": {"record_type": "event", "id": "2", "occurred_at": "2026-10-06T14:03:10Z",
                 "event_type": "number_reputation.external_verification.status_changed",
                 "payload": {"record_type": "reputation_external_verification", "enterprise_id": ENTERPRISE,
                             "status": "approved", "rejection_reason": null,
                             "reviewed_at": "2026-10-06T14:03:10+00:00"}},
        "meta": {"attempt": 1, "delivered_to": "https://example.com/webhooks/telnyx"}
    });
    let event: NumberReputationExternalVerificationStatusChangedEvent =
        serde_json::from_value(reviewed.clone()).expect("the reviewed example reads");
    assert_eq!(event.data.payload.status, VerificationStatus::Approved);
    assert_eq!(event.data.payload.rejection_reason, None);

    // Every payload field but `rejection_reason` is required; the event type is checked.
    let mut without_reviewed_at = reviewed.clone();
    without_reviewed_at["data"]["payload"]
        .as_object_mut()
        .expect("an object")
        .remove("reviewed_at");
    let err = serde_json::from_value::<NumberReputationExternalVerificationStatusChangedEvent>(
        without_reviewed_at,
    )
    .expect_err("reviewed_at is required");
    assert!(err.to_string().contains("reviewed_at"), "{err}");
    let mut other_type = reviewed;
    other_type["data"]["event_type"] = json!("number_reputation.number.flagged");
    assert!(
        serde_json::from_value::<NumberReputationExternalVerificationStatusChangedEvent>(
            other_type
        )
        .is_err()
    );
}
