//! The subject risk matrix: every subject the user may see with the trend
//! of their assessments' scores, the matrix itself as its first row, and a
//! subject's record to assess them or record an intervention
//! (`store::registers::risk`).

area! {
    tab: 35,
    go: "go_risk", "Go to the subject risk matrix and assessments",
}

use chrono::{DateTime, Utc};

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::form::{Field, Form, Submission};
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{DetailLine, ListRow, shown, uk_day, uk_time};
use crate::domain::InvalidInput;
use crate::domain::permission::Action as Needed;
use crate::domain::risk::{
    ASSESS, Characteristic, Finding, INTERVENE, Intervention, MOST_CHARACTERISTICS, Matrix,
    Revision, trend,
};
use crate::domain::role::Role;
use crate::domain::subject::StaffNumber;
use crate::domain::text::Rationale;
use crate::store::registers::risk::{Command, KEY_PREFIX, MatrixVersion, RiskRecord, RiskRow};
use crate::store::{self, Page};

/// The key of the list's first row: the matrix itself.
const MATRIX_KEY: &str = "matrix";

/// The assessment form's line for each characteristic, in the matrix's
/// order (a field's id names it for good; its label names the code).
const SLOTS: [&str; MOST_CHARACTERISTICS] = [
    "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15",
    "c16",
];

/// What is open: the matrix, or a subject with the matrix they would be
/// assessed against.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    Matrix(Matrix),
    Subject {
        staff_number: StaffNumber,
        matrix: MatrixVersion,
        assessed: bool,
    },
}

pub struct Risk;

impl AreaKind for Risk {
    type Record = Opening;
    const TITLE: &'static str = "Risk matrix";
    const SHORT_TITLE: &'static str = "Risk";
    const IN_MEMORY: bool = true;
    /// Sorted by score, highest first: the matrix's row (named, not
    /// scored) at the top, the never assessed at the foot.
    const NEWEST_FIRST: bool = true;
    const NOUN: &'static str = "a subject's risk record";
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::Edit, Needed::Declared(&ASSESS)),
        (Action::Decide, Needed::Declared(&INTERVENE)),
    ];
    const RECORD_ACTIONS: &'static [Action] = &[Action::Edit, Action::Decide];
    const DETAIL_HINTS: &'static [Action] =
        &[Action::Edit, Action::Decide, Action::Back, Action::Help];
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
            Column::new("Score", 6, 0, SortKey::Number),
            Column::text("Subject", 8, 0),
            Column::text("Name", 16, 1),
            Column::text("Trend", 8, 1),
            Column::new("Assessed", 10, 0, SortKey::Date),
            Column::text("Status", 16, 2),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let (now, _) = r.casefile.risk_matrix(r.actor)?;
        let mut rows = vec![ListRow {
            key: MATRIX_KEY.into(),
            cells: vec![
                "Matrix".into(),
                format!("v{}", now.version),
                format!("benchmark {}", now.matrix.benchmark),
                String::new(),
                String::new(),
                format!(
                    "{} characteristics, at most {}",
                    now.matrix.characteristics.len(),
                    now.matrix.most()
                ),
            ],
        }];
        rows.extend(r.casefile.risk_register(r.actor)?.iter().map(risk_row));
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Opening>, Unopened> {
        if key == MATRIX_KEY {
            let (now, versions) = r.casefile.risk_matrix(r.actor)?;
            return Ok(matrix_detail(&now, &versions));
        }
        let staff = StaffNumber::parse(key.strip_prefix(KEY_PREFIX).unwrap_or(key))?;
        Ok(risk_detail(&r.casefile.open_risk(r.actor, &staff)?))
    }

    fn record_form(action: Action, record: &Opening, context: &FormContext) -> RecordForm {
        match (action, record) {
            (Action::Edit, Opening::Matrix(m)) => {
                if !context.roles.contains(&Role::Supervisor) {
                    return RecordForm::Refuse("Only a supervisor changes the risk matrix.".into());
                }
                RecordForm::Edit(Form::built_by(
                    "Change the risk matrix (a new version)",
                    revision_fields(m),
                    revision,
                ))
            }
            (Action::Decide, Opening::Matrix(_)) => RecordForm::Refuse(
                "An intervention is recorded on a subject's risk record: open the subject.".into(),
            ),
            (
                Action::Edit,
                Opening::Subject {
                    staff_number,
                    matrix,
                    ..
                },
            ) => RecordForm::Edit(Form::built_by(
                format!(
                    "Assess {staff_number} (matrix version {}, benchmark {})",
                    matrix.version, matrix.matrix.benchmark
                ),
                assessment_fields(&matrix.matrix),
                assessment,
            )),
            (
                Action::Decide,
                Opening::Subject {
                    staff_number,
                    assessed,
                    ..
                },
            ) => {
                if !assessed {
                    return RecordForm::Refuse(format!(
                        "{staff_number} has not been assessed: an intervention follows an assessment."
                    ));
                }
                RecordForm::Edit(Form::built_by(
                    format!("Record the intervention for {staff_number}"),
                    intervention_fields(),
                    intervention,
                ))
            }
            _ => RecordForm::NotHere,
        }
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Opening)> {
        let matrix = MatrixVersion {
            version: 1,
            matrix: Matrix::default_set(),
            reason: "default".into(),
            made_by: None,
            made_at: None,
        };
        vec![
            (MATRIX_KEY.into(), Opening::Matrix(Matrix::default_set())),
            (
                "PC4471".into(),
                Opening::Subject {
                    staff_number: StaffNumber::parse("PC4471").unwrap(),
                    matrix,
                    assessed: true,
                },
            ),
        ]
    }
}

