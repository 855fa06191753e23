//! Bids for covert resources on a real case file: drafting, submitting and
//! deciding them, separation of duties, the threshold rule for covert
//! lines, partial approval, capacity warnings, the status life cycle,
//! need-to-know, and exactly the audit events each leaves.

mod common;

use std::path::Path;

use ccu::domain::bid::{BidDecision, BidLine, BidOutcome, BidStatus};
use ccu::domain::covert::{ThresholdCriteria, ThresholdOutcome};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Closure, Codename, NewOperation, Priority};
use ccu::domain::text::Rationale;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{Actor, CheckReport, Command, Error, Page, format_timestamp};
use chrono::NaiveDate;
use common::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// The unit.

/// A unit with KESTREL, opened by `lead` with supervisor `sup`. Logged in:
/// `lead` (investigator, KESTREL's lead), `outsider` (investigator on no
/// team), `sup` (supervisor, KESTREL's), `dci` (another supervisor, on no
/// team: supervisors see every operation) and `aud` (auditor).
fn kestrel() -> Unit {
    let mut u = Unit::staffed(&[
        ("lead", "investigator"),
        ("outsider", "investigator"),
        ("sup", "supervisor"),
        ("dci", "supervisor"),
        ("aud", "auditor"),
    ]);
    open_operation(&mut u, "KESTREL");
    u
}

fn open_operation(u: &mut Unit, codename: &str) {
    let lead = u.actor("lead");
    u.cf.execute(
        &lead,
        Command::OpenOperation(
            NewOperation::new(
                code(codename),
                "Custody suite inquiry",
                Category::AbuseOfAuthority,
                Priority::P2,
                username("lead"),
                username("sup"),
                vec![],
                vec![],
            )
            .unwrap(),
        ),
    )
    .unwrap();
}

// ---------------------------------------------------------------------------
// Building commands.

fn code(text: &str) -> Codename {
    Codename::parse(text).unwrap()
}

fn urn(text: &str) -> Urn {
    Urn::parse(UrnKind::Bid, text).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn line(resource: &str, quantity: f64, from: &str, to: &str) -> BidLine {
    BidLine::new(
        resource,
        quantity,
        day(from),
        day(to),
        &format!("Needed: {resource}"),
    )
    .unwrap()
}

fn draft(codename: &str, lines: Vec<BidLine>) -> Command {
    Command::DraftBid {
        codename: code(codename),
        justification: why("Overt enquiries have not negated the allegation"),
        lines,
    }
}

fn submit(text: &str) -> Command {
    Command::SubmitBid { urn: urn(text) }
}

fn decide(text: &str, decision: BidDecision) -> Command {
    Command::DecideBid {
        urn: urn(text),
        decision,
        rationale: why("Proportionate to the risk to victims"),
    }
}

fn close_bid(text: &str, to: BidStatus) -> Command {
    Command::CloseBid {
        urn: urn(text),
        to,
        reason: why(&format!("Now {}", to.code())),
    }
}

/// Drafts and submits a bid as `who`; returns its URN.
fn submitted(u: &mut Unit, who: &Actor, codename: &str, lines: Vec<BidLine>) -> String {
    let urn = u.cf.execute(who, draft(codename, lines)).unwrap().reference;
    u.cf.execute(who, submit(&urn)).unwrap();
    urn
}

/// Records a threshold decision on `codename`: proposed by `lead`, decided
/// by `sup`.
fn threshold(u: &mut Unit, codename: &str, outcome: ThresholdOutcome) {
    let [lead, sup] = u.actors(["lead", "sup"]);
    let criteria = ThresholdCriteria::new(
        "Interviews with the complainant and a review of duty rosters",
        "The rosters neither place the subject at the scene nor rule it out",
        "Abuse of position for a sexual purpose",
        "No overt means remains that could corroborate the account",
        "Limited to the subject's off-duty contact with the complainant",
        "Low: no third parties expected",
        "Unlikely",
        day("2027-02-23"),
    )
    .unwrap();
    u.cf.execute(
        &lead,
        Command::ProposeThreshold {
            codename: code(codename),
            criteria,
        },
    )
    .unwrap();
    u.cf.execute(
        &sup,
        Command::DecideThreshold {
            codename: code(codename),
            outcome,
            rationale: why("Considered against each criterion"),
        },
    )
    .unwrap();
}

fn now() -> String {
    format_timestamp(fixed_clock()())
}

// ---------------------------------------------------------------------------
// The audit trail and the rows.

/// Everything bids write, as one text, to show nothing changed.
fn state(path: &Path) -> String {
    let conn = raw_conn(path);
    [
        "SELECT json_group_array(json_array(urn, operation_id, status, created_by, submitted_at)) FROM bid",
        "SELECT json_group_array(json_array(bid_id, number, resource, quantity, approved_quantity)) FROM bid_line",
        "SELECT json_group_array(json_array(bid_id, outcome, rationale, warnings, decided_by)) FROM bid_decision",
        "SELECT json_group_array(json_array(code, weekly_capacity)) FROM resource_type",
        "SELECT json_group_array(json_array(kind, year, last)) FROM urn_counter",
        "SELECT json_group_array(json_array(codename, status)) FROM operation",
    ]
    .map(|sql| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap())
    .join("\n")
}

/// Asserts `Error::Invalid` whose message contains `message`, and that
/// nothing at all was written.
fn assert_invalid<T: std::fmt::Debug>(
    u: &Unit,
    before: (usize, &str),
    result: ccu::store::Result<T>,
    message: &str,
) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(
        err.to_string().contains(message),
        "expected '{message}', got '{err}'"
    );
    assert_eq!(err.exit_code(), 5);
    assert_eq!(since(&u.path, before.0), [], "bad input writes no event");
    assert_eq!(state(&u.path), before.1, "bad input writes no row");
}

