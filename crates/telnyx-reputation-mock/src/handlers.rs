//! The number operations: list (with its filters), associate, get, refresh and disassociate,
//! each in the enterprise scope and (but associate and refresh) the account-wide one.
//! Disassociating removes the number from monitoring (`customer_removed`); the lists show it
//! with `filter[ownership_status]=removed` only.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::app::App;
use crate::envelope::{ErrorKind, refusal};
use crate::guard::Account;
use crate::listing::NumberFilter;
use crate::model::{PageMeta, Wrapped};
use crate::state::{Refusal, World};
use crate::wire::{create_body, created_response, list_response as list_page_response};

/// Drops the connection that carries the request when notified (commit-then-drop).
#[derive(Clone)]
pub(crate) struct DropConnection(pub Arc<Notify>);

/// The number lists' query: paging and the filters of the current edition.
#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(rename = "page[number]")]
    page_number: Option<String>,
    #[serde(rename = "page[size]")]
    page_size: Option<String>,
    #[serde(rename = "filter[phone_number][eq]")]
    eq: Option<String>,
    #[serde(rename = "filter[phone_number][contains]")]
    contains: Option<String>,
    #[serde(rename = "filter[enterprise_id]")]
    enterprise_id: Option<String>,
    #[serde(rename = "filter[source]")]
    source: Option<String>,
    #[serde(rename = "filter[ownership_status]")]
    ownership_status: Option<String>,
}

/// The largest page number `meta.page_number` can state.
pub(crate) const PAGE_NUMBER_MAX: u64 = i64::MAX as u64;
/// The largest page; larger requested sizes are clamped to it.
pub(crate) const PAGE_SIZE_MAX: u64 = 250;
/// The fewest digits a `contains` filter may hold.
const CONTAINS_MIN_DIGITS: usize = 5;

/// A paging parameter: absent gives `default`; an integer from 1 up, clamped to `max` (a page
/// number too large for any integer type is still a page past the end); anything else is 400.
pub(crate) fn page_param(
    raw: Option<&str>,
    default: u64,
    max: u64,
    name: &str,
) -> Result<u64, Box<Response>> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    let digits_only = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    let value = match raw.parse::<u64>() {
        Err(_) if digits_only && raw.bytes().any(|b| b != b'0') => Ok(max),
        other => other,
    };
    match value {
        Ok(v) if v >= 1 => Ok(v.min(max)),
        _ => Err(Box::new(ErrorKind::BadRequest.answer_parameter(
            format!("{name} must be an integer of at least 1, got {raw:?}"),
            name,
        ))),
    }
}

/// `meta` of a page of `rows` rows out of `total`, at the requested `size`.
pub(crate) fn page_meta(number: u64, size: u64, rows: usize, total: u64) -> PageMeta {
    PageMeta {
        page_number: number,
        page_size: rows as u64,
        total_results: total,
        total_pages: total.div_ceil(size.max(1)),
    }
}

fn number_filter(q: &ListQuery) -> Result<NumberFilter, Box<Response>> {
    let contains = match q.contains.as_deref() {
        None => None,
        Some(raw) => {
            let digits = raw.strip_prefix('+').unwrap_or(raw);
            if digits.len() < CONTAINS_MIN_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Box::new(ErrorKind::BadRequest.answer_parameter(
                    format!(
                        "filter[phone_number][contains] must be at least {CONTAINS_MIN_DIGITS} digits, got {raw:?}"
                    ),
                    "filter[phone_number][contains]",
                )));
            }
            Some(digits.to_owned())
        }
    };
    Ok(NumberFilter {
        eq: q.eq.clone(),
        contains,
        source: enum_param(q.source.as_deref(), "filter[source]", "telnyx or external")?,
        status: enum_param(
            q.ownership_status.as_deref(),
            "filter[ownership_status]",
            "verified, flagged, pending_confirmation or removed",
        )?,
    })
}

/// A query parameter holding one word of an enum (absent: `None`); another word is 400
/// naming the parameter and the words it takes.
pub(crate) fn enum_param<T: serde::de::DeserializeOwned>(
    raw: Option<&str>,
    name: &str,
    words: &str,
) -> Result<Option<T>, Box<Response>> {
    raw.map(|raw| {
        serde_json::from_value::<T>(serde_json::Value::String(raw.to_owned())).map_err(|_| {
            Box::new(
                ErrorKind::BadRequest
                    .answer_parameter(format!("{name} must be {words}, got {raw:?}"), name),
            )
        })
    })
    .transpose()
}

