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
}
