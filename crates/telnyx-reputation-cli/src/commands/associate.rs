//! `associate`: the main job. Inputs from arguments, files, stdin or a CSV column (see
//! [`crate::input`]); the library's pre-flight, then batches, all-or-nothing or best effort,
//! journal (by default for a job of more than one batch), progress, report. Ctrl-C and SIGTERM
//! stop it without breaking its promise ([`crate::signals`]). `--dry-run` stops after the
//! library's pre-flight and prints what the run would send.

use std::path::Path;

use serde::Serialize;
use telnyx_reputation::bulk::{BulkOptions, CancellationToken, Mode, Note, Parsing, PreparedJob};
use uuid::Uuid;

use crate::args::{in_flight, per_request};
use crate::bulk::CONFIRM_ABOVE;
use crate::bulk::job_report::{conclude, exit_of, reason};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::{InputArgs, Inputs, Tally, number_text};
use crate::journals::{JournalArgs, quoted};
use crate::output::{self, JsonRows, Output, Sink, cut};
use crate::progress;
use crate::signals::{self, Messages};

/// The most numbers the API takes in one associate request.
const MAX_BATCH: usize = 100;

/// How refusals affect the job.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    /// Every number, or none (the default).
    AllOrNothing,
    /// Every number that can be.
    BestEffort,
}

/// Arguments of `associate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    #[command(flatten)]
    input: InputArgs,
    /// What a refusal does to the job.
    #[arg(long, value_enum, default_value_t = ModeArg::AllOrNothing)]
    mode: ModeArg,
    /// Requests in flight at once (1–64).
    #[arg(long, default_value_t = 4, value_parser = in_flight::<64>)]
    concurrency: usize,
    /// Numbers per request (1–100).
    #[arg(long, default_value_t = MAX_BATCH, value_parser = per_request::<MAX_BATCH>)]
    batch_size: usize,
    #[command(flatten)]
    journal: JournalArgs,
    /// Pre-flight only: report what would be sent (and billed), send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Accept only `+` and digits (by default human US forms are read and sent canonical).
    #[arg(long)]
    strict: bool,
}

impl Args {
    fn options(&self) -> BulkOptions {
        BulkOptions::default()
            .mode(match self.mode {
                ModeArg::AllOrNothing => Mode::AllOrNothing,
                ModeArg::BestEffort => Mode::BestEffort,
            })
            .batch_size(self.batch_size)
            .concurrency(self.concurrency)
            .parsing(if self.strict {
                Parsing::Strict
            } else {
                Parsing::Lenient
            })
    }
}

/// Runs the library's pre-flight over the inputs, with a counter of lines read.
fn prepare(
    client: &telnyx_reputation::Client,
    inputs: Inputs,
    args: &Args,
    global: &Global,
    options: BulkOptions,
) -> Result<(PreparedJob, Tally), Failure> {
    let reading = progress::reading(global);
    let inputs = inputs.with_progress(reading.clone());
    let tally = inputs.tally();
    let numbers = inputs.map(|s| number_text(&s).to_owned());
    let job = client.prepare_all(args.enterprise, numbers, options);
    if let Some(bar) = reading {
        bar.finish_and_clear();
    }
    let tally = std::mem::take(&mut *tally.borrow_mut());
    tally.failed()?;
    if let Some(note) = tally.skipped_note() {
        global.note(note);
    }
    Ok((job, tally))
}

/// Runs `associate`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    // Inputs first: a missing FILE is reported before anything else is needed.
    let inputs = Inputs::open(&args.input)?;
    if args.dry_run {
        return dry_run(inputs, &args, global);
    }
    let session = global.session().await?;
    let token = CancellationToken::new();
    let options = args.options().cancel_on(token.clone());
    let bar = progress::bar(global);
    let options = progress::hook(options, bar.clone(), &session.client);
    // Pre-flight reads the inputs as a stream; nothing is sent until `run`.
    let (mut job, _) = prepare(&session.client, inputs, &args, global, options)?;
    if job.will_send() && job.valid() > CONFIRM_ABOVE {
        global.confirm_billable(
            &session.client,
            &format!("associating {} numbers", job.valid()),
        )?;
    }
    let journal = if job.will_send() {
        args.journal.path(job.job_id(), job.batches() > 1, global)?
    } else {
        None
    };
    if let Some(path) = &journal {
        job = job.with_journal(path);
        global.note(format!("journal: {}", path.display()));
    }
    let watch = signals::watch(token, messages(&args, journal.as_deref()), bar.clone())?;
    let result = job.run().await;
    drop(watch);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    session.close().await;
    let report = result.map_err(Failure::from_bulk)?;
    let exit = exit_of(&report);
    conclude(report, journal.as_deref(), global, exit)
}

/// What `associate` says on the first and the second interrupt.
fn messages(args: &Args, journal: Option<&Path>) -> Messages {
    let waiting = "interrupted: sending no new batches; waiting for the requests in flight";
    match journal {
        Some(journal) => {
            let path = quoted(journal);
            Messages {
                first: format!(
                    "{waiting}, then leaving the job to its journal {path} (Ctrl-C again to exit now)"
                ),
                second: format!(
                    "interrupted again: exiting now; requests in flight may or may not have been applied, and the journal knows which to look up.\n  to finish the job: telnyx-reputation resume {path}\n  to undo it:        telnyx-reputation rollback {path}"
                ),
            }
        }
        None => {
            let list = format!(
                "`telnyx-reputation list --enterprise {}` shows them",
                args.enterprise
            );
            let then = match args.mode {
                ModeArg::AllOrNothing => "then undoing what this job associated",
                ModeArg::BestEffort => "then stopping (best effort: what is associated stays)",
            };
            Messages {
                first: format!("{waiting}, {then} (Ctrl-C again to exit now)"),
                second: format!(
                    "interrupted again: exiting now, with no journal; numbers this job associated may stay associated: {list}"
                ),
            }
        }
    }
}

