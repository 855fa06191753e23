//! Operations: the investigations, their decision logs and thresholds.

area! {
    tab: 40,
    go: "go_operations", "Go to operations",
}

use super::kind::{
    AreaKind, FormContext, Opened, Reader, RecordForm, Unopened, store_columns, store_query,
};
use crate::app::action::Action;
use chrono::{DateTime, Utc};

use crate::app::form::{Field, Form, Submission};
use crate::app::list::{Column, ListSpec};
use crate::app::view::{DetailLine, ListRow, paragraph, shown, uk_day, uk_time};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::operation::{Codename, OperationStatus, TeamPart};
use crate::domain::permission::Action as Needed;
use crate::domain::subject::StaffNumber;
use crate::store::{
    self, Command, OperationColumn, OperationRecord, OperationRow, Page, SearchKind,
    ThresholdHistory,
};

pub struct Operations;

/// What the forms on an open operation need.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub codename: Codename,
    pub status: OperationStatus,
}

/// Widths and weights, in the order of `OperationColumn::ALL`.
const WIDTHS: [(u16, u8); 7] = [(12, 0), (14, 0), (12, 0), (18, 1), (9, 1), (10, 2), (10, 2)];

impl AreaKind for Operations {
    type Record = Record;
    const TITLE: &'static str = "Operations";
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::OpenOperation),
        (Action::AddDecision, Needed::RecordDecision),
        (Action::ChangeStatus, Needed::ChangeOperationStatus),
        (Action::Close, Needed::CloseOperation),
        (Action::ProposeThreshold, Needed::ProposeThreshold),
        (Action::Decide, Needed::DecideThreshold),
        (Action::NewBid, Needed::MakeBid),
        (Action::ApplyAuthorisation, Needed::ApplyForAuthorisation),
        (Action::NewReferral, Needed::RecordReferral),
        (Action::Team, Needed::AllocateTeam),
        (Action::LinkSubject, Needed::LinkSubjects),
    ];
    const SHORT_TITLE: &'static str = "Ops";
    const NEWEST_FIRST: bool = true;
    const NOUN: &'static str = "an operation";
    const SEARCH: &'static [SearchKind] = &[SearchKind::Operation, SearchKind::Decision];
    const RECORD_ACTIONS: &'static [Action] = &[
        Action::AddDecision,
        Action::ChangeStatus,
        Action::Close,
        Action::ProposeThreshold,
        Action::Decide,
        Action::NewBid,
        Action::ApplyAuthorisation,
        Action::NewReferral,
        Action::Team,
        Action::LinkSubject,
    ];
    const DETAIL_HINTS: &'static [Action] = &[
        Action::AddDecision,
        Action::ChangeStatus,
        Action::ProposeThreshold,
        Action::Decide,
        Action::NewBid,
        Action::Help,
    ];

    fn columns() -> Vec<Column> {
        store_columns(OperationColumn::ALL, OperationColumn::label, &WIDTHS)
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let q = store_query(spec, OperationColumn::ALL);
        let total = r.casefile.operations_total(r.actor, &q)?;
        let rows = r.casefile.operations_page(r.actor, &q, page)?;
        Ok((total, rows.iter().map(operation_row).collect()))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Record>, Unopened> {
        let codename = Codename::parse(key)?;
        let record = r.casefile.open_operation(r.actor, &codename)?;
        let history = r.casefile.threshold(r.actor, &codename).ok();
        let threshold = history.as_ref().map(|t| match t.current {
            Some(outcome) => outcome.label().to_string(),
            None if t.entries.is_empty() => "not proposed".to_string(),
            None => "proposed, awaiting a decision".to_string(),
        });
        let mut detail = operation_detail(&record, threshold);
        if let Some(history) = history
            && !history.entries.is_empty()
        {
            detail.lines.extend(threshold_lines(&history));
        }
        Ok(detail)
    }

    fn new_form(_: &FormContext) -> Option<Form> {
        Some(Form::new_operation())
    }

    fn record_form(action: Action, record: &Record, context: &FormContext) -> RecordForm {
        let Record { codename, status } = record;
        let codename = codename.as_str();
        if matches!(action, Action::Team | Action::LinkSubject)
            && *status == OperationStatus::Closed
        {
            return RecordForm::Refuse(format!(
                "{codename} is closed: its team and subjects are final"
            ));
        }
        RecordForm::Edit(match action {
            Action::Team => team_form(codename),
            Action::LinkSubject => Form::built_by(
                format!("Link a subject to {codename}"),
                vec![
                    Field::line("subjects", true, "")
                        .labelled("staff number")
                        .with_hint("the subject's, e.g. E1234; F2 to choose"),
                ],
                link_subject,
            ),
            Action::AddDecision => Form::decision(codename),
            Action::ChangeStatus => Form::operation_status(codename, *status),
            Action::Close => Form::close_operation(codename),
            Action::ProposeThreshold => Form::propose_threshold(codename),
            Action::Decide => Form::decide_threshold(codename),
            Action::NewBid => {
                return RecordForm::Make(Form::draft_bid(Some(codename), context.resources));
            }
            Action::ApplyAuthorisation => {
                return RecordForm::Make(Form::apply_authorisation(Some(codename)));
            }
            Action::NewReferral => {
                return RecordForm::Make(Form::record_referral(Some(codename), None));
            }
            _ => return RecordForm::NotHere,
        })
    }

    fn makes(command: &Command) -> bool {
        matches!(command, Command::OpenOperation(_))
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Record)> {
        let codename = "KESTREL".to_string();
        OperationStatus::ALL
            .iter()
            .map(|&status| {
                let record = Record {
                    codename: crate::domain::operation::Codename::parse("KESTREL").unwrap(),
                    status,
                };
                (codename.clone(), record)
            })
            .collect()
    }
}

