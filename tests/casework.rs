//! Casework on a real case file: need-to-know, who may do what, the life of
//! an operation, intelligence and its triage, the decision log, subjects,
//! the consultation log, search, bulk import, and exactly the audit events
//! each of them leaves.

mod common;

use std::path::Path;

use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use ccu::domain::operation::{
    Closure, Codename, Decision, NewOperation, OperationStatus, Priority, TeamPart,
};
use ccu::domain::subject::{StaffNumber, SubjectStatus};
use ccu::domain::text::Rationale;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{
    Actor, CaseFile, CheckReport, Command, Error, IntelligenceRow, OperationRow, Page, SearchKind,
    SubjectRow, format_timestamp,
};
use chrono::{TimeZone, Utc};
use common::*;
use serde_json::json;

// ---------------------------------------------------------------------------
// The unit: a case file with one account per role.

/// Each logged in by [`Unit::staffed`]: `lead` (investigator, KESTREL's
/// lead), `outsider` (investigator on no team), `sup` (supervisor,
/// KESTREL's), `ao` (authorising officer) and `aud` (auditor).
const ONE_PER_ROLE: [(&str, &str); 5] = [
    ("lead", "investigator"),
    ("outsider", "investigator"),
    ("sup", "supervisor"),
    ("ao", "authorising-officer"),
    ("aud", "auditor"),
];

/// Another account with `roles`, logged in.
fn another(u: &mut Unit, name: &str, roles: &str) -> Actor {
    add_user(&mut u.cf, &u.admin, name, roles);
    u.login(name)
}

/// KESTREL, opened by `lead` with supervisor `sup`:
/// - subject K100 (Kerry Shadowfax) is linked to it and to nothing else;
/// - INT-2026-00001 ("marmalade") is linked to it by triage;
/// - INT-2026-00002 ("zeppelin", about subject F200) is linked to nothing;
/// - INT-2026-00003 ("quokka") is assessed and linked to nothing;
/// - its description says "heronry" and decision 1's rationale "pelican".
fn kestrel_world(u: &mut Unit) {
    let lead = u.actor("lead");
    for command in [
        Command::AddSubject(serving_pc("K100", "Kerry Shadowfax", "Custody")),
        Command::AddSubject(serving_pc("F200", "Frank Open", "Roads")),
        Command::RecordIntelligence(intel(
            "Partner report marmalade",
            "The marmalade account in full",
            &[],
        )),
        Command::RecordIntelligence(intel(
            "Colleague report zeppelin",
            "Seen at the zeppelin",
            &["F200"],
        )),
        Command::RecordIntelligence(intel("Alert quokka", "", &[])),
        Command::OpenOperation(operation(
            "KESTREL",
            "lead",
            "sup",
            &[],
            &["K100"],
            "Custody suite heronry inquiry",
        )),
        triage("INT-2026-00001", TriageStatus::Assessed, None),
        triage(
            "INT-2026-00001",
            TriageStatus::LinkedToOperation,
            Some("KESTREL"),
        ),
        triage("INT-2026-00003", TriageStatus::Assessed, None),
        Command::RecordDecision {
            codename: code("KESTREL"),
            decision: decision(
                "Request monitoring capture",
                "A pelican pattern of searches",
                None,
            ),
        },
    ] {
        u.cf.execute(&lead, command).unwrap();
    }
}

// ---------------------------------------------------------------------------
// Building commands.

fn code(text: &str) -> Codename {
    Codename::parse(text).unwrap()
}

fn staff(text: &str) -> StaffNumber {
    StaffNumber::parse(text).unwrap()
}

fn int_urn(text: &str) -> Urn {
    Urn::parse(UrnKind::Intelligence, text).unwrap()
}

fn received() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap()
}

/// When everything in these tests happens (the fixed clock), as stored.
fn now() -> String {
    format_timestamp(fixed_clock()())
}

fn new_intel(
    reference: Option<&str>,
    summary: &str,
    full_text: &str,
    subjects: &[&str],
) -> NewIntelligence {
    NewIntelligence::new(
        received(),
        SourceType::PartnerAgency,
        false,
        reference.map(str::to_owned),
        Grading::parse("2BP", "").unwrap(),
        Category::AbuseOfAuthority,
        true,
        subjects.iter().map(|s| staff(s)).collect(),
        summary,
        full_text,
    )
    .unwrap()
}

fn intel(summary: &str, full_text: &str, subjects: &[&str]) -> NewIntelligence {
    new_intel(None, summary, full_text, subjects)
}

fn operation(
    codename: &str,
    lead: &str,
    supervisor: &str,
    team: &[&str],
    subjects: &[&str],
    description: &str,
) -> NewOperation {
    NewOperation::new(
        code(codename),
        description,
        Category::AbuseOfAuthority,
        Priority::P2,
        username(lead),
        username(supervisor),
        team.iter().map(|t| username(t)).collect(),
        subjects.iter().map(|s| staff(s)).collect(),
    )
    .unwrap()
}

fn decision(text: &str, rationale: &str, corrects: Option<u32>) -> Decision {
    Decision::new(text, rationale, "Doing nothing", corrects).unwrap()
}

fn triage(urn: &str, to: TriageStatus, operation: Option<&str>) -> Command {
    Command::TriageIntelligence {
        urn: int_urn(urn),
        to,
        operation: operation.map(code),
        rationale: why(&format!("Daily meeting: {}", to.code())),
    }
}

fn status(codename: &str, to: OperationStatus) -> Command {
    Command::ChangeOperationStatus {
        codename: code(codename),
        to,
        reason: why(&format!("Moving to {}", to.code())),
    }
}

fn record_decision(codename: &str, d: Decision) -> Command {
    Command::RecordDecision {
        codename: code(codename),
        decision: d,
    }
}

fn team_add(codename: &str, name: &str, part: TeamPart) -> Command {
    Command::AddToTeam {
        codename: code(codename),
        username: username(name),
        part,
    }
}

fn team_remove(codename: &str, name: &str) -> Command {
    Command::RemoveFromTeam {
        codename: code(codename),
        username: username(name),
    }
}

fn close(codename: &str) -> Command {
    Command::CloseOperation {
        codename: code(codename),
        closure: Closure::new(
            "Gross misconduct proven; dismissed",
            "Audit custody system access monthly",
        )
        .unwrap(),
    }
}

// ---------------------------------------------------------------------------
// Lists, whole.

fn operations(cf: &mut CaseFile, who: &Actor) -> ccu::store::Result<Vec<OperationRow>> {
    cf.operations(who, Page::ALL)
}

fn intelligence(cf: &mut CaseFile, who: &Actor) -> ccu::store::Result<Vec<IntelligenceRow>> {
    cf.intelligence_items(who, Page::ALL)
}

fn subjects(cf: &mut CaseFile, who: &Actor) -> ccu::store::Result<Vec<SubjectRow>> {
    cf.subjects(who, Page::ALL)
}

fn codenames(cf: &mut CaseFile, who: &Actor) -> Vec<String> {
    operations(cf, who)
        .unwrap()
        .into_iter()
        .map(|o| o.codename.to_string())
        .collect()
}

fn urns(cf: &mut CaseFile, who: &Actor) -> Vec<String> {
    let mut urns: Vec<String> = intelligence(cf, who)
        .unwrap()
        .into_iter()
        .map(|i| i.urn.to_string())
        .collect();
    urns.sort();
    urns
}

fn staff_numbers(cf: &mut CaseFile, who: &Actor) -> Vec<String> {
    subjects(cf, who)
        .unwrap()
        .into_iter()
        .map(|s| s.staff_number.to_string())
        .collect()
}

/// The references a search finds, as (kind, reference).
fn found(cf: &mut CaseFile, who: &Actor, query: &str) -> Vec<(SearchKind, String)> {
    cf.search(who, query, 50)
        .unwrap()
        .into_iter()
        .map(|h| (h.kind, h.reference))
        .collect()
}

// ---------------------------------------------------------------------------
// The audit trail and the rows.

/// Everything casework writes, as one text, to show nothing changed.
fn state(path: &Path) -> String {
    let conn = raw_conn(path);
    [
        "SELECT json_group_array(json_array(urn, triage, operation_id, summary)) FROM intelligence",
        "SELECT json_group_array(json_array(intelligence_id, subject_id)) FROM intelligence_subject",
        "SELECT json_group_array(json_array(intelligence_id, to_status, operation_id)) FROM triage_decision",
        "SELECT json_group_array(json_array(staff_number, name, department, role, status)) FROM subject",
        "SELECT json_group_array(json_array(codename, status, outcome, lessons_learned)) FROM operation",
        "SELECT json_group_array(json_array(operation_id, user_id, part, removed_at)) FROM operation_member",
        "SELECT json_group_array(json_array(operation_id, subject_id)) FROM operation_subject",
        "SELECT json_group_array(json_array(operation_id, number, decision, corrects)) FROM decision_log_entry",
        "SELECT json_group_array(json_array(kind, year, last)) FROM urn_counter",
        "SELECT json_group_array(json_array(username, status)) FROM user_account",
    ]
    .map(|sql| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap())
    .join("\n")
}

/// Asserts that `result` is the refusal of something hidden by
/// need-to-know: `Error::NoSuch` with `message`, exactly the one `denied`
/// event `event` since `before`, whose reason is need to know, and no other
/// change.
fn assert_hidden<T: std::fmt::Debug>(
    u: &Unit,
    before: (usize, &str),
    result: ccu::store::Result<T>,
    message: &str,
    event: Ev,
) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::NoSuch { .. }), "{err:?}");
    assert_eq!(err.to_string(), message);
    assert_eq!(err.exit_code(), 5);
    assert_eq!(since(&u.path, before.0), [event]);
    let reason = details_since(&u.path, before.0)[0]["reason"].clone();
    assert!(
        reason.as_str().unwrap().contains("need to know"),
        "{reason}"
    );
    assert_eq!(state(&u.path), before.1, "a hidden attempt changes nothing");
}

