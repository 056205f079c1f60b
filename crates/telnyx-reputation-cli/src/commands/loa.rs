//! `loa render -o FILE.pdf` and `loa replace`: the enterprise's Letter of Authorization.
//! Rendering is free; the PDF is written to the file named (never to a terminal).

use std::path::PathBuf;

use telnyx_reputation::{LoaDocumentId, LoaRender};
use uuid::Uuid;

use crate::args::loa_document;
use crate::context::Global;
use crate::exit::{Exit, Failure};
use crate::rows::print_settings;

/// The `loa` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Render the Letter of Authorization as a PDF to sign (free).
    Render(RenderArgs),
    /// Point the settings at a newly signed letter (its approval starts over).
    Replace(ReplaceArgs),
}

/// Arguments of `loa render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// Where to write the PDF.
    #[arg(short = 'o', long = "out", value_name = "FILE.pdf")]
    out: PathBuf,
}

/// Arguments of `loa replace`.
#[derive(Debug, clap::Args)]
pub struct ReplaceArgs {
    /// The enterprise (UUID).
    #[arg(long)]
    enterprise: Uuid,
    /// The new signed letter's document id.
    #[arg(long, value_parser = loa_document)]
    loa_document_id: LoaDocumentId,
}

/// Runs a `loa` subcommand.
pub async fn run(command: Command, global: &Global) -> Result<Exit, Failure> {
    let session = global.session().await?;
    match command {
        Command::Render(a) => {
            let result = session
                .client
                .render_loa(a.enterprise, &LoaRender::default())
                .await;
            session.close().await;
            let pdf = result.map_err(Failure::from_api)?;
            std::fs::write(&a.out, &pdf)
                .map_err(|e| Failure::usage(format!("cannot write {}: {e}", a.out.display())))?;
            global.note(format!("wrote {} ({} bytes)", a.out.display(), pdf.len()));
        }
        Command::Replace(a) => {
            let result = session
                .client
                .replace_loa(a.enterprise, &a.loa_document_id)
                .await;
            session.close().await;
            print_settings(&result.map_err(Failure::from_api)?, global.output())?;
        }
    }
    Ok(Exit::Success)
}
