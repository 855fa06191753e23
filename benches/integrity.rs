//! What `ccu check` costs once every row answers to the chain, against
//! SQLite's own `PRAGMA integrity_check` on the same file.
//!
//! `cargo bench --bench integrity` builds, in a temporary folder, a case
//! file of 100,000 intelligence items (imported through the write path, so
//! each item's event commits to its rows), 1,000 subjects and 100
//! operations, then appends generated events (format version 2, writing
//! no rows) up to 1,000,000 in all. It times `PRAGMA integrity_check`
//! alone and the whole of `ccu check` (the chain with each event's rows,
//! every row against its latest commitment, the schema, the checkpoints and
//! the search index), in process and as the release binary, whose peak
//! memory is read with `/usr/bin/time` when it is there. Figures are
//! printed, never asserted.

use std::time::{Duration, Instant};

use ccu::audit::{Event, event_hash};
use ccu::domain::account::{DisplayName, NewPassword, Rank, Username};
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType};
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::role::RoleSet;
use ccu::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use ccu::store::{CaseFile, CheckReport, Command, Credentials, FirstAdministrator};
use chrono::{Duration as Span, TimeZone, Utc};

const ITEMS: usize = 100_000;
const SUBJECTS: usize = 1_000;
const OPERATIONS: usize = 100;
const EVENTS: i64 = 1_000_000;
const PASSWORD: &str = "benchmark passphrase";

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn codename(i: usize) -> Codename {
    let letters: String = format!("{i:04}")
        .chars()
        .map(|d| (b'A' + d.to_digit(10).unwrap() as u8) as char)
        .collect();
    Codename::parse(&format!("OPX{letters}")).unwrap()
}

fn item(i: usize) -> NewIntelligence {
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    NewIntelligence::new(
        base + Span::seconds(i as i64 * 279),
        SourceType::IctMonitoring,
        false,
        Some(format!("ALERT-{i}")),
        Grading::parse("2BP", "").unwrap(),
        Category::ALL[i % 12],
        false,
        vec![StaffNumber::parse(&format!("S{:05}", i % SUBJECTS)).unwrap()],
        &format!("Alert {i}: search of force systems without a policing purpose"),
        "Repeated PNC and command-and-control searches on a named person.",
    )
    .unwrap()
}

/// CPU time (user and system) this process has used, from /proc (Linux):
/// steadier than the wall clock on a shared disk.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Best wall-clock time and best CPU time of `runs` runs.
fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut best = Duration::MAX;
    let mut best_cpu = Duration::MAX;
    for _ in 0..runs {
        let cpu = cpu_time();
        let start = Instant::now();
        std::hint::black_box(f());
        best = best.min(start.elapsed());
        if let (Some(before), Some(after)) = (cpu, cpu_time()) {
            best_cpu = best_cpu.min(after - before);
        }
    }
    println!("{label:<52} best of {runs}: {best:>9.2?} wall, {best_cpu:>9.2?} CPU");
    (best, best_cpu)
}

