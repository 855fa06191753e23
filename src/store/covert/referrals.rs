//! IOPC referrals: recording, making the referral, the IOPC's decision,
//! and re-referrals linked to the first. Deadlines come from
//! `domain::referral`.

use crate::store::Cached;
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;

use crate::domain::InvalidInput;
use crate::domain::covert::{IopcDecision, NewReferral};
use crate::domain::operation::Codename;
use crate::domain::referral::{
    MatterType, ModeOfInvestigation, ReferralCriterion, ReferralStatus, referral_deadline,
};
use crate::domain::urn::{Urn, UrnKind};
use crate::store::plumbing::{
    next_urn, stored, stored_codename_or_none, stored_urn, stored_urn_or_none, with,
};
use crate::store::visibility::{self, referral_visible};
use crate::store::write::{Actor, Applied, Ctx, Fail};
use crate::store::{CaseFile, Error, Result, format_timestamp};

/// How many UK days after the day it became clear a referral is due by.
pub(super) fn deadline_days(conn: &rusqlite::Connection) -> rusqlite::Result<u32> {
    let value: String = conn.query_row(
        "SELECT value FROM setting WHERE key = 'referral_deadline_days_after'",
        [],
        |r| r.get(0),
    )?;
    Ok(value
        .parse()
        .unwrap_or(crate::domain::referral::DEFAULT_DEADLINE_DAYS_AFTER))
}

fn find(ctx: &Ctx<'_>, urn: &Urn) -> Result<(i64, ReferralStatus), Fail> {
    let viewer = visibility::Viewer::of(ctx);
    let text_urn = urn.to_string();
    let found: Option<(i64, String, bool)> = ctx
        .tx
        .row_cached(
            &format!(
                "SELECT r.id, r.status, {} FROM referral r WHERE r.urn = :urn",
                referral_visible("r")
            ),
            &with(&viewer, &[(":urn", &text_urn as &dyn ToSql)])[..],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match found {
        None => Err(Fail::Store(Error::NoSuch {
            what: "referral",
            reference: text_urn,
        })),
        Some((_, _, false)) => Err(Fail::Hidden {
            what: "referral",
            reference: text_urn,
            shown_as: None,
        }),
        Some((id, status, true)) => Ok((
            id,
            ReferralStatus::parse(&status).map_err(|e| Fail::Store(e.into()))?,
        )),
    }
}

pub(in crate::store) fn record(ctx: &Ctx<'_>, r: NewReferral) -> Result<Applied, Fail> {
    let operation_id = match &r.codename {
        Some(codename) => Some(visibility::operation(ctx, codename)?.id),
        None => None,
    };
    let first = match &r.re_referral_of {
        Some(urn) => Some(find(ctx, urn)?.0),
        None => None,
    };
    let mut subject_ids = Vec::new();
    for staff in &r.subjects {
        subject_ids.push(
            visibility::subject_to_link(ctx, staff)?
                .ok_or_else(|| Fail::from(visibility::missing_subject(staff)))?,
        );
    }
    if r.became_clear_on > crate::domain::time::uk_date(ctx.now) {
        return Err(InvalidInput::new("became clear", "cannot be a day still to come").into());
    }
    let days = deadline_days(ctx.tx)?;
    let deadline = referral_deadline(r.became_clear_on, days);
    let urn = next_urn(ctx, UrnKind::Referral)?;
    ctx.tx.exec_cached(
        "INSERT INTO referral (urn, operation_id, force_reference, matter_type, criterion, became_clear_on,
             deadline, summary, covert_sensitive, restrictions, status, re_referral_of, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'draft', ?11, ?12, ?13)",
        params![
            urn.to_string(),
            operation_id,
            r.force_reference,
            r.matter_type.code(),
            r.criterion.code(),
            r.became_clear_on.to_string(),
            format_timestamp(deadline),
            r.summary,
            r.covert_sensitive,
            r.restrictions,
            first,
            ctx.at,
            ctx.actor.id
        ],
    )?;
    let id = ctx.tx.last_insert_rowid();
    for subject in subject_ids {
        ctx.tx.exec_cached(
            "INSERT INTO referral_subject (referral_id, subject_id) VALUES (?1, ?2)",
            params![id, subject],
        )?;
    }
    Ok(Applied {
        entity_type: "referral",
        entity_ref: urn.to_string(),
        details: json!({
            "urn": urn.to_string(),
            "operation": r.codename.as_ref().map(|c| c.as_str()),
            "force_reference": r.force_reference,
            "matter_type": r.matter_type.code(),
            "criterion": r.criterion.code(),
            "mandatory": r.criterion.is_mandatory(),
            "became_clear_on": r.became_clear_on.to_string(),
            "deadline": format_timestamp(deadline),
            "covert_sensitive": r.covert_sensitive,
            "re_referral_of": r.re_referral_of.map(|u| u.to_string()),
            "subjects": r.subjects.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        }),
    })
}

