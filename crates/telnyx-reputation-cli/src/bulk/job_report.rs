//! A bulk job's [`JobReport`] (from `associate`, `resume` or `rollback`): its exit, its rows as a
//! table, JSON or CSV, and how the command ends ([`conclude`]: the report printed, what to run
//! next said on stderr, and the exit, 130 when an interrupt cut the job short).

use std::path::Path;

use serde::Serialize;
use telnyx_reputation::bulk::{EndCause, JobReport, Note, Outcome, Refusal};

use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::journals::next_steps;
use crate::output::{self, JsonRows, Output, Sink, cut};

/// Whether a failure's status is the API refusing the request (a 4xx other than 408 and 429:
/// a 401, an unknown enterprise) rather than the network or server failing.
fn refused_by_api(status: Option<u16>) -> bool {
    status.is_some_and(|s| (400..500).contains(&s) && s != 408 && s != 429)
}

/// The exit a report means.
pub fn exit_of(report: &JobReport) -> Exit {
    let api_refused = report
        .failed
        .iter()
        .any(|f| refused_by_api(f.reason.status()))
        || refused_by_api(report.end.as_ref().and_then(EndCause::status));
    match report.outcome {
        Outcome::Completed => Exit::Success,
        _ if api_refused => Exit::Refused,
        Outcome::Partial | Outcome::Refused | Outcome::RolledBack => {
            if report.refused.is_empty() && !report.failed.is_empty() {
                Exit::Unavailable
            } else {
                Exit::Refused
            }
        }
        _ => Exit::Unavailable,
    }
}

/// A refusal's reason without the input it repeats (pre-flight reasons start with the input).
pub fn reason(r: &Refusal) -> String {
    let prefix = format!("{:?}: ", r.input);
    cut_long(r.detail.strip_prefix(prefix.as_str()).unwrap_or(&r.detail))
}

/// Long text (a server's detail) cut to a readable length.
fn cut_long(text: &str) -> String {
    if text.chars().nth(200).is_some() {
        let mut s: String = text.chars().take(200).collect();
        s.push('…');
        s
    } else {
        text.to_owned()
    }
}

/// Cuts every echoed input of `report` to [`output::ECHO_LIMIT`] characters.
fn trim_echoes(report: &mut JobReport) {
    for r in &mut report.refused {
        let why = reason(r);
        r.input = cut(&r.input);
        r.detail = why;
    }
    for d in &mut report.duplicates {
        d.input = cut(&d.input);
    }
}

/// The note a row of `number` (in E.164) carries: the condition the server still applies to
/// a toll-free number; empty for any other.
pub fn note_of(number: &str) -> &'static str {
    Note::of_text(number).map_or("", |n| n.note)
}

/// A report as JSON: the library's report, what ended it in words, and the note of every
/// toll-free number it names.
#[derive(Serialize)]
struct Printed<'a> {
    #[serde(flatten)]
    report: &'a JobReport,
    /// [`JobReport::end`] in words (`null` when nothing ended the job early).
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<Note>,
}

