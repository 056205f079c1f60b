//! The HTTP side: routes for the seven operations, auth, the raw-`+` check, faults, admin.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use telnyx_reputation_api::types::{
    BrandedCallingErrorResponse, MetaInfo, ReputationPhoneNumberListWithReputation,
    ReputationPhoneNumberWithReputation, TelnyxError, TelnyxErrorSource,
};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::state::{Refusal, World};

/// Faults, all off by default; decisions come from a seeded counter, so a run repeats.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Every API answer leaves this long after its request arrived (the operation itself is
    /// applied on arrival).
    pub latency_ms: u64,
    /// Up to this much more, drawn per request.
    pub jitter_ms: u64,
    /// Share of API requests answered 500, 502 or 503 (0.0–1.0).
    pub error_rate: f64,
    /// Share of API requests answered 429 with `Retry-After: 1`.
    pub throttle_rate: f64,
    /// Requests per second allowed per API key (0 = unlimited); over it, 429 with `Retry-After`.
    pub rate_limit: u64,
    /// Share of successful associates applied and then answered by dropping the connection.
    pub commit_then_drop_rate: f64,
    /// Delay between the headers and the body of successful answers.
    pub slow_body_ms: u64,
    /// Refuse an associate with one error that names no number (no `source.pointer`), as
    /// servers that only say "validation failed" do.
    pub omit_pointers: bool,
}

/// What the handlers share.
pub(crate) struct App {
    pub world: Mutex<World>,
    pub faults: Mutex<Faults>,
    pub seed: u64,
    pub counter: AtomicU64,
    pub allow_raw_plus: bool,
    pub windows: Mutex<std::collections::HashMap<usize, (u64, u64)>>,
}

impl App {
    /// A number in [0, 1) from the seed and the request counter (splitmix64).
    fn draw(&self) -> f64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut z = self
            .seed
            .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The account the bearer token authenticated.
#[derive(Clone, Copy)]
pub(crate) struct Account(usize);

/// Drops the connection that carries the request when notified.
#[derive(Clone)]
pub(crate) struct DropConnection(pub Arc<Notify>);

/// An error answer with the documented body.
pub(crate) fn error(status: StatusCode, errors: Vec<TelnyxError>) -> Response {
    (status, Json(BrandedCallingErrorResponse { errors })).into_response()
}

fn one_error(
    status: StatusCode,
    code: &str,
    title: &str,
    detail: String,
    pointer: Option<String>,
) -> Response {
    error(
        status,
        vec![TelnyxError {
            code: code.to_owned(),
            title: title.to_owned(),
            detail: Some(detail),
            meta: None,
            source: pointer.map(|p| TelnyxErrorSource { pointer: Some(p) }),
        }],
    )
}

fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::UnknownEnterprise(id) => one_error(
            StatusCode::NOT_FOUND,
            "10009",
            "Not Found",
            format!("enterprise {id} not found"),
            None,
        ),
        Refusal::NotApproved(id) => one_error(
            StatusCode::FORBIDDEN,
            "enterprise_not_approved",
            "Forbidden",
            format!("enterprise {id} is not approved for Number Reputation"),
            None,
        ),
        Refusal::NotAssociated(n) => one_error(
            StatusCode::NOT_FOUND,
            "10009",
            "Not Found",
            format!("{n} is not associated"),
            None,
        ),
        Refusal::BadRequest(code, detail) => one_error(
            StatusCode::BAD_REQUEST,
            code,
            "Bad Request",
            detail,
            Some("/phone_numbers".into()),
        ),
        Refusal::Numbers(list) => error(
            StatusCode::BAD_REQUEST,
            list.into_iter()
                .map(|(index, _, code, detail)| TelnyxError {
                    code: code.to_owned(),
                    title: "Bad Request".into(),
                    detail: Some(detail),
                    meta: None,
                    source: Some(TelnyxErrorSource {
                        pointer: Some(format!("/phone_numbers/{index}")),
                    }),
                })
                .collect(),
        ),
    }
}

