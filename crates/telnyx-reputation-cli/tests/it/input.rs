//! Real-world input, end to end: files that are missing or directories, byte-order marks,
//! headers and comments, `tel:` URIs, blank lines, huge lines and CSV columns.

use crate::common;

use common::*;

#[test]
fn a_missing_file_or_a_directory_is_an_input_error_naming_it() {
    let dir = common::tempdir();
    let as_dir = dir.path().to_str().unwrap();
    for args in [
        vec![
            "--mock",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "nosuchfile.txt",
        ],
        vec!["--mock", "associate", "--enterprise", ENTERPRISE, as_dir],
        vec!["validate", "nosuchfile.txt"],
        vec!["validate", as_dir],
    ] {
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let named = args.last().unwrap();
        assert!(stderr(&out).contains(named), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn bom_header_comments_blank_lines_and_tel_uris_are_read_as_people_write_them() {
    let dir = common::tempdir();
    let text = "\u{feff}phone_number\n# from the CRM\n+16035551234\n\n  \ntel:+1-603-555-1235;ext=1\n# end\n";
    let path = file(&dir, "numbers.txt", text.as_bytes());
    let out = run(&["validate", &path], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let e164: Vec<&str> = lines.iter().map(|l| l["e164"].as_str().unwrap()).collect();
    assert_eq!(e164, ["+16035551234", "+16035551235"]);
    assert!(stderr(&out).contains("skipped 1 header line(s) and 2 comment line(s)"));

    // associate reads the same file the same way.
    let out = associate_on_mock(&["--dry-run", &path], None);
    ok(&out);
    let dry: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(dry["inputs"], 2);
    assert_eq!(dry["valid"], 2);
    assert_eq!(dry["skipped_headers"], 1);
    assert_eq!(dry["skipped_comments"], 2);
    assert_eq!(dry["skipped_blank"], 2);
    assert_eq!(dry["requests"]["count"], 1);
    assert_eq!(dry["billable_numbers"], 2);
}

#[test]
fn a_huge_refused_line_is_echoed_once_cut_to_64_characters() {
    let huge = format!("+1{}\n", "9".repeat(1 << 20));
    for args in [
        vec!["--mock", "associate", "--enterprise", ENTERPRISE, "-"],
        vec![
            "--mock",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--dry-run",
            "-",
        ],
        vec!["validate", "-"],
    ] {
        let out = run(&args, Some(&huge));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.len() < 4096, "{args:?}: {} bytes out", text.len());
        assert_eq!(text.matches(&"9".repeat(60)).count(), 1, "{args:?}: {text}");
        assert!(
            !text.contains(&"9".repeat(64)),
            "{args:?}: cut to 64 characters"
        );
    }
}

#[test]
fn a_csv_column_is_found_case_insensitively_behind_a_bom_and_quotes_round_trip() {
    let dir = common::tempdir();
    // The refused value holds a comma, a quote and a newline: it must come back whole.
    let tricky = "+1603, \"x\"\nend";
    let csv = format!(
        "\u{feff}Name,Phone Number,Notes\nA,+16035550001,\"a, \"\"b\"\"\nc\"\nB,\"{}\",z\n",
        tricky.replace('"', "\"\"")
    );
    let path = file(&dir, "contacts.csv", csv.as_bytes());
    let out = run(
        &[
            "--output",
            "csv",
            "--mock",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--dry-run",
            "--column",
            "phone number",
            &path,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rows = csv_rows(&stdout(&out));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][1], tricky);
    assert_eq!(rows[0][2], "refused");

    let out = run(
        &[
            "--output",
            "csv",
            "validate",
            "--column",
            "PHONE NUMBER",
            &path,
        ],
        None,
    );
    let rows = csv_rows(&stdout(&out));
    assert_eq!(rows[0][..3], ["+16035550001", "true", "us_local"]);
    assert_eq!(rows[1][0], tricky);
    assert_eq!(rows[1][1], "false");

    let out = run(&["validate", "--column", "fax", &path], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no column \"fax\""),
        "{}",
        stderr(&out)
    );
}
