//! How the audit viewer holds up on a trail of a million events.
//!
//! `cargo bench --bench audit` builds a case file in a temporary folder,
//! appends 1,000,000 audit events to it, then times what the audit screen
//! asks for: opening the trail, pages (first, and deep by offset and by
//! keyset), filters by user, action, date range and operation, totals, and
//! step verification of the whole chain. Figures are printed, never asserted.
//!
//! The events are inserted straight into `audit_event`, bypassing the write
//! path (`CaseFile::execute`), because a million commands would take hours
//! of setup. Each one is still chained correctly: its `prev_hash` is the
//! previous event's hash and its `hash` is computed with `ccu::audit`, so
//! `ccu check` and step verification accept the trail.

use std::time::{Duration, Instant};

use ccu::audit::{Event, event_hash};
use ccu::domain::account::{DisplayName, NewPassword, Rank, Username};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::role::RoleSet;
use ccu::store::{
    AuditQuery, CaseFile, ChainCursor, Command, Credentials, FirstAdministrator, Page,
};
use chrono::{Duration as Span, NaiveDate, TimeZone, Utc};

const EVENTS: u64 = 1_000_000;
const PASSWORD: &str = "benchmark passphrase";
/// Users who act in the generated trail; `rare` acts once in 10,000 events.
const USERS: u64 = 40;
const OPERATIONS: u64 = 200;

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn codename(i: u64) -> String {
    let letters: String = format!("{i:04}")
        .chars()
        .map(|d| (b'A' + d.to_digit(10).unwrap() as u8) as char)
        .collect();
    format!("OPX{letters}")
}

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> Duration {
    let mut best = Duration::MAX;
    let mut total = Duration::ZERO;
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f());
        let took = start.elapsed();
        best = best.min(took);
        total += took;
    }
    println!(
        "{label:<58} best {best:>10.2?}  mean {:>10.2?}",
        total / runs
    );
    best
}

/// A cheap, repeatable pseudo-random sequence (xorshift), so every run
/// builds the same trail.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// The action, entity type and entity reference of generated event `i`,
/// in roughly the proportions a busy unit would make them.
fn what(rng: &mut Rng, i: u64) -> (&'static str, &'static str, String) {
    let op = codename(rng.next() % OPERATIONS);
    let intel = format!("INT-2025-{:05}", i % 99_999 + 1);
    match rng.next() % 100 {
        0..=39 => ("view", "operation", op),
        40..=54 => ("login", "user", String::new()),
        55..=64 => ("intelligence.record", "intelligence", intel),
        65..=74 => ("intelligence.triage", "intelligence", intel),
        75..=84 => ("decision.record", "operation", op),
        85..=87 => ("bid.draft", "operation", op),
        88..=89 => (
            "bid.submit",
            "bid",
            format!("BID-2025-{:04}", i % 9_999 + 1),
        ),
        90 => (
            "bid.decide",
            "bid",
            format!("BID-2025-{:04}", i % 9_999 + 1),
        ),
        91..=92 => (
            "authorisation.review",
            "authorisation",
            format!("AUTH-2025-{:04}", i % 999 + 1),
        ),
        93..=97 => ("operation.team.add", "operation", op),
        _ => ("subject.update", "subject", format!("S{:05}", i % 5_000)),
    }
}