/// Bearer auth, the raw-`+` check, rate limit and injected faults, in front of every operation.
async fn guard(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let arrived = std::time::Instant::now();
    let key = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(account) = key.and_then(|k| app.world().account_for_key(k)) else {
        return one_error(
            StatusCode::UNAUTHORIZED,
            "10001",
            "Unauthorized",
            "missing or invalid API key".into(),
            None,
        );
    };
    let raw_path = request.uri().path();
    if !app.allow_raw_plus && raw_path.contains('+') {
        return one_error(
            StatusCode::BAD_REQUEST,
            "raw_plus_in_path",
            "Bad Request",
            format!("the path {raw_path} carries a raw '+'; send the number percent-encoded (%2B)"),
            None,
        );
    }
    let faults = app.faults();
    if faults.rate_limit > 0 {
        let second = chrono::Utc::now().timestamp() as u64;
        let mut windows = app.windows.lock().unwrap_or_else(|p| p.into_inner());
        let window = windows.entry(account).or_insert((second, 0));
        if window.0 != second {
            *window = (second, 0);
        }
        window.1 += 1;
        if window.1 > faults.rate_limit {
            return throttled();
        }
    }
    // Counted from the request's arrival, on a timer that does not round up to whole
    // milliseconds: the configured latency is what a client sees. The operation is applied
    // first and its answer held back until then, as a server far away would: a client that
    // gives up during the latency may have changed the state without hearing so.
    let answer_at = (faults.latency_ms > 0 || faults.jitter_ms > 0).then(|| {
        let jitter = (app.draw() * faults.jitter_ms as f64) as u64;
        arrived + Duration::from_millis(faults.latency_ms + jitter)
    });
    let held = |response: Response| async move {
        if let Some(at) = answer_at {
            crate::timer::sleep_until(at).await;
        }
        response
    };
    if faults.throttle_rate > 0.0 && app.draw() < faults.throttle_rate {
        return held(throttled()).await;
    }
    if faults.error_rate > 0.0 && app.draw() < faults.error_rate {
        let status = [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::BAD_GATEWAY,
            StatusCode::SERVICE_UNAVAILABLE,
        ][(app.draw() * 3.0) as usize % 3];
        return held(one_error(
            status,
            "10000",
            "Server Error",
            "injected server error".into(),
            None,
        ))
        .await;
    }
    request.extensions_mut().insert(Account(account));
    let response = held(next.run(request).await).await;
    if faults.slow_body_ms > 0 && response.status().is_success() {
        return slow_body(response, Duration::from_millis(faults.slow_body_ms)).await;
    }
    response
}

/// Sends the status line and headers at once and the body only after `delay`.
async fn slow_body(response: Response, delay: Duration) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return one_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "10000",
                "Server Error",
                e.to_string(),
                None,
            );
        }
    };
    let stream = delayed_chunk(bytes, delay);
    Response::from_parts(parts, axum::body::Body::from_stream(stream))
}

/// One chunk, after a pause.
fn delayed_chunk(
    bytes: axum::body::Bytes,
    delay: Duration,
) -> impl futures::Stream<Item = Result<axum::body::Bytes, std::convert::Infallible>> {
    futures::stream::once(async move {
        crate::timer::sleep(delay).await;
        Ok(bytes)
    })
}

fn throttled() -> Response {
    let mut r = one_error(
        StatusCode::TOO_MANY_REQUESTS,
        "10011",
        "Too Many Requests",
        "rate limit exceeded".into(),
        None,
    );
    r.headers_mut()
        .insert("retry-after", HeaderValue::from_static("1"));
    r
}

#[derive(Deserialize)]
struct ListQuery {
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
        _ => Err(Box::new(one_error(
            StatusCode::BAD_REQUEST,
            "10015",
            "Bad Request",
            format!("{name} must be an integer from 1 to {max}, got {raw:?}"),
            None,
        ))),
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

async fn list_enterprise(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(enterprise): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Response {
    list_response(&app, account, Some(enterprise), q)
}

async fn list_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Query(q): Query<ListQuery>,
) -> Response {
    list_response(&app, account, None, q)
}

async fn associate(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    drop_connection: Option<Extension<DropConnection>>,
    Path(enterprise): Path<Uuid>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body = match create_body(&headers, &body) {
        Ok(b) => b,
        Err(detail) => {
            return one_error(
                StatusCode::BAD_REQUEST,
                "10015",
                "Bad Request",
                detail,
                None,
            );
        }
    };
    let now = chrono::Utc::now();
    let result = app
        .world()
        .associate(account, enterprise, &body.phone_numbers, now);
    let created = match result {
        Ok(created) => created,
        Err(Refusal::NotApproved(id)) => {
            return one_error(
                StatusCode::BAD_REQUEST,
                "enterprise_not_approved",
                "Bad Request",
                format!("enterprise {id} is not approved for Number Reputation"),
                None,
            );
        }
        Err(Refusal::Numbers(list)) if app.faults().omit_pointers => {
            return one_error(
                StatusCode::BAD_REQUEST,
                "10015",
                "Bad Request",
                format!("{} of the numbers failed validation", list.len()),
                None,
            );
        }
        Err(r) => return refusal(r),
    };
    let faults = app.faults();
    if faults.commit_then_drop_rate > 0.0
        && app.draw() < faults.commit_then_drop_rate
        && let Some(Extension(DropConnection(notify))) = drop_connection
    {
        // Applied; now the client never hears so.
        notify.notify_one();
        std::future::pending::<()>().await;
    }
    created_response(&created)
}

/// The associate call's request body (`ReputationPhoneNumberCreate`), its numbers borrowed from
/// the request bytes: one allocation per request instead of one per number, which under load
/// sent every request through the allocator's slow paths.
#[derive(Deserialize)]
struct CreateBody<'a> {
    #[serde(borrow)]
    phone_numbers: Vec<std::borrow::Cow<'a, str>>,
}

