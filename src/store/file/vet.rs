//! Vetting a case file before anything writes to it: cut short, foreign,
//! altered in its schema, or with a trail whose last event no longer
//! chains. Everything here reads through a read-only connection (or none),
//! so a file that is refused is left byte for byte as it was, its WAL too.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::keyring::DataKey;
use super::probe;
use crate::audit::ChainBreak;
use crate::store::schema::{ROWS_VERSION, schema_differences};
use crate::store::{Error, Result, sqlite_err};

/// What vetting found in a file that is a ccu case file.
#[derive(Debug)]
pub(in crate::store) struct Vetted {
    pub version: u32,
    /// How the schema differs from the one ccu makes at that version.
    pub schema: Vec<String>,
    /// The trail's last event, if it no longer hashes or links.
    pub tail: Option<ChainBreak>,
}

impl Vetted {
    /// The refusal for a file ccu will not write to, if it is one.
    pub fn refusal(&self, path: &Path) -> Option<Error> {
        if let Some(at) = &self.tail {
            return Some(Error::Integrity {
                path: path.to_owned(),
                problem: crate::store::Integrity::TailBroken(at.clone()),
            });
        }
        if !self.schema.is_empty() {
            return Some(Error::SchemaAltered {
                path: path.to_owned(),
                detail: self.schema.join("; "),
            });
        }
        None
    }
}

fn damaged(path: &Path, detail: impl Into<String>) -> Error {
    Error::Damaged {
        path: path.to_owned(),
        detail: detail.into(),
    }
}

/// The checks, in order: the header (no SQLite), the length the header
/// promises, then through a read-only connection the identity, the schema
/// and the trail's last event.
///
/// An encrypted file (`key` given) has no header to read in the clear: its
/// length was checked when it was located, and the rest is read through
/// the key.
pub(in crate::store) fn vet(path: &Path, key: Option<&DataKey>) -> Result<Vetted> {
    if key.is_none() {
        probe::check_header(path)?;
        check_length(path)?;
    }
    let conn = open_read_only(path, key)?;
    probe::check_pragmas(&conn, path).map_err(|e| match e {
        Error::Sqlite { source, .. } => sqlite_err(path, source),
        e => e,
    })?;
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map(|v| v as u32)
        .map_err(|e| sqlite_err(path, e))?;
    let schema = schema_differences(&conn, version).map_err(|e| sqlite_err(path, e))?;
    // Without these two there is no case file to speak of; anything else
    // missing or changed is a case file altered outside ccu.
    let foreign = version == 0
        || schema
            .iter()
            .any(|d| d == "table 'casefile' is missing" || d == "table 'audit_event' is missing");
    if foreign {
        return Err(Error::NotCcuSchema {
            path: path.to_owned(),
            detail: if version == 0 {
                "it carries a case file's application id but no ccu schema".into()
            } else {
                schema.join("; ")
            },
        });
    }
    let tail = match conn.query_row("SELECT id FROM casefile", [], |r| r.get::<_, String>(0)) {
        Ok(id) => crate::store::trail::verify_tail(&conn, &id, version >= ROWS_VERSION)
            .map_err(|e| sqlite_err(path, e))?
            .err(),
        Err(rusqlite::Error::QueryReturnedNoRows) => {
            // The id seeds the chain: without it nothing can be verified.
            let seq = if version >= ROWS_VERSION {
                crate::store::trail::latest_commitment(&conn, "casefile", "[1]")
                    .map_err(|e| sqlite_err(path, e))?
                    .map(|(seq, _)| seq)
            } else {
                None
            };
            return Err(Error::Integrity {
                path: path.to_owned(),
                problem: crate::store::Integrity::RowAltered {
                    table: "casefile".into(),
                    label: "the case file's id (it seeds the audit chain)".into(),
                    seq,
                    what: "was removed outside ccu",
                },
            });
        }
        Err(e) => return Err(sqlite_err(path, e)),
    };
    Ok(Vetted {
        version,
        schema,
        tail,
    })
}

/// A file shorter than its header says, or not a whole number of pages,
/// was cut short (SQLite would read it as far as it goes, and write on).
fn check_length(path: &Path) -> Result<()> {
    let header = probe::read_header(path)?;
    let field = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    let len = std::fs::metadata(path)
        .map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?
        .len();
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(damaged(
            path,
            format!("its header gives an impossible page size ({page_size})"),
        ));
    }
    if len % page_size != 0 {
        return Err(damaged(
            path,
            format!(
                "it is {len} bytes long, not a whole number of its {page_size}-byte pages: it was cut short"
            ),
        ));
    }
    // The page count in the header is kept up to date by every SQLite
    // that writes the file, which says so by matching these two counters.
    let pages = u64::from(field(28));
    if pages > 0 && field(24) == field(92) && len < pages * page_size {
        return Err(damaged(
            path,
            format!(
                "its header says {pages} pages ({} bytes) but it is {len} bytes long: it was cut short",
                pages * page_size
            ),
        ));
    }
    Ok(())
}

/// A read-only connection that leaves the file as it was: with no WAL
/// file beside it, the file is read as immutable (no WAL or shared-memory
/// file is made); with one, its committed frames are read, never written.
fn open_read_only(path: &Path, key: Option<&DataKey>) -> Result<Connection> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let immutable = !PathBuf::from(wal).exists();
    let uri = format!(
        "file:{}?mode=ro{}",
        uri_path(path),
        if immutable { "&immutable=1" } else { "" }
    );
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite_err(path, e))?;
    if let Some(key) = key {
        crate::store::apply_key(&conn, key, path)?;
    }
    conn.busy_handler(Some(crate::store::wait_for_lock))
        .map_err(|e| sqlite_err(path, e))?;
    Ok(conn)
}

/// Whether `key` opens the encrypted file at `path` (SQLCipher checks
/// each page's HMAC: with another key the first page does not verify).
pub(in crate::store) fn opens_with(path: &Path, key: &DataKey) -> Result<bool> {
    let conn = open_read_only(path, Some(key))?;
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(true),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Ok(false),
        Err(e) => Err(sqlite_err(path, e)),
    }
}

/// A path as the path of a `file:` URI: every byte but the unreserved ones
/// and `/` percent-encoded.
pub(in crate::store) fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = String::new();
    for b in absolute.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(*b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
