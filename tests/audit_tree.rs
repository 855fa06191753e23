//! The stored Merkle tree (`audit_node`, schema 0012): kept as events are
//! appended, equal to the tree of every leaf, rebuilt for a file from
//! before it, checked by `ccu check`, and what a checkpoint signs from
//! without rereading the trail, tried as an insider with `sqlcipher`.

mod common;

use std::path::{Path, PathBuf};

use ccu::audit::merkle;
use ccu::store::{Actor, CaseFile, Command};
use common::*;

/// A case file with an auditor and at least `events` events.
fn trail(dir: &Path, events: i64) -> (CaseFile, Actor, PathBuf) {
    let (mut cf, path) = new_casefile(dir);
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "aud", "auditor");
    let aud = login(&mut cf, "aud", USER_PASSWORD);
    while count(&path, "SELECT count(*) FROM audit_event") < events {
        cf.execute(&aud, Command::ViewAuditTrail).unwrap();
    }
    (cf, aud, path)
}

/// The leaf hashes of the trail, read with SQL.
fn leaves(path: &Path) -> Vec<merkle::Hash> {
    raw_conn(path)
        .prepare("SELECT hash FROM audit_event ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|h| merkle::leaf_hash(&hex::decode(h.unwrap()).unwrap()))
        .collect()
}

/// Every stored node, as (level, idx, hash).
fn nodes(path: &Path) -> Vec<(u32, i64, Vec<u8>)> {
    raw_conn(path)
        .prepare("SELECT level, idx, hash FROM audit_node ORDER BY level, idx")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The nodes a tree of `leaves` must store: every complete subtree of 16
/// leaves or more.
fn expected_nodes(leaves: &[merkle::Hash]) -> Vec<(u32, i64, Vec<u8>)> {
    let mut out = Vec::new();
    for level in 4..40u32 {
        let width = 1usize << level;
        for index in 0..leaves.len() / width {
            let root = merkle::root(&leaves[index * width..(index + 1) * width]);
            out.push((level, index as i64, root.to_vec()));
        }
    }
    out
}

fn trigger_sql(path: &Path, name: &str) -> String {
    raw_conn(path)
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
}

fn check(path: &Path) -> (Option<i32>, String) {
    let out = ccu(
        &["check", "--file", path.to_str().unwrap(), "--as", ADMIN],
        &[("CCU_PASSWORD", ADMIN_PASSWORD)],
    );
    (out.status.code(), stderr(&out))
}

/// The root the latest stored checkpoint signed, and its size.
fn latest_checkpoint(path: &Path) -> (i64, String) {
    raw_conn(path)
        .query_row(
            "SELECT tree_size, root_hash FROM checkpoint ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn the_stored_tree_is_every_complete_subtree_of_the_trail_as_it_grows() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, aud, path) = trail(dir.path(), 70);
    for _ in 0..3 {
        let all = leaves(&path);
        assert_eq!(nodes(&path), expected_nodes(&all), "{} events", all.len());
        // Onto the next block boundary and one past it.
        for _ in 0..17 {
            cf.execute(&aud, Command::ViewAuditTrail).unwrap();
        }
    }
    let all = leaves(&path);
    assert!(all.len() >= 120);
    assert!(nodes(&path).iter().any(|(level, ..)| *level == 6));
    // A checkpoint signs the root of every leaf.
    cf.execute(&aud, Command::RecordCheckpoint).unwrap();
    let (size, root) = latest_checkpoint(&path);
    assert_eq!(size as usize, all.len());
    assert_eq!(root, merkle::to_hex(&merkle::root(&all)));
    drop(cf);
    assert_eq!(check(&path), (Some(0), String::new()));
}

#[test]
fn a_case_file_from_before_the_stored_tree_gets_it_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, _, path) = trail(dir.path(), 100);
    drop(cf);
    let want = expected_nodes(&leaves(&path));
    assert!(want.len() >= 8);
    // As schema 11 left it: no tree at all.
    sqlcipher(&path, &back_to_schema(&path, 11));
    let (_cf, _) = open(&path, "aud", USER_PASSWORD);
    // Built from the events the file held when it was migrated; the login
    // that followed may have completed one more block.
    let got = nodes(&path);
    assert!(want.iter().all(|n| got.contains(n)), "{got:?}");
    assert_eq!(got, expected_nodes(&leaves(&path)));
    assert_eq!(check(&path), (Some(0), String::new()));
}

#[test]
fn check_finds_a_stored_node_changed_added_or_removed_outside_ccu() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, _, path) = trail(dir.path(), 70);
    drop(cf);
    let unguarded = |sql: &str| {
        format!("DROP TRIGGER audit_node_no_update; DROP TRIGGER audit_node_no_delete; {sql}")
    };
    for (sql, finding) in [
        (
            "UPDATE audit_node SET hash = zeroblob(32) WHERE level = 4 AND idx = 1",
            "audit_node: the stored Merkle subtree of events 17 to 32 does not answer to them",
        ),
        (
            "UPDATE audit_node SET hash = zeroblob(32) WHERE level = 5 AND idx = 0",
            "audit_node: the stored Merkle subtree of events 1 to 32 does not answer to them",
        ),
        (
            "INSERT INTO audit_node VALUES (4, 1000, zeroblob(32))",
            "audit_node: the stored Merkle subtree of events 16001 to 16016 is stored, but the trail does not complete it",
        ),
        (
            "DELETE FROM audit_node WHERE level = 4 AND idx = 3",
            "audit_node: the stored Merkle subtree of events 49 to 64 is missing",
        ),
    ] {
        let copy = dir.path().join("copy.ccu");
        std::fs::copy(&path, &copy).unwrap();
        std::fs::copy(
            ccu::store::keyring_path(&path),
            ccu::store::keyring_path(&copy),
        )
        .unwrap();
        sqlcipher(&copy, &unguarded(sql));
        let (code, err) = check(&copy);
        assert_eq!(code, Some(7), "{sql}: {err}");
        assert!(err.contains(finding), "{sql}: {err}");
        std::fs::remove_file(&copy).unwrap();
    }
}

