//! `refresh`: fresh reputation for any number of monitored numbers, in batches of at most 100,
//! with the library's pre-flight and a row per number. Billable per number refreshed: the count
//! is said before anything is sent, and above [`CONFIRM_ABOVE`] numbers a real API asks first.
//! The job runner and the report printing here ([`run_ops`]) are shared with
//! `remediation submit`, and so is the handling of Ctrl-C: the numbers never sent are reported.

use serde::Serialize;
use telnyx_reputation::bulk::ops::{NumberOutcome, OpsOptions, OpsReport, Plan};
use telnyx_reputation::bulk::{CancellationToken, Parsing};
use uuid::Uuid;

use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::{InputArgs, Inputs, number_text};
use crate::output::{JsonRows, Output, Sink, cut};
use crate::signals::{self, Messages};

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
    let options = OpsOptions::default()
        .batch_size(usize::from(args.batch_size))
        .concurrency(args.concurrency);
    let enterprise = args.enterprise;
    run_ops(
        global,
        plan,
        ("refresh", "checks ($0.10 each)"),
        options,
        |client, plan, options| async move {
            client.refresh_planned(enterprise, plan, &options).await
        },
    )
    .await
}

/// Runs a bulk refresh or remediation: says what it will bill (asking first above
/// [`CONFIRM_ABOVE`]), runs `job` with Ctrl-C watched (the first stops new batches and lets
/// those in flight be decided, the second exits at once), then prints the report, the numbers
/// never sent included.
pub(super) async fn run_ops<F, Fut>(
    global: &Global,
    plan: Plan,
    (what, unit): (&str, &str),
    options: OpsOptions,
    job: F,
) -> Result<Exit, Failure>
where
    F: FnOnce(telnyx_reputation::Client, Plan, OpsOptions) -> Fut,
    Fut: std::future::Future<Output = OpsReport>,
{
    let session = global.session().await?;
    if let Err(e) = announce(global, &session.client, &plan, what, unit) {
        session.close().await;
        return Err(e);
    }
    let report = if plan.billable() == 0 {
        empty_report(plan)
    } else {
        let token = CancellationToken::new();
        let watch = match signals::watch(token.clone(), messages(what), None) {
            Ok(watch) => watch,
            Err(e) => {
                session.close().await;
                return Err(e);
            }
        };
        let report = job(session.client.clone(), plan, options.cancel_on(token)).await;
        drop(watch);
        report
    };
    session.close().await;
    print_ops(&report, global.output())
}

/// What Ctrl-C says during a bulk refresh or remediation.
fn messages(what: &str) -> Messages {
    Messages {
        first: format!(
            "interrupted: sending no new batches; waiting for the requests in flight, then \
             printing every number's outcome ({what} cannot be undone; Ctrl-C again to exit now)"
        ),
        second: format!(
            "interrupted again: exiting now; the numbers of the requests in flight may or may \
             not have been billed: read them before sending them again ({what})"
        ),
    }
}

/// The report of a job with nothing to send.
fn empty_report(plan: Plan) -> OpsReport {
    OpsReport {
        inputs: plan.inputs(),
        refused: plan.refused().to_vec(),
        duplicates: plan.duplicates().to_vec(),
        ..OpsReport::default()
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
fn print_ops(report: &OpsReport, output: Output) -> Result<Exit, Failure> {
    let mut sink = Sink::new(output, &HEADERS, JsonRows::Array)?;
    let mut exit = if report.refused.is_empty() {
        Exit::Success
    } else {
        Exit::Refused
    };
    for r in &report.refused {
        let row = Row {
            input: cut(&r.input),
            status: "refused",
            code: &r.code,
            detail: r.detail.clone(),
            remediation_id: None,
        };
        write(&mut sink, &row)?;
    }
    let mut numbers: Vec<_> = report.numbers.iter().collect();
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
    let never_sent = match report.not_sent() {
        0 => String::new(),
        n => format!(" ({n} never sent)"),
    };
    eprintln!(
        "{} done (billed), {} not done{never_sent}, {} refused before sending; {} requests, {} lookups",
        report.billed(),
        report.not_done(),
        report.refused.len(),
        report.requests,
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