/// Asserts that `result` is the refusal of something that does not exist:
/// `Error::NoSuch` with `message`, and nothing written at all.
fn assert_missing<T: std::fmt::Debug>(
    u: &Unit,
    before: (usize, &str),
    result: ccu::store::Result<T>,
    message: &str,
) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::NoSuch { .. }), "{err:?}");
    assert_eq!(err.to_string(), message);
    assert_eq!(since(&u.path, before.0), [], "nothing to audit");
    assert_eq!(state(&u.path), before.1);
}

/// Asserts that `result` is `Error::Invalid` starting with `message`, and
/// that nothing at all was written.
fn assert_invalid<T: std::fmt::Debug>(
    u: &Unit,
    before: (usize, &str),
    result: ccu::store::Result<T>,
    message: &str,
) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(
        err.to_string().starts_with(message),
        "expected '{message}', got '{err}'"
    );
    assert_eq!(err.exit_code(), 5);
    assert_eq!(since(&u.path, before.0), [], "bad input writes no event");
    assert_eq!(state(&u.path), before.1, "bad input writes no row");
}

/// Asserts that `result` is `Error::Denied` with `message`, exactly the one
/// `denied` event `event`, and no other change.
fn assert_denied<T: std::fmt::Debug>(
    u: &Unit,
    before: (usize, &str),
    result: ccu::store::Result<T>,
    message: &str,
    event: Ev,
) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    assert_eq!(err.to_string(), message);
    assert_eq!(err.exit_code(), 4);
    assert_eq!(since(&u.path, before.0), [event]);
    assert_eq!(
        state(&u.path),
        before.1,
        "a refused command changes nothing"
    );
}

// ---------------------------------------------------------------------------
// 1. Need-to-know.

#[test]
fn need_to_know_hides_an_operation_and_all_that_is_linked_only_through_it() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let kestrel = code("KESTREL");
    let nope = code("NOPE");
    let [outsider, lead] = u.actors(["outsider", "lead"]);

    // Not on the team: it is not listed...
    assert_eq!(codenames(&mut u.cf, &outsider), Vec::<String>::new());
    assert_eq!(codenames(&mut u.cf, &lead), ["KESTREL"]);

    // ...and opening it is answered exactly as for a codename that does not
    // exist, except that the attempt is audited.
    let hidden = u.cf.open_operation(&outsider, &kestrel).unwrap_err();
    let missing = u.cf.open_operation(&outsider, &nope).unwrap_err();
    assert!(matches!(hidden, Error::NoSuch { .. }), "{hidden:?}");
    assert!(matches!(missing, Error::NoSuch { .. }), "{missing:?}");
    assert_eq!(
        hidden.to_string().replace("KESTREL", "NOPE"),
        missing.to_string()
    );
    assert_eq!(hidden.exit_code(), missing.exit_code());

    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.open_operation(&outsider, &kestrel);
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        ev("outsider", "view", "operation", "KESTREL", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.open_operation(&outsider, &nope);
    assert_missing(
        &u,
        (n, &s),
        result,
        "there is no operation 'NOPE' that you may see",
    );

    // Adding a decision to it.
    let n = seen(&u.path);
    let result = u.cf.execute(
        &outsider,
        record_decision("KESTREL", decision("Mine", "Because", None)),
    );
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        ev(
            "outsider",
            "decision.record",
            "operation",
            "KESTREL",
            "denied",
        ),
    );
    let n = seen(&u.path);
    let result = u.cf.execute(
        &outsider,
        record_decision("NOPE", decision("Mine", "Because", None)),
    );
    assert_missing(
        &u,
        (n, &s),
        result,
        "there is no operation 'NOPE' that you may see",
    );

    // Linking intelligence to it by triage.
    let n = seen(&u.path);
    let result = u.cf.execute(
        &outsider,
        triage(
            "INT-2026-00003",
            TriageStatus::LinkedToOperation,
            Some("KESTREL"),
        ),
    );
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        ev(
            "outsider",
            "intelligence.triage",
            "intelligence",
            "INT-2026-00003",
            "denied",
        ),
    );
    let n = seen(&u.path);
    let result = u.cf.execute(
        &outsider,
        triage(
            "INT-2026-00003",
            TriageStatus::LinkedToOperation,
            Some("NOPE"),
        ),
    );
    assert_missing(
        &u,
        (n, &s),
        result,
        "there is no operation 'NOPE' that you may see",
    );

    // Triaging the intelligence linked to it.
    let n = seen(&u.path);
    let result = u.cf.execute(
        &outsider,
        triage("INT-2026-00001", TriageStatus::Filed, None),
    );
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no intelligence item 'INT-2026-00001' that you may see",
        ev(
            "outsider",
            "intelligence.triage",
            "intelligence",
            "INT-2026-00001",
            "denied",
        ),
    );

    // Linking a subject to it.
    let n = seen(&u.path);
    let result = u.cf.execute(
        &outsider,
        Command::LinkSubject {
            codename: code("KESTREL"),
            staff_number: staff("F200"),
        },
    );
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        ev(
            "outsider",
            "operation.subject.link",
            "operation",
            "KESTREL",
            "denied",
        ),
    );

    // The intelligence linked to it, and the subject linked only to it.
    let n = seen(&u.path);
    let result =
        u.cf.open_intelligence(&outsider, &int_urn("INT-2026-00001"));
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no intelligence item 'INT-2026-00001' that you may see",
        ev(
            "outsider",
            "view",
            "intelligence",
            "INT-2026-00001",
            "denied",
        ),
    );
    let n = seen(&u.path);
    let result =
        u.cf.open_intelligence(&outsider, &int_urn("INT-2026-00099"));
    assert_missing(
        &u,
        (n, &s),
        result,
        "there is no intelligence item 'INT-2026-00099' that you may see",
    );
    let n = seen(&u.path);
    let result = u.cf.open_subject(&outsider, &staff("K100"));
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no subject 'K100' that you may see",
        ev("outsider", "view", "subject", "K100", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.open_subject(&outsider, &staff("Z999"));
    assert_missing(
        &u,
        (n, &s),
        result,
        "there is no subject 'Z999' that you may see",
    );

    // Lists and search show none of it; what is linked to nothing shows.
    assert_eq!(
        urns(&mut u.cf, &outsider),
        ["INT-2026-00002", "INT-2026-00003"]
    );
    assert_eq!(u.cf.intelligence_count(&outsider).unwrap(), 2);
    assert_eq!(staff_numbers(&mut u.cf, &outsider), ["F200"]);
    for hidden_word in ["heronry", "pelican", "marmalade", "Shadowfax", "KESTREL"] {
        assert_eq!(
            found(&mut u.cf, &outsider, hidden_word),
            [],
            "{hidden_word}"
        );
    }
    assert_eq!(
        found(&mut u.cf, &outsider, "zeppelin"),
        [(SearchKind::Intelligence, "INT-2026-00002".to_owned())]
    );
    assert_eq!(
        found(&mut u.cf, &outsider, "quokka"),
        [(SearchKind::Intelligence, "INT-2026-00003".to_owned())]
    );

    // A supervisor puts them on the team: all of it becomes visible.
    let n = seen(&u.path);
    let sup = u.actor("sup");
    u.cf.execute(&sup, team_add("KESTREL", "outsider", TeamPart::Team))
        .unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev(
            "sup",
            "operation.team.add",
            "operation",
            "KESTREL",
            "ok"
        )]
    );
    assert_eq!(codenames(&mut u.cf, &outsider), ["KESTREL"]);
    let record = u.cf.open_operation(&outsider, &kestrel).unwrap();
    assert_eq!(record.decisions.len(), 1);
    assert_eq!(
        record
            .intelligence
            .iter()
            .map(|i| i.urn.to_string())
            .collect::<Vec<_>>(),
        ["INT-2026-00001"]
    );
    assert_eq!(
        record
            .subjects
            .iter()
            .map(|s| s.staff_number.as_str())
            .collect::<Vec<_>>(),
        ["K100"]
    );
    assert_eq!(
        found(&mut u.cf, &outsider, "heronry"),
        [(SearchKind::Operation, "KESTREL".to_owned())]
    );
    assert_eq!(
        found(&mut u.cf, &outsider, "pelican"),
        [(SearchKind::Decision, "KESTREL/D1".to_owned())]
    );
    assert_eq!(
        found(&mut u.cf, &outsider, "marmalade"),
        [(SearchKind::Intelligence, "INT-2026-00001".to_owned())]
    );
    assert_eq!(
        found(&mut u.cf, &outsider, "Shadowfax"),
        [(SearchKind::Subject, "K100".to_owned())]
    );
    assert_eq!(
        urns(&mut u.cf, &outsider),
        ["INT-2026-00001", "INT-2026-00002", "INT-2026-00003"]
    );
    assert_eq!(u.cf.intelligence_count(&outsider).unwrap(), 3);
    assert_eq!(staff_numbers(&mut u.cf, &outsider), ["F200", "K100"]);
    u.cf.open_intelligence(&outsider, &int_urn("INT-2026-00001"))
        .unwrap();
    let k100 = u.cf.open_subject(&outsider, &staff("K100")).unwrap();
    assert_eq!(
        k100.operations
            .iter()
            .map(|o| o.codename.as_str())
            .collect::<Vec<_>>(),
        ["KESTREL"]
    );
    let done =
        u.cf.execute(
            &outsider,
            record_decision("KESTREL", decision("Mine", "Because", None)),
        )
        .unwrap();
    assert_eq!(done.details["number"], 2);
    u.cf.execute(
        &outsider,
        triage(
            "INT-2026-00003",
            TriageStatus::LinkedToOperation,
            Some("KESTREL"),
        ),
    )
    .unwrap();

    // Taken off the team: hidden again, including what they linked.
    let n = seen(&u.path);
    u.cf.execute(&sup, team_remove("KESTREL", "outsider"))
        .unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev(
            "sup",
            "operation.team.remove",
            "operation",
            "KESTREL",
            "ok"
        )]
    );
    assert_eq!(codenames(&mut u.cf, &outsider), Vec::<String>::new());
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.open_operation(&outsider, &kestrel);
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        ev("outsider", "view", "operation", "KESTREL", "denied"),
    );
    for hidden_word in ["heronry", "pelican", "marmalade", "Shadowfax", "quokka"] {
        assert_eq!(
            found(&mut u.cf, &outsider, hidden_word),
            [],
            "{hidden_word}"
        );
    }
    assert_eq!(urns(&mut u.cf, &outsider), ["INT-2026-00002"]);
    assert_eq!(u.cf.intelligence_count(&outsider).unwrap(), 1);
    assert_eq!(staff_numbers(&mut u.cf, &outsider), ["F200"]);

    // The team keeps its history: the removal is a time, not a deleted row.
    let record = u.cf.open_operation(&sup, &kestrel).unwrap();
    let former: Vec<_> = record
        .team
        .iter()
        .filter(|m| m.username == "outsider")
        .collect();
    assert_eq!(former.len(), 1);
    assert_eq!(former[0].removed_at.as_deref(), Some(now().as_str()));
}