fn list_response(
    app: &App,
    account: usize,
    enterprise: Option<Uuid>,
    q: ListQuery,
    default_size: u64,
) -> Response {
    let number = match page_param(q.page_number.as_deref(), 1, PAGE_NUMBER_MAX, "page[number]") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let size = match page_param(
        q.page_size.as_deref(),
        default_size,
        PAGE_SIZE_MAX,
        "page[size]",
    ) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let filter = match number_filter(&q) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    // The account-wide list narrowed to one enterprise reads that enterprise's order; an
    // enterprise the account does not have matches nothing.
    let (scope, known) = match (enterprise, q.enterprise_id.as_deref()) {
        (Some(id), _) => (Some(id), true),
        (None, None) => (None, true),
        (None, Some(raw)) => match Uuid::parse_str(raw) {
            Ok(id) => (Some(id), app.world().enterprise(account, id).is_ok()),
            Err(_) => {
                return ErrorKind::BadRequest.answer_parameter(
                    format!("filter[enterprise_id] must be a UUID, got {raw:?}"),
                    "filter[enterprise_id]",
                );
            }
        },
    };
    let world = app.world();
    if !known {
        drop(world);
        return list_page_response(&[], page_meta(number, size, 0, 0));
    }
    let page = match world.list_page(account, scope, &filter, number, size) {
        Ok(page) => page,
        Err(r) => return refusal(r),
    };
    let view = app.lag.view(app.faults().list_lag(), app.clock.unskewed());
    if view.is_empty() {
        return list_page_response(
            &page.rows,
            page_meta(number, size, page.rows.len(), page.total),
        );
    }
    // Seen one lag late: rows written since show as they were, and a lookup of one number
    // disassociated since still finds it.
    let mut rows: Vec<crate::state::Association> =
        page.rows.iter().filter_map(|a| view.row(a)).collect();
    if rows.is_empty()
        && number == 1
        && let Some(eq) = filter
            .eq
            .as_deref()
            .and_then(|e| telnyx_e164::E164::parse_strict(e).ok())
        && !world.associations.contains_key(&eq)
    {
        rows.extend(
            view.removed(&eq)
                .filter(|a| a.account == account && scope.is_none_or(|id| a.enterprise_id == id)),
        );
    }
    let hidden = page.rows.len().saturating_sub(rows.len()) as u64;
    let total = page.total.saturating_sub(hidden).max(rows.len() as u64);
    let refs: Vec<&crate::state::Association> = rows.iter().collect();
    list_page_response(&refs, page_meta(number, size, refs.len(), total))
}

pub(crate) async fn list_enterprise(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Response {
    list_response(&app, account, Some(enterprise), q, 10)
}

pub(crate) async fn list_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Query(q): Query<ListQuery>,
) -> Response {
    list_response(&app, account, None, q, 20)
}

/// Refreshes up to 100 numbers of the enterprise, answering per number.
pub(crate) async fn refresh(
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
    let numbers: Vec<String> = body.phone_numbers.iter().map(|n| n.to_string()).collect();
    if let Some(delay) = app.faults().slow_commit(&app.draws) {
        return crate::lag::withhold(&app, drop_connection, delay, move |app| {
            let _ = refresh_now(app, account, enterprise, &numbers);
        })
        .await;
    }
    // The world's lock is released before the answer may be held back.
    match refresh_now(&app, account, enterprise, &numbers) {
        Ok(outcome) => {
            commit_then_drop(&app, drop_connection).await;
            Json(Wrapped { data: outcome }).into_response()
        }
        Err(r) => refusal(r),
    }
}

/// Applies a refresh at the emulator's now; the records as they were before are noted for
/// reads that see writes late.
fn refresh_now(
    app: &App,
    account: usize,
    enterprise: Uuid,
    numbers: &[String],
) -> Result<crate::model::RefreshOutcome, Refusal> {
    let now = app.clock.now();
    let lag = app.faults().list_lag();
    let mut world = app.world();
    let before = if lag > chrono::TimeDelta::zero() {
        before_write(&world, numbers.iter().map(String::as_str))
    } else {
        Vec::new()
    };
    let outcome = world.refresh(account, enterprise, numbers, now)?;
    drop(world);
    app.lag.changed(lag, app.clock.unskewed(), before);
    Ok(outcome)
}

