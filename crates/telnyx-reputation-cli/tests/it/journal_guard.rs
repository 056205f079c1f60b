//! The journal's guards, end to end: one process at a time runs a job (another `resume` or
//! `rollback` is refused at once, naming the running one, and `jobs` shows it running), a
//! journal is only continued against the endpoint and key it was written for, and a journal
//! that cannot be written stops the job with exit 3 and what to run next.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

use common::*;

/// The one journal in `state`'s default directory, once there is one.
fn default_journal(state: &Path) -> Option<PathBuf> {
    std::fs::read_dir(state.join("telnyx-reputation").join("jobs"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "journal"))
}

#[test]
fn a_running_job_is_neither_resumed_nor_rolled_back_by_another_process() {
    let server = mock_serve(&["--latency-ms", "150"]);
    let state = common::tempdir();
    let home = state.path().to_str().unwrap();
    let env = [("TELNYX_API_KEY", "demo-key"), ("XDG_STATE_HOME", home)];
    // 20 batches, one at a time, each answered after 150 ms: a job that runs for a while.
    let args = with_url_ref(&server, &associate_by_tens(&["-"]));
    let child = spawn(&args, &env, &numbers(0, 200));
    let pid = child.id();
    let mut journal = None;
    wait_until("the job's first request", || {
        journal = default_journal(state.path());
        journal
            .as_deref()
            .is_some_and(|j| journal_has(j, "\"event\":\"attempt\""))
    });
    let journal = journal.unwrap();
    let path = journal.to_str().unwrap();

    let jobs = run_env(&["--output", "json", "jobs"], &env, None);
    assert_eq!(jobs.status.code(), Some(0), "{}", stderr(&jobs));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&jobs)).unwrap();
    assert_eq!(rows[0]["state"], format!("running (pid {pid})"), "{rows}");
    assert_eq!(rows[0]["pid"], pid);

    for command in ["resume", "rollback"] {
        let out = run_env(&with_url_ref(&server, &[command, path]), &env, None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains(&format!("in use by process {pid}")), "{err}");
        assert!(
            err.contains(path) && err.contains("nothing was sent"),
            "{err}"
        );
    }

    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Every request was the job's own: 20 batches, each number billed once.
    assert_eq!(requests(&server), 20);
    assert_eq!(billed(&server), 200);
    assert_eq!(held(&server, ENTERPRISE).len(), 200);
    let jobs = run_env(&["--output", "json", "jobs", "--all"], &env, None);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&jobs)).unwrap();
    assert_eq!(rows[0]["state"], "completed", "{rows}");
    assert!(!journal::pid_file_exists(&journal));
}

/// `--base-url URL` of `server` before `args`.
fn with_url_ref<'a>(server: &'a Server, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--base-url", server.base_url.as_str()];
    all.extend_from_slice(args);
    all
}

mod journal {
    /// Whether the pid sidecar of `journal` is still there.
    pub fn pid_file_exists(journal: &std::path::Path) -> bool {
        let mut name = journal.as_os_str().to_owned();
        name.push(".pid");
        std::path::Path::new(&name).exists()
    }
}

#[test]
fn a_journal_is_continued_only_with_the_endpoint_and_key_it_was_written_for() {
    let first = mock_serve(&[]);
    let second = mock_serve(&[]);
    let (_dir, journal) = scratch_journal("job.journal");
    let path = journal.to_str().unwrap();
    let key = [("TELNYX_API_KEY", "demo-key")];
    let out = run_env(
        &with_url_ref(
            &first,
            &[
                "associate",
                "--enterprise",
                ENTERPRISE,
                "--batch-size",
                "2",
                "--journal",
                path,
                "-",
            ],
        ),
        &key,
        Some(&numbers(0, 4)),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let served = requests(&first);

    // Another endpoint: refused, naming both, before anything is sent to either.
    for command in ["resume", "rollback"] {
        let out = run_env(&with_url_ref(&second, &[command, path]), &key, None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&first.base_url) && err.contains(&second.base_url),
            "{err}"
        );
    }
    assert_eq!(requests(&second), 0);

    // Another key on the same endpoint: refused, naming the two fingerprints, never a key.
    let out = run_env(
        &with_url_ref(&first, &["rollback", path]),
        &[("TELNYX_API_KEY", "another-secret-key")],
        None,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("SHA-256"), "{err}");
    assert!(
        !err.contains("another-secret-key") && !err.contains("demo-key"),
        "{err}"
    );
    assert!(
        !std::fs::read_to_string(&journal)
            .unwrap()
            .contains("demo-key"),
        "the journal holds a fingerprint, not the key"
    );
    assert_eq!(requests(&first), served);
    assert_eq!(held(&first, ENTERPRISE).len(), 4, "nothing was rolled back");

    // The same endpoint and key: the rollback runs.
    let out = run_env(&with_url_ref(&first, &["rollback", path]), &key, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(held(&first, ENTERPRISE).is_empty());
}

#[test]
fn a_journal_that_cannot_be_written_stops_the_job_with_exit_3_and_resume_finishes_it() {
    let server = mock_serve(&[]);
    let (dir, journal) = scratch_journal("job.journal");
    let path = journal.to_str().unwrap();
    // Files of this process may not grow past 16 KiB (the shell's blocks are 512 bytes), and a
    // write past it fails (EFBIG) instead of killing the process: a full disk, in effect. The
    // plan of 50 batches fits; the journal of the whole job does not.
    let limit = "32";
    let out = Command::new("sh")
        .args([
            "-c",
            &format!("ulimit -f {limit}; trap '' XFSZ; exec \"$0\" \"$@\""),
            BIN,
            "--base-url",
            &server.base_url,
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--batch-size",
            "10",
            "--concurrency",
            "4",
            "--journal",
            path,
        ])
        .arg(common::file(
            &dir,
            "numbers.txt",
            numbers(0, 500).as_bytes(),
        ))
        .env("TELNYX_API_KEY", "demo-key")
        .env("XDG_STATE_HOME", STATE_HOME)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(path) && err.contains("a write failed"),
        "{err}"
    );
    assert_names_resume_and_rollback(&err, path);
    let size = std::fs::metadata(&journal).unwrap().len();
    assert_eq!(size, 32 * 512, "the journal stopped at the limit");
    let done = held(&server, ENTERPRISE).len();
    assert!(done > 0 && done < 500, "stopped mid-way: {done}");

    // The batches in doubt when the write failed are looked up once the timeout of an attempt
    // has passed (twice): a short one, as the default 30 s is no part of the test.
    let out = run_env(
        &with_url_ref(&server, &["--timeout", "1", "resume", path]),
        &[("TELNYX_API_KEY", "demo-key")],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(held(&server, ENTERPRISE).len(), 500);
    assert_eq!(billed(&server), 500, "each number billed once");
}
