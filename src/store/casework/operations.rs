//! Operations in the case file: opening, status, closing, teams, subjects,
//! the decision log, and the queries screens use.

use crate::store::Cached;
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;

use super::intelligence::{self as intel, IntelligenceRow};
use super::subjects::SubjectRow;
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::intelligence::Category;
use crate::domain::operation::{
    Closure, Codename, Decision, NewOperation, OperationStatus, Priority, TeamPart,
};
use crate::domain::permission::Action;
use crate::domain::subject::StaffNumber;
use crate::domain::text::Rationale;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::plumbing::{Page, next_urn, stored, stored_codename, stored_urn, with};
use crate::store::visibility::{self, OperationRef, operation_visible};
use crate::store::write::{Actor, Applied, Ctx, Fail};
use crate::store::{CaseFile, Command, Result, Viewed, accounts};

/// The id of an active account that may take `part` on a team.
fn eligible(ctx: &Ctx<'_>, username: &Username, part: TeamPart) -> Result<i64, Fail> {
    let account = accounts::find(ctx.tx, username)?.ok_or_else(|| {
        InvalidInput::new("team", format!("there is no account named '{username}'"))
    })?;
    if account.status != accounts::AccountStatus::Active {
        return Err(InvalidInput::new("team", format!("{username}'s account is disabled")).into());
    }
    let needs = part.needs_one_of();
    if !account.roles.iter().any(|r| needs.contains(r)) {
        return Err(InvalidInput::new(
            "team",
            format!(
                "{username} cannot be {}: that needs the {} role",
                part.label().to_lowercase(),
                needs
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        )
        .into());
    }
    Ok(account.id)
}

fn add_member(
    ctx: &Ctx<'_>,
    operation_id: i64,
    user_id: i64,
    part: TeamPart,
) -> rusqlite::Result<()> {
    ctx.tx.exec_cached(
        "INSERT INTO operation_member (operation_id, user_id, part, added_at) VALUES (?1, ?2, ?3, ?4)",
        params![operation_id, user_id, part.code(), ctx.at],
    )?;
    Ok(())
}

fn subject_id(ctx: &Ctx<'_>, staff: &StaffNumber) -> Result<i64, Fail> {
    visibility::subject_to_link(ctx, staff)?
        .ok_or_else(|| visibility::missing_subject(staff).into())
}

fn refuse_if_closed(op: &OperationRef, codename: &Codename, what: &str) -> Result<(), Fail> {
    if op.status == OperationStatus::Closed {
        return Err(InvalidInput::new("operation", format!("{codename} is closed: {what}")).into());
    }
    Ok(())
}

pub(in crate::store) fn open(ctx: &Ctx<'_>, op: NewOperation) -> Result<Applied, Fail> {
    let taken: Option<String> = ctx
        .tx
        .row_cached(
            "SELECT urn FROM operation WHERE codename = ?1",
            [op.codename.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(InvalidInput::new(
            "codename",
            format!(
                "{} is already in use; codenames are never reused",
                op.codename
            ),
        )
        .into());
    }
    let mut members = vec![
        (eligible(ctx, &op.lead, TeamPart::Lead)?, TeamPart::Lead),
        (
            eligible(ctx, &op.supervisor, TeamPart::Supervisor)?,
            TeamPart::Supervisor,
        ),
    ];
    for username in &op.team {
        members.push((eligible(ctx, username, TeamPart::Team)?, TeamPart::Team));
    }
    // Whoever opens an operation can see it afterwards.
    if !ctx.may(Action::SeeAllOperations) && !members.iter().any(|(id, _)| *id == ctx.actor.id) {
        members.push((ctx.actor.id, TeamPart::Team));
    }
    let subject_ids = op
        .subjects
        .iter()
        .map(|s| subject_id(ctx, s))
        .collect::<Result<Vec<_>, _>>()?;
    let urn = next_urn(ctx, UrnKind::Operation)?;
    ctx.tx.exec_cached(
        "INSERT INTO operation (urn, codename, description, status, category, priority, opened_at, opened_by)
         VALUES (?1, ?2, ?3, 'scoping', ?4, ?5, ?6, ?7)",
        params![
            urn.to_string(),
            op.codename.as_str(),
            op.description,
            op.category.code(),
            op.priority.code(),
            ctx.at,
            ctx.actor.id
        ],
    )?;
    let id = ctx.tx.last_insert_rowid();
    for (user_id, part) in &members {
        add_member(ctx, id, *user_id, *part)?;
    }
    for subject in &subject_ids {
        ctx.tx.exec_cached(
            "INSERT INTO operation_subject (operation_id, subject_id, linked_at) VALUES (?1, ?2, ?3)",
            params![id, subject, ctx.at],
        )?;
    }
    Ok(Applied {
        entity_type: "operation",
        entity_ref: op.codename.to_string(),
        details: json!({
            "urn": urn.to_string(),
            "codename": op.codename.as_str(),
            "status": OperationStatus::Scoping.code(),
            "category": op.category.code(),
            "priority": op.priority.code(),
            "lead": op.lead.as_str(),
            "supervisor": op.supervisor.as_str(),
            "team": op.team.iter().map(Username::as_str).collect::<Vec<_>>(),
            "subjects": op.subjects.iter().map(StaffNumber::as_str).collect::<Vec<_>>(),
        }),
    })
}

pub(in crate::store) fn change_status(
    ctx: &Ctx<'_>,
    codename: &Codename,
    to: OperationStatus,
    reason: &Rationale,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    if to == OperationStatus::Closed {
        return Err(InvalidInput::new(
            "status",
            "closing needs an outcome and lessons learned: close the operation instead",
        )
        .into());
    }
    op.status.transition(to)?;
    let reason = reason.as_str();
    ctx.tx.exec_cached(
        "UPDATE operation SET status = ?2 WHERE id = ?1",
        params![op.id, to.code()],
    )?;
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details: json!({
            "before": { "status": op.status.code() },
            "after": { "status": to.code() },
            "reason": reason,
        }),
    })
}

