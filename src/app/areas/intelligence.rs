//! Intelligence: items received, graded and triaged.

area! {
    tab: 20,
    go: "go_intelligence", "Go to intelligence",
}

use super::kind::{
    AreaKind, FormContext, Opened, Reader, RecordForm, Unopened, store_columns, store_query,
};
use crate::app::action::Action;
use chrono::{DateTime, Utc};

use super::operations::one_staff_number;
use crate::app::form::{Field, Form, Submission};
use crate::app::list::{Column, ListSpec};
use crate::app::view::{DetailLine, ListRow, paragraph, shown, uk_day, uk_time, yes_no};
use crate::domain::InvalidInput;
use crate::domain::intelligence::{SourceType, TriageStatus};
use crate::domain::operation::Codename;
use crate::domain::permission::Action as Needed;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{
    self, Command, IntelligenceColumn, IntelligenceRecord, IntelligenceRow, Page, SearchKind,
};

pub struct Intelligence;

/// What the forms on an open item need.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub urn: Urn,
    pub triage: TriageStatus,
    /// Where it came from: an item from a partner agency links to it.
    pub source: SourceType,
}

/// Widths and weights, in the order of `IntelligenceColumn::ALL`.
const WIDTHS: [(u16, u8); 8] = [
    (14, 0),
    (10, 2),
    (14, 4),
    (7, 2),
    (16, 1),
    (12, 1),
    (0, 0),
    (12, 3),
];

impl AreaKind for Intelligence {
    type Record = Record;
    const TITLE: &'static str = "Intelligence";
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::RecordIntelligence),
        (Action::Triage, Needed::TriageIntelligence),
        (Action::LinkSubject, Needed::LinkSubjects),
        (
            Action::LinkPartner,
            Needed::Declared(&crate::domain::partner::MANAGE),
        ),
    ];
    const SHORT_TITLE: &'static str = "Intel";
    const NEWEST_FIRST: bool = true;
    const NOUN: &'static str = "an intelligence item";
    const URN: Option<UrnKind> = Some(UrnKind::Intelligence);
    const SEARCH: &'static [SearchKind] = &[SearchKind::Intelligence];
    const RECORD_ACTIONS: &'static [Action] =
        &[Action::Triage, Action::LinkSubject, Action::LinkPartner];
    const DETAIL_HINTS: &'static [Action] = &[
        Action::Triage,
        Action::LinkSubject,
        Action::Back,
        Action::Help,
    ];

    fn columns() -> Vec<Column> {
        store_columns(IntelligenceColumn::ALL, IntelligenceColumn::label, &WIDTHS)
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let q = store_query(spec, IntelligenceColumn::ALL);
        let total = r.casefile.intelligence_total(r.actor, &q)?;
        let rows = r.casefile.intelligence_page(r.actor, &q, page)?;
        Ok((total, rows.iter().map(intelligence_row).collect()))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Record>, Unopened> {
        let urn = Urn::parse(UrnKind::Intelligence, key)?;
        let mut opened = intelligence_detail(&r.casefile.open_intelligence(r.actor, &urn)?);
        // A standing warning shows beside the source person it is about.
        if let Some(w) = r
            .casefile
            .status_drift(r.actor)?
            .into_iter()
            .find(|w| w.items.contains(&urn))
        {
            let at = opened
                .lines
                .iter()
                .position(|l| matches!(l, DetailLine::Field("Source person", _)))
                .map_or(0, |i| i + 1);
            let items: Vec<String> = w.items.iter().map(ToString::to_string).collect();
            opened.lines.insert(
                at,
                DetailLine::Field(
                    "Status drift",
                    format!(
                        "consider whether {} is being used as a CHIS ({}); D on the queue acknowledges it",
                        shown(&w.person),
                        items.join(", ")
                    ),
                ),
            );
        }
        drift_lines(
            &mut opened.lines,
            &r.casefile.drift_acknowledgements(r.actor, &urn)?,
        );
        Ok(opened)
    }

    fn new_form(_: &FormContext) -> Option<Form> {
        Some(Form::new_intelligence())
    }

    fn record_form(action: Action, record: &Record, _: &FormContext) -> RecordForm {
        let Record {
            urn,
            triage,
            source,
        } = record;
        match action {
            Action::Triage if triage.next().is_empty() => RecordForm::Refuse(format!(
                "{urn} is {}: no further triage is possible",
                triage.label()
            )),
            Action::Triage => RecordForm::Edit(Form::triage(&urn.to_string(), *triage)),
            Action::LinkSubject => RecordForm::Edit(Form::built_by(
                format!("Link a subject to {urn}"),
                vec![
                    Field::line("subjects", true, "")
                        .labelled("staff number")
                        .with_hint("the subject's, e.g. E1234; F2 to choose"),
                ],
                link_subject,
            )),
            Action::LinkPartner if *source != SourceType::PartnerAgency => {
                RecordForm::Refuse(format!(
                    "{urn}'s source is {}, not a partner agency: only intelligence from a partner agency is linked to one",
                    source.label()
                ))
            }
            Action::LinkPartner => RecordForm::Edit(super::partners::link_from_intelligence(urn)),
            _ => RecordForm::NotHere,
        }
    }

    fn makes(command: &Command) -> bool {
        matches!(command, Command::RecordIntelligence(_))
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Record)> {
        let urn = "INT-2026-00001".to_string();
        TriageStatus::ALL
            .iter()
            .map(|&triage| {
                let record = Record {
                    urn: crate::domain::urn::Urn::parse(
                        crate::domain::urn::UrnKind::Intelligence,
                        "INT-2026-00001",
                    )
                    .unwrap(),
                    triage,
                    source: SourceType::PartnerAgency,
                };
                (urn.clone(), record)
            })
            .collect()
    }
}

