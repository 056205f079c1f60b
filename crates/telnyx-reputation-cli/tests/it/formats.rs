//! Flags and output end to end: out-of-range flags refused with the reason, `--output json`
//! and `csv` for every subcommand, errors as JSON objects, closed pipes, and the API key from
//! a file.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

#[test]
fn out_of_range_flags_are_refused_with_the_reason() {
    // Every command that takes `--concurrency` or `--batch-size`, each with its own bounds, and
    // one rule for all of them: the bound in the message, and above a concurrency bound, why.
    let number = "+16035551234";
    let commands: [(&[&str], Option<u32>, u32); 6] = [
        (
            &["associate", "--enterprise", ENTERPRISE, number],
            Some(100),
            64,
        ),
        (
            &["refresh", "--enterprise", ENTERPRISE, number],
            Some(100),
            64,
        ),
        (
            &["sync", "--enterprise", ENTERPRISE, "inventory.txt"],
            Some(100),
            64,
        ),
        (
            &[
                "remediation",
                "submit",
                "--enterprise",
                ENTERPRISE,
                "--call-purpose",
                "x",
                number,
            ],
            Some(2000),
            16,
        ),
        (&["report", "--enterprise", ENTERPRISE], None, 64),
        (
            &["ownership", "confirm", "--enterprise", ENTERPRISE, number],
            None,
            64,
        ),
    ];
    for (command, batch, in_flight) in commands {
        let mut cases = vec![
            ("--concurrency", "0".to_owned(), format!("1 to {in_flight}")),
            ("--concurrency", "x".to_owned(), format!("1 to {in_flight}")),
            (
                "--concurrency",
                (in_flight + 1).to_string(),
                "rate limits".to_owned(),
            ),
            ("--concurrency", "1000".to_owned(), "rate limits".to_owned()),
        ];
        if let Some(batch) = batch {
            cases.push(("--batch-size", "0".to_owned(), format!("1 to {batch}")));
            cases.push((
                "--batch-size",
                (batch + 1).to_string(),
                format!("at most {batch} numbers per request"),
            ));
        }
        for (flag, value, reason) in cases {
            let mut args = vec!["--mock"];
            args.extend(command);
            args.extend([flag, value.as_str()]);
            let out = run(&args, None);
            let what = format!("{} {flag} {value}", command[0]);
            assert_eq!(out.status.code(), Some(2), "{what}");
            let text = stderr(&out);
            assert!(text.contains(&reason), "{what}: {text}");
            assert!(
                text.contains(&format!("'{value}'")),
                "{what} names the value: {text}"
            );
        }
    }
}

#[test]
fn errors_in_json_mode_are_one_json_object_on_stderr() {
    let out = run(
        &[
            "--output",
            "json",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "nosuchfile.txt",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let error: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["exit"], 2);
    assert!(error["error"].as_str().unwrap().contains("nosuchfile.txt"));
}

#[test]
fn table_columns_align_by_display_width_with_wide_and_combining_characters() {
    // 14 columns each on a terminal: CJK and emoji take two, a combining accent none.
    let wide = ["漢字漢字漢字漢", "😀😀😀😀😀😀😀", &"e\u{301}".repeat(14)];
    let input = format!("+16035551234\n{}\n", wide.join("\n"));
    let out = run(&["--output", "table", "validate"], Some(&input));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    for (line, input) in lines[2..].iter().zip(wide) {
        assert!(line.starts_with(input), "{line:?}");
    }
    // Where the second column (OK) starts on each line, in terminal columns.
    let second: Vec<usize> = lines
        .iter()
        .map(|line| {
            let gap = line.find("  ").expect("a column gap");
            let at = gap + line[gap..].len() - line[gap..].trim_start().len();
            unicode_width::UnicodeWidthStr::width(&line[..at])
        })
        .collect();
    assert_eq!(second, [16; 5], "{text}");
}

#[test]
fn validate_and_the_dry_run_print_csv_and_json_rows() {
    let input = "+16035551234\n+18005551234\n+16035551234\n+18688001234\n";
    let out = run(&["--output", "csv", "validate"], Some(input));
    let rows = csv_rows(&stdout(&out));
    let columns: Vec<[&str; 4]> = rows
        .iter()
        .map(|r| [r[1].as_str(), r[2].as_str(), r[5].as_str(), r[6].as_str()])
        .collect();
    let note = "accepted from your Telnyx inventory only";
    assert_eq!(
        columns,
        [
            ["true", "us_local", "", ""],
            ["true", "toll_free", "", note],
            ["true", "us_local", "", ""],
            ["false", "non_us", "non_us", ""],
        ]
    );

    let dry = [
        "associate",
        "--enterprise",
        ENTERPRISE,
        "--dry-run",
        "--mode",
        "best-effort",
        "-",
    ];
    let mut args = vec!["--mock", "--output", "csv"];
    args.extend(dry);
    let rows = csv_rows(&stdout(&run(&args, Some(input))));
    let status: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        status,
        [
            ("+18688001234", "refused"),
            ("+16035551234", "duplicate"),
            ("+18005551234", "valid")
        ]
    );
    assert_eq!(rows[2][5], note, "the toll-free row carries the note");

    let mut args = vec!["--mock", "--output", "json"];
    args.extend(dry);
    let out = run(&args, Some(input));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["valid"], 2);
    assert_eq!(json["would_send"], true, "best effort sends the valid ones");
    assert_eq!(json["refused"][0]["code"], "non_us");
    assert_eq!(json["duplicates"][0]["index"], 2);
    assert_eq!(
        json["notes"],
        serde_json::json!([{"number": "+18005551234", "kind": "toll_free", "note": note}])
    );
}

