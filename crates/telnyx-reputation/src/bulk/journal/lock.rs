//! One writer per journal: an exclusive advisory lock (`flock`) on the journal file, held by the
//! process that appends to it for as long as it does, and the holder's pid in a sidecar file
//! (`<journal>.pid`) so that another process can name it.
//!
//! The lock goes with the open file: it is released when the journal is dropped, and by the
//! kernel when its process dies (a `kill -9` leaves no stale lock; the sidecar it leaves is only
//! read while someone holds the lock, so a stale one is never believed). On platforms without
//! `flock` there is no lock, and the one-writer rule is the user's.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::JournalError;

/// The sidecar file that names the holder of `journal`'s lock.
pub(crate) fn pid_file(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".pid");
    PathBuf::from(name)
}

/// The pid written in `journal`'s sidecar, if it holds one.
fn recorded_pid(journal: &Path) -> Option<u32> {
    std::fs::read_to_string(pid_file(journal))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Who holds a journal's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Holder {
    /// The pid of the process that holds it, as its sidecar says (`None` in the instant between
    /// its lock and its sidecar, or when the sidecar cannot be read).
    pub pid: Option<u32>,
}

/// A journal file opened and locked for writing; dropping it releases the lock (and removes the
/// sidecar).
#[derive(Debug)]
pub(super) struct Locked {
    #[cfg(unix)]
    file: nix::fcntl::Flock<File>,
    #[cfg(not(unix))]
    file: File,
    sidecar: PathBuf,
}

impl Locked {
    /// Locks `file`, the journal at `path` opened for appending, without waiting: a journal
    /// another process (or another job of this one) holds is refused with
    /// [`JournalError::Locked`], naming the holder.
    pub fn new(path: &Path, file: File) -> Result<Locked, JournalError> {
        #[cfg(unix)]
        let file = {
            use nix::fcntl::{Flock, FlockArg};
            Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|(_, errno)| {
                if errno == nix::errno::Errno::EWOULDBLOCK {
                    JournalError::Locked {
                        path: path.to_owned(),
                        pid: recorded_pid(path),
                    }
                } else {
                    JournalError::Io {
                        path: path.to_owned(),
                        source: errno.into(),
                    }
                }
            })?
        };
        let sidecar = pid_file(path);
        write_pid(&sidecar).map_err(|source| JournalError::Io {
            path: sidecar.clone(),
            source,
        })?;
        Ok(Locked { file, sidecar })
    }

    /// The locked file, to write to.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        // Before the lock goes (with the file, after this): a process that takes the lock next
        // writes its own.
        let _ = std::fs::remove_file(&self.sidecar);
    }
}

/// Writes this process's pid to `sidecar`, whole or not at all, readable by its owner only.
fn write_pid(sidecar: &Path) -> std::io::Result<()> {
    let mut file = crate::fs::AtomicFile::create_private(sidecar)?;
    std::io::Write::write_all(&mut file, format!("{}\n", std::process::id()).as_bytes())?;
    file.commit()
}

/// Who holds the lock of the journal at `path`, if anyone does now: for listing jobs that are
/// running, and for refusing a `resume` or `rollback` before it reads any further. Takes a
/// shared lock for an instant to find out, so it never waits. `None` as well when the file
/// cannot be opened (the commands that use it say what is wrong with it).
pub(crate) fn holder(path: &Path) -> Option<Holder> {
    #[cfg(unix)]
    {
        use nix::fcntl::{Flock, FlockArg};
        let file = File::open(path).ok()?;
        match Flock::lock(file, FlockArg::LockSharedNonblock) {
            Ok(_probe) => None,
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => Some(Holder {
                pid: recorded_pid(path),
            }),
            Err(_) => None,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// [`holder`] as an error: [`JournalError::Locked`] when someone holds `path`'s lock.
pub(crate) fn refuse_if_held(path: &Path) -> Result<(), JournalError> {
    match holder(path) {
        Some(Holder { pid }) => Err(JournalError::Locked {
            path: path.to_owned(),
            pid,
        }),
        None => Ok(()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_and_named_and_the_lock_goes_with_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("job.journal");
        std::fs::write(&path, b"").unwrap();
        let open = || {
            std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap()
        };
        assert_eq!(holder(&path), None);
        let first = Locked::new(&path, open()).unwrap();
        assert_eq!(
            holder(&path),
            Some(Holder {
                pid: Some(std::process::id())
            })
        );
        match Locked::new(&path, open()) {
            Err(JournalError::Locked { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected the journal to be locked, got {other:?}"),
        }
        assert!(matches!(
            refuse_if_held(&path),
            Err(JournalError::Locked { .. })
        ));
        drop(first);
        assert_eq!(holder(&path), None);
        assert!(!pid_file(&path).exists());
        let _second = Locked::new(&path, open()).unwrap();
    }
}