pub(in crate::store) fn close(
    ctx: &Ctx<'_>,
    codename: &Codename,
    closure: Closure,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    op.status.transition(OperationStatus::Closed)?;
    ctx.tx.exec_cached(
        "UPDATE operation SET status = 'closed', outcome = ?2, lessons_learned = ?3, closed_at = ?4
         WHERE id = ?1",
        params![op.id, closure.outcome, closure.lessons_learned, ctx.at],
    )?;
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details: json!({
            "before": { "status": op.status.code() },
            "after": { "status": "closed" },
            "outcome": closure.outcome,
            "lessons_learned": closure.lessons_learned,
        }),
    })
}

pub(in crate::store) fn add_to_team(
    ctx: &Ctx<'_>,
    codename: &Codename,
    username: &Username,
    part: TeamPart,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    refuse_if_closed(&op, codename, "its team is final")?;
    let user_id = eligible(ctx, username, part)?;
    let current: Option<String> = ctx
        .tx
        .row_cached(
            "SELECT part FROM operation_member WHERE operation_id = ?1 AND user_id = ?2 AND removed_at IS NULL",
            params![op.id, user_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(part) = current {
        return Err(InvalidInput::new(
            "team",
            format!("{username} is already on {codename}'s team ({part})"),
        )
        .into());
    }
    add_member(ctx, op.id, user_id, part)?;
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details: json!({ "username": username.as_str(), "part": part.code() }),
    })
}

pub(in crate::store) fn remove_from_team(
    ctx: &Ctx<'_>,
    codename: &Codename,
    username: &Username,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    refuse_if_closed(&op, codename, "its team is final")?;
    let found: Option<(i64, String)> = ctx
        .tx
        .row_cached(
            "SELECT m.rowid, m.part FROM operation_member m JOIN user_account u ON u.id = m.user_id
             WHERE m.operation_id = ?1 AND u.username = ?2 AND m.removed_at IS NULL",
            params![op.id, username.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((rowid, part)) = found else {
        return Err(
            InvalidInput::new("team", format!("{username} is not on {codename}'s team")).into(),
        );
    };
    if part == TeamPart::Lead.code() || part == TeamPart::Supervisor.code() {
        let others: i64 = ctx.tx.row_cached(
            "SELECT count(*) FROM operation_member WHERE operation_id = ?1 AND part = ?2
             AND removed_at IS NULL AND rowid <> ?3",
            params![op.id, part, rowid],
            |r| r.get(0),
        )?;
        if others == 0 {
            return Err(InvalidInput::new(
                "team",
                format!("{username} is {codename}'s only {part}: add another {part} first"),
            )
            .into());
        }
    }
    ctx.tx.exec_cached(
        "UPDATE operation_member SET removed_at = ?2 WHERE rowid = ?1",
        params![rowid, ctx.at],
    )?;
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details: json!({ "username": username.as_str(), "part": part }),
    })
}

pub(in crate::store) fn link_subject(
    ctx: &Ctx<'_>,
    codename: &Codename,
    staff: &StaffNumber,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    refuse_if_closed(&op, codename, "no new subjects")?;
    let subject = visibility::subject(ctx, staff)?;
    let linked = ctx.tx.exec_cached(
        "INSERT OR IGNORE INTO operation_subject (operation_id, subject_id, linked_at) VALUES (?1, ?2, ?3)",
        params![op.id, subject, ctx.at],
    )?;
    if linked == 0 {
        return Err(InvalidInput::new(
            "subjects",
            format!("{staff} is already a subject of {codename}"),
        )
        .into());
    }
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details: json!({ "subject": staff.as_str() }),
    })
}

