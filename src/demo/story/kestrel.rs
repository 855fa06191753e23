//! KESTREL: a custody sergeant contacting women after their release.

use chrono::{DateTime, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::steps::{
    apply_for, codename, decide_bid, decide_threshold, draft_bid, grant, open_operation,
    propose_threshold, review, staff, submit_bid,
};
use crate::demo::intake::{Item, item};
use crate::demo::{Plan, STORY_DAYS};
use crate::domain::authorisation::{AuthorisationType::*, period_end};
use crate::domain::bid::BidDecision;
use crate::domain::covert::{IopcDecision, NewReferral, ThresholdOutcome};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::intelligence::TriageStatus;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;
use crate::domain::referral::{MatterType, ModeOfInvestigation, ReferralCriterion};
use crate::domain::subject::SubjectStatus;
use crate::domain::tactic::Tactic;
use crate::domain::urn::UrnKind;
use crate::store::Command;

pub(super) fn life(plan: &mut Plan) {
    // The day surveillance is granted, so that it runs out just after now.
    let g = expiring_grant_day(plan);
    intelligence(plan);
    opened(plan);
    threshold(plan);
    bid(plan, g);
    more_intelligence(plan);
    surveillance(plan, g);
    referral(plan, g);
    towards_arrest(plan, g);
}

/// Days 2 to 4: the refuge's report, and the systems audit that backs it.
fn intelligence(plan: &mut Plan) {
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
}

/// The operation is opened, restricted, and its overt enquiries begin.
fn opened(plan: &mut Plan) {
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
}

/// Overt routes exhausted: the covert threshold is proposed and met.
fn threshold(plan: &mut Plan) {
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
}

/// Surveillance and analysis are bid for, to run while the authorisation does.
fn bid(plan: &mut Plan, g: i64) {
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
}

/// An anonymous call to the confidential line adds to the pattern.
fn more_intelligence(plan: &mut Plan) {
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
}

/// Directed surveillance is applied for, granted on day `g` and reviewed
/// every 28 days.
fn surveillance(plan: &mut Plan, g: i64) {
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
        &[
            (
                Tactic::FollowingOnFoot,
                "He leaves the station on foot after late shifts; only following him shows where he goes and whom he meets.",
                "From the station door to the first meeting place, two evenings a week, by no more than two officers.",
            ),
            (
                Tactic::StaticObservation,
                "The car park behind the retail park is where the victim said they met; watching it shows whether he returns.",
                "One parked vehicle, from the end of his shift for two hours, the car park only.",
            ),
            (
                Tactic::CovertPhotography,
                "A photograph of a meeting would corroborate the victim's account for a misconduct hearing.",
                "Only of a meeting itself, not of passers-by; images of others blurred before any disclosure.",
            ),
        ],
    );
    grant(
        plan,
        (g, 10, 30),
        "auth-kestrel",
        28,
        "Necessary: overt routes are exhausted and the risk is continuing. Proportionate: limited to public places after late shifts; the least intrusive means that can show the contact.",
        &[
            (Tactic::FollowingOnFoot, None),
            (Tactic::StaticObservation, None),
            (
                Tactic::CovertPhotography,
                Some(
                    "Not yet: the observation logs are enough to show a meeting; apply again if one is seen and a photograph is needed for the hearing.",
                ),
            ),
        ],
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
}

/// It becomes clear the matter must be referred: the IOPC directs the
/// investigation.
fn referral(plan: &mut Plan, g: i64) {
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
}

/// A colleague's report corroborates, and the arrest is planned.
fn towards_arrest(plan: &mut Plan, g: i64) {
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
