//! The bulk engine against the emulator, with faults: the all-or-nothing promise, best effort,
//! reconciliation of ambiguous outcomes, and recovery from the journal.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common;
use telnyx_reputation::Client;
use telnyx_reputation::bulk::{BulkError, BulkOptions, FailureReason, JobReport, Mode, Outcome};

use common::{Draw, Kill, Recovery, Rng, associated, client, inventory, numbers};
use telnyx_reputation_mock::{DEMO_ENTERPRISE, Faults, MockConfig, MockHandle, start};

fn set<T: ToString>(v: &[T]) -> BTreeSet<String> {
    v.iter().map(ToString::to_string).collect()
}

/// The demo emulator's configuration, its account owning exactly `owned`.
fn owning(owned: &[String]) -> MockConfig {
    let mut config = MockConfig::demo();
    config.accounts[0].inventory = inventory(owned);
    config
}

/// Associates `inputs` with the demo enterprise through a fresh [`client`] of `mock`; panics
/// unless the job runs to a report.
async fn associate(mock: &MockHandle, inputs: &[String], options: BulkOptions) -> JobReport {
    client(mock)
        .associate_all(DEMO_ENTERPRISE, inputs, options)
        .await
        .unwrap()
}

/// Associates `numbers(0, count)` best effort, with `faults` on, where the account owns all
/// but the inputs at `not_owned`; checks that the job ends partial with every owned number
/// associated, and gives the emulator, the numbers not owned (in the order of `not_owned`) and
/// the report.
async fn best_effort_without(
    count: u32,
    not_owned: &[usize],
    faults: Faults,
) -> (MockHandle, Vec<String>, JobReport) {
    let inputs = numbers(0, count);
    let bad: Vec<String> = not_owned.iter().map(|&i| inputs[i].clone()).collect();
    let owned: Vec<String> = inputs
        .iter()
        .filter(|n| !bad.contains(n))
        .cloned()
        .collect();
    let mut config = owning(&owned);
    config.faults = faults;
    let mock = start(config).await.unwrap();
    let report = associate(
        &mock,
        &inputs,
        BulkOptions::default().mode(Mode::BestEffort),
    )
    .await;
    assert_eq!(report.outcome, Outcome::Partial);
    assert_eq!(associated(&mock), set(&owned));
    (mock, bad, report)
}

/// Associates 600 numbers in batches of 50 on an emulator seeded 11 with `faults` on; gives
/// the emulator, the numbers and the report.
async fn associate_600_under(faults: Faults) -> (MockHandle, Vec<String>, JobReport) {
    let mut config = MockConfig::demo();
    config.seed = 11;
    config.faults = faults;
    let mock = start(config).await.unwrap();
    let inputs = numbers(0, 600);
    let report = associate(&mock, &inputs, BulkOptions::default().batch_size(50)).await;
    (mock, inputs, report)
}

#[tokio::test]
async fn all_or_nothing_associates_every_batch() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let inputs = numbers(0, 250);
    // No faults, so the default request timeout: one request per batch however loaded the
    // machine, where the short one would let a slow answer count as lost and be looked up.
    let report = common::setup_client(&mock)
        .associate_all(DEMO_ENTERPRISE, &inputs, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(set(&report.associated), set(&inputs));
    assert_eq!(associated(&mock), set(&inputs));
    assert_eq!(report.requests, 3);
}

#[tokio::test]
async fn a_preflight_refusal_sends_nothing() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let mut inputs = numbers(0, 150);
    inputs[120] = "+18688001234".into(); // Trinidad's toll-free: not a US number
    inputs[7] = "not a number".into();
    inputs.push(inputs[0].clone());
    let report = associate(&mock, &inputs, BulkOptions::default()).await;
    assert_eq!(report.outcome, Outcome::Refused);
    assert_eq!(report.requests, 0);
    let refused: Vec<(Option<u64>, &str)> = report
        .refused
        .iter()
        .map(|r| (r.index, r.code.as_str()))
        .collect();
    assert_eq!(refused, [(Some(7), "missing_plus"), (Some(120), "non_us")]);
    assert_eq!(report.duplicates[0].first_index, 0);
    assert!(associated(&mock).is_empty());
}

