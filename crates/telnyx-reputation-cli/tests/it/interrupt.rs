//! Ctrl-C (SIGINT) during `associate` and a bulk `refresh`, end to end: the built command
//! against a `mock serve` process that holds the answers of the job's operation (`--hold`)
//! until the test releases them. Each test signals exactly when the job's first request is held
//! (applied, unanswered; the client sends it alone, as a probe of the rate limit), waits for the command to say it was interrupted, releases the answers, and
//! asserts exact figures: nothing depends on how fast the machine is.

use std::io::{BufRead, BufReader, Read};
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

/// Starts `associate` of `count` numbers (batches of 10, one at a time, so that the batches in
/// flight when a signal comes are exactly those the emulator holds) with `extra` flags, its
/// report as JSON on stdout.
fn associate(server: &Server, count: u32, extra: &[&str]) -> Child {
    start(server, &associate_by_tens(extra), &numbers(0, count))
}

/// Starts the command `args` against `server` with its numbers on stdin (`-`), its report as
/// JSON on stdout.
fn start(server: &Server, args: &[&str], numbers: &str) -> Child {
    let mut all = vec!["--base-url", server.base_url.as_str(), "--output", "json"];
    all.extend_from_slice(args);
    all.push("-");
    spawn(&all, &[("TELNYX_API_KEY", "demo-key")], numbers)
}

/// How many answers the emulator holds now (its `hold` fault), from its admin route.
fn held_answers(server: &Server) -> u64 {
    admin(server, "GET", "/__mock/held", "")["held"]
        .as_u64()
        .unwrap()
}

