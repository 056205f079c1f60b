//! Reading the spec from a path or fetching it over HTTP(S) (rustls), with a timeout and a few
//! retries on connection failures, 408, 429 and 5xx. A 404 (or any other answer) is final.
//!
//! The retry loop is this module's own: xtask depends on no crate of the project but the code
//! generator, so that it can regenerate (and repair) the spec those crates are built from.

use std::time::Duration;

use anyhow::{Context, anyhow};

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
    let client = telnyx_reputation_tls::client_builder(telnyx_reputation_tls::Trust::Platform)
        .context("cannot set up TLS")?
        .timeout(policy.timeout)
        .build()
        .context("cannot build the HTTP client")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(with_retries(policy, || get_once(&client, source)))
}

/// Why one GET failed, and whether another attempt may succeed.
struct Failed {
    transient: bool,
    error: anyhow::Error,
}

/// Whether an answer with this status may succeed when asked again: a timeout (408), rate
/// limiting (429) or a server failure (5xx). Everything else is the answer.
fn transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// One GET of `url`. A network failure is transient (a GET is idempotent, so even one that may
/// have reached the server is safe to repeat); a lost body is final.
async fn get_once(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, Failed> {
    match client.get(url).send().await {
        Ok(r) if r.status().is_success() => match r.bytes().await {
            Ok(body) => Ok(body.to_vec()),
            Err(e) => Err(Failed {
                transient: false,
                error: anyhow!("body lost: {e}"),
            }),
        },
        Ok(r) => {
            let status = r.status();
            Err(Failed {
                transient: transient_status(status.as_u16()),
                error: anyhow!("HTTP {status}"),
            })
        }
        Err(e) => Err(Failed {
            transient: true,
            error: anyhow!("network error: {e}"),
        }),
    }
}

/// The wait before retry `retry` (1-based): `backoff * retry`, saturating.
fn delay_before(retry: u32, backoff: Duration) -> Duration {
    backoff.saturating_mul(retry)
}

/// Runs `attempt` until it succeeds, fails for good, or `policy.retries` retries are spent; a
/// failure after more than one attempt says how many were made.
async fn with_retries<F, Fut>(policy: &Policy, mut attempt: F) -> anyhow::Result<Vec<u8>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<u8>, Failed>>,
{
    let mut made: u32 = 0;
    loop {
        made = made.saturating_add(1);
        match attempt().await {
            Ok(body) => return Ok(body),
            Err(f) if !f.transient => return Err(f.error),
            Err(f) if made > policy.retries => {
                return Err(anyhow!("{} (after {made} attempts)", f.error));
            }
            Err(_) => tokio::time::sleep(delay_before(made, policy.backoff)).await,
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

    fn failure(transient: bool, message: &'static str) -> Failed {
        Failed {
            transient,
            error: anyhow!(message),
        }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_the_budget_is_spent() {
        let mut calls = 0;
        let err = with_retries(&quick(2), || {
            calls += 1;
            async { Err(failure(true, "HTTP 503")) }
        })
        .await
        .unwrap_err();
        assert_eq!(calls, 3);
        assert_eq!(err.to_string(), "HTTP 503 (after 3 attempts)");
    }

    #[tokio::test]
    async fn no_retry_budget_means_one_attempt() {
        let mut calls = 0;
        let err = with_retries(&quick(0), || {
            calls += 1;
            async { Err(failure(true, "network error")) }
        })
        .await
        .unwrap_err();
        assert_eq!(
            (calls, err.to_string()),
            (1, "network error (after 1 attempts)".to_owned())
        );
    }

    #[tokio::test]
    async fn a_final_failure_stops_at_once_and_a_success_after_a_retry_is_returned() {
        let mut calls = 0;
        let err = with_retries(&quick(5), || {
            calls += 1;
            async { Err(failure(false, "HTTP 404")) }
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
                    Err(failure(true, "network error"))
                } else {
                    Ok(b"spec".to_vec())
                }
            }
        })
        .await
        .unwrap();
        assert_eq!((calls, body), (2, b"spec".to_vec()));
    }

    #[test]
    fn which_statuses_are_worth_asking_again() {
        for status in [408, 429, 500, 502, 503, 599] {
            assert!(transient_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 410, 422, 600] {
            assert!(!transient_status(status), "{status}");
        }
    }

    #[test]
    fn the_wait_grows_with_each_retry_and_never_overflows() {
        let backoff = Duration::from_millis(500);
        assert_eq!(delay_before(1, backoff), Duration::from_millis(500));
        assert_eq!(delay_before(3, backoff), Duration::from_millis(1500));
        assert_eq!(delay_before(u32::MAX, Duration::MAX), Duration::MAX);
    }
}
