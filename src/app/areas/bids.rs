//! Bids for covert resources, decided by a supervisor against capacity.

area! {
    tab: 50,
    go: "go_bids", "Go to bids for resources",
}

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use chrono::{DateTime, Utc};

use crate::app::form::{Field, Form, Submission};
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{
    CapacityBar, DetailLine, ListRow, or_dash, paragraph, shown, uk_day, uk_time,
};
use crate::domain::InvalidInput;
use crate::domain::bid::BidStatus;
use crate::domain::operation::Codename;
use crate::domain::permission::Action as Needed;
use crate::domain::permission::permits;
use crate::domain::role::RoleSet;
use crate::domain::urn::{Urn, UrnKind};
use crate::store::{self, BidRecord, BidRow, Command, Page, SearchKind};

pub struct Bids;

/// What the forms on an open bid need.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub urn: Urn,
    pub codename: Codename,
    pub status: BidStatus,
    /// (number, what, quantity asked) per line.
    pub lines: Vec<(u32, String, f64)>,
    /// The weeks approving it in full would take past capacity, said in
    /// words, for the decision form and its question.
    pub over_capacity: Option<String>,
}

impl AreaKind for Bids {
    type Record = Record;
    const TITLE: &'static str = "Bids";
    const NEEDS: &'static [(Action, Needed)] = &[
        (Action::New, Needed::MakeBid),
        (Action::Submit, Needed::MakeBid),
        (Action::Decide, Needed::DecideBid),
        (Action::Close, Needed::MakeBid),
        (Action::SetCapacity, Needed::SetCapacity),
    ];
    const SHORT_TITLE: &'static str = "Bids";
    const IN_MEMORY: bool = true;
    const NOUN: &'static str = "a bid";
    const URN: Option<UrnKind> = Some(UrnKind::Bid);
    const SEARCH: &'static [SearchKind] = &[SearchKind::Bid];
    const RECORD_ACTIONS: &'static [Action] = &[Action::Submit, Action::Decide, Action::Close];
    const DETAIL_HINTS: &'static [Action] = &[
        Action::Submit,
        Action::Decide,
        Action::Close,
        Action::Back,
        Action::Help,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::text("URN", 13, 0),
            Column::text("Operation", 14, 0),
            Column::text("Status", 10, 0),
            Column::new("Lines", 5, 2, SortKey::Number),
            Column::text("Drafted by", 12, 1),
            Column::new("Submitted", 10, 1, SortKey::Date),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = r
            .casefile
            .bids(r.actor, Page::ALL)?
            .iter()
            .map(bid_row)
            .collect();
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<Record>, Unopened> {
        let urn = Urn::parse(UrnKind::Bid, key)?;
        Ok(bid_detail(&r.casefile.open_bid(r.actor, &urn)?))
    }

    fn new_form(context: &FormContext) -> Option<Form> {
        Some(Form::draft_bid(None, context.resources))
    }

    fn record_form(action: Action, record: &Record, _: &FormContext) -> RecordForm {
        let Record {
            urn, status, lines, ..
        } = record;
        match action {
            Action::Submit => RecordForm::Confirm {
                question: format!("Submit {urn} for a supervisor's decision?"),
                command: Command::SubmitBid { urn: *urn },
            },
            Action::Decide => {
                let mut form = Form::decide_bid(&urn.to_string(), lines);
                form.ask.warning = record.over_capacity.clone();
                RecordForm::Edit(form)
            }
            Action::Close
                if !status
                    .next()
                    .iter()
                    .any(|s| matches!(s, BidStatus::Completed | BidStatus::Withdrawn)) =>
            {
                RecordForm::Refuse(format!("{urn} is {}: it cannot be closed", status.label()))
            }
            Action::Close => RecordForm::Edit(Form::close_bid(&urn.to_string(), *status)),
            _ => RecordForm::NotHere,
        }
    }

    fn list_form(action: Action, context: &FormContext) -> RecordForm {
        if action != Action::SetCapacity {
            return RecordForm::NotHere;
        }
        let sets = context
            .roles
            .iter()
            .any(|r| RoleSet::new([*r]).is_ok_and(|one| permits(&one, Needed::SetCapacity)));
        if !sets {
            return RecordForm::Refuse(format!("{}: for supervisors", action.description()));
        }
        if context.resources.is_empty() {
            return RecordForm::Refuse("the case file lists no resource types".into());
        }
        let options = context
            .resources
            .iter()
            .map(|(code, _, weekly)| {
                let now = format!("{}: {} a week now", shown(code), amount(*weekly));
                (code.clone(), now)
            })
            .collect();
        RecordForm::Make(Form::built_by(
            "Weekly capacity of a resource type",
            vec![
                Field::options("resource", true, options),
                Field::line("weekly capacity", true, "")
                    .with_hint("a week, in its unit: e.g. 30 or 7.5"),
            ],
            set_capacity,
        ))
    }

    fn makes(command: &Command) -> bool {
        matches!(command, Command::DraftBid { .. })
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, Record)> {
        let urn = "BID-2026-0001".to_string();
        BidStatus::ALL
            .iter()
            .map(|&status| {
                let record = Record {
                    urn: crate::domain::urn::Urn::parse(
                        crate::domain::urn::UrnKind::Bid,
                        "BID-2026-0001",
                    )
                    .unwrap(),
                    codename: crate::domain::operation::Codename::parse("KESTREL").unwrap(),
                    status,
                    lines: vec![
                        (1, "Surveillance team days".into(), 5.0),
                        (2, "Analyst hours".into(), 12.0),
                    ],
                    over_capacity: Some(
                        "Approving in full goes over capacity: Analyst hours w/c 23/11/2026 (41.4 of 30)"
                            .into(),
                    ),
                };
                (urn.clone(), record)
            })
            .collect()
    }
}

