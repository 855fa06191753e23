//! Every row of a case file answers to the audit chain: tried as an insider
//! (who holds an account, so the key) with the real `sqlcipher` program on
//! copies of a real demo case file, and `ccu check` (the real binary)
//! naming the table, the row and the seq.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ccu::demo::{DEMO_PASSWORD, create_demo};
use ccu::domain::operation::{Codename, OperationStatus};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{CaseFile, Command, Credentials, Error, Integrity, keyring_path};
use chrono::{DateTime, TimeZone, Utc};
use common::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

/// One demo file for the suite, with a checkpoint signed on the command
/// line too; each test works on a copy.
fn demo() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.ccu");
        drop(create_demo(&path, now()).unwrap());
        // The demo renews nothing; renew the authorisation about to end,
        // so that every table has a row to tamper with.
        let (mut cf, supt) = CaseFile::locate(&path)
            .unwrap()
            .unlock(
                Credentials {
                    username: "authorising",
                    password: DEMO_PASSWORD,
                },
                Box::new(now),
            )
            .unwrap();
        cf.execute(
            &supt,
            Command::RenewAuthorisation {
                urn: Urn::parse(UrnKind::Authorisation, "AUTH-2026-0002").unwrap(),
                rationale: why("The meetings it covers go on into the new year"),
            },
        )
        .unwrap();
        drop(cf);
        // The administrator takes the common helpers' password, which
        // `unlock_sql` tries first: each failed try would be noted in the
        // keyring, and reach the trail of every copy at its next unlock.
        let (mut cf, admin) = CaseFile::locate(&path)
            .unwrap()
            .unlock(
                Credentials {
                    username: ADMIN,
                    password: DEMO_PASSWORD,
                },
                Box::new(now),
            )
            .unwrap();
        cf.execute(
            &admin,
            Command::SetPassword {
                username: username(ADMIN),
                password: password(ADMIN_PASSWORD, ADMIN),
            },
        )
        .unwrap();
        drop(cf);
        (dir, path)
    });
    path
}

/// The password of `user` in the suite's demo (and of the administrator
/// of a case file the common helpers make).
fn password_of(user: &str) -> &'static str {
    if user == ADMIN {
        ADMIN_PASSWORD
    } else {
        DEMO_PASSWORD
    }
}

fn copy_of_demo(dir: &Path) -> PathBuf {
    let path = dir.join("case.ccu");
    copy_casefile(demo(), &path);
    path
}

/// Copies a case file and the keyring beside it.
fn copy_casefile(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    std::fs::copy(keyring_path(from), keyring_path(to)).unwrap();
}

fn as_user(args: &[&str], path: &Path, user: &str) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend(["--file", path.to_str().unwrap(), "--as", user]);
    ccu(&all, &[("CCU_PASSWORD", password_of(user))])
}

/// `ccu check` on `path`, as the administrator: its exit code and
/// standard error.
fn check(path: &Path) -> (Option<i32>, String) {
    let out = as_user(&["check"], path, ADMIN);
    if out.status.code() != Some(0) {
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    }
    (out.status.code(), stderr(&out))
}

fn rows_altered(path: &Path) -> String {
    let (code, err) = check(path);
    // A changed checkpoint row also fails the checkpoint itself (exit 6);
    // the rows are named all the same.
    let signed_note_changed = err.contains("the latest signed checkpoint");
    assert_eq!(code, Some(if signed_note_changed { 6 } else { 7 }), "{err}");
    assert!(
        err.contains("the case file does not answer to them"),
        "{err}"
    );
    err
}

