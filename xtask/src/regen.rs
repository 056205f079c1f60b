//! `regen`: fetch every source → merge and select (see [`crate::assemble`]) → apply the
//! overlays of `spec/overlays/` in name order (see [`crate::overlays`]) → generate in memory →
//! only then write spec and lock atomically → diff.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use crate::assemble::{Source, assemble};
use crate::diff;
use crate::fetch::{self, Policy};
use crate::lock::Lock;
use crate::overlays;

/// Where upstream publishes the API, one file per product; the default sources, merged.
pub const UPSTREAM_URLS: [&str; 3] = [
    "https://telnyx-openapi-ng.s3.us-east-1.amazonaws.com/number-reputation/phone-numbers.yml",
    "https://telnyx-openapi-ng.s3.us-east-1.amazonaws.com/number-reputation/settings.yml",
    "https://telnyx-openapi-ng.s3.us-east-1.amazonaws.com/number-reputation/remediation.yml",
];
const SPEC: &str = "phone-numbers.yml";
const LOCK: &str = "phone-numbers.lock";

/// Whether a run may change its committed files (`spec/`, the API snapshots), in the style of
/// rust-analyzer's generated-file checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write the files: the fetched spec and its lock when they generate a client (`cargo xtask
    /// regen`), the snapshots (`cargo xtask public-api`).
    Overwrite,
    /// Write nothing; report drift (and, for regen, whether the lock matches the spec)
    /// (`--check`).
    Verify,
}

/// What a run found.
pub struct Outcome {
    /// The text to print: the operations added, removed and changed, and what was written.
    pub report: String,
    /// Whether the assembled spec's bytes differ from the committed one's.
    pub drift: bool,
}

/// Runs regen over the sources, in order. An `Err` reads as one line with `{:#}` that starts
/// with the source it concerns (all of them, joined by ` + `, when it concerns the merged
/// spec, or the overlay file); `spec_dir` is then untouched.
///
/// `notes` receives, as soon as the overlays are applied and before the spec is generated (so
/// also when that fails), one line per overlay addition that upstream now publishes itself, and
/// one per overlay naming the operations it still adds.
pub fn run(
    sources: &[String],
    spec_dir: &Path,
    mode: Mode,
    policy: &Policy,
    notes: &mut String,
) -> anyhow::Result<Outcome> {
    let mut fetched = Vec::with_capacity(sources.len());
    for name in sources {
        let bytes = fetch::read(name, policy).with_context(|| name.clone())?;
        fetched.push(Source {
            name: name.clone(),
            bytes,
        });
    }
    let all = sources.join(" + ");
    let upstream = assemble(&fetched).with_context(|| all.clone())?;
    let overlay_files = overlays::read(spec_dir)?;
    let overlaid = overlays::apply(&upstream, &overlay_files).with_context(|| all.clone())?;
    for line in overlaid.retire.iter().chain(&overlaid.pending) {
        notes.push_str(line);
        notes.push('\n');
    }
    let bytes = overlaid.bytes;
    let text = std::str::from_utf8(&bytes).with_context(|| all.clone())?;
    // The full codegen, in memory: a file that cannot generate a client is never written.
    telnyx_reputation_codegen::generate(text).with_context(|| all.clone())?;
    let new_doc = telnyx_reputation_codegen::parse_document(text).with_context(|| all.clone())?;

    let spec_path = spec_dir.join(SPEC);
    let old_bytes = fs::read(&spec_path).unwrap_or_default();
    let old_doc = std::str::from_utf8(&old_bytes)
        .ok()
        .and_then(|t| telnyx_reputation_codegen::parse_document(t).ok())
        .unwrap_or(Value::Null);
    let (mut report, _) = diff::report(&old_doc, &new_doc);
    let drift = old_bytes != bytes;
    if drift && report == "no operation changes\n" {
        report = "no operation changes (the file's bytes differ: descriptions, examples or extensions)\n".into();
    }
    match mode {
        Mode::Verify => {
            report.push_str(&lock_problems(spec_dir, &old_bytes));
            if !drift {
                report = format!("spec/{SPEC} is up to date with {all}\n{report}");
            }
            Ok(Outcome { report, drift })
        }
        Mode::Overwrite => {
            let lock = Lock::of(
                fetched
                    .iter()
                    .map(|s| (s.name.as_str(), s.bytes.as_slice())),
                overlay_files
                    .iter()
                    .map(|o| (o.name.as_str(), o.bytes.as_slice())),
                &bytes,
            );
            write_atomically(spec_dir, &bytes, &lock)
                .with_context(|| format!("cannot write {}", spec_dir.display()))?;
            Ok(Outcome {
                report: format!(
                    "wrote spec/{SPEC} ({} bytes, sha256 {})\n{report}",
                    lock.size, lock.sha256
                ),
                drift,
            })
        }
    }
}

/// The report's line about the committed lock, empty when it names the committed spec's sha256.
fn lock_problems(spec_dir: &Path, spec: &[u8]) -> String {
    let lock_text = fs::read_to_string(spec_dir.join(LOCK)).unwrap_or_default();
    match Lock::parse(&lock_text) {
        Ok(lock) if lock.sha256 == crate::lock::sha256_hex(spec) => String::new(),
        Ok(_) => format!("spec/{LOCK} does not match spec/{SPEC}\n"),
        Err(e) => format!("spec/{LOCK}: {e}\n"),
    }
}

/// Writes both files next to their targets (temporary files from `tempfile`, synced to disk),
/// then renames the spec and the lock over the old ones and syncs the directory. A crash before
/// the renames leaves `spec/` as it was; a crash between them leaves a lock whose sha256 does not
/// match the spec, which the lock test reports. A temporary file not renamed is removed. (The
/// library's `fs::AtomicFile` does the same for one file, but this crate cannot depend on the
/// library: building it needs the spec this writes.)
fn write_atomically(dir: &Path, spec: &[u8], lock: &Lock) -> std::io::Result<()> {
    let lock_text = lock.render();
    let mut written = Vec::new();
    for (name, contents) in [(SPEC, spec), (LOCK, lock_text.as_bytes())] {
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Committed files: the permissions `fs::File::create` gives, not tempfile's owner-only.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut file = builder.tempfile_in(dir)?;
        file.write_all(contents)?;
        file.as_file().sync_all()?;
        written.push((file, dir.join(name)));
    }
    for (file, target) in written {
        file.persist(target).map_err(|e| e.error)?;
    }
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}
