//! `get NUMBER [--fresh]` and `disassociate NUMBER...`, each printing its rows as a table, JSON
//! or CSV, and the number rows `list` shares.

use serde::Serialize;
use telnyx_e164::E164;
use telnyx_reputation::{Freshness, NumberReputation};
use uuid::Uuid;

use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{JsonRows, Output, Sink, cut};

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

/// A number as people write it (E.164, a US form, a `tel:` URI), or a usage failure naming it.
pub(super) fn number(input: &str) -> Result<E164, Failure> {
    E164::parse_lenient(crate::input::number_text(input))
        .map_err(|e| Failure::usage(format!("{}: {} ({})", cut(input), e.reason, e.code())))
}

/// The columns of a number row: its reputation, then where it is hosted (`source`) and where
/// its ownership stands (`ownership`, the API's `ownership_status`). The two ownership columns
/// come last so that the reputation columns keep their places.
pub(super) const NUMBER_HEADERS: [&str; 11] = [
    "phone_number",
    "enterprise_id",
    "spam_risk",
    "spam_category",
    "maturity",
    "connection",
    "engagement",
    "sentiment",
    "last_refreshed_at",
    "source",
    "ownership",
];

pub(super) fn number_cells(r: &NumberReputation) -> Vec<String> {
    let d = r.reputation_data.clone().unwrap_or_default();
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        r.phone_number.clone().unwrap_or_default(),
        r.enterprise_id.map(|e| e.to_string()).unwrap_or_default(),
        d.spam_risk.map(|s| s.to_string()).unwrap_or_default(),
        d.spam_category.unwrap_or_default(),
        opt(d.maturity_score),
        opt(d.connection_score),
        opt(d.engagement_score),
        opt(d.sentiment_score),
        d.last_refreshed_at
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        r.source.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        r.ownership_status
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    ]
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
    sink.row(&record, &number_cells(&record))?;
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
