//! Ten years of casework: `cargo bench --bench scale -- --events N`.
//!
//! Builds a case file a large force's unit would have after ten years,
//! scaled to N audit events (default 1,000,000): accounts, subjects,
//! operations, decisions and an operation of 300 decisions through the
//! write path (`CaseFile::execute`), intelligence through the import, and
//! then the bulk of a trail (views, logins and the rest, spread over
//! 2016-2026) appended straight into `audit_event`, each chained and hashed
//! as the write path would, with its Merkle subtrees stored. It then times
//! what issue 14's table lists, each beside its floor:
//!
//! - `ccu audit export` of the whole trail, as a whole process, against
//!   the `sqlcipher` program's `-json` output of the same table, with the
//!   peak memory of each (`/usr/bin/time`);
//! - a filtered export of one day;
//! - `ccu audit verify` of the full bundle against `sha256sum` of it;
//! - a checkpoint; the audit viewer's open, a page far down, and End;
//! - a step of on-screen chain verification;
//! - opening the operation of 300 decisions, updating a subject;
//! - one audited write against a bare `INSERT` + `COMMIT` on the same disk;
//! - a login and the dashboard.
//!
//! Figures are printed, never asserted. `--keep DIR` builds the file in
//! DIR (and reuses one already there), so a second run skips the build.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use ccu::audit::{Event, event_hash};
use ccu::domain::account::{DisplayName, NewPassword, Rank, Username};
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType};
use ccu::domain::operation::{Codename, Decision, NewOperation, Priority};
use ccu::domain::role::RoleSet;
use ccu::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use ccu::store::{
    AuditQuery, CaseFile, ChainCursor, Command, Credentials, FirstAdministrator, Page,
};
use chrono::{DateTime, Duration as Span, NaiveDate, TimeZone, Utc};

const PASSWORD: &str = "benchmark passphrase";

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

fn codename(i: usize) -> Codename {
    let letters: String = format!("{i:05}")
        .chars()
        .map(|d| (b'A' + d.to_digit(10).unwrap() as u8) as char)
        .collect();
    Codename::parse(&format!("OP{letters}")).unwrap()
}

/// What the file holds besides the bulk of the trail, for N events: the
/// proportions of 10M events, 100k items, 10k operations, 5k subjects.
struct Shape {
    events: u64,
    items: usize,
    operations: usize,
    subjects: usize,
}

impl Shape {
    fn of(events: u64) -> Shape {
        let per = |n: u64, min: u64| (events / n).max(min) as usize;
        Shape {
            events,
            items: per(100, 1_000),
            operations: per(1_000, 20),
            subjects: per(2_000, 20),
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f());
        times.push(start.elapsed());
    }
    let max = *times.iter().max().unwrap();
    let med = median(times);
    println!("{label:<62} median {med:>10.2?}  max {max:>10.2?}");
    med
}

