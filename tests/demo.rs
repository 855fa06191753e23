//! The demo case file, built for real in a temporary folder: it verifies,
//! covers every status and category, works for every demo account, shows
//! what the diary is for, and is never confused with a real case file.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ccu::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo, open_or_create_demo};
use ccu::domain::bid::BidStatus;
use ccu::domain::intelligence::{Category, Handling, SourceType, TriageStatus};
use ccu::domain::operation::{Codename, OperationStatus, Priority};
use ccu::domain::role::{Role, RoleSet};
use ccu::domain::subject::{EmploymentType, SubjectStatus, VettingLevel};
use ccu::store::{Actor, CaseFile, CheckReport, Command, Credentials, DueKind, Error, Page};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

struct Built {
    _dir: tempfile::TempDir,
    path: PathBuf,
    took: Duration,
}

/// One demo file for the whole suite (building it is the slow part); each
/// test works on its own copy.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.ccu");
        let started = Instant::now();
        let casefile = create_demo(&path, now()).unwrap();
        let took = started.elapsed();
        drop(casefile);
        eprintln!("create_demo took {took:?}");
        Built {
            _dir: dir,
            path,
            took,
        }
    })
}

/// A copy of the built demo file, with its keyring beside it.
fn copy(dir: &Path) -> PathBuf {
    let path = dir.join("demo.ccu");
    std::fs::copy(&built().path, &path).unwrap();
    std::fs::copy(
        ccu::store::keyring_path(&built().path),
        ccu::store::keyring_path(&path),
    )
    .unwrap();
    path
}

fn open_copy() -> (tempfile::TempDir, CaseFile) {
    let dir = tempfile::tempdir().unwrap();
    let path = copy(dir.path());
    let casefile = unlock_demo(&path);
    (dir, casefile)
}

/// Unlocks a demo file as its administrator (a login event).
fn unlock_demo(path: &Path) -> CaseFile {
    open_or_create_demo(path, now())
        .unwrap()
        .unlock_demo(
            ccu::store::Credentials {
                username: DEMO_ACCOUNTS[0].username,
                password: DEMO_PASSWORD,
            },
            ccu::demo::demo_clock(now()),
        )
        .unwrap()
        .0
}

fn as_user(casefile: &mut CaseFile, name: &str) -> Actor {
    login(casefile, name, DEMO_PASSWORD)
}

#[test]
fn the_demo_builds_quickly_and_its_audit_trail_verifies() {
    let b = built();
    assert!(
        b.took < Duration::from_secs(60),
        "create_demo took {:?}",
        b.took
    );
    let (_dir, casefile) = open_copy();
    match casefile.check().unwrap() {
        CheckReport::Verified { events } => assert!(events > 300, "{events} events"),
        other => panic!("the demo's trail does not verify: {other:?}"),
    }
    // Times only go forward, from about 120 days ago to no later than now.
    let rows = audit_rows(casefile.path());
    let conn = raw_conn(casefile.path());
    let times: Vec<DateTime<Utc>> = conn
        .prepare("SELECT at FROM audit_event ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|t| DateTime::parse_from_rfc3339(&t.unwrap()).unwrap().into())
        .collect();
    assert_eq!(times.len(), rows.len());
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "times go backwards");
    assert!(times[0] >= now() - TimeDelta::days(121), "{}", times[0]);
    assert!(times[0] <= now() - TimeDelta::days(119), "{}", times[0]);
    // The last event is this unlock's login, on the demo's clock, which
    // runs on from now; everything the demo built is no later than now.
    let (unlocked, built) = times.split_last().unwrap();
    let last = rows.last().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.4.as_str()),
        (DEMO_ACCOUNTS[0].username, "login", "ok")
    );
    assert!(*unlocked >= now() && *unlocked <= now() + TimeDelta::minutes(5));
    assert!(*built.last().unwrap() <= now());
    // Every write went through the audited path, as the demo accounts.
    let names: BTreeSet<&str> = DEMO_ACCOUNTS.iter().map(|a| a.username).collect();
    assert!(
        rows.iter().all(|r| names.contains(r.1.as_str())),
        "an actor outside the demo accounts"
    );
    // The file is marked as a demo before anything is put in it.
    let marked = rows.iter().position(|r| r.2 == "casefile.demo").unwrap();
    assert_eq!(rows[marked].4, "ok");
    assert!(
        rows[..marked].iter().all(
            |r| ["casefile.init", "user.add", "audit.key.create", "login"].contains(&r.2.as_str())
        ),
        "{:?}",
        &rows[..marked]
    );
}

