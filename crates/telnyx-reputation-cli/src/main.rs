//! `telnyx-reputation`: put phone numbers under Telnyx spam-reputation monitoring and read their
//! spam scores. A thin shell over the `telnyx-reputation` library: argument parsing, input,
//! progress and output only.
//!
//! Exit codes: 0 success; 1 the API refused the job or some numbers; 2 usage or input error;
//! 3 network or server failure after retries.

mod commands;
mod context;
mod exit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::context::Global;
use crate::exit::Failure;

#[derive(Parser)]
#[command(
    name = "telnyx-reputation",
    version,
    about = "Telnyx Phone Number Reputation: associate numbers, read spam scores"
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
    Resume(commands::jobs::Args),
    /// Undo an associate job from its journal.
    Rollback(commands::jobs::Args),
    /// List monitored numbers with their spam risk and scores.
    List(commands::numbers::ListArgs),
    /// Read one number's reputation.
    Get(commands::numbers::GetArgs),
    /// Remove numbers from monitoring.
    Disassociate(commands::numbers::DisassociateArgs),
    /// Check numbers against the rules the API applies; one JSON object per input line.
    Validate(commands::validate::Args),
    /// The API emulator.
    Mock {
        #[command(subcommand)]
        command: MockCommand,
    },
}

#[derive(Subcommand)]
enum MockCommand {
    /// Serve the emulator until SIGINT/SIGTERM.
    Serve(telnyx_reputation_mock::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match cli.global.verbose {
        0 => "warn",
        1 => "info,telnyx_reputation=debug",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Command::Validate(args) = cli.command {
        return finish(commands::validate::run(args));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return finish(Err(Failure::unavailable(format!(
                "cannot start the runtime: {e}"
            ))));
        }
    };
    let global = cli.global;
    finish(runtime.block_on(async move {
        match cli.command {
            Command::Associate(args) => commands::associate::run(args, &global).await,
            Command::Resume(args) => commands::jobs::run(args, &global, false).await,
            Command::Rollback(args) => commands::jobs::run(args, &global, true).await,
            Command::List(args) => commands::numbers::list(args, &global).await,
            Command::Get(args) => commands::numbers::get(args, &global).await,
            Command::Disassociate(args) => commands::numbers::disassociate(args, &global).await,
            Command::Mock {
                command: MockCommand::Serve(args),
            } => telnyx_reputation_mock::serve(args)
                .await
                .map(|()| exit::Exit::Success)
                .map_err(Failure::usage),
            Command::Validate(_) => unreachable!("handled above"),
        }
    }))
}

fn finish(result: Result<exit::Exit, Failure>) -> ExitCode {
    match result {
        Ok(exit) => exit.into(),
        Err(failure) => {
            eprintln!("telnyx-reputation: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