/// Asserts `Error::Denied` with `message`, exactly the one `denied` event
/// `event` with a reason containing `reason`, and no other change.
fn assert_denied<T: std::fmt::Debug>(
    u: &Unit,
    before: (usize, &str),
    result: ccu::store::Result<T>,
    message: &str,
    event: Ev,
    reason: &str,
) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    assert_eq!(err.to_string(), message);
    assert_eq!(err.exit_code(), 4);
    assert_eq!(since(&u.path, before.0), [event]);
    let recorded = details_since(&u.path, before.0)[0]["reason"].clone();
    assert!(
        recorded.as_str().unwrap().contains(reason),
        "{recorded} should say {reason}"
    );
    assert_eq!(state(&u.path), before.1, "a refusal changes nothing else");
}

/// Asserts `Error::NoSuch` with `message`; if `audited`, exactly the one
/// `denied` event `audited` for need to know, otherwise nothing written.
fn assert_no_such<T: std::fmt::Debug>(
    u: &Unit,
    before: (usize, &str),
    result: ccu::store::Result<T>,
    message: &str,
    audited: Option<Ev>,
) {
    let err = result.unwrap_err();
    assert!(matches!(err, Error::NoSuch { .. }), "{err:?}");
    assert_eq!(err.to_string(), message);
    assert_eq!(err.exit_code(), 5);
    match audited {
        Some(event) => {
            assert_eq!(since(&u.path, before.0), [event]);
            let reason = details_since(&u.path, before.0)[0]["reason"].clone();
            assert!(
                reason.as_str().unwrap().contains("need to know"),
                "{reason}"
            );
        }
        None => assert_eq!(since(&u.path, before.0), [], "nothing to audit"),
    }
    assert_eq!(state(&u.path), before.1);
}

fn urns(rows: &[ccu::store::BidRow]) -> Vec<String> {
    rows.iter().map(|r| r.urn.to_string()).collect()
}

// ---------------------------------------------------------------------------
// The happy path.

#[test]
fn a_bid_is_drafted_submitted_and_approved_with_exactly_its_audit_events() {
    let mut u = kestrel();
    let [lead, sup] = u.actors(["lead", "sup"]);

    let n = seen(&u.path);
    let drafted =
        u.cf.execute(
            &lead,
            draft(
                "KESTREL",
                vec![
                    line("analyst-hours", 20.0, "2026-11-30", "2026-12-04"),
                    line("financial-investigation", 3.0, "2026-12-01", "2026-12-10"),
                ],
            ),
        )
        .unwrap();
    assert_eq!(drafted.reference, "BID-2026-0001");
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "bid.draft", "bid", "BID-2026-0001", "ok")]
    );
    assert_eq!(
        drafted.details,
        json!({
            "urn": "BID-2026-0001",
            "operation": "KESTREL",
            "status": "draft",
            "justification": "Overt enquiries have not negated the allegation",
            "lines": [
                { "line": 1, "resource": "analyst-hours", "quantity": 20.0,
                  "starts_on": "2026-11-30", "ends_on": "2026-12-04",
                  "justification": "Needed: analyst-hours" },
                { "line": 2, "resource": "financial-investigation", "quantity": 3.0,
                  "starts_on": "2026-12-01", "ends_on": "2026-12-10",
                  "justification": "Needed: financial-investigation" },
            ],
        })
    );
    // A draft waits for nobody.
    assert!(u.cf.bids_awaiting_decision(&sup).unwrap().is_empty());

    let n = seen(&u.path);
    let done = u.cf.execute(&lead, submit("BID-2026-0001")).unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "bid.submit", "bid", "BID-2026-0001", "ok")]
    );
    assert_eq!(
        done.details,
        json!({ "operation": "KESTREL", "before": { "status": "draft" }, "after": { "status": "submitted" } })
    );
    // It is in the supervisor's queue, not in its maker's.
    assert_eq!(
        urns(&u.cf.bids_awaiting_decision(&sup).unwrap()),
        ["BID-2026-0001"]
    );
    assert!(u.cf.bids_awaiting_decision(&lead).unwrap().is_empty());

    let n = seen(&u.path);
    let done =
        u.cf.execute(&sup, decide("BID-2026-0001", BidDecision::Approve))
            .unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev("sup", "bid.decide", "bid", "BID-2026-0001", "ok")]
    );
    assert_eq!(
        done.details,
        json!({
            "operation": "KESTREL",
            "outcome": "approved",
            "before": { "status": "submitted" },
            "after": { "status": "active" },
            "rationale": "Proportionate to the risk to victims",
            "approved": [
                { "line": 1, "resource": "analyst-hours", "requested": 20.0, "approved": 20.0 },
                { "line": 2, "resource": "financial-investigation", "requested": 3.0, "approved": 3.0 },
            ],
            "capacity_warnings": [],
        })
    );
    assert_eq!(details_since(&u.path, n)[0], done.details);
    assert!(u.cf.bids_awaiting_decision(&sup).unwrap().is_empty());

    // The list and the record.
    let rows = u.cf.bids(&lead, Page::ALL).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (
            row.urn.to_string().as_str(),
            row.codename.as_str(),
            row.status,
            row.created_by.as_str(),
            row.created_at.clone(),
            row.submitted_at.clone(),
            row.lines
        ),
        (
            "BID-2026-0001",
            "KESTREL",
            BidStatus::Active,
            "lead",
            now(),
            Some(now()),
            2
        )
    );
    let n = seen(&u.path);
    let record = u.cf.open_bid(&lead, &urn("BID-2026-0001")).unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "view", "bid", "BID-2026-0001", "ok")],
        "opening a bid records the consultation, and nothing else"
    );
    assert_eq!(record.row, *row);
    assert_eq!(
        record.justification,
        "Overt enquiries have not negated the allegation"
    );
    assert_eq!(record.threshold, None);
    let lines: Vec<_> = record
        .lines
        .iter()
        .map(|l| {
            (
                l.number,
                l.resource.as_str(),
                l.resource_label.as_str(),
                l.unit.as_str(),
                l.covert,
                l.requested,
                l.approved,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (
                1,
                "analyst-hours",
                "Analyst hours",
                "hours",
                false,
                20.0,
                Some(20.0)
            ),
            (
                2,
                "financial-investigation",
                "Financial investigation",
                "investigator days",
                false,
                3.0,
                Some(3.0)
            ),
        ]
    );
    assert_eq!(record.lines[1].starts_on, day("2026-12-01"));
    assert_eq!(record.lines[1].ends_on, day("2026-12-10"));
    assert_eq!(record.decisions.len(), 1);
    let d = &record.decisions[0];
    assert_eq!(
        (d.outcome, d.decided_by.as_str(), d.decided_at.clone()),
        (BidOutcome::Approved, "sup", now())
    );
    assert!(d.warnings.is_empty());
    // The chart: 20 analyst hours in one week; 3 investigator days over ten
    // days from Tuesday, 6 of them in the first week, 4 in the second.
    let chart: Vec<_> = record
        .capacity
        .iter()
        .map(|w| {
            (
                w.resource.as_str(),
                w.week_starting.to_string(),
                w.committed_elsewhere,
                w.this_bid,
                w.capacity,
                w.over,
            )
        })
        .collect();
    assert_eq!(
        chart,
        [
            (
                "analyst-hours",
                "2026-11-30".to_string(),
                0.0,
                20.0,
                37.5,
                false
            ),
            (
                "financial-investigation",
                "2026-11-30".to_string(),
                0.0,
                1.8,
                5.0,
                false
            ),
            (
                "financial-investigation",
                "2026-12-07".to_string(),
                0.0,
                1.2,
                5.0,
                false
            ),
        ]
    );
    // The trail still verifies.
    assert!(matches!(
        u.cf.check().unwrap(),
        CheckReport::Verified { .. }
    ));
}

