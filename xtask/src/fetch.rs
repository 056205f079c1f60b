//! Reading the spec from a path or fetching it over HTTP(S) (rustls), with a timeout and a few
//! retries on connection failures and 5xx. A 404 is final.

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
    let client = reqwest::blocking::Client::builder()
        .timeout(policy.timeout)
        .build()
        .context("cannot build the HTTP client")?;
    with_retries(policy, || get_once(&client, source))
}

/// What one GET came to.
enum Attempt {
    /// The body of a 2xx answer.
    Done(Vec<u8>),
    /// A failure that may pass on another attempt: a connection error or a 5xx.
    Transient(anyhow::Error),
    /// A failure another attempt would meet again: any other status, or a body cut short.
    Final(anyhow::Error),
}

/// One GET of `url`.
fn get_once(client: &reqwest::blocking::Client, url: &str) -> Attempt {
    match client.get(url).send() {
        Ok(r) if r.status().is_success() => match r.bytes() {
            Ok(body) => Attempt::Done(body.to_vec()),
            Err(e) => Attempt::Final(anyhow!("body lost: {e}")),
        },
        Ok(r) if r.status().is_server_error() => Attempt::Transient(anyhow!("HTTP {}", r.status())),
        Ok(r) => Attempt::Final(anyhow!("HTTP {}", r.status())),
        Err(e) => Attempt::Transient(anyhow!("network error: {e}")),
    }
}

/// Runs `attempt` until it is done or final, or `policy.retries` retries are spent; the last
/// transient error then says how many attempts were made. The only retry loop in xtask.
fn with_retries(policy: &Policy, mut attempt: impl FnMut() -> Attempt) -> anyhow::Result<Vec<u8>> {
    let mut attempts: u32 = 0;
    loop {
        attempts = attempts.saturating_add(1);
        match attempt() {
            Attempt::Done(body) => return Ok(body),
            Attempt::Final(e) => return Err(e),
            Attempt::Transient(e) if attempts > policy.retries => {
                return Err(anyhow!("{e} (after {attempts} attempts)"));
            }
            Attempt::Transient(_) => std::thread::sleep(policy.backoff.saturating_mul(attempts)),
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

    #[test]
    fn transient_failures_are_retried_until_the_budget_is_spent() {
        let mut calls = 0;
        let err = with_retries(&quick(2), || {
            calls += 1;
            Attempt::Transient(anyhow!("HTTP 503"))
        })
        .unwrap_err();
        assert_eq!(calls, 3);
        assert_eq!(err.to_string(), "HTTP 503 (after 3 attempts)");
    }

    #[test]
    fn a_final_failure_stops_at_once_and_a_success_after_a_retry_is_returned() {
        let mut calls = 0;
        let err = with_retries(&quick(5), || {
            calls += 1;
            Attempt::Final(anyhow!("HTTP 404"))
        })
        .unwrap_err();
        assert_eq!((calls, err.to_string()), (1, "HTTP 404".to_owned()));

        let mut calls = 0;
        let body = with_retries(&quick(5), || {
            calls += 1;
            if calls == 1 {
                Attempt::Transient(anyhow!("network error"))
            } else {
                Attempt::Done(b"spec".to_vec())
            }
        })
        .unwrap();
        assert_eq!((calls, body), (2, b"spec".to_vec()));
    }
}