pub(in crate::store) fn record_decision(
    ctx: &Ctx<'_>,
    codename: &Codename,
    d: Decision,
) -> Result<Applied, Fail> {
    let op = visibility::operation(ctx, codename)?;
    if d.corrects.is_none() {
        refuse_if_closed(&op, codename, "its decision log takes only corrections now")?;
    }
    let corrects_id: Option<i64> = match d.corrects {
        Some(number) => Some(
            ctx.tx
                .row_cached(
                    "SELECT id FROM decision_log_entry WHERE operation_id = ?1 AND number = ?2",
                    params![op.id, number],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    InvalidInput::new(
                        "corrects",
                        format!("{codename}'s decision log has no entry {number}"),
                    )
                })?,
        ),
        None => None,
    };
    let number: i64 = ctx.tx.row_cached(
        "SELECT coalesce(max(number), 0) + 1 FROM decision_log_entry WHERE operation_id = ?1",
        [op.id],
        |r| r.get(0),
    )?;
    ctx.tx.exec_cached(
        "INSERT INTO decision_log_entry (operation_id, number, decision, rationale, alternatives,
             corrects, recorded_at, recorded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            op.id,
            number,
            d.decision,
            d.rationale,
            d.alternatives,
            corrects_id,
            ctx.at,
            ctx.actor.id
        ],
    )?;
    Ok(Applied {
        entity_type: "operation",
        entity_ref: codename.to_string(),
        details: json!({
            "number": number,
            "decision": d.decision,
            "rationale": d.rationale,
            "alternatives": d.alternatives,
            "corrects": d.corrects,
        }),
    })
}

/// An operation in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRow {
    pub urn: Urn,
    pub codename: Codename,
    pub status: OperationStatus,
    pub category: Category,
    pub priority: Priority,
    /// Usernames of the current lead investigators.
    pub lead: String,
    pub opened_at: String,
}

/// The usernames of operation row `o`'s current leads, as SQL (a macro so
/// that [`ROW_COLUMNS`] and the list sorts share one text).
macro_rules! current_leads {
    () => {
        "coalesce((SELECT group_concat(u.username, ',') FROM operation_member m JOIN user_account u ON u.id = m.user_id
              WHERE m.operation_id = o.id AND m.part = 'lead' AND m.removed_at IS NULL), '')"
    };
}
pub(super) use current_leads;

pub(super) const ROW_COLUMNS: &str = concat!(
    "o.urn, o.codename, o.status, o.category, o.priority, ",
    current_leads!(),
    ", o.opened_at"
);

pub(super) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OperationRow> {
    Ok(OperationRow {
        urn: stored_urn(r, 0, UrnKind::Operation)?,
        codename: stored_codename(r, 1)?,
        status: stored(2, OperationStatus::parse, &r.get::<_, String>(2)?)?,
        category: stored(3, Category::parse, &r.get::<_, String>(3)?)?,
        priority: stored(4, Priority::parse, &r.get::<_, String>(4)?)?,
        lead: r.get(5)?,
        opened_at: r.get(6)?,
    })
}

/// Someone on (or formerly on) an operation's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub username: String,
    pub display_name: String,
    pub part: TeamPart,
    pub added_at: String,
    pub removed_at: Option<String>,
}

/// A decision-log entry, with the entries that correct it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEntry {
    pub number: u32,
    pub decision: String,
    pub rationale: String,
    pub alternatives: String,
    pub corrects: Option<u32>,
    pub corrected_by: Vec<u32>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// An operation opened in full.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationRecord {
    pub row: OperationRow,
    pub description: String,
    pub outcome: Option<String>,
    pub lessons_learned: Option<String>,
    pub closed_at: Option<String>,
    pub team: Vec<Member>,
    pub subjects: Vec<SubjectRow>,
    pub intelligence: Vec<IntelligenceRow>,
    pub decisions: Vec<DecisionEntry>,
}

/// What a closed operation taught, for dissemination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonsLearned {
    pub codename: Codename,
    pub urn: Urn,
    pub category: Category,
    pub outcome: String,
    pub lessons_learned: String,
    pub closed_at: String,
}

