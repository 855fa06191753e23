//! Need-to-know at import (issue 13): the duplicate check by source
//! reference looks only at the items the importer may see. A row whose
//! reference only a hidden item carries is imported as a new item, and
//! nothing tells the importer the hidden one exists; the supervisors' queue
//! names the reference the two share.

mod common;

use std::path::{Path, PathBuf};

use ccu::app::runtime::Runtime;
use ccu::app::{App, Area, Msg};
use ccu::domain::intelligence::{Category, TriageStatus};
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::keymap::Keymap;
use ccu::store::{CaseFile, CheckReport, Command, Error, SharedReference};
use chrono::{TimeZone, Utc};
use common::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn urn(text: &str) -> Urn {
    Urn::parse(UrnKind::Intelligence, text).unwrap()
}

/// A unit, closed, with investigators `lead` (on KESTREL) and `outsider`
/// (on no team) and the supervisor `sup`. `lead` imported ICT-77, now
/// INT-2026-00001, and linked it to KESTREL, so `outsider` may not see it.
fn hidden_import() -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = Unit::new(&[
        ("lead", "investigator"),
        ("outsider", "investigator"),
        ("sup", "supervisor"),
    ])
    .close();
    let first = dir.path().join("first.csv");
    std::fs::write(&first, rows(&[("ICT-77", "Search on a neighbour")])).unwrap();
    let out = import_intel(&path, &first, "lead", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let (mut cf, lead) = open(&path, "lead", USER_PASSWORD);
    let operation = NewOperation::new(
        Codename::parse("KESTREL").unwrap(),
        "Custody suite inquiry",
        Category::AbuseOfAuthority,
        Priority::P2,
        username("lead"),
        username("sup"),
        Vec::new(),
        Vec::new(),
    )
    .unwrap();
    cf.execute(&lead, Command::OpenOperation(operation))
        .unwrap();
    for (to, op) in [
        (TriageStatus::Assessed, None),
        (TriageStatus::LinkedToOperation, Some("KESTREL")),
    ] {
        cf.execute(
            &lead,
            Command::TriageIntelligence {
                urn: urn("INT-2026-00001"),
                to,
                operation: op.map(|c| Codename::parse(c).unwrap()),
                rationale: why("Daily meeting"),
            },
        )
        .unwrap();
    }
    drop(cf);
    (dir, path)
}

fn rows(items: &[(&str, &str)]) -> String {
    let mut text = IMPORT_HEADER.to_owned();
    for (reference, summary) in items {
        text.push_str(&format!(
            "{reference},23/11/2026 08:15,ict-monitoring,2BP,,misusing-systems,no,,{summary},\n"
        ));
    }
    text
}

