//! Signed checkpoints: `ccu audit pubkey`, `ccu audit checkpoint`, and
//! `ccu check` catching a trail cut short, or rewritten and re-hashed
//! consistently, since the latest checkpoint, on real files with sqlite3.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A case file with an auditor, a signed checkpoint, and events after it.
/// The checkpoint covers 16 events: init (4), the administrator's login,
/// two accounts added (5 each: the request, the head of unit's login and
/// approval, the account's first login and its own password), and the
/// auditor's login.
fn signed(dir: &Path) -> PathBuf {
    let (mut cf, path) = new_casefile(dir);
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "aud", "auditor");
    add_user(&mut cf, &admin, "inv", "investigator");
    drop(cf);
    let out = ccu(
        &[
            "audit",
            "checkpoint",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "aud",
        ],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("Signed a checkpoint of 16 events (Merkle root "),
        "{}",
        stdout(&out)
    );
    // One event after the checkpoint: the investigator unlocking the file.
    open(&path, "inv", USER_PASSWORD);
    path
}

fn check(path: &Path) -> std::process::Output {
    ccu(
        &["check", "--file", path.to_str().unwrap(), "--as", ADMIN],
        &[("CCU_PASSWORD", ADMIN_PASSWORD)],
    )
}

#[test]
fn the_public_key_is_printed_for_oversight_and_an_intact_trail_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    // Any account holder can print it; unlocking to do so is a login.
    let out = ccu(
        &[
            "audit",
            "pubkey",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "aud",
        ],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let id: String = raw_conn(&path)
        .query_row("SELECT id FROM casefile", [], |r| r.get(0))
        .unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.starts_with(&format!("ccu/{id}+")), "{text}");
    ccu::audit::checkpoint::parse_verifier_key(first).unwrap();
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("fingerprint: SHA-256:"),
        "{text}"
    );
    let out = check(&path);
    assert_eq!(
        stdout(&out),
        "ok: 19 events, chain verified, every row answers to it\n",
        "{}",
        stderr(&out)
    );
    // Only auditors and supervisors sign checkpoints; the refusal is audited.
    let out = ccu(
        &[
            "audit",
            "checkpoint",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "inv",
        ],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.4.as_str()),
        ("inv", "audit.checkpoint", "denied")
    );
}

#[test]
fn a_trail_rewritten_and_re_hashed_consistently_is_caught_by_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    // The forger knows the format: they change event 4 and re-hash every
    // event from there, so the chain itself is consistent again.
    rehash_trail(
        &path,
        |events| events[3].details = r#"{"what":"nothing happened"}"#.into(),
        "",
    );
    let out = check(&path);
    assert_eq!(out.status.code(), Some(6), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the 18 events chain, but the latest signed checkpoint"),
        "{err}"
    );
    assert!(
        err.contains("events 1 to 16 no longer have the Merkle root that was signed"),
        "{err}"
    );
}

#[test]
fn a_trail_cut_short_since_the_checkpoint_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    sqlcipher(
        &path,
        "DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE seq >= 6;",
    );
    let out = check(&path);
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("it covers 16 events, but only 5 remain: the trail was cut short"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_altered_checkpoint_fails_its_signature() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    sqlcipher(
        &path,
        "DROP TRIGGER checkpoint_no_update; UPDATE checkpoint SET note = replace(note, char(10) || '16' || char(10), char(10) || '15' || char(10)), tree_size = 15;",
    );
    let out = check(&path);
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("does not verify: it was altered or forged"),
        "{}",
        stderr(&out)
    );
}
