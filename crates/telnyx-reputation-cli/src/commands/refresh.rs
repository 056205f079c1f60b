//! `refresh`: fresh reputation for any number of monitored numbers, in batches of at most 100,
//! with the library's pre-flight and a row per number. Billable per number refreshed: the count
//! is said before anything is sent, and above [`CONFIRM_ABOVE`] numbers a real API asks first.
//! The job runs on the bulk engine with a write-ahead journal (by default, as `associate`'s),
//! so a job killed at any instant is finished by `resume` without billing a number twice.
//! The job runner and the report printing here ([`run_ops`]) are shared with
//! `remediation submit`, and so is the handling of Ctrl-C: the numbers never sent are reported.

use std::path::{Path, PathBuf};

use serde::Serialize;
use telnyx_reputation::bulk::ops::Plan;
use telnyx_reputation::bulk::{
    BulkOptions, CancellationToken, JobReport, NumberOutcome, Parsing, PreparedJob,
};
use uuid::Uuid;

use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::{InputArgs, Inputs, number_text};
use crate::journals::{self, quoted};
use crate::output::{JsonRows, Output, Sink, cut};
use crate::signals::{self, Messages};

/// The journal of a refresh or a remediation.
#[derive(Debug, clap::Args)]
pub struct JournalArgs {
    /// Write-ahead journal, for `resume` after a crash or an interrupt: a job killed at any
    /// instant is finished from it without billing a number twice. By default every job writes
    /// one to `$XDG_STATE_HOME/telnyx-reputation/jobs/<job-id>.journal` (see
    /// `telnyx-reputation jobs`); not with --mock, whose emulator ends with the command.
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// Write no journal: a crash can then leave numbers billed with no record of which.
    #[arg(long, conflicts_with = "journal")]
    no_journal: bool,
}

impl JournalArgs {
    /// The journal the job writes: `--journal`'s; none with `--no-journal` or against the
    /// built-in emulator; else the default one, named after the job.
    fn path(&self, job: &PreparedJob, global: &Global) -> Result<Option<PathBuf>, Failure> {
        if let Some(path) = &self.journal {
            return Ok(Some(path.clone()));
        }
        if self.no_journal || global.mock {
            return Ok(None);
        }
        journals::default_path(job.job_id()).map(Some)
    }
}

/// Above this many billable numbers, a command against the real API asks first.
pub(super) const CONFIRM_ABOVE: u64 = 1000;

fn concurrency(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=64).contains(&n) => Ok(n),
        _ => Err("must be a whole number from 1 to 64".into()),
    }
}

/// Arguments of `refresh`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    #[command(flatten)]
    input: InputArgs,
    /// Requests in flight at once (1–64).
    #[arg(long, default_value_t = 4, value_parser = concurrency)]
    concurrency: usize,
    /// Numbers per request (1–100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=100))]
    batch_size: u16,
    /// Accept only `+` and digits (by default human US forms are read and sent canonical).
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    journal: JournalArgs,
}

/// Reads the inputs through pre-flight; a read error or an unreadable file ends the command.
pub(super) fn plan(input: &InputArgs, strict: bool, global: &Global) -> Result<Plan, Failure> {
    let inputs = Inputs::open(input)?;
    let tally = inputs.tally();
    let parsing = if strict {
        Parsing::Strict
    } else {
        Parsing::Lenient
    };
    let plan = Plan::new(inputs.map(|s| number_text(&s).to_owned()), parsing);
    let tally = std::mem::take(&mut *tally.borrow_mut());
    tally.failed()?;
    if let Some(note) = tally.skipped_note() {
        global.note(note);
    }
    Ok(plan)
}

