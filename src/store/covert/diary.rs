//! The diary: everything due or overdue that a user may see, soonest
//! first, each with what it is, its reference, when it is due and why.
//! `ccu due` prints it; the dashboard will show it.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::domain::authorisation::{self as law, AuthorisationType};
use crate::domain::operation::Codename;
use crate::domain::time::{end_of_uk_day, parse_uk_date, uk_date};
use crate::domain::urn::UrnKind;
use crate::store::plumbing::{stored, stored_codename, stored_codename_or_none, stored_urn};
use crate::store::visibility::operation_visible;
use crate::store::write::Actor;
use crate::store::{CaseFile, Result, format_timestamp};

/// An operation with no decision-log entry for this many days is flagged.
pub const QUIET_OPERATION_DAYS: i64 = 28;

/// A closed operation's lessons are due to go to a department within this
/// many days of its closure (seed 003 para 22: lessons are disseminated to
/// the relevant department and published).
pub const LESSONS_DUE_DAYS: i64 = 28;

/// What a diary entry is about. The JSON names are stable (docs/diary.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueKind {
    AuthorisationEnds,
    AuthorisationReview,
    ReferralDeadline,
    ThresholdReview,
    BidAwaitingDecision,
    OperationQuiet,
    LessonsNotDisseminated,
    /// A partner agency's next contact (`store::registers::partners`).
    PartnerContact,
    /// A strategic threat's next review (`store::registers::threats`).
    ThreatReview,
}

/// The furthest ahead, in days, the diary looks: ten years.
pub const MOST_DAYS_AHEAD: u32 = 3660;

/// One diary entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// When it is due: UTC, RFC 3339. For a bid, when it was submitted.
    pub due_at: String,
    pub overdue: bool,
    pub what: DueKind,
    /// A URN or codename.
    pub reference: String,
    pub operation: Option<Codename>,
    pub why: String,
}

/// A day as the unit writes it, `dd/mm/yyyy`, as the screens show dates.
fn uk_day(day: chrono::NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

pub(super) fn parse(text: &str) -> std::result::Result<DateTime<Utc>, crate::domain::InvalidInput> {
    crate::domain::time::parse_stored(text)
}

/// SQL for when authorisation `a` was last reviewed, or else granted: what
/// its next review is counted from.
/// Reviews are timed from the last review, or else from when the
/// authorisation took effect: its grant, or the Judicial Commissioner's
/// approval where one was needed (`effective_from`).
pub(super) const LAST_REVIEW_OR_GRANT: &str = "coalesce((SELECT max(reviewed_at) FROM authorisation_review WHERE authorisation_id = a.id), a.effective_from, a.granted_at)";

/// When a granted authorisation's next review is due: `every` days after
/// `last_review` (its last review, or else its grant, as stored). None if
/// it sets no review frequency, has ended, or ends before a review falls due.
pub(super) fn next_review(
    ends_at: DateTime<Utc>,
    every: Option<u32>,
    last_review: Option<&str>,
    now: DateTime<Utc>,
) -> std::result::Result<Option<DateTime<Utc>>, crate::domain::InvalidInput> {
    let (Some(days), Some(from)) = (every, last_review) else {
        return Ok(None);
    };
    if now >= ends_at {
        return Ok(None);
    }
    let due = law::review_due(parse(from)?, days);
    Ok((due < ends_at).then_some(due))
}

fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_days()
}

