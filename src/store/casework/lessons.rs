//! The register of lessons learned: every closed operation's lessons, the
//! departments they went to, and what came back (`domain::lesson`). A
//! register: it declares its own commands, which the build wires into the
//! one write path (`store::command::RegisterCommand`).

use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;

use crate::domain::InvalidInput;
use crate::domain::intelligence::Category;
use crate::domain::lesson::{DISSEMINATE, Dissemination, Response};
use crate::domain::operation::{Codename, OperationStatus};
use crate::domain::permission::Action;
use crate::domain::time::{parse_stored, uk_date};
use crate::domain::urn::{Urn, UrnKind};
use crate::store::command::RegisterCommand;
use crate::store::plumbing::{stored, stored_codename, stored_urn};
use crate::store::visibility::{self, operation_visible};
use crate::store::write::{Actor, Applied, Ctx, Done, Fail};
use crate::store::{Cached, CaseFile, Error, Result};

/// What can be done in the register.
#[derive(Debug, Clone)]
pub enum Command {
    /// A closed operation's lessons sent to a department.
    Disseminate {
        codename: Codename,
        dissemination: Dissemination,
    },
    /// A department's response to the lessons it was sent.
    RecordResponse {
        codename: Codename,
        response: Response,
    },
    /// Opening a lesson: a consultation, logged as a `view` event.
    View(Codename),
    /// Reading the lessons report (`ccu report lessons`): a consultation
    /// of every lesson the actor may see, logged as a `view` event.
    ReadReport,
}

impl RegisterCommand for Command {
    fn audit_action(&self) -> &'static str {
        match self {
            Command::Disseminate { .. } => "lesson.disseminate",
            Command::RecordResponse { .. } => "lesson.response",
            Command::View(_) | Command::ReadReport => "view",
        }
    }

    fn entity(&self) -> (&'static str, String) {
        match self {
            Command::Disseminate { codename, .. }
            | Command::RecordResponse { codename, .. }
            | Command::View(codename) => ("lesson", codename.to_string()),
            Command::ReadReport => ("report", "lessons".to_owned()),
        }
    }

    fn permission(&self) -> Action {
        match self {
            Command::Disseminate { .. } | Command::RecordResponse { .. } => {
                Action::Declared(&DISSEMINATE)
            }
            Command::View(_) | Command::ReadReport => Action::ReadCaseContent,
        }
    }

    fn apply(self, ctx: &Ctx<'_>) -> std::result::Result<(Applied, Done), Fail> {
        let (entity_type, entity_ref) = self.entity();
        let details = match self {
            Command::Disseminate {
                codename,
                dissemination,
            } => disseminate(ctx, &codename, dissemination)?,
            Command::RecordResponse { codename, response } => respond(ctx, &codename, response)?,
            Command::View(codename) => {
                closed(ctx, &codename)?;
                json!({ "what": "record opened" })
            }
            Command::ReadReport => json!({ "what": "report read" }),
        };
        let applied = Applied {
            entity_type,
            entity_ref,
            details,
        };
        Ok((applied, Done::Recorded))
    }
}

/// A closed operation the actor may see: its id and the UK day it closed.
fn closed(
    ctx: &Ctx<'_>,
    codename: &Codename,
) -> std::result::Result<(i64, chrono::NaiveDate), Fail> {
    let op = visibility::operation(ctx, codename)?;
    if op.status != OperationStatus::Closed {
        return Err(InvalidInput::new(
            "operation",
            format!("{codename} is not closed: its lessons are recorded when it closes"),
        )
        .into());
    }
    let closed_at = ctx.tx.row_cached(
        "SELECT closed_at FROM operation WHERE id = ?1",
        [op.id],
        |r| stored(0, parse_stored, &r.get::<_, String>(0)?),
    )?;
    Ok((op.id, uk_date(closed_at)))
}