#[test]
fn resource_types_are_seeded_with_their_capacities() {
    let mut u = kestrel();
    let lead = u.actor("lead");
    let types: Vec<_> =
        u.cf.resource_types(&lead)
            .unwrap()
            .into_iter()
            .map(|t| (t.code, t.covert, t.weekly_capacity))
            .collect();
    let expected: Vec<(String, bool, f64)> = [
        ("surveillance-team-days", true, 5.0),
        ("technical-deployment", true, 2.0),
        ("chis-handling", true, 5.0),
        ("communications-data", true, 10.0),
        ("ict-monitoring-capture", true, 7.0),
        ("financial-investigation", false, 5.0),
        ("analyst-hours", false, 37.5),
        ("other", false, 0.0),
    ]
    .into_iter()
    .map(|(c, v, w)| (c.to_string(), v, w))
    .collect();
    assert_eq!(types, expected);
}

// ---------------------------------------------------------------------------
// Separation of duties and permissions.

#[test]
fn a_supervisor_cannot_decide_a_bid_they_made_and_the_refusal_is_audited() {
    let mut u = kestrel();
    let [sup, dci] = u.actors(["sup", "dci"]);
    let urn_text = submitted(
        &mut u,
        &sup,
        "KESTREL",
        vec![line("analyst-hours", 10.0, "2026-11-30", "2026-12-04")],
    );
    // Not in their own queue; in another supervisor's.
    assert!(u.cf.bids_awaiting_decision(&sup).unwrap().is_empty());
    assert_eq!(
        urns(&u.cf.bids_awaiting_decision(&dci).unwrap()),
        [urn_text.as_str()]
    );

    for decision in [
        BidDecision::Approve,
        BidDecision::PartlyApprove(vec![(1, 5.0)]),
        BidDecision::Decline,
        BidDecision::Defer,
    ] {
        let s = state(&u.path);
        let n = seen(&u.path);
        let result = u.cf.execute(&sup, decide(&urn_text, decision));
        assert_denied(
            &u,
            (n, &s),
            result,
            "permission denied: sup (supervisor) may not decide BID-2026-0001, a bid they made themselves",
            ev("sup", "bid.decide", "bid", "BID-2026-0001", "denied"),
            "separation of duties",
        );
    }
    // Another supervisor may.
    u.cf.execute(&dci, decide(&urn_text, BidDecision::Decline))
        .unwrap();
    let record = u.cf.open_bid(&dci, &urn(&urn_text)).unwrap();
    assert_eq!(record.row.status, BidStatus::Declined);
    assert_eq!(record.decisions[0].decided_by, "dci");
    assert_eq!(record.lines[0].approved, None, "a decline approves nothing");
}

