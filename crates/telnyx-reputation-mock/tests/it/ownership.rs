//! Ownership tracking of the October 2026 edition over plain HTTP: the new record and settings
//! fields, the webhook URL, each ownership event's path through the state machine (deadlines
//! passed by moving the emulator's clock), `ownership_confirm`, the tracking detail, removed
//! numbers and their listing, and the five operations billing nothing, faults included.

use crate::common;

use std::time::Duration;

use common::{NEW, READY, api, assert_error, config, enc, numbers};
use serde_json::{Value, json};
use telnyx_reputation_mock::{DEFAULT_CONFIRM_WINDOW_MS, Faults, Operation};

fn at(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn records_carry_source_and_ownership_and_settings_the_two_new_fields() {
    let api = api(config(true)).await;
    let toll_free = "+18885550100".to_owned();
    let created = api
        .associate(READY, &[numbers(0, 1)[0].clone(), toll_free.clone()])
        .await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.json);
    for record in created.json["data"].as_array().unwrap() {
        assert_eq!(record["source"], "telnyx");
        assert_eq!(record["ownership_status"], "verified");
        for unset in ["confirm_by", "flag_reason", "removal_reason", "removed_at"] {
            assert!(record.get(unset).is_none(), "{unset} in {record}");
        }
    }
    let listed = api.listed(READY, "").await;
    assert_eq!(
        listed.len(),
        2,
        "a toll-free number of the inventory is monitored"
    );
    let settings = api.get(&format!("/enterprises/{READY}/reputation")).await;
    let data = &settings.json["data"];
    assert_eq!(data["external_verification_status"], Value::Null);
    assert_eq!(data["webhook_url"], Value::Null);
    assert!(data.as_object().unwrap().contains_key("webhook_url"));
    assert!(
        data.as_object()
            .unwrap()
            .contains_key("external_verification_status")
    );
}

#[tokio::test]
async fn the_webhook_url_is_set_checked_and_cleared() {
    let api = api(config(true)).await;
    let set = api
        .set_webhook(READY, Some("https://hooks.example.com/telnyx"))
        .await;
    assert_eq!(set.status.as_u16(), 200, "{}", set.json);
    assert_eq!(
        set.json["data"]["webhook_url"],
        "https://hooks.example.com/telnyx"
    );
    assert_eq!(set.json["data"]["status"], "approved");
    let loopback = api
        .set_webhook(READY, Some("http://127.0.0.1:9/hook"))
        .await;
    assert_eq!(loopback.status.as_u16(), 200, "{}", loopback.json);
    for bad in ["http://hooks.example.com/x", "ftp://127.0.0.1/", "hooks"] {
        let e = assert_error(&api.set_webhook(READY, Some(bad)).await, 422, "10005");
        assert_eq!(e["source"]["pointer"], "/webhook_url");
        assert!(e["detail"].as_str().unwrap().contains(bad), "{e}");
    }
    let missing = api
        .patch(
            &format!("/enterprises/{READY}/reputation/webhook"),
            json!({}),
        )
        .await;
    assert_eq!(
        assert_error(&missing, 422, "10005")["source"]["pointer"],
        "/webhook_url"
    );
    let read = api.get(&format!("/enterprises/{READY}/reputation")).await;
    assert_eq!(
        read.json["data"]["webhook_url"], "http://127.0.0.1:9/hook",
        "refused changes changed nothing"
    );
    let cleared = api.set_webhook(READY, None).await;
    assert_eq!(cleared.status.as_u16(), 200);
    assert_eq!(cleared.json["data"]["webhook_url"], Value::Null);
    assert_error(
        &api.set_webhook(NEW, Some("https://e.com/h")).await,
        404,
        "10009",
    );
}