#[test]
fn supervisors_and_auditors_see_every_operation_authorising_officers_only_when_asked() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let kestrel = code("KESTREL");
    let dci = another(&mut u, "dci", "supervisor");
    let [aud, ao] = u.actors(["aud", "ao"]);

    // A supervisor who is not on the team, and an auditor, see it all.
    for who in [&dci, &aud] {
        assert_eq!(codenames(&mut u.cf, who), ["KESTREL"]);
        let record = u.cf.open_operation(who, &kestrel).unwrap();
        assert_eq!(record.decisions.len(), 1);
        assert_eq!(
            found(&mut u.cf, who, "pelican"),
            [(SearchKind::Decision, "KESTREL/D1".to_owned())]
        );
        assert_eq!(
            urns(&mut u.cf, who),
            ["INT-2026-00001", "INT-2026-00002", "INT-2026-00003"]
        );
        assert_eq!(staff_numbers(&mut u.cf, who), ["F200", "K100"]);
    }
    let members: Vec<_> =
        u.cf.open_operation(&dci, &kestrel)
            .unwrap()
            .team
            .into_iter()
            .map(|m| m.username)
            .collect();
    assert!(!members.contains(&"dci".to_owned()), "{members:?}");

    // An authorising officer not asked to act sees nothing of it.
    assert_eq!(codenames(&mut u.cf, &ao), Vec::<String>::new());
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.open_operation(&ao, &kestrel);
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        ev("ao", "view", "operation", "KESTREL", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.execute(
        &ao,
        record_decision("KESTREL", decision("Grant", "Necessary", None)),
    );
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        ev("ao", "decision.record", "operation", "KESTREL", "denied"),
    );
    assert_eq!(found(&mut u.cf, &ao, "pelican"), []);

    // They cannot be an ordinary team member...
    let n = seen(&u.path);
    let result =
        u.cf.execute(&u.actor("sup"), team_add("KESTREL", "ao", TeamPart::Team));
    assert_invalid(&u, (n, &s), result, "team: ao cannot be team member");

    // ...but once asked to act, they see it and may add to its log.
    u.cf.execute(
        &u.actor("sup"),
        team_add("KESTREL", "ao", TeamPart::AuthorisingOfficer),
    )
    .unwrap();
    assert_eq!(codenames(&mut u.cf, &ao), ["KESTREL"]);
    let record = u.cf.open_operation(&ao, &kestrel).unwrap();
    assert!(
        record
            .team
            .iter()
            .any(|m| m.username == "ao" && m.part == TeamPart::AuthorisingOfficer)
    );
    let done =
        u.cf.execute(
            &ao,
            record_decision("KESTREL", decision("Grant", "Necessary", None)),
        )
        .unwrap();
    assert_eq!(done.details["number"], 2);
    assert_eq!(
        found(&mut u.cf, &ao, "pelican"),
        [(SearchKind::Decision, "KESTREL/D1".to_owned())]
    );
}

#[test]
fn intelligence_linked_to_no_operation_is_visible_to_every_case_role() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let dci = another(&mut u, "dci", "supervisor");
    let readers = [
        u.actor("lead"),
        u.actor("outsider"),
        u.actor("sup"),
        dci,
        u.actor("ao"),
        u.actor("aud"),
    ];
    for who in &readers {
        let visible = urns(&mut u.cf, who);
        for urn in ["INT-2026-00002", "INT-2026-00003"] {
            assert!(visible.contains(&urn.to_owned()), "{who:?}: {visible:?}");
            let record = u.cf.open_intelligence(who, &int_urn(urn)).unwrap();
            assert_eq!(record.row.urn.to_string(), urn);
            assert_eq!(record.row.operation, None);
        }
        // F200 is the subject of free intelligence only.
        assert!(staff_numbers(&mut u.cf, who).contains(&"F200".to_owned()));
    }
}

/// Asserts that `outsider` still cannot see K100 in any way.
fn assert_k100_still_hidden(u: &mut Unit) {
    let outsider = u.actor("outsider");
    let why = "K100 is linked only through KESTREL, which outsider is not on";
    assert_eq!(staff_numbers(&mut u.cf, &outsider), ["F200"], "{why}");
    assert_eq!(found(&mut u.cf, &outsider, "Shadowfax"), [], "{why}");
    let opened = u.cf.open_subject(&outsider, &staff("K100"));
    let err = opened.map(|s| s.details.name).expect_err(why);
    assert_eq!(
        err.to_string(),
        "there is no subject 'K100' that you may see"
    );
}

/// Runs `make(number)` as `outsider` for the unknown Z999 and for K100,
/// which exists but is hidden from them, and asserts that K100 is reported
/// exactly as if it did not exist, that the attempt on it is audited as a
/// need-to-know refusal, and that nothing is written.
fn assert_hidden_subject_not_revealed(u: &mut Unit, make: impl Fn(&str) -> Command) {
    let outsider = u.actor("outsider");
    let s = state(&u.path);
    let n = seen(&u.path);
    let missing = u.cf.execute(&outsider, make("Z999")).unwrap_err();
    assert_eq!(since(&u.path, n), [], "{missing}");
    let result = u.cf.execute(&outsider, make("K100"));
    let events = since(&u.path, n);
    let after = state(&u.path);
    assert_k100_still_hidden(u);
    let err = result.expect_err("a subject one may not see must not be linked to");
    assert_eq!(err.to_string(), missing.to_string().replace("Z999", "K100"));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "outsider");
    assert_eq!(events[0].4, "denied");
    let reason = details_since(&u.path, n)[0]["reason"].clone();
    assert!(
        reason.as_str().unwrap().contains("need to know"),
        "{reason}"
    );
    assert_eq!(after, s, "nothing is written");
}

#[test]
fn naming_a_hidden_subject_in_new_intelligence_does_not_reveal_it() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    assert_k100_still_hidden(&mut u);
    assert_hidden_subject_not_revealed(&mut u, |number| {
        Command::RecordIntelligence(intel("About them", "", &[number]))
    });
}

#[test]
fn naming_a_hidden_subject_in_a_new_operation_does_not_reveal_it() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    assert_hidden_subject_not_revealed(&mut u, |number| {
        Command::OpenOperation(operation("HAWK", "outsider", "sup", &[], &[number], "Hawk"))
    });
}

#[test]
fn naming_a_hidden_subject_in_an_import_does_not_reveal_it() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let outsider = u.actor("outsider");
    let report =
        u.cf.import_intelligence(
            &outsider,
            "ict.csv",
            vec![
                new_intel(Some("ICT-1"), "About them", "", &["K100"]),
                new_intel(Some("ICT-2"), "About nobody", "", &["Z999"]),
            ],
        )
        .unwrap();
    assert_k100_still_hidden(&mut u);
    // Reported exactly as the staff number that does not exist.
    assert_eq!(
        report.unknown_staff_numbers,
        [
            ("ICT-1".to_owned(), "K100".to_owned()),
            ("ICT-2".to_owned(), "Z999".to_owned()),
        ]
    );
    assert_eq!(
        count(&u.path, "SELECT count(*) FROM intelligence_subject"),
        1
    );
}

#[test]
fn a_source_reference_already_used_by_a_hidden_item_is_not_revealed_and_the_item_is_recorded() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let [lead, outsider] = u.actors(["lead", "outsider"]);
    let first =
        u.cf.execute(
            &lead,
            Command::RecordIntelligence(new_intel(Some("PSD-77"), "Tip", "", &[])),
        )
        .unwrap();
    let urn = first.reference.clone();
    for (to, op) in [
        (TriageStatus::Assessed, None),
        (TriageStatus::LinkedToOperation, Some("KESTREL")),
    ] {
        u.cf.execute(&lead, triage(&urn, to, op)).unwrap();
    }
    let again = || Command::RecordIntelligence(new_intel(Some("PSD-77"), "Tip again", "", &[]));
    let err = u.cf.execute(&lead, again()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("source reference: 'PSD-77' is already recorded as {urn}")
    );
    // Someone who may not see the first item is told nothing of it: theirs
    // is recorded as a new item, and supervisors see the shared reference.
    let theirs = u.cf.execute(&outsider, again()).unwrap();
    assert_ne!(theirs.reference, urn);
    let sup = u.actor("sup");
    let shared = u.cf.shared_source_references(&sup, 10).unwrap();
    assert_eq!(shared.len(), 1, "{shared:?}");
    // Once it is theirs, a second of their own is a duplicate they may see.
    let err = u.cf.execute(&outsider, again()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "source reference: 'PSD-77' is already recorded as {}",
            theirs.reference
        )
    );
}

// ---------------------------------------------------------------------------
// 2. Administrators read no case content; auditors write nothing.