/// SQL that drops every trigger on `table` (the guard-rails an insider
/// removes first).
fn drop_triggers(path: &Path, table: &str) -> String {
    let conn = raw_conn(path);
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1")
        .unwrap()
        .query_map([table], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names
        .iter()
        .map(|n| format!("DROP TRIGGER \"{n}\";"))
        .collect()
}

fn the_seq_that_last_wrote(path: &Path, table: &str, key: &str) -> i64 {
    let conn = raw_conn(path);
    conn.query_row(
        "SELECT max(seq) FROM audit_row WHERE tbl = ?1 AND row_key = ?2",
        [table, key],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn an_untouched_demo_checks_clean_and_every_state_table_has_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let (code, err) = check(&path);
    assert_eq!(code, Some(0), "{err}");
    for table in state_tables(&path) {
        assert!(
            count(&path, &format!("SELECT count(*) FROM \"{table}\"")) > 0,
            "the demo leaves {table} empty, so the tamper tests below would not cover it"
        );
    }
    // Reading it outside ccu leaves no failed unlock behind in its keyring.
    let keys = ccu::store::KeyringFile::read(&path).unwrap().unwrap();
    assert!(keys.notices.is_empty(), "{:?}", keys.notices);
}

/// The state tables by the rule docs/audit-format.md gives.
fn state_tables(path: &Path) -> Vec<String> {
    state_tables_in(&raw_conn(path))
}

fn state_tables_in(conn: &rusqlite::Connection) -> Vec<String> {
    conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND name NOT IN ('audit_event', 'audit_row', 'audit_node', 'search_index')
         AND name NOT LIKE 'search\\_index\\_%' ESCAPE '\\' ORDER BY name",
    )
    .unwrap()
    .query_map([], |r| r.get(0))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// A table's columns, which of them are its key (in key order), and the
/// key of its first row as json_array writes it.
fn first_row(path: &Path, table: &str) -> (Vec<(String, bool)>, Vec<String>, String) {
    let conn = raw_conn(path);
    let info: Vec<(String, i64)> = conn
        .prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")
        .unwrap()
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut key: Vec<(i64, String)> = info
        .iter()
        .filter(|(_, pk)| *pk > 0)
        .map(|(n, pk)| (*pk, n.clone()))
        .collect();
    key.sort();
    let key: Vec<String> = key.into_iter().map(|(_, n)| n).collect();
    let key_sql = format!("json_array({})", key.join(", "));
    let first: String = conn
        .query_row(
            &format!("SELECT {key_sql} FROM \"{table}\" ORDER BY {key_sql} LIMIT 1"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    (
        info.into_iter().map(|(n, pk)| (n, pk > 0)).collect(),
        key,
        first,
    )
}

/// One column of each unique index (the primary key among them) of
/// `table`, an integer one where there is one: changing these makes a copy
/// of a row a row of its own.
fn columns_to_make_unique(path: &Path, table: &str) -> Vec<String> {
    let conn = raw_conn(path);
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM pragma_index_list(?1) WHERE \"unique\" = 1")
        .unwrap()
        .query_map([table], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut chosen = Vec::new();
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    for index in indexes {
        groups.push(
            conn.prepare(
                "SELECT ii.name, t.type FROM pragma_index_info(?1) ii
                 JOIN pragma_table_info(?2) t ON t.name = ii.name",
            )
            .unwrap()
            .query_map([index.as_str(), table], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap(),
        );
    }
    // A rowid table's INTEGER PRIMARY KEY is in no index.
    let rowid_key: Vec<(String, String)> = conn
        .prepare("SELECT name, type FROM pragma_table_info(?1) WHERE pk = 1 AND type = 'INTEGER'")
        .unwrap()
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    groups.push(rowid_key);
    for group in groups {
        if group.iter().any(|(c, _)| chosen.contains(c)) {
            continue;
        }
        let pick = group
            .iter()
            .find(|(_, ty)| ty == "INTEGER")
            .or_else(|| group.first());
        if let Some((c, _)) = pick {
            chosen.push(c.clone());
        }
    }
    chosen
}

/// For every state table: a row edited, a row inserted and a row deleted
/// with sqlite3 (the table's triggers dropped first) each make `ccu check`
/// exit 7 naming the table, the row's key and, for a row an event wrote,
/// that event's seq.
#[test]
fn every_state_table_catches_an_edited_an_inserted_and_a_deleted_row() {
    let dir = tempfile::tempdir().unwrap();
    let tables = state_tables(demo());
    assert!(tables.len() >= 25, "{tables:?}");
    let mut singletons = Vec::new();
    for table in &tables {
        let (columns, key, first) = first_row(demo(), table);
        let at_first = format!(
            "json_array({}) = '{}'",
            key.join(", "),
            first.replace('\'', "''")
        );
        let seq = the_seq_that_last_wrote(demo(), table, &first);
        let prelude = drop_triggers(demo(), table);

        // Edited: the last column whose new value the schema accepts, or,
        // in a table that is all key, the key itself (a different row then).
        let path = dir.path().join(format!("{table}-edited.ccu"));
        let mut candidates: Vec<String> = columns
            .iter()
            .rev()
            .filter(|(_, is_key)| !is_key)
            .map(|(c, _)| c.clone())
            .collect();
        candidates.extend(key.iter().rev().cloned());
        let edited = candidates.iter().any(|column| {
            copy_casefile(demo(), &path);
            try_sqlcipher(
                &path,
                &format!(
                    "{prelude} UPDATE \"{table}\" SET \"{column}\" = CASE typeof(\"{column}\")
                         WHEN 'integer' THEN \"{column}\" + 1000 WHEN 'real' THEN \"{column}\" + 0.5
                         WHEN 'null' THEN 'set from outside' ELSE \"{column}\" || ' (edited)' END
                     WHERE {at_first};"
                ),
            )
            .status
            .success()
        });
        assert!(edited, "no column of {table} could be edited");
        let err = rows_altered(&path);
        assert!(err.contains(&format!("{table} ")), "{table} edited: {err}");
        assert!(
            err.contains(&format!("seq {seq}")),
            "{table} edited, seq {seq}: {err}"
        );

        // Inserted: a copy of the first row, made unique.
        let path = dir.path().join(format!("{table}-inserted.ccu"));
        copy_casefile(demo(), &path);
        let sets: Vec<String> = columns_to_make_unique(demo(), table)
            .iter()
            .map(|c| {
                // A public key stays 64 hex digits (its CHECK says so).
                format!(
                    "\"{c}\" = CASE WHEN typeof(\"{c}\") = 'integer' THEN \"{c}\" + 1000000
                         WHEN length(\"{c}\") = 64 AND \"{c}\" NOT GLOB '*[^0-9a-f]*'
                         THEN lower(hex(randomblob(32)))
                         ELSE \"{c}\" || '-copy' END"
                )
            })
            .collect();
        let inserted = try_sqlcipher(
            &path,
            &format!(
                "{prelude}
                 CREATE TEMP TABLE copied AS SELECT * FROM \"{table}\" WHERE {at_first};
                 UPDATE copied SET {};
                 INSERT INTO \"{table}\" SELECT * FROM copied;",
                sets.join(", ")
            ),
        );
        if inserted.status.success() {
            let err = rows_altered(&path);
            assert!(
                err.contains(&format!("{table} "))
                    && err.contains("added outside ccu: no audit event wrote it"),
                "{table} inserted: {err}"
            );
        } else {
            // A table of one row by its schema cannot take a second.
            assert!(
                String::from_utf8_lossy(&inserted.stderr).contains("singleton = 1"),
                "{table}: {}",
                String::from_utf8_lossy(&inserted.stderr)
            );
            singletons.push(table.clone());
        }

        // Deleted.
        let path = dir.path().join(format!("{table}-deleted.ccu"));
        copy_casefile(demo(), &path);
        sqlcipher(
            &path,
            &format!("{prelude} DELETE FROM \"{table}\" WHERE {at_first};"),
        );
        if table == "casefile" {
            // The id seeds the chain: nothing opens without it.
            let (code, err) = check(&path);
            assert_eq!(code, Some(7), "{err}");
            assert!(
                err.contains(&format!("casefile the case file's id (it seeds the audit chain): was removed outside ccu (last written by seq {seq})")),
                "{err}"
            );
            continue;
        }
        let err = rows_altered(&path);
        assert!(
            err.contains(&format!("{table} "))
                && err.contains(&format!("key {first}"))
                && err.contains(&format!("missing: seq {seq} wrote it")),
            "{table} deleted: {err}"
        );
    }
    assert_eq!(singletons, ["casefile", "signing_key"]);
}

// The six insider scenarios that once left `ccu check` saying ok.

#[test]
fn insider_extends_an_authorisation() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    sqlcipher(
        &path,
        "UPDATE authorisation SET ends_at = '2027-06-30T23:00:00.000000Z' WHERE urn = 'AUTH-2026-0002';",
    );
    let err = rows_altered(&path);
    assert!(
        err.contains("authorisation AUTH-2026-0002 (key [2]): changed since seq"),
        "{err}"
    );
    // A checkpoint signs the trail, which still commits to the row as the
    // grant wrote it: signing over the file launders nothing, and ccu
    // check still finds the row after.
    let out = as_user(&["audit", "checkpoint"], &path, "auditor");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = rows_altered(&path);
    assert!(
        err.contains("authorisation AUTH-2026-0002 (key [2]): changed since seq"),
        "{err}"
    );
}

#[test]
fn insider_sets_an_operation_back_to_scoping_and_ccu_will_not_write_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    sqlcipher(
        &path,
        "UPDATE operation SET status = 'scoping' WHERE codename = 'KESTREL';",
    );
    let err = rows_altered(&path);
    let seq = the_seq_that_last_wrote(demo(), "operation", "[1]");
    assert!(
        err.contains(&format!(
            "operation Op KESTREL (OP-2026-0001) (key [1]): changed since seq {seq} wrote it"
        )),
        "{err}"
    );
    // A supervisor's status change would commit the forged status as its
    // own: it is refused, and nothing is saved.
    let (mut cf, sup) = CaseFile::locate(&path)
        .unwrap()
        .unlock(
            Credentials {
                username: "supervisor",
                password: DEMO_PASSWORD,
            },
            fixed_clock(),
        )
        .unwrap();
    let before = count(&path, "SELECT count(*) FROM audit_event");
    let refused = cf
        .execute(
            &sup,
            Command::ChangeOperationStatus {
                codename: Codename::parse("KESTREL").unwrap(),
                to: OperationStatus::ActiveOvert,
                reason: why("Back to overt enquiries"),
            },
        )
        .unwrap_err();
    match &refused {
        Error::Integrity {
            problem: Integrity::RowAltered { table, seq: at, .. },
            ..
        } => {
            assert_eq!(table, "operation");
            assert_eq!(*at, Some(seq));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(refused.exit_code(), 7);
    assert!(
        refused
            .to_string()
            .contains("was changed outside ccu, so ccu will not write over it")
    );
    assert_eq!(count(&path, "SELECT count(*) FROM audit_event"), before);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM operation WHERE codename = 'KESTREL' AND status = 'scoping'"
        ),
        1
    );
}

#[test]
fn insider_deletes_an_intelligence_item_and_its_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let (id, urn): (i64, String) = raw_conn(&path)
        .query_row(
            "SELECT id, urn FROM intelligence WHERE id IN (SELECT intelligence_id FROM intelligence_subject) ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    sqlcipher(
        &path,
        &format!(
            "DROP TRIGGER intelligence_no_delete; DROP TRIGGER intelligence_subject_no_delete;
             DROP TRIGGER triage_decision_no_delete;
             DELETE FROM intelligence_subject WHERE intelligence_id = {id};
             DELETE FROM triage_decision WHERE intelligence_id = {id};
             DELETE FROM intelligence WHERE id = {id};"
        ),
    );
    let err = rows_altered(&path);
    assert!(
        err.contains(&format!("intelligence key [{id}] (written by "))
            && err.contains("missing: seq"),
        "{err}"
    );
    assert!(err.contains(&urn), "{err}");
    assert!(err.contains("intelligence_subject key ["), "{err}");
}

#[test]
fn insider_gives_the_investigator_the_supervisor_role() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    sqlcipher(
        &path,
        "INSERT INTO user_role SELECT id, 'supervisor' FROM user_account WHERE username = 'investigator';",
    );
    let err = rows_altered(&path);
    assert!(
        err.contains("user_role account investigator, role supervisor")
            && err.contains("added outside ccu"),
        "{err}"
    );
    // The investigator sees nothing through it: logging in is refused.
    let before = count(&path, "SELECT count(*) FROM audit_event");
    let out = as_user(&["due"], &path, "investigator");
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("user_role account investigator, role supervisor"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    let rows = audit_rows(&path);
    assert_eq!(rows.len() as i64, before + 1, "only the refused login");
    let last = rows.last().unwrap();
    assert_eq!((last.2.as_str(), last.4.as_str()), ("login", "denied"));
    assert!(last.5.contains("account changed outside ccu"), "{}", last.5);
}

/// What an insider who holds the data key can put into the keyring (its
/// format is docs/security.md's): an entry under `username` that
/// `password` opens, a new key pair's, with the data key sealed to it.
/// Returns the entry's public key (hex).
fn forge_keyring_entry(path: &Path, username: &str, password: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use crypto_box::aead::OsRng;
    use crypto_secretbox::aead::{Aead, KeyInit};
    use hmac::{KeyInit as _, Mac};

    let unlock = unlock_sql(path);
    let data_key = hex::decode(
        unlock
            .split("x'")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap(),
    )
    .unwrap();
    let keys = keyring_path(path);
    let text = std::fs::read_to_string(&keys).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let mut ring: serde_json::Value = serde_json::from_str(first).unwrap();
    let kdf = &ring["kdf"];
    let cost = |name: &str| kdf[name].as_u64().unwrap() as u32;
    let params = argon2::Params::new(
        cost("memory_kib"),
        cost("iterations"),
        cost("parallelism"),
        Some(32),
    )
    .unwrap();
    let mut salt = hex::decode(kdf["salt"].as_str().unwrap()).unwrap();
    salt.extend_from_slice(username.as_bytes());
    let mut k = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password.as_bytes(), &salt, &mut k)
        .unwrap();
    let derived = |purpose: &str| {
        let mut mac = <hmac::Hmac<sha2::Sha256>>::new_from_slice(&k).unwrap();
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes()
    };
    let secret = crypto_box::SecretKey::generate(&mut OsRng);
    let public = secret.public_key();
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).unwrap();
    let mut sealed = nonce.to_vec();
    sealed.extend(
        crypto_secretbox::XSalsa20Poly1305::new_from_slice(&derived("ccu-keyring-v1 secret"))
            .unwrap()
            .encrypt(
                crypto_secretbox::Nonce::from_slice(&nonce),
                &secret.to_bytes()[..],
            )
            .unwrap(),
    );
    let public_hex = hex::encode(public.as_bytes());
    ring["accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "label": hex::encode(&derived("ccu-keyring-v1 label")[..16]),
            "public_key": public_hex,
            "secret": B64.encode(sealed),
            "data_key": B64.encode(public.seal(&mut OsRng, &data_key).unwrap()),
        }));
    std::fs::write(&keys, format!("{ring}\n{rest}")).unwrap();
    public_hex
}