#[tokio::test]
async fn an_unconfirmed_carrier_change_is_removed_at_its_deadline() {
    let api = api(config(true)).await;
    let n = &numbers(0, 1)[0];
    api.associate(READY, std::slice::from_ref(n)).await;
    let before = api.ownership(READY, n).await;
    assert_eq!(before.status.as_u16(), 200, "{}", before.json);
    let baseline = before.json["data"]["baseline_carrier"].clone();
    assert_eq!(baseline.as_str().unwrap().len(), 4, "a SPID: {baseline}");
    let flagged = api.ownership_event(READY, n, "carrier_changed").await;
    assert_eq!(flagged.status.as_u16(), 200, "{}", flagged.json);
    let record = &flagged.json["data"];
    assert_eq!(record["ownership_status"], "pending_confirmation");
    assert_eq!(record["flag_reason"], "carrier_changed");
    let confirm_by = at(&record["confirm_by"]);
    let detail = api.ownership(READY, n).await.json["data"].clone();
    assert_eq!(at(&detail["confirm_by"]), confirm_by);
    assert_eq!(
        confirm_by - at(&detail["last_checked_at"]),
        chrono::TimeDelta::milliseconds(DEFAULT_CONFIRM_WINDOW_MS as i64)
    );
    let events: Vec<(&str, &str)> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["event_type"].as_str().unwrap(),
                h["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("flag", "carrier_changed"),
            ("check", "carrier_changed"),
            ("added", "verified")
        ],
        "most recent first"
    );
    assert_eq!(detail["baseline_carrier"], baseline, "not confirmed yet");
    assert_eq!(
        api.listed(READY, "filter[ownership_status]=pending_confirmation")
            .await
            .len(),
        1
    );
    // A day short of the deadline nothing happens; past it, the number is removed.
    api.advance(DEFAULT_CONFIRM_WINDOW_MS - 86_400_000).await;
    assert_eq!(api.listed(READY, "").await.len(), 1);
    api.advance(86_400_000 + 1).await;
    assert!(
        api.listed(READY, "").await.is_empty(),
        "removed numbers are not listed"
    );
    let removed = api.listed(READY, "filter[ownership_status]=removed").await;
    assert_eq!(removed.len(), 1);
    let record = &removed[0].1;
    assert_eq!(record["ownership_status"], "removed");
    assert_eq!(record["removal_reason"], "unconfirmed_ownership");
    assert_eq!(
        at(&record["removed_at"]),
        confirm_by,
        "removed as of the deadline"
    );
    assert!(record.get("confirm_by").is_none());
    assert_error(
        &api.get(&format!(
            "/enterprises/{READY}/reputation/numbers/{}",
            enc(n)
        ))
        .await,
        404,
        "10009",
    );
    let detail = api.ownership(READY, n).await;
    assert_eq!(detail.json["data"]["ownership_status"], "removed");
    assert_eq!(detail.json["data"]["history"][0]["event_type"], "removed");
    assert_error(
        &api.ownership_event(READY, n, "carrier_changed").await,
        409,
        "number_removed",
    );
    assert_error(&api.confirm(READY, n, true).await, 409, "number_removed");
    let still_removed = api.confirm(READY, n, false).await;
    assert_eq!(still_removed.status.as_u16(), 200);
    assert_eq!(
        still_removed.json["data"]["removal_reason"],
        "unconfirmed_ownership"
    );
}

