//! Snapshots: a report saved as JSON lines, one number a line with all of its reputation
//! fields and its ownership tracking, so that the next report can say what changed (`--save`
//! then `--since`). A snapshot written before ownership tracking (no `source`,
//! `ownership_status`, `confirm_by`) still reads: those fields are unknown.
//!
//! Writing streams row by row. Reading keeps only what a comparison needs, in a sorted vector
//! (about 60 bytes a number), and refuses a damaged file with its line number: a line longer
//! than [`MAX_LINE`], a line that is not a row, or a number given twice.

use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use telnyx_e164::UsNumber;

use chrono::{DateTime, Utc};

use super::ownership::{Ownership, Tracking};
use super::row::{Risk, Row};
use crate::reputation::{Reputation, Score};

/// The longest snapshot line read (64 KiB); a real row is under 400 bytes.
pub const MAX_LINE: usize = 64 * 1024;

/// Why a snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The file could not be opened, read or written.
    #[error("snapshot {path}: {source}")]
    Io {
        /// The snapshot file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// A line is not a snapshot row; nothing of the file is used.
    #[error("snapshot {path}: line {line}: {reason}")]
    Format {
        /// The snapshot file.
        path: PathBuf,
        /// The 1-based number of the offending line.
        line: u64,
        /// What is wrong with it, in words.
        reason: String,
    },
}

/// Writes rows as JSON lines, one number a line.
#[derive(Debug)]
pub struct SnapshotWriter<W: Write> {
    out: W,
    path: PathBuf,
    rows: u64,
}

impl<W: Write> SnapshotWriter<W> {
    /// Writes to `out`; `path` only names the file in errors.
    pub fn new(out: W, path: impl Into<PathBuf>) -> Self {
        SnapshotWriter {
            out,
            path: path.into(),
            rows: 0,
        }
    }

    /// Appends one row as one line.
    pub fn write(&mut self, row: &Row) -> Result<(), SnapshotError> {
        serde_json::to_writer(&mut self.out, row)
            .map_err(io::Error::from)
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|source| self.io(source))?;
        self.rows = self.rows.saturating_add(1);
        Ok(())
    }

    /// Flushes and returns the writer and how many rows were written.
    pub fn finish(mut self) -> Result<(W, u64), SnapshotError> {
        self.out.flush().map_err(|source| self.io(source))?;
        Ok((self.out, self.rows))
    }

    fn io(&self, source: io::Error) -> SnapshotError {
        SnapshotError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// What a snapshot said of one number: what a comparison needs, and no more.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prior {
    /// The number's risk level then (`None` without data, or for a bucket this client does
    /// not know: see [`Risk::of`]).
    pub spam_risk: Option<Risk>,
    /// Its category label then.
    pub spam_category: Option<Box<str>>,
    /// Its four scores then, in [`Score::ALL`] order.
    pub scores: [Option<u8>; 4],
    /// Its ownership status then; `None` when the snapshot does not say.
    pub ownership_status: Option<Ownership>,
    /// Its deadline to confirm ownership then.
    pub confirm_by: Option<DateTime<Utc>>,
}

impl Prior {
    fn of(reputation: Reputation, tracking: Tracking) -> Prior {
        Prior {
            spam_risk: reputation.spam_risk.as_ref().and_then(Risk::of),
            scores: Score::ALL.map(|s| reputation.score(s)),
            spam_category: reputation.spam_category,
            ownership_status: tracking.ownership_status,
            confirm_by: tracking.confirm_by,
        }
    }
}

/// A saved snapshot, read for comparison: its numbers in order, each with its [`Prior`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    entries: Vec<(UsNumber, Prior)>,
}

impl Snapshot {
    /// Reads a snapshot file.
    pub fn read_path(path: &Path) -> Result<Snapshot, SnapshotError> {
        let file = std::fs::File::open(path).map_err(|source| SnapshotError::Io {
            path: path.to_owned(),
            source,
        })?;
        Snapshot::read(io::BufReader::new(file), path)
    }

    /// Reads snapshot lines from `input`; `path` only names the file in errors. Blank lines
    /// are skipped.
    pub fn read(mut input: impl BufRead, path: &Path) -> Result<Snapshot, SnapshotError> {
        let format = |line: u64, reason: String| SnapshotError::Format {
            path: path.to_owned(),
            line,
            reason,
        };
        let mut entries = Vec::new();
        let mut buf = Vec::new();
        let mut line = 0u64;
        loop {
            buf.clear();
            let limit = u64::try_from(MAX_LINE)
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let read = Read::by_ref(&mut input)
                .take(limit)
                .read_until(b'\n', &mut buf)
                .map_err(|source| SnapshotError::Io {
                    path: path.to_owned(),
                    source,
                })?;
            if read == 0 {
                break;
            }
            line = line.saturating_add(1);
            if buf.last() != Some(&b'\n') && buf.len() > MAX_LINE {
                return Err(format(line, format!("longer than {MAX_LINE} bytes")));
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let row: Row = serde_json::from_slice(&buf)
                .map_err(|e| format(line, format!("not a snapshot row: {e}")))?;
            entries.push((
                row.phone_number,
                Prior::of(row.reputation, row.tracking),
                line,
            ));
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        if let Some(pair) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format(
                pair[1].2,
                format!("{} is already on line {}", pair[1].0, pair[0].2),
            ));
        }
        Ok(Snapshot {
            entries: entries.into_iter().map(|(n, p, _)| (n, p)).collect(),
        })
    }

    /// How many numbers the snapshot holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the snapshot holds no number.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where `number` is in the snapshot, if it is.
    pub(crate) fn position(&self, number: &UsNumber) -> Option<usize> {
        self.entries.binary_search_by(|(n, _)| n.cmp(number)).ok()
    }

