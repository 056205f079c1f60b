//! Calls the generated code makes into progenitor's runtime or reqwest, pointed at the API
//! crate's own functions of the same signature. Each is a plain textual rewrite of one call
//! expression in the formatted source. Should the generator stop making a call, nothing is
//! rewritten and the API crate's function goes unused, which its build refuses (`dead_code`
//! under `-D warnings`): a rewrite cannot silently stop applying.
//!
//! - **Typed answers.** progenitor reads every JSON answer with `ResponseValue::from_response`,
//!   which clones the headers and checks UTF-8 string by string (`serde_json::from_slice`). The
//!   API crate's `decode::from_response` does the same job, with the same results and errors,
//!   for a fraction of the instructions on an answer of many short strings (see that module).
//! - **The HTTP client of `Client::new`.** progenitor starts it from
//!   `reqwest::ClientBuilder::new()`. The workspace builds reqwest without a rustls crypto
//!   provider (see `telnyx-reputation-tls`), so that builder would make a client with no TLS and
//!   `Client::new` would panic. The API crate's `http_client_builder()` hands it rustls on
//!   *ring*; progenitor's timeouts are then set on it as before.

/// Each call as the generator writes it, and the API crate's function called the same way.
const REWRITES: &[(&str, &str)] = &[
    (
        "ResponseValue::from_response(",
        "crate::decode::from_response(",
    ),
    (
        "reqwest::ClientBuilder::new()",
        "crate::http_client_builder()",
    ),
];

/// Points every call of [`REWRITES`] in the generated source at the API crate's function.
pub(crate) fn apply(mut code: String) -> String {
    for (progenitor, ours) in REWRITES {
        code = code.replace(progenitor, ours);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_is_read_by_the_api_crates_reader() {
        let code = "201u16 => ResponseValue::from_response(response).await,\n\
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),";
        let rewritten = apply(code.to_owned());
        assert_eq!(
            rewritten.matches("crate::decode::from_response(").count(),
            2
        );
        assert!(!rewritten.contains("ResponseValue::from_response("));
    }

    #[test]
    fn the_generated_constructor_builds_through_the_api_crate() {
        let code = "let client = {\n    let dur = ::std::time::Duration::from_secs(15u64);\n    \
                    reqwest::ClientBuilder::new().connect_timeout(dur).timeout(dur)\n};";
        let rewritten = apply(code.to_owned());
        assert!(rewritten.contains("crate::http_client_builder().connect_timeout(dur)"));
        assert!(!rewritten.contains("reqwest::ClientBuilder::new()"));
    }
}