fn disseminate(
    ctx: &Ctx<'_>,
    codename: &Codename,
    d: Dissemination,
) -> std::result::Result<serde_json::Value, Fail> {
    let (id, closed_on) = closed(ctx, codename)?;
    d.check_date(closed_on, uk_date(ctx.now))?;
    let earlier: Option<String> = ctx
        .tx
        .row_cached(
            "SELECT disseminated_on FROM lesson_dissemination
             WHERE operation_id = ?1 AND department = ?2",
            params![id, d.department],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(on) = earlier {
        return Err(InvalidInput::new(
            "department",
            format!(
                "{codename}'s lessons already went to {} on {}",
                d.department,
                shown_date(&on)
            ),
        )
        .into());
    }
    let on = d.on.format("%Y-%m-%d").to_string();
    ctx.tx.exec_cached(
        "INSERT INTO lesson_dissemination
             (operation_id, department, disseminated_on, means, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, d.department, on, d.means, ctx.actor.id, ctx.at],
    )?;
    Ok(json!({ "department": d.department, "on": on, "how": d.means }))
}

fn respond(
    ctx: &Ctx<'_>,
    codename: &Codename,
    r: Response,
) -> std::result::Result<serde_json::Value, Fail> {
    let (id, _) = closed(ctx, codename)?;
    let found: Option<(i64, String, bool)> = ctx
        .tx
        .row_cached(
            "SELECT d.id, d.department,
                    EXISTS (SELECT 1 FROM lesson_response r WHERE r.dissemination_id = d.id)
             FROM lesson_dissemination d WHERE d.operation_id = ?1 AND d.department = ?2",
            params![id, r.department],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((dissemination, department, answered)) = found else {
        return Err(InvalidInput::new(
            "department",
            format!(
                "{codename}'s lessons have not been sent to {}: record the dissemination first",
                r.department
            ),
        )
        .into());
    };
    if answered {
        return Err(InvalidInput::new(
            "department",
            format!("{department}'s response to {codename}'s lessons is already recorded"),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "INSERT INTO lesson_response (dissemination_id, response, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![dissemination, r.response, ctx.actor.id, ctx.at],
    )?;
    Ok(json!({ "department": department, "response": r.response }))
}

/// `2026-11-03` as `03/11/2026`.
fn shown_date(stored: &str) -> String {
    chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| stored.to_owned())
}

/// A lesson in the register's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonRow {
    pub codename: Codename,
    pub urn: Urn,
    pub category: Category,
    /// When the operation closed, as stored (RFC 3339, UTC).
    pub closed_at: String,
    pub lessons: String,
    /// How many departments it went to, and how many answered.
    pub disseminations: u32,
    pub responses: u32,
}

/// One department a lesson went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisseminationRow {
    pub department: String,
    /// `dd/mm/yyyy`.
    pub on: String,
    pub how: String,
    pub recorded_by: String,
    pub response: Option<String>,
    pub response_recorded_by: Option<String>,
}

/// A lesson opened in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonRecord {
    pub row: LessonRow,
    pub outcome: String,
    pub disseminated: Vec<DisseminationRow>,
}

const ROW_SQL: &str = "SELECT o.codename, o.urn, o.category, o.closed_at, o.lessons_learned,
        (SELECT count(*) FROM lesson_dissemination d WHERE d.operation_id = o.id),
        (SELECT count(*) FROM lesson_response r
           JOIN lesson_dissemination d ON d.id = r.dissemination_id
          WHERE d.operation_id = o.id),
        o.outcome, o.id
     FROM operation o";

fn lesson_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(LessonRow, String, i64)> {
    Ok((
        LessonRow {
            codename: stored_codename(r, 0)?,
            urn: stored_urn(r, 1, UrnKind::Operation)?,
            category: stored(2, Category::parse, &r.get::<_, String>(2)?)?,
            closed_at: r.get(3)?,
            lessons: r.get(4)?,
            disseminations: r.get(5)?,
            responses: r.get(6)?,
        },
        r.get(7)?,
        r.get(8)?,
    ))
}

impl CaseFile {
    /// Every closed operation's lessons the actor may see, most recently
    /// closed first.
    pub fn lessons(&mut self, actor: &Actor) -> Result<Vec<LessonRow>> {
        let viewer = self.reader(actor, "lessons")?;
        let sql = format!(
            "{ROW_SQL} WHERE o.status = 'closed' AND {} ORDER BY o.closed_at DESC, o.id DESC",
            operation_visible("o.id")
        );
        let rows = self.query_rows(&sql, &viewer.params(), lesson_row)?;
        Ok(rows.into_iter().map(|(row, _, _)| row).collect())
    }