/// Prints a report as a table, JSON or CSV (one row per number: status, code, detail, note).
pub fn print_report(mut report: JobReport, output: Output) -> Result<(), Failure> {
    trim_echoes(&mut report);
    match output {
        Output::Json => output::json(&Printed {
            report: &report,
            error: report.end.as_ref().map(ToString::to_string),
            notes: report.notes().collect(),
        }),
        Output::Csv => {
            let mut sink = Sink::new(
                Output::Csv,
                &["number", "status", "code", "detail", "note"],
                JsonRows::Array,
            )?;
            let mut row = |n: String, status: &str, code: &str, detail: &str| {
                let note = note_of(&n).to_owned();
                sink.row(&(), &[n, status.into(), code.into(), detail.into(), note])
            };
            for n in &report.associated {
                row(n.to_string(), "associated", "", "")?;
            }
            for n in &report.already_associated {
                row(n.to_string(), "already_associated", "", "")?;
            }
            for r in &report.refused {
                row(r.input.clone(), "refused", &r.code, &r.detail)?;
            }
            for d in &report.duplicates {
                let why = format!("same number as input #{}", d.first_index);
                row(d.input.clone(), "duplicate", "duplicate", &why)?;
            }
            for f in &report.failed {
                row(f.number.clone(), "failed", "", &f.reason.to_string())?;
            }
            sink.finish()
        }
        Output::Table => {
            let mut rows = vec![
                ("job", report.job_id.to_string()),
                ("enterprise", report.enterprise_id.to_string()),
                ("mode", report.mode.as_str().to_owned()),
                ("outcome", report.outcome.as_str().to_owned()),
                (
                    "inputs",
                    format!(
                        "{} ({} valid, {} duplicates dropped)",
                        report.inputs,
                        report.valid,
                        report.duplicates.len()
                    ),
                ),
                ("associated", report.associated.len().to_string()),
                ("already", report.already_associated.len().to_string()),
                ("refused", report.refused.len().to_string()),
                ("failed", report.failed.len().to_string()),
                ("not sent", report.not_sent.to_string()),
                ("rolled back", report.rolled_back.to_string()),
                ("requests", report.requests.to_string()),
            ];
            let toll_free = report.notes().count();
            if let Some(note) = report.notes().next().map(|n| n.note) {
                rows.push(("toll-free", format!("{toll_free} ({note})")));
            }
            if let Some(end) = &report.end {
                rows.push(("error", end.to_string()));
            }
            output::pairs(&rows)?;
            print_problems(&report)
        }
    }
}

/// The refused, duplicate and failed numbers of a table report, as an aligned table.
fn print_problems(report: &JobReport) -> Result<(), Failure> {
    const SHOWN: usize = 50;
    if report.refused.is_empty() && report.duplicates.is_empty() && report.failed.is_empty() {
        return Ok(());
    }
    output::write_all(b"\n")?;
    let mut sink = Sink::new(
        Output::Table,
        &["#", "input", "status", "reason", "note"],
        JsonRows::Array,
    )?;
    let at = |i: Option<u64>| i.map(|i| i.to_string()).unwrap_or_default();
    for r in report.refused.iter().take(SHOWN) {
        let why = format!("{}: {}", r.code, r.detail);
        let note = note_of(&r.input).to_owned();
        sink.row(
            &(),
            &[at(r.index), r.input.clone(), "refused".into(), why, note],
        )?;
    }
    for d in report.duplicates.iter().take(SHOWN) {
        let why = format!("same number as #{}", d.first_index);
        sink.row(
            &(),
            &[
                at(Some(d.index)),
                d.input.clone(),
                "duplicate".into(),
                why,
                String::new(),
            ],
        )?;
    }
    for f in report.failed.iter().take(SHOWN) {
        sink.row(
            &(),
            &[
                String::new(),
                f.number.clone(),
                "failed".into(),
                cut_long(&f.reason.to_string()),
                note_of(&f.number).to_owned(),
            ],
        )?;
    }
    sink.finish()?;
    let hidden = [
        report.refused.len(),
        report.duplicates.len(),
        report.failed.len(),
    ]
    .iter()
    .map(|n| n.saturating_sub(SHOWN))
    .sum::<usize>();
    if hidden > 0 {
        output::write_all(
            format!("... {hidden} more rows (use --output json or csv for all)\n").as_bytes(),
        )?;
    }
    Ok(())
}

/// Prints `report`, then the next steps for a job left short (named after `journal`, the job's
/// journal if it has one), and returns the exit: [`Exit::Interrupted`] when an interrupt cut the
/// job short, else `exit`.
pub fn conclude(
    report: JobReport,
    journal: Option<&Path>,
    global: &Global,
    exit: Exit,
) -> Result<Exit, Failure> {
    let exit = if report.interrupted {
        Exit::Interrupted
    } else {
        exit
    };
    let next = next_steps(&report, journal);
    print_report(report, global.output())?;
    if let Some(next) = next {
        // Said even with -q: the job is not where the user asked it to be.
        eprintln!("{next}");
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_refusals_are_told_from_server_failures() {
        assert!(refused_by_api(Some(401)));
        assert!(refused_by_api(Some(404)));
        assert!(!refused_by_api(Some(429)));
        assert!(!refused_by_api(Some(408)));
        assert!(!refused_by_api(Some(503)));
        assert!(!refused_by_api(None));
    }
}
