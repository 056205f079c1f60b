//! The billing promise when outcomes are uncertain, end to end: `associate`, `refresh`,
//! `remediation submit` and `sync --prune` against `mock serve` processes whose reads see writes
//! late, whose clock is skewed from ours and whose writes land after their answers timed out (or
//! are lost), each job SIGKILLed at a seeded point and finished by `resume`. After every round
//! the emulator's ledger must have billed exactly one event per number the job meant to bill,
//! and the state must be what the user asked: for a sync, the enterprise's numbers exactly its
//! FILE (some of the numbers it held kept, some pruned, new ones added), with one associate
//! check billed per number FILE added and none for those it already held.
//!
//! The rounds are randomized but seeded (a failing round repeats from its number); how many
//! come from `SOAK_ROUNDS` (default 8, which runs each operation twice, once killed and once
//! not, and draws every fault on in some rounds and off in others; the test checks both at
//! 8 rounds or more; `.ci/run` runs 16). A large refresh killed mid-way and resumed has a test
//! of its own, of `SOAK_REFRESH_NUMBERS` numbers (default 3,000; `.ci/run` runs 100,000).

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;

/// Each request's timeout: a lost answer is waited out this long before the first lookup, and
/// as long again before the second.
const TIMEOUT: &str = "0.6";

fn rounds() -> u32 {
    u32::try_from(runs_from_env("SOAK_ROUNDS", 8)).expect("SOAK_ROUNDS fits a u32")
}

/// The numbers of the large refresh: a multiple of 100 (a batch), at least 1,000.
fn refresh_numbers() -> usize {
    let n = usize::try_from(runs_from_env("SOAK_REFRESH_NUMBERS", 3_000))
        .expect("SOAK_REFRESH_NUMBERS fits a usize");
    assert!(
        n >= 1_000 && n % 100 == 0,
        "SOAK_REFRESH_NUMBERS is a multiple of 100 from 1000: {n}"
    );
    n
}

/// The ledger's count for `kind` (`associate`, `refresh`, `remediation`).
fn ledger(server: &Server, kind: &str) -> u64 {
    admin(server, "GET", "/__mock/billing", "")[kind]
        .as_u64()
        .unwrap()
}

/// How a command ended.
enum End {
    /// SIGKILLed.
    Killed,
    /// Exited 0, with its stdout.
    Done(String),
}

/// Runs the binary with `args` against the server; with `kill_at`, SIGKILLs it once `journal`
/// holds that many complete lines, unless it ended first. Any exit but 0 fails the test.
fn run_killed(server: &Server, args: &[&str], journal: &Path, kill_at: Option<usize>) -> End {
    let flags = ["-q", "--yes", "--output", "json", "--timeout", TIMEOUT];
    let out = run_killed_at(server, &flags, args, journal, kill_at, 120_000);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    match out.status.code() {
        None => End::Killed,
        Some(0) => End::Done(stdout),
        Some(code) => panic!(
            "{args:?} exit {code}: {}{stdout}\njournal:\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(journal).unwrap_or_default()
        ),
    }
}

/// Runs a job killed at a seeded journal line (started again while killed before its plan was
/// whole, since it then sent nothing), then `resume` until one ends it, the first one killed
/// too in a seeded third of the runs. Returns the last command's stdout, and whether a kill
/// landed.
fn run_and_resume(
    server: &Server,
    dir: &Path,
    name: &str,
    args: &[&str],
    kill_at: Option<usize>,
    rng: &mut Rng,
) -> (String, bool) {
    for attempt in 0..2 {
        let journal = dir.join(format!("{name}.{attempt}.journal"));
        let journal_arg = journal.to_str().unwrap();
        let mut with_journal = args.to_vec();
        with_journal.extend(["--journal", journal_arg]);
        // Started again without a kill when the first was killed before its plan was whole.
        let kill_at = kill_at.filter(|_| attempt == 0);
        let end = run_killed(server, &with_journal, &journal, kill_at);
        if let End::Done(out) = end {
            return (out, false);
        }
        if !journal_has(&journal, "\"event\":\"planned\"") {
            continue;
        }
        for resumes in 0..10 {
            let kill_at = rng.resume_kill_point(resumes == 0, &journal);
            if let End::Done(out) = run_killed(server, &["resume", journal_arg], &journal, kill_at)
            {
                return (out, true);
            }
        }
        panic!("{name}: resume never finished");
    }
    panic!("{name}: never planned");
}

