//! The subject risk matrix on a real case file: scores and breakdowns
//! against the matrix, a change to the matrix keeping old assessments'
//! version, the supervisor's queue, the report, every refusal (tried as
//! an insider) leaving the file as it was, and a forged assessment found
//! by `ccu check`.

mod common;

use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::risk::{Characteristic, Finding, Intervention, Matrix, Revision};
use ccu::domain::subject::StaffNumber;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::registers::risk::Command as Risk;
use ccu::store::{CheckReport, Command, Error};
use common::*;

const STAFF: [(&str, &str); 5] = [
    ("lead", "investigator"),
    ("outsider", "investigator"),
    ("sup", "supervisor"),
    ("aud", "auditor"),
    ("ao", "authorising-officer"),
];

fn staff(s: &str) -> StaffNumber {
    StaffNumber::parse(s).unwrap()
}

fn item(summary: &str, subjects: &[&str]) -> NewIntelligence {
    NewIntelligence::new(
        chrono::DateTime::parse_from_rfc3339("2026-11-01T09:00:00Z")
            .unwrap()
            .to_utc(),
        SourceType::PartnerAgency,
        false,
        None,
        Grading::parse("2BP", "").unwrap(),
        Category::AbuseOfAuthority,
        true,
        subjects.iter().map(|s| staff(s)).collect(),
        summary,
        "",
    )
    .unwrap()
}

/// - K100 is a subject of KESTREL (lead's) only: the outsider may not see them;
/// - F200 is linked to nothing: every case worker sees them;
/// - INT-2026-00001 is linked to KESTREL; INT-2026-00002 is about F200 and
///   linked to nothing.
fn unit() -> Unit {
    let clock = TestClock::at("2026-11-02T10:00:00Z");
    let mut u = Unit::at(clock, &sergeants(&STAFF)).logged_in();
    let lead = u.actor("lead");
    for command in [
        Command::AddSubject(serving_pc("K100", "Kerry Shadowfax", "Custody")),
        Command::AddSubject(serving_pc("F200", "Frank Open", "Response")),
        Command::RecordIntelligence(item("Messages to a woman after release", &[])),
        Command::RecordIntelligence(item("Searches on a victim's address", &["F200"])),
        Command::OpenOperation(
            NewOperation::new(
                Codename::parse("KESTREL").unwrap(),
                "Custody contact",
                Category::AbuseOfAuthority,
                Priority::P2,
                username("lead"),
                username("sup"),
                Vec::new(),
                vec![staff("K100")],
            )
            .unwrap(),
        ),
        Command::TriageIntelligence {
            urn: urn(1),
            to: TriageStatus::Assessed,
            operation: None,
            rationale: why("Daily meeting"),
        },
        Command::TriageIntelligence {
            urn: urn(1),
            to: TriageStatus::LinkedToOperation,
            operation: Some(Codename::parse("KESTREL").unwrap()),
            rationale: why("Daily meeting"),
        },
    ] {
        u.cf.execute(&lead, command).unwrap();
    }
    u
}

fn urn(n: u32) -> Urn {
    Urn::parse(UrnKind::Intelligence, &format!("INT-2026-{n:05}")).unwrap()
}

/// An assessment of `who` finding each (code, evidence as typed).
fn assess(who: &str, found: &[(&str, &str)]) -> Command {
    Risk::Assess {
        staff_number: staff(who),
        findings: found
            .iter()
            .map(|(c, e)| Finding::parse(c, e).unwrap())
            .collect(),
        summary: "From the intelligence".into(),
    }
    .into()
}

fn intervene(who: &str, i: Intervention) -> Command {
    Risk::Intervene {
        staff_number: staff(who),
        intervention: i,
        rationale: why("Spoken to the inspector"),
    }
    .into()
}

fn reweigh(code: &str, weight: u32) -> Command {
    Risk::ReviseMatrix {
        revision: Revision::Set(
            Characteristic::new(
                code,
                "Repeated unnecessary contact",
                "Visits and calls",
                weight,
            )
            .unwrap(),
        ),
        reason: why("The force's review of earlier cases"),
    }
    .into()
}

