//! Files written whole or not at all ([`AtomicFile`]): the journal's lock sidecar is written
//! so, and a program saving a report snapshot (`report::SnapshotWriter`) can be.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file written whole or not at all. The bytes go to a temporary file in the target's own
/// directory (so that the rename stays on one file system); [`AtomicFile::commit`] syncs it to
/// disk, renames it over the target and syncs the directory, so that after a crash the target
/// holds either its old content or all of the new. Dropped without a commit, the temporary
/// file is removed and the target left as it was.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// # let dir = tempfile::tempdir()?;
/// use std::io::Write;
/// use telnyx_reputation::fs::AtomicFile;
///
/// let path = dir.path().join("numbers.txt");
/// let mut file = AtomicFile::create(&path)?;
/// file.write_all(b"+16035551234\n")?;
/// assert!(!path.exists(), "nothing is there before the commit");
/// file.commit()?;
/// assert_eq!(std::fs::read_to_string(&path)?, "+16035551234\n");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    temporary: NamedTempFile,
    path: PathBuf,
}

impl AtomicFile {
    /// Starts writing `path` with the permissions [`std::fs::File::create`] gives a new file
    /// (on unix, `0o666` less the umask).
    pub fn create(path: impl AsRef<Path>) -> io::Result<AtomicFile> {
        AtomicFile::start(path.as_ref(), false)
    }

    /// Starts writing `path` readable and writable by its owner only (`0o600` on unix).
    pub fn create_private(path: impl AsRef<Path>) -> io::Result<AtomicFile> {
        AtomicFile::start(path.as_ref(), true)
    }

    fn start(path: &Path, private: bool) -> io::Result<AtomicFile> {
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} names no file to write", path.display()),
            )
        })?;
        // `.<name>.<random>.tmp`, beside the target: hidden, and named after it.
        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // tempfile's own default is the owner's alone.
        #[cfg(unix)]
        if !private {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        #[cfg(not(unix))]
        let _ = private;
        Ok(AtomicFile {
            temporary: builder.tempfile_in(directory(path))?,
            path: path.to_owned(),
        })
    }

    /// Syncs the bytes written to disk, renames the temporary file over the target, and syncs
    /// the target's directory (on unix) so that the rename survives a crash too.
    pub fn commit(mut self) -> io::Result<()> {
        self.temporary.flush()?;
        self.temporary.as_file().sync_all()?;
        self.temporary.persist(&self.path).map_err(|e| e.error)?;
        sync_directory(directory(&self.path))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.temporary.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.temporary.write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temporary.flush()
    }
}

/// The directory `path` is in (`.` for a bare file name).
fn directory(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Makes the entries of `dir` (a rename into it) durable; a no-op where a directory cannot be
/// opened as a file.
fn sync_directory(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_holds_the_old_content_until_the_commit_and_none_is_left_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.jsonl");
        std::fs::write(&path, "old\n").unwrap();

        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        drop(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");

        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"new\n").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["snapshot.jsonl"], "no temporary file is left");
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_is_its_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.pid");
        let mut file = AtomicFile::create_private(&path).unwrap();
        file.write_all(b"1\n").unwrap();
        file.commit().unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_path_without_a_file_name_is_refused() {
        let error = AtomicFile::create("/").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }
}
