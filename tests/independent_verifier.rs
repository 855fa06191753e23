//! docs/audit-format.md must be enough to verify a trail without ccu: the
//! Python verifier printed on that page is run against a real case file.

mod common;

use std::process::Command;

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

fn run_python(script: &str, file: &std::path::Path) -> std::process::Output {
    Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .expect("python3 is needed for this test (.ci/run installs it)")
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
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 6 events, chain verified, every row answers to it\n"
    );

    // A row changed, one added, one removed: each named by the verifier.
    let rows = dir.path().join("rows.ccu");
    std::fs::copy(&path, &rows).unwrap();
    sqlite3(
        &rows,
        "DROP TRIGGER resource_type_no_delete;
         UPDATE user_account SET password_hash = (SELECT password_hash FROM user_account WHERE id = 1)
          WHERE username = 'jokafor';
         INSERT INTO setting (key, value) VALUES ('backdoor', '1');
         DELETE FROM resource_type WHERE code = 'other';",
    );
    let out = run_python(&script, &rows);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("user_account [2]: changed since seq"), "{err}");
    assert!(
        err.contains(r#"setting ["backdoor"]: no event wrote it"#),
        "{err}"
    );
    assert!(
        err.contains(r#"resource_type ["other"]: missing, written by seq 1"#),
        "{err}"
    );
    assert!(err.contains("3 rows do not answer to the trail"), "{err}");

    sqlite3(
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
    drop(ccu::store::CaseFile::open_with_clock(&path, fixed_clock()).unwrap());
    let script = documented_verifier();
    let out = run_python(&script, &path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok: 5 events, chain verified, every row answers to it\n"
    );
    sqlite3(
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
