//! A stateful emulator of the Telnyx Phone Number Reputation API, for tests, benchmarks and
//! demos without an account or a billable call.
//!
//! It answers the 18 operations of the current edition of the API (July 2026) over in-memory
//! state with the documented semantics: bearer auth; the account's Terms of Service agreement;
//! enterprises whose reputation is enabled (billable, needing a `loa_document_id`), `pending`
//! until the emulator's clock passes `approve_after_ms`, then approved, and disabled with every
//! number de-registered; the LOA rendered as a real PDF and replaced; an inventory of owned
//! numbers; atomic associate with one error per failing number (`source.pointer` =
//! `/phone_numbers/<index>`); lists with pages of up to 250 and the `eq`, `contains` and
//! `enterprise_id` filters; cached or fresh reputation data; refresh answered per number;
//! remediation requests moving `pending` → `in_progress` → `completed` with per-number results
//! and 409 for a number in flight; and disassociate. Every error is in the current envelope
//! (`meta.url` included). Every billable event is counted in a ledger ([`Billing`],
//! [`MockHandle::billing`]). Numbers are checked by `telnyx-e164`, the same rules the client
//! uses. Its wire shapes ([`model`]) are written from the current edition.
//!
//! Time is the system clock plus an offset: tests move it forward
//! with [`MockHandle::advance_clock`] instead of sleeping.
//!
//! Faults ([`Faults`]) are seeded and deterministic: latency and jitter, 5xx at a rate, 429 with
//! `Retry-After` at a rate, a slow body, and commit-then-drop (the associate is applied, then the
//! connection is closed without an answer). A rate limit counts requests per API key and
//! enterprise in fixed windows, as Telnyx does: every answer carries `x-ratelimit-limit`,
//! `x-ratelimit-remaining` and `x-ratelimit-reset`, and a request over the limit is answered 429
//! (code `10011`, `Retry-After`) without being applied. [`MockHandle::stats`] counts the
//! requests served and those answered 429.
//!
//! With `RUST_LOG=telnyx_reputation_mock::timing=trace`, the emulator logs one line per answer:
//! when its request arrived and when it left, in microseconds since the emulator started, its
//! status and URI. `bench/timings.sh` turns such a log into the emulator's holding time and the
//! client's turnaround (how long a request place stood empty between an answer and the next
//! request).
//!
//! With the `clap` feature, [`ServeArgs`] and [`serve`] run the emulator as a process
//! (`telnyx-reputation mock serve`), every fault a flag.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
//! assert!(mock.base_url().starts_with("http://127.0.0.1:"));
//! mock.shutdown().await;
//! # Ok(()) }
//! ```

mod accept;
mod admin;
mod app;
mod envelope;
mod faults;
mod guard;
mod handlers;
mod ledger;
mod lifecycle;
mod listing;
mod loa;
pub mod model;
mod populate;
mod ratelimit;
mod refresh;
mod refusal;
mod remediation;
mod remediation_handlers;
mod reputation;
#[cfg(feature = "clap")]
mod serve;
mod settings_handlers;
mod state;
mod stats;
mod timer;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Notify;
use uuid::Uuid;

pub use faults::{Faults, MAX_DELAY_MS};
pub use ledger::Billing;
pub use lifecycle::{SettingsRecord, TERMS_VERSION};
pub use remediation::{RemediationBody, RemediationRecord};
pub use reputation::reputation_of;
pub use reputation::{populated_reputation, reputation_after};
#[cfg(feature = "clap")]
pub use serve::{ServeArgs, serve};
pub use state::{
    AccountConfig, Association, BatchRefusal, EnterpriseConfig, Inventory, NumberRefusal,
    NumberRule, Refusal, World,
};
pub use stats::Stats;

/// The demo account's API key.
pub const DEMO_API_KEY: &str = "demo-key";
/// The demo account's approved enterprise.
pub const DEMO_ENTERPRISE: Uuid = Uuid::from_u128(0x6a09cdc3_8948_47f0_aa62_74ac943d6c58);

/// How the emulator starts.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// The accounts it serves: each an API key with its enterprises and owned numbers.
    pub accounts: Vec<AccountConfig>,
    /// Accept a raw `+` in paths, as lenient servers do (off: a 400 says the client forgot to
    /// encode).
    pub allow_raw_plus: bool,
    /// Faults at start.
    pub faults: Faults,
    /// Seed of every fault decision, and of the populated numbers and their data.
    pub seed: u64,
    /// How long a new activation stays `pending` before it is approved.
    pub approve_after_ms: u64,
    /// How long a remediation stays `pending`, then `in_progress`, before it completes.
    pub remediation_step_ms: u64,
    /// Numbers associated with each approved enterprise at start, with seeded data.
    pub populate: u64,
}

impl MockConfig {
    /// One account (`demo-key`) that has agreed to the Terms of Service, one approved
    /// enterprise ([`DEMO_ENTERPRISE`]), owning every valid US local number; loopback, a free
    /// port, no faults; activations approved after a second, remediation stages a second
    /// long; nothing populated.
    pub fn demo() -> MockConfig {
        MockConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            accounts: vec![AccountConfig {
                api_key: DEMO_API_KEY.into(),
                enterprises: vec![EnterpriseConfig {
                    id: DEMO_ENTERPRISE,
                    approved: true,
                }],
                inventory: Inventory::All,
                terms_agreed: true,
            }],
            allow_raw_plus: false,
            faults: Faults::default(),
            seed: 0,
            approve_after_ms: 1000,
            remediation_step_ms: 1000,
            populate: 0,
        }
    }
}

/// A running emulator.
pub struct MockHandle {
    base_url: String,
    app: Arc<app::App>,
    shutdown: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl MockHandle {
    /// The base URL to give clients, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Replaces the faults (the rate limit's counts so far are kept).
    pub fn set_faults(&self, faults: Faults) {
        self.app.set_faults(faults);
    }

    /// A copy of the whole state, for assertions.
    pub fn world(&self) -> World {
        self.app.world().clone()
    }

    /// The counts of what the emulator answered: requests served, and those answered 429.
    pub fn stats(&self) -> Stats {
        self.app.counters.snapshot()
    }

    /// Starts the counts of [`MockHandle::stats`] from zero.
    pub fn reset_stats(&self) {
        self.app.counters.reset();
    }

    /// The billable events so far, by kind.
    pub fn billing(&self) -> Billing {
        self.app.world().billing
    }

    /// Moves the emulator's clock forward: pending activations whose time has come are
    /// approved, remediations move on. Tests use it instead of sleeping.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.app.clock.advance(by);
    }

    /// Stops accepting connections and waits for the server task.
    pub async fn shutdown(self) {
        self.shutdown.notify_one();
        let _ = self.task.await;
    }
}

/// Starts the emulator in this process.
pub async fn start(config: MockConfig) -> std::io::Result<MockHandle> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let app = Arc::new(app::App::new(config));
    let router = app::router(Arc::clone(&app));
    let shutdown = Arc::new(Notify::new());
    let task = tokio::spawn(accept::accept_loop(listener, router, Arc::clone(&shutdown)));
    Ok(MockHandle {
        base_url: format!("http://{addr}"),
        app,
        shutdown,
        task,
    })
}
