//! Project tasks. `cargo xtask public-api [--check]`: write (or, with `--check`, compare) the
//! public API snapshots `crates/<crate>/public-api.txt` of the library crates; see
//! [`public_api`].
//!
//! `cargo xtask regen [--from PATH|URL]... [--check]`: fetch the upstream OpenAPI
//! file(s) (the per-product files, merged, or Telnyx's combined spec, from which the reputation
//! paths are selected), apply the overlays in `spec/overlays/` (what Telnyx documents but does
//! not publish yet), check that the result generates a client, then write it and its lock to
//! `spec/` atomically and print the operations added, removed and changed, and which overlay
//! additions upstream now publishes itself.
//!
//! Since the committed spec is always rebuilt from upstream, `regen --from` a good upstream file
//! also repairs a `spec/` that was broken by hand.
//!
//! Exit codes (both tasks): 0 done (or no drift), 1 drift found by `--check`, 2 failure (one
//! line on stderr naming the source and the reason; `spec/` untouched).

mod assemble;
mod diff;
mod fetch;
mod lock;
mod overlays;
mod public_api;
mod regen;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use regen::Mode;

#[derive(Parser)]
#[command(name = "xtask", about = "Project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the spec, verify it generates, write spec/ atomically, print the operation diff.
    Regen {
        /// Source: a path or an http(s) URL; repeat it for several files to merge (default: the
        /// three per-product files upstream publishes). A combined spec of every Telnyx API is
        /// narrowed to the paths that contain `reputation` and what they reference.
        #[arg(long)]
        from: Vec<String>,
        /// Print the diff and exit 1 on drift; write nothing.
        #[arg(long)]
        check: bool,
        /// The spec directory (default: spec/ of this workspace).
        #[arg(long, hide = true)]
        spec_dir: Option<PathBuf>,
    },
    /// Write the public API of the library crates (telnyx-e164, telnyx-reputation,
    /// telnyx-reputation-mock) to `crates/<crate>/public-api.txt`, one item per line. Builds
    /// their rustdoc JSON on the stable toolchain in the target directory.
    PublicApi {
        /// Write nothing; print the diff and exit 1 when a committed snapshot differs.
        #[arg(long)]
        check: bool,
    },
    /// Print the spec as the generator sees it (normalised to OpenAPI 3.0, JSON), e.g. for
    /// validators that cannot read upstream's ambiguous 3.1 `oneOf`.
    NormalisedSpec,
}

fn main() -> ExitCode {
    if let Some(code) = public_api::act_as_rustdoc() {
        return code;
    }
    match Cli::parse().command {
        Command::NormalisedSpec => {
            let path = workspace_spec_dir().join("phone-numbers.yml");
            match normalised_spec(&path) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("normalised-spec: {}: {e:#}", path.display());
                    ExitCode::from(2)
                }
            }
        }
        Command::PublicApi { check } => {
            let mode = if check { Mode::Verify } else { Mode::Overwrite };
            let workspace = workspace_dir();
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| workspace.join("target"), PathBuf::from);
            match public_api::run(&workspace, &target, public_api::LIBRARIES, mode) {
                Ok(outcome) => {
                    print!("{}", outcome.report);
                    if outcome.drift {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("public-api: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Regen {
            from,
            check,
            spec_dir,
        } => {
            let spec_dir = spec_dir.unwrap_or_else(workspace_spec_dir);
            let sources = if from.is_empty() {
                regen::UPSTREAM_URLS.map(str::to_owned).to_vec()
            } else {
                from
            };
            let mode = if check { Mode::Verify } else { Mode::Overwrite };
            let mut notes = String::new();
            let result = regen::run(&sources, &spec_dir, mode, &fetch_policy(), &mut notes);
            print!("{notes}");
            match result {
                Ok(outcome) => {
                    print!("{}", outcome.report);
                    if mode == Mode::Verify && outcome.drift {
                        ExitCode::from(1)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                Err(e) => {
                    eprintln!("regen: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// The root of this workspace.
fn workspace_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `spec/` of this workspace.
fn workspace_spec_dir() -> PathBuf {
    workspace_dir().join("spec")
}

/// The default fetch policy, with the backoff shortened by `XTASK_FETCH_BACKOFF_MS` (tests
/// use it; nothing else should need to).
fn fetch_policy() -> fetch::Policy {
    let mut policy = fetch::Policy::default();
    if let Some(ms) = std::env::var("XTASK_FETCH_BACKOFF_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        policy.backoff = std::time::Duration::from_millis(ms);
    }
    policy
}

/// The spec at `path` as the generator reads it: normalised to OpenAPI 3.0, as pretty JSON.
fn normalised_spec(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).context("cannot read")?;
    let doc = telnyx_reputation_codegen::parse_document(&text)?;
    let spec = telnyx_reputation_codegen::normalise(doc)?;
    Ok(serde_json::to_string_pretty(&spec)?)
}
