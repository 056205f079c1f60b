//! Reading the spec from a path or fetching it over HTTP(S) (rustls), with a timeout and a few
//! retries on connection failures and 5xx. A 404 is final.

use std::time::Duration;

/// How fetching behaves.
pub struct Policy {
    pub timeout: Duration,
    pub retries: u32,
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
pub fn read(source: &str, policy: &Policy) -> Result<Vec<u8>, String> {
    if !(source.starts_with("http://") || source.starts_with("https://")) {
        return std::fs::read(source).map_err(|e| format!("cannot read: {e}"));
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(policy.timeout)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let mut attempt = 0;
    loop {
        let outcome = match client.get(source).send() {
            Ok(r) if r.status().is_success() => {
                return r
                    .bytes()
                    .map(|b| b.to_vec())
                    .map_err(|e| format!("body lost: {e}"));
            }
            Ok(r) if r.status().is_server_error() => Err(format!("HTTP {}", r.status())),
            Ok(r) => return Err(format!("HTTP {}", r.status())),
            Err(e) => Err(format!("network error: {e}")),
        };
        attempt += 1;
        if attempt > policy.retries {
            return outcome
                .map(|()| Vec::new())
                .map_err(|e| format!("{e} (after {attempt} attempts)"));
        }
        std::thread::sleep(policy.backoff * attempt);
    }
}
