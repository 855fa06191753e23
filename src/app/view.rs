//! What the screens show, made from the case file's records: every string
//! from the case file passes `crate::sanitise::for_terminal` here, once, on
//! its way into the model, so nothing raw is ever left for rendering.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

use super::Area;
use crate::domain::bid::BidStatus;
use crate::domain::covert::AuthorisationStatus;
use crate::domain::intelligence::TriageStatus;
use crate::domain::operation::OperationStatus;
use crate::domain::subject::SubjectDetails;
use crate::sanitise::for_terminal;
use crate::store::{
    BidRecord, BidRow, CentralRecordEntry, DueItem, IntelligenceRecord, IntelligenceRow,
    OperationRecord, OperationRow, ReferralRow, SearchHit, SearchKind, SubjectRecord, SubjectRow,
    ThresholdHistory,
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

/// An optional value shown through `show`, or `-` when there is none.
fn or_dash(value: Option<&str>, show: fn(&str) -> String) -> String {
    value.map(show).unwrap_or_else(|| "-".into())
}

/// A stored calendar day (`yyyy-mm-dd`) as `dd/mm/yyyy`.
pub fn iso_day(stored: &str) -> String {
    match chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
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
        Area::Bids => vec![
            "URN",
            "Operation",
            "Status",
            "Lines",
            "Drafted by",
            "Submitted",
        ],
        Area::Authorisations => vec![
            "URN",
            "Type",
            "Status",
            "Operation",
            "Last day",
            "Review due",
            "Involved",
        ],
        Area::Referrals => vec![
            "URN",
            "Operation",
            "Matter",
            "Criterion",
            "Deadline",
            "Status",
        ],
        Area::Queue => vec!["Waiting", "Reference", "Operation", "Since or due"],
        Area::Audit => vec!["Seq", "Time", "User", "Action", "Record", "Outcome"],
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
        Area::Bids => &[(13, 0), (14, 0), (10, 0), (5, 2), (12, 1), (10, 1)],
        Area::Authorisations => &[(14, 0), (22, 0), (10, 0), (12, 1), (10, 0), (10, 1), (8, 0)],
        Area::Referrals => &[(13, 0), (12, 0), (10, 2), (18, 1), (16, 0), (9, 0)],
        Area::Queue => &[(0, 0), (14, 0), (12, 0), (16, 0)],
        Area::Audit => &[(8, 0), (16, 0), (12, 0), (20, 0), (0, 1), (8, 0)],
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
    Bid {
        urn: String,
        codename: String,
        status: BidStatus,
        /// (number, what, quantity asked) per line.
        lines: Vec<(u32, String, f64)>,
    },
    Authorisation {
        urn: String,
        codename: String,
        status: AuthorisationStatus,
    },
    Referral {
        urn: String,
        operation: Option<String>,
        status: String,
    },
    AuditEvent,
}

/// One line of a detail pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailLine {
    Heading(String),
    Field(&'static str, String),
    /// A moment shown with the time left until it (or since it), counted
    /// from the screen's clock as it is drawn.
    Countdown(&'static str, DateTime<Utc>),
    /// A field that must stand out (a flag such as "directly involved").
    Warning(&'static str, String),
    Text(String),
    Blank,
}

/// One resource in one week, for the capacity chart of a bid.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityBar {
    pub resource: String,
    /// `dd/mm`, the Monday of the week.
    pub week: String,
    pub committed_elsewhere: f64,
    pub this_bid: f64,
    pub capacity: f64,
    pub over: bool,
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
    /// A bid's committed-against-capacity chart.
    pub chart: Vec<CapacityBar>,
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
        chart: Vec::new(),
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
    if let Some((at, by)) = &r.consultations.last {
        lines.push(DetailLine::Text(format!(
            "Consulted {} times, last {} by {} (each is in the audit trail)",
            r.consultations.count,
            uk_time(at),
            shown(by)
        )));
    }
    Detail {
        area: Area::Subjects,
        key: d.staff_number.to_string(),
        title: format!("{}  {}", shown(d.staff_number.as_str()), shown(&d.name)),
        source: DetailSource::Subject(d.clone()),
        lines,
        scroll: 0,
        chart: Vec::new(),
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
        chart: Vec::new(),
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
    /// The record it is about (a URN or a codename), to open it.
    pub key: String,
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
        key: item.reference.clone(),
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
    /// Authorisations in effect, soonest end first: URN, type, the end
    /// (exclusive) and the last day it covers, `dd/mm/yyyy`.
    pub in_effect: Vec<(String, String, DateTime<Utc>, String)>,
    pub operations_by_status: Vec<(&'static str, u64)>,
    pub intelligence_by_triage: Vec<(&'static str, u64)>,
    pub year: i32,
    pub category_this_year: Vec<(&'static str, u64)>,
    /// The Monday of the first week in `weekly_intake`, `dd/mm/yyyy`.
    pub weeks_from: String,
    pub weekly_intake: Vec<u64>,
}

fn stored_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A time as `dd/mm/yyyy HH:MM` with the time left or past, from `now`.
pub fn countdown(at: DateTime<Utc>, now: DateTime<Utc>) -> (String, bool) {
    let shown = at
        .with_timezone(&London)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let past = at <= now;
    let span = if past { now - at } else { at - now };
    let (d, h, m) = (
        span.num_days(),
        span.num_hours() % 24,
        span.num_minutes() % 60,
    );
    let amount = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    };
    if past {
        (format!("{shown} ({amount} ago)"), true)
    } else {
        (format!("{shown} (in {amount})"), false)
    }
}

/// Threshold history on an operation's page.
pub fn threshold_lines(history: &ThresholdHistory) -> Vec<DetailLine> {
    let mut lines = vec![
        DetailLine::Blank,
        DetailLine::Heading(format!("Threshold decisions ({})", history.entries.len())),
    ];
    for e in &history.entries {
        lines.push(DetailLine::Text(format!(
            "T{}  proposed {} by {}",
            e.number,
            uk_time(&e.proposed_at),
            shown(&e.proposed_by)
        )));
        for (name, value) in e.criteria.named() {
            if !value.is_empty() {
                paragraph(&mut lines, &format!("  {name}: {value}"));
            }
        }
        lines.push(DetailLine::Text(format!(
            "  review by {}",
            e.criteria.review_date.format("%d/%m/%Y")
        )));
        match &e.decision {
            Some(d) => {
                lines.push(DetailLine::Text(format!(
                    "  DECIDED {}: {} by {}",
                    d.outcome.label(),
                    uk_time(&d.decided_at),
                    shown(&d.decided_by)
                )));
                paragraph(&mut lines, &format!("  Rationale: {}", d.rationale));
            }
            None => lines.push(DetailLine::Text(
                "  awaiting a supervisor's decision".into(),
            )),
        }
    }
    lines
}

pub fn bid_row(b: &BidRow) -> ListRow {
    ListRow {
        key: b.urn.clone(),
        cells: vec![
            shown(&b.urn),
            shown(&b.codename),
            b.status.label().to_string(),
            b.lines.to_string(),
            shown(&b.created_by),
            b.submitted_at.as_deref().map(uk_day).unwrap_or_default(),
        ],
    }
}

pub fn bid_detail(r: &BidRecord) -> Detail {
    let b = &r.row;
    let mut lines = vec![
        DetailLine::Field("Operation", shown(&b.codename)),
        DetailLine::Field("Status", b.status.label().to_string()),
        DetailLine::Field(
            "Threshold",
            r.threshold
                .map(|t| t.label().to_string())
                .unwrap_or_else(|| "none decided".into()),
        ),
        DetailLine::Field(
            "Drafted",
            format!("{} by {}", uk_time(&b.created_at), shown(&b.created_by)),
        ),
        DetailLine::Field("Submitted", or_dash(b.submitted_at.as_deref(), uk_time)),
        DetailLine::Blank,
        DetailLine::Heading("Justification".into()),
    ];
    paragraph(&mut lines, &r.justification);
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!("Lines ({})", r.lines.len())));
    for l in &r.lines {
        let approved = match l.approved {
            Some(a) => format!("  approved {a}"),
            None => String::new(),
        };
        lines.push(DetailLine::Text(format!(
            "{}. {} {} {}{}  {} to {}{}",
            l.number,
            l.requested,
            shown(&l.unit),
            shown(&l.resource_label),
            if l.covert { " (covert)" } else { "" },
            l.starts_on.format("%d/%m/%Y"),
            l.ends_on.format("%d/%m/%Y"),
            approved
        )));
        paragraph(&mut lines, &format!("   {}", l.justification));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Decisions ({})",
        r.decisions.len()
    )));
    for d in &r.decisions {
        lines.push(DetailLine::Text(format!(
            "{}  {} by {}",
            d.outcome.label(),
            uk_time(&d.decided_at),
            shown(&d.decided_by)
        )));
        paragraph(&mut lines, &format!("  Rationale: {}", d.rationale));
        for w in &d.warnings {
            lines.push(DetailLine::Warning(
                "  over capacity",
                format!(
                    "{} week of {} by {}",
                    shown(&w.resource),
                    w.week_starting.format("%d/%m/%Y"),
                    w.over_by()
                ),
            ));
        }
    }
    let over: Vec<&crate::domain::bid::WeekLoad> = r.capacity.iter().filter(|w| w.over).collect();
    if !over.is_empty() {
        lines.push(DetailLine::Blank);
        for w in over {
            lines.push(DetailLine::Warning(
                "Over capacity",
                format!(
                    "{} in the week of {}: {} committed elsewhere + {} here > {}",
                    shown(&w.resource),
                    w.week_starting.format("%d/%m/%Y"),
                    w.committed_elsewhere,
                    w.this_bid,
                    w.capacity
                ),
            ));
        }
    }
    Detail {
        area: Area::Bids,
        key: b.urn.clone(),
        title: format!("Bid {}", shown(&b.urn)),
        source: DetailSource::Bid {
            urn: b.urn.clone(),
            codename: b.codename.clone(),
            status: b.status,
            lines: r
                .lines
                .iter()
                .map(|l| (l.number, shown(&l.resource_label), l.requested))
                .collect(),
        },
        lines,
        scroll: 0,
        chart: r
            .capacity
            .iter()
            .map(|w| CapacityBar {
                resource: shown(&w.resource),
                week: w.week_starting.format("%d/%m").to_string(),
                committed_elsewhere: w.committed_elsewhere,
                this_bid: w.this_bid,
                capacity: w.capacity,
                over: w.over,
            })
            .collect(),
    }
}

pub fn authorisation_row(a: &CentralRecordEntry) -> ListRow {
    ListRow {
        key: a.urn.clone(),
        cells: vec![
            shown(&a.urn),
            shown(&a.kind),
            a.status.label().to_string(),
            shown(&a.operation),
            a.last_day.as_deref().map(iso_day).unwrap_or_default(),
            a.next_review_due.as_deref().map(uk_day).unwrap_or_default(),
            if a.directly_involved { "INVOLVED" } else { "" }.to_string(),
        ],
    }
}

pub fn authorisation_detail(a: &CentralRecordEntry) -> Detail {
    let opt = |v: &Option<String>| or_dash(v.as_deref(), shown);
    let status = a.status;
    let mut lines = vec![
        DetailLine::Field("Type", shown(&a.kind)),
        DetailLine::Field("Status", status.label().to_string()),
        DetailLine::Field("In effect", if a.in_effect { "yes" } else { "no" }.into()),
        DetailLine::Field(
            "Operation",
            format!("{} ({})", shown(&a.operation), shown(&a.operation_urn)),
        ),
        DetailLine::Field("Subjects", shown(&a.subjects.join(", "))),
        DetailLine::Field(
            "Applied",
            format!("{} by {}", uk_time(&a.applied_at), shown(&a.applied_by)),
        ),
        DetailLine::Field("Granted", or_dash(a.date_given.as_deref(), uk_time)),
        DetailLine::Field(
            "Authorising officer",
            match (&a.authorising_officer, &a.authorising_officer_rank) {
                (Some(o), Some(r)) => format!("{} ({})", shown(o), shown(r)),
                (Some(o), None) => shown(o),
                _ => "-".into(),
            },
        ),
    ];
    if a.urgent {
        lines.push(DetailLine::Warning("Urgent", shown(&a.urgency_reason)));
    }
    if a.directly_involved {
        lines.push(DetailLine::Warning(
            "DIRECTLY INVOLVED",
            opt(&a.involvement_reason),
        ));
    }
    if a.confidential_information_likely {
        lines.push(DetailLine::Warning(
            "Confidential information",
            "likely".into(),
        ));
    }
    lines.push(DetailLine::Field(
        "Judicial approval",
        match (&a.judicial_approval_at, &a.judicial_reference) {
            (Some(at), Some(r)) => format!("{} ({})", uk_time(at), shown(r)),
            (Some(at), None) => uk_time(at),
            _ => "-".into(),
        },
    ));
    match a.ends_at.as_deref().and_then(stored_time) {
        Some(end) if a.cancelled_at.is_none() => lines.push(DetailLine::Countdown("Ends", end)),
        _ => lines.push(DetailLine::Field(
            "Ends",
            or_dash(a.ends_at.as_deref(), uk_time),
        )),
    }
    lines.push(DetailLine::Field(
        "Last day",
        or_dash(a.last_day.as_deref(), iso_day),
    ));
    if let Some(due) = a.next_review_due.as_deref().and_then(stored_time)
        && a.cancelled_at.is_none()
    {
        lines.push(DetailLine::Countdown("Review due", due));
    }
    lines.push(DetailLine::Field(
        "Reviewed every",
        a.review_every_days
            .map(|d| format!("{d} days"))
            .unwrap_or_else(|| "-".into()),
    ));
    if let Some(c) = &a.cancelled_at {
        lines.push(DetailLine::Field("Cancelled", uk_time(c)));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading("Description".into()));
    paragraph(&mut lines, &a.description);
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Reviews ({})",
        a.reviews.len()
    )));
    for r in &a.reviews {
        paragraph(&mut lines, r);
    }
    lines.push(DetailLine::Heading(format!(
        "Renewals ({})",
        a.renewals.len()
    )));
    for r in &a.renewals {
        paragraph(&mut lines, r);
    }
    Detail {
        area: Area::Authorisations,
        key: a.urn.clone(),
        title: format!("{}  {}", shown(&a.urn), shown(&a.kind)),
        source: DetailSource::Authorisation {
            urn: a.urn.clone(),
            codename: a.operation.clone(),
            status,
        },
        lines,
        scroll: 0,
        chart: Vec::new(),
    }
}

