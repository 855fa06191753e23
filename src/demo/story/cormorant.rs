//! CORMORANT: fuel card fraud in fleet services. Closed.

use super::steps::{
    apply_for, close_bid, close_operation, codename, decide_bid, decide_threshold, draft_bid,
    grant, open_operation, propose_threshold, review, submit_bid,
};
use crate::demo::Plan;
use crate::demo::intake::item;
use crate::domain::authorisation::AuthorisationType::*;
use crate::domain::bid::{BidDecision, BidStatus};
use crate::domain::covert::{Cancellation, ProductFate, ProductHandling, ThresholdOutcome};
use crate::domain::intelligence::Category::*;
use crate::domain::intelligence::SourceType::*;
use crate::domain::lesson::{Dissemination, Response};
use crate::domain::operation::OperationStatus::*;
use crate::domain::operation::Priority;
use crate::domain::subject::SubjectStatus;
use crate::domain::tactic::Tactic;
use crate::store::Command;
use crate::store::registers::lessons::Command as Lessons;

pub(super) fn life(plan: &mut Plan) {
    intelligence(plan);
    opened(plan);
    threshold(plan);
    bid(plan);
    surveillance(plan);
    outcome(plan);
}

/// The fleet manager's report.
fn intelligence(plan: &mut Plan) {
    plan.add_subject((6, 10, 0), "investigator", "S31177");
    plan.intel(
        "c1",
        (6, 11, 30),
        item(
            "investigator",
            Colleague,
            "1BP",
            "",
            TheftFraud,
            false,
            &["S31177"],
            "Fuel card used for fills on days the vehicle was off the road for repair",
            "The fleet manager found 23 fuel transactions over four months on cards for vehicles that were in the workshop at the time. All the cards are administered by one member of staff.",
        ),
    );
}

/// The operation is opened and the records obtained overtly.
fn opened(plan: &mut Plan) {
    open_operation(
        plan,
        (9, 10, 0),
        "investigator",
        "CORMORANT",
        "Fuel cards for vehicles off the road used for fills; the card administrator is suspected of theft.",
        TheftFraud,
        Priority::P2,
        "investigator",
        &[],
        &["S31177"],
    );
    plan.decision(
        (9, 10, 30),
        "investigator",
        "CORMORANT",
        (
            "Secure the fuel transaction records and workshop logs before anyone is spoken to.",
            "Documentary evidence first; the subject controls the card records.",
            "",
        ),
        None,
    );
    plan.link(
        10,
        "c1",
        "CORMORANT",
        "The allegation Op CORMORANT was opened on",
    );
    plan.status(
        (11, 10, 0),
        "CORMORANT",
        ActiveOvert,
        "Records can be obtained overtly from fleet",
    );
}

/// The records cannot say who made the fills: the threshold is met.
fn threshold(plan: &mut Plan) {
    propose_threshold(
        plan,
        (17, 11, 0),
        "investigator",
        "CORMORANT",
        [
            "Transaction records and workshop logs obtained and compared.",
            "They show the fills but not who made them; forecourt CCTV is overwritten after 30 days.",
            "Theft of public money over months by abuse of a position of trust.",
            "Only seeing who uses the cards at the pump identifies the thief.",
            "Observation at two forecourts on the days the pattern predicts, for up to six weeks.",
            "Forecourt customers; kept to public places.",
            "None expected.",
        ],
        48,
    );
    decide_threshold(
        plan,
        (18, 10, 0),
        "CORMORANT",
        ThresholdOutcome::Met,
        "The records cannot identify who made the fills; limited observation is justified.",
    );
}

/// A small, well-targeted bid, approved.
fn bid(plan: &mut Plan) {
    draft_bid(
        plan,
        (18, 14, 0),
        "investigator",
        "bid-cormorant",
        "CORMORANT",
        "Short observation at forecourts and a financial profile of the subject.",
        &[
            (
                "surveillance-team-days",
                6.0,
                22,
                45,
                "Forecourt observation on predicted days",
            ),
            (
                "financial-investigation",
                5.0,
                22,
                50,
                "Profile of the subject's accounts against the fills",
            ),
        ],
    );
    submit_bid(plan, (18, 14, 10), "investigator", "bid-cormorant");
    decide_bid(
        plan,
        (19, 9, 0),
        "bid-cormorant",
        BidDecision::Approve,
        "Small and well targeted; approved.",
    );
}

