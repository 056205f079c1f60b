//! `public-api`: the public API of each library crate, one item per line, committed as
//! `crates/<crate>/public-api.txt`, so that every change to it shows in review and CI.
//!
//! rustdoc writes the crates' JSON description (`--output-format json`, unstable). The stable
//! toolchain allows it with `RUSTC_BOOTSTRAP`, which is given to rustdoc alone: cargo runs
//! this program as its `RUSTDOC` ([`RUSTDOC_WRAPPER`]), which runs the real rustdoc with it.
//! Build scripts that watch `RUSTC_BOOTSTRAP` (proc-macro2's...) never see it, so the
//! dependencies' metadata of the main target directory is used as it is, and nothing is
//! rebuilt back and forth between this and the other commands; only our crates are documented
//! again. The `public-api` crate
//! renders it. Blanket impls (`impl<T> From<T> for T` ...) are left out as noise; auto traits
//! (`Send`, `Sync` ...) stay, since losing one breaks callers.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::regen::Mode;

/// The command that rewrites the snapshots, named wherever one is out of date.
pub const UPDATE_COMMAND: &str = "cargo xtask public-api";

/// A library crate whose API is snapshotted.
#[derive(Debug, Clone, Copy)]
pub struct Library {
    /// The package name, as in its manifest.
    pub package: &'static str,
    /// The features documented: the ones that add public API (not test hooks).
    pub features: &'static [&'static str],
}

/// The crates a caller pins: not the generated client (it follows the spec), the command or
/// the tools.
pub const LIBRARIES: &[Library] = &[
    Library {
        package: "telnyx-e164",
        features: &[],
    },
    Library {
        package: "telnyx-reputation",
        features: &[],
    },
    Library {
        package: "telnyx-reputation-mock",
        features: &["clap"],
    },
];

/// What a run found.
pub struct Outcome {
    /// What to print: the files written, or the diff of each out-of-date snapshot.
    pub report: String,
    /// Whether some committed snapshot differs from the tree's API (or is missing).
    pub drift: bool,
}

/// Documents `libraries` of the workspace at `workspace` as rustdoc JSON under `target_dir`,
/// then writes (`Overwrite`) or compares (`Verify`) each `crates/<package>/public-api.txt`.
pub fn run(
    workspace: &Path,
    target_dir: &Path,
    libraries: &[Library],
    mode: Mode,
) -> anyhow::Result<Outcome> {
    rustdoc_json(workspace, target_dir, libraries)?;
    let mut report = String::new();
    let mut drift = false;
    for library in libraries {
        let json = target_dir
            .join("doc")
            .join(format!("{}.json", crate_name(library.package)));
        let fresh = snapshot(library, &json).with_context(|| json.display().to_string())?;
        let relative = Path::new("crates")
            .join(library.package)
            .join("public-api.txt");
        let path = workspace.join(&relative);
        match mode {
            Mode::Overwrite => {
                std::fs::write(&path, &fresh)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                let items = item_lines(&fresh).count();
                writeln!(report, "wrote {}: {items} items", relative.display())?;
            }
            Mode::Verify => {
                let committed = match std::fs::read_to_string(&path) {
                    Ok(text) => text,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                    Err(e) => {
                        return Err(e).with_context(|| format!("cannot read {}", path.display()));
                    }
                };
                if let Some(diff) = compare(&relative, &committed, &fresh) {
                    drift = true;
                    report.push_str(&diff);
                }
            }
        }
    }
    if drift {
        writeln!(
            report,
            "the public API differs from the committed snapshot; if the change is intended, run `{UPDATE_COMMAND}` and commit the result"
        )?;
    }
    Ok(Outcome { report, drift })
}

/// The crate name rustdoc files a package's JSON under.
fn crate_name(package: &str) -> String {
    package.replace('-', "_")
}

/// The variable that makes this program act as rustdoc: its value is the real rustdoc, run with
/// this program's arguments and `RUSTC_BOOTSTRAP=1` (see the module's documentation).
pub const RUSTDOC_WRAPPER: &str = "XTASK_RUSTDOC";