pub fn bid_row(b: &BidRow) -> ListRow {
    ListRow {
        key: b.urn.to_string(),
        cells: vec![
            b.urn.to_string(),
            b.codename.to_string(),
            b.status.label().to_string(),
            b.lines.to_string(),
            shown(&b.created_by),
            b.submitted_at.as_deref().map(uk_day).unwrap_or_default(),
        ],
    }
}

pub fn bid_detail(r: &BidRecord) -> Opened<Record> {
    let b = &r.row;
    let mut lines = vec![
        DetailLine::Field("Operation", b.codename.to_string()),
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
    Opened {
        key: b.urn.to_string(),
        title: format!("Bid {}", b.urn),
        record: Record {
            over_capacity: over_capacity(r),
            urn: b.urn,
            codename: b.codename.clone(),
            status: b.status,
            lines: r
                .lines
                .iter()
                .map(|l| (l.number, shown(&l.resource_label), l.requested))
                .collect(),
        },
        lines,
        chart: r
            .capacity
            .iter()
            .map(|w| CapacityBar {
                // By the resource's name, as the bid's lines give it.
                resource: shown(
                    r.lines
                        .iter()
                        .find(|l| l.resource == w.resource)
                        .map_or(&w.resource, |l| &l.resource_label),
                ),
                week: w.week_starting.format("%d/%m/%Y").to_string(),
                committed_elsewhere: w.committed_elsewhere,
                this_bid: w.this_bid,
                capacity: w.capacity,
                over: w.over,
            })
            .collect(),
    }
}

/// "Approving in full goes over capacity: Analyst hours w/c 23/11/2026
/// (41.4 of 30)", for a bid whose lines would, or None.
fn over_capacity(r: &crate::store::BidRecord) -> Option<String> {
    let name = |code: &str| {
        r.lines
            .iter()
            .find(|l| l.resource == code)
            .map_or(code.to_string(), |l| l.resource_label.clone())
    };
    let weeks: Vec<String> = r
        .capacity
        .iter()
        .filter(|w| w.over)
        .map(|w| {
            let load = ((w.committed_elsewhere + w.this_bid) * 10.0).round() / 10.0;
            format!(
                "{} w/c {} ({load} of {})",
                shown(&name(&w.resource)),
                w.week_starting.format("%d/%m/%Y"),
                w.capacity
            )
        })
        .collect();
    match weeks.as_slice() {
        [] => None,
        [one] => Some(format!("Approving in full goes over capacity: {one}")),
        [first, rest @ ..] => Some(format!(
            "Approving in full goes over capacity in {} weeks: {first} and {} more",
            weeks.len(),
            rest.len()
        )),
    }
}

/// A quantity as people write it: `30`, `7.5`.
fn amount(weekly: f64) -> String {
    if weekly.fract() == 0.0 {
        format!("{weekly:.0}")
    } else {
        format!("{weekly}")
    }
}

fn set_capacity(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let typed = form.value("weekly capacity");
    let weekly: f64 = typed.trim().parse().map_err(|_| {
        InvalidInput::new(
            "weekly capacity",
            format!(
                "'{}' is not a number: write the amount a week, e.g. 30 or 7.5",
                typed.trim()
            ),
        )
    })?;
    Ok(Submission::Command(Command::SetCapacity {
        resource: form.value("resource"),
        weekly: crate::domain::bid::check_capacity(weekly)?,
    }))
}

/// The resource and capacity a capacity form set, once saved, so that
/// what the forms show stays true without logging in again.
pub fn capacity_set(form: &Form) -> Option<(String, f64)> {
    match build(form)? {
        Command::SetCapacity { resource, weekly } => Some((resource, weekly)),
        _ => None,
    }
}

fn build(form: &Form) -> Option<Command> {
    if !form.fields.iter().any(|f| f.id == "weekly capacity") {
        return None;
    }
    match set_capacity(form, Utc::now()) {
        Ok(Submission::Command(c)) => Some(c),
        _ => None,
    }
}
