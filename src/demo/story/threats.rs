//! The counter corruption Strategic Threat Assessment, under review with
//! analytical support (seed 000): the head of unit's priorities recorded
//! early in the story, and reviewed as the intelligence picture changed,
//! abuse of position for a sexual purpose rising to the top.

use super::steps::user;
use crate::demo::Plan;
use crate::domain::intelligence::Category;
use crate::domain::threat::{Assessment, Confidence, Scores};
use crate::store::registers::threats::Command as Threats;

type Scored = (u8, u8, Confidence, u8);

pub(super) fn assessment(plan: &mut Plan) {
    use Confidence::*;
    let threats: [(i64, Category, &str, Scored, &str, i64, &str); 4] = [
        (
            14,
            Category::AbuseOfAuthority,
            "APSP: abuse of position for a sexual purpose",
            (5, 4, Medium, 3),
            "supervisor",
            104,
            "Confidential-line reports of officers contacting victims of domestic abuse after attending. Harm to already vulnerable people is grave; the unit's ICT monitoring does not yet cover messaging apps.",
        ),
        (
            14,
            Category::Disclosure,
            "Unauthorised disclosure",
            (4, 3, Medium, 3),
            "investigator",
            110,
            "Leaks of custody and intelligence information to associates, two of them linked to organised crime groups. Audit of the custody system is monthly.",
        ),
        (
            15,
            Category::MisusingSystems,
            "Misuse of force systems",
            (3, 4, High, 4),
            "researcher",
            134,
            "Lookups without a policing purpose are the commonest finding of ICT monitoring; most are low harm but a few preceded disclosure or APSP.",
        ),
        (
            15,
            Category::Drugs,
            "Drugs",
            (3, 2, Low, 3),
            "investigator",
            140,
            "Little reporting this year; the picture rests on one partner-agency report and national trends.",
        ),
    ];
    for (day, category, theme, (h, l, c, cap), owner, review, why) in threats {
        let next = plan.date(day + review);
        plan.cmd((day, 14, 0), "head", move |_| {
            Ok(Threats::Record {
                category,
                theme: theme.to_owned(),
                assessment: Assessment::new(Scores::new(h, l, c, cap)?, user(owner)?, why, next)?,
            }
            .into())
        });
    }
    // The quarterly review: APSP rises with the intelligence behind it and
    // the unit's capacity stretched by the operations it started.
    let next = plan.date(123);
    plan.cmd((100, 10, 0), "supervisor", move |_| {
        Ok(Threats::Review {
            reference: "THR-001".to_owned(),
            assessment: Assessment::new(
                Scores::new(5, 5, Confidence::High, 2)?,
                user("supervisor")?,
                "Reports on the confidential line doubled over the quarter and three operations are open on them. Digital forensics and surveillance capacity is committed; the messaging-app gap remains. Reviewed with the analyst.",
                next,
            )?,
        }
        .into())
    });
    let next = plan.date(190);
    plan.cmd((101, 11, 0), "investigator", move |_| {
        Ok(Threats::Review {
            reference: "THR-002".to_owned(),
            assessment: Assessment::new(
                Scores::new(4, 3, Confidence::High, 4)?,
                user("investigator")?,
                "Custody system access is now audited weekly after the lessons of an earlier operation; the remaining risk is in the intelligence system.",
                next,
            )?,
        }
        .into())
    });
}
