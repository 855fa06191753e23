//! The strategic threat assessment on a real case file: threats recorded
//! and reviewed as versions, listed in priority order, the intelligence
//! behind each counted live and only as far as the reader may see, the
//! diary's review dates, refusals leaving the file as it was, and a forged
//! assessment written from outside ccu found by `ccu check`.

mod common;

use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::threat::{Assessment, Confidence, Scores};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::registers::threats::Command as Threats;
use ccu::store::{CheckReport, Command, DueKind, Error};
use chrono::{NaiveDate, TimeZone, Utc};
use common::*;

const STAFF: [(&str, &str); 5] = [
    ("lead", "investigator"),
    ("outsider", "investigator"),
    ("sup", "supervisor"),
    ("aud", "auditor"),
    ("ao", "authorising-officer"),
];

fn day(d: u32, m: u32, y: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// At 10:00 on 10/11/2026, with HAWK open (outsider's).
fn unit() -> Unit {
    let clock = TestClock::at("2026-11-10T10:00:00Z");
    let mut u = Unit::at(clock, &sergeants(&STAFF)).logged_in();
    let op = NewOperation::new(
        Codename::parse("HAWK").unwrap(),
        "An operation",
        Category::AbuseOfAuthority,
        Priority::P2,
        username("outsider"),
        username("sup"),
        Vec::new(),
        Vec::new(),
    )
    .unwrap();
    u.cf.execute(&u.actor("outsider"), Command::OpenOperation(op))
        .unwrap();
    u
}

fn assessment(h: u8, l: u8, c: Confidence, cap: u8, owner: &str, review: NaiveDate) -> Assessment {
    Assessment::new(
        Scores::new(h, l, c, cap).unwrap(),
        username(owner),
        "Intelligence picture from the last two quarters",
        review,
    )
    .unwrap()
}

fn record(category: Category, theme: &str, a: Assessment) -> Command {
    Threats::Record {
        category,
        theme: theme.into(),
        assessment: a,
    }
    .into()
}

fn review(reference: &str, a: Assessment) -> Command {
    Threats::Review {
        reference: reference.into(),
        assessment: a,
    }
    .into()
}

/// The register's own rows, as sqlite sees them.
fn rows(u: &Unit) -> String {
    let conn = raw_conn(&u.path);
    conn.query_row(
        "SELECT json_array(
            (SELECT json_group_array(json_array(reference, category, theme)) FROM threat),
            (SELECT json_group_array(json_array(threat_id, version, harm, next_review)) FROM threat_version))",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn order(u: &mut Unit, who: &str) -> Vec<(u32, String, u32)> {
    let actor = u.actor(who);
    u.cf.threats(&actor)
        .unwrap()
        .into_iter()
        .map(|t| (t.rank, t.reference, t.current.scores.score()))
        .collect()
}

#[test]
fn threats_are_ranked_in_the_manner_of_morile_and_a_review_keeps_the_old_version() {
    use Confidence::*;
    let mut u = unit();
    let (lead, sup) = (u.actor("lead"), u.actor("sup"));
    let review_on = day(1, 2, 2027);
    let start = seen(&u.path);
    for (category, theme, a) in [
        // 4 x 3 = 12, gap 2, medium: 96.
        (
            Category::Disclosure,
            "Unauthorised disclosure",
            assessment(4, 3, Medium, 4, "lead", review_on),
        ),
        // 5 x 4 = 20, gap 4, high: 400.
        (
            Category::AbuseOfAuthority,
            "APSP: abuse of position for a sexual purpose",
            assessment(5, 4, High, 2, "sup", review_on),
        ),
        // 3 x 4 = 12, gap 2, medium: 96, as THR-001 but reviewed sooner.
        (
            Category::MisusingSystems,
            "Misuse of force systems",
            assessment(3, 4, Medium, 4, "lead", day(5, 1, 2027)),
        ),
    ] {
        u.cf.execute(&lead, record(category, theme, a)).unwrap();
    }
    assert_eq!(
        since(&u.path, start),
        [
            ev("lead", "threat.record", "threat", "THR-001", "ok"),
            ev("lead", "threat.record", "threat", "THR-002", "ok"),
            ev("lead", "threat.record", "threat", "THR-003", "ok"),
        ]
    );
    assert_eq!(
        order(&mut u, "sup"),
        [
            (1, "THR-002".into(), 400),
            // Equal score and risk: the higher harm first.
            (2, "THR-001".into(), 96),
            (3, "THR-003".into(), 96),
        ]
    );

    // Reviewed: the unit's capacity against disclosure has fallen away.
    let before = seen(&u.path);
    u.cf.execute(
        &sup,
        review("THR-001", assessment(4, 4, High, 1, "sup", review_on)),
    )
    .unwrap();
    assert_eq!(
        since(&u.path, before),
        [ev("sup", "threat.review", "threat", "THR-001", "ok")]
    );
    assert_eq!(details_since(&u.path, before)[0]["version"], 2);
    assert_eq!(details_since(&u.path, before)[0]["score"], 400);
    // 16 x 5 x 5 = 400, as THR-002, but the higher risk (16 < 20) loses: THR-002 first.
    assert_eq!(
        order(&mut u, "lead"),
        [
            (1, "THR-002".into(), 400),
            (2, "THR-001".into(), 400),
            (3, "THR-003".into(), 96),
        ]
    );

    let before = seen(&u.path);
    let record = u.cf.open_threat(&lead, "THR-001").unwrap();
    assert_eq!(
        since(&u.path, before),
        [ev("lead", "view", "threat", "THR-001", "ok")],
        "opening a threat is a consultation, logged"
    );
    let history: Vec<_> = record
        .history
        .iter()
        .map(|v| {
            (
                v.version,
                v.scores.score(),
                v.owner.as_str(),
                v.reviewed_by.as_str(),
            )
        })
        .collect();
    assert_eq!(history, [(2, 400, "sup", "sup"), (1, 96, "lead", "lead")]);
    assert_eq!(record.row.current.owner, "sup");
    assert_eq!(record.recorded_by, "lead");
}

fn item(received: (u32, u32, i32), category: Category) -> NewIntelligence {
    let (d, m, y) = received;
    NewIntelligence::new(
        Utc.with_ymd_and_hms(y, m, d, 8, 0, 0).unwrap(),
        SourceType::ConfidentialLine,
        true,
        None,
        Grading::parse("2BP", "").unwrap(),
        category,
        category.may_be_apsp(),
        Vec::new(),
        "A report to the confidential line",
        "The full account.",
    )
    .unwrap()
}

#[test]
fn the_volume_behind_a_threat_counts_only_intelligence_the_reader_may_see() {
    let mut u = unit();
    let (lead, outsider, sup) = (u.actor("lead"), u.actor("outsider"), u.actor("sup"));
    u.cf.execute(
        &lead,
        record(
            Category::AbuseOfAuthority,
            "APSP",
            assessment(4, 4, Confidence::High, 3, "lead", day(1, 2, 2027)),
        ),
    )
    .unwrap();
    let mut urns = Vec::new();
    for (received, category) in [
        ((3, 11, 2026), Category::AbuseOfAuthority),
        ((9, 11, 2026), Category::AbuseOfAuthority),
        ((20, 8, 2026), Category::AbuseOfAuthority),
        ((1, 4, 2026), Category::AbuseOfAuthority),
        // Before the last four quarters, and another category.
        ((31, 12, 2025), Category::AbuseOfAuthority),
        ((4, 11, 2026), Category::Drugs),
    ] {
        let done =
            u.cf.execute(&sup, Command::RecordIntelligence(item(received, category)))
                .unwrap();
        urns.push(Urn::parse(UrnKind::Intelligence, &done.reference).unwrap());
    }
    // The second goes to HAWK, which only its team (and supervisors) may see.
    for (to, operation) in [
        (TriageStatus::Assessed, None),
        (
            TriageStatus::LinkedToOperation,
            Some(Codename::parse("HAWK").unwrap()),
        ),
    ] {
        u.cf.execute(
            &sup,
            Command::TriageIntelligence {
                urn: urns[1],
                to,
                operation,
                rationale: why("Daily meeting"),
            },
        )
        .unwrap();
    }
    let volume = |u: &mut Unit, who: &ccu::store::Actor| {
        u.cf.threats(who).unwrap()[0]
            .volume
            .iter()
            .map(|(q, n)| format!("{q}: {n}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        volume(&mut u, &outsider),
        ["2026 Q1: 0", "2026 Q2: 1", "2026 Q3: 1", "2026 Q4: 2"]
    );
    assert_eq!(
        volume(&mut u, &lead),
        ["2026 Q1: 0", "2026 Q2: 1", "2026 Q3: 1", "2026 Q4: 1"],
        "an item on an operation the reader may not see is not counted"
    );
    // Counted live: a new item shows at once.
    u.cf.execute(
        &sup,
        Command::RecordIntelligence(item((10, 11, 2026), Category::AbuseOfAuthority)),
    )
    .unwrap();
    assert_eq!(volume(&mut u, &lead)[3], "2026 Q4: 2");
}

#[test]
fn tried_as_an_insider_or_with_bad_input_nothing_is_written() {
    let mut u = unit();
    let (lead, aud, ao) = (u.actor("lead"), u.actor("aud"), u.actor("ao"));
    let admin = u.admin.clone();
    let good = || {
        record(
            Category::Drugs,
            "Drugs",
            assessment(3, 3, Confidence::Low, 3, "lead", day(1, 2, 2027)),
        )
    };
    let empty = rows(&u);
    for who in [&aud, &ao, &admin] {
        let e = u.cf.execute(who, good()).unwrap_err();
        assert!(matches!(e, Error::Denied { .. }), "{e}");
    }
    assert!(matches!(u.cf.threats(&admin), Err(Error::Denied { .. })));
    assert_eq!(rows(&u), empty, "a refused insider wrote nothing");

    let refused = |u: &mut Unit, c: Command| match u.cf.execute(&lead, c).unwrap_err() {
        Error::Invalid(e) => (e.field, e.message),
        other => panic!("{other}"),
    };
    let a = |owner: &str, on| assessment(3, 3, Confidence::Low, 3, owner, on);
    assert_eq!(
        refused(
            &mut u,
            record(Category::Drugs, "Drugs", a("lead", day(10, 11, 2026)))
        ),
        (
            "next review",
            "10/11/2026 is not after today: the next review is still to come".into()
        )
    );
    assert_eq!(
        refused(
            &mut u,
            record(Category::Drugs, "Drugs", a("aud", day(1, 2, 2027)))
        )
        .0,
        "owner"
    );
    assert_eq!(
        refused(
            &mut u,
            record(Category::Drugs, "Drugs", a("nobody", day(1, 2, 2027)))
        ),
        ("owner", "there is no account named 'nobody'".into())
    );
    assert_eq!(
        refused(&mut u, review("THR-009", a("lead", day(1, 2, 2027)))),
        ("threat", "there is no threat THR-009".into())
    );
    assert_eq!(rows(&u), empty, "a refusal left the file as it was");

    u.cf.execute(&lead, good()).unwrap();
    let one = rows(&u);
    // A reviewer without the permission cannot add a version either.
    let e =
        u.cf.execute(&aud, review("THR-001", a("lead", day(1, 2, 2027))))
            .unwrap_err();
    assert!(matches!(e, Error::Denied { .. }), "{e}");
    assert_eq!(rows(&u), one);
}

#[test]
fn the_diary_shows_each_threats_next_review() {
    let mut u = unit();
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        record(
            Category::AbuseOfAuthority,
            "APSP",
            assessment(5, 4, Confidence::High, 2, "sup", day(14, 11, 2026)),
        ),
    )
    .unwrap();
    let reviews = |u: &mut Unit| {
        let aud = u.actor("aud");
        u.cf.due(&aud, 7)
            .unwrap()
            .into_iter()
            .filter(|d| d.what == DueKind::ThreatReview)
            .map(|d| (d.reference, d.overdue, d.due_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        reviews(&mut u),
        [(
            "THR-001".to_owned(),
            false,
            "2026-11-15T00:00:00.000000Z".to_owned()
        )]
    );
    u.clock.set("2026-11-15T09:00:00Z");
    assert!(reviews(&mut u)[0].1, "past its review date it is overdue");
    // Reviewed, the diary moves to the new date.
    u.cf.execute(
        &lead,
        review(
            "THR-001",
            assessment(5, 4, Confidence::High, 2, "sup", day(15, 2, 2027)),
        ),
    )
    .unwrap();
    assert!(reviews(&mut u).is_empty());
}

#[test]
fn reading_the_threats_report_is_logged_before_it_is_read() {
    let mut u = unit();
    let (lead, sup) = (u.actor("lead"), u.actor("sup"));
    u.cf.execute(
        &lead,
        record(
            Category::AbuseOfAuthority,
            "APSP",
            assessment(5, 4, Confidence::High, 2, "sup", day(1, 2, 2027)),
        ),
    )
    .unwrap();
    let before = seen(&u.path);
    let rows = u.cf.threats_report(&sup).unwrap();
    assert_eq!(
        since(&u.path, before),
        [ev("sup", "view", "report", "threats", "ok")]
    );
    assert_eq!((rows[0].rank, rows[0].score, rows[0].risk), (1, 400, 20));
    assert_eq!(rows[0].volume.len(), 4);
    let admin = u.admin.clone();
    assert!(u.cf.threats_report(&admin).is_err());
}

#[test]
fn an_assessment_forged_from_outside_is_found_by_check() {
    let mut u = unit();
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        record(
            Category::Drugs,
            "Drugs",
            assessment(3, 3, Confidence::Low, 3, "lead", day(1, 2, 2027)),
        ),
    )
    .unwrap();
    let (_dir, path) = u.close();
    assert!(matches!(
        check_open(&path).check().unwrap(),
        CheckReport::Verified { .. }
    ));

    let out = try_sqlcipher(&path, "UPDATE threat_version SET harm = 1;");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a threat assessment is never edited"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A second version, lowering the threat, slipped in without ccu.
    sqlcipher(
        &path,
        "INSERT INTO threat_version (threat_id, version, harm, likelihood, confidence, capacity,
             owner_id, rationale, next_review, reviewed_by, reviewed_at)
         SELECT threat_id, 2, 1, 1, 'low', 5, owner_id, 'Nothing to see', next_review,
                reviewed_by, reviewed_at FROM threat_version;",
    );
    match check_open(&path).check().unwrap() {
        CheckReport::Altered { findings, .. } => {
            assert!(
                findings.iter().any(|f| f.contains("threat_version")),
                "{findings:?}"
            );
        }
        other => panic!("a forged assessment went unnoticed: {other:?}"),
    }
}
