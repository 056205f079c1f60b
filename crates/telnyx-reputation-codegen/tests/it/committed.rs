//! The committed spec, and the client generated from it once per test binary: generation is
//! deterministic, and the tests each read their own part of the same code (about a second of
//! CPU a generation in a test build, fifteen times over before).

use std::sync::OnceLock;

/// `spec/phone-numbers.yml` as committed.
pub fn spec() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/phone-numbers.yml");
    std::fs::read_to_string(path).expect("spec/phone-numbers.yml is readable")
}

/// The client [`telnyx_reputation_codegen::generate`] makes of [`spec`].
pub fn code() -> &'static str {
    static CODE: OnceLock<String> = OnceLock::new();
    CODE.get_or_init(|| {
        telnyx_reputation_codegen::generate(&spec()).expect("the committed spec generates")
    })
}