/// The hidden item's row as stored, to show it is left as it was.
fn first_item(path: &Path) -> String {
    raw_conn(path)
        .query_row(
            "SELECT json_array(id, urn, source_reference, summary, triage, operation_id, recorded_by, recorded_at)
             FROM intelligence WHERE urn = 'INT-2026-00001'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

fn shared(cf: &mut CaseFile, who: &ccu::store::Actor) -> Vec<(String, Vec<String>)> {
    cf.shared_source_references(who, ccu::store::SHARED_REFERENCES_SHOWN)
        .unwrap()
        .into_iter()
        .map(|s: SharedReference| {
            let urns = s.urns.iter().map(ToString::to_string).collect();
            (s.source_reference, urns)
        })
        .collect()
}

#[test]
fn a_row_matching_only_a_hidden_item_is_imported_as_new_and_the_supervisor_is_told() {
    let (dir, path) = hidden_import();
    let hidden_before = first_item(&path);
    let csv = dir.path().join("alerts.csv");
    std::fs::write(&csv, rows(&[("ICT-77", "Search on a neighbour again")])).unwrap();

    // The outsider is told it was imported, as for any new row: nothing
    // says an item with that reference exists.
    let out = import_intel(&path, &csv, "outsider", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Imported 1 item from") && text.contains("INT-2026-00002"),
        "{text}"
    );
    assert!(!text.contains("imported before"), "{text}");
    assert!(!text.contains("INT-2026-00001"), "{text}");
    assert_eq!(count(&path, "SELECT count(*) FROM intelligence"), 2);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM intelligence WHERE source_reference = 'ICT-77'"
        ),
        2
    );

    // The new item is theirs; the hidden one is as it was, and still hidden.
    let (mut cf, outsider) = open(&path, "outsider", USER_PASSWORD);
    let record = cf
        .open_intelligence(&outsider, &urn("INT-2026-00002"))
        .unwrap();
    assert_eq!(record.source_reference.as_deref(), Some("ICT-77"));
    assert_eq!(record.recorded_by, "outsider");
    assert_eq!(record.row.triage, TriageStatus::New);
    assert_eq!(record.row.operation, None);
    assert!(matches!(
        cf.open_intelligence(&outsider, &urn("INT-2026-00001")),
        Err(Error::NoSuch { .. })
    ));
    assert_eq!(first_item(&path), hidden_before);
    // What they may see shares no reference with anything they may see.
    assert_eq!(shared(&mut cf, &outsider), []);
    drop(cf);

    // The supervisor sees every item, so the reference the two share.
    let (mut cf, sup) = open(&path, "sup", USER_PASSWORD);
    assert_eq!(
        shared(&mut cf, &sup),
        [(
            "ICT-77".to_owned(),
            vec!["INT-2026-00001".to_owned(), "INT-2026-00002".to_owned()]
        )]
    );
    drop(cf);

    // The same file again, by the outsider, who now sees their own item:
    // nothing new.
    let out = import_intel(&path, &csv, "outsider", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Imported nothing from"), "{text}");
    assert!(
        text.contains("1 row was imported before and was left as it is."),
        "{text}"
    );
    assert_eq!(count(&path, "SELECT count(*) FROM intelligence"), 2);

    // Everything still answers to the trail.
    let report = check_open(&path).check().unwrap();
    assert!(matches!(report, CheckReport::Verified { .. }), "{report:?}");
}

#[test]
fn a_visible_duplicate_is_reported_as_before_and_nothing_is_imported() {
    let (dir, path) = hidden_import();
    let csv = dir.path().join("again.csv");
    std::fs::write(&csv, rows(&[("ICT-77", "Search on a neighbour")])).unwrap();
    let events = audit_rows(&path).len();
    let hidden_before = first_item(&path);

    // The lead, on KESTREL, sees the item: it was imported before.
    let out = import_intel(&path, &csv, "lead", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Imported nothing from"), "{text}");
    assert!(
        text.contains("1 row was imported before and was left as it is."),
        "{text}"
    );
    assert_eq!(count(&path, "SELECT count(*) FROM intelligence"), 1);
    assert_eq!(first_item(&path), hidden_before);
    let new_events: Vec<String> = audit_rows(&path)
        .into_iter()
        .skip(events)
        .map(|e| e.2)
        .collect();
    assert!(
        !new_events.iter().any(|a| a == "intelligence.record"),
        "{new_events:?}"
    );

    // So does a supervisor, who sees every operation.
    let out = import_intel(&path, &csv, "sup", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 row was imported before and was left as it is."),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&path, "SELECT count(*) FROM intelligence"), 1);
    let (mut cf, sup) = open(&path, "sup", USER_PASSWORD);
    assert_eq!(shared(&mut cf, &sup), []);
}

#[test]
fn after_the_outsiders_import_a_re_import_by_someone_who_sees_both_adds_nothing() {
    let (dir, path) = hidden_import();
    let csv = dir.path().join("alerts.csv");
    std::fs::write(
        &csv,
        rows(&[("ICT-77", "Again"), ("ICT-78", "Something new")]),
    )
    .unwrap();
    let out = import_intel(&path, &csv, "outsider", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Imported 2 items from"),
        "{}",
        stdout(&out)
    );
    for user in ["lead", "sup", "outsider"] {
        let out = import_intel(&path, &csv, user, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("Imported nothing from"), "{user}: {text}");
        assert!(
            text.contains("2 rows were imported before and were left as they are."),
            "{user}: {text}"
        );
    }
    assert_eq!(count(&path, "SELECT count(*) FROM intelligence"), 3);
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn enter() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

#[test]
fn the_supervisors_queue_names_the_shared_reference_and_opens_the_items() {
    let (dir, path) = hidden_import();
    let csv = dir.path().join("alerts.csv");
    std::fs::write(&csv, rows(&[("ICT-77", "Again")])).unwrap();
    let out = import_intel(&path, &csv, "outsider", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let queue_as = |user: &str| {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        let mut app = App::new(now, (120, 30), Keymap::builtin(), "case.ccu".into(), None);
        let mut runtime = Runtime::locked(CaseFile::locate(&path).unwrap(), fixed_clock);
        let mut send = |app: &mut App, msg: Msg| {
            let effects = app.update(msg);
            runtime.run(app, effects);
        };
        for c in user.chars() {
            send(&mut app, key(c));
        }
        send(&mut app, enter());
        for c in USER_PASSWORD.chars() {
            send(&mut app, key(c));
        }
        send(&mut app, enter());
        send(&mut app, key('8'));
        assert_eq!(app.area, Area::Queue, "{user}");
        let rows = app.list(Area::Queue).rows.clone();
        send(&mut app, enter());
        (rows, app.detail.as_ref().map(|d| d.key.clone()))
    };

    let (rows, opened) = queue_as("sup");
    let row = rows
        .iter()
        .find(|r| r.cells[0].contains("ICT-77"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(
        row.cells[0],
        "two items share source reference ICT-77: INT-2026-00001, INT-2026-00002"
    );
    assert_eq!(row.key, "INT-2026-00001");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(opened.as_deref(), Some("INT-2026-00001"));

    // An investigator's queue has no such row, not even the lead's, who
    // may see both items.
    for user in ["outsider", "lead"] {
        let (rows, _) = queue_as(user);
        assert!(
            !rows.iter().any(|r| r.cells[0].contains("ICT-77")),
            "{user}: {rows:?}"
        );
    }
}

/// A case file from before 0009 with intelligence, its triage history,
/// a link to a subject and its search index: the rebuild keeps every id and
/// link, the search index and the trail answerable.
#[test]
fn the_upgrade_keeps_every_item_its_links_and_its_search_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = schema_6_file(dir.path());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO subject VALUES (3, 'K100', 'Kerry Example', 'PC', 'officer', 'Custody', 'Gaoler', 0, 'mv', NULL, 'serving', '2026-01-02T00:00:00.000000Z', 2);
             INSERT INTO intelligence VALUES (41, 'INT-2026-00041', '2026-01-02T00:00:00.000000Z', 'ict-monitoring', 0, 'ICT-5',
                 '2BP', '', 'misusing-systems', 0, 'Old search on quokka', 'Full text', 'linked', 1, '2026-01-02T00:00:00.000000Z', 2);
             INSERT INTO intelligence VALUES (42, 'INT-2026-00042', '2026-01-02T00:00:00.000000Z', 'ict-monitoring', 0, NULL,
                 '2BP', '', 'misusing-systems', 0, 'Another', '', 'new', NULL, '2026-01-02T00:00:00.000000Z', 2);
             INSERT INTO intelligence_subject VALUES (41, 3);
             INSERT INTO triage_decision VALUES (9, 41, 'new', 'linked', 1, 'Linked', '2026-01-02T00:00:00.000000Z', 2);",
        )
        .unwrap();
    }
    let out = ccu(
        &["encrypt", "--file", path.to_str().unwrap(), "--as", ADMIN],
        &[("CCU_PASSWORD", ADMIN_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = check_open(&path).check().unwrap();
    assert!(matches!(report, CheckReport::Verified { .. }), "{report:?}");
    let conn = raw_conn(&path);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, ccu::store::LATEST_VERSION as i64);
    let ids: String = conn
        .query_row(
            "SELECT json_group_array(json_array(id, urn, source_reference)) FROM (SELECT * FROM intelligence ORDER BY id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        ids,
        r#"[[41,"INT-2026-00041","ICT-5"],[42,"INT-2026-00042",null]]"#
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM pragma_foreign_key_check"),
        0
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM search_index WHERE search_index MATCH 'quokka' AND kind = 'intelligence' AND item_id = 41"
        ),
        1
    );
    // The guard and the search trigger are back on the new table (with
    // the guard on the source person, which a later migration adds).
    let triggers: String = conn
        .query_row(
            "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'intelligence' ORDER BY name)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        triggers,
        "intelligence_indexed intelligence_no_delete intelligence_source_person_fixed"
    );
    assert!(
        conn.execute("DELETE FROM intelligence WHERE id = 42", [])
            .unwrap_err()
            .to_string()
            .contains("intelligence is never deleted")
    );
}
