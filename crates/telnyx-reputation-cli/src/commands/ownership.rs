//! `ownership get|confirm|give-up`: a number's ownership tracking, and the answer to an
//! ownership question for any number of numbers (read like `associate` reads them), one row per
//! input. None of it is billable. `give-up` removes the numbers, which cannot be undone: it says
//! how many before sending and asks on a terminal; off one, it needs `--yes`.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;
use telnyx_e164::E164;
use telnyx_reputation::bulk::CancellationToken;
use telnyx_reputation::ownership::{ConfirmOptions, ConfirmOutcome, ConfirmReport};
use telnyx_reputation::{Claim, DocumentId, Ownership};
use uuid::Uuid;

use crate::args::{document_id, in_flight, number};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::{InputArgs, Inputs, number_text};
use crate::output::{self, JsonRows, Output, Sink, cut};
use crate::signals::{self, Messages};

/// The `ownership` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show a number's ownership tracking: where it is hosted, its status, the carrier on
    /// record, the deadline of an open question, and its history.
    Get(GetArgs),
    /// Confirm the enterprise still owns the numbers (pending confirmation or flagged ones
    /// become verified); one row per input.
    Confirm(AnswerArgs),
    /// Give the numbers up: each is removed from Number Reputation at once, which cannot be
    /// undone (asks first; off a terminal, needs --yes); one row per input.
    GiveUp(AnswerArgs),
}

/// Arguments of `ownership get`.
#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// The number (E.164 or a US form).
    number: String,
}

/// Arguments of `ownership confirm` and `ownership give-up`.
#[derive(Debug, clap::Args)]
pub struct AnswerArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    #[command(flatten)]
    input: InputArgs,
    /// A file of numbers (one a line, or the `--column` of a CSV file); repeatable. The same
    /// as naming the FILE as an argument, except that it is never read as a number.
    #[arg(long, value_name = "FILE")]
    file: Vec<PathBuf>,
    /// The id of an uploaded document supporting the answer, sent with every number.
    #[arg(long, value_name = "ID", value_parser = document_id)]
    evidence: Option<DocumentId>,
    /// Answers in flight at once (1–64).
    #[arg(long, default_value_t = 4, value_parser = in_flight::<{ ConfirmOptions::MAX_CONCURRENCY }>)]
    concurrency: usize,
}

/// Runs an `ownership` subcommand.
pub async fn run(command: Command, global: &Global) -> Result<Exit, Failure> {
    match command {
        Command::Get(args) => get(args, global).await,
        Command::Confirm(args) => answer(args, Claim::StillOwn, global).await,
        Command::GiveUp(args) => answer(args, Claim::NoLongerOwn, global).await,
    }
}

async fn get(args: GetArgs, global: &Global) -> Result<Exit, Failure> {
    let n = number(&args.number)?;
    let session = global.session().await?;
    let result = session.client.ownership(args.enterprise, n).await;
    session.close().await;
    print_ownership(&result.map_err(Failure::from_api)?, global.output())?;
    Ok(Exit::Success)
}

const DETAIL_HEADERS: [&str; 9] = [
    "phone_number",
    "source",
    "ownership_status",
    "baseline_carrier",
    "baseline_recorded_at",
    "last_checked_at",
    "confirm_by",
    "flag_reason",
    "history",
];