/// When this process was started as cargo's `RUSTDOC` (by [`rustdoc_json`]), runs the real
/// rustdoc with the unstable options allowed and returns its exit code; else `None`.
pub fn act_as_rustdoc() -> Option<std::process::ExitCode> {
    let real = std::env::var_os(RUSTDOC_WRAPPER)?;
    let status = Command::new(&real)
        .args(std::env::args_os().skip(1))
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove(RUSTDOC_WRAPPER)
        .status();
    Some(match status {
        Ok(status) => {
            std::process::ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1))
        }
        Err(e) => {
            eprintln!("cannot run rustdoc {}: {e}", PathBuf::from(real).display());
            std::process::ExitCode::from(2)
        }
    })
}

/// Runs one `cargo doc --workspace --no-deps --lib` with this program as rustdoc, so that every
/// library of the workspace gets its JSON in one run, each with `libraries`' features on.
///
/// The whole workspace, not `--package` per library: cargo resolves features for the packages
/// it is given, and the workspace's resolution is the one `cargo doc --workspace` and the other
/// commands of CI use, so the dependencies' metadata they built serves here too instead of a
/// build of its own per library.
fn rustdoc_json(workspace: &Path, target_dir: &Path, libraries: &[Library]) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let real_rustdoc = std::env::var_os("RUSTDOC").unwrap_or_else(|| OsString::from("rustdoc"));
    let this = std::env::current_exe().context("cannot find this program to run as rustdoc")?;
    let features: Vec<String> = libraries
        .iter()
        .flat_map(|library| {
            library
                .features
                .iter()
                .map(|feature| format!("{}/{feature}", library.package))
        })
        .collect();
    let mut command = Command::new(&cargo);
    command.current_dir(workspace).args([
        "doc",
        "--quiet",
        "--workspace",
        "--no-deps",
        "--lib",
        "--locked",
    ]);
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    command
        .env("CARGO_TARGET_DIR", target_dir)
        .env("RUSTDOC", &this)
        .env(RUSTDOC_WRAPPER, &real_rustdoc)
        .env_remove("RUSTC_BOOTSTRAP")
        .env("RUSTDOCFLAGS", "-Z unstable-options --output-format json")
        .env_remove("CARGO_ENCODED_RUSTDOCFLAGS");
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", PathBuf::from(&cargo).display()))?;
    if !status.success() {
        bail!("cargo doc (rustdoc JSON) of the workspace failed: {status}");
    }
    Ok(())
}

/// The snapshot of `library` from its rustdoc JSON at `json`: a header naming the commands,
/// then one line per public item, sorted.
pub fn snapshot(library: &Library, json: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(json).context("cannot read the rustdoc JSON")?;
    let version = serde_json::from_str::<Value>(&text)
        .context("not JSON")?
        .get("format_version")
        .and_then(Value::as_u64);
    if version != Some(u64::from(rustdoc_types::FORMAT_VERSION)) {
        bail!(
            "rustdoc JSON format_version {} is not the {} that public-api reads; this rustc \
             needs the public-api release built on that format (see its changelog)",
            version.map_or_else(|| "(missing)".to_owned(), |v| v.to_string()),
            rustdoc_types::FORMAT_VERSION
        );
    }
    let api = public_api::Builder::from_rustdoc_json(json)
        .omit_blanket_impls(true)
        .build()
        .context("public-api cannot read it")?;
    let features = if library.features.is_empty() {
        "no optional features".to_owned()
    } else {
        format!("features: {}", library.features.join(", "))
    };
    Ok(format!(
        "// The public API of {package} ({features}), one item per line, as rustdoc sees it\n\
         // (blanket impls left out). Generated: update with `{UPDATE_COMMAND}`; CI runs\n\
         // `{UPDATE_COMMAND} --check`, which fails while this file differs from the code.\n\
         {api}",
        package = library.package,
    ))
}

/// The item lines of a snapshot (its header comment left out).
pub fn item_lines(snapshot: &str) -> impl Iterator<Item = &str> {
    snapshot
        .lines()
        .filter(|line| !line.starts_with("//") && !line.is_empty())
}

