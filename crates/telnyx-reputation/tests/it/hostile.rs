//! The client against servers of our own that misbehave: redirects elsewhere, endless bodies,
//! 429 storms and records that break the API's rules. Each test asserts what a caller sees after one call.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::{Stream, StreamExt, TryStreamExt};
use telnyx_reputation::bulk::EndCause;
use telnyx_reputation::{
    ApiKey, Client, ClientConfig, Error, NumberPage, NumberReputation, Page, RetryPolicy, Scope,
};

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

/// The first page (of the default size) of the account-wide list.
async fn first_page(client: &Client) -> Result<NumberPage, Error> {
    client.numbers(Scope::Account).page(Page::default()).await
}

/// Every row of the account-wide list, walked to its end.
async fn all_rows(client: &Client) -> Result<Vec<NumberReputation>, Error> {
    client.numbers(Scope::Account).stream().try_collect().await
}

/// The account-wide list's pages, the walk ending past `max_pages` pages, with `concurrency`
/// pages asked for at a time.
fn account_pages(
    client: &Client,
    max_pages: u64,
    concurrency: usize,
) -> impl Stream<Item = Result<Vec<NumberReputation>, Error>> + use<> {
    client
        .numbers(Scope::Account)
        .max_pages(max_pages)
        .concurrency(concurrency)
        .pages()
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
    let error = first_page(&client(&api, |c| c)).await.unwrap_err();
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
    let page = first_page(&client(&api, |c| c)).await.unwrap();
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
    let error = first_page(&client(&api, |c| c.max_body_bytes(1024 * 1024)))
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
    let error = first_page(&client(&api, |c| c.max_body_bytes(1024 * 1024)))
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
    let page = first_page(&client).await.unwrap();
    assert!(page.data.is_empty());
    assert_eq!(requests.load(Ordering::SeqCst), 13);
    assert_eq!(client.rate_limited_count(), 12);
}

#[tokio::test]
async fn a_429_storm_ends_by_the_stall_rule_with_a_clear_error() {
    let (api, _requests) = rate_limited(u64::MAX).await;
    let error = first_page(&client(&api, |c| {
        c.stall_timeout(Duration::from_millis(200))
    }))
    .await
    .unwrap_err();
    assert!(matches!(error, Error::Stalled { .. }), "{error}");
    assert_eq!(error.status(), Some(429));
    let message = error.to_string();
    assert!(message.starts_with("listing numbers: gave up"), "{message}");
    assert!(message.contains("kept refusing with 429"), "{message}");
}

/// A page of 100 rows starting at row `first`, saying it is page `number` of `total_pages`.
fn full_page(first: u64, number: u64, total_pages: u64) -> String {
    let rows: Vec<String> = (first..first + 100)
        .map(|i| {
            format!(
                r#"{{"phone_number":"+1{:010}","enterprise_id":"6a09cdc3-8948-47f0-aa62-74ac943d6c58"}}"#,
                2_015_550_000u64 + i
            )
        })
        .collect();
    format!(
        r#"{{"data":[{}],"meta":{{"page_number":{number},"page_size":100,"total_pages":{total_pages},"total_results":{}}}}}"#,
        rows.join(","),
        total_pages.saturating_mul(100)
    )
}

/// A list server: `page(number)` is the body of page `number`; counts requests.
async fn list_server(
    page: impl Fn(u64) -> String + Clone + Send + Sync + 'static,
) -> (String, Arc<AtomicU64>) {
    let requests = Arc::new(AtomicU64::new(0));
    let counter = requests.clone();
    let api = serve(Router::new().route(
        "/reputation/numbers",
        get(
            move |axum::extract::Query(q): axum::extract::Query<
                std::collections::HashMap<String, String>,
            >| {
                counter.fetch_add(1, Ordering::SeqCst);
                let number = q
                    .get("page[number]")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                let body = page(number);
                async move {
                    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
                }
            },
        ),
    ))
    .await;
    (api, requests)
}