/// Reads the associate body as axum's `Json` extractor would: JSON content type, then the
/// document; the error says which rule failed.
fn create_body<'a>(headers: &HeaderMap, bytes: &'a [u8]) -> Result<CreateBody<'a>, String> {
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .and_then(|essence| {
            let (kind, sub) = essence.split_once('/')?;
            Some(kind == "application" && (sub == "json" || sub.ends_with("+json")))
        })
        .unwrap_or(false);
    if !json {
        return Err("Expected request with `Content-Type: application/json`".into());
    }
    serde_json::from_slice(bytes)
        .map_err(|e| format!("Failed to deserialize the JSON body into the target type: {e}"))
}

/// The associate call's 201 body (`ReputationPhoneNumberList` of `ReputationPhoneNumberPublic`),
/// written straight into a buffer of the right size: every value is a UUID, a canonical number,
/// a timestamp or an integer, none of which needs JSON escaping, and the timestamp is formatted
/// once per request instead of once per field. Its shape is checked against the spec by the
/// conformance run, and against the generated types by the tests.
fn created_response(created: &[crate::state::Association]) -> Response {
    // The last timestamp written and its text: every record of one associate shares it.
    let mut stamp: Option<(chrono::DateTime<chrono::Utc>, String)> = None;
    let mut push_stamp = |out: &mut String, t: chrono::DateTime<chrono::Utc>| {
        let text = match &stamp {
            Some((at, text)) if *at == t => text,
            _ => &stamp.insert((t, rfc3339(t))).1,
        };
        out.push_str(text);
    };
    let mut out = String::with_capacity(160 + 256 * created.len());
    out.push_str("{\"data\":[");
    let mut uuid = Uuid::encode_buffer();
    for (i, a) in created.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"id\":\"");
        out.push_str(a.id.hyphenated().encode_lower(&mut uuid));
        out.push_str("\",\"phone_number\":\"");
        out.push_str(a.phone_number.as_str());
        out.push_str("\",\"enterprise_id\":\"");
        out.push_str(a.enterprise_id.hyphenated().encode_lower(&mut uuid));
        out.push_str("\",\"created_at\":\"");
        push_stamp(&mut out, a.created_at);
        out.push_str("\",\"updated_at\":\"");
        push_stamp(&mut out, a.updated_at);
        out.push_str("\"}");
    }
    let n = created.len();
    out.push_str(&format!(
        "],\"meta\":{{\"page_number\":1,\"page_size\":{n},\"total_results\":{n},\"total_pages\":1}}}}"
    ));
    (
        StatusCode::CREATED,
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        out,
    )
        .into_response()
}

/// A timestamp as the generated types write it (chrono's serde form).
fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[derive(Deserialize)]
struct GetQuery {
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
            return one_error(
                StatusCode::NOT_FOUND,
                "10009",
                "Not Found",
                format!("fresh must be true or false, got {other:?}"),
                None,
            );
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

async fn get_enterprise(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path((enterprise, number)): Path<(Uuid, String)>,
    Query(q): Query<GetQuery>,
) -> Response {
    get_response(&app, account, Some(enterprise), &number, q)
}

async fn get_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(number): Path<String>,
    Query(q): Query<GetQuery>,
) -> Response {
    get_response(&app, account, None, &number, q)
}

async fn disassociate_enterprise(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path((enterprise, number)): Path<(Uuid, String)>,
) -> Response {
    match app.world().disassociate(account, Some(enterprise), &number) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refusal(r),
    }
}

async fn disassociate_simplified(
    State(app): State<Arc<App>>,
    Extension(Account(account)): Extension<Account>,
    Path(number): Path<String>,
) -> Response {
    match app.world().disassociate(account, None, &number) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => refusal(r),
    }
}

