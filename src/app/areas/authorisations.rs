//! Covert authorisations: the central record.

area! {
    tab: 60,
    go: "go_authorisations", "Go to covert authorisations (the central record)",
}

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::confirm::{Ask, Facts};
use crate::app::form::Form;
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{
    DetailLine, ListRow, iso_day, or_dash, paragraph, shown, stored_time, uk_day, uk_time,
};
use crate::domain::covert::{AuthorisationStatus, ThresholdOutcome};
use crate::domain::operation::Codename;
use crate::domain::permission::Action as Needed;
use crate::domain::tactic::Tactic;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{
    self, AuthorisationRecord, CentralRecordEntry, Command, Page, SearchKind, TACTICS_NOT_KEPT,
    ThresholdState,
};

pub struct Authorisations;

/// What the forms on an open authorisation need.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub urn: Urn,
    pub codename: Codename,
    pub status: AuthorisationStatus,
    /// The tactics applied for, each decided on the grant form.
    pub tactics: Vec<Tactic>,
    /// What the questions before a grant, renewal or cancellation say,
    /// and the warning on the grant form when the threshold is not met.
    pub ask: Ask,
}

impl AreaKind for Authorisations {
    type Record = Record;
    const TITLE: &'static str = "Authorisations";
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::ApplyForAuthorisation),
        (Action::Decide, Needed::ActOnAuthorisation),
        (Action::Review, Needed::ActOnAuthorisation),
        (Action::Renew, Needed::ActOnAuthorisation),
        (Action::JudicialApproval, Needed::ActOnAuthorisation),
        (Action::Close, Needed::ActOnAuthorisation),
    ];
    const SHORT_TITLE: &'static str = "Auth";
    const IN_MEMORY: bool = true;
    const NOUN: &'static str = "an authorisation";
    const URN: Option<UrnKind> = Some(UrnKind::Authorisation);
    const SEARCH: &'static [SearchKind] = &[SearchKind::Authorisation];
    const RECORD_ACTIONS: &'static [Action] = &[
        Action::Decide,
        Action::Review,
        Action::Renew,
        Action::JudicialApproval,
        Action::Close,
    ];
    const DETAIL_HINTS: &'static [Action] = &[
        Action::Decide,
        Action::Review,
        Action::Renew,
        Action::JudicialApproval,
        Action::Close,
        Action::Back,
        Action::Help,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::text("URN", 14, 0),
            Column::text("Type", 22, 0),
            Column::text("Status", 10, 0),
            Column::text("Operation", 12, 1),
            Column::new("Last day", 10, 0, SortKey::Date),
            Column::new("Review due", 10, 1, SortKey::Date),
            Column::text("Involved", 8, 0),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = r
            .casefile
            .central_record(r.actor)?
            .iter()
            .map(authorisation_row)
            .collect();
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Record>, Unopened> {
        let urn = Urn::parse(UrnKind::Authorisation, key)?;
        Ok(authorisation_detail(
            &r.casefile.open_authorisation(r.actor, &urn)?,
        ))
    }

    fn new_form(_: &FormContext) -> Option<Form> {
        Some(Form::apply_authorisation(None))
    }

    fn record_form(action: Action, record: &Record, _: &FormContext) -> RecordForm {
        let urn = &record.urn.to_string();
        let mut form = match action {
            Action::Decide => Form::decide_authorisation(urn, &record.tactics),
            Action::Review => Form::review_authorisation(urn),
            Action::Renew => Form::renew_authorisation(urn),
            Action::JudicialApproval => Form::judicial_approval(urn),
            Action::Close => Form::cancel_authorisation(urn),
            _ => return RecordForm::NotHere,
        };
        let deciding = action == Action::Decide;
        form.ask = Ask {
            // The threshold and the grounds matter to the decision: the
            // other forms act on what was granted already.
            warning: record.ask.warning.clone().filter(|_| deciding),
            grounds: if deciding {
                record.ask.grounds.clone()
            } else {
                Vec::new()
            },
            ..record.ask.clone()
        };
        RecordForm::Edit(form)
    }

    fn export_form() -> Option<Form> {
        Some(Form::export_central_record("central-record.csv"))
    }

    fn makes(command: &Command) -> bool {
        matches!(command, Command::ApplyForAuthorisation(_))
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Record)> {
        let urn = "AUTH-2026-0001".to_string();
        AuthorisationStatus::ALL
            .iter()
            .map(|&status| {
                let record = Record {
                    urn: crate::domain::urn::Urn::parse(
                        crate::domain::urn::UrnKind::Authorisation,
                        "AUTH-2026-0001",
                    )
                    .unwrap(),
                    codename: crate::domain::operation::Codename::parse("KESTREL").unwrap(),
                    status,
                    tactics: vec![Tactic::StaticObservation, Tactic::FollowingOnFoot],
                    ask: Ask::default(),
                };
                (urn.clone(), record)
            })
            .collect()
    }
}

