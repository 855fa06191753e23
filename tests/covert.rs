//! The covert workflow on a real case file, with a clock the test moves:
//! threshold decisions, covert authorisations (legal end dates, separation
//! of duties, direct involvement, judicial approval, reviews, renewals,
//! cancellation, the central record), IOPC referrals and the diary.

mod common;

use ccu::domain::account::{Rank, Username};
use ccu::domain::authorisation::AuthorisationType;
use ccu::domain::covert::{
    AuthorisationApplication, Cancellation, ConfidentialMaterial, IopcDecision, NewReferral,
    ProductFate, ProductHandling, Review, ThresholdCriteria, ThresholdOutcome,
};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, NewOperation, Priority, TeamPart};
use ccu::domain::referral::{MatterType, ModeOfInvestigation, ReferralCriterion};
use ccu::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use ccu::domain::tactic::{Tactic, TacticCase, TacticDecision};
use ccu::domain::text::Rationale;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{Command, DueKind, Error};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn code(name: &str) -> Codename {
    Codename::parse(name).unwrap()
}

/// KESTREL: lead `inv`, supervisor `sup`, subject K100; the threshold not
/// yet decided. Time starts at 09:00 on 15 January 2026. Every account is
/// logged in.
fn kestrel() -> Unit {
    let mut u = Unit::at(
        TestClock::at("2026-01-15T09:00:00Z"),
        &[
            ("inv", "investigator", Rank::Constable),
            ("sup", "supervisor", Rank::Sergeant),
            ("sup2", "supervisor", Rank::Inspector),
            ("supt", "authorising-officer", Rank::Superintendent),
            ("insp", "authorising-officer", Rank::Inspector),
            ("chief", "authorising-officer", Rank::ChiefConstable),
            ("acc", "authorising-officer", Rank::AssistantChiefConstable),
            (
                "dual",
                "supervisor,authorising-officer",
                Rank::Superintendent,
            ),
        ],
    )
    .logged_in();
    let inv = u.actor("inv");
    u.cf.execute(
        &inv,
        Command::AddSubject(
            SubjectDetails::new(
                StaffNumber::parse("K100").unwrap(),
                "PC Kerry Shadowfax",
                "PC",
                EmploymentType::Officer,
                "Custody",
                "Detention officer",
                true,
                VettingLevel::Recruitment,
                None,
                SubjectStatus::Serving,
            )
            .unwrap(),
        ),
    )
    .unwrap();
    u.cf.execute(
        &inv,
        Command::OpenOperation(
            NewOperation::new(
                code("KESTREL"),
                "Custody officer contacting detained women after release",
                Category::AbuseOfAuthority,
                Priority::P1,
                user("inv"),
                user("sup"),
                vec![],
                vec![StaffNumber::parse("K100").unwrap()],
            )
            .unwrap(),
        ),
    )
    .unwrap();
    u
}

fn criteria(blank_proportionality: bool) -> ThresholdCriteria {
    ThresholdCriteria::new(
        "Custody records and body-worn video reviewed; victims declined to engage",
        "Neither shows what happens after release; only contact data would",
        "Abuse of position for a sexual purpose against vulnerable women",
        "No overt means remain that would not alert the subject",
        if blank_proportionality {
            "  "
        } else {
            "Limited to the subject's work phone for 8 weeks"
        },
        "Victims' details will be seen; minimised by filtering",
        "None expected",
        NaiveDate::from_ymd_opt(2026, 2, 12).unwrap(),
    )
    .unwrap()
}

fn threshold_met(u: &mut Unit) {
    u.cf.execute(
        &u.actor("inv"),
        Command::ProposeThreshold {
            codename: code("KESTREL"),
            criteria: criteria(false),
        },
    )
    .unwrap();
    u.cf.execute(
        &u.actor("sup"),
        Command::DecideThreshold {
            codename: code("KESTREL"),
            outcome: ThresholdOutcome::Met,
            rationale: why("Overt routes exhausted; the risk to victims is high"),
        },
    )
    .unwrap();
}

fn application(kind: AuthorisationType, asked: &str, urgent: bool) -> Command {
    Command::ApplyForAuthorisation(
        AuthorisationApplication::new(
            code("KESTREL"),
            user(asked),
            kind,
            urgent,
            if urgent {
                "A victim is to be met tonight"
            } else {
                ""
            },
            "=HYPERLINK(\"x\") follow the subject after shifts",
            vec![StaffNumber::parse("K100").unwrap()],
            "Only observation shows the contact",
            "Two evenings a week, public places only",
            "Members of the public seen in passing",
            ConfidentialMaterial::new(
                false,
                "Unlikely because public places only, away from any lawyer",
            )
            .unwrap(),
            false,
        )
        .unwrap()
        .with_tactics(observation(kind))
        .unwrap(),
    )
}

/// Static observation, for a type that lists tactics (directed and
/// intrusive surveillance here); nothing for one that does not. Its lines
/// are too short to be compared (`domain::similarity::MIN_WORDS`), so
/// that they repeat in every application without being flagged.
fn observation(kind: AuthorisationType) -> Vec<TacticCase> {
    match ccu::domain::tactic::lists_tactics(kind) {
        true => vec![
            TacticCase::new(
                Tactic::StaticObservation,
                "Watching the car park shows the contact",
                "One vehicle, two hours after shifts",
            )
            .unwrap(),
        ],
        false => Vec::new(),
    }
}

/// A grant of static observation, the one tactic [`application`] lists.
fn grant(urn: &str, involvement: &str) -> Command {
    grant_tactics(
        urn,
        involvement,
        vec![(Tactic::StaticObservation, TacticDecision::Granted)],
    )
}

fn grant_tactics(urn: &str, involvement: &str, tactics: Vec<(Tactic, TacticDecision)>) -> Command {
    Command::GrantAuthorisation {
        urn: auth(urn),
        review_every_days: 28,
        rationale: why("Necessary and proportionate for the reasons given"),
        involvement: (!involvement.is_empty())
            .then(|| Rationale::new("involvement", involvement).unwrap()),
        tactics,
    }
}

/// A grant of a type that lists no tactics (a CHIS, communications data).
fn grant_whole(urn: &str) -> Command {
    grant_tactics(urn, "", Vec::new())
}

/// Product kept by the case officer, next reviewed on 1 September 2026.
fn kept(arrangements: &str) -> ProductHandling {
    ProductHandling::new(
        ProductFate::Kept,
        "Case officer",
        NaiveDate::from_ymd_opt(2026, 9, 1),
        arrangements,
        NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
    )
    .unwrap()
}

fn auth(text: &str) -> Urn {
    Urn::parse(UrnKind::Authorisation, text).unwrap()
}

fn last_event(u: &Unit) -> (String, String, String, String) {
    let r = audit_rows(&u.path).pop().unwrap();
    (r.1, r.2, r.4, r.5)
}

