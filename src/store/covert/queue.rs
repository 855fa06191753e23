//! The authorising officer's queue: what waits for the officer asked to
//! act, an application to decide or a review falling due. When a review is
//! due follows the diary.

use chrono::Duration;

use crate::domain::authorisation::AuthorisationType;
use crate::domain::operation::Codename;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::plumbing::{stored, stored_codename, stored_urn};
use crate::store::visibility::operation_visible;
use crate::store::write::Actor;
use crate::store::{CaseFile, Error, Result, format_timestamp};

/// How an authorisation is waiting for the officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    /// An application naming them as the officer asked to act, not yet
    /// granted or refused.
    Decision,
    /// One they granted or renewed, whose next review is due soon or overdue.
    Review,
}

/// One entry of the authorising officer's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingAuthorisation {
    pub urn: Urn,
    pub kind: AuthorisationType,
    /// The operation's codename.
    pub operation: Codename,
    /// The applicant's username.
    pub applied_by: String,
    pub what: Awaiting,
    /// For a review, when it is due (UTC, RFC 3339); None for a decision.
    pub due_at: Option<String>,
    pub overdue: bool,
}

/// A review due within this many days is in the authorising officer's queue.
pub const REVIEW_DUE_WITHIN_DAYS: i64 = 7;

impl CaseFile {
    /// The authorising officer's queue: applications naming `actor` as the
    /// officer asked to act and not yet decided (oldest first), then the
    /// authorisations they granted or renewed whose next review is due
    /// within [`REVIEW_DUE_WITHIN_DAYS`] days or overdue (soonest first).
    /// Need-to-know applies: an officer taken off the operation's team no
    /// longer sees its authorisations here.
    pub fn authorisations_awaiting(&mut self, actor: &Actor) -> Result<Vec<AwaitingAuthorisation>> {
        let viewer = self.reader(actor, "authorisations")?;
        let now = (self.clock)();
        let horizon = now + Duration::days(REVIEW_DUE_WITHIN_DAYS);
        let visible = operation_visible("a.operation_id");
        let mut queue = self.query_rows(
            &format!(
                "SELECT a.urn, a.kind, o.codename, u.username
                 FROM authorisation a JOIN operation o ON o.id = a.operation_id
                 JOIN user_account u ON u.id = a.applied_by
                 WHERE a.status = 'applied' AND a.authorising_officer = :uid AND {visible}
                 ORDER BY a.applied_at, a.id"
            ),
            &viewer.params(),
            |r| {
                Ok(AwaitingAuthorisation {
                    urn: stored_urn(r, 0, UrnKind::Authorisation)?,
                    kind: stored(1, AuthorisationType::parse, &r.get::<_, String>(1)?)?,
                    operation: stored_codename(r, 2)?,
                    applied_by: r.get(3)?,
                    what: Awaiting::Decision,
                    due_at: None,
                    overdue: false,
                })
            },
        )?;
        let live = self.query_rows(
            &format!(
                "SELECT a.urn, a.kind, o.codename, u.username, a.ends_at, a.review_every_days,
                        {last_review}
                 FROM authorisation a JOIN operation o ON o.id = a.operation_id
                 JOIN user_account u ON u.id = a.applied_by
                 WHERE a.status IN ('granted', 'awaiting-approval') AND a.ends_at IS NOT NULL
                   AND (a.authorising_officer = :uid
                        OR EXISTS (SELECT 1 FROM authorisation_renewal n
                                   WHERE n.authorisation_id = a.id AND n.renewed_by = :uid))
                   AND {visible}",
                last_review = super::diary::LAST_REVIEW_OR_GRANT,
            ),
            &viewer.params(),
            |r| {
                Ok((
                    AwaitingAuthorisation {
                        urn: stored_urn(r, 0, UrnKind::Authorisation)?,
                        kind: stored(1, AuthorisationType::parse, &r.get::<_, String>(1)?)?,
                        operation: stored_codename(r, 2)?,
                        applied_by: r.get(3)?,
                        what: Awaiting::Review,
                        due_at: None,
                        overdue: false,
                    },
                    stored(4, super::diary::parse, &r.get::<_, String>(4)?)?,
                    r.get::<_, Option<u32>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
        )?;
        let mut reviews = Vec::new();
        for (mut entry, ends_at, every, last_review) in live {
            let Some(due) = super::diary::next_review(ends_at, every, last_review.as_deref(), now)
                .map_err(Error::Invalid)?
            else {
                continue;
            };
            if due <= horizon {
                entry.overdue = now >= due;
                entry.due_at = Some(format_timestamp(due));
                reviews.push((due, entry));
            }
        }
        // Ties in the order of their references' text.
        reviews.sort_by(|(a, x), (b, y)| {
            a.cmp(b)
                .then_with(|| x.urn.to_string().cmp(&y.urn.to_string()))
        });
        queue.extend(reviews.into_iter().map(|(_, entry)| entry));
        Ok(queue)
    }
}
