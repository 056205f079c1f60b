//! What every handler shares, and the router that puts the API behind its guard beside the
//! admin routes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, patch, post};

use crate::faults::{Draws, Faults};
use crate::ratelimit::RateLimiter;
use crate::state::World;
use crate::stats::Counters;
use crate::timer::Clock;
use crate::{
    MockConfig, admin, guard, handlers, ownership_handlers, remediation_handlers, settings_handlers,
};

/// The emulator's shared state: the world, the faults, the rate limit's counts, the counters.
pub(crate) struct App {
    world: Mutex<World>,
    /// Read on every request, replaced rarely: a read lock and an `Arc` clone per request.
    faults: RwLock<Arc<Faults>>,
    /// API key to account index, fixed at start (so authentication takes no world lock).
    keys: HashMap<String, usize>,
    pub draws: Draws,
    pub allow_raw_plus: bool,
    pub limiter: RateLimiter,
    pub counters: Counters,
    /// The time every state change reads.
    pub clock: Clock,
    /// When the emulator started: the origin of the request timings it logs.
    pub started: Instant,
    /// The webhook signing key.
    pub signer: crate::webhook::WebhookSigner,
    /// When the world's next timer is due, and the timer task's doorbell.
    pub wakeup: Arc<crate::schedule::Wakeup>,
    /// Webhook attempts sent and logged so far (answered or failed), for waiters.
    pub attempts_done: tokio::sync::watch::Sender<u64>,
    /// Recent writes, for reads that see them late ([`Faults::list_lag_ms`]).
    pub lag: crate::lag::RecentWrites,
    /// The answers [`Faults::hold`] holds now; its receivers also hear of every change of the
    /// faults, which is what releases them.
    pub held: tokio::sync::watch::Sender<usize>,
}

impl App {
    /// The state a configuration describes (its address is the listener's business), and the
    /// queue of webhook deliveries for [`crate::webhook::deliver_all`].
    pub fn new(config: MockConfig) -> (App, tokio::sync::mpsc::Receiver<crate::webhook::Attempt>) {
        // The first account with a key wins, as `World::account_for_key` has it.
        let mut keys = HashMap::new();
        for (i, account) in config.accounts.iter().enumerate() {
            keys.entry(account.api_key.clone()).or_insert(i);
        }
        let clock = Clock::default();
        clock.set_skew(config.faults.clock_skew_ms);
        let mut world = World::new(config.accounts);
        world.set_timings(
            chrono::TimeDelta::milliseconds(
                i64::try_from(config.approve_after_ms).unwrap_or(i64::MAX),
            ),
            chrono::TimeDelta::milliseconds(
                i64::try_from(config.remediation_step_ms).unwrap_or(i64::MAX),
            ),
        );
        let ms = |ms: u64| chrono::TimeDelta::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX));
        world.set_ownership(
            config.external,
            crate::ownership::OwnershipTimings {
                review: ms(config.verification_review_ms),
                confirm_window: ms(config.confirm_window_ms),
                webhook_retry: ms(config.webhook_retry_ms),
            },
        );
        let (queue, deliveries) = tokio::sync::mpsc::channel(crate::webhook::QUEUE);
        world.webhooks.connect(queue);
        if config.populate > 0 {
            world.populate(config.populate, config.seed, clock.now());
        }
        let wakeup = world.timers.wakeup();
        let app = App {
            world: Mutex::new(world),
            faults: RwLock::new(Arc::new(config.faults)),
            keys,
            draws: Draws::new(config.seed),
            allow_raw_plus: config.allow_raw_plus,
            limiter: RateLimiter::new(Instant::now()),
            counters: Counters::default(),
            clock,
            started: Instant::now(),
            signer: crate::webhook::WebhookSigner::from_seed(config.seed),
            wakeup,
            attempts_done: tokio::sync::watch::Sender::new(0),
            lag: crate::lag::RecentWrites::default(),
            held: tokio::sync::watch::Sender::new(0),
        };
        (app, deliveries)
    }

    /// The faults now.
    pub fn faults(&self) -> Arc<Faults> {
        Arc::clone(&self.faults.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        self.clock.set_skew(faults.clock_skew_ms);
        *self.faults.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(faults);
        // Wakes the held answers, which look again at whether their operation is still held.
        self.held.send_modify(|_| {});
    }

    /// Holds an answer to `operation` while [`Faults::hold`] names it: counted in
    /// [`App::held`] until released (or until the client goes away and this is dropped).
    pub async fn hold(&self, operation: crate::Operation) {
        let mut changes = self.held.subscribe();
        if !self.faults().hold.contains(&operation) {
            return;
        }
        self.held.send_modify(|n| *n = n.saturating_add(1));
        let _count = Held(&self.held);
        // Marked seen after the check above: a release after it wakes the loop below.
        while self.faults().hold.contains(&operation) {
            if changes.changed().await.is_err() {
                return;
            }
        }
    }

    /// The world, locked.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The account a bearer token authenticates.
    pub fn account_for_key(&self, key: &str) -> Option<usize> {
        self.keys.get(key).copied()
    }
}

/// One held answer, uncounted when dropped.
struct Held<'a>(&'a tokio::sync::watch::Sender<usize>);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// The router: the operations behind [`guard::guard`], and `/__mock/*` for tests.
pub(crate) fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route(
            "/terms_of_service/number_reputation/agree",
            post(settings_handlers::agree),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation",
            get(settings_handlers::get_settings)
                .post(settings_handlers::enable)
                .delete(settings_handlers::disable),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/frequency",
            patch(settings_handlers::update_frequency),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/loa",
            post(settings_handlers::render_loa).patch(settings_handlers::replace_loa),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/numbers/refresh",
            post(handlers::refresh),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/remediation",
            get(remediation_handlers::list).post(remediation_handlers::submit),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/remediation/{remediation_id}",
            get(remediation_handlers::get),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/numbers",
            get(handlers::list_enterprise).post(handlers::associate),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/numbers/{phone_number}",
            get(handlers::get_enterprise).delete(handlers::disassociate_enterprise),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/webhook",
            patch(ownership_handlers::update_webhook),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/external_verification",
            get(ownership_handlers::get_verification).post(ownership_handlers::submit_verification),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/numbers/{phone_number}/ownership",
            get(ownership_handlers::get_ownership),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/numbers/{phone_number}/ownership_confirm",
            post(ownership_handlers::confirm_ownership),
        )
        .route("/reputation/numbers", get(handlers::list_simplified))
        .route(
            "/reputation/numbers/{phone_number}",
            get(handlers::get_simplified).delete(handlers::disassociate_simplified),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            guard::guard,
        ));
    api.merge(admin::routes())
        .fallback(crate::envelope::no_such_route)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            due_first,
        ))
        .with_state(app)
}

/// Runs the timers that are due before any request (an atomic read when none is), so that
/// every answer reflects what the emulator's clock says has happened.
async fn due_first(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    app.run_due();
    next.run(request).await
}
