//! The story's verbs: each plans one kind of step (a command by one of
//! the demo accounts at a story time) that the operations' modules use.

use chrono::NaiveDate;

use crate::demo::Plan;
use crate::domain::account::Username;
use crate::domain::authorisation::AuthorisationType;
use crate::domain::bid::{BidDecision, BidLine, BidStatus};
use crate::domain::covert::{
    AuthorisationApplication, ConfidentialMaterial, Review, ThresholdCriteria, ThresholdOutcome,
};
use crate::domain::intelligence::Category;
use crate::domain::operation::{Closure, Codename, NewOperation, Priority};
use crate::domain::subject::StaffNumber;
use crate::domain::tactic::{Tactic, TacticCase, TacticDecision};
use crate::domain::text::Rationale;
use crate::domain::urn::UrnKind;
use crate::store::{self, Command};

pub(super) fn codename(text: &str) -> store::Result<Codename> {
    Ok(Codename::parse(text)?)
}

pub(super) fn user(text: &str) -> store::Result<Username> {
    Ok(Username::parse(text)?)
}

pub(super) fn staff(list: &[&str]) -> store::Result<Vec<StaffNumber>> {
    Ok(list
        .iter()
        .map(|s| StaffNumber::parse(s))
        .collect::<Result<_, _>>()?)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn open_operation(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    op: &'static str,
    description: &'static str,
    category: Category,
    priority: Priority,
    lead: &'static str,
    team: &'static [&'static str],
    subjects: &'static [&'static str],
) {
    plan.cmd(when, who, move |_| {
        Ok(Command::OpenOperation(NewOperation::new(
            codename(op)?,
            description,
            category,
            priority,
            user(lead)?,
            user("supervisor")?,
            team.iter().map(|u| user(u)).collect::<Result<_, _>>()?,
            staff(subjects)?,
        )?))
    });
}

pub(super) fn close_operation(
    plan: &mut Plan,
    when: (i64, u32, u32),
    op: &'static str,
    outcome: &'static str,
    lessons: &'static str,
) {
    plan.cmd(when, "supervisor", move |_| {
        Ok(Command::CloseOperation {
            codename: codename(op)?,
            closure: Closure::new(outcome, lessons)?,
        })
    });
}

pub(super) fn propose_threshold(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    op: &'static str,
    criteria: [&'static str; 7],
    review_day: i64,
) {
    let review = plan.date(review_day);
    plan.cmd(when, who, move |_| {
        let [a, b, c, d, e, f, g] = criteria;
        Ok(Command::ProposeThreshold {
            codename: codename(op)?,
            criteria: ThresholdCriteria::new(a, b, c, d, e, f, g, review)?,
        })
    });
}

pub(super) fn decide_threshold(
    plan: &mut Plan,
    when: (i64, u32, u32),
    op: &'static str,
    outcome: ThresholdOutcome,
    rationale: &'static str,
) {
    plan.cmd(when, "supervisor", move |_| {
        Ok(Command::DecideThreshold {
            codename: codename(op)?,
            outcome,
            rationale: Rationale::new("rationale", rationale)?,
        })
    });
}

/// A bid line: (resource, quantity, first story day, last story day, why).
pub(super) type LineSpec = (&'static str, f64, i64, i64, &'static str);

pub(super) fn draft_bid(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    label: &'static str,
    op: &'static str,
    justification: &'static str,
    lines: &[LineSpec],
) {
    let lines: Vec<(&str, f64, NaiveDate, NaiveDate, &str)> = lines
        .iter()
        .map(|&(r, q, from, to, why)| (r, q, plan.date(from), plan.date(to), why))
        .collect();
    plan.keep(when, who, label, UrnKind::Bid, move |_| {
        Ok(Command::DraftBid {
            codename: codename(op)?,
            justification: Rationale::new("justification", justification)?,
            lines: lines
                .into_iter()
                .map(|(r, q, from, to, why)| BidLine::new(r, q, from, to, why))
                .collect::<Result<_, _>>()?,
        })
    });
}

pub(super) fn submit_bid(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    label: &'static str,
) {
    plan.cmd(when, who, move |b| {
        Ok(Command::SubmitBid { urn: b.urn(label)? })
    });
}

pub(super) fn decide_bid(
    plan: &mut Plan,
    when: (i64, u32, u32),
    label: &'static str,
    decision: BidDecision,
    rationale: &'static str,
) {
    plan.cmd(when, "supervisor", move |b| {
        Ok(Command::DecideBid {
            urn: b.urn(label)?,
            decision,
            rationale: Rationale::new("rationale", rationale)?,
        })
    });
}

pub(super) fn close_bid(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    label: &'static str,
    to: BidStatus,
    reason: &'static str,
) {
    plan.cmd(when, who, move |b| {
        Ok(Command::CloseBid {
            urn: b.urn(label)?,
            to,
            reason: Rationale::new("reason", reason)?,
        })
    });
}

/// Why the demonstration's applications expect no confidential material.
fn confidential_reason(kind: AuthorisationType) -> &'static str {
    match kind {
        AuthorisationType::Chis | AuthorisationType::JuvenileChis => {
            "Unlikely because the source reports only on the subject's dealings at work, never with a lawyer, doctor or journalist."
        }
        AuthorisationType::CommunicationsData => {
            "Unlikely because the data is the subject's work phone, which carries no calls to a lawyer or a journalist."
        }
        _ => {
            "Unlikely because the observation is of the subject in public and at work, away from any lawyer, doctor or journalist."
        }
    }
}

