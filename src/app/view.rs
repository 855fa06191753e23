//! What the screens show, made from the case file's records: every string
//! from the case file passes `crate::sanitise::for_terminal` here, once, on
//! its way into the model, so nothing raw is ever left for rendering. Each
//! area's own rows and pages are made in its module (`super::areas`);
//! what they share is here.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

use crate::sanitise::for_terminal;
use crate::store::DueItem;

/// Text from the case file made safe for the terminal.
pub fn shown(text: &str) -> String {
    for_terminal(text).into_owned()
}

/// A stored UTC time as UK local time, `dd/mm/yyyy HH:MM`.
pub fn uk_time(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => at
            .with_timezone(&London)
            .format("%d/%m/%Y %H:%M")
            .to_string(),
        Err(_) => shown(stored),
    }
}

/// An optional value shown through `show`, or `-` when there is none.
pub fn or_dash(value: Option<&str>, show: fn(&str) -> String) -> String {
    value.map(show).unwrap_or_else(|| "-".into())
}

/// A stored calendar day (`yyyy-mm-dd`) as `dd/mm/yyyy`.
pub fn iso_day(stored: &str) -> String {
    match chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => shown(stored),
    }
}

/// A stored UTC time as a UK day, `dd/mm/yyyy`.
pub fn uk_day(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => at.with_timezone(&London).format("%d/%m/%Y").to_string(),
        Err(_) => shown(stored),
    }
}

/// One row of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// What opens it: a URN, a staff number or a codename (sanitised too,
    /// since it is shown; keys never contain characters the sanitiser
    /// changes, as the domain types refuse them).
    pub key: String,
    pub cells: Vec<String>,
}

/// One line of a detail pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailLine {
    Heading(String),
    Field(&'static str, String),
    /// A moment shown with the time left until it (or since it), counted
    /// from the screen's clock as it is drawn.
    Countdown(&'static str, DateTime<Utc>),
    /// A field that must stand out (a flag such as "directly involved").
    Warning(&'static str, String),
    Text(String),
    Blank,
}

/// One resource in one week, for the capacity chart of a bid.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityBar {
    pub resource: String,
    /// `dd/mm/yyyy`, the Monday of the week.
    pub week: String,
    pub committed_elsewhere: f64,
    pub this_bid: f64,
    pub capacity: f64,
    pub over: bool,
}

/// Text that may run over several lines, each sanitised.
pub fn paragraph(lines: &mut Vec<DetailLine>, text: &str) {
    for line in text.lines() {
        lines.push(DetailLine::Text(shown(line)));
    }
}

pub fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// One entry of the diary on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueLine {
    /// The record it is about (a URN or a codename), to open it.
    pub key: String,
    pub when: String,
    pub overdue: bool,
    /// Due within a day (shown amber).
    pub soon: bool,
    pub reference: String,
    pub why: String,
}

pub fn due_line(item: &DueItem, now: DateTime<Utc>) -> DueLine {
    // Within the next 24 hours; an entry dated in the past that is not
    // overdue (a bid, dated when it was submitted) is plain.
    let soon = !item.overdue
        && DateTime::parse_from_rfc3339(&item.due_at)
            .map(|d| {
                let left = d.with_timezone(&Utc) - now;
                left >= chrono::Duration::zero() && left <= chrono::Duration::hours(24)
            })
            .unwrap_or(false);
    DueLine {
        key: item.reference.clone(),
        when: uk_time(&item.due_at),
        overdue: item.overdue,
        soon,
        reference: shown(&item.reference),
        why: shown(&item.why),
    }
}