/// Appends `EVENTS` correctly chained events after those already in the
/// file, an event every 30 seconds from 1 January 2025 (so about 347 days).
fn append_events(path: &std::path::Path) {
    // A raw SQLCipher connection: a million commands through the write
    // path would take hours.
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let unlock = CaseFile::locate(path)
        .unwrap()
        .sqlcipher_unlock(Credentials {
            username: "admin",
            password: PASSWORD,
        })
        .unwrap();
    conn.execute_batch(&unlock).unwrap();
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
                                      entity_ref, outcome, details, prev_hash, hash, rows_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .unwrap();
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let empty_rows = ccu::audit::rows::empty_rows_hash();
    for i in 0..EVENTS {
        seq += 1;
        let actor = if i % 10_000 == 5_000 {
            "rare".to_owned()
        } else {
            format!("user{:02}", rng.next() % USERS)
        };
        let (action, entity_type, mut entity_ref) = what(&mut rng, i);
        if action == "login" {
            entity_ref = actor.clone();
        }
        let mut e = Event {
            seq,
            at: ccu::store::format_timestamp(start + Span::seconds(i as i64 * 30)),
            actor,
            actor_roles: "investigator".into(),
            action: action.into(),
            entity_type: entity_type.into(),
            entity_ref,
            outcome: if i % 97 == 0 { "denied" } else { "ok" }.into(),
            details: format!(
                r#"{{"what":"generated event {i}","before":{{"status":"draft"}},"after":{{"status":"submitted"}},"rationale":"Routine entry for the benchmark"}}"#
            ),
            // Generated events write no rows (format version 2, empty list).
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
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit-bench.ccu");
    let mut cf = CaseFile::create(
        &path,
        FirstAdministrator {
            username: user("admin"),
            display_name: DisplayName::parse("Admin").unwrap(),
            rank: Rank::PoliceStaff,
            password: NewPassword::parse(PASSWORD.into(), &user("admin")).unwrap(),
        },
        ccu::store::bench::head(PASSWORD),
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
    for (name, roles) in [
        ("aud", "auditor"),
        ("sup", "supervisor"),
        ("inv", "investigator"),
    ] {
        ccu::store::bench::add_account(
            &mut cf,
            &admin,
            PASSWORD,
            &user(name),
            Rank::Inspector,
            RoleSet::parse_list(roles).unwrap(),
            PASSWORD,
        )
        .unwrap();
    }
    let inv = login(&mut cf, "inv");
    for i in 0..OPERATIONS {
        cf.execute(
            &inv,
            Command::OpenOperation(
                NewOperation::new(
                    Codename::parse(&codename(i)).unwrap(),
                    "Benchmark operation",
                    Category::MisusingSystems,
                    Priority::P3,
                    user("inv"),
                    user("sup"),
                    vec![],
                    vec![],
                )
                .unwrap(),
            ),
        )
        .unwrap();
    }
    drop(cf);

    let start = Instant::now();
    append_events(&path);
    let (mut cf, aud) = CaseFile::open(
        &path,
        Credentials {
            username: "aud",
            password: PASSWORD,
        },
    )
    .unwrap();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("ccu-wal")).map_or(0, |m| m.len());
    println!(
        "built in {:.1?}: {EVENTS} generated events after the setup's; file {:.0} MB",
        start.elapsed(),
        size as f64 / 1e6
    );

    let all = AuditQuery::default();
    let first = Page {
        offset: 0,
        limit: 50,
    };
    let deep = Page {
        offset: 900_000,
        limit: 50,
    };
    time(
        "open_audit_trail (one view event, and the count)",
        5,
        || cf.open_audit_trail(&aud).unwrap(),
    );
    time("first page (50), everything", 20, || {
        cf.audit_page(&aud, &all, first).unwrap()
    });
    time("page at offset 900,000 (50), everything", 5, || {
        cf.audit_page(&aud, &all, deep).unwrap()
    });
    let total = cf.audit_total(&aud, &all).unwrap() as i64;
    let deep_seq = total - 900_000;
    time("keyset page before seq total-900,000 (50)", 20, || {
        cf.audit_page_before(&aud, &all, Some(deep_seq), 50)
            .unwrap()
    });
    time("total, everything", 5, || {
        cf.audit_total(&aud, &all).unwrap()
    });
    // What the unfiltered total and a deep page cost before they were
    // read from the primary key: a count of every event, an offset walk.
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        let unlock = CaseFile::locate(&path)
            .unwrap()
            .sqlcipher_unlock(Credentials {
                username: "admin",
                password: PASSWORD,
            })
            .unwrap();
        raw.execute_batch(&unlock).unwrap();
        time("  for comparison: count(*) of every event", 5, || {
            raw.query_row("SELECT count(*) FROM audit_event", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
        });
        time(
            "  for comparison: seqs at offset 900,000 by OFFSET",
            5,
            || {
                raw.prepare("SELECT seq FROM audit_event ORDER BY seq DESC LIMIT 50 OFFSET 900000")
                    .unwrap()
                    .query_map([], |r| r.get::<_, i64>(0))
                    .unwrap()
                    .count()
            },
        );
    }

    let filters = [
        (
            "user user07 (1 event in 40)",
            AuditQuery {
                user: Some("user07".into()),
                ..Default::default()
            },
        ),
        (
            "user rare (1 event in 10,000)",
            AuditQuery {
                user: Some("rare".into()),
                ..Default::default()
            },
        ),
        (
            "action bid.decide",
            AuditQuery {
                action: Some("bid.decide".into()),
                ..Default::default()
            },
        ),
        (
            "action prefix bid.",
            AuditQuery {
                action: Some("bid.".into()),
                ..Default::default()
            },
        ),
        (
            "a week in June 2025",
            AuditQuery {
                from: NaiveDate::from_ymd_opt(2025, 6, 2),
                to: NaiveDate::from_ymd_opt(2025, 6, 8),
                ..Default::default()
            },
        ),
        (
            "a day in March 2025",
            AuditQuery {
                from: NaiveDate::from_ymd_opt(2025, 3, 12),
                to: NaiveDate::from_ymd_opt(2025, 3, 12),
                ..Default::default()
            },
        ),
        (
            "action prefix intelligence. (1 event in 5)",
            AuditQuery {
                action: Some("intelligence.".into()),
                ..Default::default()
            },
        ),
        (
            "from 1 January 2025 (everything)",
            AuditQuery {
                from: NaiveDate::from_ymd_opt(2025, 1, 1),
                ..Default::default()
            },
        ),
        (
            "until 12 March 2025 (1 event in 5)",
            AuditQuery {
                to: NaiveDate::from_ymd_opt(2025, 3, 12),
                ..Default::default()
            },
        ),
        (
            "1 January to 31 December 2025 (everything)",
            AuditQuery {
                from: NaiveDate::from_ymd_opt(2025, 1, 1),
                to: NaiveDate::from_ymd_opt(2025, 12, 31),
                ..Default::default()
            },
        ),
        (
            "operation OPXAAAH",
            AuditQuery {
                operation: Some(Codename::parse(&codename(7)).unwrap()),
                ..Default::default()
            },
        ),
        (
            "user07 + prefix decision. + June",
            AuditQuery {
                user: Some("user07".into()),
                action: Some("decision.".into()),
                from: NaiveDate::from_ymd_opt(2025, 6, 1),
                to: NaiveDate::from_ymd_opt(2025, 6, 30),
                ..Default::default()
            },
        ),
    ];
    for (label, query) in &filters {
        let n = cf.audit_total(&aud, query).unwrap();
        println!("-- {label}: {n} events");
        time(&format!("  first page (50), {label}"), 10, || {
            cf.audit_page(&aud, query, first).unwrap()
        });
        let page = cf.audit_page(&aud, query, Page::ALL).unwrap();
        if let Some(row) = page.get(page.len().saturating_sub(60)) {
            let before = row.seq;
            time(
                &format!("  keyset page near the oldest, {label}"),
                10,
                || cf.audit_page_before(&aud, query, Some(before), 50).unwrap(),
            );
        }
        time(&format!("  total, {label}"), 5, || {
            cf.audit_total(&aud, query).unwrap()
        });
    }

    for step in [10_000, 100_000] {
        let start = Instant::now();
        let mut p = cf.verify_chain_step(ChainCursor::default(), step).unwrap();
        let mut steps = 1u32;
        let mut slowest = start.elapsed();
        while !p.done {
            let t = Instant::now();
            p = cf.verify_chain_step(p.cursor, step).unwrap();
            slowest = slowest.max(t.elapsed());
            steps += 1;
        }
        let took = start.elapsed();
        assert_eq!(p.broken, None, "the generated trail must verify");
        println!(
            "verify_chain_step by {step}: {} events in {steps} steps, {took:.2?} ({:.0} events/s), slowest step {slowest:.2?}",
            p.verified_through,
            p.verified_through as f64 / took.as_secs_f64()
        );
    }
    time("check (integrity_check and the whole chain)", 1, || {
        cf.check().unwrap()
    });

    // The audit viewer in the terminal application on the same million
    // events, as the auditor uses it: a key press is update, the loads it
    // needs and a full draw.
    screen(cf);
}

fn clock() -> ccu::store::Clock {
    Box::new(chrono::Utc::now)
}

fn screen(cf: CaseFile) {
    use ccu::app::runtime::Runtime;
    use ccu::app::{App, Area, Msg};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = App::new(
        chrono::Utc::now(),
        (120, 40),
        ccu::keymap::Keymap::builtin(),
        "bench".into(),
        None,
    );
    let mut runtime = Runtime::new(Some(cf), clock);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let mut send = |app: &mut App, runtime: &mut Runtime, msg: Msg| {
        let effects = app.update(msg);
        runtime.run(app, effects);
        terminal
            .draw(|f| ccu::ui::render(app, &ccu::ui::theme::Theme::from_env(), f))
            .unwrap();
    };
    let key = |code: KeyCode| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    for c in "aud".chars() {
        send(&mut app, &mut runtime, key(KeyCode::Char(c)));
    }
    send(&mut app, &mut runtime, key(KeyCode::Tab));
    for c in PASSWORD.chars() {
        send(&mut app, &mut runtime, key(KeyCode::Char(c)));
    }
    send(&mut app, &mut runtime, key(KeyCode::Enter));
    assert!(app.session.is_some(), "logged in");
    time(
        "screen: open the audit trail (audited view, first page, draw)",
        1,
        || send(&mut app, &mut runtime, key(KeyCode::Char('9'))),
    );
    time(
        "screen: one PgDn from the top (update, load when needed, draw)",
        300,
        || send(&mut app, &mut runtime, key(KeyCode::PageDown)),
    );
    time("screen: End, to the oldest of a million", 3, || {
        send(&mut app, &mut runtime, key(KeyCode::Home));
        send(&mut app, &mut runtime, key(KeyCode::End));
    });
    time(
        "screen: one PgUp a million deep (update, load when needed, draw)",
        300,
        || send(&mut app, &mut runtime, key(KeyCode::PageUp)),
    );
    let start = Instant::now();
    let mut ticks = 0u32;
    while !app.chain.as_ref().is_some_and(|c| c.done) {
        send(&mut app, &mut runtime, Msg::Tick(chrono::Utc::now()));
        ticks += 1;
    }
    let took = start.elapsed();
    println!(
        "screen: chain verified in {ticks} ticks, {took:.2?} ({:.1?} a tick): {:?}",
        took / ticks.max(1),
        app.chain
            .as_ref()
            .map(|c| (c.verified_through, c.broken.clone()))
    );
    let list = app.list(Area::Audit);
    println!(
        "screen: {} events in the list, {} held in memory",
        list.total,
        list.rows.len()
    );
}
