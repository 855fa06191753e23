//! What every wing of the store shares: reading a stored code back into
//! its type, issuing URNs, need-to-know parameters beside a query's own,
//! pages of a list, and files only their owner can read.

use std::fs;
use std::os::unix::io::AsRawFd;
use std::path::Path;

use rusqlite::{ToSql, params};

use super::Cached;
use super::visibility::Viewer;
use super::write::Ctx;
use crate::domain::InvalidInput;
use crate::domain::operation::Codename;
use crate::domain::urn::{Urn, UrnKind};

/// Reads a stored code back into its type; a code that does not parse
/// means the row was changed outside ccu.
pub(super) fn stored<T>(
    column: usize,
    parse: impl FnOnce(&str) -> std::result::Result<T, InvalidInput>,
    text: &str,
) -> rusqlite::Result<T> {
    parse(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The URN of `kind` stored in `column` of `r`, read back through
/// [`stored`].
pub(super) fn stored_urn(
    r: &rusqlite::Row<'_>,
    column: usize,
    kind: UrnKind,
) -> rusqlite::Result<Urn> {
    stored(
        column,
        |t| Urn::parse(kind, t),
        &r.get::<_, String>(column)?,
    )
}

/// A URN of `kind` in `column` of `r` that may be NULL.
pub(super) fn stored_urn_or_none(
    r: &rusqlite::Row<'_>,
    column: usize,
    kind: UrnKind,
) -> rusqlite::Result<Option<Urn>> {
    r.get::<_, Option<String>>(column)?
        .map(|t| stored(column, |t| Urn::parse(kind, t), &t))
        .transpose()
}

/// The codename stored in `column` of `r`, read back through [`stored`].
pub(super) fn stored_codename(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<Codename> {
    stored(column, Codename::parse, &r.get::<_, String>(column)?)
}

/// A codename in `column` of `r` that may be NULL (nothing linked).
pub(super) fn stored_codename_or_none(
    r: &rusqlite::Row<'_>,
    column: usize,
) -> rusqlite::Result<Option<Codename>> {
    r.get::<_, Option<String>>(column)?
        .map(|t| stored(column, Codename::parse, &t))
        .transpose()
}

/// Issues the next URN of `kind` for the UK year of `ctx.now`.
pub(super) fn next_urn(ctx: &Ctx<'_>, kind: UrnKind) -> rusqlite::Result<Urn> {
    let year = crate::domain::time::uk_year(ctx.now);
    let number: i64 = ctx.tx.row_cached(
        "INSERT INTO urn_counter (kind, year, last) VALUES (?1, ?2, 1)
         ON CONFLICT (kind, year) DO UPDATE SET last = last + 1
         RETURNING last",
        params![kind.prefix(), year],
        |r| r.get(0),
    )?;
    Ok(Urn {
        kind,
        year,
        number: number as u32,
    })
}

/// Which page of a list, for lists too long to load at once.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

impl Page {
    pub const ALL: Page = Page {
        offset: 0,
        limit: i64::MAX as u64,
    };
}

pub(super) fn with<'a>(
    viewer: &'a Viewer,
    extra: &[(&'static str, &'a dyn ToSql)],
) -> Vec<(&'static str, &'a dyn ToSql)> {
    let mut all = viewer.params().to_vec();
    all.extend_from_slice(extra);
    all
}

/// Options that create a file readable and writable by its owner only.
pub(super) fn private_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Opens (making it if need be) the private lock file at `path` and takes
/// its exclusive `flock` without waiting: None if another process holds
/// it. The lock goes when the file returned is closed, or the process
/// ends, however it ends.
pub(super) fn try_lock(path: &Path) -> std::io::Result<Option<fs::File>> {
    let lock = private_options()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    // SAFETY: flock on a descriptor this function owns.
    let taken = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
    Ok(taken.then_some(lock))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `sql`'s one row through `read`.
    fn read<T>(
        sql: &str,
        read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        rusqlite::Connection::open_in_memory()
            .unwrap()
            .query_row(sql, [], read)
    }

    #[test]
    fn a_stored_reference_is_read_back_into_its_type() {
        let urn = read("SELECT 'BID-2026-0007'", |r| stored_urn(r, 0, UrnKind::Bid));
        assert_eq!(urn.unwrap().to_string(), "BID-2026-0007");
        let codename = read("SELECT 'KESTREL'", |r| stored_codename(r, 0));
        assert_eq!(codename.unwrap().as_str(), "KESTREL");
        let none = read("SELECT NULL, NULL", |r| {
            Ok((
                stored_urn_or_none(r, 0, UrnKind::Referral)?,
                stored_codename_or_none(r, 1)?,
            ))
        });
        assert_eq!(none.unwrap(), (None, None));
    }

    #[test]
    fn a_reference_that_does_not_parse_is_a_conversion_error_naming_it() {
        let urn = read("SELECT 'x', 'BID-26-7'", |r| stored_urn(r, 1, UrnKind::Bid));
        let Err(rusqlite::Error::FromSqlConversionFailure(1, _, e)) = urn else {
            panic!("{urn:?}");
        };
        assert_eq!(
            e.to_string(),
            "reference: 'BID-26-7' is not a reference like BID-2026-0042"
        );
        // A URN of another kind is no URN of this one.
        let urn = read("SELECT 'INT-2026-00007'", |r| {
            stored_urn_or_none(r, 0, UrnKind::Bid)
        });
        assert!(
            matches!(urn, Err(rusqlite::Error::FromSqlConversionFailure(0, ..))),
            "{urn:?}"
        );
        let codename = read("SELECT 'K3STREL'", |r| stored_codename_or_none(r, 0));
        let Err(rusqlite::Error::FromSqlConversionFailure(0, _, e)) = codename else {
            panic!("{codename:?}");
        };
        assert!(e.to_string().contains("'K3STREL' must be one word"), "{e}");
    }
}