/// Every row of the register's tables.
fn rows(u: &Unit) -> String {
    let conn = raw_conn(&u.path);
    conn.query_row(
        "SELECT json_array(
            (SELECT json_group_array(json_array(version, benchmark)) FROM risk_matrix),
            (SELECT count(*) FROM risk_characteristic),
            (SELECT json_group_array(json_array(subject_id, matrix_id, score)) FROM risk_assessment),
            (SELECT json_group_array(json_array(assessment_id, weight, note)) FROM risk_finding),
            (SELECT json_group_array(json_array(finding_id, intelligence_id)) FROM risk_evidence),
            (SELECT json_group_array(json_array(assessment_id, kind)) FROM risk_intervention))",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_new_case_file_holds_the_default_matrix_as_version_1() {
    let mut u = unit();
    let (now, versions) = u.cf.risk_matrix(&u.actor("lead")).unwrap();
    assert_eq!(now.version, 1);
    assert_eq!(now.matrix, Matrix::default_set());
    assert_eq!(versions.len(), 1);
    assert_eq!(now.made_by, None);
}

#[test]
fn scores_and_breakdowns_come_from_the_matrix_and_a_change_keeps_old_versions() {
    let mut u = unit();
    let (lead, sup) = (u.actor("lead"), u.actor("sup"));
    let found = [
        (
            "victim-contact",
            "INT-2026-00002 three visits after the case closed",
        ),
        ("system-searches", "INT-2026-00002"),
    ];
    u.cf.execute(&lead, assess("F200", &found)).unwrap();
    u.cf.execute(&sup, reweigh("victim-contact", 8)).unwrap();
    u.cf.execute(&lead, assess("F200", &found)).unwrap();

    let r = u.cf.open_risk(&lead, &staff("F200")).unwrap();
    assert_eq!(r.matrix.version, 2);
    assert_eq!(r.row.scores, [9, 12]);
    let (old, new) = (&r.assessments[0], &r.assessments[1]);
    assert_eq!((old.version, old.score, old.benchmark), (1, 9, 12));
    assert_eq!((new.version, new.score), (2, 12));
    let weights = |a: &ccu::store::registers::risk::AssessmentRow| {
        a.findings
            .iter()
            .map(|f| (f.characteristic.clone(), f.weight))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        weights(old),
        [("victim-contact".into(), 5), ("system-searches".into(), 4)]
    );
    assert_eq!(
        weights(new),
        [("victim-contact".into(), 8), ("system-searches".into(), 4)]
    );
    assert_eq!(old.findings[0].intelligence, ["INT-2026-00002"]);
    assert_eq!(old.findings[0].note, "three visits after the case closed");
    assert_eq!(old.assessed_by, "lead");
    // The old version is still there, whole.
    let (_, versions) = u.cf.risk_matrix(&lead).unwrap();
    assert_eq!(versions[1].matrix, Matrix::default_set());
    assert_eq!(versions[0].made_by.as_deref(), Some("sup"));
    // The subject's record shows the trend.
    assert_eq!(
        u.cf.risk_trend(&lead, &staff("F200")).unwrap(),
        Some((vec![9, 12], 12))
    );
    // The trail says what changed.
    let events = all_events(&u.path);
    let (_, matrix, details) = events
        .iter()
        .find(|(_, e, _)| e.1 == "risk.matrix")
        .unwrap();
    assert_eq!(matrix.0, "sup");
    assert_eq!(details["version"], 2);
    assert_eq!(details["change"]["set"], "victim-contact");
}

#[test]
fn the_queue_holds_those_at_or_over_the_benchmark_until_an_intervention() {
    let mut u = unit();
    let (lead, sup) = (u.actor("lead"), u.actor("sup"));
    let queue = |u: &mut Unit| -> Vec<String> {
        u.cf.risks_awaiting_intervention(&u.actor("sup"))
            .unwrap()
            .iter()
            .map(|r| r.staff_number.to_string())
            .collect()
    };
    let twelve = [
        ("victim-contact", "INT-2026-00001"),
        ("social-media", "friend request to the victim"),
        ("avoids-oversight", "no body-worn video"),
    ];
    u.cf.execute(&lead, assess("F200", &[("victim-contact", "x")]))
        .unwrap();
    assert_eq!(queue(&mut u), Vec::<String>::new(), "5 is under 12");
    u.cf.execute(&lead, assess("K100", &twelve)).unwrap();
    assert_eq!(queue(&mut u), ["K100"], "12 is at the benchmark");
    u.cf.execute(&sup, intervene("K100", Intervention::CovertMethods))
        .unwrap();
    assert_eq!(queue(&mut u), Vec::<String>::new(), "decided");
    u.cf.execute(&lead, assess("K100", &twelve)).unwrap();
    assert_eq!(queue(&mut u), ["K100"], "a reassessment waits again");
    // The queue is a supervisor's.
    let err = u.cf.risks_awaiting_intervention(&lead).unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
}