#[test]
fn insider_puts_a_key_of_their_own_on_another_officers_account() {
    // The insider writes a keyring entry that their own password opens,
    // under the investigator's name: it opens the file, but logs no one
    // in, as the case file holds another key for the account.
    let insider = "a password of the insider's own";
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    forge_keyring_entry(&path, "investigator", insider);
    let before = count(&path, "SELECT count(*) FROM audit_event");
    let out = ccu(
        &[
            "due",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "investigator",
        ],
        &[("CCU_PASSWORD", insider)],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let rows = audit_rows(&path);
    assert_eq!(rows.len() as i64, before + 1, "only the refused login");
    let last = rows.last().unwrap();
    assert_eq!((last.2.as_str(), last.4.as_str()), ("login", "denied"));
    assert!(
        last.5.contains("the keyring's key is not the account's"),
        "{}",
        last.5
    );

    // So they put its public key on the investigator's account as well:
    // their password would then open the investigator's account.
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let key = forge_keyring_entry(&path, "investigator", insider);
    sqlcipher(
        &path,
        &format!("UPDATE user_account SET public_key = '{key}' WHERE username = 'investigator';"),
    );
    let err = rows_altered(&path);
    assert!(
        err.contains("user_account account investigator (key [3]): changed since seq"),
        "{err}"
    );
    let out = ccu(
        &[
            "due",
            "--file",
            path.to_str().unwrap(),
            "--as",
            "investigator",
        ],
        &[("CCU_PASSWORD", insider)],
    );
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was changed outside ccu"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn insider_rehashes_the_trail_and_empties_the_checkpoint_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    assert!(count(&path, "SELECT count(*) FROM checkpoint") > 0);
    rehash_trail(
        &path,
        |events| events[10].details = r#"{"what":"nothing"}"#.into(),
        "DROP TRIGGER checkpoint_no_delete; DELETE FROM checkpoint;",
    );
    let err = rows_altered(&path);
    assert!(
        err.contains("(audit.checkpoint) signed a checkpoint of")
            && err.contains("that the case file no longer holds"),
        "{err}"
    );
    assert!(err.contains("checkpoint key [1]"), "{err}");
}

#[test]
fn export_refuses_a_trail_check_reports_broken_with_checks_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    sqlcipher(
        &path,
        "DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE seq = 40;",
    );
    let (code, checked) = check(&path);
    assert_eq!(code, Some(6), "{checked}");
    assert!(
        checked.contains("audit chain broken at seq 40: gap"),
        "{checked}"
    );
    let out_dir = dir.path().join("bundle");
    for args in [
        vec!["audit", "export", "--out", out_dir.to_str().unwrap()],
        vec![
            "audit",
            "export",
            "--out",
            out_dir.to_str().unwrap(),
            "--operation",
            "KESTREL",
        ],
        vec!["audit", "checkpoint"],
    ] {
        let out = as_user(&args, &path, "auditor");
        assert_eq!(out.status.code(), Some(6), "{args:?}: {}", stderr(&out));
        let body = |text: &str| text.split_once("check failed: ").map(|(_, b)| b.to_owned());
        assert_eq!(body(&stderr(&out)), body(&checked), "{args:?}");
        assert!(!out_dir.exists());
    }
}

