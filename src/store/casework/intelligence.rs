//! Intelligence in the case file: recording, bulk import, triage, and the
//! queries screens use. Every query applies need-to-know.

use crate::store::Cached;
use crate::store::plumbing::{Page, next_urn, stored, stored_codename_or_none, stored_urn, with};
use rusqlite::{OptionalExtension, ToSql, params};
use serde_json::{Value, json};

use crate::domain::InvalidInput;
use crate::domain::intelligence::{Category, Grading, NewIntelligence, SourceType, TriageStatus};
use crate::domain::operation::Codename;
use crate::domain::subject::StaffNumber;
use crate::domain::text::Rationale;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::visibility::{self, Viewer, intelligence_visible};
use crate::store::write::{Actor, Applied, Ctx, Done, Fail};
use crate::store::{CaseFile, Command, Result, Viewed, format_timestamp};

/// Writes one item; returns its URN, the staff numbers that matched no
/// subject the user may see (not linked), and the audit details. With
/// `strict`, such a staff number refuses the whole item instead.
fn insert(
    ctx: &Ctx<'_>,
    item: &NewIntelligence,
    strict: bool,
) -> Result<(Urn, Vec<StaffNumber>, Value), Fail> {
    let urn = next_urn(ctx, UrnKind::Intelligence)?;
    ctx.tx.exec_cached(
        "INSERT INTO intelligence (urn, received_at, source_type, anonymous, source_reference,
             grading, handling_conditions, category, apsp, summary, full_text, triage,
             operation_id, recorded_at, recorded_by, source_person, source_person_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'new', NULL, ?12, ?13, ?14, ?15)",
        params![
            urn.to_string(),
            format_timestamp(item.received_at),
            item.source_type.code(),
            item.anonymous,
            item.source_reference,
            item.grading.code(),
            item.grading.conditions(),
            item.category.code(),
            item.apsp,
            item.summary,
            item.full_text,
            ctx.at,
            ctx.actor.id,
            item.source_person.as_ref().map(|p| p.as_recorded()),
            item.source_person.as_ref().map(|p| p.key()),
        ],
    )?;
    let id = ctx.tx.last_insert_rowid();
    let mut linked = Vec::new();
    let mut unknown = Vec::new();
    for staff in &item.subjects {
        let subject = match visibility::subject_to_link(ctx, staff) {
            Ok(None) if strict => return Err(visibility::missing_subject(staff).into()),
            Err(Fail::Hidden { .. }) if !strict => None,
            found => found?,
        };
        match subject {
            Some(subject_id) => {
                ctx.tx.exec_cached(
                    "INSERT INTO intelligence_subject (intelligence_id, subject_id) VALUES (?1, ?2)",
                    params![id, subject_id],
                )?;
                linked.push(staff.as_str());
            }
            None => unknown.push(staff.clone()),
        }
    }
    let details = json!({
        "urn": urn.to_string(),
        "received_at": format_timestamp(item.received_at),
        "source_type": item.source_type.code(),
        "anonymous": item.anonymous,
        "source_reference": item.source_reference,
        "source_person": item.source_person.as_ref().map(|p| p.as_recorded()),
        "grading": item.grading.code(),
        "category": item.category.code(),
        "apsp": item.apsp,
        "subjects": linked,
    });
    Ok((urn, unknown, details))
}

/// The URN of an item with this source reference that the user may see.
/// Recording and import ask only this (need-to-know): an item the importer may not see
/// is neither revealed nor matched, and the row is imported as a new item;
/// the supervisors' queue then names the reference the two share
/// ([`CaseFile::shared_source_references`]).
fn visibly_recorded(ctx: &Ctx<'_>, reference: &str) -> rusqlite::Result<Option<String>> {
    let viewer = Viewer::of(ctx);
    ctx.tx
        .row_cached(
            &format!(
                "SELECT i.urn FROM intelligence i
                 WHERE i.source_reference IS NOT NULL AND i.source_reference = :reference AND {}
                 ORDER BY i.id LIMIT 1",
                intelligence_visible("i")
            ),
            &with(&viewer, &[(":reference", &reference as &dyn ToSql)])[..],
            |r| r.get(0),
        )
        .optional()
}

