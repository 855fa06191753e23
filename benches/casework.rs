//! How the need-to-know queries hold up on a large case file.
//!
//! `cargo bench --bench casework` builds a case file of 50,000 intelligence
//! items, 5,000 subjects and 400 operations in a temporary folder, then
//! times the calls the screens make, for a supervisor (who sees everything)
//! and for an investigator on a few teams (whose every query carries the
//! need-to-know predicates). It then grows the file to 100,000 items and
//! times the list screens (pages deep into a sorted or filtered list, the
//! filtered total) and the dashboard. It does all of it twice: on an
//! encrypted case file, and on the same without encryption. Figures are
//! printed, never asserted.
//!
//! The case file's clock is fixed (23 November 2026, 09:30 UTC), so the
//! dashboard counts the same year and weeks whenever the benchmark runs.

use std::time::{Duration, Instant};

use ccu::domain::account::{DisplayName, NewPassword, Rank, Username};
use ccu::domain::intelligence::TriageStatus;
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType};
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::role::RoleSet;
use ccu::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use ccu::domain::text::Rationale;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{
    CaseFile, Command, Credentials, FirstAdministrator, IntelligenceColumn, ListQuery, Page,
};
use chrono::{DateTime, Duration as Days, TimeZone, Utc};

const ITEMS: usize = 50_000;
/// The size of the case file the list screens are timed on.
const LIST_ITEMS: usize = 100_000;
const SUBJECTS: usize = 5_000;
const OPERATIONS: usize = 400;
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

