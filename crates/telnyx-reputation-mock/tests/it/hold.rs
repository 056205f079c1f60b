//! The `hold` fault: answers of the named operations wait, applied, until the test releases
//! them, while the other operations answer at once; `GET /__mock/held` counts them.

use reqwest::Method;
use serde_json::json;
use telnyx_reputation_mock::{Faults, Operation};

use crate::common::{self, READY, api, numbers};

#[tokio::test]
async fn held_associates_are_applied_counted_and_answered_once_released() {
    let api = std::sync::Arc::new(api(common::config(true)).await);
    api.mock.set_faults(Faults {
        hold: vec![Operation::AssociateNumbers],
        ..Faults::default()
    });
    let held = |api: std::sync::Arc<common::Api>, from: u32| {
        tokio::spawn(async move { api.associate(READY, &numbers(from, 5)).await })
    };
    let first = held(api.clone(), 0);
    let second = held(api.clone(), 5);
    api.mock.until_held(2).await;

    // Applied on arrival, answered not yet; another operation is not held.
    let counted = api.get("/__mock/held").await;
    assert_eq!(counted.json, json!({"held": 2}));
    let listed = api
        .get(&format!("/enterprises/{READY}/reputation/numbers"))
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(10));
    assert_eq!(api.billing().await["associate"], 10);
    assert!(!first.is_finished() && !second.is_finished());

    // Released by faults that no longer name the operation: both answer, and none is held.
    let put = api
        .send(Method::PUT, "/__mock/faults", Some(json!({"hold": []})))
        .await;
    assert_eq!(put.json["hold"], json!([]));
    for task in [first, second] {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, 201);
        assert_eq!(answer.json["data"].as_array().map(Vec::len), Some(5));
    }
    assert_eq!(api.mock.held(), 0);
    assert_eq!(api.get("/__mock/held").await.json, json!({"held": 0}));
}

#[tokio::test]
async fn a_client_that_gives_up_is_no_longer_counted_and_unknown_names_are_refused() {
    let api = api(common::config(true)).await;
    let put = api
        .send(
            Method::PUT,
            "/__mock/faults",
            Some(json!({"hold": ["refresh_numbers"]})),
        )
        .await;
    assert_eq!(put.json["hold"], json!(["refresh_numbers"]));
    assert_eq!(api.associate(READY, &numbers(0, 3)).await.status, 201);
    let path = format!("/enterprises/{READY}/reputation/numbers/refresh");
    let refresh = api.post(&path, json!({"phone_numbers": numbers(0, 3)}));
    // The client drops its request while the answer is held.
    tokio::select! {
        _ = refresh => panic!("a held refresh was answered"),
        () = api.mock.until_held(1) => {}
    }
    api.mock.until_held(0).await;
    assert_eq!(api.billing().await["refresh"], 3, "applied on arrival");

    let refused = api
        .send(
            Method::PUT,
            "/__mock/faults",
            Some(json!({"hold": ["no_such_operation"]})),
        )
        .await;
    assert_eq!(refused.status.as_u16(), 422, "{:?}", refused.json);
    assert_eq!(
        api.get("/__mock/faults").await.json["hold"],
        json!(["refresh_numbers"])
    );
}
