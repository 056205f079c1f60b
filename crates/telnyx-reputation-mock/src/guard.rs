//! The front of every API operation: bearer auth, the rate limit, the raw-`+` check and the
//! injected faults, then the operation itself, its answer held until the latency has passed
//! (and, for an operation [`crate::Faults::hold`] names, until it is released).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::App;
use crate::envelope::ErrorKind;
use crate::faults::ServerError;
use crate::ratelimit::{LimitKey, enterprise_in_path};

/// The log target of one line per answer, at TRACE: when its request arrived and when the
/// answer left (microseconds since the emulator started), its status and the request's URI.
/// `RUST_LOG=telnyx_reputation_mock::timing=trace` turns it on; `bench/timings.sh` reads it.
pub(crate) const TIMING: &str = "telnyx_reputation_mock::timing";

/// The account the bearer token authenticated, for the handlers.
#[derive(Clone, Copy)]
pub(crate) struct Account(pub usize);

/// The token of an `Authorization: Bearer ...` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Decides each request's fate in this order: 401 without a known key; then the rate limit
/// counts it (and refuses it over the limit, unapplied); then a raw `+` in the path, injected
/// throttling and injected server errors; otherwise the operation runs. Every answer after
/// authentication carries the `x-ratelimit-*` headers when a rate limit is set.
pub(crate) async fn guard(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    let arrived = Instant::now();
    app.counters.request();
    let Some(account) = bearer(request.headers()).and_then(|k| app.account_for_key(k)) else {
        return ErrorKind::Unauthorized.answer("missing or invalid API key");
    };
    let faults = app.faults();
    // Only when the timing log is on: the URI is copied for it.
    let timed =
        tracing::enabled!(target: TIMING, tracing::Level::TRACE).then(|| request.uri().clone());
    let operation = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .and_then(|route| crate::Operation::of_route(request.method(), route.as_str()));
    let path = request.uri().path();
    let limit = faults.rate_limit.map(|limit| {
        let key = LimitKey {
            account,
            enterprise: enterprise_in_path(path),
        };
        app.limiter
            .decide(key, limit, faults.rate_limit_window(), arrived)
    });
    let raw_plus = (!app.allow_raw_plus && path.contains('+')).then(|| {
        format!("the path {path} carries a raw '+'; send the number percent-encoded (%2B)")
    });
    // Counted from the request's arrival, on a timer that does not round up to whole
    // milliseconds: the configured latency is what a client sees. The operation is applied
    // first and its answer held back until then, as a server far away would: a client that
    // gives up during the latency may have changed the state without hearing so.
    let answer_at = faults
        .answer_delay(&app.draws)
        .and_then(|d| arrived.checked_add(d));
    let rate_limited = limit.is_some_and(|d| !d.admitted);
    let mut response = if rate_limited {
        ErrorKind::TooManyRequests.answer("rate limit exceeded; retry after the window resets")
    } else if let Some(detail) = raw_plus {
        ErrorKind::RawPlusInPath.answer(detail)
    } else if faults.throttles(&app.draws) {
        let mut r = ErrorKind::TooManyRequests.answer("injected throttling");
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from_static("1"),
        );
        r
    } else if let Some(error) = faults.server_error(&app.draws) {
        ErrorKind::Server(error).answer("injected server error")
    } else {
        request.extensions_mut().insert(Account(account));
        crate::envelope::into_envelope(next.run(request).await).await
    };
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        app.counters.too_many_requests(rate_limited);
    }
    if let Some(decision) = limit {
        decision.write_headers(response.headers_mut());
    }
    if let Some(reset) = faults.rate_limit_reset_s
        && let Ok(value) = HeaderValue::from_str(&reset.to_string())
    {
        response.headers_mut().insert("x-ratelimit-reset", value);
    }
    // The server's clock (skewed when told to be), which hyper's own `Date` would not be.
    if let Ok(date) = HeaderValue::from_str(&http_date(app.clock.now())) {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, date);
    }
    // Held (applied, unanswered) until the test releases it, then the latency as usual.
    if let Some(operation) = operation {
        app.hold(operation).await;
    }
    if let Some(at) = answer_at {
        crate::timer::sleep_until(at).await;
    }
    if let Some(uri) = timed {
        let since_start = |t: Instant| t.saturating_duration_since(app.started).as_micros();
        tracing::trace!(
            target: TIMING,
            arrived_us = since_start(arrived),
            answered_us = since_start(Instant::now()),
            status = response.status().as_u16(),
            uri = %uri,
            "answer leaves"
        );
    }
    if faults.slow_body_ms > 0 && response.status().is_success() {
        let delay = faults.slow_body_ms.min(crate::faults::MAX_DELAY_MS);
        return slow_body(response, Duration::from_millis(delay)).await;
    }
    response
}

/// An HTTP date (IMF-fixdate, RFC 9110): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) fn http_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Sends the status line and headers at once and the body only after `delay`.
async fn slow_body(response: Response, delay: Duration) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => return ErrorKind::Server(ServerError::Internal).answer(e.to_string()),
    };
    let stream = futures::stream::once(async move {
        crate::timer::sleep(delay).await;
        Ok::<_, std::convert::Infallible>(bytes)
    });
    Response::from_parts(parts, axum::body::Body::from_stream(stream))
}