/// Says, before anything is sent, what the command will bill; asks first above the threshold
/// against a real API.
fn announce(
    global: &Global,
    client: &telnyx_reputation::Client,
    plan: &Plan,
    what: &str,
    unit: &str,
) -> Result<(), Failure> {
    let billable = plan.billable();
    // Said even with -q: nobody should be surprised by a bill.
    eprintln!(
        "{what}: up to {billable} billable {unit} ({} inputs, {} refused, {} duplicate)",
        plan.inputs(),
        plan.refused().len(),
        plan.duplicates().len()
    );
    if billable > CONFIRM_ABOVE {
        global.confirm_billable(client, &format!("{what} of {billable} numbers"))?;
    }
    Ok(())
}

/// Runs `refresh`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let plan = plan(&args.input, args.strict, global)?;
    let options = BulkOptions::default()
        .batch_size(usize::from(args.batch_size))
        .concurrency(args.concurrency);
    let enterprise = args.enterprise;
    run_ops(
        global,
        plan,
        ("refresh", "checks ($0.10 each)"),
        options,
        &args.journal,
        |client, plan, options| client.prepare_refresh(enterprise, plan, &options),
    )
    .await
}

/// Runs a bulk refresh or remediation: says what it will bill (asking first above
/// [`CONFIRM_ABOVE`]), prepares the job with `prepare`, names its journal, runs it with Ctrl-C
/// watched (the first stops new batches and lets those in flight be decided, the second exits
/// at once), then prints the report, the numbers never sent included, and how to finish a job
/// left short.
pub(super) async fn run_ops<F>(
    global: &Global,
    plan: Plan,
    (what, unit): (&str, &str),
    options: BulkOptions,
    journal: &JournalArgs,
    prepare: F,
) -> Result<Exit, Failure>
where
    F: FnOnce(&telnyx_reputation::Client, Plan, BulkOptions) -> PreparedJob,
{
    let session = global.session().await?;
    if let Err(e) = announce(global, &session.client, &plan, what, unit) {
        session.close().await;
        return Err(e);
    }
    if plan.billable() == 0 {
        session.close().await;
        return print_ops(&plan.report_before_sending(), global.output());
    }
    let token = CancellationToken::new();
    let mut job = prepare(&session.client, plan, options.cancel_on(token.clone()));
    let path = match journal.path(&job, global) {
        Ok(path) => path,
        Err(e) => {
            session.close().await;
            return Err(e);
        }
    };
    if let Some(path) = &path {
        job = job.with_journal(path);
        global.note(format!("journal: {}", path.display()));
    }
    let watch = match signals::watch(token, messages(what, path.as_deref()), None) {
        Ok(watch) => watch,
        Err(e) => {
            session.close().await;
            return Err(e);
        }
    };
    let result = job.run().await;
    drop(watch);
    session.close().await;
    let report = result.map_err(Failure::from_bulk)?;
    let exit = print_ops(&report, global.output())?;
    if let Some(next) = path.as_deref().and_then(|p| left_short(&report, p)) {
        // Said even with -q: numbers are left to send.
        eprintln!("{next}");
    }
    Ok(exit)
}

/// What to run next when a journaled refresh or remediation stopped with work left.
pub(super) fn left_short(report: &JobReport, journal: &Path) -> Option<String> {
    let unfinished = crate::journals::unfinished(journal);
    let stopped = report.interrupted || report.end.is_some() || !report.unsent.is_empty();
    (unfinished && stopped).then(|| {
        format!(
            "the job did not finish; its journal is {}.\n  to finish it: telnyx-reputation resume {}",
            journal.display(),
            quoted(journal)
        )
    })
}

/// What Ctrl-C says during a bulk refresh or remediation.
fn messages(what: &str, journal: Option<&Path>) -> Messages {
    let second = match journal {
        Some(journal) => format!(
            "interrupted again: exiting now; the requests in flight may or may not have been \
             billed, and the journal knows which to look up ({what}).\n  to finish the job: \
             telnyx-reputation resume {}",
            quoted(journal)
        ),
        None => format!(
            "interrupted again: exiting now; the numbers of the requests in flight may or may \
             not have been billed: read them before sending them again ({what})"
        ),
    };
    Messages {
        first: format!(
            "interrupted: sending no new batches; waiting for the requests in flight, then \
             printing every number's outcome ({what} cannot be undone; Ctrl-C again to exit now)"
        ),
        second,
    }
}