#[tokio::test]
async fn a_toll_free_number_passes_preflight_with_its_note_and_the_server_decides() {
    let mut owned = numbers(0, 3);
    owned.push("+18885550100".into());
    let mock = start(owning(&owned)).await.unwrap();
    let client = client(&mock);
    let note = "accepted from your Telnyx inventory only";

    // Pre-flight: the toll-free numbers pass with their note; Canada and Barbados's premium
    // 246-976 are refused, each with its reason.
    let inputs = [
        "+16035550000",
        "(888) 555-0100",
        "+14165550100",
        "+12469761234",
        "+18005550199",
    ];
    let job = client.prepare_all(
        DEMO_ENTERPRISE,
        inputs,
        BulkOptions::default()
            .mode(Mode::BestEffort)
            .parsing(telnyx_reputation::bulk::Parsing::Lenient),
    );
    assert_eq!(job.valid(), 3);
    let notes: Vec<(String, &str, &str)> = job
        .notes()
        .map(|n| (n.number.to_string(), n.kind.name(), n.note))
        .collect();
    assert_eq!(
        notes,
        [
            ("+18885550100".to_owned(), "toll_free", note),
            ("+18005550199".to_owned(), "toll_free", note),
        ]
    );
    let refused: Vec<(Option<u64>, &str, &str)> = job
        .refused()
        .iter()
        .map(|r| (r.index, r.code.as_str(), r.detail.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                Some(2),
                "non_us",
                "\"+14165550100\": only US numbers can be monitored"
            ),
            (
                Some(3),
                "non_us",
                "\"+12469761234\": only US numbers can be monitored"
            ),
        ]
    );

    // The server takes the toll-free number its inventory holds and refuses the other; both
    // rows of the report carry the note.
    let report = job.run().await.unwrap();
    assert_eq!(report.outcome, Outcome::Partial);
    assert_eq!(
        set(&report.associated),
        set(&["+16035550000", "+18885550100"])
    );
    let server_refused: Vec<(&str, &str)> = report
        .refused
        .iter()
        .filter(|r| r.code == "not_owned")
        .map(|r| (r.input.as_str(), r.code.as_str()))
        .collect();
    assert_eq!(server_refused, [("+18005550199", "not_owned")]);
    let notes: Vec<(String, &str)> = report
        .notes()
        .map(|n| (n.number.to_string(), n.note))
        .collect();
    assert_eq!(
        notes,
        [
            ("+18885550100".to_owned(), note),
            ("+18005550199".to_owned(), note)
        ]
    );
    assert_eq!(associated(&mock), set(&["+16035550000", "+18885550100"]));
    mock.shutdown().await;
}

#[tokio::test]
async fn a_server_refusal_rolls_back_every_batch_of_the_job() {
    let mut owned: Vec<String> = numbers(0, 300);
    let not_owned = owned.remove(250);
    let mock = start(owning(&owned)).await.unwrap();
    let report = associate(
        &mock,
        &numbers(0, 300),
        BulkOptions::default().concurrency(1),
    )
    .await;
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(
        (
            report.refused[0].input.as_str(),
            report.refused[0].code.as_str()
        ),
        (not_owned.as_str(), "not_owned")
    );
    assert_eq!(report.rolled_back, 200);
    assert!(associated(&mock).is_empty(), "end state equals start state");
}

#[tokio::test]
async fn numbers_already_on_this_enterprise_count_as_done_and_survive_a_rollback() {
    let mut config = MockConfig::demo();
    let other = uuid::Uuid::from_u128(42);
    config.accounts[0]
        .enterprises
        .push(telnyx_reputation_mock::EnterpriseConfig {
            id: other,
            approved: true,
        });
    let mock = start(config).await.unwrap();
    let c = client(&mock);
    let before = numbers(0, 5);
    c.associate_all(DEMO_ENTERPRISE, &before, BulkOptions::default())
        .await
        .unwrap();
    let report = c
        .associate_all(DEMO_ENTERPRISE, numbers(0, 100), BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(set(&report.already_associated), set(&before));
    assert_eq!(report.associated.len(), 95);

    // A number on another enterprise is a real refusal: the job rolls back, but only what it
    // associated itself.
    let elsewhere = numbers(500, 1);
    c.associate_all(other, &elsewhere, BulkOptions::default())
        .await
        .unwrap();
    let mut inputs = numbers(200, 150);
    inputs.extend(before.clone());
    inputs.extend(elsewhere.clone());
    let report = c
        .associate_all(
            DEMO_ENTERPRISE,
            &inputs,
            BulkOptions::default().concurrency(1),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert_eq!(report.refused[0].code, "already_associated");
    let mut expected = set(&numbers(0, 100));
    expected.extend(elsewhere);
    assert_eq!(associated(&mock), expected);
}

#[tokio::test]
async fn best_effort_isolates_refused_numbers_by_pointer() {
    let (_mock, bad, report) = best_effort_without(200, &[150, 20], Faults::default()).await;
    assert_eq!(
        report
            .refused
            .iter()
            .map(|r| r.input.clone())
            .collect::<BTreeSet<_>>(),
        set(&bad)
    );
}

#[tokio::test]
async fn best_effort_bisects_when_the_server_names_no_number() {
    let faults = Faults {
        omit_pointers: true,
        ..Faults::default()
    };
    let (_mock, bad, report) = best_effort_without(100, &[37], faults).await;
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].input, bad[0]);
    // One bad number among 100 costs about 2·log2(100) associates plus its lookups, not 100.
    assert!(report.requests < 40, "{} requests", report.requests);
}

