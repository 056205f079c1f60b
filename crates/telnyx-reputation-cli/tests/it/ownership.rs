//! The October 2026 commands end to end against a `mock serve` process: `verification
//! submit|get`, `list --source/--ownership-status` and its two new columns, `ownership get`,
//! `ownership confirm|give-up` in bulk (one row per input, faults on), `settings webhook`, and
//! `webhooks listen` receiving the emulator's real signed deliveries and refusing forged and
//! stale ones.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;

/// Numbers under this prefix are hosted elsewhere on the emulators of these tests.
const EXTERNAL: &str = "+1312555";

fn external_server() -> Server {
    mock_serve(&["--external", EXTERNAL, "--seed", "5"])
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// Runs `verification submit` of the demo enterprise with the one `document`.
fn submit_proof(server: &Server, document: &str) -> std::process::Output {
    let submit = ["verification", "submit", "--enterprise", ENTERPRISE];
    api(
        server,
        &[&submit[..], &["--document", document]].concat(),
        None,
    )
}

/// Submits a proof and moves the emulator's clock past its review: external numbers can then
/// be associated.
fn approve_proof(server: &Server) {
    ok(&submit_proof(server, "inv-1"));
    admin(server, "POST", "/__mock/clock", r#"{"advance_ms": 2000}"#);
}

fn associate(server: &Server, numbers: &[&str]) {
    let mut args = vec!["associate", "--enterprise", ENTERPRISE];
    args.extend_from_slice(numbers);
    ok(&api(server, &args, None));
}

/// The rows of a JSON report, as (input, status, ownership_status).
fn rows(out: &std::process::Output) -> Vec<(String, String, String)> {
    json(out)
        .as_array()
        .expect("an array of rows")
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (text("input"), text("status"), text("ownership_status"))
        })
        .collect()
}

fn row(input: &str, status: &str, ownership: &str) -> (String, String, String) {
    (input.to_owned(), status.to_owned(), ownership.to_owned())
}

