//! The journal file: checksummed lines written ahead, verified and folded on reading, a torn
//! last line cut off before appending resumes, one writer at a time ([`super::lock`]), and no
//! line after a failed write.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::lock::Locked;
use super::{Event, Header, JournalError, Replay, VERSION};

/// A line's checksum: the first 8 bytes of SHA-256(previous sum ‖ line text without its sum).
type Sum = [u8; 8];

/// The "previous sum" of the header line.
const FIRST: Sum = [0; 8];

/// What a line ends with, before its 16 hex digits and `"}`.
const SUM_FIELD: &str = ",\"sum\":\"";

fn sum(previous: &Sum, content: &[u8]) -> Sum {
    let digest = Sha256::new()
        .chain_update(previous)
        .chain_update(content)
        .finalize();
    let mut out = [0; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

fn hex(sum: &Sum) -> [u8; 16] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 16];
    for (i, b) in sum.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0xf)];
    }
    out
}

/// Where appending continues after a replay.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tail {
    /// Bytes of verified lines; anything after is a torn line to cut off.
    len: u64,
    /// The sum of the last verified line.
    last: Sum,
    /// Whether the last verified line lacks its newline (the process died between the two):
    /// the newline is written before the next line.
    unterminated: bool,
    /// The size of the file when it was read: a file that has another size when it is opened
    /// to append was written since, by someone else.
    read_len: u64,
}

/// An open journal, appending.
#[derive(Debug)]
pub(crate) struct Writer {
    path: PathBuf,
    file: Locked,
    last: Sum,
    /// Why an earlier write or fsync failed: from then on nothing more is appended, since the
    /// file may end in a part of a line, and lines after it would not verify.
    poisoned: Option<String>,
    #[cfg(any(test, feature = "test-hooks"))]
    appends: u64,
    #[cfg(any(test, feature = "test-hooks"))]
    crash_after: Option<u64>,
}

impl Writer {
    /// Creates a new journal (mode 0600 on unix) with its header, locked for this process
    /// until the journal is dropped; refuses to overwrite an existing file.
    pub fn create(path: &Path, header: &Header) -> Result<Writer, JournalError> {
        let mut options = OpenOptions::new();
        options.append(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => JournalError::Exists(path.to_owned()),
            _ => JournalError::Io {
                path: path.to_owned(),
                source,
            },
        })?;
        let file = Locked::new(path, file)?;
        let mut journal = Writer::over(path, file, FIRST);
        let text = serde_json::to_string(header).map_err(|e| journal.format(e))?;
        // Nothing was sent yet: a header that cannot be written is the file's fault, not a
        // journal of a job to resume.
        if let Err(e) = journal.write_line(text, true) {
            return Err(match e {
                JournalError::Poisoned { path, cause } => JournalError::Io {
                    path,
                    source: std::io::Error::other(cause),
                },
                other => other,
            });
        }
        // The directory entry must survive a crash too.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(journal)
    }

    /// Opens the journal that `replay` was read from to append to it, locked for this process
    /// until the journal is dropped: a journal another process holds is refused
    /// ([`JournalError::Locked`]), and so is one written since it was read
    /// ([`JournalError::Changed`]). Then a torn last line is cut off, and a last line whole but
    /// for its newline gets it, so that what is appended follows the last verified line.
    pub fn open_append(path: &Path, replay: &Replay) -> Result<Writer, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_owned(),
            source,
        };
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        let mut file = Locked::new(path, file)?;
        let tail = replay.tail;
        let len = file.file().metadata().map_err(io)?.len();
        if len != tail.read_len {
            return Err(JournalError::Changed(path.to_owned()));
        }
        if len != tail.len {
            tracing::warn!(journal = %path.display(), "cutting off a torn last line");
            file.file().set_len(tail.len).map_err(io)?;
            file.file().sync_all().map_err(io)?;
        }
        if tail.unterminated {
            file.file().write_all(b"\n").map_err(io)?;
            file.file().sync_data().map_err(io)?;
        }
        Ok(Writer::over(path, file, tail.last))
    }

    fn over(path: &Path, file: Locked, last: Sum) -> Writer {
        Writer {
            path: path.to_owned(),
            file,
            last,
            poisoned: None,
            #[cfg(any(test, feature = "test-hooks"))]
            appends: 0,
            #[cfg(any(test, feature = "test-hooks"))]
            crash_after: None,
        }
    }

    /// Test hook: every append after the `n`th fails as if the process had died.
    #[cfg(any(test, feature = "test-hooks"))]
    pub(crate) fn crash_after(&mut self, n: Option<u64>) {
        self.crash_after = n;
    }

    /// Appends one event, then flushes and fsyncs it (and every line before it). After a write
    /// or fsync that failed, nothing more is appended: every later call is refused with
    /// [`JournalError::Poisoned`], as the failed one was.
    pub fn append(&mut self, event: &Event) -> Result<(), JournalError> {
        self.append_with(event, true)
    }

    /// Appends one event without an fsync: it is durable once a later [`append`](Self::append)
    /// returns. For runs of lines that mean nothing until a synced line closes them (the plan,
    /// closed by `planned`).
    pub fn append_unsynced(&mut self, event: &Event) -> Result<(), JournalError> {
        self.append_with(event, false)
    }

    fn append_with(&mut self, event: &Event, sync: bool) -> Result<(), JournalError> {
        self.refuse_if_poisoned()?;
        #[cfg(any(test, feature = "test-hooks"))]
        {
            if let Some(limit) = self.crash_after
                && self.appends >= limit
            {
                return Err(JournalError::SimulatedCrash(limit));
            }
            self.appends += 1;
        }
        let text = serde_json::to_string(event).map_err(|e| self.format(e))?;
        self.write_line(text, sync)
    }

    fn refuse_if_poisoned(&self) -> Result<(), JournalError> {
        match &self.poisoned {
            Some(cause) => Err(JournalError::Poisoned {
                path: self.path.clone(),
                cause: cause.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Writes one line: `text` with its sum spliced in before the closing brace. A write or
    /// fsync that fails poisons the journal.
    fn write_line(&mut self, mut text: String, sync: bool) -> Result<(), JournalError> {
        self.refuse_if_poisoned()?;
        let last = sum(&self.last, text.as_bytes());
        text.pop(); // the closing brace of the object
        text.push_str(SUM_FIELD);
        text.extend(hex(&last).map(char::from));
        text.push_str("\"}");
        text.push('\n');
        let file = self.file.file();
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.flush())
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        if let Err(e) = written {
            let cause = e.to_string();
            self.poisoned = Some(cause.clone());
            tracing::debug!(journal = %self.path.display(), error = %cause, "journal write failed; nothing more is written to it");
            return Err(JournalError::Poisoned {
                path: self.path.clone(),
                cause,
            });
        }
        self.last = last;
        Ok(())
    }

    fn format(&self, e: serde_json::Error) -> JournalError {
        JournalError::Format {
            path: self.path.clone(),
            line: 0,
            reason: e.to_string(),
        }
    }
}

/// Splits a line into its text without the sum, and the sum it carries.
fn split_sum(line: &[u8]) -> Option<(Vec<u8>, Sum)> {
    let body = line.strip_suffix(b"\"}")?;
    let (head, digits) = body.split_at_checked(body.len().checked_sub(16)?)?;
    let head = head.strip_suffix(SUM_FIELD.as_bytes())?;
    let mut carried = [0u8; 8];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        if text
            .bytes()
            .any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return None;
        }
        carried[i] = u8::from_str_radix(text, 16).ok()?;
    }
    let mut content = head.to_vec();
    content.push(b'}');
    Some((content, carried))
}

