//! The built command against servers of our own that misbehave, run in the test process on
//! 127.0.0.1: HTML and wrong-shape 2xx answers, a 201 that confirms nothing, endless and
//! looping lists, 401, an unknown enterprise, a body that never ends, a server that never
//! answers, and a redirect to another origin.
//!
//! Each case asserts the exit code, what the server saw, and that the command ended (a
//! generous outer timeout fails the test; no timing is asserted). Where memory is at stake the
//! server samples the command's peak resident memory (`VmHWM` in `/proc/PID/status`, Linux) as
//! it serves it, and the case asserts a bound.

use std::process::{Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

const BIN: &str = env!("CARGO_BIN_EXE_telnyx-reputation");
const ENTERPRISE: &str = "6a09cdc3-8948-47f0-aa62-74ac943d6c58";
/// Far longer than any case needs; reaching it fails the test (the command hung).
const OUTER_TIMEOUT: Duration = Duration::from_secs(90);
const MIB: u64 = 1024 * 1024;

/// What a server saw, and the command's peak memory as the server sampled it.
#[derive(Default)]
struct Seen {
    gets: AtomicU64,
    posts: AtomicU64,
    deletes: AtomicU64,
    body_bytes_sent: AtomicU64,
    /// The command's process id, once started.
    pid: AtomicU32,
    /// The command's peak resident memory in KiB, sampled at each request and body chunk.
    peak_rss_kib: AtomicU64,
}

impl Seen {
    fn count(&self, method: &Method) {
        match *method {
            Method::POST => &self.posts,
            Method::DELETE => &self.deletes,
            _ => &self.gets,
        }
        .fetch_add(1, Ordering::SeqCst);
        self.sample_memory();
    }

    /// Reads the command's `VmHWM` (peak resident set) while it runs.
    fn sample_memory(&self) {
        let pid = self.pid.load(Ordering::SeqCst);
        if pid == 0 {
            return;
        }
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            return;
        };
        let peak = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
        if let Some(kib) = peak {
            self.peak_rss_kib.fetch_max(kib, Ordering::SeqCst);
        }
    }

    fn requests(&self) -> u64 {
        self.gets.load(Ordering::SeqCst)
            + self.posts.load(Ordering::SeqCst)
            + self.deletes.load(Ordering::SeqCst)
    }

    fn posts(&self) -> u64 {
        self.posts.load(Ordering::SeqCst)
    }

    fn deletes(&self) -> u64 {
        self.deletes.load(Ordering::SeqCst)
    }

    /// Asserts that the command's sampled peak memory stayed under `mib` (where it could be
    /// sampled: on Linux, once the command was running).
    fn assert_peak_memory_under(&self, mib: u64) {
        let kib = self.peak_rss_kib.load(Ordering::SeqCst);
        println!("the command's sampled peak memory: {} KiB", kib);
        if cfg!(target_os = "linux") {
            assert!(kib > 0, "the command's memory was never sampled");
        }
        assert!(
            kib * 1024 < mib * MIB,
            "the command peaked at {} MiB, over {mib} MiB",
            kib / 1024
        );
    }
}