impl CaseFile {
    /// Operations the actor may see, newest first.
    pub fn operations(&mut self, actor: &Actor, page: Page) -> Result<Vec<OperationRow>> {
        let viewer = self.reader(actor, "operations")?;
        let (offset, limit) = (page.offset as i64, page.limit.min(i64::MAX as u64) as i64);
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM operation o WHERE {}
             ORDER BY o.opened_at DESC, o.id DESC LIMIT :limit OFFSET :offset",
            operation_visible("o.id")
        );
        self.query_rows(
            &sql,
            &with(&viewer, &[(":limit", &limit), (":offset", &offset)]),
            row,
        )
    }

    /// Opens an operation in full, decision log included; the consultation
    /// is audited (`view`). One the actor may not see is reported as if it
    /// did not exist, and the attempt is audited as `denied`.
    pub fn open_operation(
        &mut self,
        actor: &Actor,
        codename: &Codename,
    ) -> Result<OperationRecord> {
        self.execute(actor, Command::View(Viewed::Operation(codename.clone())))?;
        let code = codename.as_str();
        let (row, description, outcome, lessons_learned, closed_at, id) = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ROW_COLUMNS}, o.description, o.outcome, o.lessons_learned, o.closed_at, o.id
                     FROM operation o WHERE o.codename = ?1"
                ),
                [code],
                |r| {
                    Ok((
                        row(r)?,
                        r.get::<_, String>(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                        r.get::<_, i64>(11)?,
                    ))
                },
            )
            .map_err(|e| self.sqlite_err(e))?;
        let by_id: [(&str, &dyn ToSql); 1] = [(":id", &id)];
        let team = self.query_rows(
            "SELECT u.username, u.display_name, m.part, m.added_at, m.removed_at
             FROM operation_member m JOIN user_account u ON u.id = m.user_id
             WHERE m.operation_id = :id ORDER BY m.removed_at IS NOT NULL, m.added_at, u.username",
            &by_id,
            |r| {
                Ok(Member {
                    username: r.get(0)?,
                    display_name: r.get(1)?,
                    part: stored(2, TeamPart::parse, &r.get::<_, String>(2)?)?,
                    added_at: r.get(3)?,
                    removed_at: r.get(4)?,
                })
            },
        )?;
        let subjects = self.query_rows(
            &format!(
                "SELECT {} FROM subject s JOIN operation_subject os ON os.subject_id = s.id
                 WHERE os.operation_id = :id ORDER BY s.staff_number",
                super::subjects::COLUMNS
            ),
            &by_id,
            super::subjects::details_row,
        )?;
        let intelligence = self.query_rows(
            &format!(
                "SELECT {} FROM intelligence i WHERE i.operation_id = :id ORDER BY i.received_at DESC",
                intel::ROW_COLUMNS
            ),
            &by_id,
            intel::row,
        )?;
        let decisions = self.query_rows(
            "SELECT d.number, d.decision, d.rationale, d.alternatives,
                    (SELECT c.number FROM decision_log_entry c WHERE c.id = d.corrects),
                    coalesce((SELECT group_concat(n.number, ',') FROM decision_log_entry n WHERE n.corrects = d.id), ''),
                    (SELECT username FROM user_account WHERE id = d.recorded_by), d.recorded_at
             FROM decision_log_entry d WHERE d.operation_id = :id ORDER BY d.number",
            &by_id,
            |r| {
                let corrected_by: String = r.get(5)?;
                Ok(DecisionEntry {
                    number: r.get(0)?,
                    decision: r.get(1)?,
                    rationale: r.get(2)?,
                    alternatives: r.get(3)?,
                    corrects: r.get(4)?,
                    corrected_by: corrected_by.split(',').filter_map(|n| n.parse().ok()).collect(),
                    recorded_by: r.get(6)?,
                    recorded_at: r.get(7)?,
                })
            },
        )?;
        Ok(OperationRecord {
            row,
            description,
            outcome,
            lessons_learned,
            closed_at,
            team,
            subjects,
            intelligence,
            decisions,
        })
    }

    /// Lessons learned from every closed operation the actor may see,
    /// most recently closed first.
    pub fn lessons_learned(&mut self, actor: &Actor) -> Result<Vec<LessonsLearned>> {
        let viewer = self.reader(actor, "operations")?;
        let sql = format!(
            "SELECT o.codename, o.urn, o.category, o.outcome, o.lessons_learned, o.closed_at
             FROM operation o WHERE o.status = 'closed' AND {} ORDER BY o.closed_at DESC, o.id DESC",
            operation_visible("o.id")
        );
        self.query_rows(&sql, &viewer.params(), |r| {
            Ok(LessonsLearned {
                codename: stored_codename(r, 0)?,
                urn: stored_urn(r, 1, UrnKind::Operation)?,
                category: stored(2, Category::parse, &r.get::<_, String>(2)?)?,
                outcome: r.get(3)?,
                lessons_learned: r.get(4)?,
                closed_at: r.get(5)?,
            })
        })
    }
}
