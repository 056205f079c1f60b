//! `sync --enterprise E FILE`: make the enterprise's monitored numbers equal to FILE.
//!
//! FILE is read as `associate` reads its input ([`crate::input`]: header line, `--column` of a
//! CSV, byte-order mark, comments, blank lines) and checked by the same pre-flight: a bad line
//! is reported with its line and rule, and stops everything (exit 2) before anything is sent.
//! The plan (to associate, to disassociate with `--prune`, unchanged, conflicts with other
//! enterprises, numbers removed by Telnyx, toll-free numbers with their inventory note, billable
//! checks) is read from list pages alone and printed before anything is sent; `--dry-run`
//! stops there. A number of FILE that Telnyx removed from monitoring (ported away, reassigned,
//! ownership unconfirmed, reported as no longer owned) is listed with its reason and not
//! associated again (nor billed) unless `--readd-removed`; one the customer disassociated is
//! associated as any other. Then the library applies it, journalled as `associate` is
//! (by default under the state directory, see [`crate::journals`]): the associations through
//! the bulk engine, then, only when they all succeed, the extras disassociated. `resume`
//! finishes an interrupted sync, prune included; `rollback` undoes its associations. Ctrl-C and
//! SIGTERM stop it as they stop `associate` ([`crate::signals`]).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Serialize;
use telnyx_reputation::Removal;
use telnyx_reputation::bulk::{BulkOptions, CancellationToken, Mode, Note, Outcome, Parsing};
use telnyx_reputation::sync::{Inventory, PlanOptions, SyncError, SyncOutcome, SyncPlan};
use uuid::Uuid;

use crate::commands::report::{exit_of, reason};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::{InputArgs, Inputs, number_text};
use crate::journals::{self, quoted};
use crate::output::{self, Output, cut};
use crate::progress;
use crate::signals::{self, Messages};

/// Arguments of `sync`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The enterprise made equal to FILE.
    #[arg(long)]
    enterprise: Uuid,
    /// The inventory, read as `associate` reads a FILE (one number a line, or a CSV column
    /// with --column; a header line, `#` comments and blank lines are skipped); `-` is stdin.
    #[arg(value_name = "FILE")]
    file: String,
    /// Read the numbers from this CSV column (by header name, case-insensitive) of FILE.
    #[arg(long, value_name = "NAME")]
    column: Option<String>,
    /// Accept only `+` and digits (by default human US forms are read and sent canonical).
    #[arg(long)]
    strict: bool,
    /// Also disassociate the enterprise's numbers that FILE does not list. Asks first on a
    /// terminal; elsewhere needs --yes.
    #[arg(long)]
    prune: bool,
    /// Associate again the numbers of FILE that Telnyx removed from monitoring (ported away,
    /// reassigned, ownership unconfirmed, reported as no longer owned): billed, one check each.
    /// Without it they are listed in the plan with their reason and not sent.
    #[arg(long)]
    readd_removed: bool,
    /// The most numbers a prune may disassociate: a count, or a percentage of the numbers the
    /// enterprise monitors (`50%`). A plan that prunes more is refused before anything is
    /// sent. Default: 10 % of the enterprise, at least 1.
    #[arg(long, value_name = "N|P%", value_parser = parse_max_prune)]
    max_prune: Option<MaxPrune>,
    /// Sync even when FILE holds no number (an empty file, no input on stdin, blank cells, a
    /// header alone): with --prune, that disassociates every number of the enterprise.
    #[arg(long)]
    allow_empty: bool,
    /// Print the plan and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Associate what can be associated when some numbers are refused (else all or nothing).
    #[arg(long)]
    best_effort: bool,
    /// Requests in flight at once (1–64), for the associations and the disassociations.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Numbers per associate request (1–100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u8).range(1..=100))]
    batch_size: u8,
    /// Write-ahead journal of the sync (its associations and its prune), for `resume` and
    /// `rollback`. By default one is written to
    /// `$XDG_STATE_HOME/telnyx-reputation/jobs/<job-id>.journal` (see `telnyx-reputation
    /// jobs`); not with --mock, whose emulator ends with the command.
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// Write no journal: a crash can then leave the sync half-applied with no way to resume
    /// it or undo its associations.
    #[arg(long, conflicts_with = "journal")]
    no_journal: bool,
}