fn risk_row(r: &RiskRow) -> ListRow {
    let status = match (r.latest(), r.benchmark, r.intervention) {
        (None, _, _) => "not assessed".to_owned(),
        (_, _, Some(i)) => i.label().to_owned(),
        _ if r.waiting() => "FOR A SUPERVISOR".to_owned(),
        _ => "below benchmark".to_owned(),
    };
    let trend: Vec<String> = r.scores.iter().map(u32::to_string).collect();
    ListRow {
        key: r.staff_number.to_string(),
        cells: vec![
            r.latest().map(|s| s.to_string()).unwrap_or_default(),
            r.staff_number.to_string(),
            shown(&r.name),
            trend.join(" → "),
            r.assessed_at.as_deref().map(uk_day).unwrap_or_default(),
            status,
        ],
    }
}

fn matrix_detail(now: &MatrixVersion, versions: &[MatrixVersion]) -> Opened<Opening> {
    let m = &now.matrix;
    let mut lines = vec![
        DetailLine::Field("Version", now.version.to_string()),
        DetailLine::Field("Benchmark", m.benchmark.to_string()),
        DetailLine::Field("Most possible", m.most().to_string()),
        DetailLine::Text(
            "A score at or over the benchmark goes to a supervisor, who decides what it calls for: the score decides nothing."
                .into(),
        ),
        DetailLine::Blank,
        DetailLine::Heading(format!("Characteristics ({})", m.characteristics.len())),
    ];
    for c in &m.characteristics {
        lines.push(DetailLine::Field(
            "",
            format!("{} ({}): {}", shown(&c.code), c.weight, shown(&c.label)),
        ));
        lines.extend(
            c.description
                .lines()
                .map(|l| DetailLine::Text(format!("  {}", shown(l)))),
        );
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Versions ({})",
        versions.len()
    )));
    for v in versions {
        let by = match (&v.made_by, &v.made_at) {
            (Some(by), Some(at)) => format!("{} on {}", shown(by), uk_time(at)),
            _ => "shipped with ccu".into(),
        };
        lines.push(DetailLine::Field(
            "",
            format!(
                "v{}: benchmark {}, {} characteristics; {by}",
                v.version,
                v.matrix.benchmark,
                v.matrix.characteristics.len()
            ),
        ));
        lines.push(DetailLine::Text(format!("  {}", shown(&v.reason))));
    }
    Opened::new(
        MATRIX_KEY,
        format!("Risk matrix, version {}", now.version),
        Opening::Matrix(m.clone()),
        lines,
    )
}

