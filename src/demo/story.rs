//! The demo's story: twelve operations and the covert workflow around
//! them, each step dated on the story's 120 days.

use chrono::{DateTime, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::intake::{Item, SUBJECTS, item, plan_background};
use super::{DEMO_ACCOUNTS, FOUNDERS, Plan, STORY_DAYS, first_password};
use crate::domain::account::{DisplayName, NewPassword, Username};
use crate::domain::authorisation::{AuthorisationType, period_end};
use crate::domain::bid::{BidDecision, BidLine, BidStatus};
use crate::domain::covert::{
    AuthorisationApplication, Cancellation, IopcDecision, NewReferral, Review, ThresholdCriteria,
    ThresholdOutcome,
};
use crate::domain::intelligence::{Category, SourceType, TriageStatus};
use crate::domain::operation::{
    Closure, Codename, NewOperation, OperationStatus, Priority, TeamPart,
};
use crate::domain::referral::{MatterType, ModeOfInvestigation, ReferralCriterion};
use crate::domain::role::RoleSet;
use crate::domain::subject::{StaffNumber, SubjectStatus};
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{self, Command, Credentials, Viewed};

fn codename(text: &str) -> store::Result<Codename> {
    Ok(Codename::parse(text)?)
}

fn user(text: &str) -> store::Result<Username> {
    Ok(Username::parse(text)?)
}

fn staff(list: &[&str]) -> store::Result<Vec<StaffNumber>> {
    Ok(list
        .iter()
        .map(|s| StaffNumber::parse(s))
        .collect::<Result<_, _>>()?)
}

#[allow(clippy::too_many_arguments)]
fn open_operation(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    op: &'static str,
    description: &'static str,
    category: Category,
    priority: Priority,
    lead: &'static str,
    team: &'static [&'static str],
    subjects: &'static [&'static str],
) {
    plan.cmd(when, who, move |_| {
        Ok(Command::OpenOperation(NewOperation::new(
            codename(op)?,
            description,
            category,
            priority,
            user(lead)?,
            user("supervisor")?,
            team.iter().map(|u| user(u)).collect::<Result<_, _>>()?,
            staff(subjects)?,
        )?))
    });
}

fn close_operation(
    plan: &mut Plan,
    when: (i64, u32, u32),
    op: &'static str,
    outcome: &'static str,
    lessons: &'static str,
) {
    plan.cmd(when, "supervisor", move |_| {
        Ok(Command::CloseOperation {
            codename: codename(op)?,
            closure: Closure::new(outcome, lessons)?,
        })
    });
}

fn propose_threshold(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    op: &'static str,
    criteria: [&'static str; 7],
    review_day: i64,
) {
    let review = plan.date(review_day);
    plan.cmd(when, who, move |_| {
        let [a, b, c, d, e, f, g] = criteria;
        Ok(Command::ProposeThreshold {
            codename: codename(op)?,
            criteria: ThresholdCriteria::new(a, b, c, d, e, f, g, review)?,
        })
    });
}

fn decide_threshold(
    plan: &mut Plan,
    when: (i64, u32, u32),
    op: &'static str,
    outcome: ThresholdOutcome,
    rationale: &'static str,
) {
    plan.cmd(when, "supervisor", move |_| {
        Ok(Command::DecideThreshold {
            codename: codename(op)?,
            outcome,
            rationale: rationale.to_owned(),
        })
    });
}

/// A bid line: (resource, quantity, first story day, last story day, why).
type LineSpec = (&'static str, f64, i64, i64, &'static str);

fn draft_bid(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    label: &'static str,
    op: &'static str,
    justification: &'static str,
    lines: &[LineSpec],
) {
    let lines: Vec<(&str, f64, NaiveDate, NaiveDate, &str)> = lines
        .iter()
        .map(|&(r, q, from, to, why)| (r, q, plan.date(from), plan.date(to), why))
        .collect();
    plan.keep(when, who, label, UrnKind::Bid, move |_| {
        Ok(Command::DraftBid {
            codename: codename(op)?,
            justification: justification.to_owned(),
            lines: lines
                .into_iter()
                .map(|(r, q, from, to, why)| BidLine::new(r, q, from, to, why))
                .collect::<Result<_, _>>()?,
        })
    });
}

fn submit_bid(plan: &mut Plan, when: (i64, u32, u32), who: &'static str, label: &'static str) {
    plan.cmd(when, who, move |b| {
        Ok(Command::SubmitBid { urn: b.urn(label)? })
    });
}

fn decide_bid(
    plan: &mut Plan,
    when: (i64, u32, u32),
    label: &'static str,
    decision: BidDecision,
    rationale: &'static str,
) {
    plan.cmd(when, "supervisor", move |b| {
        Ok(Command::DecideBid {
            urn: b.urn(label)?,
            decision,
            rationale: rationale.to_owned(),
        })
    });
}

fn close_bid(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    label: &'static str,
    to: BidStatus,
    reason: &'static str,
) {
    plan.cmd(when, who, move |b| {
        Ok(Command::CloseBid {
            urn: b.urn(label)?,
            to,
            reason: reason.to_owned(),
        })
    });
}

/// An application to `authorising`: (description, necessity,
/// proportionality, collateral intrusion).
#[allow(clippy::too_many_arguments)]
fn apply_for(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    label: &'static str,
    op: &'static str,
    kind: AuthorisationType,
    subjects: &'static [&'static str],
    (description, necessity, proportionality, collateral): (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ),
) {
    plan.keep(when, who, label, UrnKind::Authorisation, move |_| {
        Ok(Command::ApplyForAuthorisation(
            AuthorisationApplication::new(
                codename(op)?,
                user("authorising")?,
                kind,
                false,
                "",
                description,
                staff(subjects)?,
                necessity,
                proportionality,
                collateral,
                false,
                false,
            )?,
        ))
    });
}

fn grant(
    plan: &mut Plan,
    when: (i64, u32, u32),
    label: &'static str,
    review_every_days: u32,
    rationale: &'static str,
) {
    plan.cmd(when, "authorising", move |b| {
        Ok(Command::GrantAuthorisation {
            urn: b.urn(label)?,
            review_every_days,
            rationale: rationale.to_owned(),
            involvement: String::new(),
        })
    });
}

fn review(
    plan: &mut Plan,
    when: (i64, u32, u32),
    label: &'static str,
    necessity: &'static str,
    proportionality: &'static str,
) {
    plan.cmd(when, "authorising", move |b| {
        Ok(Command::ReviewAuthorisation {
            urn: b.urn(label)?,
            review: Review::new(necessity, proportionality, true)?,
        })
    });
}

/// The story day on which a directed surveillance authorisation must be
/// granted for it to end (at the end of its third month) one to three days
/// after `now`, so the diary shows it running out.
fn expiring_grant_day(plan: &Plan) -> i64 {
    let today = plan.date(STORY_DAYS);
    let ends = |day: NaiveDate| period_end(uk_noon(day), 3);
    let earliest = uk_noon(today + Days::new(1));
    let latest = uk_noon(today + Days::new(4));
    let mut day = (today + Days::new(3))
        .checked_sub_months(Months::new(3))
        .expect("a date three months back");
    while ends(day) <= earliest {
        day = day + Days::new(1);
    }
    while ends(day) > latest {
        day = day - Days::new(1);
    }
    (day - plan.start).num_days()
}