#[test]
fn a_broken_tail_is_never_written_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    sqlcipher(
        &path,
        "DROP TRIGGER audit_event_no_update;
         UPDATE audit_event SET details = '{}' WHERE seq = (SELECT max(seq) FROM audit_event);",
    );
    // Put the trigger back, so only the tail is wrong.
    let fresh = tempfile::tempdir().unwrap();
    let (_, made) = new_casefile(fresh.path());
    let trigger: String = raw_conn(&made)
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'audit_event_no_update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    sqlcipher(&path, &trigger);
    let bytes = std::fs::read(&path).unwrap();
    let out = as_user(&["due"], &path, "supervisor");
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("hash mismatch"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing was written");
    assert!(!wal(&path).exists());
}

fn wal(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// A case file with a live WAL beside it: the frames of the last commands
/// are in `-wal`, not yet checkpointed into the file, as a copy taken while
/// ccu is running would be.
fn with_a_wal(dir: &Path) -> PathBuf {
    let source = dir.join("live.ccu");
    copy_casefile(demo(), &source);
    // Another connection keeps the WAL from being checkpointed away when
    // ccu closes.
    let holder = raw_conn(&source);
    holder
        .execute_batch("PRAGMA wal_autocheckpoint = 0; SELECT count(*) FROM casefile;")
        .unwrap();
    let out = as_user(&["due"], &source, "supervisor");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.join("copied.ccu");
    copy_casefile(&source, &path);
    std::fs::copy(wal(&source), wal(&path)).unwrap();
    drop(holder);
    assert!(std::fs::metadata(wal(&path)).unwrap().len() > 0);
    path
}

/// Runs ccu commands on a file that must be refused, and checks that the
/// file and its WAL are byte for byte as they were.
fn refused_and_untouched(path: &Path, code: i32, says: &str) {
    refused_and_untouched_as(path, [(&[code][..], says); 3]);
}

/// As [`refused_and_untouched`], with what each of `ccu check`, `ccu user
/// list` and `ccu due` must exit with and say.
fn refused_and_untouched_as(path: &Path, expected: [(&[i32], &str); 3]) {
    let file = std::fs::read(path).unwrap();
    let log = std::fs::read(wal(path)).ok();
    for (args, (code, says)) in [
        vec!["check", "--as", "admin"],
        vec!["user", "list", "--as", "admin"],
        vec!["due", "--as", "supervisor"],
    ]
    .into_iter()
    .zip(expected)
    {
        let mut all = args.clone();
        all.extend(["--file", path.to_str().unwrap()]);
        let out = ccu(&all, &[("CCU_PASSWORD", password_of(args[args.len() - 1]))]);
        assert!(
            out.status.code().is_some_and(|c| code.contains(&c)),
            "{args:?}: exit {:?}, not one of {code:?}: {}",
            out.status.code(),
            stderr(&out)
        );
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert_eq!(
            std::fs::read(path).unwrap(),
            file,
            "{args:?} changed the file"
        );
        assert_eq!(
            std::fs::read(wal(path)).ok(),
            log,
            "{args:?} changed the WAL"
        );
    }
}

#[test]
fn a_case_file_cut_short_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_a_wal(dir.path());
    let len = std::fs::metadata(&path).unwrap().len();
    let cut = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    cut.set_len(len / 2 / 4096 * 4096).unwrap();
    drop(cut);
    // Cut at a page boundary, an encrypted file has no header in the clear
    // to give its length away: it is found damaged through the key, the
    // commands that would write refusing it, `ccu check` failing on it:
    // as it checks, or as it opens when the cut takes a page that opening
    // reads (which pages lie past the middle depends on what the demo
    // holds).
    refused_and_untouched_as(
        &path,
        [
            (&[6, 3], "is damaged"),
            (&[3], "is damaged"),
            (&[3], "is damaged"),
        ],
    );

    // Not even a whole number of pages.
    let path = dir.path().join("ragged.ccu");
    copy_casefile(demo(), &path);
    let cut = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    cut.set_len(len - 1000).unwrap();
    drop(cut);
    refused_and_untouched(
        &path,
        3,
        "not a whole number of 4096-byte pages: it was cut short",
    );
}