pub(in crate::store) fn record(
    ctx: &Ctx<'_>,
    item: NewIntelligence,
    _: Option<&str>,
) -> Result<Applied, Fail> {
    // As at import: only an item the user may see is a duplicate. One they
    // may not see is neither named nor hinted at (saying "already
    // recorded" would confirm it exists); the item is recorded as new, and
    // the supervisors' queue names the reference the two share.
    if let Some(reference) = &item.source_reference
        && let Some(urn) = visibly_recorded(ctx, reference)?
    {
        return Err(InvalidInput::new(
            "source reference",
            format!("'{reference}' is already recorded as {urn}"),
        )
        .into());
    }
    let (urn, _, details) = insert(ctx, &item, true)?;
    Ok(Applied {
        entity_type: "intelligence",
        entity_ref: urn.to_string(),
        details,
    })
}

/// The outcome of a bulk import, as recorded in its audit event and
/// returned by the command (`Done::Imported`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// URNs of the items added, in file order.
    pub imported: Vec<Urn>,
    /// Source references of items already in the case file that the
    /// importer may see, so not added again. One that only an item the
    /// importer may not see carries is imported as a new item.
    pub already_imported: Vec<String>,
    /// (source reference, staff number) pairs that matched no subject; the
    /// item was imported without that link.
    pub unknown_staff_numbers: Vec<(String, String)>,
}

pub(in crate::store) fn import(
    ctx: &Ctx<'_>,
    label: &str,
    items: Vec<NewIntelligence>,
) -> Result<(Applied, Done), Fail> {
    let mut imported = Vec::new();
    let mut already = Vec::new();
    let mut unknown = Vec::new();
    for item in &items {
        let reference = item.source_reference.clone().ok_or_else(|| {
            InvalidInput::new(
                "source reference",
                "every imported item needs its source reference",
            )
        })?;
        if visibly_recorded(ctx, &reference)?.is_some() {
            already.push(reference);
            continue;
        }
        let (urn, unlinked, mut details) = insert(ctx, item, false)?;
        details["import"] = json!(label);
        ctx.event(
            "intelligence.record",
            "intelligence",
            &urn.to_string(),
            details,
        )?;
        for staff in unlinked {
            unknown.push((reference.clone(), staff.as_str().to_owned()));
        }
        imported.push(urn);
    }
    let unknown_numbers: Vec<Value> = unknown
        .iter()
        .map(|(reference, staff)| json!({ "source_reference": reference, "staff_number": staff }))
        .collect();
    let applied = Applied {
        entity_type: "import",
        entity_ref: label.to_owned(),
        details: json!({
            "file": label,
            "rows": items.len(),
            "imported": imported,
            "already_imported": already,
            "unknown_staff_numbers": unknown_numbers,
        }),
    };
    let report = ImportReport {
        imported,
        already_imported: already,
        unknown_staff_numbers: unknown,
    };
    Ok((applied, Done::Imported(report)))
}

/// Links a subject the user may see to an item they may see. A subject
/// they may not see is refused as if there were none.
pub(in crate::store) fn link_subject(
    ctx: &Ctx<'_>,
    urn: &Urn,
    staff: &StaffNumber,
) -> Result<Applied, Fail> {
    let (id, _) = visibility::intelligence(ctx, urn)?;
    let subject = visibility::subject_to_link(ctx, staff)?
        .ok_or_else(|| Fail::from(visibility::missing_subject(staff)))?;
    let linked = ctx.tx.exec_cached(
        "INSERT OR IGNORE INTO intelligence_subject (intelligence_id, subject_id) VALUES (?1, ?2)",
        params![id, subject],
    )?;
    if linked == 0 {
        return Err(
            InvalidInput::new("subjects", format!("{urn} already concerns {staff}")).into(),
        );
    }
    Ok(Applied {
        entity_type: "intelligence",
        entity_ref: urn.to_string(),
        details: json!({ "subject": staff.as_str() }),
    })
}

