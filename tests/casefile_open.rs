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
    let conn = raw_conn(&path);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");

    // A second case file gets a different id, so chains never coincide.
    let other = tempfile::tempdir().unwrap();
    let (second, _) = new_casefile(other.path());
    assert_ne!(second.id(), id);

    // The first events record the creation, the first administrator, the
    // head of unit, and the signing key for checkpoints.
    let rows = audit_rows(&path);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3].2, "audit.key.create");
    assert_eq!(
        (rows[0].2.as_str(), rows[0].3.as_str()),
        ("casefile.init", id.as_str())
    );
    assert_eq!(
        (rows[1].2.as_str(), rows[1].3.as_str()),
        ("user.add", ADMIN)
    );
    assert_eq!(
        (rows[2].1.as_str(), rows[2].2.as_str(), rows[2].3.as_str()),
        (ADMIN, "user.add", HEAD)
    );
    assert!(
        rows[2].5.contains(r#""roles":["supervisor"]"#)
            && rows[2].5.contains(r#""rank":"Inspector""#)
            && rows[2].5.contains(r#""head_of_unit":true"#),
        "{}",
        rows[2].5
    );
    for row in &rows[1..3] {
        assert!(!row.5.contains("argon2"), "no password hash in the trail");
    }
    // Both are active, and each opens the file with their own password.
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM user_account WHERE status = 'active'"
        ),
        2
    );
    let (_, head) = open(&path, HEAD, HEAD_PASSWORD);
    assert_eq!(head.roles().to_string(), "supervisor");
}

#[test]
fn finding_a_case_file_writes_nothing_and_unlocking_it_writes_only_the_login() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    let id = casefile.id().to_owned();
    drop(casefile);
    let before = fs::read(&path).unwrap();
    let keys_before = fs::read(ccu::store::keyring_path(&path)).unwrap();
    let locked = CaseFile::locate(&path).unwrap();
    assert!(!locked.is_demo());
    assert!(locked.warnings().is_empty(), "{:?}", locked.warnings());
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(
        fs::read(ccu::store::keyring_path(&path)).unwrap(),
        keys_before
    );
    assert_eq!(files_in(dir.path()), ["case.ccu", "case.ccu.keys"]);
    let (reopened, _) = open_admin(&path);
    assert_eq!(reopened.id(), id);
    drop(reopened);
    let rows = audit_rows(&path);
    assert_eq!(rows.len(), 5);
    assert_eq!((rows[4].2.as_str(), rows[4].4.as_str()), ("login", "ok"));
    assert_eq!(
        fs::read(ccu::store::keyring_path(&path)).unwrap(),
        keys_before,
        "a login leaves the keyring as it was"
    );
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

/// Opens `path` as the administrator (the right password), expects a
/// refusal, and checks that the file and its keyring are byte-for-byte as
/// they were with no journal, WAL or shared-memory file left beside them.
fn assert_refused_untouched(path: &Path) -> Error {
    let dir = path.parent().unwrap();
    let keys = ccu::store::keyring_path(path);
    let before = fs::read(path).unwrap();
    let keys_before = fs::read(&keys).ok();
    let files_before = files_in(dir);
    let err = match try_open(path, ADMIN, ADMIN_PASSWORD) {
        Ok(_) => panic!("{} should have been refused", path.display()),
        Err(e) => e,
    };
    assert_eq!(fs::read(path).unwrap(), before, "the file was changed");
    assert_eq!(fs::read(&keys).ok(), keys_before, "the keyring was changed");
    assert_eq!(files_in(dir), files_before, "files appeared beside it");
    assert_eq!(err.exit_code(), 3, "{err}");
    err
}

