//! The built binary end to end: validate, the main job against the built-in emulator and
//! against a `mock serve` process, JSON output parsed back, and recovery after SIGKILL.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common;

use common::*;

#[test]
fn validate_prints_one_object_per_line_and_exits_by_the_worst() {
    let out = run(
        &["validate"],
        Some("+16035551234\n(603) 555-1235\n+18005551234\n+14165551234\ngarbage\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["us_local", "us_local", "toll_free", "non_us", "invalid"]
    );
    assert_eq!(lines[1]["e164"], "+16035551235");
    assert!(lines[4].get("e164").is_none());
    let ok: Vec<bool> = lines.iter().map(|l| l["ok"].as_bool().unwrap()).collect();
    assert_eq!(ok, [true, true, true, false, false]);
    assert_eq!(
        run(&["validate"], Some("+16035551234\n")).status.code(),
        Some(0)
    );
    let strict = run(&["validate", "--strict"], Some("(603) 555-1234\n"));
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(
        run(&["validate", "/no/such/file"], None).status.code(),
        Some(2)
    );
}

#[test]
fn validate_passes_us_toll_free_numbers_with_their_note_and_refuses_other_service_numbers() {
    let note = "accepted from your Telnyx inventory only";
    let out = run(&["validate"], Some("+18885550100\n(833) 555-0101\n"));
    assert_eq!(out.status.code(), Some(0), "toll-free numbers pass");
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in &lines {
        assert_eq!(line["ok"], true, "{line}");
        assert_eq!(line["kind"], "toll_free", "{line}");
        assert_eq!(line["note"], note, "{line}");
        assert!(line.get("reason").is_none(), "{line}");
    }
    assert_eq!(lines[1]["e164"], "+18335550101");

    // Service numbers of other NANP countries, and Canada, are refused as non-US; in a table
    // the toll-free row carries the note in its NOTE column.
    let out = run(
        &["--output", "table", "validate"],
        Some("+18688001234\n+12469761234\n+14165551234\n+16035551234\n+18005550100\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with("NOTE"), "{text}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
    let first_six: Vec<&[&str]> = rows.iter().map(|r| &r[..6]).collect();
    assert_eq!(
        first_six,
        [
            [
                "+18688001234",
                "false",
                "non_us",
                "+18688001234",
                "TT",
                "non_us"
            ],
            [
                "+12469761234",
                "false",
                "non_us",
                "+12469761234",
                "BB",
                "non_us"
            ],
            [
                "+14165551234",
                "false",
                "non_us",
                "+14165551234",
                "CA",
                "non_us"
            ],
            ["+16035551234", "true", "us_local", "+16035551234", "-", "-"],
            [
                "+18005550100",
                "true",
                "toll_free",
                "+18005550100",
                "-",
                "-"
            ],
        ],
        "{text}"
    );
    assert_eq!(rows[3][6..], ["-"], "{text}");
    assert_eq!(rows[4][6..].join(" "), note, "{text}");
}

/// The number, status, code and note of each row of an associate's CSV report.
fn cells(rows: &[Vec<String>]) -> Vec<[&str; 4]> {
    rows.iter()
        .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str(), r[4].as_str()])
        .collect()
}

#[test]
fn an_associate_report_row_of_a_toll_free_number_carries_its_note() {
    let note = "accepted from your Telnyx inventory only";
    let input = "+16035550001\n+18005550002\n";
    // The built-in emulator's inventory holds every US local and US toll-free number: both
    // are associated, and only the toll-free row carries the note.
    let associate = [
        "associate",
        "--enterprise",
        ENTERPRISE,
        "--mode",
        "best-effort",
        "-",
    ];
    // The associate after `global` flags.
    let with = |global: &[&'static str]| [global, &associate[..]].concat();
    let out = run(&with(&["--mock", "--output", "csv"]), Some(input));
    ok(&out);
    let text = stdout(&out);
    assert_eq!(
        text.lines().next(),
        Some("number,status,code,detail,note"),
        "{text}"
    );
    assert_eq!(
        cells(&csv_rows(&text)),
        [
            ["+16035550001", "associated", "", ""],
            ["+18005550002", "associated", "", note],
        ]
    );
    let out = run(&with(&["--mock", "--output", "json"]), Some(input));
    ok(&out);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "completed");
    assert_eq!(
        report["associated"],
        serde_json::json!(["+16035550001", "+18005550002"])
    );
    assert_eq!(report["refused"], serde_json::json!([]));
    assert_eq!(
        report["notes"],
        serde_json::json!([{"number": "+18005550002", "kind": "toll_free", "note": note}])
    );

    // An account whose inventory lacks the toll-free number: the server refuses it, and its row
    // keeps the note, which says why that can happen.
    let dir = common::tempdir();
    let inventory = common::file(&dir, "inventory.txt", b"+16035550001\n");
    let server = mock_serve(&["--inventory", &inventory]);
    let out = api(&server, &with(&["--output", "csv"]), Some(input));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        cells(&csv_rows(&stdout(&out))),
        [
            ["+16035550001", "associated", "", ""],
            ["+18005550002", "refused", "not_owned", note],
        ]
    );
}

#[test]
fn associate_against_the_built_in_emulator_prints_a_json_report() {
    let out = associate_on_mock(&["-"], Some(&numbers(0, 10_000)));
    ok(&out);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "completed");
    assert_eq!(report["associated"].as_array().unwrap().len(), 10_000);
    assert_eq!(report["requests"], 100);
    assert!(String::from_utf8_lossy(&out.stderr).contains("emulator at"));
}

