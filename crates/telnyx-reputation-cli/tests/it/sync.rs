//! `sync` end to end against `mock serve`: the plan printed before anything is sent,
//! `--dry-run` sending nothing, `--prune` converging, and a second sync with nothing to do; FILE
//! read as `associate` reads it (a CSV column behind a header, a bad line stopping everything);
//! the journal by default and `jobs` listing it; a prune stopped by Ctrl-C finished by `resume`,
//! and `rollback` undoing the associations alone; a number Telnyx removed held back (listed, not
//! billed) until `--readd-removed`, one the customer removed associated as before; a sync
//! right behind another run, whose lagging read plans that run's numbers again, finding them
//! done. (SIGKILL at seeded points: `sync_kill.rs`.)

use crate::common;

use common::*;
use serde_json::Value;

fn plan(out: &std::process::Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).unwrap()
}

fn count(plan: &Value, key: &str) -> usize {
    plan[key].as_array().unwrap().len()
}

#[test]
fn sync_plans_then_converges_and_a_second_sync_has_nothing_to_do() {
    let server = mock_serve(&["--populate", "50", "--seed", "2"]);
    let report = api(&server, &["--output", "json", "report"], None);
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    let rows: Vec<Value> = serde_json::from_str(&stdout(&report)).unwrap();
    assert_eq!(rows.len(), 50);
    let mut file = String::from("# inventory\n");
    for row in &rows[..30] {
        file.push_str(row["phone_number"].as_str().unwrap());
        file.push('\n');
    }
    file.push_str(&numbers(0, 10));
    let dir = common::tempdir();
    let path = common::file(&dir, "inventory.txt", file.as_bytes());
    let journal = dir.path().join("sync.journal");
    let journal = journal.to_str().unwrap();

    // The 20 extras are 40 % of the enterprise: exactly the limit given.
    let base = [&["--output", "json"][..], &sync_prune(&path, "20")].concat();
    let dry: Vec<&str> = base.iter().copied().chain(["--dry-run"]).collect();
    let first = plan(&api(&server, &dry, None));
    assert_eq!(count(&first, "associate"), 10);
    assert_eq!(count(&first, "extra"), 20);
    assert_eq!(first["unchanged"], 30);
    assert_eq!(monitored(&server), 50, "a dry run sends nothing");

    let apply: Vec<&str> = base.iter().copied().chain(["--journal", journal]).collect();
    let applied = plan(&api(&server, &apply, None));
    assert_eq!(applied, first, "the plan printed is the one applied");
    assert_eq!(monitored(&server), 40);

    let again = plan(&api(&server, &dry, None));
    assert_eq!(count(&again, "associate"), 0);
    assert_eq!(count(&again, "extra"), 0);
    assert_eq!(again["unchanged"], 40);

    // A bad line stops everything before anything is sent.
    let bad = common::file(&dir, "bad.txt", b"+16035550001\nnot a number\n");
    let out = api(&server, &["sync", "--enterprise", ENTERPRISE, &bad], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(monitored(&server), 40);
}

#[test]
fn a_csv_inventory_is_read_by_its_column_behind_a_header_as_associate_reads_it() {
    let server = mock_serve(&[]);
    seed_numbers(&server, 0, 5);
    let dir = common::tempdir();
    let csv = "\u{feff}Name,Phone Number,Notes\n\
               a,+16035550001,x\n\
               b,\"(603) 555-0002\",\"y, z\"\n\
               c,,blank\n\
               d,tel:+1-603-555-0010;ext=2,w\n\
               e,+16035550001,again\n";
    let path = common::file(&dir, "inventory.csv", csv.as_bytes());
    let sync = |extra: &[&str]| {
        let mut args = vec![
            "--output",
            "json",
            "sync",
            "--enterprise",
            ENTERPRISE,
            "--column",
            "phone number",
            &path,
            "--prune",
            "--yes",
            "--max-prune",
            "3",
            "--no-journal",
        ];
        args.extend_from_slice(extra);
        api(&server, &args, None)
    };
    let dry = sync(&["--dry-run"]);
    let first = plan(&dry);
    assert_eq!(first["associate"], serde_json::json!(["+16035550010"]));
    assert_eq!(
        first["extra"],
        serde_json::json!(["+16035550000", "+16035550003", "+16035550004"])
    );
    assert_eq!(first["unchanged"], 2);
    assert!(
        stderr(&dry)
            .contains("1 duplicate(s) dropped: line 6 (+16035550001) is the same number as line 2"),
        "{}",
        stderr(&dry)
    );
    let applied = sync(&[]);
    assert_eq!(plan(&applied), first);
    assert_eq!(
        held(&server, ENTERPRISE),
        number_set("+16035550001\n+16035550002\n+16035550010")
    );
}

#[test]
fn a_bad_line_names_its_line_and_rule_and_nothing_is_sent() {
    let server = mock_serve(&[]);
    seed_numbers(&server, 0, 3);
    let before = (held(&server, ENTERPRISE), billed(&server));
    let requests = admin(&server, "GET", "/__mock/stats", "")["requests"].clone();
    let dir = common::tempdir();
    let text = "phone_number\n# kept\n+16035550001\n\n+1603555\n+16035550100\n+99 not\n";
    let path = common::file(&dir, "bad.txt", text.as_bytes());
    let out = api(
        &server,
        &["sync", "--enterprise", ENTERPRISE, &path, "--prune"],
        None,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("2 bad line(s)"), "{err}");
    assert!(err.contains("nothing sent"), "{err}");
    assert!(err.contains("line 5: \"+1603555\""), "{err}");
    assert!(err.contains("line 7: \"+99 not\""), "{err}");
    assert!(stdout(&out).is_empty(), "no plan: {}", stdout(&out));
    assert_eq!((held(&server, ENTERPRISE), billed(&server)), before);
    assert_eq!(
        admin(&server, "GET", "/__mock/stats", "")["requests"],
        requests,
        "not even a list request"
    );
}

#[test]
fn an_interrupted_prune_is_finished_by_resume_and_rollback_undoes_only_the_associations() {
    // Answers 20 ms after arrival, one at a time: the prune is mid-way when the signal comes.
    // Keep 0..10, associate 100..110, prune 10..40.
    let (server, _dir, wanted, path, journal) = slow_sync(40, 10, 10);
    let journal_arg = journal.to_str().unwrap();
    let billed_before = billed(&server);
    let args = [
        &["--base-url", server.base_url.as_str(), "--output", "json"][..],
        &sync_prune(&path, "75%"),
        &["--concurrency", "1", "--journal", journal_arg],
    ]
    .concat();
    let child = spawn(&args, &[("TELNYX_API_KEY", "demo-key")], "");
    let out = interrupt_at_journal(child, &journal, "a pruned line", "\"event\":\"pruned\"");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_names_resume_and_rollback(&err, journal_arg);
    let now = held(&server, ENTERPRISE);
    assert!(
        now.len() > 20 && now.len() < 50,
        "stopped mid-prune: {}",
        now.len()
    );

    let resumed = api(&server, &["resume", journal_arg], None);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    assert!(stderr(&resumed).contains("extra(s) disassociated by this run"));
    assert_eq!(held(&server, ENTERPRISE), number_set(&wanted));
    assert_eq!(
        billed(&server) - billed_before,
        10,
        "one check per association"
    );
    let again = api(&server, &["resume", journal_arg], None);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("had already finished"),
        "{}",
        stderr(&again)
    );

    let undone = api(&server, &["rollback", journal_arg], None);
    assert_eq!(undone.status.code(), Some(0), "{}", stderr(&undone));
    // The associations are undone; the pruned numbers are not associated again.
    assert_eq!(held(&server, ENTERPRISE), number_set(&numbers(0, 10)));
    assert_eq!(billed(&server) - billed_before, 10);
}