#[tokio::test]
async fn a_list_claiming_more_pages_than_the_limit_ends_at_its_first_page() {
    // Full pages of new numbers for ever, the first saying there are 10^16 pages.
    let (api, requests) =
        list_server(|n| full_page((n - 1) * 100, n, 10_000_000_000_000_000)).await;
    let client = client(&api, |c| c);
    for concurrency in [1, 8] {
        let before = requests.load(Ordering::SeqCst);
        let mut pages = std::pin::pin!(account_pages(&client, 20, concurrency));
        let error = match pages.next().await {
            Some(Err(e)) => e,
            other => panic!("expected the walk to end at once, got {other:?}"),
        };
        assert!(pages.next().await.is_none());
        assert!(
            matches!(error, Error::Pagination { page: 1, .. }),
            "{error}"
        );
        let text = error.to_string();
        assert!(
            text.contains("10000000000000000 pages") && text.contains("limit of 20"),
            "{text}"
        );
        assert_eq!(requests.load(Ordering::SeqCst) - before, 1, "{concurrency}");
    }
}

#[tokio::test]
async fn a_long_list_streams_page_by_page_up_to_the_limit() {
    let (api, requests) = list_server(|n| full_page((n - 1) * 100, n, 20)).await;
    let client = client(&api, |c| c);
    let mut pages = std::pin::pin!(account_pages(&client, 20, 1));
    let mut rows = 0;
    while let Some(page) = pages.next().await {
        // Each page is handed over before the next one is asked for: nothing is collected, so
        // memory holds one page whatever the server sends.
        assert_eq!(requests.load(Ordering::SeqCst), rows / 100 + 1);
        rows += page.unwrap().len() as u64;
    }
    assert_eq!(rows, 2_000);
    assert_eq!(requests.load(Ordering::SeqCst), 20);
}

