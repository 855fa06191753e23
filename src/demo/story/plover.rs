//! PLOVER: a business interest, declared after all. Closed.

use super::steps::{close_operation, open_operation};
use crate::demo::Plan;
use crate::demo::intake::item;
use crate::domain::intelligence::Category::{self};
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;

pub(super) fn life(plan: &mut Plan) {
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
}
