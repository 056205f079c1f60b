//! `report` end to end against `mock serve --populate`: rows equal to the emulator's list,
//! snapshots and changes, the `--fail-on` exit codes, and nothing billed; the ownership
//! columns, `--fail-on-ownership`, and ownership changes and removals since a snapshot.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::Value;

/// The emulator's state from its admin route (no key).
fn state(server: &Server) -> Value {
    admin(server, "GET", "/__mock/state", "")
}

fn json(out: &std::process::Output) -> Vec<Value> {
    assert!(
        matches!(out.status.code(), Some(0 | 4)),
        "{:?}: {}",
        out.status,
        stderr(out)
    );
    serde_json::from_str::<Value>(&stdout(out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Number → spam risk (empty without data): the numbers from the emulator's own state, their
/// data from a page-by-page `list`.
fn emulator_risks(server: &Server) -> BTreeMap<String, String> {
    let held: BTreeSet<String> = state(server)["associations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["phone_number"].as_str().unwrap().to_owned())
        .collect();
    let listed = json(&api(server, &["--output", "json", "list"], None));
    let risks: BTreeMap<String, String> = listed
        .iter()
        .map(|r| {
            let risk = r["reputation_data"]["spam_risk"].as_str().unwrap_or("");
            (
                r["phone_number"].as_str().unwrap().to_owned(),
                risk.to_owned(),
            )
        })
        .collect();
    assert_eq!(risks.keys().cloned().collect::<BTreeSet<_>>(), held);
    risks
}

fn risks(rows: &[Value]) -> BTreeMap<String, String> {
    rows.iter()
        .map(|r| {
            (
                r["phone_number"].as_str().unwrap().to_owned(),
                r["spam_risk"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Checks that the emulator's ledger holds `checks` billed in all, summed over every kind of
/// check; the ledger in the failure.
fn assert_billed_in_all(server: &Server, checks: u64) {
    let billing = &state(server)["billing"];
    let billed: u64 = billing
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(billed, checks, "{billing}");
}

#[test]
fn report_equals_the_emulators_state_sorts_filters_and_bills_nothing() {
    let server = mock_serve(&["--populate", "600", "--seed", "9"]);
    let all = json(&api(&server, &["--output", "json", "report"], None));
    assert_eq!(all.len(), 600);
    let expected = emulator_risks(&server);
    assert_eq!(risks(&all), expected);

    let sorted = json(&api(
        &server,
        &[
            "--output",
            "json",
            "report",
            "--enterprise",
            ENTERPRISE,
            "--sort",
            "risk",
            "--risk",
            "medium",
        ],
        None,
    ));
    let order: Vec<&str> = sorted
        .iter()
        .map(|r| r["spam_risk"].as_str().unwrap())
        .collect();
    let highs = expected.values().filter(|r| *r == "high").count();
    let mediums = expected.values().filter(|r| *r == "medium").count();
    assert!(highs > 0 && mediums > 0, "{expected:?}");
    assert_eq!(order.len(), highs + mediums);
    assert!(order[..highs].iter().all(|r| *r == "high"), "{order:?}");
    assert!(order[highs..].iter().all(|r| *r == "medium"), "{order:?}");

    let csv = api(
        &server,
        &["--output", "csv", "report", "--concurrency", "1"],
        None,
    );
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    assert_eq!(csv_rows(&stdout(&csv)).len(), 600);

    assert_eq!(state(&server)["billing"]["associate"], 0);
    assert_billed_in_all(&server, 0);
}

#[test]
fn fail_on_exits_4_at_the_level_and_since_reports_only_what_changed() {
    let server = mock_serve(&["--populate", "300", "--seed", "4"]);
    let dir = common::tempdir();
    let last = dir.path().join("last.jsonl");
    let last = last.to_str().unwrap();

    // Some numbers are high: --fail-on high alerts; saving a snapshot all the same.
    let out = api(
        &server,
        &["report", "--save", last, "--fail-on", "high"],
        None,
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("alert:"), "{}", stderr(&out));
    let saved = std::fs::read_to_string(last).unwrap();
    assert_eq!(saved.lines().count(), 300);

    // Nothing changed since: no rows, no alert, whatever the level.
    let args = [
        "--output",
        "json",
        "report",
        "--since",
        last,
        "--save",
        last,
        "--fail-on",
        "low",
    ];
    let out = api(&server, &args, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(json(&out).is_empty());

    // One number removed: one change, and a removal raises no alert.
    let first: Value = serde_json::from_str(saved.lines().next().unwrap()).unwrap();
    let gone = first["phone_number"].as_str().unwrap();
    let out = api(&server, &["disassociate", gone], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = api(&server, &args, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let changes = json(&out);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["phone_number"], gone);
    assert_eq!(changes[0]["change"], "removed");

    // The snapshot was replaced by the last run: comparing again finds nothing.
    let out = api(&server, &args, None);
    assert!(json(&out).is_empty());

    // An unreadable snapshot is a usage error.
    let out = api(
        &server,
        &["report", "--since", "/nonexistent/last.jsonl"],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// An emulator with numbers hosted elsewhere under `+1919555`, the enterprise's ownership proof
/// approved, and `+16035550001`, `+16035550002` (Telnyx) and `+19195550001` (external)
/// monitored.
fn with_an_external_number() -> Server {
    let server = mock_serve(&["--external", "+1919555"]);
    let path = format!("/enterprises/{ENTERPRISE}/reputation/external_verification");
    let proof = authed(&server, "POST", &path, r#"{"document_ids":["doc-1"]}"#);
    assert_eq!(proof["data"]["status"], "pending", "{proof}");
    admin(&server, "POST", "/__mock/clock", r#"{"advance_ms": 2000}"#);
    let out = api(
        &server,
        &["associate", "--enterprise", ENTERPRISE, "--no-journal", "-"],
        Some("+16035550001\n+16035550002\n+19195550001\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    server
}

#[test]
fn ownership_columns_the_ownership_alert_and_since_changes() {
    let server = with_an_external_number();
    let dir = common::tempdir();
    let last = dir.path().join("last.jsonl");
    let last = last.to_str().unwrap();

    // Everything verified: no alert; the rows say where each number is hosted.
    let out = api(
        &server,
        &[
            "--output",
            "json",
            "report",
            "--save",
            last,
            "--fail-on-ownership",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = json(&out);
    let external = rows
        .iter()
        .find(|r| r["phone_number"] == "+19195550001")
        .unwrap();
    assert_eq!(external["source"], "external");
    assert_eq!(external["ownership_status"], "verified");
    assert!(external["confirm_by"].is_null());
    assert!(rows.iter().all(|r| r["ownership_status"] == "verified"));

    // A carrier change flags the external number; the other is reported disconnected.
    ownership_event(&server, "+19195550001", "carrier_changed");
    ownership_event(&server, "+16035550002", "disconnected");

    let out = api(&server, &["report", "--fail-on-ownership"], None);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let table = stdout(&out);
    let header = table.lines().next().unwrap();
    for column in ["SOURCE", "OWNERSHIP", "CONFIRM_BY"] {
        assert!(header.contains(column), "{header}");
    }
    let line = table.lines().find(|l| l.contains("+19195550001")).unwrap();
    assert!(
        line.contains("external") && line.contains("pending_confirmation"),
        "{line}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("alert: 1 numbers need their ownership confirmed"),
        "{err}"
    );
    assert!(
        err.contains("+19195550001 pending_confirmation, confirm by 20"),
        "{err}"
    );
    assert!(!table.contains("+16035550002"), "removed: not listed");

    // With a risk level no number reaches, the ownership alert still raises exit 4.
    let out = api(
        &server,
        &["report", "--fail-on", "high", "--fail-on-ownership"],
        None,
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = api(&server, &["report", "--fail-on", "high"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // CSV carries the same columns.
    let out = api(&server, &["--output", "csv", "report"], None);
    let csv = stdout(&out);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("last_refreshed_at,source,ownership,confirm_by"),
        "{csv}"
    );
    let record = csv_rows(&csv)
        .into_iter()
        .find(|r| r[0] == "+19195550001")
        .unwrap();
    assert_eq!(record[9..11], ["external", "pending_confirmation"]);
    assert!(record[11].starts_with("20"), "{record:?}");

    // Since the snapshot: the flag, and the removal with its reason.
    let out = api(
        &server,
        &["--output", "json", "report", "--since", last],
        None,
    );
    let changes = json(&out);
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0]["phone_number"], "+19195550001");
    assert_eq!(changes[0]["change"], "ownership_changed");
    assert_eq!(changes[0]["from"], "verified");
    assert_eq!(changes[0]["to"], "pending_confirmation");
    assert!(changes[0]["confirm_by"].is_string(), "{changes:?}");
    assert_eq!(changes[1]["phone_number"], "+16035550002");
    assert_eq!(changes[1]["change"], "removed");
    assert_eq!(changes[1]["removal_reason"], "reassigned");
    assert!(changes[1]["removed_at"].is_string(), "{changes:?}");
    let out = api(&server, &["report", "--since", last], None);
    let table = stdout(&out);
    assert!(
        table
            .lines()
            .any(|l| l.contains("+16035550002") && l.contains("reassigned at 20")),
        "{table}"
    );

    // Only the three associations were ever billed.
    assert_billed_in_all(&server, 3);
}
