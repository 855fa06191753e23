//! The oversight export on real files: `ccu audit export` writes a bundle
//! that `ccu audit verify` checks with nothing but the bundle and the public
//! key, and the tamper suite: each kind of tampering caught, with its reason.

mod common;

use std::path::{Path, PathBuf};

use ccu::audit::bundle::{self, Manifest};
use ccu::audit::checkpoint;
use ccu::domain::account::Username;
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, Decision, NewOperation, Priority};
use ccu::store::Command;
use common::*;

struct Setup {
    _dir: tempfile::TempDir,
    casefile: PathBuf,
    pubkey: String,
    /// A checkpoint signed before the later events, as oversight would hold.
    old_checkpoint: PathBuf,
    full: PathBuf,
    filtered: PathBuf,
}

fn run(args: &[&str], user: &str) -> std::process::Output {
    ccu(
        args,
        &[(
            "CCU_PASSWORD",
            if user == ADMIN {
                ADMIN_PASSWORD
            } else {
                USER_PASSWORD
            },
        )],
    )
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, casefile) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "aud", "auditor");
    add_user(&mut cf, &admin, "inv", "investigator");
    add_user(&mut cf, &admin, "sup", "supervisor");
    login(&mut cf, "inv", USER_PASSWORD);
    drop(cf);
    let file = casefile.to_str().unwrap();
    assert!(
        run(
            &["audit", "checkpoint", "--file", file, "--as", "aud"],
            "aud"
        )
        .status
        .success()
    );
    let old_checkpoint = dir.path().join("held-by-oversight.txt");
    let note: String = raw_conn(&casefile)
        .query_row(
            "SELECT note FROM checkpoint ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    std::fs::write(&old_checkpoint, note).unwrap();
    let (mut cf, inv) = open(&casefile, "inv", USER_PASSWORD);
    let u = |n: &str| Username::parse(n).unwrap();
    for name in ["KESTREL", "HAWK"] {
        cf.execute(
            &inv,
            Command::OpenOperation(
                NewOperation::new(
                    Codename::parse(name).unwrap(),
                    "=HYPERLINK(\"http://x\") +1 -1 @SUM",
                    Category::AbuseOfAuthority,
                    Priority::P2,
                    u("inv"),
                    u("sup"),
                    vec![],
                    vec![],
                )
                .unwrap(),
            ),
        )
        .unwrap();
        cf.execute(
            &inv,
            Command::RecordDecision {
                codename: Codename::parse(name).unwrap(),
                decision: Decision::new(
                    "Open a line of enquiry",
                    "Because, \"quoted\",\nand on two lines",
                    "",
                    None,
                )
                .unwrap(),
            },
        )
        .unwrap();
    }
    drop(cf);
    let out = run(&["audit", "pubkey", "--file", file, "--as", "aud"], "aud");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pubkey = stdout(&out).lines().next().unwrap().to_owned();
    let full = dir.path().join("full");
    let out = run(
        &[
            "audit",
            "export",
            "--out",
            full.to_str().unwrap(),
            "--file",
            file,
            "--as",
            "aud",
        ],
        "aud",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("full export"), "{}", stdout(&out));
    let filtered = dir.path().join("kestrel");
    let out = run(
        &[
            "audit",
            "export",
            "--out",
            filtered.to_str().unwrap(),
            "--operation",
            "kestrel",
            "--file",
            file,
            "--as",
            "sup",
        ],
        "sup",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    Setup {
        _dir: dir,
        casefile,
        pubkey,
        old_checkpoint,
        full,
        filtered,
    }
}

fn verify(dir: &Path, pubkey: &str, since: Option<&Path>) -> std::process::Output {
    let mut args = vec!["audit", "verify", dir.to_str().unwrap(), "--pubkey", pubkey];
    if let Some(s) = since {
        args.extend_from_slice(&["--since", s.to_str().unwrap()]);
    }
    ccu(&args, &[])
}

fn fails_with(out: &std::process::Output, reason: &str) {
    assert_eq!(
        out.status.code(),
        Some(6),
        "stdout {} stderr {}",
        stdout(out),
        stderr(out)
    );
    assert!(
        stderr(out).contains(reason),
        "expected {reason:?} in {}",
        stderr(out)
    );
}

/// A copy of a bundle to tamper with.
fn copy(from: &Path, name: &str) -> PathBuf {
    let to = from.parent().unwrap().join(name);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to
}

/// What an insider holding the case file (and so its private key) can do:
/// rewrite the manifest to match the files and sign it again.
fn resign(bundle_dir: &Path, casefile: &Path) {
    let seed: String = raw_conn(casefile)
        .query_row("SELECT secret_key FROM signing_key", [], |r| r.get(0))
        .unwrap();
    let key =
        ed25519_dalek::SigningKey::from_bytes(&hex::decode(seed).unwrap().try_into().unwrap());
    let mut manifest: Manifest =
        serde_json::from_slice(&std::fs::read(bundle_dir.join(bundle::MANIFEST)).unwrap()).unwrap();
    let entries = std::fs::read_to_string(bundle_dir.join(bundle::ENTRIES)).unwrap();
    manifest.entries = entries.lines().count() as u64;
    for (name, hash) in manifest.files.iter_mut() {
        *hash = bundle::sha256_hex(&std::fs::read(bundle_dir.join(name)).unwrap());
    }
    let bytes = serde_json::to_vec_pretty(&manifest).unwrap();
    let note = checkpoint::sign_note(&bundle::manifest_note_body(&bytes), &manifest.origin, &key);
    std::fs::write(bundle_dir.join(bundle::MANIFEST), bytes).unwrap();
    std::fs::write(bundle_dir.join(bundle::MANIFEST_SIGNATURE), note).unwrap();
}

fn edit_entries(dir: &Path, edit: impl FnOnce(&mut Vec<String>)) {
    let path = dir.join(bundle::ENTRIES);
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    edit(&mut lines);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn full_and_filtered_bundles_verify_alone_and_extend_the_checkpoint_oversight_held() {
    let s = setup();
    let out = verify(&s.full, &s.pubkey, None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ok: "), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("(full export, chain verified)"),
        "{}",
        stdout(&out)
    );
    let out = verify(&s.filtered, &s.pubkey, Some(&s.old_checkpoint));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("filtered export, each proved included"),
        "{text}"
    );
    assert!(text.contains("extends the earlier checkpoint of"), "{text}");
    // The filtered bundle holds KESTREL's events and nothing of HAWK's.
    let entries = std::fs::read_to_string(s.filtered.join(bundle::ENTRIES)).unwrap();
    assert_eq!(entries.lines().count(), 2, "{entries}");
    assert!(!entries.contains("HAWK"));
    let out = verify(&s.full, &s.pubkey, Some(&s.old_checkpoint));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The key may also be given as a file.
    let keyfile = s.full.parent().unwrap().join("key.txt");
    std::fs::write(&keyfile, format!("{}\n", s.pubkey)).unwrap();
    assert_eq!(
        verify(&s.full, keyfile.to_str().unwrap(), None)
            .status
            .code(),
        Some(0)
    );
    // Each export is itself an audit event.
    let rows = audit_rows(&s.casefile);
    assert_eq!(rows.iter().filter(|r| r.2 == "audit.export").count(), 2);
}

#[test]
fn tamper_suite_each_caught_with_its_reason() {
    let s = setup();

    let dir = copy(&s.full, "flipped");
    edit_entries(&dir, |lines| {
        lines[4] = lines[4].replacen("\"actor\":\"", "\"actor\":\"x", 1)
    });
    fails_with(
        &verify(&dir, &s.pubkey, None),
        "entries.jsonl: its SHA-256 differs from the manifest",
    );
    resign(&dir, &s.casefile);
    fails_with(&verify(&dir, &s.pubkey, None), "entry seq 5: hash mismatch");

    let dir = copy(&s.full, "deleted");
    edit_entries(&dir, |lines| {
        lines.remove(6);
    });
    resign(&dir, &s.casefile);
    fails_with(&verify(&dir, &s.pubkey, None), "entry seq 7: seq 7: gap");

    let dir = copy(&s.full, "reordered");
    edit_entries(&dir, |lines| lines.swap(3, 8));
    resign(&dir, &s.casefile);
    fails_with(&verify(&dir, &s.pubkey, None), "out of order");

    let dir = copy(&s.full, "truncated");
    let path = dir.join(bundle::ENTRIES);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    fails_with(
        &verify(&dir, &s.pubkey, None),
        "entries.jsonl: its SHA-256 differs",
    );

    // A device in place of a file (here /dev/zero, which never ends): it
    // is refused by what it is, not read for ever.
    for name in [bundle::ENTRIES, bundle::REPORT, bundle::CHECKPOINT] {
        let dir = copy(&s.full, &format!("device-{name}"));
        std::fs::remove_file(dir.join(name)).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.join(name)).unwrap();
        fails_with(
            &verify(&dir, &s.pubkey, None),
            &format!("{name}: not a regular file"),
        );
    }
    // One line of entries longer than ccu ever writes, with the manifest
    // re-signed over it: refused at that line, not read into memory whole.
    let dir = copy(&s.full, "long-line");
    edit_entries(&dir, |lines| lines.insert(2, "x".repeat(17 << 20)));
    resign(&dir, &s.casefile);
    fails_with(
        &verify(&dir, &s.pubkey, None),
        "entries.jsonl line 3: longer than 16 MiB",
    );

    let other = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
    let origin = s.pubkey.split('+').next().unwrap();
    let swapped = checkpoint::verifier_key(origin, &other.verifying_key());
    fails_with(
        &verify(&s.full, &swapped, None),
        "manifest.sig: it bears no signature by key",
    );

    let dir = copy(&s.full, "forged-manifest");
    let path = dir.join(bundle::MANIFEST);
    let text =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"full\": true", "\"full\": false", 1);
    std::fs::write(&path, text).unwrap();
    fails_with(
        &verify(&dir, &s.pubkey, None),
        "manifest.json does not match its signature",
    );

    let dir = copy(&s.filtered, "bad-proof");
    let path = dir.join(bundle::PROOFS);
    let text = std::fs::read_to_string(&path).unwrap();
    let first_hash_at = text.find("\"proof\":[\"").unwrap() + 10;
    let mut bytes = text.into_bytes();
    bytes[first_hash_at] = if bytes[first_hash_at] == b'0' {
        b'1'
    } else {
        b'0'
    };
    std::fs::write(&path, bytes).unwrap();
    resign(&dir, &s.casefile);
    fails_with(
        &verify(&dir, &s.pubkey, None),
        "its inclusion proof does not lead to the signed root",
    );
}

