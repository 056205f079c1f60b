//! The API key: kept out of `Debug`, `Display`, logs and error messages.

use std::fmt;

/// A Telnyx API key.
///
/// Its `Debug` and `Display` print `ApiKey(****)`; the only way to the secret is
/// [`ApiKey::expose`], which the client calls once, to build the `Authorization` header (marked
/// sensitive, so reqwest does not print it either).
///
/// ```
/// use telnyx_reputation::ApiKey;
/// let key = ApiKey::new("KEY0123");
/// assert_eq!(format!("{key:?}"), "ApiKey(****)");
/// assert_eq!(key.expose(), "KEY0123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key as given; it is never printed (its `Debug` shows only that a key is set).
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The secret itself. Call sites of this function are the places the key can leak from.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A fingerprint of the key that tells two keys apart and cannot be used in its place: the
    /// first 8 bytes of its SHA-256, as 16 hex digits. Journals record it (never the key).
    ///
    /// ```
    /// use telnyx_reputation::ApiKey;
    /// let fingerprint = ApiKey::new("KEY0123").fingerprint();
    /// assert_eq!(fingerprint.len(), 16);
    /// assert_ne!(fingerprint, ApiKey::new("KEY0124").fingerprint());
    /// ```
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.0.as_bytes())[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(****)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}
