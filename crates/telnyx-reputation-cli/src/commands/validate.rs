//! `validate [--strict] [NUMBER|FILE|-]...`: one row per input, streamed. By default one JSON
//! object a line; `--output csv` or `table` for the same rows. Reads what `associate` reads,
//! the same way (see [`crate::input`]), and says what its pre-flight says: US local and US
//! toll-free numbers pass, a toll-free one with the note that the server accepts it from the
//! account's Telnyx inventory only.

use serde::Serialize;
use telnyx_e164::{E164, NumberKind};

use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::{InputArgs, Inputs, number_text};
use crate::output::{JsonRows, Output, Sink, cut};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accept only the wire form (`+` and digits); by default human US forms are read too.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Serialize)]
struct Line {
    input: String,
    ok: bool,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    e164: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
}

fn check(input: &str, strict: bool) -> Line {
    let text = number_text(input);
    let parsed = if strict {
        E164::parse_strict(text)
    } else {
        E164::parse_lenient(text)
    };
    match parsed {
        Ok(n) => {
            let kind = n.kind();
            // The associate call's rule, as the library's pre-flight applies it.
            let accepted = kind.accepted();
            Line {
                input: cut(input),
                ok: accepted.is_ok(),
                kind: kind.name(),
                e164: Some(n.to_string()),
                region: match kind {
                    NumberKind::NonUs { region } => Some(region.as_str()),
                    _ => None,
                },
                reason: accepted.err().map(|r| r.code()),
                note: accepted.ok().and_then(|us| us.note()),
            }
        }
        Err(e) => Line {
            input: cut(input),
            ok: false,
            kind: "invalid",
            e164: None,
            region: None,
            reason: Some(e.code()),
            note: None,
        },
    }
}

/// Runs `validate`: exits [`Exit::Refused`] when any input is neither a US local nor a US
/// toll-free number.
pub fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let inputs = Inputs::open(&args.input)?;
    let tally = inputs.tally();
    let output = global.output_or(Output::Json);
    let mut sink = Sink::new(
        output,
        &["input", "ok", "kind", "e164", "region", "reason", "note"],
        JsonRows::Lines,
    )?;
    let mut all_ok = true;
    for input in inputs {
        let line = check(&input, args.strict);
        all_ok &= line.ok;
        let cells = [
            line.input.clone(),
            line.ok.to_string(),
            line.kind.to_owned(),
            line.e164.clone().unwrap_or_default(),
            line.region.unwrap_or_default().to_owned(),
            line.reason.unwrap_or_default().to_owned(),
            line.note.unwrap_or_default().to_owned(),
        ];
        sink.row(&line, &cells)?;
    }
    sink.finish()?;
    let tally = tally.borrow();
    tally.failed()?;
    if let Some(note) = tally.skipped_note() {
        global.note(note);
    }
    Ok(if all_ok { Exit::Success } else { Exit::Refused })
}
