//! Reading the spec from a path or fetching it over HTTP(S) (rustls), with a timeout and a few
//! retries on connection failures and 5xx through the SDK's one retry path
//! (`telnyx_reputation::retry`). A 404 is final.

use std::time::Duration;

use anyhow::{Context, anyhow};
use telnyx_reputation::RetryPolicy;
use telnyx_reputation::retry::{self, Failure, Gave, Idempotency, Patience};

/// How fetching behaves.
pub struct Policy {
    /// The limit on one request, connection to last body byte.
    pub timeout: Duration,
    /// How many times a failed attempt is repeated (so `retries + 1` attempts at most).
    pub retries: u32,
    /// The wait before retry `n` is `backoff * n`.
    pub backoff: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// The bytes of `source`: a URL (`http://`, `https://`) or a path.
pub fn read(source: &str, policy: &Policy) -> anyhow::Result<Vec<u8>> {
    if !(source.starts_with("http://") || source.starts_with("https://")) {
        return std::fs::read(source).context("cannot read");
    }
    let client = reqwest::Client::builder()
        .timeout(policy.timeout)
        .build()
        .context("cannot build the HTTP client")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(with_retries(policy, || get_once(&client, source)))
}

/// Why one GET failed, and what kind of failure that is for the retry path.
struct Failed {
    kind: Failure,
    error: anyhow::Error,
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// One GET of `url`: a connection error is not sent, a 5xx ambiguous (a GET is idempotent, so
/// both are retried), a 429 back-pressure, anything else final.
async fn get_once(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, Failed> {
    let failed = |kind, error| Failed { kind, error };
    match client.get(url).send().await {
        Ok(r) if r.status().is_success() => match r.bytes().await {
            Ok(body) => Ok(body.to_vec()),
            Err(e) => Err(failed(Failure::Final, anyhow!("body lost: {e}"))),
        },
        Ok(r) => {
            let status = r.status();
            let kind = retry::classify_status(status.as_u16(), None);
            Err(failed(kind, anyhow!("HTTP {status}")))
        }
        Err(e) if e.is_connect() => Err(failed(Failure::NotSent, anyhow!("network error: {e}"))),
        Err(e) => Err(failed(Failure::Ambiguous, anyhow!("network error: {e}"))),
    }
}

/// Runs `attempt` through the SDK's one retry path until it succeeds or is final, or
/// `policy.retries` retries are spent; the last failure then says how many attempts were made.
async fn with_retries<F, Fut>(policy: &Policy, mut attempt: F) -> anyhow::Result<Vec<u8>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<u8>, Failed>>,
{
    let retry_policy = RetryPolicy::default()
        .max_retries(policy.retries)
        .base_delay(policy.backoff)
        .max_delay(policy.backoff.saturating_mul(8));
    let started = std::time::Instant::now();
    let mut attempts: u32 = 0;
    let result = retry::run(
        &retry_policy,
        Idempotency::Idempotent,
        Patience {
            stall_timeout: policy
                .timeout
                .saturating_mul(policy.retries.saturating_add(1)),
            deadline: None,
        },
        |f: &Failed| f.kind,
        || started.elapsed(),
        || {
            attempts = attempts.saturating_add(1);
            attempt()
        },
    )
    .await;
    match result {
        Ok(body) => Ok(body),
        Err(Gave::Up(f)) if f.kind == Failure::Final => Err(f.error),
        Err(Gave::Up(f) | Gave::Stalled(f, _) | Gave::Cancelled(f)) => {
            Err(anyhow!("{} (after {attempts} attempts)", f.error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick(retries: u32) -> Policy {
        Policy {
            timeout: Duration::from_secs(1),
            retries,
            backoff: Duration::ZERO,
        }
    }

    fn transient() -> Failed {
        Failed {
            kind: Failure::Ambiguous,
            error: anyhow!("HTTP 503"),
        }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_the_budget_is_spent() {
        let mut calls = 0;
        let err = with_retries(&quick(2), || {
            calls += 1;
            async { Err(transient()) }
        })
        .await
        .unwrap_err();
        assert_eq!(calls, 3);
        assert_eq!(err.to_string(), "HTTP 503 (after 3 attempts)");
    }

    #[tokio::test]
    async fn a_final_failure_stops_at_once_and_a_success_after_a_retry_is_returned() {
        let mut calls = 0;
        let err = with_retries(&quick(5), || {
            calls += 1;
            async {
                Err(Failed {
                    kind: Failure::Final,
                    error: anyhow!("HTTP 404"),
                })
            }
        })
        .await
        .unwrap_err();
        assert_eq!((calls, err.to_string()), (1, "HTTP 404".to_owned()));

        let mut calls = 0;
        let body = with_retries(&quick(5), || {
            calls += 1;
            let first = calls == 1;
            async move {
                if first {
                    Err(Failed {
                        kind: Failure::NotSent,
                        error: anyhow!("network error"),
                    })
                } else {
                    Ok(b"spec".to_vec())
                }
            }
        })
        .await
        .unwrap();
        assert_eq!((calls, body), (2, b"spec".to_vec()));
    }
}
