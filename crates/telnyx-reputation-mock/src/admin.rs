//! The admin routes under `/__mock/`, for tests and benchmarks: faults read and replaced, the
//! state dumped (with the billing ledger) and reset, the counts of what was answered, the
//! clock moved forward (running the timers that became due), ownership events reported,
//! ownership-proof reviews decided, the webhook deliveries listed, and the answers the `hold`
//! fault holds counted. They need no key and
//! are not rate limited, delayed or counted.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use uuid::Uuid;

use crate::app::App;
use crate::envelope::{ErrorKind, refusal};
use crate::faults::Faults;
use crate::model::{ExternalVerificationStatus, Wrapped};
use crate::ownership::OwnershipChange;
use crate::stats::Stats;
use crate::wire::JsonBody;

/// `/__mock/faults` (GET, PUT), `/__mock/state` (GET, DELETE), `/__mock/numbers` (GET),
/// `/__mock/stats` (GET, DELETE), `/__mock/billing` (GET), `/__mock/billing/operations` (GET),
/// `/__mock/clock` (GET, POST `{"advance_ms": N}`), `/__mock/ownership` (POST),
/// `/__mock/external_verification` (POST), `/__mock/webhooks` (GET), `/__mock/held` (GET).
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/__mock/faults", get(get_faults).put(put_faults))
        .route("/__mock/state", get(get_state).delete(reset_state))
        .route("/__mock/numbers", get(get_numbers))
        .route("/__mock/stats", get(get_stats).delete(reset_stats))
        .route("/__mock/billing", get(get_billing))
        .route("/__mock/billing/operations", get(get_billing_operations))
        .route("/__mock/clock", get(get_clock).post(advance_clock))
        .route("/__mock/ownership", post(ownership_event))
        .route("/__mock/external_verification", post(review_verification))
        .route("/__mock/webhooks", get(get_webhooks))
        .route("/__mock/held", get(get_held))
}

/// How many answers [`Faults::hold`] holds now: `{"held": N}`.
async fn get_held(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "held": *app.held.borrow() }))
}

async fn get_billing(State(app): State<Arc<App>>) -> Json<crate::Billing> {
    Json(app.world().billing)
}

async fn get_billing_operations(State(app): State<Arc<App>>) -> Json<Vec<crate::OperationBilling>> {
    Json(app.world().billing.by_operation())
}

/// `POST /__mock/ownership`'s body: what happened to which number of which enterprise.
#[derive(serde::Deserialize)]
struct OwnershipEventBody {
    enterprise_id: Uuid,
    phone_number: String,
    event: OwnershipChange,
}

/// Reports an ownership event of a monitored number; answers its record as it now stands.
async fn ownership_event(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<OwnershipEventBody>,
) -> Response {
    let now = app.clock.now();
    let result =
        app.world()
            .ownership_change(body.enterprise_id, &body.phone_number, body.event, now);
    match result {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

/// `POST /__mock/external_verification`'s body: the review's outcome, now.
#[derive(serde::Deserialize)]
struct ReviewBody {
    enterprise_id: Uuid,
    status: ExternalVerificationStatus,
    rejection_reason: Option<String>,
}

/// Ends an enterprise's pending ownership-proof review now, approved or rejected (with a
/// reason), instead of waiting for `--verification-review-ms`.
async fn review_verification(
    State(app): State<Arc<App>>,
    JsonBody(body): JsonBody<ReviewBody>,
) -> Response {
    let reason = match (body.status, body.rejection_reason) {
        (ExternalVerificationStatus::Approved, _) => None,
        (ExternalVerificationStatus::Rejected, reason) => {
            Some(reason.unwrap_or_else(|| "the documents do not show ownership".to_owned()))
        }
        (ExternalVerificationStatus::Pending, _) => {
            return ErrorKind::Invalid
                .answer_pointing("status must be approved or rejected", "/status");
        }
    };
    let now = app.clock.now();
    match app
        .world()
        .review_verification(body.enterprise_id, reason, now)
    {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}

/// The webhook key and the delivery attempts so far, oldest first.
async fn get_webhooks(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    let deliveries: Vec<crate::Delivery> = app.world().webhooks.log.iter().cloned().collect();
    Json(serde_json::json!({
        "webhook_public_key": app.signer.public_key(),
        "deliveries": deliveries,
    }))
}

/// `POST /__mock/clock`'s body.
#[derive(serde::Deserialize)]
struct Advance {
    advance_ms: u64,
}

async fn get_clock(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "now": app.clock.now() }))
}

/// Moves the clock forward and runs the timers that became due before answering.
async fn advance_clock(
    State(app): State<Arc<App>>,
    Json(advance): Json<Advance>,
) -> Json<serde_json::Value> {
    app.advance_clock(std::time::Duration::from_millis(advance.advance_ms));
    Json(serde_json::json!({ "now": app.clock.now() }))
}

