//! The schema: numbered SQL files under `schema/`, embedded at build time
//! and applied in order in one transaction; the version is `user_version`.

use std::path::Path;
use std::sync::OnceLock;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::{Error, Result, sqlite_err};

include!(concat!(env!("OUT_DIR"), "/schema.rs"));

/// The version whose migration stores the Merkle tree of the events
/// already in the trail, which SQL alone cannot hash.
const TREE_VERSION: usize = 12;

/// The first schema version whose events commit to the rows they wrote.
pub const ROWS_VERSION: u32 = 7;

/// The schema version this ccu writes and the newest it can read.
pub const LATEST_VERSION: u32 = SCHEMA_FILES.len() as u32;

/// Each migration ends with `PRAGMA foreign_key_check`: a migration that
/// rebuilds a table other tables refer to (0009) runs with foreign keys
/// off, as SQLite's own procedure for changing a table has it, and must
/// leave every reference whole.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(
        SCHEMA_FILES
            .iter()
            .enumerate()
            .map(|(i, (_, sql))| {
                if i + 1 == TREE_VERSION {
                    M::up_with_hook(sql, |tx: &rusqlite::Transaction| {
                        super::trail::tree::build_all(tx)?;
                        Ok(())
                    })
                } else {
                    M::up(sql)
                }
                .foreign_key_check()
            })
            .collect(),
    )
}

pub(super) fn version(conn: &Connection, path: &Path) -> Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map(|v| v as u32)
        .map_err(|e| sqlite_err(path, e))
}

/// Applies the missing migrations with foreign keys off (the setting
/// cannot change inside their transaction, so it is set around it), then
/// turns them on again whatever the outcome.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", false)
        .map_err(|e| sqlite_err(path, e))?;
    let migrated = migrations().to_latest(conn).map_err(|e| Error::Migration {
        path: path.to_owned(),
        detail: e.to_string(),
    });
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(|e| sqlite_err(path, e))?;
    migrated
}

/// One object of a schema: (type, name, table, SQL).
type SchemaObject = (String, String, String, Option<String>);

fn read_schema(conn: &Connection) -> rusqlite::Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_schema
         WHERE name NOT LIKE 'sqlite\\_stat%' ESCAPE '\\'
         ORDER BY type, name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// The schema ccu makes at `version`, from its own migrations.
fn migrated_schema(version: u32) -> rusqlite::Result<Vec<SchemaObject>> {
    let mut conn = Connection::open_in_memory()?;
    migrations()
        .to_version(&mut conn, version as usize)
        .map_err(|e| rusqlite::Error::UserFunctionError(e.to_string().into()))?;
    read_schema(&conn)
}

fn expected_schema(version: u32) -> rusqlite::Result<Vec<SchemaObject>> {
    // The latest is asked for at every open: made once (in memory, about
    // 20 ms), then kept.
    static LATEST: OnceLock<Vec<SchemaObject>> = OnceLock::new();
    if version == LATEST_VERSION {
        if let Some(latest) = LATEST.get() {
            return Ok(latest.clone());
        }
        let made = migrated_schema(version)?;
        return Ok(LATEST.get_or_init(|| made).clone());
    }
    migrated_schema(version)
}

/// The tables SQLite keeps for the full-text index: their SQL is SQLite's
/// own and may differ between its versions, so only their names count.
fn is_search_shadow(name: &str) -> bool {
    name.starts_with("search_index_")
}

/// How the file's schema differs from the one ccu makes at `version`, in
/// a line each: what is missing, what was added, what was changed.
pub(super) fn schema_differences(conn: &Connection, version: u32) -> rusqlite::Result<Vec<String>> {
    if version == 0 || version > LATEST_VERSION {
        return Ok(Vec::new());
    }
    let actual = read_schema(conn)?;
    let expected = expected_schema(version)?;
    let find = |list: &[SchemaObject], ty: &str, name: &str| -> Option<SchemaObject> {
        list.iter().find(|o| o.0 == ty && o.1 == name).cloned()
    };
    let mut out = Vec::new();
    for (ty, name, _, sql) in &expected {
        match find(&actual, ty, name) {
            None => out.push(format!("{ty} '{name}' is missing")),
            Some((_, _, _, found)) if found != *sql && !is_search_shadow(name) => {
                out.push(format!("{ty} '{name}' is not as ccu made it"))
            }
            Some(_) => {}
        }
    }
    for (ty, name, _, _) in &actual {
        if find(&expected, ty, name).is_none() {
            out.push(format!("{ty} '{name}' is not one ccu made"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }
}