/// What a dry run found and what the run would send, for JSON.
#[derive(Serialize)]
struct DryRun<'a> {
    inputs: u64,
    valid: u64,
    skipped_headers: u64,
    skipped_comments: u64,
    skipped_blank: u64,
    duplicates: Vec<Row<'a>>,
    refused: Vec<Row<'a>>,
    /// The valid numbers sent on a condition the server checks (toll-free: from the
    /// inventory only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Note>,
    would_send: bool,
    requests: Requests,
    billable_numbers: u64,
    would_ask_to_confirm: bool,
}

/// The associate requests a run would send.
#[derive(Serialize)]
struct Requests {
    count: u64,
    method: &'static str,
    path: String,
    batch_size: usize,
    concurrency: usize,
}

/// One refused or duplicate input.
#[derive(Serialize)]
struct Row<'a> {
    index: Option<u64>,
    input: String,
    status: &'static str,
    code: &'a str,
    reason: String,
}

impl Row<'_> {
    /// The row of a valid number that carries a note, for the table and CSV of a dry run.
    fn noted(note: &Note) -> Row<'static> {
        Row {
            index: None,
            input: note.number.to_string(),
            status: "valid",
            code: note.kind.name(),
            reason: String::new(),
        }
    }
}

fn dry_run(inputs: Inputs, args: &Args, global: &Global) -> Result<Exit, Failure> {
    let client = global.offline_client()?;
    let (job, tally) = prepare(&client, inputs, args, global, args.options())?;
    let refused: Vec<Row<'_>> = job
        .refused()
        .iter()
        .map(|r| Row {
            index: r.index,
            input: cut(&r.input),
            status: "refused",
            code: &r.code,
            reason: reason(r),
        })
        .collect();
    let duplicates: Vec<Row<'_>> = job
        .duplicates()
        .iter()
        .map(|d| Row {
            index: Some(d.index),
            input: cut(&d.input),
            status: "duplicate",
            code: "duplicate",
            reason: format!("same number as input #{}", d.first_index),
        })
        .collect();
    let would_send = job.will_send();
    let count = if would_send {
        job.valid().div_ceil(args.batch_size as u64)
    } else {
        0
    };
    let billable = if would_send { job.valid() } else { 0 };
    let dry = DryRun {
        inputs: job.inputs(),
        valid: job.valid(),
        skipped_headers: tally.headers,
        skipped_comments: tally.comments,
        skipped_blank: tally.blank,
        duplicates,
        refused,
        notes: job.notes().collect(),
        would_send,
        requests: Requests {
            count,
            method: "POST",
            path: format!("/enterprises/{}/reputation/numbers", args.enterprise),
            batch_size: args.batch_size,
            concurrency: args.concurrency,
        },
        billable_numbers: billable,
        would_ask_to_confirm: would_send
            && billable > CONFIRM_ABOVE
            && global.would_confirm(&client),
    };
    match global.output() {
        Output::Json => output::json(&dry)?,
        output => print_dry_run(&dry, output)?,
    }
    Ok(if job.refused().is_empty() {
        Exit::Success
    } else {
        Exit::Refused
    })
}

fn print_dry_run(dry: &DryRun<'_>, output: Output) -> Result<(), Failure> {
    let noted: Vec<(Row<'_>, &str)> = dry.notes.iter().map(|n| (Row::noted(n), n.note)).collect();
    let rows = dry
        .refused
        .iter()
        .chain(&dry.duplicates)
        .map(|r| (r, ""))
        .chain(noted.iter().map(|(r, note)| (r, *note)));
    if output == Output::Table {
        let sends = if dry.would_send {
            format!(
                "{} × {} {} (up to {} numbers each, {} at a time)",
                dry.requests.count,
                dry.requests.method,
                dry.requests.path,
                dry.requests.batch_size,
                dry.requests.concurrency
            )
        } else {
            "nothing (all-or-nothing stops at a refused input, or no input is valid)".to_owned()
        };
        let billing = format!(
            "{} numbers associated{}",
            dry.billable_numbers,
            if dry.would_ask_to_confirm {
                "; the run would ask to confirm"
            } else {
                ""
            }
        );
        output::pairs(&[
            ("dry run", "nothing was sent".to_owned()),
            ("inputs", dry.inputs.to_string()),
            ("valid", dry.valid.to_string()),
            ("duplicates", dry.duplicates.len().to_string()),
            ("refused", dry.refused.len().to_string()),
            (
                "skipped",
                format!(
                    "{} header, {} comment, {} blank line(s)",
                    dry.skipped_headers, dry.skipped_comments, dry.skipped_blank
                ),
            ),
            ("would send", sends),
            ("billable", billing),
        ])?;
        if dry.refused.is_empty() && dry.duplicates.is_empty() && dry.notes.is_empty() {
            return Ok(());
        }
        output::write_all(b"\n")?;
    }
    let mut sink = Sink::new(
        output,
        &["#", "input", "status", "code", "reason", "note"],
        JsonRows::Array,
    )?;
    for (r, note) in rows {
        let at = r.index.map(|i| i.to_string()).unwrap_or_default();
        let cells = [
            at,
            r.input.clone(),
            r.status.into(),
            r.code.into(),
            r.reason.clone(),
            note.to_owned(),
        ];
        sink.row(r, &cells)?;
    }
    sink.finish()
}