#[test]
fn tried_as_an_insider_every_refusal_says_why_and_leaves_the_file_as_it_was() {
    let mut u = unit();
    let [lead, outsider, sup, aud] = u.actors(["lead", "outsider", "sup", "aud"]);
    u.cf.execute(&lead, assess("F200", &[("victim-contact", "x")]))
        .unwrap();
    u.cf.execute(&sup, intervene("F200", Intervention::ManagementDiscussion))
        .unwrap();
    let before = (seen(&u.path), rows(&u));
    for (who, command, message) in [
        (
            &outsider,
            assess("K100", &[("victim-contact", "x")]),
            "there is no subject 'K100' that you may see",
        ),
        (
            &outsider,
            assess("F200", &[("victim-contact", "INT-2026-00001")]),
            "there is no intelligence item 'INT-2026-00001' that you may see",
        ),
        (
            &outsider,
            assess("F200", &[("victim-contact", "INT-2026-00099")]),
            "there is no intelligence item 'INT-2026-00099' that you may see",
        ),
        (
            &lead,
            reweigh("victim-contact", 9),
            "may not change the risk matrix",
        ),
        (
            &lead,
            intervene("F200", Intervention::RoleChange),
            "may not record an intervention on a risk assessment",
        ),
        (
            &aud,
            assess("F200", &[("victim-contact", "x")]),
            "may not record a risk assessment of a subject",
        ),
        (
            &sup,
            intervene("F200", Intervention::RoleChange),
            "intervention: F200's latest assessment already has its intervention: reassess to record another",
        ),
        (
            &sup,
            intervene("K100", Intervention::RoleChange),
            "intervention: K100 has not been assessed: an intervention follows an assessment",
        ),
        (
            &lead,
            assess("F200", &[("no-such-thing", "x")]),
            "characteristic: there is no characteristic 'no-such-thing' in the matrix now",
        ),
        (
            &sup,
            Risk::ReviseMatrix {
                revision: Revision::Benchmark(31),
                reason: why("Raise it"),
            }
            .into(),
            "benchmark: 31 is not a benchmark from 1 to 30, the most an assessment can score",
        ),
    ] {
        let err = u.cf.execute(who, command).unwrap_err();
        assert!(err.to_string().contains(message), "{message}: got {err}");
        assert_eq!(rows(&u), before.1, "{message}: no row");
        // A refusal of permission or need-to-know is in the trail as
        // denied; bad input leaves nothing.
        for e in since(&u.path, before.0) {
            assert_eq!(e.4, "denied", "{message}: {e:?}");
        }
    }
    // The hidden item and the missing one are refused alike, and the
    // outsider's report shows neither K100 nor KESTREL's intelligence.
    u.cf.execute(
        &lead,
        assess(
            "F200",
            &[("victim-contact", "INT-2026-00001 INT-2026-00002")],
        ),
    )
    .unwrap();
    let report = u.cf.risk_report(&outsider).unwrap();
    assert!(
        report.iter().all(|r| r.staff_number == "F200"),
        "{report:?}"
    );
    let cited: Vec<&String> = report
        .iter()
        .flat_map(|r| &r.findings)
        .flat_map(|f| &f.intelligence)
        .collect();
    assert_eq!(cited, ["INT-2026-00002"]);
    let lead_sees = u.cf.risk_report(&lead).unwrap();
    assert!(
        lead_sees
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.intelligence.contains(&"INT-2026-00001".to_owned()))
    );
}

#[test]
fn an_assessment_forged_from_outside_is_found_by_check() {
    let mut u = unit();
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        assess("F200", &[("victim-contact", "INT-2026-00002")]),
    )
    .unwrap();
    let (_dir, path) = u.close();
    assert!(matches!(
        check_open(&path).check().unwrap(),
        CheckReport::Verified { .. }
    ));
    let out = try_sqlcipher(&path, "UPDATE risk_assessment SET score = 0;");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a risk assessment is never edited"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sqlcipher(
        &path,
        "INSERT INTO risk_assessment (subject_id, matrix_id, score, summary, assessed_by, assessed_at)
         SELECT subject_id, matrix_id, 30, 'forged', assessed_by, assessed_at FROM risk_assessment;",
    );
    match check_open(&path).check().unwrap() {
        CheckReport::Altered { findings, .. } => {
            assert!(
                findings.iter().any(|f| f.contains("risk_assessment")),
                "{findings:?}"
            );
        }
        other => panic!("a forged assessment went unnoticed: {other:?}"),
    }
}
