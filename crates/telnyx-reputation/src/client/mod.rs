//! [`Client`]: its configuration, and the one path every call goes through (the pacer, the
//! retry policy, typed errors). The operations are grouped by area in the modules beside it:
//! the numbers (`numbers`), settings, LOA, ownership, remediation...

use std::sync::Arc;
use std::time::{Duration, Instant};

use telnyx_reputation_api as api;
use telnyx_reputation_tls::Trust;
use tokio_util::sync::CancellationToken;

use crate::config::ClientConfig;
use crate::error::{ConfigError, Error};
use crate::pacer::{Bounds, Pacer, WaitEnd};
use crate::patience::Patience;
use crate::retry::{self, Gave, Idempotency, RetryPolicy};
use crate::server_clock::ServerClock;
use crate::transport::{self, Pipeline};

mod convert;
mod numbers;

pub(crate) use convert::ErrorBody;
use convert::convert;
pub use numbers::{Freshness, Page, Scope};

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
/// println!("{}: {:?}", reputation.phone_number, reputation.reputation_data);
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
        // Redirects stay on the base URL's origin, so a plain-http client never meets TLS: it
        // trusts no roots rather than read the system's (about 300 files, a few milliseconds of
        // every command's start).
        let trust = if reqwest::Url::parse(&config.base_url).is_ok_and(|u| u.scheme() == "http") {
            Trust::Nothing
        } else {
            Trust::Platform
        };
        let mut http = telnyx_reputation_tls::client_builder(trust)
            .map_err(|e| ConfigError::Http(e.to_string()))?
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
