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
        "ok: 6 events, chain verified\n"
    );

    sqlite3(
        &path,
        "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET actor = 'someone' WHERE seq = 4;",
    );
    let out = run_python(&script, &path);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("seq 4: hash mismatch"));
}