/// `--max-prune`: a count of numbers, or a percentage of the enterprise's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxPrune {
    /// At most this many.
    Count(u64),
    /// At most this share of the numbers the enterprise monitors, in percent (0–100).
    Percent(u8),
}

/// The default `--max-prune`: a tenth of the enterprise, and at least one number.
const DEFAULT_MAX_PRUNE_PERCENT: u8 = 10;

impl MaxPrune {
    /// The most numbers a prune of an enterprise monitoring `monitored` may disassociate.
    fn limit(self, monitored: u64) -> u64 {
        match self {
            MaxPrune::Count(n) => n,
            MaxPrune::Percent(p) => {
                let share = u128::from(monitored) * u128::from(p) / 100;
                u64::try_from(share).unwrap_or(u64::MAX)
            }
        }
    }
}

impl std::fmt::Display for MaxPrune {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxPrune::Count(n) => write!(f, "{n}"),
            MaxPrune::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// Parses `--max-prune`: a whole number, or a whole percentage from 0 to 100 (`25%`).
fn parse_max_prune(text: &str) -> Result<MaxPrune, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "{text:?} is not a limit: give a whole number of numbers (`500`) or a whole percentage of the enterprise from 0% to 100% (`25%`)"
        )
    };
    match text.strip_suffix('%') {
        Some(p) => match p.trim().parse::<u8>() {
            Ok(p) if p <= 100 => Ok(MaxPrune::Percent(p)),
            _ => Err(bad()),
        },
        None => text.parse::<u64>().map(MaxPrune::Count).map_err(|_| bad()),
    }
}

/// Refuses a prune of more numbers than `--max-prune` allows; says what would be refused on a
/// dry run (which sends nothing either way).
fn check_max_prune(args: &Args, plan: &SyncPlan, global: &Global) -> Result<(), Failure> {
    let count = u64::try_from(plan.disassociate().len()).unwrap_or(u64::MAX);
    if count == 0 {
        return Ok(());
    }
    let monitored = plan
        .unchanged
        .saturating_add(u64::try_from(plan.extra.len()).unwrap_or(u64::MAX));
    let (limit, said) = match args.max_prune {
        Some(max) => (max.limit(monitored), format!("--max-prune {max}")),
        None => (
            MaxPrune::Percent(DEFAULT_MAX_PRUNE_PERCENT)
                .limit(monitored)
                .max(1),
            format!(
                "the default --max-prune, {DEFAULT_MAX_PRUNE_PERCENT}% of the {monitored} numbers monitored"
            ),
        ),
    };
    if count <= limit {
        return Ok(());
    }
    let message = format!(
        "the prune would disassociate {count} numbers of enterprise {}, more than {limit} ({said}); nothing was sent. Check FILE, or raise the limit with --max-prune {count} (or a percentage such as --max-prune 100%)",
        plan.enterprise
    );
    if args.dry_run {
        global.note(format!("dry run: {message}"));
        return Ok(());
    }
    Err(Failure::usage(message))
}

/// Whether a prune may go ahead: `--yes`, or a yes typed on the terminal. Without a terminal to
/// ask on, a sync that may prune is refused before anything is sent.
fn may_prune(global: &Global) -> Result<(), Failure> {
    if global.yes {
        return Ok(());
    }
    if std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(Failure::usage(
        "sync --prune disassociates numbers, and stdin is not a terminal to confirm on; pass --yes to proceed (nothing was sent)",
    ))
}

/// Asks on the terminal before disassociating the plan's extras (`--yes` does not ask).
fn confirm_prune(plan: &SyncPlan, global: &Global) -> Result<(), Failure> {
    let count = plan.disassociate().len();
    if count == 0 || global.yes {
        return Ok(());
    }
    may_prune(global)?;
    eprint!(
        "disassociate {count} number(s) from enterprise {} (they stop being monitored)? [y/N] ",
        plan.enterprise
    );
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::usage("not confirmed; nothing was sent"))
    }
}