#[test]
fn the_threshold_is_met_only_with_every_criterion_and_only_by_a_supervisor() {
    let mut u = kestrel();
    let [inv, sup] = u.actors(["inv", "sup"]);
    u.cf.execute(
        &inv,
        Command::ProposeThreshold {
            codename: code("KESTREL"),
            criteria: criteria(true),
        },
    )
    .unwrap();
    let decide = |outcome| Command::DecideThreshold {
        codename: code("KESTREL"),
        outcome,
        rationale: why("Reasons"),
    };
    let err =
        u.cf.execute(&inv, decide(ThresholdOutcome::Met))
            .unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    let events = audit_rows(&u.path).len();
    let err =
        u.cf.execute(&sup, decide(ThresholdOutcome::Met))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "outcome: the threshold cannot be met while these criteria are blank: proportionality"
    );
    assert_eq!(
        audit_rows(&u.path).len(),
        events,
        "bad input writes nothing"
    );
    u.cf.execute(&sup, decide(ThresholdOutcome::MoreInformation))
        .unwrap();
    let history = u.cf.threshold(&sup, &code("KESTREL")).unwrap();
    assert_eq!(history.current, Some(ThresholdOutcome::MoreInformation));

    let err =
        u.cf.execute(&sup, decide(ThresholdOutcome::Met))
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("no threshold proposal awaiting a decision"),
        "{err}"
    );
    assert_eq!(u.cf.thresholds_awaiting_decision(&sup).unwrap(), []);
    u.cf.execute(
        &inv,
        Command::ProposeThreshold {
            codename: code("KESTREL"),
            criteria: criteria(false),
        },
    )
    .unwrap();
    assert_eq!(u.cf.thresholds_awaiting_decision(&sup).unwrap().len(), 1);
    u.cf.execute(&sup, decide(ThresholdOutcome::Met)).unwrap();
    let history = u.cf.threshold(&inv, &code("KESTREL")).unwrap();
    assert_eq!(history.current, Some(ThresholdOutcome::Met));
    assert_eq!(history.entries.len(), 2);
    assert_eq!(
        history.entries[0].decision.as_ref().unwrap().outcome,
        ThresholdOutcome::MoreInformation
    );
    assert_eq!(
        history.entries[1].decision.as_ref().unwrap().decided_by,
        "sup"
    );
    let (actor, action, outcome, details) = last_event(&u);
    assert_eq!(
        (actor.as_str(), action.as_str(), outcome.as_str()),
        ("sup", "threshold.decide", "ok")
    );
    assert!(
        details.contains(r#""after":{"threshold":"met"}"#),
        "{details}"
    );
}

#[test]
fn a_directed_surveillance_grant_ends_on_the_legal_day_and_enters_the_central_record() {
    let mut u = kestrel();
    let [inv, insp, sup, supt] = u.actors(["inv", "insp", "sup", "supt"]);
    threshold_met(&mut u);
    let applied =
        u.cf.execute(
            &inv,
            application(AuthorisationType::DirectedSurveillance, "supt", false),
        )
        .unwrap();
    assert_eq!(applied.reference, "AUTH-2026-0001");
    // The investigator cannot grant; nor can an Inspector without urgency,
    // even once asked to act on the operation.
    assert!(matches!(
        u.cf.execute(&inv, grant("AUTH-2026-0001", "")),
        Err(Error::Denied { .. })
    ));
    let err =
        u.cf.execute(&insp, grant("AUTH-2026-0001", ""))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no authorisation 'AUTH-2026-0001' that you may see"
    );
    u.cf.execute(
        &sup,
        Command::AddToTeam {
            codename: code("KESTREL"),
            username: user("insp"),
            part: TeamPart::AuthorisingOfficer,
        },
    )
    .unwrap();
    let err =
        u.cf.execute(&insp, grant("AUTH-2026-0001", ""))
            .unwrap_err();
    assert!(err.to_string().contains("Superintendent"), "{err}");
    let granted = u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    // Three months beginning with 15 January end at the end of 14 April (BST).
    assert_eq!(granted.details["ends_at"], "2026-04-14T23:00:00.000000Z");
    assert_eq!(granted.details["last_day"], "2026-04-14");

    let record = u.cf.central_record(&supt).unwrap();
    assert_eq!(record.len(), 1);
    let e = &record[0];
    assert_eq!(e.urn.to_string(), "AUTH-2026-0001");
    assert_eq!(e.kind, "Directed surveillance");
    assert!(e.in_effect);
    assert_eq!(e.operation.as_str(), "KESTREL");
    assert_eq!(e.operation_urn.to_string(), "OP-2026-0001");
    assert_eq!(e.subjects, ["K100 PC Kerry Shadowfax"]);
    assert_eq!(e.date_given.as_deref(), Some("2026-01-15T09:00:00.000000Z"));
    assert_eq!(e.authorising_officer.as_deref(), Some("Officer supt"));
    assert_eq!(
        e.authorising_officer_rank.as_deref(),
        Some("Superintendent")
    );
    assert!(!e.urgent && !e.directly_involved && !e.confidential_information_likely);
    assert_eq!(e.last_day.as_deref(), Some("2026-04-14"));
    assert_eq!(
        e.next_review_due.as_deref(),
        Some("2026-02-13T00:00:00.000000Z")
    );
    assert_eq!(e.cancelled_at, None);
    assert_eq!(e.cells().len(), ccu::store::CENTRAL_RECORD_COLUMNS.len());

    // In effect until the last instant of 14 April, and not after.
    u.clock.set("2026-04-14T22:59:59Z");
    assert!(u.cf.central_record(&supt).unwrap()[0].in_effect);
    u.clock.set("2026-04-14T23:00:00Z");
    assert!(!u.cf.central_record(&supt).unwrap()[0].in_effect);
}

#[test]
fn an_officer_may_not_authorise_their_own_application_and_the_refusal_is_audited() {
    let mut u = kestrel();
    let dual = u.actor("dual");
    threshold_met(&mut u);
    u.cf.execute(
        &dual,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    let rows_before = count(
        &u.path,
        "SELECT count(*) FROM authorisation WHERE status = 'applied'",
    );
    let err =
        u.cf.execute(&dual, grant("AUTH-2026-0001", ""))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "permission denied: dual (supervisor,authorising-officer) may not grant their own application"
    );
    let (actor, action, outcome, details) = last_event(&u);
    assert_eq!(
        (actor.as_str(), action.as_str(), outcome.as_str()),
        ("dual", "authorisation.grant", "denied")
    );
    assert!(details.contains("separation of duties"), "{details}");
    assert_eq!(
        count(
            &u.path,
            "SELECT count(*) FROM authorisation WHERE status = 'applied'"
        ),
        rows_before
    );
}

#[test]
fn an_authorising_officer_on_the_team_must_justify_and_is_flagged_directly_involved() {
    let mut u = kestrel();
    let [sup, inv, dual] = u.actors(["sup", "inv", "dual"]);
    threshold_met(&mut u);
    u.cf.execute(
        &sup,
        Command::AddToTeam {
            codename: code("KESTREL"),
            username: user("dual"),
            part: TeamPart::Team,
        },
    )
    .unwrap();
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "dual", false),
    )
    .unwrap();
    let err =
        u.cf.execute(&dual, grant("AUTH-2026-0001", ""))
            .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("involvement: you are on this operation's team"),
        "{err}"
    );
    u.cf.execute(
        &dual,
        grant("AUTH-2026-0001", "The only Superintendent on duty tonight"),
    )
    .unwrap();
    let e = &u.cf.central_record(&sup).unwrap()[0];
    assert!(e.directly_involved);
    assert_eq!(
        e.involvement_reason.as_deref(),
        Some("The only Superintendent on duty tonight")
    );
}

#[test]
fn an_urgent_grant_lasts_exactly_72_hours_and_an_inspector_may_give_it() {
    let mut u = kestrel();
    let [inv, insp, sup] = u.actors(["inv", "insp", "sup"]);
    threshold_met(&mut u);
    // 27 March 2026 22:00: the clocks go forward during these 72 hours.
    u.clock.set("2026-03-27T22:00:00Z");
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "insp", true),
    )
    .unwrap();
    let granted = u.cf.execute(&insp, grant("AUTH-2026-0001", "")).unwrap();
    assert_eq!(granted.details["ends_at"], "2026-03-30T22:00:00.000000Z");
    let e = &u.cf.central_record(&sup).unwrap()[0];
    assert!(e.urgent);
    assert_eq!(e.urgency_reason, "A victim is to be met tonight");
}

fn approve(urn: &str, reference: &str, approved_at: &str) -> Command {
    Command::RecordJudicialApproval {
        urn: auth(urn),
        reference: reference.into(),
        approved_at: chrono::DateTime::parse_from_rfc3339(approved_at)
            .unwrap()
            .with_timezone(&Utc),
    }
}