#[tokio::test]
async fn an_unconfirmed_reverification_is_flagged_and_a_confirmation_verifies_it() {
    let api = api(config(true)).await;
    let n = &numbers(0, 1)[0];
    api.associate(READY, std::slice::from_ref(n)).await;
    let flagged = api.ownership_event(READY, n, "reverification_due").await;
    assert_eq!(
        flagged.json["data"]["ownership_status"],
        "pending_confirmation"
    );
    assert_eq!(flagged.json["data"]["flag_reason"], "reverification_due");
    api.advance(DEFAULT_CONFIRM_WINDOW_MS + 1).await;
    let listed = api.listed(READY, "filter[ownership_status]=flagged").await;
    assert_eq!(listed.len(), 1, "flagged, not removed");
    let record = &listed[0].1;
    assert_eq!(record["flag_reason"], "reverification_due");
    assert!(record.get("confirm_by").is_none());
    assert!(
        api.listed(READY, "filter[ownership_status]=verified")
            .await
            .is_empty()
    );
    let confirmed = api.confirm(READY, n, true).await;
    assert_eq!(confirmed.status.as_u16(), 200, "{}", confirmed.json);
    assert_eq!(confirmed.json["data"]["ownership_status"], "verified");
    assert!(confirmed.json["data"].get("flag_reason").is_none());
    let history = api.ownership(READY, n).await.json["data"]["history"].clone();
    assert_eq!(history[0]["event_type"], "confirm");
    assert_eq!(history[1]["outcome"], "unconfirmed");
    // Confirming a verified number answers it as it is.
    let again = api.confirm(READY, n, true).await;
    assert_eq!(again.json["data"], confirmed.json["data"]);
}

#[tokio::test]
async fn a_confirmed_carrier_change_makes_the_new_carrier_the_baseline() {
    let api = api(config(true)).await;
    let n = &numbers(0, 1)[0];
    api.associate(READY, std::slice::from_ref(n)).await;
    let old = api.ownership(READY, n).await.json["data"]["baseline_carrier"].clone();
    api.ownership_event(READY, n, "carrier_changed").await;
    let confirmed = api
        .post(
            &format!(
                "/enterprises/{READY}/reputation/numbers/{}/ownership_confirm",
                enc(n)
            ),
            json!({"still_own": true, "evidence_document_id": "doc-invoice-7"}),
        )
        .await;
    assert_eq!(confirmed.json["data"]["ownership_status"], "verified");
    assert!(confirmed.json["data"].get("confirm_by").is_none());
    let detail = api.ownership(READY, n).await.json["data"].clone();
    assert_ne!(detail["baseline_carrier"], old);
    // The deadline of the answered flag passes without effect.
    api.advance(DEFAULT_CONFIRM_WINDOW_MS + 1).await;
    assert_eq!(
        api.ownership(READY, n).await.json["data"]["ownership_status"],
        "verified"
    );
    let state = api.state().await;
    assert_eq!(
        state["associations"][0]["evidence_document_id"],
        "doc-invoice-7"
    );
}

#[tokio::test]
async fn giving_up_a_number_removes_it_at_once_with_the_reason_of_its_state() {
    let api = api(config(true)).await;
    let [ported, reported, disconnected] = <[String; 3]>::try_from(numbers(0, 3)).unwrap();
    api.associate(READY, &numbers(0, 3)).await;
    api.ownership_event(READY, &ported, "carrier_changed").await;
    let answer = api.confirm(READY, &ported, false).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.json);
    assert_eq!(answer.json["data"]["ownership_status"], "removed");
    assert_eq!(answer.json["data"]["removal_reason"], "ported_away");
    let answer = api.confirm(READY, &reported, false).await;
    assert_eq!(answer.json["data"]["removal_reason"], "customer_reported");
    let answer = api
        .ownership_event(READY, &disconnected, "disconnected")
        .await;
    assert_eq!(answer.json["data"]["removal_reason"], "reassigned");
    let removed = api.listed(READY, "filter[ownership_status]=removed").await;
    let reasons: Vec<(&str, &str)> = removed
        .iter()
        .map(|(n, r)| (n.as_str(), r["removal_reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            (ported.as_str(), "ported_away"),
            (reported.as_str(), "customer_reported"),
            (disconnected.as_str(), "reassigned"),
        ],
        "in removal order"
    );
    assert!(api.listed(READY, "").await.is_empty());
    let simplified = api
        .get("/reputation/numbers?filter[ownership_status]=removed")
        .await;
    assert_eq!(simplified.json["meta"]["total_results"], 3);
}