#[test]
fn every_demo_account_logs_in_and_there_is_one_for_every_role() {
    let (_dir, mut casefile) = open_copy();
    let mut roles = BTreeSet::new();
    for account in DEMO_ACCOUNTS {
        let actor = casefile
            .login(Credentials {
                username: account.username,
                password: DEMO_PASSWORD,
            })
            .unwrap_or_else(|e| panic!("{}: {e}", account.username));
        let set = RoleSet::parse_list(&account.roles.join(",")).unwrap();
        assert_eq!(actor.roles(), &set, "{}", account.username);
        roles.extend(set.iter());
        assert!(!account.what.is_empty() && !account.what.contains('\n'));
    }
    assert_eq!(roles, Role::ALL.into_iter().collect());
    assert_eq!(DEMO_ACCOUNTS[0].roles, ["administrator"]);
    assert!(DEMO_PASSWORD.chars().count() >= 12);
    let authorising = DEMO_ACCOUNTS
        .iter()
        .find(|a| a.roles.contains(&"authorising-officer"))
        .unwrap();
    assert!(authorising.rank >= ccu::domain::account::Rank::Superintendent);
}

#[test]
fn operations_cover_every_status_and_priority_and_need_to_know_shows() {
    let (_dir, mut casefile) = open_copy();
    let sup = as_user(&mut casefile, "supervisor");
    let ops = casefile.operations(&sup, Page::ALL).unwrap();
    assert_eq!(ops.len(), 12);
    let statuses: BTreeSet<OperationStatus> = ops.iter().map(|o| o.status).collect();
    assert_eq!(statuses, OperationStatus::ALL.iter().copied().collect());
    let priorities: BTreeSet<Priority> = ops.iter().map(|o| o.priority).collect();
    assert_eq!(priorities, Priority::ALL.iter().copied().collect());

    // The investigator is on 8 of the 12, as the account's line says.
    let inv = as_user(&mut casefile, "investigator");
    assert_eq!(casefile.operations(&inv, Page::ALL).unwrap().len(), 8);
    let bittern = Codename::parse("BITTERN").unwrap();
    assert!(matches!(
        casefile.open_operation(&inv, &bittern),
        Err(Error::NoSuch { .. })
    ));
    let ao = as_user(&mut casefile, "authorising");
    assert_eq!(casefile.operations(&ao, Page::ALL).unwrap().len(), 5);
    let auditor = as_user(&mut casefile, "auditor");
    assert_eq!(casefile.operations(&auditor, Page::ALL).unwrap().len(), 12);
    let admin = as_user(&mut casefile, "admin");
    assert!(matches!(
        casefile.operations(&admin, Page::ALL),
        Err(Error::Denied { .. })
    ));

    // Closed ones were closed properly, and decision logs have a correction.
    let lessons = casefile.lessons_learned(&sup).unwrap();
    assert_eq!(lessons.len(), 3);
    let kestrel = casefile
        .open_operation(&sup, &Codename::parse("KESTREL").unwrap())
        .unwrap();
    assert!(kestrel.decisions.len() >= 5);
    assert!(kestrel.decisions.iter().any(|d| d.corrects == Some(3)));
    let with_logs = ops
        .iter()
        .filter(|o| {
            casefile
                .open_operation(&sup, &o.codename)
                .unwrap()
                .decisions
                .len()
                >= 2
        })
        .count();
    assert!(with_logs >= 8, "{with_logs}");
}

