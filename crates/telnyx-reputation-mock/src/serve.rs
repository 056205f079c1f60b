//! Serving connections ourselves, so that a handler can drop the connection it arrived on
//! (commit-then-drop), and the `mock serve` process.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::server::DropConnection;
use crate::{AccountConfig, DEMO_ENTERPRISE, EnterpriseConfig, Faults, Inventory, MockConfig};

/// Accepts connections until `shutdown` is notified; each connection can be dropped by its
/// handler through a [`DropConnection`] in the request's extensions.
pub(crate) async fn accept_loop(listener: TcpListener, router: Router, shutdown: Arc<Notify>) {
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = shutdown.notified() => return,
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(Notify::new());
        let router = router
            .clone()
            .layer(axum::Extension(DropConnection(Arc::clone(&kill))));
        tokio::spawn(async move {
            let service = TowerToHyperService::new(router);
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection future closes the socket without an answer.
                () = kill.notified() => {}
            }
        });
    }
}

/// `telnyx-reputation mock serve`: the emulator as a process.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The API key of the (single) account.
    #[arg(long, default_value = crate::DEMO_API_KEY)]
    pub api_key: String,
    /// Approved enterprises of the account (repeatable; default: the demo enterprise).
    #[arg(long = "enterprise")]
    pub enterprises: Vec<Uuid>,
    /// Owned numbers: `all` (every valid US local number) or a file with one E.164 number a line.
    #[arg(long, default_value = "all")]
    pub inventory: String,
    /// Accept a raw `+` in paths.
    #[arg(long)]
    pub allow_raw_plus: bool,
    /// Seed of fault decisions.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Latency added to every answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Extra random latency, up to this.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Share of requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Requests per second per key; over it, 429 with Retry-After.
    #[arg(long, default_value_t = 0)]
    pub rate_limit: u64,
    /// Share of associates applied and then answered by dropping the connection.
    #[arg(long, default_value_t = 0.0)]
    pub commit_then_drop_rate: f64,
}

impl ServeArgs {
    /// The configuration these arguments describe.
    pub fn config(&self) -> Result<MockConfig, String> {
        let inventory = if self.inventory == "all" {
            Inventory::All
        } else {
            let text = std::fs::read_to_string(&self.inventory)
                .map_err(|e| format!("inventory {}: {e}", self.inventory))?;
            let mut set = std::collections::HashSet::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let n = telnyx_e164::UsLocalNumber::parse_strict(line.trim())
                    .map_err(|e| format!("inventory {} line {}: {e}", self.inventory, i + 1))?;
                set.insert(n);
            }
            Inventory::Numbers(set)
        };
        let enterprises = if self.enterprises.is_empty() {
            vec![DEMO_ENTERPRISE]
        } else {
            self.enterprises.clone()
        };
        Ok(MockConfig {
            addr: self.addr,
            accounts: vec![AccountConfig {
                api_key: self.api_key.clone(),
                enterprises: enterprises
                    .into_iter()
                    .map(|id| EnterpriseConfig { id, approved: true })
                    .collect(),
                inventory,
            }],
            allow_raw_plus: self.allow_raw_plus,
            faults: Faults {
                latency_ms: self.latency_ms,
                jitter_ms: self.jitter_ms,
                error_rate: self.error_rate,
                rate_limit: self.rate_limit,
                commit_then_drop_rate: self.commit_then_drop_rate,
                ..Faults::default()
            },
            seed: self.seed,
        })
    }
}

/// Runs the emulator until SIGINT or SIGTERM, after printing its base URL, key and enterprise
/// ids as its first lines.
pub async fn serve(args: ServeArgs) -> Result<(), String> {
    let config = args.config()?;
    let enterprises: Vec<Uuid> = config.accounts[0]
        .enterprises
        .iter()
        .map(|e| e.id)
        .collect();
    let handle = crate::start(config)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    println!("base_url {}", handle.base_url());
    println!("api_key {}", args.api_key);
    for id in enterprises {
        println!("enterprise {id}");
    }
    wait_for_signal().await;
    handle.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