    /// The entry at `index`, as [`Snapshot::position`] found it.
    pub(crate) fn entry(&self, index: usize) -> Option<&(UsNumber, Prior)> {
        self.entries.get(index)
    }

    /// What the snapshot said of `number`, if it held it.
    pub fn get(&self, number: &UsNumber) -> Option<&Prior> {
        self.position(number)
            .and_then(|i| self.entries.get(i))
            .map(|(_, p)| p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: &str, risk: Option<Risk>) -> Row {
        Row {
            phone_number: number.parse().unwrap(),
            enterprise_id: None,
            reputation: Reputation {
                spam_risk: risk.map(Into::into),
                maturity_score: Some(50),
                ..Reputation::default()
            },
            tracking: Default::default(),
        }
    }

    #[test]
    fn a_written_snapshot_reads_back() {
        let mut w = SnapshotWriter::new(Vec::new(), "s.jsonl");
        w.write(&row("+16035551235", Some(Risk::High))).unwrap();
        w.write(&row("+16035551234", None)).unwrap();
        let (bytes, rows) = w.finish().unwrap();
        assert_eq!(rows, 2);
        assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 2);
        let s = Snapshot::read(&bytes[..], Path::new("s.jsonl")).unwrap();
        assert_eq!(s.len(), 2);
        let p = s.get(&"+16035551235".parse().unwrap()).unwrap();
        assert_eq!(p.spam_risk, Some(Risk::High));
        assert_eq!(p.scores, [Some(50), None, None, None]);
        assert!(s.get(&"+16035551299".parse().unwrap()).is_none());
    }

    #[test]
    fn ownership_tracking_is_saved_and_an_old_snapshot_reads_it_as_unknown() {
        let mut tracked = row("+16035551236", None);
        tracked.tracking = Tracking {
            source: Some(crate::report::Source::External),
            ownership_status: Some(Ownership::PendingConfirmation),
            confirm_by: Some("2026-10-08T07:00:00Z".parse().unwrap()),
        };
        let mut w = SnapshotWriter::new(Vec::new(), "s");
        w.write(&tracked).unwrap();
        let (mut bytes, _) = w.finish().unwrap();
        bytes.extend_from_slice(b"{\"phone_number\":\"+16035551237\",\"spam_risk\":\"low\"}\n");
        let s = Snapshot::read(&bytes[..], Path::new("s")).unwrap();
        let p = s.get(&"+16035551236".parse().unwrap()).unwrap();
        assert_eq!(p.ownership_status, Some(Ownership::PendingConfirmation));
        assert_eq!(p.confirm_by, tracked.tracking.confirm_by);
        let old = s.get(&"+16035551237".parse().unwrap()).unwrap();
        assert_eq!((old.ownership_status, old.confirm_by), (None, None));
        assert_eq!(old.spam_risk, Some(Risk::Low));
    }

    /// Lines as `report --save` wrote them before the bucket was an open enum read exactly as
    /// they did, and a row writes the same line again.
    #[test]
    fn a_snapshot_written_before_the_open_bucket_reads_and_writes_as_it_did() {
        let lines = [
            r#"{"phone_number":"+16035551234","enterprise_id":"6a09cdc3-8948-47f0-aa62-74ac943d6c58","spam_risk":"high","spam_category":"Political","maturity_score":66,"connection_score":5,"engagement_score":33,"sentiment_score":17,"last_refreshed_at":"2026-12-07T04:10:30.263265751Z","source":"telnyx","ownership_status":"verified","confirm_by":null}"#,
            r#"{"phone_number":"+16035551235","enterprise_id":null,"spam_risk":null,"spam_category":null,"maturity_score":null,"connection_score":null,"engagement_score":null,"sentiment_score":null,"last_refreshed_at":null,"source":null,"ownership_status":null,"confirm_by":null}"#,
        ];
        for line in lines {
            let row: Row = serde_json::from_str(line).unwrap();
            assert_eq!(serde_json::to_string(&row).unwrap(), line);
        }
        let text = lines.join("\n");
        let s = Snapshot::read(text.as_bytes(), Path::new("old.jsonl")).unwrap();
        let high = s.get(&"+16035551234".parse().unwrap()).unwrap();
        assert_eq!(high.spam_risk, Some(Risk::High));
        assert_eq!(high.scores, [Some(66), Some(5), Some(33), Some(17)]);
        assert_eq!(high.spam_category.as_deref(), Some("Political"));
        assert_eq!(high.ownership_status, Some(Ownership::Verified));
        let none = s.get(&"+16035551235".parse().unwrap()).unwrap();
        assert_eq!((none.spam_risk, none.scores), (None, [None; 4]));
    }

    #[test]
    fn a_damaged_line_is_refused_with_its_number() {
        let text = "{\"phone_number\":\"+16035551234\"}\n\nnot json\n";
        let e = Snapshot::read(text.as_bytes(), Path::new("s.jsonl")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("snapshot s.jsonl: line 3: not a snapshot row"),
            "{e}"
        );
    }

    #[test]
    fn a_number_twice_is_refused_naming_both_lines() {
        let text = "{\"phone_number\":\"+16035551234\"}\n{\"phone_number\":\"+16035551235\"}\n{\"phone_number\":\"+16035551234\"}\n";
        let e = Snapshot::read(text.as_bytes(), Path::new("s")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "snapshot s: line 3: +16035551234 is already on line 1"
        );
    }

    #[test]
    fn an_overlong_line_is_refused_without_reading_it_whole() {
        let mut text = vec![b'x'; MAX_LINE * 4];
        text.push(b'\n');
        let e = Snapshot::read(&text[..], Path::new("s")).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("snapshot s: line 1: longer than {MAX_LINE} bytes")
        );
    }
}
