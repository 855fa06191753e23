//! Encryption at rest, tried as someone who copies the file, as another
//! local user, and as an insider with an account: the bytes tell nothing,
//! files are private, a disabled account opens nothing after a re-key, a
//! key put into the keyring from outside opens nothing, and backups taken
//! while others write open and check.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use base64::Engine as _;
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType};
use ccu::store::{CaseFile, Command, Error, keyring_path};
use chrono::{TimeZone, Utc};
use common::*;

const MARKER: &str = "Marker-7Q: PC Example met the complainant off duty";

fn intel(summary: &str) -> NewIntelligence {
    NewIntelligence::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap(),
        SourceType::PartnerAgency,
        false,
        None,
        Grading::parse("2BP", "").unwrap(),
        Category::AbuseOfAuthority,
        true,
        Vec::new(),
        summary,
        "The full account, in the complainant's words.",
    )
    .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn sqlcipher_with(path: &Path, unlock: &str, sql: &str) -> std::process::Output {
    try_sqlcipher_with(path, unlock, sql)
}

fn ccu_as(path: &Path, args: &[&str], password: &str) -> std::process::Output {
    let mut all = vec!["--file", path.to_str().unwrap()];
    all.extend_from_slice(args);
    ccu(
        &all,
        &[
            ("CCU_PASSWORD", password),
            ("CCU_NEW_PASSWORD", USER_PASSWORD),
        ],
    )
}

/// A unit, closed: the administrator, an investigator `okafor` who
/// records the marker, and a supervisor `sup`.
fn marked() -> (tempfile::TempDir, PathBuf) {
    let mut u = Unit::new(&[("okafor", "investigator"), ("sup", "supervisor")]);
    let inv = u.login("okafor");
    u.cf.execute(&inv, Command::RecordIntelligence(intel(MARKER)))
        .unwrap();
    u.close()
}

#[test]
fn the_bytes_of_a_case_file_hold_no_text_name_or_key() {
    let (_dir, path) = marked();
    // The marker is there, for anyone with the key: its absence from the
    // bytes below means something.
    let out = try_sqlcipher(&path, "SELECT summary FROM intelligence;");
    assert!(stdout(&out).contains(MARKER), "{}", stderr(&out));
    let conn = raw_conn(&path);
    let signing: String = conn
        .query_row("SELECT secret_key FROM signing_key", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let data_key = unlock_sql(&path)
        .split('\'')
        .nth(1)
        .unwrap()
        .trim_start_matches('x')
        .to_owned();
    assert_eq!(data_key.len(), 64);
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("intelligence text", MARKER.as_bytes().to_vec()),
        ("a word of it", b"complainant".to_vec()),
        ("a username", b"okafor".to_vec()),
        ("a display name", b"Officer okafor".to_vec()),
        ("a table name", b"intelligence".to_vec()),
        ("the signing key (hex)", signing.as_bytes().to_vec()),
        ("the signing key", hex::decode(&signing).unwrap()),
        ("the data key (hex)", data_key.as_bytes().to_vec()),
        ("the data key", hex::decode(&data_key).unwrap()),
    ];
    // Open (with a WAL and shared memory beside it) and closed.
    let (cf, _) = open_admin(&path);
    let wal = with_suffix(&path, "-wal");
    assert!(wal.exists(), "a WAL while open");
    let mut files = vec![path.clone(), wal, keyring_path(&path)];
    for file in &files {
        let bytes = fs::read(file).unwrap();
        for (what, secret) in &secrets {
            assert!(
                !contains(&bytes, secret),
                "{} holds {what} in the clear",
                file.display()
            );
        }
    }
    drop(cf);
    files.truncate(1);
    let bytes = fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    for (what, secret) in &secrets {
        assert!(!contains(&bytes, secret), "the closed file holds {what}");
    }
    // Without the key, sqlite3 reads nothing, as the attacker tried.
    let uri = format!("file:{}?mode=ro&immutable=1", path.display());
    let out = try_sqlite3(Path::new(&uri), "SELECT summary FROM intelligence;");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a database") || stderr(&out).contains("encrypted"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("Marker"));
}