#[tokio::test]
async fn an_empty_page_before_the_first_pages_total_is_a_pagination_error() {
    let (api, requests) = list_server(|n| {
        if n < 3 {
            full_page((n - 1) * 100, n, 9)
        } else {
            format!(
                r#"{{"data":[],"meta":{{"page_number":{n},"page_size":100,"total_pages":9,"total_results":900}}}}"#
            )
        }
    })
    .await;
    let client = client(&api, |c| c);
    let mut pages = std::pin::pin!(account_pages(&client, 100, 1));
    let mut rows = 0;
    let error = loop {
        match pages.next().await {
            Some(Ok(page)) => rows += page.len(),
            Some(Err(e)) => break e,
            None => panic!("the list ended quietly after {rows} rows"),
        }
    };
    assert_eq!(rows, 200);
    assert!(
        matches!(error, Error::Pagination { page: 3, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("page 3 is empty"), "{error}");
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_list_ends_at_the_first_pages_total_even_when_later_pages_raise_it() {
    let (api, requests) = list_server(|n| full_page((n - 1) * 100, n, n + 2)).await;
    let client = client(&api, |c| c);
    let rows = all_rows(&client).await.unwrap();
    assert_eq!(rows.len(), 300);
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

/// Checks that a list server was asked for page 1, then at most one round of concurrent pages:
/// the walk stops at the repeat.
fn stopped_at_the_repeat(requests: &AtomicU64) {
    let sent = requests.load(Ordering::SeqCst);
    assert!(
        (2..=1 + Client::LIST_CONCURRENCY as u64).contains(&sent),
        "{sent}"
    );
}

#[tokio::test]
async fn a_looping_list_ends_with_a_clear_error_at_the_second_page() {
    // The same page whatever the number asked for: with the number echoed back...
    let (api, requests) = list_server(|n| full_page(0, n, 1000)).await;
    let client = client(&api, |c| c);
    let error = all_rows(&client).await.unwrap_err();
    assert!(
        matches!(error, Error::Pagination { page: 2, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("repeats page 1"), "{error}");
    stopped_at_the_repeat(&requests);

    // ...or saying it is page 1 again.
    let (api, requests) = list_server(|_| full_page(0, 1, 1000)).await;
    let client = self::client(&api, |c| c);
    let error = all_rows(&client).await.unwrap_err();
    assert!(error.to_string().contains("answered page 1"), "{error}");
    stopped_at_the_repeat(&requests);
}

/// A server whose first associate succeeds and whose key is refused from then on (revoked
/// mid-job): counts associates, lookups and disassociations.
#[tokio::test]
async fn a_job_whose_key_is_refused_mid_way_tries_no_rollback_with_it() {
    #[derive(Default)]
    struct Seen {
        posts: AtomicU64,
        gets: AtomicU64,
        deletes: AtomicU64,
    }
    let seen = Arc::new(Seen::default());
    let server = seen.clone();
    let api = serve(Router::new().fallback(
        move |method: axum::http::Method, body: axum::body::Bytes| {
            let seen = server.clone();
            async move {
                let unauthorized = || {
                    json(
                        StatusCode::UNAUTHORIZED,
                        r#"{"errors":[{"code":"10001","title":"Unauthorized"}]}"#,
                    )
                };
                match method {
                    axum::http::Method::POST => {
                        if seen.posts.fetch_add(1, Ordering::SeqCst) > 0 {
                            return unauthorized();
                        }
                        let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
                        let data: Vec<serde_json::Value> = sent["phone_numbers"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|n| serde_json::json!({"phone_number": n}))
                            .collect();
                        (
                            StatusCode::CREATED,
                            [("content-type", "application/json")],
                            serde_json::json!({
                                "data": data,
                                "meta": {"page_number": 1, "page_size": 2, "total_pages": 1, "total_results": 2}
                            })
                            .to_string(),
                        )
                            .into_response()
                    }
                    axum::http::Method::DELETE => {
                        seen.deletes.fetch_add(1, Ordering::SeqCst);
                        unauthorized()
                    }
                    _ => {
                        seen.gets.fetch_add(1, Ordering::SeqCst);
                        unauthorized()
                    }
                }
            }
        },
    ))
    .await;
    let dir = crate::common::tempdir();
    let journal = dir.path().join("job.journal");
    let inputs = [
        "+16035550001",
        "+16035550002",
        "+16035550003",
        "+16035550004",
    ];
    let report = client(&api, |c| c)
        .associate_all(
            uuid::Uuid::from_u128(1),
            inputs,
            telnyx_reputation::bulk::BulkOptions::default()
                .batch_size(2)
                .concurrency(1)
                .journal(&journal),
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, telnyx_reputation::bulk::Outcome::Failed);
    // The first batch stays associated, the second was refused: no lookup, no disassociation
    // was sent with the refused key.
    assert_eq!(report.associated.len(), 2);
    assert_eq!(report.failed.len(), 2);
    assert_eq!(report.rolled_back, 0);
    assert_eq!(report.counted(), 4);
    assert_eq!(seen.posts.load(Ordering::SeqCst), 2);
    assert_eq!(seen.gets.load(Ordering::SeqCst), 0);
    assert_eq!(seen.deletes.load(Ordering::SeqCst), 0);
    match report.end {
        Some(EndCause::Denied {
            status: 401,
            still_associated: Some(2),
            ref detail,
        }) => assert!(detail.contains("HTTP 401"), "{detail}"),
        other => panic!("expected the key's denial, with 2 numbers left: {other:?}"),
    }
}

#[tokio::test]
async fn an_error_status_whose_body_is_not_the_envelope_is_still_that_error() {
    // The first edition's envelope (no `detail`, no `meta.url`), and a body that is not JSON.
    for body in [
        r#"{"errors":[{"code":"10009","title":"Authentication failed"}]}"#,
        "<html>denied</html>",
    ] {
        let api = serve(
            Router::new().fallback(move || async move { json(StatusCode::UNAUTHORIZED, body) }),
        )
        .await;
        let error = client(&api, |c| c)
            .numbers(Scope::Account)
            .page(Page::new(1, 10))
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(401), "{body}: {error}");
        assert!(matches!(error, Error::Api(_)), "{body}: {error}");
    }
}

#[tokio::test]
async fn a_record_that_breaks_a_rule_is_an_error_naming_the_field_and_the_rule() {
    let page = |record: &str| {
        format!(
            r#"{{"data":[{{"phone_number":"+16035550001"}},{record}],"meta":{{"page_number":1,"page_size":100,"total_pages":1,"total_results":2}}}}"#
        )
    };
    for (record, said) in [
        (
            r#"{"phone_number":"+442079460000"}"#,
            r#"phone_number "+442079460000": only US numbers can be monitored"#,
        ),
        (
            r#"{"enterprise_id":"6a09cdc3-8948-47f0-aa62-74ac943d6c58"}"#,
            "a record has no phone_number",
        ),
        (
            r#"{"phone_number":"+16035550002","reputation_data":{"maturity_score":101}}"#,
            "number +16035550002: maturity_score 101 is not a score from 0 to 100",
        ),
    ] {
        let body = page(record);
        let api = serve(Router::new().route(
            "/reputation/numbers",
            get(move || async move {
                (StatusCode::OK, [("content-type", "application/json")], body).into_response()
            }),
        ))
        .await;
        let client = client(&api, |c| c);
        let error = client
            .numbers(Scope::Account)
            .page(Page::new(1, 100))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Protocol { operation: "list_reputation_numbers_simplified", detail } if detail == said),
            "{error:?}"
        );
        assert!(!error.outcome_unknown(), "a list changes nothing");
        // A stream ends with the same error, after nothing.
        let rows: Vec<_> = client.numbers(Scope::Account).stream().collect().await;
        assert!(
            matches!(rows[..], [Err(Error::Protocol { .. })]),
            "{rows:?}"
        );
    }
}

/// A refresh stamped within the second that the server's `Date` headers name, just before the
/// job's request, is not the job's: the server dates every answer with one second `D`, shows
/// the number refreshed at `D` + 0.5 s (before the job), and answers every refresh 503 (not
/// applied: the job must look it up). The number must not be reported refreshed.
#[tokio::test]
async fn a_refresh_stamped_just_before_the_job_is_not_taken_for_its_own() {
    use chrono::{DurationRound, TimeDelta, Utc};

    let second = Utc::now().duration_trunc(TimeDelta::seconds(1)).unwrap();
    let date = second.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let stamped = (second + TimeDelta::milliseconds(500)).to_rfc3339();
    let refreshes = Arc::new(AtomicU64::new(0));
    let server = refreshes.clone();
    let api = serve(Router::new().fallback(move |method: axum::http::Method| {
        let refreshes = server.clone();
        let date = date.clone();
        let stamped = stamped.clone();
        async move {
            let mut answer = if method == axum::http::Method::POST {
                refreshes.fetch_add(1, Ordering::SeqCst);
                json(
                    StatusCode::SERVICE_UNAVAILABLE,
                    r#"{"errors":[{"code":"10007","title":"Unavailable"}]}"#,
                )
            } else {
                (
                    StatusCode::OK,
                    [("content-type", "application/json")],
                    serde_json::json!({
                        "data": [{"phone_number": "+16035550001",
                                  "reputation_data": {"last_refreshed_at": stamped}}],
                        "meta": {"page_number": 1, "page_size": 1, "total_pages": 1, "total_results": 1}
                    })
                    .to_string(),
                )
                    .into_response()
            };
            answer
                .headers_mut()
                .insert("date", date.parse().unwrap());
            answer
        }
    }))
    .await;
    let report = client(&api, |c| c.request_timeout(Duration::from_millis(100)))
        .refresh_all(
            uuid::Uuid::from_u128(1),
            ["+16035550001"],
            &telnyx_reputation::bulk::BulkOptions::default(),
        )
        .await
        .unwrap();
    assert!(refreshes.load(Ordering::SeqCst) >= 1);
    assert_eq!(report.billed(), 0, "{report:?}");
    assert_eq!(report.not_done(), 1, "{report:?}");
}
