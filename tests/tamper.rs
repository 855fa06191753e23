//! Tampering with a real (encrypted) case file from outside ccu, with the
//! real `sqlcipher` program and the key an account holder can get, and
//! `ccu check` catching it and naming the first bad event.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A case file with 24 events: init (4: the file, its administrator, its
/// head of unit, its signing key), a login, three accounts added (5 each:
/// the request, the head of unit's login and approval, the account's first
/// login and its own password), a listing, a failed login, and two more
/// logins.
fn populated() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "inv", "investigator");
    add_user(&mut cf, &admin, "sup", "supervisor");
    add_user(&mut cf, &admin, "aud", "auditor");
    cf.accounts(&admin).unwrap();
    assert!(
        cf.login(ccu::store::Credentials {
            username: "inv",
            password: "wrong"
        })
        .is_err()
    );
    login(&mut cf, "inv", USER_PASSWORD);
    login(&mut cf, "sup", USER_PASSWORD);
    drop(cf);
    assert_eq!(audit_rows(&path).len(), 24);
    (dir, path)
}

/// Runs `ccu check` as the administrator.
fn check(path: &Path) -> std::process::Output {
    ccu(
        &["check", "--file", path.to_str().unwrap(), "--as", ADMIN],
        &[("CCU_PASSWORD", ADMIN_PASSWORD)],
    )
}

/// Runs `ccu check`, expects it to fail with exit code 6, and returns stderr.
fn check_fails(path: &Path) -> String {
    let out = check(path);
    assert_eq!(
        out.status.code(),
        Some(6),
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    stderr(&out)
}

#[test]
fn an_untouched_file_checks_clean() {
    let (_dir, path) = populated();
    let out = check(&path);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "ok: 24 events, chain verified, every row answers to it\n"
    );
}

#[test]
fn the_triggers_stop_sqlcipher_from_editing_the_trail() {
    let (_dir, path) = populated();
    // Without the key the file is not even a database to sqlite3.
    let out = try_sqlite3(
        &path,
        "UPDATE audit_event SET details = '{}' WHERE seq = 5;",
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("file is not a database"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // With the key, the triggers still refuse.
    for sql in [
        "UPDATE audit_event SET details = '{}' WHERE seq = 5;",
        "DELETE FROM audit_event WHERE seq = 5;",
    ] {
        let out = try_sqlcipher(&path, sql);
        assert!(!out.status.success(), "{sql}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("append-only"),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = check(&path);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn editing_one_events_details_is_a_hash_mismatch_at_that_seq() {
    let (_dir, path) = populated();
    sqlcipher(
        &path,
        &format!(
            "{DROP_TRIGGERS} UPDATE audit_event SET details = '{{\"what\":\"nothing to see\"}}' WHERE seq = 5;"
        ),
    );
    let err = check_fails(&path);
    assert!(
        err.contains("audit chain broken at seq 5: hash mismatch"),
        "{err}"
    );
    assert!(err.contains("events 1 to 4 verify"), "{err}");
}

#[test]
fn deleting_a_middle_event_is_a_gap_at_its_seq() {
    let (_dir, path) = populated();
    sqlcipher(
        &path,
        &format!("{DROP_TRIGGERS} DELETE FROM audit_event WHERE seq = 7;"),
    );
    let err = check_fails(&path);
    assert!(
        err.contains("seq 7: gap: event 7 is missing (the trail jumps from 6 to 8)"),
        "{err}"
    );
}

#[test]
fn swapping_two_events_contents_is_out_of_order_at_the_first() {
    let (_dir, path) = populated();
    let cols = "at, actor, actor_roles, action, entity_type, entity_ref, outcome, details, prev_hash, hash";
    sqlcipher(
        &path,
        &format!(
            "{DROP_TRIGGERS}
             CREATE TEMP TABLE t AS SELECT * FROM audit_event WHERE seq IN (4, 8);
             UPDATE audit_event SET hash = 'placeholder-' || seq WHERE seq IN (4, 8);
             UPDATE audit_event SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = 12 - audit_event.seq)
              WHERE seq IN (4, 8);"
        ),
    );
    let err = check_fails(&path);
    assert!(err.contains("seq 4: out of order"), "{err}");
}

#[test]
fn a_naively_forged_event_at_the_end_is_a_hash_mismatch() {
    let (_dir, path) = populated();
    sqlcipher(
        &path,
        &format!(
            "{DROP_TRIGGERS}
             INSERT INTO audit_event (seq, at, actor, actor_roles, action, entity_type, entity_ref,
                                      outcome, details, prev_hash, hash)
             SELECT 25, '2026-11-23T09:31:00.000000Z', 'sup', 'supervisor', 'user.add', 'user', 'mole',
                    'ok', '{{}}', hash, printf('%064d', 0) FROM audit_event WHERE seq = 24;"
        ),
    );
    let err = check_fails(&path);
    assert!(err.contains("seq 25: hash mismatch"), "{err}");
}

#[test]
fn a_correctly_hashed_event_inserted_in_the_middle_is_named_as_inserted() {
    let (_dir, path) = populated();
    // The forger knows the format and computes a valid hash for seq 6,
    // chained after seq 5, then renumbers the later events.
    forge_insertion_at_6(&path);
    let err = check_fails(&path);
    assert!(err.contains("seq 6: inserted"), "{err}");
}

#[test]
fn changing_the_case_file_id_is_a_bad_genesis() {
    let (_dir, path) = populated();
    sqlcipher(
        &path,
        "DROP TRIGGER casefile_no_update; UPDATE casefile SET id = printf('%032d', 7);",
    );
    // The keyring names the case file it belongs to: changed in the file
    // alone, the id makes the pair refused before anything is checked.
    let out = check(&path);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("it belongs to another case file (the ids differ)"),
        "{}",
        stderr(&out)
    );
    // The keyring is plain JSON: the insider changes it to match.
    let keys = ccu::store::keyring_path(&path);
    let text = std::fs::read_to_string(&keys).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let mut ring: serde_json::Value = serde_json::from_str(first).unwrap();
    ring["case_id"] = format!("{:032}", 7).into();
    std::fs::write(&keys, format!("{ring}\n{rest}")).unwrap();
    let err = check_fails(&path);
    assert!(err.contains("seq 1: bad genesis"), "{err}");
}

#[test]
fn a_value_of_the_wrong_type_is_reported_as_malformed() {
    let (_dir, path) = populated();
    // STRICT tables refuse this, so the forger rebuilds the table without it.
    sqlcipher(
        &path,
        "PRAGMA writable_schema = OFF;
         CREATE TABLE loose AS SELECT * FROM audit_event;
         DROP TABLE audit_event;
         ALTER TABLE loose RENAME TO audit_event;
         UPDATE audit_event SET details = x'00ff' WHERE seq = 3;",
    );
    let err = check_fails(&path);
    assert!(err.contains("seq 3: malformed"), "{err}");
}