    /// Opens one closed operation's lessons with where they went; the
    /// consultation is audited (`view`). One the actor may not see is
    /// reported as if it did not exist.
    pub fn open_lesson(&mut self, actor: &Actor, codename: &Codename) -> Result<LessonRecord> {
        self.execute(actor, Command::View(codename.clone()).into())?;
        let viewer = self.reader(actor, "lessons")?;
        let sql = format!(
            "{ROW_SQL} WHERE o.codename = :codename AND o.status = 'closed' AND {}",
            operation_visible("o.id")
        );
        let name = codename.as_str();
        let params: Vec<(&str, &dyn ToSql)> = [
            viewer.params().as_slice(),
            &[(":codename", &name as &dyn ToSql)],
        ]
        .concat();
        let (row, outcome, id) = self
            .query_rows(&sql, &params, lesson_row)?
            .pop()
            .ok_or_else(|| Error::NoSuch {
                what: "lesson",
                reference: codename.to_string(),
            })?;
        let disseminated = self.disseminated(id)?;
        Ok(LessonRecord {
            row,
            outcome,
            disseminated,
        })
    }

    /// Where one closed operation's lessons went, in the order sent.
    fn disseminated(&self, id: i64) -> Result<Vec<DisseminationRow>> {
        self.query_rows(
            "SELECT d.department, d.disseminated_on, d.means, u.username, r.response, ru.username
             FROM lesson_dissemination d
             JOIN user_account u ON u.id = d.recorded_by
             LEFT JOIN lesson_response r ON r.dissemination_id = d.id
             LEFT JOIN user_account ru ON ru.id = r.recorded_by
             WHERE d.operation_id = :id ORDER BY d.disseminated_on, d.id",
            &[(":id", &id as &dyn ToSql)],
            |r| {
                Ok(DisseminationRow {
                    department: r.get(0)?,
                    on: shown_date(&r.get::<_, String>(1)?),
                    how: r.get(2)?,
                    recorded_by: r.get(3)?,
                    response: r.get(4)?,
                    response_recorded_by: r.get(5)?,
                })
            },
        )
    }

    /// The lessons report (`ccu report lessons`): every closed operation's
    /// lessons the actor may see, most recently closed first, each with
    /// where it went and what came back. Reading it is a consultation,
    /// logged (`view` of the report) before anything is read.
    pub fn lessons_report(&mut self, actor: &Actor) -> Result<Vec<LessonReportRow>> {
        self.execute(actor, Command::ReadReport.into())?;
        let viewer = self.reader(actor, "lessons")?;
        let sql = format!(
            "{ROW_SQL} WHERE o.status = 'closed' AND {} ORDER BY o.closed_at DESC, o.id DESC",
            operation_visible("o.id")
        );
        let rows = self.query_rows(&sql, &viewer.params(), lesson_row)?;
        rows.into_iter()
            .map(|(row, outcome, id)| {
                Ok(LessonReportRow {
                    operation: row.codename.to_string(),
                    operation_urn: row.urn.to_string(),
                    category: row.category.code().to_owned(),
                    closed_at: row.closed_at,
                    outcome,
                    lessons: row.lessons,
                    disseminated: self
                        .disseminated(id)?
                        .into_iter()
                        .map(LessonReportDissemination::from)
                        .collect(),
                })
            })
            .collect()
    }
}

/// One closed operation's lessons in the lessons report; the JSON field
/// names are documented in docs/reports.md and never renamed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LessonReportRow {
    pub operation: String,
    pub operation_urn: String,
    /// The national corruption category's code.
    pub category: String,
    /// When the operation closed: UTC, RFC 3339.
    pub closed_at: String,
    pub outcome: String,
    pub lessons: String,
    pub disseminated: Vec<LessonReportDissemination>,
}

/// One department a lesson went to, in the lessons report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LessonReportDissemination {
    pub department: String,
    /// `yyyy-mm-dd`.
    pub on: String,
    pub means: String,
    pub recorded_by: String,
    /// The department's response, if one has been recorded.
    pub response: Option<String>,
}

impl From<DisseminationRow> for LessonReportDissemination {
    fn from(d: DisseminationRow) -> Self {
        let on = chrono::NaiveDate::parse_from_str(&d.on, "%d/%m/%Y")
            .map(|day| day.format("%Y-%m-%d").to_string())
            .unwrap_or(d.on);
        LessonReportDissemination {
            department: d.department,
            on,
            means: d.how,
            recorded_by: d.recorded_by,
            response: d.response,
        }
    }
}
