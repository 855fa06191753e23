//! The audit viewer: the trail, newest first, filtered by its own form,
//! paged from anchors it keeps, and its chain verified a stretch at a time
//! while it is open.

area! {
    tab: 90,
    go: "go_audit", "Go to the audit trail",
}

use chrono::{DateTime, Utc};

use super::kind::{AreaKind, FixedOrder, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::audit_filter::{AuditFilter, event_number};
use crate::app::form::{Field, Form, Submission, parse_form_date};
use crate::app::list::{Column, ListSpec, SortKey};
use crate::app::view::{DetailLine, ListRow, shown, uk_time};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::operation::Codename;
use crate::domain::permission::{self, permits};
use crate::domain::role::RoleSet;
use crate::domain::time::uk_date;
use crate::store::{self, CaseFile, Page};
use crate::store::{Command, ExportRequest};

pub struct Audit;

/// How many audit events one step of verification checks: small enough
/// that a step stays well within a frame (about 5 ms at 180,000 events a
/// second), so keys are answered at once while a long trail is verified.
/// The event loop runs the steps back to back (`App::working`).
pub const VERIFY_STEP: u32 = 1_000;

/// How far past a known page start a page may begin and still be read
/// from it rather than by offset.
const ANCHOR_REACH: u64 = 5_000;

/// How far the audit viewer has verified the chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainStatus {
    pub verified_through: i64,
    pub total: i64,
    /// The first break: its seq and what is wrong.
    pub broken: Option<(i64, String)>,
    pub done: bool,
}

/// How far verification of the audit chain has got, kept while the
/// application runs, so that opening the trail again resumes it.
#[derive(Default)]
pub struct Verifier {
    cursor: Option<store::ChainCursor>,
}

impl Verifier {
    /// Verification carries on from where it stopped the last time the
    /// trail was open: what was verified stays so.
    pub fn resume(&mut self) {
        self.cursor = Some(self.cursor.take().unwrap_or_default().resumed());
    }

    /// Verifies the next stretch of the chain.
    pub fn step(&mut self, casefile: &CaseFile) -> Result<ChainStatus, Unopened> {
        let Some(cursor) = self.cursor.take() else {
            return Err(Unopened::Nothing("the audit trail is not open".into()));
        };
        let progress = casefile.verify_chain_step(cursor, VERIFY_STEP)?;
        self.cursor = Some(progress.cursor);
        Ok(ChainStatus {
            verified_through: progress.verified_through,
            total: progress.total,
            broken: progress.broken.map(|(seq, problem)| (seq, shown(&problem))),
            done: progress.done,
        })
    }
}

