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
            0 => FLEXIBLE_MIN,
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

/// How wide each shown column is drawn in `width`: each gets its set
/// width, then the room left goes to the columns whose text (`natural`:
/// the widest of its header and the rows on screen) is wider than that,
/// the shortest made whole first, and what is still left to the flexible
/// columns (set width 0). A wide screen shows whole text; a narrow one
/// keeps each column's set width and cuts with an ellipsis.
pub fn column_widths(wanted: &[(u16, u8)], natural: &[u16], width: u16) -> Vec<(usize, u16)> {
    let shown = visible_columns(wanted, width);
    let base = |c: usize| match wanted[c].0 {
        0 => FLEXIBLE_MIN,
        w => w,
    };
    let mut widths: Vec<(usize, u16)> = shown.iter().map(|c| (*c, base(*c))).collect();
    let spacing = u16::try_from(shown.len().saturating_sub(1)).unwrap_or(u16::MAX);
    let used: u16 = widths.iter().map(|(_, w)| *w).sum::<u16>() + spacing;
    let mut spare = width.saturating_sub(used);
    let lack = |c: usize, w: u16| natural.get(c).copied().unwrap_or(0).saturating_sub(w);
    // Shared out as water fills: a column lacking less than an equal share
    // is made whole, and what it leaves goes to the rest, so short text
    // shows whole and the longest takes what remains.
    let mut short: Vec<usize> = (0..widths.len())
        .filter(|i| lack(widths[*i].0, widths[*i].1) > 0)
        .collect();
    while spare > 0 && !short.is_empty() {
        let share = (spare / short.len() as u16).max(1);
        let whole: Vec<usize> = short
            .iter()
            .copied()
            .filter(|i| lack(widths[*i].0, widths[*i].1) <= share)
            .collect();
        if whole.is_empty() {
            for i in &short {
                let more = share.min(spare);
                widths[*i].1 += more;
                spare -= more;
            }
            break;
        }
        for i in whole {
            let more = lack(widths[i].0, widths[i].1).min(spare);
            widths[i].1 += more;
            spare -= more;
        }
        short.retain(|i| lack(widths[*i].0, widths[*i].1) > 0);
    }
    let flexible: Vec<usize> = (0..widths.len())
        .filter(|i| wanted[widths[*i].0].0 == 0)
        .collect();
    if !flexible.is_empty() && spare > 0 {
        let each = spare / flexible.len() as u16;
        for (n, i) in flexible.iter().enumerate() {
            let extra = u16::from((n as u16) < spare % flexible.len() as u16);
            widths[*i].1 += each + extra;
        }
    }
    widths
}

/// The narrowest a flexible column is drawn.
const FLEXIBLE_MIN: u16 = 20;

/// Text cut to `width` display columns, with an ellipsis where it was cut.
pub fn fitted(text: &str, width: u16) -> std::borrow::Cow<'_, str> {
    use unicode_width::UnicodeWidthChar;
    let width = usize::from(width);
    if unicode_width::UnicodeWidthStr::width(text) <= width {
        return text.into();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    if width > 0 {
        // "Controlled drug…", not "Controlled drug …".
        out.truncate(out.trim_end().len());
        out.push('…');
    }
    out.into()
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
    let on_screen = top..(top + inner_height).min(list.total);
    let natural: Vec<u16> = (0..list.columns.len())
        .map(|c| {
            let header = list.columns[c].label.chars().count() + 1;
            on_screen
                .clone()
                .filter_map(|i| list.row(i))
                .filter_map(|r| r.cells.get(c))
                .map(|cell| unicode_width::UnicodeWidthStr::width(cell.as_str()))
                .max()
                .unwrap_or(0)
                .max(header)
                .min(usize::from(u16::MAX)) as u16
        })
        .collect();
    let shown = column_widths(&wanted, &natural, rect.width.saturating_sub(3));
    let rows: Vec<Row> = on_screen
        .clone()
        .map(|i| match list.row(i) {
            Some(r) => {
                let row = Row::new(shown.iter().map(|(c, w)| {
                    Cell::from(fitted(
                        r.cells.get(*c).map(String::as_str).unwrap_or(""),
                        *w,
                    ))
                }));
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
    let widths: Vec<Constraint> = shown.iter().map(|(_, w)| Constraint::Length(*w)).collect();
    let header = Row::new(shown.iter().map(|(i, w)| {
        let mark = if *i == list.spec.sort && area.fixed_order().is_none() {
            arrow
        } else {
            ""
        };
        let label = list.columns[*i].label;
        let room = w.saturating_sub(mark.chars().count() as u16);
        Cell::from(format!("{}{mark}", fitted(label, room)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_shows_an_ellipsis_and_whole_text_none() {
        assert_eq!(fitted("Active (overt)", 14), "Active (overt)");
        assert_eq!(fitted("Active (overt)", 10), "Active (o…");
        assert_eq!(fitted("P1 (highest)", 5), "P1 (…");
        assert_eq!(fitted("abc", 0), "");
        // Wide characters count as two columns.
        assert_eq!(fitted("日本語です", 5), "日本…");
    }

    #[test]
    fn room_goes_to_the_columns_whose_text_is_cut() {
        // Three columns of set widths 10, 5 and 8; the first's text
        // needs 20, the others fit.
        let wanted = [(10, 0), (5, 0), (8, 1)];
        let natural = [20, 3, 8];
        // Narrow: the set widths, in their order.
        assert_eq!(
            column_widths(&wanted, &natural, 25),
            vec![(0, 10), (1, 5), (2, 8)]
        );
        // Wide: the first grows to its text, the others stay.
        assert_eq!(
            column_widths(&wanted, &natural, 200),
            vec![(0, 20), (1, 5), (2, 8)]
        );
        // Between: it gets what there is.
        assert_eq!(
            column_widths(&wanted, &natural, 30),
            vec![(0, 15), (1, 5), (2, 8)]
        );
        // Too narrow for all: the least important goes, never the first.
        assert_eq!(column_widths(&wanted, &natural, 17), vec![(0, 11), (1, 5)]);
    }

    #[test]
    fn room_left_over_goes_to_a_flexible_column() {
        let wanted = [(10, 0), (0, 1)];
        let natural = [4, 30];
        // 10 + 1 + 20 = 31 set; the flexible one needs 30: gets 10 more,
        // then the rest.
        assert_eq!(column_widths(&wanted, &natural, 61), vec![(0, 10), (1, 50)]);
    }
}
