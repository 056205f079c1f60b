//! The crate's integration tests, one binary: each module was a test target of its own.

mod decode;
mod open_enums;
mod raw_path;
mod support;
mod timestamp;
mod wire;
mod wire_edition;
mod wire_ownership;
