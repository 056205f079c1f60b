//! `get NUMBER [--fresh]` and `disassociate NUMBER...`, each printing its rows as a table, JSON
//! or CSV.

use serde::Serialize;
use telnyx_reputation::Freshness;
use uuid::Uuid;

use crate::args::number;
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{JsonRows, Output, Sink};
use crate::rows::{NUMBER_HEADERS, number_cells};

/// Arguments of `get`.
#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The number (E.164 or a US form).
    number: String,
    /// The enterprise (else whichever enterprise of the account has it).
    #[arg(long)]
    enterprise: Option<Uuid>,
    /// Fetch fresh data instead of the cached data (billable).
    #[arg(long)]
    fresh: bool,
}

/// Arguments of `disassociate`.
#[derive(Debug, clap::Args)]
pub struct DisassociateArgs {
    /// The numbers.
    #[arg(required = true)]
    numbers: Vec<String>,
    /// The enterprise (else whichever enterprise of the account has them).
    #[arg(long)]
    enterprise: Option<Uuid>,
}

fn number_sink(output: Output) -> Result<Sink, Failure> {
    Sink::new(output, &NUMBER_HEADERS, JsonRows::Array)
}

/// Runs `get`.
pub async fn get(args: GetArgs, global: &Global) -> Result<Exit, Failure> {
    let n = number(&args.number)?;
    let session = global.session().await?;
    let freshness = if args.fresh {
        // Said even with -q, as every billable command says what it bills.
        eprintln!("get --fresh: 1 billable check ($0.10): --fresh fetches new reputation data");
        global.confirm_billable(&session.client, &format!("a fresh reputation read of {n}"))?;
        Freshness::Fresh
    } else {
        Freshness::Cached
    };
    let result = session
        .client
        .get(args.enterprise.into(), n, freshness)
        .await;
    session.close().await;
    let record = result.map_err(|e| {
        // A read may bill (fresh, or a number without cached data), so it is never sent again
        // once it may have reached the server.
        let unknown = e.outcome_unknown();
        let mut failure = Failure::from_api(e);
        if unknown {
            failure.message = format!(
                "{}: the read may have reached the server and been billed once; it was not sent again",
                failure.message.trim_end_matches(" (after retries; try again later)")
            );
        }
        failure
    })?;
    let mut sink = number_sink(global.output())?;
    sink.row(record.raw(), &number_cells(&record))?;
    sink.finish()?;
    Ok(Exit::Success)
}

/// One number's result of `disassociate`.
#[derive(Serialize)]
struct Disassociated {
    phone_number: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Runs `disassociate`: one row per number, `disassociated`, `refused` or `failed`.
pub async fn disassociate(args: DisassociateArgs, global: &Global) -> Result<Exit, Failure> {
    let numbers = args
        .numbers
        .iter()
        .map(|s| number(s))
        .collect::<Result<Vec<_>, _>>()?;
    let session = global.session().await?;
    let result = async {
        let mut sink = Sink::new(
            global.output(),
            &["phone_number", "status", "error"],
            JsonRows::Array,
        )?;
        let mut exit = Exit::Success;
        for n in numbers {
            let result = session.client.disassociate(args.enterprise.into(), n).await;
            let row = match result {
                Ok(()) => Disassociated {
                    phone_number: n.to_string(),
                    status: "disassociated",
                    error: None,
                },
                Err(e) => {
                    let failure = Failure::from_api(e);
                    exit = exit.worse(failure.exit);
                    Disassociated {
                        phone_number: n.to_string(),
                        status: if failure.exit == Exit::Refused {
                            "refused"
                        } else {
                            "failed"
                        },
                        error: Some(failure.message),
                    }
                }
            };
            let cells = [
                row.phone_number.clone(),
                row.status.to_owned(),
                row.error.clone().unwrap_or_default(),
            ];
            sink.row(&row, &cells)?;
        }
        sink.finish()?;
        Ok(exit)
    }
    .await;
    session.close().await;
    result
}
