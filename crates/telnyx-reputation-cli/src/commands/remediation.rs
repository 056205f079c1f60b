//! `remediation submit|list|get`: ask Telnyx to work on flagged numbers, and follow the
//! requests. `submit` takes any number of numbers (requests of at most 2,000), is billable per
//! number, says so before sending, and reports each number: done, refused, or already in flight
//! (409, never sent again).

use chrono::{DateTime, Utc};
use serde::Serialize;
use telnyx_reputation::bulk::BulkOptions;
use telnyx_reputation::bulk::ops::RemediationTemplate;
use telnyx_reputation::{Page, Remediation, RemediationFilter, RemediationStatus};
use uuid::Uuid;

use crate::args::{in_flight, per_request};
use crate::bulk::ops::{plan, run_ops};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::input::InputArgs;
use crate::journals::JournalArgs;
use crate::output::{self, JsonRows, Output, Sink};

/// The `remediation` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Submit numbers for remediation (billable per number).
    Submit(SubmitArgs),
    /// List the enterprise's remediation requests.
    List(ListArgs),
    /// Show one remediation request, with its per-number results once completed.
    Get(GetArgs),
}

/// Arguments of `remediation submit`.
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    #[command(flatten)]
    input: InputArgs,
    /// How the numbers are used (1–1,978 characters: each request adds a 22-character marker
    /// by which a request whose answer was lost is found again), e.g. "appointment reminders".
    #[arg(long)]
    call_purpose: String,
    /// A contact email for the requests.
    #[arg(long)]
    contact_email: Option<String>,
    /// An https URL notified of status changes.
    #[arg(long)]
    webhook_url: Option<String>,
    /// Numbers per request (1–2,000).
    #[arg(long, default_value_t = 2000, value_parser = per_request::<2000>)]
    batch_size: usize,
    /// Requests in flight at once (1–16).
    #[arg(long, default_value_t = 2, value_parser = in_flight::<16>)]
    concurrency: usize,
    /// Accept only `+` and digits (by default human US forms are read and sent canonical).
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    journal: JournalArgs,
}

/// A status this client knows (a typo on the command line is refused, not sent).
fn status(s: &str) -> Result<RemediationStatus, String> {
    let value = RemediationStatus::from(s);
    if value.is_known() {
        Ok(value)
    } else {
        Err(format!("one of {}", RemediationStatus::KNOWN.join(", ")))
    }
}

/// Arguments of `remediation list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// Only requests in this status (pending, in_progress, completed, failed, cancelled).
    #[arg(long, value_parser = status)]
    status: Option<RemediationStatus>,
    /// Only requests created at or after this time (RFC 3339).
    #[arg(long)]
    created_from: Option<DateTime<Utc>>,
    /// Only requests created at or before this time (RFC 3339).
    #[arg(long)]
    created_until: Option<DateTime<Utc>>,
    /// The page (from 1).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    page: u64,
    /// Rows per page (1–250).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=250))]
    page_size: u64,
}

/// Arguments of `remediation get`.
#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// The remediation request's id.
    id: Uuid,
}

/// Runs a `remediation` subcommand.
pub async fn run(command: Command, global: &Global) -> Result<Exit, Failure> {
    match command {
        Command::Submit(args) => submit(args, global).await,
        Command::List(args) => list(args, global).await,
        Command::Get(args) => get(args, global).await,
    }
}

fn template(args: &SubmitArgs) -> Result<RemediationTemplate, Failure> {
    let bad = |e: telnyx_reputation::InvalidInput| Failure::usage(e.to_string());
    let mut t = RemediationTemplate::new(&args.call_purpose).map_err(bad)?;
    if let Some(email) = &args.contact_email {
        t = t.with_contact_email(email).map_err(bad)?;
    }
    if let Some(url) = &args.webhook_url {
        t = t.with_webhook_url(url).map_err(bad)?;
    }
    Ok(t)
}

async fn submit(args: SubmitArgs, global: &Global) -> Result<Exit, Failure> {
    let template = template(&args)?;
    let plan = plan(&args.input, args.strict, global)?;
    let options = BulkOptions::default()
        .batch_size(args.batch_size)
        .concurrency(args.concurrency);
    let enterprise = args.enterprise;
    run_ops(
        global,
        plan,
        ("remediation submit", "numbers ($1.00 each)"),
        options,
        &args.journal,
        |client, plan, options| client.prepare_remediation(enterprise, plan, &template, &options),
    )
    .await
}

/// One request as listed.
#[derive(Serialize)]
struct RequestRow {
    id: Uuid,
    status: String,
    phone_numbers_count: u64,
    call_purpose: String,
    created_at: String,
}

const HEADERS: [&str; 5] = [
    "id",
    "status",
    "phone_numbers_count",
    "call_purpose",
    "created_at",
];

fn cells(r: &RequestRow) -> Vec<String> {
    vec![
        r.id.to_string(),
        r.status.clone(),
        r.phone_numbers_count.to_string(),
        r.call_purpose.clone(),
        r.created_at.clone(),
    ]
}

async fn list(args: ListArgs, global: &Global) -> Result<Exit, Failure> {
    let session = global.session().await?;
    let filter = RemediationFilter::default()
        .status(args.status)
        .created_from(args.created_from)
        .created_until(args.created_until);
    let result = session
        .client
        .remediations(args.enterprise)
        .filter(filter)
        .page(Page::new(args.page, args.page_size))
        .await;
    session.close().await;
    let page = result.map_err(Failure::from_api)?;
    let mut sink = Sink::new(global.output(), &HEADERS, JsonRows::Array)?;
    for r in &page.data {
        let row = RequestRow {
            id: r.id,
            status: r.status.to_string(),
            phone_numbers_count: r.phone_numbers_count,
            call_purpose: r.call_purpose.to_string(),
            created_at: r.created_at.to_rfc3339(),
        };
        sink.row(&row, &cells(&row))?;
    }
    sink.finish()?;
    Ok(Exit::Success)
}

async fn get(args: GetArgs, global: &Global) -> Result<Exit, Failure> {
    let session = global.session().await?;
    let result = session.client.remediation(args.enterprise, args.id).await;
    session.close().await;
    let request: Remediation = result.map_err(Failure::from_api)?;
    match global.output() {
        Output::Json => output::json(request.raw())?,
        other => {
            let mut sink = Sink::new(other, &HEADERS, JsonRows::Array)?;
            let row = RequestRow {
                id: request.id,
                status: request.status.to_string(),
                phone_numbers_count: request.phone_numbers_count,
                call_purpose: request.call_purpose.clone(),
                created_at: request.created_at.to_rfc3339(),
            };
            sink.row(&row, &cells(&row))?;
            sink.finish()?;
        }
    }
    Ok(Exit::Success)
}