/// Reads FILE with the input reader of `associate` and checks it with the bulk engine's
/// pre-flight. Every refused line is reported with its line number and rule (exit 2, nothing
/// sent); duplicates are dropped and said, as `associate` reports them.
fn inventory(args: &Args, global: &Global) -> Result<Inventory, Failure> {
    let source = InputArgs {
        inputs: vec![args.file.clone()],
        column: args.column.clone(),
    };
    let inputs = Inputs::open(&source)?;
    let tally = inputs.tally();
    // The line of each input: the lines (or CSV records, after the header) read so far.
    let header = u64::from(args.column.is_some());
    let mut lines: Vec<u64> = Vec::new();
    let texts = inputs.map(|text| {
        lines.push(tally.borrow().lines.saturating_add(header));
        number_text(&text).to_owned()
    });
    let parsing = if args.strict {
        Parsing::Strict
    } else {
        Parsing::Lenient
    };
    let inventory = Inventory::read(texts, parsing);
    let tally = std::mem::take(&mut *tally.borrow_mut());
    tally.failed()?;
    if inventory.numbers.is_empty() && inventory.refused.is_empty() && !args.allow_empty {
        return Err(Failure::usage(format!(
            "{} holds no number ({} line(s) read, {} blank, {} comment(s), {} header(s)); syncing to it would leave the enterprise with none{}. Nothing was sent; pass --allow-empty if that is what you want",
            if args.file == "-" {
                "stdin"
            } else {
                args.file.as_str()
            },
            tally.lines,
            tally.blank,
            tally.comments,
            tally.headers,
            if args.prune {
                " (--prune disassociates every number)"
            } else {
                ""
            }
        )));
    }
    if let Some(note) = tally.skipped_note() {
        global.note(note);
    }
    let line = |index: u64| {
        usize::try_from(index)
            .ok()
            .and_then(|i| lines.get(i))
            .map_or_else(|| format!("input #{index}"), |l| format!("line {l}"))
    };
    if !inventory.duplicates.is_empty() {
        let said: Vec<String> = inventory
            .duplicates
            .iter()
            .map(|d| {
                format!(
                    "{} ({}) is the same number as {}",
                    line(d.index),
                    cut(&d.input),
                    line(d.first_index)
                )
            })
            .collect();
        global.note(format!(
            "{} duplicate(s) dropped: {}",
            said.len(),
            said.join("; ")
        ));
    }
    if !inventory.refused.is_empty() {
        let bad: Vec<String> = inventory
            .refused
            .iter()
            .map(|r| {
                let at = r.index.map_or_else(|| "input".to_owned(), &line);
                format!("{at}: {:?}: {} [{}]", cut(&r.input), reason(r), r.code)
            })
            .collect();
        return Err(Failure::usage(format!(
            "{} bad line(s) in {}, nothing sent:\n  {}",
            bad.len(),
            args.file,
            bad.join("\n  ")
        )));
    }
    Ok(inventory)
}

/// The plan as JSON: the library's plan, its billable checks, and the note of every toll-free
/// number it associates.
#[derive(Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    plan: &'a SyncPlan,
    billable_checks: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Note>,
}

/// The most numbers a plan's table lists on one line; the JSON lists them all.
const LISTED: usize = 20;

/// `items` joined, the first [`LISTED`] of them, saying how many more there are.
fn listed(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let mut text: Vec<String> = items.take(LISTED).collect();
    if total > LISTED {
        text.push(format!(
            "and {} more (--output json lists them all)",
            total - LISTED
        ));
    }
    text.join(", ")
}

/// A removal in words: `+16035550001 (reassigned, 2026-10-09T07:00:03+00:00)`.
fn removal_text(r: &Removal) -> String {
    let reason = r
        .removal_reason
        .as_ref()
        .map_or("reason not given", |r| r.as_str());
    match r.removed_at {
        Some(at) => format!("{} ({reason}, {})", r.phone_number, at.to_rfc3339()),
        None => format!("{} ({reason})", r.phone_number),
    }
}