/// Putting someone on the team, or taking them off.
fn team_form(codename: &str) -> Form {
    Form::built_by(
        format!("Team of {codename}"),
        vec![
            Field::choice(
                "change",
                true,
                &["add", "remove"],
                |v| v,
                |v| match v {
                    "add" => "put on the team",
                    _ => "take off the team",
                },
                Some("add"),
            ),
            Field::line("username", true, "")
                .labelled("colleague")
                .with_hint("their username (F2 lists the unit's case workers)"),
            Field::choice(
                "part",
                true,
                TeamPart::ALL,
                |p| p.code(),
                |p| p.label(),
                Some(TeamPart::Team),
            )
            .with_hint("when putting them on"),
        ],
        team,
    )
}

/// The operation a form on it is about.
fn about(form: &Form) -> Result<Codename, InvalidInput> {
    Codename::parse(form.about.as_deref().unwrap_or(""))
}

fn team(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let codename = about(form)?;
    let username = Username::parse(&form.value("username"))
        .map_err(|e| InvalidInput::new("username", e.message))?;
    Ok(Submission::Command(if form.value("change") == "remove" {
        Command::RemoveFromTeam { codename, username }
    } else {
        let part = TeamPart::parse(&form.value("part"))
            .map_err(|e| InvalidInput::new("part", e.message))?;
        Command::AddToTeam {
            codename,
            username,
            part,
        }
    }))
}

/// The one staff number a link form names (the list to choose from adds
/// to what is there, so a second choice is caught here).
pub fn one_staff_number(typed: &str) -> Result<StaffNumber, InvalidInput> {
    if typed.contains(',') {
        return Err(InvalidInput::new(
            "subjects",
            "one staff number at a time: link each subject in turn",
        ));
    }
    StaffNumber::parse(typed).map_err(|e| InvalidInput::new("subjects", e.message))
}

fn link_subject(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let staff_number = one_staff_number(&form.value("subjects"))?;
    Ok(Submission::Command(Command::LinkSubject {
        codename: about(form)?,
        staff_number,
    }))
}

pub fn operation_row(o: &OperationRow) -> ListRow {
    ListRow {
        key: o.codename.to_string(),
        cells: vec![
            o.urn.to_string(),
            o.codename.to_string(),
            o.status.label().to_string(),
            o.category.label().to_string(),
            o.priority.label().to_string(),
            shown(&o.lead),
            uk_day(&o.opened_at),
        ],
    }
}

pub fn operation_detail(r: &OperationRecord, threshold: Option<String>) -> Opened<Record> {
    let o = &r.row;
    let mut lines = vec![
        DetailLine::Field("URN", o.urn.to_string()),
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
            i.urn,
            i.grading.code(),
            shown(&i.summary)
        )));
    }
    Opened {
        key: o.codename.to_string(),
        title: format!("Operation {}", o.codename),
        record: Record {
            codename: o.codename.clone(),
            status: o.status,
        },
        lines,
        chart: Vec::new(),
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