fn risk_detail(r: &RiskRecord) -> Opened<Opening> {
    let row = &r.row;
    let mut lines = vec![
        DetailLine::Field("Subject", row.staff_number.to_string()),
        DetailLine::Field("Name", shown(&row.name)),
    ];
    match (row.latest(), row.benchmark) {
        (Some(_), Some(b)) => lines.push(DetailLine::Field("Risk", trend(&row.scores, b))),
        _ => lines.push(DetailLine::Field("Risk", "not yet assessed".into())),
    }
    if row.waiting() {
        lines.push(DetailLine::Warning(
            "For a supervisor",
            "at or over the benchmark, no intervention yet (D)".into(),
        ));
    }
    if row.version.is_some_and(|v| v != r.matrix.version) {
        lines.push(DetailLine::Field(
            "Matrix",
            format!(
                "now version {}: reassess (e) to score against it",
                r.matrix.version
            ),
        ));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Assessments ({}), newest first",
        r.assessments.len()
    )));
    for a in r.assessments.iter().rev() {
        lines.push(DetailLine::Field(
            "Assessed",
            format!(
                "{}  {} (benchmark {}, v{}) by {}",
                uk_time(&a.assessed_at),
                a.score,
                a.benchmark,
                a.version,
                shown(&a.assessed_by)
            ),
        ));
        for f in &a.findings {
            let mut said = format!("{} +{}", shown(&f.characteristic), f.weight);
            if !f.intelligence.is_empty() {
                said.push_str(&format!(" [{}]", f.intelligence.join(", ")));
            }
            if !f.note.is_empty() {
                said.push_str(&format!(": {}", shown(&f.note)));
            }
            lines.push(DetailLine::Text(format!("  {said}")));
        }
        if a.findings.is_empty() {
            lines.push(DetailLine::Text("  no characteristic applies".into()));
        }
        for l in a.summary.lines() {
            lines.push(DetailLine::Text(format!("  {}", shown(l))));
        }
        match &a.intervention {
            Some(i) => {
                lines.push(DetailLine::Field(
                    "Intervention",
                    format!(
                        "{} by {} on {}",
                        i.kind.label(),
                        shown(&i.recorded_by),
                        uk_time(&i.recorded_at)
                    ),
                ));
                for l in i.rationale.lines() {
                    lines.push(DetailLine::Text(format!("  {}", shown(l))));
                }
                if let Some(next) = i.kind.next_step() {
                    lines.push(DetailLine::Field("Next", next.into()));
                }
            }
            None if a.score >= a.benchmark => {
                lines.push(DetailLine::Field("Intervention", "none yet".into()))
            }
            None => {}
        }
    }
    Opened::new(
        row.staff_number.to_string(),
        format!("Risk: {} {}", row.staff_number, shown(&row.name)),
        Opening::Subject {
            staff_number: row.staff_number.clone(),
            matrix: r.matrix.clone(),
            assessed: !r.assessments.is_empty(),
        },
        lines,
    )
}

fn assessment_fields(m: &Matrix) -> Vec<Field> {
    let mut fields: Vec<Field> = m
        .characteristics
        .iter()
        .zip(SLOTS)
        .enumerate()
        .map(|(i, (c, slot))| {
            let hint = if i == 0 {
                format!(
                    "{}. For each that applies: INT- references, then what shows it; blank if not",
                    c.label
                )
            } else {
                c.label.clone()
            };
            Field::line(slot, false, "")
                .labelled(format!("{} ({})", c.code, c.weight))
                .with_hint(hint)
        })
        .collect();
    fields.push(Field::text("summary", false, "").with_hint("the assessor's summary (optional)"));
    fields
}