#[test]
fn intrusive_surveillance_is_not_in_effect_until_a_judicial_commissioner_approves() {
    let mut u = kestrel();
    let [inv, chief, sup] = u.actors(["inv", "chief", "sup"]);
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::IntrusiveSurveillance, "chief", false),
    )
    .unwrap();
    let err =
        u.cf.execute(
            &chief,
            approve("AUTH-2026-0001", "JC-1", "2026-01-15T09:00:00Z"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("applied for"), "{err}");
    let granted = u.cf.execute(&chief, grant("AUTH-2026-0001", "")).unwrap();
    // No period yet: it begins with the approval.
    assert_eq!(granted.details["ends_at"], serde_json::Value::Null);
    let e = &u.cf.central_record(&sup).unwrap()[0];
    assert!(!e.in_effect);
    assert_eq!(e.ends_at, None);
    assert_eq!(e.next_review_due, None);
    assert_eq!(
        e.status.label(),
        "Granted, awaiting a Judicial Commissioner's approval"
    );
    // With no end yet, neither the diary nor the officer's queue has a date
    // for it, and neither fails on it.
    let due = u.cf.due(&chief, 365).unwrap();
    assert!(
        due.iter().all(|d| d.reference != "AUTH-2026-0001"),
        "{due:?}"
    );
    let queue = u.cf.authorisations_awaiting(&chief).unwrap();
    assert!(queue.is_empty(), "{queue:?}");
    // Nor can it be reviewed or renewed before it takes effect.
    let err =
        u.cf.execute(
            &chief,
            Command::ReviewAuthorisation {
                urn: auth("AUTH-2026-0001"),
                review: Review::new("Still needed", "Narrowed", true).unwrap(),
            },
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not in effect until a Judicial Commissioner"),
        "{err}"
    );
    u.clock.advance(Duration::hours(5));
    u.cf.execute(
        &chief,
        approve("AUTH-2026-0001", "JC-2026-17", "2026-01-15T13:30:00Z"),
    )
    .unwrap();
    let e = &u.cf.central_record(&sup).unwrap()[0];
    assert!(e.in_effect);
    assert_eq!(e.judicial_reference.as_deref(), Some("JC-2026-17"));
    // The approval's own time, not when it was typed in.
    assert_eq!(
        e.judicial_approval_at.as_deref(),
        Some("2026-01-15T13:30:00.000000Z")
    );
}

#[test]
fn a_grant_whose_approval_comes_three_days_later_ends_three_days_later() {
    let mut u = kestrel();
    let [inv, chief, sup] = u.actors(["inv", "chief", "sup"]);
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::IntrusiveSurveillance, "chief", false),
    )
    .unwrap();
    // Granted at 09:00 on 15 January 2026.
    u.cf.execute(&chief, grant("AUTH-2026-0001", "")).unwrap();
    // Approved and notified at 16:00 on 18 January, recorded the next morning.
    u.clock.set("2026-01-19T08:00:00Z");
    let approved =
        u.cf.execute(
            &chief,
            approve("AUTH-2026-0001", "JC-2026-18", "2026-01-18T16:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        approved.details["takes_effect_at"],
        "2026-01-18T16:00:00.000000Z"
    );
    let e = &u.cf.central_record(&sup).unwrap()[0];
    // Three months beginning with 18 January (RIPA s.43(3)): the end of 17
    // April, three days after the end of 14 April the grant alone gives.
    assert_eq!(e.last_day.as_deref(), Some("2026-04-17"));
    assert_eq!(e.ends_at.as_deref(), Some("2026-04-17T23:00:00.000000Z"));
    // Reviews every 28 days from the approval: the end of 15 February.
    assert_eq!(
        e.next_review_due.as_deref(),
        Some("2026-02-16T00:00:00.000000Z")
    );
    // On 15 April, when the grant's own period would have ended, it is
    // still in effect.
    u.clock.set("2026-04-15T12:00:00Z");
    assert!(u.cf.central_record(&sup).unwrap()[0].in_effect);
    // A renewal runs from the approval's end.
    let renewed =
        u.cf.execute(
            &chief,
            Command::RenewAuthorisation {
                urn: auth("AUTH-2026-0001"),
                rationale: why("Still needed"),
            },
        )
        .unwrap();
    assert_eq!(
        renewed.details["takes_effect_at"],
        "2026-04-17T23:00:00.000000Z"
    );
    assert_eq!(renewed.details["after"]["last_day"], "2026-07-17");
}