pub(in crate::store) fn triage(
    ctx: &Ctx<'_>,
    urn: Urn,
    to: TriageStatus,
    operation: Option<Codename>,
    rationale: &Rationale,
) -> Result<Applied, Fail> {
    let rationale = rationale.as_str();
    let (id, current) = visibility::intelligence(ctx, &urn)?;
    let from = TriageStatus::parse(&current)?;
    from.transition(to)?;
    let operation_id = match (to, &operation) {
        (TriageStatus::LinkedToOperation, Some(codename)) => {
            let op = visibility::operation(ctx, codename)?;
            if op.status == crate::domain::operation::OperationStatus::Closed {
                return Err(InvalidInput::new(
                    "operation",
                    format!(
                        "{codename} is closed; intelligence cannot be linked to a closed operation"
                    ),
                )
                .into());
            }
            Some(op.id)
        }
        (TriageStatus::LinkedToOperation, None) => {
            return Err(
                InvalidInput::new("operation", "name the operation to link the item to").into(),
            );
        }
        (_, Some(_)) => {
            return Err(
                InvalidInput::new("operation", "only a link to an operation names one").into(),
            );
        }
        (_, None) => None,
    };
    ctx.tx.exec_cached(
        "UPDATE intelligence SET triage = ?2, operation_id = ?3 WHERE id = ?1",
        params![id, to.code(), operation_id],
    )?;
    ctx.tx.exec_cached(
        "INSERT INTO triage_decision (intelligence_id, from_status, to_status, operation_id,
                                      rationale, decided_at, decided_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            from.code(),
            to.code(),
            operation_id,
            rationale,
            ctx.at,
            ctx.actor.id
        ],
    )?;
    Ok(Applied {
        entity_type: "intelligence",
        entity_ref: urn.to_string(),
        details: json!({
            "before": { "triage": from.code() },
            "after": { "triage": to.code(), "operation": operation.map(|c| c.to_string()) },
            "rationale": rationale,
        }),
    })
}

/// An intelligence item in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntelligenceRow {
    pub urn: Urn,
    pub received_at: String,
    pub source_type: SourceType,
    pub grading: Grading,
    pub category: Category,
    pub apsp: bool,
    pub triage: TriageStatus,
    pub summary: String,
    /// The codename of the operation it is linked to.
    pub operation: Option<Codename>,
}

/// The codename of the operation intelligence row `i` is linked to, as SQL
/// (a macro so that [`ROW_COLUMNS`] and the list sorts share one text).
macro_rules! linked_codename {
    () => {
        "(SELECT codename FROM operation WHERE id = i.operation_id)"
    };
}
pub(super) use linked_codename;

pub(super) const ROW_COLUMNS: &str = concat!(
    "i.urn, i.received_at, i.source_type, i.grading,
    i.handling_conditions, i.category, i.apsp, i.triage, i.summary, ",
    linked_codename!()
);

pub(super) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IntelligenceRow> {
    let conditions: String = r.get(4)?;
    Ok(IntelligenceRow {
        urn: stored_urn(r, 0, UrnKind::Intelligence)?,
        received_at: r.get(1)?,
        source_type: stored(2, SourceType::parse, &r.get::<_, String>(2)?)?,
        grading: stored(
            3,
            |g| Grading::from_stored(g, &conditions),
            &r.get::<_, String>(3)?,
        )?,
        category: stored(5, Category::parse, &r.get::<_, String>(5)?)?,
        apsp: r.get(6)?,
        triage: stored(7, TriageStatus::parse, &r.get::<_, String>(7)?)?,
        summary: r.get(8)?,
        operation: stored_codename_or_none(r, 9)?,
    })
}

