//! Typed answers read by the API crate's own reader instead of progenitor's.
//!
//! progenitor reads every JSON answer with `ResponseValue::from_response`, which clones the
//! headers and checks UTF-8 string by string (`serde_json::from_slice`). The API crate's
//! `decode::from_response` does the same job, with the same results and errors, for a fraction of
//! the instructions on an answer of many short strings (see that module). This rewrite points
//! every generated call at it. Should the generator stop calling `from_response`, nothing is
//! rewritten and the API crate's reader goes unused, which its build refuses (`dead_code` under
//! `-D warnings`).

/// How the generated code calls progenitor's reader.
const PROGENITOR: &str = "ResponseValue::from_response(";
/// The API crate's reader, called the same way.
const OURS: &str = "crate::decode::from_response(";

/// Replaces every call of progenitor's reader in the generated source with the API crate's.
pub(crate) fn apply(code: String) -> String {
    code.replace(PROGENITOR, OURS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_is_pointed_at_the_api_crates_reader() {
        let code = "201u16 => ResponseValue::from_response(response).await,\n\
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),";
        let rewritten = apply(code.to_owned());
        assert_eq!(rewritten.matches(OURS).count(), 2);
        assert!(!rewritten.contains(PROGENITOR));
    }
}
