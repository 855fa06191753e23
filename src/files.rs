//! Reading a file ccu is pointed at (a keymap, a verifier key, a held
//! checkpoint, a CSV file to import, a keyring) with a bound: only a
//! regular file is read, and never more than a limit, so that a device, a
//! pipe or a file that grows while it is read fails at once with a message
//! naming it, instead of hanging ccu or filling its memory. And writing a
//! new file whole or not at all ([`write_new`]).

use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadFailure {
    /// There is nothing at the path.
    NotFound(std::io::Error),
    /// Something other than a regular file is there: "a directory", "a
    /// character device", ...
    NotRegular(&'static str),
    /// It holds more than the limit (checked from its size before reading,
    /// and again by what reading gives, for a file that grows meanwhile).
    TooLarge { limit: u64 },
    /// It was to be text and is not UTF-8.
    NotUtf8,
    /// Opening or reading it failed.
    Io(std::io::Error),
}

impl fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadFailure::NotFound(e) | ReadFailure::Io(e) => write!(f, "{e}"),
            ReadFailure::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            ReadFailure::TooLarge { limit } => write!(
                f,
                "it is larger than {}, the most ccu reads for this file",
                size(*limit)
            ),
            ReadFailure::NotUtf8 => f.write_str("it is not UTF-8 text"),
        }
    }
}

/// A file that was not read: which, what it was to be, and why.
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    /// What the file was to be, as in "cannot read the keymap file".
    pub what: &'static str,
    pub failure: ReadFailure,
}

impl ReadError {
    /// Whether there is simply no file there (which some callers accept).
    pub fn is_not_found(&self) -> bool {
        matches!(self.failure, ReadFailure::NotFound(_))
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot read {}: {}",
            self.path.display(),
            self.what,
            self.failure
        )
    }
}

impl std::error::Error for ReadError {}

/// A limit as people write it: "64 KiB", "1 MiB", or bytes.
pub fn size(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const KIB: u64 = 1 << 10;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// What is at a path, when it is not a regular file.
fn kind(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() {
            return Some("a character device");
        }
        if kind.is_block_device() {
            return Some("a block device");
        }
        if kind.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file")
}

fn failure(e: std::io::Error) -> ReadFailure {
    if e.kind() == std::io::ErrorKind::NotFound {
        ReadFailure::NotFound(e)
    } else {
        ReadFailure::Io(e)
    }
}

/// Opens `path` for reading if it is a regular file (following links), and
/// gives its metadata.
///
/// What is there is looked at before it is opened, so a device is never
/// opened at all, and again on the open file, so a file swapped for a pipe
/// in between is refused too. The open does not wait for a pipe to get a
/// writer (on Unix it is non-blocking, which changes nothing for a regular
/// file).
pub fn open_regular(path: &Path) -> Result<(File, Metadata), ReadFailure> {
    let before = std::fs::metadata(path).map_err(failure)?;
    if let Some(kind) = kind(&before) {
        return Err(ReadFailure::NotRegular(kind));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(failure)?;
    let meta = file.metadata().map_err(ReadFailure::Io)?;
    if let Some(kind) = kind(&meta) {
        return Err(ReadFailure::NotRegular(kind));
    }
    Ok((file, meta))
}

/// Reads the whole of the regular file at `path` if it holds at most
/// `limit` bytes. `what` names the file in the error, as in
/// "cannot read the keymap file".
pub fn read_bounded(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    read(path, limit).map_err(|failure| ReadError {
        path: path.to_owned(),
        what,
        failure,
    })
}

/// [`read_bounded`] for a file that must be UTF-8 text.
pub fn read_bounded_text(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadError> {
    read(path, limit)
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| ReadFailure::NotUtf8))
        .map_err(|failure| ReadError {
            path: path.to_owned(),
            what,
            failure,
        })
}

fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadFailure> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit {
        return Err(ReadFailure::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadFailure::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadFailure::TooLarge { limit });
    }
    Ok(bytes)
}

/// Writes `bytes` to a new file at `path`, whole or not at all, never
/// replacing anything there: a private temporary file beside it, synced,
/// then hard-linked into place (which fails if `path` exists) and the
/// temporary name removed. Killed part way, nothing is at `path`.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?
        .to_string_lossy()
        .into_owned();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::hard_link(&tmp, path)?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&tmp);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_written_whole_and_nothing_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central-record.csv");
        write_new(&path, b"a,b\r\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\r\n");
        let again = write_new(&path, b"other").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\r\n", "left as it was");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary left");
    }

    #[test]
    fn a_regular_file_within_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_bounded(&path, 5, "the file").unwrap(), b"12345");
        assert_eq!(read_bounded_text(&path, 5, "the file").unwrap(), "12345");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 2049]).unwrap();
        let e = read_bounded(&path, 2048, "the test file").unwrap_err();
        assert!(matches!(e.failure, ReadFailure::TooLarge { limit: 2048 }));
        assert_eq!(
            e.to_string(),
            format!(
                "{}: cannot read the test file: it is larger than 2 KiB, the most ccu reads for this file",
                path.display()
            )
        );
    }

    #[test]
    fn devices_pipes_and_folders_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (&link, "a character device"),
            (&fifo, "a named pipe (FIFO)"),
            (dir.path(), "a directory"),
        ] {
            let e = read_bounded(path, 1 << 20, "the file").unwrap_err();
            assert!(
                matches!(e.failure, ReadFailure::NotRegular(k) if k == kind),
                "{}: {e}",
                path.display()
            );
            assert!(
                e.to_string()
                    .ends_with(&format!("it is {kind}, not a regular file")),
                "{e}"
            );
        }
    }

    #[test]
    fn a_file_holding_more_than_its_size_says_is_still_bounded() {
        // /proc files say they are empty and hold more: the read itself is
        // bounded, as for a file that grows while it is read.
        let path = Path::new("/proc/self/maps");
        assert_eq!(std::fs::metadata(path).unwrap().len(), 0);
        let e = read_bounded(path, 16, "the file").unwrap_err();
        assert!(
            matches!(e.failure, ReadFailure::TooLarge { limit: 16 }),
            "{e}"
        );
    }

    #[test]
    fn a_missing_file_is_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_bounded(&dir.path().join("none"), 10, "the file").unwrap_err();
        assert!(e.is_not_found(), "{e}");
    }

    #[test]
    fn text_must_be_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"\xff\xfe").unwrap();
        let e = read_bounded_text(&path, 10, "the file").unwrap_err();
        assert!(e.to_string().ends_with("it is not UTF-8 text"), "{e}");
    }

    #[test]
    fn limits_are_written_as_people_write_them() {
        assert_eq!(size(64 << 10), "64 KiB");
        assert_eq!(size(1 << 20), "1 MiB");
        assert_eq!(size(64 << 20), "64 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
