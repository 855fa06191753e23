//! The audit viewer and the authorising officer's queue on real case files:
//! filters alone and together (the operation filter against an export
//! bundle's), who may read the trail, which reads are audited, paging, step
//! verification against `ccu check` on clean and tampered files, and the
//! queue of decisions and reviews.

mod common;

use std::path::{Path, PathBuf};

use ccu::domain::account::{Rank, Username};
use ccu::domain::authorisation::AuthorisationType;
use ccu::domain::covert::{AuthorisationApplication, Review};
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use ccu::domain::operation::{Codename, Decision, NewOperation, Priority};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{
    Actor, AuditQuery, AuditRow, Awaiting, AwaitingAuthorisation, CaseFile, ChainCursor,
    ChainProgress, CheckReport, Command, Error, ExportRequest, Page, Viewed,
};
use chrono::{DateTime, NaiveDate, Utc};
use common::*;

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn code(name: &str) -> Codename {
    Codename::parse(name).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn open_operation(cf: &mut CaseFile, by: &Actor, codename: &str) {
    cf.execute(
        by,
        Command::OpenOperation(
            NewOperation::new(
                code(codename),
                "Officer passing custody information to a local family",
                Category::Disclosure,
                Priority::P2,
                user(by.username().as_str()),
                user("sup"),
                vec![],
                vec![],
            )
            .unwrap(),
        ),
    )
    .unwrap();
}

fn decide(cf: &mut CaseFile, by: &Actor, codename: &str) {
    cf.execute(
        by,
        Command::RecordDecision {
            codename: code(codename),
            decision: Decision::new("Request call data", "Needed to test the account", "", None)
                .unwrap(),
        },
    )
    .unwrap();
}

/// Records an item and links it to `codename`; returns its URN.
fn linked_intelligence(cf: &mut CaseFile, by: &Actor, codename: &str) -> String {
    let urn = cf
        .execute(
            by,
            Command::RecordIntelligence(
                NewIntelligence::new(
                    time("2026-11-20T08:00:00Z"),
                    SourceType::PartnerAgency,
                    false,
                    None,
                    Grading::parse("2BP", "").unwrap(),
                    Category::Disclosure,
                    false,
                    vec![],
                    "Custody details seen in a family's messages",
                    "",
                )
                .unwrap(),
            ),
        )
        .unwrap()
        .reference;
    for (to, operation) in [
        (TriageStatus::Assessed, None),
        (TriageStatus::LinkedToOperation, Some(code(codename))),
    ] {
        cf.execute(
            by,
            Command::TriageIntelligence {
                urn: Urn::parse(UrnKind::Intelligence, &urn).unwrap(),
                to,
                operation,
                rationale: why("Daily intelligence meeting"),
            },
        )
        .unwrap();
    }
    urn
}

/// Every event as the test reads it straight from the file.
#[derive(Debug, Clone)]
struct Stored {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity_ref: String,
}

fn stored(path: &Path) -> Vec<Stored> {
    let conn = raw_conn(path);
    let mut stmt = conn
        .prepare("SELECT seq, at, actor, action, entity_ref FROM audit_event ORDER BY seq DESC")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(Stored {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            entity_ref: r.get(4)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn seqs(rows: &[AuditRow]) -> Vec<i64> {
    rows.iter().map(|r| r.seq).collect()
}

fn events(path: &Path) -> i64 {
    count(path, "SELECT count(*) FROM audit_event")
}

/// A trail over four UK days: two operations, each with linked
/// intelligence and decisions, records opened, a failed login, and
/// events either side of midnight.
struct Trail {
    u: Unit,
    aud: Actor,
    sup: Actor,
    inv: Actor,
    kestrel_intel: String,
}

fn trail() -> Trail {
    let mut u = Unit::ranked(&[
        ("aud", "auditor", Rank::PoliceStaff),
        ("sup", "supervisor", Rank::Inspector),
        ("inv", "investigator", Rank::Constable),
        ("inv2", "investigator", Rank::Sergeant),
    ]);
    let [aud, sup, inv, inv2] =
        ["aud", "sup", "inv", "inv2"].map(|n| login(&mut u.cf, n, USER_PASSWORD));
    open_operation(&mut u.cf, &inv, "KESTREL");
    let kestrel_intel = linked_intelligence(&mut u.cf, &inv, "KESTREL");
    decide(&mut u.cf, &inv, "KESTREL");

    u.clock.set("2026-11-24T10:00:00Z");
    open_operation(&mut u.cf, &inv2, "HAWK");
    linked_intelligence(&mut u.cf, &inv2, "HAWK");
    decide(&mut u.cf, &inv2, "HAWK");
    u.cf.execute(&inv, Command::View(Viewed::Operation(code("KESTREL"))))
        .unwrap();

    u.clock.set("2026-11-25T23:59:59.999999Z");
    decide(&mut u.cf, &sup, "KESTREL");
    u.cf.execute(&sup, Command::View(Viewed::Operation(code("HAWK"))))
        .unwrap();
    u.clock.set("2026-11-26T00:00:00Z");
    assert!(
        u.cf.login(ccu::store::Credentials {
            username: "inv",
            password: "not the password"
        })
        .is_err()
    );
    decide(&mut u.cf, &sup, "HAWK");
    u.clock.set("2026-11-26T14:00:00Z");
    decide(&mut u.cf, &inv, "KESTREL");
    Trail {
        u,
        aud,
        sup,
        inv,
        kestrel_intel,
    }
}

fn everything(cf: &mut CaseFile, actor: &Actor, query: &AuditQuery) -> Vec<AuditRow> {
    cf.audit_page(actor, query, Page::ALL).unwrap()
}

/// What the viewer shows for `query` must be exactly the stored events
/// `keep` picks, newest first, and the total must agree.
fn shows(t: &mut Trail, query: &AuditQuery, keep: impl Fn(&Stored) -> bool) -> Vec<AuditRow> {
    let expected: Vec<i64> = stored(&t.u.path)
        .into_iter()
        .filter(|e| keep(e))
        .map(|e| e.seq)
        .collect();
    let rows = everything(&mut t.u.cf, &t.aud, query);
    assert_eq!(seqs(&rows), expected, "{query:?}");
    assert_eq!(
        t.u.cf.audit_total(&t.aud, query).unwrap(),
        expected.len() as u64
    );
    assert!(!expected.is_empty(), "{query:?} should select something");
    rows
}

#[test]
fn each_filter_alone_selects_what_it_says() {
    let mut t = trail();
    let all = shows(&mut t, &AuditQuery::default(), |_| true);
    assert_eq!(all.len() as i64, events(&t.u.path));
    assert_eq!(all[0].seq, events(&t.u.path), "newest first");

    let by_user = AuditQuery {
        user: Some("inv".into()),
        ..Default::default()
    };
    let rows = shows(&mut t, &by_user, |e| e.actor == "inv");
    assert!(
        rows.iter()
            .any(|r| r.action == "login" && r.outcome == "denied")
    );

    let exact = AuditQuery {
        action: Some("decision.record".into()),
        ..Default::default()
    };
    let rows = shows(&mut t, &exact, |e| e.action == "decision.record");
    assert_eq!(rows.len(), 5);

    // A prefix ending in '.' takes every action under it, and nothing
    // that merely starts with the same letters.
    let prefix = AuditQuery {
        action: Some("operation.".into()),
        ..Default::default()
    };
    shows(&mut t, &prefix, |e| e.action.starts_with("operation."));
    let without_dot = AuditQuery {
        action: Some("operation".into()),
        ..Default::default()
    };
    assert_eq!(
        t.u.cf.audit_total(&t.aud, &without_dot).unwrap(),
        0,
        "without the dot it is an exact action"
    );
    let intel = AuditQuery {
        action: Some("intelligence.".into()),
        ..Default::default()
    };
    shows(&mut t, &intel, |e| e.action.starts_with("intelligence."));

    // UK days, inclusive; in November the UK day is the UTC day, and an
    // event a microsecond before midnight belongs to the day before.
    let from = AuditQuery {
        from: Some(day(26)),
        ..Default::default()
    };
    shows(&mut t, &from, |e| e.at.as_str() >= "2026-11-26");
    let to = AuditQuery {
        to: Some(day(25)),
        ..Default::default()
    };
    let rows = shows(&mut t, &to, |e| e.at.as_str() < "2026-11-26");
    assert_eq!(rows[0].at, "2026-11-25T23:59:59.999999Z");
    let one_day = AuditQuery {
        from: Some(day(24)),
        to: Some(day(24)),
        ..Default::default()
    };
    shows(&mut t, &one_day, |e| e.at.starts_with("2026-11-24"));

    let kestrel = AuditQuery {
        operation: Some(code("KESTREL")),
        ..Default::default()
    };
    let urn = t.kestrel_intel.clone();
    let rows = shows(&mut t, &kestrel, |e| {
        e.entity_ref == "KESTREL" || e.entity_ref == urn
    });
    assert!(rows.iter().any(|r| r.action == "intelligence.triage"));
    assert!(rows.iter().all(|r| r.entity_ref != "HAWK"));
}

/// The refusals alone, and the trail from an event back: what an auditor
/// asks for by outcome and by event number.
#[test]
fn filters_by_outcome_and_by_event_number() {
    let mut t = trail();
    let denied = AuditQuery {
        outcome: Some("denied".into()),
        ..Default::default()
    };
    let rows = everything(&mut t.u.cf, &t.aud, &denied);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.outcome == "denied"), "{rows:?}");
    let all = everything(&mut t.u.cf, &t.aud, &AuditQuery::default());
    let refusals = all.iter().filter(|r| r.outcome == "denied").count();
    assert_eq!(rows.len(), refusals);
    assert_eq!(
        t.u.cf.audit_total(&t.aud, &denied).unwrap(),
        refusals as u64
    );
    let through = AuditQuery {
        through: Some(12),
        ..Default::default()
    };
    let rows = shows(&mut t, &through, |e| e.seq <= 12);
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[0].seq, 12, "newest first, from the event asked for");
}

#[test]
fn filters_combine() {
    let mut t = trail();
    let query = AuditQuery {
        operation: Some(code("KESTREL")),
        user: Some("inv".into()),
        action: Some("decision.".into()),
        from: Some(day(24)),
        to: Some(day(26)),
        ..Default::default()
    };
    let rows = shows(&mut t, &query, |e| {
        e.entity_ref == "KESTREL"
            && e.actor == "inv"
            && e.action.starts_with("decision.")
            && e.at.as_str() >= "2026-11-24"
    });
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].at, "2026-11-26T14:00:00.000000Z");

    let query = AuditQuery {
        user: Some("sup".into()),
        action: Some("view".into()),
        to: Some(day(25)),
        ..Default::default()
    };
    let rows = shows(&mut t, &query, |e| {
        e.actor == "sup" && e.action == "view" && e.at.as_str() < "2026-11-26"
    });
    assert_eq!(rows[0].entity_ref, "HAWK");
    assert_eq!(rows[0].entity_type, "operation");
    assert_eq!(rows[0].details, r#"{"what":"record opened"}"#);
    assert_eq!(rows[0].actor_roles, "supervisor");

    // Filters that cannot be met, and ones that make no sense.
    let nobody = AuditQuery {
        user: Some("inv2".into()),
        operation: Some(code("KESTREL")),
        ..Default::default()
    };
    assert_eq!(t.u.cf.audit_total(&t.aud, &nobody).unwrap(), 0);
    assert_eq!(everything(&mut t.u.cf, &t.aud, &nobody), []);
    let backwards = AuditQuery {
        from: Some(day(26)),
        to: Some(day(25)),
        ..Default::default()
    };
    let err = t.u.cf.audit_total(&t.aud, &backwards).unwrap_err();
    assert_eq!(err.to_string(), "to: is before the from date");
    let unknown = AuditQuery {
        operation: Some(code("OSPREY")),
        ..Default::default()
    };
    let err = t.u.cf.audit_page(&t.aud, &unknown, Page::ALL).unwrap_err();
    assert!(matches!(err, Error::NoSuch { .. }), "{err:?}");
}

