//! Ownership webhooks delivered to a loopback receiver: the envelope and payloads of the three
//! events, Ed25519 signatures verified against the emulator's public key, redelivery of what was
//! not answered 200 (moved along by the emulator's clock), `telnyx-timestamp` in real time
//! after the clock moved, and what is never sent.

use crate::common;

use common::{READY, Receiver, api, assert_signed, config, numbers};
use serde_json::{Value, json};
use telnyx_reputation_mock::{DEFAULT_CONFIRM_WINDOW_MS, MAX_ATTEMPTS};

fn real_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An emulator whose READY enterprise monitors `+16035550000` and delivers to `receiver`.
async fn watched(receiver: &Receiver) -> (common::Api, String) {
    let api = api(config(true)).await;
    let n = numbers(0, 1).remove(0);
    api.associate(READY, std::slice::from_ref(&n)).await;
    let set = api.set_webhook(READY, Some(&receiver.url)).await;
    assert_eq!(set.status.as_u16(), 200, "{}", set.json);
    (api, n)
}

#[tokio::test]
async fn a_flag_is_delivered_in_the_telnyx_envelope_and_signed_as_telnyx_signs() {
    let mut receiver = Receiver::start(&[]).await;
    let (api, n) = watched(&receiver).await;
    let flagged = api.ownership_event(READY, &n, "carrier_changed").await;
    let got = receiver.next().await;
    let key = api.state().await["webhook_public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(key, api.mock.webhook_public_key());
    assert_signed(&key, &got);
    let mut tampered = got.body.clone();
    tampered.push(b' ');
    let tampered = common::Received {
        body: tampered,
        timestamp: got.timestamp.clone(),
        signature: got.signature.clone(),
        json: Value::Null,
    };
    assert!(
        !common::signature_verifies(&key, &tampered),
        "a changed body does not verify"
    );
    let data = &got.json["data"];
    assert_eq!(data["record_type"], "event");
    assert_eq!(data["event_type"], "number_reputation.number.flagged");
    assert!(uuid::Uuid::parse_str(data["id"].as_str().unwrap()).is_ok());
    assert!(data["occurred_at"].is_string());
    assert_eq!(
        got.json["meta"],
        json!({"attempt": 1, "delivered_to": receiver.url})
    );
    let record = &flagged.json["data"];
    assert_eq!(
        data["payload"],
        json!({
            "record_type": "reputation_phone_number",
            "phone_number": n,
            "enterprise_id": READY,
            "source": "telnyx",
            "ownership_status": "pending_confirmation",
            "flag_reason": "carrier_changed",
            "confirm_by": record["confirm_by"],
        })
    );
    api.mock.wait_for_attempts(1).await;
    let log = api.get("/__mock/webhooks").await.json;
    assert_eq!(log["webhook_public_key"], key);
    let entry = &log["deliveries"][0];
    assert_eq!(entry["id"], data["id"]);
    assert_eq!(entry["event_type"], "number_reputation.number.flagged");
    assert_eq!(
        (entry["attempt"].clone(), entry["status"].clone()),
        (json!(1), json!(200))
    );
    assert_eq!(entry["url"], receiver.url);
    assert_eq!(entry["error"], Value::Null);
}

#[tokio::test]
async fn an_unanswered_delivery_comes_again_with_the_same_id_until_it_is_answered_200() {
    let mut receiver = Receiver::start(&[500, 204]).await;
    let (api, n) = watched(&receiver).await;
    api.confirm(READY, &n, false).await;
    let first = receiver.next().await;
    assert_eq!(
        first.json["data"]["event_type"],
        "number_reputation.number.removed"
    );
    assert_eq!(first.json["meta"]["attempt"], 1);
    api.mock.wait_for_attempts(1).await;
    api.advance(1_000).await;
    let second = receiver.next().await;
    assert_eq!(
        second.json["data"], first.json["data"],
        "the same event, the same id"
    );
    assert_eq!(second.json["meta"]["attempt"], 2);
    assert_signed(&api.mock.webhook_public_key(), &second);
    api.mock.wait_for_attempts(2).await;
    api.advance(1_000).await;
    let third = receiver.next().await;
    assert_eq!(
        third.json["meta"]["attempt"], 3,
        "a 204 is not an acknowledgement"
    );
    api.mock.wait_for_attempts(3).await;
    api.advance(10_000).await;
    let statuses: Vec<(u64, u64)> = api
        .mock
        .deliveries()
        .iter()
        .map(|d| (u64::from(d.attempt), u64::from(d.status.unwrap_or(0))))
        .collect();
    assert_eq!(statuses, [(1, 500), (2, 204), (3, 200)]);
    assert!(receiver.try_next().is_none(), "nothing after the 200");
}

#[tokio::test]
async fn a_receiver_that_never_answers_200_gets_five_attempts() {
    let mut receiver = Receiver::start(&[503; 10]).await;
    let (api, n) = watched(&receiver).await;
    api.ownership_event(READY, &n, "disconnected").await;
    let mut ids = Vec::new();
    for attempt in 1..=u64::from(MAX_ATTEMPTS) {
        let got = receiver.next().await;
        assert_eq!(got.json["meta"]["attempt"], attempt);
        ids.push(got.json["data"]["id"].clone());
        api.mock.wait_for_attempts(attempt).await;
        api.advance(1_000).await;
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(api.mock.deliveries().len(), 5);
    assert_eq!(
        api.state().await["pending_timers"],
        0,
        "no sixth attempt is scheduled"
    );
    assert!(receiver.try_next().is_none());
}

#[tokio::test]
async fn the_timestamp_is_real_time_while_payload_times_follow_the_emulators_clock() {
    let mut receiver = Receiver::start(&[]).await;
    let (api, n) = watched(&receiver).await;
    let ten_days = 10 * 86_400_000;
    api.advance(ten_days).await;
    api.ownership_event(READY, &n, "reverification_due").await;
    let got = receiver.next().await;
    assert_signed(&api.mock.webhook_public_key(), &got);
    let sent: i64 = got.timestamp.parse().unwrap();
    assert!(
        (sent - real_now()).abs() <= 300,
        "telnyx-timestamp {sent} is real time, within the SDK's 300 s tolerance"
    );
    let occurred: chrono::DateTime<chrono::Utc> = got.json["data"]["occurred_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        occurred.timestamp() - sent >= 9 * 86_400,
        "occurred_at follows the emulator's clock: {occurred}"
    );
    let confirm_by: chrono::DateTime<chrono::Utc> = got.json["data"]["payload"]["confirm_by"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        confirm_by - occurred,
        chrono::TimeDelta::milliseconds(DEFAULT_CONFIRM_WINDOW_MS as i64)
    );
}

#[tokio::test]
async fn an_unconfirmed_carrier_change_is_announced_at_its_deadline_and_a_reverification_is_not() {
    let mut receiver = Receiver::start(&[]).await;
    let (api, n) = watched(&receiver).await;
    let other = numbers(1, 1).remove(0);
    api.associate(READY, std::slice::from_ref(&other)).await;
    api.ownership_event(READY, &n, "carrier_changed").await;
    api.ownership_event(READY, &other, "reverification_due")
        .await;
    let flags: Vec<Value> = vec![receiver.next().await.json, receiver.next().await.json];
    assert!(
        flags
            .iter()
            .all(|f| f["data"]["event_type"] == "number_reputation.number.flagged")
    );
    // Deliveries run side by side: find the carrier change's by its number.
    let carrier = flags
        .iter()
        .find(|f| f["data"]["payload"]["phone_number"] == n)
        .unwrap();
    api.advance(DEFAULT_CONFIRM_WINDOW_MS + 1).await;
    let removed = receiver.next().await;
    let payload = &removed.json["data"]["payload"];
    assert_eq!(payload["phone_number"], n);
    assert_eq!(payload["ownership_status"], "removed");
    assert_eq!(payload["removal_reason"], "unconfirmed_ownership");
    assert_eq!(
        payload["removed_at"],
        carrier["data"]["payload"]["confirm_by"]
    );
    api.mock.wait_for_attempts(3).await;
    assert!(
        receiver.try_next().is_none(),
        "flagged after a re-verification sends nothing"
    );
}

#[tokio::test]
async fn the_end_of_the_proof_review_is_announced() {
    let mut receiver = Receiver::start(&[]).await;
    let (api, _) = watched(&receiver).await;
    api.post(
        &format!("/enterprises/{READY}/reputation/external_verification"),
        json!({"document_ids": ["doc-1"]}),
    )
    .await;
    api.advance(1_000).await;
    let got = receiver.next().await;
    assert_signed(&api.mock.webhook_public_key(), &got);
    assert_eq!(
        got.json["data"]["event_type"],
        "number_reputation.external_verification.status_changed"
    );
    let proof = api
        .get(&format!(
            "/enterprises/{READY}/reputation/external_verification"
        ))
        .await;
    assert_eq!(
        got.json["data"]["payload"],
        json!({
            "record_type": "reputation_external_verification",
            "enterprise_id": READY,
            "status": "approved",
            "rejection_reason": null,
            "reviewed_at": proof.json["data"]["reviewed_at"],
        })
    );
}

#[tokio::test]
async fn nothing_is_sent_without_a_url_for_a_disassociation_or_to_a_host_off_loopback() {
    let mut receiver = Receiver::start(&[]).await;
    let (api, n) = watched(&receiver).await;
    let [a, b] = <[String; 2]>::try_from(numbers(1, 2)).unwrap();
    api.associate(READY, &numbers(1, 2)).await;
    api.delete(&format!(
        "/enterprises/{READY}/reputation/numbers/{}",
        common::enc(&n)
    ))
    .await;
    api.set_webhook(READY, None).await;
    api.ownership_event(READY, &a, "carrier_changed").await;
    assert!(
        api.mock.deliveries().is_empty(),
        "a null URL stops deliveries"
    );
    api.set_webhook(READY, Some("https://hooks.example.com/x"))
        .await;
    api.ownership_event(READY, &b, "carrier_changed").await;
    let log = api.mock.deliveries();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, None);
    assert!(
        log[0].error.as_deref().unwrap().contains("loopback"),
        "{log:?}"
    );
    api.set_webhook(READY, Some(&receiver.url)).await;
    api.confirm(READY, &b, false).await;
    let got = receiver.next().await;
    assert_eq!(
        got.json["data"]["payload"]["phone_number"], b,
        "the first delivery to arrive is the last event: the DELETE and the flags above sent nothing"
    );
}