/// A unified diff from the committed snapshot at `relative` to the fresh one, or `None` when
/// they are equal.
pub fn compare(relative: &Path, committed: &str, fresh: &str) -> Option<String> {
    if committed == fresh {
        return None;
    }
    let name = relative.display().to_string();
    let diff = similar::TextDiff::from_lines(committed, fresh);
    Some(
        diff.unified_diff()
            .context_radius(2)
            .header(
                &format!("{name} (committed)"),
                &format!("{name} (this tree)"),
            )
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_shows_the_changed_item_with_both_names() {
        let path = Path::new("crates/x/public-api.txt");
        let old = "// header\npub fn x::a()\npub fn x::b()\n";
        let new = "// header\npub fn x::a()\npub fn x::c()\n";
        assert_eq!(compare(path, old, old), None);
        let diff = compare(path, old, new).expect("differs");
        assert!(
            diff.contains("--- crates/x/public-api.txt (committed)"),
            "{diff}"
        );
        assert!(
            diff.contains("+++ crates/x/public-api.txt (this tree)"),
            "{diff}"
        );
        assert!(
            diff.contains("\n-pub fn x::b()\n+pub fn x::c()\n"),
            "{diff}"
        );
    }

    #[test]
    fn a_json_of_another_format_version_is_refused_with_both_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let json = dir.path().join("x.json");
        std::fs::write(&json, r#"{"format_version": 1, "index": {}}"#).expect("write");
        let library = Library {
            package: "x",
            features: &[],
        };
        let e = format!("{:#}", snapshot(&library, &json).expect_err("refused"));
        let expected = format!(
            "format_version 1 is not the {}",
            rustdoc_types::FORMAT_VERSION
        );
        assert!(e.contains(&expected), "{e}");
    }

    /// rustdoc of this toolchain on a small crate, rendered: the items, the auto traits kept,
    /// the blanket impls left out, the header first.
    #[test]
    fn snapshot_of_a_crate_documented_by_this_rustdoc() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = dir.path().join("lib.rs");
        std::fs::write(
            &source,
            "//! A fixture.\n\
             /// A pair.\npub struct Pair { pub left: u8, right: u8 }\n\
             impl Pair { /// Left.\n pub fn left(&self) -> u8 { self.left + self.right } }\n\
             mod hidden { pub fn unreachable() {} }\n",
        )
        .expect("write");
        let rustdoc = std::env::var_os("RUSTDOC").unwrap_or_else(|| OsString::from("rustdoc"));
        let status = Command::new(rustdoc)
            .args([
                "--edition",
                "2024",
                "--crate-type",
                "lib",
                "--crate-name",
                "fixture",
            ])
            .args(["-Z", "unstable-options", "--output-format", "json", "-o"])
            .arg(dir.path())
            .arg(&source)
            .env("RUSTC_BOOTSTRAP", "fixture")
            .status()
            .expect("rustdoc runs");
        assert!(status.success());
        let library = Library {
            package: "fixture",
            features: &["clap"],
        };
        let text = snapshot(&library, &dir.path().join("fixture.json")).expect("snapshot");
        assert!(
            text.starts_with("// The public API of fixture (features: clap)"),
            "{text}"
        );
        let items: Vec<&str> = item_lines(&text).collect();
        for expected in [
            "pub mod fixture",
            "pub struct fixture::Pair",
            "pub fixture::Pair::left: u8",
            "pub fn fixture::Pair::left(&self) -> u8",
            "impl core::marker::Send for fixture::Pair",
        ] {
            assert!(
                items.contains(&expected),
                "{expected} missing from {items:#?}"
            );
        }
        assert!(
            !items
                .iter()
                .any(|l| l.contains("unreachable") || l.contains("impl<T")),
            "{items:#?}"
        );
    }

    #[test]
    fn item_lines_skip_the_header() {
        let text = "// one\n// two\npub mod x\npub fn x::a()\n";
        assert_eq!(
            item_lines(text).collect::<Vec<_>>(),
            ["pub mod x", "pub fn x::a()"]
        );
    }
}