#[test]
fn an_approval_before_the_grant_in_the_future_or_by_the_applicant_is_refused() {
    let mut u = kestrel();
    let [inv, chief] = u.actors(["inv", "chief"]);
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::IntrusiveSurveillance, "chief", false),
    )
    .unwrap();
    u.cf.execute(&chief, grant("AUTH-2026-0001", "")).unwrap();
    for (at, says) in [
        ("2026-01-15T08:00:00Z", "cannot be before the grant"),
        (
            "2026-01-15T10:00:00Z",
            "cannot be recorded before it is given",
        ),
    ] {
        let err =
            u.cf.execute(&chief, approve("AUTH-2026-0001", "JC-1", at))
                .unwrap_err();
        assert!(err.to_string().contains(says), "{err}");
    }
    // An applicant without the authorising role may not record it.
    let err =
        u.cf.execute(
            &inv,
            approve("AUTH-2026-0001", "JC-1", "2026-01-15T09:00:00Z"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    // The authorisation is as it was.
    let e = &u.cf.central_record(&chief).unwrap()[0];
    assert_eq!(e.ends_at, None);
    assert_eq!(e.judicial_approval_at, None);
}

#[test]
fn an_urgent_communications_data_grant_ends_with_its_third_uk_day_ipa_s65_3a() {
    let mut u = kestrel();
    let [inv, insp, sup] = u.actors(["inv", "insp", "sup"]);
    threshold_met(&mut u);
    u.clock.set("2026-01-15T10:00:00Z");
    u.cf.execute(
        &inv,
        application(AuthorisationType::CommunicationsData, "insp", true),
    )
    .unwrap();
    let granted = u.cf.execute(&insp, grant_whole("AUTH-2026-0001")).unwrap();
    // Three days beginning with 15 January: the end of 17 January, not
    // 10:00 on 18 January.
    assert_eq!(granted.details["ends_at"], "2026-01-18T00:00:00.000000Z");
    assert_eq!(granted.details["last_day"], "2026-01-17");
    u.clock.set("2026-01-18T00:00:00Z");
    assert!(!u.cf.central_record(&sup).unwrap()[0].in_effect);
}

#[test]
fn a_chis_is_reviewed_before_renewal_and_renewals_chain_from_the_end() {
    let mut u = kestrel();
    let [inv, supt, sup] = u.actors(["inv", "supt", "sup"]);
    threshold_met(&mut u);
    u.cf.execute(&inv, application(AuthorisationType::Chis, "supt", false))
        .unwrap();
    u.cf.execute(&supt, grant_whole("AUTH-2026-0001")).unwrap();
    // Twelve months beginning with 15 January 2026: the end of 14 January 2027.
    u.clock.set("2026-12-01T10:00:00Z");
    let renew = || Command::RenewAuthorisation {
        urn: auth("AUTH-2026-0001"),
        rationale: why("Still needed"),
    };
    let err = u.cf.execute(&supt, renew()).unwrap_err();
    assert!(
        err.to_string()
            .contains("must be reviewed before it is renewed"),
        "{err}"
    );
    u.cf.execute(
        &supt,
        Command::ReviewAuthorisation {
            urn: auth("AUTH-2026-0001"),
            review: Review::new(
                "Contact continues weekly",
                "Tasking narrowed to one venue",
                true,
            )
            .unwrap(),
        },
    )
    .unwrap();
    let renewed = u.cf.execute(&supt, renew()).unwrap();
    assert_eq!(
        renewed.details["takes_effect_at"],
        "2027-01-15T00:00:00.000000Z"
    );
    assert_eq!(renewed.details["after"]["last_day"], "2028-01-14");
    let e = &u.cf.central_record(&sup).unwrap()[0];
    assert_eq!(e.renewals.len(), 1);
    assert!(
        e.renewals[0].contains("by Officer supt (Superintendent)"),
        "{:?}",
        e.renewals
    );
    assert_eq!(e.reviews.len(), 1);

    // After the end nothing can be renewed.
    u.clock.set("2028-01-15T00:00:00Z");
    let err = u.cf.execute(&supt, renew()).unwrap_err();
    assert!(
        err.to_string().contains("ended at the end of 2028-01-14"),
        "{err}"
    );
}

#[test]
fn cancellation_records_the_stop_instruction_reason_outcome_and_material() {
    let mut u = kestrel();
    let [inv, supt, sup] = u.actors(["inv", "supt", "sup"]);
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    u.clock.set("2026-02-20T16:00:00Z");
    let stop = Utc.with_ymd_and_hms(2026, 2, 20, 15, 30, 0).unwrap();
    u.cf.execute(
        &supt,
        Command::CancelAuthorisation {
            urn: auth("AUTH-2026-0001"),
            cancellation: Cancellation::new(
                stop,
                "Subject arrested",
                "Evidence of contact obtained",
                kept("Logs kept on the case system for review at charge"),
            )
            .unwrap(),
        },
    )
    .unwrap();
    let e = &u.cf.central_record(&sup).unwrap()[0];
    assert_eq!(e.status.label(), "Cancelled");
    assert!(!e.in_effect);
    assert_eq!(
        e.cancelled_at.as_deref(),
        Some("2026-02-20T16:00:00.000000Z")
    );
    let (_, action, _, details) = last_event(&u);
    assert_eq!(action, "authorisation.cancel");
    assert!(
        details.contains(r#""stop_instruction_at":"2026-02-20T15:30:00.000000Z""#),
        "{details}"
    );
    assert!(
        details.contains("Logs kept on the case system"),
        "{details}"
    );
}

/// Renewing twice within a minute of a grant once moved the end on by two
/// periods: a period is renewed once, and the next only once it has begun.
#[test]
fn a_period_is_renewed_once_and_a_second_renewal_is_refused_leaving_the_file_as_it_was() {
    let mut u = kestrel();
    let [inv, supt, sup] = u.actors(["inv", "supt", "sup"]);
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    let renew = || Command::RenewAuthorisation {
        urn: auth("AUTH-2026-0001"),
        rationale: why("Still needed"),
    };
    u.clock.advance(Duration::minutes(1));
    let first = u.cf.execute(&supt, renew()).unwrap();
    assert_eq!(first.details["after"]["last_day"], "2026-07-14");
    let ends = "SELECT ends_at FROM authorisation WHERE urn = 'AUTH-2026-0001'";
    let renewals = "SELECT count(*) FROM authorisation_renewal";
    let ends_before: String = raw_conn(&u.path).query_row(ends, [], |r| r.get(0)).unwrap();
    u.clock.advance(Duration::minutes(1));
    let err = u.cf.execute(&supt, renew()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "renewal: the period in effect is renewed already: the next begins 15/04/2026 00:00 and runs to 15/07/2026 00:00; renew again once it has begun"
    );
    let ends_after: String = raw_conn(&u.path).query_row(ends, [], |r| r.get(0)).unwrap();
    assert_eq!(ends_after, ends_before);
    assert_eq!(count(&u.path, renewals), 1);
    // Once the renewed period has begun, it may be renewed in its turn.
    u.clock.set("2026-04-15T09:00:00Z");
    let second = u.cf.execute(&supt, renew()).unwrap();
    assert_eq!(second.details["after"]["last_day"], "2026-10-14");
    assert_eq!(count(&u.path, renewals), 2);
    // The record shows each renewal's period, and the one now in effect.
    let record =
        u.cf.open_authorisation(&sup, &auth("AUTH-2026-0001"))
            .unwrap();
    assert_eq!(record.renewals.len(), 2);
    assert_eq!(
        record.renewals[1].takes_effect_at,
        "2026-07-14T23:00:00.000000Z"
    );
    assert_eq!(
        record.period_start.as_deref(),
        Some("2026-07-14T23:00:00.000000Z")
    );
}

#[test]
fn an_authorisation_opens_with_its_grounds_its_threshold_and_its_cancellation() {
    let mut u = kestrel();
    let [inv, supt, sup] = u.actors(["inv", "supt", "sup"]);
    u.cf.execute(
        &inv,
        Command::ProposeThreshold {
            codename: code("KESTREL"),
            criteria: criteria(false),
        },
    )
    .unwrap();
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    let a = auth("AUTH-2026-0001");
    let record = u.cf.open_authorisation(&supt, &a).unwrap();
    assert_eq!(record.kind, AuthorisationType::DirectedSurveillance);
    assert!(!record.threshold.is_met());
    assert_eq!(record.threshold.decided, None);
    assert_eq!(
        record.threshold.pending_since.as_deref(),
        Some("2026-01-15T09:00:00.000000Z")
    );
    let (necessity, proportionality, collateral): (String, String, String) = raw_conn(&u.path)
        .query_row(
            "SELECT necessity, proportionality, collateral_intrusion FROM authorisation",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(record.grounds.necessity, necessity);
    assert_eq!(record.grounds.proportionality, proportionality);
    assert_eq!(record.grounds.collateral_intrusion, collateral);
    u.cf.execute(
        &sup,
        Command::DecideThreshold {
            codename: code("KESTREL"),
            outcome: ThresholdOutcome::Met,
            rationale: why("Overt routes exhausted"),
        },
    )
    .unwrap();
    let record = u.cf.open_authorisation(&supt, &a).unwrap();
    assert!(record.threshold.is_met());
    assert_eq!(record.threshold.pending_since, None);
    u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    u.cf.execute(
        &supt,
        Command::ReviewAuthorisation {
            urn: a,
            review: Review::new("Contact continues", "Narrowed to evenings", false).unwrap(),
        },
    )
    .unwrap();
    u.cf.execute(
        &supt,
        Command::CancelAuthorisation {
            urn: a,
            cancellation: Cancellation::new(
                Utc.with_ymd_and_hms(2026, 1, 15, 9, 0, 0).unwrap(),
                "Subject arrested",
                "Evidence of contact obtained",
                kept("Logs kept for review at charge"),
            )
            .unwrap(),
        },
    )
    .unwrap();
    let record = u.cf.open_authorisation(&sup, &a).unwrap();
    assert_eq!(
        record.decision_rationale.as_deref(),
        Some("Necessary and proportionate for the reasons given")
    );
    let review = &record.reviews[0];
    assert_eq!(
        (
            review.necessity.as_str(),
            review.proportionality.as_str(),
            review.continue_
        ),
        ("Contact continues", "Narrowed to evenings", false)
    );
    let c = record.cancellation.as_ref().expect("cancelled");
    assert_eq!(c.reason, "Subject arrested");
    assert_eq!(c.outcome, "Evidence of contact obtained");
    assert_eq!(c.material_arrangements, "Logs kept for review at charge");
    assert_eq!(
        c.stop_instruction_at.as_deref(),
        Some("2026-01-15T09:00:00.000000Z")
    );
}

#[test]
fn an_iopc_decision_dated_before_the_referral_was_made_is_refused() {
    let mut u = kestrel();
    let [inv, sup] = u.actors(["inv", "sup"]);
    u.cf.execute(&inv, referral(None)).unwrap();
    let urn = Urn::parse(UrnKind::Referral, "REF-2026-0001").unwrap();
    u.clock.set("2026-01-20T10:00:00Z");
    u.cf.execute(&sup, Command::MakeReferral { urn }).unwrap();
    let decided = |day: u32| Command::RecordIopcDecision {
        urn,
        decision: IopcDecision::new(
            "IOPC-2026-9",
            ModeOfInvestigation::Directed,
            NaiveDate::from_ymd_opt(2026, 1, day).unwrap(),
        )
        .unwrap(),
    };
    let seen = seen(&u.path);
    let err = u.cf.execute(&inv, decided(19)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "decided on: 19/01/2026 is before REF-2026-0001 was referred to the IOPC, on 20/01/2026"
    );
    assert_eq!(
        count(
            &u.path,
            "SELECT count(*) FROM referral WHERE status = 'referred' AND mode IS NULL"
        ),
        1
    );
    assert!(
        since(&u.path, seen).iter().all(|e| e.4 != "ok"),
        "{:?}",
        since(&u.path, seen)
    );
    // The day it was made will do.
    u.cf.execute(&inv, decided(20)).unwrap();
    let row = u.cf.open_referral(&sup, &urn).unwrap();
    assert_eq!(row.mode_decided_on.as_deref(), Some("2026-01-20"));
    assert_eq!(row.summary, "Contact with detained women after release");
    assert_eq!(row.subjects, ["K100 PC Kerry Shadowfax"]);
}

#[test]
fn a_referral_still_to_make_is_in_the_supervisors_queue_and_overdue_past_its_deadline() {
    let mut u = kestrel();
    let [inv, sup] = u.actors(["inv", "sup"]);
    u.cf.execute(&inv, referral(None)).unwrap();
    let queue = u.cf.referrals_to_make(&sup).unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].0.urn.to_string(), "REF-2026-0001");
    assert!(!queue[0].1, "not yet overdue");
    // The deadline is the end of 16/01/2026.
    u.clock.set("2026-01-17T00:00:00Z");
    assert!(u.cf.referrals_to_make(&sup).unwrap()[0].1, "overdue");
    u.cf.execute(
        &sup,
        Command::MakeReferral {
            urn: Urn::parse(UrnKind::Referral, "REF-2026-0001").unwrap(),
        },
    )
    .unwrap();
    assert_eq!(u.cf.referrals_to_make(&sup).unwrap(), []);
}

/// A referral of a conduct matter on KESTREL that became clear on
/// 15/01/2026; a re-referral of `re` if given.
fn referral(re: Option<&str>) -> Command {
    Command::RecordReferral(
        NewReferral::new(
            Some(code("KESTREL")),
            "PSD/2026/0042",
            MatterType::Conduct,
            ReferralCriterion::SeriousCorruption,
            NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
            vec![StaffNumber::parse("K100").unwrap()],
            "Contact with detained women after release",
            true,
            "Restricted duties from 15/01/2026",
            re.map(|r| Urn::parse(UrnKind::Referral, r).unwrap()),
        )
        .unwrap(),
    )
}

#[test]
fn referrals_have_a_deadline_are_made_by_a_supervisor_and_record_the_iopc_decision() {
    let mut u = kestrel();
    let [inv, sup] = u.actors(["inv", "sup"]);
    let recorded = u.cf.execute(&inv, referral(None)).unwrap();
    assert_eq!(recorded.reference, "REF-2026-0001");
    // The end of the day after the day it became clear.
    assert_eq!(recorded.details["deadline"], "2026-01-17T00:00:00.000000Z");
    let refer = Command::MakeReferral {
        urn: Urn::parse(UrnKind::Referral, "REF-2026-0001").unwrap(),
    };
    assert!(matches!(
        u.cf.execute(&inv, refer.clone()),
        Err(Error::Denied { .. })
    ));
    u.cf.execute(&sup, refer.clone()).unwrap();
    let decision = Command::RecordIopcDecision {
        urn: Urn::parse(UrnKind::Referral, "REF-2026-0001").unwrap(),
        decision: IopcDecision::new(
            "IOPC-2026-123",
            ModeOfInvestigation::Independent,
            NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
        )
        .unwrap(),
    };
    u.cf.execute(&inv, decision).unwrap();
    let again = u.cf.execute(&inv, referral(Some("REF-2026-0001"))).unwrap();
    let rows = u.cf.referrals(&sup).unwrap();
    assert_eq!(rows[0].urn.to_string(), again.reference);
    assert_eq!(
        rows[0].re_referral_of.map(|u| u.to_string()).as_deref(),
        Some("REF-2026-0001")
    );
    assert_eq!(rows[1].mode, Some(ModeOfInvestigation::Independent));
    assert_eq!(rows[1].iopc_reference.as_deref(), Some("IOPC-2026-123"));

    // The deadline is configurable, for referrals recorded afterwards.
    u.cf.execute(&sup, Command::SetReferralDeadline { days_after: 2 })
        .unwrap();
    let third = u.cf.execute(&inv, referral(None)).unwrap();
    assert_eq!(third.details["deadline"], "2026-01-18T00:00:00.000000Z");
}

#[test]
fn the_diary_lists_what_is_due_soonest_first_with_overdue_flagged() {
    let mut u = kestrel();
    let [inv, supt, sup, sup2] = u.actors(["inv", "supt", "sup", "sup2"]);
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    u.cf.execute(
        &inv,
        Command::RecordReferral(
            NewReferral::new(
                Some(code("KESTREL")),
                "PSD/1",
                MatterType::Conduct,
                ReferralCriterion::SeriousCorruption,
                NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
                vec![],
                "Summary",
                false,
                "",
                None,
            )
            .unwrap(),
        ),
    )
    .unwrap();
    // 11 February: the referral is overdue; the threshold review (12 Feb)
    // and the authorisation review (end of 12 Feb) are due within 7 days;
    // the operation has had no decision-log entry for 27 days.
    u.clock.set("2026-02-11T09:00:00Z");
    let items = u.cf.due(&sup, 7).unwrap();
    let seen: Vec<(DueKind, &str, bool)> = items
        .iter()
        .map(|i| (i.what, i.reference.as_str(), i.overdue))
        .collect();
    assert_eq!(
        seen,
        [
            (DueKind::ReferralDeadline, "REF-2026-0001", true),
            (DueKind::OperationQuiet, "KESTREL", false),
            // Both due at the end of 12 February; same time, by reference.
            (DueKind::AuthorisationReview, "AUTH-2026-0001", false),
            (DueKind::ThresholdReview, "KESTREL", false),
        ]
    );
    assert_eq!(items[0].due_at, "2026-01-17T00:00:00.000000Z");
    // Looking further ahead brings in the authorisation's end.
    let far = u.cf.due(&sup, 90).unwrap();
    let end = far
        .iter()
        .find(|i| i.what == DueKind::AuthorisationEnds)
        .unwrap();
    assert_eq!(end.due_at, "2026-04-14T23:00:00.000000Z");
    assert!(
        end.why.contains("ends at the end of 14/04/2026"),
        "{}",
        end.why
    );
    // An investigator not on the team sees none of it.
    let outsider = {
        let admin = login(&mut u.cf, ADMIN, ADMIN_PASSWORD);
        add_user(&mut u.cf, &admin, "outsider", "investigator");
        login(&mut u.cf, "outsider", USER_PASSWORD)
    };
    assert_eq!(u.cf.due(&outsider, 90).unwrap(), []);
    // A second supervisor sees it all, as supervisors see every operation.
    assert_eq!(u.cf.due(&sup2, 90).unwrap(), far);
}

#[test]
fn opening_an_authorisation_or_a_referral_records_the_consultation_and_hides_others() {
    let mut u = kestrel();
    let inv = u.actor("inv");
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    let entry =
        u.cf.open_authorisation(&inv, &auth("AUTH-2026-0001"))
            .unwrap();
    assert_eq!(entry.urn.to_string(), "AUTH-2026-0001");
    assert_eq!(
        entry.status,
        ccu::domain::covert::AuthorisationStatus::Applied
    );
    let r = audit_rows(&u.path).pop().unwrap();
    assert_eq!(
        (r.1.as_str(), r.2.as_str(), r.3.as_str(), r.4.as_str()),
        ("inv", "view", "AUTH-2026-0001", "ok")
    );
    u.cf.execute(&inv, referral(None)).unwrap();
    let referral_urn = Urn::parse(UrnKind::Referral, "REF-2026-0001").unwrap();
    let referral = u.cf.open_referral(&inv, &referral_urn).unwrap();
    assert_eq!(referral.urn, referral_urn);
    let r = audit_rows(&u.path).pop().unwrap();
    assert_eq!(
        (r.1.as_str(), r.2.as_str(), r.3.as_str(), r.4.as_str()),
        ("inv", "view", "REF-2026-0001", "ok")
    );
    // Not on the operation: as if neither existed, and the attempt
    // audited as refused.
    let outsider = {
        let admin = login(&mut u.cf, ADMIN, ADMIN_PASSWORD);
        add_user(&mut u.cf, &admin, "outsider", "investigator");
        login(&mut u.cf, "outsider", USER_PASSWORD)
    };
    assert!(matches!(
        u.cf.open_authorisation(&outsider, &auth("AUTH-2026-0001")),
        Err(Error::NoSuch { .. })
    ));
    assert!(matches!(
        u.cf.open_referral(&outsider, &referral_urn),
        Err(Error::NoSuch { .. })
    ));
    let r = audit_rows(&u.path).pop().unwrap();
    assert_eq!(
        (r.1.as_str(), r.2.as_str(), r.4.as_str()),
        ("outsider", "view", "denied")
    );
}

#[test]
fn a_grant_likely_to_obtain_confidential_material_needs_the_higher_rank() {
    let mut u = kestrel();
    let [inv, supt, chief] = u.actors(["inv", "supt", "chief"]);
    threshold_met(&mut u);
    let confidential = |asked: &str| {
        Command::ApplyForAuthorisation(
            AuthorisationApplication::new(
                code("KESTREL"),
                user(asked),
                AuthorisationType::DirectedSurveillance,
                false,
                "",
                "Follow the subject to a solicitor's office",
                vec![StaffNumber::parse("K100").unwrap()],
                "Only observation shows the contact",
                "Two evenings a week, public places only",
                "Members of the public seen in passing",
                ConfidentialMaterial::new(true, "Likely because the office is a solicitor's")
                    .unwrap(),
                false,
            )
            .unwrap()
            .with_tactics(observation(AuthorisationType::DirectedSurveillance))
            .unwrap(),
        )
    };
    u.cf.execute(&inv, confidential("supt")).unwrap();
    let err =
        u.cf.execute(&supt, grant("AUTH-2026-0001", ""))
            .unwrap_err();
    assert!(
        err.to_string().contains(
            "must be authorised at the rank of Chief Constable or above, not Superintendent"
        ),
        "{err}"
    );
    assert_eq!(
        u.cf.central_record(&supt).unwrap()[0].status.label(),
        "Applied for"
    );
    u.cf.execute(&inv, confidential("chief")).unwrap();
    u.cf.execute(&chief, grant("AUTH-2026-0002", "")).unwrap();
}

#[test]
fn a_juvenile_chis_is_reviewed_at_least_monthly() {
    let mut u = kestrel();
    let [inv, acc] = u.actors(["inv", "acc"]);
    threshold_met(&mut u);
    u.cf.execute(
        &inv,
        application(AuthorisationType::JuvenileChis, "acc", false),
    )
    .unwrap();
    let every = |days| Command::GrantAuthorisation {
        urn: auth("AUTH-2026-0001"),
        review_every_days: days,
        rationale: why("Necessary and proportionate for the reasons given"),
        involvement: None,
        tactics: Vec::new(),
    };
    let err = u.cf.execute(&acc, every(29)).unwrap_err();
    assert!(
        err.to_string().contains("every 28 days at most, not 29"),
        "{err}"
    );
    let granted = u.cf.execute(&acc, every(28)).unwrap();
    // Four months beginning with 15 January (SI 2018/715).
    assert_eq!(granted.details["last_day"], "2026-05-14");
}

#[test]
fn the_central_record_says_when_an_entry_may_first_be_reviewed_for_destruction() {
    let mut u = kestrel();
    let [inv, supt, sup] = u.actors(["inv", "supt", "sup"]);
    threshold_met(&mut u);
    // A directed surveillance grant, cancelled on 1 February 2026.
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    let e = &u.cf.central_record(&sup).unwrap()[0];
    // Three years after its last day, 14 April 2026.
    assert_eq!(e.destruction_review_from.as_deref(), Some("2029-04-15"));
    u.clock.set("2026-02-01T10:00:00Z");
    u.cf.execute(
        &supt,
        Command::CancelAuthorisation {
            urn: auth("AUTH-2026-0001"),
            cancellation: Cancellation::new(
                Utc.with_ymd_and_hms(2026, 2, 1, 10, 0, 0).unwrap(),
                "No longer needed",
                "Contact confirmed",
                kept("Kept by the case officer, reviewed in six months"),
            )
            .unwrap(),
        },
    )
    .unwrap();
    let e = &u.cf.central_record(&sup).unwrap()[0];
    // Cancelled on 1 February 2026: from 2 February 2029.
    assert_eq!(e.destruction_review_from.as_deref(), Some("2029-02-02"));
    // Who keeps the product and when it is reviewed, and why confidential
    // material was thought unlikely.
    assert_eq!(
        e.product_handling.as_deref(),
        Some(
            "kept by Case officer, next reviewed 2026-09-01: Kept by the case officer, reviewed in six months"
        )
    );
    assert_eq!(
        e.confidential_reason.as_deref(),
        Some("Unlikely because public places only, away from any lawyer")
    );
    let csv = String::from_utf8(ccu::store::central_record_csv(std::slice::from_ref(e)).unwrap())
        .unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",destruction_review_from"),
        "{csv}"
    );
    assert!(
        csv.lines().nth(1).unwrap().ends_with(",2029-02-02"),
        "{csv}"
    );
}

