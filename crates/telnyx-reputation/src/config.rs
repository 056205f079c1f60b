//! Client configuration: explicit, or from `TELNYX_API_KEY` and `TELNYX_BASE_URL`.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::api_key::ApiKey;
use crate::error::ConfigError;
use crate::patience::Patience;
use crate::retry::RetryPolicy;

/// The default limit on a response body: 16 MiB, far above any answer the API documents (a page
/// of 250 numbers is under 200 KiB).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The production base URL, Telnyx's API v2; the client's default unless configured otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.telnyx.com/v2";

/// How a [`Client`](crate::Client) talks to the API.
///
/// ```
/// use std::time::Duration;
/// use telnyx_reputation::{ApiKey, ClientConfig, RetryPolicy};
/// let config = ClientConfig::new(ApiKey::new("KEY"))
///     .base_url("http://127.0.0.1:8080")
///     .request_timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().max_retries(3));
/// assert_eq!(config.base_url_str(), "http://127.0.0.1:8080");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    pub(crate) api_key: ApiKey,
    pub(crate) base_url: String,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) patience: Patience,
    pub(crate) max_requests_per_second: Option<f64>,
    pub(crate) max_body_bytes: u64,
    pub(crate) allow_insecure_http: bool,
}

impl ClientConfig {
    /// A configuration for the production API with this key and the defaults: connect timeout
    /// 10 s, request timeout 30 s, the default retry policy, a stall timeout of 120 s and no
    /// deadline, no client-side rate ceiling, and bodies of at most 16 MiB.
    pub fn new(api_key: ApiKey) -> Self {
        ClientConfig {
            api_key,
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            patience: Patience::default(),
            max_requests_per_second: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            allow_insecure_http: false,
        }
    }

    /// Reads `TELNYX_API_KEY` (required) and `TELNYX_BASE_URL` (optional).
    pub fn from_env() -> Result<Self, ConfigError> {
        let key = std::env::var("TELNYX_API_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
            .ok_or(ConfigError::MissingApiKey)?;
        let mut config = ClientConfig::new(ApiKey::new(key.trim()));
        if let Ok(url) = std::env::var("TELNYX_BASE_URL")
            && !url.trim().is_empty()
        {
            config = config.base_url(url.trim());
        }
        Ok(config)
    }

    /// Sets the base URL (the spec's paths are appended to it).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// The base URL requests go to, without a trailing `/`.
    pub fn base_url_str(&self) -> &str {
        &self.base_url
    }

    /// Sets how long to wait for a TCP and TLS connection before the attempt fails (default
    /// 10 s); a connect failure proves the request was not sent, so it is retried within the
    /// retry budget even for a billable call.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the timeout of each attempt of each request.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets the retry policy for transient failures (429 waits are outside it; see
    /// [`RetryPolicy`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the stall timeout: a call (or a job) that keeps failing, 429s included, gives up when
    /// no request has succeeded for this long.
    pub fn stall_timeout(mut self, timeout: Duration) -> Self {
        self.patience.stall_timeout = timeout;
        self
    }

    /// Sets a deadline after which no call waits or retries any more.
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.patience.deadline = Some(deadline);
        self
    }

    /// Sets a fixed ceiling on requests per second, on top of the pacing the server's
    /// `x-ratelimit-*` headers ask for. Values that are not positive and finite mean none.
    pub fn max_requests_per_second(mut self, rate: f64) -> Self {
        self.max_requests_per_second = (rate.is_finite() && rate > 0.0).then_some(rate);
        self
    }

    /// Sets the largest response body read, in bytes; a longer body fails the request as a
    /// protocol failure while it streams, before it takes the memory.
    pub fn max_body_bytes(mut self, limit: u64) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Allows a plain-`http` base URL to a non-loopback host (the key then travels unencrypted).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the base URL: it must parse, and plain `http` is only for loopback hosts unless
    /// explicitly allowed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = reqwest::Url::parse(&self.base_url).map_err(|e| ConfigError::InvalidBaseUrl {
            url: self.base_url.clone(),
            reason: e.to_string(),
        })?;
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.allow_insecure_http || is_loopback(&url) => Ok(()),
            "http" => Err(ConfigError::InsecureBaseUrl {
                url: self.base_url.clone(),
            }),
            other => Err(ConfigError::InvalidBaseUrl {
                url: self.base_url.clone(),
                reason: format!("scheme {other} is neither https nor http"),
            }),
        }
    }

    /// Whether the base URL points at this machine (the emulator, never the billable API).
    pub fn is_loopback(&self) -> bool {
        reqwest::Url::parse(&self.base_url)
            .map(|u| is_loopback(&u))
            .unwrap_or(false)
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> ClientConfig {
        ClientConfig::new(ApiKey::new("k")).base_url(url)
    }

    #[test]
    fn https_is_accepted() {
        assert_eq!(config("https://api.telnyx.com/v2/").validate(), Ok(()));
        assert_eq!(
            config("https://api.telnyx.com/v2/").base_url_str(),
            "https://api.telnyx.com/v2"
        );
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.8.9.10",
        ] {
            assert_eq!(config(url).validate(), Ok(()), "{url}");
            assert!(config(url).is_loopback(), "{url}");
        }
        let err = config("http://api.telnyx.com/v2").validate().unwrap_err();
        assert_eq!(
            err,
            ConfigError::InsecureBaseUrl {
                url: "http://api.telnyx.com/v2".into()
            }
        );
        assert_eq!(
            config("http://10.0.0.1")
                .allow_insecure_http(true)
                .validate(),
            Ok(())
        );
    }

    #[test]
    fn other_schemes_and_garbage_are_refused() {
        assert!(matches!(
            config("ftp://x").validate(),
            Err(ConfigError::InvalidBaseUrl { .. })
        ));
        assert!(matches!(
            config("not a url").validate(),
            Err(ConfigError::InvalidBaseUrl { .. })
        ));
    }

    #[test]
    fn the_key_is_not_in_debug_output() {
        let text = format!("{:?}", ClientConfig::new(ApiKey::new("SECRET-KEY-123")));
        assert!(!text.contains("SECRET-KEY-123"), "{text}");
    }
}