#[test]
fn only_a_supervisor_decides_bids_or_sets_capacity() {
    let mut u = kestrel();
    let [lead, aud] = u.actors(["lead", "aud"]);
    let urn_text = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![line("analyst-hours", 10.0, "2026-11-30", "2026-12-04")],
    );
    let inv2 = {
        let admin = login(&mut u.cf, ADMIN, ADMIN_PASSWORD);
        add_user(&mut u.cf, &admin, "inv2", "investigator");
        login(&mut u.cf, "inv2", USER_PASSWORD)
    };
    let s = state(&u.path);
    for (who, roles) in [
        (&lead, "investigator"),
        (&inv2, "investigator"),
        (&aud, "auditor"),
    ] {
        let name = who.username().to_string();
        let n = seen(&u.path);
        let result = u.cf.execute(who, decide(&urn_text, BidDecision::Approve));
        assert_denied(
            &u,
            (n, &s),
            result,
            &format!("permission denied: {name} ({roles}) may not decide a bid for resources"),
            ev(&name, "bid.decide", "bid", "BID-2026-0001", "denied"),
            "no role held permits this",
        );
        let n = seen(&u.path);
        let result = u.cf.execute(
            who,
            Command::SetCapacity {
                resource: "analyst-hours".into(),
                weekly: 80.0,
            },
        );
        assert_denied(
            &u,
            (n, &s),
            result,
            &format!("permission denied: {name} ({roles}) may not set resource capacity"),
            ev(&name, "capacity.set", "resource", "analyst-hours", "denied"),
            "no role held permits this",
        );
    }
    // An auditor reads bids but makes none.
    assert_eq!(
        urns(&u.cf.bids(&aud, Page::ALL).unwrap()),
        ["BID-2026-0001"]
    );
    let n = seen(&u.path);
    let result = u.cf.execute(
        &aud,
        draft(
            "KESTREL",
            vec![line("analyst-hours", 1.0, "2026-11-30", "2026-11-30")],
        ),
    );
    assert_denied(
        &u,
        (n, &s),
        result,
        "permission denied: aud (auditor) may not make a bid for resources",
        ev("aud", "bid.draft", "operation", "KESTREL", "denied"),
        "no role held permits this",
    );
}

// ---------------------------------------------------------------------------
// The threshold rule.

#[test]
fn a_covert_line_is_not_approved_until_the_threshold_is_met() {
    let mut u = kestrel();
    let [lead, sup] = u.actors(["lead", "sup"]);
    let urn_text = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![
            line("surveillance-team-days", 3.0, "2026-11-30", "2026-12-04"),
            line("analyst-hours", 10.0, "2026-11-30", "2026-12-04"),
            line("chis-handling", 2.0, "2026-11-30", "2026-12-04"),
        ],
    );
    let refused = |u: &mut Unit, decision: BidDecision, message: &str| {
        let s = state(&u.path);
        let n = seen(&u.path);
        let result = u.cf.execute(&sup, decide(&urn_text, decision));
        assert_invalid(u, (n, &s), result, message);
    };
    refused(
        &mut u,
        BidDecision::Approve,
        "decision: lines 1 (surveillance-team-days), 3 (chis-handling) are covert resources, which cannot be approved until the threshold for covert investigation on KESTREL is met; its threshold status: no threshold decision yet",
    );
    refused(
        &mut u,
        BidDecision::PartlyApprove(vec![(1, 1.0)]),
        "decision: line 1 (surveillance-team-days) is a covert resource, which cannot be approved until the threshold for covert investigation on KESTREL is met; its threshold status: no threshold decision yet",
    );
    threshold(&mut u, "KESTREL", ThresholdOutcome::NotMet);
    refused(
        &mut u,
        BidDecision::PartlyApprove(vec![(3, 1.0), (2, 10.0)]),
        "line 3 (chis-handling) is a covert resource, which cannot be approved until the threshold for covert investigation on KESTREL is met; its threshold status: not met",
    );
    threshold(&mut u, "KESTREL", ThresholdOutcome::MoreInformation);
    refused(
        &mut u,
        BidDecision::Approve,
        "its threshold status: more information needed",
    );
    // Deferring and declining approve nothing, so they need no threshold.
    u.cf.execute(&sup, decide(&urn_text, BidDecision::Defer))
        .unwrap();
    u.cf.execute(&lead, submit(&urn_text)).unwrap();

    // The overt line alone may be approved.
    let other = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![
            line("surveillance-team-days", 3.0, "2026-11-30", "2026-12-04"),
            line("analyst-hours", 10.0, "2026-11-30", "2026-12-04"),
        ],
    );
    let done =
        u.cf.execute(
            &sup,
            decide(&other, BidDecision::PartlyApprove(vec![(2, 10.0)])),
        )
        .unwrap();
    assert_eq!(done.details["outcome"], "partly-approved");
    assert_eq!(done.details["approved"][0]["approved"], 0.0);

    // Once the latest threshold decision is "met", the whole bid may be.
    threshold(&mut u, "KESTREL", ThresholdOutcome::Met);
    let record = u.cf.open_bid(&sup, &urn(&urn_text)).unwrap();
    assert_eq!(record.threshold, Some(ThresholdOutcome::Met));
    assert!(record.lines[0].covert && !record.lines[1].covert);
    u.cf.execute(&sup, decide(&urn_text, BidDecision::Approve))
        .unwrap();
    assert_eq!(
        u.cf.open_bid(&sup, &urn(&urn_text)).unwrap().row.status,
        BidStatus::Active
    );
    // A later decision that it is no longer met stops the next approval.
    threshold(&mut u, "KESTREL", ThresholdOutcome::NotMet);
    let third = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![line(
            "technical-deployment",
            1.0,
            "2026-11-30",
            "2026-11-30",
        )],
    );
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(&sup, decide(&third, BidDecision::Approve));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "line 1 (technical-deployment) is a covert resource",
    );
}

