//! What can go wrong between the spec's text and the generated client.

use thiserror::Error;

/// Why a spec could not become a client.
///
/// Every variant says where (operation or schema, and a JSON pointer into the document) and why,
/// so that `cargo xtask regen` and `build.rs` can print one clear line.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CodegenError {
    /// The text is neither YAML nor JSON.
    #[error("not YAML: {0}")]
    NotYaml(String),
    /// The document parsed, but it is not an OpenAPI 3.0 or 3.1 document.
    #[error("not an OpenAPI 3.0/3.1 document: {0}")]
    NotOpenApi(String),
    /// A construct that normalisation cannot translate into what the generator accepts.
    #[error("cannot translate {subject} at {pointer}: {reason}")]
    Untranslatable {
        /// The operation (`operation ListReputationNumbers`) or schema (`schema ReputationData`).
        subject: String,
        /// JSON pointer (RFC 6901) to the construct in the original document.
        pointer: String,
        /// What the construct is and why it cannot be translated.
        reason: String,
    },
    /// The overlay text is not an OpenAPI Overlay 1.0 document.
    #[error("not an Overlay 1.0 document: {0}")]
    NotOverlay(String),
    /// One action of an overlay could not be applied.
    #[error("overlay action {action}: {reason}")]
    OverlayAction {
        /// The action: `#N` (1-based), with its target and description when it has them.
        action: String,
        /// What the action met and which rule it breaks.
        reason: String,
    },
    /// progenitor refused the normalised document.
    #[error("the generator refused the document: {0}")]
    Generator(String),
}
