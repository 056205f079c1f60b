//! The admin routes under `/__mock/`, for tests and benchmarks: faults read and replaced, the
//! state dumped (with the billing ledger) and reset, the counts of what was answered, and the
//! clock moved forward. They need no key and are not rate
//! limited, delayed or counted.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::app::App;
use crate::faults::Faults;
use crate::stats::Stats;

/// `/__mock/faults` (GET, PUT), `/__mock/state` (GET, DELETE), `/__mock/stats` (GET, DELETE),
/// `/__mock/billing` (GET), `/__mock/clock` (GET, POST `{"advance_ms": N}`).
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/__mock/faults", get(get_faults).put(put_faults))
        .route("/__mock/state", get(get_state).delete(reset_state))
        .route("/__mock/stats", get(get_stats).delete(reset_stats))
        .route("/__mock/billing", get(get_billing))
        .route("/__mock/clock", get(get_clock).post(advance_clock))
}

async fn get_billing(State(app): State<Arc<App>>) -> Json<crate::Billing> {
    Json(app.world().billing)
}

/// `POST /__mock/clock`'s body.
#[derive(serde::Deserialize)]
struct Advance {
    advance_ms: u64,
}

async fn get_clock(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "now": app.clock.now() }))
}

async fn advance_clock(
    State(app): State<Arc<App>>,
    Json(advance): Json<Advance>,
) -> Json<serde_json::Value> {
    app.clock
        .advance(std::time::Duration::from_millis(advance.advance_ms));
    Json(serde_json::json!({ "now": app.clock.now() }))
}

async fn get_faults(State(app): State<Arc<App>>) -> Json<Faults> {
    Json(Faults::clone(&app.faults()))
}

async fn put_faults(State(app): State<Arc<App>>, Json(faults): Json<Faults>) -> Json<Faults> {
    app.set_faults(faults.clone());
    Json(faults)
}

/// Every association, each enterprise's settings, each account's agreement, the remediation
/// requests, the billing ledger, and the counts of what was answered.
async fn get_state(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    let stats = app.counters.snapshot();
    let world = app.world();
    let associations: Vec<_> = world
        .associations
        .values()
        .map(|a| {
            serde_json::json!({
                "phone_number": a.phone_number,
                "enterprise_id": a.enterprise_id,
                "api_key": world.accounts.get(a.account).map(|acc| acc.api_key.as_str()),
                "created_at": a.created_at,
            })
        })
        .collect();
    let now = app.clock.now();
    let enterprises: Vec<_> = world
        .accounts
        .iter()
        .enumerate()
        .flat_map(|(i, account)| {
            let world = &world;
            account.enterprises.iter().map(move |e| {
                serde_json::json!({
                    "enterprise_id": e.id,
                    "api_key": account.api_key,
                    "reputation": world.settings_record(i, e.id).map(|s| s.view(now)),
                })
            })
        })
        .collect();
    let terms: Vec<_> = world
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            serde_json::json!({
                "api_key": a.api_key,
                "agreement": world.terms.get(i).cloned().flatten(),
            })
        })
        .collect();
    let step = world.remediation_step;
    let remediations: Vec<_> = world
        .remediations
        .iter()
        .map(|r| {
            serde_json::json!({
                "enterprise_id": r.enterprise_id,
                "request": r.view(now, step),
            })
        })
        .collect();
    Json(serde_json::json!({
        "associations": associations,
        "enterprises": enterprises,
        "terms_of_service": terms,
        "remediations": remediations,
        "billing": world.billing,
        "stats": stats,
    }))
}

/// Back to the state at start: associations, activations, agreements made since,
/// remediations and the billing ledger are forgotten (the counts stay; `DELETE /__mock/stats`
/// resets them).
async fn reset_state(State(app): State<Arc<App>>) -> StatusCode {
    app.world().reset();
    StatusCode::NO_CONTENT
}

async fn get_stats(State(app): State<Arc<App>>) -> Json<Stats> {
    Json(app.counters.snapshot())
}

async fn reset_stats(State(app): State<Arc<App>>) -> StatusCode {
    app.counters.reset();
    StatusCode::NO_CONTENT
}