const TEMPLATE: &str = "The surveillance is proportionate because it is limited to public \
    places, will last no longer than necessary, and the least intrusive means have been \
    considered and found inadequate.";

fn reasoned(necessity: &str, proportionality: &str) -> Command {
    Command::ApplyForAuthorisation(
        AuthorisationApplication::new(
            code("KESTREL"),
            user("supt"),
            AuthorisationType::DirectedSurveillance,
            false,
            "",
            "Follow the subject after shifts",
            vec![],
            necessity,
            proportionality,
            "Members of the public seen in passing",
            ConfidentialMaterial::new(false, "Unlikely because public places only").unwrap(),
            false,
        )
        .unwrap()
        .with_tactics(observation(AuthorisationType::DirectedSurveillance))
        .unwrap(),
    )
}

#[test]
fn a_copied_proportionality_paragraph_is_shown_and_a_genuinely_different_one_is_not() {
    let mut u = kestrel();
    let [inv, supt, sup] = u.actors(["inv", "supt", "sup"]);
    threshold_met(&mut u);
    let necessity = "Only covert observation can show whether the subject meets the women \
        after his shifts; the custody records and the body-worn video cannot.";
    u.cf.execute(&inv, reasoned(necessity, TEMPLATE)).unwrap();
    // The same paragraph again, with only the case and spacing changed.
    let applied =
        u.cf.execute(
            &inv,
            reasoned(
                "A different operation's need: only the phone data shows who he calls at night \
                 from the station.",
                &TEMPLATE.to_uppercase().replace("  ", " "),
            ),
        )
        .unwrap();
    assert_eq!(applied.details["similar_text"][0]["percent"], 100);
    // Reasoning written for the case.
    u.cf.execute(
        &inv,
        reasoned(
            "Observation is the only way to see whether he drives to the victims' addresses \
             after his late shifts end.",
            "Observation is confined to the two evenings a week the subject visits the victim's \
             street, from a parked vehicle, so neighbours are not watched.",
        ),
    )
    .unwrap();
    let record = u.cf.central_record(&sup).unwrap();
    let by = |urn: &str| record.iter().find(|e| e.urn.to_string() == urn).unwrap();
    assert_eq!(
        by("AUTH-2026-0002").similar_text,
        ["proportionality: 100% the same as AUTH-2026-0001's proportionality"]
    );
    assert!(by("AUTH-2026-0001").similar_text.is_empty());
    assert!(
        by("AUTH-2026-0003").similar_text.is_empty(),
        "{:?}",
        by("AUTH-2026-0003").similar_text
    );
    // The central record export says so too.
    let csv = String::from_utf8(ccu::store::central_record_csv(&record).unwrap()).unwrap();
    assert!(
        csv.contains("proportionality: 100% the same as AUTH-2026-0001's proportionality"),
        "{csv}"
    );

    // A review that repeats the application's necessity is flagged; its
    // own proportionality, re-tested, is not.
    u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    u.cf.execute(
        &supt,
        Command::ReviewAuthorisation {
            urn: auth("AUTH-2026-0001"),
            review: Review::new(
                necessity,
                "Two sightings so far; narrowed to Fridays only, when he has been seen at the \
                 address, so fewer neighbours are seen.",
                true,
            )
            .unwrap(),
        },
    )
    .unwrap();
    let e =
        u.cf.open_authorisation(&sup, &auth("AUTH-2026-0001"))
            .unwrap();
    assert_eq!(
        e.similar_text,
        ["review of 2026-01-15 necessity: 100% the same as its application's necessity"]
    );
}

