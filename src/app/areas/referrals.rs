//! IOPC referrals and their deadlines.

area! {
    tab: 70,
    go: "go_referrals", "Go to IOPC referrals",
}

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::form::Form;
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{
    DetailLine, ListRow, iso_day, or_dash, paragraph, shown, stored_time, uk_time,
};
use crate::domain::operation::Codename;
use crate::domain::permission::Action as Needed;
use crate::domain::referral::ReferralStatus;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{self, Command, Page, ReferralRow, SearchKind};

pub struct Referrals;

/// What the forms on an open referral need.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub urn: Urn,
    pub operation: Option<Codename>,
    pub status: ReferralStatus,
}

impl AreaKind for Referrals {
    type Record = Record;
    const TITLE: &'static str = "Referrals";
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::RecordReferral),
        (Action::Submit, Needed::MakeReferral),
        (Action::IopcDecision, Needed::RecordReferral),
        (Action::NewReferral, Needed::RecordReferral),
    ];
    const SHORT_TITLE: &'static str = "Refs";
    const IN_MEMORY: bool = true;
    const NOUN: &'static str = "a referral";
    const URN: Option<UrnKind> = Some(UrnKind::Referral);
    const SEARCH: &'static [SearchKind] = &[SearchKind::Referral];
    const RECORD_ACTIONS: &'static [Action] =
        &[Action::Submit, Action::IopcDecision, Action::NewReferral];
    const DETAIL_HINTS: &'static [Action] = &[
        Action::Submit,
        Action::IopcDecision,
        Action::NewReferral,
        Action::Back,
        Action::Help,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::text("URN", 13, 0),
            Column::text("Operation", 12, 0),
            Column::text("Matter", 10, 2),
            Column::text("Criterion", 18, 1),
            Column::new("Deadline", 16, 0, SortKey::Date),
            Column::text("Status", 9, 0),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = r
            .casefile
            .referrals(r.actor)?
            .iter()
            .map(referral_row)
            .collect();
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Record>, Unopened> {
        let urn = Urn::parse(UrnKind::Referral, key)?;
        Ok(referral_detail(&r.casefile.open_referral(r.actor, &urn)?))
    }

    fn new_form(_: &FormContext) -> Option<Form> {
        Some(Form::record_referral(None, None))
    }

    fn record_form(action: Action, record: &Record, _: &FormContext) -> RecordForm {
        let Record { urn, operation, .. } = record;
        match action {
            Action::Submit => RecordForm::Confirm {
                question: format!("Record {urn} as referred to the IOPC now?"),
                command: Command::MakeReferral { urn: *urn },
            },
            Action::IopcDecision => RecordForm::Edit(Form::iopc_decision(&urn.to_string())),
            Action::NewReferral => RecordForm::Make(Form::record_referral(
                operation.as_ref().map(Codename::as_str),
                Some(&urn.to_string()),
            )),
            _ => RecordForm::NotHere,
        }
    }

    fn makes(command: &Command) -> bool {
        matches!(command, Command::RecordReferral(_))
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Record)> {
        let urn = "REF-2026-0001".to_string();
        let mut records = Vec::new();
        for &status in ReferralStatus::ALL {
            for operation in [
                None,
                Some(crate::domain::operation::Codename::parse("KESTREL").unwrap()),
            ] {
                let record = Record {
                    urn: crate::domain::urn::Urn::parse(
                        crate::domain::urn::UrnKind::Referral,
                        "REF-2026-0001",
                    )
                    .unwrap(),
                    operation,
                    status,
                };
                records.push((urn.clone(), record));
            }
        }
        records
    }
}

pub fn referral_row(r: &ReferralRow) -> ListRow {
    ListRow {
        key: r.urn.to_string(),
        cells: vec![
            r.urn.to_string(),
            shown(r.operation.as_ref().map_or("", Codename::as_str)),
            r.matter_type.label().to_string(),
            r.criterion.short_label().to_string(),
            uk_time(&r.deadline),
            r.status.label().to_string(),
        ],
    }
}

pub fn referral_detail(r: &ReferralRow) -> Opened<Record> {
    let mut lines = vec![
        DetailLine::Field(
            "Operation",
            shown(r.operation.as_ref().map_or("-", Codename::as_str)),
        ),
        DetailLine::Field("Force reference", shown(&r.force_reference)),
        DetailLine::Field("Matter", r.matter_type.label().to_string()),
        DetailLine::Field("Criterion", r.criterion.label().to_string()),
        DetailLine::Field("Became clear", iso_day(&r.became_clear_on)),
        DetailLine::Field("Status", r.status.label().to_string()),
        DetailLine::Field(
            "Subjects",
            or_dash(
                Some(&r.subjects.join(", "))
                    .filter(|s| !s.is_empty())
                    .map(String::as_str),
                shown,
            ),
        ),
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
    lines.push(DetailLine::Field(
        "IOPC decided on",
        or_dash(r.mode_decided_on.as_deref(), iso_day),
    ));
    if let Some(first) = &r.re_referral_of {
        lines.push(DetailLine::Field("Re-referral of", first.to_string()));
    }
    lines.push(DetailLine::Blank);
    lines.push(DetailLine::Heading("Summary".into()));
    paragraph(&mut lines, &r.summary);
    Opened {
        key: r.urn.to_string(),
        title: format!("Referral {}", r.urn),
        record: Record {
            urn: r.urn,
            operation: r.operation.clone(),
            status: r.status,
        },
        lines,
        chart: Vec::new(),
    }
}