#[test]
fn the_operation_filter_selects_what_an_export_for_the_operation_holds() {
    let mut t = trail();
    for (codename, user) in [("KESTREL", None), ("HAWK", None), ("KESTREL", Some("sup"))] {
        let out = t.u.dir.path().join(format!("export-{codename}-{user:?}"));
        t.u.cf
            .execute(
                &t.sup,
                Command::ExportAudit(ExportRequest {
                    out: out.clone(),
                    from: Some(day(24)),
                    to: None,
                    operation: Some(code(codename)),
                    user: user.map(self::user),
                }),
            )
            .unwrap();
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        let tree_size = manifest["tree_size"].as_i64().unwrap();
        let mut exported: Vec<i64> = std::fs::read_to_string(out.join("entries.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        exported.reverse();
        let shown: Vec<i64> = seqs(&everything(
            &mut t.u.cf,
            &t.aud,
            &AuditQuery {
                operation: Some(code(codename)),
                user: user.map(str::to_owned),
                from: Some(day(24)),
                ..Default::default()
            },
        ))
        .into_iter()
        .filter(|&s| s <= tree_size)
        .collect();
        assert!(!shown.is_empty());
        assert_eq!(shown, exported, "{codename} {user:?}");
    }
}

#[test]
fn an_investigator_or_administrator_is_refused_and_each_refusal_is_audited() {
    let mut t = trail();
    let inv = t.inv.clone();
    let admin = t.u.admin.clone();
    for actor in [&inv, &admin] {
        let before = events(&t.u.path);
        let err = t.u.cf.open_audit_trail(actor).unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{err:?}");
        assert!(
            err.to_string().contains("may not read the audit trail"),
            "{err}"
        );
        let err =
            t.u.cf
                .audit_page(actor, &AuditQuery::default(), Page::ALL)
                .unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{err:?}");
        let err =
            t.u.cf
                .audit_total(actor, &AuditQuery::default())
                .unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{err:?}");
        let err =
            t.u.cf
                .audit_page_before(actor, &AuditQuery::default(), None, 10)
                .unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{err:?}");
        let rows = audit_rows(&t.u.path);
        assert_eq!(
            rows.len() as i64,
            before + 4,
            "one denied event per attempt"
        );
        for (_, who, action, entity_ref, outcome, details) in &rows[rows.len() - 4..] {
            assert_eq!(
                (
                    who.as_str(),
                    action.as_str(),
                    entity_ref.as_str(),
                    outcome.as_str()
                ),
                (actor.username().as_str(), "view", "*", "denied")
            );
            assert!(
                details.contains(r#""requires":"read the audit trail""#),
                "{details}"
            );
        }
    }
    let last = stored(&t.u.path).remove(0);
    assert_eq!(last.action, "view");
    let entity_type: String = raw_conn(&t.u.path)
        .query_row(
            "SELECT entity_type FROM audit_event ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(entity_type, "audit");
}

#[test]
fn opening_the_trail_is_one_view_event_and_reading_it_writes_nothing() {
    let mut t = trail();
    let (aud, sup) = (t.aud.clone(), t.sup.clone());
    let before = events(&t.u.path);
    let total = t.u.cf.open_audit_trail(&aud).unwrap();
    assert_eq!(
        total as i64,
        before + 1,
        "the total includes the view itself"
    );
    assert_eq!(events(&t.u.path), before + 1);
    let last =
        t.u.cf
            .audit_page(
                &aud,
                &AuditQuery::default(),
                Page {
                    offset: 0,
                    limit: 1,
                },
            )
            .unwrap()
            .remove(0);
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.entity_type.as_str(),
            last.entity_ref.as_str(),
            last.outcome.as_str(),
            last.details.as_str()
        ),
        (
            "aud",
            "view",
            "audit",
            "*",
            "ok",
            r#"{"what":"audit trail"}"#
        )
    );
    assert_eq!(last.actor_roles, "auditor");
    // A supervisor may open it too.
    assert_eq!(t.u.cf.open_audit_trail(&sup).unwrap() as i64, before + 2);

    let after_opening = events(&t.u.path);
    let query = AuditQuery {
        user: Some("inv".into()),
        ..Default::default()
    };
    for _ in 0..3 {
        t.u.cf
            .audit_page(
                &aud,
                &query,
                Page {
                    offset: 2,
                    limit: 5,
                },
            )
            .unwrap();
        t.u.cf.audit_page_before(&sup, &query, Some(20), 5).unwrap();
        t.u.cf.audit_total(&aud, &AuditQuery::default()).unwrap();
        t.u.cf.audit_total(&sup, &query).unwrap();
        let mut p = t.u.cf.verify_chain_step(ChainCursor::default(), 4).unwrap();
        while !p.done {
            p = t.u.cf.verify_chain_step(p.cursor, 4).unwrap();
        }
    }
    assert_eq!(events(&t.u.path), after_opening, "reads write no events");
    assert_eq!(
        t.u.cf.audit_total(&aud, &AuditQuery::default()).unwrap() as i64,
        after_opening
    );
}

/// Every page of `size` by offset, and by keyset, concatenated.
fn paged(t: &mut Trail, query: &AuditQuery, size: u64) -> (Vec<i64>, Vec<i64>) {
    let mut by_offset = Vec::new();
    loop {
        let page =
            t.u.cf
                .audit_page(
                    &t.aud,
                    query,
                    Page {
                        offset: by_offset.len() as u64,
                        limit: size,
                    },
                )
                .unwrap();
        assert!(page.len() as u64 <= size);
        if page.is_empty() {
            break;
        }
        by_offset.extend(seqs(&page));
    }
    let mut by_keyset = Vec::new();
    let mut before = None;
    loop {
        let page =
            t.u.cf
                .audit_page_before(&t.aud, query, before, size)
                .unwrap();
        assert!(page.len() as u64 <= size);
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        by_keyset.extend(seqs(&page));
    }
    (by_offset, by_keyset)
}

#[test]
fn paging_is_newest_first_and_never_repeats_or_skips() {
    let mut t = trail();
    let all: Vec<i64> = stored(&t.u.path).iter().map(|e| e.seq).collect();
    assert!(all.len() > 25);
    for size in [1, 2, 7, 1000] {
        let (by_offset, by_keyset) = paged(&mut t, &AuditQuery::default(), size);
        assert_eq!(by_offset, all, "size {size}");
        assert_eq!(by_keyset, all, "size {size}");
    }
    let query = AuditQuery {
        user: Some("inv".into()),
        action: Some("intelligence.".into()),
        ..Default::default()
    };
    let expected: Vec<i64> = stored(&t.u.path)
        .iter()
        .filter(|e| e.actor == "inv" && e.action.starts_with("intelligence."))
        .map(|e| e.seq)
        .collect();
    for size in [1, 2, 3] {
        let (by_offset, by_keyset) = paged(&mut t, &query, size);
        assert_eq!(by_offset, expected, "size {size}");
        assert_eq!(by_keyset, expected, "size {size}");
    }
    // A page past the end is empty, and so is a page before seq 1.
    let far = Page {
        offset: 10_000,
        limit: 10,
    };
    assert_eq!(
        t.u.cf
            .audit_page(&t.aud, &AuditQuery::default(), far)
            .unwrap(),
        []
    );
    assert_eq!(
        t.u.cf
            .audit_page_before(&t.aud, &AuditQuery::default(), Some(1), 10)
            .unwrap(),
        []
    );
    // An event added while paging appears at the top, and the keyset pages
    // already read still continue where they left off.
    let first =
        t.u.cf
            .audit_page_before(&t.aud, &AuditQuery::default(), None, 5)
            .unwrap();
    login(&mut t.u.cf, "inv", USER_PASSWORD);
    let next =
        t.u.cf
            .audit_page_before(&t.aud, &AuditQuery::default(), Some(first[4].seq), 5)
            .unwrap();
    assert_eq!(next[0].seq, first[4].seq - 1);
}

/// Verifies the whole chain `step` events at a time, with a fresh handle.
fn verify_in_steps(path: &Path, step: u32) -> ChainProgress {
    let cf = check_open(path);
    let mut progress = cf.verify_chain_step(ChainCursor::default(), step).unwrap();
    let mut steps = 1;
    while !progress.done {
        assert!(progress.verified_through <= progress.total);
        progress = cf.verify_chain_step(progress.cursor, step).unwrap();
        steps += 1;
        assert!(steps < 100_000, "the steps must finish");
    }
    progress
}

/// Step verification, at several step sizes, must come to `ccu check`'s
/// verdict on the same file: the same first bad seq and problem.
fn steps_agree_with_check(path: &Path) -> CheckReport {
    let report = check_open(path).check().unwrap();
    for step in [1, 2, 3, 5, 1_000_000] {
        let p = verify_in_steps(path, step);
        assert!(p.done);
        match &report {
            // Steps verify the chain alone; rows are `ccu check`'s.
            CheckReport::Verified { events } | CheckReport::Altered { events, .. } => {
                assert_eq!(p.broken, None, "step {step}");
                assert_eq!(p.verified_through, *events, "step {step}");
                assert_eq!(p.total, *events, "step {step}");
            }
            CheckReport::Broken { verified, at } => {
                assert_eq!(p.broken, Some((at.seq, at.to_string())), "step {step}");
                assert_eq!(p.verified_through, *verified, "step {step}");
            }
            CheckReport::CheckpointBroken {
                events,
                checkpoint_at,
                problem,
                ..
            } => {
                let (_, text) = p.broken.clone().expect("broken");
                assert_eq!(
                    text,
                    format!("the latest signed checkpoint ({checkpoint_at}) fails: {problem}"),
                    "step {step}"
                );
                assert_eq!(p.verified_through, *events, "step {step}");
            }
            CheckReport::Corrupt { messages } => panic!("corrupt: {messages:?}"),
        }
    }
    report
}

/// The trail of [`trail`], closed, with a signed checkpoint part-way.
fn closed_trail() -> (tempfile::TempDir, PathBuf) {
    let mut t = trail();
    let aud = t.aud.clone();
    t.u.cf.execute(&aud, Command::RecordCheckpoint).unwrap();
    let inv = t.inv.clone();
    decide(&mut t.u.cf, &inv, "KESTREL");
    t.u.close()
}

/// Writes `id` as the case file id that the keyring beside `path` names.
fn set_keyring_case_id(path: &Path, id: &str) {
    let keys = ccu::store::keyring_path(path);
    let text = std::fs::read_to_string(&keys).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let mut ring: serde_json::Value = serde_json::from_str(first).unwrap();
    ring["case_id"] = id.into();
    std::fs::write(&keys, format!("{ring}\n{rest}")).unwrap();
}

/// The check at login reads only the newest events: a change among them
/// is found and named as the whole walk names it, one older than they
/// is left to the whole walk, and a clean trail verifies either way.
#[test]
fn the_tail_check_finds_a_change_among_the_newest_events() {
    let (_dir, path) = closed_trail();
    let newest = events(&path);
    let clean = check_open(&path).verify_tail(5).unwrap();
    assert_eq!(clean.broken, None);
    assert_eq!(
        (clean.from, clean.through, clean.whole),
        (newest - 4, newest, false)
    );
    let whole = check_open(&path).verify_tail(1_000_000).unwrap();
    assert_eq!((whole.broken, whole.whole, whole.from), (None, true, 1));

    let seq = newest - 2;
    sqlcipher(
        &path,
        &format!(
            "{DROP_TRIGGERS} UPDATE audit_event SET details = '{{\"what\":\"nothing\"}}' WHERE seq = {seq};"
        ),
    );
    let CheckReport::Broken { at, .. } = check_open(&path).check().unwrap() else {
        panic!("the whole walk finds it");
    };
    let tail = check_open(&path).verify_tail(5).unwrap();
    assert_eq!(tail.broken, Some((seq, at.to_string())));
    // Older than the events checked: not this check's to find.
    let (_dir, path) = closed_trail();
    sqlcipher(
        &path,
        &format!(
            "{DROP_TRIGGERS} UPDATE audit_event SET details = '{{\"what\":\"nothing\"}}' WHERE seq = 9;"
        ),
    );
    assert_eq!(check_open(&path).verify_tail(5).unwrap().broken, None);
    assert_eq!(
        check_open(&path)
            .verify_tail(1_000_000)
            .unwrap()
            .broken
            .map(|b| b.0),
        Some(9)
    );
}

#[test]
fn step_verification_of_a_clean_file_is_checks_verdict() {
    let (_dir, path) = closed_trail();
    let report = steps_agree_with_check(&path);
    assert_eq!(
        report,
        CheckReport::Verified {
            events: events(&path)
        }
    );
    // Events appended between steps are verified too.
    let mut cf = open_admin(&path).0;
    let first = cf.verify_chain_step(ChainCursor::default(), 10).unwrap();
    assert_eq!((first.verified_through, first.done), (10, false));
    assert_eq!(first.total, events(&path));
    login(&mut cf, "aud", USER_PASSWORD);
    let mut p = first;
    while !p.done {
        p = cf.verify_chain_step(p.cursor, 10).unwrap();
    }
    assert_eq!(p.broken, None);
    assert_eq!(p.verified_through, events(&path));
    assert_eq!(p.total, events(&path));
    // Asking for no events at all makes no progress, and finishes nothing.
    let p = cf.verify_chain_step(ChainCursor::default(), 0).unwrap();
    assert_eq!((p.verified_through, p.done), (0, false));
}

#[test]
fn step_verification_of_tampered_files_names_checks_first_bad_seq_and_problem() {
    let cols = "at, actor, actor_roles, action, entity_type, entity_ref, outcome, details, prev_hash, hash";
    let tampering: Vec<(&str, String)> = vec![
        (
            "hash mismatch",
            format!(
                "{DROP_TRIGGERS} UPDATE audit_event SET details = '{{\"what\":\"nothing\"}}' WHERE seq = 9;"
            ),
        ),
        (
            "gap",
            format!("{DROP_TRIGGERS} DELETE FROM audit_event WHERE seq IN (12, 13);"),
        ),
        (
            "out of order",
            format!(
                "{DROP_TRIGGERS}
                 CREATE TEMP TABLE t AS SELECT * FROM audit_event WHERE seq IN (6, 11);
                 UPDATE audit_event SET hash = 'placeholder-' || seq WHERE seq IN (6, 11);
                 UPDATE audit_event SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = 17 - audit_event.seq)
                  WHERE seq IN (6, 11);"
            ),
        ),
        (
            "bad genesis",
            "DROP TRIGGER casefile_no_update; UPDATE casefile SET id = printf('%032d', 7);".into(),
        ),
        (
            "malformed",
            "CREATE TABLE loose AS SELECT * FROM audit_event;
             DROP TABLE audit_event;
             ALTER TABLE loose RENAME TO audit_event;
             UPDATE audit_event SET details = x'00ff' WHERE seq = 14;"
                .into(),
        ),
        (
            "a seq held twice",
            "CREATE TABLE loose AS SELECT * FROM audit_event;
             DROP TABLE audit_event;
             ALTER TABLE loose RENAME TO audit_event;
             INSERT INTO audit_event SELECT * FROM audit_event WHERE seq = 3;"
                .into(),
        ),
        (
            "the newest events cut off",
            format!("{DROP_TRIGGERS} DELETE FROM audit_event WHERE seq > 20;"),
        ),
    ];
    for (what, sql) in tampering {
        let (_dir, path) = closed_trail();
        sqlcipher(&path, &sql);
        if what == "bad genesis" {
            // The keyring names the case file it belongs to, and nothing
            // unlocks the pair while the ids differ: the insider changes
            // the keyring's (plain JSON) to match.
            set_keyring_case_id(&path, &format!("{:032}", 7));
        }
        let report = steps_agree_with_check(&path);
        assert!(
            !matches!(report, CheckReport::Verified { .. }),
            "{what}: {report:?}"
        );
    }

    // A well-forged insertion: correctly hashed, the later events renumbered.
    let (_dir, path) = closed_trail();
    rehash_trail(
        &path,
        |events| {
            let mut forged = events[6].clone();
            forged.entity_ref = "mole".into();
            forged.rows_hash = Some(ccu::audit::rows::empty_rows_hash());
            events.insert(7, forged);
            for (i, e) in events.iter_mut().enumerate() {
                e.seq = i as i64 + 1;
            }
        },
        // The row commitments move along with their events.
        "DROP TRIGGER audit_row_no_update;
         UPDATE audit_row SET seq = seq + 1000000 WHERE seq >= 8;
         UPDATE audit_row SET seq = seq - 999999 WHERE seq >= 1000000;",
    );
    // rehash_trail re-chains everything, so only the checkpoint catches it.
    let report = steps_agree_with_check(&path);
    assert!(
        matches!(&report, CheckReport::CheckpointBroken { problem, .. } if problem.contains("rewritten")),
        "{report:?}"
    );
    let p = verify_in_steps(&path, 4);
    let signed: i64 = count(&path, "SELECT tree_size FROM checkpoint");
    assert_eq!(p.broken.unwrap().0, signed);

    // Cut short below the checkpoint and re-hashed: still the checkpoint.
    let (_dir, path) = closed_trail();
    rehash_trail(&path, |events| events.truncate(10), "");
    let report = steps_agree_with_check(&path);
    assert!(
        matches!(&report, CheckReport::CheckpointBroken { problem, .. } if problem.contains("cut short")),
        "{report:?}"
    );
}

#[test]
fn step_verification_names_the_same_seq_as_check_for_each_break() {
    // The named problems, with their seq, for the simplest cases.
    let (_dir, path) = closed_trail();
    sqlcipher(
        &path,
        &format!("{DROP_TRIGGERS} UPDATE audit_event SET actor = 'someone' WHERE seq = 9;"),
    );
    let p = verify_in_steps(&path, 2);
    let (seq, problem) = p.broken.unwrap();
    assert_eq!(seq, 9);
    assert!(problem.starts_with("seq 9: hash mismatch"), "{problem}");
    assert_eq!(p.verified_through, 8);

    let (_dir, path) = closed_trail();
    sqlcipher(
        &path,
        &format!("{DROP_TRIGGERS} DELETE FROM audit_event WHERE seq = 7;"),
    );
    let p = verify_in_steps(&path, 3);
    assert_eq!(
        p.broken,
        Some((
            7,
            "seq 7: gap: event 7 is missing (the trail jumps from 6 to 8)".into()
        ))
    );
}

#[test]
fn a_well_forged_insertion_is_named_at_its_own_seq_by_steps_as_by_check() {
    let (_dir, path) = closed_trail();
    forge_insertion_at_6(&path);
    steps_agree_with_check(&path);
    let p = verify_in_steps(&path, 6);
    let (seq, problem) = p.broken.unwrap();
    assert_eq!(seq, 6);
    assert!(problem.starts_with("seq 6: inserted"), "{problem}");
    assert_eq!(
        p.verified_through, 5,
        "the last good seq, not the forged one"
    );
}

// The authorising officer's queue.

fn application(asked: &str) -> Command {
    Command::ApplyForAuthorisation(
        AuthorisationApplication::new(
            code("KESTREL"),
            user(asked),
            AuthorisationType::DirectedSurveillance,
            false,
            "",
            "Follow the subject after shifts",
            vec![],
            "Only observation shows the contact",
            "Two evenings a week, public places only",
            "Members of the public seen in passing",
            ccu::domain::covert::ConfidentialMaterial::new(
                false,
                "Unlikely because public places only, away from any lawyer",
            )
            .unwrap(),
            false,
        )
        .unwrap()
        .with_tactics(vec![
            ccu::domain::tactic::TacticCase::new(
                ccu::domain::tactic::Tactic::StaticObservation,
                "Only watching the car park shows the contact",
                "One parked vehicle, two hours after late shifts",
            )
            .unwrap(),
        ])
        .unwrap(),
    )
}

fn auth(urn: &str) -> Urn {
    Urn::parse(UrnKind::Authorisation, urn).unwrap()
}

fn grant(urn: &str, review_every_days: u32) -> Command {
    Command::GrantAuthorisation {
        urn: auth(urn),
        review_every_days,
        rationale: why("Necessary and proportionate for the reasons given"),
        involvement: None,
        tactics: vec![(
            ccu::domain::tactic::Tactic::StaticObservation,
            ccu::domain::tactic::TacticDecision::Granted,
        )],
    }
}

fn entry(urn: &str, what: Awaiting, due_at: Option<&str>, overdue: bool) -> AwaitingAuthorisation {
    AwaitingAuthorisation {
        urn: auth(urn),
        kind: AuthorisationType::DirectedSurveillance,
        operation: Codename::parse("KESTREL").unwrap(),
        applied_by: "inv".into(),
        what,
        due_at: due_at.map(str::to_owned),
        overdue,
    }
}

#[test]
fn the_authorising_officers_queue_holds_their_decisions_and_reviews_due() {
    let mut u = Unit::ranked(&[
        ("inv", "investigator", Rank::Constable),
        ("sup", "supervisor", Rank::Inspector),
        ("supt", "authorising-officer", Rank::Superintendent),
        ("supt2", "authorising-officer", Rank::Superintendent),
    ]);
    let [inv, sup, supt, supt2] =
        ["inv", "sup", "supt", "supt2"].map(|n| login(&mut u.cf, n, USER_PASSWORD));
    open_operation(&mut u.cf, &inv, "KESTREL");
    for asked in ["supt", "supt2", "supt", "supt"] {
        u.cf.execute(&inv, application(asked)).unwrap();
    }
    // Reviewed every 3 days from Monday 23rd: due at the start of the 27th.
    u.cf.execute(&supt, grant("AUTH-2026-0003", 3)).unwrap();
    // Every 28 days: not due for weeks, so not in the queue.
    u.cf.execute(&supt, grant("AUTH-2026-0004", 28)).unwrap();

    assert_eq!(
        u.cf.authorisations_awaiting(&supt).unwrap(),
        [
            entry("AUTH-2026-0001", Awaiting::Decision, None, false),
            entry(
                "AUTH-2026-0003",
                Awaiting::Review,
                Some("2026-11-27T00:00:00.000000Z"),
                false
            ),
        ]
    );
    assert_eq!(
        u.cf.authorisations_awaiting(&supt2).unwrap(),
        [entry("AUTH-2026-0002", Awaiting::Decision, None, false)],
        "only the application naming supt2"
    );
    assert_eq!(u.cf.authorisations_awaiting(&inv).unwrap(), []);
    assert_eq!(u.cf.authorisations_awaiting(&sup).unwrap(), []);
    let before = events(&u.path);
    u.cf.authorisations_awaiting(&supt).unwrap();
    assert_eq!(events(&u.path), before, "reading the queue writes nothing");
    let admin = u.admin.clone();
    assert!(matches!(
        u.cf.authorisations_awaiting(&admin),
        Err(Error::Denied { .. })
    ));

    // Overdue once its day comes; a decision leaves the queue.
    u.clock.set("2026-11-28T10:00:00Z");
    u.cf.execute(
        &supt,
        Command::RefuseAuthorisation {
            urn: auth("AUTH-2026-0001"),
            rationale: why("Not proportionate as drafted"),
        },
    )
    .unwrap();
    assert_eq!(
        u.cf.authorisations_awaiting(&supt).unwrap(),
        [entry(
            "AUTH-2026-0003",
            Awaiting::Review,
            Some("2026-11-27T00:00:00.000000Z"),
            true
        )]
    );
    // A review moves the next one on; the officer who renews it is asked
    // for its reviews as well.
    u.cf.execute(
        &supt,
        Command::ReviewAuthorisation {
            urn: auth("AUTH-2026-0003"),
            review: Review::new("Contact continues", "Narrowed to one venue", true).unwrap(),
        },
    )
    .unwrap();
    u.cf.execute(
        &supt2,
        Command::RenewAuthorisation {
            urn: auth("AUTH-2026-0003"),
            rationale: why("Still necessary: contact continues weekly"),
        },
    )
    .unwrap();
    let review = entry(
        "AUTH-2026-0003",
        Awaiting::Review,
        Some("2026-12-02T00:00:00.000000Z"),
        false,
    );
    assert_eq!(
        u.cf.authorisations_awaiting(&supt).unwrap(),
        std::slice::from_ref(&review)
    );
    assert_eq!(
        u.cf.authorisations_awaiting(&supt2).unwrap(),
        [
            entry("AUTH-2026-0002", Awaiting::Decision, None, false),
            review
        ]
    );
    // Need-to-know: off the team, out of the queue.
    u.cf.execute(
        &sup,
        Command::RemoveFromTeam {
            codename: code("KESTREL"),
            username: user("supt2"),
        },
    )
    .unwrap();
    assert_eq!(u.cf.authorisations_awaiting(&supt2).unwrap(), []);
}

/// The screen opened again resumes verification where it stopped: what was
/// verified is not read again, events appended since are verified, and an
/// event changed outside ccu after the walk passed it (the last verified
/// one, which the walk rereads) is still caught.
#[test]
fn verification_resumed_reads_only_what_came_since() {
    let mut t = trail();
    let mut p =
        t.u.cf
            .verify_chain_step(ChainCursor::default(), 1_000)
            .unwrap();
    while !p.done {
        p = t.u.cf.verify_chain_step(p.cursor, 1_000).unwrap();
    }
    assert!(p.broken.is_none());
    let before = p.verified_through;
    let aud = t.aud.clone();
    for _ in 0..5 {
        t.u.cf.execute(&aud, Command::ViewAuditTrail).unwrap();
    }
    // Three events a step: from the start it would take many steps, but
    // resumed it takes two for the five new events.
    let p = t.u.cf.verify_chain_step(p.cursor.resumed(), 3).unwrap();
    assert_eq!((p.verified_through, p.done), (before + 3, false));
    let p = t.u.cf.verify_chain_step(p.cursor, 3).unwrap();
    assert_eq!((p.verified_through, p.done), (before + 5, true));
    assert!(p.broken.is_none(), "{:?}", p.broken);
    let done = p.cursor;

    // The last verified event is changed from outside: resuming finds it.
    let last = before + 5;
    sqlcipher(
        &t.u.path,
        &format!("{DROP_TRIGGERS} UPDATE audit_event SET details = '{{}}' WHERE seq = {last};"),
    );
    let p = t.u.cf.verify_chain_step(done.resumed(), 3).unwrap();
    assert!(p.done);
    let (seq, problem) = p.broken.expect("the change is found");
    assert_eq!(seq, last, "{problem}");
}