// ---------------------------------------------------------------------------
// Partial approval.

#[test]
fn a_partial_approval_names_what_it_approves_and_the_rest_gets_nothing() {
    let mut u = kestrel();
    let [lead, sup] = u.actors(["lead", "sup"]);
    let urn_text = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![
            line("analyst-hours", 30.0, "2026-11-30", "2026-12-04"),
            line("financial-investigation", 4.0, "2026-11-30", "2026-12-04"),
            line("other", 1.0, "2026-11-30", "2026-12-04"),
        ],
    );
    for (named, message) in [
        (
            vec![(4, 1.0)],
            "the bid has no line 4; its lines are 1, 2, 3",
        ),
        (vec![(1, 31.0)], "line 1: 31 is more than the 30 asked for"),
        (vec![(1, 0.0)], "line 1: 0 cannot be approved"),
        (vec![(1, 1.0), (1, 2.0)], "line 1 is named more than once"),
        (vec![], "to approve nothing, decline"),
        (
            vec![(1, 30.0), (2, 4.0), (3, 1.0)],
            "every line is approved in full",
        ),
    ] {
        let s = state(&u.path);
        let n = seen(&u.path);
        let result =
            u.cf.execute(&sup, decide(&urn_text, BidDecision::PartlyApprove(named)));
        assert_invalid(&u, (n, &s), result, message);
    }
    let done =
        u.cf.execute(
            &sup,
            decide(
                &urn_text,
                BidDecision::PartlyApprove(vec![(1, 15.0), (2, 4.0)]),
            ),
        )
        .unwrap();
    assert_eq!(
        done.details["approved"],
        json!([
            { "line": 1, "resource": "analyst-hours", "requested": 30.0, "approved": 15.0 },
            { "line": 2, "resource": "financial-investigation", "requested": 4.0, "approved": 4.0 },
            { "line": 3, "resource": "other", "requested": 1.0, "approved": 0.0 },
        ])
    );
    let record = u.cf.open_bid(&lead, &urn(&urn_text)).unwrap();
    assert_eq!(record.row.status, BidStatus::Active);
    assert_eq!(record.decisions[0].outcome, BidOutcome::PartlyApproved);
    let approved: Vec<_> = record.lines.iter().map(|l| l.approved).collect();
    assert_eq!(approved, [Some(15.0), Some(4.0), Some(0.0)]);
    // The chart counts what was approved, not what was asked.
    assert_eq!(record.capacity[0].resource, "analyst-hours");
    assert_eq!(record.capacity[0].this_bid, 15.0);
}

// ---------------------------------------------------------------------------
// Capacity.