#[test]
fn bad_lines_are_all_reported_and_nothing_is_sent() {
    let mut input = numbers(0, 300);
    input.push_str("+18688001234\nnot a number\n");
    let out = associate_on_mock(&["-"], Some(&input));
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "refused");
    assert_eq!(report["requests"], 0);
    let codes: Vec<&str> = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["non_us", "invalid_character"]);
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let out = run(
        &["associate", "--enterprise", ENTERPRISE, "+16035551234"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("telnyx-reputation: no API key"), "{err}");
}

/// The emulator's rate limit as a gate: six requests an hour, so a job of more batches
/// cannot end before [`associate_then_kill`] kills it, however fast the machine is.
const GATE: [&str; 4] = ["--rate-limit", "6", "--rate-limit-window-ms", "3600000"];

/// Starts an associate with a journal against a server started with [`GATE`], SIGKILLs it once
/// the journal shows three committed batches (the gate holds the rest back), then opens the
/// gate for what follows.
fn associate_then_kill(server: &Server, journal: &Path, count: u32) {
    let mut child = Command::new(BIN)
        .args([
            "--base-url",
            &server.base_url,
            "--api-key",
            "demo-key",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--concurrency",
            "1",
            "--batch-size",
            "50",
            "--journal",
        ])
        .arg(journal)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(numbers(0, count).as_bytes())
        .unwrap();
    wait_until("three committed batches", || {
        let text = std::fs::read_to_string(journal).unwrap_or_default();
        text.matches("\"event\":\"committed\"").count() >= 3
    });
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "the gate held the job until the kill");
    admin(server, "PUT", "/__mock/faults", "{}");
}

#[test]
fn a_sigkilled_associate_resumes_to_completion() {
    let server = mock_serve(&GATE);
    let (_dir, journal) = scratch_journal("job.journal");
    associate_then_kill(&server, &journal, 2_000);
    let partial = monitored(&server);
    // At least the three batches of 50 committed, at most the six requests the gate let through.
    assert!((150..=300).contains(&partial), "killed mid-run: {partial}");
    let out = api(&server, &["--output", "json", "resume"], None);
    assert_eq!(out.status.code(), Some(2), "resume needs its journal");
    // The batch the kill left in flight is looked up once the timeout of an attempt has passed
    // (twice, to prove it not applied): a short one, as the default 30 s is no part of the test.
    let out = api(
        &server,
        &[
            "--output",
            "json",
            "--timeout",
            "1",
            "resume",
            journal.to_str().unwrap(),
        ],
        None,
    );
    ok(&out);
    assert_eq!(monitored(&server), 2_000);
    let again = api(&server, &["resume", journal.to_str().unwrap()], None);
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn a_sigkilled_associate_rolls_back_to_nothing() {
    let server = mock_serve(&GATE);
    let (_dir, journal) = scratch_journal("job.journal");
    associate_then_kill(&server, &journal, 2_000);
    assert!(monitored(&server) > 0);
    let out = api(
        &server,
        &["--output", "json", "rollback", journal.to_str().unwrap()],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "undoing was asked for and done: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "rolled_back");
    assert_eq!(monitored(&server), 0);
    let again = api(&server, &["rollback", journal.to_str().unwrap()], None);
    assert_eq!(
        again.status.code(),
        Some(0),
        "a second rollback is harmless"
    );
    assert_eq!(monitored(&server), 0);
}

#[test]
fn get_and_disassociate_against_mock_serve() {
    let server = mock_serve(&[]);
    api(
        &server,
        &[
            "associate",
            "--enterprise",
            ENTERPRISE,
            "+16035550001",
            "+16035550002",
        ],
        None,
    );
    let out = api(
        &server,
        &["--output", "json", "get", "+16035550001", "--fresh"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("billable"));
    let record: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(record[0]["reputation_data"]["spam_risk"].is_string());
    let out = api(
        &server,
        &["disassociate", "+16035550001", "+16035550009"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let rows: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert!(rows[0].starts_with("PHONE_NUMBER"), "{rows:?}");
    assert!(
        rows.iter().any(|r| r
            .split_whitespace()
            .take(2)
            .eq(["+16035550001", "disassociated"])),
        "{rows:?}"
    );
    assert_eq!(monitored(&server), 1);
}

#[test]
fn billable_calls_against_the_real_api_are_refused_without_a_terminal_or_yes() {
    // stdin is a pipe, not a terminal: nothing is sent, the command says why and exits 2.
    let real = [
        "--base-url",
        "https://api.telnyx.com/v2",
        "--api-key",
        "KEY",
    ];
    let mut fresh = real.to_vec();
    fresh.extend(["get", "+16035551234", "--fresh"]);
    let out = run(&fresh, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("is billable and stdin is not a terminal to confirm on; pass --yes")
    );

    let dir = common::tempdir();
    let file = dir.path().join("numbers.txt");
    std::fs::write(&file, numbers(0, 1_001)).unwrap();
    let mut many = real.to_vec();
    let file_arg = file.to_str().unwrap();
    many.extend(["associate", "--enterprise", ENTERPRISE, file_arg]);
    let out = run(&many, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("associating 1001 numbers is billable"));
}

#[test]
fn a_csv_column_and_a_dry_run_send_nothing_and_report_every_bad_line() {
    let csv = "name,phone,notes\nA,+16035550001,x\nB,(603) 555-0002,y\nC,+18688000003,z\n";
    let out = run(
        &[
            "--mock",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--column",
            "phone",
            "--dry-run",
        ],
        Some(csv),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.contains("+18688000003"))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        row.split_whitespace().take(4).collect::<Vec<_>>(),
        ["2", "+18688000003", "refused", "non_us"]
    );
    assert!(text.contains("nothing was sent"), "{text}");
}
