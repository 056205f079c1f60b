//! Ctrl-C (SIGINT) during `associate` and a bulk `refresh`, end to end: the built command
//! against a `mock serve` process whose answers are delayed, so that the job is mid-flight when
//! the signal comes. Each test waits for state it can observe (an association or a refresh on
//! the emulator, a line of the journal, a line on stderr) before it signals; none relies on
//! timing.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use nix::sys::signal::Signal;

use crate::common;

use common::*;

/// How many associations the emulator holds, from its admin route (no key, not delayed).
fn associations(server: &Server) -> usize {
    admin(server, "GET", "/__mock/state", "")["associations"]
        .as_array()
        .unwrap()
        .len()
}

/// Starts `associate` of `count` numbers (batches of 10, two at a time) with `extra` flags,
/// its report as JSON on stdout.
fn associate(server: &Server, count: u32, extra: &[&str]) -> Child {
    let args = [
        &[
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--concurrency",
            "2",
            "--batch-size",
            "10",
        ],
        extra,
    ]
    .concat();
    start(server, &args, &numbers(0, count))
}

/// Starts the command `args` against `server` with its numbers on stdin (`-`), its report as
/// JSON on stdout.
fn start(server: &Server, args: &[&str], numbers: &str) -> Child {
    let mut all = vec!["--base-url", server.base_url.as_str(), "--output", "json"];
    all.extend_from_slice(args);
    all.push("-");
    spawn(&all, &[("TELNYX_API_KEY", "demo-key")], numbers)
}

fn committed(journal: &Path) -> bool {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .contains("\"event\":\"committed\"")
}