#[test]
fn an_administrator_cannot_read_case_content_and_each_refusal_is_audited() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let admin = u.admin.clone();
    let message = "permission denied: admin (administrator) may not read case content";
    let s = state(&u.path);

    let n = seen(&u.path);
    let result = intelligence(&mut u.cf, &admin);
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "intelligence", "*", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.intelligence_count(&admin);
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "intelligence", "*", "denied"),
    );
    let n = seen(&u.path);
    let result = operations(&mut u.cf, &admin);
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "operations", "*", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.lessons_learned(&admin);
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "operations", "*", "denied"),
    );
    let n = seen(&u.path);
    let result = subjects(&mut u.cf, &admin);
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "subjects", "*", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.search(&admin, "zeppelin", 10);
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "search", "*", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.open_operation(&admin, &code("KESTREL"));
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "operation", "KESTREL", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.open_intelligence(&admin, &int_urn("INT-2026-00002"));
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "intelligence", "INT-2026-00002", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.open_subject(&admin, &staff("F200"));
    assert_denied(
        &u,
        (n, &s),
        result,
        message,
        ev("admin", "view", "subject", "F200", "denied"),
    );
    let n = seen(&u.path);
    let result = u.cf.execute(
        &admin,
        Command::RecordIntelligence(intel("Admin note", "", &[])),
    );
    assert_denied(
        &u,
        (n, &s),
        result,
        "permission denied: admin (administrator) may not record intelligence",
        ev(
            "admin",
            "intelligence.record",
            "intelligence",
            "new",
            "denied",
        ),
    );
}

#[test]
fn an_auditor_reads_everything_and_can_change_nothing() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let aud = u.actor("aud");
    let mut changed = serving_pc("K100", "Kerry Shadowfax", "Custody");
    changed.department = "Response".into();
    let attempts: Vec<(Command, &str, Ev)> = vec![
        (
            Command::RecordIntelligence(intel("Auditor note", "", &[])),
            "record intelligence",
            ev(
                "aud",
                "intelligence.record",
                "intelligence",
                "new",
                "denied",
            ),
        ),
        (
            Command::ImportIntelligence {
                label: "partner.csv".into(),
                items: vec![new_intel(Some("P-1"), "Imported", "", &[])],
            },
            "record intelligence",
            ev(
                "aud",
                "intelligence.import",
                "import",
                "partner.csv",
                "denied",
            ),
        ),
        (
            triage("INT-2026-00003", TriageStatus::Develop, None),
            "triage intelligence",
            ev(
                "aud",
                "intelligence.triage",
                "intelligence",
                "INT-2026-00003",
                "denied",
            ),
        ),
        (
            Command::AddSubject(serving_pc("A300", "Ann Other", "CID")),
            "add or update subjects",
            ev("aud", "subject.add", "subject", "A300", "denied"),
        ),
        (
            Command::UpdateSubject(changed),
            "add or update subjects",
            ev("aud", "subject.update", "subject", "K100", "denied"),
        ),
        (
            Command::OpenOperation(operation("HAWK", "lead", "sup", &[], &[], "Another")),
            "open an operation",
            ev("aud", "operation.open", "operation", "HAWK", "denied"),
        ),
        (
            status("KESTREL", OperationStatus::ActiveOvert),
            "change an operation's status",
            ev("aud", "operation.status", "operation", "KESTREL", "denied"),
        ),
        (
            close("KESTREL"),
            "close an operation",
            ev("aud", "operation.close", "operation", "KESTREL", "denied"),
        ),
        (
            team_add("KESTREL", "outsider", TeamPart::Team),
            "allocate an operation's team",
            ev(
                "aud",
                "operation.team.add",
                "operation",
                "KESTREL",
                "denied",
            ),
        ),
        (
            team_remove("KESTREL", "lead"),
            "allocate an operation's team",
            ev(
                "aud",
                "operation.team.remove",
                "operation",
                "KESTREL",
                "denied",
            ),
        ),
        (
            Command::LinkSubject {
                codename: code("KESTREL"),
                staff_number: staff("F200"),
            },
            "link subjects to an operation or to intelligence",
            ev(
                "aud",
                "operation.subject.link",
                "operation",
                "KESTREL",
                "denied",
            ),
        ),
        (
            record_decision("KESTREL", decision("Audit", "Oversight", None)),
            "add to a decision log",
            ev("aud", "decision.record", "operation", "KESTREL", "denied"),
        ),
        (
            record_decision("KESTREL", decision("Audit", "Oversight", Some(1))),
            "add to a decision log",
            ev("aud", "decision.record", "operation", "KESTREL", "denied"),
        ),
    ];
    let s = state(&u.path);
    for (command, phrase, event) in attempts {
        let n = seen(&u.path);
        let result = u.cf.execute(&aud, command);
        assert_denied(
            &u,
            (n, &s),
            result,
            &format!("permission denied: aud (auditor) may not {phrase}"),
            event,
        );
        let reason = details_since(&u.path, n)[0]["reason"].clone();
        assert_eq!(reason, "no role held permits this");
    }
    // Reading is what auditors do.
    assert_eq!(codenames(&mut u.cf, &aud), ["KESTREL"]);
    u.cf.open_operation(&aud, &code("KESTREL")).unwrap();
}

// ---------------------------------------------------------------------------
// 3. Only a supervisor changes status, closes, allocates the team.

#[test]
fn only_a_supervisor_changes_status_closes_or_allocates_the_team() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let s = state(&u.path);
    for who in [u.actor("lead"), u.actor("ao")] {
        let name = who.username().to_string();
        let roles = who.roles().to_string();
        let ao_on_team = name == "ao";
        if ao_on_team {
            // Even on the team, an authorising officer may not run it.
            u.cf.execute(
                &u.actor("sup"),
                team_add("KESTREL", "ao", TeamPart::AuthorisingOfficer),
            )
            .unwrap();
        }
        let s = if ao_on_team {
            state(&u.path)
        } else {
            s.clone()
        };
        for (command, phrase, action) in [
            (
                status("KESTREL", OperationStatus::ActiveOvert),
                "change an operation's status",
                "operation.status",
            ),
            (close("KESTREL"), "close an operation", "operation.close"),
            (
                team_add("KESTREL", "outsider", TeamPart::Team),
                "allocate an operation's team",
                "operation.team.add",
            ),
            (
                team_remove("KESTREL", "lead"),
                "allocate an operation's team",
                "operation.team.remove",
            ),
        ] {
            let n = seen(&u.path);
            let result = u.cf.execute(&who, command);
            assert_denied(
                &u,
                (n, &s),
                result,
                &format!("permission denied: {name} ({roles}) may not {phrase}"),
                ev(&name, action, "operation", "KESTREL", "denied"),
            );
        }
    }
    // The supervisor may.
    let sup = u.actor("sup");
    u.cf.execute(&sup, team_add("KESTREL", "outsider", TeamPart::Team))
        .unwrap();
    u.cf.execute(&sup, status("KESTREL", OperationStatus::ActiveOvert))
        .unwrap();
    u.cf.execute(&sup, close("KESTREL")).unwrap();
}

// ---------------------------------------------------------------------------
// 4. The life of an operation.

#[test]
fn an_operation_opens_in_scoping_with_its_team_and_a_new_urn() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    let inv2 = another(&mut u, "inv2", "investigator");
    let dci = another(&mut u, "dci", "supervisor");
    let lead = u.actor("lead");

    // Opened by its lead, with a team member.
    let n = seen(&u.path);
    let done =
        u.cf.execute(
            &lead,
            Command::OpenOperation(operation(
                "KESTREL",
                "lead",
                "sup",
                &["inv2", "lead"],
                &[],
                "Custody suite inquiry",
            )),
        )
        .unwrap();
    assert_eq!(done.reference, "KESTREL");
    assert_eq!(done.seq, last_seq(&u.path));
    assert_eq!(done.details["urn"], "OP-2026-0001");
    assert_eq!(done.details["status"], "scoping");
    assert_eq!(done.details["team"], json!(["inv2"]));
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "operation.open", "operation", "KESTREL", "ok")]
    );
    let record = u.cf.open_operation(&lead, &code("KESTREL")).unwrap();
    assert_eq!(record.row.urn.to_string(), "OP-2026-0001");
    assert_eq!(record.row.status, OperationStatus::Scoping);
    assert_eq!(record.row.lead, "lead");
    assert_eq!(record.row.opened_at, now());
    let mut team: Vec<(String, TeamPart)> = record
        .team
        .iter()
        .map(|m| (m.username.clone(), m.part))
        .collect();
    team.sort();
    assert_eq!(
        team,
        [
            ("inv2".to_owned(), TeamPart::Team),
            ("lead".to_owned(), TeamPart::Lead),
            ("sup".to_owned(), TeamPart::Supervisor),
        ]
    );

    // An investigator who opens one without naming themselves joins its
    // team, so they can see what they opened.
    u.cf.execute(
        &inv2,
        Command::OpenOperation(operation("HAWK", "lead", "sup", &[], &[], "Second")),
    )
    .unwrap();
    let record = u.cf.open_operation(&inv2, &code("HAWK")).unwrap();
    assert_eq!(record.row.urn.to_string(), "OP-2026-0002");
    assert!(
        record
            .team
            .iter()
            .any(|m| m.username == "inv2" && m.part == TeamPart::Team)
    );

    // A supervisor sees every operation anyway, so is not added.
    u.cf.execute(
        &dci,
        Command::OpenOperation(operation("OSPREY", "lead", "sup", &[], &[], "Third")),
    )
    .unwrap();
    let record = u.cf.open_operation(&dci, &code("OSPREY")).unwrap();
    assert_eq!(record.row.urn.to_string(), "OP-2026-0003");
    assert!(record.team.iter().all(|m| m.username != "dci"));
    assert_eq!(record.team.len(), 2);

    // A codename is never reused, and bad team members are refused.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(
        &lead,
        Command::OpenOperation(operation("Op Kestrel", "lead", "sup", &[], &[], "Again")),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "codename: KESTREL is already in use; codenames are never reused",
    );
    let result = u.cf.execute(
        &lead,
        Command::OpenOperation(operation(
            "WREN",
            "lead",
            "inv2",
            &[],
            &[],
            "Bad supervisor",
        )),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "team: inv2 cannot be supervisor: that needs the supervisor role",
    );
    let result = u.cf.execute(
        &lead,
        Command::OpenOperation(operation(
            "WREN",
            "lead",
            "sup",
            &[],
            &["Z999"],
            "No subject",
        )),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "subjects: there is no subject with staff number Z999",
    );
    // The failed attempts used no URN: the next one is 0004.
    let done =
        u.cf.execute(
            &lead,
            Command::OpenOperation(operation("WREN", "lead", "sup", &[], &[], "Fourth")),
        )
        .unwrap();
    assert_eq!(done.details["urn"], "OP-2026-0004");
}

