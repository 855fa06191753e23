//! SISKIN: a special constable messaging a victim. Active, referral overdue.

use super::steps::{
    apply_for, codename, decide_threshold, open_operation, propose_threshold, staff,
};
use crate::demo::intake::item;
use crate::demo::{Plan, STORY_DAYS};
use crate::domain::authorisation::AuthorisationType::*;
use crate::domain::covert::{NewReferral, ThresholdOutcome};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;
use crate::domain::referral::{MatterType, ReferralCriterion};
use crate::domain::subject::SubjectStatus;
use crate::domain::tactic::Tactic;
use crate::domain::urn::UrnKind;
use crate::store::Command;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    threshold(plan);
    referral(plan);
    authorisation(plan);
}

/// The adviser's report.
fn intelligence(plan: &mut Plan) {
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
}

/// The operation is opened, the victim safeguarded, and the conduct goes on.
fn opened(plan: &mut Plan) {
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
}

/// The threshold is met and the special constable suspended.
fn threshold(plan: &mut Plan) {
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
}

/// A mandatory referral, recorded but not yet made.
fn referral(plan: &mut Plan) {
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
}

/// Directed surveillance applied for, awaiting the authorising officer.
fn authorisation(plan: &mut Plan) {
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
        &[
            (
                Tactic::StaticObservation,
                "Only watching the street shows whether he comes to her address off duty.",
                "From one parked vehicle, evenings only, the street outside the address only.",
            ),
            (
                Tactic::FollowingByVehicle,
                "If he arrives by car, following it away shows whether he lingers in the area.",
                "Only from her street to the end of the estate, and never past his own home.",
            ),
        ],
    );
}
