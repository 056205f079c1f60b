//! The emulator's timing log: one line per answer, read by `bench/timings.sh`.

use crate::common;

use std::process::{Command, Stdio};

use common::{api, mock_serve_with};

/// The `arrived_us`, `answered_us`, `status` and `uri` fields of a timing line.
fn fields(line: &str) -> (u64, u64, u16, String) {
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("{name} in {line}"))
            .to_owned()
    };
    (
        field("arrived_us").parse().unwrap(),
        field("answered_us").parse().unwrap(),
        field("status").parse().unwrap(),
        field("uri"),
    )
}

#[test]
fn each_answer_is_logged_with_its_times_and_the_script_reads_the_log() {
    let dir = common::tempdir();
    let log = dir.path().join("timings.log");
    let server = mock_serve_with(
        &["--populate", "300", "--latency-ms", "2"],
        &[("RUST_LOG", "telnyx_reputation_mock::timing=trace")],
        Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    let out = api(
        &server,
        &["report", "--output", "csv", "--concurrency", "2"],
        None,
    );
    assert!(out.status.success(), "{out:?}");
    // Each line is written before its answer leaves, so the report's end means a whole log.
    drop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("answer leaves"))
        .collect();
    // The demo enterprise populated with 300 numbers: two pages of 250.
    assert_eq!(lines.len(), 2, "{text}");
    let mut pages = Vec::new();
    for line in &lines {
        let (arrived, answered, status, uri) = fields(line);
        assert!(arrived <= answered, "{line}");
        assert_eq!(status, 200, "{line}");
        assert!(uri.starts_with("/reputation/numbers"), "{line}");
        pages.push(uri);
    }
    pages.sort();
    assert!(pages[0].contains("page%5Bnumber%5D=1"), "{pages:?}");
    assert!(pages[1].contains("page%5Bnumber%5D=2"), "{pages:?}");

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../telnyx-reputation-mock/bench/timings.sh"
    );
    let read = Command::new("bash")
        .arg(script)
        .arg(&log)
        .arg("2")
        .output()
        .unwrap();
    assert!(read.status.success(), "{read:?}");
    let summary = String::from_utf8(read.stdout).unwrap();
    assert!(summary.starts_with("answers 2; held "), "{summary}");
    assert!(summary.contains("turnaround "), "{summary}");
}