#[tokio::test]
async fn throttling_and_dropped_connections_still_complete_the_job() {
    let (mock, inputs, report) = associate_600_under(Faults {
        throttle_rate: 0.1,
        commit_then_drop_rate: 0.3,
        ..Faults::default()
    })
    .await;
    assert_eq!(report.outcome, Outcome::Completed, "{report:?}");
    assert_eq!(set(&report.associated), set(&inputs));
    assert_eq!(associated(&mock), set(&inputs));
}

/// Server errors prove a batch not applied; it is sent again once, and a second proof ends
/// the job (rolled back) rather than send a billable request a third time.
#[tokio::test]
async fn server_errors_end_in_all_or_nothing_without_resending_more_than_once() {
    let (mock, inputs, report) = associate_600_under(Faults {
        error_rate: 0.2,
        throttle_rate: 0.1,
        commit_then_drop_rate: 0.3,
        ..Faults::default()
    })
    .await;
    match report.outcome {
        Outcome::Completed => assert_eq!(associated(&mock), set(&inputs)),
        Outcome::RolledBack => {
            assert!(associated(&mock).is_empty());
            assert!(
                report
                    .failed
                    .iter()
                    .all(|f| f.reason == FailureReason::ResendsUsedUp),
                "{report:?}"
            );
        }
        other => panic!("{other:?}: {report:?}"),
    }
    let failed: BTreeSet<&str> = report.failed.iter().map(|f| f.number.as_str()).collect();
    assert_eq!(failed.len(), report.failed.len(), "no number fails twice");
}

/// Every request fails: the lookups give up at the stall timeout, the job ends failed, and
/// each of the four numbers is reported failed once.
#[tokio::test]
async fn a_server_that_never_answers_ends_the_job_at_the_stall_timeout_counting_each_number_once() {
    let mut config = MockConfig::demo();
    config.faults.error_rate = 1.0;
    let mock = start(config).await.unwrap();
    let inputs = numbers(0, 4);
    let report = associate(
        &mock,
        &inputs,
        BulkOptions::default().stall_timeout(Duration::from_millis(200)),
    )
    .await;
    assert_eq!(report.outcome, Outcome::Failed, "{report:?}");
    assert_eq!(report.failed.len(), 4, "{report:?}");
    assert!(associated(&mock).is_empty());
    let end = report.end.expect("the job ended early");
    assert!(end.gave_up_on_server(), "{end:?}");
}

#[tokio::test]
async fn latency_is_tolerated() {
    let mut config = MockConfig::demo();
    config.faults.latency_ms = 2;
    config.faults.jitter_ms = 3;
    let mock = start(config).await.unwrap();
    let report = associate(
        &mock,
        &numbers(0, 300),
        BulkOptions::default().concurrency(8).batch_size(25),
    )
    .await;
    assert_eq!(report.outcome, Outcome::Completed);
}

fn assert_agrees(report: &JobReport, mock: &MockHandle) {
    let world = associated(mock);
    for n in &report.associated {
        assert!(world.contains(&n.to_string()), "report says {n} associated");
    }
}

/// Runs an association job of `inputs` with `c`, journaled as `job.journal` in `dir`, and
/// kills it after `appends` journal appends; checks that it died and gives the journal's path.
async fn killed_job(c: &Client, dir: &Path, inputs: &[String], appends: u64) -> PathBuf {
    let journal = dir.join("job.journal");
    let crashed = c
        .associate_all(
            DEMO_ENTERPRISE,
            inputs,
            BulkOptions::default()
                .journal(&journal)
                .crash_after_journal_appends(appends),
        )
        .await;
    assert!(crashed.is_err(), "the job died");
    journal
}

