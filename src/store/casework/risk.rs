//! The subject risk matrix and its assessments (`domain::risk`). A
//! register: it declares its own commands, which the build wires into the
//! one write path (`store::command::RegisterCommand`). The matrix is
//! versioned, each version whole; an assessment keeps the version it was
//! made with, and a reassessment adds to the subject's history.

use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::json;

use crate::domain::InvalidInput;
use crate::domain::permission::Action;
use crate::domain::risk::{
    ASSESS, Characteristic, Finding, INTERVENE, Intervention, MAINTAIN, Matrix, Revision,
};
use crate::domain::subject::StaffNumber;
use crate::domain::text::Rationale;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::command::RegisterCommand;
use crate::store::plumbing::stored;
use crate::store::visibility::{self, Viewer, intelligence_visible, subject_visible};
use crate::store::write::{Actor, Applied, Ctx, Done, Fail};
use crate::store::{Cached, CaseFile, Error, Result};

/// The key a subject's risk record is opened by from another area's list
/// (the queue): `risk:` and the staff number.
pub const KEY_PREFIX: &str = "risk:";

/// The longest summary an assessor writes, in characters.
pub const SUMMARY_CHARS: usize = crate::domain::text::STATEMENT;

/// What can be done in the register.
#[derive(Debug, Clone)]
pub enum Command {
    /// A change to the matrix, which makes its next version.
    ReviseMatrix {
        revision: Revision,
        reason: Rationale,
    },
    /// An assessment of a subject against the matrix as it is now.
    Assess {
        staff_number: StaffNumber,
        findings: Vec<Finding>,
        summary: String,
    },
    /// A supervisor's intervention on a subject's latest assessment.
    Intervene {
        staff_number: StaffNumber,
        intervention: Intervention,
        rationale: Rationale,
    },
    /// Opening a subject's risk record: a consultation, logged.
    View(StaffNumber),
    /// Reading the risk report (`ccu report risk`), logged.
    ReadReport,
}