async fn get_faults(State(app): State<Arc<App>>) -> Json<Faults> {
    Json(Faults::clone(&app.faults()))
}

async fn put_faults(State(app): State<Arc<App>>, Json(faults): Json<Faults>) -> Json<Faults> {
    app.set_faults(faults.clone());
    Json(faults)
}

/// The query of `GET /__mock/state` and `GET /__mock/numbers`.
#[derive(serde::Deserialize)]
struct EnterpriseQuery {
    /// Only this enterprise's rows: of the state, its associations, removed numbers, settings
    /// and remediations (the account-wide parts, agreements, ledger, key, timers and counts,
    /// stay whole). A test that checks one enterprise among many reads its own rows, not every
    /// row the run has made.
    enterprise_id: Option<Uuid>,
}

impl EnterpriseQuery {
    /// Whether the rows of `enterprise` are asked for.
    fn wants(&self, enterprise: Uuid) -> bool {
        self.enterprise_id.is_none_or(|e| e == enterprise)
    }
}

/// Every association (monitored, then removed), each enterprise's settings and ownership
/// proof, each account's agreement, the remediation requests, the billing ledger (by kind and
/// by operation), the webhook key, the pending timers and the counts of what was answered;
/// with `?enterprise_id=`, the rows of that enterprise only.
async fn get_state(
    State(app): State<Arc<App>>,
    Query(query): Query<EnterpriseQuery>,
) -> Json<serde_json::Value> {
    let stats = app.counters.snapshot();
    let world = app.world();
    let row = |a: &crate::Association| {
        let o = a.ownership.as_deref();
        serde_json::json!({
            "phone_number": a.phone_number,
            "enterprise_id": a.enterprise_id,
            "api_key": world.accounts.get(a.account).map(|acc| acc.api_key.as_str()),
            "created_at": a.created_at,
            "source": a.source,
            "ownership_status": a.ownership_status(),
            "flag_reason": o.and_then(|o| o.flag_reason),
            "confirm_by": o.and_then(|o| o.confirm_by),
            "removal_reason": o.and_then(|o| o.removal_reason),
            "removed_at": o.and_then(|o| o.removed_at),
            "evidence_document_id": o.and_then(|o| o.evidence_document_id.as_deref()),
        })
    };
    let rows = |of: &std::collections::BTreeMap<_, crate::Association>| -> Vec<_> {
        of.values()
            .filter(|a| query.wants(a.enterprise_id))
            .map(row)
            .collect()
    };
    let associations = rows(&world.associations);
    let removed = rows(&world.removed);
    let now = app.clock.now();
    let enterprises: Vec<_> = world
        .accounts
        .iter()
        .enumerate()
        .flat_map(|(i, account)| {
            let world = &world;
            account
                .enterprises
                .iter()
                .filter(|e| query.wants(e.id))
                .map(move |e| {
                    let record = world.settings_record(i, e.id);
                    serde_json::json!({
                        "enterprise_id": e.id,
                        "api_key": account.api_key,
                        "reputation": record.map(|s| s.view(now)),
                        "external_verification": record.and_then(|s| s.verification.as_ref()),
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
        .filter(|r| query.wants(r.enterprise_id))
        .map(|r| {
            serde_json::json!({
                "enterprise_id": r.enterprise_id,
                "request": r.view(now, step),
            })
        })
        .collect();
    Json(serde_json::json!({
        "associations": associations,
        "removed": removed,
        "enterprises": enterprises,
        "terms_of_service": terms,
        "remediations": remediations,
        "billing": world.billing,
        "billing_by_operation": world.billing.by_operation(),
        "webhook_public_key": app.signer.public_key(),
        "pending_timers": world.timers.len(),
        "stats": stats,
    }))
}

/// `GET /__mock/numbers?enterprise_id=`: the numbers the enterprise monitors, in E.164 order,
/// as `{"numbers": [...]}`; every monitored number without the query. The state's rows carry
/// a dozen fields per number, which a test that only needs the numbers of a large populated
/// enterprise would build and read for nothing.
async fn get_numbers(
    State(app): State<Arc<App>>,
    Query(query): Query<EnterpriseQuery>,
) -> Json<serde_json::Value> {
    let world = app.world();
    let numbers: Vec<&str> = world
        .associations
        .values()
        .filter(|a| query.wants(a.enterprise_id))
        .map(|a| a.phone_number.as_str())
        .collect();
    Json(serde_json::json!({ "numbers": numbers }))
}

/// Back to the state at start: associations, removed numbers, activations, webhook URLs,
/// ownership proofs, agreements made since, remediations, timers, the webhook log and the
/// billing ledger are forgotten (the counts stay; `DELETE /__mock/stats` resets them).
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
