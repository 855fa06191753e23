//! Status drift: two named people who keep passing the unit information.
//! A detention officer's three reports are considered and acknowledged (he
//! is not being used as a covert human intelligence source); a neighbour's
//! three reports, the last still new, wait in the queue for the same
//! question.

use crate::demo::Plan;
use crate::demo::intake::{Item, item};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::intelligence::TriageStatus;
use crate::domain::text::Rationale;
use crate::store::registers::drift::Command as Drift;

pub(super) fn life(plan: &mut Plan) {
    for (label, day, person, summary) in [
        (
            "sd1",
            40,
            "Ellis Moorcroft",
            "Detention officer says a custody sergeant lets one solicitor's clients make calls off the record",
        ),
        (
            "sd2",
            58,
            "ellis moorcroft",
            "Detention officer says the same sergeant switched off a cell camera during a visit",
        ),
        (
            "sd3",
            77,
            "Ellis  Moorcroft",
            "Detention officer overheard the sergeant arranging to meet the solicitor after his shift",
        ),
    ] {
        plan.intel(
            label,
            (day, 15, 10),
            Item {
                source_person: person,
                ..item(
                    "researcher",
                    Colleague,
                    "2BP",
                    "",
                    Disclosure,
                    false,
                    &[],
                    summary,
                    "Reported in person by Ellis Moorcroft, a detention officer at Northshire Central custody, who came to the unit of his own accord. Fictional demonstration record: no real person or event is described.",
                )
            },
        );
    }
    for (label, day) in [("sd1", 41), ("sd2", 59), ("sd3", 78)] {
        meeting(
            plan,
            label,
            day,
            TriageStatus::Filed,
            "Kept for the custody suite's picture: no misconduct shown by this alone",
        );
    }
    plan.cmd((79, 11, 0), "supervisor", |b| {
        Ok(Drift::Acknowledge {
            item: b.urn("sd3")?,
            rationale: Rationale::new(
                "rationale",
                "Considered with the dedicated source unit: Mr Moorcroft reports what he sees in the course of his own duties, unprompted. He has not been asked to obtain anything or to keep up a relationship for a covert purpose, so he is not being used as a CHIS. The team are told not to task him; if he reports again the question is considered afresh.",
            )?,
        }
        .into())
    });
    for (label, day, person, summary) in [
        (
            "sd4",
            96,
            "Bryony Castellane",
            "Neighbour says an off-duty officer brings home boxes from the property store",
        ),
        (
            "sd5",
            104,
            "bryony castellane",
            "Neighbour photographed the officer's car outside a pawnbroker's on a rest day",
        ),
        (
            "sd6",
            118,
            "BRYONY CASTELLANE",
            "Neighbour offers to note the officer's comings and goings for the unit",
        ),
    ] {
        plan.intel(
            label,
            (day, 10, 25),
            Item {
                source_person: person,
                ..item(
                    "investigator",
                    PublicComplaint,
                    "2CP",
                    "",
                    TheftFraud,
                    false,
                    &[],
                    summary,
                    "Telephoned in by Bryony Castellane, who lives next door to the officer and has called before. Fictional demonstration record: no real person or event is described.",
                )
            },
        );
    }
    for (label, day) in [("sd4", 97), ("sd5", 105)] {
        meeting(
            plan,
            label,
            day,
            TriageStatus::Develop,
            "Check the property store's records for the officer's visits",
        );
    }
}

/// The daily meeting's two moves on an item: assessed, then `to`.
fn meeting(plan: &mut Plan, label: &'static str, day: i64, to: TriageStatus, why: &'static str) {
    plan.triage(
        (day, 9, 40),
        "supervisor",
        label,
        TriageStatus::Assessed,
        None,
        "Graded and categorised at the daily intelligence meeting",
    );
    plan.triage((day, 9, 45), "supervisor", label, to, None, why);
}