impl RegisterCommand for Command {
    fn audit_action(&self) -> &'static str {
        match self {
            Command::ReviseMatrix { .. } => "risk.matrix",
            Command::Assess { .. } => "risk.assess",
            Command::Intervene { .. } => "risk.intervene",
            Command::View(_) | Command::ReadReport => "view",
        }
    }

    fn entity(&self) -> (&'static str, String) {
        match self {
            Command::ReviseMatrix { .. } => ("risk_matrix", "matrix".to_owned()),
            Command::Assess { staff_number, .. }
            | Command::Intervene { staff_number, .. }
            | Command::View(staff_number) => ("risk", staff_number.to_string()),
            Command::ReadReport => ("report", "risk".to_owned()),
        }
    }

    fn permission(&self) -> Action {
        match self {
            Command::ReviseMatrix { .. } => Action::Declared(&MAINTAIN),
            Command::Assess { .. } => Action::Declared(&ASSESS),
            Command::Intervene { .. } => Action::Declared(&INTERVENE),
            Command::View(_) | Command::ReadReport => Action::ReadCaseContent,
        }
    }

    fn apply(self, ctx: &Ctx<'_>) -> std::result::Result<(Applied, Done), Fail> {
        let (entity_type, entity_ref) = self.entity();
        let details = match self {
            Command::ReviseMatrix { revision, reason } => revise(ctx, &revision, &reason)?,
            Command::Assess {
                staff_number,
                findings,
                summary,
            } => assess(ctx, &staff_number, &findings, &summary)?,
            Command::Intervene {
                staff_number,
                intervention,
                rationale,
            } => intervene(ctx, &staff_number, intervention, &rationale)?,
            Command::View(staff_number) => {
                visibility::subject(ctx, &staff_number)?;
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

/// The latest version of the matrix: its id, version and content.
fn current(conn: &rusqlite::Connection) -> rusqlite::Result<(i64, u32, Matrix)> {
    let (id, version, benchmark) = conn.row_cached(
        "SELECT id, version, benchmark FROM risk_matrix ORDER BY version DESC LIMIT 1",
        [],
        |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let characteristics = characteristics(conn, id)?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    Ok((
        id,
        version,
        Matrix {
            characteristics,
            benchmark,
        },
    ))
}

/// A version's characteristics in order, each with its row id.
fn characteristics(
    conn: &rusqlite::Connection,
    matrix_id: i64,
) -> rusqlite::Result<Vec<(i64, Characteristic)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, code, label, description, weight FROM risk_characteristic
         WHERE matrix_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([matrix_id], |r| {
        Ok((
            r.get(0)?,
            Characteristic {
                code: r.get(1)?,
                label: r.get(2)?,
                description: r.get(3)?,
                weight: r.get(4)?,
            },
        ))
    })?;
    rows.collect()
}

fn revise(
    ctx: &Ctx<'_>,
    revision: &Revision,
    reason: &Rationale,
) -> std::result::Result<serde_json::Value, Fail> {
    let (_, version, matrix) = current(ctx.tx)?;
    let next = matrix.revised(revision)?;
    let version = version + 1;
    ctx.tx.exec_cached(
        "INSERT INTO risk_matrix (version, benchmark, reason, made_by, made_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            version,
            next.benchmark,
            reason.as_str(),
            ctx.actor.id,
            ctx.at
        ],
    )?;
    let id = ctx.tx.last_insert_rowid();
    for (i, c) in next.characteristics.iter().enumerate() {
        ctx.tx.exec_cached(
            "INSERT INTO risk_characteristic
                 (matrix_id, position, code, label, description, weight)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, i as i64 + 1, c.code, c.label, c.description, c.weight],
        )?;
    }
    let change = match revision {
        Revision::Set(c) => json!({ "set": c.code, "weight": c.weight, "label": c.label }),
        Revision::Withdraw(code) => json!({ "withdraw": code }),
        Revision::Benchmark(b) => json!({ "benchmark": b }),
    };
    Ok(json!({ "version": version, "change": change, "reason": reason.as_str() }))
}

fn assess(
    ctx: &Ctx<'_>,
    staff_number: &StaffNumber,
    findings: &[Finding],
    summary: &str,
) -> std::result::Result<serde_json::Value, Fail> {
    let subject = visibility::subject(ctx, staff_number)?;
    let summary = crate::domain::text::optional("summary", summary, SUMMARY_CHARS)?;
    let (matrix_id, version, matrix) = current(ctx.tx)?;
    let score = matrix.score(findings)?;
    // Each piece of evidence is an item the assessor may see; one they
    // may not is refused exactly as one that does not exist.
    let mut evidence = Vec::new();
    for f in findings {
        let mut ids = Vec::new();
        for urn in &f.intelligence {
            ids.push(visibility::intelligence(ctx, urn)?.0);
        }
        evidence.push(ids);
    }
    ctx.tx.exec_cached(
        "INSERT INTO risk_assessment
             (subject_id, matrix_id, score, summary, assessed_by, assessed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            subject,
            matrix_id,
            score.total,
            summary,
            ctx.actor.id,
            ctx.at
        ],
    )?;
    let assessment = ctx.tx.last_insert_rowid();
    let ids = characteristics(ctx.tx, matrix_id)?;
    for (f, items) in findings.iter().zip(&evidence) {
        let (cid, c) = ids
            .iter()
            .find(|(_, c)| c.code == f.code)
            .expect("scored, so in the matrix");
        ctx.tx.exec_cached(
            "INSERT INTO risk_finding (assessment_id, characteristic_id, weight, note)
             VALUES (?1, ?2, ?3, ?4)",
            params![assessment, cid, c.weight, f.note],
        )?;
        let finding = ctx.tx.last_insert_rowid();
        for item in items {
            ctx.tx.exec_cached(
                "INSERT INTO risk_evidence (finding_id, intelligence_id) VALUES (?1, ?2)",
                params![finding, item],
            )?;
        }
    }
    Ok(json!({
        "matrix_version": version,
        "score": score.total,
        "benchmark": score.benchmark,
        "breakdown": score.parts.iter().map(|(code, w)| json!({ "characteristic": code, "weight": w })).collect::<Vec<_>>(),
        "evidence": findings.iter().map(|f| json!({
            "characteristic": f.code,
            "intelligence": f.intelligence.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    }))
}

fn intervene(
    ctx: &Ctx<'_>,
    staff_number: &StaffNumber,
    intervention: Intervention,
    rationale: &Rationale,
) -> std::result::Result<serde_json::Value, Fail> {
    let subject = visibility::subject(ctx, staff_number)?;
    let latest: Option<(i64, u32, bool)> = ctx
        .tx
        .row_cached(
            "SELECT a.id, a.score,
                    EXISTS (SELECT 1 FROM risk_intervention i WHERE i.assessment_id = a.id)
             FROM risk_assessment a WHERE a.subject_id = ?1 ORDER BY a.id DESC LIMIT 1",
            [subject],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((assessment, score, decided)) = latest else {
        return Err(InvalidInput::new(
            "intervention",
            format!("{staff_number} has not been assessed: an intervention follows an assessment"),
        )
        .into());
    };
    if decided {
        return Err(InvalidInput::new(
            "intervention",
            format!(
                "{staff_number}'s latest assessment already has its intervention: reassess to record another"
            ),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "INSERT INTO risk_intervention (assessment_id, kind, rationale, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            assessment,
            intervention.code(),
            rationale.as_str(),
            ctx.actor.id,
            ctx.at
        ],
    )?;
    Ok(json!({
        "intervention": intervention.code(),
        "score": score,
        "rationale": rationale.as_str(),
    }))
}

/// One version of the matrix, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixVersion {
    pub version: u32,
    pub matrix: Matrix,
    pub reason: String,
    /// Who made it and when (RFC 3339); none for version 1, the default.
    pub made_by: Option<String>,
    pub made_at: Option<String>,
}

/// A subject in the register's list, with their latest assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskRow {
    pub staff_number: StaffNumber,
    pub name: String,
    /// Scores oldest first (empty when never assessed).
    pub scores: Vec<u32>,
    /// The latest assessment's benchmark, version, time and intervention.
    pub benchmark: Option<u32>,
    pub version: Option<u32>,
    pub assessed_at: Option<String>,
    pub intervention: Option<Intervention>,
}

impl RiskRow {
    pub fn latest(&self) -> Option<u32> {
        self.scores.last().copied()
    }

    /// At or over its benchmark with no intervention yet: for a supervisor.
    pub fn waiting(&self) -> bool {
        matches!((self.latest(), self.benchmark), (Some(s), Some(b)) if s >= b)
            && self.intervention.is_none()
    }
}

/// One characteristic found in an assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FindingRow {
    pub characteristic: String,
    pub label: String,
    pub weight: u32,
    pub note: String,
    /// The intelligence it rests on that the reader may see.
    pub intelligence: Vec<String>,
}

/// An intervention, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionRow {
    pub kind: Intervention,
    pub rationale: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// One assessment of a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentRow {
    pub version: u32,
    pub score: u32,
    pub benchmark: u32,
    pub summary: String,
    pub assessed_by: String,
    pub assessed_at: String,
    pub findings: Vec<FindingRow>,
    pub intervention: Option<InterventionRow>,
}

/// A subject's risk record opened in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskRecord {
    pub row: RiskRow,
    /// Oldest first.
    pub assessments: Vec<AssessmentRow>,
    /// The matrix a new assessment is made against.
    pub matrix: MatrixVersion,
}

fn with<'a>(
    viewer: &'a Viewer,
    more: &'a [(&'a str, &'a dyn ToSql)],
) -> Vec<(&'a str, &'a dyn ToSql)> {
    [viewer.params().as_slice(), more].concat()
}

