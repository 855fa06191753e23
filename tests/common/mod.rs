//! Helpers shared by the integration tests: a case file in a temporary
//! folder, at a fixed time, with known accounts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ccu::domain::account::{DisplayName, NewPassword, Rank, Username};
use ccu::domain::role::RoleSet;
use ccu::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use ccu::domain::text::Rationale;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{Actor, CaseFile, Clock, Command, Credentials, FirstAdministrator, HeadOfUnit};
use chrono::{TimeZone, Utc};

mod unit;
#[allow(unused_imports)]
pub use unit::{TestClock, Unit, sergeants};

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
pub const USER_PASSWORD: &str = "lantern kettle orchard";
/// The head of unit every test case file is made with: a supervisor of
/// Inspector rank, who approves the access the administrator asks for.
pub const HEAD: &str = "head";
pub const HEAD_PASSWORD: &str = "heron willow quarry";

/// The one-time password the administrator gives `name` when adding it
/// (every other character a `!`, so that it holds no username).
pub fn first_password(_name: &str) -> String {
    "F!1!R!S!T!-!O!N!C!E!".to_owned()
}

/// The head of unit for [`CaseFile::create`].
pub fn head_of_unit() -> HeadOfUnit {
    HeadOfUnit {
        username: username(HEAD),
        display_name: DisplayName::parse("DI Harriet Head").unwrap(),
        rank: Rank::Inspector,
        password: password(HEAD_PASSWORD, HEAD),
    }
}

pub fn fixed_clock() -> Clock {
    Box::new(|| Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap())
}

/// A rationale, reason or justification for a command, which `text` must
/// be fit for (not blank, at most `text::LONG` characters).
pub fn why(text: &str) -> Rationale {
    Rationale::new("rationale", text).unwrap()
}

pub fn username(name: &str) -> Username {
    Username::parse(name).unwrap()
}

pub fn password(text: &str, user: &str) -> NewPassword {
    NewPassword::parse(text.to_owned(), &username(user)).unwrap()
}

/// A new case file in `dir` with the administrator `admin`, at the fixed
/// time.
pub fn new_casefile(dir: &Path) -> (CaseFile, PathBuf) {
    new_casefile_with(dir, fixed_clock())
}

/// A new case file in `dir` with the administrator `admin`, on `clock`.
pub fn new_casefile_with(dir: &Path, clock: Clock) -> (CaseFile, PathBuf) {
    let path = dir.join("case.ccu");
    let casefile = CaseFile::create(
        &path,
        FirstAdministrator {
            username: username(ADMIN),
            display_name: DisplayName::parse("Unit Administrator").unwrap(),
            rank: Rank::PoliceStaff,
            password: password(ADMIN_PASSWORD, ADMIN),
        },
        head_of_unit(),
        clock,
    )
    .unwrap();
    (casefile, path)
}

/// Unlocks the case file at `path` as `name`, with the fixed clock.
pub fn open(path: &Path, name: &str, pw: &str) -> (CaseFile, Actor) {
    try_open(path, name, pw).unwrap()
}

pub fn try_open(path: &Path, name: &str, pw: &str) -> ccu::store::Result<(CaseFile, Actor)> {
    CaseFile::locate(path)?.unlock(
        Credentials {
            username: name,
            password: pw,
        },
        fixed_clock(),
    )
}

/// Unlocks the case file at `path` for `ccu check`, as the
/// administrator: nothing is written, not even a login.
pub fn check_open(path: &Path) -> CaseFile {
    CaseFile::locate(path)
        .unwrap()
        .unlock_for_check(Credentials {
            username: ADMIN,
            password: ADMIN_PASSWORD,
        })
        .unwrap()
}

/// Unlocks the case file at `path` as the administrator.
pub fn open_admin(path: &Path) -> (CaseFile, Actor) {
    open(path, ADMIN, ADMIN_PASSWORD)
}

/// The statements that open `path` in the `sqlcipher` program (and in a
/// raw SQLCipher connection), from the administrator's password, or a demo
/// file's.
pub fn unlock_sql(path: &Path) -> String {
    // Each derivation is slow on purpose; the key is kept while the
    // keyring stays the same (a re-key changes it).
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Known = HashMap<(PathBuf, Vec<u8>), String>;
    static KNOWN: OnceLock<Mutex<Known>> = OnceLock::new();
    let ring = std::fs::read(ccu::store::keyring_path(path)).unwrap_or_default();
    let cache_key = (path.to_owned(), ring);
    if let Some(sql) = KNOWN
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .get(&cache_key)
    {
        return sql.clone();
    }
    let sql = derive_unlock_sql(path);
    KNOWN
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .insert(cache_key, sql.clone());
    sql
}