#[test]
fn an_operation_moves_through_its_statuses_and_closes_only_with_outcome_and_lessons() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let sup = u.actor("sup");
    let kestrel = code("KESTREL");

    for (to, from) in [
        (OperationStatus::ActiveOvert, "scoping"),
        (OperationStatus::ActiveCovert, "active-overt"),
        (OperationStatus::Suspended, "active-covert"),
    ] {
        let n = seen(&u.path);
        let done = u.cf.execute(&sup, status("KESTREL", to)).unwrap();
        assert_eq!(
            done.details,
            json!({
                "before": { "status": from },
                "after": { "status": to.code() },
                "reason": format!("Moving to {}", to.code()),
            })
        );
        assert_eq!(
            since(&u.path, n),
            [ev("sup", "operation.status", "operation", "KESTREL", "ok")]
        );
        assert_eq!(u.cf.open_operation(&sup, &kestrel).unwrap().row.status, to);
    }

    let s = state(&u.path);
    let n = seen(&u.path);
    // Closing is not a status change: it needs an outcome and lessons.
    let result =
        u.cf.execute(&sup, status("KESTREL", OperationStatus::Closed));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "status: closing needs an outcome and lessons learned: close the operation instead",
    );
    let result =
        u.cf.execute(&sup, status("KESTREL", OperationStatus::Suspended));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "status: the operation is already suspended",
    );
    // A blank reason is refused where it is made: no command carries one.
    assert_eq!(
        Rationale::new("reason", "  ").unwrap_err().to_string(),
        "reason: is required"
    );
    assert_eq!(Closure::new("", "Lessons").unwrap_err().field, "outcome");
    assert_eq!(
        Closure::new("Outcome", " ").unwrap_err().field,
        "lessons learned"
    );

    let done = u.cf.execute(&sup, close("KESTREL")).unwrap();
    assert_eq!(done.details["before"]["status"], "suspended");
    assert_eq!(done.details["after"]["status"], "closed");
    assert_eq!(
        done.details["lessons_learned"],
        "Audit custody system access monthly"
    );
    let record = u.cf.open_operation(&sup, &kestrel).unwrap();
    assert_eq!(record.row.status, OperationStatus::Closed);
    assert_eq!(
        record.outcome.as_deref(),
        Some("Gross misconduct proven; dismissed")
    );
    assert_eq!(
        record.lessons_learned.as_deref(),
        Some("Audit custody system access monthly")
    );
    assert_eq!(record.closed_at.as_deref(), Some(now().as_str()));

    // A closed operation stays closed, and its team is final.
    let s = state(&u.path);
    let n = seen(&u.path);
    for to in [
        OperationStatus::ActiveOvert,
        OperationStatus::ActiveCovert,
        OperationStatus::Suspended,
        OperationStatus::Scoping,
    ] {
        let result = u.cf.execute(&sup, status("KESTREL", to));
        assert_invalid(
            &u,
            (n, &s),
            result,
            "status: a closed operation stays closed",
        );
    }
    let result = u.cf.execute(&sup, close("KESTREL"));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "status: a closed operation stays closed",
    );
    let result =
        u.cf.execute(&sup, team_add("KESTREL", "outsider", TeamPart::Team));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "operation: KESTREL is closed: its team is final",
    );
    let result = u.cf.execute(&sup, team_remove("KESTREL", "lead"));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "operation: KESTREL is closed: its team is final",
    );
    // Its codename is still never reused.
    let result = u.cf.execute(
        &u.actor("lead"),
        Command::OpenOperation(operation("KESTREL", "lead", "sup", &[], &[], "Again")),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "codename: KESTREL is already in use; codenames are never reused",
    );
}

#[test]
fn lessons_learned_lists_only_closed_operations_that_may_be_seen() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let [sup, lead, outsider, aud, ao] = u.actors(["sup", "lead", "outsider", "aud", "ao"]);
    u.cf.execute(
        &outsider,
        Command::OpenOperation(operation("HAWK", "outsider", "sup", &[], &[], "Hawk")),
    )
    .unwrap();
    u.cf.execute(
        &lead,
        Command::OpenOperation(operation("OSPREY", "lead", "sup", &[], &[], "Osprey")),
    )
    .unwrap();
    assert!(u.cf.lessons_learned(&sup).unwrap().is_empty());
    u.cf.execute(&sup, close("KESTREL")).unwrap();
    u.cf.execute(&sup, close("HAWK")).unwrap();

    let codes = |cf: &mut CaseFile, who: &Actor| -> Vec<String> {
        let mut c: Vec<String> = cf
            .lessons_learned(who)
            .unwrap()
            .into_iter()
            .map(|l| l.codename.to_string())
            .collect();
        c.sort();
        c
    };
    assert_eq!(codes(&mut u.cf, &sup), ["HAWK", "KESTREL"]);
    assert_eq!(codes(&mut u.cf, &aud), ["HAWK", "KESTREL"]);
    assert_eq!(codes(&mut u.cf, &lead), ["KESTREL"]);
    assert_eq!(codes(&mut u.cf, &outsider), ["HAWK"]);
    assert!(codes(&mut u.cf, &ao).is_empty());
    let kestrel =
        u.cf.lessons_learned(&lead)
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
    assert_eq!(kestrel.urn.to_string(), "OP-2026-0001");
    assert_eq!(kestrel.outcome, "Gross misconduct proven; dismissed");
    assert_eq!(
        kestrel.lessons_learned,
        "Audit custody system access monthly"
    );
    assert_eq!(kestrel.closed_at, now());
}

#[test]
fn the_last_lead_or_supervisor_cannot_be_taken_off_the_team() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let sup = u.actor("sup");
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(&sup, team_remove("KESTREL", "lead"));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "team: lead is KESTREL's only lead: add another lead first",
    );
    let result = u.cf.execute(&sup, team_remove("KESTREL", "outsider"));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "team: outsider is not on KESTREL's team",
    );
    let result =
        u.cf.execute(&sup, team_add("KESTREL", "lead", TeamPart::Team));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "team: lead is already on KESTREL's team (lead)",
    );
    u.cf.execute(&sup, team_add("KESTREL", "outsider", TeamPart::Lead))
        .unwrap();
    u.cf.execute(&sup, team_remove("KESTREL", "lead")).unwrap();
    let record = u.cf.open_operation(&sup, &code("KESTREL")).unwrap();
    assert_eq!(record.row.lead, "outsider");
}

// ---------------------------------------------------------------------------
// 5. Intelligence and triage.

#[test]
fn recording_intelligence_issues_sequential_urns_and_refuses_unknown_subjects() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        Command::AddSubject(serving_pc("K100", "Kerry Shadowfax", "Custody")),
    )
    .unwrap();

    // An unknown staff number: nothing is written, not even a URN.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(
        &lead,
        Command::RecordIntelligence(intel("About a stranger", "", &["K100", "Z999"])),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "subjects: there is no subject with staff number Z999; add the subject first",
    );
    assert_eq!(count(&u.path, "SELECT count(*) FROM intelligence"), 0);
    assert_eq!(
        count(&u.path, "SELECT count(*) FROM intelligence_subject"),
        0
    );

    let mut issued = Vec::new();
    for (i, subjects) in [&["K100"][..], &[], &["k100"]].into_iter().enumerate() {
        let n = seen(&u.path);
        let done =
            u.cf.execute(
                &lead,
                Command::RecordIntelligence(intel(&format!("Report {i}"), "Text", subjects)),
            )
            .unwrap();
        assert_eq!(done.seq, last_seq(&u.path));
        assert_eq!(
            since(&u.path, n),
            [ev(
                "lead",
                "intelligence.record",
                "intelligence",
                &done.reference,
                "ok"
            )]
        );
        assert_eq!(done.details["urn"], done.reference.as_str());
        issued.push(done.reference);
    }
    assert_eq!(
        issued,
        ["INT-2026-00001", "INT-2026-00002", "INT-2026-00003"]
    );

    let record =
        u.cf.open_intelligence(&lead, &int_urn("INT-2026-00001"))
            .unwrap();
    assert_eq!(
        record.subjects,
        [("K100".to_owned(), "Kerry Shadowfax".to_owned())]
    );
    assert_eq!(record.recorded_by, "lead");
    assert_eq!(record.recorded_at, now());
    assert_eq!(record.row.triage, TriageStatus::New);
    assert_eq!(record.row.grading.code(), "2BP");

    // A source reference already recorded is refused, and a refused item
    // uses no URN: the next one is 00005 after 00004.
    let item = new_intel(Some("PARTNER-7"), "Partner referral", "", &[]);
    let done =
        u.cf.execute(&lead, Command::RecordIntelligence(item.clone()))
            .unwrap();
    assert_eq!(done.reference, "INT-2026-00004");
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(&lead, Command::RecordIntelligence(item));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "source reference: 'PARTNER-7' is already recorded as INT-2026-00004",
    );
    let done =
        u.cf.execute(&lead, Command::RecordIntelligence(intel("Next", "", &[])))
            .unwrap();
    assert_eq!(done.reference, "INT-2026-00005");
    let all: Vec<String> = {
        let mut v = urns(&mut u.cf, &lead);
        v.dedup();
        v
    };
    assert_eq!(all.len(), 5, "URNs are unique: {all:?}");
}