/// Appends correctly chained version 2 events that wrote no rows, until
/// the trail holds `EVENTS`.
fn append_events(path: &std::path::Path) {
    let mut conn = raw(path);
    let tx = conn.transaction().unwrap();
    let (mut seq, mut prev): (i64, String) = tx
        .query_row(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut insert = tx
        .prepare(
            "INSERT INTO audit_event (seq, at, actor, actor_roles, action, entity_type,
                                      entity_ref, outcome, details, rows_hash, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .unwrap();
    let start = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
    let empty = ccu::audit::rows::empty_rows_hash();
    while seq < EVENTS {
        seq += 1;
        let mut e = Event {
            seq,
            at: ccu::store::format_timestamp(start + Span::milliseconds(seq * 30)),
            actor: format!("user{:02}", seq % 40),
            actor_roles: "investigator".into(),
            action: "view".into(),
            entity_type: "operation".into(),
            entity_ref: codename(seq as usize % OPERATIONS).to_string(),
            outcome: "ok".into(),
            details: r#"{"what":"a generated consultation"}"#.into(),
            rows_hash: Some(empty.clone()),
            prev_hash: prev,
            hash: String::new(),
        };
        e.hash = event_hash(&e);
        insert
            .execute(rusqlite::params![
                e.seq,
                e.at,
                e.actor,
                e.actor_roles,
                e.action,
                e.entity_type,
                e.entity_ref,
                e.outcome,
                e.details,
                e.rows_hash,
                e.prev_hash,
                e.hash
            ])
            .unwrap();
        prev = e.hash;
    }
    drop(insert);
    ccu::store::bench::catch_up_tree(&tx).unwrap();
    tx.commit().unwrap();
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // CCU_BENCH_FILE keeps the built file there (and reuses it when it is
    // there already), to time the check again without building it again.
    let kept = std::env::var_os("CCU_BENCH_FILE").map(std::path::PathBuf::from);
    let path = kept
        .clone()
        .unwrap_or_else(|| dir.path().join("integrity-bench.ccu"));
    // The same file without encryption, built the same way, for the cost
    // of encryption as a ratio of the same run.
    let plain = path.with_extension("plain.ccu");
    for (file, encrypted) in [(&path, true), (&plain, false)] {
        if !file.exists() {
            build(file, encrypted);
        }
    }
    measure(&path, &plain);
}

fn credentials() -> Credentials<'static> {
    Credentials {
        username: "admin",
        password: PASSWORD,
    }
}

/// A raw SQLCipher connection to the case file, outside ccu (building
/// millions of events through the write path would take hours).
fn raw(path: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut head = [0u8; 16];
    std::io::Read::read_exact(&mut std::fs::File::open(path).unwrap(), &mut head).unwrap();
    if &head == b"SQLite format 3\0" {
        // The unencrypted copy: no key.
        return conn;
    }
    let unlock = CaseFile::locate(path)
        .unwrap()
        .sqlcipher_unlock(credentials())
        .unwrap();
    conn.execute_batch(&unlock).unwrap();
    conn
}

fn build(path: &std::path::Path, encrypted: bool) {
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
    let start = Instant::now();
    for i in 0..SUBJECTS {
        let details = SubjectDetails::new(
            StaffNumber::parse(&format!("S{i:05}")).unwrap(),
            &format!("Subject number {i}"),
            "PC",
            EmploymentType::Officer,
            "Response",
            "Patrol",
            i % 3 == 0,
            VettingLevel::Recruitment,
            None,
            SubjectStatus::Serving,
        )
        .unwrap();
        cf.execute(&sup, Command::AddSubject(details)).unwrap();
    }
    for i in 0..OPERATIONS {
        let op = NewOperation::new(
            codename(i),
            &format!("Operation {i} into misuse of systems"),
            Category::AbuseOfAuthority,
            Priority::P2,
            user("lead"),
            user("sup"),
            vec![],
            vec![StaffNumber::parse(&format!("S{:05}", i * 7 % SUBJECTS)).unwrap()],
        )
        .unwrap();
        cf.execute(&sup, Command::OpenOperation(op)).unwrap();
    }
    let built_small = start.elapsed();
    let start = Instant::now();
    let items: Vec<NewIntelligence> = (0..ITEMS).map(item).collect();
    cf.import_intelligence(&sup, "bench.csv", items).unwrap();
    let imported = start.elapsed();
    drop(cf);
    let written: i64 = raw(path)
        .query_row("SELECT count(*) FROM audit_event", [], |r| r.get(0))
        .unwrap();
    let start = Instant::now();
    append_events(path);
    let appended = start.elapsed();
    let conn = raw(path);
    let events: i64 = conn
        .query_row("SELECT count(*) FROM audit_event", [], |r| r.get(0))
        .unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    drop(conn);
    println!(
        "built: subjects and operations {built_small:.1?}; import of {ITEMS} items {imported:.1?} ({:.0} items/s); {} generated events {appended:.1?}",
        ITEMS as f64 / imported.as_secs_f64(),
        events - written
    );
}

fn measure(path: &std::path::Path, plain: &std::path::Path) {
    let (events, rows): (i64, i64) = raw(path)
        .query_row(
            "SELECT (SELECT count(*) FROM audit_event), (SELECT count(*) FROM audit_row)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let size = std::fs::metadata(path).unwrap().len();
    println!(
        "case file: {events} events, {rows} row commitments, {:.0} MB",
        size as f64 / 1e6
    );

    // In turns, so that all four see the machine alike.
    let unlock = CaseFile::locate(path)
        .unwrap()
        .sqlcipher_unlock(credentials())
        .unwrap();
    let integrity_check = |file: &std::path::Path, encrypted: bool| {
        let conn =
            rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        if encrypted {
            conn.execute_batch(&unlock).unwrap();
        }
        let verdict: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
    };
    let ccu_check = |file: &std::path::Path, encrypted: bool| {
        let cf = if encrypted {
            CaseFile::locate(file)
                .unwrap()
                .unlock_for_check(credentials())
                .unwrap()
        } else {
            ccu::store::bench::open_unencrypted(
                file,
                credentials(),
                ccu::store::system_clock(),
                true,
            )
            .unwrap()
            .0
        };
        let report = cf.check().unwrap();
        assert!(matches!(report, CheckReport::Verified { .. }), "{report:?}");
    };
    let best = |a: (Duration, Duration), b: (Duration, Duration)| (a.0.min(b.0), a.1.min(b.1));
    let mut figures = [(Duration::MAX, Duration::MAX); 4];
    for round in 1..=3 {
        figures[0] = best(
            figures[0],
            time(
                &format!("round {round}: PRAGMA integrity_check, unencrypted"),
                1,
                || integrity_check(plain, false),
            ),
        );
        figures[1] = best(
            figures[1],
            time(
                &format!("round {round}: PRAGMA integrity_check, encrypted"),
                1,
                || integrity_check(path, true),
            ),
        );
        figures[2] = best(
            figures[2],
            time(
                &format!("round {round}: ccu check in process, unencrypted"),
                1,
                || ccu_check(plain, false),
            ),
        );
        figures[3] = best(
            figures[3],
            time(
                &format!("round {round}: ccu check in process, encrypted"),
                1,
                || ccu_check(path, true),
            ),
        );
    }
    let ratio = |a: (Duration, Duration), b: (Duration, Duration)| {
        format!(
            "{:.2}x wall, {:.2}x CPU",
            a.0.as_secs_f64() / b.0.as_secs_f64(),
            a.1.as_secs_f64() / b.1.as_secs_f64()
        )
    };
    println!("best of 3 each:");
    println!(
        "  ccu check / integrity_check, both encrypted: {}",
        ratio(figures[3], figures[1])
    );
    println!(
        "  ccu check / integrity_check, both unencrypted: {}",
        ratio(figures[2], figures[0])
    );
    println!(
        "  ccu check encrypted / unencrypted (the cost of encryption): {}",
        ratio(figures[3], figures[2])
    );
    println!(
        "  integrity_check encrypted / unencrypted: {}",
        ratio(figures[1], figures[0])
    );
    // The release binary, for its peak memory.
    let binary = env!("CARGO_BIN_EXE_ccu");
    let timed = std::path::Path::new("/usr/bin/time").exists();
    let start = Instant::now();
    let out = if timed {
        std::process::Command::new("/usr/bin/time")
            .args(["-f", "peak %M KiB"])
            .arg(binary)
            .args(["check", "--as", "admin", "--file"])
            .arg(path)
            .env("CCU_PASSWORD", PASSWORD)
            .stdin(std::process::Stdio::null())
            .output()
    } else {
        std::process::Command::new(binary)
            .args(["check", "--as", "admin", "--file"])
            .arg(path)
            .env("CCU_PASSWORD", PASSWORD)
            .stdin(std::process::Stdio::null())
            .output()
    }
    .unwrap();
    println!(
        "ccu check (the binary): {:.2?}, {} {}",
        start.elapsed(),
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}
