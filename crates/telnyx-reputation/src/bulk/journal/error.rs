//! Why a journal could not be used.

use std::path::PathBuf;

use super::Endpoint;

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// An I/O error on the journal file.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file that could not be created, read, written or synced.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a journal this code can read, or fails verification (a checksum that
    /// does not match, a line that is not an event): it is not used, so nothing is sent on its
    /// word.
    #[error("journal {path}: line {line}: {reason}")]
    Format {
        /// The journal file that failed verification.
        path: PathBuf,
        /// The 1-based number of the first line that fails.
        line: usize,
        /// What is wrong with that line, in words.
        reason: String,
    },
    /// The journal already exists (a new job never overwrites one).
    #[error("journal {0} already exists: a new job never overwrites one")]
    Exists(PathBuf),
    /// Another process (or another job of this one) holds the journal: it is running that job
    /// now. Nothing was read further, and nothing was sent.
    #[error("journal {}: in use by {}; nothing was sent", .path.display(), holder_text(*.pid))]
    Locked {
        /// The journal.
        path: PathBuf,
        /// The pid of the process holding it, when its sidecar names it.
        pid: Option<u32>,
    },
    /// The journal was written between the moment it was read and the moment it was locked to
    /// append to it (another process finished a step of the job meanwhile): nothing was sent
    /// on the word of the stale reading.
    #[error("journal {}: written by another process while it was read; nothing was sent", .0.display())]
    Changed(PathBuf),
    /// A write or fsync of the journal failed: the job stopped at once, and no line is appended
    /// after it (the file may end in a part of a line, which the next reader cuts off). What was
    /// in flight is looked up by the next resume or rollback.
    #[error("journal {}: a write failed ({cause}); the job stopped and nothing more was written to it", .path.display())]
    Poisoned {
        /// The journal.
        path: PathBuf,
        /// The operating system's error, in words.
        cause: String,
    },
    /// The journal's job talks to another endpoint or with another key than this client: its
    /// numbers belong to that account, so nothing is sent with this one.
    #[error("journal {}: written for {journal}, but this client is {client}; use that base URL and API key", .path.display())]
    OtherEndpoint {
        /// The journal.
        path: PathBuf,
        /// The endpoint the journal records.
        journal: Endpoint,
        /// The endpoint of the client asked to continue it.
        client: Endpoint,
    },
    /// A simulated crash after a number of appends (only with the `test-hooks` feature), for
    /// tests that kill a job at a chosen point.
    #[cfg(any(test, feature = "test-hooks"))]
    #[error("simulated crash after {0} journal appends")]
    SimulatedCrash(u64),
}

/// "process 1234", or "another process" when its pid is not known.
fn holder_text(pid: Option<u32>) -> String {
    pid.map_or_else(
        || "another process".to_owned(),
        |pid| format!("process {pid}"),
    )
}
