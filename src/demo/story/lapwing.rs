//! LAPWING: disclosure to a relative's investigation firm. Suspended.

use super::steps::{decide_bid, draft_bid, open_operation, submit_bid};
use crate::demo::Plan;
use crate::demo::intake::item;
use crate::domain::bid::BidDecision;
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    bid(plan);
    suspended(plan);
}

/// A colleague overhears a phone call.
fn intelligence(plan: &mut Plan) {
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
}

/// The operation is opened and the systems audit begins.
fn opened(plan: &mut Plan) {
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
}

/// A bid for analysis, deferred while the CPS decides.
fn bid(plan: &mut Plan) {
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
}

/// Suspended until the CPS charging decision on the firm.
fn suspended(plan: &mut Plan) {
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
}