#[test]
fn files_are_private_whatever_the_umask_and_a_readable_one_is_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unit").join("nested").join("case.ccu");
    let bin = env!("CARGO_BIN_EXE_ccu");
    let run_with = |script: &str, password: &str, new_password: &str| {
        Process::new("sh")
            .arg("-c")
            .arg(format!("umask 022; {script}"))
            .env("CCU_FILE", &path)
            .env("CCU_PASSWORD", password)
            .env("CCU_NEW_PASSWORD", new_password)
            .env("CCU_HEAD_PASSWORD", HEAD_PASSWORD)
            .env_remove("CCU_USER")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let run = |script: &str, password: &str| run_with(script, password, USER_PASSWORD);
    let out = run(
        &format!("'{bin}' init --admin admin --head head --head-rank DI"),
        ADMIN_PASSWORD,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&keyring_path(&path)), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(path.parent().unwrap().parent().unwrap()), 0o700);
    // The account is added, its access approved by the head of unit, and
    // its one-time password replaced at its first login, each rewriting
    // the keyring under the same umask.
    let first = first_password("sup");
    let out = run_with(
        &format!(
            "'{bin}' user add sup --display-name 'DS Sup' --rank DS --roles supervisor --as admin"
        ),
        ADMIN_PASSWORD,
        &first,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let urn = request_urn(&stdout(&out)).unwrap_or_else(|| panic!("{}", stdout(&out)));
    let out = run(
        &format!("'{bin}' user approve {urn} --as head"),
        HEAD_PASSWORD,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&keyring_path(&path)), 0o600);
    let out = run(&format!("'{bin}' user passwd --as sup"), &first);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Password changed for sup"),
        "{}",
        stderr(&out)
    );
    assert_eq!(mode(&keyring_path(&path)), 0o600);
    let bundle = dir.path().join("bundle");
    let out = run(
        &format!("'{bin}' audit export --out '{}' --as sup", bundle.display()),
        USER_PASSWORD,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&bundle), 0o700);
    for name in files_in(&bundle) {
        assert_eq!(mode(&bundle.join(&name)), 0o600, "{name}");
    }
    let backup = dir.path().join("backups").join("b.ccu");
    let out = run(
        &format!("'{bin}' backup --out '{}' --as sup", backup.display()),
        USER_PASSWORD,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&backup), 0o600);
    assert_eq!(mode(&keyring_path(&backup)), 0o600);
    assert_eq!(mode(backup.parent().unwrap()), 0o700);

    // The library makes them private too, and SQLite's WAL and shared
    // memory follow the file.
    let other = tempfile::tempdir().unwrap();
    let (cf, lib_path) = new_casefile(other.path());
    assert_eq!(mode(&lib_path), 0o600);
    assert_eq!(mode(&with_suffix(&lib_path, "-wal")), 0o600);
    assert_eq!(mode(&with_suffix(&lib_path, "-shm")), 0o600);
    drop(cf);

    // A case file others can read is opened, with a warning that says how
    // to fix it.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(&format!("'{bin}' user list --as admin"), ADMIN_PASSWORD);
    assert!(out.status.success(), "{}", stderr(&out));
    let warning = stderr(&out);
    assert!(warning.contains("can be read by other users"), "{warning}");
    assert!(
        warning.contains(&format!("chmod 600 '{}'", path.display())),
        "{warning}"
    );
    assert_eq!(warning.matches("warning").count(), 1, "{warning}");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(&format!("'{bin}' user list --as admin"), ADMIN_PASSWORD);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn after_a_rekey_a_disabled_account_and_its_old_keys_open_nothing() {
    let (_dir, path) = marked();
    // What the leaver keeps: their password, a copy of the keyring, and
    // the data key their password unseals.
    let old_ring = fs::read(keyring_path(&path)).unwrap();
    let locked = CaseFile::locate(&path).unwrap();
    let old_key = locked
        .sqlcipher_unlock(ccu::store::Credentials {
            username: "okafor",
            password: USER_PASSWORD,
        })
        .unwrap()
        .to_string();
    drop(locked);

    let out = ccu_as(
        &path,
        &["user", "disable", "okafor", "--as", ADMIN],
        ADMIN_PASSWORD,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("ccu rekey --as admin"),
        "{}",
        stdout(&out)
    );
    assert!(matches!(
        try_open(&path, "okafor", USER_PASSWORD),
        Err(Error::LoginFailed { .. })
    ));
    // Until the re-key, the key they kept still reads the file.
    let out = sqlcipher_with(&path, &old_key, "SELECT count(*) FROM intelligence;");
    assert!(out.status.success(), "{}", stderr(&out));

    // Only an administrator re-keys; the refusal is audited.
    let out = ccu_as(&path, &["rekey", "--as", "sup"], USER_PASSWORD);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!(
        (last.2.as_str(), last.4.as_str()),
        ("casefile.rekey", "denied")
    );

    // Not while someone else has the file open; nothing changes.
    let (held, _) = open(&path, "sup", USER_PASSWORD);
    let out = ccu_as(&path, &["rekey", "--as", ADMIN], ADMIN_PASSWORD);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("someone else has the case file open"),
        "{}",
        stderr(&out)
    );
    drop(held);
    let out = sqlcipher_with(&path, &old_key, "SELECT count(*) FROM intelligence;");
    assert!(out.status.success(), "{}", stderr(&out));

    let out = ccu_as(&path, &["rekey", "--as", ADMIN], ADMIN_PASSWORD);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Left out"), "{}", stdout(&out));
    assert!(stdout(&out).contains("okafor"), "{}", stdout(&out));

    // Now the old key opens nothing, with the sqlcipher program or ccu.
    let out = sqlcipher_with(&path, &old_key, "SELECT count(*) FROM intelligence;");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a database"), "{}", stderr(&out));
    assert!(matches!(
        try_open(&path, "okafor", USER_PASSWORD),
        Err(Error::LoginFailed { .. })
    ));
    // Nor does the old keyring put back in place, for them or anyone.
    let new_ring = fs::read(keyring_path(&path)).unwrap();
    fs::write(keyring_path(&path), &old_ring).unwrap();
    for (name, pw) in [("okafor", USER_PASSWORD), (ADMIN, ADMIN_PASSWORD)] {
        let err = try_open(&path, name, pw).err().unwrap();
        assert!(matches!(err, Error::Damaged { .. }), "{name}: {err:?}");
    }
    fs::write(keyring_path(&path), &new_ring).unwrap();

    // Everyone active still opens it, and the trail says who was sealed in.
    let (mut cf, admin) = open_admin(&path);
    assert!(matches!(
        cf.check().unwrap(),
        ccu::store::CheckReport::Verified { .. }
    ));
    let rekey = audit_rows(&path)
        .into_iter()
        .find(|r| r.2 == "casefile.rekey" && r.4 == "ok")
        .unwrap();
    let details: serde_json::Value = serde_json::from_str(&rekey.5).unwrap();
    assert_eq!(
        details["sealed_to"],
        serde_json::json!(["admin", "head", "sup"])
    );
    assert_eq!(details["left_out"], serde_json::json!(["okafor"]));
    open(&path, "sup", USER_PASSWORD);
    // Enabling the account again is a request: until the head of unit
    // approves it, it opens nothing; then it is sealed to the new key.
    let done = cf
        .execute(
            &admin,
            Command::EnableUser {
                username: username("okafor"),
            },
        )
        .unwrap();
    assert!(matches!(
        try_open(&path, "okafor", USER_PASSWORD),
        Err(Error::LoginFailed { .. })
    ));
    approve(&mut cf, done.details["request"]["urn"].as_str().unwrap());
    drop(cf);
    open(&path, "okafor", USER_PASSWORD);
}