#[test]
fn triage_follows_its_path_and_records_who_when_and_why() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let [lead, sup] = u.actors(["lead", "sup"]);
    u.cf.execute(&lead, Command::RecordIntelligence(intel("Fourth", "", &[])))
        .unwrap();
    let urn = "INT-2026-00004";

    // An illegal move: invalid, nothing written.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result =
        u.cf.execute(&lead, triage(urn, TriageStatus::Develop, None));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "triage: an item marked 'New' can go only to: assessed",
    );
    assert_eq!(
        Rationale::new("rationale", " ").unwrap_err().to_string(),
        "rationale: is required"
    );
    let result =
        u.cf.execute(&lead, triage(urn, TriageStatus::Assessed, Some("KESTREL")));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "operation: only a link to an operation names one",
    );

    // new -> assessed -> develop -> linked, by different people.
    for (who, to, op) in [
        (&lead, TriageStatus::Assessed, None),
        (&sup, TriageStatus::Develop, None),
    ] {
        let n = seen(&u.path);
        let done = u.cf.execute(who, triage(urn, to, op)).unwrap();
        assert_eq!(done.reference, urn);
        assert_eq!(
            since(&u.path, n),
            [ev(
                who.username().as_str(),
                "intelligence.triage",
                "intelligence",
                urn,
                "ok"
            )]
        );
    }
    let s = state(&u.path);
    let n = seen(&u.path);
    let result =
        u.cf.execute(&lead, triage(urn, TriageStatus::LinkedToOperation, None));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "operation: name the operation to link the item to",
    );
    let done =
        u.cf.execute(
            &lead,
            triage(urn, TriageStatus::LinkedToOperation, Some("KESTREL")),
        )
        .unwrap();
    assert_eq!(
        done.details,
        json!({
            "before": { "triage": "develop" },
            "after": { "triage": "linked", "operation": "KESTREL" },
            "rationale": "Daily meeting: linked",
        })
    );

    let record = u.cf.open_intelligence(&lead, &int_urn(urn)).unwrap();
    assert_eq!(record.row.triage, TriageStatus::LinkedToOperation);
    assert_eq!(record.row.operation, Some(code("KESTREL")));
    let history: Vec<_> = record
        .triage_history
        .iter()
        .map(|t| {
            (
                t.from,
                t.to,
                t.operation.as_ref().map(ToString::to_string),
                t.rationale.clone(),
                t.decided_by.clone(),
                t.decided_at.clone(),
            )
        })
        .collect();
    use TriageStatus::*;
    assert_eq!(
        history,
        [
            (
                New,
                Assessed,
                None,
                "Daily meeting: assessed".to_owned(),
                "lead".to_owned(),
                now()
            ),
            (
                Assessed,
                Develop,
                None,
                "Daily meeting: develop".to_owned(),
                "sup".to_owned(),
                now()
            ),
            (
                Develop,
                LinkedToOperation,
                Some("KESTREL".to_owned()),
                "Daily meeting: linked".to_owned(),
                "lead".to_owned(),
                now()
            ),
        ]
    );
    // The operation shows it.
    let op = u.cf.open_operation(&lead, &code("KESTREL")).unwrap();
    let mut linked: Vec<_> = op.intelligence.iter().map(|i| i.urn.to_string()).collect();
    linked.sort();
    assert_eq!(linked, ["INT-2026-00001", urn]);

    // Linked is final.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(&lead, triage(urn, TriageStatus::Filed, None));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "triage: an item marked 'Linked to an operation' is final",
    );

    // The rows themselves refuse to be edited.
    let conn = raw_conn(&u.path);
    let err = conn
        .execute("UPDATE triage_decision SET rationale = 'rewritten'", [])
        .unwrap_err();
    assert!(err.to_string().contains("never edited"), "{err}");
    let err = conn.execute("DELETE FROM triage_decision", []).unwrap_err();
    assert!(err.to_string().contains("never deleted"), "{err}");
}

#[test]
fn intelligence_cannot_be_linked_to_a_closed_operation() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let lead = u.actor("lead");
    u.cf.execute(&u.actor("sup"), close("KESTREL")).unwrap();
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(
        &lead,
        triage(
            "INT-2026-00003",
            TriageStatus::LinkedToOperation,
            Some("KESTREL"),
        ),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "operation: KESTREL is closed; intelligence cannot be linked to a closed operation",
    );
    let record =
        u.cf.open_intelligence(&lead, &int_urn("INT-2026-00003"))
            .unwrap();
    assert_eq!(record.row.triage, TriageStatus::Assessed);
    assert_eq!(record.triage_history.len(), 1);
}

// ---------------------------------------------------------------------------
// 6. The decision log.

#[test]
fn the_decision_log_is_numbered_and_corrected_by_new_entries_never_edited() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    let [lead, sup] = u.actors(["lead", "sup"]);
    u.cf.execute(
        &lead,
        Command::OpenOperation(operation("KESTREL", "lead", "sup", &[], &[], "One")),
    )
    .unwrap();
    u.cf.execute(
        &lead,
        Command::OpenOperation(operation("HAWK", "lead", "sup", &[], &[], "Two")),
    )
    .unwrap();

    for (i, text) in ["Scope the inquiry", "Request ICT capture", "Interview"]
        .into_iter()
        .enumerate()
    {
        let n = seen(&u.path);
        let done =
            u.cf.execute(
                &lead,
                record_decision("KESTREL", decision(text, "Reason", None)),
            )
            .unwrap();
        assert_eq!(done.reference, "KESTREL");
        assert_eq!(done.details["number"], i + 1);
        assert_eq!(
            since(&u.path, n),
            [ev("lead", "decision.record", "operation", "KESTREL", "ok")]
        );
    }
    // Numbering is per operation.
    let done =
        u.cf.execute(
            &lead,
            record_decision("HAWK", decision("First", "Reason", None)),
        )
        .unwrap();
    assert_eq!(done.details["number"], 1);

    // A correction is a new entry pointing at the old one.
    let done =
        u.cf.execute(
            &sup,
            record_decision(
                "KESTREL",
                decision("Scope the inquiry to 2025 only", "Data retention", Some(1)),
            ),
        )
        .unwrap();
    assert_eq!(done.details["number"], 4);
    assert_eq!(done.details["corrects"], 1);

    let record = u.cf.open_operation(&lead, &code("KESTREL")).unwrap();
    let log: Vec<_> = record
        .decisions
        .iter()
        .map(|d| {
            (
                d.number,
                d.decision.as_str(),
                d.corrects,
                d.corrected_by.clone(),
                d.recorded_by.as_str(),
            )
        })
        .collect();
    assert_eq!(
        log,
        [
            (1, "Scope the inquiry", None, vec![4], "lead"),
            (2, "Request ICT capture", None, vec![], "lead"),
            (3, "Interview", None, vec![], "lead"),
            (4, "Scope the inquiry to 2025 only", Some(1), vec![], "sup"),
        ]
    );
    assert_eq!(record.decisions[0].rationale, "Reason");
    assert_eq!(record.decisions[0].alternatives, "Doing nothing");
    assert_eq!(record.decisions[0].recorded_at, now());

    // Correcting an entry that does not exist.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(
        &lead,
        record_decision("KESTREL", decision("Fix", "Reason", Some(9))),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "corrects: KESTREL's decision log has no entry 9",
    );
    // HAWK's entry 1 is not KESTREL's: numbers are per operation.
    let result = u.cf.execute(
        &lead,
        record_decision("HAWK", decision("Fix", "Reason", Some(2))),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "corrects: HAWK's decision log has no entry 2",
    );

    // Once closed, the log takes corrections only.
    u.cf.execute(&sup, close("KESTREL")).unwrap();
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(
        &lead,
        record_decision("KESTREL", decision("Late", "Reason", None)),
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "operation: KESTREL is closed: its decision log takes only corrections now",
    );
    let done =
        u.cf.execute(
            &lead,
            record_decision(
                "KESTREL",
                decision("Interview was on 3 May", "Typo", Some(3)),
            ),
        )
        .unwrap();
    assert_eq!(done.details["number"], 5);

    // The table itself refuses edits and deletions.
    let conn = raw_conn(&u.path);
    let err = conn
        .execute(
            "UPDATE decision_log_entry SET decision = 'rewritten' WHERE number = 1",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("never edited"), "{err}");
    let err = conn
        .execute("DELETE FROM decision_log_entry WHERE number = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("never deleted"), "{err}");
    assert_eq!(count(&u.path, "SELECT count(*) FROM decision_log_entry"), 6);
}

// ---------------------------------------------------------------------------
// 7. Subjects.

#[test]
fn subjects_are_unique_and_updates_record_only_what_changed() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    let lead = u.actor("lead");
    let n = seen(&u.path);
    let done =
        u.cf.execute(
            &lead,
            Command::AddSubject(serving_pc("K100", "Kerry Shadowfax", "Custody")),
        )
        .unwrap();
    assert_eq!(done.reference, "K100");
    assert_eq!(done.details["name"], "Kerry Shadowfax");
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "subject.add", "subject", "K100", "ok")]
    );

    // The same staff number, in any case, is refused.
    let s = state(&u.path);
    let n = seen(&u.path);
    for number in ["K100", "k100"] {
        let result = u.cf.execute(
            &lead,
            Command::AddSubject(serving_pc(number, "Someone Else", "Roads")),
        );
        assert_invalid(
            &u,
            (n, &s),
            result,
            "staff number: a subject with staff number K100 is already recorded",
        );
    }

    // An update records before and after of the changed fields only.
    let mut changed = serving_pc("K100", "Kerry Shadowfax", "Response");
    changed.status = SubjectStatus::RestrictedDuties;
    let n = seen(&u.path);
    let done =
        u.cf.execute(&lead, Command::UpdateSubject(changed.clone()))
            .unwrap();
    assert_eq!(
        done.details,
        json!({
            "before": { "department": "Custody", "status": "serving" },
            "after": { "department": "Response", "status": "restricted" },
        })
    );
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "subject.update", "subject", "K100", "ok")]
    );
    assert_eq!(
        details_since(&u.path, n),
        std::slice::from_ref(&done.details)
    );

    // The same details again change nothing, and are refused.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(&lead, Command::UpdateSubject(changed));
    assert_invalid(&u, (n, &s), result, "subject: nothing has changed");
    // Updating someone who is not a subject.
    let result = u.cf.execute(
        &lead,
        Command::UpdateSubject(serving_pc("Z999", "Nobody", "None")),
    );
    assert_missing(
        &u,
        (n, &s),
        result,
        "there is no subject 'Z999' that you may see",
    );
    let listed = subjects(&mut u.cf, &lead).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].department, "Response");
}

