//! The bulk engine: batches, refusals, reconciliation, rollback, and recovery from a journal.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use telnyx_e164::{Batch, UsLocalNumber};
use telnyx_reputation_api::types::TelnyxError;
use uuid::Uuid;

use super::journal::{Event, Header, Journal, JournalError, RefusedNumber, Replay, VERSION};
use super::preflight::preflight;
use super::report::{Failure, Outcome, Refusal, Report};
use super::{BulkError, BulkOptions, Mode, Phase, Progress, ProgressFn};
use crate::client::{Page, Scope};
use crate::{Client, Error};

/// How far a server clock may lag ours when deciding that a record was created by this job.
const CLOCK_MARGIN: chrono::TimeDelta = chrono::TimeDelta::seconds(2);
/// How many times one set of numbers is re-sent after an outcome proved not applied.
const MAX_RESENDS: u32 = 3;
/// Lookups in flight at once while reconciling one batch.
const LOOKUP_CONCURRENCY: usize = 8;

/// State shared by the batches of one job.
struct Shared {
    client: Client,
    enterprise: Uuid,
    mode: Mode,
    started_at: DateTime<Utc>,
    journal: Option<Mutex<Journal>>,
    stop: AtomicBool,
    requests: AtomicU64,
    progress_fn: Option<ProgressFn>,
    progress: Mutex<Progress>,
}

impl Shared {
    /// Appends an event, built only when there is a journal (events copy numbers to text),
    /// and fsyncs it.
    fn log(&self, event: impl FnOnce() -> Event) -> Result<(), JournalError> {
        self.write(event, true)
    }

    /// Appends without an fsync: durable only once a later [`log`](Self::log) returns.
    fn log_unsynced(&self, event: impl FnOnce() -> Event) -> Result<(), JournalError> {
        self.write(event, false)
    }

    fn write(&self, event: impl FnOnce() -> Event, sync: bool) -> Result<(), JournalError> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        let event = event();
        let mut journal = journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if sync {
            journal.append(&event)
        } else {
            journal.append_unsynced(&event)
        }
    }

    fn tick(&self, update: impl FnOnce(&mut Progress)) {
        let mut progress = self
            .progress
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        update(&mut progress);
        progress.requests = self.requests.load(Ordering::Relaxed);
        if let Some(callback) = &self.progress_fn {
            callback(&progress);
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }
}

/// What batches decided, merged.
#[derive(Default)]
struct Tally {
    ours: Vec<UsLocalNumber>,
    already: Vec<UsLocalNumber>,
    refused: Vec<RefusedNumber>,
    failed: Vec<(UsLocalNumber, String)>,
    not_sent: u64,
    fatal: Option<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.ours.extend(other.ours);
        self.already.extend(other.already);
        self.refused.extend(other.refused);
        self.failed.extend(other.failed);
        self.not_sent += other.not_sent;
        if self.fatal.is_none() {
            self.fatal = other.fatal;
        }
    }
}

/// Where a number was found when looked up on the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Absent,
    /// Associated, created after the job started: this job's doing.
    Ours,
    /// Associated before the job started.
    Before,
}

fn strings(numbers: &[UsLocalNumber]) -> Vec<String> {
    numbers.iter().map(ToString::to_string).collect()
}

fn parse_journal_number(n: &str, path: &Path) -> Result<UsLocalNumber, JournalError> {
    UsLocalNumber::parse_strict(n).map_err(|e| JournalError::Format {
        path: path.to_owned(),
        line: 0,
        reason: format!("number {n:?} in the journal: {e}"),
    })
}

/// The input index that an error's `source.pointer` names, if any.
fn pointed_index(error: &TelnyxError) -> Option<usize> {
    let pointer = error.source.as_ref()?.pointer.as_deref()?;
    let rest = pointer
        .strip_prefix("/phone_numbers/")
        .or_else(|| pointer.strip_prefix("/body/phone_numbers/"))?;
    rest.parse().ok()
}

fn refusal_of(
    number: UsLocalNumber,
    error: Option<&TelnyxError>,
    fallback: &Error,
) -> RefusedNumber {
    match error {
        Some(e) => RefusedNumber {
            number: number.to_string(),
            code: e.code.clone(),
            detail: e.detail.clone().unwrap_or_else(|| e.title.clone()),
        },
        None => RefusedNumber {
            number: number.to_string(),
            code: fallback
                .api()
                .and_then(|a| a.code().map(str::to_owned))
                .unwrap_or_else(|| fallback.status().map(|s| s.to_string()).unwrap_or_default()),
            detail: fallback.to_string(),
        },
    }
}

/// How many times a lookup is tried again, on top of the client's own retries, when it fails
/// transiently: reconciliation must not give up on a number while the server is merely flaky.
const LOOKUP_ATTEMPTS: u32 = 5;