/// Directed surveillance at the forecourts, granted and reviewed.
fn surveillance(plan: &mut Plan) {
    apply_for(
        plan,
        (19, 15, 0),
        "investigator",
        "auth-cormorant",
        "CORMORANT",
        DirectedSurveillance,
        &["S31177"],
        (
            "Observation at two forecourts to see who uses the fleet cards on the predicted days.",
            "The records cannot show who made the fills.",
            "Two forecourts, predicted days only, up to six weeks.",
            "Forecourt customers in passing.",
        ),
        &[
            (
                Tactic::StaticObservation,
                "Only watching the pumps on the predicted days shows who makes the fills.",
                "Two forecourts, from a parked vehicle, on the predicted days only.",
            ),
            (
                Tactic::CovertPhotography,
                "A note of who was seen will not identify the driver to a court; a photograph at the pump will.",
                "Photographs only at the moment a fleet card is used, of the driver and the vehicle.",
            ),
        ],
    );
    grant(
        plan,
        (21, 10, 0),
        "auth-cormorant",
        28,
        "Necessary to identify who uses the cards; proportionate as limited to two public forecourts on predicted days.",
        &[
            (Tactic::StaticObservation, None),
            (Tactic::CovertPhotography, None),
        ],
    );
    plan.status(
        (21, 11, 0),
        "CORMORANT",
        ActiveCovert,
        "Directed surveillance authorised",
    );
    review(
        plan,
        (49, 11, 0),
        "auth-cormorant",
        "Still necessary: one fill observed, a second needed to rule out a shared card.",
        "Proportionate: one forecourt now, the other ruled out.",
    );
}

/// Surveillance cancelled, the subject interviewed and charged, the
/// operation closed.
fn outcome(plan: &mut Plan) {
    plan.cmd((60, 9, 30), "authorising", {
        let stop = plan.time(60, 9, 15);
        move |b| {
            Ok(Command::CancelAuthorisation {
                urn: b.urn("auth-cormorant")?,
                cancellation: Cancellation::new(
                    stop,
                    "No longer necessary: the subject has been seen making two fills with cards for vehicles in the workshop.",
                    "Evidence obtained; the subject is to be interviewed.",
                    ProductHandling::new(
                        ProductFate::Kept,
                        "Disclosure officer, Operation CORMORANT",
                        Some(crate::domain::time::uk_date(stop) + chrono::Days::new(182)),
                        "Observation logs and images held as exhibits under CPIA; images of other customers deleted after review.",
                        crate::domain::time::uk_date(stop),
                    )?,
                )?,
            })
        }
    });
    plan.status(
        (60, 10, 0),
        "CORMORANT",
        ActiveOvert,
        "Covert phase complete; arrest and interview next",
    );
    plan.decision(
        (60, 10, 15),
        "investigator",
        "CORMORANT",
        (
            "Surveillance cancelled; arrest and interview the subject.",
            "Two fills observed; enough to put to the subject.",
            "",
        ),
        None,
    );
    close_bid(
        plan,
        (61, 9, 0),
        "investigator",
        "bid-cormorant",
        BidStatus::Completed,
        "Observation and financial profile done",
    );
    plan.decision(
        (70, 16, 0),
        "investigator",
        "CORMORANT",
        (
            "Subject interviewed under caution and resigned the next day; file to the CPS.",
            "Admissions to 19 of the 23 fills.",
            "",
        ),
        None,
    );
    plan.update_subject((72, 9, 0), "S31177", SubjectStatus::Left);
    close_operation(
        plan,
        (85, 10, 0),
        "CORMORANT",
        "Charged with fraud by abuse of position. Gross misconduct proceedings held after resignation: would have been dismissed; placed on the barred list.",
        "Fuel cards for vehicles off the road were never suspended automatically and one person reconciled them. Fleet now suspends cards when a vehicle enters the workshop, and reconciliation is done monthly by someone outside the card team.",
    );
    lessons(plan);
}

/// Where CORMORANT's lessons went: fleet services answered; finance has
/// not yet.
fn lessons(plan: &mut Plan) {
    for (day, department, how) in [
        (88, "Fleet services", "briefing to the fleet manager"),
        (
            90,
            "Finance",
            "email to the head of finance, and an intranet article",
        ),
    ] {
        let on = plan.date(day);
        plan.cmd((day, 11, 0), "supervisor", move |_| {
            Ok(Lessons::Disseminate {
                codename: codename("CORMORANT")?,
                dissemination: Dissemination::new(department, on, how)?,
            }
            .into())
        });
    }
    plan.cmd((97, 15, 0), "supervisor", |_| {
        Ok(Lessons::RecordResponse {
            codename: codename("CORMORANT")?,
            response: Response::new(
                "Fleet services",
                "Cards now suspend automatically when a vehicle enters the workshop; monthly reconciliation moved to the fleet audit team.",
            )?,
        }
        .into())
    });
}
