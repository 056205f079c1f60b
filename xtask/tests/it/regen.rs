//! `cargo xtask regen` end to end against a loopback HTTP server started here: a good spec, a
//! changed spec, a 404, a 500, garbage, and a spec normalisation refuses. Every failure leaves the
//! spec directory byte for byte as it was.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec");

/// Serves fixed answers by path; counts requests to `/500`.
fn serve(changed: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&hits);
    let good = std::fs::read_to_string(format!("{COMMITTED}/phone-numbers.yml")).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            reader.read_line(&mut line).unwrap();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
            let (status, body) = match path.as_str() {
                "/good.yml" => ("200 OK", good.clone()),
                "/changed.yml" => ("200 OK", changed.clone()),
                "/garbage" => ("200 OK", "\u{0}\u{1}<html>{{{ not: [yaml".into()),
                "/html" => ("200 OK", "<html><body>gateway</body></html>".into()),
                "/untranslatable.yml" => ("200 OK", good.replace("        connection_score:\n          example: 80\n          maximum: 100\n          minimum: 0\n          nullable: true\n          type: integer\n", "        connection_score:\n          example: 80\n          maximum: 100\n          minimum: 0\n          type:\n          - integer\n          - string\n")),
                "/500" => {
                    count.fetch_add(1, Ordering::SeqCst);
                    ("500 Internal Server Error", "oops".into())
                }
                _ => ("404 Not Found", "no".into()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, hits)
}

fn changed_spec() -> String {
    let good = std::fs::read_to_string(format!("{COMMITTED}/phone-numbers.yml")).unwrap();
    // A new operation, and a change to a shared schema that every list operation returns.
    good.replacen(
        "  /reputation/numbers:\n",
        "  /reputation/health:\n    get:\n      operationId: GetReputationHealth\n      responses:\n        '204':\n          description: healthy\n  /reputation/numbers:\n",
        1,
    )
    .replacen("        total_pages:\n          description: Total number of pages available given the current `page_size`.\n", "        cursor:\n          type: string\n        total_pages:\n          description: Total number of pages available given the current `page_size`.\n", 1)
}

fn spec_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["phone-numbers.yml", "phone-numbers.lock"] {
        std::fs::copy(format!("{COMMITTED}/{f}"), dir.path().join(f)).unwrap();
    }
    let path = dir.path().to_owned();
    (dir, path)
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn xtask(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("regen")
        .args(args)
        .arg("--spec-dir")
        .arg(dir)
        .env("XTASK_FETCH_BACKOFF_MS", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_against_the_same_spec_reports_no_drift() {
    let (server, _) = serve(changed_spec());
    let (_keep, dir) = spec_copy();
    let (code, out, err) = xtask(&dir, &["--check", "--from", &format!("{server}/good.yml")]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(
        out.contains("is up to date") && out.contains("no operation changes"),
        "{out}"
    );
}

#[test]
fn check_reports_drift_writes_nothing_and_exits_1() {
    let (server, _) = serve(changed_spec());
    let (_keep, dir) = spec_copy();
    let before = snapshot(&dir);
    let (code, out, _) = xtask(
        &dir,
        &["--check", "--from", &format!("{server}/changed.yml")],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("+ GetReputationHealth  GET /reputation/health"),
        "{out}"
    );
    assert!(out.contains("~ listReputationNumbers  GET /enterprises/{enterprise_id}/reputation/numbers (responses.200)"), "{out}");
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn regen_from_a_url_writes_the_new_spec_and_its_lock_and_prints_the_diff() {
    let (server, _) = serve(changed_spec());
    let (_keep, dir) = spec_copy();
    let url = format!("{server}/changed.yml");
    let (code, out, err) = xtask(&dir, &["--from", &url]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("+ GetReputationHealth"), "{out}");
    let written = std::fs::read(dir.join("phone-numbers.yml")).unwrap();
    assert_eq!(written, changed_spec().into_bytes());
    let lock = std::fs::read_to_string(dir.join("phone-numbers.lock")).unwrap();
    assert!(lock.contains(&format!("source = {url}")), "{lock}");
    assert!(
        lock.contains(&format!("size = {}", written.len())),
        "{lock}"
    );
    let leftovers: Vec<_> = snapshot(&dir).into_iter().map(|(n, _)| n).collect();
    assert_eq!(leftovers, ["phone-numbers.lock", "phone-numbers.yml"]);
}

fn assert_refused(path: &str, reason: &str) {
    let (server, _) = serve(changed_spec());
    let (_keep, dir) = spec_copy();
    let before = snapshot(&dir);
    let source = format!("{server}{path}");
    let (code, out, err) = xtask(&dir, &["--from", &source]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with(&format!("regen: {source}: ")), "{err}");
    assert!(err.contains(reason), "{err}");
    assert_eq!(snapshot(&dir), before, "spec dir untouched");
}

#[test]
fn a_404_is_refused_at_once() {
    assert_refused("/missing.yml", "HTTP 404 Not Found");
}

#[test]
fn a_500_is_retried_then_refused() {
    let (server, hits) = serve(changed_spec());
    let (_keep, dir) = spec_copy();
    let before = snapshot(&dir);
    let (code, _, err) = xtask(&dir, &["--from", &format!("{server}/500")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("HTTP 500 Internal Server Error (after 4 attempts)"),
        "{err}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 4);
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn garbage_is_refused() {
    assert_refused("/garbage", "not YAML");
    assert_refused("/html", "not an OpenAPI");
}

#[test]
fn a_spec_that_cannot_generate_is_refused_naming_the_schema() {
    assert_refused(
        "/untranslatable.yml",
        "cannot translate schema ReputationData at /components/schemas/ReputationData/properties/connection_score/type",
    );
}

#[test]
fn an_unreachable_host_is_refused() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_keep, dir) = spec_copy();
    let before = snapshot(&dir);
    let (code, _, err) = xtask(
        &dir,
        &["--from", &format!("http://127.0.0.1:{port}/spec.yml")],
    );
    assert_eq!(code, 2);
    assert!(err.contains("network error"), "{err}");
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn the_committed_spec_generates_and_its_lock_matches() {
    let (_keep, dir) = spec_copy();
    let (code, out, err) = xtask(
        &dir,
        &[
            "--check",
            "--from",
            &format!("{COMMITTED}/phone-numbers.yml"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("does not match"), "{out}");
}

#[test]
fn normalised_spec_prints_the_openapi_3_0_document_the_generator_reads() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("normalised-spec")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    // Upstream writes `nullable: true` beside a `$ref` (3.0 style, in a 3.1 file); in 3.0 it only
    // takes effect inside a one-element `allOf`.
    let data =
        &doc["components"]["schemas"]["ReputationPhoneNumber"]["properties"]["reputation_data"];
    assert_eq!(data["nullable"], true);
    assert_eq!(
        data["allOf"][0]["$ref"],
        "#/components/schemas/ReputationData"
    );
}

#[test]
fn the_api_crate_builds_from_the_spec_regen_writes() {
    // The api crate reads its own `spec/` (so its package carries the file); it must be this one.
    let api = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/telnyx-reputation-api/spec"
    );
    for f in ["phone-numbers.yml", "phone-numbers.lock"] {
        assert_eq!(
            std::fs::read(format!("{api}/{f}")).unwrap(),
            std::fs::read(format!("{COMMITTED}/{f}")).unwrap(),
            "{f}"
        );
    }
}
