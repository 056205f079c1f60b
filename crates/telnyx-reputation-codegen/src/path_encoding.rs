//! Path parameters percent-encoded as the API requires.
//!
//! progenitor's `encode_path` follows the WHATWG path-segment set, which leaves `+` raw; the API
//! reads a raw `+` in `/reputation/numbers/+16035551234` as something other than the number, and
//! documents `%2B16035551234`. The generated code imports `encode_path` from
//! `progenitor_client`; this rewrite drops that import and defines [`ENCODE_PATH`] in the
//! generated file instead, so every path parameter of every operation goes through it.

use crate::CodegenError;

/// The bytes a path segment may carry unencoded: RFC 3986 `unreserved`. Everything else,
/// `+` included, is sent as `%XX`.
pub fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes one path segment: every byte outside [`is_unreserved`] becomes `%XX`.
///
/// This is the function the generated client calls for each path parameter.
///
/// ```
/// use telnyx_reputation_codegen::path_encoding::encode_segment;
/// assert_eq!(encode_segment("+16035551234"), "%2B16035551234");
/// assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
/// ```
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() + 8);
    for &byte in segment.as_bytes() {
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// The source of the `encode_path` that the generated client uses (the same algorithm as
/// [`encode_segment`], which tests compare it against).
pub const ENCODE_PATH: &str = r#"
/// Percent-encodes one path segment: every byte outside RFC 3986 `unreserved` becomes `%XX`, so
/// `+16035551234` is sent as `%2B16035551234`.
pub fn encode_path(segment: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(segment.len() + 8);
    for &byte in segment.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}
"#;

/// Replaces the generated file's `progenitor_client::encode_path` imports (at the top and in
/// nested modules such as `builder`) with [`ENCODE_PATH`], defined once at the top.
pub(crate) fn apply(file: &mut syn::File) -> Result<(), CodegenError> {
    let removed = rewrite_items(&mut file.items, 0)?;
    if removed == 0 {
        // The generator changed how it encodes paths; refuse rather than ship raw `+`.
        return Err(CodegenError::Generator(
            "the generated code no longer imports progenitor_client::encode_path; \
             path encoding must be revisited"
                .into(),
        ));
    }
    let function: syn::File = syn::parse_str(ENCODE_PATH)
        .map_err(|e| CodegenError::Generator(format!("encode_path does not parse: {e}")))?;
    file.items.extend(function.items);
    Ok(())
}

/// Rewrites the imports of one module at `depth` (0 = the generated file itself) and of the
/// modules inside it; returns how many imports were replaced.
fn rewrite_items(items: &mut Vec<syn::Item>, depth: usize) -> Result<usize, CodegenError> {
    let mut removed = 0;
    for item in items.iter_mut() {
        match item {
            syn::Item::Use(item_use) => {
                removed += usize::from(remove_encode_path(&mut item_use.tree))
            }
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = module.content.as_mut() {
                    removed += rewrite_items(inner, depth + 1)?;
                }
            }
            _ => {}
        }
    }
    if depth > 0 && removed > 0 {
        let path = format!("use {}encode_path;", "super::".repeat(depth));
        let import: syn::Item = syn::parse_str(&path)
            .map_err(|e| CodegenError::Generator(format!("{path} does not parse: {e}")))?;
        items.insert(0, import);
    }
    Ok(removed)
}

/// Removes `encode_path` from `progenitor_client::{...}`; true when it was there.
fn remove_encode_path(tree: &mut syn::UseTree) -> bool {
    let syn::UseTree::Path(path) = tree else {
        return false;
    };
    if path.ident != "progenitor_client" {
        return false;
    }
    let syn::UseTree::Group(group) = path.tree.as_mut() else {
        return false;
    };
    let before = group.items.len();
    group.items = group
        .items
        .clone()
        .into_iter()
        .filter(|t| !matches!(t, syn::UseTree::Name(n) if n.ident == "encode_path"))
        .collect();
    group.items.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_and_reserved_characters_are_encoded() {
        assert_eq!(encode_segment("+16035551234"), "%2B16035551234");
        assert_eq!(
            encode_segment("6a09cdc3-8948-47f0-aa62-74ac943d6c58"),
            "6a09cdc3-8948-47f0-aa62-74ac943d6c58"
        );
        assert_eq!(encode_segment("a b/c?d#e%f"), "a%20b%2Fc%3Fd%23e%25f");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn generated_helper_is_the_same_algorithm() {
        // The generated source must define exactly the function tested above.
        assert!(ENCODE_PATH.contains("pub fn encode_path(segment: &str) -> String"));
        assert!(ENCODE_PATH.contains("matches!(byte, b'-' | b'.' | b'_' | b'~')"));
    }
}
