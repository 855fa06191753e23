//! The opened record, and for a bid its committed-against-capacity chart.

use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

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
/// as a share of the capacity, on one scale for every row so that a
/// longer bar is always a larger share. The capacity is the `│` mark;
/// over-commitment is marked in words and colour.
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
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let rows = chart_rows(bars, inner.width);
    let lines: Vec<Line> = rows
        .into_iter()
        .zip(bars)
        .map(|(row, b)| {
            let style: Style = if b.over { t.error() } else { t.accent() };
            Line::from(vec![
                Span::styled(row.label, if b.over { t.error() } else { t.plain() }),
                Span::styled(row.bar, style),
                Span::styled(row.figures, if b.over { t.error() } else { t.dim() }),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One row of the capacity chart, in its three parts.
#[derive(Debug, PartialEq)]
pub struct ChartRow {
    pub label: String,
    pub bar: String,
    pub figures: String,
}

/// The chart's rows in `width` columns: the resource (cut with `…`) and
/// the week with its year, a bar on a scale shared by every row (to the
/// larger of full capacity and the largest share, at most twice it), and
/// the figures. Eighth blocks keep a small share visible: any load at all
/// draws at least a sliver.
pub fn chart_rows(bars: &[CapacityBar], width: u16) -> Vec<ChartRow> {
    let share = |b: &CapacityBar| {
        let load = b.committed_elsewhere + b.this_bid;
        if b.capacity > 0.0 {
            load / b.capacity
        } else if load > 0.0 {
            2.0
        } else {
            0.0
        }
    };
    let scale = bars.iter().map(share).fold(1.0_f64, f64::max).min(2.0);
    let name_width = bars
        .iter()
        .map(|b| b.resource.chars().count())
        .max()
        .unwrap_or(0)
        .min(22) as u16;
    let figures: Vec<String> = bars
        .iter()
        .map(|b| {
            let load = b.committed_elsewhere + b.this_bid;
            format!(
                " {}/{} {:>3}%{}",
                number(load),
                number(b.capacity),
                (share(b) * 100.0).round() as u64,
                if b.over { " OVER" } else { "" }
            )
        })
        .collect();
    let figures_width = figures.iter().map(|f| f.chars().count()).max().unwrap_or(0) as u16;
    // "!" + name + " w/c dd/mm/yyyy "
    let label_width = 1 + name_width + 16;
    // One column for the capacity mark when it falls past the bar's end.
    let bar_width = width.saturating_sub(label_width + figures_width + 1).max(4);
    let mark_at = ((f64::from(bar_width) / scale).round() as u16).min(bar_width);
    bars.iter()
        .zip(figures)
        .map(|(b, figures)| {
            let name = crate::ui::list::fitted(&b.resource, name_width);
            let label = format!(
                "{}{name:<w$} w/c {} ",
                if b.over { "!" } else { " " },
                b.week,
                w = usize::from(name_width),
            );
            let eighths = (share(b).min(scale) / scale * f64::from(bar_width) * 8.0).round() as u32;
            let eighths = if share(b) > 0.0 { eighths.max(1) } else { 0 };
            let mut bar = String::new();
            for cell in 0..u32::from(bar_width) {
                let filled = eighths.saturating_sub(cell * 8).min(8);
                let ch = match filled {
                    0 if cell == u32::from(mark_at) => '│',
                    0 => '·',
                    n => [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'][n as usize],
                };
                bar.push(ch);
            }
            bar.push(if mark_at == bar_width { '│' } else { ' ' });
            ChartRow {
                label,
                bar,
                figures,
            }
        })
        .collect()
}

fn number(n: f64) -> String {
    let text = format!("{n:.1}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(resource: &str, load: f64, capacity: f64) -> CapacityBar {
        CapacityBar {
            resource: resource.into(),
            week: "23/11/2026".into(),
            committed_elsewhere: load,
            this_bid: 0.0,
            capacity,
            over: load > capacity,
        }
    }

    fn filled(row: &ChartRow) -> usize {
        row.bar
            .chars()
            .filter(|c| !matches!(c, '·' | '│' | ' '))
            .count()
    }

    #[test]
    fn bars_are_shares_on_one_scale() {
        // 13.4/30 is 45%, 3.4/7 is 49%, 4.8/30 is 16%: the bars are in
        // that order, and the smallest still shows.
        let rows = chart_rows(
            &[
                bar("Surveillance team", 13.4, 30.0),
                bar("Analyst hours", 3.4, 7.0),
                bar("Technical", 4.8, 30.0),
            ],
            80,
        );
        assert!(filled(&rows[0]) <= filled(&rows[1]), "{rows:?}");
        assert!(filled(&rows[2]) > 0, "{rows:?}");
        assert!(filled(&rows[2]) < filled(&rows[0]), "{rows:?}");
        assert!(rows[0].figures.contains("13.4/30  45%"), "{rows:?}");
        // Whole rows fit the width.
        for row in &rows {
            let drawn =
                row.label.chars().count() + row.bar.chars().count() + row.figures.chars().count();
            assert!(drawn <= 80, "{drawn}: {row:?}");
        }
        // Each row's parts line up, whatever the name.
        let widths: Vec<usize> = rows.iter().map(|r| r.label.chars().count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{widths:?}");
    }

    #[test]
    fn over_capacity_passes_the_mark_and_says_so() {
        let rows = chart_rows(
            &[
                bar("Surveillance team", 41.4, 30.0),
                bar("Analyst hours", 15.0, 30.0),
            ],
            80,
        );
        assert!(rows[0].figures.ends_with("138% OVER"), "{rows:?}");
        assert!(rows[0].label.starts_with('!'), "{rows:?}");
        let mark = rows[1]
            .bar
            .chars()
            .position(|c| c == '│')
            .expect("the capacity mark");
        assert!(filled(&rows[0]) > mark, "{rows:?}");
        assert!(filled(&rows[1]) < mark, "{rows:?}");
    }

    #[test]
    fn a_long_name_is_cut_with_an_ellipsis_and_the_week_has_its_year() {
        let rows = chart_rows(
            &[bar("Covert surveillance team (mobile, two cars)", 1.0, 2.0)],
            80,
        );
        assert!(rows[0].label.contains('…'), "{rows:?}");
        assert!(rows[0].label.contains("w/c 23/11/2026"), "{rows:?}");
    }
}
