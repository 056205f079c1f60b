//! The guards of `sync --prune`, end to end: an empty inventory is refused unless
//! `--allow-empty`, a prune needs `--yes` without a terminal, a prune larger than `--max-prune`
//! (by default a tenth of the enterprise, at least one number) is refused naming the count, the
//! limit and the flag, and a resumed sync reads the enterprise again before it prunes, so that
//! a number associated again since the plan stays.

use crate::common;

use common::*;

/// An emulator with the numbers `0..held` on the demo enterprise, and FILE (`inventory.txt`) of
/// the numbers `0..keep` in a scratch directory, removed when dropped: the emulator, the
/// directory and FILE's path.
fn with_inventory(held: u32, keep: u32) -> (Server, tempfile::TempDir, String) {
    let server = mock_serve(&[]);
    seed_numbers(&server, 0, held);
    let dir = common::tempdir();
    let path = common::file(&dir, "inventory.txt", numbers(0, keep).as_bytes());
    (server, dir, path)
}

#[test]
fn an_empty_inventory_is_refused_unless_allowed() {
    let server = mock_serve(&[]);
    seed_numbers(&server, 0, 3);
    let dir = common::tempdir();
    let empty = common::file(&dir, "empty.txt", b"");
    let header = common::file(&dir, "header.csv", b"name,phone\n");
    let blank = common::file(&dir, "blank.csv", b"name,phone\na,\nb,  \n");
    let before = requests(&server);
    let column: &[&str] = &["--column", "phone"];
    let cases: [(&str, &[&str], &str, Option<&str>); 4] = [
        ("an empty file", &[], &empty, None),
        ("stdin with no input", &[], "-", Some("")),
        ("a header alone", column, &header, None),
        ("blank cells", column, &blank, None),
    ];
    for (what, flags, file, stdin) in cases {
        let args = [&sync_prune(file, "100%")[..], flags].concat();
        let out = api(&server, &args, stdin);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("holds no number") && err.contains("--allow-empty"),
            "{what}: {err}"
        );
    }
    assert_eq!(
        requests(&server),
        before,
        "nothing was sent, not even a list"
    );
    assert_eq!(held(&server, ENTERPRISE).len(), 3);

    let allowed = [
        &sync_prune(&empty, "100%")[..],
        &["--allow-empty", "--no-journal"],
    ]
    .concat();
    let out = api(&server, &allowed, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(held(&server, ENTERPRISE).is_empty(), "asked for, and done");
}

#[test]
fn a_prune_without_a_terminal_needs_yes_and_sends_nothing_without_it() {
    let (server, _dir, path) = with_inventory(3, 2);
    let before = requests(&server);
    let out = api(
        &server,
        &["sync", "--enterprise", ENTERPRISE, "--prune", &path],
        None,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--yes") && err.contains("nothing was sent"),
        "{err}"
    );
    assert_eq!(requests(&server), before);
    assert_eq!(held(&server, ENTERPRISE).len(), 3);
}

/// Runs `sync --prune --yes` of the demo enterprise to `file` against `server`, without a journal
/// and with `extra` flags (the default limit of a prune unless they give one).
fn prune_without_journal(server: &Server, file: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sync", "--enterprise", ENTERPRISE, "--prune", "--yes"];
    args.extend(["--no-journal", file]);
    args.extend_from_slice(extra);
    api(server, &args, None)
}

