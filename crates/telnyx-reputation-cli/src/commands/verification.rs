//! `verification submit|get`: the enterprise's ownership proof for numbers hosted elsewhere
//! (documents uploaded with the Documents API), and where its review stands. Not billable.

use serde::Serialize;
use telnyx_e164::E164;
use telnyx_reputation::{DocumentId, Verification};
use uuid::Uuid;

use crate::args::{Enterprise, document_id, number};
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::output::{self, JsonRows, Output, Sink};

/// The `verification` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Submit the documents proving the enterprise owns its numbers hosted elsewhere (while
    /// the review is pending or rejected, a new submission replaces them; once approved it is
    /// final).
    Submit(SubmitArgs),
    /// Show the ownership proof and its review (exit 1 when none was submitted).
    Get(Enterprise),
}

/// Arguments of `verification submit`.
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// The id of an uploaded document (a carrier invoice, an account statement); repeat for
    /// several.
    #[arg(long = "document", value_name = "ID", required = true, value_parser = document_id)]
    documents: Vec<DocumentId>,
    /// A number the documents cover (E.164 or a US form); repeat for several. Optional:
    /// numbers not listed can still be added, each is checked on its own.
    #[arg(long = "phone-number", value_name = "NUMBER")]
    phone_numbers: Vec<String>,
}

/// Runs a `verification` subcommand.
pub async fn run(command: Command, global: &Global) -> Result<Exit, Failure> {
    let numbers: Vec<E164> = match &command {
        Command::Submit(a) => a
            .phone_numbers
            .iter()
            .map(|n| number(n))
            .collect::<Result<_, _>>()?,
        Command::Get(_) => Vec::new(),
    };
    let enterprise = match &command {
        Command::Submit(a) => a.enterprise,
        Command::Get(a) => a.enterprise,
    };
    let session = global.session().await?;
    let result = match &command {
        Command::Submit(a) => session
            .client
            .submit_ownership_proof(a.enterprise, &a.documents, &numbers)
            .await
            .map(Some),
        Command::Get(_) => session.client.ownership_proof(enterprise).await,
    };
    session.close().await;
    match result.map_err(Failure::from_api)? {
        Some(proof) => {
            print_proof(&proof, global.output())?;
            Ok(Exit::Success)
        }
        None => Err(Failure::refused(format!(
            "no ownership proof has been submitted for enterprise {enterprise} (404; \
             `verification submit` sends one)"
        ))),
    }
}

/// The proof as a row.
#[derive(Serialize)]
struct Row {
    enterprise_id: String,
    status: String,
    document_ids: String,
    phone_numbers: String,
    submitted_at: String,
    reviewed_at: String,
    rejection_reason: String,
}

const HEADERS: [&str; 7] = [
    "enterprise_id",
    "status",
    "document_ids",
    "phone_numbers",
    "submitted_at",
    "reviewed_at",
    "rejection_reason",
];

/// Prints a proof: the API's object as JSON, else one row (lists joined with spaces).
fn print_proof(p: &Verification, output: Output) -> Result<(), Failure> {
    if output == Output::Json {
        return output::json(p.raw());
    }
    let joined = |v: &Vec<String>| v.join(" ");
    let row = Row {
        enterprise_id: p.enterprise_id.clone().unwrap_or_default(),
        status: p.status.to_string(),
        document_ids: joined(&p.document_ids),
        phone_numbers: joined(&p.phone_numbers),
        submitted_at: p
            .submitted_at
            .as_ref()
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        reviewed_at: p
            .reviewed_at
            .as_ref()
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        rejection_reason: p.rejection_reason.clone().unwrap_or_default(),
    };
    let cells = [
        row.enterprise_id.clone(),
        row.status.clone(),
        row.document_ids.clone(),
        row.phone_numbers.clone(),
        row.submitted_at.clone(),
        row.reviewed_at.clone(),
        row.rejection_reason.clone(),
    ];
    let mut sink = Sink::new(output, &HEADERS, JsonRows::Array)?;
    sink.row(&row, &cells)?;
    sink.finish()
}