#[test]
fn a_missing_file_is_refused_with_a_pointer_to_init_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.ccu");
    let err = CaseFile::locate(&path).err().unwrap();
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
        let conn = raw_conn(&path);
        conn.execute_batch(&format!("PRAGMA user_version = {}", LATEST_VERSION + 1))
            .unwrap();
    }
    assert_eq!(
        files_in(dir.path()),
        ["case.ccu", "case.ccu.keys"],
        "closed cleanly"
    );
    // Inside the encrypted file: refused once it is unlocked.
    let err = assert_refused_untouched(&path);
    assert!(
        matches!(err, Error::NewerVersion { found, supported, .. } if found == LATEST_VERSION + 1 && supported == LATEST_VERSION),
        "{err:?}"
    );
    assert!(err.to_string().contains("newer version of ccu"), "{err}");
    // And before anyone unlocks it: the keyring carries the version.
    let keys = ccu::store::keyring_path(&path);
    let ring = fs::read_to_string(&keys).unwrap().replace(
        &format!("\"schema_version\":{LATEST_VERSION}"),
        &format!("\"schema_version\":{}", LATEST_VERSION + 1),
    );
    fs::write(&keys, ring).unwrap();
    let err = assert_refused_untouched(&path);
    assert!(matches!(err, Error::NewerVersion { .. }), "{err:?}");
    let err = CaseFile::locate(&path).err().unwrap();
    assert!(matches!(err, Error::NewerVersion { .. }), "{err:?}");
}

#[test]
fn an_encrypted_file_without_its_keyring_or_with_a_bad_one_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    drop(casefile);
    let keys = ccu::store::keyring_path(&path);
    let ring = fs::read(&keys).unwrap();

    // No keyring: random bytes, as far as anyone can tell.
    fs::rename(&keys, dir.path().join("elsewhere")).unwrap();
    let err = assert_refused_untouched(&path);
    assert!(matches!(err, Error::NotSqlite { .. }), "{err:?}");
    assert!(err.to_string().contains("no keyring"), "{err}");
    fs::rename(dir.path().join("elsewhere"), &keys).unwrap();

    // A damaged keyring.
    for bad in [&b"not json"[..], &b"{\"ccu_keyring\":1}"[..], &b""[..]] {
        fs::write(&keys, bad).unwrap();
        let err = assert_refused_untouched(&path);
        assert!(matches!(err, Error::KeyringDamaged { .. }), "{err:?}");
        assert!(err.to_string().contains("keyring is damaged"), "{err}");
    }
    // Costs put out of range: refused, not an out-of-memory kill.
    let text = String::from_utf8(ring.clone()).unwrap();
    let greedy = text.replace("\"memory_kib\":19456", "\"memory_kib\":4294967295");
    assert_ne!(greedy, text);
    fs::write(&keys, greedy).unwrap();
    let err = assert_refused_untouched(&path);
    assert!(err.to_string().contains("out of range"), "{err}");

    // Another case file's keyring, which the same password opens.
    let other = tempfile::tempdir().unwrap();
    let (second, second_path) = new_casefile(other.path());
    drop(second);
    fs::copy(ccu::store::keyring_path(&second_path), &keys).unwrap();
    let err = assert_refused_untouched(&path);
    assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
    assert!(err.to_string().contains("another case file"), "{err}");
    fs::write(&keys, &ring).unwrap();

    // Cut short: not a whole number of pages, or a whole page short.
    let whole = fs::read(&path).unwrap();
    fs::write(&path, &whole[..whole.len() - 100]).unwrap();
    let err = assert_refused_untouched(&path);
    assert!(err.to_string().contains("cut short"), "{err}");
    fs::write(&path, &whole[..4096 * 3]).unwrap();
    let err = assert_refused_untouched(&path);
    assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
    // Whole again, it opens.
    fs::write(&path, &whole).unwrap();
    open_admin(&path);
}

