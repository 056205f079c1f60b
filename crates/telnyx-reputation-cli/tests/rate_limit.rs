//! The command under a server rate limit: a job is slowed down, never failed, and a server that
//! only ever answers 429 ends a call with exit 3 and says so.

mod common;

use common::{ENTERPRISE, api, mock_serve, monitored, numbers};

#[test]
fn associate_completes_every_number_under_the_emulators_rate_limit() {
    let server = mock_serve(&["--rate-limit", "2", "--rate-limit-window-ms", "50"]);
    let out = api(
        &server,
        &[
            "--output",
            "json",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--concurrency",
            "8",
            "-",
        ],
        Some(&numbers(0, 1_000)),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(monitored(&server), 1_000);
}

#[test]
fn a_server_that_only_answers_429_ends_a_call_with_exit_3_naming_the_rate_limit() {
    let server = mock_serve(&["--throttle-rate", "1"]);
    let out = api(
        &server,
        &["--stall-timeout", "1", "get", "+16035550100"],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("kept refusing with 429"), "{stderr}");
}