fn derive_unlock_sql(path: &Path) -> String {
    let locked = CaseFile::locate(path).unwrap();
    let try_as = |name: &str, pw: &str| {
        locked.sqlcipher_unlock(Credentials {
            username: name,
            password: pw,
        })
    };
    let sql = try_as(ADMIN, ADMIN_PASSWORD)
        .or_else(|_| {
            try_as(
                ccu::demo::DEMO_ACCOUNTS[0].username,
                ccu::demo::DEMO_PASSWORD,
            )
        })
        .expect("the administrator's or the demo password opens the file");
    sql.to_string()
}

/// A raw SQLCipher connection to `path`, outside ccu's write path.
pub fn raw_conn(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&unlock_sql(path)).unwrap();
    conn
}

pub fn login(casefile: &mut CaseFile, name: &str, pw: &str) -> Actor {
    casefile
        .login(Credentials {
            username: name,
            password: pw,
        })
        .unwrap()
}

/// Adds an account with `roles` as `admin`, as the unit does: the head of
/// unit approves whatever access waits for it, and the account replaces
/// its one-time password with [`USER_PASSWORD`] at its first login.
pub fn add_user(casefile: &mut CaseFile, admin: &Actor, name: &str, roles: &str) {
    add_user_ranked(casefile, admin, name, roles, Rank::Sergeant)
}

/// As [`add_user`], at `rank`.
pub fn add_user_ranked(
    casefile: &mut CaseFile,
    admin: &Actor,
    name: &str,
    roles: &str,
    rank: Rank,
) {
    add_account(
        casefile,
        admin,
        name,
        &format!("Officer {name}"),
        roles,
        rank,
    )
}

/// As [`add_user`], with a display name and a rank.
pub fn add_account(
    casefile: &mut CaseFile,
    admin: &Actor,
    name: &str,
    display_name: &str,
    roles: &str,
    rank: Rank,
) {
    let done = casefile
        .execute(
            admin,
            Command::AddUser {
                username: username(name),
                display_name: DisplayName::parse(display_name).unwrap(),
                rank,
                roles: RoleSet::parse_list(roles).unwrap(),
                password: password(&first_password(name), name),
            },
        )
        .unwrap();
    if let Some(urn) = done.details["request"]["urn"].as_str() {
        approve(casefile, urn);
    }
    first_login(casefile, name);
}

/// `name`'s first login, with the one-time password the administrator set
/// ([`first_password`]): the account replaces it with [`USER_PASSWORD`],
/// as it must before anything else.
pub fn first_login(casefile: &mut CaseFile, name: &str) -> Actor {
    let user = login(casefile, name, &first_password(name));
    casefile
        .execute(
            &user,
            Command::SetPassword {
                username: username(name),
                password: password(USER_PASSWORD, name),
            },
        )
        .unwrap();
    user
}

/// The head of unit approves request `urn`.
pub fn approve(casefile: &mut CaseFile, urn: &str) {
    let head = login(casefile, HEAD, HEAD_PASSWORD);
    casefile
        .execute(
            &head,
            Command::DecideAccess {
                urn: Urn::parse(UrnKind::AccessRequest, urn).unwrap(),
                approve: true,
                reason: None,
            },
        )
        .unwrap();
}

/// Subject `number`, `name`: a serving PC on patrol in `department`,
/// vetted at recruitment.
pub fn serving_pc(number: &str, name: &str, department: &str) -> SubjectDetails {
    SubjectDetails::new(
        StaffNumber::parse(number).unwrap(),
        name,
        "PC",
        EmploymentType::Officer,
        department,
        "Patrol",
        true,
        VettingLevel::Recruitment,
        None,
        SubjectStatus::Serving,
    )
    .unwrap()
}