fn uk_noon(day: NaiveDate) -> DateTime<Utc> {
    London
        .from_local_datetime(&day.and_hms_opt(12, 0, 0).expect("noon"))
        .earliest()
        .expect("noon exists in UK time")
        .with_timezone(&Utc)
}

pub(super) fn story(plan: &mut Plan) -> store::Result<()> {
    use AuthorisationType::*;
    use Category::*;
    use OperationStatus::*;
    use SourceType::*;

    // Day 0: the file is set up with its administrator and head of unit.
    // The administrator marks it as a demo before anything else goes in,
    // then asks for the unit's accounts, and the head approves each.
    plan.cmd((0, 7, 50), "admin", |_| Ok(Command::MarkDemo));
    for (i, account) in DEMO_ACCOUNTS.iter().enumerate().skip(FOUNDERS) {
        plan.cmd((0, 8, i as u32), "admin", move |_| {
            Ok(Command::AddUser {
                username: user(account.username)?,
                display_name: DisplayName::parse(account.display_name)?,
                rank: account.rank,
                roles: RoleSet::parse_list(&account.roles.join(","))?,
                password: NewPassword::parse(
                    first_password(account.username),
                    &user(account.username)?,
                )?,
            })
        });
    }
    plan.step((0, 8, 30), |b| {
        let head = b.actor("head")?;
        for request in b.cf.access_requests(&head, false)? {
            let urn = Urn::parse(UrnKind::AccessRequest, &request.urn)?;
            b.cf.execute(
                &head,
                Command::DecideAccess {
                    urn,
                    approve: true,
                    reason: None,
                },
            )?;
        }
        Ok(())
    });
    // Yesterday the administrator asked for a new starter's account; it
    // waits in the head of unit's queue (and `ccu user list` shows it
    // pending) until the head decides it.
    plan.cmd((STORY_DAYS - 1, 16, 10), "admin", |_| {
        Ok(Command::AddUser {
            username: user("trainee")?,
            display_name: DisplayName::parse("DC Wren Foxley-Abbott (joins next week)")?,
            rank: crate::domain::account::Rank::Constable,
            roles: RoleSet::parse_list("investigator")?,
            password: NewPassword::parse(first_password("trainee"), &user("trainee")?)?,
        })
    });
    plan.cmd((0, 9, 0), "supervisor", |_| {
        Ok(Command::SetCapacity {
            resource: "analyst-hours".to_owned(),
            weekly: 30.0,
        })
    });
    // The researcher loads the subjects of older intelligence.
    for (i, row) in SUBJECTS.iter().skip(12).enumerate() {
        plan.add_subject((0, 10, i as u32 * 3), "researcher", row.staff);
    }

    plan_background(plan);

    // KESTREL: a custody sergeant contacting women after their release.
    let g = expiring_grant_day(plan);
    plan.add_subject((2, 9, 0), "investigator", "NS4127");
    plan.intel(
        "k1",
        (2, 10, 15),
        item(
            "investigator",
            PartnerAgency,
            "2BC",
            "Not to be disclosed outside PSD, or to the subject, without the refuge's consent",
            AbuseOfAuthority,
            true,
            &["NS4127"],
            "Custody sergeant reported to have contacted a woman on her own mobile after her release",
            "A support worker at a women's refuge in Easthaven reports that a woman released from custody at Northshire Central was sent messages by 'the sergeant who booked her in'. He said he could 'help with her case' and asked to meet. She is frightened and does not want to make a complaint. The sergeant is described by name badge and appearance; duty rosters suggest PS Thistlewaite.",
        ),
    );
    plan.triage(
        (3, 9, 30),
        "supervisor",
        "k1",
        TriageStatus::Assessed,
        None,
        "Graded and categorised at the daily intelligence meeting; APSP flagged",
    );
    plan.triage(
        (3, 9, 35),
        "supervisor",
        "k1",
        TriageStatus::Develop,
        None,
        "Possible abuse of position for a sexual purpose: research custody records and system use urgently",
    );
    plan.intel(
        "k2",
        (4, 8, 5),
        item(
            "investigator",
            IctMonitoring,
            "1AP",
            "",
            MisusingSystems,
            false,
            &["NS4127"],
            "Custody sergeant searched the records of three released women with no policing purpose",
            "Audit of the custody and intelligence systems for PS Thistlewaite over the last 60 days: three searches of women he had booked into custody, each made between one and nine days after their release, none connected to any task or investigation he was given.",
        ),
    );
    open_operation(
        plan,
        (5, 11, 0),
        "investigator",
        "KESTREL",
        "A custody sergeant is suspected of using custody records to contact vulnerable women after their release, for a sexual purpose.",
        AbuseOfAuthority,
        Priority::P1,
        "investigator",
        &[],
        &["NS4127"],
    );
    plan.decision(
        (5, 11, 20),
        "investigator",
        "KESTREL",
        (
            "Open a restricted operation; the subject is not to be approached or told at this stage.",
            "Two independent items describe the same pattern; alerting him would put the women at risk and lose the evidence.",
            "Management action by the custody inspector: rejected, it would alert the subject and does not protect the women.",
        ),
        None,
    );
    plan.triage(
        (6, 9, 35),
        "supervisor",
        "k1",
        TriageStatus::LinkedToOperation,
        Some("KESTREL"),
        "Research ties the account to PS Thistlewaite: linked to Op KESTREL",
    );
    plan.link(
        6,
        "k2",
        "KESTREL",
        "The system searches are the core of Op KESTREL",
    );
    plan.status(
        (8, 10, 0),
        "KESTREL",
        ActiveOvert,
        "Overt enquiries into custody records and body-worn video can be made without alerting the subject",
    );
    plan.decision(
        (12, 14, 0),
        "supervisor",
        "KESTREL",
        (
            "Obtain custody records, body-worn video and call data for the suite for the last six months.",
            "Establishes how many women were in his custody and which of them he later searched for.",
            "Interview the women first: rejected, none has complained and approaching them cold could retraumatise them.",
        ),
        None,
    );
    plan.decision(
        (15, 16, 10),
        "investigator",
        "KESTREL",
        (
            "Records review complete: three women searched for after release.",
            "Custody records compared with the system audit for the six months.",
            "",
        ),
        None,
    );
    plan.decision(
        (16, 9, 5),
        "investigator",
        "KESTREL",
        (
            "Correction to entry 3: the records show four women, not three.",
            "A fourth search was under a misspelt surname and was found on the second pass through the audit.",
            "",
        ),
        Some(3),
    );
    propose_threshold(
        plan,
        (14, 15, 0),
        "investigator",
        "KESTREL",
        [
            "Custody records, body-worn video and the system audit examined; the refuge worker spoken to.",
            "They show the searches but not the contact after release; the women will not complain, so nothing overt shows what he does with the information.",
            "Abuse of position for a sexual purpose against vulnerable women: serious corruption.",
            "No overt step left would show the contact without alerting him.",
            "Surveillance limited to off-duty movements after late shifts, for up to three months, reviewed monthly.",
            "Members of the public met in passing; the women themselves. Observation is kept to public places.",
            "None expected: no journalistic, legal or medical material.",
        ],
        STORY_DAYS + 5,
    );
    decide_threshold(
        plan,
        (16, 11, 0),
        "KESTREL",
        ThresholdOutcome::Met,
        "Overt routes are exhausted and the women are at continuing risk; covert investigation is justified.",
    );
    draft_bid(
        plan,
        (16, 14, 0),
        "investigator",
        "bid-kestrel",
        "KESTREL",
        "Surveillance after late shifts and analysis of the custody and system records.",
        &[
            (
                "surveillance-team-days",
                36.0,
                g + 1,
                STORY_DAYS + 20,
                "Two evenings a week after late shifts while the authorisation runs",
            ),
            (
                "analyst-hours",
                60.0,
                17,
                60,
                "Cross-match custody records, system searches and phone contact",
            ),
        ],
    );
    submit_bid(plan, (16, 14, 5), "investigator", "bid-kestrel");
    decide_bid(
        plan,
        (17, 10, 0),
        "bid-kestrel",
        BidDecision::Approve,
        "Threshold met; risk to vulnerable women is high. Approved in full.",
    );
    plan.intel(
        "k3",
        (24, 19, 40),
        Item {
            anonymous: true,
            ..item(
                "investigator",
                ConfidentialLine,
                "2CP",
                "",
                SexualMisconduct,
                true,
                &["NS4127"],
                "Caller says the custody sergeant boasts of seeing a woman he met in custody",
                "Anonymous caller to the confidential line: a custody sergeant at Northshire Central has told colleagues in the canteen that he is 'seeing' a woman who was in custody last month, and laughed about it. The caller works in the suite and will not give a name.",
            )
        },
    );
    plan.link(
        25,
        "k3",
        "KESTREL",
        "Same subject and pattern: linked to Op KESTREL",
    );
    apply_for(
        plan,
        (g - 1, 15, 0),
        "investigator",
        "auth-kestrel",
        "KESTREL",
        DirectedSurveillance,
        &["NS4127"],
        (
            "Observation of PS Thistlewaite's movements after late shifts, in public places, to establish whether he meets women he has had in custody.",
            "The threshold decision records why overt means cannot show the contact; without it the women stay at risk.",
            "Two evenings a week after late shifts, public places only, for no longer than needed; reviewed every 28 days.",
            "Members of the public seen in passing; the women met. Their images are kept only where evidentially relevant.",
        ),
    );
    grant(
        plan,
        (g, 10, 30),
        "auth-kestrel",
        28,
        "Necessary: overt routes are exhausted and the risk is continuing. Proportionate: limited to public places after late shifts; the least intrusive means that can show the contact.",
    );
    plan.status(
        (g, 11, 0),
        "KESTREL",
        ActiveCovert,
        "Directed surveillance authorised",
    );
    plan.decision(
        (g, 11, 15),
        "investigator",
        "KESTREL",
        (
            "Begin directed surveillance under the authorisation granted today.",
            "Authorised for three months; the surveillance team is committed by the approved bid.",
            "",
        ),
        None,
    );
    for (k, (n, p)) in [
        (
            "Still necessary: two meetings with a woman released in the same week have been seen; the pattern is not yet established.",
            "Kept to public places; no collateral intrusion beyond passers-by.",
        ),
        (
            "Still necessary: a further meeting observed; phone contact being analysed.",
            "Proportionate: evenings reduced to one a week now the pattern is known.",
        ),
        (
            "Still necessary until the planned arrest; evidence is nearly complete.",
            "Proportionate: one evening a week; to be cancelled at arrest.",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let day = g + 28 * (k as i64 + 1);
        if day < STORY_DAYS {
            review(plan, (day, 14, 0), "auth-kestrel", n, p);
        }
    }
    plan.keep(
        (g + 4, 16, 0),
        "investigator",
        "ref-kestrel",
        UrnKind::Referral,
        {
            let clear = plan.date(g + 4);
            move |_| {
                Ok(Command::RecordReferral(NewReferral::new(
                    Some(codename("KESTREL")?),
                    "PSD/2026/KESTREL-1",
                    MatterType::Conduct,
                    ReferralCriterion::SeriousCorruption,
                    clear,
                    staff(&["NS4127"])?,
                    "A custody sergeant is suspected of using his position to contact women after their release from custody for a sexual purpose. Surveillance has seen him meet one of them.",
                    true,
                    "None yet: restriction would alert the subject during covert work.",
                    None,
                )?))
            }
        },
    );
    plan.cmd((g + 5, 9, 15), "supervisor", |b| {
        Ok(Command::MakeReferral {
            urn: b.urn("ref-kestrel")?,
        })
    });
    plan.decision(
        (g + 5, 9, 30),
        "supervisor",
        "KESTREL",
        (
            "Referred to the IOPC as serious corruption (abuse of position for a sexual purpose).",
            "A mandatory referral: it became clear yesterday that the matter must be referred.",
            "",
        ),
        None,
    );
    plan.update_subject((g + 6, 10, 0), "NS4127", SubjectStatus::RestrictedDuties);
    plan.cmd((g + 20, 11, 0), "investigator", {
        let decided = plan.date(g + 19);
        move |b| {
            Ok(Command::RecordIopcDecision {
                urn: b.urn("ref-kestrel")?,
                decision: IopcDecision::new(
                    "IOPC-2026-NS-0417",
                    ModeOfInvestigation::Directed,
                    decided,
                )?,
            })
        }
    });
    plan.intel(
        "k4",
        (g + 10, 13, 0),
        item(
            "investigator",
            Colleague,
            "1BP",
            "",
            AbuseOfAuthority,
            true,
            &["NS4127"],
            "PC says the custody sergeant asked them to check a released woman's new address",
            "A response constable reports that PS Thistlewaite asked them to look up the new address of a woman released the week before, 'to return some property'. No property was outstanding. The constable did not do the check.",
        ),
    );
    plan.link(
        g + 11,
        "k4",
        "KESTREL",
        "Corroborates the pattern: linked to Op KESTREL",
    );
    plan.decision(
        (110, 15, 0),
        "investigator",
        "KESTREL",
        (
            "Plan arrest and interview for when the authorisation ends; prepare the IOPC-directed interview plan.",
            "The evidence from surveillance, system audit and phone analysis is now sufficient.",
            "Renew the authorisation: not needed if the arrest goes ahead as planned.",
        ),
        None,
    );

    // CORMORANT: fuel card fraud in fleet services. Closed.
    plan.add_subject((6, 10, 0), "investigator", "S31177");
    plan.intel(
        "c1",
        (6, 11, 30),
        item(
            "investigator",
            Colleague,
            "1BP",
            "",
            TheftFraud,
            false,
            &["S31177"],
            "Fuel card used for fills on days the vehicle was off the road for repair",
            "The fleet manager found 23 fuel transactions over four months on cards for vehicles that were in the workshop at the time. All the cards are administered by one member of staff.",
        ),
    );
    open_operation(
        plan,
        (9, 10, 0),
        "investigator",
        "CORMORANT",
        "Fuel cards for vehicles off the road used for fills; the card administrator is suspected of theft.",
        TheftFraud,
        Priority::P2,
        "investigator",
        &[],
        &["S31177"],
    );
    plan.decision(
        (9, 10, 30),
        "investigator",
        "CORMORANT",
        (
            "Secure the fuel transaction records and workshop logs before anyone is spoken to.",
            "Documentary evidence first; the subject controls the card records.",
            "",
        ),
        None,
    );
    plan.link(
        10,
        "c1",
        "CORMORANT",
        "The allegation Op CORMORANT was opened on",
    );
    plan.status(
        (11, 10, 0),
        "CORMORANT",
        ActiveOvert,
        "Records can be obtained overtly from fleet",
    );
    propose_threshold(
        plan,
        (17, 11, 0),
        "investigator",
        "CORMORANT",
        [
            "Transaction records and workshop logs obtained and compared.",
            "They show the fills but not who made them; forecourt CCTV is overwritten after 30 days.",
            "Theft of public money over months by abuse of a position of trust.",
            "Only seeing who uses the cards at the pump identifies the thief.",
            "Observation at two forecourts on the days the pattern predicts, for up to six weeks.",
            "Forecourt customers; kept to public places.",
            "None expected.",
        ],
        48,
    );
    decide_threshold(
        plan,
        (18, 10, 0),
        "CORMORANT",
        ThresholdOutcome::Met,
        "The records cannot identify who made the fills; limited observation is justified.",
    );
    draft_bid(
        plan,
        (18, 14, 0),
        "investigator",
        "bid-cormorant",
        "CORMORANT",
        "Short observation at forecourts and a financial profile of the subject.",
        &[
            (
                "surveillance-team-days",
                6.0,
                22,
                45,
                "Forecourt observation on predicted days",
            ),
            (
                "financial-investigation",
                5.0,
                22,
                50,
                "Profile of the subject's accounts against the fills",
            ),
        ],
    );
    submit_bid(plan, (18, 14, 10), "investigator", "bid-cormorant");
    decide_bid(
        plan,
        (19, 9, 0),
        "bid-cormorant",
        BidDecision::Approve,
        "Small and well targeted; approved.",
    );
    apply_for(
        plan,
        (19, 15, 0),
        "investigator",
        "auth-cormorant",
        "CORMORANT",
        DirectedSurveillance,
        &["S31177"],
        (
            "Observation at two forecourts to see who uses the fleet cards on the predicted days.",
            "The records cannot show who made the fills.",
            "Two forecourts, predicted days only, up to six weeks.",
            "Forecourt customers in passing.",
        ),
    );
    grant(
        plan,
        (21, 10, 0),
        "auth-cormorant",
        28,
        "Necessary to identify who uses the cards; proportionate as limited to two public forecourts on predicted days.",
    );
    plan.status(
        (21, 11, 0),
        "CORMORANT",
        ActiveCovert,
        "Directed surveillance authorised",
    );
    review(
        plan,
        (49, 11, 0),
        "auth-cormorant",
        "Still necessary: one fill observed, a second needed to rule out a shared card.",
        "Proportionate: one forecourt now, the other ruled out.",
    );
    plan.cmd((60, 9, 30), "authorising", {
        let stop = plan.time(60, 9, 15);
        move |b| {
            Ok(Command::CancelAuthorisation {
                urn: b.urn("auth-cormorant")?,
                cancellation: Cancellation::new(
                    stop,
                    "No longer necessary: the subject has been seen making two fills with cards for vehicles in the workshop.",
                    "Evidence obtained; the subject is to be interviewed.",
                    "Observation logs and images held as exhibits under CPIA; images of other customers deleted after review.",
                )?,
            })
        }
    });
    plan.status(
        (60, 10, 0),
        "CORMORANT",
        ActiveOvert,
        "Covert phase complete; arrest and interview next",
    );
    plan.decision(
        (60, 10, 15),
        "investigator",
        "CORMORANT",
        (
            "Surveillance cancelled; arrest and interview the subject.",
            "Two fills observed; enough to put to the subject.",
            "",
        ),
        None,
    );
    close_bid(
        plan,
        (61, 9, 0),
        "investigator",
        "bid-cormorant",
        BidStatus::Completed,
        "Observation and financial profile done",
    );
    plan.decision(
        (70, 16, 0),
        "investigator",
        "CORMORANT",
        (
            "Subject interviewed under caution and resigned the next day; file to the CPS.",
            "Admissions to 19 of the 23 fills.",
            "",
        ),
        None,
    );
    plan.update_subject((72, 9, 0), "S31177", SubjectStatus::Left);
    close_operation(
        plan,
        (85, 10, 0),
        "CORMORANT",
        "Charged with fraud by abuse of position. Gross misconduct proceedings held after resignation: would have been dismissed; placed on the barred list.",
        "Fuel cards for vehicles off the road were never suspended automatically and one person reconciled them. Fleet now suspends cards when a vehicle enters the workshop, and reconciliation is done monthly by someone outside the card team.",
    );

    // DUNLIN: a statement altered to protect a friend. Closed.
    plan.add_subject((12, 9, 0), "researcher", "NS3371");
    plan.intel(
        "d1",
        (12, 10, 0),
        item(
            "researcher",
            Colleague,
            "1AP",
            "",
            PervertingJustice,
            false,
            &["NS3371"],
            "Detective sergeant said to have removed a friend's name from a witness statement",
            "A detective constable reports that DS Coldharbour asked for a witness statement to be retyped without the name of a man who was present at an assault, and that the man is a friend of hers.",
        ),
    );
    open_operation(
        plan,
        (14, 9, 0),
        "researcher",
        "DUNLIN",
        "A detective sergeant is suspected of having a witness statement altered to leave out a friend.",
        PervertingJustice,
        Priority::P3,
        "researcher",
        &[],
        &["NS3371"],
    );
    plan.decision(
        (14, 9, 30),
        "researcher",
        "DUNLIN",
        (
            "Secure both versions of the statement and the document history.",
            "The document system keeps every version; the evidence is documentary.",
            "",
        ),
        None,
    );
    plan.link(15, "d1", "DUNLIN", "The allegation Op DUNLIN was opened on");
    plan.status((16, 9, 0), "DUNLIN", ActiveOvert, "Documentary enquiries");
    plan.keep((30, 14, 0), "researcher", "ref-dunlin", UrnKind::Referral, {
        let clear = plan.date(30);
        move |_| {
            Ok(Command::RecordReferral(NewReferral::new(
                Some(codename("DUNLIN")?),
                "PSD/2026/DUNLIN-1",
                MatterType::Conduct,
                ReferralCriterion::Voluntary,
                clear,
                staff(&["NS3371"])?,
                "A detective sergeant had a witness statement retyped without the name of a friend who was present at an assault. Referred voluntarily for the IOPC to decide the mode of investigation.",
                false,
                "None",
                None,
            )?))
        }
    });
    plan.cmd((31, 9, 0), "supervisor", |b| {
        Ok(Command::MakeReferral {
            urn: b.urn("ref-dunlin")?,
        })
    });
    plan.decision(
        (31, 9, 20),
        "supervisor",
        "DUNLIN",
        (
            "Referred to the IOPC voluntarily.",
            "Not a mandatory matter, but the integrity of evidence is at stake and independent oversight is wise.",
            "Handle locally without referral: rejected for the reason given.",
        ),
        None,
    );
    plan.cmd((40, 10, 0), "researcher", {
        let decided = plan.date(39);
        move |b| {
            Ok(Command::RecordIopcDecision {
                urn: b.urn("ref-dunlin")?,
                decision: IopcDecision::new(
                    "IOPC-2026-NS-0388",
                    ModeOfInvestigation::ReferredBack,
                    decided,
                )?,
            })
        }
    });
    plan.decision(
        (90, 15, 0),
        "researcher",
        "DUNLIN",
        (
            "Misconduct meeting held: final written warning.",
            "She admitted asking for the retype and said she believed the friend was not a witness; the panel found misconduct.",
            "",
        ),
        None,
    );
    close_operation(
        plan,
        (105, 11, 0),
        "DUNLIN",
        "Misconduct proven at a meeting: final written warning. The original statement was restored and disclosed to the defence.",
        "Amended statements were not checked by a second person. The Public Protection Unit now requires a supervisor other than the officer in the case to approve any retyped statement, and the document system flags deletions of names.",
    );

    // PLOVER: a business interest, declared after all. Closed.
    plan.add_subject((20, 9, 0), "investigator", "NS2215");
    plan.intel(
        "p1",
        (20, 12, 0),
        item(
            "investigator",
            PublicComplaint,
            "2CP",
            "",
            Category::Other,
            false,
            &["NS2215"],
            "Licensing inspector said to run an undeclared security firm used by pubs he licenses",
            "A licensee complains that a licensing inspector recommended a door security company to him, and has heard that the inspector owns it.",
        ),
    );
    open_operation(
        plan,
        (22, 10, 0),
        "investigator",
        "PLOVER",
        "A licensing inspector is said to own a security firm used by premises he licenses.",
        Category::Other,
        Priority::P4,
        "investigator",
        &[],
        &["NS2215"],
    );
    plan.decision(
        (22, 10, 20),
        "investigator",
        "PLOVER",
        (
            "Check the business interests register and Companies House before anything else.",
            "If the interest was declared and approved, the matter may be one of management, not corruption.",
            "",
        ),
        None,
    );
    plan.link(23, "p1", "PLOVER", "The allegation Op PLOVER was opened on");
    plan.status(
        (24, 9, 0),
        "PLOVER",
        ActiveOvert,
        "Register and company checks",
    );
    plan.decision(
        (50, 11, 0),
        "investigator",
        "PLOVER",
        (
            "No case to answer; close.",
            "The interest was declared in 2024 and approved with a condition that he not deal with premises using the firm; licensing records show he kept to it.",
            "",
        ),
        None,
    );
    close_operation(
        plan,
        (58, 10, 0),
        "PLOVER",
        "No case to answer: the interest was declared and approved, and the conditions were kept.",
        "PSD could not search the business interests register, so a declared interest looked undeclared. The register is now searchable by PSD and conditions are recorded with each approval.",
    );

    // BITTERN: a detective suspected of buying drugs from a supply group.
    plan.add_subject((30, 9, 0), "researcher", "NS3902");
    plan.intel(
        "b1",
        (30, 14, 0),
        item(
            "researcher",
            OtherForce,
            "2BC",
            "Originating force's conditions: no onward dissemination without its authority",
            Drugs,
            false,
            &["NS3902"],
            "Detective constable seen at an address linked to a county-lines supply group",
            "A neighbouring force's surveillance on a supply group's address recorded a man matching DC Harrowgate arriving twice in a week, staying minutes each time.",
        ),
    );
    open_operation(
        plan,
        (33, 10, 0),
        "researcher",
        "BITTERN",
        "A detective constable is suspected of buying controlled drugs from a supply group, and of being open to pressure from it.",
        Drugs,
        Priority::P1,
        "researcher",
        &[],
        &["NS3902"],
    );
    plan.decision(
        (33, 10, 30),
        "researcher",
        "BITTERN",
        (
            "Restricted operation; the investigator on other work is not to be told.",
            "The subject works alongside members of the unit's wider network.",
            "",
        ),
        None,
    );
    plan.link(
        34,
        "b1",
        "BITTERN",
        "The intelligence Op BITTERN was opened on",
    );
    plan.status(
        (36, 9, 0),
        "BITTERN",
        ActiveOvert,
        "Overt research into the subject's systems use and finances",
    );
    plan.intel(
        "b2",
        (38, 21, 5),
        Item {
            anonymous: true,
            ..item(
                "researcher",
                ConfidentialLine,
                "3DP",
                "",
                Drugs,
                false,
                &["NS3902"],
                "Caller says a detective buys cocaine from a local dealer",
                "Anonymous caller: 'a CID officer at Saltmere' buys cocaine from a dealer known as 'Tiny'. No more detail given.",
            )
        },
    );
    plan.link(
        39,
        "b2",
        "BITTERN",
        "Consistent with the other force's sighting: linked to Op BITTERN",
    );
    propose_threshold(
        plan,
        (40, 14, 0),
        "researcher",
        "BITTERN",
        [
            "Systems audit and finances checked.",
            "Neither shows contact with the group.",
            "Drug use by a detective, and the leverage it gives a supply group over him.",
            "",
            "",
            "Members of the public at the address.",
            "None expected.",
        ],
        STORY_DAYS + 30,
    );
    decide_threshold(
        plan,
        (42, 10, 0),
        "BITTERN",
        ThresholdOutcome::MoreInformation,
        "Necessity and proportionality are not argued yet; say what covert means are sought and why nothing less will do.",
    );
    propose_threshold(
        plan,
        (45, 11, 0),
        "researcher",
        "BITTERN",
        [
            "Systems audit, finances, duty records and the other force's logs checked.",
            "None shows whether he meets the group or why; the sightings could be innocent.",
            "Drug use by a detective, and the leverage it gives a supply group over him.",
            "Only observation and a source close to the group can show the relationship.",
            "Observation limited to the address and two pubs; a source already tasked by the other force; three months.",
            "Members of the public at the address and pubs; kept to public places.",
            "None expected.",
        ],
        STORY_DAYS + 40,
    );
    decide_threshold(
        plan,
        (46, 10, 0),
        "BITTERN",
        ThresholdOutcome::Met,
        "Now properly argued: the relationship cannot be shown by overt means.",
    );
    plan.decision(
        (46, 10, 20),
        "supervisor",
        "BITTERN",
        (
            "Threshold met at the second proposal.",
            "The first proposal left necessity and proportionality blank.",
            "",
        ),
        None,
    );
    draft_bid(
        plan,
        (47, 11, 0),
        "researcher",
        "bid-bittern",
        "BITTERN",
        "Observation of the address, a technical deployment and analysis.",
        &[
            (
                "surveillance-team-days",
                30.0,
                66,
                100,
                "Observation at the address and two pubs",
            ),
            (
                "technical-deployment",
                2.0,
                66,
                80,
                "Vehicle tracking on the group's car",
            ),
            (
                "analyst-hours",
                40.0,
                47,
                100,
                "Association charting from the other force's material",
            ),
        ],
    );
    submit_bid(plan, (47, 11, 5), "researcher", "bid-bittern");
    decide_bid(
        plan,
        (49, 10, 0),
        "bid-bittern",
        BidDecision::PartlyApprove(vec![(1, 20.0), (3, 40.0)]),
        "Surveillance cut to 20 days as KESTREL holds the team in the same weeks; the tracking deployment is not approved, as the other force already has the group's movements.",
    );
    plan.intel(
        "b3",
        (58, 15, 0),
        item(
            "researcher",
            SourceType::Other,
            "1BP",
            "",
            Drugs,
            false,
            &["NS3902"],
            "Cash deposits into the detective's account inconsistent with his salary",
            "Financial checks: £6,200 in cash deposits over five months, in amounts under £500, with no explanation in his declared interests.",
        ),
    );
    plan.link(
        59,
        "b3",
        "BITTERN",
        "Supports the supply-group relationship: linked to Op BITTERN",
    );
    apply_for(
        plan,
        (64, 10, 0),
        "researcher",
        "auth-bittern",
        "BITTERN",
        Chis,
        &["NS3902"],
        (
            "Use and conduct of a source already close to the supply group, tasked to report on any police officer's dealings with it.",
            "Observation shows meetings but not what passes between them; only a source can.",
            "One source, existing access only, no tasking to encourage any offence.",
            "Other members of the group; information about them is passed to the other force, not used here.",
        ),
    );
    grant(
        plan,
        (66, 11, 0),
        "auth-bittern",
        28,
        "Necessary for the reasons given; proportionate as the source's existing access is used and nothing is encouraged.",
    );
    plan.status(
        (66, 11, 30),
        "BITTERN",
        ActiveCovert,
        "CHIS authorised; surveillance begins",
    );
    plan.decision(
        (66, 12, 0),
        "authorising",
        "BITTERN",
        (
            "Source handling to be done by the dedicated source unit, not by PSD staff.",
            "Keeps the source's identity away from anyone who might know the subject.",
            "",
        ),
        None,
    );
    review(
        plan,
        (94, 14, 0),
        "auth-bittern",
        "Still necessary: the source reports two meetings but not yet what was exchanged.",
        "Proportionate: no new tasking; the source's access is unchanged.",
    );
    plan.decision(
        (105, 11, 0),
        "researcher",
        "BITTERN",
        (
            "Continue; prepare for a drugs test on the subject at short notice.",
            "Source and surveillance together now support a reasonable suspicion of use.",
            "",
        ),
        None,
    );

    // SHRIKE: a contractor suspected of warning a crime group.
    plan.add_subject((48, 9, 0), "investigator", "C90215");
    plan.intel(
        "s1",
        (48, 10, 30),
        item(
            "investigator",
            OtherForce,
            "2BC",
            "Regional organised crime unit material: no disclosure without the originator's consent",
            AssistOffender,
            false,
            &["C90215"],
            "Contractor's number found in a crime group member's seized phone; messages mention 'the IT man'",
            "A phone seized by the regional organised crime unit holds a number registered to the network engineer, and messages saying 'the IT man says they're coming Thursday' two days before a planned warrant.",
        ),
    );
    open_operation(
        plan,
        (50, 10, 0),
        "investigator",
        "SHRIKE",
        "A contracted network engineer is suspected of telling a crime group when warrants are planned.",
        AssistOffender,
        Priority::P1,
        "investigator",
        &[],
        &["C90215"],
    );
    plan.decision(
        (50, 10, 15),
        "investigator",
        "SHRIKE",
        (
            "Restricted operation; ICT Services management not told.",
            "The subject's colleagues could warn him.",
            "",
        ),
        None,
    );
    plan.link(
        51,
        "s1",
        "SHRIKE",
        "The intelligence Op SHRIKE was opened on",
    );
    plan.status(
        (52, 9, 0),
        "SHRIKE",
        ActiveOvert,
        "Audit of the subject's system access",
    );
    propose_threshold(
        plan,
        (54, 11, 0),
        "investigator",
        "SHRIKE",
        [
            "Access audit of the warrant planning system requested.",
            "The audit shows administrator access but not what was read, as the system does not log reads by administrators.",
            "Warning a crime group of warrants puts officers and the public at risk.",
            "Only his communications can show whether he passes information on.",
            "Communications data for his work phone for three months.",
            "His contacts' numbers; not examined beyond the group's.",
            "None expected.",
        ],
        STORY_DAYS + 25,
    );
    decide_threshold(
        plan,
        (56, 10, 0),
        "SHRIKE",
        ThresholdOutcome::Met,
        "Serious and current; the system cannot show what he read.",
    );
    apply_for(
        plan,
        (57, 10, 0),
        "investigator",
        "auth-shrike",
        "SHRIKE",
        CommunicationsData,
        &["C90215"],
        (
            "Call and message records for the subject's work phone for three months.",
            "To show contact with the crime group around warrant dates.",
            "Events data only, three months.",
            "Numbers of contacts, not examined beyond the group's.",
        ),
    );
    plan.cmd((58, 11, 0), "authorising", |b| {
        Ok(Command::RefuseAuthorisation {
            urn: b.urn("auth-shrike")?,
            rationale: "Not yet necessary: ask ICT for the network logs of his administrator sessions first, which may show what he read without intrusion.".to_owned(),
        })
    });
    plan.decision(
        (58, 14, 0),
        "investigator",
        "SHRIKE",
        (
            "Obtain network logs of his administrator sessions, as the authorising officer advised.",
            "Communications data refused as not yet necessary.",
            "",
        ),
        None,
    );
    draft_bid(
        plan,
        (78, 10, 0),
        "investigator",
        "bid-shrike",
        "SHRIKE",
        "Surveillance around the next warrant date.",
        &[(
            "surveillance-team-days",
            20.0,
            82,
            110,
            "Follow the subject before and after the next planned warrant",
        )],
    );
    submit_bid(plan, (78, 10, 5), "investigator", "bid-shrike");
    decide_bid(
        plan,
        (80, 9, 30),
        "bid-shrike",
        BidDecision::Decline,
        "The surveillance team is committed to KESTREL and BITTERN in these weeks, and the network logs may answer the question without it.",
    );
    plan.status(
        (80, 10, 0),
        "SHRIKE",
        ActiveCovert,
        "Network capture of the subject's sessions begins",
    );
    plan.decision(
        (80, 10, 15),
        "supervisor",
        "SHRIKE",
        (
            "Covert phase: capture of the subject's administrator sessions.",
            "The surveillance bid is declined; the network logs will show what he reads.",
            "",
        ),
        None,
    );
    plan.intel(
        "s2",
        (85, 8, 30),
        item(
            "investigator",
            IctMonitoring,
            "1AP",
            "",
            AssistOffender,
            false,
            &["C90215"],
            "Contractor's administrator account exported the warrant schedule",
            "Network capture shows the engineer's administrator session opening and exporting next month's warrant schedule at 02:14, with no ticket or task to explain it.",
        ),
    );
    plan.link(86, "s2", "SHRIKE", "Direct evidence for Op SHRIKE");
    plan.decision(
        (113, 14, 0),
        "investigator",
        "SHRIKE",
        (
            "Prepare arrest with the regional unit for the next warrant date.",
            "The export and the seized messages together are enough to arrest.",
            "",
        ),
        None,
    );

    // LAPWING: disclosure to a relative's investigation firm. Suspended.
    plan.add_subject((44, 9, 0), "researcher", "NS4780");
    plan.intel(
        "l1",
        (44, 11, 0),
        item(
            "researcher",
            Colleague,
            "2BP",
            "",
            Disclosure,
            false,
            &["NS4780"],
            "Officer said to pass details of live investigations to a relative's private investigation firm",
            "A colleague overheard PC Grimsdyke on the phone giving a suspect's address and bail conditions to someone she called 'Uncle Ray'; her uncle runs a private investigation firm.",
        ),
    );
    open_operation(
        plan,
        (46, 10, 0),
        "researcher",
        "LAPWING",
        "A neighbourhood officer is suspected of disclosing police information to a relative's private investigation firm.",
        Disclosure,
        Priority::P3,
        "researcher",
        &["investigator"],
        &["NS4780"],
    );
    plan.decision(
        (46, 10, 30),
        "researcher",
        "LAPWING",
        (
            "Audit the officer's system use for the last year.",
            "Shows whether the records she is said to have disclosed were looked at by her.",
            "",
        ),
        None,
    );
    plan.link(
        47,
        "l1",
        "LAPWING",
        "The allegation Op LAPWING was opened on",
    );
    plan.status((48, 9, 0), "LAPWING", ActiveOvert, "Systems audit");
    draft_bid(
        plan,
        (70, 10, 0),
        "investigator",
        "bid-lapwing",
        "LAPWING",
        "Analysis of the audit and the firm's finances.",
        &[
            (
                "analyst-hours",
                30.0,
                72,
                100,
                "Match the officer's searches with the firm's cases",
            ),
            (
                "financial-investigation",
                4.0,
                72,
                100,
                "Payments from the firm to the officer",
            ),
        ],
    );
    submit_bid(plan, (70, 10, 10), "investigator", "bid-lapwing");
    decide_bid(
        plan,
        (72, 11, 0),
        "bid-lapwing",
        BidDecision::Defer,
        "The CPS is considering charges against the firm; revisit when the operation can resume.",
    );
    plan.status(
        (75, 9, 0),
        "LAPWING",
        Suspended,
        "The CPS is deciding whether to charge the relative; overt steps now could prejudice that case",
    );
    plan.decision(
        (75, 9, 15),
        "supervisor",
        "LAPWING",
        (
            "Suspend until the CPS charging decision on the firm.",
            "Interviewing the officer now could prejudice the case against the firm.",
            "Continue in parallel: rejected on the CPS's advice.",
        ),
        None,
    );

    // WAGTAIL: a student officer who did not declare family links. Active.
    plan.add_subject((70, 9, 0), "researcher", "NS7288");
    plan.intel(
        "w1",
        (70, 13, 0),
        item(
            "researcher",
            OtherForce,
            "1BP",
            "",
            Infiltration,
            false,
            &["NS7288"],
            "Student officer did not declare that his brother is a crime group nominal in a neighbouring force",
            "A neighbouring force's intelligence lists the student officer's brother as a member of a group supplying firearms. The vetting form declared no relatives of concern.",
        ),
    );
    open_operation(
        plan,
        (72, 10, 0),
        "researcher",
        "WAGTAIL",
        "A student officer is suspected of concealing close links to a crime group when vetted.",
        Infiltration,
        Priority::P2,
        "researcher",
        &[],
        &["NS7288"],
    );
    plan.decision(
        (72, 10, 20),
        "researcher",
        "WAGTAIL",
        (
            "Review the vetting file with the vetting unit.",
            "Establishes what he was asked and what he said.",
            "",
        ),
        None,
    );
    plan.link(
        73,
        "w1",
        "WAGTAIL",
        "The intelligence Op WAGTAIL was opened on",
    );
    plan.status((74, 9, 0), "WAGTAIL", ActiveOvert, "Vetting review");
    draft_bid(
        plan,
        (76, 10, 0),
        "researcher",
        "bid-wagtail",
        "WAGTAIL",
        "A financial check on the student officer.",
        &[(
            "financial-investigation",
            3.0,
            77,
            90,
            "Payments to or from the brother",
        )],
    );
    submit_bid(plan, (76, 10, 5), "researcher", "bid-wagtail");
    close_bid(
        plan,
        (79, 9, 0),
        "researcher",
        "bid-wagtail",
        BidStatus::Withdrawn,
        "The vetting unit's own financial checks cover this; not needed",
    );
    plan.decision(
        (79, 9, 10),
        "researcher",
        "WAGTAIL",
        (
            "Bid withdrawn; rely on the vetting unit's financial checks.",
            "Avoids duplicating work already done.",
            "",
        ),
        None,
    );
    plan.decision(
        (104, 14, 0),
        "researcher",
        "WAGTAIL",
        (
            "Vetting review meeting with the student officer to be held under the vetting code.",
            "He did not declare the brother; the question is whether he has contact.",
            "",
        ),
        None,
    );

    // MERLIN: a call handler searching an ex-partner's records. Active.
    plan.add_subject((60, 9, 0), "researcher", "S20488");
    plan.intel(
        "m1",
        (60, 7, 40),
        item(
            "researcher",
            IctMonitoring,
            "1AP",
            "",
            MisusingSystems,
            false,
            &["S20488"],
            "Call handler searched an ex-partner's address history 14 times in a month",
            "The ICT-monitoring software flagged 14 searches by the call handler on one address, the home of her former partner, none linked to a call she handled.",
        ),
    );
    open_operation(
        plan,
        (61, 10, 0),
        "researcher",
        "MERLIN",
        "A contact centre call handler is suspected of using force systems to follow a former partner.",
        MisusingSystems,
        Priority::P2,
        "researcher",
        &[],
        &["S20488"],
    );
    plan.decision(
        (61, 10, 20),
        "researcher",
        "MERLIN",
        (
            "Check the former partner's safety with the domestic abuse team first.",
            "The searches may be a sign of stalking.",
            "",
        ),
        None,
    );
    plan.link(62, "m1", "MERLIN", "The alert Op MERLIN was opened on");
    plan.status((63, 9, 0), "MERLIN", ActiveOvert, "Audit and safeguarding");
    plan.intel(
        "m2",
        (95, 7, 30),
        item(
            "researcher",
            IctMonitoring,
            "1AP",
            "",
            MisusingSystems,
            false,
            &["S20488"],
            "Call handler's searches on her former partner resumed after a management warning",
            "Six further searches this week on the same address and on the partner's new vehicle.",
        ),
    );
    plan.link(96, "m2", "MERLIN", "Continuing conduct under Op MERLIN");
    plan.cmd((100, 9, 0), "supervisor", |_| {
        Ok(Command::AddToTeam {
            codename: codename("MERLIN")?,
            username: user("investigator")?,
            part: TeamPart::Team,
        })
    });
    plan.decision(
        (100, 9, 15),
        "supervisor",
        "MERLIN",
        (
            "DC Larkhollow joins the team to prepare the covert case.",
            "The conduct continued after a warning; the case needs an officer's powers.",
            "",
        ),
        None,
    );
    propose_threshold(
        plan,
        (110, 14, 0),
        "investigator",
        "MERLIN",
        [
            "Systems audit; a management warning; safeguarding visit to the former partner.",
            "The audit shows the searches but not whether she acts on them; the warning did not stop her.",
            "Possible stalking using force systems.",
            "Only capture of her screen activity shows what she does with what she finds.",
            "ICT-monitoring capture of her sessions for four weeks.",
            "Callers' details seen on her screen; minimised by filtering to the searches.",
            "None expected.",
        ],
        STORY_DAYS + 30,
    );
    draft_bid(
        plan,
        (111, 10, 0),
        "researcher",
        "bid-merlin",
        "MERLIN",
        "Screen capture of the call handler's sessions and analysis.",
        &[
            (
                "ict-monitoring-capture",
                14.0,
                112,
                STORY_DAYS + 20,
                "Capture of her sessions on shifts",
            ),
            (
                "analyst-hours",
                20.0,
                112,
                STORY_DAYS + 20,
                "Match searches with calls handled",
            ),
        ],
    );
    submit_bid(plan, (111, 10, 5), "researcher", "bid-merlin");
    plan.decision(
        (110, 14, 20),
        "investigator",
        "MERLIN",
        (
            "Threshold proposal submitted for covert capture.",
            "Awaiting the supervisor's decision before the capture bid can be approved.",
            "",
        ),
        None,
    );

    // WHIMBREL: an officer in debt. Scoping.
    plan.add_subject((98, 9, 0), "researcher", "NS6044");
    plan.intel(
        "wh1",
        (98, 11, 0),
        item(
            "researcher",
            Colleague,
            "2BP",
            "",
            Vulnerability,
            false,
            &["NS6044"],
            "Officer told a colleague of large gambling debts and asked to borrow money",
            "A colleague reports PC Wrenfield-Ayre said he owes 'about thirty grand' on gambling sites and asked to borrow £2,000 'before they come after me'.",
        ),
    );
    open_operation(
        plan,
        (100, 10, 0),
        "researcher",
        "WHIMBREL",
        "A roads policing officer with large gambling debts may be vulnerable to corruption.",
        Vulnerability,
        Priority::P3,
        "researcher",
        &[],
        &["NS6044"],
    );
    plan.decision(
        (100, 10, 20),
        "researcher",
        "WHIMBREL",
        (
            "Scope only: welfare referral alongside; no covert means at this stage.",
            "Vulnerability is not misconduct; the aim is to protect the officer and the force.",
            "",
        ),
        None,
    );
    plan.link(
        101,
        "wh1",
        "WHIMBREL",
        "The report Op WHIMBREL was opened on",
    );
    draft_bid(
        plan,
        (112, 15, 0),
        "researcher",
        "bid-whimbrel",
        "WHIMBREL",
        "A short analysis of the officer's systems use for signs of misuse.",
        &[(
            "analyst-hours",
            10.0,
            115,
            STORY_DAYS + 10,
            "Systems use review",
        )],
    );

    // SISKIN: a special constable messaging a victim. Active, referral overdue.
    plan.add_subject((108, 9, 0), "investigator", "SC0712");
    plan.intel(
        "si1",
        (108, 10, 0),
        item(
            "investigator",
            PartnerAgency,
            "1BC",
            "Victim's identity not to be disclosed beyond the investigation team",
            SexualMisconduct,
            true,
            &["SC0712"],
            "Special constable messaging a domestic abuse victim he met on duty, asking to meet",
            "An independent domestic violence adviser reports that a special constable who attended a call at the victim's home has since sent her more than 40 messages, including asking to meet 'off the record'. The victim is frightened of the consequences for her case.",
        ),
    );
    open_operation(
        plan,
        (109, 10, 0),
        "investigator",
        "SISKIN",
        "A special constable is suspected of pursuing a domestic abuse victim he met on duty.",
        SexualMisconduct,
        Priority::P2,
        "investigator",
        &[],
        &["SC0712"],
    );
    plan.decision(
        (109, 10, 20),
        "investigator",
        "SISKIN",
        (
            "Safeguard the victim first with the domestic abuse team; preserve her phone's messages with consent.",
            "She is at risk and the messages are the primary evidence.",
            "",
        ),
        None,
    );
    plan.link(110, "si1", "SISKIN", "The report Op SISKIN was opened on");
    plan.status(
        (111, 9, 0),
        "SISKIN",
        ActiveOvert,
        "Safeguarding and evidence preservation",
    );
    plan.intel(
        "si2",
        (114, 16, 0),
        item(
            "investigator",
            PublicComplaint,
            "2BP",
            "",
            SexualMisconduct,
            true,
            &["SC0712"],
            "Victim's sister reports gifts left at the victim's door by the special constable",
            "The victim's sister reports flowers and a card signed 'L' left on the doorstep twice this week.",
        ),
    );
    plan.link(115, "si2", "SISKIN", "Continuing conduct under Op SISKIN");
    propose_threshold(
        plan,
        (115, 15, 0),
        "investigator",
        "SISKIN",
        [
            "Victim's messages preserved; duty records checked; the special constable's deployments stopped.",
            "The messages show contact but not whether he is visiting her address.",
            "Abuse of position for a sexual purpose against a domestic abuse victim.",
            "Only observation can show whether he goes to her address.",
            "Observation near the address for up to four weeks.",
            "Neighbours in passing; public places only.",
            "None expected.",
        ],
        STORY_DAYS + 60,
    );
    decide_threshold(
        plan,
        (117, 10, 0),
        "SISKIN",
        ThresholdOutcome::Met,
        "High risk to a vulnerable victim; overt steps cannot show the visits.",
    );
    plan.decision(
        (117, 10, 20),
        "supervisor",
        "SISKIN",
        (
            "Apply for directed surveillance; record a mandatory IOPC referral.",
            "Abuse of position for a sexual purpose must be referred; it became clear today.",
            "",
        ),
        None,
    );
    plan.update_subject((117, 11, 0), "SC0712", SubjectStatus::Suspended);
    plan.keep((118, 9, 30), "investigator", "ref-siskin", UrnKind::Referral, {
        let clear = plan.date(117);
        move |_| {
            Ok(Command::RecordReferral(NewReferral::new(
                Some(codename("SISKIN")?),
                "PSD/2026/SISKIN-1",
                MatterType::Conduct,
                ReferralCriterion::SeriousCorruption,
                clear,
                staff(&["SC0712"])?,
                "A special constable has sent a domestic abuse victim he met on duty more than 40 messages and left gifts at her door.",
                true,
                "Suspended from duty.",
                None,
            )?))
        }
    });
    apply_for(
        plan,
        (118, 14, 0),
        "investigator",
        "auth-siskin",
        "SISKIN",
        DirectedSurveillance,
        &["SC0712"],
        (
            "Observation near the victim's address to see whether the special constable visits it.",
            "The threshold decision records why nothing overt can show it.",
            "Public places near the address, evenings only, four weeks.",
            "Neighbours seen in passing.",
        ),
    );

    // TEAL: an officer seen with a released burglar. Scoping.
    plan.add_subject((113, 9, 0), "investigator", "NS7120");
    plan.intel(
        "t1",
        (113, 20, 15),
        Item {
            anonymous: true,
            ..item(
                "investigator",
                ConfidentialLine,
                "3CP",
                "",
                InappropriateAssociation,
                false,
                &["NS7120"],
                "Caller says an officer is often seen with a man just released from prison for burglary",
                "Anonymous caller: PC Selbourne-Tey has been seen several times in a Saltmere café with a man released last month after a sentence for burglary.",
            )
        },
    );
    open_operation(
        plan,
        (115, 10, 0),
        "investigator",
        "TEAL",
        "An officer may have an undeclared association with a recently released prisoner.",
        InappropriateAssociation,
        Priority::P4,
        "investigator",
        &[],
        &["NS7120"],
    );
    plan.decision(
        (115, 10, 20),
        "investigator",
        "TEAL",
        (
            "Scope: check notifiable associations and whether the man is a relative.",
            "An association may be innocent and declared.",
            "",
        ),
        None,
    );
    plan.link(116, "t1", "TEAL", "The report Op TEAL was opened on");

    // Oversight and the odd refusal, as a real trail has.
    plan.step((30, 8, 55), |b| {
        // A mistyped password: the failed login is audited.
        let _ = b.cf.login(Credentials {
            username: "investigator",
            password: "demo pasword 2026",
        });
        Ok(())
    });
    plan.step((40, 15, 0), |b| {
        // Need-to-know: the investigator is not on BITTERN, so it is
        // reported as not existing, and the attempt is audited.
        let actor = b.actor("investigator")?;
        let _ = b.cf.open_operation(&actor, &codename("BITTERN")?);
        Ok(())
    });
    plan.cmd((90, 10, 0), "auditor", |_| {
        Ok(Command::View(Viewed::Operation(codename("KESTREL")?)))
    });
    plan.cmd((90, 10, 30), "auditor", |_| Ok(Command::RecordCheckpoint));
    Ok(())
}