/// One triage decision: who, when, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageEntry {
    pub from: TriageStatus,
    pub to: TriageStatus,
    pub operation: Option<Codename>,
    pub rationale: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// An intelligence item opened in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntelligenceRecord {
    pub row: IntelligenceRow,
    pub anonymous: bool,
    pub source_reference: Option<String>,
    /// The named person it came from, as recorded.
    pub source_person: Option<String>,
    pub full_text: String,
    /// (staff number, name) of the subjects it concerns that may be seen.
    pub subjects: Vec<(String, String)>,
    pub triage_history: Vec<TriageEntry>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A source reference that more than one item carries: typically an import
/// matched no item the importer could see while an item hidden from them
/// has it. Shown in the supervisors' queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedReference {
    pub source_reference: String,
    /// The URNs of the items that carry it (those the user may see), in
    /// the order they were recorded.
    pub urns: Vec<Urn>,
    /// When the latest of them was recorded.
    pub latest_recorded_at: String,
}

/// How many shared source references a queue shows at most.
pub const SHARED_REFERENCES_SHOWN: u64 = 50;

impl CaseFile {
    /// Intelligence the actor may see, newest first.
    pub fn intelligence_items(
        &mut self,
        actor: &Actor,
        page: Page,
    ) -> Result<Vec<IntelligenceRow>> {
        let viewer = self.reader(actor, "intelligence")?;
        let (offset, limit) = (page.offset as i64, page.limit.min(i64::MAX as u64) as i64);
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM intelligence i WHERE {}
             ORDER BY i.received_at DESC, i.id DESC LIMIT :limit OFFSET :offset",
            intelligence_visible("i")
        );
        let params = with(&viewer, &[(":limit", &limit), (":offset", &offset)]);
        self.query_rows(&sql, &params, row)
    }

    /// How many intelligence items the actor may see.
    pub fn intelligence_count(&mut self, actor: &Actor) -> Result<u64> {
        let viewer = self.reader(actor, "intelligence")?;
        let sql = format!(
            "SELECT count(*) FROM intelligence i WHERE {}",
            intelligence_visible("i")
        );
        let n: i64 = self
            .conn
            .query_row(&sql, &viewer.params()[..], |r| r.get(0))
            .map_err(|e| self.sqlite_err(e))?;
        Ok(n as u64)
    }

    /// Opens an item in full; the consultation is audited (`view`).
    pub fn open_intelligence(&mut self, actor: &Actor, urn: &Urn) -> Result<IntelligenceRecord> {
        self.execute(actor, Command::View(Viewed::Intelligence(*urn)))?;
        let viewer = self.reader(actor, "intelligence")?;
        let urn_text = urn.to_string();
        let sql = format!(
            "SELECT {ROW_COLUMNS}, i.anonymous, i.source_reference, i.full_text,
                    (SELECT username FROM user_account WHERE id = i.recorded_by), i.recorded_at, i.id,
                    i.source_person
             FROM intelligence i WHERE i.urn = :urn"
        );
        let (row, id) = self
            .conn
            .query_row(&sql, &[(":urn", &urn_text as &dyn ToSql)][..], |r| {
                Ok((
                    IntelligenceRecord {
                        row: row(r)?,
                        anonymous: r.get(10)?,
                        source_reference: r.get(11)?,
                        source_person: r.get(16)?,
                        full_text: r.get(12)?,
                        subjects: Vec::new(),
                        triage_history: Vec::new(),
                        recorded_by: r.get(13)?,
                        recorded_at: r.get(14)?,
                    },
                    r.get::<_, i64>(15)?,
                ))
            })
            .map_err(|e| self.sqlite_err(e))?;
        let mut record = row;
        let subjects_sql = format!(
            "SELECT s.staff_number, s.name FROM intelligence_subject x JOIN subject s ON s.id = x.subject_id
             WHERE x.intelligence_id = :id AND {} ORDER BY s.staff_number",
            crate::store::visibility::subject_visible("s")
        );
        record.subjects = self.query_rows(&subjects_sql, &with(&viewer, &[(":id", &id)]), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        record.triage_history = self.query_rows(
            "SELECT t.from_status, t.to_status, (SELECT codename FROM operation WHERE id = t.operation_id),
                    t.rationale, (SELECT username FROM user_account WHERE id = t.decided_by), t.decided_at
             FROM triage_decision t WHERE t.intelligence_id = :id ORDER BY t.id",
            &[(":id", &id as &dyn ToSql)],
            |r| {
                Ok(TriageEntry {
                    from: stored(0, TriageStatus::parse, &r.get::<_, String>(0)?)?,
                    to: stored(1, TriageStatus::parse, &r.get::<_, String>(1)?)?,
                    operation: stored_codename_or_none(r, 2)?,
                    rationale: r.get(3)?,
                    decided_by: r.get(4)?,
                    decided_at: r.get(5)?,
                })
            },
        )?;
        Ok(record)
    }

    /// Source references that two or more items the actor may see carry,
    /// in reference order, at most `limit`. Read off the index on
    /// (source_reference, id, operation_id): grouped in the index's order,
    /// so it stops after `limit` references, and need-to-know reads the
    /// index too. Then each reference's items, by the same index.
    pub fn shared_source_references(
        &mut self,
        actor: &Actor,
        limit: u64,
    ) -> Result<Vec<SharedReference>> {
        let viewer = self.reader(actor, "intelligence")?;
        let limit = limit.min(i64::MAX as u64) as i64;
        let sql = format!(
            "SELECT i.source_reference FROM intelligence i INDEXED BY intelligence_by_source_reference
             WHERE i.source_reference IS NOT NULL AND {}
             GROUP BY i.source_reference HAVING count(*) > 1
             ORDER BY i.source_reference LIMIT :limit",
            intelligence_visible("i")
        );
        let references: Vec<String> =
            self.query_rows(&sql, &with(&viewer, &[(":limit", &limit)]), |r| r.get(0))?;
        let items_sql = format!(
            "SELECT i.urn, i.recorded_at FROM intelligence i INDEXED BY intelligence_by_source_reference
             WHERE i.source_reference IS NOT NULL AND i.source_reference = :reference AND {}
                 ORDER BY i.id",
            intelligence_visible("i")
        );
        let mut shared = Vec::with_capacity(references.len());
        for reference in references {
            let items: Vec<(Urn, String)> = self.query_rows(
                &items_sql,
                &with(&viewer, &[(":reference", &reference)]),
                |r| Ok((stored_urn(r, 0, UrnKind::Intelligence)?, r.get(1)?)),
            )?;
            let latest_recorded_at = items
                .iter()
                .map(|(_, at)| at.clone())
                .max()
                .unwrap_or_default();
            shared.push(SharedReference {
                source_reference: reference,
                urns: items.into_iter().map(|(urn, _)| urn).collect(),
                latest_recorded_at,
            });
        }
        Ok(shared)
    }

    /// Records a bulk import in one transaction and reports what happened.
    pub fn import_intelligence(
        &mut self,
        actor: &Actor,
        label: &str,
        items: Vec<NewIntelligence>,
    ) -> Result<ImportReport> {
        let done = self.execute(
            actor,
            Command::ImportIntelligence {
                label: label.to_owned(),
                items,
            },
        )?;
        match done.result {
            Done::Imported(report) => Ok(report),
            _ => unreachable!("an import reports what it imported"),
        }
    }

    /// Runs a query with named parameters and collects its rows.
    pub(in crate::store) fn query_rows<T>(
        &self,
        sql: &str,
        params: &[(&str, &dyn ToSql)],
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sqlite_err(e))?;
        let rows = stmt
            .query_map(params, map)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>());
        drop(stmt);
        rows.map_err(|e| self.sqlite_err(e))
    }
}