/// Serves `answer(method, uri, seen)` for every request on a free loopback port (`None`: the
/// request is never answered); returns the base URL and what the server saw.
async fn serve_or_hang<F>(answer: F) -> (String, Arc<Seen>)
where
    F: Fn(&Method, &Uri, &Arc<Seen>) -> Option<Response> + Clone + Send + Sync + 'static,
{
    let seen = Arc::new(Seen::default());
    let counted = seen.clone();
    let router = Router::new().fallback(move |method: Method, uri: Uri| {
        counted.count(&method);
        let response = answer(&method, &uri, &counted);
        async move {
            match response {
                Some(response) => response,
                None => std::future::pending().await,
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}"), seen)
}

/// Serves `answer(method, uri, seen)` for every request; see [`serve_or_hang`].
async fn serve<F>(answer: F) -> (String, Arc<Seen>)
where
    F: Fn(&Method, &Uri, &Arc<Seen>) -> Response + Clone + Send + Sync + 'static,
{
    serve_or_hang(move |method, uri, seen| Some(answer(method, uri, seen))).await
}

/// Runs the command against `base_url` with a key and `args`; fails the test when
/// it has not ended by [`OUTER_TIMEOUT`] (the command is then killed).
async fn cli(base_url: &str, seen: &Seen, args: &[&str]) -> Output {
    // Whatever the command keeps (a default journal) stays in a directory of its own.
    let state = crate::common::tempdir();
    let mut child = tokio::process::Command::new(BIN)
        .args(["--base-url", base_url, "-q"])
        .args(args)
        .env_remove("TELNYX_BASE_URL")
        .env("XDG_STATE_HOME", state.path())
        .env("HOME", state.path())
        .env("TELNYX_API_KEY", "test-key")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    if let Some(pid) = child.id() {
        seen.pid.store(pid, Ordering::SeqCst);
    }
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let read = |mut pipe: Box<dyn tokio::io::AsyncRead + Unpin + Send>| async move {
        let mut bytes = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut pipe, &mut bytes)
            .await
            .unwrap();
        bytes
    };
    let run = async {
        let (out, err, status) =
            tokio::join!(read(Box::new(stdout)), read(Box::new(stderr)), child.wait());
        Output {
            status: status.unwrap(),
            stdout: out,
            stderr: err,
        }
    };
    match tokio::time::timeout(OUTER_TIMEOUT, run).await {
        Ok(output) => output,
        Err(_) => panic!("`{}` did not end within {OUTER_TIMEOUT:?}", args.join(" ")),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts the exit code, showing stderr when it is not the one expected.
fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: stderr: {}",
        text(&out.stderr)
    );
}

fn json(status: StatusCode, body: impl Into<String>) -> Response {
    (status, [("content-type", "application/json")], body.into()).into_response()
}

const NUMBERS: [&str; 4] = [
    "+16035550001",
    "+16035550002",
    "+16035550003",
    "+16035550004",
];

/// `associate` of [`NUMBERS`], one batch at a time, then the other subcommands with `scope`
/// (extra flags, such as `--enterprise`): the exit code each one ends with.
async fn every_subcommand(base_url: &str, seen: &Seen, scope: &[&str]) -> Vec<(String, Output)> {
    let mut associate = vec![
        "associate",
        "--enterprise",
        ENTERPRISE,
        "--concurrency",
        "1",
        "--batch-size",
        "2",
    ];
    associate.extend(NUMBERS);
    let mut runs = vec![associate];
    for command in [
        vec!["list"],
        vec!["get", NUMBERS[0]],
        vec!["disassociate", NUMBERS[0]],
    ] {
        let mut args = command;
        args.extend_from_slice(scope);
        runs.push(args);
    }
    let mut outputs = Vec::new();
    for args in runs {
        // An answer it cannot read leaves a job's request in doubt, looked up once the timeout
        // of an attempt has passed (twice): 0.5 s, as in the test of a 201 that confirms
        // nothing, since these servers answer at once and the default 30 s is no part of the
        // test.
        let timed = [&["--timeout", "0.5"], args.as_slice()].concat();
        let out = cli(base_url, seen, &timed).await;
        outputs.push((args[0].to_owned(), out));
    }
    outputs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_2xx_is_a_protocol_failure_on_every_subcommand() {
    let (api, seen) = serve(|method, _, _| {
        let status = if method == Method::POST {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        (
            status,
            [("content-type", "text/html")],
            "<html><body>Service Unavailable</body></html>",
        )
            .into_response()
    })
    .await;
    for (command, out) in every_subcommand(&api, &seen, &[]).await {
        assert_exit(&out, 3, &command);
    }
    // The billable associate was sent once, never again on an answer it could not read.
    assert_eq!(seen.posts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_shape_json_2xx_is_a_protocol_failure_on_every_subcommand() {
    let (api, seen) = serve(|method, _, _| {
        let status = if method == Method::POST {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        json(status, r#"{"data":"not a list","meta":[1,2,3]}"#)
    })
    .await;
    for (command, out) in every_subcommand(&api, &seen, &[]).await {
        assert_exit(&out, 3, &command);
    }
    assert_eq!(seen.posts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_201_that_confirms_nothing_associates_nothing_and_is_sent_at_most_twice() {
    // Every associate answers 201 with no data, and no lookup ever finds a number.
    let (api, seen) = serve(|method, _, _| {
        if method == Method::POST {
            json(StatusCode::CREATED, r#"{"data":[]}"#)
        } else {
            json(
                StatusCode::OK,
                r#"{"data":[],"meta":{"page_number":1,"page_size":1,"total_pages":0,"total_results":0}}"#,
            )
        }
    })
    .await;
    // Two lookups a timeout apart prove each send not applied: a short timeout keeps it quick.
    let mut args = vec![
        "--output",
        "json",
        "--timeout",
        "0.5",
        "associate",
        "--enterprise",
        ENTERPRISE,
    ];
    args.extend(NUMBERS);
    let out = cli(&api, &seen, &args).await;
    assert_exit(&out, 3, "associate");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["associated"].as_array().unwrap().len(),
        0,
        "{report}"
    );
    assert_eq!(report["failed"].as_array().unwrap().len(), 4, "{report}");
    // Proved not applied once, sent once more, and then not again.
    assert_eq!(seen.posts(), 2);
    assert_eq!(seen.deletes(), 0);
}

/// A page of 100 numbers starting at row `first`, saying it is page `number` of `total_pages`.
fn full_page(first: u64, number: u64, total_pages: u64) -> String {
    let rows: Vec<String> = (first..first + 100)
        .map(|i| {
            format!(
                r#"{{"phone_number":"+1{:010}","enterprise_id":"{ENTERPRISE}"}}"#,
                2_015_550_000u64 + i
            )
        })
        .collect();
    format!(
        r#"{{"data":[{}],"meta":{{"page_number":{number},"page_size":100,"total_pages":{total_pages},"total_results":{}}}}}"#,
        rows.join(","),
        total_pages.saturating_mul(100)
    )
}

fn page_number(uri: &Uri) -> u64 {
    uri.query()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == "page[number]" || k == "page%5Bnumber%5D").then(|| v.parse().ok())?
        })
        .unwrap_or(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_claiming_more_pages_than_the_limit_ends_at_once_with_exit_3() {
    // Full pages of new numbers for ever, the first saying there are 10^16 pages.
    let (api, seen) = serve(|_, uri, _| {
        let n = page_number(uri);
        json(
            StatusCode::OK,
            full_page((n - 1) * 100, n, 10_000_000_000_000_000),
        )
    })
    .await;
    for (format, flags) in [("csv", &[][..]), ("table", &["--max-pages", "300"][..])] {
        let before = seen.requests();
        let mut args = vec!["--output", format, "list"];
        args.extend_from_slice(flags);
        let out = cli(&api, &seen, &args).await;
        assert_exit(&out, 3, format);
        let err = text(&out.stderr);
        assert!(
            err.contains("the first page says the list has 10000000000000000 pages"),
            "{format}: {err}"
        );
        assert_eq!(seen.requests() - before, 1, "{format}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_list_streams_to_its_last_page_in_bounded_memory() {
    // 300 full pages of new numbers.
    let (api, seen) = serve(|_, uri, _| {
        let n = page_number(uri);
        json(StatusCode::OK, full_page((n - 1) * 100, n, 300))
    })
    .await;
    for format in ["csv", "table"] {
        let before = seen.requests();
        let out = cli(
            &api,
            &seen,
            &["--output", format, "list", "--max-pages", "300"],
        )
        .await;
        assert_exit(&out, 0, format);
        assert_eq!(seen.requests() - before, 300, "{format}");
        // Every row of every page was written (header and 30,000 rows).
        assert_eq!(text(&out.stdout).lines().count(), 30_001, "{format}");
    }
    seen.assert_peak_memory_under(64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_whose_pages_repeat_ends_at_the_second_page() {
    // The same page whatever page is asked for, its number echoed back, and a total of 1,000.
    let (api, seen) = serve(|_, uri, _| {
        let n = page_number(uri);
        json(StatusCode::OK, full_page(0, n, 1_000))
    })
    .await;
    let out = cli(&api, &seen, &["--output", "csv", "list"]).await;
    assert_exit(&out, 3, "list");
    assert!(
        text(&out.stderr).contains("repeats page 1"),
        "{}",
        text(&out.stderr)
    );
    // Page 1, then the page window (two pages ahead at concurrency 1): page 2 (the repeat) and
    // page 3, and page 4, which the window asks for as page 2 is taken from it, before the walk
    // reads page 2. Pages 3 and 4 reach the server only if they were sent before the walk's
    // error dropped the window; nothing past the window is asked for.
    assert!((2..=4).contains(&seen.requests()), "{}", seen.requests());
    assert_eq!(text(&out.stdout).lines().count(), 101);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_is_exit_1_on_every_subcommand_and_a_job_tries_no_rollback_with_the_key() {
    let (api, seen) = serve(|_, _, _| {
        json(
            StatusCode::UNAUTHORIZED,
            r#"{"errors":[{"code":"10001","title":"Unauthorized","detail":"missing or invalid API key"}]}"#,
        )
    })
    .await;
    let outputs = every_subcommand(&api, &seen, &[]).await;
    for (command, out) in &outputs {
        assert_exit(out, 1, command);
    }
    // associate: one batch refused, the next never sent, and no lookup or disassociation
    // with a key the API refused. list, get and disassociate: one request each.
    assert_eq!(seen.posts(), 1);
    assert_eq!(seen.deletes(), 1);
    assert_eq!(seen.requests(), 4);
    let report = text(&outputs[0].1.stdout);
    assert!(report.contains("no rollback was tried"), "{report}");

    // resume and rollback of a job's journal: exit 1 too.
    let dir = crate::common::tempdir();
    let journal = dir.path().join("job.journal");
    let journal = journal.to_str().unwrap();
    let mut args = vec![
        "associate",
        "--enterprise",
        ENTERPRISE,
        "--journal",
        journal,
    ];
    args.extend(NUMBERS);
    assert_exit(&cli(&api, &seen, &args).await, 1, "associate --journal");
    for command in ["resume", "rollback"] {
        assert_exit(&cli(&api, &seen, &[command, journal]).await, 1, command);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_enterprise_is_exit_1_on_every_subcommand() {
    let (api, seen) = serve(|_, _, _| {
        json(
            StatusCode::NOT_FOUND,
            r#"{"errors":[{"code":"10009","title":"Not Found","detail":"enterprise not found"}]}"#,
        )
    })
    .await;
    let outputs = every_subcommand(&api, &seen, &["--enterprise", ENTERPRISE]).await;
    for (command, out) in &outputs {
        assert_exit(out, 1, command);
    }
    assert_eq!(seen.posts(), 1);
    assert_eq!(seen.requests(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_ends_is_read_only_to_the_limit() {
    // A 200 whose JSON never ends: spaces for ever, counted as they are written.
    let (api, seen) = serve(|_, _, seen| {
        let seen = seen.clone();
        let chunks = endless_spaces(seen);
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            Body::from_stream(chunks),
        )
            .into_response()
    })
    .await;
    let out = cli(&api, &seen, &["list"]).await;
    assert_exit(&out, 3, "list");
    assert!(
        text(&out.stderr).contains("larger than"),
        "{}",
        text(&out.stderr)
    );
    // The default limit is 16 MiB: the server wrote that, and what the socket buffers took
    // beyond it, not gigabytes; the command never held much more than the limit.
    let sent = seen.body_bytes_sent.load(Ordering::SeqCst);
    assert!(sent < 48 * MIB, "the server wrote {} MiB", sent / MIB);
    seen.assert_peak_memory_under(64);
}

/// An endless stream of 64 KiB chunks of spaces, counting what is written and sampling the
/// command's memory as it goes.
fn endless_spaces(
    seen: Arc<Seen>,
) -> impl futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> {
    futures::stream::repeat_with(move || {
        seen.body_bytes_sent.fetch_add(64 * 1024, Ordering::SeqCst);
        seen.sample_memory();
        Ok(bytes::Bytes::from(vec![b' '; 64 * 1024]))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_ends_the_command_by_the_timeouts() {
    // Requests are read and never answered.
    let (api, seen) = serve_or_hang(|_, _, _| None).await;
    // Nothing ever answers, so the shortest timeouts prove as much as any.
    let quick = ["--timeout", "0.5", "--stall-timeout", "1", "--retries", "0"];
    let mut list = quick.to_vec();
    list.push("list");
    let out = cli(&api, &seen, &list).await;
    assert_exit(&out, 3, "list");

    let posts = seen.posts();
    let mut associate = quick.to_vec();
    associate.extend(["associate", "--enterprise", ENTERPRISE]);
    associate.extend(NUMBERS);
    let out = cli(&api, &seen, &associate).await;
    assert_exit(&out, 3, "associate");
    assert!(
        text(&out.stdout).contains("outcome unknown") || text(&out.stderr).contains("unknown"),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // The associate whose answer never came is not sent again blindly.
    assert_eq!(seen.posts() - posts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_origin_sends_it_nothing() {
    let (elsewhere, elsewhere_seen) = serve(|_, _, _| json(StatusCode::OK, r#"{"data":[]}"#)).await;
    let (api, seen) = serve(move |_, uri, _| {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [("location", format!("{elsewhere}{uri}"))],
        )
            .into_response()
    })
    .await;
    for (command, out) in every_subcommand(&api, &seen, &[]).await {
        // The API documents no redirects: an answer it does not describe.
        assert_exit(&out, 3, &command);
    }
    assert_eq!(elsewhere_seen.requests(), 0);
}
