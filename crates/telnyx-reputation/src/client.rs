//! [`Client`]: the operations with E.164 types, one retry path, a shared rate-limit pacer and
//! typed errors.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use telnyx_e164::{Batch, E164};
use telnyx_reputation_api as api;
use telnyx_reputation_api::types::{
    NumberReputationError, NumberReputationErrors, ReputationPhoneNumber,
    ReputationPhoneNumberCreate, ReputationPhoneNumberList,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::config::ClientConfig;
use crate::error::{ApiError, ConfigError, Error, TransportError};
use crate::filter::NumberFilter;
use crate::pacer::{Bounds, Pacer, WaitEnd};
use crate::patience::Patience;
use crate::retry::{self, Gave, Idempotency, RetryPolicy, parse_retry_after};
use crate::server_clock::ServerClock;
use crate::transport::{self, Pipeline};

/// A number under monitoring, with its reputation data when the API has some.
pub type NumberReputation = ReputationPhoneNumber;
/// A number just associated (the associate call's records: the same record, whose
/// `reputation_data` is not filled in yet).
pub type AssociatedNumber = ReputationPhoneNumber;
/// One page of a list: its numbers (`data`) and where it sits among the pages (`meta`).
pub type NumberPage = ReputationPhoneNumberList;

/// Whether a reputation read may use cached data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Freshness {
    /// Cached data (fetched fresh by the API only when it has none yet).
    #[default]
    Cached,
    /// Fresh data: `fresh=true`. **Billable.**
    Fresh,
}

/// Which numbers an operation addresses: every enterprise of the account, or one.
///
/// The API has each number operation twice: under `/enterprises/{id}/reputation/numbers` and
/// account-wide under `/reputation/numbers` (the "simplified" forms). One method per operation
/// takes a `Scope` and picks the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// The whole account, whichever enterprise a number is on.
    Account,
    /// One enterprise.
    Enterprise(Uuid),
}

impl From<Option<Uuid>> for Scope {
    fn from(enterprise: Option<Uuid>) -> Scope {
        enterprise.map_or(Scope::Account, Scope::Enterprise)
    }
}

/// Which page of a list, and how large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page {
    /// 1-based page number.
    pub number: NonZeroU64,
    /// Page size, 1 to [`Page::MAX_SIZE`].
    pub size: NonZeroU64,
}

impl Page {
    /// The largest page the API serves.
    pub const MAX_SIZE: u64 = 250;