impl CaseFile {
    /// The matrix as it is now, with every version's reason for the
    /// record of changes (newest first).
    pub fn risk_matrix(&mut self, actor: &Actor) -> Result<(MatrixVersion, Vec<MatrixVersion>)> {
        self.reader(actor, "the risk matrix")?;
        let versions = self.query_rows(
            "SELECT m.id, m.version, m.benchmark, m.reason, u.username, m.made_at
             FROM risk_matrix m LEFT JOIN user_account u ON u.id = m.made_by
             ORDER BY m.version DESC",
            &[],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )?;
        let mut read = Vec::new();
        for (id, version, benchmark, reason, made_by, made_at) in versions {
            let characteristics = characteristics(&self.conn, id)
                .map_err(|e| self.sqlite_err(e))?
                .into_iter()
                .map(|(_, c)| c)
                .collect();
            read.push(MatrixVersion {
                version,
                matrix: Matrix {
                    characteristics,
                    benchmark,
                },
                reason,
                made_by,
                made_at,
            });
        }
        let now = read.first().cloned().ok_or_else(|| Error::NoSuch {
            what: "risk matrix",
            reference: "1".into(),
        })?;
        Ok((now, read))
    }

    /// Every subject the actor may see, with their assessments' scores;
    /// those at or over the benchmark with no intervention first, then
    /// by latest score, highest first; the never assessed last.
    pub fn risk_register(&mut self, actor: &Actor) -> Result<Vec<RiskRow>> {
        let viewer = self.reader(actor, "risk assessments")?;
        self.risk_rows(&viewer, None)
    }

