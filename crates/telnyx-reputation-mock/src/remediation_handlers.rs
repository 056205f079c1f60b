//! The remediation operations: submit, list (status and created-at filters) and get.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::App;
use crate::envelope::{ErrorKind, refusal};
use crate::guard::Account;
use crate::handlers::{PAGE_NUMBER_MAX, PAGE_SIZE_MAX, enum_param, page_meta, page_param};
use crate::model::{Page, RemediationListItem, RemediationStatus, Wrapped};
use crate::remediation::{RemediationBody, RemediationFilter};
use crate::wire::JsonBody;

/// The remediation list's query.
#[derive(Deserialize)]
pub(crate) struct RemediationQuery {
    #[serde(rename = "page[number]")]
    page_number: Option<String>,
    #[serde(rename = "page[size]")]
    page_size: Option<String>,
    #[serde(rename = "filter[status]")]
    status: Option<String>,
    #[serde(rename = "filter[created_at][gte]")]
    created_gte: Option<String>,
    #[serde(rename = "filter[created_at][lte]")]
    created_lte: Option<String>,
}

fn instant(raw: Option<&str>, name: &str) -> Result<Option<DateTime<Utc>>, Box<Response>> {
    raw.map(|r| {
        DateTime::parse_from_rfc3339(r)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Box::new(ErrorKind::BadRequest.answer_parameter(
                    format!("{name} must be an ISO 8601 date-time, got {r:?}: {e}"),
                    name,
                ))
            })
    })
    .transpose()
}

fn filter_of(q: &RemediationQuery) -> Result<RemediationFilter, Box<Response>> {
    let status = enum_param::<RemediationStatus>(
        q.status.as_deref(),
        "filter[status]",
        "pending, in_progress, completed, failed or cancelled",
    )?;
    Ok(RemediationFilter {
        status,
        created_gte: instant(q.created_gte.as_deref(), "filter[created_at][gte]")?,
        created_lte: instant(q.created_lte.as_deref(), "filter[created_at][lte]")?,
    })
}

pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    drop_connection: Option<Extension<crate::handlers::DropConnection>>,
    Path(enterprise): Path<Uuid>,
    JsonBody(body): JsonBody<RemediationBody>,
) -> Response {
    if let Some(delay) = app.faults().slow_commit(&app.draws) {
        return crate::lag::withhold(&app, drop_connection, delay, move |app| {
            let _ = submit_now(app, account, enterprise, &body);
        })
        .await;
    }
    // The world's lock is released before the answer may be held back.
    match submit_now(&app, account, enterprise, &body) {
        Ok(data) => {
            crate::handlers::commit_then_drop(&app, drop_connection).await;
            (StatusCode::ACCEPTED, Json(Wrapped { data })).into_response()
        }
        Err(r) => refusal(r),
    }
}

/// Applies a submission at the emulator's now, noted for reads that see writes late.
fn submit_now(
    app: &App,
    account: usize,
    enterprise: Uuid,
    body: &RemediationBody,
) -> Result<crate::model::Remediation, crate::state::Refusal> {
    let now = app.clock.now();
    let data = app
        .world()
        .submit_remediation(account, enterprise, body, now)?;
    app.lag
        .remediation(app.faults().list_lag(), app.clock.unskewed(), data.id);
    Ok(data)
}

pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    Query(q): Query<RemediationQuery>,
) -> Response {
    let number = match page_param(q.page_number.as_deref(), 1, PAGE_NUMBER_MAX, "page[number]") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let size = match page_param(q.page_size.as_deref(), 20, PAGE_SIZE_MAX, "page[size]") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let filter = match filter_of(&q) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let now = app.clock.now();
    let mut all = match app
        .world()
        .remediations_matching(account, enterprise, &filter, now)
    {
        Ok(all) => all,
        Err(r) => return refusal(r),
    };
    // Requests submitted within the lag are not listed yet.
    let view = app.lag.view(app.faults().list_lag(), app.clock.unskewed());
    all.retain(|r| !view.hides_remediation(&r.id));
    let skip = usize::try_from(number.saturating_sub(1).saturating_mul(size)).unwrap_or(usize::MAX);
    let data: Vec<RemediationListItem> = all
        .iter()
        .skip(skip)
        .take(usize::try_from(size).unwrap_or(usize::MAX))
        .map(RemediationListItem::from)
        .collect();
    let meta = page_meta(number, size, data.len(), all.len() as u64);
    Json(Page { data, meta }).into_response()
}

pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path((enterprise, id)): Path<(Uuid, Uuid)>,
) -> Response {
    let now = app.clock.now();
    if app
        .lag
        .view(app.faults().list_lag(), app.clock.unskewed())
        .hides_remediation(&id)
    {
        return refusal(crate::state::Refusal::UnknownRemediation(id));
    }
    match app.world().remediation(account, enterprise, id, now) {
        Ok(data) => Json(Wrapped { data }).into_response(),
        Err(r) => refusal(r),
    }
}
