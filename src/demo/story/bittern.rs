//! BITTERN: a detective suspected of buying drugs from a supply group.

use super::steps::{
    apply_for, decide_bid, decide_threshold, draft_bid, grant, open_operation, propose_threshold,
    review, submit_bid,
};
use crate::demo::intake::{Item, item};
use crate::demo::{Plan, STORY_DAYS};
use crate::domain::authorisation::AuthorisationType::*;
use crate::domain::bid::BidDecision;
use crate::domain::covert::ThresholdOutcome;
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::{self, *};
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    threshold(plan);
    bid(plan);
    more_intelligence(plan);
    covert_phase(plan);
}

/// A neighbouring force's sighting.
fn intelligence(plan: &mut Plan) {
    plan.add_subject((30, 9, 0), "researcher", "NS3902");
    plan.intel(
        "b1",
        (30, 14, 0),
        item(
            "researcher",
            OtherForce,
            "2BC",
            "Originating force's conditions: no onward dissemination without its authority",
            Drugs,
            false,
            &["NS3902"],
            "Detective constable seen at an address linked to a county-lines supply group",
            "A neighbouring force's surveillance on a supply group's address recorded a man matching DC Harrowgate arriving twice in a week, staying minutes each time.",
        ),
    );
}

/// The operation is opened, restricted, and an anonymous call supports it.
fn opened(plan: &mut Plan) {
    open_operation(
        plan,
        (33, 10, 0),
        "researcher",
        "BITTERN",
        "A detective constable is suspected of buying controlled drugs from a supply group, and of being open to pressure from it.",
        Drugs,
        Priority::P1,
        "researcher",
        &[],
        &["NS3902"],
    );
    plan.decision(
        (33, 10, 30),
        "researcher",
        "BITTERN",
        (
            "Restricted operation; the investigator on other work is not to be told.",
            "The subject works alongside members of the unit's wider network.",
            "",
        ),
        None,
    );
    plan.link(
        34,
        "b1",
        "BITTERN",
        "The intelligence Op BITTERN was opened on",
    );
    plan.status(
        (36, 9, 0),
        "BITTERN",
        ActiveOvert,
        "Overt research into the subject's systems use and finances",
    );
    plan.intel(
        "b2",
        (38, 21, 5),
        Item {
            anonymous: true,
            ..item(
                "researcher",
                ConfidentialLine,
                "3DP",
                "",
                Drugs,
                false,
                &["NS3902"],
                "Caller says a detective buys cocaine from a local dealer",
                "Anonymous caller: 'a CID officer at Saltmere' buys cocaine from a dealer known as 'Tiny'. No more detail given.",
            )
        },
    );
    plan.link(
        39,
        "b2",
        "BITTERN",
        "Consistent with the other force's sighting: linked to Op BITTERN",
    );
}

/// The threshold: sent back for more information, then met at the second
/// proposal.
fn threshold(plan: &mut Plan) {
    propose_threshold(
        plan,
        (40, 14, 0),
        "researcher",
        "BITTERN",
        [
            "Systems audit and finances checked.",
            "Neither shows contact with the group.",
            "Drug use by a detective, and the leverage it gives a supply group over him.",
            "",
            "",
            "Members of the public at the address.",
            "None expected.",
        ],
        STORY_DAYS + 30,
    );
    decide_threshold(
        plan,
        (42, 10, 0),
        "BITTERN",
        ThresholdOutcome::MoreInformation,
        "Necessity and proportionality are not argued yet; say what covert means are sought and why nothing less will do.",
    );
    propose_threshold(
        plan,
        (45, 11, 0),
        "researcher",
        "BITTERN",
        [
            "Systems audit, finances, duty records and the other force's logs checked.",
            "None shows whether he meets the group or why; the sightings could be innocent.",
            "Drug use by a detective, and the leverage it gives a supply group over him.",
            "Only observation and a source close to the group can show the relationship.",
            "Observation limited to the address and two pubs; a source already tasked by the other force; three months.",
            "Members of the public at the address and pubs; kept to public places.",
            "None expected.",
        ],
        STORY_DAYS + 40,
    );
    decide_threshold(
        plan,
        (46, 10, 0),
        "BITTERN",
        ThresholdOutcome::Met,
        "Now properly argued: the relationship cannot be shown by overt means.",
    );
    plan.decision(
        (46, 10, 20),
        "supervisor",
        "BITTERN",
        (
            "Threshold met at the second proposal.",
            "The first proposal left necessity and proportionality blank.",
            "",
        ),
        None,
    );
}

