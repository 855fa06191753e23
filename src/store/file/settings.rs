//! Facts about the case file itself, kept in the `setting` table: whether
//! it is a demonstration file. (The referral deadline, also a setting, lives
//! with the referrals.)

use crate::store::Cached;
use rusqlite::OptionalExtension;
use serde_json::json;

use crate::domain::InvalidInput;
use crate::store::write::{Applied, Ctx, Fail};
use crate::store::{CaseFile, Result};

/// The `setting` key whose presence marks a demonstration file.
pub(in crate::store) const DEMO_KEY: &str = "demo";

/// Whether the file is marked as a demonstration file. A file whose schema
/// predates the `setting` table is not one.
pub(in crate::store) fn demo_marked(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'setting')",
        [],
        |r| r.get(0),
    )?;
    if !has_table {
        return Ok(false);
    }
    let value: Option<String> = conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            [DEMO_KEY],
            |r| r.get(0),
        )
        .optional()?;
    Ok(value.as_deref() == Some("yes"))
}

/// Marks the file as a demonstration file. Only an empty one: a case file
/// that already holds casework is real, and must never be taken for a demo.
pub(in crate::store) fn mark_demo(ctx: &Ctx<'_>) -> Result<Applied, Fail> {
    if demo_marked(ctx.tx)? {
        return Err(InvalidInput::new("demo", "the case file is already marked as a demo").into());
    }
    let holds_casework: bool = ctx.tx.row_cached(
        "SELECT EXISTS (SELECT 1 FROM subject) OR EXISTS (SELECT 1 FROM intelligence)
             OR EXISTS (SELECT 1 FROM operation) OR EXISTS (SELECT 1 FROM referral)",
        [],
        |r| r.get(0),
    )?;
    if holds_casework {
        return Err(InvalidInput::new(
            "demo",
            "the case file already holds casework, so it is a real one; only a new, empty case file can be marked as a demo",
        )
        .into());
    }
    ctx.tx.exec_cached(
        "INSERT INTO setting (key, value) VALUES (?1, 'yes')",
        [DEMO_KEY],
    )?;
    Ok(Applied {
        entity_type: "setting",
        entity_ref: DEMO_KEY.to_owned(),
        details: json!({
            "before": { "demo": false },
            "after": { "demo": true },
        }),
    })
}

impl CaseFile {
    /// Whether this is a demonstration file of fictional data
    /// ([`crate::demo`]). Needs no login: the login screen says so before
    /// anyone signs in, and it is a fact about the file, not case content.
    pub fn is_demo(&mut self) -> Result<bool> {
        demo_marked(&self.conn).map_err(|e| self.sqlite_err(e))
    }
}