#[test]
fn a_backup_taken_while_another_process_writes_opens_and_checks() {
    let (dir, path) = marked();
    let bin = env!("CARGO_BIN_EXE_ccu");
    // Another process writing all the while: each run logs in and lists
    // the accounts, two audited writes.
    let mut writer = Process::new("sh")
        .arg("-c")
        .arg(format!(
            "for i in $(seq 40); do '{bin}' user list --as admin >/dev/null || exit 1; done"
        ))
        .env("CCU_FILE", &path)
        .env("CCU_PASSWORD", ADMIN_PASSWORD)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut backups = Vec::new();
    for n in 0..3 {
        let out_path = dir.path().join("backups").join(format!("b{n}.ccu"));
        let out = ccu_as(
            &path,
            &["backup", "--out", out_path.to_str().unwrap(), "--as", "sup"],
            USER_PASSWORD,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("opened and checked"),
            "{}",
            stdout(&out)
        );
        backups.push(out_path);
    }
    let still_writing = writer.try_wait().unwrap().is_none();
    assert!(writer.wait().unwrap().success());
    eprintln!("the writer was still running after the backups: {still_writing}");
    for backup in &backups {
        // Each is whole, encrypted, and opens with its own keyring.
        let bytes = fs::read(backup).unwrap();
        assert!(!contains(&bytes, MARKER.as_bytes()));
        let out = ccu(
            &["--file", backup.to_str().unwrap(), "check", "--as", "sup"],
            &[("CCU_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).starts_with("ok: "), "{}", stdout(&out));
        let out = try_sqlcipher(backup, "SELECT summary FROM intelligence;");
        assert!(stdout(&out).contains(MARKER), "{}", stderr(&out));
    }
    // No temporary file is left, and a backup is never overwritten.
    assert_eq!(
        files_in(&dir.path().join("backups")),
        [
            "b0.ccu",
            "b0.ccu.keys",
            "b1.ccu",
            "b1.ccu.keys",
            "b2.ccu",
            "b2.ccu.keys"
        ]
    );
    let before = fs::read(&backups[0]).unwrap();
    let out = ccu_as(
        &path,
        &[
            "backup",
            "--out",
            backups[0].to_str().unwrap(),
            "--as",
            "sup",
        ],
        USER_PASSWORD,
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(fs::read(&backups[0]).unwrap(), before);
    // Each backup is audited, with what it holds; an investigator may not
    // take one.
    let done: Vec<String> = audit_rows(&path)
        .into_iter()
        .filter(|r| r.2 == "casefile.backup" && r.4 == "ok")
        .map(|r| r.5)
        .collect();
    assert_eq!(done.len(), 3);
    assert!(done[0].contains("b0.ccu"), "{}", done[0]);
    let other = dir.path().join("backups").join("inv.ccu");
    let out = ccu_as(
        &path,
        &["backup", "--out", other.to_str().unwrap(), "--as", "okafor"],
        USER_PASSWORD,
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(!other.exists());
}

/// HMAC-SHA-256, as docs/security.md specifies the keyring's labels and
/// keys.
fn hmac(key: &[u8], purpose: &str) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256>>::new_from_slice(key).unwrap();
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn a_key_put_into_the_keyring_from_outside_opens_nothing() {
    let (_dir, path) = marked();
    // The investigator holds the data key (their password unseals it),
    // and builds, as docs/security.md describes the keyring, an entry that
    // their own password opens under the administrator's name.
    let data_key = hex::decode(
        CaseFile::locate(&path)
            .unwrap()
            .sqlcipher_unlock(ccu::store::Credentials {
                username: "okafor",
                password: USER_PASSWORD,
            })
            .unwrap()
            .split('\'')
            .nth(1)
            .unwrap()
            .trim_start_matches('x'),
    )
    .unwrap();
    let keys = keyring_path(&path);
    let mut ring: serde_json::Value =
        serde_json::from_str(fs::read_to_string(&keys).unwrap().lines().next().unwrap()).unwrap();
    let kdf = &ring["kdf"];
    let params = argon2::Params::new(
        kdf["memory_kib"].as_u64().unwrap() as u32,
        kdf["iterations"].as_u64().unwrap() as u32,
        kdf["parallelism"].as_u64().unwrap() as u32,
        Some(32),
    )
    .unwrap();
    let mut salt = hex::decode(kdf["salt"].as_str().unwrap()).unwrap();
    salt.extend_from_slice(b"admin");
    let mut kek = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(USER_PASSWORD.as_bytes(), &salt, &mut kek)
        .unwrap();
    let secret = crypto_box::SecretKey::generate(&mut crypto_box::aead::OsRng);
    let public = hex::encode(secret.public_key().as_bytes());
    let sealed_secret = {
        use crypto_secretbox::aead::{Aead, KeyInit};
        let cipher = crypto_secretbox::XSalsa20Poly1305::new_from_slice(&hmac(
            &kek,
            "ccu-keyring-v1 secret",
        ))
        .unwrap();
        let nonce = [7u8; 24];
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(
                    crypto_secretbox::Nonce::from_slice(&nonce),
                    &secret.to_bytes()[..],
                )
                .unwrap(),
        );
        base64::engine::general_purpose::STANDARD.encode(out)
    };
    let sealed_key = base64::engine::general_purpose::STANDARD.encode(
        secret
            .public_key()
            .seal(&mut crypto_box::aead::OsRng, &data_key)
            .unwrap(),
    );
    ring["accounts"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "label": hex::encode(&hmac(&kek, "ccu-keyring-v1 label")[..16]),
            "public_key": public,
            "secret": sealed_secret,
            "data_key": sealed_key,
        }));
    fs::write(&keys, format!("{ring}\n")).unwrap();

    // The forged entry unseals the data key with the investigator's
    // password, but the case file holds another public key for admin.
    let err = try_open(&path, ADMIN, USER_PASSWORD).err().unwrap();
    assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!((last.1.as_str(), last.4.as_str()), (ADMIN, "denied"));
    assert!(
        last.5.contains("the keyring's key is not the account's"),
        "{}",
        last.5
    );

    // Changing the public key in the file to match is a change outside
    // ccu: refused, and nothing is written.
    sqlcipher(
        &path,
        &format!("UPDATE user_account SET public_key = '{public}' WHERE username = 'admin';"),
    );
    let events = audit_rows(&path).len();
    let err = try_open(&path, ADMIN, USER_PASSWORD).err().unwrap();
    assert!(
        err.to_string().contains("changed outside ccu") || matches!(err, Error::Integrity { .. }),
        "{err}"
    );
    assert!(audit_rows(&path).len() <= events + 1);
    assert!(
        !audit_rows(&path)
            .iter()
            .any(|r| r.1 == ADMIN && r.2 == "login" && r.4 == "ok" && r.0 > events as i64)
    );
}

#[test]
fn the_demo_file_is_encrypted_the_same_way_with_its_published_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ccu");
    drop(ccu::demo::create_demo(&path, Utc::now()).unwrap());
    let bytes = fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3"));
    assert!(!contains(&bytes, b"KESTREL"));
    let locked = ccu::demo::open_or_create_demo(&path, Utc::now()).unwrap();
    assert!(locked.is_demo());
    let (cf, _) = locked
        .unlock_demo(
            ccu::store::Credentials {
                username: "supervisor",
                password: ccu::demo::DEMO_PASSWORD,
            },
            ccu::demo::demo_clock(Utc::now()),
        )
        .unwrap();
    drop(cf);
    let out = try_sqlcipher(&path, "SELECT codename FROM operation ORDER BY id LIMIT 1;");
    assert!(stdout(&out).contains("KESTREL"), "{}", stderr(&out));
}

#[test]
fn accounts_added_at_the_same_moment_all_land_in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, path) = new_casefile(dir.path());
    drop(cf);
    let bin = env!("CARGO_BIN_EXE_ccu");
    let names: Vec<String> = (0..6).map(|i| format!("officer{i}")).collect();
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            Process::new(bin)
                .args([
                    "user",
                    "add",
                    name,
                    "--display-name",
                    name,
                    "--rank",
                    "DC",
                    "--roles",
                    "investigator",
                    "--as",
                    ADMIN,
                ])
                .env("CCU_FILE", &path)
                .env("CCU_PASSWORD", ADMIN_PASSWORD)
                .env("CCU_NEW_PASSWORD", first_password(name))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut requests = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        requests.push(request_urn(&stdout(&out)).unwrap_or_else(|| panic!("{}", stdout(&out))));
    }
    // The head of unit approves them all at the same moment too: each
    // approval seals the data key into that account's entry.
    let children: Vec<_> = requests
        .iter()
        .map(|urn| {
            Process::new(bin)
                .args(["user", "approve", urn, "--as", HEAD])
                .env("CCU_FILE", &path)
                .env("CCU_PASSWORD", HEAD_PASSWORD)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Each one's entry survived the others' writes, and opens the file.
    for name in &names {
        let (mut cf, _) = open(&path, name, &first_password(name));
        first_login(&mut cf, name);
        drop(cf);
        open(&path, name, USER_PASSWORD);
    }
}

#[test]
fn a_demo_file_from_before_encryption_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    // An unencrypted demo file, as an earlier ccu left one: its accounts'
    // password hashes in the clear.
    let path = schema_6_file(dir.path());
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        ccu::store::migrations().to_version(&mut conn, 7).unwrap();
        conn.execute(
            "INSERT INTO setting (key, value) VALUES ('demo', 'yes')",
            [],
        )
        .unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    let before = fs::read(&path).unwrap();
    let err = ccu::demo::open_or_create_demo(&path, Utc::now())
        .err()
        .unwrap();
    assert!(matches!(err, Error::OldDemo { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("delete it"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    // A real file from before is pointed to `ccu encrypt` instead.
    let real = tempfile::tempdir().unwrap();
    let real_path = schema_6_file(real.path());
    let err = ccu::demo::open_or_create_demo(&real_path, Utc::now())
        .err()
        .unwrap();
    assert!(matches!(err, Error::Unencrypted { .. }), "{err:?}");
}

#[test]
fn the_terminal_application_warns_of_a_readable_case_file_once_logged_in() {
    use ccu::app::Msg;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (_dir, path) = marked();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let (mut app, mut runtime) = ccu::tui::prepare(
        ccu::tui::Start::Open(Box::new(CaseFile::locate(&path).unwrap())),
        &ccu::tui::Options {
            lock_after: chrono::Duration::minutes(10),
            keymap: "default".into(),
        },
        ccu::keymap::Keymap::builtin(),
        Vec::new(),
        (100, 30),
    )
    .unwrap();
    for c in format!("sup\n{USER_PASSWORD}\n").chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        let effects = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        runtime.run(&mut app, effects);
    }
    assert!(app.session.is_some(), "logged in");
    let status = app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("can be read by other users"), "{status}");
    assert!(status.contains("chmod 600"), "{status}");
    assert!(!status.contains("keymap"), "{status}");
}