/// The code a characteristic's line is for, from its label.
fn code_of_label(label: &str) -> &str {
    label.split(" (").next().unwrap_or(label)
}

fn assessment(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let staff_number = StaffNumber::parse(form.about.as_deref().unwrap_or(""))?;
    let mut findings = Vec::new();
    for field in form.fields.iter().filter(|f| SLOTS.contains(&f.id)) {
        let typed = field.value();
        if typed.trim().is_empty() {
            continue;
        }
        let code = code_of_label(&field.label);
        findings.push(
            Finding::parse(code, &typed)
                .map_err(|e| InvalidInput::new(field.id, format!("{code}: {}", e.message)))?,
        );
    }
    Ok(Submission::Command(
        Command::Assess {
            staff_number,
            findings,
            summary: form.value("summary"),
        }
        .into(),
    ))
}

fn intervention_fields() -> Vec<Field> {
    vec![
        Field::choice(
            "intervention",
            true,
            &Intervention::ALL,
            Intervention::code,
            Intervention::label,
            Some(Intervention::ManagementDiscussion),
        )
        .with_hint("covert methods go through the threshold process on an operation"),
        Field::text("rationale", true, "").with_hint("why this, and not more or less"),
    ]
}

fn intervention(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let staff_number = StaffNumber::parse(form.about.as_deref().unwrap_or(""))?;
    Ok(Submission::Command(
        Command::Intervene {
            staff_number,
            intervention: Intervention::parse(&form.value("intervention"))?,
            rationale: Rationale::new("rationale", &form.value("rationale"))?,
        }
        .into(),
    ))
}

/// What a change to the matrix does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Set,
    Withdraw,
    Benchmark,
}

impl Change {
    const ALL: [Change; 3] = [Change::Set, Change::Withdraw, Change::Benchmark];

    fn code(self) -> &'static str {
        match self {
            Change::Set => "set",
            Change::Withdraw => "withdraw",
            Change::Benchmark => "benchmark",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Change::Set => "add or reweigh a characteristic",
            Change::Withdraw => "withdraw a characteristic",
            Change::Benchmark => "set the benchmark",
        }
    }
}

fn revision_fields(m: &Matrix) -> Vec<Field> {
    let codes: Vec<&str> = m.characteristics.iter().map(|c| c.code.as_str()).collect();
    vec![
        Field::choice(
            "change",
            true,
            &Change::ALL,
            Change::code,
            Change::label,
            Some(Change::Set),
        ),
        Field::line("characteristic", false, "")
            .with_hint(format!("a code: {}, or a new one", codes.join(", "))),
        Field::line("label", false, "").with_hint("when adding or reweighing: what it is called"),
        Field::line("weight", false, "").with_hint("when adding or reweighing: 1 to 10"),
        Field::text("description", false, "")
            .with_hint("when adding or reweighing: what it means in practice"),
        Field::line("benchmark", false, "")
            .with_hint(format!("when setting it: now {}", m.benchmark)),
        Field::text("reason", true, "").with_hint("why the matrix changes (kept with the version)"),
    ]
}

fn number(field: &'static str, text: &str) -> Result<u32, InvalidInput> {
    text.trim()
        .parse()
        .map_err(|_| InvalidInput::new(field, format!("'{}' is not a whole number", text.trim())))
}

fn revision(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let v = |id: &str| form.value(id);
    let revision = match v("change").as_str() {
        "withdraw" => Revision::Withdraw(crate::domain::risk::code_of(&v("characteristic"))?),
        "benchmark" => Revision::Benchmark(number("benchmark", &v("benchmark"))?),
        _ => Revision::Set(Characteristic::new(
            &v("characteristic"),
            &v("label"),
            &v("description"),
            number("weight", &v("weight"))?,
        )?),
    };
    Ok(Submission::Command(
        Command::ReviseMatrix {
            revision,
            reason: Rationale::new("reason", &v("reason"))?,
        }
        .into(),
    ))
}
