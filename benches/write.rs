//! What one audited write costs against the floor: a bare SQLite `INSERT`
//! and `COMMIT` in WAL with `synchronous = FULL`, on the same disk.
//!
//! `cargo bench --bench write` makes a small case file (an operation with
//! its team) in a temporary folder, then times, in turns so that both see
//! the same disk, a decision-log entry through `CaseFile::execute` and a
//! bare insert of a row of the same size into a scratch SQLite file beside
//! it. It uses only calls older case files had too, so the same file can
//! be run on an earlier commit to compare. Figures are printed, never
//! asserted.

use std::time::{Duration, Instant};

use ccu::domain::account::{DisplayName, NewPassword, Rank, Username};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, Decision, NewOperation, Priority};
use ccu::domain::role::RoleSet;
use ccu::store::{CaseFile, Command, Credentials, FirstAdministrator};

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

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("write-bench.ccu");
    let mut cf = CaseFile::create(
        &path,
        FirstAdministrator {
            username: user("admin"),
            display_name: DisplayName::parse("Admin").unwrap(),
            rank: Rank::PoliceStaff,
            password: NewPassword::parse(PASSWORD.into(), &user("admin")).unwrap(),
        },
        ccu::store::system_clock(),
    )
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
        cf.execute(
            &admin,
            Command::AddUser {
                username: user(name),
                display_name: DisplayName::parse(name).unwrap(),
                rank: Rank::Sergeant,
                roles: RoleSet::parse_list(roles).unwrap(),
                password: NewPassword::parse(PASSWORD.into(), &user(name)).unwrap(),
            },
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

    let floor = rusqlite::Connection::open(dir.path().join("floor.db")).unwrap();
    floor
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE entry (id INTEGER PRIMARY KEY, decision TEXT, rationale TEXT, alternatives TEXT, at TEXT);",
        )
        .unwrap();

    let rationale = "The searches were made on three nights without a policing purpose; an interview now would warn the subject.";
    let mut audited = Vec::with_capacity(WRITES);
    let mut bare = Vec::with_capacity(WRITES);
    for i in 0..WRITES {
        let decision = Decision::new(
            &format!("Decision {i}: keep the enquiry covert for another week"),
            rationale,
            "Interview under caution now",
            None,
        )
        .unwrap();
        let start = Instant::now();
        cf.execute(
            &sup,
            Command::RecordDecision {
                codename: op.clone(),
                decision,
            },
        )
        .unwrap();
        audited.push(start.elapsed());

        let start = Instant::now();
        floor
            .execute_batch("BEGIN IMMEDIATE")
            .and_then(|()| {
                floor.execute(
                    "INSERT INTO entry (decision, rationale, alternatives, at) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![
                        format!("Decision {i}: keep the enquiry covert for another week"),
                        rationale,
                        "Interview under caution now",
                        "2026-11-23T09:30:00.000000Z"
                    ],
                )
            })
            .and_then(|_| floor.execute_batch("COMMIT"))
            .unwrap();
        bare.push(start.elapsed());
    }
    let a = summary("audited write (a decision-log entry)", audited);
    let b = summary("bare INSERT + COMMIT (WAL, synchronous=FULL)", bare);
    println!(
        "ratio of medians: {:.2}x",
        a.as_secs_f64() / b.as_secs_f64()
    );
}