/// What a form shows while reasoning is written: the record's measure,
/// over only the authorisations the writer may see, and for a review its
/// own application first.
#[test]
fn reasoning_being_written_is_compared_only_with_what_the_writer_may_see() {
    use ccu::store::Drafting;
    let mut u = kestrel();
    let [inv, supt, chief] = u.actors(["inv", "supt", "chief"]);
    threshold_met(&mut u);
    let necessity = "Only covert observation can show whether the subject meets the women \
        after his shifts; the custody records and the body-worn video cannot.";
    u.cf.execute(&inv, reasoned(necessity, TEMPLATE)).unwrap();
    let copied = TEMPLATE.to_uppercase();
    assert_eq!(
        u.cf.similar_reasoning(&inv, Drafting::Application, &copied)
            .unwrap()
            .as_deref(),
        Some("100% the same as AUTH-2026-0001's proportionality")
    );
    // The Chief Constable is not on KESTREL's team: nothing of its text is
    // compared, so the form can not be used to test guesses against it.
    assert_eq!(
        u.cf.similar_reasoning(&chief, Drafting::Application, &copied)
            .unwrap(),
        None
    );
    // Different words, or too few to compare, show nothing.
    assert_eq!(
        u.cf.similar_reasoning(
            &inv,
            Drafting::Application,
            "Observation is confined to the two evenings a week the subject visits the \
             victim's street, from a parked vehicle, so neighbours are not watched."
        )
        .unwrap(),
        None
    );
    assert_eq!(
        u.cf.similar_reasoning(&inv, Drafting::Application, "Necessary and proportionate")
            .unwrap(),
        None
    );
    // A review is compared with its own application, as the record is.
    u.cf.execute(&supt, grant("AUTH-2026-0001", "")).unwrap();
    let before = common::count(&u.path, "SELECT count(*) FROM authorisation_similarity");
    assert_eq!(
        u.cf.similar_reasoning(&supt, Drafting::Review(auth("AUTH-2026-0001")), necessity)
            .unwrap()
            .as_deref(),
        Some("100% the same as its application's necessity")
    );
    // Asking writes nothing.
    assert_eq!(
        common::count(&u.path, "SELECT count(*) FROM authorisation_similarity"),
        before
    );
}

