//! What the command does with hostile input around it: numeric flags out of range are refused
//! by name (never a panic), a proxy in the environment never sees a loopback request (nor its
//! key), and server text cannot drive the terminal.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::common;

use common::*;

#[test]
fn numeric_flags_out_of_range_are_refused_by_name_without_a_panic() {
    let cases: &[&[&str]] = &[
        &["--rate", "1e-20", "list"],
        &["--rate", "NaN", "list"],
        &["--rate", "1e400", "list"],
        &["--stall-timeout", "0", "list"],
        &["--stall-timeout", "18446744073709551616", "list"],
        &["--deadline", "0", "list"],
        &["--timeout", "99999999999", "list"],
        &["--retries", "4294967296", "list"],
        &["list", "--page-size", "0"],
        &["list", "--max-pages", "0"],
        &[
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--batch-size",
            "0",
            "+16035550100",
        ],
        &[
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--concurrency",
            "1000000",
            "+16035550100",
        ],
        &[
            "sync",
            "--enterprise",
            ENTERPRISE,
            "--max-prune",
            "101%",
            "f",
        ],
        &[
            "sync",
            "--enterprise",
            ENTERPRISE,
            "--concurrency",
            "0",
            "f",
        ],
        &["report", "--concurrency", "0"],
        &["mock", "serve", "--latency-ms", "18446744073709551615"],
        &["mock", "serve", "--jitter-ms", "3600001"],
        &["mock", "serve", "--slow-body-ms", "18446744073709551615"],
        &["mock", "serve", "--populate", "18446744073709551615"],
        &["mock", "serve", "--error-rate", "2"],
    ];
    for args in cases {
        let out = run_env(args, &[("TELNYX_API_KEY", "k")], None);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        let flag = args
            .iter()
            .find(|a| a.starts_with("--") && **a != "--enterprise");
        assert!(
            flag.is_some_and(|f| err.contains(f)),
            "{args:?} names its flag: {err}"
        );
    }
}

#[test]
fn a_proxy_in_the_environment_never_sees_a_loopback_request() {
    let server = mock_serve(&["--populate", "3"]);
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    proxy.set_nonblocking(true).unwrap();
    let out = run_env(
        &[
            "--base-url",
            &server.base_url,
            "--output",
            "json",
            "list",
            "--enterprise",
            ENTERPRISE,
        ],
        &[
            ("TELNYX_API_KEY", "demo-key"),
            ("HTTP_PROXY", &proxy_url),
            ("http_proxy", &proxy_url),
            ("ALL_PROXY", &proxy_url),
            ("all_proxy", &proxy_url),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    assert!(
        proxy.accept().is_err(),
        "the proxy was connected to, and would have seen the key"
    );
}

/// A server whose every answer is a 404 whose error text carries terminal escapes: a colour, a
/// window title, a bell, a carriage return and a right-to-left override.
async fn escaping_server() -> (String, Arc<AtomicU64>) {
    let seen = Arc::new(AtomicU64::new(0));
    let counted = seen.clone();
    let router = Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async {
            (
                StatusCode::NOT_FOUND,
                [("content-type", "application/json")],
                r#"{"errors":[{"code":"10005\u001b[2J","title":"Not \u001b]0;pwned\u0007found","detail":"no such number\r\u001b[31mOK: all numbers associated\u202e","meta":{"url":"https://developers.telnyx.com/docs/overview/errors/10005"}}]}"#,
            )
                .into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_in_server_text_are_escaped_before_the_terminal() {
    let (url, seen) = escaping_server().await;
    for output in ["table", "json"] {
        let out = tokio::process::Command::new(BIN)
            .args([
                "--base-url",
                &url,
                "--output",
                output,
                "get",
                "+16035550100",
            ])
            .env("TELNYX_API_KEY", "k")
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{output}");
        for (name, bytes) in [("stderr", &out.stderr), ("stdout", &out.stdout)] {
            assert!(
                !bytes.iter().any(|b| b.is_ascii_control() && *b != b'\n'),
                "{output} {name}: {:?}",
                String::from_utf8_lossy(bytes)
            );
            assert!(
                !String::from_utf8_lossy(bytes).contains('\u{202e}'),
                "{output} {name}"
            );
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(r"no such number\u{d}\u{1b}[31mOK")
                || err.contains(r"\\u{d}\\u{1b}[31mOK"),
            "{output}: {err}"
        );
    }
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}
