//! A virtual list: only the rows on screen are drawn, from the window of
//! rows the model holds; the scroll bar shows where that is in the whole.

use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{
    Block, Borders, Cell, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table,
};

use crate::app::{App, Area, view};

/// The first row shown when `selected` must be visible in `height` rows:
/// whole pages, so drawing needs no remembered scroll position.
pub fn first_visible(selected: u64, height: u64) -> u64 {
    if height == 0 {
        0
    } else {
        selected - selected % height
    }
}

/// The columns that fit in `width`, most important first, shown in their
/// own order.
pub fn visible_columns(widths: &[(u16, u8)], width: u16) -> Vec<usize> {
    let mut by_priority: Vec<usize> = (0..widths.len()).collect();
    by_priority.sort_by_key(|i| widths[*i].1);
    let mut chosen = Vec::new();
    let mut used = 0u16;
    for i in by_priority {
        let w = match widths[i].0 {
            0 => 20,
            w => w,
        } + u16::from(!chosen.is_empty());
        if used + w > width {
            continue;
        }
        used += w;
        chosen.push(i);
    }
    chosen.sort();
    chosen
}

pub fn render(app: &App, t: &Theme, area: Area, frame: &mut Frame, rect: Rect, focused: bool) {
    let list = app.list(area);
    let mut title = format!(" {} ", area.title());
    if list.loaded {
        let position = if list.total == 0 {
            "none".to_string()
        } else {
            format!("{} of {}", list.selected + 1, list.total)
        };
        title.push_str(&format!("({position}) "));
    }
    let arrow = if list.spec.descending { "↓" } else { "↑" };
    let sort = match area.fixed_order() {
        Some(order) => format!(" {} ", order.label),
        None => format!(
            " sorted by {} {arrow} ",
            list.columns.get(list.spec.sort).map_or("", |c| c.label)
        ),
    };
    let mut block = Block::default()
        .title_bottom(chain_title(app, t, area))
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Line::styled(title, t.title()))
        .title_bottom(Line::styled(sort, t.dim()).right_aligned());
    if let Some((c, text)) = &list.spec.filter {
        block = block.title_bottom(Line::styled(
            format!(
                " filter: {} contains \"{}\" ",
                list.columns.get(*c).map_or("", |c| c.label),
                view::shown(text)
            ),
            t.warning(),
        ));
    }
    let audit = &list.spec.audit;
    if !audit.is_empty() {
        let mut parts = Vec::new();
        let day = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
        if let Some(o) = &audit.operation {
            parts.push(format!("operation {}", view::shown(o)));
        }
        if let Some(u) = &audit.user {
            parts.push(format!("user {}", view::shown(u)));
        }
        if let Some(a) = &audit.action {
            parts.push(format!("action {}", view::shown(a)));
        }
        if let Some(f) = audit.from {
            parts.push(format!("from {}", day(f)));
        }
        if let Some(to) = audit.to {
            parts.push(format!("to {}", day(to)));
        }
        if let Some(o) = &audit.outcome {
            parts.push(format!("outcome {}", view::shown(o)));
        }
        if let Some(n) = audit.through {
            parts.push(format!("from event {n} back"));
        }
        block = block.title_top(
            Line::styled(format!(" filter: {} ", parts.join(", ")), t.warning()).right_aligned(),
        );
    }
    let inner_height = rect.height.saturating_sub(3) as u64;
    let top = first_visible(list.selected, inner_height);
    let wanted: Vec<(u16, u8)> = list.columns.iter().map(|c| (c.width, c.weight)).collect();
    let shown = visible_columns(&wanted, rect.width.saturating_sub(3));
    let rows: Vec<Row> = (top..(top + inner_height).min(list.total))
        .map(|i| match list.row(i) {
            Some(r) => {
                let row = Row::new(
                    shown
                        .iter()
                        .map(|c| Cell::from(r.cells.get(*c).map(String::as_str).unwrap_or(""))),
                );
                if i == list.selected {
                    row.style(t.selected())
                } else if area.verifies_chain() {
                    row.style(audit_row_style(app, t, &r.key))
                } else {
                    row
                }
            }
            None => Row::new(vec![Cell::from("…")]),
        })
        .collect();
    let widths: Vec<Constraint> = shown
        .iter()
        .map(|c| match wanted[*c].0 {
            0 => Constraint::Min(20),
            w => Constraint::Length(w),
        })
        .collect();
    let header = Row::new(shown.iter().map(|i| {
        let mark = if *i == list.spec.sort && area.fixed_order().is_none() {
            arrow
        } else {
            ""
        };
        Cell::from(format!("{}{mark}", list.columns[*i].label))
    }))
    .style(t.title());
    let empty = list.loaded && list.total == 0;
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, rect);
    if empty {
        let message = if list.spec.filter.is_some() {
            "Nothing matches the filter."
        } else {
            "Nothing here yet, or nothing you may see."
        };
        let inner = Rect {
            x: rect.x + 2,
            y: rect.y + 2,
            width: rect.width.saturating_sub(4),
            height: 1,
        };
        frame.render_widget(Line::styled(message, t.dim()), inner);
    }
    if list.total > inner_height {
        let mut state = ScrollbarState::new(list.total as usize)
            .position(list.selected as usize)
            .viewport_content_length(inner_height as usize);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight),
            rect.inner(ratatui::layout::Margin {
                vertical: 1,
                horizontal: 0,
            }),
            &mut state,
        );
    }
}

/// How far the audit viewer has verified the chain, for its title.
fn chain_title(app: &App, t: &Theme, area: Area) -> Line<'static> {
    let Some(c) = app.chain.as_ref().filter(|_| area.verifies_chain()) else {
        return Line::raw("");
    };
    let text = match &c.broken {
        Some((seq, problem)) => {
            return Line::styled(
                format!(" CHAIN BROKEN at event {seq}: {problem} "),
                t.error(),
            );
        }
        None if c.done => format!(" chain verified: all {} events ", c.verified_through),
        None => format!(" verifying chain: {} of {} ", c.verified_through, c.total),
    };
    Line::styled(text, t.ok())
}

/// An event at the break shows as an error; events not yet verified (or
/// after a break) are dim.
fn audit_row_style(app: &App, t: &Theme, key: &str) -> ratatui::style::Style {
    let (Some(c), Ok(seq)) = (app.chain.as_ref(), key.parse::<i64>()) else {
        return t.plain();
    };
    match &c.broken {
        Some((at, _)) if seq == *at => t.error(),
        Some((at, _)) if seq > *at => t.dim(),
        _ if seq > c.verified_through => t.dim(),
        _ => t.plain(),
    }
}