    /// Page `number` of `size` (clamped to 1..=250).
    pub fn new(number: u64, size: u64) -> Page {
        Page {
            number: NonZeroU64::new(number.max(1)).unwrap_or(NonZeroU64::MIN),
            size: NonZeroU64::new(size.clamp(1, Self::MAX_SIZE)).unwrap_or(NonZeroU64::MIN),
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Page::new(1, 10)
    }
}

/// The Telnyx Phone Number Reputation client.
///
/// Built from a [`ClientConfig`] or the environment; cheap to clone. Clones share one connection
/// pool and one rate-limit pacer, so every task of a job paces together. Every method takes
/// numbers as E.164 types, so a malformed number cannot reach the wire.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use telnyx_reputation::{Client, Freshness, Scope, e164::E164};
/// let client = Client::from_env()?;
/// let number: E164 = "+16035551234".parse()?;
/// let reputation = client.get(Scope::Account, number, Freshness::Cached).await?;
/// println!("{:?}", reputation.reputation_data);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: api::Client,
    base_url: String,
    /// [`ApiKey::fingerprint`](crate::ApiKey::fingerprint) of the key, for journals.
    key_fingerprint: Arc<str>,
    retry: RetryPolicy,
    patience: Patience,
    loopback: bool,
    pacer: Pacer,
    server_clock: Arc<ServerClock>,
    request_timeout: Duration,
    /// Once cancelled, this client's calls stop waiting (for the rate limit, or to try again)
    /// and send nothing more ([`Client::with_cancel`]).
    cancel: Option<CancellationToken>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("patience", &self.patience)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client from a configuration (checked with [`ClientConfig::validate`]).
    pub fn new(config: ClientConfig) -> Result<Client, ConfigError> {
        config.validate()?;
        let mut auth =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", config.api_key.expose()))
                .map_err(|_| {
                    ConfigError::Http(
                        "the API key contains characters not allowed in a header".into(),
                    )
                })?;
        auth.set_sensitive(true);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, auth);
        let mut http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(transport::same_origin_redirects())
            .user_agent(concat!("telnyx-reputation-rs/", env!("CARGO_PKG_VERSION")));
        if config.is_loopback() {
            // A proxy for this machine's own addresses would see the key of every request (and
            // on plain http, in clear): loopback is never sent through one, whatever
            // `HTTP_PROXY` or `ALL_PROXY` say.
            http = http.no_proxy();
        }
        if reqwest::Url::parse(&config.base_url).is_ok_and(|u| u.scheme() == "http") {
            // Redirects stay on the base URL's origin, so a plain-http client never meets TLS:
            // it trusts no roots rather than read the system's (about 300 files, a few
            // milliseconds of every command's start).
            http = http.tls_certs_only(std::iter::empty());
        }
        let http = http.build().map_err(|e| ConfigError::Http(e.to_string()))?;
        let pacer = Pacer::new(
            config.max_requests_per_second,
            config.retry.rate_limit_wait_cap(),
        );
        let server_clock = Arc::new(ServerClock::default());
        let hooks = api::Hooks::with_transport(Arc::new(Pipeline {
            pacer: pacer.clone(),
            max_body_bytes: config.max_body_bytes,
            server_clock: Arc::clone(&server_clock),
        }));
        Ok(Client {
            inner: api::Client::new_with_client(&config.base_url, http, hooks),
            loopback: config.is_loopback(),
            key_fingerprint: config.api_key.fingerprint().into(),
            base_url: config.base_url,
            retry: config.retry,
            patience: config.patience,
            pacer,
            server_clock,
            request_timeout: config.request_timeout,
            cancel: None,
        })
    }

    /// Builds a client from `TELNYX_API_KEY` and `TELNYX_BASE_URL`.
    pub fn from_env() -> Result<Client, ConfigError> {
        Client::new(ClientConfig::from_env()?)
    }

    /// The same client (same connections, same pacer) with another retry policy: for example
    /// [`RetryPolicy::until_stalled`] for lookups that must finish.
    pub fn with_retry(&self, policy: RetryPolicy) -> Client {
        Client {
            retry: policy,
            ..self.clone()
        }
    }

    /// The retry policy of this client's calls.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The same client with another stall rule (stall timeout and deadline).
    pub fn with_patience(&self, patience: Patience) -> Client {
        Client {
            patience,
            ..self.clone()
        }
    }

    /// The same client whose calls stop waiting once `token` is cancelled: a call waiting for
    /// the rate limit, or to send again a request that was certainly not applied (no
    /// connection, a 429), ends with [`Error::Cancelled`] and sends nothing more. A request in
    /// flight is never abandoned; its answer is waited for as usual.
    pub fn with_cancel(&self, token: Option<CancellationToken>) -> Client {
        Client {
            cancel: token,
            ..self.clone()
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The fingerprint of the client's API key ([`ApiKey::fingerprint`](crate::ApiKey::fingerprint)):
    /// what a journal records to refuse a resume with another key.
    pub fn key_fingerprint(&self) -> &str {
        &self.key_fingerprint
    }

    /// Whether the base URL is on this machine (an emulator; nothing billable).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// How long one attempt of one request may take before it is given up: after that, a
    /// request whose answer was lost is no longer in the server's hands (the bulk engine waits
    /// this long before it looks up what such a request did).
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// On the server's clock, a time no later than `ours` (an instant of this machine's clock),
    /// learnt from the answers of this client and its clones (their `Date`, and the
    /// timestamps of records just written); `None` before any answer. The server's clock may be
    /// far from ours: "before" and "since" are judged on its clock.
    pub fn server_time_at(
        &self,
        ours: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.server_clock.at(ours)
    }

    /// Takes in a timestamp the server just wrote (a record's `created_at` in an answer
    /// received now): a reading of its clock finer than the `Date` header's second.
    pub(crate) fn observe_server_time(&self, written: chrono::DateTime<chrono::Utc>) {
        self.server_clock.observe(written, chrono::Utc::now());
    }

    /// The stall rule every retry loop of this client follows.
    pub fn patience(&self) -> Patience {
        self.patience
    }

    /// How long new requests are still held back by the server's rate limit, if they are (for a
    /// progress line: "waiting for the rate limit: 0.8 s").
    pub fn rate_limit_wait(&self) -> Option<Duration> {
        self.pacer.waiting_for()
    }

    /// How many answers of this client (and its clones) were 429.
    pub fn rate_limited_count(&self) -> u64 {
        self.pacer.rate_limited()
    }

    /// How long ago any request of this client (or its clones) last succeeded.
    pub fn since_progress(&self) -> Duration {
        self.pacer.since_progress()
    }

    /// The generated client underneath, for anything this wrapper does not cover. Its requests
    /// go through the same pacer.
    pub fn api(&self) -> &api::Client {
        &self.inner
    }

    /// Associates a batch of 1–100 distinct US local or toll-free numbers with an enterprise
    /// (`AssociateReputationNumbers`). **Billable and atomic**: one refused number refuses all.
    ///
    /// Sent again only when the server certainly did not act (no connection, 429). A dropped
    /// connection, timeout, 408 or 5xx returns an error whose [`Error::outcome_unknown`] is true:
    /// look the numbers up before deciding anything (the bulk engine does).
    pub async fn associate(
        &self,
        enterprise_id: Uuid,
        batch: &Batch,
    ) -> Result<Vec<AssociatedNumber>, Error> {
        let created = self
            .call(Idempotency::NotIdempotent, || {
                self.inner
                    .associate_reputation_numbers()
                    .enterprise_id(enterprise_id)
                    .body(wire_body(batch))
                    .send()
            })
            .await?;
        Ok(created.data)
    }

    /// One page of the monitored numbers in `scope`, filtered (`listReputationNumbers` /
    /// `listReputationNumbersSimplified`). `filter` is a [`NumberFilter`], or an
    /// `Option<E164>` for an exact match on one number.
    ///
    /// Removed numbers are listed only when the filter asks for them
    /// ([`NumberFilter::ownership_status`] = [`OwnershipStatus::Removed`](crate::OwnershipStatus::Removed)),
    /// each with its `removal_reason` and `removed_at`; every other list leaves them out.
    ///
    /// A filter on an enterprise only means something account-wide: in the enterprise scope it is
    /// refused before anything is sent ([`Error::InvalidRequest`]).
    pub(crate) async fn list(
        &self,
        scope: Scope,
        page: Page,
        filter: impl Into<NumberFilter>,
    ) -> Result<NumberPage, Error> {
        let filter = filter.into();
        let eq = filter.phone_number.map(|n| n.to_string());
        let contains = filter.contains.as_ref().map(|c| c.as_str().to_owned());
        let (source, ownership_status) = (&filter.source, &filter.ownership_status);
        if let (Scope::Enterprise(_), Some(_)) = (scope, filter.enterprise_id) {
            return Err(Error::InvalidRequest {
                operation: "list_reputation_numbers",
                detail: "filter[enterprise_id] is only for the account-wide list".into(),
            });
        }
        self.call(Idempotency::Idempotent, || {
            let (eq, contains) = (eq.clone(), contains.clone());
            async move {
                match scope {
                    Scope::Enterprise(id) => {
                        let mut request = self
                            .inner
                            .list_reputation_numbers()
                            .enterprise_id(id)
                            .page_number(page.number)
                            .page_size(page.size);
                        if let Some(f) = eq {
                            request = request.filter_phone_number_eq(f);
                        }
                        if let Some(f) = contains {
                            request = request.filter_phone_number_contains(f);
                        }
                        if let Some(f) = source.clone() {
                            request = request.filter_source(f);
                        }
                        if let Some(f) = ownership_status.clone() {
                            request = request.filter_ownership_status(f);
                        }
                        request.send().await
                    }
                    Scope::Account => {
                        let mut request = self
                            .inner
                            .list_reputation_numbers_simplified()
                            .page_number(page.number)
                            .page_size(page.size);
                        if let Some(f) = eq {
                            request = request.filter_phone_number_eq(f);
                        }
                        if let Some(f) = contains {
                            request = request.filter_phone_number_contains(f);
                        }
                        if let Some(f) = source.clone() {
                            request = request.filter_source(f);
                        }
                        if let Some(f) = ownership_status.clone() {
                            request = request.filter_ownership_status(f);
                        }
                        if let Some(id) = filter.enterprise_id {
                            request = request.filter_enterprise_id(id);
                        }
                        request.send().await
                    }
                }
            }
        })
        .await
        .map(|page| page.0)
    }

    /// One number's reputation in `scope` (`GetPhoneNumberReputation` /
    /// `GetPhoneNumberReputationSimplified`). [`Freshness::Fresh`] is **billable**, and so is a
    /// read of a number with no cached data.
    ///
    /// Since any read may bill, a read is sent again only when the server certainly did not act
    /// (no connection, 429): after a timeout, a dropped connection, a 408 or a 5xx the error is
    /// returned ([`Error::outcome_unknown`]), and the read may have been billed once.
    pub async fn get(
        &self,
        scope: Scope,
        phone_number: E164,
        freshness: Freshness,
    ) -> Result<NumberReputation, Error> {
        let number = phone_number.to_string();
        let fresh = freshness == Freshness::Fresh;
        let response = self
            .call(Idempotency::NotIdempotent, || {
                let number = number.clone();
                async move {
                    match scope {
                        Scope::Enterprise(id) => {
                            self.inner
                                .get_phone_number_reputation()
                                .enterprise_id(id)
                                .phone_number(number)
                                .fresh(fresh)
                                .send()
                                .await
                        }
                        Scope::Account => {
                            self.inner
                                .get_phone_number_reputation_simplified()
                                .phone_number(number)
                                .fresh(fresh)
                                .send()
                                .await
                        }
                    }
                }
            })
            .await?;
        Ok(response.data)
    }

    /// Removes a number from monitoring in `scope` (`DisassociateReputationNumber` /
    /// `DisassociateReputationNumberSimplified`). Idempotent; not billable.
    pub async fn disassociate(&self, scope: Scope, phone_number: E164) -> Result<(), Error> {
        let number = phone_number.to_string();
        self.call(Idempotency::Idempotent, || {
            let number = number.clone();
            async move {
                match scope {
                    Scope::Enterprise(id) => {
                        self.inner
                            .disassociate_reputation_number()
                            .enterprise_id(id)
                            .phone_number(number)
                            .send()
                            .await
                    }
                    Scope::Account => {
                        self.inner
                            .disassociate_reputation_number_simplified()
                            .phone_number(number)
                            .send()
                            .await
                    }
                }
            }
        })
        .await
    }

    /// Sends a request through the one retry path, and turns the generated client's result into
    /// ours. The operation's name comes from the generated client ([`transport::tracking`]).
    pub(crate) async fn call<T, E, F, Fut>(
        &self,
        idempotency: Idempotency,
        send: F,
    ) -> Result<T, Error>
    where
        E: ErrorBody,
        F: Fn() -> Fut,
        Fut: Future<Output = Result<api::ResponseValue<T>, api::Error<E>>>,
    {
        let started = Instant::now();
        let since_progress = || self.pacer.since_progress().min(started.elapsed());
        let bounds = Bounds {
            patience: self.patience,
            since_progress: &since_progress,
            cancel: self.cancel.as_ref(),
        };
        let result = transport::tracking(retry::run_until(
            &self.retry,
            idempotency,
            self.patience,
            self.cancel.as_ref(),
            retry::failure,
            since_progress,
            || async {
                // Admitted here, within the call's bounds, so that a wait the server's headers
                // ask for never outlasts the stall rule, the deadline or the token.
                let permit = match self.pacer.acquire_within(&bounds).await {
                    Ok(permit) => permit,
                    Err(end) => return Err(never_sent(end, self.pacer.rate_limited() > 0)),
                };
                match transport::admitted(permit, send()).await {
                    Ok(value) => Ok(value.into_inner()),
                    Err(e) => Err(convert(e).await),
                }
            },
        ))
        .await;
        match result {
            Ok(value) => Ok(value),
            Err(Gave::Up(error)) => Err(error),
            Err(Gave::Stalled(last, stall)) => Err(Error::Stalled {
                operation: last.operation(),
                stall,
                last: Box::new(last),
            }),
            Err(Gave::Cancelled(last)) => Err(Error::Cancelled {
                operation: last.operation(),
            }),
        }
    }
}

/// The error of a call whose wait for admission ended before it sent (`after_429s`: the server
/// had refused requests of the client with 429 before).
fn never_sent(end: WaitEnd, after_429s: bool) -> Error {
    let operation = transport::current_operation();
    match end {
        WaitEnd::Stalled(stall) => Error::Stalled {
            operation,
            stall,
            last: Box::new(Error::Throttled {
                operation,
                after_429s,
            }),
        },
        WaitEnd::Cancelled => Error::Cancelled { operation },
    }
}

/// The associate call's body: each number's canonical text, copied as it is (built for each
/// attempt rather than built once and cloned, which costs the same allocations twice).
fn wire_body(batch: &Batch) -> ReputationPhoneNumberCreate {
    ReputationPhoneNumberCreate {
        phone_numbers: batch.iter().map(|n| n.as_str().to_owned()).collect(),
    }
}

/// The error body an operation documents, as the generated client reads it: the July
/// operations' `{"errors": [...]}` envelope, or nothing (`()`) for the October 2026 ones, whose
/// errors are not documented. Either way an error status is read as the envelope when its body
/// is one ([`convert`]).
pub(crate) trait ErrorBody: std::fmt::Debug {
    /// The `errors` the body carried.
    fn into_errors(self) -> Vec<NumberReputationError>;
}

impl ErrorBody for NumberReputationErrors {
    fn into_errors(self) -> Vec<NumberReputationError> {
        self.errors
    }
}

impl ErrorBody for () {
    fn into_errors(self) -> Vec<NumberReputationError> {
        Vec::new()
    }
}

/// Turns the generated client's error into ours, reading the error body where there is one.
async fn convert<E: ErrorBody>(error: api::Error<E>) -> Error {
    let operation = transport::current_operation();
    match error {
        api::Error::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let (request_id, retry_after) = header_facts(status, response.headers());
            Error::Api(ApiError {
                operation,
                status,
                errors: response.into_inner().into_errors(),
                request_id,
                retry_after,
            })
        }
        api::Error::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let (request_id, retry_after) = header_facts(status, response.headers());
            // Undocumented statuses (429, 5xx, ...) usually still carry the error envelope.
            let body = response.bytes().await;
            if (200..300).contains(&status) {
                return Error::Protocol {
                    operation,
                    detail: format!("undocumented success status {status}"),
                };
            }
            let errors = match body {
                Ok(body) => serde_json::from_slice::<NumberReputationErrors>(&body)
                    .map(|b| b.errors)
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            Error::Api(ApiError {
                operation,
                status,
                errors,
                request_id,
                retry_after,
            })
        }
        api::Error::CommunicationError(e) if e.is_connect() => Error::Connect {
            operation,
            source: TransportError::new(e),
        },
        api::Error::CommunicationError(e) if e.is_redirect() => Error::Protocol {
            operation,
            detail: format!("redirect refused: {e}"),
        },
        api::Error::CommunicationError(e) => Error::Ambiguous {
            operation,
            reason: if e.is_timeout() {
                "timed out"
            } else {
                "connection failed after sending"
            },
            source: TransportError::new(e),
        },
        api::Error::ResponseBodyError(e) if transport::is_body_too_large(&e) => Error::Protocol {
            operation,
            detail: innermost(&e),
        },
        api::Error::ResponseBodyError(e) => Error::Ambiguous {
            operation,
            reason: "response body lost",
            source: TransportError::new(e),
        },
        // An error status whose body is not the documented envelope is still that error: the
        // status decides (exit codes, retries, rollback), the body's entries are read where
        // they can be.
        api::Error::InvalidResponsePayload(body, _)
            if transport::current_status().is_some_and(|s| s >= 400) =>
        {
            let status = transport::current_status().unwrap_or_default();
            Error::Api(ApiError {
                operation,
                status,
                errors: serde_json::from_slice::<NumberReputationErrors>(&body)
                    .map(|b| b.errors)
                    .unwrap_or_default(),
                request_id: None,
                retry_after: None,
            })
        }
        api::Error::InvalidResponsePayload(_, e) => Error::Protocol {
            operation,
            detail: format!("the response body does not match the spec: {e}"),
        },
        api::Error::InvalidRequest(detail) => Error::InvalidRequest { operation, detail },
        other => Error::Protocol {
            operation,
            detail: other.to_string(),
        },
    }
}

/// The innermost message of an error's chain of sources (for a body over the limit, the
/// limit's own message rather than reqwest's wrapping of it).
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// The request id of a response, and how long it asks to wait: `Retry-After`, else (on a 429)
/// `x-ratelimit-reset`.
fn header_facts(
    status: u16,
    headers: &reqwest::header::HeaderMap,
) -> (Option<String>, Option<Duration>) {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let request_id = ["x-request-id", "request-id"]
        .iter()
        .find_map(|name| text(name))
        .map(str::to_owned);
    let retry_after = text("retry-after")
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
        .or_else(|| {
            (status == 429)
                .then(|| text("x-ratelimit-reset").and_then(retry::parse_seconds))
                .flatten()
        });
    (request_id, retry_after)
}