/// Every audit event as (seq, actor, action, entity_ref, outcome, details).
pub fn audit_rows(path: &Path) -> Vec<(i64, String, String, String, String, String)> {
    let conn = raw_conn(path);
    let mut stmt = conn
        .prepare(
            "SELECT seq, actor, action, entity_ref, outcome, details FROM audit_event ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// An audit event as (actor, action, entity_type, entity_ref, outcome).
pub type Ev = (String, String, String, String, String);

pub fn ev(actor: &str, action: &str, entity_type: &str, entity_ref: &str, outcome: &str) -> Ev {
    (
        actor.into(),
        action.into(),
        entity_type.into(),
        entity_ref.into(),
        outcome.into(),
    )
}

/// Every audit event, oldest first, with its details parsed and its seq.
pub fn all_events(path: &Path) -> Vec<(i64, Ev, serde_json::Value)> {
    let conn = raw_conn(path);
    let mut stmt = conn
        .prepare(
            "SELECT seq, actor, action, entity_type, entity_ref, outcome, details
             FROM audit_event ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
            r.get::<_, String>(6)?,
        ))
    })
    .unwrap()
    .map(|row| {
        let (seq, event, details) = row.unwrap();
        (seq, event, serde_json::from_str(&details).unwrap())
    })
    .collect()
}

/// How many audit events there are: what [`since`] counts from.
pub fn seen(path: &Path) -> usize {
    all_events(path).len()
}

/// The events appended after the first `seen`.
pub fn since(path: &Path, seen: usize) -> Vec<Ev> {
    all_events(path)
        .into_iter()
        .skip(seen)
        .map(|(_, e, _)| e)
        .collect()
}

/// The details of the events appended after the first `seen`.
pub fn details_since(path: &Path, seen: usize) -> Vec<serde_json::Value> {
    all_events(path)
        .into_iter()
        .skip(seen)
        .map(|(_, _, d)| d)
        .collect()
}

/// The seq of the last audit event.
pub fn last_seq(path: &Path) -> i64 {
    all_events(path).last().unwrap().0
}

/// A count from the case file, read directly.
pub fn count(path: &Path, sql: &str) -> i64 {
    let conn = raw_conn(path);
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The files in `dir`, by name, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// The header of an intelligence import file with every column.
pub const IMPORT_HEADER: &str = "source_reference,received_at,source_type,grading,handling_conditions,category,apsp,staff_numbers,summary,full_text\n";

/// `ccu import intel CSV --file CASEFILE --as USER`, then `extra`, through
/// the real binary with [`USER_PASSWORD`].
pub fn import_intel(
    casefile: &Path,
    csv: &Path,
    user: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "import",
        "intel",
        csv.to_str().unwrap(),
        "--file",
        casefile.to_str().unwrap(),
        "--as",
        user,
    ];
    args.extend_from_slice(extra);
    ccu(&args, &[("CCU_PASSWORD", USER_PASSWORD)])
}

/// Runs the real `ccu` binary with `args`, no terminal on standard input
/// (so passwords come from the environment), and the given extra variables.
pub fn ccu(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ccu"));
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .env_remove("CCU_FILE")
        .env_remove("CCU_USER")
        .env_remove("CCU_PASSWORD")
        .env_remove("CCU_NEW_PASSWORD")
        .env_remove("CCU_HEAD_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the ccu binary runs")
}

/// The arguments that name the head of unit at `ccu init`: [`HEAD`], an
/// Inspector, whose password comes from [`HEAD_PW`].
pub const HEAD_ARGS: [&str; 4] = ["--head", HEAD, "--head-rank", "DI"];
/// The head of unit's password at `ccu init`, from the environment.
pub const HEAD_PW: (&str, &str) = ("CCU_HEAD_PASSWORD", HEAD_PASSWORD);

/// `ccu init --file FILE` through the real binary, with the administrator
/// [`ADMIN`] (a DI) and the head of unit [`HEAD`], each password from the
/// environment. Returns what it printed.
pub fn init_cli(file: &str) -> std::process::Output {
    let mut args = vec!["init", "--file", file, "--admin", ADMIN, "--rank", "DI"];
    args.extend_from_slice(&HEAD_ARGS);
    let out = ccu(&args, &[("CCU_PASSWORD", ADMIN_PASSWORD), HEAD_PW]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    out
}

/// The request for access (`ACR-YYYY-NNNN`) a command's output names.
pub fn request_urn(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| {
            w.len() == 13
                && w.starts_with("ACR-")
                && w[4..]
                    .chars()
                    .enumerate()
                    .all(|(i, c)| if i == 4 { c == '-' } else { c.is_ascii_digit() })
        })
        .map(str::to_owned)
}