/// Prints a tracking detail: the API's object as JSON; a block of fields then the history as
/// a table; one CSV row whose `history` cell lists the events, most recent first
/// (`TIME EVENT OUTCOME; ...`).
fn print_ownership(o: &Ownership, output: Output) -> Result<(), Failure> {
    if output == Output::Json {
        return output::json(o.raw());
    }
    let text = |v: Option<String>| v.unwrap_or_default();
    let time = |t: &Option<chrono::DateTime<chrono::Utc>>| text(t.map(|t| t.to_rfc3339()));
    let history = &o.history;
    let event = |h: &telnyx_reputation::OwnershipEvent| {
        [
            time(&h.occurred_at),
            text(h.event_type.as_ref().map(|e| e.to_string())),
            text(h.outcome.clone()),
        ]
    };
    let fields = [
        text(o.phone_number.clone()),
        text(o.source.as_ref().map(|s| s.to_string())),
        text(o.ownership_status.as_ref().map(|s| s.to_string())),
        text(o.baseline_carrier.clone()),
        time(&o.baseline_recorded_at),
        time(&o.last_checked_at),
        time(&o.confirm_by),
        text(o.flag_reason.as_ref().map(|r| r.to_string())),
    ];
    if output == Output::Csv {
        let mut cells = fields.to_vec();
        cells.push(
            history
                .iter()
                .map(|h| event(h).join(" "))
                .collect::<Vec<_>>()
                .join("; "),
        );
        let mut sink = Sink::new(output, &DETAIL_HEADERS, JsonRows::Array)?;
        sink.row(o.raw(), &cells)?;
        return sink.finish();
    }
    let shown = |v: &str| {
        if v.is_empty() {
            "-".to_owned()
        } else {
            v.to_owned()
        }
    };
    let pairs: Vec<(&str, String)> = DETAIL_HEADERS
        .iter()
        .zip(&fields)
        .map(|(label, value)| (*label, shown(value)))
        .collect();
    output::pairs(&pairs)?;
    output::write_all(b"\n")?;
    let mut sink = Sink::new(
        output,
        &["occurred_at", "event_type", "outcome"],
        JsonRows::Array,
    )?;
    for h in history {
        let cells = event(h);
        sink.row(&cells, &cells)?;
    }
    sink.finish()
}

/// One row of a confirm or give-up report.
#[derive(Serialize)]
struct Row {
    input: String,
    status: &'static str,
    ownership_status: String,
    code: String,
    detail: String,
}

const HEADERS: [&str; 5] = ["input", "status", "ownership_status", "code", "detail"];

/// The inputs: the distinct valid numbers, in input order, and a row for each input that is
/// not one (refused, or a repeat).
struct Read {
    numbers: Vec<E164>,
    rows: Vec<Row>,
}

fn read(args: &AnswerArgs, global: &Global) -> Result<Read, Failure> {
    let mut input = args.input.clone();
    for file in &args.file {
        let name = file
            .to_str()
            .ok_or_else(|| Failure::usage(format!("{}: not a UTF-8 path", file.display())))?;
        if !file.is_file() {
            return Err(Failure::usage(format!("{name}: no such file")));
        }
        input.inputs.push(name.to_owned());
    }
    let inputs = Inputs::open(&input)?;
    let tally = inputs.tally();
    let mut first: HashMap<E164, u64> = HashMap::new();
    let mut read = Read {
        numbers: Vec::new(),
        rows: Vec::new(),
    };
    for (index, text) in inputs.enumerate() {
        let index = index as u64;
        match E164::parse_lenient(number_text(&text)) {
            Err(e) => read.rows.push(Row {
                input: cut(&text),
                status: "refused",
                ownership_status: String::new(),
                code: e.code().to_owned(),
                detail: e.reason.to_string(),
            }),
            Ok(n) => match first.get(&n) {
                Some(at) => read.rows.push(Row {
                    input: cut(&text),
                    status: "duplicate",
                    ownership_status: String::new(),
                    code: "duplicate".into(),
                    detail: format!("same number as input #{at}"),
                }),
                None => {
                    first.insert(n, index);
                    read.numbers.push(n);
                }
            },
        }
    }
    let tally = std::mem::take(&mut *tally.borrow_mut());
    tally.failed()?;
    if let Some(note) = tally.skipped_note() {
        global.note(note);
    }
    Ok(read)
}

