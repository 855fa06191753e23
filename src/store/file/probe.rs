//! Telling a ccu case file from anything else before SQLite opens it.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rusqlite::Connection;

use crate::store::{Error, LATEST_VERSION, Result, sqlite_err};

/// `PRAGMA application_id` of every case file: the bytes `CCU1`.
pub const CCU_APPLICATION_ID: u32 = u32::from_be_bytes(*b"CCU1");

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const HEADER_LEN: usize = 100;

/// Reads the 100-byte SQLite header directly (so nothing is written, locked
/// or created) and refuses anything that is not a ccu case file of a
/// version this ccu can read.
pub(super) fn check_header(path: &Path) -> Result<()> {
    let meta = file_metadata(path)?;
    let not_sqlite = |detail: &str| Error::NotSqlite {
        path: path.to_owned(),
        detail: detail.to_owned(),
    };
    if meta.len() == 0 {
        return Err(not_sqlite("the file is empty"));
    }
    let header = read_header(path)?;
    if &header[..16] != SQLITE_MAGIC {
        return Err(not_sqlite("it is not an SQLite database"));
    }
    let field = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    check_identity(path, field(68), field(60))
}

/// The file's metadata; a missing path or a folder is refused as no case
/// file.
pub(in crate::store) fn file_metadata(path: &Path) -> Result<std::fs::Metadata> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotFound {
                path: path.to_owned(),
            });
        }
        Err(source) => {
            return Err(Error::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    if meta.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_owned(),
        });
    }
    Ok(meta)
}

/// Whether the file begins as an SQLite database in the clear (an
/// encrypted case file begins with random bytes).
pub(in crate::store) fn is_plain_sqlite(path: &Path) -> Result<bool> {
    let mut head = [0u8; 16];
    let mut file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let read = read_up_to(&mut file, &mut head).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(read == head.len() && &head == SQLITE_MAGIC)
}

/// The first 100 bytes of the file: the SQLite header.
pub(super) fn read_header(path: &Path) -> Result<[u8; HEADER_LEN]> {
    let mut header = [0u8; HEADER_LEN];
    let mut file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let read = read_up_to(&mut file, &mut header).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    if read < HEADER_LEN {
        return Err(Error::NotSqlite {
            path: path.to_owned(),
            detail: "it is not an SQLite database".into(),
        });
    }
    Ok(header)
}

/// The same checks through SQLite, once the file is open.
pub(in crate::store) fn check_pragmas(conn: &Connection, path: &Path) -> Result<()> {
    let pragma = |name: &str| -> Result<u32> {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0))
            .map(|v| v as u32)
            .map_err(|e| sqlite_err(path, e))
    };
    check_identity(path, pragma("application_id")?, pragma("user_version")?)
}

fn check_identity(path: &Path, application_id: u32, user_version: u32) -> Result<()> {
    if application_id != CCU_APPLICATION_ID {
        return Err(Error::NotCaseFile {
            path: path.to_owned(),
            found: application_id,
        });
    }
    if user_version > LATEST_VERSION {
        return Err(Error::NewerVersion {
            path: path.to_owned(),
            found: user_version,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