#[test]
fn capacity_warnings_are_recorded_but_never_block() {
    let mut u = kestrel();
    let [lead, sup] = u.actors(["lead", "sup"]);
    open_operation(&mut u, "HERON");
    threshold(&mut u, "KESTREL", ThresholdOutcome::Met);
    threshold(&mut u, "HERON", ThresholdOutcome::Met);
    // Active elsewhere: 4 team days in the week of 30 November, on HERON.
    let first = submitted(
        &mut u,
        &lead,
        "HERON",
        vec![line(
            "surveillance-team-days",
            4.0,
            "2026-11-30",
            "2026-12-03",
        )],
    );
    let done =
        u.cf.execute(&sup, decide(&first, BidDecision::Approve))
            .unwrap();
    assert_eq!(done.details["capacity_warnings"], json!([]));
    // A bid that is only submitted commits nothing.
    submitted(
        &mut u,
        &lead,
        "HERON",
        vec![line(
            "surveillance-team-days",
            50.0,
            "2026-11-30",
            "2026-12-06",
        )],
    );
    // This one asks for 3 more that week and 3 the next: capacity is 5 a week.
    let second = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![line(
            "surveillance-team-days",
            6.0,
            "2026-11-30",
            "2026-12-13",
        )],
    );
    let record = u.cf.open_bid(&sup, &urn(&second)).unwrap();
    let chart: Vec<_> = record
        .capacity
        .iter()
        .map(|w| {
            (
                w.week_starting.to_string(),
                w.committed_elsewhere,
                w.this_bid,
                w.capacity,
                w.over,
            )
        })
        .collect();
    assert_eq!(
        chart,
        [
            ("2026-11-30".to_string(), 4.0, 3.0, 5.0, true),
            ("2026-12-07".to_string(), 0.0, 3.0, 5.0, false),
        ],
        "before the decision, the chart shows what approving in full would do"
    );

    let n = seen(&u.path);
    let done =
        u.cf.execute(&sup, decide(&second, BidDecision::Approve))
            .unwrap();
    let warning = json!({
        "resource": "surveillance-team-days",
        "week_starting": "2026-11-30",
        "committed_elsewhere": 4.0,
        "this_bid": 3.0,
        "capacity": 5.0,
        "over_by": 2.0,
    });
    assert_eq!(done.details["capacity_warnings"], json!([warning.clone()]));
    assert_eq!(done.details["after"]["status"], "active", "not blocked");
    assert_eq!(
        details_since(&u.path, n)[0]["capacity_warnings"],
        json!([warning.clone()])
    );
    let stored: String = raw_conn(&u.path)
        .query_row(
            "SELECT warnings FROM bid_decision WHERE bid_id = (SELECT id FROM bid WHERE urn = ?1)",
            [&second],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&stored).unwrap(),
        json!([warning])
    );
    let record = u.cf.open_bid(&sup, &urn(&second)).unwrap();
    let w = &record.decisions[0].warnings;
    assert_eq!(w.len(), 1);
    assert_eq!(
        (
            w[0].resource.as_str(),
            w[0].week_starting,
            w[0].committed_elsewhere,
            w[0].this_bid,
            w[0].capacity,
            w[0].over
        ),
        (
            "surveillance-team-days",
            day("2026-11-30"),
            4.0,
            3.0,
            5.0,
            true
        )
    );
    // The first bid now sees the second as committed elsewhere.
    let first_record = u.cf.open_bid(&sup, &urn(&first)).unwrap();
    assert_eq!(first_record.capacity[0].committed_elsewhere, 3.0);
    assert_eq!(first_record.capacity[0].this_bid, 4.0);

    // Raising the capacity records before and after...
    let n = seen(&u.path);
    let done =
        u.cf.execute(
            &sup,
            Command::SetCapacity {
                resource: "surveillance-team-days".into(),
                weekly: 10.0,
            },
        )
        .unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev(
            "sup",
            "capacity.set",
            "resource",
            "surveillance-team-days",
            "ok"
        )]
    );
    assert_eq!(
        done.details,
        json!({ "before": { "weekly_capacity": 5.0 }, "after": { "weekly_capacity": 10.0 } })
    );
    // ...and the chart follows; the recorded warning stays as it was.
    let record = u.cf.open_bid(&sup, &urn(&second)).unwrap();
    assert!(
        record
            .capacity
            .iter()
            .all(|w| !w.over && w.capacity == 10.0)
    );
    assert_eq!(record.decisions[0].warnings.len(), 1);

    // A completed or withdrawn bid no longer commits anything.
    u.cf.execute(&lead, close_bid(&first, BidStatus::Completed))
        .unwrap();
    let record = u.cf.open_bid(&sup, &urn(&second)).unwrap();
    assert_eq!(record.capacity[0].committed_elsewhere, 0.0);

    // Bad capacities write nothing.
    for (resource, weekly, message) in [
        (
            "analyst-hours",
            -1.0,
            "weekly capacity: -1 is not a capacity",
        ),
        (
            "analyst-hours",
            f64::NAN,
            "weekly capacity: NaN is not a capacity",
        ),
        (
            "drones",
            3.0,
            "resource: there is no resource type 'drones'",
        ),
    ] {
        let s = state(&u.path);
        let n = seen(&u.path);
        let result = u.cf.execute(
            &sup,
            Command::SetCapacity {
                resource: resource.into(),
                weekly,
            },
        );
        assert_invalid(&u, (n, &s), result, message);
    }
}

// ---------------------------------------------------------------------------
// The status life cycle.