#[test]
fn intelligence_covers_every_category_grading_source_and_triage_status() {
    let (_dir, mut casefile) = open_copy();
    let sup = as_user(&mut casefile, "supervisor");
    let items = casefile.intelligence_items(&sup, Page::ALL).unwrap();
    assert!((60..=100).contains(&items.len()), "{} items", items.len());
    let categories: BTreeSet<Category> = items.iter().map(|i| i.category).collect();
    assert_eq!(categories.len(), 12);
    let sources: BTreeSet<SourceType> = items.iter().map(|i| i.source_type).collect();
    assert_eq!(sources, SourceType::ALL.iter().copied().collect());
    let triage: BTreeSet<TriageStatus> = items.iter().map(|i| i.triage).collect();
    assert_eq!(triage, TriageStatus::ALL.iter().copied().collect());
    let grades: BTreeSet<String> = items.iter().map(|i| i.grading.code()).collect();
    assert!(grades.len() >= 10, "{grades:?}");
    assert!(items.iter().any(|i| matches!(
        &i.grading,
        ccu::domain::intelligence::Grading::Current {
            handling: Handling::WithConditions(c),
            ..
        } if !c.is_empty()
    )));
    assert!(items.iter().filter(|i| i.apsp).count() >= 3);
    assert!(items.iter().filter(|i| i.operation.is_some()).count() >= 15);

    // Spread over the 120 days, so a weekly chart has shape.
    let weeks: BTreeSet<i64> = items
        .iter()
        .map(|i| {
            let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&i.received_at).unwrap().into();
            (now() - at).num_days() / 7
        })
        .collect();
    assert!(weeks.len() >= 16, "{weeks:?}");

    // One item carries an escape sequence and a bidi override.
    let odd = items
        .iter()
        .find(|i| i.summary.contains('\u{202e}'))
        .expect("an item with a right-to-left override");
    let record = casefile.open_intelligence(&sup, &odd.urn).unwrap();
    assert!(record.full_text.contains("\u{1b}[31m"));
    assert!(!ccu::sanitise::for_terminal(&record.full_text).contains('\u{1b}'));

    // Subjects: varied employment, vetting and status.
    let subjects = casefile.subjects(&sup, Page::ALL).unwrap();
    assert!((20..=30).contains(&subjects.len()), "{}", subjects.len());
    let employment: BTreeSet<EmploymentType> = subjects.iter().map(|s| s.employment_type).collect();
    assert_eq!(employment, EmploymentType::ALL.iter().copied().collect());
    let status: BTreeSet<SubjectStatus> = subjects.iter().map(|s| s.status).collect();
    assert_eq!(status, SubjectStatus::ALL.iter().copied().collect());
    let vetting: BTreeSet<VettingLevel> = subjects.iter().map(|s| s.vetting_level).collect();
    assert_eq!(vetting, VettingLevel::ALL.iter().copied().collect());
}

