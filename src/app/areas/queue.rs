//! What waits for the user's decision, gathered from the other areas:
//! each row opens the record it is about (or, for a request for access,
//! the form that decides it).

area! {
    tab: 80,
    go: "go_queue", "Go to what waits for your decision",
}

use super::kind::{AreaKind, Opened, Reader, Unopened};
use crate::app::action::Action;
use crate::app::form::{Field, Form, Submission};
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{ListRow, shown, uk_time};
use crate::domain::InvalidInput;
use crate::domain::text::Rationale;
use crate::domain::urn::Urn;
use crate::domain::urn::UrnKind;
use crate::store::registers::drift::Command as DriftCommand;
use crate::store::{self, Actor, CaseFile, Page};
use chrono::{DateTime, Utc};

pub struct Queue;

impl AreaKind for Queue {
    type Record = ();
    const TITLE: &'static str = "Waiting for me";
    const SHORT_TITLE: &'static str = "Queue";
    const IN_MEMORY: bool = true;
    /// Its rows are other areas' records, opened there.
    const OPENS_ELSEWHERE: bool = true;
    const LIST_HINTS: &'static [Action] = &[
        Action::Open,
        Action::Decide,
        Action::Refresh,
        Action::Help,
        Action::Quit,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::text("Waiting", 0, 0),
            Column::text("Reference", 14, 0),
            Column::text("Operation", 12, 0),
            Column::new("Since or due", 16, 0, SortKey::Date),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = queue(r.casefile, r.actor)?;
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(_: &mut Reader, key: &str) -> Result<Opened<()>, Unopened> {
        Err(Unopened::Nothing(format!(
            "{key}: open it from its own list"
        )))
    }

    /// A request for access is no record to open: opening it (or deciding
    /// it) gives the form that decides it.
    fn row_form(action: Action, row: &ListRow) -> Option<Form> {
        if let Some((person, items)) = row.cells.first().and_then(|c| drift_warning(c)) {
            return (action == Action::Decide).then(|| {
                let mut form = Form::built_by(
                    format!("Acknowledge status drift: {person}"),
                    vec![Field::text("rationale", true, "").with_hint(format!(
                        "consider whether {person} is being used as a CHIS ({items}): say what was considered, and why"
                    ))],
                    acknowledge_drift,
                );
                form.about = Some(row.key.clone());
                form
            });
        }
        if !matches!(action, Action::Open | Action::Decide)
            || !row
                .key
                .strip_prefix(UrnKind::AccessRequest.prefix())
                .is_some_and(|rest| rest.starts_with('-'))
        {
            return None;
        }
        let summary = row
            .cells
            .first()
            .and_then(|c| c.strip_prefix("Access to decide: "))
            .unwrap_or_default();
        Some(Form::decide_access(&row.key, summary))
    }

    #[cfg(test)]
    fn sample_rows() -> Vec<ListRow> {
        vec![
            ListRow {
                key: "ACR-2026-0001".into(),
                cells: vec!["Access to decide: add alice as investigator".into()],
            },
            ListRow {
                key: "INT-2026-00003".into(),
                cells: vec![drift_cell(
                    "Jo Bloggs",
                    &["INT-2026-00001".into(), "INT-2026-00003".into()],
                )],
            },
        ]
    }
}

/// How a status drift warning reads in the queue: the person first, so
/// that a narrow terminal still shows who it is about.
fn drift_cell(person: &str, items: &[String]) -> String {
    format!(
        "{DRIFT_PREFIX}{person}{DRIFT_MIDDLE}{}{DRIFT_END}",
        items.join(", ")
    )
}

const DRIFT_PREFIX: &str = "Status drift: ";
const DRIFT_MIDDLE: &str = ": consider whether they are being used as a CHIS (";
const DRIFT_END: &str = ")";

/// The person and the items of a status drift warning's cell.
fn drift_warning(cell: &str) -> Option<(&str, &str)> {
    cell.strip_prefix(DRIFT_PREFIX)?
        .strip_suffix(DRIFT_END)?
        .rsplit_once(DRIFT_MIDDLE)
}

/// The acknowledgement of the warning the row is about: the store finds
/// the warning again from its latest item, the row's key.
fn acknowledge_drift(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    Ok(Submission::Command(
        DriftCommand::Acknowledge {
            item: Urn::parse(UrnKind::Intelligence, form.about.as_deref().unwrap_or(""))?,
            rationale: Rationale::new("rationale", &form.value("rationale"))?,
        }
        .into(),
    ))
}