pub fn authorisation_row(a: &CentralRecordEntry) -> ListRow {
    ListRow {
        key: a.urn.to_string(),
        cells: vec![
            a.urn.to_string(),
            shown(&a.kind),
            a.status.label().to_string(),
            a.operation.to_string(),
            a.last_day.as_deref().map(iso_day).unwrap_or_default(),
            a.next_review_due.as_deref().map(uk_day).unwrap_or_default(),
            if a.directly_involved { "INVOLVED" } else { "" }.to_string(),
        ],
    }
}

/// The warning an operation's threshold gives an authorising officer, or
/// None when it is met.
pub fn threshold_warning(codename: &Codename, t: &ThresholdState) -> Option<String> {
    if t.is_met() {
        return None;
    }
    let state = match (&t.decided, &t.pending_since) {
        (_, Some(proposed)) => format!("proposed {}, not yet decided", uk_day(proposed)),
        (Some((ThresholdOutcome::MoreInformation, at)), None) => {
            format!("more information needed, decided {}", uk_day(at))
        }
        (Some((_, at)), None) => format!("decided not met {}", uk_day(at)),
        (None, None) => "nothing proposed".to_string(),
    };
    Some(format!("{codename}'s threshold is not met ({state})"))
}

/// The threshold as it stands, in words, and whether it is met.
fn threshold_text(codename: &Codename, t: &ThresholdState) -> (String, bool) {
    match (threshold_warning(codename, t), &t.decided) {
        (Some(w), _) => (w, false),
        (None, Some((_, at))) => (format!("met (decided {})", uk_day(at)), true),
        (None, None) => ("met".into(), true),
    }
}

fn threshold_line(codename: &Codename, t: &ThresholdState) -> DetailLine {
    match threshold_text(codename, t) {
        (text, false) => DetailLine::Warning("Threshold", shown(&text)),
        (text, true) => DetailLine::Field("Threshold", text),
    }
}

/// What the grant form shows beneath its fields: the threshold when met
/// (a threshold not met is the warning above them), then the grounds.
fn grant_grounds(
    a: &CentralRecordEntry,
    record: &AuthorisationRecord,
) -> Vec<(&'static str, String)> {
    let g = &record.grounds;
    let mut grounds = Vec::new();
    if let (text, true) = threshold_text(&a.operation, &record.threshold) {
        grounds.push(("Threshold", text));
    }
    grounds.extend([
        ("Necessity", g.necessity.clone()),
        ("Proportionality", g.proportionality.clone()),
        ("Collateral intrusion", g.collateral_intrusion.clone()),
        (
            "Confidential material",
            if g.confidential_likely {
                "likely".into()
            } else {
                "not likely".into()
            },
        ),
    ]);
    grounds
}

