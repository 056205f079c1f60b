//! [`Client`]: the seven operations with E.164 types, retries and typed errors.

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use futures::{Stream, StreamExt, TryStreamExt, stream};
use telnyx_e164::{Batch, E164};
use telnyx_reputation_api as api;
use telnyx_reputation_api::types::{
    BrandedCallingErrorResponse, ReputationPhoneNumberCreate,
    ReputationPhoneNumberListWithReputation, ReputationPhoneNumberPublic,
    ReputationPhoneNumberWithReputationData,
};
use uuid::Uuid;

use crate::config::ClientConfig;
use crate::error::{ApiError, ConfigError, Error};
use crate::retry::{
    Idempotency, RetryPolicy, is_retryable_status, parse_retry_after, proves_not_applied,
};

/// A number under monitoring, with its reputation data when the API has some.
pub type NumberReputation = ReputationPhoneNumberWithReputationData;
/// A number just associated (the associate call's records).
pub type AssociatedNumber = ReputationPhoneNumberPublic;
/// One page of a list.
pub type NumberPage = ReputationPhoneNumberListWithReputation;

/// Whether a reputation read may use cached data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Freshness {
    /// Cached data (fetched fresh by the API only when it has none yet).
    #[default]
    Cached,
    /// Fresh data: `fresh=true`. **Billable.**
    Fresh,
}

/// Which page of a list, and how large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub number: NonZeroU64,
    /// Page size, 1 to [`Page::MAX_SIZE`].
    pub size: NonZeroU64,
}

impl Page {
    /// The largest page the API serves.
    pub const MAX_SIZE: u64 = 100;