impl AreaKind for Audit {
    type Record = ();
    const TITLE: &'static str = "Audit trail";
    const SHORT_TITLE: &'static str = "Audit";
    const FIXED_ORDER: Option<FixedOrder> = Some(FixedOrder {
        label: "newest first",
        why: "The audit trail is shown in the order it was recorded, newest first.",
    });
    const VERIFIES_CHAIN: bool = true;
    const LIST_HINTS: &'static [Action] = &[
        Action::Open,
        Action::Filter,
        Action::ClearFilter,
        Action::JumpToEvent,
        Action::Help,
        Action::Quit,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::new("Seq", 8, 0, SortKey::Number),
            Column::new("Time", 16, 0, SortKey::Date),
            Column::text("User", 12, 0),
            Column::text("Action", 20, 0),
            Column::text("Record", 0, 1),
            Column::text("Outcome", 8, 0),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        audit_page(r, &spec.audit, page)
    }

    fn open(_: &mut Reader, key: &str) -> Result<Opened<()>, Unopened> {
        Err(Unopened::Nothing(format!(
            "event {key}: open it from the list"
        )))
    }

    fn filter_form(spec: &ListSpec) -> Option<Form> {
        Some(Form::audit_filter(&spec.audit))
    }

    fn open_row(row: &ListRow) -> Option<Opened<()>> {
        Some(audit_detail(row))
    }

    fn list_form(action: Action, context: &FormContext) -> RecordForm {
        let signs = context.roles.iter().any(|r| {
            RoleSet::new([*r]).is_ok_and(|one| permits(&one, permission::Action::ReadAuditTrail))
        });
        match action {
            Action::ExportBundle | Action::Checkpoint if !signs => RecordForm::Refuse(format!(
                "{}: for auditors and supervisors",
                action.description()
            )),
            Action::ExportBundle => RecordForm::Make(Form::built_by(
                "Export a bundle for oversight (empty filters: the whole trail)",
                vec![
                    Field::line("folder", true, "")
                        .with_hint("a new folder; a name alone goes beside the case file"),
                    Field::date("from", false, ""),
                    Field::date("to", false, ""),
                    Field::line("operation", false, "")
                        .with_hint("codename: events about it and its records"),
                    Field::line("user", false, ""),
                ],
                export_bundle,
            )),
            Action::Checkpoint => RecordForm::Confirm {
                question: "Sign a checkpoint of the whole audit trail as it stands? It is recorded in the trail."
                    .into(),
                command: Command::RecordCheckpoint,
            },
            Action::VerifyBundle => RecordForm::Make(Form::built_by(
                "Verify an export bundle",
                vec![
                    Field::line("folder", true, "")
                        .with_hint("the bundle's folder; a name alone is beside the case file"),
                    Field::line("public key", false, "")
                        .with_hint("empty: this case file's own key (ccu audit pubkey)"),
                    Field::line("earlier checkpoint", false, "")
                        .with_hint("a file: a checkpoint the bundle's must extend"),
                ],
                verify_bundle,
            )),
            Action::JumpToEvent => RecordForm::Make(Form::built_by(
                "Go to an audit event",
                vec![Field::line("event", true, "")
                    .with_hint("its number: the trail is shown from it back")],
                jump,
            )),
            _ => RecordForm::NotHere,
        }
    }
}

fn export_bundle(form: &Form, now: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let v = |id: &str| form.value(id);
    let opt = |id: &str| Some(v(id)).filter(|s| !s.trim().is_empty());
    let day = |id: &'static str| {
        opt(id)
            .map(|d| parse_form_date(id, &d, uk_date(now)))
            .transpose()
    };
    let (from, to) = (day("from")?, day("to")?);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(InvalidInput::new("to", "is before from"));
    }
    Ok(Submission::Command(Command::ExportAudit(ExportRequest {
        out: std::path::PathBuf::from(v("folder").trim()),
        from,
        to,
        operation: opt("operation")
            .map(|c| Codename::parse(&c).map_err(|e| InvalidInput::new("operation", e.message)))
            .transpose()?,
        user: opt("user")
            .map(|u| Username::parse(&u).map_err(|e| InvalidInput::new("user", e.message)))
            .transpose()?,
    })))
}

fn verify_bundle(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let v = |id: &str| form.value(id).trim().to_owned();
    Ok(Submission::VerifyBundle {
        dir: std::path::PathBuf::from(v("folder")),
        key: Some(v("public key")).filter(|k| !k.is_empty()),
        since: Some(v("earlier checkpoint"))
            .filter(|s| !s.is_empty())
            .map(std::path::PathBuf::from),
    })
}

fn jump(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    Ok(Submission::AuditFilter(AuditFilter {
        through: Some(event_number("event", &form.value("event"))?),
        ..AuditFilter::default()
    }))
}

/// The audit viewer's filter as the case file takes it.
fn audit_query(f: &AuditFilter) -> store::Result<store::AuditQuery> {
    Ok(store::AuditQuery {
        operation: f.operation.as_deref().map(Codename::parse).transpose()?,
        user: f.user.clone(),
        action: f.action.clone(),
        from: f.from,
        to: f.to,
        outcome: f.outcome.clone(),
        through: f.through,
    })
}

