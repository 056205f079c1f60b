//! Turns the upstream OpenAPI file into the Rust source of the client.
//!
//! One pipeline, used by both `build.rs` of `telnyx-reputation-api` and `cargo xtask regen` (so a
//! spec that cannot generate is refused before it is written to `spec/`):
//!
//! 1. [`parse_document`]: YAML text to a JSON value (`cargo xtask regen` then applies the
//!    project's overlays with [`apply_overlay`] before it writes the spec);
//! 2. [`normalise`]: OpenAPI 3.1 as upstream writes it to the OpenAPI 3.0 form progenitor
//!    accepts (type arrays, nullable unions, `const`, `examples`, response ranges and `default`,
//!    vendor extensions), with each inline string enumeration of a component schema's property
//!    hoisted into a component schema named as typify would name it (so that [`OPEN_ENUMS`] can
//!    reach it), or an error naming the operation or schema and its JSON pointer;
//! 3. progenitor, with the settings in [`settings`];
//! 4. a rewrite of the generated code so that path parameters are percent-encoded the way the API
//!    requires (`+` as `%2B`), see [`path_encoding`];
//! 5. a rewrite of two calls of the generated code, pointed at the API crate's own functions:
//!    typed answers read by its reader, and `Client::new`'s reqwest client built with its TLS
//!    (see `calls.rs`).
//!
//! Nothing here does I/O; errors are values, and a panic inside the generator is caught and
//! reported as [`CodegenError::Generator`].
//!
//! ```
//! let spec = r#"
//! openapi: 3.1.0
//! info: {title: Demo, version: "1"}
//! paths:
//!   /things/{id}:
//!     get:
//!       operationId: GetThing
//!       parameters:
//!         - {name: id, in: path, required: true, schema: {type: string}}
//!       responses:
//!         '200':
//!           description: ok
//!           content:
//!             application/json:
//!               schema: {type: [string, "null"]}
//! "#;
//! let code = telnyx_reputation_codegen::generate(spec).unwrap();
//! assert!(code.contains("pub fn get_thing"));
//! ```

mod calls;
mod document;
mod error;
mod hoist;
mod overlay;
pub mod path_encoding;
mod pointer;
mod responses;
mod schema;

pub use document::{METHODS, normalise, operations, parse_document};
pub use error::CodegenError;
pub use overlay::{Applied, Overlay, apply_overlay, parse_overlay};

use std::panic::{AssertUnwindSafe, catch_unwind};

/// The progenitor settings of our client.
///
/// - Builder interface: calls read as sentences
///   (`client.list_reputation_numbers().enterprise_id(id).page_size(50).send()`), optional query
///   parameters are simply left out, and new optional parameters upstream do not break callers.
/// - Merged tags: the API has one tag, so methods sit directly on `Client`.
/// - `schemars::JsonSchema` on every generated type, so the emulator and tests can reason about
///   the wire shapes from the same types.
/// - An inner type, `crate::Hooks`, whose `ClientHooks` implementation (hand-written, in the API
///   crate) every request goes through.
/// - The enumerations in [`OPEN_ENUMS`] become the API crate's hand-written open enums.
pub fn settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    for (schema, rust_type) in OPEN_ENUMS {
        settings.with_replacement(
            schema,
            rust_type,
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    }
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        // Every request passes through `crate::Hooks` (the API crate's `ClientHooks` impl), where
        // the hand-written layer paces, bounds and observes it.
        .with_inner_type(quote::quote!(crate::Hooks))
        .with_hooks(progenitor::HooksMode::Expected)
        // Every `date-time` (with or without `null`) is read by the API crate's `Timestamp`,
        // chrono's type with a reader that does not go through chrono's general parser.
        .with_conversion(
            date_time_schema(),
            "crate::Timestamp",
            [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr].into_iter(),
        );
    settings
}