    /// Page `number` of `size` (clamped to 1..=100).
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
/// Built from a [`ClientConfig`] or the environment; cheap to clone (clones share one connection
/// pool). Every method takes numbers as E.164 types, so a malformed number cannot reach the wire.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use telnyx_reputation::{Client, Freshness, e164::E164};
/// let client = Client::from_env()?;
/// let number: E164 = "+16035551234".parse()?;
/// let reputation = client.get_simplified(number, Freshness::Cached).await?;
/// println!("{:?}", reputation.reputation_data);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: api::Client,
    base_url: String,
    retry: RetryPolicy,
    loopback: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
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
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("telnyx-reputation-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(Client {
            inner: api::Client::new_with_client(&config.base_url, http),
            loopback: config.is_loopback(),
            base_url: config.base_url,
            retry: config.retry,
        })
    }

    /// Builds a client from `TELNYX_API_KEY` and `TELNYX_BASE_URL`.
    pub fn from_env() -> Result<Client, ConfigError> {
        Client::new(ClientConfig::from_env()?)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether the base URL is on this machine (an emulator; nothing billable).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// The generated client underneath, for anything this wrapper does not cover.
    pub fn api(&self) -> &api::Client {
        &self.inner
    }

    /// Associates a batch of 1–100 distinct US local numbers with an enterprise
    /// (`AssociateReputationNumbers`). **Billable and atomic**: one refused number refuses all.
    ///
    /// Retried only when the server certainly did not act (no connection, 408, 429). A dropped
    /// connection, timeout or 5xx returns an error whose [`Error::outcome_unknown`] is true: look
    /// the numbers up before deciding anything (the bulk engine does).
    pub async fn associate(
        &self,
        enterprise_id: Uuid,
        batch: &Batch,
    ) -> Result<Vec<AssociatedNumber>, Error> {
        let body = ReputationPhoneNumberCreate {
            phone_numbers: batch.iter().map(|n| n.to_string()).collect(),
        };
        let created = self
            .call(
                "AssociateReputationNumbers",
                Idempotency::NotIdempotent,
                || {
                    self.inner
                        .associate_reputation_numbers()
                        .enterprise_id(enterprise_id)
                        .body(body.clone())
                        .send()
                },
            )
            .await?;
        Ok(created.data)
    }

    /// One page of an enterprise's monitored numbers (`ListReputationNumbers`), optionally
    /// filtered on one number.
    pub async fn list(
        &self,
        enterprise_id: Uuid,
        page: Page,
        phone_number: Option<E164>,
    ) -> Result<NumberPage, Error> {
        let filter = phone_number.map(|n| n.to_string());
        self.call("ListReputationNumbers", Idempotency::Idempotent, || {
            let mut request = self
                .inner
                .list_reputation_numbers()
                .enterprise_id(enterprise_id)
                .page_number(page.number)
                .page_size(page.size);
            if let Some(f) = &filter {
                request = request.phone_number(f.clone());
            }
            request.send()
        })
        .await
    }

    /// One page of the account's monitored numbers across enterprises
    /// (`ListReputationNumbersSimplified`).
    pub async fn list_simplified(
        &self,
        page: Page,
        phone_number: Option<E164>,
    ) -> Result<NumberPage, Error> {
        let filter = phone_number.map(|n| n.to_string());
        self.call(
            "ListReputationNumbersSimplified",
            Idempotency::Idempotent,
            || {
                let mut request = self
                    .inner
                    .list_reputation_numbers_simplified()
                    .page_number(page.number)
                    .page_size(page.size);
                if let Some(f) = &filter {
                    request = request.phone_number(f.clone());
                }
                request.send()
            },
        )
        .await
    }

    /// Every monitored number, walking every page (100 per request): of one enterprise when
    /// `enterprise_id` is given, else of the whole account.
    pub fn list_all(
        &self,
        enterprise_id: Option<Uuid>,
        phone_number: Option<E164>,
    ) -> impl Stream<Item = Result<NumberReputation, Error>> + '_ {
        stream::try_unfold(Some(1u64), move |next| async move {
            let Some(number) = next else {
                return Ok::<_, Error>(None);
            };
            let page = Page::new(number, Page::MAX_SIZE);
            let result = match enterprise_id {
                Some(id) => self.list(id, page, phone_number).await?,
                None => self.list_simplified(page, phone_number).await?,
            };
            let total_pages = result.meta.as_ref().and_then(|m| m.total_pages);
            let more = match total_pages {
                Some(total) => i64::try_from(number).is_ok_and(|n| n < total),
                // Without meta, a full page means there may be more.
                None => result.data.len() as u64 == Page::MAX_SIZE,
            };
            let next = (more && !result.data.is_empty()).then_some(number + 1);
            Ok(Some((stream::iter(result.data.into_iter().map(Ok)), next)))
        })
        .try_flatten()
        .boxed()
    }

    /// One number's reputation on an enterprise (`GetPhoneNumberReputation`).
    /// [`Freshness::Fresh`] is **billable**.
    pub async fn get(
        &self,
        enterprise_id: Uuid,
        phone_number: E164,
        freshness: Freshness,
    ) -> Result<NumberReputation, Error> {
        let number = phone_number.to_string();
        let response = self
            .call("GetPhoneNumberReputation", Idempotency::Idempotent, || {
                self.inner
                    .get_phone_number_reputation()
                    .enterprise_id(enterprise_id)
                    .phone_number(number.clone())
                    .fresh(freshness == Freshness::Fresh)
                    .send()
            })
            .await?;
        response.data.ok_or_else(|| Error::Protocol {
            operation: "GetPhoneNumberReputation",
            detail: "200 without data".into(),
        })
    }

    /// One number's reputation, whichever enterprise of the account it is on
    /// (`GetPhoneNumberReputationSimplified`). [`Freshness::Fresh`] is **billable**.
    pub async fn get_simplified(
        &self,
        phone_number: E164,
        freshness: Freshness,
    ) -> Result<NumberReputation, Error> {
        let number = phone_number.to_string();
        let response = self
            .call(
                "GetPhoneNumberReputationSimplified",
                Idempotency::Idempotent,
                || {
                    self.inner
                        .get_phone_number_reputation_simplified()
                        .phone_number(number.clone())
                        .fresh(freshness == Freshness::Fresh)
                        .send()
                },
            )
            .await?;
        response.data.ok_or_else(|| Error::Protocol {
            operation: "GetPhoneNumberReputationSimplified",
            detail: "200 without data".into(),
        })
    }

    /// Removes a number from an enterprise's monitoring (`DisassociateReputationNumber`).
    pub async fn disassociate(&self, enterprise_id: Uuid, phone_number: E164) -> Result<(), Error> {
        let number = phone_number.to_string();
        self.call(
            "DisassociateReputationNumber",
            Idempotency::Idempotent,
            || {
                self.inner
                    .disassociate_reputation_number()
                    .enterprise_id(enterprise_id)
                    .phone_number(number.clone())
                    .send()
            },
        )
        .await
    }

    /// Removes a number from monitoring, whichever enterprise it is on
    /// (`DisassociateReputationNumberSimplified`).
    pub async fn disassociate_simplified(&self, phone_number: E164) -> Result<(), Error> {
        let number = phone_number.to_string();
        self.call(
            "DisassociateReputationNumberSimplified",
            Idempotency::Idempotent,
            || {
                self.inner
                    .disassociate_reputation_number_simplified()
                    .phone_number(number.clone())
                    .send()
            },
        )
        .await
    }

    /// Sends a request with the retry policy, and turns the generated client's result into ours.
    async fn call<T, F, Fut>(
        &self,
        operation: &'static str,
        idempotency: Idempotency,
        send: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut:
            Future<Output = Result<api::ResponseValue<T>, api::Error<BrandedCallingErrorResponse>>>,
    {
        let mut retry = 0;
        loop {
            let error = match send().await {
                Ok(value) => return Ok(value.into_inner()),
                Err(e) => convert(operation, e).await,
            };
            let may_retry = match &error {
                Error::Connect { .. } => true,
                Error::Ambiguous { .. } => idempotency == Idempotency::Idempotent,
                Error::Api(e) => {
                    is_retryable_status(e.status)
                        && (idempotency == Idempotency::Idempotent || proves_not_applied(e.status))
                }
                _ => false,
            };
            if !may_retry || retry >= self.retry.retries() {
                return Err(error);
            }
            let retry_after = error.api().and_then(|e| e.retry_after);
            let delay = self.retry.delay(retry, retry_after, jitter());
            tracing::warn!(operation, retry = retry + 1, ?delay, error = %error, "retrying");
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }
}

/// Turns the generated client's error into ours, reading the error body where there is one.
async fn convert(operation: &'static str, error: api::Error<BrandedCallingErrorResponse>) -> Error {
    match error {
        api::Error::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let (request_id, retry_after) = header_facts(response.headers());
            Error::Api(ApiError {
                operation,
                status,
                errors: response.into_inner().errors,
                request_id,
                retry_after,
            })
        }
        api::Error::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let (request_id, retry_after) = header_facts(response.headers());
            // Undocumented statuses (429, 5xx, ...) usually still carry the error envelope.
            let errors = match response.bytes().await {
                Ok(body) => serde_json::from_slice::<BrandedCallingErrorResponse>(&body)
                    .map(|b| b.errors)
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            if (200..300).contains(&status) {
                return Error::Protocol {
                    operation,
                    detail: format!("undocumented success status {status}"),
                };
            }
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
            source: e,
        },
        api::Error::CommunicationError(e) => Error::Ambiguous {
            operation,
            reason: if e.is_timeout() {
                "timed out"
            } else {
                "connection failed after sending"
            },
            source: e,
        },
        api::Error::ResponseBodyError(e) => Error::Ambiguous {
            operation,
            reason: "response body lost",
            source: e,
        },
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

/// The request id and `Retry-After` of a response.
fn header_facts(headers: &reqwest::header::HeaderMap) -> (Option<String>, Option<Duration>) {
    let request_id = ["x-request-id", "request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let retry_after = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    (request_id, retry_after)
}

/// A number in `[0, 1)` for backoff jitter; not cryptographic, just decorrelated.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut z = STATE
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(seed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