pub(in crate::store) fn refer(ctx: &Ctx<'_>, urn: &Urn) -> Result<Applied, Fail> {
    let (id, status) = find(ctx, urn)?;
    if status != ReferralStatus::Draft {
        return Err(InvalidInput::new("status", format!("{urn} has already been referred")).into());
    }
    ctx.tx.exec_cached(
        "UPDATE referral SET status = 'referred', referred_at = ?2, referred_by = ?3 WHERE id = ?1",
        params![id, ctx.at, ctx.actor.id],
    )?;
    let deadline: String =
        ctx.tx
            .row_cached("SELECT deadline FROM referral WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
    Ok(Applied {
        entity_type: "referral",
        entity_ref: urn.to_string(),
        details: json!({
            "before": { "status": "draft" },
            "after": { "status": "referred" },
            "deadline": deadline,
            "late": ctx.at > deadline.as_str(),
        }),
    })
}

pub(in crate::store) fn iopc_decision(
    ctx: &Ctx<'_>,
    urn: &Urn,
    d: IopcDecision,
) -> Result<Applied, Fail> {
    let (id, status) = find(ctx, urn)?;
    if status != ReferralStatus::Referred {
        return Err(InvalidInput::new(
            "status",
            format!(
                "{urn} {}",
                if status == ReferralStatus::Draft {
                    "has not been referred yet"
                } else {
                    "already has the IOPC's decision"
                }
            ),
        )
        .into());
    }
    if d.decided_on > crate::domain::time::uk_date(ctx.now) {
        return Err(InvalidInput::new("decided on", "cannot be a day still to come").into());
    }
    // The IOPC decides on a referral it has: not before the day it was made.
    let referred_at: String = ctx.tx.row_cached(
        "SELECT referred_at FROM referral WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    let referred_on =
        crate::domain::time::uk_date(crate::domain::time::parse_stored(&referred_at)?);
    if d.decided_on < referred_on {
        return Err(InvalidInput::new(
            "decided on",
            format!(
                "{} is before {urn} was referred to the IOPC, on {}",
                d.decided_on.format("%d/%m/%Y"),
                referred_on.format("%d/%m/%Y")
            ),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "UPDATE referral SET status = 'decided', iopc_reference = ?2, mode = ?3, mode_decided_on = ?4 WHERE id = ?1",
        params![id, d.iopc_reference, d.mode.code(), d.decided_on.to_string()],
    )?;
    Ok(Applied {
        entity_type: "referral",
        entity_ref: urn.to_string(),
        details: json!({
            "before": { "status": status.code() },
            "after": { "status": "decided" },
            "iopc_reference": d.iopc_reference,
            "mode": d.mode.code(),
            "decided_on": d.decided_on.to_string(),
        }),
    })
}

pub(in crate::store) fn set_deadline_days(ctx: &Ctx<'_>, days: u32) -> Result<Applied, Fail> {
    if days > 30 {
        return Err(InvalidInput::new(
            "days",
            "a referral deadline of more than 30 days after cannot be right",
        )
        .into());
    }
    let before = deadline_days(ctx.tx)?;
    if before == days {
        return Err(InvalidInput::new(
            "days",
            format!("the deadline is already {days} days after"),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "UPDATE setting SET value = ?1 WHERE key = 'referral_deadline_days_after'",
        [days.to_string()],
    )?;
    Ok(Applied {
        entity_type: "setting",
        entity_ref: "referral_deadline_days_after".into(),
        details: json!({ "before": before, "after": days, "applies_to": "referrals recorded from now on" }),
    })
}

/// A referral in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub urn: Urn,
    pub operation: Option<Codename>,
    pub force_reference: String,
    pub matter_type: MatterType,
    pub criterion: ReferralCriterion,
    pub became_clear_on: String,
    pub deadline: String,
    pub status: ReferralStatus,
    pub referred_at: Option<String>,
    pub iopc_reference: Option<String>,
    pub mode: Option<ModeOfInvestigation>,
    /// The day the IOPC decided the mode (`yyyy-mm-dd`).
    pub mode_decided_on: Option<String>,
    pub re_referral_of: Option<Urn>,
    pub summary: String,
    /// "staff number name" of each subject, by staff number.
    pub subjects: Vec<String>,
}

impl CaseFile {
    /// How many UK days after the day it became clear an IOPC referral is
    /// due, as the unit has set it.
    pub fn referral_deadline_days(&mut self, actor: &Actor) -> Result<u32> {
        self.reader(actor, "settings")?;
        deadline_days(&self.conn).map_err(|e| self.sqlite_err(e))
    }

    /// Referrals the actor may see, newest first.
    pub fn referrals(&mut self, actor: &Actor) -> Result<Vec<ReferralRow>> {
        self.referrals_of(actor, None)
    }

    /// Opens one referral; the consultation is audited (`view`). One the
    /// actor may not see is reported as if it did not exist.
    pub fn open_referral(&mut self, actor: &Actor, urn: &Urn) -> Result<ReferralRow> {
        self.execute(
            actor,
            crate::store::Command::View(crate::store::Viewed::Referral(*urn)),
        )?;
        self.referrals_of(actor, Some(urn))?
            .pop()
            .ok_or_else(|| Error::NoSuch {
                what: "referral",
                reference: urn.to_string(),
            })
    }

    /// The referrals the actor may see, or the one of `urn`.
    fn referrals_of(&mut self, actor: &Actor, urn: Option<&Urn>) -> Result<Vec<ReferralRow>> {
        let viewer = self.reader(actor, "referrals")?;
        let urn = urn.map(|u| u.to_string());
        let sql = format!(
            "SELECT r.urn, (SELECT codename FROM operation WHERE id = r.operation_id), r.force_reference,
                    r.matter_type, r.criterion, r.became_clear_on, r.deadline, r.status, r.referred_at,
                    r.iopc_reference, r.mode, (SELECT urn FROM referral f WHERE f.id = r.re_referral_of),
                    r.mode_decided_on, r.summary, r.id
             FROM referral r WHERE (:urn IS NULL OR r.urn = :urn) AND {}
             ORDER BY r.recorded_at DESC, r.id DESC",
            referral_visible("r")
        );
        let rows = self.query_rows(&sql, &with(&viewer, &[(":urn", &urn)]), |r| {
            let mode: Option<String> = r.get(10)?;
            Ok((
                r.get::<_, i64>(14)?,
                ReferralRow {
                    urn: stored_urn(r, 0, UrnKind::Referral)?,
                    operation: stored_codename_or_none(r, 1)?,
                    force_reference: r.get(2)?,
                    matter_type: stored(3, MatterType::parse, &r.get::<_, String>(3)?)?,
                    criterion: stored(4, ReferralCriterion::parse, &r.get::<_, String>(4)?)?,
                    became_clear_on: r.get(5)?,
                    deadline: r.get(6)?,
                    status: stored(7, ReferralStatus::parse, &r.get::<_, String>(7)?)?,
                    referred_at: r.get(8)?,
                    iopc_reference: r.get(9)?,
                    mode: mode
                        .map(|m| stored(10, ModeOfInvestigation::parse, &m))
                        .transpose()?,
                    re_referral_of: stored_urn_or_none(r, 11, UrnKind::Referral)?,
                    mode_decided_on: r.get(12)?,
                    summary: r.get(13)?,
                    subjects: Vec::new(),
                },
            ))
        })?;
        let mut referrals = Vec::with_capacity(rows.len());
        for (id, mut row) in rows {
            let by_id: [(&str, &dyn ToSql); 1] = [(":id", &id)];
            row.subjects = self.query_rows(
                "SELECT s.staff_number || ' ' || s.name FROM referral_subject x JOIN subject s ON s.id = x.subject_id
                 WHERE x.referral_id = :id ORDER BY s.staff_number",
                &by_id,
                |r| r.get(0),
            )?;
            referrals.push(row);
        }
        Ok(referrals)
    }

    /// Referrals recorded but not yet made, on what the actor may see,
    /// soonest deadline first, each with whether its deadline has passed:
    /// a supervisor's queue.
    pub fn referrals_to_make(&mut self, actor: &Actor) -> Result<Vec<(ReferralRow, bool)>> {
        let now = format_timestamp((self.clock)());
        let mut drafts: Vec<(ReferralRow, bool)> = self
            .referrals(actor)?
            .into_iter()
            .filter(|r| r.status == ReferralStatus::Draft)
            .map(|r| {
                // Both are stored RFC 3339 UTC, so their text orders as time.
                let overdue = now >= r.deadline;
                (r, overdue)
            })
            .collect();
        drafts.sort_by(|(a, _), (b, _)| {
            a.deadline
                .cmp(&b.deadline)
                .then_with(|| a.urn.to_string().cmp(&b.urn.to_string()))
        });
        Ok(drafts)
    }
}
