//! Command-line arguments and value parsers that several commands take: a number as people
//! write it, an enterprise, and the ids of uploaded documents.

use telnyx_e164::E164;
use telnyx_reputation::{DocumentId, LoaDocumentId};
use uuid::Uuid;

use crate::exit::Failure;
use crate::output::cut;

/// A number as people write it (E.164, a US form, a `tel:` URI), or a usage failure naming it.
pub fn number(input: &str) -> Result<E164, Failure> {
    E164::parse_lenient(crate::input::number_text(input))
        .map_err(|e| Failure::usage(format!("{}: {} ({})", cut(input), e.reason, e.code())))
}

/// The enterprise a subcommand acts on.
#[derive(Debug, clap::Args)]
pub struct Enterprise {
    /// The enterprise (UUID).
    #[arg(long)]
    pub enterprise: Uuid,
}

/// `--loa-document-id`: the signed Letter of Authorization's document id.
pub fn loa_document(s: &str) -> Result<LoaDocumentId, String> {
    LoaDocumentId::new(s).map_err(|e| e.to_string())
}

/// An uploaded document's id (`--document`, `--evidence`).
pub fn document_id(s: &str) -> Result<DocumentId, String> {
    DocumentId::new(s).map_err(|e| e.to_string())
}