async fn get_faults(State(app): State<Arc<App>>) -> Json<Faults> {
    Json(app.faults())
}

async fn put_faults(State(app): State<Arc<App>>, Json(faults): Json<Faults>) -> Json<Faults> {
    *app.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults.clone();
    Json(faults)
}

async fn get_state(State(app): State<Arc<App>>) -> Response {
    let world = app.world();
    let associations: Vec<_> = world
        .associations
        .values()
        .map(|a| {
            serde_json::json!({
                "phone_number": a.phone_number,
                "enterprise_id": a.enterprise_id,
                "api_key": world.accounts[a.account].api_key,
                "created_at": a.created_at,
            })
        })
        .collect();
    Json(serde_json::json!({ "associations": associations })).into_response()
}

async fn reset_state(State(app): State<Arc<App>>, _headers: HeaderMap) -> StatusCode {
    app.world().reset();
    StatusCode::NO_CONTENT
}

/// The router: the seven operations behind [`guard`], and `/__mock/*` for tests.
pub(crate) fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route(
            "/enterprises/{enterprise_id}/reputation/numbers",
            get(list_enterprise).post(associate),
        )
        .route(
            "/enterprises/{enterprise_id}/reputation/numbers/{phone_number}",
            get(get_enterprise).delete(disassociate_enterprise),
        )
        .route("/reputation/numbers", get(list_simplified))
        .route(
            "/reputation/numbers/{phone_number}",
            get(get_simplified).delete(disassociate_simplified),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            guard,
        ));
    let admin = Router::new()
        .route("/__mock/faults", get(get_faults).put(put_faults))
        .route("/__mock/state", get(get_state).delete(reset_state));
    api.merge(admin).with_state(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_body_is_read_as_the_json_extractor_reads_it() {
        let with = |content_type: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_str(content_type).unwrap(),
            );
            headers
        };
        let body = br#"{"phone_numbers":["+16035551234","+1603555\u0031235"]}"#;
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "application/vnd.x+json",
        ] {
            let parsed = create_body(&with(ok), body).unwrap();
            assert_eq!(
                parsed.phone_numbers,
                ["+16035551234", "+16035551235"],
                "{ok}"
            );
        }
        for refused in ["text/plain", "application/xml", "json"] {
            let e = create_body(&with(refused), body).err().unwrap();
            assert!(
                e.contains("Content-Type: application/json"),
                "{refused}: {e}"
            );
        }
        assert!(create_body(&HeaderMap::new(), body).is_err());
        let e = create_body(&with("application/json"), br#"{"phone_numbers":"+1"}"#)
            .err()
            .unwrap();
        assert!(e.starts_with("Failed to deserialize"), "{e}");
    }

    #[tokio::test]
    async fn the_created_body_is_the_generated_types_body() {
        use telnyx_reputation_api::types::ReputationPhoneNumberList;
        let mut world = World::new(vec![crate::state::AccountConfig {
            api_key: "k".into(),
            enterprises: vec![crate::state::EnterpriseConfig {
                id: Uuid::nil(),
                approved: true,
            }],
            inventory: crate::state::Inventory::All,
        }]);
        for count in [1usize, 2, 100] {
            let numbers: Vec<String> = (0..count)
                .map(|i| format!("+1603{:07}", 5_550_000 + 1000 * count + i))
                .collect();
            let created = world
                .associate(0, Uuid::nil(), &numbers, chrono::Utc::now())
                .unwrap();
            let response = created_response(&created);
            assert_eq!(response.status(), StatusCode::CREATED);
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let ours: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let typed: ReputationPhoneNumberList = serde_json::from_slice(&bytes).unwrap();
            let n = count as i64;
            let expected = ReputationPhoneNumberList {
                data: created.iter().map(|a| a.public()).collect(),
                meta: Some(MetaInfo {
                    page_number: Some(1),
                    page_size: Some(n),
                    total_results: Some(n),
                    total_pages: Some(1),
                }),
            };
            assert_eq!(typed, expected);
            assert_eq!(ours, serde_json::to_value(&expected).unwrap());
        }
    }

    #[test]
    fn timestamps_are_written_as_the_generated_types_write_them() {
        use chrono::TimeZone;
        let base = chrono::Utc.with_ymd_and_hms(2026, 11, 26, 3, 4, 5).unwrap();
        for nanos in [0, 1, 120_000_000, 123_456_000, 123_456_789, 999_999_999] {
            let t = base + chrono::TimeDelta::nanoseconds(nanos);
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", rfc3339(t)),
                "{nanos} ns"
            );
        }
    }
}
