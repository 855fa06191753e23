//! What the screens show, made from the case file's records: every string
//! from the case file passes `crate::sanitise::for_terminal` here, once, on
//! its way into the model, so nothing raw is ever left for rendering.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

use super::Area;
use crate::domain::intelligence::TriageStatus;
use crate::domain::operation::OperationStatus;
use crate::domain::subject::SubjectDetails;
use crate::sanitise::for_terminal;
use crate::store::{
    DueItem, IntelligenceRecord, IntelligenceRow, OperationRecord, OperationRow, SearchHit,
    SearchKind, SubjectRecord, SubjectRow,
};

/// Text from the case file made safe for the terminal.
pub fn shown(text: &str) -> String {
    for_terminal(text).into_owned()
}

/// A stored UTC time as UK local time, `dd/mm/yyyy HH:MM`.
pub fn uk_time(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => at
            .with_timezone(&London)
            .format("%d/%m/%Y %H:%M")
            .to_string(),
        Err(_) => shown(stored),
    }
}

/// A stored UTC time as a UK day, `dd/mm/yyyy`.
pub fn uk_day(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => at.with_timezone(&London).format("%d/%m/%Y").to_string(),
        Err(_) => shown(stored),
    }
}

/// The column headings of an area's list, in the order of the store's
/// column lists (which the runtime's sort and filter index into).
pub fn columns(area: Area) -> Vec<&'static str> {
    use crate::store::{IntelligenceColumn, OperationColumn, SubjectColumn};
    match area {
        Area::Dashboard => Vec::new(),
        Area::Intelligence => IntelligenceColumn::ALL.iter().map(|c| c.label()).collect(),
        Area::Subjects => SubjectColumn::ALL.iter().map(|c| c.label()).collect(),
        Area::Operations => OperationColumn::ALL.iter().map(|c| c.label()).collect(),
    }
}

/// How wide each column wants to be (0: it takes what is left, at least
/// 20), and how much it matters (0 most): on a narrow screen the columns
/// that matter least are left out.
pub fn widths(area: Area) -> &'static [(u16, u8)] {
    match area {
        Area::Dashboard => &[],
        Area::Intelligence => &[
            (14, 0),
            (10, 2),
            (14, 4),
            (7, 2),
            (16, 1),
            (12, 1),
            (0, 0),
            (12, 3),
        ],
        Area::Subjects => &[(9, 0), (0, 0), (13, 2), (12, 3), (14, 1), (10, 2), (10, 1)],
        Area::Operations => &[(12, 0), (14, 0), (12, 0), (18, 1), (9, 1), (10, 2), (10, 2)],
    }
}

/// One row of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// What opens it: a URN, a staff number or a codename (sanitised too,
    /// since it is shown; keys never contain characters the sanitiser
    /// changes, as the domain types refuse them).
    pub key: String,
    pub cells: Vec<String>,
}

pub fn intelligence_row(r: &IntelligenceRow) -> ListRow {
    ListRow {
        key: r.urn.clone(),
        cells: vec![
            shown(&r.urn),
            uk_day(&r.received_at),
            r.source_type.label().to_string(),
            r.grading.code(),
            r.category.label().to_string(),
            r.triage.label().to_string(),
            shown(&r.summary),
            shown(r.operation.as_deref().unwrap_or("")),
        ],
    }
}

pub fn subject_row(s: &SubjectRow) -> ListRow {
    ListRow {
        key: s.staff_number.to_string(),
        cells: vec![
            shown(s.staff_number.as_str()),
            shown(&s.name),
            shown(&s.rank_or_grade),
            s.employment_type.label().to_string(),
            shown(&s.department),
            s.vetting_level.label().to_string(),
            s.status.label().to_string(),
        ],
    }
}

pub fn operation_row(o: &OperationRow) -> ListRow {
    ListRow {
        key: o.codename.clone(),
        cells: vec![
            shown(&o.urn),
            shown(&o.codename),
            o.status.label().to_string(),
            o.category.label().to_string(),
            o.priority.label().to_string(),
            shown(&o.lead),
            uk_day(&o.opened_at),
        ],
    }
}

/// The record a detail pane shows, with what forms on it need.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailSource {
    Intelligence {
        urn: String,
        triage: TriageStatus,
    },
    Subject(SubjectDetails),
    Operation {
        codename: String,
        status: OperationStatus,
    },
}

/// One line of a detail pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailLine {
    Heading(String),
    Field(&'static str, String),
    Text(String),
    Blank,
}

/// An opened record.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub area: Area,
    pub key: String,
    pub title: String,
    pub source: DetailSource,
    pub lines: Vec<DetailLine>,
    pub scroll: u16,
}

/// Text that may run over several lines, each sanitised.
fn paragraph(lines: &mut Vec<DetailLine>, text: &str) {
    for line in text.lines() {
        lines.push(DetailLine::Text(shown(line)));
    }
}

