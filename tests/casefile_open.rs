//! Creating, migrating and opening case files, and refusing everything that
//! is not one, on real files.

mod common;

use std::fs;
use std::path::Path;

use ccu::store::{CCU_APPLICATION_ID, CaseFile, Error, LATEST_VERSION};
use common::*;

#[test]
fn init_creates_a_case_file_at_the_latest_schema_with_its_own_id() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    let id = casefile.id().to_owned();
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    drop(casefile);

    assert_eq!(count(&path, "PRAGMA user_version"), LATEST_VERSION as i64);
    assert_eq!(
        count(&path, "PRAGMA application_id"),
        CCU_APPLICATION_ID as i64
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");

    // A second case file gets a different id, so chains never coincide.
    let other = tempfile::tempdir().unwrap();
    let (second, _) = new_casefile(other.path());
    assert_ne!(second.id(), id);

    // The first events record the creation, the first account, and the
    // signing key for checkpoints.
    let rows = audit_rows(&path);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2].2, "audit.key.create");
    assert_eq!(
        (rows[0].2.as_str(), rows[0].3.as_str()),
        ("casefile.init", id.as_str())
    );
    assert_eq!(
        (rows[1].2.as_str(), rows[1].3.as_str()),
        ("user.add", ADMIN)
    );
    assert!(
        !rows[1].5.contains("argon2"),
        "no password hash in the trail"
    );
}

#[test]
fn reopening_a_case_file_changes_nothing_and_keeps_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    let id = casefile.id().to_owned();
    drop(casefile);
    let reopened = CaseFile::open_with_clock(&path, fixed_clock()).unwrap();
    assert_eq!(reopened.id(), id);
    drop(reopened);
    assert_eq!(audit_rows(&path).len(), 3, "opening writes no event");
}

/// The schema as SQLite reports it: drift shows up in review as a changed
/// snapshot.
#[test]
fn schema_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    ccu::store::migrations().to_latest(&mut conn).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let app_id: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name",
        )
        .unwrap();
    let objects: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "-- {} {}\n{};",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    insta::assert_snapshot!(format!(
        "user_version = {version}\napplication_id = {app_id:#x}\n\n{}",
        objects.join("\n\n")
    ));
}

/// Opens `path`, expects a refusal, and checks that the file is byte-for-byte
/// as it was with no journal, WAL or shared-memory file left beside it.
fn assert_refused_untouched(path: &Path) -> Error {
    let dir = path.parent().unwrap();
    let before = fs::read(path).unwrap();
    let files_before = files_in(dir);
    let err = match CaseFile::open_with_clock(path, fixed_clock()) {
        Ok(_) => panic!("{} should have been refused", path.display()),
        Err(e) => e,
    };
    assert_eq!(fs::read(path).unwrap(), before, "the file was changed");
    assert_eq!(files_in(dir), files_before, "files appeared beside it");
    assert_eq!(err.exit_code(), 3);
    err
}

#[test]
fn a_missing_file_is_refused_with_a_pointer_to_init_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.ccu");
    let err = CaseFile::open_with_clock(&path, fixed_clock())
        .err()
        .unwrap();
    assert!(matches!(err, Error::NotFound { .. }));
    let message = err.to_string();
    assert!(message.contains("no case file here"), "{message}");
    assert!(message.contains("ccu init"), "{message}");
    assert!(files_in(dir.path()).is_empty(), "nothing may be created");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    fs::write(
        &path,
        "Op KESTREL notes: these are not a database\n".repeat(10),
    )
    .unwrap();
    let err = assert_refused_untouched(&path);
    assert!(matches!(err, Error::NotSqlite { .. }), "{err:?}");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");

    let empty = dir.path().join("empty.ccu");
    fs::write(&empty, b"").unwrap();
    let err = assert_refused_untouched(&empty);
    assert!(err.to_string().contains("the file is empty"), "{err}");
}

#[test]
fn an_sqlite_database_that_is_not_a_case_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE things (x); INSERT INTO things VALUES (1);")
            .unwrap();
    }
    let err = assert_refused_untouched(&path);
    assert!(
        matches!(err, Error::NotCaseFile { found: 0, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("not a ccu case file"), "{err}");
}

#[test]
fn a_case_file_from_a_newer_ccu_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    drop(casefile);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", LATEST_VERSION + 1))
            .unwrap();
    }
    assert_eq!(files_in(dir.path()), ["case.ccu"], "closed cleanly");
    let err = assert_refused_untouched(&path);
    assert!(
        matches!(err, Error::NewerVersion { found, supported, .. } if found == LATEST_VERSION + 1 && supported == LATEST_VERSION),
        "{err:?}"
    );
    assert!(err.to_string().contains("newer version of ccu"), "{err}");
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = CaseFile::open_with_clock(dir.path(), fixed_clock())
        .err()
        .unwrap();
    assert!(matches!(err, Error::IsDirectory { .. }), "{err:?}");
}

#[test]
fn init_never_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.ccu");
    fs::write(&path, b"precious").unwrap();
    let err = CaseFile::create(
        &path,
        ccu::store::FirstAdministrator {
            username: username("admin"),
            display_name: ccu::domain::account::DisplayName::parse("A").unwrap(),
            rank: ccu::domain::account::Rank::PoliceStaff,
            password: password(ADMIN_PASSWORD, "admin"),
        },
        fixed_clock(),
    )
    .err()
    .unwrap();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
    assert_eq!(fs::read(&path).unwrap(), b"precious");
    assert_eq!(files_in(dir.path()), ["case.ccu"]);
}

#[test]
fn audit_events_cannot_be_updated_or_deleted_and_accounts_cannot_be_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    drop(casefile);
    let conn = rusqlite::Connection::open(&path).unwrap();
    for (sql, expected) in [
        (
            "UPDATE audit_event SET details = '{}' WHERE seq = 1",
            "append-only",
        ),
        ("DELETE FROM audit_event WHERE seq = 2", "append-only"),
        ("DELETE FROM user_account", "never deleted"),
        ("UPDATE casefile SET id = 'x'", "cannot be changed"),
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains(expected), "{sql}: {err}");
    }
    assert_eq!(audit_rows(&path).len(), 3);
}

#[test]
fn an_older_case_file_is_upgraded_on_opening_and_the_upgrade_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.ccu");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
        ccu::store::migrations().to_version(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO casefile (singleton, id, created_at) VALUES (1, ?1, '2026-01-01T00:00:00.000000Z')",
            ["00112233445566778899aabbccddeeff"],
        )
        .unwrap();
    }
    let casefile = CaseFile::open_with_clock(&path, fixed_clock()).unwrap();
    // The upgrade, then the signing key a file from before keys gets.
    assert_eq!(
        casefile.check().unwrap(),
        ccu::store::CheckReport::Verified { events: 2 }
    );
    drop(casefile);
    assert_eq!(count(&path, "PRAGMA user_version"), LATEST_VERSION as i64);
    let rows = audit_rows(&path);
    assert_eq!(
        (rows[0].1.as_str(), rows[0].2.as_str()),
        ("ccu", "casefile.upgrade")
    );
    assert_eq!(
        rows[0].5,
        format!(
            r#"{{"baseline":"every row as it stands","from_version":1,"to_version":{LATEST_VERSION}}}"#
        )
    );
    assert_eq!(
        (rows[1].1.as_str(), rows[1].2.as_str()),
        ("ccu", "audit.key.create")
    );
}
