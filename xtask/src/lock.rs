//! `spec/phone-numbers.lock`: where the spec came from. One `key = value` line each:
//!
//! ```text
//! source = https://…/phone-numbers.yml
//! sha256 = 3f1c…
//! size = 31337
//! fetched_at = 2026-11-24T03:30:00Z
//! ```

use anyhow::Context;
use sha2::{Digest, Sha256};

/// The lock's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// The path or URL the spec was read from.
    pub source: String,
    /// Lower-case hex SHA-256 of the spec's bytes.
    pub sha256: String,
    /// The spec's length in bytes.
    pub size: u64,
    /// When it was fetched: RFC 3339, UTC, whole seconds.
    pub fetched_at: String,
}

impl Lock {
    /// The lock of these bytes, fetched now from `source`.
    pub fn of(source: &str, bytes: &[u8]) -> Lock {
        Lock {
            source: source.to_owned(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    /// The file's text: the four `key = value` lines, in the order above.
    pub fn render(&self) -> String {
        format!(
            "source = {}\nsha256 = {}\nsize = {}\nfetched_at = {}\n",
            self.source, self.sha256, self.size, self.fetched_at
        )
    }

    /// Parses the file's text; keys may come in any order, and other lines are ignored.
    pub fn parse(text: &str) -> anyhow::Result<Lock> {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| {
                    l.strip_prefix(name)?
                        .trim_start()
                        .strip_prefix('=')
                        .map(str::trim)
                })
                .map(str::to_owned)
                .ok_or_else(|| anyhow::anyhow!("lock has no {name}"))
        };
        Ok(Lock {
            source: field("source")?,
            sha256: field("sha256")?,
            size: field("size")?.parse().context("lock size")?,
            fetched_at: field("fetched_at")?,
        })
    }
}

/// Lower-case hex SHA-256 of `bytes`, as the lock writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_round_trips() {
        let lock = Lock::of("spec/x.yml", b"abc");
        assert_eq!(
            lock.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Lock::parse(&lock.render()).unwrap(), lock);
    }
}
