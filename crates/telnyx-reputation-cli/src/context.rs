//! What every API subcommand needs: a client (or the built-in emulator), the output format, and
//! the billable-call confirmation.

use std::io::IsTerminal;

use telnyx_reputation::{ApiKey, Client, ClientConfig};
use telnyx_reputation_mock::MockHandle;

use crate::exit::Failure;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Output {
    /// A table for people.
    #[default]
    Table,
    /// JSON for programs.
    Json,
    /// CSV for spreadsheets.
    Csv,
}

/// Global options.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// API key (default: TELNYX_API_KEY).
    #[arg(long, env = "TELNYX_API_KEY", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// Base URL (default: TELNYX_BASE_URL, else https://api.telnyx.com/v2).
    #[arg(long, env = "TELNYX_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Run against the built-in emulator (demo account, approved enterprise, every US number).
    #[arg(long, global = true)]
    pub mock: bool,
    /// Answer yes to billable confirmations.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    /// More logs on stderr (-v, -vv).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

/// A client, and the emulator behind it when `--mock` started one.
pub struct Session {
    pub client: Client,
    pub mock: Option<MockHandle>,
}

impl Global {
    /// Builds the client: the emulator with `--mock`, else key and URL from flags or env.
    pub async fn session(&self) -> Result<Session, Failure> {
        if self.mock {
            let handle = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo())
                .await
                .map_err(|e| Failure::unavailable(format!("cannot start the emulator: {e}")))?;
            eprintln!(
                "emulator at {} (built-in, nothing billable); demo enterprise {}",
                handle.base_url(),
                telnyx_reputation_mock::DEMO_ENTERPRISE
            );
            let client = Client::new(
                ClientConfig::new(ApiKey::new(telnyx_reputation_mock::DEMO_API_KEY))
                    .base_url(handle.base_url()),
            )
            .map_err(|e| Failure::usage(e.to_string()))?;
            return Ok(Session {
                client,
                mock: Some(handle),
            });
        }
        let key = self
            .api_key
            .clone()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| {
                Failure::usage("no API key: pass --api-key or set TELNYX_API_KEY (or try --mock)")
            })?;
        let mut config = ClientConfig::new(ApiKey::new(key.trim()));
        if let Some(url) = &self.base_url {
            config = config.base_url(url.as_str());
        }
        let client = Client::new(config).map_err(|e| Failure::usage(e.to_string()))?;
        Ok(Session { client, mock: None })
    }

    /// Asks before a billable action against the real API. Loopback never asks; `--yes` never
    /// asks; without a terminal to ask on, the action is refused.
    pub fn confirm_billable(&self, client: &Client, what: &str) -> Result<(), Failure> {
        if client.is_loopback() || self.yes {
            return Ok(());
        }
        if !std::io::stdin().is_terminal() {
            return Err(Failure::usage(format!(
                "{what} is billable and stdin is not a terminal to confirm on; pass --yes to proceed"
            )));
        }
        eprint!(
            "{what} is billable on {}. Proceed? [y/N] ",
            client.base_url()
        );
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
        if matches!(answer.trim(), "y" | "Y" | "yes") {
            Ok(())
        } else {
            Err(Failure::usage("not confirmed; nothing was sent"))
        }
    }
}

impl Session {
    /// Stops the emulator, if one was started.
    pub async fn close(self) {
        if let Some(mock) = self.mock {
            mock.shutdown().await;
        }
    }
}
