//! Threshold decisions for covert investigation: proposals by an
//! investigator, decisions by a supervisor, and each operation's current
//! threshold status (its latest decision).

use crate::store::Cached;
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;

use crate::domain::InvalidInput;
use crate::domain::covert::{ThresholdCriteria, ThresholdOutcome};
use crate::domain::operation::{Codename, OperationStatus};
use crate::domain::text::Rationale;
use crate::domain::time::parse_uk_date;
use crate::store::plumbing::{stored, stored_codename, with};
use crate::store::visibility::{self, operation_visible};
use crate::store::write::{Actor, Applied, Ctx, Fail};
use crate::store::{CaseFile, Result};

/// The operation's current threshold status: the outcome of its latest
/// decision, if any.
pub(super) fn current(
    conn: &rusqlite::Connection,
    operation_id: i64,
) -> rusqlite::Result<Option<ThresholdOutcome>> {
    let outcome: Option<String> = conn
        .query_row(
            "SELECT d.outcome FROM threshold_decision d JOIN threshold_proposal p ON p.id = d.proposal_id
             WHERE p.operation_id = ?1 ORDER BY d.id DESC LIMIT 1",
            [operation_id],
            |r| r.get(0),
        )
        .optional()?;
    outcome
        .map(|o| stored(0, ThresholdOutcome::parse, &o))
        .transpose()
}

fn criteria_json(c: &ThresholdCriteria) -> serde_json::Value {
    json!({
        "overt_steps": c.overt_steps,
        "why_not_enough": c.why_not_enough,
        "seriousness": c.seriousness,
        "necessity": c.necessity,
        "proportionality": c.proportionality,
        "collateral_intrusion": c.collateral_intrusion,
        "confidential_material": c.confidential_material,
        "review_date": c.review_date.to_string(),
    })
}

pub(in crate::store) fn propose(
    ctx: &Ctx<'_>,
    codename: &Codename,
    c: ThresholdCriteria,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    if op.status == OperationStatus::Closed {
        return Err(InvalidInput::new("operation", format!("{codename} is closed")).into());
    }
    let number: i64 = ctx.tx.row_cached(
        "SELECT coalesce(max(number), 0) + 1 FROM threshold_proposal WHERE operation_id = ?1",
        [op.id],
        |r| r.get(0),
    )?;
    ctx.tx.exec_cached(
        "INSERT INTO threshold_proposal (operation_id, number, overt_steps, why_not_enough, seriousness,
             necessity, proportionality, collateral_intrusion, confidential_material, review_date,
             proposed_at, proposed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            op.id,
            number,
            c.overt_steps,
            c.why_not_enough,
            c.seriousness,
            c.necessity,
            c.proportionality,
            c.collateral_intrusion,
            c.confidential_material,
            c.review_date.to_string(),
            ctx.at,
            ctx.actor.id
        ],
    )?;
    let mut details = criteria_json(&c);
    details["number"] = json!(number);
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details,
    })
}

pub(in crate::store) fn decide(
    ctx: &Ctx<'_>,
    codename: &Codename,
    outcome: ThresholdOutcome,
    rationale: &Rationale,
) -> Result<Applied, Fail> {
    let rationale = rationale.as_str();
    let op = visibility::operation(ctx, codename)?;
    let pending = ctx
        .tx
        .row_cached(
            &format!(
                "SELECT p.id, p.number, {COLUMNS} FROM threshold_proposal p
                 WHERE p.operation_id = ?1 AND NOT EXISTS
                     (SELECT 1 FROM threshold_decision d WHERE d.proposal_id = p.id)
                 ORDER BY p.number DESC LIMIT 1"
            ),
            [op.id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    criteria_row(r, 2)?,
                ))
            },
        )
        .optional()?;
    let Some((proposal_id, number, criteria)) = pending else {
        return Err(InvalidInput::new(
            "threshold",
            format!("{codename} has no threshold proposal awaiting a decision"),
        )
        .into());
    };
    criteria.allows(outcome)?;
    let before = current(ctx.tx, op.id)?;
    ctx.tx.exec_cached(
        "INSERT INTO threshold_decision (proposal_id, outcome, rationale, decided_at, decided_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![proposal_id, outcome.code(), rationale, ctx.at, ctx.actor.id],
    )?;
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details: json!({
            "proposal": number,
            "before": { "threshold": before.map(|o| o.code()) },
            "after": { "threshold": outcome.code() },
            "rationale": rationale,
            "review_date": criteria.review_date.to_string(),
        }),
    })
}

