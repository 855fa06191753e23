//! DUNLIN: a statement altered to protect a friend. Closed.

use super::steps::{close_operation, codename, open_operation, staff};
use crate::demo::Plan;
use crate::demo::intake::item;
use crate::domain::covert::{IopcDecision, NewReferral};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;
use crate::domain::referral::{MatterType, ModeOfInvestigation, ReferralCriterion};
use crate::domain::urn::UrnKind;
use crate::store::Command;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    referral(plan);
    outcome(plan);
}

/// A detective constable's report.
fn intelligence(plan: &mut Plan) {
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
}

/// The operation is opened and the documentary enquiries begin.
fn opened(plan: &mut Plan) {
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
}

/// A voluntary referral, referred back by the IOPC.
fn referral(plan: &mut Plan) {
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
}

/// A misconduct meeting, and the operation closed.
fn outcome(plan: &mut Plan) {
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
}
