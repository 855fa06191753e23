//! WAGTAIL: a student officer who did not declare family links. Active.

use super::steps::{close_bid, draft_bid, open_operation, submit_bid};
use crate::demo::Plan;
use crate::demo::intake::item;
use crate::domain::bid::BidStatus;
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    bid(plan);
    vetting_review(plan);
}

/// A neighbouring force's intelligence on the brother.
fn intelligence(plan: &mut Plan) {
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
}

/// The operation is opened and the vetting file reviewed.
fn opened(plan: &mut Plan) {
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
}

/// A bid, withdrawn as the vetting unit's checks cover it.
fn bid(plan: &mut Plan) {
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
}

/// A vetting review meeting is planned.
fn vetting_review(plan: &mut Plan) {
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
}
