//! The bulk refresh or remediation job that `refresh` and `remediation submit` run (and
//! `resume` finishes): its inputs read through pre-flight ([`plan`]), its journal
//! ([`JournalArgs`]), what it bills said before anything is sent, and the run itself with
//! Ctrl-C watched ([`run_ops`]); the report is printed by [`super::ops_report`].

use std::path::Path;

use telnyx_reputation::bulk::ops::Plan;
use telnyx_reputation::bulk::{BulkOptions, CancellationToken, Parsing, PreparedJob};

use crate::bulk::CONFIRM_ABOVE;
use crate::bulk::ops_report::{left_short, print_ops};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::{InputArgs, Inputs, number_text};
use crate::journals::{JournalArgs, quoted};
use crate::signals::{self, Messages};

/// The journal of a refresh or a remediation.
/// Reads the inputs through pre-flight; a read error or an unreadable file ends the command.
pub fn plan(input: &InputArgs, strict: bool, global: &Global) -> Result<Plan, Failure> {
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

/// Runs a bulk refresh or remediation: says what it will bill (asking first above
/// [`CONFIRM_ABOVE`]), prepares the job with `prepare`, names its journal, runs it with Ctrl-C
/// watched (the first stops new batches and lets those in flight be decided, the second exits
/// at once), then prints the report, the numbers never sent included, and how to finish a job
/// left short.
pub async fn run_ops<F>(
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
    let path = match journal.path(job.job_id(), true, global) {
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
