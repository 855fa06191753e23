//! The schema: numbered SQL files under `schema/`, embedded at build time
//! and applied in order in one transaction; the version is `user_version`.

use std::path::Path;

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
                        super::tree::build_all(tx)?;
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
}
