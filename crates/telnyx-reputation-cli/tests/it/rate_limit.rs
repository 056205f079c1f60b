//! The command under a server rate limit: a job is slowed down, never failed, and a server that
//! only ever answers 429 ends a call with exit 3 and says so.

use std::path::Path;
use std::process::{Child, Output};

use crate::common;

use common::{ENTERPRISE, api, mock_serve, monitored, numbers};

#[test]
fn associate_completes_every_number_under_the_emulators_rate_limit() {
    let server = mock_serve(&["--rate-limit", "2", "--rate-limit-window-ms", "50"]);
    let out = api(
        &server,
        &[
            "--output",
            "json",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--concurrency",
            "8",
            "-",
        ],
        Some(&numbers(0, 1_000)),
    );
    common::ok(&out);
    assert_eq!(monitored(&server), 1_000);
}

#[test]
fn a_server_that_only_answers_429_ends_a_call_with_exit_3_naming_the_rate_limit() {
    let server = mock_serve(&["--throttle-rate", "1"]);
    let out = api(
        &server,
        &["--stall-timeout", "1", "get", "+16035550100"],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("kept refusing with 429"), "{stderr}");
}

/// A server whose window admits one request a day, and says so (`x-ratelimit-reset: 86400`).
fn one_a_day() -> common::Server {
    mock_serve(&["--rate-limit", "1", "--rate-limit-window-ms", "86400000"])
}

/// `associate` of the demo enterprise against `server` in batches of 10 sent one at a time,
/// with `extra` flags, its numbers on stdin and its report as JSON.
fn associate_args<'a>(server: &'a common::Server, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--base-url", server.base_url.as_str(), "--output", "json"];
    args.extend(common::associate_by_tens(extra));
    args.push("-");
    args
}

/// Runs `associate` of `numbers` against `server` with `extra` flags and no journal, and checks
/// that it exits 3; the error its JSON report gives.
fn exit_3_error(server: &common::Server, extra: &[&str], numbers: &str) -> String {
    let out = common::run_env(
        &associate_args(server, &[extra, &["--no-journal"]].concat()),
        &[("TELNYX_API_KEY", "demo-key")],
        Some(numbers),
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(3), "{report}");
    report["error"].as_str().unwrap().to_owned()
}

/// Starts `associate` of 20 numbers against `server` with its journal at `path`.
fn start_journaled(server: &common::Server, path: &str) -> Child {
    common::spawn(
        &associate_args(server, &["--journal", path]),
        &[("TELNYX_API_KEY", "demo-key")],
        &numbers(0, 20),
    )
}

/// Checks that a job stopped by Ctrl-C exited 130; its standard error and its JSON report.
fn stopped(out: &Output) -> (String, serde_json::Value) {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(130), "{err}");
    (err, serde_json::from_slice(&out.stdout).unwrap())
}

/// Checks that the journal at `journal` holds `text`.
fn assert_journal_has(journal: &Path, text: &str) {
    let written = std::fs::read_to_string(journal).unwrap();
    assert!(written.contains(text), "{written}");
}

#[test]
fn a_window_of_a_day_ends_a_job_by_the_stall_rule_or_the_deadline_not_a_day_later() {
    let server = one_a_day();
    // The first batch is admitted; the second waits for a window that the server says ends
    // tomorrow, until the stall rule gives up on it, unsent.
    let error = exit_3_error(&server, &["--stall-timeout", "1"], &numbers(0, 20));
    assert!(
        error.contains("no request succeeded for 1.0 s")
            && error.contains("the server's rate limit (its x-ratelimit-* headers) held the request back; it was never sent"),
        "{error}"
    );
    assert_eq!(
        common::held(&server, ENTERPRISE).len(),
        10,
        "the second batch was never sent"
    );
    // Now every request is refused with 429 and a day's wait: the deadline ends it.
    let error = exit_3_error(&server, &["--deadline", "1"], &numbers(100, 10));
    assert!(
        error.contains("the deadline passed") && error.contains("429"),
        "{error}"
    );
}

#[test]
fn ctrl_c_ends_a_wait_for_the_rate_limit_and_the_batch_is_not_sent() {
    let server = one_a_day();
    let (_dir, journal) = common::scratch_journal("job.journal");
    let child = start_journaled(&server, journal.to_str().unwrap());
    let out = common::interrupt_at_journal(
        child,
        &journal,
        "the second batch's attempt",
        "\"event\":\"attempt\",\"batch\":1",
    );
    let (_, report) = stopped(&out);
    assert_eq!(
        report["associated"].as_array().unwrap().len(),
        10,
        "{report}"
    );
    assert_eq!(report["not_sent"], 10, "{report}");
    let requests = common::admin(&server, "GET", "/__mock/stats", "")["requests"].clone();
    assert_eq!(requests, 1, "only the first batch reached the server");
    assert_journal_has(&journal, "\"event\":\"not_committed\",\"batch\":1");
}

#[test]
fn ctrl_c_ends_the_retries_of_a_batch_answered_429_and_reports_it_not_sent() {
    // Another client used the window up: the job's first batch is answered 429 (not applied)
    // and waits to be sent again. The window ends after 50 s, so a retry that Ctrl-C did not
    // stop would be admitted and applied.
    let server = mock_serve(&["--rate-limit", "1", "--rate-limit-window-ms", "50000"]);
    common::authed(
        &server,
        "GET",
        &format!("/enterprises/{ENTERPRISE}/reputation/numbers"),
        "",
    );
    let (_dir, journal) = common::scratch_journal("job.journal");
    let child = start_journaled(&server, journal.to_str().unwrap());
    let stats = || common::admin(&server, "GET", "/__mock/stats", "");
    common::wait_until("the batch answered 429", || {
        stats()["rate_limited"].as_u64() == Some(1)
    });
    common::interrupt(&child);
    let (err, report) = stopped(&child.wait_with_output().unwrap());
    assert_eq!(report["associated"], serde_json::json!([]), "{report}");
    assert_eq!(report["not_sent"], 20, "{report}");
    assert!(err.contains("20 not sent"), "{err}");
    let stats = stats();
    assert_eq!(
        (stats["requests"].as_u64(), stats["rate_limited"].as_u64()),
        (Some(2), Some(1)),
        "no retry reached the server: {stats}"
    );
    assert!(common::held(&server, ENTERPRISE).is_empty());
    assert_eq!(
        common::admin(&server, "GET", "/__mock/billing", "")["associate"],
        0
    );
    assert_journal_has(&journal, "\"event\":\"not_committed\",\"batch\":0");
}