#[test]
fn a_wrong_password_leaves_the_case_file_as_it_was_and_is_audited_at_the_next_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    drop(casefile);
    let before = fs::read(&path).unwrap();
    for (name, pw) in [(ADMIN, "not the password"), ("ghost", ADMIN_PASSWORD)] {
        let err = try_open(&path, name, pw).err().unwrap();
        assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
        assert_eq!(err.exit_code(), 4);
    }
    assert_eq!(
        fs::read(&path).unwrap(),
        before,
        "the locked file is untouched"
    );
    let ring = fs::read_to_string(ccu::store::keyring_path(&path)).unwrap();
    assert_eq!(ring.lines().count(), 3, "two sealed notices: {ring}");
    assert!(!ring.contains("ghost"), "the notices are sealed");
    open_admin(&path);
    let rows = audit_rows(&path);
    let denied: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.4 == "denied")
        .map(|r| (r.1.as_str(), r.5.as_str()))
        .collect();
    assert_eq!(denied.len(), 2, "{rows:?}");
    assert_eq!(denied[0].0, ADMIN);
    assert!(denied[0].1.contains("wrong password"), "{}", denied[0].1);
    assert_eq!(denied[1].0, "ghost");
    assert!(denied[1].1.contains("unknown user"), "{}", denied[1].1);
    assert_eq!(rows.last().unwrap().2, "login");
    let ring = fs::read_to_string(ccu::store::keyring_path(&path)).unwrap();
    assert_eq!(ring.lines().count(), 1, "the notices were taken in");
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = CaseFile::locate(dir.path()).err().unwrap();
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
        common::head_of_unit(),
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
    let conn = raw_conn(&path);
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
    assert_eq!(audit_rows(&path).len(), 4);
}

#[test]
fn an_unencrypted_case_file_from_before_is_refused_untouched_until_an_administrator_encrypts_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = schema_6_file(dir.path());
    let err = assert_refused_untouched(&path);
    assert!(matches!(err, Error::Unencrypted { .. }), "{err:?}");
    assert!(err.to_string().contains("ccu encrypt"), "{err}");

    // A wrong password, or someone who is not an administrator, changes
    // nothing.
    let before = fs::read(&path).unwrap();
    let files_before = files_in(dir.path());
    for (name, pw) in [(ADMIN, "not the password"), ("lead", ADMIN_PASSWORD)] {
        let err = CaseFile::encrypt(
            &path,
            ccu::store::Credentials {
                username: name,
                password: pw,
            },
            fixed_clock(),
        )
        .err()
        .unwrap();
        assert!(
            matches!(err, Error::LoginFailed { .. } | Error::Denied { .. }),
            "{err:?}"
        );
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(files_in(dir.path()), files_before);
    }
    assert!(
        fs::read(&path).unwrap().windows(5).any(|w| w == b"HERON"),
        "in the clear before"
    );

    let done = CaseFile::encrypt(
        &path,
        ccu::store::Credentials {
            username: ADMIN,
            password: ADMIN_PASSWORD,
        },
        fixed_clock(),
    )
    .unwrap();
    assert_eq!(done.sealed_to, ADMIN);
    assert_eq!(done.awaiting, ["lead"]);
    let bytes = fs::read(&path).unwrap();
    assert!(
        !bytes.windows(5).any(|w| w == b"HERON"),
        "the codename is encrypted"
    );
    assert!(
        !bytes.windows(7).any(|w| w == b"argon2i"),
        "no password hash is left"
    );
    let names: Vec<String> = files_in(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("schema6"))
        .collect();
    assert_eq!(names, ["schema6.ccu", "schema6.ccu.keys"]);

    let (mut cf, admin) = open_admin(&path);
    assert!(matches!(
        cf.check().unwrap(),
        ccu::store::CheckReport::Verified { .. }
    ));
    let actions: Vec<String> = audit_rows(&path).into_iter().map(|r| r.2).collect();
    assert_eq!(
        &actions[3..],
        [
            "casefile.upgrade",
            "audit.key.create",
            "casefile.encrypt",
            "login"
        ]
    );
    assert_eq!(count(&path, "PRAGMA user_version"), LATEST_VERSION as i64);
    // The other account has no key until its password is set again, and
    // setting another's password is now a request for a head of unit.
    let err = try_open(&path, "lead", ADMIN_PASSWORD).err().unwrap();
    assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
    let done = cf
        .execute(
            &admin,
            ccu::store::Command::SetPassword {
                username: username("lead"),
                password: password(USER_PASSWORD, "lead"),
            },
        )
        .unwrap();
    assert_eq!(done.details["request"]["kind"], "reset", "{}", done.details);
    drop(cf);
    // Until a head of unit approves it, the new password opens nothing.
    // (Encrypted without a head of unit, no one can approve it here;
    // tests/access_control.rs seals one in with `encrypt_with_head`.)
    let err = try_open(&path, "lead", USER_PASSWORD).err().unwrap();
    assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
}