/// What waits for the user's decision: for a head of unit, requests for
/// access; for a supervisor, bids, threshold proposals, referrals to the
/// IOPC still to make (with their deadlines), subjects whose risk
/// assessment waits for an intervention, and source references two items share (an import by someone
/// who could not see the first); for an investigator or a supervisor,
/// status drift warnings from the items they may see; for an authorising
/// officer, applications naming them and reviews of what they granted.
fn queue(casefile: &mut CaseFile, actor: &Actor) -> store::Result<Vec<ListRow>> {
    use crate::domain::role::Role;
    let mut rows = Vec::new();
    if actor.roles().contains(Role::Investigator) || actor.roles().contains(Role::Supervisor) {
        // Each opens the latest of its items; deciding it acknowledges it.
        for w in casefile.status_drift(actor)? {
            let Some(latest) = w.items.last() else {
                continue;
            };
            let urns: Vec<String> = w.items.iter().map(ToString::to_string).collect();
            rows.push(ListRow {
                key: latest.to_string(),
                cells: vec![
                    drift_cell(&shown(&w.person), &urns),
                    latest.to_string(),
                    String::new(),
                    uk_time(&w.latest_received_at),
                ],
            });
        }
    }
    if actor.roles().contains(Role::Supervisor) {
        // A head of unit decides the access administrators ask for.
        for r in casefile.access_requests_to_decide(actor)? {
            rows.push(ListRow {
                key: r.urn.to_string(),
                cells: vec![
                    format!("Access to decide: {}", shown(&r.summary())),
                    r.urn.to_string(),
                    String::new(),
                    uk_time(&r.requested_at),
                ],
            });
        }
        for b in casefile.bids_awaiting_decision(actor)? {
            rows.push(ListRow {
                key: b.urn.to_string(),
                cells: vec![
                    "Bid to decide".into(),
                    b.urn.to_string(),
                    b.codename.to_string(),
                    b.submitted_at.as_deref().map(uk_time).unwrap_or_default(),
                ],
            });
        }
        for t in casefile.thresholds_awaiting_decision(actor)? {
            rows.push(ListRow {
                key: t.codename.to_string(),
                cells: vec![
                    "Threshold to decide".into(),
                    format!("{} T{}", t.codename, t.number),
                    t.codename.to_string(),
                    uk_time(&t.proposed_at),
                ],
            });
        }
        // A supervisor makes the referrals to the IOPC: each one recorded
        // and not yet made, with its deadline, overdue ones said so.
        for (r, overdue) in casefile.referrals_to_make(actor)? {
            rows.push(ListRow {
                key: r.urn.to_string(),
                cells: vec![
                    if overdue {
                        "IOPC referral OVERDUE".into()
                    } else {
                        "IOPC referral to make".into()
                    },
                    r.urn.to_string(),
                    r.operation
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    uk_time(&r.deadline),
                ],
            });
        }
        // A subject whose latest risk assessment is at or over the
        // benchmark, with no intervention since.
        for r in casefile.risks_awaiting_intervention(actor)? {
            rows.push(ListRow {
                key: format!("{}{}", store::registers::risk::KEY_PREFIX, r.staff_number),
                cells: vec![
                    format!(
                        "Risk {} at or over benchmark {}: intervention to record",
                        r.latest().unwrap_or_default(),
                        r.benchmark.unwrap_or_default()
                    ),
                    r.staff_number.to_string(),
                    String::new(),
                    r.assessed_at.as_deref().map(uk_time).unwrap_or_default(),
                ],
            });
        }
        // A supervisor sees every item, so every reference two items share.
        for shared in casefile.shared_source_references(actor, store::SHARED_REFERENCES_SHOWN)? {
            let Some(first) = shared.urns.first() else {
                continue;
            };
            let urns: Vec<String> = shared.urns.iter().map(ToString::to_string).collect();
            rows.push(ListRow {
                key: first.to_string(),
                cells: vec![
                    format!(
                        "{} items share source reference {}: {}",
                        match shared.urns.len() {
                            2 => "two".to_owned(),
                            n => n.to_string(),
                        },
                        shown(&shared.source_reference),
                        urns.join(", ")
                    ),
                    first.to_string(),
                    String::new(),
                    uk_time(&shared.latest_recorded_at),
                ],
            });
        }
    }
    if actor.roles().contains(Role::AuthorisingOfficer) {
        rows.extend(authorising_queue(casefile, actor)?);
    }
    Ok(rows)
}

/// The authorising officer's part of the queue.
fn authorising_queue(casefile: &mut CaseFile, actor: &Actor) -> store::Result<Vec<ListRow>> {
    Ok(casefile
        .authorisations_awaiting(actor)?
        .iter()
        .map(|a| {
            let what = match (a.what, a.overdue) {
                (store::Awaiting::Decision, _) => "Application to decide",
                (store::Awaiting::Review, true) => "Review OVERDUE",
                (store::Awaiting::Review, false) => "Review due",
            };
            ListRow {
                key: a.urn.to_string(),
                cells: vec![
                    format!("{what}: {}", a.kind.label()),
                    a.urn.to_string(),
                    a.operation.to_string(),
                    a.due_at.as_deref().map(uk_time).unwrap_or_default(),
                ],
            }
        })
        .collect())
}
