//! `refresh`: fresh reputation for any number of monitored numbers, in batches of at most 100,
//! with the library's pre-flight and a row per number. Billable per number refreshed: the count
//! is said before anything is sent, and above [`crate::bulk::CONFIRM_ABOVE`] numbers a real API
//! asks first. The job runs on the bulk engine with a write-ahead journal (by default, as
//! `associate`'s), so a job killed at any instant is finished by `resume` without billing a
//! number twice. The job runner and the report printing ([`crate::bulk::ops`]) are shared with
//! `remediation submit`, and so is the handling of Ctrl-C: the numbers never sent are reported.
use telnyx_reputation::bulk::BulkOptions;
use uuid::Uuid;

use crate::args::{in_flight, per_request};
use crate::bulk::ops::{plan, run_ops};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::InputArgs;
use crate::journals::JournalArgs;

/// Arguments of `refresh`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    #[command(flatten)]
    input: InputArgs,
    /// Requests in flight at once (1–64).
    #[arg(long, default_value_t = 4, value_parser = in_flight::<64>)]
    concurrency: usize,
    /// Numbers per request (1–100).
    #[arg(long, default_value_t = 100, value_parser = per_request::<100>)]
    batch_size: usize,
    /// Accept only `+` and digits (by default human US forms are read and sent canonical).
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    journal: JournalArgs,
}

/// Runs `refresh`.
pub async fn run(args: Args, global: &Global) -> Result<Exit, Failure> {
    let plan = plan(&args.input, args.strict, global)?;
    let options = BulkOptions::default()
        .batch_size(args.batch_size)
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
