//! The API operations: list, associate, get and disassociate, each in the enterprise scope and
//! (but associate) the account-wide one, over the world's rules.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use telnyx_reputation_api::types::{
    MetaInfo, ReputationPhoneNumberListWithReputation, ReputationPhoneNumberWithReputation,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::app::App;
use crate::envelope::{ErrorKind, refusal};
use crate::guard::Account;
use crate::state::Refusal;
use crate::wire::{create_body, created_response};

/// Drops the connection that carries the request when notified (commit-then-drop).
#[derive(Clone)]
pub(crate) struct DropConnection(pub Arc<Notify>);

/// The list operations' query: paging and a number filter.
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(rename = "page[number]")]
    page_number: Option<String>,
    #[serde(rename = "page[size]")]
    page_size: Option<String>,
    phone_number: Option<String>,
}

/// The largest page number `meta.page_number` (an i64) can state.
const PAGE_NUMBER_MAX: u64 = i64::MAX as u64;

fn page_param(raw: Option<&str>, default: u64, max: u64, name: &str) -> Result<u64, Box<Response>> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    // A page number too large for any integer type is still a page past the end, not an error.
    let digits_only = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    let value = match raw.parse::<u64>() {
        Err(_) if digits_only && max == PAGE_NUMBER_MAX && raw.bytes().any(|b| b != b'0') => {
            Ok(max)
        }
        other => other,
    };
    match value {
        Ok(v) if v > max && max == PAGE_NUMBER_MAX => Ok(max),
        Ok(v) if (1..=max).contains(&v) => Ok(v),
        _ => Err(Box::new(ErrorKind::BadRequest.answer(format!(
            "{name} must be an integer from 1 to {max}, got {raw:?}"
        )))),
    }
}

fn list_response(app: &App, account: usize, enterprise: Option<Uuid>, q: ListQuery) -> Response {
    let number = match page_param(q.page_number.as_deref(), 1, PAGE_NUMBER_MAX, "page[number]") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let size = match page_param(q.page_size.as_deref(), 10, 100, "page[size]") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let world = app.world();
    let all = match world.list(account, enterprise, q.phone_number.as_deref()) {
        Ok(all) => all,
        Err(r) => return refusal(r),
    };
    let total = all.len() as u64;
    let data = all
        .iter()
        .skip(((number - 1).saturating_mul(size)) as usize)
        .take(size as usize)
        .map(|a| a.with_reputation())
        .collect();
    Json(ReputationPhoneNumberListWithReputation {
        data,
        meta: Some(MetaInfo {
            page_number: Some(number as i64),
            page_size: Some(size as i64),
            total_results: Some(total as i64),
            total_pages: Some(total.div_ceil(size) as i64),
        }),
    })
    .into_response()
}

pub(crate) async fn list_enterprise(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Response {
    list_response(&app, account, Some(enterprise), q)
}

pub(crate) async fn list_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Query(q): Query<ListQuery>,
) -> Response {
    list_response(&app, account, None, q)
}

pub(crate) async fn associate(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    drop_connection: Option<Extension<DropConnection>>,
    Path(enterprise): Path<Uuid>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body = match create_body(&headers, &body) {
        Ok(b) => b,
        Err(detail) => return ErrorKind::BadRequest.answer(detail),
    };
    let faults = app.faults();
    let now = chrono::Utc::now();
    let result = app
        .world()
        .associate(account, enterprise, &body.phone_numbers, now);
    let created = match result {
        Ok(created) => created,
        Err(Refusal::NotApproved(id)) => {
            return ErrorKind::NotApprovedToAssociate.answer(format!(
                "enterprise {id} is not approved for Number Reputation"
            ));
        }
        Err(Refusal::Numbers(list)) if faults.omit_pointers => {
            return ErrorKind::BadRequest
                .answer(format!("{} of the numbers failed validation", list.len()));
        }
        Err(r) => return refusal(r),
    };
    if faults.commits_then_drops(&app.draws)
        && let Some(Extension(DropConnection(notify))) = drop_connection
    {
        // Applied; now the client never hears so.
        notify.notify_one();
        std::future::pending::<()>().await;
    }
    created_response(&created)
}

/// The get operations' query: whether to refresh the data.
#[derive(Deserialize)]
pub(crate) struct GetQuery {
    fresh: Option<String>,
}

fn get_response(
    app: &App,
    account: usize,
    enterprise: Option<Uuid>,
    number: &str,
    q: GetQuery,
) -> Response {
    let fresh = match q.fresh.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return ErrorKind::NotFound
                .answer(format!("fresh must be true or false, got {other:?}"));
        }
    };
    match app
        .world()
        .get(account, enterprise, number, fresh, chrono::Utc::now())
    {
        Ok(data) => Json(ReputationPhoneNumberWithReputation { data: Some(data) }).into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn get_enterprise(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path((enterprise, number)): Path<(Uuid, String)>,
    Query(q): Query<GetQuery>,
) -> Response {
    get_response(&app, account, Some(enterprise), &number, q)
}

pub(crate) async fn get_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(number): Path<String>,
    Query(q): Query<GetQuery>,
) -> Response {
    get_response(&app, account, None, &number, q)
}

pub(crate) async fn disassociate_enterprise(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path((enterprise, number)): Path<(Uuid, String)>,
) -> Response {
    match app.world().disassociate(account, Some(enterprise), &number) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refusal(r),
    }
}

pub(crate) async fn disassociate_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(number): Path<String>,
) -> Response {
    match app.world().disassociate(account, None, &number) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refusal(r),
    }
}