pub fn intelligence_detail(r: &IntelligenceRecord) -> Detail {
    let row = &r.row;
    let mut lines = vec![
        DetailLine::Field("Summary", shown(&row.summary)),
        DetailLine::Field("Received", uk_time(&row.received_at)),
        DetailLine::Field("Source", row.source_type.label().to_string()),
        DetailLine::Field(
            "Source reference",
            shown(r.source_reference.as_deref().unwrap_or("-")),
        ),
        DetailLine::Field("Anonymous", yes_no(r.anonymous)),
        DetailLine::Field("Grading", row.grading.code()),
    ];
    if !row.grading.conditions().is_empty() {
        lines.push(DetailLine::Field(
            "Handling conditions",
            shown(row.grading.conditions()),
        ));
    }
    lines.extend([
        DetailLine::Field("Category", row.category.label().to_string()),
        DetailLine::Field("APSP", yes_no(row.apsp)),
        DetailLine::Field("Triage", row.triage.label().to_string()),
        DetailLine::Field("Operation", shown(row.operation.as_deref().unwrap_or("-"))),
        DetailLine::Field(
            "Recorded",
            format!("{} by {}", uk_time(&r.recorded_at), shown(&r.recorded_by)),
        ),
        DetailLine::Blank,
        DetailLine::Heading("Full text".into()),
    ]);
    paragraph(&mut lines, &r.full_text);
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Subjects ({})",
        r.subjects.len()
    )));
    for (staff, name) in &r.subjects {
        lines.push(DetailLine::Text(format!(
            "{}  {}",
            shown(staff),
            shown(name)
        )));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Triage history ({})",
        r.triage_history.len()
    )));
    for t in &r.triage_history {
        lines.push(DetailLine::Text(format!(
            "{}  {} → {}  by {}",
            uk_time(&t.decided_at),
            t.from.label(),
            t.to.label(),
            shown(&t.decided_by)
        )));
        paragraph(&mut lines, &format!("  {}", t.rationale));
    }
    Detail {
        area: Area::Intelligence,
        key: row.urn.clone(),
        title: shown(&row.urn),
        source: DetailSource::Intelligence {
            urn: row.urn.clone(),
            triage: row.triage,
        },
        lines,
        scroll: 0,
    }
}

pub fn subject_detail(r: &SubjectRecord) -> Detail {
    let d = &r.details;
    let mut lines = vec![
        DetailLine::Field("Name", shown(&d.name)),
        DetailLine::Field("Rank or grade", shown(&d.rank_or_grade)),
        DetailLine::Field("Employment", d.employment_type.label().to_string()),
        DetailLine::Field("Department", shown(&d.department)),
        DetailLine::Field("Role", shown(&d.role)),
        DetailLine::Field("Vulnerable contact", yes_no(d.vulnerable_contact)),
        DetailLine::Field("Vetting", d.vetting_level.label().to_string()),
        DetailLine::Field(
            "Vetting review",
            d.vetting_review
                .map(|r| r.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "-".into()),
        ),
        DetailLine::Field("Status", d.status.label().to_string()),
        DetailLine::Field("Recorded", uk_time(&r.created_at)),
        DetailLine::Blank,
        DetailLine::Heading(format!("Operations ({})", r.operations.len())),
    ];
    for o in &r.operations {
        lines.push(DetailLine::Text(format!(
            "{}  {}  {}",
            shown(&o.codename),
            o.status.label(),
            o.category.label()
        )));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Intelligence ({})",
        r.intelligence.len()
    )));
    for i in &r.intelligence {
        lines.push(DetailLine::Text(format!(
            "{}  {}  {}",
            shown(&i.urn),
            i.triage.label(),
            shown(&i.summary)
        )));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "History ({})",
        r.history.len()
    )));
    for h in &r.history {
        lines.push(DetailLine::Text(format!(
            "{}  {}  {}",
            uk_time(&h.at),
            shown(&h.actor),
            shown(&h.action)
        )));
    }
    Detail {
        area: Area::Subjects,
        key: d.staff_number.to_string(),
        title: format!("{}  {}", shown(d.staff_number.as_str()), shown(&d.name)),
        source: DetailSource::Subject(d.clone()),
        lines,
        scroll: 0,
    }
}