/// A whole process under `/usr/bin/time`: its wall time and peak
/// resident memory in KiB.
fn process(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
    stdout: Option<&Path>,
) -> (Duration, u64) {
    let stats = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Process::new("/usr/bin/time");
    cmd.args(["-f", "%M", "-o"])
        .arg(stats.path())
        .arg(program)
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(out) = stdout {
        cmd.stdout(std::fs::File::create(out).unwrap());
    } else {
        cmd.stdout(std::process::Stdio::null());
    }
    let start = Instant::now();
    let status = cmd.status().expect("/usr/bin/time runs");
    let took = start.elapsed();
    assert!(status.success(), "{program} {args:?} failed");
    let kib = std::fs::read_to_string(stats.path())
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    (took, kib)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Pseudo-random and repeatable (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn build(path: &Path, shape: &Shape) {
    let started = Instant::now();
    let admin = FirstAdministrator {
        username: user("admin"),
        display_name: DisplayName::parse("Admin").unwrap(),
        rank: Rank::PoliceStaff,
        password: NewPassword::parse(PASSWORD.into(), &user("admin")).unwrap(),
    };
    let mut cf = CaseFile::create(
        path,
        admin,
        ccu::store::bench::head(PASSWORD),
        Box::new(now),
    )
    .unwrap();
    let admin = login(&mut cf, "admin");
    for (name, roles) in [
        ("sup", "supervisor"),
        ("inv", "investigator"),
        ("aud", "auditor"),
    ] {
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
    for i in 0..shape.subjects {
        cf.execute(&sup, Command::AddSubject(subject(i, 0)))
            .unwrap();
    }
    for i in 0..shape.operations {
        let op = NewOperation::new(
            codename(i),
            &format!("Operation {i} into abuse of position for a sexual purpose"),
            Category::SexualMisconduct,
            Priority::P2,
            user("inv"),
            user("sup"),
            vec![],
            vec![StaffNumber::parse(&format!("S{:05}", i % shape.subjects)).unwrap()],
        )
        .unwrap();
        cf.execute(&sup, Command::OpenOperation(op)).unwrap();
    }
    // Operation 0 has 300 decisions, one in ten correcting an earlier one;
    // the others one or two each.
    let decisions = 300 + shape.operations * 3 / 2;
    for n in 0..decisions {
        let op = if n < 300 {
            0
        } else {
            1 + n % (shape.operations - 1)
        };
        let corrects = (n < 300 && n % 10 == 9).then_some((n / 2) as u32 + 1);
        let decision = Decision::new(
            &format!("Decision {n}"),
            "The rationale for it",
            "",
            corrects,
        )
        .unwrap();
        cf.execute(
            &sup,
            Command::RecordDecision {
                codename: codename(op),
                decision,
            },
        )
        .unwrap();
    }
    let base = Utc.with_ymd_and_hms(2016, 1, 4, 9, 0, 0).unwrap();
    let spacing = (now() - base).num_seconds() / shape.items as i64;
    for chunk in (0..shape.items).collect::<Vec<_>>().chunks(10_000) {
        let items: Vec<NewIntelligence> = chunk
            .iter()
            .map(|&i| {
                NewIntelligence::new(
                    base + Span::seconds(i as i64 * spacing),
                    SourceType::IctMonitoring,
                    false,
                    Some(format!("ALERT-{i}")),
                    Grading::parse("2BP", "").unwrap(),
                    Category::ALL[i % Category::ALL.len()],
                    false,
                    vec![StaffNumber::parse(&format!("S{:05}", i % shape.subjects)).unwrap()],
                    &format!("Alert {i}: searches of force systems about a victim"),
                    "Repeated PNC and command-and-control searches on a named person.",
                )
                .unwrap()
            })
            .collect();
        cf.import_intelligence(&sup, "bench.csv", items).unwrap();
    }
    drop(cf);
    let through_write_path = started.elapsed();
    let before = append_bulk(path, shape);
    println!(
        "built in {:.1?} ({through_write_path:.1?} through the write path, {before} events): {} items, {} subjects, {} operations, {decisions} decisions, {} events",
        started.elapsed(),
        shape.items,
        shape.subjects,
        shape.operations,
        shape.events
    );
}

fn subject(i: usize, turn: usize) -> SubjectDetails {
    SubjectDetails::new(
        StaffNumber::parse(&format!("S{i:05}")).unwrap(),
        &format!(
            "Subject number {i}{}",
            if turn > 0 {
                format!(", renamed {turn}")
            } else {
                String::new()
            }
        ),
        "PC",
        EmploymentType::Officer,
        ["Response", "CID", "Custody", "Control room"][i % 4],
        "Patrol",
        i.is_multiple_of(3),
        VettingLevel::Recruitment,
        None,
        SubjectStatus::Serving,
    )
    .unwrap()
}

/// Unlocks the case file at `path` as `name`, at the fixed clock.
fn unlock(path: &Path, name: &str) -> ccu::store::Result<(CaseFile, ccu::store::Actor)> {
    CaseFile::locate(path)?.unlock(
        Credentials {
            username: name,
            password: PASSWORD,
        },
        Box::new(now),
    )
}

fn login(cf: &mut CaseFile, name: &str) -> ccu::store::Actor {
    cf.login(Credentials {
        username: name,
        password: PASSWORD,
    })
    .unwrap()
}

/// The b-trees (tables and indexes) owning the pages in the WAL's
/// frames from byte `from` on: a frame's header starts with its page
/// number, in the clear.
fn wal_owners(path: &Path, wal: &Path, from: u64, page: u64) -> Vec<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(wal).unwrap();
    let from = from.max(32);
    file.seek(SeekFrom::Start(from)).unwrap();
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    let conn = raw(path);
    bytes
        .chunks_exact(page as usize + 24)
        .map(|frame| {
            let number = u32::from_be_bytes(frame[..4].try_into().unwrap());
            conn.query_row("SELECT name FROM dbstat WHERE pageno = ?1", [number], |r| {
                r.get(0)
            })
            .unwrap_or_else(|_| format!("page {number} (free or new)"))
        })
        .collect()
}

fn raw(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    let unlock = CaseFile::locate(path)
        .unwrap()
        .sqlcipher_unlock(Credentials {
            username: "admin",
            password: PASSWORD,
        })
        .unwrap();
    conn.execute_batch(&unlock).unwrap();
    conn
}

/// Appends events until the trail holds `shape.events`, spread evenly
/// from the last one's time back to 2016: views of operations and
/// subjects, logins, denied attempts, about the file's own operations.
/// Returns how many events the write path had made.
fn append_bulk(path: &Path, shape: &Shape) -> i64 {
    let mut conn = raw(path);
    let tx = conn.transaction().unwrap();
    let (mut seq, mut prev): (i64, String) = tx
        .query_row(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let before = seq;
    let mut insert = tx
        .prepare(
            "INSERT INTO audit_event (seq, at, actor, actor_roles, action, entity_type,
                                      entity_ref, outcome, details, prev_hash, hash, rows_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .unwrap();
    let bulk = shape.events.saturating_sub(seq as u64);
    // The events made through the write path are at the fixed clock; the
    // bulk comes after them in seq, so its times run on from there, over
    // ten years whatever N is (10M events: one every 31.5 seconds).
    let start = now();
    let step_ms = (10 * 365 * 86_400 * 1_000) / bulk.max(1) as i64;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let empty_rows = ccu::audit::rows::empty_rows_hash();
    let actors = ["sup", "inv", "aud", "admin"];
    for i in 0..bulk {
        seq += 1;
        let actor = actors[(rng.next() % 4) as usize];
        let (action, entity_type, entity_ref, details) = match rng.next() % 100 {
            0..=49 => (
                "view",
                "operation",
                codename((rng.next() % shape.operations as u64) as usize).to_string(),
                r#"{"what":"operation"}"#.to_owned(),
            ),
            50..=69 => (
                "view",
                "subject",
                format!("S{:05}", rng.next() % shape.subjects as u64),
                r#"{"what":"subject"}"#.to_owned(),
            ),
            70..=89 => ("login", "user", actor.to_owned(), "{}".to_owned()),
            90..=94 => (
                "view",
                "intelligence",
                format!("INT-2026-{:05}", rng.next() % shape.items as u64 + 1),
                r#"{"what":"intelligence"}"#.to_owned(),
            ),
            _ => (
                "operation.close",
                "operation",
                codename((rng.next() % shape.operations as u64) as usize).to_string(),
                r#"{"reason":"no role held permits this"}"#.to_owned(),
            ),
        };
        let denied = action == "operation.close";
        let mut e = Event {
            seq,
            at: ccu::store::format_timestamp(start + Span::milliseconds(step_ms * i as i64)),
            actor: actor.to_owned(),
            actor_roles: "supervisor".into(),
            action: action.into(),
            entity_type: entity_type.into(),
            entity_ref,
            outcome: if denied { "denied" } else { "ok" }.into(),
            details,
            rows_hash: Some(empty_rows.clone()),
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
                e.prev_hash,
                e.hash,
                e.rows_hash
            ])
            .unwrap();
        prev = e.hash;
    }
    drop(insert);
    ccu::store::bench::catch_up_tree(&tx).unwrap();
    tx.commit().unwrap();
    before
}

fn sqlcipher_program() -> String {
    let built = format!("{}/target/tools/sqlcipher", env!("CARGO_MANIFEST_DIR"));
    if !Path::new(&built).exists() {
        let status = Process::new("bash")
            .arg(format!(
                "{}/.ci/build-sqlcipher",
                env!("CARGO_MANIFEST_DIR")
            ))
            .status()
            .unwrap();
        assert!(status.success(), ".ci/build-sqlcipher failed");
    }
    built
}

fn main() {
    let mut events: u64 = 1_000_000;
    let mut keep: Option<PathBuf> = None;
    // Only the audited writes, many of them: for a profiler.
    let mut writes_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events" => {
                events = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--events N")
            }
            "--keep" => keep = Some(args.next().expect("--keep DIR").into()),
            "--writes" => writes_only = true,
            _ => {} // cargo bench passes --bench
        }
    }
    let shape = Shape::of(events);
    let temp = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("scale-{events}.ccu"));
    if !path.exists() {
        build(&path, &shape);
    } else {
        println!("reusing {}", path.display());
    }
    if writes_only {
        let (mut cf, sup) = unlock(&path, "sup").unwrap();
        // The pages each write puts in the WAL (a frame is a page and a
        // 24-byte header), over writes that stay below the automatic
        // checkpoint.
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        let page: i64 = raw(&path)
            .query_row("PRAGMA page_size", [], |r| r.get::<_, String>(0))
            .unwrap()
            .parse()
            .unwrap();
        let mut frames = Vec::new();
        let mut owners: std::collections::BTreeMap<String, u64> = Default::default();
        for n in 0..20 {
            let before = size();
            let decision =
                Decision::new(&format!("Counted decision {n}"), "The rationale", "", None).unwrap();
            cf.execute(
                &sup,
                Command::RecordDecision {
                    codename: codename(1),
                    decision,
                },
            )
            .unwrap();
            let grown = size().saturating_sub(before);
            if grown > 0 {
                frames.push(grown / (page as u64 + 24));
                for name in wal_owners(&path, &wal, before, page as u64) {
                    *owners.entry(name).or_default() += 1;
                }
            }
        }
        println!("pages written per audited write (page size {page}): {frames:?}");
        println!("whose pages they were, over those writes: {owners:?}");
        let (mut cf2, aud) = unlock(&path, "aud").unwrap();
        let mut views = Vec::new();
        for _ in 0..20 {
            let before = size();
            cf2.execute(&aud, Command::ViewAuditTrail).unwrap();
            let grown = size().saturating_sub(before);
            if grown > 0 {
                views.push(grown / (page as u64 + 24));
            }
        }
        println!("pages per view event: {views:?}");
        time("one view event", 200, || {
            cf2.execute(&aud, Command::ViewAuditTrail).unwrap()
        });
        let mut n = 0;
        time("one audited write (a decision)", 500, || {
            n += 1;
            let decision =
                Decision::new(&format!("Profiled decision {n}"), "The rationale", "", None)
                    .unwrap();
            cf.execute(
                &sup,
                Command::RecordDecision {
                    codename: codename(1),
                    decision,
                },
            )
            .unwrap()
        });
        return;
    }
    let file_size = std::fs::metadata(&path).unwrap().len();
    println!("case file {:.1} MiB", file_size as f64 / (1 << 20) as f64);
    let ccu = env!("CARGO_BIN_EXE_ccu");
    let file = path.to_str().unwrap();
    let env = [("CCU_PASSWORD", PASSWORD)];
    let work = tempfile::tempdir_in(&dir).unwrap();

    // Exports, as whole processes, beside sqlcipher's JSON of the table.
    let unlock_sql = CaseFile::locate(&path)
        .unwrap()
        .sqlcipher_unlock(Credentials {
            username: "admin",
            password: PASSWORD,
        })
        .unwrap();
    let script = work.path().join("floor.sql");
    std::fs::write(
        &script,
        format!(
            ".output /dev/null\n{}\n.output stdout\n.mode json\nSELECT * FROM audit_event;\n",
            unlock_sql.as_str()
        ),
    )
    .unwrap();
    let sqlcipher = sqlcipher_program();
    let floor_out = work.path().join("floor.json");
    let (floor, floor_kib) = process(
        "bash",
        &["-c", &format!("{sqlcipher} {file} < {}", script.display())],
        &[],
        Some(&floor_out),
    );
    let _ = std::fs::remove_file(&floor_out);
    let bundle = work.path().join("full");
    let (export, export_kib) = process(
        ccu,
        &[
            "audit",
            "export",
            "--out",
            bundle.to_str().unwrap(),
            "--file",
            file,
            "--as",
            "aud",
        ],
        &env,
        None,
    );
    let bundle_bytes: u64 = std::fs::read_dir(&bundle)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "audit export, whole trail: {export:.2?}, peak {:.1} MiB; sqlcipher -json {floor:.2?}, peak {:.1} MiB: {:.2}x; bundle {:.1} MiB",
        mib(export_kib),
        mib(floor_kib),
        export.as_secs_f64() / floor.as_secs_f64(),
        bundle_bytes as f64 / (1 << 20) as f64
    );
    // Others write on while an export runs: a login (an audited write)
    // made a second into a full export, timed as a whole process.
    let during = work.path().join("during");
    let mut running = Process::new(ccu)
        .args([
            "audit",
            "export",
            "--out",
            during.to_str().unwrap(),
            "--file",
            file,
            "--as",
            "aud",
        ])
        .env("CCU_PASSWORD", PASSWORD)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let started = Instant::now();
    let login = Process::new(ccu)
        .args(["due", "--file", file, "--as", "sup"])
        .env("CCU_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let waited = started.elapsed();
    let still_running = running.try_wait().unwrap().is_none();
    let exported = running.wait().unwrap();
    println!(
        "a login during a full export: {} in {waited:.2?} (the export {}; it {})",
        if login.status.success() {
            "done"
        } else {
            "FAILED"
        },
        if still_running {
            "still running then"
        } else {
            "had finished"
        },
        if exported.success() {
            "succeeded"
        } else {
            "failed"
        }
    );
    let _ = std::fs::remove_dir_all(&during);
    let day = NaiveDate::from_ymd_opt(2031, 11, 24).unwrap();
    let day = day.to_string();
    let one_day = work.path().join("day");
    let (filtered, filtered_kib) = process(
        ccu,
        &[
            "audit",
            "export",
            "--out",
            one_day.to_str().unwrap(),
            "--from",
            &day,
            "--to",
            &day,
            "--file",
            file,
            "--as",
            "aud",
        ],
        &env,
        None,
    );
    let entries = std::fs::read_to_string(one_day.join("entries.jsonl"))
        .unwrap()
        .lines()
        .count();
    println!(
        "audit export --from {day} --to {day} ({entries} entries): {filtered:.2?}, peak {:.1} MiB",
        mib(filtered_kib)
    );

    // Verifying the bundle, beside sha256sum of its files.
    let (pubkey, _) = unlock(&path, "aud")
        .map(|(cf, _)| cf.verifier_key().unwrap())
        .unwrap();
    let key_file = work.path().join("key.pub");
    std::fs::write(&key_file, &pubkey).unwrap();
    let (sha, sha_kib) = process(
        "bash",
        &["-c", &format!("sha256sum {}/*", bundle.display())],
        &[],
        None,
    );
    let (verify, verify_kib) = process(
        ccu,
        &[
            "audit",
            "verify",
            bundle.to_str().unwrap(),
            "--pubkey",
            key_file.to_str().unwrap(),
        ],
        &[],
        None,
    );
    println!(
        "audit verify, full bundle: {verify:.2?}, peak {:.1} MiB; sha256sum {sha:.2?}, peak {:.1} MiB: {:.2}x",
        mib(verify_kib),
        mib(sha_kib),
        verify.as_secs_f64() / sha.as_secs_f64()
    );
    std::fs::remove_dir_all(&bundle).unwrap();

    // In-process: what the screens and commands ask of the store.
    let (mut cf, aud) = unlock(&path, "aud").unwrap();
    time(
        "audit checkpoint (verifies since the last, signs)",
        5,
        || cf.execute(&aud, Command::RecordCheckpoint).unwrap(),
    );
    let all = AuditQuery::default();
    time("audit viewer: open (total and first page)", 10, || {
        let total = cf.audit_total(&aud, &all).unwrap();
        (
            total,
            cf.audit_page(
                &aud,
                &all,
                Page {
                    offset: 0,
                    limit: 50,
                },
            )
            .unwrap(),
        )
    });
    let total = cf.audit_total(&aud, &all).unwrap();
    time("audit viewer: a page 90% of the way down", 10, || {
        cf.audit_page(
            &aud,
            &all,
            Page {
                offset: total * 9 / 10,
                limit: 50,
            },
        )
        .unwrap()
    });
    time("audit viewer: End (the oldest page)", 10, || {
        cf.audit_page(
            &aud,
            &all,
            Page {
                offset: total.saturating_sub(50),
                limit: 50,
            },
        )
        .unwrap()
    });
    // Filtered by days: most of the trail, and half of it.
    for (label, from, to) in [
        ("until a day near the end", None, Some((2036, 6, 30))),
        (
            "over the middle five years",
            Some((2029, 1, 1)),
            Some((2033, 12, 31)),
        ),
    ] {
        let day = |d: Option<(i32, u32, u32)>| {
            d.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
        };
        let query = AuditQuery {
            from: day(from),
            to: day(to),
            ..AuditQuery::default()
        };
        time(
            &format!("audit viewer {label}: total and first page"),
            5,
            || {
                let total = cf.audit_total(&aud, &query).unwrap();
                (
                    total,
                    cf.audit_page(
                        &aud,
                        &query,
                        Page {
                            offset: 0,
                            limit: 50,
                        },
                    )
                    .unwrap(),
                )
            },
        );
    }
    let mut cursor = ChainCursor::default();
    // The step the terminal application takes (app::runtime::VERIFY_STEP).
    let step = 1_000;
    let started = Instant::now();
    let mut steps = 0;
    let mut slowest = Duration::ZERO;
    while started.elapsed() < Duration::from_secs(10) {
        let t = Instant::now();
        let progress = cf.verify_chain_step(cursor, step).unwrap();
        slowest = slowest.max(t.elapsed());
        steps += 1;
        cursor = progress.cursor;
        if progress.done {
            break;
        }
    }
    let rate = (steps * step) as f64 / started.elapsed().as_secs_f64();
    println!(
        "on-screen chain verification: {rate:.0} events/s in steps of {step} (slowest {slowest:.2?}); the whole trail in {:.0} s",
        total as f64 / rate
    );
    drop(cf);

    let (mut cf, sup) = unlock(&path, "sup").unwrap();
    time("open the operation of 300 decisions (audited)", 10, || {
        cf.open_operation(&sup, &codename(0)).unwrap()
    });
    let mut turn = 0;
    time("update a subject (audited)", 10, || {
        turn += 1;
        cf.execute(&sup, Command::UpdateSubject(subject(7, turn)))
            .unwrap()
    });
    let mut n = 0;
    let audited = time("one audited write (a decision)", 50, || {
        n += 1;
        let decision = Decision::new(
            &format!("Scale decision {n}"),
            "The rationale for it",
            "",
            None,
        )
        .unwrap();
        cf.execute(
            &sup,
            Command::RecordDecision {
                codename: codename(1),
                decision,
            },
        )
        .unwrap()
    });
    let floor_db = rusqlite::Connection::open(work.path().join("floor.db")).unwrap();
    floor_db
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE entry (id INTEGER PRIMARY KEY, decision TEXT, rationale TEXT, at TEXT);",
        )
        .unwrap();
    let mut n = 0;
    let bare = time("bare INSERT + COMMIT (WAL, synchronous=FULL)", 50, || {
        n += 1;
        floor_db.execute_batch("BEGIN IMMEDIATE").unwrap();
        floor_db
            .execute(
                "INSERT INTO entry (decision, rationale, at) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    format!("Scale decision {n}"),
                    "The rationale for it",
                    "2026-11-23"
                ],
            )
            .unwrap();
        floor_db.execute_batch("COMMIT").unwrap();
    });
    println!(
        "audited write / bare write: {:.2}x",
        audited.as_secs_f64() / bare.as_secs_f64()
    );
    time("dashboard (supervisor)", 10, || cf.dashboard(&sup).unwrap());
    drop(cf);
    time("unlock and log in (argon2id, key unsealed)", 3, || {
        unlock(&path, "sup").unwrap()
    });
    if keep.is_none() {
        drop(temp);
    }
}
