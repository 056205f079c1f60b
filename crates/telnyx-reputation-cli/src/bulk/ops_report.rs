//! The report of a bulk refresh or remediation (from `refresh`, `remediation submit`, or
//! `resume` of their journal): a row per input, the totals on stderr, the exit, and what to run
//! next when the job stopped with work left.

use std::path::Path;

use serde::Serialize;
use telnyx_reputation::bulk::{JobReport, NumberOutcome};
use uuid::Uuid;

use crate::exit::{Exit, Failure};
use crate::journals::quoted;
use crate::output::{JsonRows, Output, Sink, cut};

/// What to run next when a journaled refresh or remediation stopped with work left.
pub fn left_short(report: &JobReport, journal: &Path) -> Option<String> {
    let stopped = report.interrupted || report.end.is_some() || !report.unsent.is_empty();
    // The journal is read again only for a job that stopped short: a finished one has none left.
    (stopped && crate::journals::unfinished(journal)).then(|| {
        format!(
            "the job did not finish; its journal is {}.\n  to finish it: telnyx-reputation resume {}",
            journal.display(),
            quoted(journal)
        )
    })
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
pub fn print_ops(report: &JobReport, output: Output) -> Result<Exit, Failure> {
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
