//! An all-or-nothing job without a journal keeps its promise when the API refuses it mid-way:
//! with no journal to roll back from later, it undoes what it associated before it ends.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::common;

use common::*;

/// Sends one request to the emulator over a fresh connection; its status and body.
fn forward(server: &str, method: &Method, uri: &Uri, auth: &str, body: &str) -> (u16, String) {
    let rest = server.strip_prefix("http://").unwrap();
    let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    write!(
        stream,
        "{method} {prefix}{path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: {auth}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    // The emulator answers with a length, or in one chunk.
    let body = match body.split_once("\r\n") {
        Some((size, rest))
            if u64::from_str_radix(size.trim(), 16).is_ok() && !body.starts_with('{') =>
        {
            rest.rsplit_once("\r\n0\r\n")
                .map_or(rest, |(b, _)| b)
                .to_owned()
        }
        _ => body.to_owned(),
    };
    (status, body)
}

/// A front for the emulator that refuses every associate after the first with a 403 (the
/// enterprise may not monitor more numbers) and passes everything else through; it counts
/// the associates it saw.
async fn refusing_after_the_first_batch(emulator: &Server) -> (String, Arc<AtomicU64>) {
    let posts = Arc::new(AtomicU64::new(0));
    let seen = posts.clone();
    let target = emulator.base_url.clone();
    let router = Router::new().fallback(
        move |method: Method, uri: Uri, headers: axum::http::HeaderMap, body: String| {
            let (seen, target) = (seen.clone(), target.clone());
            async move {
                if method == Method::POST && seen.fetch_add(1, Ordering::SeqCst) > 0 {
                    return json(
                        StatusCode::FORBIDDEN,
                        r#"{"errors":[{"code":"10010","title":"Forbidden","detail":"this enterprise may not monitor more numbers","meta":{"url":"https://developers.telnyx.com/docs/overview/errors/10010"}}]}"#.to_owned(),
                    );
                }
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let (status, body) = tokio::task::spawn_blocking(move || {
                    forward(&target, &method, &uri, &auth, &body)
                })
                .await
                .unwrap();
                json(StatusCode::from_u16(status).unwrap(), body)
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}"), posts)
}

fn json(status: StatusCode, body: String) -> Response {
    if body.is_empty() {
        return status.into_response();
    }
    (status, [("content-type", "application/json")], body).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_all_or_nothing_job_refused_mid_way_without_a_journal_rolls_back() {
    let emulator = mock_serve(&[]);
    let (url, posts) = refusing_after_the_first_batch(&emulator).await;
    let dir = common::tempdir();
    let file = common::file(&dir, "numbers.txt", numbers(0, 30).as_bytes());
    let global = ["--base-url", url.as_str(), "--output", "json"];
    let out = tokio::process::Command::new(BIN)
        .args(global)
        .args(associate_by_tens(&["--no-journal", &file]))
        .env("TELNYX_API_KEY", "demo-key")
        .env("XDG_STATE_HOME", STATE_HOME)
        .output()
        .await
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert_eq!(report["outcome"], "rolled_back", "{report}");
    assert_eq!(report["rolled_back"], 10, "{report}");
    assert!(
        report["associated"].as_array().unwrap().is_empty(),
        "{report}"
    );
    assert!(
        report["error"].as_str().unwrap().contains("403"),
        "{report}"
    );
    assert_eq!(
        posts.load(Ordering::SeqCst),
        2,
        "the third batch was never sent"
    );
    assert!(
        held(&emulator, ENTERPRISE).is_empty(),
        "nothing is left associated"
    );
    assert_eq!(billed(&emulator), 10);
}