    /// The subjects waiting for a supervisor's intervention: the latest
    /// assessment at or over its benchmark, and none recorded since.
    pub fn risks_awaiting_intervention(&mut self, actor: &Actor) -> Result<Vec<RiskRow>> {
        let viewer = self.reader_for(actor, "risk assessments", Action::Declared(&INTERVENE))?;
        Ok(self
            .risk_rows(&viewer, None)?
            .into_iter()
            .filter(RiskRow::waiting)
            .collect())
    }

    /// A subject's scores, oldest first, and the latest benchmark, for the
    /// subject's record (whose opening is the consultation).
    pub fn risk_trend(
        &mut self,
        actor: &Actor,
        staff_number: &StaffNumber,
    ) -> Result<Option<(Vec<u32>, u32)>> {
        let viewer = self.reader(actor, "risk assessments")?;
        let row = self.risk_rows(&viewer, Some(staff_number))?.pop();
        Ok(row.and_then(|r| Some((r.scores.clone(), r.benchmark?))))
    }

    fn risk_rows(&self, viewer: &Viewer, only: Option<&StaffNumber>) -> Result<Vec<RiskRow>> {
        let staff = only.map(|s| s.as_str().to_owned());
        let sql = format!(
            "SELECT s.staff_number, s.name,
                    (SELECT group_concat(score, ',') FROM
                        (SELECT a.score FROM risk_assessment a WHERE a.subject_id = s.id ORDER BY a.id)),
                    m.benchmark, m.version, l.assessed_at, i.kind
             FROM subject s
             LEFT JOIN risk_assessment l ON l.id =
                 (SELECT max(a.id) FROM risk_assessment a WHERE a.subject_id = s.id)
             LEFT JOIN risk_matrix m ON m.id = l.matrix_id
             LEFT JOIN risk_intervention i ON i.assessment_id = l.id
             WHERE (:staff IS NULL OR s.staff_number = :staff) AND {}
             ORDER BY s.staff_number",
            subject_visible("s")
        );
        let mut rows = self.query_rows(
            &sql,
            &with(viewer, &[(":staff", &staff as &dyn ToSql)]),
            |r| {
                let scores: Option<String> = r.get(2)?;
                let kind: Option<String> = r.get(6)?;
                Ok(RiskRow {
                    staff_number: stored(0, StaffNumber::parse, &r.get::<_, String>(0)?)?,
                    name: r.get(1)?,
                    scores: scores
                        .unwrap_or_default()
                        .split(',')
                        .filter_map(|s| s.parse().ok())
                        .collect(),
                    benchmark: r.get(3)?,
                    version: r.get(4)?,
                    assessed_at: r.get(5)?,
                    intervention: kind
                        .map(|k| stored(6, Intervention::parse, &k))
                        .transpose()?,
                })
            },
        )?;
        rows.sort_by_key(|r| {
            (
                !r.waiting(),
                r.latest().is_none(),
                std::cmp::Reverse(r.latest()),
            )
        });
        Ok(rows)
    }

    /// Opens a subject's risk record; the consultation is logged (`view`).
    /// A subject the actor may not see is reported as if there were none.
    pub fn open_risk(&mut self, actor: &Actor, staff_number: &StaffNumber) -> Result<RiskRecord> {
        self.execute(actor, Command::View(staff_number.clone()).into())?;
        let viewer = self.reader(actor, "risk assessments")?;
        let row = self
            .risk_rows(&viewer, Some(staff_number))?
            .pop()
            .ok_or_else(|| Error::NoSuch {
                what: "subject",
                reference: staff_number.to_string(),
            })?;
        let assessments = self.assessments(&viewer, staff_number)?;
        let (matrix, _) = self.risk_matrix(actor)?;
        Ok(RiskRecord {
            row,
            assessments,
            matrix,
        })
    }

