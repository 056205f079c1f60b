//! The client against servers of our own that misbehave: redirects elsewhere, endless bodies and
//! 429 storms. Each test asserts what a caller sees after one call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use telnyx_reputation::{ApiKey, Client, ClientConfig, Error, Page, RetryPolicy, Scope};

/// Serves `router` on a free loopback port; returns its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

fn client(base_url: &str, config: impl FnOnce(ClientConfig) -> ClientConfig) -> Client {
    Client::new(config(
        ClientConfig::new(ApiKey::new("test-key"))
            .base_url(base_url)
            .retry(RetryPolicy::default().base_delay(Duration::from_millis(1))),
    ))
    .unwrap()
}

const EMPTY_PAGE: &str =
    r#"{"data":[],"meta":{"page_number":1,"page_size":100,"total_pages":1,"total_results":0}}"#;

fn json(status: StatusCode, body: &'static str) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let elsewhere_hits = Arc::new(AtomicU64::new(0));
    let hits = elsewhere_hits.clone();
    let elsewhere = serve(Router::new().fallback(move || {
        hits.fetch_add(1, Ordering::SeqCst);
        async { json(StatusCode::OK, EMPTY_PAGE) }
    }))
    .await;
    let location = format!("{elsewhere}/reputation/numbers");
    let api = serve(Router::new().fallback(move || {
        let location = location.clone();
        async move { (StatusCode::TEMPORARY_REDIRECT, [("location", location)]).into_response() }
    }))
    .await;
    let error = client(&api, |c| c)
        .list(Scope::Account, Page::default(), None)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(307), "{error}");
    assert_eq!(elsewhere_hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    let api = serve(
        Router::new()
            .route(
                "/reputation/numbers",
                get(|| async {
                    (StatusCode::TEMPORARY_REDIRECT, [("location", "/moved")]).into_response()
                }),
            )
            .route("/moved", get(|| async { json(StatusCode::OK, EMPTY_PAGE) })),
    )
    .await;
    let page = client(&api, |c| c)
        .list(Scope::Account, Page::default(), None)
        .await
        .unwrap();
    assert!(page.data.is_empty());
}

#[tokio::test]
async fn an_endless_body_fails_at_the_limit_while_streaming() {
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let api = serve(Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            let chunks = futures::stream::repeat_with(move || {
                counter.fetch_add(64 * 1024, Ordering::SeqCst);
                Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 64 * 1024]))
            });
            (
                StatusCode::OK,
                [("content-type", "application/json")],
                Body::from_stream(chunks),
            )
                .into_response()
        }
    }))
    .await;
    let error = client(&api, |c| c.max_body_bytes(1024 * 1024))
        .list(Scope::Account, Page::default(), None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error}");
    assert!(
        error.to_string().contains("larger than 1048576 bytes"),
        "{error}"
    );
    // The server wrote at most what the socket buffers took beyond the limit, not gigabytes.
    assert!(sent.load(Ordering::SeqCst) < 64 * 1024 * 1024);
}

#[tokio::test]
async fn a_declared_oversize_body_fails_without_being_read() {
    let api = serve(Router::new().fallback(|| async {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        (StatusCode::OK, headers, vec![b' '; 2 * 1024 * 1024]).into_response()
    }))
    .await;
    let error = client(&api, |c| c.max_body_bytes(1024 * 1024))
        .list(Scope::Account, Page::default(), None)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("larger than"), "{error}");
}

/// A server that answers 429 to the first `refusals` requests, then an empty page.
async fn rate_limited(refusals: u64) -> (String, Arc<AtomicU64>) {
    let requests = Arc::new(AtomicU64::new(0));
    let counter = requests.clone();
    let api = serve(Router::new().fallback(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < refusals {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "0"), ("content-type", "application/json")],
                    r#"{"errors":[{"code":"10011","title":"Too many requests"}]}"#,
                )
                    .into_response()
            } else {
                json(StatusCode::OK, EMPTY_PAGE)
            }
        }
    }))
    .await;
    (api, requests)
}

#[tokio::test]
async fn rate_limit_waits_do_not_use_the_retry_budget() {
    let (api, requests) = rate_limited(12).await;
    let client = client(&api, |c| c.retry(RetryPolicy::none()));
    let page = client
        .list(Scope::Account, Page::default(), None)
        .await
        .unwrap();
    assert!(page.data.is_empty());
    assert_eq!(requests.load(Ordering::SeqCst), 13);
    assert_eq!(client.rate_limited_count(), 12);
}

#[tokio::test]
async fn a_429_storm_ends_by_the_stall_rule_with_a_clear_error() {
    let (api, _requests) = rate_limited(u64::MAX).await;
    let error = client(&api, |c| c.stall_timeout(Duration::from_millis(200)))
        .list(Scope::Account, Page::default(), None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Stalled { .. }), "{error}");
    assert_eq!(error.status(), Some(429));
    let message = error.to_string();
    assert!(message.starts_with("listing numbers: gave up"), "{message}");
    assert!(message.contains("kept refusing with 429"), "{message}");
}