#[tokio::test]
async fn a_killed_job_resumes_to_completion_and_resuming_twice_is_harmless() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock);
    let dir = common::tempdir();
    let inputs = numbers(0, 500);
    let journal = killed_job(&c, dir.path(), &inputs, 9).await;
    let partial = associated(&mock).len();
    assert!(partial < 500);
    let report = c
        .resume_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(associated(&mock), set(&inputs));
    let again = c
        .resume_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(again.outcome, Outcome::Completed);
    assert_agrees(&again, &mock);
}

#[tokio::test]
async fn a_killed_job_rolls_back_to_the_start_state_and_rolling_back_twice_is_harmless() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let c = client(&mock);
    let pre = numbers(900, 3);
    c.associate_all(DEMO_ENTERPRISE, &pre, BulkOptions::default())
        .await
        .unwrap();
    let dir = common::tempdir();
    let mut inputs = numbers(0, 400);
    inputs.extend(pre.clone());
    let journal = killed_job(&c, dir.path(), &inputs, 8).await;
    let report = c
        .rollback_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::RolledBack);
    assert_eq!(
        associated(&mock),
        set(&pre),
        "only what was there before remains"
    );
    let again = c
        .rollback_job(&journal, BulkOptions::default())
        .await
        .unwrap();
    assert_eq!(again.outcome, Outcome::RolledBack);
    assert_eq!(associated(&mock), set(&pre));
}

/// A randomized run's set-up.
#[derive(Clone, Copy, Debug)]
struct Setup {
    mode: Mode,
    kill: Option<Kill>,
    recovery: Recovery,
    not_owned: bool,
    trinidad: bool,
    /// A US toll-free number among the inputs, and whether the inventory holds it.
    toll_free: Option<bool>,
    errors: bool,
    drops: bool,
    throttles: bool,
    rate_limit: bool,
}

/// The randomized runs whose set-up enumerates the branches: each mode with no kill, killed
/// and resumed, killed and rolled back, and killed before its plan was whole; then an
/// all-or-nothing job with a pre-flight refusal and a best-effort one with a number not owned.
/// Their other choices are drawn, and the test checks that these runs drew each of them both
/// ways.
const COVERING_RUNS: u64 = 10;

