//! The TLS of every HTTP client the workspace builds (the SDK's client, the generated client's
//! `Client::new`, the emulator's webhook deliveries, `cargo xtask regen`'s download): rustls
//! with the *ring* crypto provider, verifying servers against the platform's certificate roots
//! through `rustls-platform-verifier`, as reqwest's own default does.
//!
//! Why not reqwest's default: its `rustls` feature brings the aws-lc-rs provider, whose C build
//! (`aws-lc-sys`) took a minute of every cold build of the workspace, a fifth of all the
//! dependencies' build time; *ring* builds in a few seconds. reqwest is built without a provider
//! (`rustls-no-provider`), so every client must get its TLS from here: a reqwest client built
//! any other way has none and panics when it is built. The configuration is handed to each
//! client ([`reqwest::ClientBuilder::tls_backend_preconfigured`]); nothing is installed
//! process-wide, so a service that installs its own rustls provider is not disturbed.
//!
//! ```
//! use telnyx_reputation_tls::{Trust, client_builder};
//!
//! let client = client_builder(Trust::Platform)?.build()?;
//! # let _ = client;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;

/// Which servers a client's TLS trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trust {
    /// Servers whose certificate chains to one of the platform's roots (on Linux, the system's
    /// CA bundle, read when the configuration is made: a few milliseconds).
    Platform,
    /// No server at all: for a client that only ever speaks plain http (the emulator on
    /// loopback), which then does not read the system's roots; a TLS handshake fails as
    /// untrusted.
    Nothing,
}

/// Why no TLS configuration could be made: the platform gave no certificate roots.
#[derive(Debug, thiserror::Error)]
#[error("no TLS configuration: {0}")]
pub struct TlsError(#[from] rustls::Error);

/// The rustls configuration: TLS 1.2 and 1.3 with *ring*'s cipher suites, the server verified
/// as `trust` says, no client certificate, and HTTP/2 or HTTP/1.1 offered by ALPN.
pub fn client_config(trust: Trust) -> Result<ClientConfig, TlsError> {
    match trust {
        Trust::Nothing => Ok(untrusting_config()),
        Trust::Platform => {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let verifier = platform_verifier(Arc::clone(&provider))?;
            let mut config = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth();
            config.alpn_protocols = alpn();
            Ok(config)
        }
    }
}

/// A reqwest builder with [`client_config`]'s TLS; everything else is reqwest's default.
pub fn client_builder(trust: Trust) -> Result<reqwest::ClientBuilder, TlsError> {
    Ok(reqwest::ClientBuilder::new().tls_backend_preconfigured(client_config(trust)?))
}

/// [`client_builder`] for a caller that cannot return an error (the generated client's
/// `Client::new`): when the platform has no certificate roots, the builder trusts nothing, so
/// every https request fails with an untrusted-certificate error instead of no client at all.
pub fn client_builder_or_untrusting(trust: Trust) -> reqwest::ClientBuilder {
    let config = client_config(trust).unwrap_or_else(|_| untrusting_config());
    reqwest::ClientBuilder::new().tls_backend_preconfigured(config)
}

/// The configuration of [`Trust::Nothing`], which reads nothing from the platform.
fn untrusting_config() -> ClientConfig {
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            // *ring* has cipher suites for both default versions (TLS 1.2 and 1.3), the one condition
            // of this call: a fact of the crate, not of any input.
            .expect("ring supports TLS 1.2 and 1.3")
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
    config.alpn_protocols = alpn();
    config
}

/// The protocols offered by ALPN: HTTP/2, then HTTP/1.1 (reqwest's own order).
fn alpn() -> Vec<Vec<u8>> {
    vec![b"h2".to_vec(), b"http/1.1".to_vec()]
}

/// The platform verifier (the system's roots on Linux).
fn platform_verifier(
    provider: Arc<CryptoProvider>,
) -> Result<Arc<rustls_platform_verifier::Verifier>, rustls::Error> {
    rustls_platform_verifier::Verifier::new(provider).map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn suite_names(provider: &CryptoProvider) -> Vec<String> {
        provider
            .cipher_suites
            .iter()
            .map(|s| format!("{:?}", s.suite()))
            .collect()
    }

    #[test]
    fn every_trust_speaks_rings_suites_and_offers_h2_then_http1() {
        let ring = suite_names(&rustls::crypto::ring::default_provider());
        let mut trusts = vec![Trust::Nothing];
        // A machine without a CA bundle has no platform trust (its error is tested below).
        if client_config(Trust::Platform).is_ok() {
            trusts.push(Trust::Platform);
        }
        for trust in trusts {
            let config = client_config(trust).unwrap();
            assert_eq!(suite_names(config.crypto_provider()), ring, "{trust:?}");
            assert_eq!(
                config.alpn_protocols,
                [b"h2".to_vec(), b"http/1.1".to_vec()]
            );
        }
    }

    #[test]
    fn the_untrusting_builder_is_the_fallback_and_always_builds() {
        assert!(
            client_builder_or_untrusting(Trust::Platform)
                .build()
                .is_ok()
        );
        assert!(client_builder_or_untrusting(Trust::Nothing).build().is_ok());
    }

    #[tokio::test]
    async fn a_client_that_trusts_nothing_still_speaks_plain_http() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 1024];
            let _ = socket.read(&mut request).await.unwrap();
            socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await
                .unwrap();
        });
        let client = client_builder(Trust::Nothing).unwrap().build().unwrap();
        let answer = client.get(format!("http://{addr}/")).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.text().await.unwrap(), "ok");
        server.await.unwrap();
    }
}
