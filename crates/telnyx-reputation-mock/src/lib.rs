//! A stateful emulator of the Telnyx Phone Number Reputation API, for tests, benchmarks and
//! demos without an account or a billable call.
//!
//! It answers the 23 operations of the October 2026 edition of the API (the 18 of July 2026
//! and five new ones) over in-memory state with the documented semantics: bearer auth; the
//! account's Terms of Service agreement;
//! enterprises whose reputation is enabled (billable, needing a `loa_document_id`), `pending`
//! until the emulator's clock passes `approve_after_ms`, then approved, and disabled with every
//! number de-registered; the LOA rendered as a real PDF and replaced; an inventory of owned
//! numbers (US local and toll-free, `source: telnyx`) and prefixes of numbers hosted elsewhere
//! ([`MockConfig::external`], `source: external`: US local only, associated once the
//! enterprise's ownership proof is approved, else `external_verification_required`); atomic
//! associate with one error per failing number (`source.pointer` =
//! `/phone_numbers/<index>`); lists with pages of up to 250 and the `eq`, `contains`,
//! `enterprise_id`, `source` and `ownership_status` filters; cached or fresh reputation data;
//! refresh answered per number;
//! remediation requests moving `pending` → `in_progress` → `completed` with per-number results
//! and 409 for a number in flight; and disassociate, which removes the number from monitoring
//! (`customer_removed`; listed with `filter[ownership_status]=removed` only, and associated
//! again at will). Every error is in the current envelope
//! (`meta.url` included). Every billable event is counted in a ledger ([`Billing`],
//! [`MockHandle::billing`]), which also shows each operation as billable or not
//! ([`Billing::by_operation`]: the five new ones are not). Numbers are checked by
//! `telnyx-e164`, the same rules the client uses. Its wire shapes ([`model`]) are written from
//! the current edition.
//!
//! The October 2026 additions: each enterprise's ownership webhook URL (`PATCH .../webhook`);
//! ownership proof (`POST`/`GET .../external_verification`), `pending` until the emulator's
//! clock passes [`MockConfig::verification_review_ms`], then `approved`, mirrored in the
//! settings' `external_verification_status`; each number's ownership tracking
//! (`GET .../numbers/{n}/ownership`): `verified` at association, and ownership events reported
//! through `POST /__mock/ownership` (a carrier change or a due re-verification makes it
//! `pending_confirmation` until `confirm_by`, [`MockConfig::confirm_window_ms`] later; a
//! disconnection removes it), answered by `ownership_confirm`; and the three webhook events,
//! delivered to loopback URLs, signed with an Ed25519 key derived from the seed
//! ([`MockHandle::webhook_public_key`]) exactly as Telnyx signs them, and sent again
//! [`MockConfig::webhook_retry_ms`] later until answered 200 (at most [`MAX_ATTEMPTS`]).
//!
//! Time is the system clock plus an offset: tests move it forward
//! with [`MockHandle::advance_clock`] instead of sleeping. Timers (proof reviews, confirmation
//! deadlines, redeliveries) are due at an instant of that clock: a clock advance runs what
//! became due before it returns, and they also run as real time passes. Only a delivery's
//! `telnyx-timestamp` is real time, as a receiver checks it against its own clock.
//!
//! Faults ([`Faults`]) are seeded and deterministic: latency and jitter, 5xx at a rate, 429 with
//! `Retry-After` at a rate, a slow body, and commit-then-drop (the associate is applied, then the
//! connection is closed without an answer). A rate limit counts requests per API key and
//! enterprise in fixed windows, as Telnyx does: every answer carries `x-ratelimit-limit`,
//! `x-ratelimit-remaining` and `x-ratelimit-reset`, and a request over the limit is answered 429
//! (code `10011`, `Retry-After`) without being applied.
//!
//! Outcomes can be made uncertain the way a real deployment makes them: reads that see writes
//! late (`list_lag_ms`, in emulator time), a server clock skewed from the client's
//! (`clock_skew_ms`: every answer's `Date` header and every timestamp), billable writes applied
//! after their answer timed out and never answered (`slow_commit_ms`), and an
//! `x-ratelimit-reset` as large as the header can carry (`rate_limit_reset_s`). [`MockHandle::stats`] counts the
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
mod associate;
mod envelope;
mod faults;
mod guard;
mod handlers;
mod hosting;
mod lag;
mod ledger;
mod lifecycle;
mod listing;
mod loa;
pub mod model;
mod ownership;
mod ownership_handlers;
mod populate;
mod ratelimit;
mod refresh;
mod refusal;
mod remediation;
mod remediation_handlers;
mod reputation;
mod schedule;
#[cfg(feature = "clap")]
mod serve;
mod settings_handlers;
mod state;
mod stats;
mod timer;
mod verification;
mod webhook;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Notify;
use uuid::Uuid;