/// A page of the audit trail, newest first, as the viewer's filter asks.
/// Beyond the columns shown, each row carries the event's roles, its time
/// in full and its details, so opening it needs no second read. Pages are
/// read from the nearest page start already read, not by offset (slow a
/// million events deep).
fn audit_page(
    r: &mut Reader,
    filter: &AuditFilter,
    page: Page,
) -> store::Result<(u64, Vec<ListRow>)> {
    let (casefile, actor) = (&mut *r.casefile, r.actor);
    let query = audit_query(filter)?;
    let total = casefile.audit_total(actor, &query)?;
    let known = r.anchors.for_list(filter, total);
    // The nearest known event at or above the page's start (read down
    // from it), or else below the page's end (read up from it).
    let above = known
        .range(..=page.offset)
        .next_back()
        .filter(|(at, _)| page.offset - **at <= ANCHOR_REACH)
        .map(|(at, seq)| (*at, *seq));
    let end = (page.offset + page.limit).min(total);
    let below = known
        .range(end..)
        .next()
        .filter(|(at, _)| **at - end <= ANCHOR_REACH)
        .map(|(at, seq)| (*at, *seq));
    // Each way reads the rows between the known event and the page too:
    // take the nearer.
    let (above, below) = match (above, below) {
        (Some(a), Some(b)) if b.0 - end < page.offset - a.0 => (None, Some(b)),
        other => other,
    };
    let events = match (above, below) {
        (Some((at, seq)), _) => {
            let skip = (page.offset - at) as usize;
            let mut rows = casefile.audit_page_before(
                actor,
                &query,
                Some(seq + 1),
                skip as u64 + page.limit,
            )?;
            rows.drain(..skip.min(rows.len()));
            rows
        }
        (None, Some((at, seq))) => {
            // Events newer than the known one, nearest first: the page is
            // the top `limit` of the `at - offset` read.
            let mut rows = casefile.audit_page_after(actor, &query, seq, at - page.offset)?;
            rows.truncate(page.limit as usize);
            rows
        }
        (None, None) => casefile.audit_page(actor, &query, page)?,
    };
    if let Some(first) = events.first() {
        known.insert(page.offset, first.seq);
    }
    if let Some(last) = events.last() {
        known.insert(page.offset + events.len() as u64 - 1, last.seq);
    }
    let rows = events
        .into_iter()
        .map(|e| ListRow {
            key: e.seq.to_string(),
            cells: vec![
                e.seq.to_string(),
                uk_time(&e.at),
                shown(&e.actor),
                shown(&e.action),
                shown(&format!("{} {}", e.entity_type, e.entity_ref)),
                shown(&e.outcome),
                shown(&e.actor_roles),
                shown(&e.at),
                shown(&e.details),
            ],
        })
        .collect();
    Ok((total, rows))
}

/// An audit event opened from the viewer's list (whose row carries the
/// event's roles, full time and details beyond the columns shown).
pub fn audit_detail(row: &ListRow) -> Opened<()> {
    let cell = |i: usize| row.cells.get(i).cloned().unwrap_or_default();
    let mut lines = vec![
        DetailLine::Field("Seq", cell(0)),
        DetailLine::Field("Time (UK)", cell(1)),
        DetailLine::Field("Time (UTC)", cell(7)),
        DetailLine::Field("User", cell(2)),
        DetailLine::Field("Their roles", cell(6)),
        DetailLine::Field("Action", cell(3)),
        DetailLine::Field("Record", cell(4)),
        DetailLine::Field("Outcome", cell(5)),
        DetailLine::Blank,
        DetailLine::Heading("Details".into()),
    ];
    // The details were sanitised as a whole; lay the JSON out for reading.
    let details = cell(8);
    match serde_json::from_str::<serde_json::Value>(&details) {
        Ok(value) => {
            let pretty = serde_json::to_string_pretty(&value).unwrap_or(details);
            for line in pretty.lines() {
                lines.push(DetailLine::Text(shown(line)));
            }
        }
        Err(_) => lines.push(DetailLine::Text(details)),
    }
    Opened {
        key: row.key.clone(),
        title: format!("Audit event {}", row.key),
        record: (),
        lines,
        chart: Vec::new(),
    }
}