#[test]
fn a_whole_log_re_hashed_consistently_is_caught_by_since_and_by_check() {
    let s = setup();
    // An insider rewrites event 5 and re-hashes the whole chain after it,
    // and empties the checkpoint table so no stored checkpoint objects.
    rehash_trail(
        &s.casefile,
        |events| events[4].details = r#"{"what":"nothing happened"}"#.into(),
        "DROP TRIGGER checkpoint_no_delete; DELETE FROM checkpoint;",
    );
    let file = s.casefile.to_str().unwrap();
    // The trail's own events name the checkpoints they signed, and the rows
    // they committed to are gone: check fails, and nothing is signed.
    let out = run(&["check", "--file", file, "--as", ADMIN], ADMIN);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let checked = stderr(&out);
    assert!(
        checked.contains("(audit.checkpoint) signed a checkpoint of")
            && checked.contains("that the case file no longer holds"),
        "{checked}"
    );
    assert!(
        checked.contains(
            "checkpoint key [1] (written by audit.checkpoint 22): missing: seq 23 wrote it"
        ),
        "{checked}"
    );
    let refused = s.full.parent().unwrap().join("refused");
    let out = run(
        &[
            "audit",
            "export",
            "--out",
            refused.to_str().unwrap(),
            "--file",
            file,
            "--as",
            "aud",
        ],
        "aud",
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let body = |text: &str| text.split_once("check failed: ").map(|(_, b)| b.to_owned());
    assert_eq!(
        body(&stderr(&out)),
        body(&checked),
        "the same message as check"
    );
    assert!(!refused.exists());

    // A thorough insider also strips the commitments to those checkpoints
    // and the events that signed them, re-hashes everything, and puts back
    // the triggers exactly as they were.
    let saved: Vec<String> = raw_conn(&s.casefile)
        .prepare(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'audit_row_no_delete'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    sqlcipher(
        &s.casefile,
        "DROP TRIGGER audit_row_no_delete; DELETE FROM audit_row WHERE tbl = 'checkpoint';",
    );
    rehash_trail(
        &s.casefile,
        |events| {
            for e in events.iter_mut() {
                if e.action == "audit.checkpoint" || e.action == "audit.export" {
                    e.action = "view".into();
                    e.details = "{}".into();
                }
            }
        },
        "",
    );
    let fresh = tempfile::tempdir().unwrap();
    let (_, made) = new_casefile(fresh.path());
    let originals: Vec<String> = raw_conn(&made)
        .prepare(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger'
             AND name IN ('audit_event_no_update', 'audit_event_no_delete', 'checkpoint_no_delete')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    sqlcipher(
        &s.casefile,
        &format!("{};{};", originals.join(";"), saved.join(";")),
    );
    // With that, ccu check alone is satisfied...
    let out = run(&["check", "--file", file, "--as", ADMIN], ADMIN);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rewritten = s.full.parent().unwrap().join("rewritten");
    let out = run(
        &[
            "audit",
            "export",
            "--out",
            rewritten.to_str().unwrap(),
            "--file",
            file,
            "--as",
            "aud",
        ],
        "aud",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // ...and the new bundle verifies on its own, but not against the
    // checkpoint oversight held from before.
    assert_eq!(verify(&rewritten, &s.pubkey, None).status.code(), Some(0));
    fails_with(
        &verify(&rewritten, &s.pubkey, Some(&s.old_checkpoint)),
        "does not extend the earlier checkpoint",
    );
}

#[test]
fn the_csv_round_trips_and_no_cell_starts_a_formula() {
    let s = setup();
    let entries: Vec<ccu::audit::Event> = std::fs::read_to_string(s.full.join(bundle::ENTRIES))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut reader = csv::Reader::from_path(s.full.join(bundle::CSV)).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), entries.len());
    for (row, e) in rows.iter().zip(&entries) {
        let fields = [
            e.seq.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.actor_roles.clone(),
            e.action.clone(),
            e.entity_type.clone(),
            e.entity_ref.clone(),
            e.outcome.clone(),
            e.details.clone(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ];
        assert_eq!(row.len(), fields.len());
        for (cell, field) in row.iter().zip(&fields) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
            if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                assert_eq!(cell, format!("'{field}"));
            } else {
                assert_eq!(cell, field);
            }
        }
    }
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(s.full.join(bundle::MANIFEST)).unwrap()).unwrap();
    assert_eq!(manifest.non_authoritative, [bundle::CSV, bundle::REPORT]);
}

