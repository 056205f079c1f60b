//! `sync` end to end against `mock serve --populate`: the plan printed before anything is
//! sent, `--dry-run` sending nothing, `--prune` converging, and a second sync with nothing to do.

mod common;

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
    let dir = tempfile::tempdir().unwrap();
    let path = common::file(&dir, "inventory.txt", file.as_bytes());
    let journal = dir.path().join("sync.journal");
    let journal = journal.to_str().unwrap();

    let base = [
        "--output",
        "json",
        "sync",
        "--enterprise",
        ENTERPRISE,
        &path,
        "--prune",
    ];
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
