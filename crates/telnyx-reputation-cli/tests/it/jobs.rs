//! Journals by default: where a job of many batches writes its journal, `--no-journal`,
//! `telnyx-reputation jobs`, the message of a job that ends with its outcome unknown, and
//! `resume`/`rollback` of a job that already finished. Each test has its own state directory.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common;

use common::*;

/// Runs the command against `server` with `state` as `XDG_STATE_HOME`.
fn at(server: &Server, state: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec!["--base-url", server.base_url.as_str()];
    all.extend_from_slice(args);
    run_env(
        &all,
        &[
            ("TELNYX_API_KEY", "demo-key"),
            ("XDG_STATE_HOME", state.to_str().unwrap()),
        ],
        stdin,
    )
}

fn jobs_dir(state: &Path) -> PathBuf {
    state.join("telnyx-reputation").join("jobs")
}

/// The journal `associate` named on stderr.
fn named_journal(out: &Output) -> PathBuf {
    let err = stderr(out);
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("journal: "))
        .unwrap_or_else(|| panic!("no journal named: {err}"));
    PathBuf::from(line)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn a_job_of_many_batches_journals_by_default_under_xdg_state_home() {
    let server = mock_serve(&[]);
    let state = common::tempdir();
    let args = [
        "--output",
        "json",
        "associate",
        "--enterprise",
        ENTERPRISE,
        "-",
    ];
    let out = at(&server, state.path(), &args, Some(&numbers(0, 250)));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json(&out);
    let journal = named_journal(&out);
    let job_id = report["job_id"].as_str().unwrap();
    assert_eq!(
        journal,
        jobs_dir(state.path()).join(format!("{job_id}.journal"))
    );
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains(job_id) && text.contains("\"outcome\":\"completed\""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&journal).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A finished job is not listed, unless asked for.
    let listed = at(&server, state.path(), &["--output", "json", "jobs"], None);
    assert_eq!(listed.status.code(), Some(0));
    assert_eq!(json(&listed), serde_json::json!([]));
    let all = at(
        &server,
        state.path(),
        &["--output", "json", "jobs", "--all"],
        None,
    );
    let rows = json(&all);
    assert_eq!(rows[0]["job_id"], job_id);
    assert_eq!(rows[0]["state"], "completed");
    assert_eq!(rows[0]["associated"], 250);
}

#[test]
fn no_journal_and_a_single_batch_write_none() {
    let server = mock_serve(&[]);
    let state = common::tempdir();
    let many = at(
        &server,
        state.path(),
        &["associate", "--enterprise", ENTERPRISE, "--no-journal", "-"],
        Some(&numbers(0, 250)),
    );
    assert_eq!(many.status.code(), Some(0), "{}", stderr(&many));
    let one = at(
        &server,
        state.path(),
        &["associate", "--enterprise", ENTERPRISE, "-"],
        Some(&numbers(1_000, 100)),
    );
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert!(!stderr(&many).contains("journal:") && !stderr(&one).contains("journal:"));
    assert!(!jobs_dir(state.path()).exists());
    assert_eq!(monitored(&server), 350);
    let both = at(
        &server,
        state.path(),
        &[
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--no-journal",
            "--journal",
            "x",
            "-",
        ],
        Some(&numbers(0, 1)),
    );
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn an_outcome_unknown_names_the_journal_and_jobs_lists_the_job() {
    // Every request is throttled: the job makes no progress and gives up after a second.
    let server = mock_serve(&["--throttle-rate", "1"]);
    let state = common::tempdir();
    let out = at(
        &server,
        state.path(),
        &[
            "--stall-timeout",
            "1",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "-",
        ],
        Some(&numbers(0, 250)),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let journal = named_journal(&out);
    let path = journal.to_str().unwrap();
    assert!(
        err.contains(&format!("to finish it: telnyx-reputation resume {path}")),
        "{err}"
    );
    assert!(
        err.contains(&format!("to undo it:   telnyx-reputation rollback {path}")),
        "{err}"
    );
    assert!(!err.contains("run rollback again"), "{err}");

    let listed = at(&server, state.path(), &["--output", "json", "jobs"], None);
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    let rows = json(&listed);
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["state"], "unfinished");
    assert_eq!(rows[0]["enterprise_id"], ENTERPRISE);
    assert_eq!(rows[0]["numbers"], 250);
    assert_eq!(rows[0]["associated"], 0);
    assert_eq!(rows[0]["journal"], path);
    let csv = at(&server, state.path(), &["--output", "csv", "jobs"], None);
    let records = csv_rows(&stdout(&csv));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].last().unwrap(), path);
    let table = at(&server, state.path(), &["jobs"], None);
    assert!(stdout(&table).starts_with("JOB"), "{}", stdout(&table));
    assert!(stdout(&table).contains(path));

    // A journal that fails verification is listed as such, not skipped: it is a job to look at.
    let damaged = jobs_dir(state.path()).join("damaged.journal");
    std::fs::write(&damaged, "not a journal\n").unwrap();
    let listed = at(&server, state.path(), &["--output", "json", "jobs"], None);
    let rows = json(&listed);
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["journal"] == damaged.to_str().unwrap())
        .unwrap_or_else(|| panic!("{rows}"));
    assert_eq!(row["state"], "unreadable");
    assert!(row["error"].as_str().unwrap().contains("line 1"), "{row}");
}

#[test]
fn resume_and_rollback_of_a_finished_job_say_so_and_exit_0() {
    let server = mock_serve(&[]);
    let state = common::tempdir();
    let out = at(
        &server,
        state.path(),
        &["associate", "--enterprise", ENTERPRISE, "-"],
        Some(&numbers(0, 250)),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let journal = named_journal(&out);
    let path = journal.to_str().unwrap();

    let resumed = at(&server, state.path(), &["resume", path], None);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert!(
        stderr(&resumed).contains("had already finished (completed): nothing to do"),
        "{}",
        stderr(&resumed)
    );
    assert_eq!(monitored(&server), 250);

    let undone = at(&server, state.path(), &["rollback", path], None);
    assert_eq!(undone.status.code(), Some(0), "{}", stderr(&undone));
    assert_eq!(monitored(&server), 0);
    for command in ["rollback", "resume"] {
        let again = at(&server, state.path(), &[command, path], None);
        assert_eq!(
            again.status.code(),
            Some(0),
            "{command}: {}",
            stderr(&again)
        );
        assert!(
            stderr(&again).contains("had already finished (rolled_back): nothing to do"),
            "{command}: {}",
            stderr(&again)
        );
    }
    assert_eq!(monitored(&server), 0);
}
