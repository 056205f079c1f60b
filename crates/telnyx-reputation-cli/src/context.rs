//! What every API subcommand needs: a client (or the built-in emulator), the output format, and
//! the billable-call confirmation.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};
use telnyx_reputation_mock::MockHandle;

use crate::exit::Failure;
use crate::output::Output;

/// Global options. Their `Debug` shows whether a key was given, never the key.
#[derive(Clone, clap::Args)]
pub struct Global {
    /// API key (default: TELNYX_API_KEY). Visible to other users in the process list: prefer
    /// the environment variable or --api-key-file.
    #[arg(long, env = "TELNYX_API_KEY", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// Read the API key from this file (`-` reads it from stdin); first line, trimmed.
    #[arg(long, global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,
    /// Base URL (default: TELNYX_BASE_URL, else https://api.telnyx.com/v2).
    #[arg(long, env = "TELNYX_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Run against the built-in emulator (demo account, approved enterprise, every US number).
    #[arg(long, global = true)]
    pub mock: bool,
    /// Answer yes to confirmations: billable actions, and those that cannot be undone
    /// (`ownership give-up`).
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Output format (default: table; `validate` defaults to json, one object a line).
    #[arg(long, value_enum, global = true)]
    pub output: Option<Output>,
    /// More logs on stderr: -v shows each retry, -vv debug logs.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Nothing on stderr but errors: no progress, notes or warnings.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// A fixed ceiling on requests per second, on top of the pacing the server's rate-limit
    /// headers ask for (default: none; the server's headers alone pace the job).
    #[arg(long, global = true, value_name = "N", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Give up when no request has succeeded for this many seconds (429 waits included): the
    /// run then ends with exit 3, and a job names its journal to resume or roll back.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub stall_timeout: u64,
    /// Give up on everything after this many seconds (default: no deadline); as the stall
    /// timeout does, this ends the run with exit 3.
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
    pub deadline: Option<u64>,
    /// The timeout of each attempt of each request, in seconds (a fraction allowed, from
    /// 0.05). A bulk job waits this long before it looks up a request whose answer was lost,
    /// so that the request is no longer in the server's hands, and as long again between two
    /// lookups that must agree (reads may lag): before it sends such a request again, and
    /// before an all-or-nothing job takes a refused number that it cannot find for refused.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// How many times a failed request is retried when that is safe (429s are always waited
    /// out, and do not count).
    #[arg(long, global = true, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub retries: u32,
    /// Whether --api-key was typed on the command line (not taken from the environment).
    #[arg(skip)]
    pub api_key_on_command_line: bool,
}

impl std::fmt::Debug for Global {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Every field but the key's value, so that no log or panic message can carry it.
        let Global {
            api_key,
            api_key_file,
            base_url,
            mock,
            yes,
            output,
            verbose,
            quiet,
            rate,
            stall_timeout,
            deadline,
            timeout,
            retries,
            api_key_on_command_line,
        } = self;
        f.debug_struct("Global")
            .field("api_key", &api_key.as_ref().map(|_| "****"))
            .field("api_key_file", api_key_file)
            .field("base_url", base_url)
            .field("mock", mock)
            .field("yes", yes)
            .field("output", output)
            .field("verbose", verbose)
            .field("quiet", quiet)
            .field("rate", rate)
            .field("stall_timeout", stall_timeout)
            .field("deadline", deadline)
            .field("timeout", timeout)
            .field("retries", retries)
            .field("api_key_on_command_line", api_key_on_command_line)
            .finish()
    }
}

/// A client, and the emulator behind it when `--mock` started one.
pub struct Session {
    /// The client every call goes through.
    pub client: Client,
    /// The emulator `--mock` started, stopped by [`Session::close`].
    pub mock: Option<MockHandle>,
}

impl Global {
    /// The output format, or `default` when none was asked for.
    pub fn output_or(&self, default: Output) -> Output {
        self.output.unwrap_or(default)
    }

    /// The output format of the commands whose default is a table.
    pub fn output(&self) -> Output {
        self.output_or(Output::Table)
    }

