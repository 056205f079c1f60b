//! The reqwest client of the generated `Client::new`, built by the API crate's own builder.
//!
//! progenitor's `Client::new` starts from `reqwest::ClientBuilder::new()`. The workspace builds
//! reqwest without a rustls crypto provider (see `telnyx-reputation-tls`), so that builder would
//! make a client with no TLS, and `Client::new` would panic. This rewrite points it at the API
//! crate's `http_client_builder()`, which hands it rustls on *ring*; progenitor's timeouts are
//! then set on it as before. Should the generator stop calling `ClientBuilder::new()`, nothing is
//! rewritten and the API crate's builder goes unused, which its build refuses (`dead_code` under
//! `-D warnings`).

/// How the generated code starts a reqwest client.
const PROGENITOR: &str = "reqwest::ClientBuilder::new()";
/// The API crate's builder, called the same way.
const OURS: &str = "crate::http_client_builder()";

/// Replaces every `reqwest::ClientBuilder::new()` of the generated source with the API crate's
/// builder.
pub(crate) fn apply(code: String) -> String {
    code.replace(PROGENITOR, OURS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_constructor_builds_through_the_api_crate() {
        let code = "let client = {\n    let dur = ::std::time::Duration::from_secs(15u64);\n    \
                    reqwest::ClientBuilder::new().connect_timeout(dur).timeout(dur)\n};";
        let rewritten = apply(code.to_owned());
        assert!(rewritten.contains("crate::http_client_builder().connect_timeout(dur)"));
        assert!(!rewritten.contains(PROGENITOR));
    }
}