/// The records of `numbers` as they stand, before a write changes them.
fn before_write<'a>(
    world: &World,
    numbers: impl Iterator<Item = &'a str>,
) -> Vec<crate::state::Association> {
    numbers
        .filter_map(|n| telnyx_e164::E164::parse_strict(n).ok())
        .filter_map(|n| world.associations.get(&n).cloned())
        .collect()
}

/// With [`crate::Faults::commit_then_drop_rate`], a drawn share of applied operations never
/// answer: the connection is dropped, so the client cannot tell whether they took effect.
pub(crate) async fn commit_then_drop(
    app: &App,
    drop_connection: Option<Extension<DropConnection>>,
) {
    if app.faults().commits_then_drops(&app.draws)
        && let Some(Extension(DropConnection(notify))) = drop_connection
    {
        notify.notify_one();
        std::future::pending::<()>().await;
    }
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
    if let Some(delay) = faults.slow_commit(&app.draws) {
        let numbers: Vec<String> = body.phone_numbers.iter().map(|n| n.to_string()).collect();
        return crate::lag::withhold(&app, drop_connection, delay, move |app| {
            let _ = associate_now(app, account, enterprise, &numbers);
        })
        .await;
    }
    let created = match associate_now(&app, account, enterprise, &body.phone_numbers) {
        Ok(created) => created,
        Err(Refusal::Numbers(list)) if faults.omit_pointers => {
            return ErrorKind::BadRequest
                .answer(format!("{} of the numbers failed validation", list.len()));
        }
        Err(r) => return refusal(r),
    };
    commit_then_drop(&app, drop_connection).await;
    created_response(&created)
}

/// Applies an associate at the emulator's now, noted for reads that see writes late.
fn associate_now(
    app: &App,
    account: usize,
    enterprise: Uuid,
    numbers: &[impl AsRef<str>],
) -> Result<Vec<crate::state::Association>, Refusal> {
    let now = app.clock.now();
    let created = app.world().associate(account, enterprise, numbers, now)?;
    app.lag.created(
        app.faults().list_lag(),
        app.clock.unskewed(),
        created.iter().map(|a| a.phone_number),
    );
    Ok(created)
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
    let now = app.clock.now();
    let lag = app.faults().list_lag();
    let mut world = app.world();
    let mut before = Vec::new();
    if lag > chrono::TimeDelta::zero() {
        // A cached read of a number written within the lag answers as the replica has it.
        let view = app.lag.view(lag, app.clock.unskewed());
        let key = telnyx_e164::E164::parse_strict(number).ok();
        if !fresh && let Some(key) = key.filter(|k| view.knows(k)) {
            let seen = match world.associations.get(&key) {
                Some(current) => view.row(current),
                None => view.removed(&key),
            }
            .filter(|a| a.account == account && enterprise.is_none_or(|e| a.enterprise_id == e));
            return match seen {
                Some(a) => Json(Wrapped { data: a.record() }).into_response(),
                None => refusal(Refusal::NotAssociated(number.to_owned())),
            };
        }
        before = before_write(&world, std::iter::once(number));
    }
    let answer = world.get(account, enterprise, number, fresh, now);
    drop(world);
    match answer {
        Ok(data) => {
            // A fresh read, or the first read of a number, changed the record.
            if fresh || before.first().is_some_and(|b| b.reputation.is_none()) {
                app.lag.changed(lag, app.clock.unskewed(), before);
            }
            Json(Wrapped { data }).into_response()
        }
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
    disassociate_now(&app, account, Some(enterprise), &number)
}

pub(crate) async fn disassociate_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(number): Path<String>,
) -> Response {
    disassociate_now(&app, account, None, &number)
}

/// Disassociates at the emulator's now; the record as it was is noted for reads that see
/// writes late.
fn disassociate_now(app: &App, account: usize, enterprise: Option<Uuid>, number: &str) -> Response {
    let now = app.clock.now();
    let lag = app.faults().list_lag();
    let mut world = app.world();
    let before = if lag > chrono::TimeDelta::zero() {
        before_write(&world, std::iter::once(number))
    } else {
        Vec::new()
    };
    match world.disassociate(account, enterprise, number, now) {
        Ok(()) => {
            drop(world);
            app.lag.changed(lag, app.clock.unskewed(), before);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => refusal(r),
    }
}