/// The rows of a refresh's or remediation's JSON report, by status.
fn statuses(out: &str) -> Vec<(String, String)> {
    let rows: serde_json::Value =
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["input"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Associates `numbers` with no faults on but the emulator's clock `skew_ms` from ours (their
/// records dated so), as setup.
fn monitor(server: &Server, numbers: &str, skew_ms: i64) {
    admin(
        server,
        "PUT",
        "/__mock/faults",
        &format!(r#"{{"clock_skew_ms": {skew_ms}}}"#),
    );
    let out = api(
        server,
        &[
            "-q",
            "associate",
            "--enterprise",
            ENTERPRISE,
            "--no-journal",
        ],
        Some(numbers),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    admin(server, "PUT", "/__mock/faults", "{}");
}

/// A sync round's FILE: the enterprise's numbers but a seeded few extras, and `new`. Its
/// numbers, and how many extras it leaves out.
///
/// The extras are drawn from the numbers the server's clock, as it is now, dates well before
/// now: the rounds change the emulator's skew, and a number dated after the plan by a clock
/// since moved back is rightly kept by a resumed prune as associated again since (its own
/// test is in sync_guard.rs).
fn inventory(server: &Server, new: &str, rng: &mut Rng) -> (BTreeSet<String>, usize) {
    let date = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let now = date(&admin(server, "GET", "/__mock/clock", "")["now"]);
    let settled = now - chrono::TimeDelta::seconds(10);
    let mut file = BTreeSet::new();
    let mut extras = 0;
    let path = format!("/__mock/state?enterprise_id={ENTERPRISE}");
    for a in admin(server, "GET", &path, "")["associations"]
        .as_array()
        .unwrap()
    {
        let number = a["phone_number"].as_str().unwrap().to_owned();
        if extras < 15 && date(&a["created_at"]) < settled && rng.below(4) == 0 {
            extras += 1;
        } else {
            file.insert(number);
        }
    }
    file.extend(new.lines().map(str::to_owned));
    (file, extras)
}

/// What a round drew: its operation, whether a kill was aimed, and which faults were on (slow
/// commits, lag, skew, lost answers).
type Drawn = (&'static str, bool, [bool; 4]);

/// Runs soak round `round` against `server`, its files in `dir`, and checks what it billed and
/// left; gives what it drew.
fn soak_round(server: &Server, dir: &Path, round: u32) -> Drawn {
    let mut rng = Rng(0x5EED_0000_0000_0001 ^ (u64::from(round) + 1).wrapping_mul(0x9E37_79B9));
    let operation = ["associate", "refresh", "remediation", "sync"][round as usize % 4];
    let count = 20 + rng.below(60) as u32;
    let inputs = numbers(round * 100, count);
    // What the job bills (a sync: the numbers its FILE adds, none of which the enterprise
    // holds).
    let wanted: BTreeSet<String> = inputs.lines().map(str::to_owned).collect();
    match operation {
        "refresh" | "remediation" => monitor(server, &inputs, 0),
        // Numbers of the round the enterprise has held for two hours (associated with the
        // emulator's clock set back), for its FILE to keep or prune, as it does the numbers
        // of the rounds before.
        "sync" => monitor(server, &numbers(round * 100 + 80, 20), -7_200_000),
        _ => {}
    }
    // Lag and slow commits within what the timeout proves (seen by the second lookup, a
    // timeout after the first), any skew, and lost answers.
    let lag = rng.pick(&["0", "100", "200"]);
    let slow = rng.pick(&["0", "700"]);
    let skew = rng.pick(&["0", "-3600000", "5400000", "-2500"]);
    let drop = rng.pick(&["0", "0.15"]);
    let faults = format!(
        r#"{{"list_lag_ms": {lag}, "slow_commit_ms": {slow}, "slow_commit_rate": 0.3, "clock_skew_ms": {skew}, "commit_then_drop_rate": {drop}}}"#
    );
    let kind = if operation == "sync" {
        "associate"
    } else {
        operation
    };
    let before = ledger(server, kind);
    admin(server, "PUT", "/__mock/faults", &faults);
    // A sync's FILE is drawn with this round's faults on, its skew included.
    let (inventory, extras) = match operation {
        "sync" => inventory(server, &inputs, &mut rng),
        _ => (wanted.clone(), 0),
    };
    eprintln!("round {round}: {operation} {faults}, {extras} extras");
    if operation == "sync" {
        let added: BTreeSet<String> = inventory
            .difference(&held(server, ENTERPRISE))
            .cloned()
            .collect();
        assert_eq!(
            added, wanted,
            "round {round}: FILE adds the round's new numbers"
        );
    }
    let text = match operation {
        "sync" => inventory.iter().map(|n| format!("{n}\n")).collect(),
        _ => inputs.clone(),
    };
    let file = dir.join(format!("round{round}.txt"));
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap().to_owned();
    let batch = rng.pick(&["5", "10", "20"]);
    let concurrency = rng.pick(&["1", "2", "3"]);
    let mut args: Vec<&str> = match operation {
        "associate" => vec!["associate"],
        "refresh" => vec!["refresh"],
        // A prune of any share: `--yes` is given to every command.
        "sync" => vec!["sync", "--prune", "--max-prune", "100%"],
        _ => vec![
            "remediation",
            "submit",
            "--call-purpose",
            "appointment reminders",
        ],
    };
    args.extend([
        "--enterprise",
        ENTERPRISE,
        "--batch-size",
        batch,
        "--concurrency",
        concurrency,
        &file,
    ]);
    // Killed in every other set of four rounds, at a seeded line of the plan, of the sends
    // (each batch writes its plan line, then an attempt and an outcome at least) or of a
    // sync's prune (a line or more per extra).
    let batches = u64::from(count).div_ceil(batch.parse().unwrap());
    let prune_lines = if extras > 0 { 2 + extras as u64 } else { 0 };
    let kill_at = (round / 4)
        .is_multiple_of(2)
        .then(|| 2 + rng.below(3 * batches + prune_lines) as usize);
    let name = format!("round{round}");
    let (out, killed) = run_and_resume(server, dir, &name, &args, kill_at, &mut rng);
    admin(server, "PUT", "/__mock/faults", "{}");
    // Whether a kill was aimed, not whether it landed: a fast job may end before its line.
    let drawn = (
        operation,
        kill_at.is_some(),
        [slow != "0", lag != "0", skew != "0", drop != "0"],
    );
    eprintln!("round {round}: killed {killed}");
    let billed = ledger(server, kind) - before;
    let context =
        format!("round {round} ({operation}, faults {faults}, killed {killed}, {extras} extras)");
    assert_eq!(
        billed,
        u64::from(count),
        "{context}: billed once per number"
    );
    match operation {
        "associate" => {
            let held = held(server, ENTERPRISE);
            assert!(
                wanted.is_subset(&held),
                "{context}: every number associated"
            );
        }
        "sync" => {
            assert_eq!(
                held(server, ENTERPRISE),
                inventory,
                "{context}: the enterprise's numbers are FILE's"
            );
        }
        _ => {
            let rows = statuses(&out);
            let done: BTreeSet<String> = rows
                .iter()
                .filter(|(_, s)| s == "done")
                .map(|(n, _)| n.clone())
                .collect();
            assert_eq!(done, wanted, "{context}: every number done: {rows:?}");
        }
    }
    drawn
}

/// The rounds go in four lanes, one per operation, each with its own `mock serve` process and
/// its rounds in order. A lane's rounds wait on lost answers and slow commits far more than they
/// compute. In the sync lane a sync starts right after the one before it, so its plan, read
/// under a lag, can ask again for numbers the last one associated: the job has to find them
/// done, not refused.
const LANES: u32 = 4;

#[test]
fn associate_refresh_remediation_and_sync_killed_and_resumed_bill_each_number_once() {
    let covered: BTreeSet<Drawn> = std::thread::scope(|scope| {
        let lanes: Vec<_> = (0..LANES)
            .map(|lane| {
                scope.spawn(move || {
                    let server = mock_serve(&["--seed", "23", "--remediation-step-ms", "3600000"]);
                    let dir = common::tempdir();
                    (lane..rounds())
                        .step_by(LANES as usize)
                        .map(|round| soak_round(&server, dir.path(), round))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        lanes
            .into_iter()
            .flat_map(|lane| lane.join().expect("a round failed"))
            .collect()
    });
    // Eight rounds reach every operation, with a kill aimed and without, and every fault, on
    // and off.
    if rounds() >= 8 {
        for operation in ["associate", "refresh", "remediation", "sync"] {
            for killed in [true, false] {
                assert!(
                    covered.iter().any(|c| c.0 == operation && c.1 == killed),
                    "{operation} killed={killed} never ran: {covered:?}"
                );
            }
        }
        for (fault, name) in ["slow commits", "lag", "skew", "lost answers"]
            .iter()
            .enumerate()
        {
            for on in [true, false] {
                assert!(
                    covered.iter().any(|c| c.2[fault] == on),
                    "{name} on={on} never drawn: {covered:?}"
                );
            }
        }
    }
}

#[test]
fn a_large_refresh_killed_mid_way_is_finished_by_resume_billing_each_once() {
    let total = refresh_numbers();
    let server = mock_serve(&["--seed", "3", "--populate", &total.to_string()]);
    let numbers = numbers_of(&server, ENTERPRISE);
    assert_eq!(numbers.len(), total);
    let dir = common::tempdir();
    let file = dir.path().join("numbers.txt");
    std::fs::write(&file, numbers.join("\n")).unwrap();
    let journal = dir.path().join("refresh.journal");
    let journal_arg = journal.to_str().unwrap();
    let before = ledger(&server, "refresh");
    // A few answers lost, and reads a little late, all through the job and its resume.
    admin(
        &server,
        "PUT",
        "/__mock/faults",
        r#"{"commit_then_drop_rate": 0.01, "list_lag_ms": 100}"#,
    );
    // A plan line per 100 numbers and `planned`, then an attempt and an outcome per batch of
    // 100: killed a seeded way into the sends, from 15 % to 60 % of their lines.
    let batches = total / 100;
    let mut rng = Rng(0x100_000);
    let kill_at = batches + 2 + batches * 3 / 10 + rng.below(batches as u64 * 9 / 10) as usize;
    let end = run_killed(
        &server,
        &[
            "refresh",
            "--enterprise",
            ENTERPRISE,
            file.to_str().unwrap(),
            "--journal",
            journal_arg,
        ],
        &journal,
        Some(kill_at),
    );
    assert!(matches!(end, End::Killed), "killed mid-way");
    let partly = ledger(&server, "refresh") - before;
    assert!(
        (1..total as u64).contains(&partly),
        "killed mid-way: {partly} billed"
    );
    let End::Done(out) = run_killed(&server, &["resume", journal_arg], &journal, None) else {
        unreachable!("not killed")
    };
    admin(&server, "PUT", "/__mock/faults", "{}");
    assert_eq!(
        ledger(&server, "refresh") - before,
        total as u64,
        "exactly one check billed per number"
    );
    let rows = statuses(&out);
    assert_eq!(rows.len(), total);
    assert!(rows.iter().all(|(_, s)| s == "done"), "every number done");
}
