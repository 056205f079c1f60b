//! What the end-to-end tests share: running the built binary, and a `mock serve` process on
//! 127.0.0.1 to run it against.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_telnyx-reputation");
pub const ENTERPRISE: &str = "6a09cdc3-8948-47f0-aa62-74ac943d6c58";
/// The `XDG_STATE_HOME` of every run unless a test gives its own: default journals land here.
pub const STATE_HOME: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/state");

pub fn run(args: &[&str], stdin: Option<&str>) -> Output {
    run_env(args, &[], stdin)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn numbers(from: u32, count: u32) -> String {
    (from..from + count)
        .map(|i| format!("+1603{:07}\n", 5_550_000 + i))
        .collect()
}

pub struct Server {
    pub child: Child,
    pub base_url: String,
    // Kept open: the server prints more lines, and a closed pipe would end it.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn mock_serve(extra: &[&str]) -> Server {
    mock_serve_with(extra, &[], Stdio::null())
}

/// [`mock_serve`] with more environment and its standard error sent to `stderr`.
pub fn mock_serve_with(extra: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Server {
    let mut child = Command::new(BIN)
        .args(["mock", "serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let base_url = first
        .trim()
        .strip_prefix("base_url ")
        .expect("first line names the base URL")
        .to_owned();
    Server {
        child,
        base_url,
        _stdout: stdout,
    }
}

pub fn api(server: &Server, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec![
        "--base-url",
        server.base_url.as_str(),
        "--api-key",
        "demo-key",
    ];
    all.extend_from_slice(args);
    run(&all, stdin)
}

pub fn monitored(server: &Server) -> usize {
    let out = api(
        server,
        &["--output", "json", "list", "--enterprise", ENTERPRISE],
        None,
    );
    ok(&out);
    serde_json::from_str::<serde_json::Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the binary with extra environment variables.
pub fn run_env(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    spawn(args, env, stdin.unwrap_or(""))
        .wait_with_output()
        .unwrap()
}

/// Starts the binary with `args` and `env` (and neither `TELNYX_API_KEY` nor `TELNYX_BASE_URL`
/// from the test's environment), `stdin` written and closed, stdout and stderr piped.
pub fn spawn(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Child {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_BASE_URL")
        // Default journals go under the build's scratch directory, never the user's home.
        .env("XDG_STATE_HOME", STATE_HOME)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A command refused before it reads its input (a usage error) may exit first: its exit
    // status and output say so, not a broken pipe here.
    if let Err(e) = pipe.write_all(stdin.as_bytes()) {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {e}"
        );
    }
    drop(pipe);
    child
}

/// A file in `dir` holding `bytes`; its path as text.
pub fn file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Parses CSV output back into records.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// One admin request to the emulator (no key); the JSON body of its answer.
pub fn admin(server: &Server, method: &str, path: &str, body: &str) -> serde_json::Value {
    request(server, method, path, body, None)
}

/// One request to the emulator with the demo account's key (an operation the CLI has no
/// command for); the JSON body of its answer.
pub fn authed(server: &Server, method: &str, path: &str, body: &str) -> serde_json::Value {
    request(server, method, path, body, Some("demo-key"))
}

/// One request to the emulator, with `key` as bearer token when given; the JSON body of its
/// answer.
pub fn request(
    server: &Server,
    method: &str,
    path: &str,
    body: &str,
    key: Option<&str>,
) -> serde_json::Value {
    let auth = key.map_or_else(String::new, |k| format!("Authorization: Bearer {k}\r\n"));
    let authority = server
        .base_url
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .expect("an http base URL");
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\n{auth}Connection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
    let body = answer.split_once("\r\n\r\n").expect("an HTTP answer").1;
    match (body.find('{'), body.rfind('}')) {
        (Some(start), Some(end)) => serde_json::from_str(&body[start..=end]).unwrap(),
        _ => serde_json::Value::Null,
    }
}

/// Polls `ready` until it holds: the state a test waits for before it signals or kills.
/// Bounded, so a job that never gets there fails the test instead of hanging it.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..60_000 {
        if ready() {
            return;
        }
        std::thread::yield_now();
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("never happened: {what}");
}

/// Sends SIGINT to `child`, as Ctrl-C in a terminal does.
pub fn interrupt(child: &Child) {
    signal(child, nix::sys::signal::Signal::SIGINT);
}

/// Sends `signal` to `child`.
pub fn signal(child: &Child, signal: nix::sys::signal::Signal) {
    let pid = i32::try_from(child.id()).expect("a pid fits an i32");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).unwrap();
}

/// Reports an ownership event of a number of [`ENTERPRISE`] through the emulator's admin route,
/// as its daily check would find it (`carrier_changed`, `reverification_due` or
/// `disconnected`); the emulator's answer, checked to name the number.
pub fn ownership_event(server: &Server, number: &str, event: &str) -> serde_json::Value {
    let body = serde_json::json!({
        "enterprise_id": ENTERPRISE,
        "phone_number": number,
        "event": event,
    });
    let answer = admin(server, "POST", "/__mock/ownership", &body.to_string());
    assert_eq!(answer["data"]["phone_number"], number, "{answer}");
    answer
}

/// The numbers `enterprise` monitors, from the emulator's admin route (no key, no faults).
pub fn held(server: &Server, enterprise: &str) -> std::collections::BTreeSet<String> {
    numbers_of(server, enterprise).into_iter().collect()
}

/// The numbers `enterprise` monitors, in E.164 order, from `GET /__mock/numbers` (the numbers
/// alone: a long run's removed numbers and every row's other fields are not read).
pub fn numbers_of(server: &Server, enterprise: &str) -> Vec<String> {
    let path = format!("/__mock/numbers?enterprise_id={enterprise}");
    serde_json::from_value(admin(server, "GET", &path, "")["numbers"].take()).unwrap()
}

/// Checks billed so far by associations (one per number), from the emulator's ledger.
pub fn billed(server: &Server) -> u64 {
    admin(server, "GET", "/__mock/billing", "")["associate"]
        .as_u64()
        .unwrap()
}

/// The number of complete lines of the journal at `path` (0 while it does not exist).
pub fn journal_lines(path: &std::path::Path) -> usize {
    LineCount::default().update(path)
}

/// SIGKILLs `child` once its journal at `path` holds `at` complete lines, unless it ends
/// first: no handler runs and nothing is flushed, as a power cut would leave it. Polled at most
/// `max_tries` times, so a job that never gets there fails the test instead of hanging it.
pub fn kill_at_journal_line(
    child: &mut std::process::Child,
    path: &std::path::Path,
    at: usize,
    max_tries: u32,
) {
    let mut lines = LineCount::default();
    for _ in 0..max_tries {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        if lines.update(path) >= at {
            child.kill().unwrap();
            return;
        }
        std::thread::yield_now();
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    panic!("the journal never reached {at} lines");
}

/// The complete lines of a growing journal, counted over the bytes appended since the last
/// look: a poll every millisecond of a journal of many megabytes (a 100,000-number job's)
/// reads what it has not read yet, not the whole file again. A file replaced at the path (a
/// new inode, or shorter than what was read) is counted again from its start.
#[derive(Default)]
struct LineCount {
    inode: u64,
    read: u64,
    lines: usize,
}

impl LineCount {
    /// The count now (0 while the file does not exist).
    fn update(&mut self, path: &std::path::Path) -> usize {
        use std::io::{Read, Seek};
        use std::os::unix::fs::MetadataExt;
        let Ok(mut file) = std::fs::File::open(path) else {
            return 0;
        };
        let meta = file.metadata().unwrap();
        if meta.ino() != self.inode || meta.len() < self.read {
            *self = LineCount {
                inode: meta.ino(),
                ..LineCount::default()
            };
        }
        file.seek(std::io::SeekFrom::Start(self.read)).unwrap();
        let mut appended = Vec::new();
        file.read_to_end(&mut appended).unwrap();
        self.read += appended.len() as u64;
        self.lines += appended.iter().filter(|b| **b == b'\n').count();
        self.lines
    }
}

/// How many randomized runs a test makes: `var` from the environment, else `default`, the
/// small count `cargo test` runs. `.ci/run` sets the full counts (its header lists them).
pub fn runs_from_env(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{var}={v:?} is not a count of runs")),
        Err(_) => default,
    }
}

/// A seeded xorshift, so that a failing randomized round or run repeats from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// The next 64 bits: xorshift64 (13, 7, 17).
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// One of `from`, drawn evenly.
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }

    /// The numbers of `from` kept by a draw of `per_100` in 100 each.
    pub fn subset(&mut self, from: &[String], per_100: u64) -> Vec<String> {
        from.iter()
            .filter(|_| self.below(100) < per_100)
            .cloned()
            .collect()
    }

    /// Where to SIGKILL a resume: for the first resume of a job (`first`), in a seeded third of
    /// the draws, 1 to 4 lines past what the journal at `journal` holds now; otherwise never.
    pub fn resume_kill_point(&mut self, first: bool, journal: &std::path::Path) -> Option<usize> {
        (first && self.below(3) == 0).then(|| journal_lines(journal) + 1 + self.below(4) as usize)
    }
}

/// Runs the binary against `server` with `flags`, then `args` (the demo key, default journals
/// under [`STATE_HOME`], no stdin); with `kill_at`, SIGKILLs it once `journal` holds that many
/// complete lines, unless it ended first (polled at most `max_tries` times). Its output.
pub fn run_killed_at(
    server: &Server,
    flags: &[&str],
    args: &[&str],
    journal: &std::path::Path,
    kill_at: Option<usize>,
    max_tries: u32,
) -> Output {
    let mut child = Command::new(BIN)
        .args(["--base-url", &server.base_url])
        .args(flags)
        .args(args)
        .env("TELNYX_API_KEY", "demo-key")
        .env("XDG_STATE_HOME", STATE_HOME)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(at) = kill_at {
        kill_at_journal_line(&mut child, journal, at, max_tries);
    }
    child.wait_with_output().unwrap()
}

/// Whether the journal at `path` holds `text` (false while it does not exist).
pub fn journal_has(path: &std::path::Path, text: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.contains(text))
}