/// Reads, verifies and folds a journal.
///
/// Every line ends with a newline but perhaps the last: a process that died between a line and
/// its newline left a whole line, and a whole line that verifies (its checksum) is a record
/// like any other. A journal of another format version is refused on its first line, naming
/// both versions.
pub(super) fn read(path: &Path) -> Result<Replay, JournalError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|source| JournalError::Io {
            path: path.to_owned(),
            source,
        })?;
    let bad = |line: usize, reason: String| JournalError::Format {
        path: path.to_owned(),
        line,
        reason,
    };
    // The lines, each with the offset just past it (its newline, when it has one).
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            lines.push((&bytes[start..i], i + 1));
            start = i + 1;
        }
    }
    let terminated = lines.len();
    if start < bytes.len() {
        lines.push((&bytes[start..], bytes.len()));
    }
    let no_header = || bad(1, "no complete job header".into());
    let Some(&(first, first_end)) = lines.first() else {
        return Err(no_header());
    };
    let mut replay = Replay::default();
    let header_only_torn = terminated == 0;
    let Some((content, mut last)) = split_sum(first) else {
        if header_only_torn {
            return Err(no_header());
        }
        // No checksum: the header of another version (checksums came with version 2), or
        // not a journal at all.
        return Err(bad(
            1,
            other_version(first).unwrap_or_else(|| "the job header has no checksum".into()),
        ));
    };
    if let Some(why) = other_version(&content) {
        return Err(bad(1, why));
    }
    let header: Header = serde_json::from_slice(&content).map_err(|e| {
        if header_only_torn {
            no_header()
        } else {
            bad(1, e.to_string())
        }
    })?;
    if sum(&FIRST, &content) != last {
        return Err(if header_only_torn {
            no_header()
        } else {
            bad(1, "checksum mismatch in the job header".into())
        });
    }
    if header.event != "job" {
        return Err(bad(1, "the first line is not a job header".into()));
    }
    replay.header = Some(header);
    let mut len = first_end;
    let last_line = lines.len() - 1;
    for (i, &(line, end)) in lines.iter().enumerate().skip(1) {
        let number = i + 1;
        let torn_allowed = i == last_line;
        let verified = split_sum(line).filter(|(content, carried)| sum(&last, content) == *carried);
        let event = match verified {
            Some((content, carried)) => {
                last = carried;
                serde_json::from_slice::<Event>(&content).map_err(|e| bad(number, e.to_string()))?
            }
            None if torn_allowed => break, // torn by a crash mid-write
            None => return Err(bad(number, "checksum mismatch".into())),
        };
        replay.apply(event);
        len = end;
    }
    replay.tail = Tail {
        len: len as u64,
        last,
        unterminated: len > 0 && bytes.get(len - 1) != Some(&b'\n'),
        read_len: bytes.len() as u64,
    };
    Ok(replay)
}

/// Why a header line is not one this build reads, when it names another format version
/// than [`VERSION`].
fn other_version(line: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Versioned {
        v: u32,
    }
    let v = serde_json::from_slice::<Versioned>(line).ok()?.v;
    (v != VERSION)
        .then(|| format!("journal format version {v}; this build reads version {VERSION} only"))
}

#[cfg(test)]
mod tests;