/// The dashboard's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardView {
    pub due: Vec<DueLine>,
    /// Authorisations in effect, soonest end first: URN, type, the end
    /// (exclusive) and the last day it covers, `dd/mm/yyyy`.
    pub in_effect: Vec<(String, String, DateTime<Utc>, String)>,
    pub operations_by_status: Vec<(&'static str, u64)>,
    pub intelligence_by_triage: Vec<(&'static str, u64)>,
    pub year: i32,
    pub category_this_year: Vec<(&'static str, u64)>,
    /// The Monday of the first week in `weekly_intake`, `dd/mm/yyyy`.
    pub weeks_from: String,
    pub weekly_intake: Vec<u64>,
}

pub fn stored_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A time as `dd/mm/yyyy HH:MM` with the time left or past, from `now`.
pub fn countdown(at: DateTime<Utc>, now: DateTime<Utc>) -> (String, bool) {
    let shown = at
        .with_timezone(&London)
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let past = at <= now;
    let span = if past { now - at } else { at - now };
    let (d, h, m) = (
        span.num_days(),
        span.num_hours() % 24,
        span.num_minutes() % 60,
    );
    let amount = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    };
    if past {
        (format!("{shown} ({amount} ago)"), true)
    } else {
        (format!("{shown} (in {amount})"), false)
    }
}

/// The body of the main screen at `size`: all but the header, the tabs and
/// the status line.
pub fn body_rect(size: (u16, u16)) -> ratatui::layout::Rect {
    let [_, _, body, _] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(1),
        ratatui::layout::Constraint::Length(1),
        ratatui::layout::Constraint::Fill(1),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(ratatui::layout::Rect::new(0, 0, size.0, size.1));
    body
}

/// The list and the open record in `body`: side by side when there is
/// room, otherwise one above the other. The screens draw them here, and
/// the model scrolls the record by the same measure.
pub fn split(body: ratatui::layout::Rect) -> (ratatui::layout::Rect, ratatui::layout::Rect) {
    use ratatui::layout::{Constraint, Layout};
    if body.width >= 120 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(body);
        (l, r)
    } else {
        let [l, r] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
        (l, r)
    }
}

/// The part of the record's pane its text takes, the capacity chart (if
/// any) below it.
pub fn detail_split(
    rect: ratatui::layout::Rect,
    has_chart: bool,
) -> (ratatui::layout::Rect, Option<ratatui::layout::Rect>) {
    use ratatui::layout::{Constraint, Layout};
    if !has_chart {
        return (rect, None);
    }
    let chart_height = (rect.height / 2).max(8).min(rect.height);
    let [a, b] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(chart_height)]).areas(rect);
    (a, Some(b))
}

/// A record line's words as drawn, labels padded as the screen pads them,
/// for measuring how many rows it wraps to.
fn detail_text(line: &DetailLine, now: DateTime<Utc>) -> String {
    match line {
        DetailLine::Heading(h) | DetailLine::Text(h) => h.clone(),
        DetailLine::Field(label, value) | DetailLine::Warning(label, value) => {
            format!("{label:<20}{value}")
        }
        DetailLine::Countdown(label, at) => format!("{label:<20}{}", countdown(*at, now).0),
        DetailLine::Blank => String::new(),
    }
}

/// How far the open record can scroll on a screen of `size`: the rows its
/// text wraps to, less the rows its pane shows. Zero when it all fits.
pub fn detail_scroll_limit(
    lines: &[DetailLine],
    has_chart: bool,
    size: (u16, u16),
    now: DateTime<Utc>,
) -> u16 {
    let (_, pane) = split(body_rect(size));
    let (text, _) = detail_split(pane, has_chart);
    // Inside the border.
    let (width, height) = (text.width.saturating_sub(2), text.height.saturating_sub(2));
    let rows = ratatui::widgets::Paragraph::new(
        lines
            .iter()
            .map(|l| ratatui::text::Line::raw(detail_text(l, now)))
            .collect::<Vec<_>>(),
    )
    .wrap(ratatui::widgets::Wrap { trim: false })
    .line_count(width);
    u16::try_from(rows.saturating_sub(usize::from(height))).unwrap_or(u16::MAX)
}
