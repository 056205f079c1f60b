//! Generates the client from `spec/phone-numbers.yml` into `OUT_DIR` on every build where the
//! spec changed. All the logic lives in `telnyx-reputation-codegen`, shared with `cargo xtask regen`.
//!
//! The spec is read from this crate's own `spec/`, so that the packaged crate carries the file it
//! is built from. In the repository that `spec/` is a symlink to the workspace's `spec/` (the one
//! `cargo xtask regen` writes); `cargo package` follows it and packs the file's contents.

use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let spec = manifest_dir.join("spec/phone-numbers.yml");
    println!("cargo::rerun-if-changed={}", spec.display());

    let text = std::fs::read_to_string(&spec)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", spec.display()));
    let code = telnyx_reputation_codegen::generate(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("client.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