/// Authorisations written before schema 14 still read after the upgrade:
/// one awaiting a Judicial Commissioner's approval (and not urgent) loses
/// the end it was given at grant, as its period now starts with the
/// approval; an urgent one keeps its 72 hours; a cancelled one keeps its
/// material arrangements as written, with no product handling or
/// confidential reason recorded.
#[test]
fn authorisations_from_before_schema_14_are_migrated_sensibly() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = rusqlite::Connection::open(dir.path().join("old.ccu")).unwrap();
    ccu::store::migrations().to_version(&mut conn, 13).unwrap();
    let at = "2026-01-15T09:00:00.000000Z";
    conn.execute_batch(&format!(
        "INSERT INTO user_account (id, username, display_name, rank, status, created_at)
             VALUES (1, 'inv', 'Inv', 'Constable', 'active', '{at}');
         INSERT INTO operation (id, urn, codename, description, status, category, priority, opened_at, opened_by)
             VALUES (1, 'OP-2026-0001', 'HERON', 'Old', 'active-covert', 'other', 'P3', '{at}', 1);
         INSERT INTO authorisation (id, urn, operation_id, kind, urgent, urgency_reason, description, necessity,
                 proportionality, collateral_intrusion, confidential_likely, protected_premises, status,
                 applied_at, applied_by, granted_at, effective_from, ends_at, material_arrangements)
             VALUES
             (1, 'AUTH-2026-0001', 1, 'intrusive-surveillance', 0, '', 'd', 'n', 'p', 'c', 0, 0,
              'awaiting-approval', '{at}', 1, '{at}', '{at}', '2026-04-14T23:00:00.000000Z', NULL),
             (2, 'AUTH-2026-0002', 1, 'intrusive-surveillance', 1, 'tonight', 'd', 'n', 'p', 'c', 0, 0,
              'awaiting-approval', '{at}', 1, '{at}', '{at}', '2026-01-18T09:00:00.000000Z', NULL),
             (3, 'AUTH-2026-0003', 1, 'directed-surveillance', 0, '', 'd', 'n', 'p', 'c', 1, 0,
              'cancelled', '{at}', 1, '{at}', '{at}', '2026-04-14T23:00:00.000000Z', 'Logs kept by the OIC');"
    ))
    .unwrap();
    ccu::store::migrations().to_latest(&mut conn).unwrap();
    type Row = [Option<String>; 5];
    let row = |id: i64| -> Row {
        conn.query_row(
            "SELECT ends_at, effective_from, confidential_reason, product_fate, material_arrangements
             FROM authorisation WHERE id = ?1",
            [id],
            |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?]),
        )
        .unwrap()
    };
    assert_eq!(row(1)[0], None, "its period starts with the approval");
    assert_eq!(row(1)[1], None);
    assert_eq!(row(2)[0].as_deref(), Some("2026-01-18T09:00:00.000000Z"));
    let [ends, _, reason, fate, arrangements] = row(3);
    assert_eq!(ends.as_deref(), Some("2026-04-14T23:00:00.000000Z"));
    assert_eq!((reason, fate), (None, None));
    assert_eq!(arrangements.as_deref(), Some("Logs kept by the OIC"));
}