const COLUMNS: &str =
    "p.overt_steps, p.why_not_enough, p.seriousness, p.necessity, p.proportionality,
    p.collateral_intrusion, p.confidential_material, p.review_date";

fn criteria_row(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<ThresholdCriteria> {
    let review: String = r.get(first + 7)?;
    Ok(ThresholdCriteria {
        overt_steps: r.get(first)?,
        why_not_enough: r.get(first + 1)?,
        seriousness: r.get(first + 2)?,
        necessity: r.get(first + 3)?,
        proportionality: r.get(first + 4)?,
        collateral_intrusion: r.get(first + 5)?,
        confidential_material: r.get(first + 6)?,
        review_date: stored(first + 7, |d| parse_uk_date("review date", d), &review)?,
    })
}

/// One proposal, and its decision once made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdEntry {
    pub number: u32,
    pub criteria: ThresholdCriteria,
    pub proposed_by: String,
    pub proposed_at: String,
    pub decision: Option<ThresholdDecisionEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdDecisionEntry {
    pub outcome: ThresholdOutcome,
    pub rationale: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// An operation's threshold status and the history behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdHistory {
    pub codename: Codename,
    pub current: Option<ThresholdOutcome>,
    /// Oldest first.
    pub entries: Vec<ThresholdEntry>,
}

/// A proposal waiting for a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingThreshold {
    pub codename: Codename,
    pub number: u32,
    pub proposed_by: String,
    pub proposed_at: String,
}

impl CaseFile {
    /// An operation's threshold decisions, for those who may see it.
    pub fn threshold(&mut self, actor: &Actor, codename: &Codename) -> Result<ThresholdHistory> {
        let viewer = self.reader(actor, "operations")?;
        let code = codename.as_str();
        let found: Option<i64> = self
            .conn
            .query_row(
                &format!(
                    "SELECT o.id FROM operation o WHERE o.codename = :code AND {}",
                    operation_visible("o.id")
                ),
                &with(&viewer, &[(":code", &code as &dyn ToSql)])[..],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sqlite_err(e))?;
        let Some(id) = found else {
            return Err(crate::store::Error::NoSuch {
                what: "operation",
                reference: codename.to_string(),
            });
        };
        let entries = self.query_rows(
            &format!(
                "SELECT p.number, {COLUMNS}, (SELECT username FROM user_account WHERE id = p.proposed_by),
                        p.proposed_at, d.outcome, d.rationale,
                        (SELECT username FROM user_account WHERE id = d.decided_by), d.decided_at
                 FROM threshold_proposal p LEFT JOIN threshold_decision d ON d.proposal_id = p.id
                 WHERE p.operation_id = :id ORDER BY p.number"
            ),
            &[(":id", &id as &dyn ToSql)],
            |r| {
                let outcome: Option<String> = r.get(11)?;
                Ok(ThresholdEntry {
                    number: r.get(0)?,
                    criteria: criteria_row(r, 1)?,
                    proposed_by: r.get(9)?,
                    proposed_at: r.get(10)?,
                    decision: match outcome {
                        Some(o) => Some(ThresholdDecisionEntry {
                            outcome: stored(11, ThresholdOutcome::parse, &o)?,
                            rationale: r.get(12)?,
                            decided_by: r.get(13)?,
                            decided_at: r.get(14)?,
                        }),
                        None => None,
                    },
                })
            },
        )?;
        let current = current(&self.conn, id).map_err(|e| self.sqlite_err(e))?;
        Ok(ThresholdHistory {
            codename: codename.clone(),
            current,
            entries,
        })
    }

    /// Proposals awaiting a decision on operations the actor may see,
    /// oldest first: a supervisor's queue.
    pub fn thresholds_awaiting_decision(&mut self, actor: &Actor) -> Result<Vec<PendingThreshold>> {
        let viewer = self.reader(actor, "operations")?;
        let sql = format!(
            "SELECT o.codename, p.number, (SELECT username FROM user_account WHERE id = p.proposed_by), p.proposed_at
             FROM threshold_proposal p JOIN operation o ON o.id = p.operation_id
             WHERE NOT EXISTS (SELECT 1 FROM threshold_decision d WHERE d.proposal_id = p.id)
               AND o.status <> 'closed' AND {}
             ORDER BY p.proposed_at, p.id",
            operation_visible("o.id")
        );
        self.query_rows(&sql, &viewer.params(), |r| {
            Ok(PendingThreshold {
                codename: stored_codename(r, 0)?,
                number: r.get(1)?,
                proposed_by: r.get(2)?,
                proposed_at: r.get(3)?,
            })
        })
    }
}
