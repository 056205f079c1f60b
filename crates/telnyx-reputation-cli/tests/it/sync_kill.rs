//! `sync --prune` killed with SIGKILL at seeded points and finished by `resume`, over seeded
//! runs (`SYNC_KILL_RUNS`, 12 by default) against one emulator with random faults on (5xx, and
//! associations applied whose answer is lost). Each run has its own enterprise and numbers: a
//! seeded start (numbers missing, extra, and held by another enterprise of the account), a
//! seeded FILE, and a kill once the journal holds a seeded number of lines (condition-based: the
//! journal is polled, a bounded number of times; the process may be between two requests or
//! have one in flight, applied or not). A sync killed before its plan was whole sent nothing and
//! is started again; then `resume` runs until it exits 0, the first one itself killed in a
//! seeded third of the runs. The end state must be exactly FILE minus the conflicts, the other
//! enterprise must keep its numbers, and the ledger must have billed one check per association,
//! no more. A job may end before its kill lands; the verdicts hold either way, so none counts
//! kills.

use crate::common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use common::*;

/// Numbers each run draws from (its own range).
const SPAN: u32 = 40;
/// The enterprise of the account that holds the conflicting numbers.
const OTHER: u128 = 0x0ddb_a110_0000_4000_8000_0000_0000_0000;
/// The faults while syncing and resuming: the rates the hostile tests use, lower, so that the
/// runs stay fast (each retry waits its backoff).
const FAULTS: &str = r#"{"error_rate": 0.04, "commit_then_drop_rate": 0.04, "latency_ms": 2}"#;

fn enterprise(run: u32) -> String {
    uuid::Uuid::from_u128(0x5e11_0000_0000_4000_8000_0000_0000_0000 + u128::from(run)).to_string()
}

/// One API request with the demo key, straight over TCP (no client, no retries); its status,
/// or 0 when the connection was dropped without an answer (an injected fault).
fn request(server: &Server, method: &str, path: &str, body: &str) -> u16 {
    let rest = server.base_url.strip_prefix("http://").unwrap();
    let (authority, prefix) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "{method} {prefix}{path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer demo-key\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut stream, &mut answer);
    answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|s| s.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// Associates `numbers` with `enterprise`, against the faults: sent again only while the
/// emulator's state shows the request was not applied (an injected 5xx applies nothing; a
/// dropped answer may follow an applied request).
fn associate(server: &Server, enterprise: &str, numbers: &[String]) {
    if numbers.is_empty() {
        return;
    }
    let body = serde_json::json!({ "phone_numbers": numbers }).to_string();
    for _ in 0..100 {
        let status = request(
            server,
            "POST",
            &format!("/enterprises/{enterprise}/reputation/numbers"),
            &body,
        );
        if (200..300).contains(&status) || {
            let now = held(server, enterprise);
            numbers.iter().all(|n| now.contains(n))
        } {
            return;
        }
    }
    panic!("seeding {enterprise} never succeeded");
}

/// Disassociates `numbers` from `enterprise`, each until it is answered 2xx or 404.
fn disassociate(server: &Server, enterprise: &str, numbers: &BTreeSet<String>) {
    for n in numbers {
        let path = format!(
            "/enterprises/{enterprise}/reputation/numbers/{}",
            n.replace('+', "%2B")
        );
        let mut tries = 0;
        while !matches!(request(server, "DELETE", &path, ""), 200..=299 | 404) {
            tries += 1;
            assert!(tries < 100, "disassociating {n} never succeeded");
        }
    }
}

/// How a sync or a resume ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Exit 0: the job is done.
    Done,
    /// Exit 3: the server kept failing one of the job's requests, and the all-or-nothing job
    /// ended as it began (rolled back, or failed before anything was associated); or exit 0
    /// from a resume of such a job, which had already ended.
    Failed,
    /// SIGKILLed.
    Killed,
}