#[tokio::test]
async fn a_disassociated_number_is_listed_as_removed_and_can_be_associated_again() {
    let api = api(config(true)).await;
    let n = &numbers(0, 1)[0];
    let created = api.associate(READY, std::slice::from_ref(n)).await;
    let id = created.json["data"][0]["id"].clone();
    let gone = api
        .delete(&format!(
            "/enterprises/{READY}/reputation/numbers/{}",
            enc(n)
        ))
        .await;
    assert_eq!(gone.status.as_u16(), 204);
    assert!(api.listed(READY, "").await.is_empty());
    let removed = api
        .listed(
            READY,
            &format!(
                "filter[ownership_status]=removed&filter[phone_number][eq]={}",
                enc(n)
            ),
        )
        .await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].1["removal_reason"], "customer_removed");
    assert_error(
        &api.delete(&format!("/reputation/numbers/{}", enc(n))).await,
        404,
        "10009",
    );
    let again = api.associate(READY, std::slice::from_ref(n)).await;
    assert_eq!(again.status.as_u16(), 201, "{}", again.json);
    let record = &again.json["data"][0];
    assert_eq!(record["id"], id, "the same record, active again");
    assert_eq!(record["ownership_status"], "verified");
    assert!(record.get("removal_reason").is_none());
    assert!(
        api.listed(READY, "filter[ownership_status]=removed")
            .await
            .is_empty()
    );
    assert_eq!(api.listed(READY, "").await.len(), 1);
    assert_eq!(
        api.billing().await["associate"],
        2,
        "associating again is billed"
    );
}

#[tokio::test]
async fn the_list_filters_take_the_documented_words_only() {
    let api = api(config(true)).await;
    for path in [
        format!("/enterprises/{READY}/reputation/numbers"),
        "/reputation/numbers".to_owned(),
    ] {
        for (param, bad) in [
            ("filter[source]", "elsewhere"),
            ("filter[ownership_status]", "gone"),
        ] {
            let e = assert_error(
                &api.get(&format!("{path}?{param}={bad}")).await,
                400,
                "10015",
            );
            assert_eq!(e["source"]["parameter"], param);
        }
        let ok = api
            .get(&format!(
                "{path}?filter[source]=telnyx&filter[ownership_status]=verified"
            ))
            .await;
        assert_eq!(ok.status.as_u16(), 200, "{}", ok.json);
    }
}

#[tokio::test]
async fn the_five_operations_bill_nothing_and_the_ledger_says_so() {
    let api = api(config(true)).await;
    let n = &numbers(0, 1)[0];
    api.associate(READY, std::slice::from_ref(n)).await;
    let before = api.billing().await;
    assert_eq!(
        api.set_webhook(READY, Some("https://e.com/h"))
            .await
            .status
            .as_u16(),
        200
    );
    let proof = api
        .post(
            &format!("/enterprises/{READY}/reputation/external_verification"),
            json!({"document_ids": ["doc-1"]}),
        )
        .await;
    assert_eq!(proof.status.as_u16(), 201, "{}", proof.json);
    assert_eq!(
        api.get(&format!(
            "/enterprises/{READY}/reputation/external_verification"
        ))
        .await
        .status
        .as_u16(),
        200
    );
    assert_eq!(api.ownership(READY, n).await.status.as_u16(), 200);
    api.ownership_event(READY, n, "carrier_changed").await;
    assert_eq!(api.confirm(READY, n, true).await.status.as_u16(), 200);
    assert_eq!(api.billing().await, before, "nothing billed");
    let view = api.get("/__mock/billing/operations").await.json;
    let line = |op: &str| {
        view.as_array()
            .unwrap()
            .iter()
            .find(|l| l["operation"] == op)
            .cloned()
            .unwrap_or_else(|| panic!("{op} missing from {view}"))
    };
    for op in [
        "update_webhook",
        "submit_external_verification",
        "get_external_verification",
        "get_ownership",
        "confirm_ownership",
    ] {
        assert_eq!(line(op)["billable"], false, "{op}");
        assert_eq!(line(op)["billed"], 0, "{op}");
    }
    assert_eq!(line("associate_numbers")["billed"], 1);
    assert_eq!(
        api.mock
            .billing()
            .by_operation()
            .iter()
            .filter(|l| l.billable)
            .map(|l| l.operation)
            .collect::<Vec<_>>(),
        [
            Operation::EnableReputation,
            Operation::AssociateNumbers,
            Operation::RefreshNumbers,
            Operation::GetNumber,
            Operation::SubmitRemediation
        ]
    );
}