/// One row of a refresh or remediation report.
#[derive(Serialize)]
struct Row<'a> {
    input: String,
    status: &'a str,
    code: &'a str,
    detail: String,
    remediation_id: Option<Uuid>,
}

const HEADERS: [&str; 5] = ["input", "status", "code", "detail", "remediation_id"];

/// Prints a refresh or remediation report, a row per input (the sent numbers sorted), then
/// the totals on stderr; the exit: 0 when every input was done, 1 when something was refused
/// or in flight, 3 when an outcome is unknown or a number failed, 130 when the job was
/// interrupted before every number was sent.
pub(super) fn print_ops(report: &JobReport, output: Output) -> Result<Exit, Failure> {
    let mut sink = Sink::new(output, &HEADERS, JsonRows::Array)?;
    let refused: Vec<_> = report.refused_before_sending().collect();
    let mut exit = if refused.is_empty() {
        Exit::Success
    } else {
        Exit::Refused
    };
    for r in &refused {
        let row = Row {
            input: cut(&r.input),
            status: "refused",
            code: &r.code,
            detail: r.detail.clone(),
            remediation_id: None,
        };
        write(&mut sink, &row)?;
    }
    let mut numbers = report.numbers();
    numbers.sort_by(|a, b| a.phone_number.cmp(&b.phone_number));
    for n in numbers {
        let (status, code, detail, worse) = match &n.outcome {
            NumberOutcome::Done => ("done", "", String::new(), Exit::Success),
            NumberOutcome::Refused { code, detail } => {
                ("refused", code.as_str(), detail.clone(), Exit::Refused)
            }
            NumberOutcome::InFlight { detail } => {
                ("in_flight", "in_flight", detail.clone(), Exit::Refused)
            }
            NumberOutcome::Failed { detail } => {
                ("failed", "failed", detail.clone(), Exit::Unavailable)
            }
            NumberOutcome::Unknown { detail } => {
                ("unknown", "unknown", detail.clone(), Exit::Unavailable)
            }
            NumberOutcome::NotSent => (
                "not_sent",
                "not_sent",
                "interrupted before its batch was sent; not billed".to_owned(),
                Exit::Interrupted,
            ),
            // An outcome this build does not know: not done, and not known to be safe.
            other => (
                "unknown",
                "unknown",
                format!("{other:?}"),
                Exit::Unavailable,
            ),
        };
        exit = exit.worse(worse);
        let row = Row {
            input: n.phone_number.clone(),
            status,
            code,
            detail,
            remediation_id: n.remediation_id,
        };
        write(&mut sink, &row)?;
    }
    for d in &report.duplicates {
        let row = Row {
            input: cut(&d.input),
            status: "duplicate",
            code: "duplicate",
            detail: format!("same number as input #{}", d.first_index),
            remediation_id: None,
        };
        write(&mut sink, &row)?;
    }
    sink.finish()?;
    let never_sent = match report.unsent.len() {
        0 => String::new(),
        n => format!(" ({n} never sent)"),
    };
    eprintln!(
        "{} done (billed), {} not done{never_sent}, {} refused before sending; {} requests, {} lookups",
        report.billed(),
        report.not_done(),
        refused.len(),
        report.sends(),
        report.lookups
    );
    Ok(exit)
}

fn write(sink: &mut Sink, row: &Row<'_>) -> Result<(), Failure> {
    let cells = [
        row.input.clone(),
        row.status.to_owned(),
        row.code.to_owned(),
        row.detail.clone(),
        row.remediation_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
    ];
    sink.row(row, &cells)
}
