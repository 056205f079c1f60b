//! What the wire tests share: the key, enterprise and number they send, and a generated client
//! that sends the bearer header as the SDK's does.

use telnyx_reputation_api::Client;
use uuid::Uuid;

pub const KEY: &str = "KEY0123456789";
pub const ENTERPRISE: &str = "6a09cdc3-8948-47f0-aa62-74ac943d6c58";
pub const NUMBER: &str = "+16035551234";

/// [`ENTERPRISE`] as a UUID.
pub fn enterprise() -> Uuid {
    ENTERPRISE.parse().expect("valid uuid")
}

/// A generated client whose reqwest client sends the bearer header, as the SDK's does.
pub fn client(base_url: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {KEY}").parse().expect("valid header"),
    );
    let http = telnyx_reputation_tls::client_builder(telnyx_reputation_tls::Trust::Nothing)
        .expect("TLS set-up")
        .default_headers(headers)
        .build()
        .expect("client builds");
    Client::new_with_client(base_url, http, telnyx_reputation_api::Hooks::default())
}
