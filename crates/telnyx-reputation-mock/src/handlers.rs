//! The API operations: list, associate, get and disassociate, each in the enterprise scope and
//! (but associate) the account-wide one, over the world's rules.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use telnyx_reputation_api::types::{
    NumberReputationPaginationMeta, ReputationPhoneNumberList,
    ReputationPhoneNumberListWithReputation, ReputationPhoneNumberWithReputation,
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

/// The list operations' query: paging and the number filters.
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(rename = "page[number]")]
    page_number: Option<String>,
    #[serde(rename = "page[size]")]
    page_size: Option<String>,
    /// Exactly this number.
    #[serde(rename = "filter[phone_number][eq]")]
    phone_number: Option<String>,
    /// Numbers whose digits contain these digits.
    #[serde(rename = "filter[phone_number][contains]")]
    contains: Option<String>,
    /// Numbers of this enterprise (account-wide list).
    #[serde(rename = "filter[enterprise_id]")]
    enterprise_id: Option<Uuid>,
}

/// The largest page; a larger `page[size]` is clamped to it.
const PAGE_SIZE_MAX: u64 = 250;

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
    // The enterprise list's default page is 10 numbers, the account-wide one's 20.
    let default_size = if enterprise.is_some() { 10 } else { 20 };
    let size = match page_param(
        q.page_size.as_deref(),
        default_size,
        PAGE_NUMBER_MAX,
        "page[size]",
    ) {
        Ok(v) => v.min(PAGE_SIZE_MAX),
        Err(r) => return *r,
    };
    let world = app.world();
    let mut all = match world.list(account, enterprise, q.phone_number.as_deref()) {
        Ok(all) => all,
        Err(r) => return refusal(r),
    };
    if let Some(contains) = &q.contains {
        let digits: String = contains.chars().filter(char::is_ascii_digit).collect();
        all.retain(|a| a.phone_number.as_str().contains(&digits));
    }
    if let Some(id) = q.enterprise_id {
        all.retain(|a| a.enterprise_id == id);
    }
    let total = all.len() as u64;
    let data = all
        .iter()
        .skip(((number - 1).saturating_mul(size)) as usize)
        .take(size as usize)
        .map(|a| a.with_reputation())
        .collect();
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Json(ReputationPhoneNumberListWithReputation(
        ReputationPhoneNumberList {
            data,
            meta: NumberReputationPaginationMeta {
                page_number: count(number),
                page_size: count(size),
                total_results: count(total),
                total_pages: count(total.div_ceil(size)),
            },
        },
    ))
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
        Ok(data) => Json(ReputationPhoneNumberWithReputation { data }).into_response(),
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