#[test]
fn a_prune_over_the_limit_is_refused_naming_the_count_the_limit_and_the_flag() {
    // 17 of the 20 are kept: 3 extras, over the default limit of 10 % of 20.
    let (server, dir, path) = with_inventory(20, 17);
    let sync = |extra: &[&str]| prune_without_journal(&server, &path, extra);
    for (flags, limit) in [
        (
            &[][..],
            "more than 2 (the default --max-prune, 10% of the 20",
        ),
        (&["--max-prune", "2"][..], "more than 2 (--max-prune 2)"),
        (&["--max-prune", "14%"][..], "more than 2 (--max-prune 14%)"),
    ] {
        let out = sync(flags);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(
            err.contains("would disassociate 3 numbers") && err.contains(limit),
            "{flags:?}: {err}"
        );
        assert!(err.contains("--max-prune 3"), "{err}");
        assert_eq!(held(&server, ENTERPRISE).len(), 20, "nothing disassociated");
    }
    let out = sync(&["--max-prune", "15%"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(held(&server, ENTERPRISE).len(), 17);

    // At least one: an enterprise of 5 may lose one number by default.
    let small = mock_serve(&[]);
    seed_numbers(&small, 0, 5);
    let path = common::file(&dir, "four.txt", numbers(0, 4).as_bytes());
    let out = prune_without_journal(&small, &path, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(held(&small, ENTERPRISE).len(), 4);

    // Bad limits are refused by name.
    for bad in ["1e3", "101%", "ten", "5.5%"] {
        let out = sync(&["--max-prune", bad]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("--max-prune") && err.contains("not a limit"),
            "{err}"
        );
    }
}

#[test]
fn a_resumed_sync_keeps_a_number_associated_again_since_the_plan() {
    // Answers 20 ms after arrival, one batch at a time: the sync is still associating when the
    // signal comes, and has not pruned. Keep 0..4, associate 100..140, prune 4..10.
    let (server, _dir, wanted, path, journal) = slow_sync(10, 4, 40);
    let journal_arg = journal.to_str().unwrap();
    let args = [
        &["--base-url", server.base_url.as_str()][..],
        &sync_prune(&path, "100%"),
        &[
            "--batch-size",
            "2",
            "--concurrency",
            "1",
            "--journal",
            journal_arg,
        ],
    ]
    .concat();
    let child = spawn(&args, &[("TELNYX_API_KEY", "demo-key")], "");
    let committed = "\"event\":\"committed\"";
    let out = interrupt_at_journal(child, &journal, "an association", committed);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        !std::fs::read_to_string(&journal)
            .unwrap()
            .contains("\"event\":\"pruned\""),
        "stopped before the prune"
    );

    // Since the plan, someone removed an extra and associated it again (an hour on, by the
    // emulator's clock), and removed another for good.
    let again = numbers(5, 1).trim().to_owned();
    let gone = numbers(6, 1).trim().to_owned();
    for number in [&again, &gone] {
        let out = api(
            &server,
            &["disassociate", "--enterprise", ENTERPRISE, number],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    admin(
        &server,
        "POST",
        "/__mock/clock",
        r#"{"advance_ms": 3600000}"#,
    );
    seed_numbers(&server, 5, 1);

    let resumed = api(&server, &["resume", journal_arg], None);
    let err = stderr(&resumed);
    assert_eq!(resumed.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "1 extra(s) kept: associated again since the sync was planned: {again}"
        )),
        "{err}"
    );
    let mut want = number_set(&wanted);
    want.insert(again.clone());
    assert_eq!(held(&server, ENTERPRISE), want);
    // The journal records the one gone for good as off the enterprise, and the kept one not.
    let text = std::fs::read_to_string(&journal).unwrap();
    let pruned: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "pruned")
        .flat_map(|v| v["numbers"].as_array().cloned().unwrap_or_default())
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    assert!(
        pruned.contains(&gone) && !pruned.contains(&again),
        "{pruned:?}"
    );
    assert_eq!(pruned.len(), 5, "{pruned:?}");
    assert!(text.contains("\"event\":\"prune_finished\""), "{text}");
}

/// Runs the command `args` against `server` on a terminal of its own (`script` gives it a
/// pseudo-terminal), typing `typed` into it; its exit code and what the terminal showed.
fn on_a_terminal(server: &Server, args: &[&str], typed: &str) -> (Option<i32>, String) {
    let quoted: Vec<String> = [BIN, "--base-url", server.base_url.as_str()]
        .iter()
        .chain(args)
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let mut child = std::process::Command::new("script")
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env("TELNYX_API_KEY", "demo-key")
        .env("XDG_STATE_HOME", STATE_HOME)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs the command on a terminal");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(typed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn on_a_terminal_a_prune_asks_first_and_a_no_sends_nothing() {
    let (server, _dir, path) = with_inventory(10, 9);
    let args = [
        "sync",
        "--enterprise",
        ENTERPRISE,
        "--prune",
        "--no-journal",
        path.as_str(),
    ];
    let (code, shown) = on_a_terminal(&server, &args, "n\n");
    assert_eq!(code, Some(2), "{shown}");
    assert!(
        shown.contains(&format!(
            "disassociate 1 number(s) from enterprise {ENTERPRISE}"
        )),
        "{shown}"
    );
    assert!(shown.contains("not confirmed; nothing was sent"), "{shown}");
    assert_eq!(held(&server, ENTERPRISE).len(), 10);

    let (code, shown) = on_a_terminal(&server, &args, "y\n");
    assert_eq!(code, Some(0), "{shown}");
    assert_eq!(held(&server, ENTERPRISE).len(), 9);
}
