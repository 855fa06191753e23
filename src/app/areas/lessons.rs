//! Lessons learned: every closed operation's lessons, where they went and
//! what came back (`store::registers::lessons`).

area! {
    tab: 95,
    go: "go_lessons", "Go to lessons learned from closed operations",
}

use chrono::{DateTime, Utc};

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::form::{Field, Form, Submission, parse_form_date};
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{DetailLine, ListRow, shown, uk_day};
use crate::domain::InvalidInput;
use crate::domain::lesson::{Dissemination, Response};
use crate::domain::operation::Codename;
use crate::domain::permission::Action as Needed;
use crate::domain::time::uk_date;
use crate::store::registers::lessons::{Command, LessonRecord, LessonRow};
use crate::store::{self, Page, SearchKind};

pub struct Lessons;

impl AreaKind for Lessons {
    type Record = Codename;
    const TITLE: &'static str = "Lessons learned";
    const NEEDS: &'static [(Action, Needed)] = &[(
        Action::Edit,
        Needed::Declared(&crate::domain::lesson::DISSEMINATE),
    )];
    const SHORT_TITLE: &'static str = "Lessons";
    const IN_MEMORY: bool = true;
    const NOUN: &'static str = "a lesson";
    const SEARCH: &'static [SearchKind] = &[SearchKind::Lesson];
    const RECORD_ACTIONS: &'static [Action] = &[Action::Edit];
    const DETAIL_HINTS: &'static [Action] = &[Action::Edit, Action::Back, Action::Help];
    const LIST_HINTS: &'static [Action] = &[
        Action::Open,
        Action::Search,
        Action::SortNext,
        Action::Filter,
        Action::Palette,
        Action::Help,
        Action::Quit,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::text("Operation", 12, 0),
            Column::new("Closed", 10, 0, SortKey::Date),
            Column::new("Sent to", 7, 1, SortKey::Number),
            Column::new("Answered", 8, 2, SortKey::Number),
            Column::text("Lessons", 0, 0),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = r
            .casefile
            .lessons(r.actor)?
            .iter()
            .map(lesson_row)
            .collect();
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Codename>, Unopened> {
        let codename = Codename::parse(key)?;
        Ok(lesson_detail(&r.casefile.open_lesson(r.actor, &codename)?))
    }

    fn record_form(action: Action, codename: &Codename, _: &FormContext) -> RecordForm {
        match action {
            Action::Edit => RecordForm::Edit(Form::built_by(
                format!("Record where {codename}'s lessons went"),
                entry_fields(),
                entry,
            )),
            _ => RecordForm::NotHere,
        }
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Codename)> {
        vec![(
            "KESTREL".into(),
            crate::domain::operation::Codename::parse("KESTREL").unwrap(),
        )]
    }
}

/// What the form records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Sent,
    Answer,
}

impl Entry {
    const ALL: [Entry; 2] = [Entry::Sent, Entry::Answer];

    fn code(self) -> &'static str {
        match self {
            Entry::Sent => "sent",
            Entry::Answer => "response",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Entry::Sent => "sent to a department",
            Entry::Answer => "a department's response",
        }
    }
}

fn entry_fields() -> Vec<Field> {
    vec![
        Field::choice(
            "record",
            true,
            &Entry::ALL,
            Entry::code,
            Entry::label,
            Some(Entry::Sent),
        ),
        Field::line("department", true, "").with_hint("e.g. Response policing, Custody"),
        Field::date("disseminated on", false, "today")
            .with_hint("when sent: dd/mm/yyyy, today, -2w"),
        Field::line("how", false, "").with_hint("when sent: a briefing, an email, the intranet"),
        Field::text("response", false, "").with_hint("when answered: what the department did"),
    ]
}

/// The command the form asks for, for the lesson it is about.
fn entry(form: &Form, now: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let v = |id: &str| form.value(id);
    let codename = Codename::parse(form.about.as_deref().unwrap_or(""))?;
    let command = if v("record") == Entry::Answer.code() {
        Command::RecordResponse {
            codename,
            response: Response::new(&v("department"), &v("response"))?,
        }
    } else {
        if !v("response").trim().is_empty() {
            return Err(InvalidInput::new(
                "response",
                "is recorded when the department answers: choose \"a department's response\"",
            ));
        }
        let on = parse_form_date("disseminated on", &v("disseminated on"), uk_date(now))?;
        Command::Disseminate {
            codename,
            dissemination: Dissemination::new(&v("department"), on, &v("how"))?,
        }
    };
    Ok(Submission::Command(command.into()))
}

fn lesson_row(r: &LessonRow) -> ListRow {
    ListRow {
        key: r.codename.to_string(),
        cells: vec![
            r.codename.to_string(),
            uk_day(&r.closed_at),
            r.disseminations.to_string(),
            r.responses.to_string(),
            shown(r.lessons.lines().next().unwrap_or("")),
        ],
    }
}

fn lesson_detail(r: &LessonRecord) -> Opened<Codename> {
    let row = &r.row;
    let mut lines = vec![
        DetailLine::Field("Operation", row.codename.to_string()),
        DetailLine::Field("URN", row.urn.to_string()),
        DetailLine::Field("Category", row.category.label().to_string()),
        DetailLine::Field("Closed", uk_day(&row.closed_at)),
        DetailLine::Blank,
        DetailLine::Heading(format!(
            "Disseminated ({} of {} answered)",
            row.responses, row.disseminations
        )),
    ];
    if r.disseminated.is_empty() {
        lines.push(DetailLine::Warning(
            "Not yet",
            "sent to no department yet".into(),
        ));
    }
    for d in &r.disseminated {
        lines.push(DetailLine::Field(
            "To",
            format!(
                "{} on {} by {} ({})",
                shown(&d.department),
                d.on,
                shown(&d.how),
                shown(&d.recorded_by)
            ),
        ));
        match (&d.response, &d.response_recorded_by) {
            (Some(text), by) => {
                for (i, l) in text.lines().enumerate() {
                    let label = if i == 0 { "Response" } else { "" };
                    lines.push(DetailLine::Field(label, shown(l)));
                }
                if let Some(by) = by {
                    lines.push(DetailLine::Field(
                        "",
                        format!("(recorded by {})", shown(by)),
                    ));
                }
            }
            (None, _) => lines.push(DetailLine::Field("Response", "none yet".into())),
        }
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading("Lessons learned".into()));
    lines.extend(row.lessons.lines().map(|l| DetailLine::Text(shown(l))));
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading("Outcome".into()));
    lines.extend(r.outcome.lines().map(|l| DetailLine::Text(shown(l))));
    Opened {
        key: row.codename.to_string(),
        title: format!("Lessons learned from {}", row.codename),
        record: row.codename.clone(),
        lines,
        chart: Vec::new(),
    }
}