#[test]
fn without_a_journal_sigint_rolls_the_job_back_and_exits_130() {
    let server = mock_serve(&["--latency-ms", "50"]);
    let child = associate(&server, 2_000, &["--no-journal"]);
    // Applied on arrival, answered 50 ms later: a batch is in flight.
    wait_until("an association", || associations(&server) >= 10);
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("then undoing what this job associated"),
        "{err}"
    );
    assert!(err.contains("nothing is left associated"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "rolled_back");
    assert_eq!(report["interrupted"], true);
    assert!(report["not_sent"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(associations(&server), 0, "the start state again");
}

#[test]
fn with_a_journal_sigint_leaves_it_and_rollback_restores_the_start_state() {
    let server = mock_serve(&["--latency-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("job.journal");
    let path = journal.to_str().unwrap();
    let child = associate(&server, 2_000, &["--journal", path]);
    wait_until("a committed batch", || committed(&journal));
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains(&format!("to finish it: telnyx-reputation resume {path}")),
        "{err}"
    );
    assert!(
        err.contains(&format!("to undo it:   telnyx-reputation rollback {path}")),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["outcome"], "failed");
    let left = associations(&server);
    assert!((10..2_000).contains(&left), "stopped mid-job: {left}");
    assert_eq!(report["associated"].as_array().unwrap().len(), left);

    let undo = run_env(
        &["--base-url", &server.base_url, "rollback", path],
        &[("TELNYX_API_KEY", "demo-key")],
        None,
    );
    assert_eq!(undo.status.code(), Some(0), "{}", stderr(&undo));
    assert_eq!(associations(&server), 0, "the start state again");
}

#[test]
fn a_second_sigint_exits_at_once_naming_the_journal() {
    // Answers held for a minute: the first interrupt waits for them, the second does not.
    let server = mock_serve(&["--latency-ms", "60000"]);
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("job.journal");
    let path = journal.to_str().unwrap();
    let mut child = associate(&server, 2_000, &["--journal", path]);
    wait_until("a request in flight", || associations(&server) >= 10);
    interrupt(&child);
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("interrupted: sending no new batches") {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "stderr ended first");
    }
    assert!(line.contains(path), "{line}");
    interrupt(&child);
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(rest.contains("interrupted again: exiting now"), "{rest}");
    assert!(
        rest.contains(&format!("telnyx-reputation rollback {path}")),
        "{rest}"
    );
    // It did not wait for the answers: the journal holds the requests as in flight.
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("\"event\":\"attempt\""), "{text}");
    assert!(!text.contains("\"event\":\"committed\""), "{text}");
}

#[test]
fn sigterm_stops_a_resume_as_sigint_does_and_leaves_the_journal() {
    let server = mock_serve(&["--latency-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("job.journal");
    let path = journal.to_str().unwrap();
    let child = associate(&server, 2_000, &["--journal", path]);
    wait_until("a committed batch", || committed(&journal));
    interrupt(&child);
    assert_eq!(child.wait_with_output().unwrap().status.code(), Some(130));
    let before = associations(&server);

    let count = |text: &str| text.matches("\"event\":\"committed\"").count();
    let committed_before = count(&std::fs::read_to_string(&journal).unwrap());
    let resume = Command::new(BIN)
        .args(["--base-url", &server.base_url, "resume", path])
        .env("TELNYX_API_KEY", "demo-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("a batch committed by the resume", || {
        count(&std::fs::read_to_string(&journal).unwrap()) > committed_before
    });
    signal(&resume, Signal::SIGTERM);
    let out = resume.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains(&format!("to finish it: telnyx-reputation resume {path}")),
        "{err}"
    );
    let after = associations(&server);
    assert!(after > before && after < 2_000, "{before} then {after}");

    // The journal still finishes the job.
    let done = run_env(
        &["--base-url", &server.base_url, "resume", path],
        &[("TELNYX_API_KEY", "demo-key")],
        None,
    );
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert_eq!(associations(&server), 2_000);
}

/// The emulator's count of numbers refreshed (billed checks).
fn refreshed(server: &Server) -> u64 {
    admin(server, "GET", "/__mock/billing", "")["refresh"]
        .as_u64()
        .unwrap()
}

#[test]
fn sigint_during_a_bulk_refresh_sends_no_new_batch_and_reports_every_number() {
    // 50 numbers already monitored; each answer held 500 ms after the refresh is applied.
    let server = mock_serve(&["--populate", "50", "--latency-ms", "500"]);
    let monitored: Vec<String> = held(&server, ENTERPRISE).into_iter().collect();
    assert_eq!(monitored.len(), 50);
    let child = start(
        &server,
        &[
            "refresh",
            "--enterprise",
            ENTERPRISE,
            "--concurrency",
            "1",
            "--batch-size",
            "10",
        ],
        &monitored.join("\n"),
    );
    // Applied on arrival, answered later: the first batch is in flight.
    wait_until("a refreshed batch", || refreshed(&server) >= 10);
    interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: sending no new batches"), "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), 50, "a row per number");
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count() as u64;
    let (done, not_sent) = (count("done"), count("not_sent"));
    assert_eq!(done + not_sent, 50, "{rows:?}");
    assert!(done >= 10 && not_sent >= 10, "stopped mid-job: {done} done");
    assert_eq!(
        refreshed(&server),
        done,
        "billed exactly what it reports done"
    );
    assert!(err.contains(&format!("({not_sent} never sent)")), "{err}");
}

#[test]
fn sighup_stops_a_job_as_sigterm_does_naming_its_journal() {
    // The terminal closed (or an SSH session dropped) mid-job: no new batch, the journal named,
    // exit 130, and the journal finishes the job.
    let server = mock_serve(&["--latency-ms", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("job.journal");
    let path = journal.to_str().unwrap();
    let child = associate(&server, 2_000, &["--journal", path]);
    wait_until("a committed batch", || committed(&journal));
    signal(&child, Signal::SIGHUP);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains(&format!("to finish it: telnyx-reputation resume {path}")),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["interrupted"], true);
    let left = associations(&server);
    assert!((10..2_000).contains(&left), "stopped mid-job: {left}");
    let done = run_env(
        &["--base-url", &server.base_url, "resume", path],
        &[("TELNYX_API_KEY", "demo-key")],
        None,
    );
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert_eq!(associations(&server), 2_000);
}
