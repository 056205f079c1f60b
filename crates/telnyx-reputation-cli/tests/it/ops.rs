//! The current edition's commands end to end against a `mock serve` process: `refresh` and
//! `remediation` (billable: the announced count, the per-number report and the emulator's
//! ledger agree, with faults too), `settings`, `loa`, `terms`, and `list`'s filters.

use crate::common;

use common::*;

/// The emulator's billing ledger.
fn ledger(server: &Server) -> serde_json::Value {
    admin(server, "GET", "/__mock/state", "")["billing"].clone()
}

fn faults(server: &Server, json: &str) {
    admin(server, "PUT", "/__mock/faults", json);
}

fn associate(server: &Server, inputs: &str) {
    let out = api(
        server,
        &["associate", "--enterprise", ENTERPRISE],
        Some(inputs),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The rows of a JSON report, by status.
fn rows(out: &std::process::Output) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&stdout(out))
        .unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
        .as_array()
        .unwrap()
        .clone()
}

fn count(rows: &[serde_json::Value], status: &str) -> u64 {
    rows.iter().filter(|r| r["status"] == status).count() as u64
}

#[test]
fn refresh_announces_its_checks_and_bills_exactly_the_numbers_it_reports_done_under_faults() {
    let server = mock_serve(&["--seed", "11"]);
    let inputs = numbers(0, 200);
    associate(&server, &inputs);
    faults(
        &server,
        r#"{"error_rate": 0.2, "commit_then_drop_rate": 0.2}"#,
    );
    let before = ledger(&server)["refresh"].as_u64().unwrap();
    let mut with_extra = inputs.clone();
    with_extra.push_str("+18688001234\n"); // Trinidad: not a US number
    let out = api(
        &server,
        &[
            "--output",
            "json",
            // A lost answer is waited out this long before it is looked up.
            "--timeout",
            "0.3",
            "refresh",
            "--enterprise",
            ENTERPRISE,
            "--batch-size",
            "10",
        ],
        Some(&with_extra),
    );
    faults(&server, "{}");
    let err = stderr(&out);
    assert!(err.contains("refresh: up to 200 billable checks"), "{err}");
    let rows = rows(&out);
    assert_eq!(count(&rows, "refused"), 1, "the non-US input");
    let done = count(&rows, "done");
    assert!(done > 150, "{done} done");
    let billed = ledger(&server)["refresh"].as_u64().unwrap() - before;
    assert_eq!(billed, done, "billed once per number reported done");
    // A refused input makes the exit 1 (or 3 when a number could not be settled).
    assert!(matches!(out.status.code(), Some(1 | 3)), "{err}");
}