pub fn referral_row(r: &ReferralRow) -> ListRow {
    ListRow {
        key: r.urn.clone(),
        cells: vec![
            shown(&r.urn),
            shown(r.operation.as_deref().unwrap_or("")),
            r.matter_type.label().to_string(),
            r.criterion.code().to_string(),
            uk_time(&r.deadline),
            shown(&r.status),
        ],
    }
}

pub fn referral_detail(r: &ReferralRow) -> Detail {
    let mut lines = vec![
        DetailLine::Field("Operation", shown(r.operation.as_deref().unwrap_or("-"))),
        DetailLine::Field("Force reference", shown(&r.force_reference)),
        DetailLine::Field("Matter", r.matter_type.label().to_string()),
        DetailLine::Field("Criterion", r.criterion.label().to_string()),
        DetailLine::Field("Became clear", iso_day(&r.became_clear_on)),
        DetailLine::Field("Status", shown(&r.status)),
    ];
    match (r.referred_at.as_deref(), stored_time(&r.deadline)) {
        (None, Some(deadline)) => lines.push(DetailLine::Countdown("Refer by", deadline)),
        _ => lines.push(DetailLine::Field("Deadline", uk_time(&r.deadline))),
    }
    lines.push(DetailLine::Field(
        "Referred",
        r.referred_at
            .as_deref()
            .map(uk_time)
            .unwrap_or_else(|| "not yet".into()),
    ));
    lines.push(DetailLine::Field(
        "IOPC reference",
        or_dash(r.iopc_reference.as_deref(), shown),
    ));
    lines.push(DetailLine::Field(
        "Investigation mode",
        r.mode
            .map(|m| m.label().to_string())
            .unwrap_or_else(|| "-".into()),
    ));
    if let Some(first) = &r.re_referral_of {
        lines.push(DetailLine::Field("Re-referral of", shown(first)));
    }
    Detail {
        area: Area::Referrals,
        key: r.urn.clone(),
        title: format!("Referral {}", shown(&r.urn)),
        source: DetailSource::Referral {
            urn: r.urn.clone(),
            operation: r.operation.clone(),
            status: r.status.clone(),
        },
        lines,
        scroll: 0,
        chart: Vec::new(),
    }
}

/// An audit event opened from the viewer's list (whose row carries the
/// event's roles, full time and details beyond the columns shown).
pub fn audit_detail(row: &ListRow) -> Detail {
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
    Detail {
        area: Area::Audit,
        key: row.key.clone(),
        title: format!("Audit event {}", row.key),
        source: DetailSource::AuditEvent,
        lines,
        scroll: 0,
        chart: Vec::new(),
    }
}
