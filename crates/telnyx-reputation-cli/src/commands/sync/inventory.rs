//! Reading `sync`'s FILE: the input reader of `associate`, then the bulk engine's pre-flight;
//! a bad line stops the sync with its line number and rule before anything is sent.

use telnyx_reputation::bulk::Parsing;
use telnyx_reputation::sync::Inventory;

use super::Args;
use crate::bulk::job_report::reason;
use crate::context::Global;
use crate::exit::Failure;
use crate::input::{InputArgs, Inputs, number_text};
use crate::output::cut;

/// Reads FILE with the input reader of `associate` and checks it with the bulk engine's
/// pre-flight. Every refused line is reported with its line number and rule (exit 2, nothing
/// sent); duplicates are dropped and said, as `associate` reports them.
pub(super) fn inventory(args: &Args, global: &Global) -> Result<Inventory, Failure> {
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
