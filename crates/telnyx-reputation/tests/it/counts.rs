//! JobReport arithmetic over many fault mixes: whatever the server does, every input is counted in
//! exactly one of a report's outcomes (associated, already associated, refused, failed, not
//! sent, rolled back), so the counts add up to the distinct inputs, and no number is listed in
//! two of them.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Draw, Kill, Recovery, Rng, client, numbers};
use telnyx_reputation::bulk::{BulkError, BulkOptions, JobReport, Mode};
use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, Faults, Inventory, MockConfig, start};
use uuid::Uuid;

/// Asserts the invariant: `expected` numbers counted, none of them twice.
fn assert_counted_once(report: &JobReport, expected: u64, what: &str) {
    assert_eq!(
        report.counted(),
        expected,
        "{what}: the counts do not add up: {} associated, {} already, {} refused, {} failed, {} not sent, {} rolled back ({:?}, {:?})",
        report.associated.len(),
        report.already_associated.len(),
        report.refused.len(),
        report.failed.len(),
        report.not_sent,
        report.rolled_back,
        report.outcome,
        report.end,
    );
    let mut seen = BTreeSet::new();
    let listed = report
        .associated
        .iter()
        .chain(&report.already_associated)
        .map(ToString::to_string)
        .chain(report.failed.iter().map(|f| f.number.clone()))
        .chain(report.refused.iter().map(|r| r.input.clone()));
    for n in listed {
        assert!(seen.insert(n.clone()), "{what}: {n} is listed twice");
    }
}

/// A client of the emulator with `key`, quick retries and a short stall timeout.
fn client_with_key(base_url: &str, key: &str) -> Client {
    Client::new(
        ClientConfig::new(ApiKey::new(key))
            .base_url(base_url)
            .request_timeout(common::REQUEST_TIMEOUT)
            .retry(
                RetryPolicy::default()
                    .max_retries(2)
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(5))
                    .max_rate_limit_wait(Duration::from_millis(5)),
            )
            .stall_timeout(Duration::from_millis(300)),
    )
    .unwrap()
}

/// Which client a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// The demo key on the demo enterprise.
    Good,
    /// A key the server refuses.
    Wrong,
    /// The demo key on an enterprise the server does not know.
    UnknownEnterprise,
}

/// A run's set-up.
#[derive(Clone, Copy, Debug)]
struct Setup {
    mode: Mode,
    kill: Option<Kill>,
    recovery: Recovery,
    key: Key,
    never_answers: bool,
    not_owned: bool,
    trinidad: bool,
    /// A US toll-free number among the inputs, and whether the inventory holds it.
    toll_free: Option<bool>,
    duplicate: bool,
    errors: bool,
    drops: bool,
    throttles: bool,
    omit_pointers: bool,
}

/// The runs whose set-up enumerates the branches: every mode with no kill, killed and resumed,
/// killed and rolled back, and killed before its plan was whole; then a key the server refuses,
/// an enterprise it does not know and a server that never answers. Their other choices are
/// drawn, and the test checks that these runs drew each of them both ways.
const COVERING_RUNS: u64 = 11;