/// The numbers `list` shows with `filter` flags, from its JSON rows.
fn listed(server: &Server, filter: &[&str]) -> Vec<String> {
    let mut args = vec!["--output", "json", "list", "--enterprise", ENTERPRISE];
    args.extend_from_slice(filter);
    let out = api(server, &args, None);
    ok(&out);
    json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["phone_number"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn verification_get_is_refused_before_a_submission_then_follows_the_review() {
    let server = external_server();
    let out = api(
        &server,
        &["verification", "get", "--enterprise", ENTERPRISE],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no ownership proof has been submitted"),
        "{}",
        stderr(&out)
    );

    let out = api(
        &server,
        &[
            "--output",
            "json",
            "verification",
            "submit",
            "--enterprise",
            ENTERPRISE,
            "--document",
            "invoice-1",
            "--document",
            "statement-2",
            "--phone-number",
            "(312) 555-0100",
        ],
        None,
    );
    ok(&out);
    let proof = json(&out);
    assert_eq!(proof["status"], "pending");
    assert_eq!(
        proof["document_ids"],
        serde_json::json!(["invoice-1", "statement-2"])
    );
    assert_eq!(proof["phone_numbers"], serde_json::json!(["+13125550100"]));

    admin(&server, "POST", "/__mock/clock", r#"{"advance_ms": 2000}"#);
    let out = api(
        &server,
        &[
            "--output",
            "csv",
            "verification",
            "get",
            "--enterprise",
            ENTERPRISE,
        ],
        None,
    );
    ok(&out);
    let csv = csv_rows(&stdout(&out));
    assert_eq!(csv[0][1], "approved", "{csv:?}");
    assert_eq!(csv[0][2], "invoice-1 statement-2");

    // Approved: final.
    let out = submit_proof(&server, "x");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("409"), "{}", stderr(&out));
    // A blank document id never leaves.
    let out = submit_proof(&server, " ");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("document_id"), "{}", stderr(&out));
}

#[test]
fn list_filters_on_source_and_ownership_and_ownership_get_shows_the_tracking() {
    let server = external_server();
    approve_proof(&server);
    associate(&server, &["+16035550001", "+13125550100", "+13125550101"]);
    ownership_event(&server, "+13125550101", "carrier_changed");

    let out = api(
        &server,
        &["--output", "csv", "list", "--enterprise", ENTERPRISE],
        None,
    );
    ok(&out);
    let header = stdout(&out).lines().next().unwrap_or_default().to_owned();
    assert!(header.ends_with(",source,ownership"), "{header}");
    let cells: Vec<(String, String, String)> = csv_rows(&stdout(&out))
        .into_iter()
        .map(|r| (r[0].clone(), r[9].clone(), r[10].clone()))
        .collect();
    assert_eq!(
        cells,
        [
            row("+16035550001", "telnyx", "verified"),
            row("+13125550100", "external", "verified"),
            row("+13125550101", "external", "pending_confirmation"),
        ]
    );
    assert_eq!(
        listed(&server, &["--source", "external"]),
        ["+13125550100", "+13125550101"]
    );
    assert_eq!(
        listed(
            &server,
            &[
                "--source",
                "external",
                "--ownership-status",
                "pending_confirmation"
            ]
        ),
        ["+13125550101"]
    );
    let out = api(&server, &["list", "--ownership-status", "lost"], None);
    assert_eq!(out.status.code(), Some(2), "a status the API does not have");

    let out = api(
        &server,
        &[
            "--output",
            "json",
            "ownership",
            "get",
            "--enterprise",
            ENTERPRISE,
            "+13125550101",
        ],
        None,
    );
    ok(&out);
    let detail = json(&out);
    assert_eq!(detail["ownership_status"], "pending_confirmation");
    assert_eq!(detail["flag_reason"], "carrier_changed");
    assert_eq!(detail["history"][0]["event_type"], "flag");
    let out = api(
        &server,
        &[
            "ownership",
            "get",
            "--enterprise",
            ENTERPRISE,
            "312-555-0101",
        ],
        None,
    );
    ok(&out);
    let table = stdout(&out);
    assert!(
        table.contains("ownership_status      pending_confirmation"),
        "{table}"
    );
    assert!(
        table.contains("EVENT_TYPE") && table.contains("added"),
        "{table}"
    );
}

#[test]
fn ownership_confirm_answers_arguments_and_files_with_one_row_per_input_under_faults() {
    let server = external_server();
    approve_proof(&server);
    let flagged: Vec<String> = (0..12).map(|i| format!("+131255501{i:02}")).collect();
    let texts: Vec<&str> = flagged.iter().map(String::as_str).collect();
    associate(&server, &texts);
    for n in &flagged {
        ownership_event(&server, n, "carrier_changed");
    }
    let dir = common::tempdir();
    let file = file(
        &dir,
        "numbers.csv",
        format!("phone_number\n{}\nnot a number\n", flagged[4..].join("\n")).as_bytes(),
    );
    admin(
        &server,
        "PUT",
        "/__mock/faults",
        r#"{"latency_ms": 1, "error_rate": 0.05, "commit_then_drop_rate": 0.3}"#,
    );
    let mut args = vec![
        "--output",
        "json",
        "ownership",
        "confirm",
        "--enterprise",
        ENTERPRISE,
        "--evidence",
        "carrier-letter",
        "--concurrency",
        "3",
        "--file",
        &file,
    ];
    args.extend(texts[..4].iter().copied());
    args.push(texts[0]);
    let out = api(&server, &args, None);
    admin(&server, "PUT", "/__mock/faults", "{}");
    // Arguments come first, then the file; answered numbers first, then the inputs not sent.
    let mut expected: Vec<_> = flagged.iter().map(|n| row(n, "done", "verified")).collect();
    expected.push(row(&flagged[0], "duplicate", ""));
    expected.push(row("not a number", "refused", ""));
    assert_eq!(rows(&out), expected, "{}", stderr(&out));
    assert_eq!(
        out.status.code(),
        Some(1),
        "the unreadable input is a refusal"
    );
    assert!(stderr(&out).contains("12 done, 0 not done, 1 refused before sending, 1 duplicate"));
    assert!(listed(&server, &["--ownership-status", "pending_confirmation"]).is_empty());

    // A number the enterprise does not have is refused by the API, with its reason.
    let out = api(
        &server,
        &[
            "--output",
            "csv",
            "ownership",
            "confirm",
            "--enterprise",
            ENTERPRISE,
            "+13125559999",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let csv = csv_rows(&stdout(&out));
    assert_eq!(csv[0][..2], ["+13125559999", "refused"]);
    assert!(csv[0][4].contains("HTTP 404"), "{csv:?}");
    // A --file that does not exist is an input error; nothing is sent.
    let out = api(
        &server,
        &[
            "ownership",
            "confirm",
            "--enterprise",
            ENTERPRISE,
            "--file",
            "5551234",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("5551234: no such file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn give_up_is_refused_off_a_terminal_without_yes_and_with_it_removes_the_numbers() {
    let server = external_server();
    associate(&server, &["+16035550001", "+16035550002", "+16035550003"]);
    let give_up = [
        "ownership",
        "give-up",
        "--enterprise",
        ENTERPRISE,
        "+16035550001",
        "+16035550002",
    ];
    let out = api(&server, &give_up, None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("2 number(s) will be removed"), "{err}");
    assert!(err.contains("pass --yes"), "{err}");
    assert_eq!(monitored(&server), 3, "nothing was sent");

    let mut with_yes = vec!["--yes", "--output", "json"];
    with_yes.extend_from_slice(&give_up);
    let out = api(&server, &with_yes, None);
    ok(&out);
    assert_eq!(
        rows(&out),
        [
            row("+16035550001", "done", "removed"),
            row("+16035550002", "done", "removed")
        ]
    );
    assert_eq!(json(&out)[0]["detail"], "removal_reason customer_reported");
    assert_eq!(listed(&server, &[]), ["+16035550003"]);
    assert_eq!(
        listed(&server, &["--ownership-status", "removed"]),
        ["+16035550001", "+16035550002"]
    );
}

#[test]
fn settings_webhook_sets_and_clears_the_url() {
    let server = external_server();
    let out = api(
        &server,
        &[
            "--output",
            "csv",
            "settings",
            "webhook",
            "--enterprise",
            ENTERPRISE,
            "https://hooks.example.com/t",
        ],
        None,
    );
    ok(&out);
    let csv = csv_rows(&stdout(&out));
    assert_eq!(csv[0][6], "https://hooks.example.com/t", "{csv:?}");
    let out = api(
        &server,
        &[
            "--output",
            "json",
            "settings",
            "webhook",
            "--enterprise",
            ENTERPRISE,
            "--clear",
        ],
        None,
    );
    ok(&out);
    assert!(
        json(&out)
            .get("webhook_url")
            .is_none_or(serde_json::Value::is_null)
    );
    let out = api(
        &server,
        &[
            "settings",
            "webhook",
            "--enterprise",
            ENTERPRISE,
            "http://hooks.example.com/t",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("https://"), "{}", stderr(&out));
    let out = api(
        &server,
        &["settings", "webhook", "--enterprise", ENTERPRISE],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "a URL or --clear");
}

/// POSTs `body` to the listener with the two signature headers; the status it answers.
fn deliver(addr: &str, timestamp: &str, signature: &str, body: &str) -> u16 {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /telnyx HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\ntelnyx-timestamp: {timestamp}\r\ntelnyx-signature-ed25519: {signature}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
}

/// Lines of `reader`, as a thread reads them.
fn lines(reader: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn next(rx: &mpsc::Receiver<String>, what: &str) -> String {
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("no {what}: {e}"))
}

/// The next line that says a delivery was refused (notes on received events are skipped).
fn next_refusal(rx: &mpsc::Receiver<String>) -> String {
    loop {
        let line = next(rx, "a note on a refused delivery");
        if line.contains("refused") {
            return line;
        }
    }
}

#[test]
fn webhooks_listen_prints_verified_deliveries_and_refuses_forged_and_stale_ones() {
    let server = external_server();
    associate(&server, &["+16035550001"]);
    let key = admin(&server, "GET", "/__mock/webhooks", "")["webhook_public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = run(
        &["webhooks", "listen", "--public-key", "bm90IGEga2V5"],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "a key of the wrong length");

    let mut listener = spawn(
        &["webhooks", "listen", "--addr", "127.0.0.1:0"],
        &[("TELNYX_PUBLIC_KEY", key.as_str())],
        "",
    );
    let out_lines = lines(listener.stdout.take().unwrap());
    let err_lines = lines(listener.stderr.take().unwrap());
    let started = next(&err_lines, "address");
    let addr = started
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{started}"))
        .to_owned();

    let url = format!("http://{addr}/telnyx");
    ok(&api(
        &server,
        &["settings", "webhook", "--enterprise", ENTERPRISE, &url],
        None,
    ));
    ownership_event(&server, "+16035550001", "carrier_changed");
    let line = next(&out_lines, "event line");
    let printed: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        printed["data"]["event_type"],
        "number_reputation.number.flagged"
    );
    assert_eq!(printed["data"]["payload"]["phone_number"], "+16035550001");
    assert_eq!(printed["meta"]["delivered_to"], url.as_str());
    wait_until("the emulator logs the delivery's 200", || {
        admin(&server, "GET", "/__mock/webhooks", "")["deliveries"][0]["status"] == 200
    });

    // The delivery's body again, under a signature that is not Telnyx's: forged.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let zero_signature = format!("{}==", "A".repeat(86));
    assert_eq!(
        deliver(&addr, &now.to_string(), &zero_signature, &line),
        401
    );
    let refused = next_refusal(&err_lines);
    assert!(
        refused.contains("401") && refused.contains("signature"),
        "{refused}"
    );
    // Ten minutes old: stale, whatever its signature.
    let stale = (now - 600).to_string();
    assert_eq!(deliver(&addr, &stale, &zero_signature, &line), 401);
    let refused = next_refusal(&err_lines);
    assert!(
        refused.contains("401") && refused.contains("300"),
        "{refused}"
    );

    interrupt(&listener);
    let status = listener.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    // The listener has exited: its stdout is at its end, and the reader's channel closes.
    let rest: Vec<String> = out_lines.iter().collect();
    assert!(rest.is_empty(), "printed for a refused delivery: {rest:?}");
}