/// A bid, partly approved because KESTREL holds the surveillance team.
fn bid(plan: &mut Plan) {
    draft_bid(
        plan,
        (47, 11, 0),
        "researcher",
        "bid-bittern",
        "BITTERN",
        "Observation of the address, a technical deployment and analysis.",
        &[
            (
                "surveillance-team-days",
                30.0,
                66,
                100,
                "Observation at the address and two pubs",
            ),
            (
                "technical-deployment",
                2.0,
                66,
                80,
                "Vehicle tracking on the group's car",
            ),
            (
                "analyst-hours",
                40.0,
                47,
                100,
                "Association charting from the other force's material",
            ),
        ],
    );
    submit_bid(plan, (47, 11, 5), "researcher", "bid-bittern");
    decide_bid(
        plan,
        (49, 10, 0),
        "bid-bittern",
        BidDecision::PartlyApprove(vec![(1, 20.0), (3, 40.0)]),
        "Surveillance cut to 20 days as KESTREL holds the team in the same weeks; the tracking deployment is not approved, as the other force already has the group's movements.",
    );
}

/// Financial checks find unexplained cash.
fn more_intelligence(plan: &mut Plan) {
    plan.intel(
        "b3",
        (58, 15, 0),
        item(
            "researcher",
            SourceType::Other,
            "1BP",
            "",
            Drugs,
            false,
            &["NS3902"],
            "Cash deposits into the detective's account inconsistent with his salary",
            "Financial checks: £6,200 in cash deposits over five months, in amounts under £500, with no explanation in his declared interests.",
        ),
    );
    plan.link(
        59,
        "b3",
        "BITTERN",
        "Supports the supply-group relationship: linked to Op BITTERN",
    );
}

/// A CHIS authorisation, its review, and the next step.
fn covert_phase(plan: &mut Plan) {
    apply_for(
        plan,
        (64, 10, 0),
        "researcher",
        "auth-bittern",
        "BITTERN",
        Chis,
        &["NS3902"],
        (
            "Use and conduct of a source already close to the supply group, tasked to report on any police officer's dealings with it.",
            "Observation shows meetings but not what passes between them; only a source can.",
            "One source, existing access only, no tasking to encourage any offence.",
            "Other members of the group; information about them is passed to the other force, not used here.",
        ),
        &[],
    );
    grant(
        plan,
        (66, 11, 0),
        "auth-bittern",
        28,
        "Necessary for the reasons given; proportionate as the source's existing access is used and nothing is encouraged.",
        &[],
    );
    plan.status(
        (66, 11, 30),
        "BITTERN",
        ActiveCovert,
        "CHIS authorised; surveillance begins",
    );
    plan.decision(
        (66, 12, 0),
        "authorising",
        "BITTERN",
        (
            "Source handling to be done by the dedicated source unit, not by PSD staff.",
            "Keeps the source's identity away from anyone who might know the subject.",
            "",
        ),
        None,
    );
    review(
        plan,
        (94, 14, 0),
        "auth-bittern",
        // Repeats the application's necessity, as the reviews IPCO
        // criticises do: the record shows it as similar text.
        "Observation shows meetings but not what passes between them; only a source can.",
        "Proportionate: no new tasking; the source's access is unchanged.",
    );
    plan.decision(
        (105, 11, 0),
        "researcher",
        "BITTERN",
        (
            "Continue; prepare for a drugs test on the subject at short notice.",
            "Source and surveillance together now support a reasonable suspicion of use.",
            "",
        ),
        None,
    );
}
