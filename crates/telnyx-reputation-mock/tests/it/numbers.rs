//! The number operations of the current edition over plain HTTP: list filters and pages of
//! 250, refresh per number, the billing ledger of reads, and `--populate`.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use common::{READY, api, assert_error, config, config_with_other, enc, numbers};
use reqwest::Method;
use serde_json::{Value, json};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, MockConfig};
use uuid::Uuid;

fn phone_numbers(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phone_number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn eq_contains_and_enterprise_filters_select_what_they_say() {
    let other = Uuid::from_u128(0x44);
    let api = api(config_with_other(other)).await;
    api.associate(READY, &numbers(0, 30)).await;
    api.associate(other, &numbers(100, 5)).await;
    let eq = api
        .get(&format!(
            "/enterprises/{READY}/reputation/numbers?filter[phone_number][eq]={}",
            enc("+16035550007")
        ))
        .await;
    assert_eq!(phone_numbers(&eq.json), ["+16035550007"]);
    let eq_elsewhere = api
        .get(&format!(
            "/enterprises/{other}/reputation/numbers?filter[phone_number][eq]={}",
            enc("+16035550007")
        ))
        .await;
    assert!(phone_numbers(&eq_elsewhere.json).is_empty());
    let contains = api
        .get("/reputation/numbers?filter[phone_number][contains]=5550010&page[size]=250")
        .await;
    assert_eq!(phone_numbers(&contains.json), numbers(10, 1));
    let contains = api
        .get("/reputation/numbers?filter[phone_number][contains]=555001&page[size]=250")
        .await;
    assert_eq!(phone_numbers(&contains.json), numbers(10, 10));
    assert_eq!(contains.json["meta"]["total_results"], 10);
    assert_error(
        &api.get("/reputation/numbers?filter[phone_number][contains]=5550")
            .await,
        400,
        "10015",
    );
    let scoped = api
        .get(&format!(
            "/reputation/numbers?filter[enterprise_id]={other}"
        ))
        .await;
    assert_eq!(phone_numbers(&scoped.json), numbers(100, 5));
    let unknown = api
        .get(&format!(
            "/reputation/numbers?filter[enterprise_id]={}",
            Uuid::from_u128(0x55)
        ))
        .await;
    assert_eq!(unknown.status.as_u16(), 200);
    assert!(phone_numbers(&unknown.json).is_empty());
    assert_error(
        &api.get("/reputation/numbers?filter[enterprise_id]=nope")
            .await,
        400,
        "10015",
    );
    // The old `phone_number=` filter is no longer read.
    let old = api
        .get("/reputation/numbers?phone_number=%2B16035550007")
        .await;
    assert_eq!(old.json["meta"]["total_results"], 35);
    // Default page sizes: 10 under an enterprise, 20 account-wide.
    let enterprise_page = api
        .get(&format!("/enterprises/{READY}/reputation/numbers"))
        .await;
    assert_eq!(phone_numbers(&enterprise_page.json).len(), 10);
    assert_eq!(
        phone_numbers(&api.get("/reputation/numbers").await.json).len(),
        20
    );
}

#[tokio::test]
async fn pages_go_up_to_250_and_larger_sizes_are_clamped() {
    let mut cfg = MockConfig::demo();
    cfg.populate = 600;
    let api = api(cfg).await;
    let page = |size: u64, n: u64| {
        format!(
            "/enterprises/{DEMO_ENTERPRISE}/reputation/numbers?page[size]={size}&page[number]={n}"
        )
    };
    let first = api.get(&page(250, 1)).await.json;
    assert_eq!(phone_numbers(&first).len(), 250);
    assert_eq!(
        first["meta"],
        json!({"page_number": 1, "page_size": 250, "total_results": 600, "total_pages": 3})
    );
    let clamped = api.get(&page(1000, 1)).await.json;
    assert_eq!(phone_numbers(&clamped), phone_numbers(&first));
    let last = api.get(&page(250, 3)).await.json;
    assert_eq!(phone_numbers(&last).len(), 100);
    assert_eq!(last["meta"]["page_size"], 100);
    // Every number once, across pages, in one stable order.
    let mut all = Vec::new();
    for n in 1..=3 {
        all.extend(phone_numbers(&api.get(&page(250, n)).await.json));
    }
    let distinct: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!((all.len(), distinct.len()), (600, 600));
    assert_eq!(api.mock.billing().total(), 0, "list pages are free");
}

#[tokio::test]
async fn populate_seeds_every_approved_enterprise_with_a_spread_of_risk() {
    let mut cfg = config(true);
    cfg.populate = 400;
    cfg.seed = 7;
    let a = api(cfg.clone()).await;
    let b = api(cfg.clone()).await;
    let mut risks: HashMap<String, usize> = HashMap::new();
    let mut seen = Vec::new();
    for n in 1..=2 {
        let path =
            format!("/enterprises/{READY}/reputation/numbers?page[size]=250&page[number]={n}");
        let page = a.get(&path).await.json;
        assert_eq!(page["meta"]["total_results"], 400);
        for row in page["data"].as_array().unwrap() {
            let data = &row["reputation_data"];
            let risk = data["spam_risk"].as_str().unwrap_or("null").to_owned();
            if risk == "null" {
                assert!(data["maturity_score"].is_null());
            } else {
                assert!(
                    data["maturity_score"]
                        .as_i64()
                        .is_some_and(|s| (0..=100).contains(&s))
                );
            }
            *risks.entry(risk).or_default() += 1;
        }
        let mut other = b.get(&path).await.json;
        let mut mine = page.clone();
        // Record ids and times are per run; the numbers and their data are the seed's.
        for rows in [&mut mine, &mut other] {
            for row in rows["data"].as_array_mut().unwrap() {
                let r = row.as_object_mut().unwrap();
                for key in ["id", "created_at", "updated_at"] {
                    r.remove(key);
                }
                r["reputation_data"]
                    .as_object_mut()
                    .unwrap()
                    .remove("last_refreshed_at");
            }
        }
        assert_eq!(
            mine["data"], other["data"],
            "same seed, same numbers and data"
        );
        seen.extend(phone_numbers(&page));
    }
    for risk in ["low", "medium", "high", "null"] {
        assert!(
            risks.get(risk).copied().unwrap_or(0) >= 20,
            "{risk}: {risks:?}"
        );
    }
    // The enterprise without reputation has none; nothing was billed.
    let new = a
        .get(&format!("/enterprises/{}/reputation/numbers", common::NEW))
        .await;
    assert_eq!(new.json["meta"]["total_results"], 0);
    assert_eq!(a.mock.billing().total(), 0);
    let mut other_seed = cfg;
    other_seed.seed = 8;
    let c = api(other_seed).await;
    let first_c = c
        .get(&format!(
            "/enterprises/{READY}/reputation/numbers?page[size]=250"
        ))
        .await;
    assert_ne!(phone_numbers(&first_c.json), seen[..250].to_vec());
}

#[tokio::test]
async fn refresh_answers_per_number_updates_the_data_and_bills_each_success() {
    let api = api(config(true)).await;
    api.associate(READY, &numbers(0, 2)).await;
    let get = |n: &str| format!("/enterprises/{READY}/reputation/numbers/{}", enc(n));
    let before = api.get(&get("+16035550000")).await.json["data"]["reputation_data"].clone();
    api.mock.advance_clock(Duration::from_secs(3600));
    let path = format!("/enterprises/{READY}/reputation/numbers/refresh");
    let sent = vec![
        "+16035550000".to_owned(),
        "+16035550001".to_owned(),
        "+16035550099".to_owned(),
        "not a number".to_owned(),
    ];
    let answer = api.post(&path, json!({ "phone_numbers": sent })).await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.json);
    let data = &answer.json["data"];
    assert_eq!(
        (
            &data["total_requested"],
            &data["total_successful"],
            &data["total_failed"]
        ),
        (&json!(4), &json!(2), &json!(2))
    );
    let results = data["results"].as_array().unwrap();
    let outcomes: Vec<(&str, bool, bool)> = results
        .iter()
        .map(|r| {
            (
                r["phone_number"].as_str().unwrap(),
                r["success"].as_bool().unwrap(),
                r["error"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("+16035550000", true, true),
            ("+16035550001", true, true),
            ("+16035550099", false, false),
            ("not a number", false, false)
        ]
    );
    let after = api.get(&get("+16035550000")).await.json["data"].clone();
    let refreshed = &after["reputation_data"];
    assert_ne!(refreshed, &before);
    let when = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert!(
        when(&refreshed["last_refreshed_at"]) - when(&before["last_refreshed_at"])
            >= chrono::TimeDelta::seconds(3600)
    );
    assert_eq!(refreshed["spam_risk"], before["spam_risk"]);
    assert_eq!(
        when(&after["updated_at"]),
        when(&refreshed["last_refreshed_at"])
    );
    let billing = api.billing().await;
    assert_eq!(billing["refresh"], 2);
    assert_error(
        &api.post(&path, json!({"phone_numbers": numbers(0, 101)}))
            .await,
        400,
        "too_many",
    );
    assert_error(
        &api.post(&path, json!({"phone_numbers": []})).await,
        400,
        "empty",
    );
    assert_eq!(api.mock.billing().refresh, 2);
}

#[tokio::test]
async fn the_ledger_counts_associations_fresh_and_first_reads_but_not_cached_reads_or_lists() {
    let api = api(config(true)).await;
    api.associate(READY, &numbers(0, 3)).await;
    let refused = api.associate(READY, &numbers(2, 2)).await;
    assert_eq!(refused.status.as_u16(), 400, "atomic: nothing billed");
    let get =
        |n: &str, fresh: &str| format!("/enterprises/{READY}/reputation/numbers/{}{fresh}", enc(n));
    let n0 = "+16035550000";
    api.get(&get(n0, "")).await; // first read: billed
    api.get(&get(n0, "")).await; // cached: free
    api.get(&get(n0, "?fresh=false")).await; // cached: free
    api.get(&get(n0, "?fresh=true")).await; // fresh: billed
    api.get(&format!(
        "/reputation/numbers/{}?fresh=true",
        enc("+16035550001")
    ))
    .await; // fresh, uncached: billed once, as fresh
    api.get(&format!("/reputation/numbers/{}", enc("+16035550002")))
        .await; // first read, account-wide: billed
    api.get("/reputation/numbers?page[size]=250").await;
    api.get(&format!("/enterprises/{READY}/reputation/numbers"))
        .await;
    api.send(
        Method::DELETE,
        &format!("/reputation/numbers/{}", enc("+16035550002")),
        None,
    )
    .await;
    let billing = api.billing().await;
    assert_eq!(
        billing,
        json!({"enable": 0, "associate": 3, "refresh": 0, "fresh_read": 2,
               "uncached_read": 2, "remediation": 0})
    );
    assert_eq!(api.mock.billing().checks(), 7);
    // A reset starts the ledger from zero.
    api.http
        .delete(format!("{}/__mock/state", api.mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(api.mock.billing().total(), 0);
}

#[tokio::test]
async fn the_state_and_numbers_of_one_enterprise_hold_its_rows_and_the_account_wide_parts() {
    let other = Uuid::from_u128(0x0be5_0000_0000_4000_8000_0000_0000_0001);
    let api = api(config_with_other(other)).await;
    assert_eq!(
        api.associate(READY, &numbers(0, 3)).await.status.as_u16(),
        201
    );
    assert_eq!(
        api.associate(other, &numbers(10, 2)).await.status.as_u16(),
        201
    );
    let gone = api
        .send(
            Method::DELETE,
            &format!(
                "/enterprises/{other}/reputation/numbers/{}",
                enc("+16035550010")
            ),
            None,
        )
        .await;
    assert_eq!(gone.status.as_u16(), 204);
    let rows = |state: &Value, key: &str| -> Vec<(String, String)> {
        state[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let field = |f: &str| a[f].as_str().unwrap().to_owned();
                (field("enterprise_id"), field("phone_number"))
            })
            .collect()
    };

    let whole = api.state().await;
    assert_eq!(rows(&whole, "associations").len(), 4);
    assert_eq!(rows(&whole, "removed").len(), 1);

    let mine = api
        .get(&format!("/__mock/state?enterprise_id={other}"))
        .await;
    assert_eq!(mine.status.as_u16(), 200);
    let other = other.to_string();
    assert_eq!(
        rows(&mine.json, "associations"),
        [(other.clone(), "+16035550011".to_owned())]
    );
    assert_eq!(
        rows(&mine.json, "removed"),
        [(other.clone(), "+16035550010".to_owned())]
    );
    let enterprises: Vec<&str> = mine.json["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["enterprise_id"].as_str().unwrap())
        .collect();
    assert_eq!(enterprises, [other.as_str()]);
    // The account-wide parts stay whole: the ledger billed all five associations.
    assert_eq!(mine.json["billing"], whole["billing"]);
    assert_eq!(mine.json["billing"]["associate"], 5);

    // An enterprise of no account has no rows; a malformed one is refused, naming the field.
    let none = api
        .get("/__mock/state?enterprise_id=00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(rows(&none.json, "associations"), []);
    let bad = api.get("/__mock/state?enterprise_id=nope").await;
    assert_eq!(bad.status.as_u16(), 400);
    let text = String::from_utf8_lossy(&bad.bytes);
    assert!(text.contains("enterprise_id"), "{text}");

    // The numbers alone, of one enterprise or of all.
    let mine = api
        .get(&format!("/__mock/numbers?enterprise_id={other}"))
        .await;
    assert_eq!(mine.json, json!({"numbers": ["+16035550011"]}));
    let ready = api
        .get(&format!("/__mock/numbers?enterprise_id={READY}"))
        .await;
    assert_eq!(
        ready.json,
        json!({"numbers": ["+16035550000", "+16035550001", "+16035550002"]})
    );
    let all = api.get("/__mock/numbers").await;
    assert_eq!(all.json["numbers"].as_array().unwrap().len(), 4);
    let bad = api.get("/__mock/numbers?enterprise_id=nope").await;
    assert_eq!(bad.status.as_u16(), 400);
}