pub fn authorisation_detail(record: &AuthorisationRecord) -> Opened<Record> {
    let a = &record.entry;
    let opt = |v: &Option<String>| or_dash(v.as_deref(), shown);
    let status = a.status;
    let mut lines = vec![
        DetailLine::Field("Type", shown(&a.kind)),
        DetailLine::Field("Status", status.label().to_string()),
        DetailLine::Field("In effect", if a.in_effect { "yes" } else { "no" }.into()),
        DetailLine::Field(
            "Operation",
            format!("{} ({})", a.operation, a.operation_urn),
        ),
        threshold_line(&a.operation, &record.threshold),
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
    let because = a.confidential_reason.as_deref().map_or_else(
        || " (no reason recorded)".to_string(),
        |r| format!(": {}", shown(r)),
    );
    if a.confidential_information_likely {
        lines.push(DetailLine::Warning(
            "Confidential information",
            format!("likely{because}"),
        ));
    } else {
        lines.push(DetailLine::Field(
            "Confidential",
            format!("unlikely{because}"),
        ));
    }
    if let Some(c) = &record.cancellation {
        lines.push(DetailLine::Field("Cancelled", uk_time(&c.cancelled_at)));
        lines.push(DetailLine::Field(
            "Stop instruction",
            or_dash(c.stop_instruction_at.as_deref(), uk_time),
        ));
        lines.push(DetailLine::Field("Product", opt(&a.product_handling)));
    }
    if let Some(from) = &a.destruction_review_from {
        lines.push(DetailLine::Field(
            "Destruction review",
            format!("not before {} (kept 3 years from the end)", iso_day(from)),
        ));
    }
    for similar in &a.similar_text {
        lines.push(DetailLine::Warning("Similar text", shown(similar)));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading("Description".into()));
    paragraph(&mut lines, &a.description);
    // The grounds in full: what the authorising officer weighs.
    let g = &record.grounds;
    for (heading, text) in [
        ("Necessity", &g.necessity),
        ("Proportionality", &g.proportionality),
        ("Collateral intrusion", &g.collateral_intrusion),
    ] {
        lines.push(DetailLine::Blank);
        lines.push(DetailLine::Heading(heading.into()));
        paragraph(&mut lines, text);
    }
    // Each tactic, its own lines and what the grant decided.
    if a.tactics_not_kept {
        lines.push(DetailLine::Blank);
        lines.push(DetailLine::Heading("Tactics".into()));
        lines.push(DetailLine::Text(TACTICS_NOT_KEPT.into()));
    } else if a.tactics_listed() {
        lines.push(DetailLine::Blank);
        lines.push(DetailLine::Heading(format!(
            "Tactics ({})",
            a.tactics.len()
        )));
        for t in &a.tactics {
            let decision = shown(&t.decision());
            lines.push(match t.granted {
                Some(false) => DetailLine::Warning(t.tactic.label(), decision),
                _ => DetailLine::Field(t.tactic.label(), decision),
            });
            lines.push(DetailLine::Text("Necessity:".into()));
            paragraph(&mut lines, &t.necessity);
            lines.push(DetailLine::Text("Proportionality:".into()));
            paragraph(&mut lines, &t.proportionality);
        }
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(
        "Confidential or privileged material".into(),
    ));
    lines.push(DetailLine::Text(
        if g.confidential_likely {
            "likely: a higher authorising level applies"
        } else {
            "not likely"
        }
        .into(),
    ));
    if g.protected_premises {
        lines.push(DetailLine::Text(
            "protected premises (a home, hotel room or office)".into(),
        ));
    }
    if let Some(why) = &record.decision_rationale {
        lines.push(DetailLine::Blank);
        lines.push(DetailLine::Heading(
            if status == AuthorisationStatus::Refused {
                "Why refused"
            } else {
                "Why granted"
            }
            .into(),
        ));
        paragraph(&mut lines, why);
    }
    if let Some(c) = &record.cancellation {
        for (heading, text) in [
            ("Why cancelled", &c.reason),
            ("Outcome", &c.outcome),
            ("Material obtained", &c.material_arrangements),
        ] {
            lines.push(DetailLine::Blank);
            lines.push(DetailLine::Heading(heading.into()));
            paragraph(&mut lines, text);
        }
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Reviews ({})",
        record.reviews.len()
    )));
    for r in &record.reviews {
        lines.push(DetailLine::Field(
            "Reviewed",
            format!(
                "{} by {}{}",
                uk_time(&r.reviewed_at),
                shown(&r.reviewed_by),
                if r.continue_ {
                    ""
                } else {
                    " (recommended cancellation)"
                }
            ),
        ));
        lines.push(DetailLine::Text("Necessity:".into()));
        paragraph(&mut lines, &r.necessity);
        lines.push(DetailLine::Text("Proportionality:".into()));
        paragraph(&mut lines, &r.proportionality);
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading(format!(
        "Renewals ({})",
        record.renewals.len()
    )));
    for n in &record.renewals {
        lines.push(DetailLine::Field(
            "Renewed",
            format!(
                "{} by {} ({})",
                uk_time(&n.renewed_at),
                shown(&n.renewed_by),
                shown(&n.rank)
            ),
        ));
        lines.push(DetailLine::Field(
            "Period",
            format!("{} to {}", uk_time(&n.takes_effect_at), uk_time(&n.ends_at)),
        ));
        paragraph(&mut lines, &n.rationale);
    }
    Opened {
        key: a.urn.to_string(),
        title: format!("{}  {}", a.urn, shown(&a.kind)),
        record: Record {
            urn: a.urn,
            codename: a.operation.clone(),
            status,
            tactics: a.tactics.iter().map(|t| t.tactic).collect(),
            ask: Ask {
                warning: (status == AuthorisationStatus::Applied)
                    .then(|| threshold_warning(&a.operation, &record.threshold))
                    .flatten(),
                authorisation: Some(Facts {
                    kind: record.kind,
                    urgent: a.urgent,
                    period_start: record.period_start.as_deref().and_then(stored_time),
                    ends_at: a.ends_at.as_deref().and_then(stored_time),
                }),
                grounds: grant_grounds(a, record),
            },
        },
        lines,
        chart: Vec::new(),
    }
}