async fn lookup(sh: &Shared, number: UsLocalNumber) -> Result<Found, Error> {
    let mut attempt = 1;
    let page = loop {
        sh.count_request();
        match sh
            .client
            .list(
                Scope::Enterprise(sh.enterprise),
                Page::new(1, 1),
                Some(number.as_e164()),
            )
            .await
        {
            Ok(page) => break page,
            Err(e) if e.is_transient() && attempt < LOOKUP_ATTEMPTS => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let wanted = number.to_string();
    let record = page
        .data
        .into_iter()
        .find(|r| r.phone_number.as_deref() == Some(wanted.as_str()));
    Ok(match record {
        None => Found::Absent,
        Some(r) => match r.created_at {
            Some(created) if *created + CLOCK_MARGIN >= sh.started_at => Found::Ours,
            Some(_) => Found::Before,
            None => {
                tracing::warn!(number = %wanted, "record without created_at; treated as associated before the job");
                Found::Before
            }
        },
    })
}

/// Looks every number up; `Err` when any lookup failed.
async fn reconcile(
    sh: &Shared,
    numbers: &[UsLocalNumber],
) -> Result<Vec<(UsLocalNumber, Found)>, Error> {
    stream::iter(numbers.iter().copied())
        .map(|n| async move { lookup(sh, n).await.map(|found| (n, found)) })
        .buffered(LOOKUP_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

/// Runs one planned batch to a decision for each of its numbers.
async fn run_batch(
    sh: &Shared,
    batch: u64,
    numbers: Vec<UsLocalNumber>,
    maybe_sent: bool,
) -> Result<Tally, JournalError> {
    let mut tally = Tally::default();
    // Sets still to decide: (numbers, whether a request for them may already have been applied).
    let mut work = vec![(numbers, maybe_sent)];
    let mut resends = 0u32;
    while let Some((set, maybe_sent)) = work.pop() {
        if set.is_empty() {
            continue;
        }
        if maybe_sent {
            // A request for these numbers went out and its outcome was never recorded.
            match reconcile(sh, &set).await {
                Ok(found) => {
                    let (present, absent) = split_found(&found);
                    decide_present(sh, batch, &found, &present, &mut tally)?;
                    if !absent.is_empty() {
                        sh.log(|| Event::NotCommitted {
                            batch,
                            numbers: strings(&absent),
                        })?;
                        work.push((absent, false));
                    }
                }
                Err(e) => fail(
                    sh,
                    batch,
                    set,
                    &e,
                    "outcome unknown and lookup failed",
                    &mut tally,
                )?,
            }
            continue;
        }
        if sh.stopped() {
            tally.not_sent += set.len() as u64;
            continue;
        }
        let request = match Batch::new(set.clone()) {
            Ok(request) => request,
            Err(rejection) => {
                let reason = format!("internal error: batch refused by pre-flight: {rejection}");
                sh.log(|| Event::Failed {
                    batch,
                    numbers: strings(&set),
                    reason: reason.clone(),
                })?;
                tally
                    .failed
                    .extend(set.into_iter().map(|n| (n, reason.clone())));
                sh.halt();
                continue;
            }
        };
        sh.log(|| Event::Intent {
            batch,
            numbers: strings(&set),
        })?;
        sh.count_request();
        let outcome = sh.client.associate(sh.enterprise, &request).await;
        match outcome {
            Ok(_) => {
                sh.log(|| Event::Committed {
                    batch,
                    numbers: strings(&set),
                })?;
                let n = set.len() as u64;
                tally.ours.extend(set);
                sh.tick(|p| {
                    p.associated += n;
                    p.done += n;
                });
            }
            Err(e) if e.outcome_unknown() || matches!(e, Error::Protocol { .. }) => {
                tracing::warn!(batch, error = %e, "associate outcome unknown; looking the numbers up");
                match reconcile(sh, &set).await {
                    Ok(found) => {
                        let (present, absent) = split_found(&found);
                        decide_present(sh, batch, &found, &present, &mut tally)?;
                        if !absent.is_empty() {
                            sh.log(|| Event::NotCommitted {
                                batch,
                                numbers: strings(&absent),
                            })?;
                            resends += 1;
                            if resends > MAX_RESENDS {
                                fail(
                                    sh,
                                    batch,
                                    absent,
                                    &e,
                                    "not applied after repeated server failures",
                                    &mut tally,
                                )?;
                            } else {
                                work.push((absent, false));
                            }
                        }
                    }
                    Err(lookup_error) => {
                        tracing::warn!(batch, error = %lookup_error, "reconciliation lookup failed");
                        fail(
                            sh,
                            batch,
                            set,
                            &e,
                            "outcome unknown and lookup failed",
                            &mut tally,
                        )?;
                    }
                }
            }
            Err(e) if matches!(e.status(), Some(400 | 422)) => {
                sh.log(|| Event::NotCommitted {
                    batch,
                    numbers: strings(&set),
                })?;
                handle_refusal(sh, batch, set, &e, &mut work, &mut tally).await?;
            }
            Err(e) => {
                // Not applied (no connection, 429, 401/403/404...): nothing to reconcile.
                sh.log(|| Event::NotCommitted {
                    batch,
                    numbers: strings(&set),
                })?;
                let fatal = matches!(e.status(), Some(401 | 403 | 404)) || !e.is_transient();
                if fatal && tally.fatal.is_none() {
                    tally.fatal = Some(e.to_string());
                    sh.halt();
                }
                fail(sh, batch, set, &e, "not applied", &mut tally)?;
            }
        }
    }
    Ok(tally)
}

fn split_found(found: &[(UsLocalNumber, Found)]) -> (Vec<UsLocalNumber>, Vec<UsLocalNumber>) {
    let present = found
        .iter()
        .filter(|(_, f)| *f != Found::Absent)
        .map(|(n, _)| *n)
        .collect();
    let absent = found
        .iter()
        .filter(|(_, f)| *f == Found::Absent)
        .map(|(n, _)| *n)
        .collect();
    (present, absent)
}

/// Records numbers found associated after an uncertain request. The call is atomic: when every
/// number of the set is present and new, the request was applied (ours); otherwise it was not,
/// and the present ones were associated before.
fn decide_present(
    sh: &Shared,
    batch: u64,
    found: &[(UsLocalNumber, Found)],
    present: &[UsLocalNumber],
    tally: &mut Tally,
) -> Result<(), JournalError> {
    if present.is_empty() {
        return Ok(());
    }
    let applied = found.iter().all(|(_, f)| *f == Found::Ours);
    let n = present.len() as u64;
    if applied {
        sh.log(|| Event::Committed {
            batch,
            numbers: strings(present),
        })?;
        tally.ours.extend_from_slice(present);
        sh.tick(|p| {
            p.associated += n;
            p.done += n;
        });
    } else {
        sh.log(|| Event::Already {
            batch,
            numbers: strings(present),
        })?;
        tally.already.extend_from_slice(present);
        sh.tick(|p| {
            p.already_associated += n;
            p.done += n;
        });
    }
    Ok(())
}

/// Records numbers whose outcome could not be decided; all-or-nothing stops.
fn fail(
    sh: &Shared,
    batch: u64,
    set: Vec<UsLocalNumber>,
    error: &Error,
    what: &str,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    let reason = format!("{what}: {error}");
    sh.log(|| Event::Failed {
        batch,
        numbers: strings(&set),
        reason: reason.clone(),
    })?;
    let n = set.len() as u64;
    tally
        .failed
        .extend(set.into_iter().map(|num| (num, reason.clone())));
    sh.tick(|p| p.done += n);
    if sh.mode == Mode::AllOrNothing {
        sh.halt();
    }
    Ok(())
}

/// A 400/422 refusal: find the offending numbers (pointer, else lookups, else bisection), count
/// the ones already on this enterprise as done, and decide what to send next.
async fn handle_refusal(
    sh: &Shared,
    batch: u64,
    set: Vec<UsLocalNumber>,
    error: &Error,
    work: &mut Vec<(Vec<UsLocalNumber>, bool)>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    let errors = error.api().map(|a| a.errors.as_slice()).unwrap_or_default();
    let mut pointed: BTreeMap<usize, &TelnyxError> = BTreeMap::new();
    for e in errors {
        if let Some(i) = pointed_index(e).filter(|i| *i < set.len()) {
            pointed.entry(i).or_insert(e);
        }
    }
    if pointed.is_empty() && set.len() > 1 && sh.mode == Mode::BestEffort {
        // Bisection: a bad number costs about 2·log2(batch) extra requests, not its batch;
        // lookups happen only once a single number is left.
        let (left, right) = set.split_at(set.len() / 2);
        work.push((right.to_vec(), false));
        work.push((left.to_vec(), false));
        return Ok(());
    }
    let candidates: Vec<UsLocalNumber> = if pointed.is_empty() {
        set.clone()
    } else {
        pointed.keys().map(|i| set[*i]).collect()
    };
    // Numbers already associated with this enterprise are done, not errors.
    let found = match reconcile(sh, &candidates).await {
        Ok(found) => found,
        Err(e) => {
            return fail(
                sh,
                batch,
                set,
                &e,
                "refused, and the refused numbers could not be looked up",
                tally,
            );
        }
    };
    let here: BTreeSet<UsLocalNumber> = found
        .iter()
        .filter(|(_, f)| *f != Found::Absent)
        .map(|(n, _)| *n)
        .collect();
    if !here.is_empty() {
        let here_list: Vec<UsLocalNumber> = here.iter().copied().collect();
        sh.log(|| Event::Already {
            batch,
            numbers: strings(&here_list),
        })?;
        let n = here_list.len() as u64;
        tally.already.extend(here_list);
        sh.tick(|p| {
            p.already_associated += n;
            p.done += n;
        });
    }

    if !pointed.is_empty() {
        let refused: Vec<RefusedNumber> = pointed
            .iter()
            .filter(|(i, _)| !here.contains(&set[**i]))
            .map(|(i, e)| refusal_of(set[*i], Some(e), error))
            .collect();
        let rest: Vec<UsLocalNumber> = set
            .iter()
            .enumerate()
            .filter(|(i, _)| !pointed.contains_key(i))
            .map(|(_, n)| *n)
            .collect();
        record_refused(sh, batch, refused, tally)?;
        if sh.mode == Mode::AllOrNothing && !tally.refused.is_empty() {
            sh.halt();
            tally.not_sent += rest.len() as u64;
        } else {
            work.push((rest, false));
        }
        return Ok(());
    }

    // No pointer: the server refused the set without saying which number.
    let remaining: Vec<UsLocalNumber> = set.iter().copied().filter(|n| !here.contains(n)).collect();
    if !here.is_empty() {
        work.push((remaining, false));
    } else if remaining.len() == 1 {
        record_refused(
            sh,
            batch,
            vec![refusal_of(remaining[0], errors.first(), error)],
            tally,
        )?;
    } else {
        // All-or-nothing: the job fails anyway; finding the culprit would mean billable probes.
        let refused = remaining
            .iter()
            .map(|n| {
                let mut r = refusal_of(*n, errors.first(), error);
                r.detail = format!(
                    "refused with its batch (the server named no number): {}",
                    r.detail
                );
                r
            })
            .collect();
        record_refused(sh, batch, refused, tally)?;
        sh.halt();
    }
    Ok(())
}

fn record_refused(
    sh: &Shared,
    batch: u64,
    refused: Vec<RefusedNumber>,
    tally: &mut Tally,
) -> Result<(), JournalError> {
    if refused.is_empty() {
        return Ok(());
    }
    sh.log(|| Event::Refused {
        batch,
        refusals: refused.clone(),
    })?;
    let n = refused.len() as u64;
    tally.refused.extend(refused);
    sh.tick(|p| {
        p.refused += n;
        p.done += n;
    });
    if sh.mode == Mode::AllOrNothing {
        sh.halt();
    }
    Ok(())
}

/// Runs batches with bounded concurrency: `concurrency` worker tasks, each taking the next
/// batch from `work` as soon as its previous one is decided, so the client's work (encoding,
/// decoding) spreads over the runtime's threads and no hand-off sits between two requests of a
/// worker. Batches are drawn only as workers free up, so a plan of any length costs memory for
/// `concurrency` batches at a time. A journal failure stops everything at once, as a crash
/// would: in-flight requests are dropped and recovery is the journal's job.
async fn execute<W>(sh: &Arc<Shared>, work: W, concurrency: usize) -> Result<Tally, BulkError>
where
    W: Iterator<Item = (u64, Vec<UsLocalNumber>, bool)> + Send + 'static,
{
    let work = Arc::new(Mutex::new(work));
    // One tally for all workers, merged into batch by batch: per-worker tallies merged at the
    // end would hold every decided number twice at the peak.
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (sh, work, tally) = (Arc::clone(sh), Arc::clone(&work), Arc::clone(&tally));
        workers.spawn(async move {
            loop {
                let next = work.lock().unwrap_or_else(|p| p.into_inner()).next();
                let Some((batch, set, maybe_sent)) = next else {
                    return Ok::<_, JournalError>(());
                };
                let decided = run_batch(&sh, batch, set, maybe_sent).await?;
                tally
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .merge(decided);
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            // Dropping the set aborts the workers still running.
            Ok(Err(journal)) => return Err(journal.into()),
            Err(join) => match join.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(join) => return Err(BulkError::Interrupted(join.to_string())),
            },
        }
    }
    let mut tally = tally.lock().unwrap_or_else(|p| p.into_inner());
    Ok(std::mem::take(&mut *tally))
}

/// A plan's batches, made as they are drawn from the compact pre-flight list.
struct Batches {
    valid: Vec<u64>,
    size: usize,
    next: usize,
}

impl Iterator for Batches {
    type Item = (u64, Vec<UsLocalNumber>, bool);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.next * self.size;
        let chunk = self
            .valid
            .get(start..(start + self.size).min(self.valid.len()))?;
        if chunk.is_empty() {
            return None;
        }
        self.next += 1;
        Some((
            (self.next - 1) as u64,
            chunk.iter().map(|n| unpack(*n)).collect(),
            false,
        ))
    }
}

/// Disassociates `numbers` (a 404 means already gone); returns what was undone and what failed.
async fn undo(
    sh: &Shared,
    numbers: Vec<UsLocalNumber>,
    concurrency: usize,
) -> Result<(u64, Vec<Failure>), JournalError> {
    let mut undone = 0u64;
    let mut failures = Vec::new();
    for chunk in numbers.chunks(Batch::MAX_SIZE) {
        let results: Vec<(UsLocalNumber, Result<(), Error>)> = stream::iter(chunk.iter().copied())
            .map(|n| async move {
                sh.count_request();
                let result = match sh
                    .client
                    .disassociate(Scope::Enterprise(sh.enterprise), n.as_e164())
                    .await
                {
                    Err(e) if e.status() == Some(404) => Ok(()),
                    other => other,
                };
                (n, result)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut done = Vec::new();
        for (n, result) in results {
            match result {
                Ok(()) => done.push(n),
                Err(e) => failures.push(Failure {
                    number: n.to_string(),
                    reason: format!("rollback failed: {e}"),
                }),
            }
        }
        if !done.is_empty() {
            sh.log(|| Event::Disassociated {
                numbers: strings(&done),
            })?;
            let n = done.len() as u64;
            undone += n;
            sh.tick(|p| p.rolled_back += n);
        }
    }
    Ok((undone, failures))
}

/// The numbers to undo in a rollback: this job's, plus any number whose outcome was never
/// decided and that the server shows as created by this job.
async fn rollback_set(
    sh: &Shared,
    ours: Vec<UsLocalNumber>,
    undecided: Vec<UsLocalNumber>,
) -> Result<Vec<UsLocalNumber>, Vec<Failure>> {
    let mut set = ours;
    if !undecided.is_empty() {
        match reconcile(sh, &undecided).await {
            Ok(found) => set.extend(
                found
                    .into_iter()
                    .filter(|(_, f)| *f == Found::Ours)
                    .map(|(n, _)| n),
            ),
            Err(e) => {
                return Err(undecided
                    .iter()
                    .map(|n| Failure {
                        number: n.to_string(),
                        reason: format!("rollback could not look the number up: {e}"),
                    })
                    .collect());
            }
        }
    }
    set.sort();
    set.dedup();
    Ok(set)
}

/// The pieces of a report that do not depend on how the job ended.
struct Basis {
    job_id: Uuid,
    inputs: u64,
    valid: u64,
    preflight_refused: Vec<Refusal>,
    duplicates: Vec<super::Duplicate>,
    concurrency: usize,
}

/// Decides the outcome, rolls back when all-or-nothing requires it, and writes the end.
async fn finish(sh: &Shared, basis: Basis, mut tally: Tally) -> Result<Report, JournalError> {
    let mut refused = basis.preflight_refused;
    refused.extend(tally.refused.iter().map(|r| Refusal {
        index: None,
        input: r.number.clone(),
        code: r.code.clone(),
        detail: r.detail.clone(),
    }));
    let mut report = Report {
        job_id: basis.job_id,
        enterprise_id: sh.enterprise,
        mode: sh.mode,
        outcome: Outcome::Completed,
        inputs: basis.inputs,
        valid: basis.valid,
        associated: Vec::new(),
        already_associated: std::mem::take(&mut tally.already),
        refused,
        duplicates: basis.duplicates,
        failed: tally
            .failed
            .iter()
            .map(|(n, reason)| Failure {
                number: n.to_string(),
                reason: reason.clone(),
            })
            .collect(),
        not_sent: tally.not_sent,
        rolled_back: 0,
        requests: 0,
        error: tally.fatal.clone(),
    };
    let must_roll_back = sh.mode == Mode::AllOrNothing
        && (!tally.refused.is_empty() || !tally.failed.is_empty() || tally.fatal.is_some());
    if must_roll_back {
        sh.log(|| Event::RollbackStarted)?;
        sh.tick(|p| p.phase = Phase::RollingBack);
        let undecided: Vec<UsLocalNumber> = tally.failed.iter().map(|(n, _)| *n).collect();
        match rollback_set(sh, tally.ours, undecided).await {
            Ok(set) => {
                let (undone, failures) = undo(sh, set.clone(), basis.concurrency).await?;
                report.rolled_back = undone;
                if failures.is_empty() {
                    report.outcome = Outcome::RolledBack;
                    sh.log(|| Event::Finished {
                        outcome: Outcome::RolledBack.as_str().into(),
                    })?;
                } else {
                    let failed: BTreeSet<String> =
                        failures.iter().map(|f| f.number.clone()).collect();
                    report.associated = set
                        .iter()
                        .copied()
                        .filter(|n| failed.contains(&n.to_string()))
                        .collect();
                    report.failed.extend(failures);
                    report.outcome = Outcome::Failed;
                    report.error.get_or_insert_with(|| {
                        "the rollback did not finish; run rollback again".into()
                    });
                }
            }
            Err(failures) => {
                report.failed.extend(failures);
                report.outcome = Outcome::Failed;
                report.error.get_or_insert_with(|| {
                    "the rollback could not decide every number; run rollback again".into()
                });
            }
        }
    } else {
        let nothing_associated = tally.ours.is_empty();
        report.associated = std::mem::take(&mut tally.ours);
        report.outcome = if tally.fatal.is_some() && nothing_associated {
            Outcome::Failed
        } else if tally.refused.is_empty()
            && tally.failed.is_empty()
            && tally.not_sent == 0
            && report.refused.is_empty()
        {
            Outcome::Completed
        } else {
            Outcome::Partial
        };
        if report.outcome != Outcome::Failed || tally.failed.is_empty() {
            sh.log(|| Event::Finished {
                outcome: report.outcome.as_str().into(),
            })?;
        }
    }
    report.requests = sh.requests.load(Ordering::Relaxed);
    sh.tick(|p| p.phase = Phase::Finished);
    Ok(report)
}

fn shared(
    client: &Client,
    header: &Header,
    journal: Option<Journal>,
    options: &BulkOptions,
) -> Shared {
    Shared {
        client: client.clone(),
        enterprise: header.enterprise_id,
        mode: header.mode,
        started_at: header.started_at,
        journal: journal.map(Mutex::new),
        stop: AtomicBool::new(false),
        requests: AtomicU64::new(0),
        progress_fn: options.progress.clone(),
        progress: Mutex::new(Progress {
            phase: Phase::Preflight,
            total: header.valid,
            done: 0,
            associated: 0,
            already_associated: 0,
            refused: 0,
            rolled_back: 0,
            requests: 0,
        }),
    }
}

impl Client {
    /// Associates any number of inputs with an enterprise, keeping the promise of
    /// [`BulkOptions::mode`] across batches. See the [`bulk`](crate::bulk) module.
    ///
    /// The same as [`prepare_all`](Client::prepare_all) then [`PreparedJob::run`].
    /// Refusals and failures are in the returned [`Report`]; `Err` only when the journal could
    /// not be written (the job then stopped where it was, and the journal shows how far it got).
    pub async fn associate_all<I, S>(
        &self,
        enterprise_id: Uuid,
        inputs: I,
        options: BulkOptions,
    ) -> Result<Report, BulkError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.prepare_all(enterprise_id, inputs, options).run().await
    }

    /// Pre-flight only: reads and checks every input, drops duplicates, and returns the job
    /// ready to run. Sends nothing, so a caller can show what [`PreparedJob::run`] would send
    /// (and bill) before it does.
    ///
    /// Inputs are consumed as they come (a file can be streamed line by line); what is kept is
    /// 8 bytes per distinct valid number, plus the text of refused and duplicate inputs.
    pub fn prepare_all<I, S>(
        &self,
        enterprise_id: Uuid,
        inputs: I,
        options: BulkOptions,
    ) -> PreparedJob
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        PreparedJob {
            client: self.clone(),
            enterprise_id,
            checked: preflight(inputs, options.parsing),
            options,
        }
    }

    /// Completes a job from its journal: numbers in flight when it stopped are looked up, the
    /// rest are sent, and all-or-nothing is enforced as if the job had never stopped. Safe to
    /// run twice: a finished job is reported as it ended. Uses `options` only for concurrency
    /// and progress; mode and batches come from the journal.
    pub async fn resume_job(
        &self,
        journal: &Path,
        options: BulkOptions,
    ) -> Result<Report, BulkError> {
        let replay = Replay::read(journal)?;
        let header = replay.header.clone().ok_or_else(|| JournalError::Format {
            path: journal.to_owned(),
            line: 1,
            reason: "no job header".into(),
        })?;
        if replay.finished.is_some() {
            return Ok(report_from_replay(journal, &header, &replay, 0)?);
        }
        if !replay.planned {
            return Err(BulkError::NotStarted(journal.to_owned()));
        }
        if replay.rollback_started
            || (header.mode == Mode::AllOrNothing
                && (!replay.refused.is_empty() || !replay.failed.is_empty()))
        {
            return self.rollback_job_with(journal, replay, options).await;
        }
        let sh = Arc::new(shared(
            self,
            &header,
            Some(Journal::open_append(journal)?),
            &options,
        ));
        let mut work = Vec::new();
        for (batch, numbers) in &replay.plan {
            let in_flight: Vec<UsLocalNumber> = numbers
                .iter()
                .filter(|n| replay.in_flight.contains(*n))
                .map(|n| parse_journal_number(n, journal))
                .collect::<Result<_, _>>()?;
            if !in_flight.is_empty() {
                work.push((*batch, in_flight, true));
            }
        }
        for (batch, numbers) in replay.unsent() {
            let numbers = numbers
                .iter()
                .map(|n| parse_journal_number(n, journal))
                .collect::<Result<Vec<_>, _>>()?;
            work.push((batch, numbers, false));
        }
        sh.tick(|p| {
            p.phase = Phase::Associating;
            p.done = (replay.ours.len() + replay.already.len()) as u64;
            p.associated = replay.ours.len() as u64;
            p.already_associated = replay.already.len() as u64;
        });
        let mut tally = execute(&sh, work.into_iter(), options.concurrency).await?;
        tally.ours.extend(
            replay
                .ours
                .iter()
                .map(|n| parse_journal_number(n, journal))
                .collect::<Result<Vec<_>, _>>()?,
        );
        tally.already.extend(
            replay
                .already
                .iter()
                .map(|n| parse_journal_number(n, journal))
                .collect::<Result<Vec<_>, _>>()?,
        );
        let basis = Basis {
            job_id: header.job_id,
            inputs: header.inputs,
            valid: header.valid,
            preflight_refused: Vec::new(),
            duplicates: Vec::new(),
            concurrency: options.concurrency,
        };
        Ok(finish(&sh, basis, tally).await?)
    }

    /// Undoes a job from its journal: every number it associated is disassociated (numbers
    /// in flight when it stopped are looked up first), whatever state it stopped in. Safe to run
    /// twice.
    pub async fn rollback_job(
        &self,
        journal: &Path,
        options: BulkOptions,
    ) -> Result<Report, BulkError> {
        let replay = Replay::read(journal)?;
        self.rollback_job_with(journal, replay, options).await
    }

    async fn rollback_job_with(
        &self,
        journal: &Path,
        replay: Replay,
        options: BulkOptions,
    ) -> Result<Report, BulkError> {
        let header = replay.header.clone().ok_or_else(|| JournalError::Format {
            path: journal.to_owned(),
            line: 1,
            reason: "no job header".into(),
        })?;
        if replay.finished.as_deref() == Some(Outcome::RolledBack.as_str()) {
            return Ok(report_from_replay(journal, &header, &replay, 0)?);
        }
        let sh = shared(
            self,
            &header,
            Some(Journal::open_append(journal)?),
            &options,
        );
        if !replay.rollback_started {
            sh.log(|| Event::RollbackStarted)?;
        }
        sh.tick(|p| p.phase = Phase::RollingBack);
        let parse = |set: &BTreeSet<String>| {
            set.iter()
                .map(|n| parse_journal_number(n, journal))
                .collect::<Result<Vec<_>, _>>()
        };
        let ours = parse(&replay.ours)?;
        let mut undecided = parse(&replay.in_flight)?;
        undecided.extend(parse(&replay.failed.keys().cloned().collect())?);
        let mut report = report_from_replay(journal, &header, &replay, 0)?;
        match rollback_set(&sh, ours, undecided).await {
            Ok(set) => {
                let (undone, failures) = undo(&sh, set, options.concurrency).await?;
                report.rolled_back = replay.disassociated.len() as u64 + undone;
                report.associated.clear();
                if failures.is_empty() {
                    sh.log(|| Event::Finished {
                        outcome: Outcome::RolledBack.as_str().into(),
                    })?;
                    report.outcome = Outcome::RolledBack;
                } else {
                    report.associated = failures
                        .iter()
                        .map(|f| parse_journal_number(&f.number, journal))
                        .collect::<Result<_, _>>()?;
                    report.failed.extend(failures);
                    report.outcome = Outcome::Failed;
                    report.error = Some("the rollback did not finish; run rollback again".into());
                }
            }
            Err(failures) => {
                report.failed.extend(failures);
                report.outcome = Outcome::Failed;
                report.error =
                    Some("the rollback could not decide every number; run rollback again".into());
            }
        }
        report.requests = sh.requests.load(Ordering::Relaxed);
        sh.tick(|p| p.phase = Phase::Finished);
        Ok(report)
    }
}

/// A bulk job checked and ready to run: the result of [`Client::prepare_all`]. Nothing has
/// been sent.
pub struct PreparedJob {
    client: Client,
    enterprise_id: Uuid,
    checked: super::preflight::Preflight,
    options: BulkOptions,
}

impl std::fmt::Debug for PreparedJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedJob")
            .field("enterprise_id", &self.enterprise_id)
            .field("inputs", &self.checked.inputs)
            .field("valid", &self.checked.valid.len())
            .field("refused", &self.checked.refused.len())
            .field("duplicates", &self.checked.duplicates.len())
            .field("options", &self.options)
            .finish()
    }
}

/// The number a compact pre-flight entry stands for.
fn unpack(n: u64) -> UsLocalNumber {
    UsLocalNumber::from_national_number(n)
        .expect("pre-flight keeps only numbers that passed the same check")
}

impl PreparedJob {
    /// Inputs read.
    pub fn inputs(&self) -> u64 {
        self.checked.inputs
    }

    /// Distinct valid numbers: what [`run`](Self::run) would associate.
    pub fn valid(&self) -> u64 {
        self.checked.valid.len() as u64
    }

    /// Inputs refused at pre-flight, with the rule each broke.
    pub fn refused(&self) -> &[Refusal] {
        &self.checked.refused
    }

    /// Inputs dropped because an earlier input is the same number.
    pub fn duplicates(&self) -> &[super::Duplicate] {
        &self.checked.duplicates
    }

    /// Whether [`run`](Self::run) would send anything: not when the job is all-or-nothing and
    /// an input was refused, nor when no input is valid.
    pub fn will_send(&self) -> bool {
        let refusals_stop_it =
            self.options.mode == Mode::AllOrNothing && !self.checked.refused.is_empty();
        !self.checked.valid.is_empty() && !refusals_stop_it
    }

    /// Runs the job: writes the plan to the journal (if any), sends the batches, and enforces
    /// the mode. See [`Client::associate_all`].
    pub async fn run(self) -> Result<Report, BulkError> {
        let PreparedJob {
            client,
            enterprise_id,
            checked,
            options,
        } = self;
        let valid = checked.valid;
        let header = Header {
            v: VERSION,
            event: "job".into(),
            job_id: Uuid::new_v4(),
            enterprise_id,
            mode: options.mode,
            batch_size: options.batch_size,
            concurrency: options.concurrency,
            started_at: Utc::now(),
            inputs: checked.inputs,
            valid: valid.len() as u64,
        };
        let basis = Basis {
            job_id: header.job_id,
            inputs: checked.inputs,
            valid: valid.len() as u64,
            preflight_refused: checked.refused,
            duplicates: checked.duplicates,
            concurrency: options.concurrency,
        };
        let preflight_refusals = basis.preflight_refused.len() as u64;
        if options.mode == Mode::AllOrNothing && preflight_refusals > 0 {
            // Nothing is sent: not even a journal is needed.
            let sh = shared(&client, &header, None, &options);
            sh.tick(|p| {
                p.refused = preflight_refusals;
                p.phase = Phase::Finished;
            });
            return Ok(Report {
                job_id: basis.job_id,
                enterprise_id,
                mode: options.mode,
                outcome: Outcome::Refused,
                inputs: basis.inputs,
                valid: basis.valid,
                associated: Vec::new(),
                already_associated: Vec::new(),
                refused: basis.preflight_refused,
                duplicates: basis.duplicates,
                failed: Vec::new(),
                not_sent: basis.valid,
                rolled_back: 0,
                requests: 0,
                error: None,
            });
        }
        let journal = match &options.journal {
            Some(path) => {
                let mut journal = Journal::create(path, &header)?;
                journal.crash_after(options.crash_after_journal_appends);
                Some(journal)
            }
            None => None,
        };
        let sh = Arc::new(shared(&client, &header, journal, &options));
        let batches = valid.len().div_ceil(options.batch_size) as u64;
        if sh.journal.is_some() {
            // The plan is written whole, and made durable by the fsync of `Planned`, before
            // anything is sent; its lines need no fsync of their own.
            for (i, chunk) in valid.chunks(options.batch_size).enumerate() {
                sh.log_unsynced(|| Event::Plan {
                    batch: i as u64,
                    numbers: chunk.iter().map(|n| unpack(*n).to_string()).collect(),
                })?;
            }
            sh.log(|| Event::Planned { batches })?;
        }
        sh.tick(|p| {
            p.phase = Phase::Associating;
            p.refused = preflight_refusals;
        });
        let work = Batches {
            valid,
            size: options.batch_size,
            next: 0,
        };
        let tally = execute(&sh, work, options.concurrency).await?;
        Ok(finish(&sh, basis, tally).await?)
    }
}

/// A report rebuilt from a journal alone.
fn report_from_replay(
    path: &Path,
    header: &Header,
    replay: &Replay,
    requests: u64,
) -> Result<Report, JournalError> {
    let numbers = |set: &BTreeSet<String>| {
        set.iter()
            .map(|n| parse_journal_number(n, path))
            .collect::<Result<Vec<_>, _>>()
    };
    let outcome = match replay.finished.as_deref() {
        Some("completed") => Outcome::Completed,
        Some("partial") => Outcome::Partial,
        Some("rolled_back") => Outcome::RolledBack,
        Some("refused") => Outcome::Refused,
        _ => Outcome::Failed,
    };
    Ok(Report {
        job_id: header.job_id,
        enterprise_id: header.enterprise_id,
        mode: header.mode,
        outcome,
        inputs: header.inputs,
        valid: header.valid,
        associated: numbers(&replay.ours)?,
        already_associated: numbers(&replay.already)?,
        refused: replay
            .refused
            .values()
            .map(|r| Refusal {
                index: None,
                input: r.number.clone(),
                code: r.code.clone(),
                detail: r.detail.clone(),
            })
            .collect(),
        duplicates: Vec::new(),
        failed: replay
            .failed
            .iter()
            .map(|(n, reason)| Failure {
                number: n.clone(),
                reason: reason.clone(),
            })
            .collect(),
        not_sent: 0,
        rolled_back: replay.disassociated.len() as u64,
        requests,
        error: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use telnyx_reputation_api::types::TelnyxErrorSource;

    fn error_at(pointer: &str) -> TelnyxError {
        TelnyxError {
            code: "x".into(),
            title: "t".into(),
            detail: None,
            meta: None,
            source: Some(TelnyxErrorSource {
                pointer: Some(pointer.into()),
            }),
        }
    }

    #[test]
    fn pointers_name_the_offending_index() {
        assert_eq!(pointed_index(&error_at("/phone_numbers/7")), Some(7));
        assert_eq!(pointed_index(&error_at("/body/phone_numbers/0")), Some(0));
        assert_eq!(pointed_index(&error_at("/body/enterprise_id")), None);
        assert_eq!(pointed_index(&error_at("/phone_numbers/x")), None);
    }
}