#[test]
fn the_tree_is_append_only_from_outside_too() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, _, path) = trail(dir.path(), 40);
    drop(cf);
    for sql in [
        "UPDATE audit_node SET hash = zeroblob(32) WHERE level = 4 AND idx = 0;",
        "DELETE FROM audit_node;",
    ] {
        let out = try_sqlcipher(&path, sql);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("the audit tree is append-only"),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// An insider deletes an event the latest checkpoint covers. The next
/// checkpoint reads only the tree and what came after, so it signs the
/// root the trail had, deleted event included; the full export and
/// `ccu check` each read every event and refuse.
#[test]
fn an_event_deleted_before_the_checkpoint_cannot_be_signed_away() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, aud, path) = trail(dir.path(), 60);
    cf.execute(&aud, Command::RecordCheckpoint).unwrap();
    for _ in 0..5 {
        cf.execute(&aud, Command::ViewAuditTrail).unwrap();
    }
    drop(cf);
    let before = leaves(&path);
    // The trigger is put back after, so the schema is as ccu made it.
    sqlcipher(
        &path,
        &format!(
            "DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE seq = 20; {};",
            trigger_sql(&path, "audit_event_no_delete")
        ),
    );
    let file = path.to_str().unwrap();
    let as_aud = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--file", file, "--as", "aud"]);
        ccu(&all, &[("CCU_PASSWORD", USER_PASSWORD)])
    };
    let out = as_aud(&["audit", "checkpoint"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (size, root) = latest_checkpoint(&path);
    // Every event there was, the deleted one and the checkpoint
    // command's own login among them.
    assert_eq!(size as usize, before.len() + 1);
    let mut with_login = before.clone();
    with_login.push(merkle::leaf_hash(
        &hex::decode(
            raw_conn(&path)
                .query_row("SELECT hash FROM audit_event WHERE seq = ?1", [size], |r| {
                    r.get::<_, String>(0)
                })
                .unwrap(),
        )
        .unwrap(),
    ));
    assert_eq!(root, merkle::to_hex(&merkle::root(&with_login)));

    let bundle = dir.path().join("bundle");
    let out = as_aud(&["audit", "export", "--out", bundle.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("audit chain broken at seq 20: gap"),
        "{}",
        stderr(&out)
    );
    assert!(!bundle.exists());
    let (code, err) = check(&path);
    assert_eq!(code, Some(6));
    assert!(err.contains("audit chain broken at seq 20: gap"), "{err}");
}

/// An event since the latest checkpoint changed from outside: signing
/// reads every event since, so nothing is signed.
#[test]
fn an_event_changed_since_the_checkpoint_is_not_signed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, aud, path) = trail(dir.path(), 40);
    cf.execute(&aud, Command::RecordCheckpoint).unwrap();
    for _ in 0..5 {
        cf.execute(&aud, Command::ViewAuditTrail).unwrap();
    }
    drop(cf);
    let checkpoints = count(&path, "SELECT count(*) FROM checkpoint");
    let seq = count(&path, "SELECT max(seq) FROM audit_event") - 2;
    sqlcipher(
        &path,
        &format!(
            "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET details = '{{}}' WHERE seq = {seq}; {};",
            trigger_sql(&path, "audit_event_no_update")
        ),
    );
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
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("audit chain broken at seq {seq}: hash mismatch")),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&path, "SELECT count(*) FROM checkpoint"), checkpoints);
}

/// The insider who knows the format rewrites an event, re-hashes every
/// event after it and rebuilds the stored tree to match: the chain and the
/// tree agree again, but the latest checkpoint holds the old root, so
/// neither a checkpoint nor a full or filtered export signs the new one.
#[test]
fn a_trail_and_tree_rewritten_together_are_not_signed_over_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, aud, path) = trail(dir.path(), 50);
    cf.execute(&aud, Command::RecordCheckpoint).unwrap();
    drop(cf);
    let checkpoints = count(&path, "SELECT count(*) FROM checkpoint");
    rehash_trail(
        &path,
        |events| events[9].details = r#"{"what":"nothing happened"}"#.into(),
        "",
    );
    let file = path.to_str().unwrap();
    let bundle = dir.path().join("bundle");
    let out_dir = bundle.to_str().unwrap();
    for args in [
        vec!["audit", "checkpoint"],
        vec!["audit", "export", "--out", out_dir],
        vec!["audit", "export", "--out", out_dir, "--user", "aud"],
    ] {
        let mut all = args.clone();
        all.extend(["--file", file, "--as", "aud"]);
        let out = ccu(&all, &[("CCU_PASSWORD", USER_PASSWORD)]);
        assert_eq!(out.status.code(), Some(6), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("no longer have the Merkle root that was signed"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!bundle.exists(), "{args:?}");
    }
    assert_eq!(count(&path, "SELECT count(*) FROM checkpoint"), checkpoints);
}