#[test]
fn a_subject_shows_its_intelligence_visible_operations_and_history() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let [lead, outsider] = u.actors(["lead", "outsider"]);
    // K100 is also the subject of a free intelligence item (so everyone may
    // see them), and then of HAWK, which `lead` is not on; `outsider` is on
    // HAWK only.
    u.cf.execute(
        &lead,
        Command::RecordIntelligence(intel("Sighting of K100", "", &["K100"])),
    )
    .unwrap();
    u.cf.execute(
        &outsider,
        Command::OpenOperation(operation("HAWK", "outsider", "sup", &[], &["K100"], "Hawk")),
    )
    .unwrap();
    let mut changed = serving_pc("K100", "Kerry Shadowfax", "Response");
    changed.role = "Driver".into();
    u.cf.execute(&lead, Command::UpdateSubject(changed))
        .unwrap();

    let record = u.cf.open_subject(&lead, &staff("k100")).unwrap();
    assert_eq!(record.details.department, "Response");
    assert_eq!(record.created_at, now());
    assert_eq!(
        record
            .intelligence
            .iter()
            .map(|i| i.urn.to_string())
            .collect::<Vec<_>>(),
        ["INT-2026-00004"]
    );
    assert_eq!(
        record
            .operations
            .iter()
            .map(|o| o.codename.as_str())
            .collect::<Vec<_>>(),
        ["KESTREL"],
        "HAWK is not lead's to see"
    );
    let history: Vec<(&str, &str)> = record
        .history
        .iter()
        .map(|h| (h.actor.as_str(), h.action.as_str()))
        .collect();
    assert_eq!(
        history,
        [("lead", "subject.add"), ("lead", "subject.update")]
    );
    assert!(record.history[1].details.contains("Driver"));
    // Consultations are counted, not listed.
    assert_eq!(record.consultations.count, 1);
    assert_eq!(record.consultations.last.as_ref().unwrap().1, "lead");

    let record = u.cf.open_subject(&outsider, &staff("K100")).unwrap();
    assert_eq!(
        record
            .operations
            .iter()
            .map(|o| o.codename.as_str())
            .collect::<Vec<_>>(),
        ["HAWK"]
    );
    assert_eq!(record.history.len(), 2);
    assert_eq!(record.consultations.count, 2, "a second consultation");
    assert_eq!(record.consultations.last.as_ref().unwrap().1, "outsider");

    let sup = u.actor("sup");
    let record = u.cf.open_subject(&sup, &staff("K100")).unwrap();
    let mut seen_by_sup: Vec<_> = record
        .operations
        .iter()
        .map(|o| o.codename.to_string())
        .collect();
    seen_by_sup.sort();
    assert_eq!(seen_by_sup, ["HAWK", "KESTREL"]);
}

// ---------------------------------------------------------------------------
// 8. The consultation log.

#[test]
fn opening_a_record_writes_exactly_one_view_event() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let lead = u.actor("lead");
    let s = state(&u.path);

    let n = seen(&u.path);
    u.cf.open_operation(&lead, &code("KESTREL")).unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "view", "operation", "KESTREL", "ok")]
    );
    assert_eq!(
        details_since(&u.path, n),
        [json!({ "what": "record opened" })]
    );

    let n = seen(&u.path);
    u.cf.open_subject(&lead, &staff("F200")).unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "view", "subject", "F200", "ok")]
    );

    let n = seen(&u.path);
    u.cf.open_intelligence(&lead, &int_urn("INT-2026-00002"))
        .unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "view", "intelligence", "INT-2026-00002", "ok")]
    );

    // Lists and searches are not logged.
    let n = seen(&u.path);
    operations(&mut u.cf, &lead).unwrap();
    intelligence(&mut u.cf, &lead).unwrap();
    subjects(&mut u.cf, &lead).unwrap();
    u.cf.intelligence_count(&lead).unwrap();
    u.cf.lessons_learned(&lead).unwrap();
    u.cf.search(&lead, "zeppelin", 10).unwrap();
    assert_eq!(since(&u.path, n), []);
    assert_eq!(state(&u.path), s, "reading changes no casework row");
}

// ---------------------------------------------------------------------------
// 9. Search.

#[test]
fn search_ranks_results_across_kinds_and_marks_the_matches() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let lead = u.actor("lead");
    for command in [
        Command::RecordIntelligence(intel(
            "Lanyard seen at a lanyard stall",
            "The lanyard was lent to a lanyard collector",
            &[],
        )),
        Command::AddSubject(serving_pc("L300", "Lee Lanyard", "Stores")),
        record_decision(
            "KESTREL",
            decision("Seize the lanyard", "The lanyard holds the pass", None),
        ),
        Command::OpenOperation(operation(
            "HAWK",
            "lead",
            "sup",
            &[],
            &[],
            "Inquiry into a lanyard",
        )),
    ] {
        u.cf.execute(&lead, command).unwrap();
    }
    let n = seen(&u.path);
    let hits = u.cf.search(&lead, "lanyard", 50).unwrap();
    assert_eq!(since(&u.path, n), [], "searches are not logged");
    let mut kinds: Vec<(SearchKind, String)> =
        hits.iter().map(|h| (h.kind, h.reference.clone())).collect();
    kinds.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        kinds,
        [
            (SearchKind::Operation, "HAWK".to_owned()),
            (SearchKind::Intelligence, "INT-2026-00004".to_owned()),
            (SearchKind::Decision, "KESTREL/D2".to_owned()),
            (SearchKind::Subject, "L300".to_owned()),
        ]
    );
    assert!(
        hits.windows(2).all(|w| w[0].rank <= w[1].rank),
        "best first: {hits:?}"
    );
    // The item that says it four times ranks first.
    assert_eq!(hits[0].reference, "INT-2026-00004");
    for hit in &hits {
        assert!(hit.snippet.to_lowercase().contains("[lanyard]"), "{hit:?}");
    }
    assert_eq!(u.cf.search(&lead, "lanyard", 2).unwrap().len(), 2);

    // FTS5 syntax works: phrases, OR, NOT, prefixes.
    assert_eq!(
        found(&mut u.cf, &lead, "\"Lee Lanyard\""),
        [(SearchKind::Subject, "L300".to_owned())]
    );
    let mut either: Vec<_> = found(&mut u.cf, &lead, "zeppelin OR quokka")
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    either.sort();
    assert_eq!(either, ["INT-2026-00002", "INT-2026-00003"]);
    assert_eq!(
        found(
            &mut u.cf,
            &lead,
            "lanyard NOT stall NOT pass NOT Lee NOT inquiry"
        ),
        []
    );
    assert_eq!(
        found(&mut u.cf, &lead, "zepp*"),
        [(SearchKind::Intelligence, "INT-2026-00002".to_owned())]
    );
}

#[test]
fn what_users_type_is_searched_as_written_and_never_a_syntax_error() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        Command::RecordIntelligence(intel(
            "Report from an ex-partner about PC O'Brien",
            "She says NOT to contact her at work",
            &[],
        )),
    )
    .unwrap();
    let reporting = |cf: &mut CaseFile, query: &str| -> Vec<String> {
        found(cf, &lead, query)
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    };
    // A reference, a hyphenated word, an apostrophe, an operator word alone.
    assert_eq!(reporting(&mut u.cf, "INT-2026-00002"), ["INT-2026-00002"]);
    assert_eq!(reporting(&mut u.cf, "int-2026-00004"), ["INT-2026-00004"]);
    assert_eq!(reporting(&mut u.cf, "ex-partner"), ["INT-2026-00004"]);
    assert_eq!(reporting(&mut u.cf, "O'Brien"), ["INT-2026-00004"]);
    assert_eq!(reporting(&mut u.cf, "NOT"), ["INT-2026-00004"]);
    // Punctuation that is FTS5 syntax is only punctuation here.
    for query in [
        "\"unbalanced",
        "AND OR",
        "lanyard AND",
        "nosuchcolumn:word",
        "(ex-partner",
        "^x",
    ] {
        let n = seen(&u.path);
        u.cf.search(&lead, query, 10)
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(since(&u.path, n), [], "{query}: searches are not logged");
    }
    for (query, message) in [
        ("", "search: type something to search for"),
        ("   ", "search: type something to search for"),
        (
            "-- !!",
            "search: '-- !!' has no letters or digits to search for",
        ),
    ] {
        let err = u.cf.search(&lead, query, 10).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
        assert_eq!(err.to_string(), message);
        assert_eq!(err.exit_code(), 5);
    }
}

// ---------------------------------------------------------------------------
// 10. Bulk import.