/// An application to `authorising`: (description, necessity,
/// proportionality, collateral intrusion), and each tactic asked for
/// with its own necessity and proportionality.
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_for(
    plan: &mut Plan,
    when: (i64, u32, u32),
    who: &'static str,
    label: &'static str,
    op: &'static str,
    kind: AuthorisationType,
    subjects: &'static [&'static str],
    (description, necessity, proportionality, collateral): (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ),
    tactics: &'static [(Tactic, &'static str, &'static str)],
) {
    plan.keep(when, who, label, UrnKind::Authorisation, move |_| {
        let tactics = tactics
            .iter()
            .map(|(t, n, p)| TacticCase::new(*t, n, p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Command::ApplyForAuthorisation(
            AuthorisationApplication::new(
                codename(op)?,
                user("authorising")?,
                kind,
                false,
                "",
                description,
                staff(subjects)?,
                necessity,
                proportionality,
                collateral,
                ConfidentialMaterial::new(false, confidential_reason(kind))?,
                false,
            )?
            .with_tactics(tactics)?,
        ))
    });
}

pub(super) fn grant(
    plan: &mut Plan,
    when: (i64, u32, u32),
    label: &'static str,
    review_every_days: u32,
    rationale: &'static str,
    tactics: &'static [(Tactic, Option<&'static str>)],
) {
    plan.cmd(when, "authorising", move |b| {
        let tactics = tactics
            .iter()
            .map(|(t, refused)| {
                Ok((
                    *t,
                    match refused {
                        None => TacticDecision::Granted,
                        Some(why) => TacticDecision::Refused(Rationale::new("reason", why)?),
                    },
                ))
            })
            .collect::<Result<Vec<_>, crate::domain::InvalidInput>>()?;
        Ok(Command::GrantAuthorisation {
            urn: b.urn(label)?,
            review_every_days,
            rationale: Rationale::new("rationale", rationale)?,
            involvement: None,
            tactics,
        })
    });
}

pub(super) fn review(
    plan: &mut Plan,
    when: (i64, u32, u32),
    label: &'static str,
    necessity: &'static str,
    proportionality: &'static str,
) {
    plan.cmd(when, "authorising", move |b| {
        Ok(Command::ReviewAuthorisation {
            urn: b.urn(label)?,
            review: Review::new(necessity, proportionality, true)?,
        })
    });
}