/// A scratch directory, removed when dropped, and the path of a journal `name` in it (not yet
/// written).
pub fn scratch_journal(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempdir();
    let journal = dir.path().join(name);
    (dir, journal)
}

/// `associate` of the demo enterprise in batches of 10 sent one at a time, then `extra`.
pub fn associate_by_tens<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["associate", "--enterprise", ENTERPRISE];
    args.extend(["--batch-size", "10", "--concurrency", "1"]);
    args.extend_from_slice(extra);
    args
}

/// Associates numbers `from..from+count` with the demo enterprise (no journal), and checks that
/// the command exits 0.
pub fn seed_numbers(server: &Server, from: u32, count: u32) {
    let out = api(
        server,
        &["associate", "--enterprise", ENTERPRISE, "--no-journal", "-"],
        Some(&numbers(from, count)),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The numbers of `text`, one a line, as a set.
pub fn number_set(text: &str) -> std::collections::BTreeSet<String> {
    text.lines().map(str::to_owned).collect()
}

/// The emulator's count of API requests served so far.
pub fn requests(server: &Server) -> u64 {
    admin(server, "GET", "/__mock/stats", "")["requests"]
        .as_u64()
        .unwrap()
}

/// A sync to stop mid-way: an emulator that answers each request 20 ms after it arrives, with
/// numbers `0..held` on the demo enterprise, and FILE (`inventory.txt`) of the numbers `0..keep`
/// and `100..100 + add` in a scratch directory, removed when dropped. The emulator, the
/// directory, FILE's text, FILE's path, and the path of the job's journal there (`sync.journal`,
/// not yet written).
pub fn slow_sync(
    held: u32,
    keep: u32,
    add: u32,
) -> (
    Server,
    tempfile::TempDir,
    String,
    String,
    std::path::PathBuf,
) {
    let server = mock_serve(&["--latency-ms", "20"]);
    seed_numbers(&server, 0, held);
    let dir = tempdir();
    let wanted = format!("{}{}", numbers(0, keep), numbers(100, add));
    let path = file(&dir, "inventory.txt", wanted.as_bytes());
    let journal = dir.path().join("sync.journal");
    (server, dir, wanted, path, journal)
}

/// Waits until the journal at `journal` holds `text` (`what`, in the failure of a job that never
/// writes it), sends SIGINT to `child` and waits for it to end; its output.
pub fn interrupt_at_journal(
    child: Child,
    journal: &std::path::Path,
    what: &str,
    text: &str,
) -> Output {
    wait_until(what, || journal_has(journal, text));
    interrupt(&child);
    child.wait_with_output().unwrap()
}

/// Checks that standard error `err` names the `resume` and the `rollback` of the journal at
/// `path`, the commands that go on from a job stopped mid-way.
pub fn assert_names_resume_and_rollback(err: &str, path: &str) {
    for command in ["resume", "rollback"] {
        let line = format!("telnyx-reputation {command} {path}");
        assert!(err.contains(&line), "{err}");
    }
}

/// Checks that the command exited 0; its standard error in the failure.
pub fn ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
}

/// Runs `associate` of the demo enterprise against the built-in emulator (`--mock`), its report
/// as JSON, with `extra` arguments and `stdin`.
pub fn associate_on_mock(extra: &[&str], stdin: Option<&str>) -> Output {
    let mut args = vec!["--mock", "--output", "json", "associate"];
    args.extend(["--enterprise", ENTERPRISE]);
    args.extend_from_slice(extra);
    run(&args, stdin)
}

/// `sync --prune --yes` of the demo enterprise to FILE `file`, pruning at most `max` numbers.
pub fn sync_prune<'a>(file: &'a str, max: &'a str) -> Vec<&'a str> {
    let mut args = vec!["sync", "--enterprise", ENTERPRISE, file];
    args.extend(["--prune", "--yes", "--max-prune", max]);
    args
}

/// A temporary directory for a test's journals and files: on the memory file system
/// (`/dev/shm`) where there is one, else the system's temporary directory. A job fsyncs each
/// journal line it writes, and on a disk those fsyncs are most of a journaled test's time; on
/// a memory file system they cost nothing.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .unwrap()
}