/// Holds the answers of `operation` (applied on arrival, unanswered) until [`release`].
fn hold(server: &Server, operation: &str) {
    admin(
        server,
        "PUT",
        "/__mock/faults",
        &format!(r#"{{"hold": ["{operation}"]}}"#),
    );
}

/// Lets every held answer go.
fn release(server: &Server) {
    admin(server, "PUT", "/__mock/faults", r#"{"hold": []}"#);
}

/// Reads `child`'s standard error until the line the first interrupt prints (it is printed at
/// once, before any answer in flight comes back); the reader, for the rest, and that line.
fn until_interrupted(child: &mut Child) -> (BufReader<std::process::ChildStderr>, String) {
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("interrupted: ") {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "stderr ended first");
    }
    (err, line)
}

/// Signals `child` once `in_flight` requests are held, waits for it to take the signal in,
/// releases the held answers and waits for it to end: its output, standard error from the
/// interrupt on.
fn stop_with_in_flight(
    server: &Server,
    mut child: Child,
    in_flight: u64,
    how: Signal,
) -> std::process::Output {
    wait_until("the requests in flight", || {
        held_answers(server) == in_flight
    });
    signal(&child, how);
    let (mut err, line) = until_interrupted(&mut child);
    release(server);
    let mut out = child.wait_with_output().unwrap();
    out.stderr = line.into_bytes();
    err.read_to_end(&mut out.stderr).unwrap();
    out
}

/// Starts `associate` of 2,000 numbers with its journal at `path` and stops it with `how` while
/// its first batch is held in flight; checks that it exits 130. Its output and standard error
/// (from the interrupt on).
fn stop_journaled_job(server: &Server, path: &str, how: Signal) -> (std::process::Output, String) {
    let child = associate(server, 2_000, &["--journal", path]);
    let out = stop_with_in_flight(server, child, 1, how);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    (out, err)
}

/// Checks that standard error `err` tells how to finish the job: `resume` of its journal `path`.
fn assert_names_resume(err: &str, path: &str) {
    assert!(
        err.contains(&format!("to finish it: telnyx-reputation resume {path}")),
        "{err}"
    );
}

/// Runs `resume` or `rollback` (`command`) of the journal at `path` against `server` to its end,
/// and checks that it exits 0.
fn finish_journal(server: &Server, command: &str, path: &str) {
    let out = run_env(
        &["--base-url", &server.base_url, command, path],
        &[("TELNYX_API_KEY", "demo-key")],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn without_a_journal_sigint_rolls_the_job_back_and_exits_130() {
    let server = mock_serve(&["--hold", "associate_numbers"]);
    let child = associate(&server, 2_000, &["--no-journal"]);
    // A batch of 10 applied and unanswered when the signal comes: the first, alone in flight
    // (the client probes with one request until an answer tells it the server's rate limit).
    let out = stop_with_in_flight(&server, child, 1, Signal::SIGINT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("nothing is left associated"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "rolled_back");
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["not_sent"], 2_000 - 10, "{report}");
    assert_eq!(associations(&server), 0, "the start state again");
}

#[test]
fn with_a_journal_sigint_leaves_it_and_rollback_restores_the_start_state() {
    let server = mock_serve(&["--hold", "associate_numbers"]);
    let (_dir, journal) = scratch_journal("job.journal");
    let path = journal.to_str().unwrap();
    let (out, err) = stop_journaled_job(&server, path, Signal::SIGINT);
    assert_names_resume(&err, path);
    assert!(
        err.contains(&format!("to undo it:   telnyx-reputation rollback {path}")),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["outcome"], "failed");
    assert_eq!(associations(&server), 10, "the batch in flight");
    assert_eq!(report["associated"].as_array().unwrap().len(), 10);

    finish_journal(&server, "rollback", path);
    assert_eq!(associations(&server), 0, "the start state again");
}

#[test]
fn a_second_sigint_exits_at_once_naming_the_journal() {
    // Answers held until the end: the first interrupt waits for them, the second does not.
    let server = mock_serve(&["--hold", "associate_numbers"]);
    let (_dir, journal) = scratch_journal("job.journal");
    let path = journal.to_str().unwrap();
    let mut child = associate(&server, 2_000, &["--journal", path]);
    wait_until("the request in flight", || held_answers(&server) == 1);
    interrupt(&child);
    let (mut err, line) = until_interrupted(&mut child);
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
    assert_eq!(text.matches("\"event\":\"attempt\"").count(), 1, "{text}");
    assert!(!text.contains("\"event\":\"committed\""), "{text}");
}

#[test]
fn sigterm_stops_a_resume_as_sigint_does_and_leaves_the_journal() {
    let server = mock_serve(&["--hold", "associate_numbers"]);
    let (_dir, journal) = scratch_journal("job.journal");
    let path = journal.to_str().unwrap();
    stop_journaled_job(&server, path, Signal::SIGINT);
    assert_eq!(associations(&server), 10);

    hold(&server, "associate_numbers");
    let resume = Command::new(BIN)
        .args(["--base-url", &server.base_url, "resume", path])
        .env("TELNYX_API_KEY", "demo-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The resume's first batch, its probe, in flight.
    let out = stop_with_in_flight(&server, resume, 1, Signal::SIGTERM);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_names_resume(&err, path);
    assert_eq!(associations(&server), 20, "{err}");

    // The journal still finishes the job.
    finish_journal(&server, "resume", path);
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
    // 50 numbers already monitored; each refresh applied on arrival and its answer held.
    let server = mock_serve(&["--populate", "50", "--hold", "refresh_numbers"]);
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
    // The first batch is in flight when the signal comes.
    let out = stop_with_in_flight(&server, child, 1, Signal::SIGINT);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: sending no new batches"), "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.len(), 50, "a row per number");
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count() as u64;
    assert_eq!((count("done"), count("not_sent")), (10, 40), "{rows:?}");
    assert_eq!(
        refreshed(&server),
        10,
        "billed exactly what it reports done"
    );
    assert!(err.contains("(40 never sent)"), "{err}");
}

#[test]
fn sighup_stops_a_job_as_sigterm_does_naming_its_journal() {
    // The terminal closed (or an SSH session dropped) mid-job: no new batch, the journal named,
    // exit 130, and the journal finishes the job.
    let server = mock_serve(&["--hold", "associate_numbers"]);
    let (_dir, journal) = scratch_journal("job.journal");
    let path = journal.to_str().unwrap();
    let (out, err) = stop_journaled_job(&server, path, Signal::SIGHUP);
    assert_names_resume(&err, path);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["interrupted"], true);
    assert_eq!(associations(&server), 10, "the batch in flight");
    finish_journal(&server, "resume", path);
    assert_eq!(associations(&server), 2_000);
}