#[test]
fn a_bid_moves_through_its_statuses_and_final_ones_stay() {
    let mut u = kestrel();
    let [lead, sup] = u.actors(["lead", "sup"]);
    let attempt = |u: &mut Unit, who: &Actor, command: Command, message: &str| {
        let s = state(&u.path);
        let n = seen(&u.path);
        let result = u.cf.execute(who, command);
        assert_invalid(u, (n, &s), result, message);
    };
    let status = |u: &mut Unit, text: &str| u.cf.open_bid(&sup, &urn(text)).unwrap().row.status;
    let lines = || vec![line("analyst-hours", 5.0, "2026-11-30", "2026-12-04")];

    // A draft is neither decided nor completed; it may be withdrawn.
    let a =
        u.cf.execute(&lead, draft("KESTREL", lines()))
            .unwrap()
            .reference;
    attempt(
        &mut u,
        &sup,
        decide(&a, BidDecision::Approve),
        "only a submitted bid is decided; BID-2026-0001 is draft",
    );
    attempt(
        &mut u,
        &lead,
        close_bid(&a, BidStatus::Completed),
        "status: a bid that is draft can go only to: submitted, withdrawn",
    );
    attempt(
        &mut u,
        &lead,
        close_bid(&a, BidStatus::Active),
        "a bid is closed as completed or withdrawn, not active",
    );
    // A blank reason is refused where it is made: no command carries one.
    assert_eq!(
        Rationale::new("reason", " ").unwrap_err().to_string(),
        "reason: is required"
    );
    let n = seen(&u.path);
    let done =
        u.cf.execute(&lead, close_bid(&a, BidStatus::Withdrawn))
            .unwrap();
    assert_eq!(
        since(&u.path, n),
        [ev("lead", "bid.close", "bid", "BID-2026-0001", "ok")]
    );
    assert_eq!(
        done.details,
        json!({ "operation": "KESTREL", "before": { "status": "draft" }, "after": { "status": "withdrawn" }, "reason": "Now withdrawn" })
    );
    attempt(
        &mut u,
        &lead,
        submit(&a),
        "status: a withdrawn bid stays withdrawn",
    );

    // Submitted, deferred, submitted again, declined: final.
    let b = submitted(&mut u, &lead, "KESTREL", lines());
    attempt(
        &mut u,
        &lead,
        submit(&b),
        "status: the bid is already submitted",
    );
    assert_eq!(
        Rationale::new("rationale", "").unwrap_err().to_string(),
        "rationale: is required"
    );
    u.cf.execute(&sup, decide(&b, BidDecision::Defer)).unwrap();
    assert_eq!(status(&mut u, &b), BidStatus::Deferred);
    attempt(
        &mut u,
        &sup,
        decide(&b, BidDecision::Approve),
        "only a submitted bid is decided; BID-2026-0002 is deferred",
    );
    u.cf.execute(&lead, submit(&b)).unwrap();
    u.cf.execute(&sup, decide(&b, BidDecision::Decline))
        .unwrap();
    assert_eq!(status(&mut u, &b), BidStatus::Declined);
    attempt(
        &mut u,
        &lead,
        close_bid(&b, BidStatus::Withdrawn),
        "status: a declined bid stays declined",
    );
    let record = u.cf.open_bid(&sup, &urn(&b)).unwrap();
    let outcomes: Vec<_> = record.decisions.iter().map(|d| d.outcome).collect();
    assert_eq!(outcomes, [BidOutcome::Deferred, BidOutcome::Declined]);

    // Active, then completed: final.
    let c = submitted(&mut u, &lead, "KESTREL", lines());
    u.cf.execute(&sup, decide(&c, BidDecision::Approve))
        .unwrap();
    attempt(
        &mut u,
        &sup,
        decide(&c, BidDecision::Decline),
        "only a submitted bid is decided; BID-2026-0003 is active",
    );
    u.cf.execute(&lead, close_bid(&c, BidStatus::Completed))
        .unwrap();
    attempt(
        &mut u,
        &lead,
        close_bid(&c, BidStatus::Withdrawn),
        "status: a completed bid stays completed",
    );

    // Active bids and submitted ones may be withdrawn.
    let d = submitted(&mut u, &lead, "KESTREL", lines());
    u.cf.execute(&lead, close_bid(&d, BidStatus::Withdrawn))
        .unwrap();
    let e = submitted(&mut u, &lead, "KESTREL", lines());
    u.cf.execute(&sup, decide(&e, BidDecision::Approve))
        .unwrap();
    u.cf.execute(&sup, close_bid(&e, BidStatus::Withdrawn))
        .unwrap();
    let statuses: Vec<_> =
        u.cf.bids(&sup, Page::ALL)
            .unwrap()
            .into_iter()
            .map(|r| (r.urn.to_string(), r.status))
            .collect();
    assert_eq!(
        statuses,
        [
            ("BID-2026-0005".to_string(), BidStatus::Withdrawn),
            ("BID-2026-0004".to_string(), BidStatus::Withdrawn),
            ("BID-2026-0003".to_string(), BidStatus::Completed),
            ("BID-2026-0002".to_string(), BidStatus::Declined),
            ("BID-2026-0001".to_string(), BidStatus::Withdrawn),
        ],
        "newest first"
    );
    let page =
        u.cf.bids(
            &sup,
            Page {
                offset: 1,
                limit: 2,
            },
        )
        .unwrap();
    assert_eq!(urns(&page), ["BID-2026-0004", "BID-2026-0003"]);
}

#[test]
fn bad_bids_write_nothing() {
    let mut u = kestrel();
    let lead = u.actor("lead");
    let attempt = |u: &mut Unit, command: Command, message: &str| {
        let s = state(&u.path);
        let n = seen(&u.path);
        let result = u.cf.execute(&lead, command);
        assert_invalid(u, (n, &s), result, message);
    };
    attempt(
        &mut u,
        draft("KESTREL", vec![]),
        "lines: a bid asks for at least one resource",
    );
    attempt(
        &mut u,
        draft(
            "KESTREL",
            vec![
                line("analyst-hours", 1.0, "2026-11-30", "2026-11-30"),
                line("drones", 1.0, "2026-11-30", "2026-11-30"),
            ],
        ),
        "lines: line 2: there is no resource type 'drones'; the types are: surveillance-team-days,",
    );
    assert_eq!(
        Rationale::new("justification", "  ")
            .unwrap_err()
            .to_string(),
        "justification: is required"
    );
    // A closed operation takes no new bids, and its submitted ones can
    // only be declined or withdrawn.
    let sup = u.actor("sup");
    let pending = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![line("analyst-hours", 1.0, "2026-11-30", "2026-11-30")],
    );
    let drafted =
        u.cf.execute(
            &lead,
            draft(
                "KESTREL",
                vec![line("analyst-hours", 1.0, "2026-11-30", "2026-11-30")],
            ),
        )
        .unwrap()
        .reference;
    u.cf.execute(
        &sup,
        Command::CloseOperation {
            codename: code("KESTREL"),
            closure: Closure::new("No case to answer", "Check rota access").unwrap(),
        },
    )
    .unwrap();
    attempt(
        &mut u,
        draft(
            "KESTREL",
            vec![line("analyst-hours", 1.0, "2026-11-30", "2026-11-30")],
        ),
        "operation: KESTREL is closed: no new bids",
    );
    attempt(
        &mut u,
        submit(&drafted),
        "operation: KESTREL is closed: its bids can only be withdrawn",
    );
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.execute(&sup, decide(&pending, BidDecision::Approve));
    assert_invalid(
        &u,
        (n, &s),
        result,
        "KESTREL is closed: its bids can only be declined or withdrawn",
    );
    u.cf.execute(&sup, decide(&pending, BidDecision::Decline))
        .unwrap();
    u.cf.execute(&lead, close_bid(&drafted, BidStatus::Withdrawn))
        .unwrap();
}