#[test]
fn a_foreign_database_with_the_case_file_id_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    // In the clear, as another program leaves it; and encrypted with the
    // demo's key, the demo's keyring beside it, so that it unlocks.
    for (name, version, encrypted) in [
        ("v6.db", 6, false),
        ("v0.db", 0, false),
        ("v7.db", 7, false),
        ("v8-keyed.db", 8, true),
        ("v0-keyed.db", 0, true),
    ] {
        let path = dir.path().join(name);
        let connect = || {
            let conn = rusqlite::Connection::open(&path).unwrap();
            if encrypted {
                conn.execute_batch(&unlock_sql(demo())).unwrap();
            }
            conn
        };
        connect()
            .execute_batch(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA application_id = 1128486193;
                 PRAGMA user_version = {version}; CREATE TABLE notes (body TEXT);"
            ))
            .unwrap();
        // Its header now carries the id; a note is still in its WAL.
        let holder = connect();
        holder
            .execute_batch(
                "PRAGMA wal_autocheckpoint = 0; INSERT INTO notes VALUES ('shopping list');",
            )
            .unwrap();
        // Copy it with its WAL while it is open, as ccu would meet it.
        let copy = dir.path().join(format!("copy-{name}"));
        std::fs::copy(&path, &copy).unwrap();
        std::fs::copy(wal(&path), wal(&copy)).unwrap();
        if encrypted {
            std::fs::copy(keyring_path(demo()), keyring_path(&copy)).unwrap();
        }
        drop(holder);
        refused_and_untouched(
            &copy,
            3,
            "carries a ccu case file's application id, but is not a ccu case file",
        );
        let conn = rusqlite::Connection::open(&copy).unwrap();
        if encrypted {
            conn.execute_batch(&unlock_sql(demo())).unwrap();
        }
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 1, "no ccu schema was added to {name}");
    }
}