#[test]
fn the_covert_workflow_is_in_every_state_and_the_diary_shows_what_is_due() {
    let (_dir, mut casefile) = open_copy();
    let sup = as_user(&mut casefile, "supervisor");

    let bids: BTreeSet<BidStatus> = casefile
        .bids(&sup, Page::ALL)
        .unwrap()
        .iter()
        .map(|b| b.status)
        .collect();
    assert_eq!(bids, BidStatus::ALL.iter().copied().collect());
    assert_eq!(
        casefile.thresholds_awaiting_decision(&sup).unwrap().len(),
        1
    );

    let record = casefile.central_record(&sup).unwrap();
    let statuses: BTreeSet<&str> = record.iter().map(|a| a.status.label()).collect();
    for s in ["Granted", "Applied for", "Cancelled", "Refused"] {
        assert!(statuses.contains(s), "no {s} authorisation: {statuses:?}");
    }
    let ending_soon: Vec<_> = record
        .iter()
        .filter(|a| a.in_effect)
        .filter(|a| {
            let end: DateTime<Utc> = DateTime::parse_from_rfc3339(a.ends_at.as_deref().unwrap())
                .unwrap()
                .into();
            end > now() && end - now() <= TimeDelta::days(7)
        })
        .collect();
    assert_eq!(ending_soon.len(), 1, "{record:#?}");
    assert_eq!(ending_soon[0].kind, "Directed surveillance");

    let referrals = casefile.referrals(&sup).unwrap();
    assert!(
        referrals
            .iter()
            .any(|r| r.mode.is_some() && r.iopc_reference.is_some())
    );
    assert!(
        referrals
            .iter()
            .any(|r| r.status == ccu::domain::referral::ReferralStatus::Draft)
    );

    let due = casefile.due(&sup, 7).unwrap();
    let has =
        |kind: DueKind, overdue: bool| due.iter().any(|d| d.what == kind && d.overdue == overdue);
    assert!(has(DueKind::ReferralDeadline, true), "{due:#?}");
    assert!(has(DueKind::AuthorisationEnds, false), "{due:#?}");
    assert!(has(DueKind::AuthorisationReview, false), "{due:#?}");
    assert!(has(DueKind::BidAwaitingDecision, false), "{due:#?}");
    assert!(has(DueKind::ThresholdReview, false), "{due:#?}");
    // The APSP threat, reviewed upwards on day 100, is first and due soon.
    assert!(
        due.iter()
            .any(|d| d.what == DueKind::ThreatReview && d.reference == "THR-001" && !d.overdue),
        "{due:#?}"
    );
    let threats = casefile.threats(&sup).unwrap();
    assert_eq!(threats[0].reference, "THR-001");
    assert_eq!(threats[0].current.version, 2);
    // Something overdue, but not a wall of it.
    assert!(due.iter().filter(|d| d.overdue).count() <= 4, "{due:#?}");
}

#[test]
fn is_demo_tells_a_demo_from_a_real_case_file_without_a_login() {
    let (_dir, mut demo) = open_copy();
    assert!(demo.is_demo().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (mut real, _) = new_casefile(dir.path());
    assert!(!real.is_demo().unwrap());
}

#[test]
fn reopening_gives_the_same_case_file_and_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy(dir.path());
    let events = count(&path, "SELECT count(*) FROM audit_event");
    let items = count(&path, "SELECT count(*) FROM intelligence");
    let id = count_text(&path, "SELECT id FROM casefile");
    let mut casefile = unlock_demo(&path);
    assert_eq!(casefile.id(), id);
    assert!(casefile.is_demo().unwrap());
    drop(casefile);
    // Unlocking logs in: that one event, and nothing is built again.
    assert_eq!(count(&path, "SELECT count(*) FROM audit_event"), events + 1);
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.4.as_str()),
        (DEMO_ACCOUNTS[0].username, "login", "ok")
    );
    assert_eq!(count(&path, "SELECT count(*) FROM intelligence"), items);
}

#[test]
fn a_real_case_file_is_refused_as_a_demo_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    drop(casefile);
    let before = std::fs::read(&path).unwrap();
    let keys_before = std::fs::read(ccu::store::keyring_path(&path)).unwrap();
    let err = match open_or_create_demo(&path, now()) {
        Err(e) => e,
        Ok(_) => panic!("a real case file was opened as a demo"),
    };
    assert!(matches!(err, Error::NotDemo { .. }), "{err}");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("not a demo"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        std::fs::read(ccu::store::keyring_path(&path)).unwrap(),
        keys_before
    );
    assert_eq!(files_in(dir.path()), ["case.ccu", "case.ccu.keys"]);

    // create_demo never overwrites, either.
    assert!(matches!(
        create_demo(&path, now()),
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        std::fs::read(ccu::store::keyring_path(&path)).unwrap(),
        keys_before
    );
}