/// Directed surveillance asking for three tactics, each with its own lines.
fn three_tactics() -> Command {
    let Command::ApplyForAuthorisation(app) =
        application(AuthorisationType::DirectedSurveillance, "supt", false)
    else {
        unreachable!()
    };
    let case = |t, n, p| TacticCase::new(t, n, p).unwrap();
    Command::ApplyForAuthorisation(
        AuthorisationApplication {
            tactics: Vec::new(),
            ..app
        }
        .with_tactics(vec![
            case(
                Tactic::FollowingOnFoot,
                "He walks from the station to where he meets them",
                "Two officers, from the station door to the first stop",
            ),
            case(
                Tactic::StaticObservation,
                "The car park is where the victim says they met",
                "One parked vehicle, two hours after late shifts",
            ),
            case(
                Tactic::CovertPhotography,
                "A photograph would corroborate the victim",
                "Only of a meeting itself, never of passers-by",
            ),
        ])
        .unwrap(),
    )
}

fn refused(why: &str) -> TacticDecision {
    TacticDecision::Refused(Rationale::new("reason", why).unwrap())
}

#[test]
fn an_application_lists_each_tactic_and_the_grant_decides_each() {
    let mut u = kestrel();
    let [inv, supt, sup] = u.actors(["inv", "supt", "sup"]);
    threshold_met(&mut u);
    let applied = u.cf.execute(&inv, three_tactics()).unwrap();
    assert_eq!(
        applied.details["tactics"],
        serde_json::json!([
            "following-on-foot",
            "static-observation",
            "covert-photography"
        ])
    );
    let e = &u.cf.central_record(&sup).unwrap()[0];
    assert_eq!(
        e.tactics_cell(),
        "Following on foot: applied for, not yet decided; Static observation: applied for, not yet decided; \
         Covert photography or video: applied for, not yet decided"
    );
    assert_eq!(
        e.tactics[2].proportionality,
        "Only of a meeting itself, never of passers-by"
    );
    let granted =
        u.cf.execute(
            &supt,
            grant_tactics(
                "AUTH-2026-0001",
                "",
                vec![
                    (Tactic::StaticObservation, TacticDecision::Granted),
                    (Tactic::FollowingOnFoot, TacticDecision::Granted),
                    (
                        Tactic::CovertPhotography,
                        refused("The observation logs will show a meeting"),
                    ),
                ],
            ),
        )
        .unwrap();
    assert_eq!(granted.details["tactics"][2]["granted"], false);
    let record =
        u.cf.open_authorisation(&sup, &auth("AUTH-2026-0001"))
            .unwrap();
    let decided: Vec<_> = record
        .tactics
        .iter()
        .map(|t| (t.tactic, t.decision()))
        .collect();
    assert_eq!(
        decided,
        [
            (Tactic::FollowingOnFoot, "granted".to_string()),
            (Tactic::StaticObservation, "granted".to_string()),
            (
                Tactic::CovertPhotography,
                "refused: The observation logs will show a meeting".to_string()
            ),
        ]
    );
    // The central record export carries each tactic and its decision.
    let csv = String::from_utf8(
        ccu::store::central_record_csv(&u.cf.central_record(&sup).unwrap()).unwrap(),
    )
    .unwrap();
    assert!(csv.lines().next().unwrap().contains(",tactics,"), "{csv}");
    assert!(
        csv.contains(
            "Following on foot: granted; Static observation: granted; Covert photography or video: refused: The observation logs will show a meeting"
        ),
        "{csv}"
    );
    // Decisions are kept as written: never changed or deleted.
    let conn = common::raw_conn(&u.path);
    for sql in [
        "UPDATE authorisation_tactic_decision SET granted = 1, reason = NULL",
        "DELETE FROM authorisation_tactic_decision",
        "UPDATE authorisation_tactic SET necessity = 'x'",
        "DELETE FROM authorisation_tactic",
    ] {
        assert!(conn.execute(sql, []).is_err(), "{sql}");
    }
}