pub fn operation_detail(r: &OperationRecord, threshold: Option<String>) -> Detail {
    let o = &r.row;
    let mut lines = vec![
        DetailLine::Field("URN", shown(&o.urn)),
        DetailLine::Field("Status", o.status.label().to_string()),
        DetailLine::Field("Category", o.category.label().to_string()),
        DetailLine::Field("Priority", o.priority.label().to_string()),
        DetailLine::Field("Lead", shown(&o.lead)),
        DetailLine::Field("Opened", uk_time(&o.opened_at)),
    ];
    if let Some(t) = threshold {
        lines.push(DetailLine::Field("Threshold", t));
    }
    if let Some(closed) = &r.closed_at {
        lines.push(DetailLine::Field("Closed", uk_time(closed)));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading("Description".into()));
    paragraph(&mut lines, &r.description);
    if let Some(outcome) = &r.outcome {
        lines.push(DetailLine::Heading("Outcome".into()));
        paragraph(&mut lines, outcome);
    }
    if let Some(lessons) = &r.lessons_learned {
        lines.push(DetailLine::Heading("Lessons learned".into()));
        paragraph(&mut lines, lessons);
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Decision log ({})",
        r.decisions.len()
    )));
    for d in &r.decisions {
        let mut head = format!(
            "D{}  {}  {}",
            d.number,
            uk_time(&d.recorded_at),
            shown(&d.recorded_by)
        );
        if let Some(c) = d.corrects {
            head.push_str(&format!("  (corrects D{c})"));
        }
        if !d.corrected_by.is_empty() {
            let by: Vec<String> = d.corrected_by.iter().map(|n| format!("D{n}")).collect();
            head.push_str(&format!("  (corrected by {})", by.join(", ")));
        }
        lines.push(DetailLine::Text(head));
        paragraph(&mut lines, &format!("  Decision: {}", d.decision));
        paragraph(&mut lines, &format!("  Rationale: {}", d.rationale));
        if !d.alternatives.is_empty() {
            paragraph(&mut lines, &format!("  Alternatives: {}", d.alternatives));
        }
    }
    lines.push(DetailLine::Blank);
    let current: Vec<_> = r.team.iter().filter(|m| m.removed_at.is_none()).collect();
    lines.push(DetailLine::Heading(format!("Team ({})", current.len())));
    for m in &r.team {
        let mut line = format!(
            "{}  {}  {}",
            shown(&m.username),
            shown(&m.display_name),
            m.part.label()
        );
        if let Some(removed) = &m.removed_at {
            line.push_str(&format!("  (left {})", uk_day(removed)));
        }
        lines.push(DetailLine::Text(line));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Subjects ({})",
        r.subjects.len()
    )));
    for s in &r.subjects {
        lines.push(DetailLine::Text(format!(
            "{}  {}",
            shown(s.staff_number.as_str()),
            shown(&s.name)
        )));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Intelligence ({})",
        r.intelligence.len()
    )));
    for i in &r.intelligence {
        lines.push(DetailLine::Text(format!(
            "{}  {}  {}",
            shown(&i.urn),
            i.grading.code(),
            shown(&i.summary)
        )));
    }
    Detail {
        area: Area::Operations,
        key: o.codename.clone(),
        title: format!("Operation {}", shown(&o.codename)),
        source: DetailSource::Operation {
            codename: o.codename.clone(),
            status: o.status,
        },
        lines,
        scroll: 0,
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// A search result.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchLine {
    pub area: Area,
    pub key: String,
    pub kind: &'static str,
    pub title: String,
    pub snippet: String,
}

pub fn search_line(hit: &SearchHit) -> SearchLine {
    let (area, kind, key) = match hit.kind {
        SearchKind::Intelligence => (Area::Intelligence, "intelligence", hit.reference.clone()),
        SearchKind::Subject => (Area::Subjects, "subject", hit.reference.clone()),
        SearchKind::Operation => (Area::Operations, "operation", hit.reference.clone()),
        // A decision-log entry opens its operation: `CODENAME/D3`.
        SearchKind::Decision => (
            Area::Operations,
            "decision",
            hit.reference
                .split_once("/D")
                .map(|(c, _)| c.to_string())
                .unwrap_or_else(|| hit.reference.clone()),
        ),
    };
    SearchLine {
        area,
        key,
        kind,
        title: shown(&hit.title),
        snippet: shown(&hit.snippet),
    }
}

/// One entry of the diary on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueLine {
    pub when: String,
    pub overdue: bool,
    /// Due within a day (shown amber).
    pub soon: bool,
    pub reference: String,
    pub why: String,
}

pub fn due_line(item: &DueItem, now: DateTime<Utc>) -> DueLine {
    // Within the next 24 hours; an entry dated in the past that is not
    // overdue (a bid, dated when it was submitted) is plain.
    let soon = !item.overdue
        && DateTime::parse_from_rfc3339(&item.due_at)
            .map(|d| {
                let left = d.with_timezone(&Utc) - now;
                left >= chrono::Duration::zero() && left <= chrono::Duration::hours(24)
            })
            .unwrap_or(false);
    DueLine {
        when: uk_time(&item.due_at),
        overdue: item.overdue,
        soon,
        reference: shown(&item.reference),
        why: shown(&item.why),
    }
}

/// The dashboard's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardView {
    pub due: Vec<DueLine>,
    pub operations_by_status: Vec<(&'static str, u64)>,
    pub intelligence_by_triage: Vec<(&'static str, u64)>,
    pub year: i32,
    pub category_this_year: Vec<(&'static str, u64)>,
    /// The Monday of the first week in `weekly_intake`, `dd/mm/yyyy`.
    pub weeks_from: String,
    pub weekly_intake: Vec<u64>,
}
