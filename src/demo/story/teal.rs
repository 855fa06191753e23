//! TEAL: an officer seen with a released burglar. Scoping.

use super::steps::open_operation;
use crate::demo::Plan;
use crate::demo::intake::{Item, item};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::Priority;

pub(super) fn life(plan: &mut Plan) {
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
}
