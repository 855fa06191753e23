//! Subjects: the staff a case is about.

area! {
    tab: 30,
    go: "go_subjects", "Go to subjects",
}

use super::kind::{
    AreaKind, FormContext, Opened, Reader, RecordForm, Unopened, store_columns, store_query,
};
use crate::app::action::Action;
use crate::app::form::{Field, Form, Submission, parse_form_date};
use crate::app::list::{Column, ListSpec};
use crate::app::view::{DetailLine, ListRow, shown, uk_time, yes_no};
use crate::domain::InvalidInput;
use crate::domain::permission::Action as Needed;
use crate::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use crate::domain::time::uk_date;
use crate::store::{self, Command, Page, SearchKind, SubjectColumn, SubjectRecord, SubjectRow};

pub struct Subjects;

/// Widths and weights, in the order of `SubjectColumn::ALL`.
const WIDTHS: [(u16, u8); 7] = [(9, 0), (0, 0), (13, 2), (12, 3), (14, 1), (10, 2), (10, 1)];

impl AreaKind for Subjects {
    /// What the edit form starts from.
    type Record = SubjectDetails;
    const TITLE: &'static str = "Subjects";
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::ManageSubjects),
        (Action::Edit, Needed::ManageSubjects),
    ];
    const SHORT_TITLE: &'static str = "Subj";
    const NOUN: &'static str = "a subject";
    const SEARCH: &'static [SearchKind] = &[SearchKind::Subject];
    const RECORD_ACTIONS: &'static [Action] = &[Action::Edit];
    const DETAIL_HINTS: &'static [Action] = &[Action::Edit, Action::Back, Action::Help];

    fn columns() -> Vec<Column> {
        store_columns(SubjectColumn::ALL, SubjectColumn::label, &WIDTHS)
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let q = store_query(spec, SubjectColumn::ALL);
        let total = r.casefile.subjects_total(r.actor, &q)?;
        let rows = r.casefile.subjects_page(r.actor, &q, page)?;
        Ok((total, rows.iter().map(subject_row).collect()))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<SubjectDetails>, Unopened> {
        let staff = StaffNumber::parse(key)?;
        let mut opened = subject_detail(&r.casefile.open_subject(r.actor, &staff)?);
        // The trend of their risk assessments' scores, beside their status.
        if let Some((scores, benchmark)) = r.casefile.risk_trend(r.actor, &staff)? {
            let at = opened
                .lines
                .iter()
                .position(|l| matches!(l, DetailLine::Field("Status", _)))
                .map_or(0, |i| i + 1);
            opened.lines.insert(
                at,
                DetailLine::Field("Risk", crate::domain::risk::trend(&scores, benchmark)),
            );
        }
        Ok(opened)
    }

    fn new_form(_: &FormContext) -> Option<Form> {
        Some(Form::built_by(
            "Add a subject",
            subject_fields(None),
            |form, now| {
                Ok(Submission::Command(Command::AddSubject(details(
                    form, now,
                )?)))
            },
        ))
    }

    fn record_form(action: Action, subject: &SubjectDetails, _: &FormContext) -> RecordForm {
        match action {
            Action::Edit => RecordForm::Edit(Form::built_by(
                format!("Edit subject {}", subject.staff_number),
                subject_fields(Some(subject)),
                |form, now| {
                    Ok(Submission::Command(Command::UpdateSubject(details(
                        form, now,
                    )?)))
                },
            )),
            _ => RecordForm::NotHere,
        }
    }

    fn makes(command: &Command) -> bool {
        matches!(command, Command::AddSubject(_))
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, SubjectDetails)> {
        let subject = SubjectDetails::new(
            StaffNumber::parse("E1234").expect("a staff number"),
            "Sam Example",
            "PC",
            EmploymentType::ALL[0],
            "Response policing",
            "Patrol",
            false,
            VettingLevel::ALL[1],
            None,
            SubjectStatus::ALL[0],
        );
        vec![("E1234".into(), subject.expect("a sample subject"))]
    }
}

/// A subject's details as the add and edit forms give them.
fn details(
    form: &Form,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SubjectDetails, InvalidInput> {
    let v = |id: &str| form.value(id);
    let review = match Some(v("vetting review date")).filter(|s| !s.trim().is_empty()) {
        Some(d) => Some(parse_form_date("vetting review date", &d, uk_date(now))?),
        None => None,
    };
    SubjectDetails::new(
        StaffNumber::parse(&v("staff number"))?,
        &v("name"),
        &v("rank or grade"),
        EmploymentType::parse(&v("employment type"))?,
        &v("department"),
        &v("role"),
        v("vulnerable contact") == "yes",
        VettingLevel::parse(&v("vetting level"))?,
        review,
        SubjectStatus::parse(&v("status"))?,
    )
}

/// The fields of the add and edit forms, filled from `d` when editing.
fn subject_fields(d: Option<&SubjectDetails>) -> Vec<Field> {
    let text = |f: fn(&SubjectDetails) -> String| d.map(f).unwrap_or_default();
    let mut staff = Field::line("staff number", true, &text(|d| d.staff_number.to_string()));
    if d.is_some() {
        staff = staff.with_hint("cannot be changed");
    }
    vec![
        staff,
        Field::line("name", true, &text(|d| d.name.clone())),
        Field::line("rank or grade", true, &text(|d| d.rank_or_grade.clone())),
        Field::choice(
            "employment type",
            true,
            EmploymentType::ALL,
            |v| v.code(),
            |v| v.label(),
            d.map(|d| d.employment_type),
        ),
        Field::line("department", true, &text(|d| d.department.clone())),
        Field::line("role", true, &text(|d| d.role.clone())),
        Field::flag(
            "vulnerable contact",
            d.map(|d| d.vulnerable_contact).unwrap_or(false),
        )
        .with_hint("a role with contact with vulnerable people"),
        Field::choice(
            "vetting level",
            true,
            VettingLevel::ALL,
            |v| v.code(),
            |v| v.label(),
            Some(d.map(|d| d.vetting_level).unwrap_or(VettingLevel::None)),
        ),
        Field::date(
            "vetting review date",
            false,
            &d.and_then(|d| d.vetting_review)
                .map(|r| r.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
        ),
        Field::choice(
            "status",
            true,
            SubjectStatus::ALL,
            |v| v.code(),
            |v| v.label(),
            Some(d.map(|d| d.status).unwrap_or(SubjectStatus::ALL[0])),
        ),
    ]
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

pub fn subject_detail(r: &SubjectRecord) -> Opened<SubjectDetails> {
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
            o.codename,
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
            i.urn,
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
    Opened {
        key: d.staff_number.to_string(),
        title: format!("{}  {}", shown(d.staff_number.as_str()), shown(&d.name)),
        record: d.clone(),
        lines,
        chart: Vec::new(),
    }
}