/// Item `i`: received every 279 seconds from 1 January 2026, so 100,000
/// items run to mid-November, just before the fixed clock.
fn item(i: usize) -> NewIntelligence {
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    NewIntelligence::new(
        base + Days::seconds(i as i64 * 279),
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

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) {
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
}

fn main() {
    // The same file and calls, encrypted (as every case file is) and not,
    // so that the cost of encryption is a ratio of the same run.
    for encrypted in [true, false] {
        println!(
            "== {} ==",
            if encrypted {
                "encrypted"
            } else {
                "unencrypted (store::bench), for comparison"
            }
        );
        run(encrypted);
    }
}

fn run(encrypted: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.ccu");
    let admin = FirstAdministrator {
        username: user("admin"),
        display_name: DisplayName::parse("Admin").unwrap(),
        rank: Rank::PoliceStaff,
        password: NewPassword::parse(PASSWORD.into(), &user("admin")).unwrap(),
    };
    let mut cf = if encrypted {
        CaseFile::create(
            &path,
            admin,
            ccu::store::bench::head(PASSWORD),
            Box::new(now),
        )
    } else {
        ccu::store::bench::create_unencrypted(
            &path,
            admin,
            ccu::store::bench::head(PASSWORD),
            Box::new(now),
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
    for (name, roles) in [
        ("sup", "supervisor"),
        ("inv", "investigator"),
        ("inv2", "investigator"),
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
    let inv = login(&mut cf, "inv");

    let start = Instant::now();
    for i in 0..SUBJECTS {
        let details = SubjectDetails::new(
            StaffNumber::parse(&format!("S{i:05}")).unwrap(),
            &format!("Subject number {i}"),
            "PC",
            EmploymentType::Officer,
            ["Response", "CID", "Custody", "Control room"][i % 4],
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
        // The investigator is on one operation in forty.
        let lead = if i % 40 == 0 { "inv" } else { "inv2" };
        let op = NewOperation::new(
            codename(i),
            &format!("Operation {i} into misuse of systems and abuse of authority"),
            Category::AbuseOfAuthority,
            Priority::P2,
            user(lead),
            user("sup"),
            vec![],
            vec![StaffNumber::parse(&format!("S{:05}", i * 7 % SUBJECTS)).unwrap()],
        )
        .unwrap();
        cf.execute(&sup, Command::OpenOperation(op)).unwrap();
    }
    let items: Vec<NewIntelligence> = (0..ITEMS).map(item).collect();
    cf.import_intelligence(&sup, "bench.csv", items).unwrap();
    println!(
        "built in {:.1?}: {ITEMS} items, {SUBJECTS} subjects, {OPERATIONS} operations",
        start.elapsed()
    );

    // Link one item in ten to an operation, so restrictions bite.
    let start = Instant::now();
    for i in (0..ITEMS).step_by(10).take(2_000) {
        let urn = Urn {
            kind: UrnKind::Intelligence,
            year: 2026,
            number: i as u32 + 1,
        };
        for (to, op) in [
            (TriageStatus::Assessed, None),
            (
                TriageStatus::LinkedToOperation,
                Some(codename(i / 10 % OPERATIONS)),
            ),
        ] {
            cf.execute(
                &sup,
                Command::TriageIntelligence {
                    urn,
                    to,
                    operation: op,
                    rationale: Rationale::new("rationale", "bench").unwrap(),
                },
            )
            .unwrap();
        }
    }
    println!("linked 2,000 items in {:.1?}", start.elapsed());

    let page = Page {
        offset: 0,
        limit: 50,
    };
    let deep = Page {
        offset: 40_000,
        limit: 50,
    };
    for (who, actor) in [("supervisor", &sup), ("investigator", &inv)] {
        time(&format!("{who}: intelligence first page (50)"), 20, || {
            cf.intelligence_items(actor, page).unwrap()
        });
        time(
            &format!("{who}: intelligence page at offset 40,000"),
            10,
            || cf.intelligence_items(actor, deep).unwrap(),
        );
        time(&format!("{who}: intelligence count"), 10, || {
            cf.intelligence_count(actor).unwrap()
        });
        time(&format!("{who}: subjects first page (50)"), 20, || {
            cf.subjects(actor, page).unwrap()
        });
        time(&format!("{who}: operations, all visible"), 20, || {
            cf.operations(actor, Page::ALL).unwrap()
        });
        time(&format!("{who}: search 'searches' (top 50)"), 10, || {
            cf.search(actor, "searches", 50).unwrap()
        });
        time(
            &format!("{who}: search 'abuse authority' (top 50)"),
            10,
            || cf.search(actor, "abuse authority", 50).unwrap(),
        );
        time(&format!("{who}: open subject S00007 (audited)"), 10, || {
            cf.open_subject(actor, &StaffNumber::parse("S00007").unwrap())
                .unwrap()
        });
    }

    let start = Instant::now();
    let more: Vec<NewIntelligence> = (ITEMS..LIST_ITEMS).map(item).collect();
    cf.import_intelligence(&sup, "bench-more.csv", more)
        .unwrap();
    println!("grown to {LIST_ITEMS} items in {:.1?}", start.elapsed());

    let first = Page {
        offset: 0,
        limit: 50,
    };
    let deep = Page {
        offset: 90_000,
        limit: 50,
    };
    let summary_filter = ListQuery::default().filtered(IntelligenceColumn::Summary, "Alert 777");
    let category_filter = ListQuery::default().filtered(IntelligenceColumn::Category, "drug use");
    // Newest first (as a list opens), then by each column: category
    // descending, the others ascending.
    let mut sorts = vec![("newest first".to_owned(), ListQuery::default())];
    for &column in IntelligenceColumn::ALL {
        let descending = column == IntelligenceColumn::Category;
        sorts.push((
            format!(
                "by {}{}",
                column.label().to_lowercase(),
                if descending { " descending" } else { "" }
            ),
            ListQuery::sorted(column, descending),
        ));
    }
    for (who, actor) in [("supervisor", &sup), ("investigator", &inv)] {
        for (sorted, query) in &sorts {
            time(&format!("{who}: 100k, {sorted}: first page"), 10, || {
                cf.intelligence_page(actor, query, first).unwrap()
            });
            time(&format!("{who}: 100k, {sorted}: page at 90,000"), 5, || {
                cf.intelligence_page(actor, query, deep).unwrap()
            });
        }
        time(
            &format!("{who}: 100k, summary has 'Alert 777': first page"),
            10,
            || cf.intelligence_page(actor, &summary_filter, first).unwrap(),
        );
        time(
            &format!("{who}: 100k, category 'drug use': first page"),
            10,
            || {
                cf.intelligence_page(actor, &category_filter, first)
                    .unwrap()
            },
        );
        time(
            &format!("{who}: 100k, category 'drug use': page at 8,000"),
            5,
            || {
                cf.intelligence_page(
                    actor,
                    &category_filter,
                    Page {
                        offset: 8_000,
                        limit: 50,
                    },
                )
                .unwrap()
            },
        );
        time(&format!("{who}: 100k, total, summary filter"), 10, || {
            cf.intelligence_total(actor, &summary_filter).unwrap()
        });
        time(&format!("{who}: 100k, total, category filter"), 10, || {
            cf.intelligence_total(actor, &category_filter).unwrap()
        });
        time(&format!("{who}: 100k, dashboard"), 10, || {
            cf.dashboard(actor).unwrap()
        });
        println!(
            "{who} sees {} items; {} have 'Alert 777' in the summary, {} are about drugs",
            cf.intelligence_total(actor, &ListQuery::default()).unwrap(),
            cf.intelligence_total(actor, &summary_filter).unwrap(),
            cf.intelligence_total(actor, &category_filter).unwrap(),
        );
    }

    // An operation with 300 decisions (one in ten correcting an earlier
    // one), in a file with 15,000 more on other operations: opening it
    // lists every decision and each one's corrections.
    let start = Instant::now();
    for (n, op) in (0..15_300usize).map(|n| (n, if n < 300 { 0 } else { 1 + n % (OPERATIONS - 1) }))
    {
        let corrects = (n < 300 && n % 10 == 9).then_some((n / 2) as u32 + 1);
        cf.execute(
            &sup,
            Command::RecordDecision {
                codename: codename(op),
                decision: ccu::domain::operation::Decision::new(
                    &format!("Decision {n}"),
                    "The rationale for it",
                    "",
                    corrects,
                )
                .unwrap(),
            },
        )
        .unwrap();
    }
    println!("recorded 15,300 decisions in {:.1?}", start.elapsed());
    time(
        "supervisor: open an operation with 300 decisions (audited)",
        10,
        || cf.open_operation(&sup, &codename(0)).unwrap(),
    );

    // Updating a subject re-indexes it for search (a delete and an insert
    // in the search index). Through the write path; then the index's
    // delete alone, by rowid as the triggers now do it and by kind and
    // item id as they did before schema 11, in a transaction rolled back.
    let mut turn = 0;
    time(
        "supervisor: 100k, update subject S00007 (audited)",
        10,
        || {
            turn += 1;
            let details = SubjectDetails::new(
                StaffNumber::parse("S00007").unwrap(),
                &format!("Subject number 7, renamed {turn}"),
                "PC",
                EmploymentType::Officer,
                "CID",
                "Patrol",
                false,
                VettingLevel::Recruitment,
                None,
                SubjectStatus::Serving,
            )
            .unwrap();
            cf.execute(&sup, Command::UpdateSubject(details)).unwrap()
        },
    );
    let raw = rusqlite::Connection::open(&path).unwrap();
    if encrypted {
        let sql = CaseFile::locate(&path)
            .unwrap()
            .sqlcipher_unlock(Credentials {
                username: "admin",
                password: PASSWORD,
            })
            .unwrap();
        raw.execute_batch(&sql).unwrap();
    }
    let subject_id: i64 = raw
        .query_row(
            "SELECT id FROM subject WHERE staff_number = 'S00007'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Each decision's corrections, for the 300 of the operation: through
    // the index (schema 11), and as before it, reading every decision.
    for (label, index) in [
        ("corrections of 300 decisions, by index (schema 11)", ""),
        (
            "corrections of 300 decisions, no index (before)",
            "NOT INDEXED",
        ),
    ] {
        let sql = format!(
            "SELECT d.id, (SELECT group_concat(n.number, ',') FROM decision_log_entry n {index}
                           WHERE n.corrects = d.id)
             FROM decision_log_entry d
             WHERE d.operation_id = (SELECT id FROM operation WHERE codename = ?1)"
        );
        time(&format!("100k: {label}"), 5, || {
            raw.prepare(&sql)
                .unwrap()
                .query_map([codename(0).to_string()], |r| r.get::<_, i64>(0))
                .unwrap()
                .count()
        });
    }
    for (label, sql) in [
        (
            "search index delete by rowid (schema 11)",
            "DELETE FROM search_index WHERE rowid = ?1 * 4 + 2",
        ),
        (
            "search index delete by kind and item id (before)",
            "DELETE FROM search_index WHERE kind = 'subject' AND item_id = ?1",
        ),
    ] {
        time(&format!("100k: {label}"), 10, || {
            raw.execute_batch("BEGIN").unwrap();
            let n = raw.execute(sql, [subject_id]).unwrap();
            raw.execute_batch("ROLLBACK").unwrap();
            n
        });
    }
    drop(raw);

    // The terminal application on the same file: a key press is update,
    // the runtime's loads and a full draw, as in the real loop.
    screen(cf);
}

fn clock() -> ccu::store::Clock {
    Box::new(now)
}

fn screen(cf: CaseFile) {
    use ccu::app::runtime::Runtime;
    use ccu::app::{App, Msg};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = App::new(
        now(),
        (120, 40),
        ccu::keymap::Keymap::builtin(),
        "bench".into(),
        None,
    );
    let mut runtime = Runtime::new(Some(cf), clock);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let mut press = |app: &mut App, runtime: &mut Runtime, code: KeyCode| {
        let effects = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        runtime.run(app, effects);
        terminal
            .draw(|f| ccu::ui::render(app, &ccu::ui::theme::Theme::from_env(), f))
            .unwrap();
    };
    for c in "sup".chars() {
        press(&mut app, &mut runtime, KeyCode::Char(c));
    }
    press(&mut app, &mut runtime, KeyCode::Tab);
    for c in PASSWORD.chars() {
        press(&mut app, &mut runtime, KeyCode::Char(c));
    }
    press(&mut app, &mut runtime, KeyCode::Enter);
    assert!(app.session.is_some(), "logged in");
    time("screen: dashboard (figures, diary, draw)", 10, || {
        press(&mut app, &mut runtime, KeyCode::Char('1'))
    });
    time(
        "screen: intelligence (count, first window of 100k, draw)",
        10,
        || press(&mut app, &mut runtime, KeyCode::Char('2')),
    );
    time(
        "screen: one PgDn (update, load when needed, draw)",
        400,
        || press(&mut app, &mut runtime, KeyCode::PageDown),
    );
    time("screen: End, to the last of 100k", 10, || {
        press(&mut app, &mut runtime, KeyCode::Home);
        press(&mut app, &mut runtime, KeyCode::End);
    });
    time("screen: one Up at the end (no load)", 200, || {
        press(&mut app, &mut runtime, KeyCode::Up)
    });
    let list = app.list(ccu::app::Area::Intelligence);
    println!(
        "screen: {} rows in the list, {} held in memory",
        list.total,
        list.rows.len()
    );
}
