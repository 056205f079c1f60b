//! `spec/phone-numbers.lock`: where the spec came from. One `key = value` line each; one
//! `source` line (followed by that source's own `source_sha256`) per file it was made from, in
//! the order they were given, one `overlay` line (with its `overlay_sha256`) per overlay of
//! `spec/overlays/` applied, in the order applied, then the spec's own digest and size:
//!
//! ```text
//! source = https://…/phone-numbers.yml
//! source_sha256 = 9a0b…
//! source = https://…/settings.yml
//! source_sha256 = 77c2…
//! overlay = 2026-10-ownership.yml
//! overlay_sha256 = 5d41…
//! sha256 = 3f1c…
//! size = 31337
//! fetched_at = 2026-11-24T03:30:00Z
//! ```

use anyhow::Context;
use sha2::{Digest, Sha256};

/// The lock's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lock {
    /// The paths or URLs the spec was made from, each with the lower-case hex SHA-256 of the
    /// bytes read from it.
    pub sources: Vec<(String, String)>,
    /// The overlays applied (file names in `spec/overlays/`), each with the SHA-256 of its bytes.
    pub overlays: Vec<(String, String)>,
    /// Lower-case hex SHA-256 of the spec's bytes (equal to the source's when the spec is one
    /// source kept byte for byte).
    pub sha256: String,
    /// The spec's length in bytes.
    pub size: u64,
    /// When it was fetched: RFC 3339, UTC, whole seconds.
    pub fetched_at: String,
}

impl Lock {
    /// The lock of the spec `bytes` made now from `sources` and `overlays` (name and bytes read).
    pub fn of<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        overlays: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        bytes: &[u8],
    ) -> Lock {
        Lock {
            sources: digests(sources),
            overlays: digests(overlays),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    /// The file's text, in the order above.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, sha256) in &self.sources {
            out.push_str(&format!("source = {name}\nsource_sha256 = {sha256}\n"));
        }
        for (name, sha256) in &self.overlays {
            out.push_str(&format!("overlay = {name}\noverlay_sha256 = {sha256}\n"));
        }
        out.push_str(&format!(
            "sha256 = {}\nsize = {}\nfetched_at = {}\n",
            self.sha256, self.size, self.fetched_at
        ));
        out
    }

    /// Parses the file's text; other lines are ignored. A `source` without a `source_sha256`
    /// line (as locks written before there could be several sources) has an empty digest.
    pub fn parse(text: &str) -> anyhow::Result<Lock> {
        let pairs: Vec<(&str, &str)> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect();
        let field = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
                .ok_or_else(|| anyhow::anyhow!("lock has no {name}"))
        };
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut overlays: Vec<(String, String)> = Vec::new();
        for (key, value) in &pairs {
            let (list, digest) = match *key {
                "source" => (&mut sources, false),
                "source_sha256" => (&mut sources, true),
                "overlay" => (&mut overlays, false),
                "overlay_sha256" => (&mut overlays, true),
                _ => continue,
            };
            if !digest {
                list.push(((*value).to_owned(), String::new()));
            } else if let Some(last) = list.last_mut() {
                last.1 = (*value).to_owned();
            }
        }
        if sources.is_empty() {
            anyhow::bail!("lock has no source");
        }
        Ok(Lock {
            sources,
            overlays,
            sha256: field("sha256")?,
            size: field("size")?.parse().context("lock size")?,
            fetched_at: field("fetched_at")?,
        })
    }
}

/// Each file's name with the digest of its bytes.
fn digests<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<(String, String)> {
    files
        .into_iter()
        .map(|(name, read)| (name.to_owned(), sha256_hex(read)))
        .collect()
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
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let lock = Lock::of([("spec/x.yml", &b"abc"[..])], [], b"abc");
        assert_eq!(lock.sha256, abc);
        assert_eq!(lock.sources, [("spec/x.yml".to_owned(), abc.to_owned())]);
        assert_eq!(Lock::parse(&lock.render()).unwrap(), lock);
        let two = Lock::of(
            [("a.yml", &b"a"[..]), ("b.yml", &b"b"[..])],
            [("1.yml", &b"abc"[..])],
            b"ab",
        );
        assert_eq!(Lock::parse(&two.render()).unwrap(), two);
        assert!(two.render().starts_with("source = a.yml\nsource_sha256 = "));
        assert!(
            two.render().contains(&format!(
                "overlay = 1.yml\noverlay_sha256 = {abc}\nsha256 = "
            )),
            "{}",
            two.render()
        );
    }
}