/// `ccu user approve URN` as the head of unit, through the real binary.
pub fn approve_cli(file: &str, urn: &str) -> std::process::Output {
    let out = ccu(
        &["--file", file, "user", "approve", urn, "--as", HEAD],
        &[("CCU_PASSWORD", HEAD_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!("Approved {urn}: ")),
        "{}",
        stdout(&out)
    );
    out
}

/// `name`'s first login through the real binary (`ccu user passwd`): it
/// logs in with [`first_password`] and replaces it with [`USER_PASSWORD`]
/// from CCU_NEW_PASSWORD, as the CLI asks at a one-time password.
pub fn first_login_cli(file: &str, name: &str) -> std::process::Output {
    let out = ccu(
        &["--file", file, "user", "passwd", "--as", name],
        &[
            ("CCU_PASSWORD", &first_password(name)),
            ("CCU_NEW_PASSWORD", USER_PASSWORD),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("It was for one use: choose your own now."),
        "{}",
        stderr(&out)
    );
    out
}

/// Adds an account through the real binary as the unit does: the
/// administrator runs `ccu user add` (its first password
/// [`first_password`]), the head of unit approves the request it opens
/// with `ccu user approve`, and the account's first login replaces the
/// one-time password with [`USER_PASSWORD`]. Returns what `ccu user add`
/// printed.
pub fn add_user_cli(
    file: &str,
    name: &str,
    display_name: &str,
    rank: &str,
    roles: &str,
) -> std::process::Output {
    let first = first_password(name);
    let out = ccu(
        &[
            "--file",
            file,
            "user",
            "add",
            name,
            "--display-name",
            display_name,
            "--rank",
            rank,
            "--roles",
            roles,
            "--as",
            ADMIN,
        ],
        &[
            ("CCU_PASSWORD", ADMIN_PASSWORD),
            ("CCU_NEW_PASSWORD", &first),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    if let Some(urn) = request_urn(&stdout(&out)) {
        approve_cli(file, &urn);
    }
    first_login_cli(file, name);
    out
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs SQL against `path` with the real `sqlcipher` program, as an
/// insider holding an account and a copy of the file would, tampering with
/// it from outside ccu.
pub fn sqlcipher(path: &Path, sql: &str) {
    let out = try_sqlcipher(path, sql);
    assert!(
        out.status.success(),
        "sqlcipher failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `sql` through the real `sqlcipher` program on standard input,
/// after the statements that unlock the file ([`unlock_sql`]), stopping at
/// the first error.
pub fn try_sqlcipher(path: &Path, sql: &str) -> std::process::Output {
    try_sqlcipher_with(path, &unlock_sql(path), sql)
}

/// Runs `sql` through the real `sqlcipher` program after `unlock` (a key
/// someone holds, as [`unlock_sql`] gives it); what the key statements
/// print ("ok") is not part of the output.
pub fn try_sqlcipher_with(path: &Path, unlock: &str, sql: &str) -> std::process::Output {
    let script = format!(".output /dev/null\n{unlock}\n.output stdout\n{sql}");
    run_program(&sqlcipher_program(), path, &script)
}

/// The `sqlcipher` program that `.ci/build-sqlcipher` builds (Debian 12's
/// is too old to read STRICT tables), built the first time it is needed.
pub fn sqlcipher_program() -> String {
    static BUILT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = env!("CARGO_MANIFEST_DIR");
            let built = format!("{root}/target/tools/sqlcipher");
            if !Path::new(&built).exists() {
                let status = std::process::Command::new("bash")
                    .arg(format!("{root}/.ci/build-sqlcipher"))
                    .stdout(std::process::Stdio::null())
                    .status()
                    .expect("bash runs .ci/build-sqlcipher");
                assert!(
                    status.success(),
                    ".ci/build-sqlcipher could not build the sqlcipher program (it needs gcc, npm and libssl-dev)"
                );
            }
            built
        })
        .clone()
}

/// Runs `sql` through the real `sqlite3` program, with no key: what
/// anyone who copies the file can do with it.
pub fn try_sqlite3(path: &Path, sql: &str) -> std::process::Output {
    run_program("sqlite3", path, sql)
}

fn run_program(program: &str, path: &Path, sql: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(program)
        .arg("-bail")
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("the {program} program is needed for this test (.ci/run installs it): {e}")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// What an insider who knows the format can do from outside ccu: change the
/// events with `change`, then re-hash the whole chain consistently and
/// write it back with `sqlite3` (after `extra_sql`, run first). Each
/// version 2 event's rows hash is recomputed from `audit_row` as it stands
/// when this is called, so row commitments removed beforehand leave no trace
/// in the chain.
pub fn rehash_trail(
    path: &Path,
    change: impl FnOnce(&mut Vec<ccu::audit::Event>),
    extra_sql: &str,
) {
    let conn = raw_conn(path);
    let id: String = conn
        .query_row("SELECT id FROM casefile", [], |r| r.get(0))
        .unwrap();
    let mut events: Vec<ccu::audit::Event> = conn
        .prepare(
            "SELECT seq, at, actor, actor_roles, action, entity_type, entity_ref, outcome, details,
                    prev_hash, hash, rows_hash
             FROM audit_event ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| {
            Ok(ccu::audit::Event {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                actor_roles: r.get(3)?,
                action: r.get(4)?,
                entity_type: r.get(5)?,
                entity_ref: r.get(6)?,
                outcome: r.get(7)?,
                details: r.get(8)?,
                prev_hash: r.get(9)?,
                hash: r.get(10)?,
                rows_hash: r.get(11)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for e in &mut events {
        if e.rows_hash.is_some() {
            let mut rows = ccu::audit::rows::RowsHasher::new();
            let mut stmt = conn
                .prepare(
                    "SELECT tbl, row_key, digest FROM audit_row WHERE seq = ?1 ORDER BY tbl, row_key",
                )
                .unwrap();
            let mut found = stmt.query([e.seq]).unwrap();
            while let Some(r) = found.next().unwrap() {
                let digest: Option<String> = r.get(2).unwrap();
                rows.push(
                    &r.get::<_, String>(0).unwrap(),
                    &r.get::<_, String>(1).unwrap(),
                    digest.as_deref(),
                );
            }
            e.rows_hash = Some(rows.finish());
        }
    }
    // The triggers of the stored Merkle tree, put back as they were.
    let node_triggers: Vec<String> = conn
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit_node'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    change(&mut events);
    let mut prev = ccu::audit::genesis_hash(&id);
    let mut sql = format!(
        "DROP TRIGGER IF EXISTS audit_event_no_update; DROP TRIGGER IF EXISTS audit_event_no_delete; {extra_sql} DELETE FROM audit_event;"
    );
    for e in &mut events {
        e.prev_hash = prev.clone();
        e.hash = ccu::audit::event_hash(e);
        prev = e.hash.clone();
        let q = |s: &str| s.replace('\'', "''");
        sql.push_str(&format!(
            "INSERT INTO audit_event VALUES ({}, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', {});",
            e.seq,
            q(&e.at),
            q(&e.actor),
            q(&e.actor_roles),
            q(&e.action),
            q(&e.entity_type),
            q(&e.entity_ref),
            q(&e.outcome),
            q(&e.details),
            e.prev_hash,
            e.hash,
            e.rows_hash
                .as_ref()
                .map_or("NULL".to_owned(), |h| format!("'{h}'"))
        ));
    }
    // The insider knows the format (docs/audit-format.md): the stored
    // Merkle tree is rebuilt from the new hashes too.
    if !node_triggers.is_empty() {
        sql.push_str(
            "DROP TRIGGER audit_node_no_update; DROP TRIGGER audit_node_no_delete; DELETE FROM audit_node;",
        );
        let leaves: Vec<ccu::audit::merkle::Hash> = events
            .iter()
            .map(|e| ccu::audit::merkle::leaf_hash(&hex::decode(&e.hash).unwrap()))
            .collect();
        for level in 4..40u32 {
            let width = 1usize << level;
            if width > leaves.len() {
                break;
            }
            for index in 0..leaves.len() / width {
                let root = ccu::audit::merkle::root(&leaves[index * width..(index + 1) * width]);
                sql.push_str(&format!(
                    "INSERT INTO audit_node VALUES ({level}, {index}, X'{}');",
                    hex::encode(root)
                ));
            }
        }
        for trigger in &node_triggers {
            sql.push_str(trigger);
            sql.push(';');
        }
    }
    sqlcipher(path, &sql);
}

/// The statements that let an insider with the key change or delete
/// audit events.
pub const DROP_TRIGGERS: &str =
    "DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;";

/// What an insider who knows the format can do from outside ccu: insert,
/// at seq 6, a correctly hashed event (the administrator adding `mole`),
/// chained after seq 5, and renumber the later events after it.
pub fn forge_insertion_at_6(path: &Path) {
    let prev: String = raw_conn(path)
        .query_row("SELECT hash FROM audit_event WHERE seq = 5", [], |r| {
            r.get(0)
        })
        .unwrap();
    let mut forged = ccu::audit::Event {
        seq: 6,
        at: "2026-11-23T09:30:00.000000Z".into(),
        actor: ADMIN.into(),
        actor_roles: "administrator".into(),
        action: "user.add".into(),
        entity_type: "user".into(),
        entity_ref: "mole".into(),
        outcome: "ok".into(),
        details: "{}".into(),
        rows_hash: Some(ccu::audit::rows::empty_rows_hash()),
        prev_hash: prev,
        hash: String::new(),
    };
    forged.hash = ccu::audit::event_hash(&forged);
    sqlcipher(
        path,
        &format!(
            "{DROP_TRIGGERS}
             UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 6;
             UPDATE audit_event SET seq = seq - 999 WHERE seq >= 1000;
             INSERT INTO audit_event (seq, at, actor, actor_roles, action, entity_type, entity_ref,
                                      outcome, details, rows_hash, prev_hash, hash)
             VALUES (6, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}');",
            forged.at,
            forged.actor,
            forged.actor_roles,
            forged.action,
            forged.entity_type,
            forged.entity_ref,
            forged.outcome,
            forged.details,
            forged.rows_hash.as_deref().unwrap_or_default(),
            forged.prev_hash,
            forged.hash
        ),
    );
}

/// A case file as ccu left it at schema 6, before rows were committed to:
/// version 1 events, and rows (an account, an operation and its team)
/// written with them.
pub fn schema_6_file(dir: &Path) -> PathBuf {
    let path = dir.join("schema6.ccu");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
    ccu::store::migrations().to_version(&mut conn, 6).unwrap();
    let id = "00112233445566778899aabbccddeeff";
    // A real argon2id hash of the administrator's password, as ccu made
    // them before case files were encrypted.
    let hash = {
        use argon2::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(ADMIN_PASSWORD.as_bytes())
            .unwrap()
            .to_string()
    };
    conn.execute_batch(&format!(
        "INSERT INTO casefile VALUES (1, '{id}', '2026-01-01T00:00:00.000000Z');
         INSERT INTO user_account VALUES (1, 'admin', 'Admin', 'Police Staff', '{hash}', 'active', '2026-01-01T00:00:00.000000Z');
         INSERT INTO user_role VALUES (1, 'administrator');
         INSERT INTO user_account VALUES (2, 'lead', 'DS Lead', 'Sergeant', '{hash}', 'active', '2026-01-01T00:00:00.000000Z');
         INSERT INTO user_role VALUES (2, 'supervisor');
         INSERT INTO operation (id, urn, codename, description, status, category, priority, opened_at, opened_by)
             VALUES (1, 'OP-2026-0001', 'HERON', 'An old operation', 'scoping', 'other', 'P3', '2026-01-02T00:00:00.000000Z', 2);
         INSERT INTO operation_member (rowid, operation_id, user_id, part, added_at) VALUES (7, 1, 2, 'lead', '2026-01-02T00:00:00.000000Z');"
    ))
    .unwrap();
    let mut prev = ccu::audit::genesis_hash(id);
    for (seq, action) in [(1, "casefile.init"), (2, "user.add"), (3, "operation.open")] {
        let mut e = ccu::audit::Event {
            seq,
            at: format!("2026-01-0{seq}T00:00:00.000000Z"),
            actor: "admin".into(),
            actor_roles: "administrator".into(),
            action: action.into(),
            entity_type: "casefile".into(),
            entity_ref: id.into(),
            outcome: "ok".into(),
            details: "{}".into(),
            rows_hash: None,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        e.hash = ccu::audit::event_hash(&e);
        conn.execute(
            "INSERT INTO audit_event VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                e.seq,
                e.at,
                e.actor,
                e.actor_roles,
                e.action,
                e.entity_type,
                e.entity_ref,
                e.outcome,
                e.details,
                e.prev_hash,
                e.hash
            ],
        )
        .unwrap();
        prev = e.hash;
    }
    path
}

/// The tables the schema had at `version`.
#[allow(dead_code)]
pub fn tables_at(version: u32) -> std::collections::BTreeSet<String> {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    ccu::store::migrations()
        .to_version(&mut conn, version as usize)
        .unwrap();
    conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// SQL that takes a case file made now back to the schema `version` left
/// it with: drops every trigger, index and table a later migration made
/// (found by migrating an empty database to `version` and comparing), and
/// sets `user_version`. So a test of an upgrade from `version` stays true
/// as migrations are added after it.
#[allow(dead_code)]
pub fn back_to_schema(path: &Path, version: u32) -> String {
    let names = |conn: &rusqlite::Connection| -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare(
                "SELECT type, name FROM main.sqlite_schema
                 WHERE type IN ('trigger', 'index', 'table') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut then = rusqlite::Connection::open_in_memory().unwrap();
    ccu::store::migrations()
        .to_version(&mut then, version as usize)
        .unwrap();
    let columns = |conn: &rusqlite::Connection, table: &str| -> Vec<String> {
        conn.prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([table], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let now = raw_conn(path);
    let mut sql = String::new();
    let had_then = names(&then);
    let drop_new = |sql: &mut String, kind: &str| {
        for (ty, name) in names(&now) {
            if ty == kind && !had_then.contains(&(ty.clone(), name.clone())) {
                sql.push_str(&format!(
                    "DROP {} IF EXISTS \"{name}\";\n",
                    ty.to_uppercase()
                ));
            }
        }
    };
    // Triggers and indexes first: SQLite keeps a column they name. Those
    // a later migration made again differently go too, and come back
    // below as the version had them.
    drop_new(&mut sql, "trigger");
    drop_new(&mut sql, "index");
    let definitions = |conn: &rusqlite::Connection| -> Vec<(String, String, String)> {
        conn.prepare(
            "SELECT type, name, sql FROM main.sqlite_schema
             WHERE type IN ('trigger', 'index') AND sql IS NOT NULL",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let made_now = definitions(&now);
    let remade: Vec<(String, String, String)> = definitions(&then)
        .into_iter()
        .filter(|(ty, name, old)| {
            made_now
                .iter()
                .any(|(t, n, new)| t == ty && n == name && new != old)
        })
        .collect();
    for (ty, name, _) in &remade {
        sql.push_str(&format!("DROP {} \"{name}\";\n", ty.to_uppercase()));
    }
    // Columns a later migration added to a table the version had, the last
    // added first (a column's check may name one added before it).
    for (ty, name) in &had_then {
        if ty != "table" {
            continue;
        }
        let had = columns(&then, name);
        for column in columns(&now, name).iter().rev() {
            if !had.contains(column) {
                sql.push_str(&format!(
                    "ALTER TABLE \"{name}\" DROP COLUMN \"{column}\";\n"
                ));
            }
        }
    }
    drop_new(&mut sql, "table");
    for (_, _, old) in &remade {
        sql.push_str(&format!("{old};\n"));
    }
    // Settings a later migration added (the table keeps its guard).
    let keys = |conn: &rusqlite::Connection| -> Vec<String> {
        conn.prepare("SELECT key FROM setting")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()
            })
            .unwrap_or_default()
    };
    let old_keys = keys(&then);
    let added: Vec<String> = keys(&now)
        .into_iter()
        .filter(|k| !old_keys.contains(k))
        .map(|k| format!("'{}'", k.replace('\'', "''")))
        .collect();
    if !added.is_empty() {
        let guard: String = then
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'setting_no_delete'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        sql.push_str(&format!(
            "DROP TRIGGER setting_no_delete;\nDELETE FROM setting WHERE key IN ({});\n{guard};\n",
            added.join(", ")
        ));
    }
    drop(now);
    sql.push_str(&format!("PRAGMA user_version = {version};"));
    sql
}
