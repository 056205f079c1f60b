//! The admin routes under `/__mock/`, for tests and benchmarks: faults read and replaced, the
//! state dumped and reset, the counts of what was answered. They need no key and are not rate
//! limited, delayed or counted.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::app::App;
use crate::faults::Faults;
use crate::stats::Stats;

/// `/__mock/faults` (GET, PUT), `/__mock/state` (GET, DELETE), `/__mock/stats` (GET, DELETE).
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/__mock/faults", get(get_faults).put(put_faults))
        .route("/__mock/state", get(get_state).delete(reset_state))
        .route("/__mock/stats", get(get_stats).delete(reset_stats))
}

async fn get_faults(State(app): State<Arc<App>>) -> Json<Faults> {
    Json(Faults::clone(&app.faults()))
}

async fn put_faults(State(app): State<Arc<App>>, Json(faults): Json<Faults>) -> Json<Faults> {
    app.set_faults(faults.clone());
    Json(faults)
}

/// Every association, and the counts of what was answered.
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
    Json(serde_json::json!({ "associations": associations, "stats": stats }))
}

/// Forgets every association (the counts stay; `DELETE /__mock/stats` resets them).
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