#[test]
fn an_application_of_a_type_with_tactics_must_list_them_and_only_its_own() {
    let mut u = kestrel();
    let inv = u.actor("inv");
    threshold_met(&mut u);
    let Command::ApplyForAuthorisation(app) =
        application(AuthorisationType::DirectedSurveillance, "supt", false)
    else {
        unreachable!()
    };
    let bare = AuthorisationApplication {
        tactics: Vec::new(),
        ..app.clone()
    };
    let err =
        u.cf.execute(&inv, Command::ApplyForAuthorisation(bare))
            .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("tactic: list each tactic asked for"),
        "{err}"
    );
    // Built by hand past `with_tactics`: the case file checks again.
    let entry = AuthorisationApplication {
        tactics: vec![
            TacticCase::new(Tactic::CovertEntry, "To fit a device", "Once, at night").unwrap(),
        ],
        ..app
    };
    let err =
        u.cf.execute(&inv, Command::ApplyForAuthorisation(entry))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tactic: Covert entry on property is not a tactic of directed surveillance (it is of property interference)"
    );
    assert_eq!(count(&u.path, "SELECT count(*) FROM authorisation"), 0);
    assert_eq!(
        count(&u.path, "SELECT count(*) FROM authorisation_tactic"),
        0
    );
}

#[test]
fn a_grant_that_grants_no_tactic_or_one_not_applied_for_is_refused_and_writes_nothing() {
    let mut u = kestrel();
    let [inv, supt, dual] = u.actors(["inv", "supt", "dual"]);
    threshold_met(&mut u);
    u.cf.execute(&inv, three_tactics()).unwrap();
    let nothing_written = |u: &Unit| {
        assert_eq!(
            count(
                &u.path,
                "SELECT count(*) FROM authorisation WHERE status = 'applied' AND granted_at IS NULL"
            ),
            1
        );
        assert_eq!(
            count(
                &u.path,
                "SELECT count(*) FROM authorisation_tactic_decision"
            ),
            0
        );
    };
    let all_refused = vec![
        (Tactic::FollowingOnFoot, refused("Not needed")),
        (Tactic::StaticObservation, refused("Not needed")),
        (Tactic::CovertPhotography, refused("Not needed")),
    ];
    let err =
        u.cf.execute(&supt, grant_tactics("AUTH-2026-0001", "", all_refused))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tactic: no tactic is granted: an authorisation that grants none is a refusal; refuse the application instead"
    );
    nothing_written(&u);
    let stranger = vec![
        (Tactic::FollowingOnFoot, TacticDecision::Granted),
        (Tactic::StaticObservation, TacticDecision::Granted),
        (Tactic::CovertPhotography, TacticDecision::Granted),
        (Tactic::FollowingByVehicle, TacticDecision::Granted),
    ];
    let err =
        u.cf.execute(&supt, grant_tactics("AUTH-2026-0001", "", stranger))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tactic: Following by vehicle was not applied for: only a tactic the application lists can be decided"
    );
    nothing_written(&u);
    // One applied for and left undecided.
    let err =
        u.cf.execute(&supt, grant("AUTH-2026-0001", ""))
            .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("tactic: Following on foot was applied for"),
        "{err}"
    );
    nothing_written(&u);

    // An authorising officer who applied may not grant, whatever tactics
    // the grant decides.
    u.cf.execute(&dual, three_tactics()).unwrap();
    let every = vec![
        (Tactic::FollowingOnFoot, TacticDecision::Granted),
        (Tactic::StaticObservation, TacticDecision::Granted),
        (Tactic::CovertPhotography, TacticDecision::Granted),
    ];
    let err =
        u.cf.execute(&dual, grant_tactics("AUTH-2026-0002", "", every))
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "permission denied: dual (supervisor,authorising-officer) may not grant their own application"
    );
    assert_eq!(
        count(
            &u.path,
            "SELECT count(*) FROM authorisation_tactic_decision"
        ),
        0
    );
}

/// The schema version just before the one that keeps tactics, found by
/// migrating step by step (its number changes as migrations are merged).
fn before_tactics() -> u32 {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    for v in 1..=ccu::store::LATEST_VERSION {
        ccu::store::migrations()
            .to_version(&mut conn, v as usize)
            .unwrap();
        let kept: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'authorisation_tactic')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if kept {
            return v - 1;
        }
    }
    panic!("no migration keeps tactics");
}

/// A case file from before tactics were kept opens, and its applications
/// say they list none rather than seeming to authorise nothing.
#[test]
fn an_application_from_before_tactics_were_kept_says_so() {
    let mut u = kestrel();
    let inv = u.actor("inv");
    threshold_met(&mut u);
    u.cf.execute(&inv, application(AuthorisationType::Chis, "supt", false))
        .unwrap();
    u.cf.execute(
        &inv,
        application(AuthorisationType::DirectedSurveillance, "supt", false),
    )
    .unwrap();
    let (_dir, path) = u.close();
    // As the schema before tactics left it: the older version never wrote
    // the application's tactic.
    sqlcipher(&path, &back_to_schema(&path, before_tactics()));
    let (mut cf, sup) = open(&path, "sup", USER_PASSWORD);
    let record = cf
        .open_authorisation(&sup, &auth("AUTH-2026-0002"))
        .unwrap();
    assert!(record.tactics.is_empty() && record.tactics_not_kept);
    assert_eq!(record.tactics_cell(), ccu::store::TACTICS_NOT_KEPT);
    assert_eq!(
        ccu::store::TACTICS_NOT_KEPT,
        "no tactics listed (recorded before tactics were kept)"
    );
    // A CHIS lists no tactics at all: nothing to say.
    let chis = cf
        .open_authorisation(&sup, &auth("AUTH-2026-0001"))
        .unwrap();
    assert!(!chis.tactics_not_kept);
    assert_eq!(chis.tactics_cell(), "");
}

/// A tactic's line copied from an earlier application is flagged on the
/// record as any other reasoning is, and on the form while it is written.
#[test]
fn a_tactics_line_copied_from_an_earlier_application_is_flagged() {
    use ccu::store::Drafting;
    let mut u = kestrel();
    let [inv, sup] = u.actors(["inv", "sup"]);
    threshold_met(&mut u);
    let with_line = |proportionality: &str| {
        let Command::ApplyForAuthorisation(app) = reasoned(
            "Only covert observation can show whether the subject meets the women \
             after his shifts; the custody records cannot.",
            "Observation is confined to the evenings he is seen near the street.",
        ) else {
            unreachable!()
        };
        Command::ApplyForAuthorisation(
            AuthorisationApplication {
                tactics: Vec::new(),
                ..app
            }
            .with_tactics(vec![
                TacticCase::new(
                    Tactic::FollowingOnFoot,
                    "He walks from the station to where he meets them",
                    proportionality,
                )
                .unwrap(),
            ])
            .unwrap(),
        )
    };
    u.cf.execute(&inv, with_line(TEMPLATE)).unwrap();
    assert_eq!(
        u.cf.similar_reasoning(&inv, Drafting::Application, TEMPLATE)
            .unwrap()
            .as_deref(),
        Some("100% the same as AUTH-2026-0001's following on foot proportionality")
    );
    u.cf.execute(&inv, with_line(&TEMPLATE.to_lowercase()))
        .unwrap();
    let e =
        u.cf.open_authorisation(&sup, &auth("AUTH-2026-0002"))
            .unwrap();
    assert!(
        e.similar_text.contains(
            &"following on foot proportionality: 100% the same as AUTH-2026-0001's following on foot proportionality"
                .to_string()
        ),
        "{:?}",
        e.similar_text
    );
}
