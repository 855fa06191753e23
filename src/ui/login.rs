//! The screens before the application: creating a case file, logging in,
//! and the lock screen (which shows nothing from the case file).

use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::App;
use crate::app::form::{Form, FormKind};

pub fn render(app: &App, t: &Theme, form: &Form, frame: &mut Frame, body: Rect) {
    let form_rows = form.fields.len() as u16 + 3 + u16::from(form.error.is_some());
    let demo_rows = app
        .demo
        .as_ref()
        .filter(|_| form.kind == FormKind::Login)
        .map(|(accounts, _)| accounts.len() as u16 + 4)
        .unwrap_or(0);
    // Each account's description on a line of its own when there is room.
    let roomy = demo_rows > 0 && body.height >= form_rows + 2 * demo_rows - 4;
    let demo_rows = if roomy { 2 * demo_rows - 4 } else { demo_rows };
    let box_area = super::centred(body, 76, form_rows + demo_rows);
    let [form_area, demo_area] =
        Layout::vertical([Constraint::Length(form_rows), Constraint::Fill(1)]).areas(box_area);
    super::form::render_in(t, form, frame, form_area);
    // A note under the form: who set a one-time password, or what the
    // first run creates.
    let note = match &form.kind {
        FormKind::ChoosePassword { notice, .. } => Some((
            crate::sanitise::for_terminal(notice).into_owned(),
            t.warning(),
            4,
        )),
        FormKind::Setup => Some((
            "No case file here yet. This creates one with its first administrator and its head of unit, who approves the access the administrator asks for; \
             the administrator then adds the unit's users (`ccu user add`)."
                .to_owned(),
            t.dim(),
            3,
        )),
        _ => None,
    };
    if let Some((text, style, height)) = note {
        let area = super::centred(
            Rect {
                y: form_area.y + form_area.height,
                height,
                ..body
            },
            76,
            height,
        );
        frame.render_widget(
            Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
            area,
        );
    }
    if demo_rows > 0
        && let Some((accounts, password)) = &app.demo
    {
        let mut lines = vec![
            Line::styled(
                "A demo case file: all names and events are invented.",
                t.warning(),
            ),
            Line::raw(format!("Every demo account's password is: {password}")),
        ];
        for a in accounts {
            if roomy {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<14}", a.username), t.title()),
                    Span::raw(a.roles.clone()),
                ]));
                lines.push(Line::styled(format!("    {}", a.what), t.dim()));
            } else {
                lines.push(Line::raw(format!(
                    "  {:<14} {:<22} {}",
                    a.username, a.roles, a.what
                )));
            }
        }
        frame.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Line::styled(" Demo accounts ", t.title())),
            ),
            demo_area,
        );
    }
}

pub fn render_locked(t: &Theme, form: &Form, frame: &mut Frame, body: Rect) {
    let rows = form.fields.len() as u16 + 3 + u16::from(form.error.is_some());
    let rect = super::centred(body, 60, rows);
    super::form::render_in(t, form, frame, rect);
}