impl CaseFile {
    /// Everything due within `within_days` days, and everything overdue,
    /// on what the actor may see, soonest first.
    pub fn due(&mut self, actor: &Actor, within_days: u32) -> Result<Vec<DueItem>> {
        if within_days > MOST_DAYS_AHEAD {
            return Err(crate::domain::InvalidInput::new(
                "within",
                format!(
                    "{within_days} days is further ahead than the diary looks; give 0 to {MOST_DAYS_AHEAD} days (ten years)"
                ),
            )
            .into());
        }
        let viewer = self.reader(actor, "diary")?;
        let now = (self.clock)();
        let horizon = now + Duration::days(i64::from(within_days));
        let mut items = Vec::new();
        let params = viewer.params();

        // Authorisations: their end, and their next review.
        let rows = self.query_rows(
            &format!(
                "SELECT a.urn, o.codename, a.kind, a.status, a.ends_at, a.review_every_days,
                        {LAST_REVIEW_OR_GRANT}
                 FROM authorisation a JOIN operation o ON o.id = a.operation_id
                 WHERE a.status IN ('granted', 'awaiting-approval') AND a.ends_at IS NOT NULL AND {}",
                operation_visible("a.operation_id")
            ),
            &params,
            |r| {
                Ok((
                    stored_urn(r, 0, UrnKind::Authorisation)?.to_string(),
                    stored_codename(r, 1)?,
                    stored(2, AuthorisationType::parse, &r.get::<_, String>(2)?)?,
                    r.get::<_, String>(3)?,
                    stored(4, parse, &r.get::<_, String>(4)?)?,
                    r.get::<_, Option<u32>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
        )?;
        for (urn, codename, kind, status, ends_at, every, last_review) in rows {
            let last_day = uk_day(law::last_day(ends_at));
            let ended = now >= ends_at;
            items.push(DueItem {
                due_at: format_timestamp(ends_at),
                overdue: ended,
                what: DueKind::AuthorisationEnds,
                reference: urn.clone(),
                operation: Some(codename.clone()),
                why: if ended {
                    format!("{} ended at the end of {last_day} and has no cancellation recorded", kind.label())
                } else if status == "awaiting-approval" {
                    format!("{} ends at the end of {last_day}; not in effect until a Judicial Commissioner approves", kind.label())
                } else {
                    format!("{} ends at the end of {last_day}: renew before then or cancel", kind.label())
                },
            });
            let due = next_review(ends_at, every, last_review.as_deref(), now)
                .map_err(crate::store::Error::Invalid)?;
            if let (Some(due), Some(days)) = (due, every) {
                items.push(DueItem {
                    due_at: format_timestamp(due),
                    overdue: now >= due,
                    what: DueKind::AuthorisationReview,
                    reference: urn,
                    operation: Some(codename),
                    why: format!(
                        "review due every {days} days: re-test necessity and proportionality"
                    ),
                });
            }
        }

        // Referrals not yet made.
        let rows = self.query_rows(
            &format!(
                "SELECT r.urn, (SELECT codename FROM operation WHERE id = r.operation_id), r.deadline, r.criterion, r.became_clear_on
                 FROM referral r WHERE r.status = 'draft' AND (r.operation_id IS NULL OR {})",
                operation_visible("r.operation_id")
            ),
            &params,
            |r| {
                Ok((
                    stored_urn(r, 0, UrnKind::Referral)?.to_string(),
                    stored_codename_or_none(r, 1)?,
                    stored(2, parse, &r.get::<_, String>(2)?)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )?;
        for (urn, operation, deadline, criterion, clear) in rows {
            let clear = parse_uk_date("became clear on", &clear)
                .map(uk_day)
                .unwrap_or(clear);
            // Said in words, as every screen says it; the code stays in the
            // referral's own fields.
            let criterion = crate::domain::referral::ReferralCriterion::parse(&criterion)
                .map(|c| c.short_label().to_lowercase())
                .unwrap_or(criterion);
            items.push(DueItem {
                due_at: format_timestamp(deadline),
                overdue: now >= deadline,
                what: DueKind::ReferralDeadline,
                reference: urn,
                operation,
                why: format!(
                    "IOPC referral ({criterion}) became clear on {clear}; refer without delay"
                ),
            });
        }

        // Threshold reviews: the review date of each open operation's latest decision.
        let rows = self.query_rows(
            &format!(
                "SELECT o.codename, p.review_date, d.outcome FROM operation o
                 JOIN threshold_proposal p ON p.operation_id = o.id
                 JOIN threshold_decision d ON d.proposal_id = p.id
                 WHERE o.status <> 'closed' AND {}
                   AND d.id = (SELECT max(d2.id) FROM threshold_decision d2 JOIN threshold_proposal p2 ON p2.id = d2.proposal_id
                               WHERE p2.operation_id = o.id)",
                operation_visible("o.id")
            ),
            &params,
            |r| Ok((stored_codename(r, 0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
        )?;
        for (codename, review, outcome) in rows {
            let date =
                parse_uk_date("review date", &review).map_err(crate::store::Error::Invalid)?;
            let due = end_of_uk_day(date);
            items.push(DueItem {
                due_at: format_timestamp(due),
                overdue: now >= due,
                what: DueKind::ThresholdReview,
                reference: codename.to_string(),
                operation: Some(codename),
                why: format!(
                    "threshold decision ({outcome}) to be reviewed by {}",
                    uk_day(date)
                ),
            });
        }

        // Bids waiting for a decision, with their age.
        let rows = self.query_rows(
            &format!(
                "SELECT b.urn, o.codename, b.submitted_at FROM bid b JOIN operation o ON o.id = b.operation_id
                 WHERE b.status = 'submitted' AND {}",
                operation_visible("b.operation_id")
            ),
            &params,
            |r| {
                Ok((
                    stored_urn(r, 0, UrnKind::Bid)?.to_string(),
                    stored_codename(r, 1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            },
        )?;
        for (urn, codename, submitted) in rows {
            let Some(submitted) = submitted else { continue };
            let at = parse(&submitted).map_err(crate::store::Error::Invalid)?;
            let age = days_between(at, now);
            items.push(DueItem {
                due_at: submitted,
                overdue: false,
                what: DueKind::BidAwaitingDecision,
                reference: urn,
                operation: Some(codename),
                why: format!(
                    "submitted {} awaiting a supervisor's decision",
                    match age {
                        0 => "today,".to_owned(),
                        1 => "1 day ago,".to_owned(),
                        n => format!("{n} days ago,"),
                    }
                ),
            });
        }

        // Operations whose decision log has been quiet.
        let rows = self.query_rows(
            &format!(
                "SELECT o.codename, coalesce((SELECT max(recorded_at) FROM decision_log_entry WHERE operation_id = o.id), o.opened_at),
                        EXISTS (SELECT 1 FROM decision_log_entry WHERE operation_id = o.id)
                 FROM operation o WHERE o.status <> 'closed' AND {}",
                operation_visible("o.id")
            ),
            &params,
            |r| Ok((stored_codename(r, 0)?, stored(1, parse, &r.get::<_, String>(1)?)?, r.get::<_, bool>(2)?)),
        )?;
        for (codename, last, any) in rows {
            let due = last + Duration::days(QUIET_OPERATION_DAYS);
            items.push(DueItem {
                due_at: format_timestamp(due),
                overdue: now >= due,
                what: DueKind::OperationQuiet,
                reference: codename.to_string(),
                operation: Some(codename),
                why: if any {
                    format!("no decision-log entry since {}", uk_day(uk_date(last)))
                } else {
                    format!(
                        "no decision-log entry since it was opened on {}",
                        uk_day(uk_date(last))
                    )
                },
            });
        }

        // Closed operations whose lessons have gone to no department.
        let rows = self.query_rows(
            &format!(
                "SELECT o.codename, o.closed_at FROM operation o
                 WHERE o.status = 'closed'
                   AND NOT EXISTS (SELECT 1 FROM lesson_dissemination d WHERE d.operation_id = o.id)
                   AND {}",
                operation_visible("o.id")
            ),
            &params,
            |r| {
                Ok((
                    stored_codename(r, 0)?,
                    stored(1, parse, &r.get::<_, String>(1)?)?,
                ))
            },
        )?;
        for (codename, closed) in rows {
            let due = closed + Duration::days(LESSONS_DUE_DAYS);
            items.push(DueItem {
                due_at: format_timestamp(due),
                overdue: now >= due,
                what: DueKind::LessonsNotDisseminated,
                reference: codename.to_string(),
                operation: Some(codename),
                why: format!(
                    "lessons from its closure on {} not yet disseminated",
                    uk_day(uk_date(closed))
                ),
            });
        }

        items.extend(self.partner_contacts_due(viewer, now)?);
        // Strategic threats: the next review of each one's latest assessment.
        for threat in self.threats(actor)? {
            let due = end_of_uk_day(threat.current.next_review);
            items.push(DueItem {
                due_at: format_timestamp(due),
                overdue: now >= due,
                what: DueKind::ThreatReview,
                reference: threat.reference,
                operation: None,
                why: format!(
                    "strategic threat ({}, priority {}) to be reviewed by {} (owner {})",
                    threat.category.label(),
                    threat.rank,
                    uk_day(threat.current.next_review),
                    threat.current.owner
                ),
            });
        }

        items.retain(|item| {
            item.overdue
                || item.what == DueKind::BidAwaitingDecision
                || parse(&item.due_at).is_ok_and(|at| at <= horizon)
        });
        items.sort_by(|a, b| {
            a.due_at
                .cmp(&b.due_at)
                .then_with(|| a.reference.cmp(&b.reference))
        });
        Ok(items)
    }
}
