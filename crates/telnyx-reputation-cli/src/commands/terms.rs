//! `terms agree`: the account agrees to the Number Reputation Terms of Service, which enabling
//! reputation requires.

use serde::Serialize;

use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{self, JsonRows, Output, Sink};

/// The `terms` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Agree to the Number Reputation Terms of Service for this account (API key).
    Agree,
}

#[derive(Serialize)]
struct Row {
    id: String,
    terms_version: String,
    agreed_at: String,
}

/// Runs a `terms` subcommand.
pub async fn run(command: Command, global: &Global) -> Result<Exit, Failure> {
    let Command::Agree = command;
    let session = global.session().await?;
    let result = session.client.agree_to_terms().await;
    session.close().await;
    let agreement = result.map_err(Failure::from_api)?;
    if global.output() == Output::Json {
        output::json(agreement.raw())?;
        return Ok(Exit::Success);
    }
    let row = Row {
        id: agreement.id.map(|i| i.to_string()).unwrap_or_default(),
        terms_version: agreement.terms_version.clone().unwrap_or_default(),
        agreed_at: agreement
            .agreed_at
            .as_ref()
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
    };
    let cells = [
        row.id.clone(),
        row.terms_version.clone(),
        row.agreed_at.clone(),
    ];
    let mut sink = Sink::new(
        global.output(),
        &["id", "terms_version", "agreed_at"],
        JsonRows::Array,
    )?;
    sink.row(&row, &cells)?;
    sink.finish()?;
    Ok(Exit::Success)
}
