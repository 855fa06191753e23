//! MERLIN: a call handler searching an ex-partner's records. Active.

use super::steps::{codename, draft_bid, open_operation, propose_threshold, submit_bid, user};
use crate::demo::intake::item;
use crate::demo::{Plan, STORY_DAYS};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::{Priority, TeamPart};
use crate::store::Command;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    investigator_joins(plan);
    threshold(plan);
    bid(plan);
}

/// The ICT-monitoring alert.
fn intelligence(plan: &mut Plan) {
    plan.add_subject((60, 9, 0), "researcher", "S20488");
    plan.intel(
        "m1",
        (60, 7, 40),
        item(
            "researcher",
            IctMonitoring,
            "1AP",
            "",
            MisusingSystems,
            false,
            &["S20488"],
            "Call handler searched an ex-partner's address history 14 times in a month",
            "The ICT-monitoring software flagged 14 searches by the call handler on one address, the home of her former partner, none linked to a call she handled.",
        ),
    );
}

/// The operation is opened, and the searches resume after a warning.
fn opened(plan: &mut Plan) {
    open_operation(
        plan,
        (61, 10, 0),
        "researcher",
        "MERLIN",
        "A contact centre call handler is suspected of using force systems to follow a former partner.",
        MisusingSystems,
        Priority::P2,
        "researcher",
        &[],
        &["S20488"],
    );
    plan.decision(
        (61, 10, 20),
        "researcher",
        "MERLIN",
        (
            "Check the former partner's safety with the domestic abuse team first.",
            "The searches may be a sign of stalking.",
            "",
        ),
        None,
    );
    plan.link(62, "m1", "MERLIN", "The alert Op MERLIN was opened on");
    plan.status((63, 9, 0), "MERLIN", ActiveOvert, "Audit and safeguarding");
    plan.intel(
        "m2",
        (95, 7, 30),
        item(
            "researcher",
            IctMonitoring,
            "1AP",
            "",
            MisusingSystems,
            false,
            &["S20488"],
            "Call handler's searches on her former partner resumed after a management warning",
            "Six further searches this week on the same address and on the partner's new vehicle.",
        ),
    );
    plan.link(96, "m2", "MERLIN", "Continuing conduct under Op MERLIN");
}

/// An investigator joins the team for the covert case.
fn investigator_joins(plan: &mut Plan) {
    plan.cmd((100, 9, 0), "supervisor", |_| {
        Ok(Command::AddToTeam {
            codename: codename("MERLIN")?,
            username: user("investigator")?,
            part: TeamPart::Team,
        })
    });
    plan.decision(
        (100, 9, 15),
        "supervisor",
        "MERLIN",
        (
            "DC Larkhollow joins the team to prepare the covert case.",
            "The conduct continued after a warning; the case needs an officer's powers.",
            "",
        ),
        None,
    );
}

/// The threshold is proposed, and awaits the supervisor.
fn threshold(plan: &mut Plan) {
    propose_threshold(
        plan,
        (110, 14, 0),
        "investigator",
        "MERLIN",
        [
            "Systems audit; a management warning; safeguarding visit to the former partner.",
            "The audit shows the searches but not whether she acts on them; the warning did not stop her.",
            "Possible stalking using force systems.",
            "Only capture of her screen activity shows what she does with what she finds.",
            "ICT-monitoring capture of her sessions for four weeks.",
            "Callers' details seen on her screen; minimised by filtering to the searches.",
            "None expected.",
        ],
        STORY_DAYS + 30,
    );
    plan.decision(
        (110, 14, 20),
        "investigator",
        "MERLIN",
        (
            "Threshold proposal submitted for covert capture.",
            "Awaiting the supervisor's decision before the capture bid can be approved.",
            "",
        ),
        None,
    );
}

/// The capture bid, submitted.
fn bid(plan: &mut Plan) {
    draft_bid(
        plan,
        (111, 10, 0),
        "researcher",
        "bid-merlin",
        "MERLIN",
        "Screen capture of the call handler's sessions and analysis.",
        &[
            (
                "ict-monitoring-capture",
                14.0,
                112,
                STORY_DAYS + 20,
                "Capture of her sessions on shifts",
            ),
            (
                "analyst-hours",
                20.0,
                112,
                STORY_DAYS + 20,
                "Match searches with calls handled",
            ),
        ],
    );
    submit_bid(plan, (111, 10, 5), "researcher", "bid-merlin");
}