/// The set-up of randomized run `run`: enumerated in the first [`COVERING_RUNS`], drawn from
/// `rng` after them.
fn setup(run: u64, rng: &mut Rng) -> Setup {
    if run >= COVERING_RUNS {
        let not_owned = rng.chance(0.3);
        let trinidad = rng.chance(0.1);
        let toll_free = rng.chance(0.1).then(|| rng.chance(0.5));
        let errors = rng.chance(0.5);
        let drops = rng.chance(0.5);
        let throttles = rng.chance(0.3);
        let rate_limit = rng.chance(0.33);
        let mode = if rng.chance(0.7) {
            Mode::AllOrNothing
        } else {
            Mode::BestEffort
        };
        let kill = rng.chance(0.4).then_some(Kill::Late);
        let recovery = if rng.chance(0.5) {
            Recovery::Resume
        } else {
            Recovery::Rollback
        };
        return Setup {
            mode,
            kill,
            recovery,
            not_owned,
            trinidad,
            toll_free,
            errors,
            drops,
            throttles,
            rate_limit,
        };
    }
    let mode = [Mode::AllOrNothing, Mode::BestEffort][run as usize % 2];
    let (kill, recovery) = match run / 2 {
        1 => (Some(Kill::Late), Recovery::Resume),
        2 => (Some(Kill::Late), Recovery::Rollback),
        3 => (Some(Kill::Early), Recovery::Resume),
        _ => (None, Recovery::Resume),
    };
    let refusal = run / 2 == 4;
    Setup {
        mode,
        kill,
        recovery,
        not_owned: (refusal && mode == Mode::BestEffort) || rng.chance(0.5),
        // An all-or-nothing job with a pre-flight refusal sends nothing, and so is never killed.
        trinidad: (refusal && mode == Mode::AllOrNothing)
            || (rng.chance(0.5) && (kill.is_none() || mode == Mode::BestEffort)),
        toll_free: rng.chance(0.7).then(|| rng.chance(0.5)),
        errors: rng.chance(0.5),
        drops: rng.chance(0.5),
        throttles: rng.chance(0.5),
        rate_limit: rng.chance(0.5),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn randomized_runs_keep_all_or_nothing_and_reports_agree_with_the_server() {
    // The first runs enumerate the set-up's branches (`COVERING_RUNS`), in jobs of up to 80
    // numbers in 2 to 8 batches; the rest draw it from the seeded `rng`, where the rarest
    // branches (a pre-flight refusal or a toll-free number) are drawn in 10 % of runs each.
    // `BULK_RUNS` sets how many run (`.ci/run`: 200). Each run has its own emulator and its own
    // generator, so a few go at once.
    let runs = common::runs_from_env("BULK_RUNS", COVERING_RUNS);
    let ends = common::concurrently(0..runs, common::CONCURRENT_RUNS, |run| async move {
        let mut rng = Rng::for_run(0x9E37_79B9_7F4A_7C15, run);
        let covering = run < COVERING_RUNS;
        let mut recovered = false;
        let mut config = MockConfig::demo();
        config.seed = run;
        // The enumerated runs keep to 80 numbers: a rollback sends one request per number.
        let count = 1 + rng.below(if covering { 80 } else { 260 }) as u32;
        let base = (run as u32 % 36) * 250; // base + count stays within four digits
        let drawn = setup(run, &mut rng);
        let mut inputs = numbers(base, count);
        let mut owned = inputs.clone();
        if drawn.not_owned {
            let i = rng.below(u64::from(count)) as usize;
            owned.remove(i);
        }
        if drawn.trinidad {
            // Not a US number (Trinidad's toll-free): refused at pre-flight.
            let i = rng.below(u64::from(count)) as usize;
            inputs[i] = "+18688000000".into();
        }
        if let Some(held) = drawn.toll_free {
            // US toll-free: passes pre-flight, and the server takes it only from the inventory,
            // which holds it in half of these runs.
            let i = rng.below(u64::from(count)) as usize;
            inputs[i] = "+18885550000".into();
            if held {
                owned.push("+18885550000".into());
            }
        }
        config.accounts[0].inventory = inventory(&owned);
        config.faults = Faults {
            error_rate: if drawn.errors { 0.15 } else { 0.0 },
            commit_then_drop_rate: if drawn.drops { 0.25 } else { 0.0 },
            throttle_rate: if drawn.throttles { 0.1 } else { 0.0 },
            // A server rate limit: 3 to 12 requests per 20 ms window.
            rate_limit: drawn
                .rate_limit
                .then(|| std::num::NonZeroU64::new(3 + rng.below(10)))
                .flatten(),
            rate_limit_window_ms: std::num::NonZeroU64::new(20).unwrap(),
            ..Faults::default()
        };
        let mode = drawn.mode;
        let mock = start(config).await.unwrap();
        let c = client(&mock);
        let dir = common::tempdir();
        let journal = dir.path().join("job.journal");
        // The enumerated runs send 2 to 8 batches, so that their lost answers cost a few request
        // timeouts, not a hundred.
        let batch_size = if covering {
            count.div_ceil(2 + rng.below(7) as u32) as usize
        } else {
            1 + rng.below(100) as usize
        };
        let mut options = BulkOptions::default()
            .mode(mode)
            .batch_size(batch_size)
            .concurrency(1 + rng.below(4) as usize)
            .journal(&journal);
        // The journal starts with a header, a line per batch and `planned`, then the sends.
        let plan_lines = u64::from(count).div_ceil(batch_size as u64) + 2;
        let kill = drawn.kill.map(|kill| match kill {
            _ if !covering => rng.below(12),
            Kill::Early => rng.below(plan_lines),
            Kill::Late => plan_lines + rng.below(plan_lines),
        });
        if let Some(k) = kill {
            options = options.crash_after_journal_appends(k);
        }
        let report = match c.associate_all(DEMO_ENTERPRISE, &inputs, options).await {
            Ok(report) => report,
            Err(_) => {
                recovered = true;
                // Killed: one resume or one rollback, with the faults still on.
                match drawn.recovery {
                    Recovery::Resume => {
                        match c.resume_job(&journal, BulkOptions::default()).await {
                            Ok(r) => r,
                            // Killed before anything was sent: nothing to resume.
                            Err(BulkError::NotStarted(_)) => c
                                .rollback_job(&journal, BulkOptions::default())
                                .await
                                .unwrap(),
                            Err(e) => panic!("run {run}: {e}"),
                        }
                    }
                    Recovery::Rollback => c
                        .rollback_job(&journal, BulkOptions::default())
                        .await
                        .unwrap(),
                }
            }
        };
        let world = associated(&mock);
        let valid: BTreeSet<String> = inputs
            .iter()
            .filter(|n| !n.starts_with("+1868"))
            .cloned()
            .collect();
        match report.outcome {
            Outcome::Completed => {
                assert_eq!(
                    world, valid,
                    "run {run}: completed means every valid number"
                );
            }
            Outcome::RolledBack | Outcome::Refused => {
                assert!(
                    world.is_empty(),
                    "run {run}: {:?} must leave nothing, found {}",
                    report.outcome,
                    world.len()
                );
            }
            Outcome::Partial => {
                assert_eq!(
                    mode,
                    Mode::BestEffort,
                    "run {run}: only best effort is partial"
                );
                assert_eq!(
                    world,
                    set(&report.associated),
                    "run {run}: report agrees with the server"
                );
            }
            other => panic!("run {run}: {other:?}: {report:?}"),
        }
        mock.shutdown().await;
        (drawn, report.outcome, recovered)
    })
    .await;
    let count = |outcome: Outcome| ends.iter().filter(|(_, o, _)| *o == outcome).count();
    let (completed, rolled_back, refused, partial) = (
        count(Outcome::Completed),
        count(Outcome::RolledBack),
        count(Outcome::Refused),
        count(Outcome::Partial),
    );
    let recovered = ends.iter().filter(|(_, _, r)| *r).count();
    println!(
        "{runs} randomized runs: {completed} completed, {rolled_back} rolled back, {refused} refused at pre-flight, {partial} partial (best effort), {recovered} killed and recovered from the journal; all-or-nothing held in every run"
    );
    // The enumerated runs reach every outcome, recover in both modes by a resume and by a
    // rollback, and draw each input and fault both ways.
    if runs >= COVERING_RUNS {
        let ran = &ends[..COVERING_RUNS as usize];
        for outcome in [
            Outcome::Completed,
            Outcome::RolledBack,
            Outcome::Refused,
            Outcome::Partial,
        ] {
            assert!(
                ran.iter().any(|(_, o, _)| *o == outcome),
                "no run ended {outcome:?}: {ran:?}"
            );
        }
        for mode in [Mode::AllOrNothing, Mode::BestEffort] {
            for recovery in [Recovery::Resume, Recovery::Rollback] {
                assert!(
                    ran.iter()
                        .any(|(s, _, r)| *r && s.mode == mode && s.recovery == recovery),
                    "{mode:?} never recovered by {recovery:?}: {ran:?}"
                );
            }
        }
        let drawn: [Draw<Setup>; 8] = [
            ("a number not owned", |s| s.not_owned),
            ("a pre-flight refusal", |s| s.trinidad),
            ("a toll-free number held", |s| s.toll_free == Some(true)),
            ("a toll-free number not held", |s| {
                s.toll_free == Some(false)
            }),
            ("server errors", |s| s.errors),
            ("lost answers", |s| s.drops),
            ("throttling", |s| s.throttles),
            ("a rate limit", |s| s.rate_limit),
        ];
        common::assert_drawn_both_ways(ran, |(s, _, _)| s, &drawn);
    }
}

#[tokio::test]
async fn prepare_sends_nothing_and_says_what_run_would_send() {
    let mock = start(MockConfig::demo()).await.unwrap();
    let client = client(&mock);
    let mut inputs = numbers(0, 250);
    inputs.insert(10, "+16035550003".into()); // duplicate of input 3
    inputs.push("+14165551234".into()); // Canada
    let job = client.prepare_all(DEMO_ENTERPRISE, &inputs, BulkOptions::default());
    assert_eq!((job.inputs(), job.valid()), (252, 250));
    assert_eq!(job.refused().len(), 1);
    assert_eq!(job.refused()[0].index, Some(251));
    assert_eq!(
        (job.duplicates()[0].index, job.duplicates()[0].first_index),
        (10, 3)
    );
    assert!(
        !job.will_send(),
        "all-or-nothing with a refusal sends nothing"
    );
    drop(job);
    assert!(associated(&mock).is_empty());

    let job = client.prepare_all(
        DEMO_ENTERPRISE,
        inputs.iter().map(String::as_str),
        BulkOptions::default().mode(Mode::BestEffort),
    );
    assert!(job.will_send());
    assert!(associated(&mock).is_empty(), "prepare alone sent nothing");
    let report = job.run().await.unwrap();
    assert_eq!(report.outcome, Outcome::Partial);
    assert_eq!(report.associated.len(), 250);
    assert_eq!(set(&report.associated), associated(&mock));
    mock.shutdown().await;
}