fn print_plan(plan: &SyncPlan, output: Output) -> Result<(), Failure> {
    let notes: Vec<Note> = plan.notes().collect();
    if output == Output::Json {
        return output::json(&Printed {
            plan,
            billable_checks: plan.billable_checks(),
            notes,
        });
    }
    let conflicts: Vec<String> = plan
        .conflicts
        .iter()
        .map(|c| format!("{} (held by {})", c.phone_number, c.held_by))
        .collect();
    let removed = plan.removed_by_telnyx.len();
    let withheld = plan.withheld().len();
    let mut rows = vec![
        ("to associate", plan.associate.len().to_string()),
        (
            "to disassociate",
            if plan.prune {
                plan.extra.len().to_string()
            } else {
                format!("0 ({} extra kept: --prune removes them)", plan.extra.len())
            },
        ),
        ("unchanged", plan.unchanged.to_string()),
        ("conflicts", conflicts.len().to_string()),
        ("conflicting numbers", conflicts.join(", ")),
        (
            "removed by Telnyx",
            match (removed, plan.readd_removed) {
                (0, _) => "0".to_owned(),
                (n, true) => format!("{n} (associated again: --readd-removed; billed)"),
                (n, false) => {
                    format!("{n} (not associated again: --readd-removed associates them, billed)")
                }
            },
        ),
    ];
    if removed > 0 {
        rows.push((
            "removed numbers",
            listed(plan.removed_by_telnyx.iter().map(removal_text)),
        ));
    }
    if let Some(note) = notes.first().map(|n| n.note) {
        rows.push((
            "toll-free",
            format!(
                "{} ({note}): {}",
                notes.len(),
                listed(notes.iter().map(|n| n.number.to_string()))
            ),
        ));
    }
    rows.push((
        "billable checks",
        if withheld > 0 {
            format!(
                "{} ({withheld} removed by Telnyx not billed: not associated without --readd-removed)",
                plan.billable_checks()
            )
        } else {
            plan.billable_checks().to_string()
        },
    ));
    output::pairs(&rows)
}

/// The journal the sync writes: `--journal`'s; none with `--no-journal` or against the
/// built-in emulator (which ends with the process); else the default one, named after the job.
fn journal_of(args: &Args, job_id: Uuid, global: &Global) -> Result<Option<PathBuf>, Failure> {
    if let Some(path) = &args.journal {
        return Ok(Some(path.clone()));
    }
    if args.no_journal || global.mock {
        return Ok(None);
    }
    journals::default_path(job_id).map(Some)
}

/// What `sync` says on the first and the second interrupt.
fn messages(args: &Args, journal: Option<&Path>) -> Messages {
    let waiting = "interrupted: sending no new requests; waiting for the requests in flight";
    match journal {
        Some(journal) => {
            let path = quoted(journal);
            Messages {
                first: format!(
                    "{waiting}, then leaving the sync to its journal {path} (Ctrl-C again to exit now)"
                ),
                second: format!(
                    "interrupted again: exiting now; requests in flight may or may not have been applied, and the journal knows which to look up.\n  to finish the sync:          telnyx-reputation resume {path}\n  to undo its associations:    telnyx-reputation rollback {path}"
                ),
            }
        }
        None => Messages {
            first: format!(
                "{waiting}, then stopping (Ctrl-C again to exit now); run the same sync again to finish"
            ),
            second: format!(
                "interrupted again: exiting now, with no journal; `telnyx-reputation sync --enterprise {} {} --dry-run` shows what is left",
                args.enterprise, args.file
            ),
        },
    }
}

/// Says what the sync did, and what to run next when it stopped short; the exit.
pub fn conclude_sync(outcome: &SyncOutcome, journal: Option<&Path>, global: &Global) -> Exit {
    let report = outcome.associations.as_ref();
    global.note(format!(
        "associated {}, disassociated {}",
        report.map_or(0, |r| r.associated.len()),
        outcome.disassociated.len()
    ));
    note_withheld(&outcome.withheld, global);
    note_kept(&outcome.kept, global);
    if outcome.interrupted {
        let engine = report
            .filter(|r| journal.is_none() && r.interrupted)
            .and_then(|r| journals::next_steps(r, journal));
        eprintln!(
            "{}",
            engine.unwrap_or_else(|| left_to_journal("interrupted", journal))
        );
        return Exit::Interrupted;
    }
    match report {
        None => Exit::Success,
        Some(r) if r.outcome == Outcome::Completed => Exit::Success,
        Some(r) => {
            if let Some(next) = journals::next_steps(r, journal) {
                eprintln!("{next}");
            }
            exit_of(r)
        }
    }
}