// ---------------------------------------------------------------------------
// Need-to-know.

#[test]
fn a_bid_is_seen_only_by_those_who_may_see_its_operation() {
    let mut u = kestrel();
    let [lead, outsider, dci, aud] = u.actors(["lead", "outsider", "dci", "aud"]);
    let urn_text = submitted(
        &mut u,
        &lead,
        "KESTREL",
        vec![line("analyst-hours", 5.0, "2026-11-30", "2026-12-04")],
    );

    // Not listed, not queued.
    assert!(u.cf.bids(&outsider, Page::ALL).unwrap().is_empty());
    assert!(u.cf.bids_awaiting_decision(&outsider).unwrap().is_empty());
    // Supervisors and auditors see every operation, so every bid.
    assert_eq!(
        urns(&u.cf.bids(&dci, Page::ALL).unwrap()),
        ["BID-2026-0001"]
    );
    assert_eq!(
        urns(&u.cf.bids_awaiting_decision(&dci).unwrap()),
        ["BID-2026-0001"]
    );
    assert_eq!(
        urns(&u.cf.bids(&aud, Page::ALL).unwrap()),
        ["BID-2026-0001"]
    );

    // Opening it is answered exactly as for one that does not exist; the
    // attempt is audited, the missing one writes nothing.
    let s = state(&u.path);
    let n = seen(&u.path);
    let result = u.cf.open_bid(&outsider, &urn(&urn_text));
    assert_no_such(
        &u,
        (n, &s),
        result,
        "there is no bid 'BID-2026-0001' that you may see",
        Some(ev("outsider", "view", "bid", "BID-2026-0001", "denied")),
    );
    let n = seen(&u.path);
    let result = u.cf.open_bid(&outsider, &urn("BID-2026-0099"));
    assert_no_such(
        &u,
        (n, &s),
        result,
        "there is no bid 'BID-2026-0099' that you may see",
        None,
    );

    // Acting on it likewise.
    for (command, action) in [
        (submit(&urn_text), "bid.submit"),
        (close_bid(&urn_text, BidStatus::Withdrawn), "bid.close"),
    ] {
        let n = seen(&u.path);
        let result = u.cf.execute(&outsider, command);
        assert_no_such(
            &u,
            (n, &s),
            result,
            "there is no bid 'BID-2026-0001' that you may see",
            Some(ev("outsider", action, "bid", "BID-2026-0001", "denied")),
        );
    }
    for command in [
        submit("BID-2026-0099"),
        close_bid("BID-2026-0099", BidStatus::Withdrawn),
    ] {
        let n = seen(&u.path);
        let result = u.cf.execute(&outsider, command);
        assert_no_such(
            &u,
            (n, &s),
            result,
            "there is no bid 'BID-2026-0099' that you may see",
            None,
        );
    }
    let n = seen(&u.path);
    let result = u.cf.execute(
        &outsider,
        draft(
            "KESTREL",
            vec![line("analyst-hours", 1.0, "2026-11-30", "2026-11-30")],
        ),
    );
    assert_no_such(
        &u,
        (n, &s),
        result,
        "there is no operation 'KESTREL' that you may see",
        Some(ev(
            "outsider",
            "bid.draft",
            "operation",
            "KESTREL",
            "denied",
        )),
    );

    // A supervisor who may see it, but is off the team, still decides.
    u.cf.execute(&dci, decide(&urn_text, BidDecision::Approve))
        .unwrap();

    // Added to the team, the outsider sees it; removed, they no longer do.
    let sup = u.actor("sup");
    u.cf.execute(
        &sup,
        Command::AddToTeam {
            codename: code("KESTREL"),
            username: username("outsider"),
            part: ccu::domain::operation::TeamPart::Team,
        },
    )
    .unwrap();
    assert_eq!(
        urns(&u.cf.bids(&outsider, Page::ALL).unwrap()),
        ["BID-2026-0001"]
    );
    assert_eq!(
        u.cf.open_bid(&outsider, &urn(&urn_text))
            .unwrap()
            .row
            .status,
        BidStatus::Active
    );
    u.cf.execute(
        &sup,
        Command::RemoveFromTeam {
            codename: code("KESTREL"),
            username: username("outsider"),
        },
    )
    .unwrap();
    assert!(u.cf.bids(&outsider, Page::ALL).unwrap().is_empty());
}

#[test]
fn an_administrator_reads_no_bids() {
    let mut u = kestrel();
    let admin = login(&mut u.cf, ADMIN, ADMIN_PASSWORD);
    let n = seen(&u.path);
    let err = u.cf.bids(&admin, Page::ALL).unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    assert!(u.cf.resource_types(&admin).is_err());
    assert!(u.cf.bids_awaiting_decision(&admin).is_err());
    assert!(u.cf.open_bid(&admin, &urn("BID-2026-0001")).is_err());
    let events = since(&u.path, n);
    assert_eq!(events.len(), 4, "each refused read is audited");
    assert!(events.iter().all(|e| e.4 == "denied" && e.1 == "view"));
}