async fn answer(args: AnswerArgs, claim: Claim, global: &Global) -> Result<Exit, Failure> {
    let what = match claim {
        Claim::StillOwn => "ownership confirm",
        Claim::NoLongerOwn => "ownership give-up",
    };
    let Read { numbers, mut rows } = read(&args, global)?;
    if claim == Claim::NoLongerOwn && !numbers.is_empty() {
        // Said even with -q: nobody should lose numbers by surprise.
        eprintln!(
            "{what}: {} number(s) will be removed from Number Reputation on enterprise {}",
            numbers.len(),
            args.enterprise
        );
        global.confirm_destructive(&format!(
            "removing {} number(s) from monitoring",
            numbers.len()
        ))?;
    }
    let report = if numbers.is_empty() {
        ConfirmReport::default()
    } else {
        let session = global.session().await?;
        let token = CancellationToken::new();
        let watch = match signals::watch(token.clone(), messages(what), None) {
            Ok(watch) => watch,
            Err(e) => {
                session.close().await;
                return Err(e);
            }
        };
        let mut options = ConfirmOptions::default()
            .concurrency(args.concurrency)
            .cancel_on(token);
        if let Some(evidence) = args.evidence.clone() {
            options = options.evidence(evidence);
        }
        let report = session
            .client
            .confirm_ownership_all(args.enterprise, numbers, claim, options)
            .await;
        drop(watch);
        session.close().await;
        report
    };
    let refused_before = rows.iter().filter(|r| r.status == "refused").count();
    let duplicates = rows.len().saturating_sub(refused_before);
    let mut exit = if refused_before > 0 {
        Exit::Refused
    } else {
        Exit::Success
    };
    let mut answered = Vec::with_capacity(report.results.len());
    for result in &report.results {
        let (row, worse) = outcome_row(result.phone_number, &result.outcome);
        exit = exit.worse(worse);
        answered.push(row);
    }
    // The answered numbers first (in input order), then the inputs that were not sent.
    answered.append(&mut rows);
    let mut sink = Sink::new(global.output(), &HEADERS, JsonRows::Array)?;
    for row in &answered {
        let cells = [
            row.input.clone(),
            row.status.to_owned(),
            row.ownership_status.clone(),
            row.code.clone(),
            row.detail.clone(),
        ];
        sink.row(row, &cells)?;
    }
    sink.finish()?;
    global.note(format!(
        "{what}: {} done, {} not done, {refused_before} refused before sending, {duplicates} \
         duplicate; {} requests, {} lookups",
        report.done(),
        report.results.len().saturating_sub(report.done()),
        report.requests,
        report.lookups
    ));
    Ok(exit)
}

/// One answered number's row, and the exit it calls for.
fn outcome_row(number: E164, outcome: &ConfirmOutcome) -> (Row, Exit) {
    let mut row = Row {
        input: number.to_string(),
        status: outcome.as_str(),
        ownership_status: String::new(),
        code: String::new(),
        detail: String::new(),
    };
    let exit = match outcome {
        ConfirmOutcome::Done { record, looked_up } => {
            row.ownership_status = record
                .ownership_status
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default();
            let mut detail = record
                .removal_reason
                .as_ref()
                .map(|r| format!("removal_reason {r}"))
                .unwrap_or_default();
            if *looked_up {
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                detail.push_str("the answer was lost; a lookup found it applied");
            }
            row.detail = detail;
            Exit::Success
        }
        ConfirmOutcome::Refused(e) => {
            row.code = e.code().unwrap_or("api").to_owned();
            row.detail = format!("HTTP {}: {}", e.status, e.summary());
            Exit::Refused
        }
        ConfirmOutcome::Failed(e) => {
            row.code = "failed".into();
            row.detail = format!("{e} (not applied; safe to run again)");
            Exit::Unavailable
        }
        ConfirmOutcome::Unknown(e) => {
            row.code = "unknown".into();
            row.detail = format!(
                "{e} (may have been applied: check `ownership get` before answering again)"
            );
            Exit::Unavailable
        }
        ConfirmOutcome::NotSent => {
            row.code = "not_sent".into();
            row.detail = "interrupted before it was sent".into();
            Exit::Interrupted
        }
        // An outcome this CLI does not know yet: not known to be applied.
        other => {
            row.code = other.as_str().to_owned();
            row.detail = "check `ownership get` before answering again".into();
            Exit::Unavailable
        }
    };
    (row, exit)
}

/// What Ctrl-C says during a bulk answer.
fn messages(what: &str) -> Messages {
    Messages {
        first: format!(
            "interrupted: sending no new answers; waiting for those in flight, then printing \
             every number's outcome ({what}; Ctrl-C again to exit now)"
        ),
        second: format!(
            "interrupted again: exiting now; the answers in flight may or may not have been \
             applied: check them with `ownership get` before answering again ({what})"
        ),
    }
}
