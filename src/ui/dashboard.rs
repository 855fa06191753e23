//! The dashboard: what is due, counts by status, and two charts.

use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Sparkline};

use crate::app::App;

pub fn render(app: &App, t: &Theme, frame: &mut Frame, rect: Rect) {
    let Some(d) = &app.dashboard else {
        frame.render_widget(
            Paragraph::new("Loading…").block(Block::default().borders(Borders::ALL)),
            rect,
        );
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rect);
    let counts_height = d
        .operations_by_status
        .len()
        .max(d.intelligence_by_triage.len()) as u16
        + 3;
    let effect_height = d.in_effect.len().clamp(1, 5) as u16 + 2;
    let [due_area, effect_area, counts_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(effect_height),
        Constraint::Length(counts_height),
    ])
    .areas(left);

    // Authorisations in effect, with the end the domain rules give them.
    let mut effect: Vec<Line> = d
        .in_effect
        .iter()
        .map(|(urn, kind, end, last_day)| {
            let left = *end - app.now;
            let soon = left <= chrono::Duration::days(7);
            let left = if left.num_days() > 0 {
                format!("{}d {}h", left.num_days(), left.num_hours() % 24)
            } else {
                format!("{}h {}m", left.num_hours(), left.num_minutes() % 60)
            };
            Line::from(vec![
                Span::styled(format!("{urn} "), t.title()),
                Span::styled(
                    format!("to {last_day} ({left}) "),
                    if soon { t.warning() } else { t.plain() },
                ),
                Span::styled(kind.clone(), t.dim()),
            ])
        })
        .collect();
    if effect.is_empty() {
        effect.push(Line::styled("None that you may see.", t.dim()));
    }
    frame.render_widget(
        Paragraph::new(effect).block(Block::default().borders(Borders::ALL).title(Line::styled(
            format!(" Authorisations in effect ({}) ", d.in_effect.len()),
            t.title(),
        ))),
        effect_area,
    );

    // What is due: overdue first (red), within a day (amber), then the rest.
    let mut due: Vec<Line> = Vec::new();
    for (i, item) in d.due.iter().enumerate() {
        let chosen = i == app.due_selected;
        let (style, tag) = if item.overdue {
            (t.error(), "OVERDUE ")
        } else if item.soon {
            (t.warning(), "<24h ")
        } else {
            (t.plain(), "")
        };
        let head = Line::from(vec![
            Span::styled(format!("{tag}{} ", item.when), style),
            Span::styled(item.reference.clone(), t.title()),
        ]);
        due.push(if chosen {
            head.style(t.selected())
        } else {
            head
        });
        due.push(Line::from(Span::styled(format!("  {}", item.why), style)));
    }
    if due.is_empty() {
        due.push(Line::styled("Nothing due in the next 7 days.", t.dim()));
    }
    frame.render_widget(
        Paragraph::new(due)
            .scroll((
                // Two lines an entry: keep the selected one in sight.
                ((app.due_selected as u16 + 1) * 2)
                    .saturating_sub(due_area.height.saturating_sub(2)),
                0,
            ))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Line::styled(format!(" Due ({}) ", d.due.len()), t.title())),
            ),
        due_area,
    );

    let rows = d
        .operations_by_status
        .len()
        .max(d.intelligence_by_triage.len());
    // Two columns of "label  count", each half the box.
    let half = (counts_area.width.saturating_sub(3) / 2) as usize;
    let label = half.saturating_sub(6).max(4);
    let cell = |v: Option<&(&str, u64)>| match v {
        Some((l, n)) => format!("{} {n:>5}", truncate(l, label)),
        None => " ".repeat(half),
    };
    let mut lines = vec![Line::styled(
        format!("{:<half$} {:<half$}", "Operations", "Intelligence"),
        t.title(),
    )];
    for i in 0..rows {
        lines.push(Line::raw(format!(
            "{} {}",
            cell(d.operations_by_status.get(i)),
            cell(d.intelligence_by_triage.get(i))
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Line::styled(" By status ", t.title())),
        ),
        counts_area,
    );

    let bars_height = d.category_this_year.len() as u16 + 2;
    let [bars_area, spark_area] =
        Layout::vertical([Constraint::Length(bars_height), Constraint::Fill(1)]).areas(right);
    let bars: Vec<Bar> = d
        .category_this_year
        .iter()
        .map(|(label, n)| {
            Bar::default()
                .value(*n)
                .label(Line::from(truncate(label, 16)))
                .text_value(n.to_string())
        })
        .collect();
    frame.render_widget(
        BarChart::default()
            .block(Block::default().borders(Borders::ALL).title(Line::styled(
                format!(" Intelligence by category, {} ", d.year),
                t.title(),
            )))
            .direction(Direction::Horizontal)
            .bar_width(1)
            .bar_gap(0)
            .bar_style(t.accent())
            .data(BarGroup::default().bars(&bars)),
        bars_area,
    );
    let total: u64 = d.weekly_intake.iter().sum();
    frame.render_widget(
        Sparkline::default()
            .block(Block::default().borders(Borders::ALL).title(Line::styled(
                format!(" Weekly intake since {} ({total}) ", d.weeks_from),
                t.title(),
            )))
            .style(t.accent())
            .data(&d.weekly_intake),
        spark_area,
    );
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        format!("{text:<max$}")
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