#[test]
fn only_an_administrator_marks_a_file_and_only_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut casefile, path) = new_casefile(dir.path());
    let admin = login(&mut casefile, ADMIN, ADMIN_PASSWORD);
    add_user(&mut casefile, &admin, "sup", "supervisor");
    let sup = login(&mut casefile, "sup", USER_PASSWORD);
    assert!(matches!(
        casefile.execute(&sup, Command::MarkDemo),
        Err(Error::Denied { .. })
    ));
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!(
        (last.2.as_str(), last.4.as_str()),
        ("casefile.demo", "denied")
    );
    assert!(!casefile.is_demo().unwrap());

    // Once it holds casework it is a real case file for good.
    casefile
        .execute(
            &sup,
            Command::AddSubject(
                ccu::domain::subject::SubjectDetails::new(
                    ccu::domain::subject::StaffNumber::parse("X1").unwrap(),
                    "A Person",
                    "PC",
                    EmploymentType::Officer,
                    "Response",
                    "Officer",
                    false,
                    VettingLevel::None,
                    None,
                    SubjectStatus::Serving,
                )
                .unwrap(),
            ),
        )
        .unwrap();
    let err = casefile.execute(&admin, Command::MarkDemo).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
    assert!(!casefile.is_demo().unwrap());

    // An empty one may be marked, once.
    let dir = tempfile::tempdir().unwrap();
    let (mut empty, _) = new_casefile(dir.path());
    let admin = login(&mut empty, ADMIN, ADMIN_PASSWORD);
    empty.execute(&admin, Command::MarkDemo).unwrap();
    assert!(empty.is_demo().unwrap());
    assert!(matches!(
        empty.execute(&admin, Command::MarkDemo),
        Err(Error::Invalid(_))
    ));
}

fn count_text(path: &Path, sql: &str) -> String {
    let conn = raw_conn(path);
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn the_demo_builds_at_awkward_moments_too() {
    // Across New Year (URNs restart), on a month end seen from the UK in
    // summer time, and on the day the clocks go forward.
    for at in [
        "2027-01-10T08:00:00Z",
        "2026-05-31T23:59:00Z",
        "2026-03-29T00:30:00Z",
    ] {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339(at).unwrap().into();
        let dir = tempfile::tempdir().unwrap();
        let mut casefile =
            create_demo(&dir.path().join("demo.ccu"), now).unwrap_or_else(|e| panic!("{at}: {e}"));
        assert!(
            matches!(casefile.check().unwrap(), CheckReport::Verified { .. }),
            "{at}"
        );
        let sup = as_user(&mut casefile, "supervisor");
        let ends: Vec<DateTime<Utc>> = casefile
            .central_record(&sup)
            .unwrap()
            .iter()
            .filter(|a| a.in_effect && a.kind == "Directed surveillance")
            .map(|a| {
                DateTime::parse_from_rfc3339(a.ends_at.as_deref().unwrap())
                    .unwrap()
                    .into()
            })
            .collect();
        assert_eq!(ends.len(), 1, "{at}");
        assert!(
            ends[0] > now && ends[0] - now <= TimeDelta::days(4),
            "{at}: {}",
            ends[0]
        );
        let due = casefile.due(&sup, 7).unwrap();
        assert!(
            due.iter()
                .any(|d| d.what == DueKind::ReferralDeadline && d.overdue),
            "{at}"
        );
    }
}

#[test]
fn the_demo_has_status_drift_acknowledged_and_standing() {
    let (_dir, mut casefile) = open_copy();
    for who in ["supervisor", "researcher", "investigator"] {
        let actor = as_user(&mut casefile, who);
        let standing = casefile.status_drift(&actor).unwrap();
        assert_eq!(standing.len(), 1, "{who}: {standing:?}");
        assert_eq!(standing[0].person, "Bryony Castellane");
        assert_eq!(standing[0].items.len(), 3);
    }
    // The detention officer's reports were considered and acknowledged.
    let sup = as_user(&mut casefile, "supervisor");
    let acknowledged = casefile
        .intelligence_items(&sup, Page::ALL)
        .unwrap()
        .into_iter()
        .find(|i| i.summary.starts_with("Detention officer overheard"))
        .unwrap();
    let log = casefile
        .drift_acknowledgements(&sup, &acknowledged.urn)
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].person, "Ellis Moorcroft");
    assert_eq!(log[0].items.len(), 3);
}
