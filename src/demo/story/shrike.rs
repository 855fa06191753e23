//! SHRIKE: a contractor suspected of warning a crime group.

use super::steps::{
    apply_for, decide_bid, decide_threshold, draft_bid, open_operation, propose_threshold,
    submit_bid,
};
use crate::demo::intake::item;
use crate::demo::{Plan, STORY_DAYS};
use crate::domain::authorisation::AuthorisationType::*;
use crate::domain::bid::BidDecision;
use crate::domain::covert::ThresholdOutcome;
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;
use crate::domain::text::Rationale;
use crate::store::Command;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    threshold(plan);
    authorisation(plan);
    bid(plan);
    covert_phase(plan);
}

/// The regional unit's seized phone.
fn intelligence(plan: &mut Plan) {
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
}

/// The operation is opened, restricted, and the access audit begins.
fn opened(plan: &mut Plan) {
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
}

/// The system cannot show what he read: the threshold is met.
fn threshold(plan: &mut Plan) {
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
}

/// Communications data is applied for and refused as not yet necessary.
fn authorisation(plan: &mut Plan) {
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
        &[],
    );
    plan.cmd((58, 11, 0), "authorising", |b| {
        Ok(Command::RefuseAuthorisation {
            urn: b.urn("auth-shrike")?,
            rationale: Rationale::new(
                "rationale",
                "Not yet necessary: ask ICT for the network logs of his administrator sessions first, which may show what he read without intrusion.",
            )?,
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
}

/// A surveillance bid, declined.
fn bid(plan: &mut Plan) {
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
}

/// Network capture finds the export of the warrant schedule.
fn covert_phase(plan: &mut Plan) {
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
}
