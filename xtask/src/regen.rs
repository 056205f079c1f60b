//! `regen`: fetch → generate in memory → only then write spec and lock atomically → diff.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::diff;
use crate::fetch::{self, Policy};
use crate::lock::Lock;

/// Where upstream publishes the file.
pub const UPSTREAM_URL: &str =
    "https://telnyx-openapi-ng.s3.us-east-1.amazonaws.com/number-reputation/phone-numbers.yml";
const SPEC: &str = "phone-numbers.yml";
const LOCK: &str = "phone-numbers.lock";

/// What a run found.
pub struct Outcome {
    /// The text to print.
    pub report: String,
    /// Whether the fetched file differs from the committed one.
    pub drift: bool,
}

/// Runs regen. `Err` is the one-line reason; `spec_dir` is then untouched.
pub fn run(source: &str, spec_dir: &Path, check: bool, policy: &Policy) -> Result<Outcome, String> {
    let bytes = fetch::read(source, policy)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    // The full codegen, in memory: a file that cannot generate a client is never written.
    telnyx_reputation_codegen::generate(text).map_err(|e| e.to_string())?;
    let new_doc = telnyx_reputation_codegen::parse_document(text).map_err(|e| e.to_string())?;

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
    if check {
        let lock_text = fs::read_to_string(spec_dir.join(LOCK)).unwrap_or_default();
        match Lock::parse(&lock_text) {
            Ok(lock) if lock.sha256 == crate::lock::sha256_hex(&old_bytes) => {}
            Ok(_) => report.push_str(&format!("spec/{LOCK} does not match spec/{SPEC}\n")),
            Err(e) => report.push_str(&format!("spec/{LOCK}: {e}\n")),
        }
        if !drift {
            report = format!("spec/{SPEC} is up to date with {source}\n{report}");
        }
        return Ok(Outcome { report, drift });
    }
    let lock = Lock::of(source, &bytes);
    write_atomically(spec_dir, &bytes, &lock)
        .map_err(|e| format!("cannot write {}: {e}", spec_dir.display()))?;
    Ok(Outcome {
        report: format!(
            "wrote spec/{SPEC} ({} bytes, sha256 {})\n{report}",
            lock.size, lock.sha256
        ),
        drift,
    })
}

/// Writes both files next to their targets, fsyncs them, then renames the spec and the lock
/// over the old ones. A crash before the renames leaves `spec/` as it was; a crash between them
/// leaves a lock whose sha256 does not match the spec, which the lock test reports.
fn write_atomically(dir: &Path, spec: &[u8], lock: &Lock) -> std::io::Result<()> {
    let spec_tmp = dir.join(format!(".{SPEC}.tmp"));
    let lock_tmp = dir.join(format!(".{LOCK}.tmp"));
    let result = (|| {
        for (path, contents) in [(&spec_tmp, spec), (&lock_tmp, lock.render().as_bytes())] {
            let mut f = File::create(path)?;
            f.write_all(contents)?;
            f.sync_all()?;
        }
        fs::rename(&spec_tmp, dir.join(SPEC))?;
        fs::rename(&lock_tmp, dir.join(LOCK))?;
        if let Ok(d) = File::open(dir) {
            d.sync_all()?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&spec_tmp);
        let _ = fs::remove_file(&lock_tmp);
    }
    result
}