#[test]
fn importing_intelligence_adds_each_item_once_and_reports_unknown_subjects() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        Command::AddSubject(serving_pc("K100", "Kerry Shadowfax", "Custody")),
    )
    .unwrap();
    u.cf.execute(
        &lead,
        Command::RecordIntelligence(intel("Earlier", "", &[])),
    )
    .unwrap();
    let items = vec![
        new_intel(Some("ICT-1"), "Search of ex-partner", "", &["K100"]),
        new_intel(Some("ICT-2"), "Search of neighbour", "", &["K100", "Z999"]),
        new_intel(Some("ICT-3"), "Search of witness", "", &[]),
    ];

    let n = seen(&u.path);
    let report =
        u.cf.import_intelligence(&lead, "ict-2026-11.csv", items.clone())
            .unwrap();
    assert_eq!(
        report.imported,
        ["INT-2026-00002", "INT-2026-00003", "INT-2026-00004"].map(int_urn)
    );
    assert!(report.already_imported.is_empty());
    assert_eq!(
        report.unknown_staff_numbers,
        [("ICT-2".to_owned(), "Z999".to_owned())]
    );
    assert_eq!(
        since(&u.path, n),
        [
            ev(
                "lead",
                "intelligence.record",
                "intelligence",
                "INT-2026-00002",
                "ok"
            ),
            ev(
                "lead",
                "intelligence.record",
                "intelligence",
                "INT-2026-00003",
                "ok"
            ),
            ev(
                "lead",
                "intelligence.record",
                "intelligence",
                "INT-2026-00004",
                "ok"
            ),
            ev(
                "lead",
                "intelligence.import",
                "import",
                "ict-2026-11.csv",
                "ok"
            ),
        ]
    );
    let details = details_since(&u.path, n);
    assert_eq!(details[0]["import"], "ict-2026-11.csv");
    assert_eq!(details[1]["subjects"], json!(["K100"]));
    assert_eq!(details[3]["rows"], 3);

    // The item with an unknown staff number came in, linked to the one
    // subject that exists.
    let record =
        u.cf.open_intelligence(&lead, &int_urn("INT-2026-00003"))
            .unwrap();
    assert_eq!(record.source_reference.as_deref(), Some("ICT-2"));
    assert_eq!(
        record.subjects,
        [("K100".to_owned(), "Kerry Shadowfax".to_owned())]
    );

    // The same file again adds nothing.
    let s = state(&u.path);
    let n = seen(&u.path);
    let report =
        u.cf.import_intelligence(&lead, "ict-2026-11.csv", items)
            .unwrap();
    assert!(report.imported.is_empty(), "{report:?}");
    assert_eq!(report.already_imported, ["ICT-1", "ICT-2", "ICT-3"]);
    assert!(report.unknown_staff_numbers.is_empty());
    assert_eq!(
        since(&u.path, n),
        [ev(
            "lead",
            "intelligence.import",
            "import",
            "ict-2026-11.csv",
            "ok"
        )]
    );
    assert_eq!(state(&u.path), s);
    assert_eq!(count(&u.path, "SELECT count(*) FROM intelligence"), 4);

    // A partly new file adds only what is new, with the next URN.
    let report =
        u.cf.import_intelligence(
            &lead,
            "ict-2026-12.csv",
            vec![
                new_intel(Some("ICT-3"), "Search of witness", "", &[]),
                new_intel(Some("ICT-4"), "Search of landlord", "", &[]),
            ],
        )
        .unwrap();
    assert_eq!(report.imported, [int_urn("INT-2026-00005")]);
    assert_eq!(report.already_imported, ["ICT-3"]);

    // An item without its source reference cannot be imported: nothing is.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.import_intelligence(
        &lead,
        "bad.csv",
        vec![
            new_intel(Some("ICT-9"), "Fine", "", &[]),
            new_intel(None, "No reference", "", &[]),
        ],
    );
    assert_invalid(
        &u,
        (n, &s),
        result,
        "source reference: every imported item needs its source reference",
    );
}

// ---------------------------------------------------------------------------
// 11. Every successful command leaves exactly its audit events.

#[test]
fn each_command_in_a_working_day_leaves_exactly_its_audit_events() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    let [lead, sup, ao] = u.actors(["lead", "sup", "ao"]);
    let steps: Vec<(&Actor, Command, Vec<Ev>)> = vec![
        (
            &lead,
            Command::AddSubject(serving_pc("K100", "Kerry Shadowfax", "Custody")),
            vec![ev("lead", "subject.add", "subject", "K100", "ok")],
        ),
        (
            &lead,
            Command::RecordIntelligence(intel("Report", "", &["K100"])),
            vec![ev(
                "lead",
                "intelligence.record",
                "intelligence",
                "INT-2026-00001",
                "ok",
            )],
        ),
        (
            &lead,
            Command::ImportIntelligence {
                label: "line.csv".into(),
                items: vec![new_intel(Some("CRL-1"), "Line call", "", &[])],
            },
            vec![
                ev(
                    "lead",
                    "intelligence.record",
                    "intelligence",
                    "INT-2026-00002",
                    "ok",
                ),
                ev("lead", "intelligence.import", "import", "line.csv", "ok"),
            ],
        ),
        (
            &sup,
            triage("INT-2026-00001", TriageStatus::Assessed, None),
            vec![ev(
                "sup",
                "intelligence.triage",
                "intelligence",
                "INT-2026-00001",
                "ok",
            )],
        ),
        (
            &lead,
            Command::OpenOperation(operation("KESTREL", "lead", "sup", &[], &[], "Inquiry")),
            vec![ev("lead", "operation.open", "operation", "KESTREL", "ok")],
        ),
        (
            &lead,
            triage(
                "INT-2026-00001",
                TriageStatus::LinkedToOperation,
                Some("KESTREL"),
            ),
            vec![ev(
                "lead",
                "intelligence.triage",
                "intelligence",
                "INT-2026-00001",
                "ok",
            )],
        ),
        (
            &lead,
            Command::LinkSubject {
                codename: code("KESTREL"),
                staff_number: staff("K100"),
            },
            vec![ev(
                "lead",
                "operation.subject.link",
                "operation",
                "KESTREL",
                "ok",
            )],
        ),
        (
            &sup,
            team_add("KESTREL", "ao", TeamPart::AuthorisingOfficer),
            vec![ev(
                "sup",
                "operation.team.add",
                "operation",
                "KESTREL",
                "ok",
            )],
        ),
        (
            &ao,
            record_decision("KESTREL", decision("Authorise", "Necessary", None)),
            vec![ev("ao", "decision.record", "operation", "KESTREL", "ok")],
        ),
        (
            &lead,
            record_decision("KESTREL", decision("Correct", "Typo", Some(1))),
            vec![ev("lead", "decision.record", "operation", "KESTREL", "ok")],
        ),
        (
            &sup,
            status("KESTREL", OperationStatus::ActiveCovert),
            vec![ev("sup", "operation.status", "operation", "KESTREL", "ok")],
        ),
        (
            &sup,
            team_remove("KESTREL", "ao"),
            vec![ev(
                "sup",
                "operation.team.remove",
                "operation",
                "KESTREL",
                "ok",
            )],
        ),
        (
            &lead,
            Command::UpdateSubject(serving_pc("K100", "Kerry Shadowfax", "Roads")),
            vec![ev("lead", "subject.update", "subject", "K100", "ok")],
        ),
        (
            &sup,
            close("KESTREL"),
            vec![ev("sup", "operation.close", "operation", "KESTREL", "ok")],
        ),
    ];
    for (i, (who, command, expected)) in steps.into_iter().enumerate() {
        let n = seen(&u.path);
        let done =
            u.cf.execute(who, command)
                .unwrap_or_else(|e| panic!("step {i}: {e}"));
        assert_eq!(since(&u.path, n), expected, "step {i}");
        assert_eq!(done.seq, last_seq(&u.path), "step {i}: the main event");
        assert_eq!(done.reference, expected.last().unwrap().3, "step {i}");
        assert_eq!(
            details_since(&u.path, n).last().unwrap(),
            &done.details,
            "step {i}: the details returned are those recorded"
        );
    }
    // The trail still verifies end to end.
    assert!(
        matches!(u.cf.check().unwrap(), CheckReport::Verified { .. }),
        "the audit chain is intact"
    );
}

fn link_intel(urn: &str, number: &str) -> Command {
    Command::LinkIntelligenceSubject {
        urn: int_urn(urn),
        staff_number: staff(number),
    }
}

#[test]
fn a_subject_is_linked_to_intelligence_after_it_is_recorded_once_and_audited() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let lead = u.actor("lead");
    let n = seen(&u.path);
    u.cf.execute(&lead, link_intel("INT-2026-00003", "F200"))
        .unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev(
            "lead",
            "intelligence.subject.link",
            "intelligence",
            "INT-2026-00003",
            "ok",
        )]
    );
    assert_eq!(details_since(&u.path, n)[0]["subject"], "F200");
    let record =
        u.cf.open_intelligence(&lead, &int_urn("INT-2026-00003"))
            .unwrap();
    assert_eq!(
        record.subjects,
        [("F200".to_owned(), "Frank Open".to_owned())]
    );

    // Twice is refused by the field, and writes nothing.
    let s = state(&u.path);
    let n = seen(&u.path);
    let again = u.cf.execute(&lead, link_intel("INT-2026-00003", "F200"));
    assert_invalid(
        &u,
        (n, &s),
        again,
        "subjects: INT-2026-00003 already concerns F200",
    );
    // An unknown staff number says to add the subject first.
    let unknown = u.cf.execute(&lead, link_intel("INT-2026-00003", "Z999"));
    assert_invalid(
        &u,
        (n, &s),
        unknown,
        "subjects: there is no subject with staff number Z999; add the subject first",
    );

    // The auditor reads and never links.
    let aud = u.actor("aud");
    let denied = u.cf.execute(&aud, link_intel("INT-2026-00003", "K100"));
    assert_denied(
        &u,
        (n, &s),
        denied,
        "permission denied: aud (auditor) may not link subjects to an operation or to intelligence",
        ev(
            "aud",
            "intelligence.subject.link",
            "intelligence",
            "INT-2026-00003",
            "denied",
        ),
    );
}

#[test]
fn linking_a_hidden_subject_to_intelligence_does_not_reveal_it() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    assert_hidden_subject_not_revealed(&mut u, |number| link_intel("INT-2026-00003", number));
}

#[test]
fn intelligence_one_may_not_see_is_not_linked_to() {
    let mut u = Unit::staffed(&ONE_PER_ROLE);
    kestrel_world(&mut u);
    let outsider = u.actor("outsider");
    let s = state(&u.path);
    let n = seen(&u.path);
    let result =
        u.cf.execute(&outsider, link_intel("INT-2026-00001", "F200"));
    assert_hidden(
        &u,
        (n, &s),
        result,
        "there is no intelligence item 'INT-2026-00001' that you may see",
        ev(
            "outsider",
            "intelligence.subject.link",
            "intelligence",
            "INT-2026-00001",
            "denied",
        ),
    );
}