/// The set-up of run `run`: enumerated in the first [`COVERING_RUNS`] (with their jobs kept to
/// a few requests, so that they end in a few request timeouts), drawn from `rng` after them.
fn setup(run: u64, rng: &mut Rng) -> Setup {
    if run >= COVERING_RUNS {
        let not_owned = rng.chance(0.4);
        let trinidad = rng.chance(0.2);
        let toll_free = rng.chance(0.2).then(|| rng.chance(0.5));
        let duplicate = rng.chance(0.3);
        let never_answers = rng.chance(0.05);
        let errors = !never_answers && rng.chance(0.5);
        let drops = rng.chance(0.5);
        let throttles = rng.chance(0.3);
        let omit_pointers = rng.chance(0.3);
        let mode = if rng.chance(0.6) {
            Mode::AllOrNothing
        } else {
            Mode::BestEffort
        };
        let key = match rng.below(10) {
            0 => Key::Wrong,
            1 => Key::UnknownEnterprise,
            _ => Key::Good,
        };
        return Setup {
            mode,
            // Drawn with the batches, below.
            kill: None,
            recovery: Recovery::Resume,
            key,
            never_answers,
            not_owned,
            trinidad,
            toll_free,
            duplicate,
            errors,
            drops,
            throttles,
            omit_pointers,
        };
    }
    let mode = [Mode::AllOrNothing, Mode::BestEffort][run as usize % 2];
    let (kill, recovery, key, never_answers) = match run / 2 {
        0 => (None, Recovery::Resume, Key::Good, false),
        1 => (Some(Kill::Late), Recovery::Resume, Key::Good, false),
        2 => (Some(Kill::Late), Recovery::Rollback, Key::Good, false),
        3 => (Some(Kill::Early), Recovery::Resume, Key::Good, false),
        4 => [
            (None, Recovery::Resume, Key::Wrong, false),
            (None, Recovery::Resume, Key::UnknownEnterprise, false),
        ][run as usize % 2],
        _ => (None, Recovery::Resume, Key::Good, true),
    };
    Setup {
        mode,
        kill,
        recovery,
        key,
        never_answers,
        not_owned: rng.chance(0.5),
        // An all-or-nothing job with a pre-flight refusal sends nothing, and so is never killed.
        trinidad: rng.chance(0.5) && (kill.is_none() || mode == Mode::BestEffort),
        toll_free: rng.chance(0.7).then(|| rng.chance(0.5)),
        duplicate: rng.chance(0.5),
        errors: !never_answers && rng.chance(0.5),
        drops: rng.chance(0.5),
        throttles: rng.chance(0.5),
        omit_pointers: rng.chance(0.5),
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    /// The job ran to a report.
    Report,
    /// The job did not start.
    NotStarted,
    /// The job was killed, and its recovery ran to a report.
    Recovered(Recovery),
    /// The job was killed before it sent anything, and its recovery said so.
    RecoveryNotStarted,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_input_is_counted_once_whatever_the_faults() {
    // The first runs enumerate the set-up's branches (`COVERING_RUNS`), the rest draw it from
    // the seeded `rng`, where the rarest branch (a server that never answers) is drawn in 5 %
    // of runs. `COUNTS_RUNS` sets how many run (`.ci/run`: 100, each starting its own
    // emulator). Each run has its own emulator and its own generator, so a few go at once.
    let runs = common::runs_from_env("COUNTS_RUNS", COVERING_RUNS);
    let ran = common::concurrently(0..runs, common::CONCURRENT_RUNS, |run| async move {
        let mut rng = Rng::for_run(0x2545_F491_4F6C_DD1D, run);
        let covering = run < COVERING_RUNS;
        let mut config = MockConfig::demo();
        config.seed = run;
        // The enumerated runs keep to 60 numbers: a rollback sends one request per number.
        let count = 1 + rng.below(if covering { 60 } else { 180 }) as u32;
        let base = (run as u32 % 36) * 250;
        let set = setup(run, &mut rng);
        let mut inputs = numbers(base, count);
        let mut owned = inputs.clone();
        if set.not_owned {
            // Numbers the account does not own: refused by the server.
            for _ in 0..=rng.below(3) {
                let i = rng.below(owned.len() as u64) as usize;
                owned.remove(i);
                if owned.is_empty() {
                    break;
                }
            }
        }
        if set.trinidad {
            // A number no rule accepts (Trinidad's toll-free, not a US number): refused at
            // pre-flight.
            inputs.push("+18688000000".into());
        }
        if let Some(held) = set.toll_free {
            // A US toll-free number: passes pre-flight; the server takes it only from the
            // inventory, which holds it in half of these runs.
            inputs.push("+18885550000".into());
            if held {
                owned.push("+18885550000".into());
            }
        }
        if set.duplicate {
            // A duplicate: dropped, and counted apart.
            let i = rng.below(u64::from(count)) as usize;
            inputs.push(inputs[i].clone());
        }
        config.accounts[0].inventory =
            Inventory::Numbers(owned.iter().map(|n| n.parse().unwrap()).collect());
        config.faults = Faults {
            error_rate: if set.never_answers {
                1.0
            } else if set.errors {
                0.2
            } else {
                0.0
            },
            commit_then_drop_rate: if set.drops { 0.3 } else { 0.0 },
            throttle_rate: if set.throttles { 0.1 } else { 0.0 },
            omit_pointers: set.omit_pointers,
            ..Faults::default()
        };
        let mock = start(config).await.unwrap();
        let (c, enterprise) = match set.key {
            Key::Wrong => (
                client_with_key(mock.base_url(), "wrong-key"),
                DEMO_ENTERPRISE,
            ),
            Key::UnknownEnterprise => (
                client_with_key(mock.base_url(), telnyx_reputation_mock::DEMO_API_KEY),
                Uuid::from_u128(7),
            ),
            Key::Good if set.never_answers => (
                client_with_key(mock.base_url(), telnyx_reputation_mock::DEMO_API_KEY),
                DEMO_ENTERPRISE,
            ),
            Key::Good => (client(&mock), DEMO_ENTERPRISE),
        };
        let dir = common::tempdir();
        let journal = dir.path().join("job.journal");
        // The enumerated runs send 2 to 8 batches, so that their lost answers cost a few request
        // timeouts, not a hundred.
        let batch_size = if covering {
            count.div_ceil(2 + rng.below(7) as u32) as usize
        } else {
            1 + rng.below(60) as usize
        };
        let mut options = BulkOptions::default()
            .mode(set.mode)
            .batch_size(batch_size)
            .concurrency(1 + rng.below(4) as usize)
            .journal(&journal);
        // The journal starts with a header, a line per batch and `planned`, then the sends.
        let plan_lines = u64::from(count).div_ceil(batch_size as u64) + 2;
        let (kill, recovery) = if covering {
            let kill = set.kill.map(|kill| match kill {
                Kill::Early => rng.below(plan_lines),
                Kill::Late => plan_lines + rng.below(plan_lines),
            });
            (kill, set.recovery)
        } else {
            let kill = rng.chance(0.3).then(|| rng.below(10));
            // Drawn here, where the runs drew it before they were enumerated.
            let recovery = if kill.is_some() && rng.chance(0.5) {
                Recovery::Resume
            } else {
                Recovery::Rollback
            };
            (kill, recovery)
        };
        if let Some(k) = kill {
            options = options.crash_after_journal_appends(k);
        }
        let prepared = c.prepare_all(enterprise, &inputs, options);
        let distinct = prepared.inputs() - prepared.duplicates().len() as u64;
        let valid = prepared.valid();
        let mode = set.mode;
        let what = format!("run {run} ({mode:?}, {count} numbers)");
        let end = match prepared.run().await {
            Ok(report) => {
                assert_counted_once(&report, distinct, &what);
                End::Report
            }
            Err(BulkError::NotStarted(_)) => End::NotStarted,
            Err(_) => {
                // Killed: the report of one resume or one rollback counts the valid numbers
                // (the journal does not keep the pre-flight refusals).
                let recovered = match recovery {
                    Recovery::Resume => c.resume_job(&journal, BulkOptions::default()).await,
                    Recovery::Rollback => c.rollback_job(&journal, BulkOptions::default()).await,
                };
                match recovered {
                    Ok(report) => {
                        assert_counted_once(&report, valid, &format!("{what}, recovered"));
                        End::Recovered(recovery)
                    }
                    Err(BulkError::NotStarted(_)) => End::RecoveryNotStarted,
                    Err(e) => panic!("{what}: {e}"),
                }
            }
        };
        mock.shutdown().await;
        (set, end)
    })
    .await;
    // The enumerated runs reach every end in both modes, and draw each input and fault both
    // ways.
    if runs >= COVERING_RUNS {
        let ran = &ran[..COVERING_RUNS as usize];
        for mode in [Mode::AllOrNothing, Mode::BestEffort] {
            for end in [
                End::Report,
                End::Recovered(Recovery::Resume),
                End::Recovered(Recovery::Rollback),
                End::RecoveryNotStarted,
            ] {
                assert!(
                    ran.iter().any(|(s, e)| s.mode == mode && *e == end),
                    "{mode:?} never ended {end:?}: {ran:?}"
                );
            }
        }
        for key in [Key::Good, Key::Wrong, Key::UnknownEnterprise] {
            assert!(ran.iter().any(|(s, _)| s.key == key), "{key:?} never used");
        }
        let drawn: [Draw<Setup>; 10] = [
            ("a server that never answers", |s| s.never_answers),
            ("numbers not owned", |s| s.not_owned),
            ("a pre-flight refusal", |s| s.trinidad),
            ("a toll-free number held", |s| s.toll_free == Some(true)),
            ("a toll-free number not held", |s| {
                s.toll_free == Some(false)
            }),
            ("a duplicate", |s| s.duplicate),
            ("server errors", |s| s.errors),
            ("lost answers", |s| s.drops),
            ("throttling", |s| s.throttles),
            ("no pointers", |s| s.omit_pointers),
        ];
        common::assert_drawn_both_ways(ran, |(s, _)| s, &drawn);
    }
}
