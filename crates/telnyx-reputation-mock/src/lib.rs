//! A stateful emulator of the Telnyx Phone Number Reputation API, for tests, benchmarks and
//! demos without an account or a billable call.
//!
//! It answers the seven operations of `spec/phone-numbers.yml` over in-memory state with the
//! documented semantics: bearer auth, enterprises with an approval state, an inventory of owned
//! numbers, atomic associate with one error per failing number (`source.pointer` =
//! `/phone_numbers/<index>`), pagination with `meta`, cached or fresh reputation data, and
//! disassociate. Numbers are checked by `telnyx-e164`, the same rules the client uses. Its wire
//! shapes are the generated client's own types, so the two cannot drift apart.
//!
//! Faults ([`Faults`]) are seeded and deterministic: latency and jitter, 5xx at a rate, 429 with
//! `Retry-After`, a per-key rate limit, a slow body, and commit-then-drop (the associate is
//! applied, then the connection is closed without an answer).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let mock = telnyx_reputation_mock::start(telnyx_reputation_mock::MockConfig::demo()).await?;
//! assert!(mock.base_url().starts_with("http://127.0.0.1:"));
//! mock.shutdown().await;
//! # Ok(()) }
//! ```

mod serve;
mod server;
mod state;
mod timer;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::Notify;
use uuid::Uuid;

pub use serve::{ServeArgs, serve};
pub use server::Faults;
pub use state::{AccountConfig, Association, EnterpriseConfig, Inventory, World, reputation_of};

/// The demo account's API key.
pub const DEMO_API_KEY: &str = "demo-key";
/// The demo account's approved enterprise.
pub const DEMO_ENTERPRISE: Uuid = Uuid::from_u128(0x6a09cdc3_8948_47f0_aa62_74ac943d6c58);

/// How the emulator starts.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// The accounts.
    pub accounts: Vec<AccountConfig>,
    /// Accept a raw `+` in paths, as lenient servers do (off: a 400 says the client forgot to
    /// encode).
    pub allow_raw_plus: bool,
    /// Faults at start.
    pub faults: Faults,
    /// Seed of every fault decision.
    pub seed: u64,
}

impl MockConfig {
    /// One account (`demo-key`), one approved enterprise ([`DEMO_ENTERPRISE`]), owning every
    /// valid US local number; loopback, a free port, no faults.
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
            }],
            allow_raw_plus: false,
            faults: Faults::default(),
            seed: 0,
        }
    }
}

/// A running emulator.
pub struct MockHandle {
    base_url: String,
    app: Arc<server::App>,
    shutdown: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl MockHandle {
    /// The base URL to give clients, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *self.app.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
    }

    /// A copy of the whole state, for assertions.
    pub fn world(&self) -> World {
        self.app
            .world
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
    let app = Arc::new(server::App {
        world: Mutex::new(World::new(config.accounts)),
        faults: Mutex::new(config.faults),
        seed: config.seed,
        counter: AtomicU64::new(0),
        allow_raw_plus: config.allow_raw_plus,
        windows: Mutex::new(Default::default()),
    });
    let router = server::router(Arc::clone(&app));
    let shutdown = Arc::new(Notify::new());
    let task = tokio::spawn(serve::accept_loop(listener, router, Arc::clone(&shutdown)));
    Ok(MockHandle {
        base_url: format!("http://{addr}"),
        app,
        shutdown,
        task,
    })
}