#[test]
fn remediation_submit_reports_in_flight_numbers_and_csv_rows() {
    let server = mock_serve(&["--remediation-step-ms", "3600000"]);
    associate(&server, &numbers(0, 30));
    let submit = |inputs: &str| {
        api(
            &server,
            &[
                "--output",
                "csv",
                "remediation",
                "submit",
                "--enterprise",
                ENTERPRISE,
                "--call-purpose",
                "appointment reminders",
            ],
            Some(inputs),
        )
    };
    let first = submit(&numbers(0, 20));
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(stderr(&first).contains("up to 20 billable numbers"));
    let mut reader = csv::Reader::from_reader(first.stdout.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 20);
    assert!(records.iter().all(|r| &r[1] == "done" && !r[4].is_empty()));
    assert_eq!(ledger(&server)["remediation"], 20);

    // 10 in flight, 10 new: exit 1, each in-flight number reported, the new ones billed.
    let second = submit(&numbers(10, 20));
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let mut reader = csv::Reader::from_reader(second.stdout.as_slice());
    let statuses: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_owned()).collect();
    assert_eq!(statuses.iter().filter(|s| *s == "in_flight").count(), 10);
    assert_eq!(statuses.iter().filter(|s| *s == "done").count(), 10);
    assert_eq!(ledger(&server)["remediation"], 30);

    let list = api(
        &server,
        &[
            "--output",
            "json",
            "remediation",
            "list",
            "--enterprise",
            ENTERPRISE,
            "--status",
            "pending",
        ],
        None,
    );
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    let listed = rows(&list);
    assert_eq!(listed.len(), 2);
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let get = api(
        &server,
        &[
            "--output",
            "json",
            "remediation",
            "get",
            "--enterprise",
            ENTERPRISE,
            &id,
        ],
        None,
    );
    assert_eq!(get.status.code(), Some(0), "{}", stderr(&get));
    let request: serde_json::Value = serde_json::from_str(&stdout(&get)).unwrap();
    assert_eq!(request["id"], id.as_str());
    let bad = api(
        &server,
        &[
            "remediation",
            "list",
            "--enterprise",
            ENTERPRISE,
            "--status",
            "nope",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_lifecycle_from_terms_to_settings() {
    const NEW: &str = "0c4a2b8e-6a0d-4e59-9d8e-5a3e0b1f2c3d";
    let server = mock_serve(&["--new-enterprise", NEW, "--approve-after-ms", "3600000"]);
    let settings = |args: &[&str]| {
        let mut all = vec!["--output", "json", "settings"];
        all.extend_from_slice(args);
        api(&server, &all, None)
    };
    let enable = ["enable", "--enterprise", NEW, "--loa-document-id", "doc-1"];
    // Not agreed yet: refused (403), exit 1, nothing billed.
    let refused = settings(&enable);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert_eq!(ledger(&server)["enable"], 0);

    let terms = api(&server, &["--output", "csv", "terms", "agree"], None);
    assert_eq!(terms.status.code(), Some(0), "{}", stderr(&terms));
    assert!(stdout(&terms).starts_with("id,terms_version,agreed_at\n"));

    let dir = common::tempdir();
    let pdf = dir.path().join("loa.pdf");
    let render = api(
        &server,
        &[
            "loa",
            "render",
            "--enterprise",
            NEW,
            "-o",
            pdf.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(render.status.code(), Some(0), "{}", stderr(&render));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        String::from_utf8_lossy(&bytes)
            .trim_end()
            .ends_with("%%EOF")
    );

    let enabled = settings(&enable);
    assert_eq!(enabled.status.code(), Some(0), "{}", stderr(&enabled));
    assert!(stderr(&enabled).contains("1 billable event"));
    assert_eq!(ledger(&server)["enable"], 1);
    let shown: serde_json::Value = serde_json::from_str(&stdout(&enabled)).unwrap();
    assert_eq!(shown["status"], "pending");

    let get = settings(&["get", "--enterprise", NEW]);
    assert_eq!(get.status.code(), Some(0));
    let shown: serde_json::Value = serde_json::from_str(&stdout(&get)).unwrap();
    assert_eq!(shown["loa_document_id"], "doc-1");
    // Pending: a frequency change is refused (400), exit 1.
    let frequency = settings(&["frequency", "--enterprise", NEW, "weekly"]);
    assert_eq!(frequency.status.code(), Some(1), "{}", stderr(&frequency));
    let bad = settings(&["frequency", "--enterprise", NEW, "hourly"]);
    assert_eq!(bad.status.code(), Some(2));

    let replaced = api(
        &server,
        &[
            "--output",
            "table",
            "loa",
            "replace",
            "--enterprise",
            NEW,
            "--loa-document-id",
            "doc-2",
        ],
        None,
    );
    assert_eq!(replaced.status.code(), Some(0), "{}", stderr(&replaced));
    assert!(stdout(&replaced).contains("doc-2"));

    let disabled = settings(&["disable", "--enterprise", NEW]);
    assert_eq!(disabled.status.code(), Some(0), "{}", stderr(&disabled));
    // Enabling again after the first enable: still one billed event only.
    assert_eq!(ledger(&server)["enable"], 1);
}

#[test]
fn list_filters_on_digits_and_takes_pages_of_up_to_250() {
    let server = mock_serve(&[]);
    associate(&server, &numbers(0, 12));
    let list = |args: &[&str]| {
        let mut all = vec!["--output", "json", "list", "--enterprise", ENTERPRISE];
        all.extend_from_slice(args);
        api(&server, &all, None)
    };
    let contains = list(&["--contains", "555001", "--page-size", "1"]);
    assert_eq!(contains.status.code(), Some(0), "{}", stderr(&contains));
    let found: Vec<String> = rows(&contains)
        .iter()
        .map(|r| r["phone_number"].as_str().unwrap().to_owned())
        .collect();
    // 5550010 and 5550011, each on a page of its own.
    assert_eq!(found, ["+16035550010", "+16035550011"]);
    let fresh = api(
        &server,
        &["get", "--enterprise", ENTERPRISE, "--fresh", "+16035550003"],
        None,
    );
    assert_eq!(fresh.status.code(), Some(0), "{}", stderr(&fresh));
    assert!(stderr(&fresh).contains("1 billable check"));
    assert_eq!(ledger(&server)["fresh_read"], 1);
    let small = list(&["--page-size", "5"]);
    assert_eq!(rows(&small).len(), 12);
    assert_eq!(list(&["--contains", "1234"]).status.code(), Some(2));
    assert_eq!(list(&["--page-size", "251"]).status.code(), Some(2));
}

#[test]
fn a_refresh_journals_by_default_jobs_lists_it_as_a_refresh_and_rollback_refuses_to_undo_it() {
    let server = mock_serve(&[]);
    let inputs = numbers(0, 30);
    associate(&server, &inputs);
    let state = common::tempdir();
    let home = state.path().to_str().unwrap();
    let env = [("TELNYX_API_KEY", "demo-key"), ("XDG_STATE_HOME", home)];
    let base = ["--base-url", server.base_url.as_str()];
    let with = |args: &[&str]| -> Vec<String> {
        base.iter().chain(args).map(|s| (*s).to_owned()).collect()
    };
    let refresh = with(&["refresh", "--enterprise", ENTERPRISE, "--batch-size", "10"]);
    let refresh: Vec<&str> = refresh.iter().map(String::as_str).collect();
    let out = run_env(&refresh, &env, Some(&inputs));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let journal = stderr(&out)
        .lines()
        .find_map(|l| l.strip_prefix("journal: ").map(str::to_owned))
        .expect("the journal is named");
    assert!(journal.starts_with(home), "{journal}");
    let jobs = with(&["--output", "json", "jobs", "--all"]);
    let jobs: Vec<&str> = jobs.iter().map(String::as_str).collect();
    let listed = run_env(&jobs, &env, None);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(rows[0]["kind"], "refresh", "{rows}");
    assert_eq!(rows[0]["state"], "completed", "{rows}");
    assert_eq!(rows[0]["associated"], 30, "{rows}");
    let rollback = with(&["rollback", &journal]);
    let rollback: Vec<&str> = rollback.iter().map(String::as_str).collect();
    let refused = run_env(&rollback, &env, None);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("cannot be undone"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        ledger(&server)["refresh"],
        30,
        "billed once, and nothing undone"
    );
}
