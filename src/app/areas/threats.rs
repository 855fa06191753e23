//! The strategic threat assessment: every threat in priority order, its
//! scores, owner, next review and the intelligence behind it, with every
//! version of its assessment (`store::registers::threats`).

area! {
    tab: 75,
    go: "go_threats", "Go to the strategic threat assessment",
}

use chrono::{DateTime, NaiveDate, Utc};

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::form::{Field, Form, Submission, parse_form_date};
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{DetailLine, ListRow, shown, uk_day};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::intelligence::Category;
use crate::domain::permission::Action as Needed;
use crate::domain::threat::{
    ASSESS, Assessment, Confidence, Scores, parse_reference, scale, theme,
};
use crate::domain::time::uk_date;
use crate::store::registers::threats::{Command, ThreatRecord, ThreatRow, ThreatVersion};
use crate::store::{self, Page};

pub struct Threats;

/// An open threat: its reference and its current assessment, which the
/// review form starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    pub reference: String,
    pub version: ThreatVersion,
}

impl AreaKind for Threats {
    type Record = Current;
    const TITLE: &'static str = "Strategic threat assessment";
    const SHORT_TITLE: &'static str = "Threats";
    const IN_MEMORY: bool = true;
    const NOUN: &'static str = "a threat";
    const PREFIX: Option<&'static str> = Some("THR");
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::Declared(&ASSESS)),
        (Action::Edit, Needed::Declared(&ASSESS)),
    ];
    const RECORD_ACTIONS: &'static [Action] = &[Action::Edit];
    const DETAIL_HINTS: &'static [Action] = &[Action::Edit, Action::Back, Action::Help];

    fn columns() -> Vec<Column> {
        vec![
            Column::new("#", 3, 0, SortKey::Number),
            Column::text("Threat", 7, 0),
            Column::new("Score", 5, 0, SortKey::Number),
            Column::text("Category", 14, 1),
            Column::text("Intel 4q", 11, 0),
            Column::new("Review", 10, 0, SortKey::Date),
            Column::text("Owner", 8, 0),
            Column::text("Theme", 0, 2),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = r
            .casefile
            .threats(r.actor)?
            .iter()
            .map(threat_row)
            .collect();
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Current>, Unopened> {
        let reference = parse_reference(key)?;
        Ok(threat_detail(&r.casefile.open_threat(r.actor, &reference)?))
    }

    fn new_form(_: &FormContext) -> Option<Form> {
        let mut fields = vec![
            Field::choice(
                "category",
                true,
                Category::ALL,
                Category::code,
                Category::label,
                None,
            ),
            Field::line("theme", true, "")
                .with_hint("e.g. APSP: abuse of position for a sexual purpose"),
        ];
        fields.extend(assessment_fields(None));
        Some(Form::built_by("Record a strategic threat", fields, record))
    }

    fn record_form(action: Action, current: &Current, _: &FormContext) -> RecordForm {
        match action {
            Action::Edit => RecordForm::Edit(Form::built_by(
                format!("Review {}", current.reference),
                assessment_fields(Some(&current.version)),
                review,
            )),
            _ => RecordForm::NotHere,
        }
    }

    fn makes(command: &store::Command) -> bool {
        matches!(
            command,
            store::Command::Register(store::Registered::Threats(Command::Record { .. }))
        )
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Current)> {
        vec![(
            "THR-001".into(),
            Current {
                reference: "THR-001".into(),
                version: ThreatVersion {
                    version: 1,
                    scores: Scores::new(4, 3, Confidence::Medium, 2).unwrap(),
                    owner: "sup".into(),
                    rationale: "why".into(),
                    next_review: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                    reviewed_by: "sup".into(),
                    reviewed_at: "2026-11-02T10:00:00.000000Z".into(),
                },
            },
        )]
    }
}

/// The fields of an assessment, filled from the current one on review.
fn assessment_fields(current: Option<&ThreatVersion>) -> Vec<Field> {
    let n = |f: fn(&Scores) -> u8| {
        current
            .map(|v| f(&v.scores).to_string())
            .unwrap_or_default()
    };
    vec![
        Field::line("harm", true, &n(|s| s.harm)).with_hint("1 (least) to 5 (gravest)"),
        Field::line("likelihood", true, &n(|s| s.likelihood))
            .with_hint("1 (rare) to 5 (almost certain)"),
        Field::choice(
            "confidence",
            true,
            Confidence::ALL,
            Confidence::code,
            Confidence::label,
            Some(current.map_or(Confidence::Medium, |v| v.scores.confidence)),
        ),
        Field::line("capacity", true, &n(|s| s.capacity))
            .with_hint("the unit's ability to respond: 1 (none) to 5 (fully able)"),
        Field::line("owner", true, current.map_or("", |v| v.owner.as_str()))
            .with_hint("a colleague's username"),
        Field::date("next review", true, "+13w").with_hint("dd/mm/yyyy, +13w; within a year"),
        Field::text("rationale", true, "").with_hint("why these scores: the evidence and gaps"),
    ]
}

fn assessment(form: &Form, now: DateTime<Utc>) -> Result<Assessment, InvalidInput> {
    let v = |id: &str| form.value(id);
    let scores = Scores::new(
        scale("harm", &v("harm"))?,
        scale("likelihood", &v("likelihood"))?,
        Confidence::parse(&v("confidence"))?,
        scale("capacity", &v("capacity"))?,
    )?;
    let owner = Username::parse(&v("owner")).map_err(|e| InvalidInput::new("owner", e.message))?;
    let next = parse_form_date("next review", &v("next review"), uk_date(now))?;
    let a = Assessment::new(scores, owner, &v("rationale"), next)?;
    a.check_review(uk_date(now))?;
    Ok(a)
}

fn record(form: &Form, now: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let command = Command::Record {
        category: Category::parse(&form.value("category"))?,
        theme: theme(&form.value("theme"))?,
        assessment: assessment(form, now)?,
    };
    Ok(Submission::Command(command.into()))
}

fn review(form: &Form, now: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let command = Command::Review {
        reference: parse_reference(form.about.as_deref().unwrap_or(""))?,
        assessment: assessment(form, now)?,
    };
    Ok(Submission::Command(command.into()))
}

fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The last four quarters' counts, oldest first: `2/0/1/3`.
fn volume(t: &ThreatRow) -> String {
    t.volume
        .iter()
        .map(|(_, n)| n.to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn threat_row(t: &ThreatRow) -> ListRow {
    ListRow {
        key: t.reference.clone(),
        cells: vec![
            t.rank.to_string(),
            t.reference.clone(),
            t.current.scores.score().to_string(),
            t.category.label().to_string(),
            volume(t),
            day(t.current.next_review),
            shown(&t.current.owner),
            shown(&t.theme),
        ],
    }
}

fn scores_line(s: &Scores) -> String {
    format!(
        "harm {} x likelihood {} = risk {}; capacity {} (gap {})",
        s.harm,
        s.likelihood,
        s.risk(),
        s.capacity,
        s.gap(),
    )
}

fn confidence_line(s: &Scores) -> String {
    format!(
        "{} (weight {})",
        s.confidence.label().to_lowercase(),
        s.confidence.weight()
    )
}

fn threat_detail(r: &ThreatRecord) -> Opened<Current> {
    let t = &r.row;
    let v = &t.current;
    let mut lines = vec![
        DetailLine::Field("Threat", t.reference.clone()),
        DetailLine::Field(
            "Priority",
            format!("{} (score {})", t.rank, v.scores.score()),
        ),
        DetailLine::Field("Category", t.category.label().to_string()),
        DetailLine::Field("Theme", shown(&t.theme)),
        DetailLine::Field("Scores", scores_line(&v.scores)),
        DetailLine::Field("Confidence", confidence_line(&v.scores)),
        DetailLine::Field("Owner", shown(&v.owner)),
        DetailLine::Field("Next review", day(v.next_review)),
        DetailLine::Field("Recorded by", shown(&r.recorded_by)),
        DetailLine::Blank,
        DetailLine::Heading("Intelligence in its category (that you may see)".into()),
    ];
    for (quarter, n) in &t.volume {
        lines.push(DetailLine::Field("", format!("{quarter}: {n}")));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Assessments ({}, newest first)",
        r.history.len()
    )));
    for h in &r.history {
        lines.push(DetailLine::Field(
            "Version",
            format!(
                "{} on {} by {}, score {}",
                h.version,
                uk_day(&h.reviewed_at),
                shown(&h.reviewed_by),
                h.scores.score()
            ),
        ));
        lines.push(DetailLine::Field("", scores_line(&h.scores)));
        lines.push(DetailLine::Field(
            "",
            format!("confidence {}", confidence_line(&h.scores)),
        ));
        lines.push(DetailLine::Field(
            "",
            format!(
                "owner {}, next review {}",
                shown(&h.owner),
                day(h.next_review)
            ),
        ));
        lines.extend(h.rationale.lines().map(|l| DetailLine::Text(shown(l))));
    }
    Opened::new(
        t.reference.clone(),
        format!("Strategic threat {}", t.reference),
        Current {
            reference: t.reference.clone(),
            version: v.clone(),
        },
        lines,
    )
}