/// Component schemas (by name, hoisted inline enumerations included) whose values upstream
/// documents as a set (every one may grow: a status the server adds later must not make an
/// answer undecodable), each with the API crate's type that reads it: a known value as its
/// variant, any other string kept as `Other(String)` instead of failing the whole answer. A
/// generated closed enum would turn the first new ownership status the API sends into an
/// undecodable list page.
///
/// The webhook payloads carry subsets of two of these (`ReputationWebhookRemovalReason` lacks
/// `customer_removed`, `ExternalVerificationOutcome` lacks `pending`); they read into the same
/// types, which accept every value of the subset.
pub const OPEN_ENUMS: &[(&str, &str)] = &[
    // `ReputationData.spam_risk`, inline in the spec: the name normalisation hoists it under.
    ("ReputationDataSpamRisk", "crate::SpamRisk"),
    ("ReputationNumberSource", "crate::NumberSource"),
    ("ReputationOwnershipStatus", "crate::OwnershipStatus"),
    ("ReputationRemovalReason", "crate::RemovalReason"),
    ("ReputationWebhookRemovalReason", "crate::RemovalReason"),
    ("ExternalVerificationStatus", "crate::VerificationStatus"),
    ("ExternalVerificationOutcome", "crate::VerificationStatus"),
    ("ReputationFlagReason", "crate::FlagReason"),
    ("ReputationCheckFrequency", "crate::CheckFrequency"),
    ("ReputationLoaStatusPublic", "crate::LoaStatus"),
    ("ReputationStatus", "crate::ReputationStatus"),
    ("RemediationStatus", "crate::RemediationStatus"),
];

/// The schema `{type: string, format: date-time}`, as progenitor's conversions match it
/// (descriptions and examples are ignored in the match).
fn date_time_schema() -> schemars08::schema::SchemaObject {
    schemars08::schema::SchemaObject {
        instance_type: Some(schemars08::schema::InstanceType::String.into()),
        format: Some("date-time".into()),
        ..Default::default()
    }
}

/// Generates the client's Rust source from the spec's text (YAML or JSON).
///
/// The result is formatted source, ready to be written to `OUT_DIR` and `include!`d.
pub fn generate(spec_text: &str) -> Result<String, CodegenError> {
    let spec = normalise(parse_document(spec_text)?)?;
    generate_from_openapi(&spec)
}

/// Generates the client's Rust source from an already normalised document.
pub fn generate_from_openapi(spec: &openapiv3::OpenAPI) -> Result<String, CodegenError> {
    let settings = settings();
    let tokens = guarded(|| progenitor::Generator::new(&settings).generate_tokens(spec))?;
    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| CodegenError::Generator(format!("generated code does not parse: {e}")))?;
    path_encoding::apply(&mut file)?;
    Ok(calls::apply(prettyplease::unparse(&file)))
}

/// Runs the generator, turning its errors and its panics into [`CodegenError::Generator`].
///
/// progenitor asserts on shapes it does not handle; normalisation refuses the ones we know of,
/// and this turns any other into an error instead of a crashed build or xtask. The panic hook is
/// silenced for the duration of the call, so that a caught panic prints no message or backtrace:
/// the caller reports the one-line error instead. Guarded calls take turns (the hook is global).
fn guarded<T>(run: impl FnOnce() -> Result<T, progenitor::Error>) -> Result<T, CodegenError> {
    static HOOK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let turn = HOOK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(run));
    std::panic::set_hook(previous);
    drop(turn);
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(CodegenError::Generator(e.to_string())),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(CodegenError::Generator(format!(
                "progenitor panicked: {message}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests that swap or reach the global panic hook take turns.
    fn serial() -> std::sync::MutexGuard<'static, ()> {
        static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
        SERIAL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[test]
    fn a_generator_panic_becomes_an_error() {
        let _serial = serial();
        let result: Result<(), _> = guarded(|| panic!("more media types than expected"));
        assert_eq!(
            result,
            Err(CodegenError::Generator(
                "progenitor panicked: more media types than expected".into()
            ))
        );
    }

    #[test]
    fn a_guarded_panic_reaches_no_panic_hook_and_the_hook_is_put_back() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        let _serial = serial();
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {
            CALLS.fetch_add(1, Ordering::SeqCst);
        }));
        let result: Result<(), _> = guarded(|| panic!("quietly"));
        assert!(result.is_err());
        assert_eq!(
            CALLS.load(Ordering::SeqCst),
            0,
            "the hook saw the guarded panic"
        );
        // Outside a guarded call, the counting hook is in place again.
        let _ = catch_unwind(|| panic!("loudly"));
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
        std::panic::set_hook(before);
    }

    #[test]
    fn a_generator_error_becomes_an_error() {
        let _serial = serial();
        let result: Result<(), _> = guarded(|| Err(progenitor::Error::InvalidPath("/a/{".into())));
        assert_eq!(
            result,
            Err(CodegenError::Generator(
                "invalid operation path /a/{".into()
            ))
        );
    }
}