    /// A visible subject's assessments, oldest first, with the evidence
    /// the reader may see.
    fn assessments(
        &self,
        viewer: &Viewer,
        staff_number: &StaffNumber,
    ) -> Result<Vec<AssessmentRow>> {
        let staff = staff_number.as_str();
        let heads = self.query_rows(
            "SELECT a.id, m.version, a.score, m.benchmark, a.summary, u.username, a.assessed_at,
                    i.kind, i.rationale, iu.username, i.recorded_at
             FROM risk_assessment a JOIN subject s ON s.id = a.subject_id
             JOIN risk_matrix m ON m.id = a.matrix_id
             JOIN user_account u ON u.id = a.assessed_by
             LEFT JOIN risk_intervention i ON i.assessment_id = a.id
             LEFT JOIN user_account iu ON iu.id = i.recorded_by
             WHERE s.staff_number = :staff ORDER BY a.id",
            &[(":staff", &staff as &dyn ToSql)],
            |r| {
                let kind: Option<String> = r.get(7)?;
                let intervention = match kind {
                    Some(k) => Some(InterventionRow {
                        kind: stored(7, Intervention::parse, &k)?,
                        rationale: r.get(8)?,
                        recorded_by: r.get(9)?,
                        recorded_at: r.get(10)?,
                    }),
                    None => None,
                };
                Ok((
                    r.get::<_, i64>(0)?,
                    AssessmentRow {
                        version: r.get(1)?,
                        score: r.get(2)?,
                        benchmark: r.get(3)?,
                        summary: r.get(4)?,
                        assessed_by: r.get(5)?,
                        assessed_at: r.get(6)?,
                        findings: Vec::new(),
                        intervention,
                    },
                ))
            },
        )?;
        let mut out = Vec::new();
        for (id, mut a) in heads {
            let findings = self.query_rows(
                "SELECT f.id, c.code, c.label, f.weight, f.note FROM risk_finding f
                 JOIN risk_characteristic c ON c.id = f.characteristic_id
                 WHERE f.assessment_id = :id ORDER BY c.position",
                &[(":id", &id as &dyn ToSql)],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        FindingRow {
                            characteristic: r.get(1)?,
                            label: r.get(2)?,
                            weight: r.get(3)?,
                            note: r.get(4)?,
                            intelligence: Vec::new(),
                        },
                    ))
                },
            )?;
            for (fid, mut f) in findings {
                let sql = format!(
                    "SELECT i.urn FROM risk_evidence e JOIN intelligence i ON i.id = e.intelligence_id
                     WHERE e.finding_id = :fid AND {} ORDER BY e.id",
                    intelligence_visible("i")
                );
                f.intelligence =
                    self.query_rows(&sql, &with(viewer, &[(":fid", &fid as &dyn ToSql)]), |r| {
                        let text: String = r.get(0)?;
                        stored(0, |t| Urn::parse(UrnKind::Intelligence, t), &text)
                            .map(|u| u.to_string())
                    })?;
                a.findings.push(f);
            }
            out.push(a);
        }
        Ok(out)
    }

    /// The risk report (`ccu report risk`): every assessment of every
    /// subject the actor may see, oldest first by subject. Reading it is a
    /// consultation, logged (`view` of the report) before anything is read.
    pub fn risk_report(&mut self, actor: &Actor) -> Result<Vec<RiskReportRow>> {
        self.execute(actor, Command::ReadReport.into())?;
        let viewer = self.reader(actor, "risk assessments")?;
        let mut rows = Vec::new();
        let mut subjects = self.risk_rows(&viewer, None)?;
        subjects.sort_by(|a, b| a.staff_number.cmp(&b.staff_number));
        for s in subjects {
            for a in self.assessments(&viewer, &s.staff_number)? {
                rows.push(RiskReportRow {
                    staff_number: s.staff_number.to_string(),
                    name: s.name.clone(),
                    matrix_version: a.version,
                    score: a.score,
                    benchmark: a.benchmark,
                    at_or_over: a.score >= a.benchmark,
                    assessed_by: a.assessed_by,
                    assessed_at: a.assessed_at,
                    summary: a.summary,
                    intervention: a.intervention.as_ref().map(|i| i.kind.code().to_owned()),
                    intervention_rationale: a.intervention.as_ref().map(|i| i.rationale.clone()),
                    intervention_by: a.intervention.as_ref().map(|i| i.recorded_by.clone()),
                    findings: a.findings,
                });
            }
        }
        Ok(rows)
    }
}

/// One assessment in the risk report; the JSON field names are documented
/// in docs/reports.md and never renamed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RiskReportRow {
    pub staff_number: String,
    pub name: String,
    pub matrix_version: u32,
    pub score: u32,
    pub benchmark: u32,
    pub at_or_over: bool,
    pub assessed_by: String,
    /// UTC, RFC 3339.
    pub assessed_at: String,
    pub summary: String,
    pub intervention: Option<String>,
    pub intervention_rationale: Option<String>,
    pub intervention_by: Option<String>,
    pub findings: Vec<FindingRow>,
}
