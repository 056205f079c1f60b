//! `get` (billable when fresh, or for a number without cached data) is never sent again once it
//! may have reached the server: after a timeout, a 5xx or a 408 it is sent once, and the
//! command says it may have been billed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::common;

use common::*;

fn fresh_reads(server: &Server) -> u64 {
    admin(server, "GET", "/__mock/billing", "")["fresh_read"]
        .as_u64()
        .unwrap()
}

fn requests(server: &Server) -> u64 {
    admin(server, "GET", "/__mock/stats", "")["requests"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_fresh_read_that_timed_out_is_billed_once_and_not_sent_again() {
    // The emulator applies (and bills) the read on arrival, then holds its answer past the
    // client's one-second timeout.
    let server = mock_serve(&["--latency-ms", "2500", "--populate", "1"]);
    let number = admin(&server, "GET", "/__mock/state", "")["associations"][0]["phone_number"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = api(
        &server,
        &[
            "--timeout",
            "1",
            "--retries",
            "3",
            "get",
            "--fresh",
            &number,
        ],
        None,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("billed once") && err.contains("not sent again"),
        "{err}"
    );
    assert_eq!(requests(&server), 1);
    assert_eq!(fresh_reads(&server), 1);
}

#[test]
fn a_read_answered_5xx_is_not_sent_again() {
    let server = mock_serve(&["--error-rate", "1", "--populate", "1"]);
    let number = admin(&server, "GET", "/__mock/state", "")["associations"][0]["phone_number"]
        .as_str()
        .unwrap()
        .to_owned();
    for fresh in [true, false] {
        let before = requests(&server);
        let mut args = vec!["--retries", "3", "get", number.as_str()];
        if fresh {
            args.push("--fresh");
        }
        let out = api(&server, &args, None);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert_eq!(requests(&server) - before, 1, "fresh: {fresh}");
    }
}

/// A server that answers every request 408 and counts them.
fn answers_408() -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            counter.fetch_add(1, Ordering::SeqCst);
            let body = r#"{"errors":[{"code":"10009","title":"Request timeout","detail":"the request took too long"}]}"#;
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn a_read_answered_408_is_ambiguous_and_not_sent_again() {
    let (url, seen) = answers_408();
    let out = run(
        &[
            "--base-url",
            &url,
            "--api-key",
            "k",
            "--retries",
            "3",
            "--yes",
            "get",
            "--fresh",
            "+16035550100",
        ],
        None,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("408") && err.contains("not sent again"),
        "{err}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}
