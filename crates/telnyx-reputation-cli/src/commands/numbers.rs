//! `list`, `get NUMBER [--fresh]` and `disassociate NUMBER...`.

use futures::TryStreamExt;
use telnyx_e164::E164;
use telnyx_reputation::{Freshness, NumberReputation};
use uuid::Uuid;

use crate::context::{Global, Output};
use crate::exit::{Exit, Failure};

/// Arguments of `list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this enterprise (else every enterprise of the account).
    #[arg(long)]
    enterprise: Option<Uuid>,
    /// Only this number.
    #[arg(long)]
    phone_number: Option<String>,
}

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

fn number(input: &str) -> Result<E164, Failure> {
    E164::parse_lenient(input).map_err(|e| Failure::usage(format!("{e} ({})", e.code())))
}

fn print_numbers(records: &[NumberReputation], output: Output) {
    match output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(records).unwrap_or_default()
        ),
        Output::Csv | Output::Table => {
            let sep = if output == Output::Csv { "," } else { "  " };
            println!(
                "{}",
                [
                    "phone_number",
                    "enterprise_id",
                    "spam_risk",
                    "spam_category",
                    "maturity",
                    "connection",
                    "engagement",
                    "sentiment",
                    "last_refreshed_at"
                ]
                .join(sep)
            );
            for r in records {
                let d = r.reputation_data.clone().unwrap_or_default();
                let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
                println!(
                    "{}",
                    [
                        r.phone_number.clone().unwrap_or_default(),
                        r.enterprise_id.map(|e| e.to_string()).unwrap_or_default(),
                        d.spam_risk
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| "-".into()),
                        d.spam_category.unwrap_or_else(|| "-".into()),
                        opt(d.maturity_score),
                        opt(d.connection_score),
                        opt(d.engagement_score),
                        opt(d.sentiment_score),
                        d.last_refreshed_at
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_else(|| "-".into()),
                    ]
                    .join(sep)
                );
            }
        }
    }
}

/// Runs `list`.
pub async fn list(args: ListArgs, global: &Global) -> Result<Exit, Failure> {
    let filter = args.phone_number.as_deref().map(number).transpose()?;
    let session = global.session().await?;
    let records: Result<Vec<NumberReputation>, _> = session
        .client
        .list_all(args.enterprise.into(), filter)
        .try_collect()
        .await;
    session.close().await;
    print_numbers(&records.map_err(Failure::from_api)?, global.output);
    Ok(Exit::Success)
}

/// Runs `get`.
pub async fn get(args: GetArgs, global: &Global) -> Result<Exit, Failure> {
    let n = number(&args.number)?;
    let session = global.session().await?;
    let freshness = if args.fresh {
        eprintln!("note: --fresh fetches new reputation data, which is billable");
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
    print_numbers(&[result.map_err(Failure::from_api)?], global.output);
    Ok(Exit::Success)
}

/// Runs `disassociate`.
pub async fn disassociate(args: DisassociateArgs, global: &Global) -> Result<Exit, Failure> {
    let numbers = args
        .numbers
        .iter()
        .map(|s| number(s))
        .collect::<Result<Vec<_>, _>>()?;
    let session = global.session().await?;
    let mut exit = Exit::Success;
    for n in numbers {
        let result = session.client.disassociate(args.enterprise.into(), n).await;
        match result {
            Ok(()) => println!("{n} disassociated"),
            Err(e) => {
                let failure = Failure::from_api(e);
                eprintln!("{n}: {}", failure.message);
                exit = if failure.code == 3 {
                    Exit::Unavailable
                } else {
                    exit.max_refused()
                };
            }
        }
    }
    session.close().await;
    Ok(exit)
}

trait MaxRefused {
    fn max_refused(self) -> Exit;
}

impl MaxRefused for Exit {
    fn max_refused(self) -> Exit {
        match self {
            Exit::Unavailable => Exit::Unavailable,
            _ => Exit::Refused,
        }
    }
}
