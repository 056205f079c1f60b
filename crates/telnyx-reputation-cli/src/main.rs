//! `telnyx-reputation`: put phone numbers under Telnyx spam-reputation monitoring and read their
//! spam scores. A thin shell over the `telnyx-reputation` library: argument parsing, input,
//! progress and output only.
//!
//! Exit codes (also in `--help`; one [`exit::Exit`] variant each):
//! - 0: success (also when a closed pipe ends the output early);
//! - 1: the API refused the job, some numbers, or the credentials (401, enterprise not found),
//!   the same on every subcommand;
//! - 2: usage or input error (bad flag, missing or unreadable file, unreadable journal);
//! - 3: network or server failure after retries, a malformed answer, or an outcome unknown;
//! - 4: an alert was raised (`report --fail-on`, `--fail-on-ownership`);
//! - 130: interrupted.
//!
//! `main` only reports: `try_main` does the work and returns the [`exit::Exit`] or the
//! [`exit::Failure`] it ends with.

mod args;
mod bulk;
mod commands;
mod context;
mod exit;
mod input;
mod journals;
mod output;
mod progress;
mod rows;
mod signals;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::context::Global;
use crate::exit::{EXIT_CODES_HELP, Exit, Failure};
use crate::output::Output;

#[derive(Parser)]
#[command(
    name = "telnyx-reputation",
    version,
    about = "Telnyx Phone Number Reputation: associate numbers, read spam scores, track their ownership",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Associate numbers with an enterprise (all or nothing by default).
    Associate(commands::associate::Args),
    /// Finish an interrupted associate from its journal.
    Resume(commands::resume::Args),
    /// Undo an associate job from its journal.
    Rollback(commands::rollback::Args),
    /// List the unfinished jobs whose journals are in the state directory.
    Jobs(commands::jobs::Args),
    /// List monitored numbers with their spam risk and scores.
    List(commands::list::Args),
    /// Report every monitored number's reputation and ownership from list pages (never billed);
    /// alert with `--fail-on` and `--fail-on-ownership`.
    Report(commands::report::Args),
    /// Make an enterprise's monitored numbers equal to a file (plan first; `--dry-run`; numbers
    /// Telnyx removed are held back unless `--readd-removed`).
    Sync(commands::sync::Args),
    /// Read one number's reputation.
    Get(commands::numbers::GetArgs),
    /// Remove numbers from monitoring.
    Disassociate(commands::numbers::DisassociateArgs),
    /// An enterprise's reputation settings: get, enable (billable), disable, frequency.
    Settings {
        #[command(subcommand)]
        command: commands::settings::Command,
    },
    /// The Letter of Authorization: render it as a PDF, or replace the signed one.
    Loa {
        #[command(subcommand)]
        command: commands::loa::Command,
    },
    /// The Number Reputation Terms of Service.
    Terms {
        #[command(subcommand)]
        command: commands::terms::Command,
    },
    /// Refresh the reputation of monitored numbers now (billable per number).
    Refresh(commands::refresh::Args),
    /// Submit numbers for remediation, and follow the requests.
    Remediation {
        #[command(subcommand)]
        command: commands::remediation::Command,
    },
    /// The ownership proof for numbers hosted elsewhere: submit it, read its review.
    Verification {
        #[command(subcommand)]
        command: commands::verification::Command,
    },
    /// Numbers' ownership: read a number's tracking, confirm numbers, or give them up.
    Ownership {
        #[command(subcommand)]
        command: commands::ownership::Command,
    },
    /// Receive Telnyx's signed webhook deliveries and print the verified events.
    Webhooks {
        #[command(subcommand)]
        command: commands::webhooks::Command,
    },
    /// Check numbers against the rules the API applies; one row per input.
    Validate(commands::validate::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `telnyx-reputation man | man -l -`.
    Man,
    /// The API emulator.
    Mock {
        #[command(subcommand)]
        // Boxed: the emulator's flags outweigh every other command's.
        command: Box<MockCommand>,
    },
}

#[derive(Subcommand)]
enum MockCommand {
    /// Serve the emulator until SIGINT/SIGTERM.
    Serve(telnyx_reputation_mock::ServeArgs),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    cli.global.api_key_on_command_line =
        matches.value_source("api_key") == Some(clap::parser::ValueSource::CommandLine);
    let output = cli.global.output;
    let logs = progress::init_logs(&cli.global);
    let result = try_main(cli, &logs);
    if let Some(summary) = logs.summary() {
        eprintln!("{summary}");
    }
    match result {
        Ok(exit) => exit.into(),
        Err(failure) => report(failure, output),
    }
}

/// Prints a failure on stderr (one line, or one JSON object with `--output json`).
fn report(failure: Failure, output: Option<Output>) -> ExitCode {
    if failure.message.is_empty() {
        return failure.exit.into();
    }
    if output == Some(Output::Json) {
        let object = serde_json::json!({
            "error": failure.message,
            "exit": failure.exit.code(),
        });
        eprintln!("{object}");
    } else {
        // Line by line: the message's own lines stay lines, and any control character inside
        // one (from server text) is escaped before it reaches the terminal.
        let lines: Vec<_> = failure
            .message
            .split('\n')
            .map(telnyx_reputation::printable)
            .collect();
        eprintln!("telnyx-reputation: {}", lines.join("\n"));
    }
    failure.exit.into()
}

fn try_main(cli: Cli, logs: &progress::Logs) -> Result<Exit, Failure> {
    let global = cli.global;
    match cli.command {
        Command::Validate(args) => return commands::validate::run(args, &global),
        Command::Jobs(args) => return commands::jobs::run(args, &global),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "telnyx-reputation", &mut script);
            output::write_all(&script)?;
            return Ok(Exit::Success);
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Failure::usage(format!("cannot render the manual: {e}")))?;
            output::write_all(&page)?;
            return Ok(Exit::Success);
        }
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::unavailable(format!("cannot start the runtime: {e}")))?;
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Associate(args) => commands::associate::run(args, &global).await,
            Command::Resume(args) => commands::resume::resume(args, &global).await,
            Command::Rollback(args) => commands::rollback::rollback(args, &global).await,
            Command::List(args) => commands::list::run(args, &global).await,
            Command::Sync(args) => commands::sync::run(args, &global).await,
            Command::Report(args) => commands::report::run(args, &global).await,
            Command::Get(args) => commands::numbers::get(args, &global).await,
            Command::Disassociate(args) => commands::numbers::disassociate(args, &global).await,
            Command::Settings { command } => commands::settings::run(command, &global).await,
            Command::Loa { command } => commands::loa::run(command, &global).await,
            Command::Terms { command } => commands::terms::run(command, &global).await,
            Command::Refresh(args) => commands::refresh::run(args, &global).await,
            Command::Remediation { command } => commands::remediation::run(command, &global).await,
            Command::Verification { command } => {
                commands::verification::run(command, &global).await
            }
            Command::Ownership { command } => commands::ownership::run(command, &global).await,
            Command::Webhooks { command } => commands::webhooks::run(command, &global).await,
            Command::Mock { command } => match *command {
                MockCommand::Serve(args) => telnyx_reputation_mock::serve(args),
            }
            .await
            .map(|()| Exit::Success)
            .map_err(Failure::usage),
            Command::Validate(_)
            | Command::Jobs(_)
            | Command::Completions { .. }
            | Command::Man => Ok(Exit::Success),
        }
    });
    // The command has ended. The runtime's shutdown is not part of the run, so it logs nothing
    // (see `Logs::close`).
    logs.close();
    drop(runtime);
    outcome
}
