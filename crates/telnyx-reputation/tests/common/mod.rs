//! Helpers shared by this crate's integration tests against the emulator. Each test binary
//! uses a part of them.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::Duration;

use telnyx_reputation::{ApiKey, Client, ClientConfig, RetryPolicy};
use telnyx_reputation_mock::{DEMO_API_KEY, MockHandle};

/// A client of the demo account with quick retries; the emulator's injected 429s ask for a
/// second each, which the tests need not wait.
pub fn client(mock: &MockHandle) -> Client {
    Client::new(
        ClientConfig::new(ApiKey::new(DEMO_API_KEY))
            .base_url(mock.base_url())
            .retry(
                RetryPolicy::default()
                    .max_retries(4)
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(5))
                    // The emulator's injected 429s ask for a second; the tests need not wait it.
                    .max_rate_limit_wait(Duration::from_millis(5)),
            ),
    )
    .expect("valid config")
}

/// `count` distinct valid US numbers from `+1603555` and four digits starting at `from`.
pub fn numbers(from: u32, count: u32) -> Vec<String> {
    (from..from + count)
        .map(|i| format!("+1603555{i:04}"))
        .collect()
}

/// The numbers the emulator holds associated, on any enterprise.
pub fn associated(mock: &MockHandle) -> BTreeSet<String> {
    mock.world()
        .associations
        .values()
        .map(|a| a.phone_number.to_string())
        .collect()
}
