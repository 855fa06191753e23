//! Subjects in the case file: adding and updating them, and the queries
//! screens use (a subject shows its intelligence, operations and history).

use crate::store::Cached;
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::{Value, json};

use super::intelligence::{self as intel, IntelligenceRow};
use super::operations::{self as ops, OperationRow};
use crate::domain::InvalidInput;
use crate::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use crate::store::plumbing::{Page, stored, with};
use crate::store::visibility::{self, intelligence_visible, operation_visible, subject_visible};
use crate::store::write::{Actor, Applied, Ctx, Fail};
use crate::store::{CaseFile, Command, Result, Viewed};

fn details_json(s: &SubjectDetails) -> Value {
    json!({
        "staff_number": s.staff_number.as_str(),
        "name": s.name,
        "rank_or_grade": s.rank_or_grade,
        "employment_type": s.employment_type.code(),
        "department": s.department,
        "role": s.role,
        "vulnerable_contact": s.vulnerable_contact,
        "vetting_level": s.vetting_level.code(),
        "vetting_review": s.vetting_review.map(|d| d.to_string()),
        "status": s.status.code(),
    })
}

pub(in crate::store) fn add(ctx: &Ctx<'_>, s: SubjectDetails) -> Result<Applied, Fail> {
    let exists: Option<i64> = ctx
        .tx
        .row_cached(
            "SELECT id FROM subject WHERE staff_number = ?1",
            [s.staff_number.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(InvalidInput::new(
            "staff number",
            format!(
                "a subject with staff number {} is already recorded",
                s.staff_number
            ),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "INSERT INTO subject (staff_number, name, rank_or_grade, employment_type, department, role,
             vulnerable_contact, vetting_level, vetting_review, status, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            s.staff_number.as_str(),
            s.name,
            s.rank_or_grade,
            s.employment_type.code(),
            s.department,
            s.role,
            s.vulnerable_contact,
            s.vetting_level.code(),
            s.vetting_review.map(|d| d.to_string()),
            s.status.code(),
            ctx.at,
            ctx.actor.id,
        ],
    )?;
    Ok(Applied {
        entity_type: "subject",
        entity_ref: s.staff_number.to_string(),
        details: details_json(&s),
    })
}

pub(in crate::store) fn update(ctx: &Ctx<'_>, s: SubjectDetails) -> Result<Applied, Fail> {
    let id = visibility::subject(ctx, &s.staff_number)?;
    let before = ctx.tx.row_cached(
        &format!("SELECT {COLUMNS} FROM subject s WHERE s.id = ?1"),
        [id],
        details_row,
    )?;
    if before == s {
        return Err(InvalidInput::new("subject", "nothing has changed").into());
    }
    ctx.tx.exec_cached(
        "UPDATE subject SET name = ?2, rank_or_grade = ?3, employment_type = ?4, department = ?5,
             role = ?6, vulnerable_contact = ?7, vetting_level = ?8, vetting_review = ?9, status = ?10
         WHERE id = ?1",
        params![
            id,
            s.name,
            s.rank_or_grade,
            s.employment_type.code(),
            s.department,
            s.role,
            s.vulnerable_contact,
            s.vetting_level.code(),
            s.vetting_review.map(|d| d.to_string()),
            s.status.code(),
        ],
    )?;
    let (old, new) = (details_json(&before), details_json(&s));
    let changed: Vec<&String> = new
        .as_object()
        .expect("an object")
        .keys()
        .filter(|k| old[k.as_str()] != new[k.as_str()])
        .collect();
    let pick = |v: &Value| -> Value {
        changed
            .iter()
            .map(|k| ((*k).clone(), v[k.as_str()].clone()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    Ok(Applied {
        entity_type: "subject",
        entity_ref: s.staff_number.to_string(),
        details: json!({ "before": pick(&old), "after": pick(&new) }),
    })
}

pub(super) const COLUMNS: &str =
    "s.staff_number, s.name, s.rank_or_grade, s.employment_type, s.department,
    s.role, s.vulnerable_contact, s.vetting_level, s.vetting_review, s.status";

pub(super) fn details_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SubjectDetails> {
    let review: Option<String> = r.get(8)?;
    Ok(SubjectDetails {
        staff_number: stored(0, StaffNumber::parse, &r.get::<_, String>(0)?)?,
        name: r.get(1)?,
        rank_or_grade: r.get(2)?,
        employment_type: stored(3, EmploymentType::parse, &r.get::<_, String>(3)?)?,
        department: r.get(4)?,
        role: r.get(5)?,
        vulnerable_contact: r.get(6)?,
        vetting_level: stored(7, VettingLevel::parse, &r.get::<_, String>(7)?)?,
        vetting_review: match review {
            Some(d) => Some(stored(
                8,
                |t| crate::domain::time::parse_uk_date("vetting review", t),
                &d,
            )?),
            None => None,
        },
        status: stored(9, SubjectStatus::parse, &r.get::<_, String>(9)?)?,
    })
}

/// A subject in a list.
pub type SubjectRow = SubjectDetails;

/// One entry of a record's history, from the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub details: String,
}

/// A subject opened in full.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRecord {
    pub details: SubjectDetails,
    pub created_at: String,
    /// The intelligence about them that may be seen.
    pub intelligence: Vec<IntelligenceRow>,
    /// The operations they are a subject of that may be seen.
    pub operations: Vec<OperationRow>,
    /// Changes to the record, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Consultations of the record (`view` events), this one included:
    /// summarised, since a subject of long standing is opened thousands of
    /// times; the audit trail lists each one.
    pub consultations: Consultations,
}

/// How often a record has been consulted, and the latest consultation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Consultations {
    pub count: u64,
    /// When and by whom (the latest).
    pub last: Option<(String, String)>,
}

impl CaseFile {
    /// Subjects the actor may see, by staff number.
    pub fn subjects(&mut self, actor: &Actor, page: Page) -> Result<Vec<SubjectRow>> {
        let viewer = self.reader(actor, "subjects")?;
        let (offset, limit) = (page.offset as i64, page.limit.min(i64::MAX as u64) as i64);
        let sql = format!(
            "SELECT {COLUMNS} FROM subject s WHERE {} ORDER BY s.staff_number LIMIT :limit OFFSET :offset",
            subject_visible("s")
        );
        self.query_rows(
            &sql,
            &with(&viewer, &[(":limit", &limit), (":offset", &offset)]),
            details_row,
        )
    }

    /// Opens a subject's record; the consultation is audited (`view`).
    pub fn open_subject(
        &mut self,
        actor: &Actor,
        staff_number: &StaffNumber,
    ) -> Result<SubjectRecord> {
        self.execute(actor, Command::View(Viewed::Subject(staff_number.clone())))?;
        let viewer = self.reader(actor, "subjects")?;
        let staff = staff_number.as_str();
        let (details, created_at, id) = self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS}, s.created_at, s.id FROM subject s WHERE s.staff_number = ?1"
                ),
                [staff],
                |r| {
                    Ok((
                        details_row(r)?,
                        r.get::<_, String>(10)?,
                        r.get::<_, i64>(11)?,
                    ))
                },
            )
            .map_err(|e| self.sqlite_err(e))?;
        let intelligence = self.query_rows(
            &format!(
                "SELECT {} FROM intelligence i JOIN intelligence_subject x ON x.intelligence_id = i.id
                 WHERE x.subject_id = :id AND {} ORDER BY i.received_at DESC",
                intel::ROW_COLUMNS,
                intelligence_visible("i")
            ),
            &with(&viewer, &[(":id", &id)]),
            intel::row,
        )?;
        let operations = self.query_rows(
            &format!(
                "SELECT {} FROM operation o JOIN operation_subject os ON os.operation_id = o.id
                 WHERE os.subject_id = :id AND {} ORDER BY o.opened_at DESC",
                ops::ROW_COLUMNS,
                operation_visible("o.id")
            ),
            &with(&viewer, &[(":id", &id)]),
            ops::row,
        )?;
        let history = self.query_rows(
            "SELECT at, actor, action, details FROM audit_event
             WHERE entity_type = 'subject' AND entity_ref = :staff AND outcome = 'ok'
               AND action != 'view' ORDER BY seq",
            &[(":staff", &staff as &dyn ToSql)],
            |r| {
                Ok(HistoryEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    details: r.get(3)?,
                })
            },
        )?;
        let consultations = self
            .conn
            .query_row(
                "SELECT c.n, e.at, e.actor
                 FROM (SELECT count(*) AS n, max(seq) AS last FROM audit_event
                       WHERE entity_type = 'subject' AND entity_ref = ?1 AND outcome = 'ok'
                         AND action = 'view') c
                 LEFT JOIN audit_event e ON e.seq = c.last",
                [staff],
                |r| {
                    let count: i64 = r.get(0)?;
                    let at: Option<String> = r.get(1)?;
                    let by: Option<String> = r.get(2)?;
                    Ok(Consultations {
                        count: count.max(0) as u64,
                        last: at.zip(by),
                    })
                },
            )
            .map_err(|e| self.sqlite_err(e))?;
        Ok(SubjectRecord {
            details,
            created_at,
            intelligence,
            operations,
            history,
            consultations,
        })
    }
}