#[tokio::test]
async fn under_faults_a_refused_confirmation_changes_nothing_and_a_dropped_one_is_applied() {
    let api = api(config(true)).await;
    let [a, b] = <[String; 2]>::try_from(numbers(0, 2)).unwrap();
    api.associate(READY, &numbers(0, 2)).await;
    api.ownership_event(READY, &a, "carrier_changed").await;
    api.ownership_event(READY, &b, "carrier_changed").await;
    api.mock.set_faults(Faults {
        error_rate: 1.0,
        latency_ms: 5,
        ..Faults::default()
    });
    let refused = api.confirm(READY, &a, false).await;
    assert!(refused.status.is_server_error(), "{}", refused.status);
    assert_eq!(refused.json["errors"][0]["code"], "10000");
    let refused = api.ownership(READY, &a).await;
    assert!(refused.status.is_server_error());
    api.mock.set_faults(Faults {
        commit_then_drop_rate: 1.0,
        ..Faults::default()
    });
    let dropped = api
        .http
        .post(format!(
            "{}/enterprises/{READY}/reputation/numbers/{}/ownership_confirm",
            api.mock.base_url(),
            enc(&b)
        ))
        .bearer_auth(&api.key)
        .json(&json!({"still_own": true}))
        .timeout(Duration::from_secs(30))
        .send()
        .await;
    assert!(dropped.is_err(), "the connection is dropped: {dropped:?}");
    api.mock.set_faults(Faults::default());
    let detail = |n: String| {
        let api = &api;
        async move { api.ownership(READY, &n).await.json["data"]["ownership_status"].clone() }
    };
    assert_eq!(
        detail(a.clone()).await,
        "pending_confirmation",
        "the 5xx was not applied"
    );
    assert_eq!(detail(b.clone()).await, "verified", "the dropped one was");
}

#[tokio::test]
async fn ownership_requests_are_checked() {
    let api = api(config(true)).await;
    let n = &numbers(0, 1)[0];
    api.associate(READY, std::slice::from_ref(n)).await;
    let path = format!(
        "/enterprises/{READY}/reputation/numbers/{}/ownership_confirm",
        enc(n)
    );
    let e = assert_error(&api.post(&path, json!({})).await, 422, "10005");
    assert_eq!(e["source"]["pointer"], "/still_own");
    assert_error(
        &api.post(&path, json!({"still_own": "yes"})).await,
        422,
        "10005",
    );
    let e = assert_error(
        &api.post(
            &path,
            json!({"still_own": true, "evidence_document_id": ""}),
        )
        .await,
        422,
        "10005",
    );
    assert_eq!(e["source"]["pointer"], "/evidence_document_id");
    let other = &numbers(50, 1)[0];
    assert_error(&api.ownership(READY, other).await, 404, "10009");
    assert_error(&api.confirm(READY, other, true).await, 404, "10009");
    assert_error(
        &api.ownership_event(READY, other, "carrier_changed").await,
        404,
        "10009",
    );
    assert_error(&api.ownership_event(READY, n, "stolen").await, 422, "10005");
    assert_error(
        &api.ownership(uuid::Uuid::from_u128(0x99), n).await,
        404,
        "10009",
    );
}