#[test]
fn a_refused_export_leaves_no_folder_and_no_event() {
    let s = setup();
    let file = s.casefile.to_str().unwrap();
    let events = audit_rows(&s.casefile).len();
    let out_dir = s.full.parent().unwrap().join("never");
    for (args, reason) in [
        (
            vec!["--operation", "NOPE"],
            "there is no operation 'NOPE' that you may see",
        ),
        (
            vec!["--from", "02/01/2026", "--to", "01/01/2026"],
            "to: is before --from",
        ),
        (
            vec!["--from", "31/02/2026"],
            "from: '31/02/2026' is not a date",
        ),
    ] {
        let mut all = vec![
            "audit",
            "export",
            "--out",
            out_dir.to_str().unwrap(),
            "--file",
            file,
            "--as",
            "aud",
        ];
        all.extend_from_slice(&args);
        let out = run(&all, "aud");
        assert_eq!(out.status.code(), Some(5), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(reason), "{}", stderr(&out));
        assert!(!out_dir.exists(), "{args:?} left {}", out_dir.display());
    }
    let out = run(
        &[
            "audit",
            "export",
            "--out",
            s.full.to_str().unwrap(),
            "--file",
            file,
            "--as",
            "aud",
        ],
        "aud",
    );
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    // Only the logins of those attempts were recorded: no export, no checkpoint.
    let new: Vec<String> = audit_rows(&s.casefile)
        .into_iter()
        .skip(events)
        .map(|r| r.2)
        .collect();
    assert!(new.iter().all(|a| a == "login"), "{new:?}");
}
