//! The register of lessons learned on a real case file: what it lists and
//! to whom, recording where lessons went and what came back, every
//! refusal leaving the file as it was, the audit events, and a forged
//! dissemination written from outside ccu found by `ccu check`.

mod common;

use ccu::domain::intelligence::Category;
use ccu::domain::lesson::{Dissemination, Response};
use ccu::domain::operation::{Closure, Codename, NewOperation, Priority};
use ccu::store::registers::lessons::Command as Lessons;
use ccu::store::{CheckReport, Command, Error};
use chrono::NaiveDate;
use common::*;

const STAFF: [(&str, &str); 5] = [
    ("lead", "investigator"),
    ("outsider", "investigator"),
    ("sup", "supervisor"),
    ("aud", "auditor"),
    ("ao", "authorising-officer"),
];

fn code(c: &str) -> Codename {
    Codename::parse(c).unwrap()
}

fn day(d: u32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// KESTREL (lead's, closed on 02/11/2026), HAWK (outsider's, closed) and
/// OSPREY (lead's, still open), at 10:00 on 10/11/2026.
fn unit() -> Unit {
    let clock = TestClock::at("2026-11-02T10:00:00Z");
    let mut u = Unit::at(clock, &sergeants(&STAFF)).logged_in();
    for (codename, lead) in [
        ("KESTREL", "lead"),
        ("HAWK", "outsider"),
        ("OSPREY", "lead"),
    ] {
        let op = NewOperation::new(
            code(codename),
            "An operation",
            Category::AbuseOfAuthority,
            Priority::P2,
            username(lead),
            username("sup"),
            Vec::new(),
            Vec::new(),
        )
        .unwrap();
        u.cf.execute(&u.actor(lead), Command::OpenOperation(op))
            .unwrap();
    }
    for codename in ["KESTREL", "HAWK"] {
        let closure = Closure::new(
            "Gross misconduct proven",
            &format!("{codename}: audit custody system access monthly"),
        )
        .unwrap();
        u.cf.execute(
            &u.actor("sup"),
            Command::CloseOperation {
                codename: code(codename),
                closure,
            },
        )
        .unwrap();
    }
    u.clock.set("2026-11-10T10:00:00Z");
    u
}

fn sent(codename: &str, department: &str, on: NaiveDate) -> Command {
    Lessons::Disseminate {
        codename: code(codename),
        dissemination: Dissemination::new(department, on, "briefing to the senior team").unwrap(),
    }
    .into()
}

fn answer(codename: &str, department: &str, text: &str) -> Command {
    Lessons::RecordResponse {
        codename: code(codename),
        response: Response::new(department, text).unwrap(),
    }
    .into()
}

/// The register's own rows, as sqlite sees them.
fn rows(u: &Unit) -> String {
    let conn = raw_conn(&u.path);
    conn.query_row(
        "SELECT json_array(
            (SELECT json_group_array(json_array(operation_id, department, disseminated_on, means)) FROM lesson_dissemination),
            (SELECT json_group_array(json_array(dissemination_id, response)) FROM lesson_response))",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn closed_operations_are_listed_to_those_who_may_see_them() {
    let mut u = unit();
    let codes = |u: &mut Unit, who: &str| -> Vec<String> {
        let actor = u.actor(who);
        u.cf.lessons(&actor)
            .unwrap()
            .into_iter()
            .map(|l| l.codename.to_string())
            .collect()
    };
    // Most recently closed first; OSPREY is open, so it has no lessons yet.
    assert_eq!(codes(&mut u, "sup"), ["HAWK", "KESTREL"]);
    assert_eq!(codes(&mut u, "aud"), ["HAWK", "KESTREL"]);
    assert_eq!(codes(&mut u, "lead"), ["KESTREL"]);
    assert_eq!(codes(&mut u, "outsider"), ["HAWK"]);
    assert!(codes(&mut u, "ao").is_empty());
    let admin = u.admin.clone();
    assert!(matches!(u.cf.lessons(&admin), Err(Error::Denied { .. })));

    // A lesson hidden by need-to-know is reported as if it did not exist.
    let lead = u.actor("lead");
    let hidden = u.cf.open_lesson(&lead, &code("HAWK")).unwrap_err();
    assert_eq!(
        hidden.to_string(),
        "there is no operation 'HAWK' that you may see"
    );
    let missing = u.cf.open_lesson(&lead, &code("WREN")).unwrap_err();
    assert_eq!(
        missing.to_string(),
        "there is no operation 'WREN' that you may see"
    );
}

#[test]
fn where_lessons_went_and_what_came_back_is_recorded_and_shown() {
    let mut u = unit();
    let (lead, sup) = (u.actor("lead"), u.actor("sup"));
    let start = seen(&u.path);
    u.cf.execute(&lead, sent("KESTREL", "Custody", day(3, 11)))
        .unwrap();
    u.cf.execute(&sup, sent("KESTREL", "Response policing", day(10, 11)))
        .unwrap();
    u.cf.execute(&sup, answer("KESTREL", " custody ", "Monthly audits began"))
        .unwrap();
    assert_eq!(
        since(&u.path, start),
        [
            ev("lead", "lesson.disseminate", "lesson", "KESTREL", "ok"),
            ev("sup", "lesson.disseminate", "lesson", "KESTREL", "ok"),
            ev("sup", "lesson.response", "lesson", "KESTREL", "ok"),
        ]
    );
    let details = details_since(&u.path, start);
    assert_eq!(details[0]["department"], "Custody");
    assert_eq!(details[0]["on"], "2026-11-03");
    // The response is filed against the department as first written.
    assert_eq!(details[2]["department"], "Custody");

    let row = u.cf.lessons(&lead).unwrap().remove(0);
    assert_eq!((row.disseminations, row.responses), (2, 1));
    let before = seen(&u.path);
    let record = u.cf.open_lesson(&lead, &code("KESTREL")).unwrap();
    assert_eq!(
        since(&u.path, before),
        [ev("lead", "view", "lesson", "KESTREL", "ok")],
        "opening a lesson is a consultation, logged"
    );
    assert_eq!(record.outcome, "Gross misconduct proven");
    assert_eq!(
        record.row.lessons,
        "KESTREL: audit custody system access monthly"
    );
    let to: Vec<_> = record
        .disseminated
        .iter()
        .map(|d| {
            (
                d.department.as_str(),
                d.on.as_str(),
                d.recorded_by.as_str(),
                d.response.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        to,
        [
            (
                "Custody",
                "03/11/2026",
                "lead",
                Some("Monthly audits began")
            ),
            ("Response policing", "10/11/2026", "sup", None),
        ]
    );
}

#[test]
fn every_refusal_says_why_and_leaves_the_file_as_it_was() {
    let mut u = unit();
    let (lead, sup) = (u.actor("lead"), u.actor("sup"));
    u.cf.execute(&lead, sent("KESTREL", "Custody", day(3, 11)))
        .unwrap();
    u.cf.execute(&lead, answer("KESTREL", "Custody", "Adopted"))
        .unwrap();
    let before = (seen(&u.path), rows(&u));
    for (who, command, message) in [
        (
            &lead,
            sent("OSPREY", "Custody", day(3, 11)),
            "operation: OSPREY is not closed: its lessons are recorded when it closes",
        ),
        (
            &lead,
            sent("KESTREL", "Roads", day(1, 11)),
            "disseminated on: 01/11/2026 is before the operation closed on 02/11/2026",
        ),
        (
            &lead,
            sent("KESTREL", "Roads", day(11, 11)),
            "disseminated on: 11/11/2026 is in the future",
        ),
        (
            &sup,
            sent("KESTREL", "CUSTODY", day(4, 11)),
            "department: KESTREL's lessons already went to CUSTODY on 03/11/2026",
        ),
        (
            &sup,
            answer("KESTREL", "Roads", "Noted"),
            "department: KESTREL's lessons have not been sent to Roads: record the dissemination first",
        ),
        (
            &sup,
            answer("KESTREL", "custody", "Again"),
            "department: Custody's response to KESTREL's lessons is already recorded",
        ),
    ] {
        let err = u.cf.execute(who, command).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
        assert_eq!(err.to_string(), message);
        assert_eq!(since(&u.path, before.0), [], "{message}: no event");
        assert_eq!(rows(&u), before.1, "{message}: no row");
    }
}

#[test]
fn only_case_workers_who_may_see_the_operation_record_anything() {
    let mut u = unit();
    for who in ["aud", "ao"] {
        let actor = u.actor(who);
        let before = seen(&u.path);
        let err =
            u.cf.execute(&actor, sent("KESTREL", "Custody", day(3, 11)))
                .unwrap_err();
        assert!(matches!(err, Error::Denied { .. }), "{who}: {err:?}");
        assert!(
            err.to_string()
                .contains("record the dissemination of lessons learned"),
            "{err}"
        );
        // The attempt is in the trail, refused.
        assert_eq!(
            since(&u.path, before),
            [ev(who, "lesson.disseminate", "lesson", "KESTREL", "denied")]
        );
    }
    let admin = u.admin.clone();
    assert!(matches!(
        u.cf.execute(&admin, sent("KESTREL", "Custody", day(3, 11))),
        Err(Error::Denied { .. })
    ));
    // An investigator not on HAWK's team cannot record against it, and is
    // told it does not exist.
    let lead = u.actor("lead");
    let err =
        u.cf.execute(&lead, sent("HAWK", "Custody", day(3, 11)))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no operation 'HAWK' that you may see"
    );
    assert_eq!(
        count(&u.path, "SELECT count(*) FROM lesson_dissemination"),
        0
    );
}

/// Tried as an insider: with a copy of the file and its key, write a
/// dissemination that never happened (to show a lesson was acted on), or
/// quietly rewrite one. The first is a row no event answers for; the
/// second is refused by the file itself.
#[test]
fn a_dissemination_forged_from_outside_is_found_by_check() {
    let mut u = unit();
    let lead = u.actor("lead");
    u.cf.execute(&lead, sent("KESTREL", "Custody", day(3, 11)))
        .unwrap();
    let (_dir, path) = u.close();
    assert!(matches!(
        check_open(&path).check().unwrap(),
        CheckReport::Verified { .. }
    ));

    let out = try_sqlcipher(
        &path,
        "UPDATE lesson_dissemination SET department = 'Professional Standards';",
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a dissemination is never edited"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    sqlcipher(
        &path,
        "INSERT INTO lesson_dissemination
             (operation_id, department, disseminated_on, means, recorded_by, recorded_at)
         SELECT operation_id, 'Professional Standards', '2026-11-04', 'email', recorded_by, recorded_at
         FROM lesson_dissemination;",
    );
    match check_open(&path).check().unwrap() {
        CheckReport::Altered { findings, .. } => {
            assert!(
                findings.iter().any(|f| f.contains("lesson_dissemination")),
                "{findings:?}"
            );
        }
        other => panic!("a forged dissemination went unnoticed: {other:?}"),
    }
}

/// The diary shows lessons not yet disseminated: due 28 days after the
/// closure, to those who may see the operation, overdue after that, and
/// gone once they have gone to a department.
#[test]
fn the_diary_shows_lessons_not_yet_disseminated() {
    use ccu::store::DueKind;
    let mut u = unit();
    let lessons = |u: &mut Unit, who: &str| -> Vec<(String, String, bool, String)> {
        let actor = u.actor(who);
        u.cf.due(&actor, 60)
            .unwrap()
            .into_iter()
            .filter(|d| d.what == DueKind::LessonsNotDisseminated)
            .map(|d| (d.reference, d.due_at, d.overdue, d.why))
            .collect()
    };
    let seen = lessons(&mut u, "lead");
    assert_eq!(seen.len(), 1, "only KESTREL is the lead's: {seen:?}");
    let (reference, due_at, overdue, why) = &seen[0];
    assert_eq!(reference, "KESTREL");
    assert!(due_at.starts_with("2026-11-30T10:00:00"), "{due_at}");
    assert!(!overdue);
    assert!(
        why.contains("closure on 02/11/2026 not yet disseminated"),
        "{why}"
    );
    assert_eq!(lessons(&mut u, "sup").len(), 2, "the supervisor sees both");
    // Overdue once the 28 days are past.
    u.clock.set("2026-12-01T10:00:00Z");
    assert!(lessons(&mut u, "lead")[0].2);
    // Gone once the lessons have gone to a department.
    let lead = u.actor("lead");
    u.cf.execute(&lead, sent("KESTREL", "Custody", day(1, 12)))
        .unwrap();
    assert!(lessons(&mut u, "lead").is_empty());
    assert_eq!(lessons(&mut u, "sup").len(), 1, "HAWK's still wait");
}

#[test]
fn the_lessons_report_is_need_to_know_and_every_read_is_logged() {
    let mut u = unit();
    let sup = u.actor("sup");
    u.cf.execute(&sup, sent("KESTREL", "Custody", day(4, 11)))
        .unwrap();
    u.cf.execute(
        &sup,
        answer("KESTREL", "Custody", "Monthly audits begin in December"),
    )
    .unwrap();
    let report = |u: &mut Unit, who: &str| {
        let actor = u.actor(who);
        u.cf.lessons_report(&actor).unwrap()
    };
    let all = report(&mut u, "sup");
    assert_eq!(
        all.iter().map(|r| r.operation.as_str()).collect::<Vec<_>>(),
        ["HAWK", "KESTREL"]
    );
    let kestrel = &all[1];
    assert_eq!(
        kestrel.lessons,
        "KESTREL: audit custody system access monthly"
    );
    assert_eq!(kestrel.disseminated.len(), 1);
    assert_eq!(kestrel.disseminated[0].department, "Custody");
    assert_eq!(kestrel.disseminated[0].on, "2026-11-04");
    assert_eq!(
        kestrel.disseminated[0].response.as_deref(),
        Some("Monthly audits begin in December")
    );
    assert!(all[0].disseminated.is_empty());

    // The investigator on HAWK alone sees nothing of KESTREL in the report.
    let outsider = report(&mut u, "outsider");
    assert_eq!(
        outsider
            .iter()
            .map(|r| r.operation.as_str())
            .collect::<Vec<_>>(),
        ["HAWK"]
    );

    // Each read is a consultation in the trail, by whoever read it.
    let before = seen(&u.path);
    report(&mut u, "lead");
    assert_eq!(
        since(&u.path, before),
        [ev("lead", "view", "report", "lessons", "ok")]
    );

    // The administrator reads no case content: refused, and the refusal
    // is itself in the trail.
    let before = seen(&u.path);
    let admin = u.admin.clone();
    assert!(matches!(
        u.cf.lessons_report(&admin),
        Err(Error::Denied { .. })
    ));
    let refused = since(&u.path, before);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].4, "denied");
}
