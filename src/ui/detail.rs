//! The opened record, and for a bid its committed-against-capacity chart.

use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Direction, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Wrap};

use crate::app::Detail;
use crate::app::view::{CapacityBar, DetailLine, countdown};
use crate::app::{App, Focus};

pub fn render(app: &App, t: &Theme, detail: &Detail, frame: &mut Frame, rect: Rect) {
    let (text_area, chart_area) = crate::app::view::detail_split(rect, !detail.chart.is_empty());
    let lines: Vec<Line> = detail
        .lines
        .iter()
        .map(|l| match l {
            DetailLine::Heading(h) => Line::styled(h.clone(), t.accent()),
            DetailLine::Field(label, value) => Line::from(vec![
                Span::styled(format!("{label:<20}"), t.dim()),
                Span::raw(value.clone()),
            ]),
            DetailLine::Countdown(label, at) => {
                let (text, past) = countdown(*at, app.now);
                let left = *at - app.now;
                let style = if past {
                    t.error()
                } else if left <= chrono::Duration::days(1) {
                    t.warning()
                } else {
                    t.plain()
                };
                Line::from(vec![
                    Span::styled(format!("{label:<20}"), t.dim()),
                    Span::styled(text, style),
                ])
            }
            DetailLine::Warning(label, value) => Line::from(vec![
                Span::styled(format!("{label:<20}"), t.warning()),
                Span::styled(value.clone(), t.warning()),
            ]),
            DetailLine::Text(text) => Line::raw(text.clone()),
            DetailLine::Blank => Line::raw(""),
        })
        .collect();
    // Scrolled no further than its last row (the screen may have grown
    // since), and saying when there is more below.
    let limit = crate::app::view::detail_scroll_limit(
        &detail.lines,
        chart_area.is_some(),
        app.size,
        app.now,
    );
    let scroll = detail.scroll.min(limit);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(app.focus == Focus::Detail))
        .title(Line::styled(format!(" {} ", detail.title), t.title()));
    if scroll < limit {
        let key = app
            .keymap
            .hint(crate::app::Context::Detail, crate::app::Action::Down)
            .unwrap_or_else(|| "↓".into());
        block = block.title_bottom(Line::styled(format!(" more below: {key} "), t.dim()));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        text_area,
    );
    if let Some(area) = chart_area {
        capacity_chart(t, &detail.chart, frame, area);
    }
}

/// One bar per resource and week: what is committed there with this bid,
/// against the capacity, over-commitment marked in words and colour.
fn capacity_chart(t: &Theme, bars: &[CapacityBar], frame: &mut Frame, rect: Rect) {
    let over = bars.iter().filter(|b| b.over).count();
    let title = if over > 0 {
        Line::from(vec![
            Span::styled(" Committed / capacity per week ", t.title()),
            Span::styled(format!("({over} over capacity, marked !) "), t.error()),
        ])
    } else {
        Line::styled(
            " Committed / capacity per week (within capacity) ",
            t.title(),
        )
    };
    let data: Vec<Bar> = bars
        .iter()
        .map(|b| {
            let load = b.committed_elsewhere + b.this_bid;
            let style: Style = if b.over { t.error() } else { t.accent() };
            let mark = if b.over { "!" } else { "" };
            // As a share of capacity, so resources of any size compare and
            // a bar past the 100% mark is over.
            let percent = if b.capacity > 0.0 {
                load / b.capacity * 100.0
            } else {
                200.0
            };
            Bar::default()
                .value(percent.round() as u64)
                .label(Line::from(format!(
                    "{mark}{} {}",
                    short(&b.resource, 14),
                    b.week
                )))
                .text_value(format!(
                    "{}/{}{}",
                    number(load),
                    number(b.capacity),
                    if b.over { " OVER" } else { "" }
                ))
                .style(style)
        })
        .collect();
    frame.render_widget(
        BarChart::default()
            .block(Block::default().borders(Borders::ALL).title(title))
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .max(
                bars.iter()
                    .map(|b| {
                        if b.capacity > 0.0 {
                            ((b.committed_elsewhere + b.this_bid) / b.capacity * 100.0).round()
                                as u64
                        } else {
                            200
                        }
                    })
                    .max()
                    .unwrap_or(100)
                    .max(100),
            )
            .data(BarGroup::default().bars(&data)),
        rect,
    );
}

fn number(n: f64) -> String {
    let text = format!("{n:.1}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        format!("{text:<max$}")
    } else {
        text.chars().take(max).collect()
    }
}
