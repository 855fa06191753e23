//! The schema: numbered SQL files under `schema/`, embedded at build time
//! and applied in order in one transaction; the version is `user_version`.

use std::path::Path;
use std::sync::OnceLock;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::{Error, Result, sqlite_err};

/// Every file in `schema/`, in order. A test checks that this list and the
/// folder agree, so a new file cannot be forgotten here.
pub const SCHEMA_FILES: &[(&str, &str)] = &[
    (
        "0001_foundation.sql",
        include_str!("../../schema/0001_foundation.sql"),
    ),
    (
        "0002_casework.sql",
        include_str!("../../schema/0002_casework.sql"),
    ),
    (
        "0003_covert.sql",
        include_str!("../../schema/0003_covert.sql"),
    ),
    (
        "0004_audit_keys.sql",
        include_str!("../../schema/0004_audit_keys.sql"),
    ),
    (
        "0005_list_indexes.sql",
        include_str!("../../schema/0005_list_indexes.sql"),
    ),
    (
        "0006_audit_view.sql",
        include_str!("../../schema/0006_audit_view.sql"),
    ),
    (
        "0007_row_commitments.sql",
        include_str!("../../schema/0007_row_commitments.sql"),
    ),
    (
        "0008_account_keys.sql",
        include_str!("../../schema/0008_account_keys.sql"),
    ),
    (
        "0009_shared_source_reference.sql",
        include_str!("../../schema/0009_shared_source_reference.sql"),
    ),
    (
        "0010_access_requests.sql",
        include_str!("../../schema/0010_access_requests.sql"),
    ),
    (
        "0011_scale_indexes.sql",
        include_str!("../../schema/0011_scale_indexes.sql"),
    ),
    (
        "0012_audit_tree.sql",
        include_str!("../../schema/0012_audit_tree.sql"),
    ),
];

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

/// The schema ccu makes at [`LATEST_VERSION`], as SQLite records it:
/// `schema/latest.json`, written from the migrations by the test below (so
/// a case file is vetted without running every migration again).
const LATEST_SCHEMA: &str = include_str!("../../schema/latest.json");

/// The schema ccu makes at `version`, from its own migrations.
fn migrated_schema(version: u32) -> rusqlite::Result<Vec<SchemaObject>> {
    let mut conn = Connection::open_in_memory()?;
    migrations()
        .to_version(&mut conn, version as usize)
        .map_err(|e| rusqlite::Error::UserFunctionError(e.to_string().into()))?;
    read_schema(&conn)
}

fn expected_schema(version: u32) -> rusqlite::Result<Vec<SchemaObject>> {
    static LATEST: OnceLock<Vec<SchemaObject>> = OnceLock::new();
    if version == LATEST_VERSION {
        return Ok(LATEST
            .get_or_init(|| {
                serde_json::from_str(LATEST_SCHEMA).expect("schema/latest.json is ccu's own")
            })
            .clone());
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

    #[test]
    fn every_schema_file_is_embedded_in_order() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = SCHEMA_FILES.iter().map(|(name, _)| *name).collect();
        assert_eq!(on_disk, embedded);
        for (i, name) in embedded.iter().enumerate() {
            assert!(
                name.starts_with(&format!("{:04}_", i + 1)),
                "{name} is out of sequence"
            );
        }
    }

    /// `CCU_WRITE_SCHEMA=1 cargo test --lib latest_json` writes the file
    /// anew after a migration is added.
    #[test]
    fn latest_json_is_what_the_migrations_make() {
        let made = migrated_schema(LATEST_VERSION).unwrap();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/latest.json");
        if std::env::var_os("CCU_WRITE_SCHEMA").is_some() {
            let mut text = serde_json::to_string_pretty(&made).unwrap();
            text.push('\n');
            std::fs::write(path, text).unwrap();
        }
        let embedded: Vec<SchemaObject> = serde_json::from_str(LATEST_SCHEMA).unwrap();
        assert_eq!(
            embedded, made,
            "schema/latest.json is not what the migrations make: run CCU_WRITE_SCHEMA=1 cargo test --lib latest_json"
        );
    }
}