pub use faults::{Faults, MAX_DELAY_MS};
pub use hosting::NumberPrefix;
pub use ledger::{Billing, Operation, OperationBilling};
pub use lifecycle::{SettingsRecord, TERMS_VERSION};
pub use ownership::{HISTORY_MAX, Ownership, OwnershipChange};
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
pub use verification::VerificationBody;
pub use webhook::{DELIVERY_TIMEOUT, Delivery, MAX_ATTEMPTS};

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
    /// Prefixes of numbers hosted with another provider (`source: external`): associating
    /// one needs the enterprise's ownership proof approved, and it must be US local. They are
    /// in no inventory.
    pub external: Vec<NumberPrefix>,
    /// How long an ownership proof stays `pending` before it is approved.
    pub verification_review_ms: u64,
    /// How long a flagged number has to confirm its ownership (`confirm_by`).
    pub confirm_window_ms: u64,
    /// How long after an unacknowledged webhook delivery it is sent again.
    pub webhook_retry_ms: u64,
}

/// Three days: the `confirm_by` window of the documentation's example.
pub const DEFAULT_CONFIRM_WINDOW_MS: u64 = 3 * 24 * 60 * 60 * 1000;

impl MockConfig {
    /// One account (`demo-key`) that has agreed to the Terms of Service, one approved
    /// enterprise ([`DEMO_ENTERPRISE`]), owning every valid US local and toll-free number, none
    /// hosted elsewhere; loopback, a free port, no faults; activations approved, remediation
    /// stages, ownership-proof reviews and webhook redeliveries a second each; confirmation
    /// windows of three days; nothing populated.
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
            external: Vec::new(),
            verification_review_ms: 1000,
            confirm_window_ms: DEFAULT_CONFIRM_WINDOW_MS,
            webhook_retry_ms: 1000,
        }
    }
}

/// A running emulator.
pub struct MockHandle {
    base_url: String,
    app: Arc<app::App>,
    shutdown: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
    /// The timer task and the webhook sender, stopped with the server.
    background: Vec<tokio::task::JoinHandle<()>>,
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

    /// How many answers [`Faults::hold`] holds now (`GET /__mock/held`).
    pub fn held(&self) -> usize {
        *self.app.held.borrow()
    }

    /// Waits, without a timer, until [`Faults::hold`] holds exactly `count` answers.
    pub async fn until_held(&self, count: usize) {
        let mut changes = self.app.held.subscribe();
        // The sender lives as long as the handle, so the wait ends only on the count.
        let _ = changes.wait_for(|&n| n == count).await;
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
    /// approved, remediations move on, and the timers that became due (ownership-proof
    /// reviews, confirmation deadlines, webhook redeliveries) run before it returns. Tests use
    /// it instead of sleeping.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.app.advance_clock(by);
    }

    /// The public key webhook deliveries are signed with: standard base64 of its 32 bytes, as
    /// Telnyx shows an account's key (and as `TELNYX_PUBLIC_KEY` holds it).
    pub fn webhook_public_key(&self) -> String {
        self.app.signer.public_key()
    }

    /// The webhook delivery attempts so far (the last 1,000), oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.app.world().webhooks.log.iter().cloned().collect()
    }

    /// Waits until `count` delivery attempts have been sent and their outcome logged (and, for
    /// one not answered 200, its redelivery scheduled) since the emulator started: a test
    /// that saw a delivery arrive waits on this before moving the clock, instead of sleeping.
    pub async fn wait_for_attempts(&self, count: u64) {
        let mut done = self.app.attempts_done.subscribe();
        // The sender lives as long as the app, which `self` holds.
        let _ = done.wait_for(|n| *n >= count).await;
    }

    /// Stops accepting connections, stops the timers and the webhook sender, and waits for the
    /// server task.
    pub async fn shutdown(self) {
        self.shutdown.notify_one();
        for task in &self.background {
            task.abort();
        }
        let _ = self.task.await;
    }
}

/// Starts the emulator in this process.
pub async fn start(config: MockConfig) -> std::io::Result<MockHandle> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let (app, deliveries) = app::App::new(config);
    let app = Arc::new(app);
    let router = app::router(Arc::clone(&app));
    let shutdown = Arc::new(Notify::new());
    let task = tokio::spawn(accept::accept_loop(listener, router, Arc::clone(&shutdown)));
    let background = vec![
        tokio::spawn(schedule::run_timers(Arc::clone(&app))),
        tokio::spawn(webhook::deliver_all(Arc::clone(&app), deliveries)),
    ];
    Ok(MockHandle {
        base_url: format!("http://{addr}"),
        app,
        shutdown,
        task,
        background,
    })
}
