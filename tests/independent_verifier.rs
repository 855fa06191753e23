//! docs/audit-format.md must be enough to verify a trail without ccu: the
//! Python verifier printed on that page is run against a real case file,
//! decrypted by an account holder with the `sqlcipher` program (Python's
//! standard library has no SQLCipher).

mod common;

use std::path::Path;
use std::process::Command;

use ccu::store::{CaseFile, Credentials, keyring_path};
use common::*;

fn documented_verifier() -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/audit-format.md"))
        .unwrap();
    let start = doc
        .find("```python\n")
        .expect("the page has a Python verifier")
        + "```python\n".len();
    let len = doc[start..].find("```").unwrap();
    doc[start..start + len].to_owned()
}

/// Runs the verifier on a decrypted copy of the case file at `file`, as
/// an account holder makes it: the real `sqlcipher` program, unlocked with
/// the key, exports every table into a database in the clear.
fn run_python(script: &str, file: &Path) -> std::process::Output {
    let clear = file.with_extension("clear.db");
    let _ = std::fs::remove_file(&clear);
    sqlcipher(
        file,
        &format!(
            "ATTACH DATABASE '{}' AS clear KEY '';
             SELECT sqlcipher_export('clear');
             DETACH DATABASE clear;",
            clear.display().to_string().replace('\'', "''")
        ),
    );
    // Python's sqlite3 cannot read the case file itself.
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .expect("python3 is needed for this test (.ci/run installs it)");
    assert!(!out.status.success(), "the verifier read an encrypted file");
    Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&clear)
        .output()
        .expect("python3 is needed for this test (.ci/run installs it)")
}

/// Copies a case file and the keyring beside it.
fn copy_casefile(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    std::fs::copy(keyring_path(from), keyring_path(to)).unwrap();
}

#[test]
fn the_documented_python_verifier_agrees_with_ccu() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "jokafor", "investigator,supervisor");
    cf.accounts(&admin).unwrap();
    drop(cf);

    let script = documented_verifier();
    let out = run_python(&script, &path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Init (4), the administrator's login, the account added (its
    // request, the head of unit's login and approval, its first login and
    // its own password) and the listing.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 11 events, chain verified, every row answers to it\n"
    );

    // A row changed, one added, one removed: each named by the verifier.
    let rows = dir.path().join("rows.ccu");
    copy_casefile(&path, &rows);
    sqlcipher(
        &rows,
        "DROP TRIGGER resource_type_no_delete;
         UPDATE user_account SET public_key = lower(hex(randomblob(32))) WHERE username = 'jokafor';
         INSERT INTO setting (key, value) VALUES ('backdoor', '1');
         DELETE FROM resource_type WHERE code = 'other';",
    );
    let out = run_python(&script, &rows);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("user_account [3]: changed since seq"), "{err}");
    assert!(
        err.contains(r#"setting ["backdoor"]: no event wrote it"#),
        "{err}"
    );
    assert!(
        err.contains(r#"resource_type ["other"]: missing, written by seq 1"#),
        "{err}"
    );
    assert!(err.contains("3 rows do not answer to the trail"), "{err}");

    sqlcipher(
        &path,
        "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET actor = 'someone' WHERE seq = 4;",
    );
    let out = run_python(&script, &path);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("seq 4: hash mismatch"));
}

/// A file upgraded from before row commitments holds version 1 events,
/// then the baseline and version 2 events: the verifier takes both, and a
/// commitment removed from audit_row is a rows mismatch at its event.
#[test]
fn the_documented_python_verifier_reads_both_versions_and_the_row_commitments() {
    let dir = tempfile::tempdir().unwrap();
    let path = schema_6_file(dir.path());
    CaseFile::encrypt(
        &path,
        Credentials {
            username: ADMIN,
            password: ADMIN_PASSWORD,
        },
        fixed_clock(),
    )
    .unwrap();
    // The three version 1 events, then the upgrade's baseline, the signing
    // key the file had not had, and the encryption.
    let actions: Vec<String> = audit_rows(&path).into_iter().map(|r| r.2).collect();
    assert_eq!(
        actions[3..],
        ["casefile.upgrade", "audit.key.create", "casefile.encrypt"],
        "{actions:?}"
    );
    let script = documented_verifier();
    let out = run_python(&script, &path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 6 events, chain verified, every row answers to it\n"
    );
    sqlcipher(
        &path,
        "DROP TRIGGER audit_row_no_delete; DELETE FROM audit_row WHERE tbl = 'setting';",
    );
    let out = run_python(&script, &path);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("seq 4: rows mismatch"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
