//! The dashboard: the diary, what is in effect, and the unit's figures.

area! {
    tab: 10,
    go: "go_dashboard", "Go to the dashboard",
}

use super::kind::{AreaKind, FormContext, Opened, Reader, Unopened};
use crate::app::action::Action;
use crate::app::form::Form;
use crate::app::list::{Column, ListSpec};
use crate::app::view::{DashboardView, ListRow, due_line, iso_day, shown};
use crate::domain::permission::Action as Needed;
use crate::domain::time::uk_year;
use crate::store::{self, Actor, CaseFile, Page};

pub struct Dashboard;

impl AreaKind for Dashboard {
    type Record = ();
    const TITLE: &'static str = "Dashboard";
    const NEEDS: &'static [(Action, Needed)] = &[(Action::New, Needed::RecordIntelligence)];
    const SHORT_TITLE: &'static str = "Home";
    const IS_LIST: bool = false;
    const LIST_HINTS: &'static [Action] = &[
        Action::Open,
        Action::NextArea,
        Action::Search,
        Action::Palette,
        Action::Help,
        Action::Quit,
    ];

    fn columns() -> Vec<Column> {
        Vec::new()
    }

    fn load(_: &mut Reader, _: &ListSpec, _: Page) -> store::Result<(u64, Vec<ListRow>)> {
        Ok((0, Vec::new()))
    }

    fn open(_: &mut Reader, _: &str) -> Result<Opened<()>, Unopened> {
        Err(Unopened::Nothing("nothing to open".into()))
    }

    /// What comes in most: intelligence.
    fn new_form(_: &FormContext) -> Option<Form> {
        Some(Form::new_intelligence())
    }
}

/// The dashboard's figures, read afresh.
pub fn view(casefile: &mut CaseFile, actor: &Actor) -> store::Result<DashboardView> {
    let figures = casefile.dashboard(actor)?;
    let due = casefile.due(actor, 7)?;
    let now = casefile.current_time();
    // Not everyone may read the central record; for them the panel is empty.
    let mut in_effect: Vec<(String, String, chrono::DateTime<chrono::Utc>, String)> = casefile
        .central_record(actor)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.in_effect)
        .filter_map(|a| {
            let end = chrono::DateTime::parse_from_rfc3339(a.ends_at.as_deref()?).ok()?;
            Some((
                a.urn.to_string(),
                shown(&a.kind),
                end.with_timezone(&chrono::Utc),
                a.last_day.as_deref().map(iso_day).unwrap_or_default(),
            ))
        })
        .collect();
    in_effect.sort_by_key(|(_, _, end, _)| *end);
    Ok(DashboardView {
        due: due.iter().map(|d| due_line(d, now)).collect(),
        in_effect,
        operations_by_status: figures
            .operations_by_status
            .iter()
            .map(|(s, n)| (s.label(), *n))
            .collect(),
        intelligence_by_triage: figures
            .intelligence_by_triage
            .iter()
            .map(|(s, n)| (s.label(), *n))
            .collect(),
        year: uk_year(now),
        category_this_year: figures
            .category_this_year
            .iter()
            .map(|(c, n)| (c.label(), *n))
            .collect(),
        weeks_from: figures
            .weekly_intake
            .first()
            .map(|(d, _)| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        weekly_intake: figures.weekly_intake.iter().map(|(_, n)| *n).collect(),
    })
}