#[test]
fn an_altered_schema_is_refused_for_writing_and_named_by_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    sqlcipher(
        &path,
        "DROP TRIGGER decision_log_no_update; CREATE TABLE backdoor (note TEXT);",
    );
    let bytes = std::fs::read(&path).unwrap();
    let out = as_user(&["due"], &path, "supervisor");
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("schema was altered outside ccu")
            && stderr(&out).contains("trigger 'decision_log_no_update' is missing")
            && stderr(&out).contains("table 'backdoor' is not one ccu made"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let err = rows_altered(&path);
    assert!(
        err.contains("schema: trigger 'decision_log_no_update' is missing"),
        "{err}"
    );
    assert!(
        err.contains("schema: table 'backdoor' is not one ccu made"),
        "{err}"
    );
}

#[test]
fn a_changed_search_index_is_found_by_recomputing_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    // Hide an item from search: its entry no longer mentions what it says.
    sqlcipher(
        &path,
        "UPDATE search_index SET body = 'nothing here' WHERE kind = 'intelligence' AND item_id = 3;",
    );
    let err = rows_altered(&path);
    assert!(
        err.contains("search index: the entry for intelligence 3 is not what the record makes"),
        "{err}"
    );
}

#[test]
fn a_covert_records_search_entry_changed_or_removed_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    // Hide bid 3 from a search for its resource, and an authorisation and
    // a lesson from search altogether.
    sqlcipher(
        &path,
        "UPDATE search_index SET body = 'nothing here' WHERE kind = 'bid' AND item_id = 3;
         DELETE FROM search_index WHERE kind = 'authorisation' AND item_id = 4;
         DELETE FROM search_index WHERE kind = 'lesson' AND item_id = 2;",
    );
    let err = rows_altered(&path);
    for said in [
        "search index: the entry for bid 3 is not what the record makes",
        "search index: the entry for authorisation 4 is missing from the search index",
        "search index: the entry for lesson 2 is missing from the search index",
    ] {
        assert!(err.contains(said), "{said}: {err}");
    }
}