/// Runs the binary with `args`; with `kill_at`, SIGKILLs it once the journal holds that many
/// complete lines (polled a bounded number of times), unless it ended first. Any other end
/// than exit 0, exit 3 with a job that ended all or nothing, or the kill fails the test.
fn run_killed(server: &Server, args: &[&str], journal: &Path, kill_at: Option<usize>) -> End {
    // A lost answer is waited out this long before it is looked up.
    let flags = ["-q", "--output", "json", "--timeout", "0.5"];
    let out = run_killed_at(server, &flags, args, journal, kill_at, 60_000);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failed = || {
        // A resume's report is the last JSON document; a sync prints only its plan there, and
        // its journal says how its associations ended (a rollback, or a failure before any).
        let last = serde_json::Deserializer::from_str(&stdout)
            .into_iter::<serde_json::Value>()
            .filter_map(Result::ok)
            .last();
        let journal = std::fs::read_to_string(journal).unwrap_or_default();
        last.is_some_and(|r| r["outcome"] == "rolled_back" || r["outcome"] == "failed")
            || journal.contains(r#"{"event":"finished","outcome":"rolled_back""#)
            || journal.contains(r#"{"event":"rollback_started""#)
    };
    match out.status.code() {
        None => End::Killed,
        // A resume of a job that had already ended says so and exits 0: a sync killed once its
        // rollback was journaled, before it exited, ended as it began all the same.
        Some(0) if failed() => End::Failed,
        Some(0) => End::Done,
        Some(3) if failed() => End::Failed,
        Some(code) => panic!(
            "{args:?} exit {code}: {}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// One run: its enterprise, its FILE, what it must end with, and its seeded draws.
struct Run {
    index: u32,
    enterprise: String,
    universe: Vec<String>,
    file: std::path::PathBuf,
    conflicts: BTreeSet<String>,
    /// FILE minus the conflicts: the enterprise's set at the end.
    want: BTreeSet<String>,
    /// The first plan's associations: each is billed at least once.
    checks: u64,
    /// The associations of every plan made (more than one when a sync failed and ran again):
    /// the most the run may bill.
    planned: u64,
    /// The plan's extras, for the number of journal lines to draw a kill point from.
    extras: usize,
    /// Numbers associated to set the start up (billed too).
    seeded: u64,
    rng: Rng,
}

/// Seeds run `index` on the emulator: numbers on its enterprise, others held by another
/// enterprise of the account, and a FILE drawn from the same numbers.
fn seed(server: &Server, dir: &Path, index: u32) -> Run {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (u64::from(index) + 1).wrapping_mul(0x2545_F491));
    let enterprise = enterprise(index);
    let universe: Vec<String> = numbers(index * SPAN, SPAN)
        .lines()
        .map(str::to_owned)
        .collect();
    let current = rng.subset(&universe, 40);
    let free: Vec<String> = universe
        .iter()
        .filter(|n| !current.contains(n))
        .cloned()
        .collect();
    let conflicts = rng.subset(&free, 20);
    associate(server, &enterprise, &current);
    associate(
        server,
        &uuid::Uuid::from_u128(OTHER).to_string(),
        &conflicts,
    );
    let desired = rng.subset(&universe, 55);
    let file = dir.join(format!("run{index}.txt"));
    std::fs::write(&file, desired.join("\n")).unwrap();
    let want: BTreeSet<String> = desired
        .iter()
        .filter(|n| !conflicts.contains(n))
        .cloned()
        .collect();
    Run {
        index,
        checks: want.iter().filter(|n| !current.contains(n)).count() as u64,
        planned: 0,
        extras: current.iter().filter(|n| !desired.contains(n)).count(),
        seeded: (current.len() + conflicts.len()) as u64,
        enterprise,
        universe,
        file,
        conflicts: conflicts.into_iter().collect(),
        want,
        rng,
    }
}

/// Syncs a run with `--prune` until it converges: each sync SIGKILLed at a seeded journal
/// line, then resumed until a resume ends it (the first resume, seeded, killed too). A job the
/// server failed (exit 3) must have ended as it began, all or nothing; the run then syncs
/// again, as its user would. Returns whether a sync was killed, and how many resumes ran.
fn sync_and_resume(server: &Server, dir: &Path, run: &mut Run) -> (bool, u32) {
    let (mut killed, mut resumes) = (false, 0);
    for round in 0.. {
        assert!(round < 5, "run {}: never converged", run.index);
        let start = held(server, &run.enterprise);
        run.planned += run.want.difference(&start).count() as u64;
        let (was_killed, ran, end) = sync_once(server, dir, run, round);
        killed |= was_killed;
        resumes += ran;
        if end == End::Done {
            return (killed, resumes);
        }
        assert_eq!(
            held(server, &run.enterprise),
            start,
            "run {} round {round}: a failed job leaves the enterprise as it began",
            run.index
        );
    }
    unreachable!()
}

/// One sync of a run and its resumes: whether the sync was killed, how many resumes ran, and
/// how the job ended.
fn sync_once(server: &Server, dir: &Path, run: &mut Run, round: u32) -> (bool, u32, End) {
    let rng = &mut run.rng;
    // About 8 lines before the prune (more with more batches), and one or more per
    // disassociation completed.
    let lines = 12 + run.extras;
    let file = run.file.to_str().unwrap();
    let concurrency = (1 + rng.below(3)).to_string();
    let batch_size = ["5", "10", "100"][rng.below(3) as usize];
    let mut killed = false;
    let mut attempt = 0;
    let (journal, end) = loop {
        let journal = dir.join(format!("run{}.{round}.{attempt}.journal", run.index));
        let journal_arg = journal.to_str().unwrap();
        let at = 1 + rng.below(lines as u64) as usize;
        let end = run_killed(
            server,
            &[
                "sync",
                "--enterprise",
                &run.enterprise,
                file,
                "--prune",
                "--yes",
                // The seeded runs prune any share of their enterprise; the limit is tested in
                // sync_guard.rs.
                "--max-prune",
                "100%",
                "--concurrency",
                &concurrency,
                "--batch-size",
                batch_size,
                "--journal",
                journal_arg,
            ],
            &journal,
            Some(at),
        );
        killed |= end == End::Killed;
        // Killed before its plan was whole, it sent nothing: start it again.
        let planned = journal_has(&journal, "\"event\":\"planned\"");
        if planned || end != End::Killed {
            break (journal, end);
        }
        attempt += 1;
        assert!(attempt < 20, "run {}: never planned", run.index);
    };
    if end != End::Killed {
        return (killed, 0, end);
    }
    let journal_arg = journal.to_str().unwrap();
    let mut resumes = 0;
    loop {
        assert!(resumes < 10, "run {}: resume never finished", run.index);
        let kill_at = rng.resume_kill_point(resumes == 0, &journal);
        resumes += 1;
        let end = run_killed(server, &["resume", journal_arg], &journal, kill_at);
        if end != End::Killed {
            return (killed, resumes, end);
        }
    }
}

/// Checks a finished run against the emulator's state, then takes its numbers off both
/// enterprises, so that the account-wide list every sync reads stays short.
fn verify_and_clear(server: &Server, run: &Run) {
    let other = uuid::Uuid::from_u128(OTHER).to_string();
    assert_eq!(
        held(server, &run.enterprise),
        run.want,
        "run {}: FILE minus the conflicts",
        run.index
    );
    let universe: BTreeSet<String> = run.universe.iter().cloned().collect();
    let elsewhere: BTreeSet<String> = held(server, &other)
        .intersection(&universe)
        .cloned()
        .collect();
    assert_eq!(
        elsewhere, run.conflicts,
        "run {}: the other enterprise keeps its numbers",
        run.index
    );
    disassociate(server, &run.enterprise, &run.want);
    disassociate(server, &other, &run.conflicts);
}

#[test]
fn sync_killed_at_seeded_points_is_finished_by_resume_every_time() {
    // Every verdict below holds for each run, whether its kill landed or the job ended first,
    // so a few runs check every rule, on fewer seeds: 12 (three per worker) in `cargo test`,
    // `SYNC_KILL_RUNS` more (`.ci/run`: 100).
    let runs =
        u32::try_from(runs_from_env("SYNC_KILL_RUNS", 12)).expect("SYNC_KILL_RUNS fits a u32");
    let other = uuid::Uuid::from_u128(OTHER).to_string();
    let mut flags: Vec<String> = vec!["--enterprise".into(), other];
    for run in 0..runs {
        flags.push("--enterprise".into());
        flags.push(enterprise(run));
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = mock_serve(&flags);
    let dir = common::tempdir();

    // Faults on throughout. Runs go four at a time: each has its own enterprise and numbers,
    // so they do not meet, and each is checked, then cleared, as soon as it is finished.
    let before = billed(&server);
    admin(&server, "PUT", "/__mock/faults", FAULTS);
    let next = std::sync::atomic::AtomicU32::new(0);
    let totals = std::sync::Mutex::new((0u32, 0u32, 0u64, 0u64, 0u64));
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if index >= runs {
                        return;
                    }
                    let mut run = seed(&server, dir.path(), index);
                    let (killed, resumes) = sync_and_resume(&server, dir.path(), &mut run);
                    verify_and_clear(&server, &run);
                    let mut t = totals.lock().unwrap();
                    t.0 += u32::from(killed);
                    t.1 += resumes;
                    t.2 += run.checks;
                    t.3 += run.seeded;
                    t.4 += run.planned;
                }
            });
        }
    });
    admin(&server, "PUT", "/__mock/faults", "{}");
    let (killed, resumes, checks, seeded, planned) = totals.into_inner().unwrap();
    // Every association of every first plan (and of every start) was found on its
    // enterprise, so each was billed at least once; a sync the server failed was rolled back
    // and planned again, and may have billed what it associated before the rollback. Nothing
    // is billed beyond the associations of the plans made: with no failed job, each number
    // exactly once.
    let billed = billed(&server) - before;
    assert!(
        (checks + seeded..=planned + seeded).contains(&billed),
        "billed {billed}: at least the first plans' {checks} and the starts' {seeded}, at most \
         every plan's {planned} and the starts'"
    );
    eprintln!(
        "{runs} runs: {killed} killed mid-sync, {resumes} resumes, {checks} checks of first \
         plans, {planned} of all plans, {billed} billed (the starts' {seeded} included)"
    );
}