/// Says which numbers of the inventory the sync held back because Telnyx removed them (after
/// `sync`, and after `resume` of its journal).
pub fn note_withheld(withheld: &[Removal], global: &Global) {
    if !withheld.is_empty() {
        global.note(format!(
            "{} number(s) removed by Telnyx not associated again (--readd-removed associates them, billed): {}",
            withheld.len(),
            listed(withheld.iter().map(removal_text))
        ));
    }
}

/// Says which extras the prune left because they were associated again after the plan.
pub fn note_kept(kept: &[impl std::fmt::Display], global: &Global) {
    if kept.is_empty() {
        return;
    }
    let kept: Vec<String> = kept.iter().map(ToString::to_string).collect();
    global.note(format!(
        "{} extra(s) kept: associated again since the sync was planned: {}",
        kept.len(),
        kept.join(", ")
    ));
}

/// What to run after a sync stopped with work left (`why`), naming its journal if it has one.
pub fn left_to_journal(why: &str, journal: Option<&Path>) -> String {
    match journal {
        Some(journal) => {
            let path = quoted(journal);
            format!(
                "{why}: the sync stopped with work left; its journal is {}.\n  to finish it:               telnyx-reputation resume {path}\n  to undo its associations:  telnyx-reputation rollback {path}",
                journal.display()
            )
        }
        None => format!("{why}: the sync stopped with work left; run it again to finish"),
    }
}

/// The failure of a sync that could not run or finish, with what to run next.
pub fn sync_failure(error: SyncError, journal: Option<&Path>) -> Failure {
    match error {
        SyncError::Bulk(e) => Failure::from_bulk(e),
        SyncError::Reread { source } => {
            let mut failure = Failure::from_api(source);
            failure.message = format!(
                "reading the enterprise again before pruning: {}\n{}",
                failure.message,
                left_to_journal("the prune did not start", journal)
            );
            failure
        }
        SyncError::Disassociate { source, .. } => {
            let mut failure = Failure::from_api(source);
            failure.message = format!(
                "{}\n{}",
                failure.message,
                left_to_journal("a disassociation failed", journal)
            );
            failure
        }
        other => Failure::unavailable(other.to_string()),
    }
}

/// Runs `sync`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let inventory = inventory(&args, global)?;
    if args.prune && !args.dry_run {
        may_prune(global)?;
    }
    let session = global.session().await?;
    let result = async {
        let options = PlanOptions::default()
            .prune(args.prune)
            .readd_removed(args.readd_removed);
        let plan = session
            .client
            .plan_sync_with(args.enterprise, inventory.numbers, options)
            .await
            .map_err(Failure::from_api)?;
        print_plan(&plan, global.output())?;
        check_max_prune(&args, &plan, global)?;
        if args.dry_run || plan.is_empty() {
            return Ok(Exit::Success);
        }
        confirm_prune(&plan, global)?;
        if plan.billable_checks() > 0 {
            let readded = if plan.readd_removed && !plan.removed_by_telnyx.is_empty() {
                format!(
                    " ({} of them removed by Telnyx)",
                    plan.removed_by_telnyx.len()
                )
            } else {
                String::new()
            };
            global.confirm_billable(
                &session.client,
                &format!("associating {} numbers{readded}", plan.billable_checks()),
            )?;
        }
        let job_id = Uuid::new_v4();
        let journal = journal_of(&args, job_id, global)?;
        let token = CancellationToken::new();
        let mut options = BulkOptions::default()
            .mode(if args.best_effort {
                Mode::BestEffort
            } else {
                Mode::AllOrNothing
            })
            .concurrency(usize::from(args.concurrency))
            .batch_size(usize::from(args.batch_size))
            .cancel_on(token.clone());
        if let Some(path) = &journal {
            options = options.journal(path);
            global.note(format!("journal: {}", path.display()));
        }
        let bar = progress::bar(global);
        let options = progress::hook(options, bar.clone(), &session.client);
        let watch = signals::watch(token, messages(&args, journal.as_deref()), bar.clone())?;
        let applied = plan.apply_as(&session.client, job_id, options).await;
        drop(watch);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let outcome = applied.map_err(|e| sync_failure(e, journal.as_deref()))?;
        Ok(conclude_sync(&outcome, journal.as_deref(), global))
    }
    .await;
    session.close().await;
    result
}