fn link_subject(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let urn = Urn::parse(UrnKind::Intelligence, form.about.as_deref().unwrap_or(""))?;
    let staff_number = one_staff_number(&form.value("subjects"))?;
    Ok(Submission::Command(Command::LinkIntelligenceSubject {
        urn,
        staff_number,
    }))
}

pub fn intelligence_row(r: &IntelligenceRow) -> ListRow {
    ListRow {
        key: r.urn.to_string(),
        cells: vec![
            r.urn.to_string(),
            uk_day(&r.received_at),
            r.source_type.label().to_string(),
            r.grading.code(),
            r.category.label().to_string(),
            r.triage.label().to_string(),
            shown(&r.summary),
            shown(r.operation.as_ref().map_or("", Codename::as_str)),
        ],
    }
}

/// The status drift acknowledgements that took the item into account:
/// the decision log of its source.
fn drift_lines(lines: &mut Vec<DetailLine>, acks: &[store::DriftAcknowledgement]) {
    if acks.is_empty() {
        return;
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Status drift acknowledged ({})",
        acks.len()
    )));
    for a in acks {
        let items: Vec<String> = a.items.iter().map(ToString::to_string).collect();
        lines.push(DetailLine::Text(format!(
            "{}  by {}: whether {} is being used as a CHIS ({})",
            uk_time(&a.acknowledged_at),
            shown(&a.acknowledged_by),
            shown(&a.person),
            items.join(", ")
        )));
        paragraph(lines, &format!("  {}", a.rationale));
    }
}

pub fn intelligence_detail(r: &IntelligenceRecord) -> Opened<Record> {
    let row = &r.row;
    let mut lines = vec![
        DetailLine::Field("Summary", shown(&row.summary)),
        DetailLine::Field("Received", uk_time(&row.received_at)),
        DetailLine::Field("Source", row.source_type.label().to_string()),
        DetailLine::Field(
            "Source reference",
            shown(r.source_reference.as_deref().unwrap_or("-")),
        ),
        DetailLine::Field(
            "Source person",
            shown(r.source_person.as_deref().unwrap_or("-")),
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
        DetailLine::Field(
            "Operation",
            shown(row.operation.as_ref().map_or("-", Codename::as_str)),
        ),
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
    Opened {
        key: row.urn.to_string(),
        title: row.urn.to_string(),
        record: Record {
            urn: row.urn,
            triage: row.triage,
            source: row.source_type,
        },
        lines,
        chart: Vec::new(),
    }
}