#[test]
fn a_row_commitment_edited_in_audit_row_breaks_the_chain_at_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let seq = the_seq_that_last_wrote(demo(), "operation", "[1]");
    // Change KESTREL, and edit the commitment to it as well: the event
    // that wrote it no longer has the rows it committed to.
    sqlcipher(
        &path,
        &format!(
            "UPDATE operation SET priority = 'P4' WHERE id = 1;
             DROP TRIGGER audit_row_no_update;
             UPDATE audit_row SET digest = '{}' WHERE tbl = 'operation' AND row_key = '[1]' AND seq = {seq};",
            "0".repeat(64)
        ),
    );
    let (code, err) = check(&path);
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains(&format!("seq {seq}: rows mismatch")), "{err}");

    // A commitment added to an event that wrote nothing is found too.
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let view: i64 = count(
        &path,
        "SELECT min(seq) FROM audit_event WHERE action = 'view'",
    );
    sqlcipher(
        &path,
        &format!("INSERT INTO audit_row VALUES ({view}, 'setting', '[\"x\"]', NULL);"),
    );
    let (code, err) = check(&path);
    assert_eq!(code, Some(6), "{err}");
    assert!(err.contains(&format!("seq {view}: rows mismatch")), "{err}");
}

#[test]
fn a_file_from_schema_6_is_upgraded_with_a_baseline_of_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = schema_6_file(dir.path());
    let rows_before: i64 = {
        // A file from then is in the clear.
        let conn = rusqlite::Connection::open(&path).unwrap();
        state_tables_in(&conn)
            .iter()
            .map(|t| {
                conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap()
            })
            .sum()
    };

    // No ccu command opens it, check included, until it is encrypted;
    // encrypting upgrades it.
    let bytes = std::fs::read(&path).unwrap();
    let (code, err) = check(&path);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("not encrypted yet"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let out = as_user(&["encrypt"], &path, ADMIN);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("cannot unlock it until their password is reset")
            && stdout(&out).contains(": lead.")
            && stdout(&out).contains("No head of unit was sealed in"),
        "{}",
        stdout(&out)
    );
    let (code, err) = check(&path);
    assert_eq!(code, Some(0), "{err}");
    let events = audit_rows(&path);
    let upgrade = &events[3];
    assert_eq!(
        (upgrade.0, upgrade.1.as_str(), upgrade.2.as_str()),
        (4, "ccu", "casefile.upgrade")
    );
    assert!(
        upgrade.5.contains(r#""baseline":"every row as it stands""#),
        "{}",
        upgrade.5
    );
    assert!(upgrade.5.contains(r#""from_version":6"#), "{}", upgrade.5);
    // Its baseline commits to every row there was, the new schema's too
    // (schema 10's setting for how long a request for access waits, and
    // the risk matrix's default set: its version and characteristics, and
    // the two settings of the status drift threshold).
    assert_eq!(
        count(&path, "SELECT count(*) FROM audit_row WHERE seq = 4"),
        rows_before + 1 + 1 + ccu::domain::risk::DEFAULT_SET.len() as i64 + 2,
        "every row, once"
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM audit_row WHERE seq = 4 AND tbl = 'setting'
             AND row_key = '[\"access_request_hours\"]'"
        ),
        1
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM audit_event WHERE seq <= 3 AND rows_hash IS NULL"
        ),
        3,
        "the older events stay version 1"
    );
    // Team membership kept its rowid as its id.
    assert_eq!(count(&path, "SELECT id FROM operation_member"), 7);
    // From now on a row changed from outside is named with the baseline's seq.
    sqlcipher(
        &path,
        "UPDATE operation SET priority = 'P1' WHERE codename = 'HERON';",
    );
    let err = rows_altered(&path);
    assert!(
        err.contains("operation Op HERON (OP-2026-0001) (key [1]): changed since seq 4 wrote it"),
        "{err}"
    );
    // And the lead's account, committed by the baseline, has no key until
    // its password is set again, which is now a request for a head of unit.
    sqlcipher(
        &path,
        "UPDATE operation SET priority = 'P3' WHERE codename = 'HERON';",
    );
    let file = path.to_str().unwrap();
    let lead = |password: &str| {
        ccu(
            &["due", "--file", file, "--as", "lead"],
            &[("CCU_PASSWORD", password)],
        )
    };
    let out = lead(ADMIN_PASSWORD);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = ccu(
        &["user", "passwd", "lead", "--file", file, "--as", ADMIN],
        &[
            ("CCU_PASSWORD", ADMIN_PASSWORD),
            ("CCU_NEW_PASSWORD", USER_PASSWORD),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let urn = request_urn(&stdout(&out)).unwrap_or_else(|| panic!("{}", stdout(&out)));
    assert!(
        stdout(&out).starts_with(&format!(
            "lead's password is not reset yet.\nRequest {urn} resets it once a head of unit"
        )),
        "{}",
        stdout(&out)
    );
    // Not approved, the new password opens nothing. (This file was
    // encrypted without `--head`, so no head of unit can log in to approve
    // it; tests/access_control.rs seals one in at `ccu encrypt`.)
    let out = lead(USER_PASSWORD);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = as_user(&["user", "list"], &path, ADMIN);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let row = stdout(&out)
        .lines()
        .find(|l| l.starts_with("lead "))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{}", stdout(&out)));
    assert!(row.ends_with(&format!("pending reset {urn}")), "{row}");
    let (code, err) = check(&path);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn insider_puts_the_investigator_on_a_hidden_operations_team() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    // BITTERN is hidden from the investigator (docs/demo.md).
    sqlcipher(
        &path,
        "INSERT INTO operation_member (operation_id, user_id, part, added_at)
         SELECT o.id, u.id, 'team', '2026-11-01T00:00:00.000000Z'
         FROM operation o, user_account u WHERE o.codename = 'BITTERN' AND u.username = 'investigator';",
    );
    let err = rows_altered(&path);
    assert!(
        err.contains("operation_member Op BITTERN, team member investigator")
            && err.contains("added outside ccu"),
        "{err}"
    );
    let out = as_user(&["due"], &path, "investigator");
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "nothing is shown: {}",
        stdout(&out)
    );
    // Everyone else works on.
    let out = as_user(&["due"], &path, "supervisor");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A session already open is not fooled either: the account's rows are
/// checked again once anyone else has written to the file, so a team
/// membership put in from outside while the investigator is logged in
/// stops their next command, and shows them nothing.
#[test]
fn insider_adds_a_membership_while_the_investigator_is_logged_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let (mut cf, inv) = CaseFile::locate(&path)
        .unwrap()
        .unlock(
            Credentials {
                username: "investigator",
                password: DEMO_PASSWORD,
            },
            Box::new(now),
        )
        .unwrap();
    let seen = |cf: &mut CaseFile| {
        cf.operations(&inv, ccu::store::Page::ALL)
            .map(|ops| ops.iter().any(|o| o.codename.as_str() == "BITTERN"))
    };
    assert!(!seen(&mut cf).unwrap());
    sqlcipher(
        &path,
        "INSERT INTO operation_member (operation_id, user_id, part, added_at)
         SELECT o.id, u.id, 'team', '2026-11-01T00:00:00.000000Z'
         FROM operation o, user_account u WHERE o.codename = 'BITTERN' AND u.username = 'investigator';",
    );
    let err = seen(&mut cf).unwrap_err();
    assert!(
        err.to_string()
            .contains("operation_member Op BITTERN, team member investigator"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 7);
}

/// A reference changed from outside ccu into text that is no reference
/// stops the read that meets it with an error naming the value, never a
/// panic: on the command line (the central record, the diary) and in the
/// library (the operations list, for a codename). `ccu check` still names
/// the row.
#[test]
fn insider_turns_a_reference_into_no_reference_and_reading_it_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    sqlcipher(
        &path,
        "UPDATE authorisation SET urn = 'AUTH-26-2' WHERE urn = 'AUTH-2026-0002';
         UPDATE operation SET codename = 'K3STREL' WHERE codename = 'KESTREL';",
    );
    let events = count(&path, "SELECT count(*) FROM audit_event");
    for args in [
        &["authorisations", "--central-record"][..],
        &["authorisations", "--central-record", "--json"],
        &["due", "--within", "3660"],
    ] {
        let out = as_user(args, &path, "supervisor");
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            err.contains("'AUTH-26-2' is not a reference like AUTH-2026-0042")
                || err.contains("'K3STREL' must be one word of 3 to 20 letters A-Z"),
            "{args:?}: {err}"
        );
    }
    let (mut cf, sup) = CaseFile::locate(&path)
        .unwrap()
        .unlock(
            Credentials {
                username: "supervisor",
                password: DEMO_PASSWORD,
            },
            Box::new(now),
        )
        .unwrap();
    let err = cf.operations(&sup, ccu::store::Page::ALL).unwrap_err();
    assert!(matches!(err, Error::Sqlite { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("'K3STREL' must be one word of 3 to 20 letters A-Z"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 1);
    drop(cf);
    // Reading wrote nothing but the logins.
    let logins = count(
        &path,
        &format!("SELECT count(*) FROM audit_event WHERE seq > {events} AND action <> 'login'"),
    );
    assert_eq!(logins, 0);
    let err = rows_altered(&path);
    assert!(err.contains("authorisation"), "{err}");
    assert!(err.contains("operation"), "{err}");
}
