//! The opened record.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::view::{Detail, DetailLine};
use crate::app::{App, Focus};

pub fn render(app: &App, detail: &Detail, frame: &mut Frame, rect: Rect) {
    let t = &app.theme;
    let lines: Vec<Line> = detail
        .lines
        .iter()
        .map(|l| match l {
            DetailLine::Heading(h) => Line::styled(h.clone(), t.accent()),
            DetailLine::Field(label, value) => Line::from(vec![
                Span::styled(format!("{label:<20}"), t.dim()),
                Span::raw(value.clone()),
            ]),
            DetailLine::Text(text) => Line::raw(text.clone()),
            DetailLine::Blank => Line::raw(""),
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(app.focus == Focus::Detail))
        .title(Line::styled(format!(" {} ", detail.title), t.title()));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((detail.scroll, 0)),
        rect,
    );
}
