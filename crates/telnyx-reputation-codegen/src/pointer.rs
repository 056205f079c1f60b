//! JSON pointers (RFC 6901) that name where in the document a construct sits.

/// Escapes one reference token: `~` becomes `~0` and `/` becomes `~1`.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one token to a pointer.
pub(crate) fn push(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keys_are_escaped() {
        assert_eq!(
            push("/paths", "/reputation/numbers/{phone_number}"),
            "/paths/~1reputation~1numbers~1{phone_number}"
        );
        assert_eq!(escape("a~b"), "a~0b");
    }
}