#[test]
fn a_sync_writes_a_default_journal_that_jobs_lists_as_a_sync() {
    let server = mock_serve(&[]);
    seed_numbers(&server, 0, 4);
    let state = common::tempdir();
    let dir = common::tempdir();
    let path = common::file(&dir, "inventory.txt", numbers(2, 4).as_bytes());
    let env = [
        ("XDG_STATE_HOME", state.path().to_str().unwrap()),
        ("TELNYX_API_KEY", "demo-key"),
    ];
    let args = [
        &["--base-url", &server.base_url][..],
        &sync_prune(&path, "50%"),
    ]
    .concat();
    let out = run_env(&args, &env, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("journal: "), "{}", stderr(&out));
    let jobs = run_env(&["--output", "json", "jobs", "--all"], &env, None);
    let rows: Value = serde_json::from_str(&stdout(&jobs)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["kind"], "sync");
    assert_eq!(rows[0]["state"], "completed");
    assert_eq!(rows[0]["associated"], 2);
    assert_eq!(rows[0]["to_prune"], 2);
    assert_eq!(rows[0]["pruned"], 2);
    let open = run_env(&["--output", "json", "jobs"], &env, None);
    assert_eq!(stdout(&open).trim(), "[]", "nothing left to do");
}

#[test]
fn a_number_telnyx_removed_is_held_back_until_readd_removed_and_a_customer_removal_is_not() {
    let server = mock_serve(&[]);
    seed_numbers(&server, 0, 5);
    // Telnyx removes +16035550002 (reported disconnected: reassigned); the customer removes
    // +16035550003 themselves.
    let answer = ownership_event(&server, "+16035550002", "disconnected");
    assert_eq!(answer["data"]["removal_reason"], "reassigned", "{answer}");
    let out = api(&server, &["disassociate", "+16035550003"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = common::tempdir();
    let inventory = format!("{}+18005550100\n", numbers(0, 5));
    let path = common::file(&dir, "inventory.txt", inventory.as_bytes());
    let sync = |extra: &[&str]| {
        let mut args = vec!["sync", "--enterprise", ENTERPRISE, &path, "--no-journal"];
        args.extend_from_slice(extra);
        api(&server, &args, None)
    };
    let billed_before = billed(&server);

    let dry = sync(&["--dry-run"]);
    let text = stdout(&dry);
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    for said in [
        "removed by Telnyx",
        "1 (not associated again: --readd-removed associates them, billed)",
        "+16035550002 (reassigned, 20",
        "2 (1 removed by Telnyx not billed: not associated without --readd-removed)",
        "toll-free",
        "1 (accepted from your Telnyx inventory only): +18005550100",
    ] {
        assert!(text.contains(said), "{said:?} in\n{text}");
    }
    let mut json_args = vec!["--output", "json"];
    json_args.extend(["sync", "--enterprise", ENTERPRISE, &path, "--dry-run"]);
    let first = plan(&api(&server, &json_args, None));
    assert_eq!(
        first["associate"],
        serde_json::json!(["+16035550003", "+18005550100"])
    );
    assert_eq!(
        first["removed_by_telnyx"][0]["phone_number"],
        "+16035550002"
    );
    assert_eq!(
        first["removed_by_telnyx"][0]["removal_reason"],
        "reassigned"
    );
    assert_eq!(first["readd_removed"], false);
    assert_eq!(first["billable_checks"], 2);
    assert_eq!(
        first["notes"][0]["note"],
        "accepted from your Telnyx inventory only"
    );
    assert_eq!(billed(&server), billed_before, "a dry run bills nothing");

    let applied = sync(&[]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(
        stderr(&applied).contains("1 number(s) removed by Telnyx not associated again"),
        "{}",
        stderr(&applied)
    );
    assert_eq!(billed(&server) - billed_before, 2, "not the removed number");
    let mut wanted = number_set(&inventory);
    wanted.remove("+16035550002");
    assert_eq!(held(&server, ENTERPRISE), wanted);

    let readd = sync(&["--readd-removed"]);
    assert_eq!(readd.status.code(), Some(0), "{}", stderr(&readd));
    assert!(
        stdout(&readd).contains("1 (associated again: --readd-removed; billed)"),
        "{}",
        stdout(&readd)
    );
    assert_eq!(
        billed(&server) - billed_before,
        3,
        "re-added: one more check"
    );
    assert_eq!(held(&server, ENTERPRISE), number_set(&inventory));
}

#[test]
fn a_sync_right_behind_another_run_finds_done_what_its_lagging_read_planned_again() {
    // Reads show writes 1.5 s late. Another run has just associated the last ten numbers of
    // FILE, so the sync's list does not show them and its plan asks for them again. The sync
    // associates its first batch; the server refuses the second as already associated, and
    // the lookup right after the refusal does not show those numbers either; the one a request
    // timeout (2 s) later does. The sync counts them as done: it does not roll back the ten it
    // associated, billed.
    let server = mock_serve(&[]);
    admin(&server, "PUT", "/__mock/faults", r#"{"list_lag_ms": 1500}"#);
    seed_numbers(&server, 10, 10);
    let dir = common::tempdir();
    let path = common::file(&dir, "inventory.txt", numbers(0, 20).as_bytes());
    let out = api(
        &server,
        &[
            "--output",
            "json",
            "--timeout",
            "2",
            "sync",
            "--enterprise",
            ENTERPRISE,
            &path,
            "--batch-size",
            "10",
            "--concurrency",
            "1",
            "--no-journal",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(held(&server, ENTERPRISE), number_set(&numbers(0, 20)));
    assert_eq!(billed(&server), 20, "each number billed once, none undone");
}
