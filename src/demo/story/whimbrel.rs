//! WHIMBREL: an officer in debt. Scoping.

use super::steps::{draft_bid, open_operation};
use crate::demo::intake::item;
use crate::demo::{Plan, STORY_DAYS};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::Priority;

pub(super) fn life(plan: &mut Plan) {
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
}
