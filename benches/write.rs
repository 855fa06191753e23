//! What one audited write costs against the floor: a bare SQLite `INSERT`
//! and `COMMIT` in WAL with `synchronous = FULL`, on the same disk.
//!
//! `cargo bench --bench write` makes a small case file (an operation with
//! its team) in a temporary folder, then times, in turns so that both see
//! the same disk, a decision-log entry through `CaseFile::execute` and a
//! bare insert of a row of the same size into a scratch SQLite file beside
//! it; and the same two again without encryption (the write path on a case
//! file made by `store::bench::create_unencrypted`, a bare insert into a
//! plain SQLite file), so that the cost of encryption is a ratio of the
//! same run. Figures are printed, never asserted.

use std::time::{Duration, Instant};

use ccu::domain::account::{DisplayName, NewPassword, Rank, Username};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, Decision, NewOperation, Priority};
use ccu::domain::role::RoleSet;
use ccu::store::{Actor, CaseFile, Command, Credentials, FirstAdministrator};

const PASSWORD: &str = "benchmark passphrase";
const WRITES: usize = 400;

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn summary(label: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{label:<48} best {:>9.2?}  median {median:>9.2?}  p90 {:>9.2?}",
        times[0],
        times[times.len() * 9 / 10]
    );
    median
}

/// A case file with an operation and its team; `encrypted` or not.
fn setup(path: &std::path::Path, encrypted: bool) -> (CaseFile, Actor, Codename) {
    let admin = FirstAdministrator {
        username: user("admin"),
        display_name: DisplayName::parse("Admin").unwrap(),
        rank: Rank::PoliceStaff,
        password: NewPassword::parse(PASSWORD.into(), &user("admin")).unwrap(),
    };
    let mut cf = if encrypted {
        CaseFile::create(
            path,
            admin,
            ccu::store::bench::head(PASSWORD),
            ccu::store::system_clock(),
        )
    } else {
        ccu::store::bench::create_unencrypted(
            path,
            admin,
            ccu::store::bench::head(PASSWORD),
            ccu::store::system_clock(),
        )
    }
    .unwrap();
    let login = |cf: &mut CaseFile, name: &str| {
        cf.login(Credentials {
            username: name,
            password: PASSWORD,
        })
        .unwrap()
    };
    let admin = login(&mut cf, "admin");
    for (name, roles) in [("sup", "supervisor"), ("lead", "investigator")] {
        ccu::store::bench::add_account(
            &mut cf,
            &admin,
            PASSWORD,
            &user(name),
            Rank::Sergeant,
            RoleSet::parse_list(roles).unwrap(),
            PASSWORD,
        )
        .unwrap();
    }
    let sup = login(&mut cf, "sup");
    let op = Codename::parse("WRITEBENCH").unwrap();
    cf.execute(
        &sup,
        Command::OpenOperation(
            NewOperation::new(
                op.clone(),
                "The operation the benchmark writes its decision log to",
                Category::AbuseOfAuthority,
                Priority::P2,
                user("lead"),
                user("sup"),
                vec![],
                vec![],
            )
            .unwrap(),
        ),
    )
    .unwrap();
    (cf, sup, op)
}

/// A scratch SQLite file for the bare insert, with SQLCipher's key or not.
fn floor(path: &std::path::Path, encrypted: bool) -> rusqlite::Connection {
    let floor = rusqlite::Connection::open(path).unwrap();
    if encrypted {
        floor
            .execute_batch(&format!(
                "PRAGMA key = \"x'2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99'\";
                 {}",
                ccu::store::CIPHER_SETTINGS
            ))
            .unwrap();
    }
    floor
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE entry (id INTEGER PRIMARY KEY, decision TEXT, rationale TEXT, alternatives TEXT, at TEXT);",
        )
        .unwrap();
    floor
}

const RATIONALE: &str = "The searches were made on three nights without a policing purpose; an interview now would warn the subject.";

fn audited_write(cf: &mut CaseFile, sup: &Actor, op: &Codename, i: usize) -> Duration {
    let decision = Decision::new(
        &format!("Decision {i}: keep the enquiry covert for another week"),
        RATIONALE,
        "Interview under caution now",
        None,
    )
    .unwrap();
    let start = Instant::now();
    cf.execute(
        sup,
        Command::RecordDecision {
            codename: op.clone(),
            decision,
        },
    )
    .unwrap();
    start.elapsed()
}

fn bare_write(floor: &rusqlite::Connection, i: usize) -> Duration {
    let start = Instant::now();
    floor
        .execute_batch("BEGIN IMMEDIATE")
        .and_then(|()| {
            floor.execute(
                "INSERT INTO entry (decision, rationale, alternatives, at) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    format!("Decision {i}: keep the enquiry covert for another week"),
                    RATIONALE,
                    "Interview under caution now",
                    "2026-11-23T09:30:00.000000Z"
                ],
            )
        })
        .and_then(|_| floor.execute_batch("COMMIT"))
        .unwrap();
    start.elapsed()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (mut enc, enc_sup, enc_op) = setup(&dir.path().join("encrypted.ccu"), true);
    let (mut plain, plain_sup, plain_op) = setup(&dir.path().join("plain.ccu"), false);
    let floor_enc = floor(&dir.path().join("floor-encrypted.db"), true);
    let floor_plain = floor(&dir.path().join("floor-plain.db"), false);

    let mut times: [Vec<Duration>; 4] = Default::default();
    for i in 0..WRITES {
        // In turns, so that all four see the same disk.
        times[0].push(audited_write(&mut enc, &enc_sup, &enc_op, i));
        times[1].push(audited_write(&mut plain, &plain_sup, &plain_op, i));
        times[2].push(bare_write(&floor_enc, i));
        times[3].push(bare_write(&floor_plain, i));
    }
    let [a_enc, a_plain, b_enc, b_plain] = times;
    let a_enc = summary("audited write, encrypted (a decision-log entry)", a_enc);
    let a_plain = summary("audited write, unencrypted", a_plain);
    let b_enc = summary("bare INSERT + COMMIT, SQLCipher", b_enc);
    let b_plain = summary("bare INSERT + COMMIT (WAL, synchronous=FULL)", b_plain);
    let ratio = |x: Duration, y: Duration| x.as_secs_f64() / y.as_secs_f64();
    println!(
        "ratio of medians: audited encrypted / bare plain {:.2}x; audited encrypted / audited unencrypted {:.2}x (the cost of encryption); bare SQLCipher / bare plain {:.2}x",
        ratio(a_enc, b_plain),
        ratio(a_enc, a_plain),
        ratio(b_enc, b_plain)
    );
}