#[test]
fn disassociate_resume_and_rollback_print_csv_and_json_rows() {
    let server = mock_serve(&[]);
    let dir = common::tempdir();
    let journal = dir.path().join("job.journal");
    let journal = journal.to_str().unwrap();
    let out = api(
        &server,
        &[
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--batch-size",
            "2",
            "--journal",
            journal,
            "+16035550001",
            "+16035550002",
            "+16035550003",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = api(&server, &["--output", "csv", "resume", journal], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows = csv_rows(&stdout(&out));
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| r[1] == "associated"), "{rows:?}");

    let out = api(&server, &["--output", "json", "rollback", journal], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["outcome"], "rolled_back");
    assert_eq!(monitored(&server), 0);

    api(
        &server,
        &["associate", "--enterprise", ENTERPRISE, "+16035550001"],
        None,
    );
    let out = api(
        &server,
        &[
            "--output",
            "json",
            "disassociate",
            "+16035550001",
            "+16035550009",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows[0]["phone_number"], "+16035550001");
    assert_eq!(rows[0]["status"], "disassociated");
    assert_eq!(rows[1]["status"], "refused");
    let out = api(
        &server,
        &["--output", "csv", "disassociate", "+16035550009"],
        None,
    );
    let rows = csv_rows(&stdout(&out));
    assert_eq!(rows[0][..2], ["+16035550009", "refused"]);
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    let server = mock_serve(&[]);
    let out = api(
        &server,
        &["associate", "--enterprise", ENTERPRISE, "-"],
        Some(&numbers(0, 3_000)),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for format in ["table", "json", "csv"] {
        let mut child = Command::new(BIN)
            .args(["--base-url", &server.base_url, "--output", format, "list"])
            .env("TELNYX_API_KEY", "demo-key")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        drop(lines); // `| head -1`
        let out = child.wait_with_output().unwrap();
        let code = out.status.code();
        #[cfg(unix)]
        let killed_by_sigpipe =
            std::os::unix::process::ExitStatusExt::signal(&out.status) == Some(13);
        #[cfg(not(unix))]
        let killed_by_sigpipe = false;
        assert!(
            code == Some(0) || killed_by_sigpipe,
            "{format}: {:?}",
            out.status
        );
        assert!(
            !stderr(&out).contains("panicked"),
            "{format}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).is_empty(), "{format}: {}", stderr(&out));
    }
}

#[test]
fn the_api_key_comes_from_a_file_or_stdin_and_a_typed_key_is_warned_about() {
    let server = mock_serve(&[]);
    let dir = common::tempdir();
    let key = file(&dir, "key", b"demo-key\n");
    let base = ["--base-url", server.base_url.as_str(), "list"];

    let mut args = base.to_vec();
    args.extend(["--api-key-file", &key]);
    let out = run(&args, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let mut args = base.to_vec();
    args.extend(["--api-key-file", "-"]);
    let out = run(&args, Some("demo-key\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = run_env(&base, &[("TELNYX_API_KEY", "demo-key")], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));

    let mut args = base.to_vec();
    args.extend(["--api-key", "demo-key"]);
    let out = run(&args, None);
    assert_eq!(out.status.code(), Some(0));
    let warning = stderr(&out);
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(warning.contains("--api-key is visible in the process list"));
    assert!(!warning.contains("demo-key"));

    // A wrong key is the API refusing: exit 1, as on every subcommand.
    let mut args = base.to_vec();
    args.extend(["--api-key", "wrong"]);
    assert_eq!(run(&args, None).status.code(), Some(1));
    let out = run_env(
        &[
            "--base-url",
            &server.base_url,
            "associate",
            "--enterprise",
            ENTERPRISE,
            "+16035550001",
        ],
        &[("TELNYX_API_KEY", "wrong")],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let missing = file(&dir, "empty", b"");
    let mut args = base.to_vec();
    args.extend(["--api-key-file", &missing]);
    assert_eq!(run(&args, None).status.code(), Some(2));
}