    /// Writes a note for people on stderr, unless `-q`.
    pub fn note(&self, text: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// The API key: from --api-key-file, else --api-key or TELNYX_API_KEY.
    fn api_key(&self) -> Result<String, Failure> {
        if let Some(path) = &self.api_key_file {
            if self.api_key_on_command_line {
                return Err(Failure::usage(
                    "--api-key and --api-key-file both given; pass one",
                ));
            }
            let mut text = String::new();
            let read = if path.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut text)
            } else {
                std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
            };
            read.map_err(|e| {
                Failure::usage(format!(
                    "cannot read the API key from {}: {e}",
                    path.display()
                ))
            })?;
            let key = text.lines().next().unwrap_or("").trim().to_owned();
            if key.is_empty() {
                return Err(Failure::usage(format!(
                    "{}: no API key in it (the first line is the key)",
                    path.display()
                )));
            }
            return Ok(key);
        }
        if self.api_key_on_command_line {
            // Once, before anything is sent; the key itself is never printed.
            eprintln!(
                "warning: --api-key is visible in the process list; use TELNYX_API_KEY or --api-key-file"
            );
        }
        self.api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                Failure::usage(
                    "no API key: set TELNYX_API_KEY or pass --api-key-file (or try --mock)",
                )
            })
    }

    /// Builds the client: the emulator with `--mock`, else key and URL from flags or env.
    pub async fn session(&self) -> Result<Session, Failure> {
        if self.mock {
            let handle = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo())
                .await
                .map_err(|e| Failure::unavailable(format!("cannot start the emulator: {e}")))?;
            self.note(format!(
                "emulator at {} (built-in, nothing billable); demo enterprise {}",
                handle.base_url(),
                telnyx_reputation_mock::DEMO_ENTERPRISE
            ));
            let client = Client::new(
                self.configure(
                    ClientConfig::new(ApiKey::new(telnyx_reputation_mock::DEMO_API_KEY))
                        .base_url(handle.base_url()),
                ),
            )
            .map_err(|e| Failure::usage(e.to_string()))?;
            return Ok(Session {
                client,
                mock: Some(handle),
            });
        }
        let mut config = ClientConfig::new(ApiKey::new(self.api_key()?));
        if let Some(url) = &self.base_url {
            config = config.base_url(url.as_str());
        }
        let client =
            Client::new(self.configure(config)).map_err(|e| Failure::usage(e.to_string()))?;
        Ok(Session { client, mock: None })
    }

    /// Applies the timeout, retry, stall, deadline and rate flags to a configuration.
    fn configure(&self, config: ClientConfig) -> ClientConfig {
        let mut config = config
            .request_timeout(Duration::from_secs_f64(self.timeout))
            .retry(RetryPolicy::default().max_retries(self.retries))
            .stall_timeout(Duration::from_secs(self.stall_timeout));
        if let Some(deadline) = self
            .deadline
            .and_then(|secs| Instant::now().checked_add(Duration::from_secs(secs)))
        {
            config = config.deadline(deadline);
        }
        if let Some(rate) = self.rate {
            config = config.max_requests_per_second(rate);
        }
        config
    }

    /// A client that is never used to send: for a dry run, which needs no key. It points at
    /// the base URL a real run would use, so the dry run can say whether that run is billable.
    pub fn offline_client(&self) -> Result<Client, Failure> {
        let mut config = ClientConfig::new(ApiKey::new("dry-run: nothing is sent"));
        if self.mock {
            config = config.base_url("http://127.0.0.1:1");
        } else if let Some(url) = &self.base_url {
            config = config.base_url(url.as_str());
        }
        Client::new(config).map_err(|e| Failure::usage(e.to_string()))
    }

    /// Whether a billable action against `client` would be confirmed first: never against
    /// loopback or with `--yes`.
    pub fn would_confirm(&self, client: &Client) -> bool {
        !(client.is_loopback() || self.yes)
    }

    /// Asks before a billable action against the real API. Loopback never asks; `--yes` never
    /// asks; without a terminal to ask on, the action is refused.
    pub fn confirm_billable(&self, client: &Client, what: &str) -> Result<(), Failure> {
        if !self.would_confirm(client) {
            return Ok(());
        }
        ask(
            &format!("{what} is billable on {}", client.base_url()),
            || {
                format!(
                    "{what} is billable and stdin is not a terminal to confirm on; pass --yes to proceed"
                )
            },
        )
    }

    /// Asks before an action that cannot be undone (`ownership give-up` removes numbers), on
    /// any server, the emulator included: `--yes` alone skips the question, and without a
    /// terminal to ask on the action is refused.
    pub fn confirm_destructive(&self, what: &str) -> Result<(), Failure> {
        if self.yes {
            return Ok(());
        }
        ask(&format!("{what} cannot be undone"), || {
            format!(
                "{what} cannot be undone and stdin is not a terminal to confirm on; pass --yes to proceed"
            )
        })
    }
}

/// Asks `question` on the terminal (`Proceed? [y/N]`); refused, with `refusal`'s message, when
/// stdin is not a terminal. Every confirmation of the command asks through here.
pub(crate) fn ask(question: &str, refusal: impl FnOnce() -> String) -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(refusal()));
    }
    eprint!("{question}. Proceed? [y/N] ");
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

impl Session {
    /// Stops the emulator, if one was started.
    pub async fn close(self) {
        if let Some(mock) = self.mock {
            mock.shutdown().await;
        }
    }
}

/// The slowest `--rate`: one request every 1,000 seconds.
const MIN_RATE: f64 = 0.001;
/// The fastest `--rate`.
const MAX_RATE: f64 = 100_000.0;

/// Parses `--rate`: requests per second, from [`MIN_RATE`] to [`MAX_RATE`].
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (MIN_RATE..=MAX_RATE).contains(&rate) => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a rate: give requests per second, a number from {MIN_RATE} (one request every 1000 s) to {MAX_RATE}"
        )),
    }
}

/// `--timeout`: seconds from 0.05 to 3,600.
fn parse_timeout(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(secs) if (0.05..=3_600.0).contains(&secs) => Ok(secs),
        _ => Err(format!("expected seconds from 0.05 to 3600, got {raw:?}")),
    }
}

/// The global options parsed from `args` (flags only, no program name), for the unit tests of
/// this binary's modules.
#[cfg(test)]
pub(crate) fn global_from(args: &[&str]) -> Global {
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        global: Global,
    }

    let argv = std::iter::once("telnyx-reputation").chain(args.iter().copied());
    Command::try_parse_from(argv)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .global
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_options_debug_never_shows_the_key() {
        let global = global_from(&["--api-key", "SECRET-KEY-0123"]);
        let text = format!("{global:?}");
        assert!(!text.contains("SECRET-KEY-0123"), "{text}");
        assert!(text.contains("api_key: Some(\"****\")"), "{text}");
        assert_eq!(global.api_key().unwrap(), "SECRET-KEY-0123");
    }

    #[test]
    fn a_rate_out_of_range_is_refused_by_name() {
        for bad in ["1e-20", "0", "-1", "NaN", "inf", "1e6", "fast"] {
            let error = parse_rate(bad).unwrap_err();
            assert!(error.contains("is not a rate"), "{bad}: {error}");
        }
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        assert_eq!(parse_rate("0.001"), Ok(MIN_RATE));
    }
}
