//! Rendering: pure functions of `App`, one file per screen or popup.
//! Nothing here changes state, and nothing here sees raw case-file text:
//! `app::view` sanitised it on the way in.

pub mod dashboard;
pub mod detail;
pub mod form;
pub mod list;
pub mod login;
pub mod popup;
pub mod theme;

use crate::ui::theme::Theme;
use chrono_tz::Europe::London;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Tabs, Wrap};

use crate::app::{Action, App, Area, Context, Focus, MIN_HEIGHT, MIN_WIDTH, Popup, Screen};

/// Draws the whole screen, in `t`'s colours.
pub fn render(app: &App, t: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, t, frame, area);
        return;
    }
    let [header, tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    match &app.screen {
        Screen::Setup(form) | Screen::Login(form) | Screen::ChoosePassword(form) => {
            render_header(app, t, frame, header, false);
            login::render(app, t, form, frame, body);
            render_status(app, t, frame, status);
            return;
        }
        Screen::Locked(form) => {
            render_header(app, t, frame, header, false);
            login::render_locked(t, form, frame, body);
            render_status(app, t, frame, status);
            return;
        }
        Screen::Main => {}
    }
    render_header(app, t, frame, header, true);
    render_tabs(app, t, frame, tabs);
    match app.area {
        area if !app.may_read(area) => not_for_these_roles(app, t, area, frame, body),
        area if !area.is_list() => dashboard::render(app, t, frame, body),
        area => render_records(app, t, area, frame, body),
    }
    if let Some(f) = &app.form {
        form::render(t, f, frame, body);
    }
    if let Some(p) = &app.popup {
        popup::render(app, t, p, frame, body);
    }
    render_status(app, t, frame, status);
}

/// The list and the opened record: side by side when there is room,
/// otherwise one above the other.
fn render_records(app: &App, t: &Theme, area: Area, frame: &mut Frame, body: Rect) {
    let Some(detail) = &app.detail else {
        list::render(app, t, area, frame, body, true);
        return;
    };
    let (list_area, detail_area) = crate::app::view::split(body);
    list::render(app, t, area, frame, list_area, app.focus == Focus::List);
    detail::render(app, t, detail, frame, detail_area);
}

/// How many rows of a list fit at this terminal size with no record open
/// (a full page for PgUp and PgDn).
pub use crate::app::list_rows;

fn render_header(app: &App, t: &Theme, frame: &mut Frame, area: Rect, signed_in: bool) {
    let time = app
        .now
        .with_timezone(&London)
        .format("%a %d/%m/%Y %H:%M")
        .to_string();
    // The right-hand side always shows; who and which file give way.
    let mut right = vec![Span::raw(time)];
    if signed_in {
        let left = app.lock_in();
        let style = if left.num_seconds() < 60 {
            t.warning()
        } else {
            t.plain()
        };
        right.push(Span::raw(" │ "));
        right.push(Span::styled(
            format!(
                "lock {}:{:02} ",
                left.num_minutes(),
                left.num_seconds() % 60
            ),
            style,
        ));
    }
    let right_width: u16 = right.iter().map(|s| s.width() as u16).sum();
    let mut who = format!(" ccu │ {}", app.casefile);
    // A trail that does not verify is said in place of who is logged in,
    // on every screen, until they log out.
    let warning = app.trail_warning.as_ref().filter(|_| signed_in);
    if let Some(w) = warning {
        who.push_str(&match w.seq {
            0 => " │ ⚠ trail not checked".to_owned(),
            seq => format!(" │ ⚠ trail broken at event {seq}"),
        });
    } else if signed_in && let Some(s) = &app.session {
        who.push_str(&format!(" │ {} ({})", s.display_name, s.roles));
    }
    who.push_str(" │ ");
    let room = area.width.saturating_sub(right_width) as usize;
    if who.chars().count() > room {
        who = who.chars().take(room.saturating_sub(2)).collect::<String>() + "… ";
    }
    let [l, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(area);
    let style = if warning.is_some() {
        t.error()
    } else {
        t.title()
    };
    frame.render_widget(Paragraph::new(Line::styled(who, style)), l);
    frame.render_widget(Paragraph::new(Line::from(right)), r);
}

fn render_tabs(app: &App, t: &Theme, frame: &mut Frame, area: Rect) {
    // The areas the user's roles read, and the one they are in.
    let shown: Vec<Area> = Area::ALL
        .iter()
        .copied()
        .filter(|a| app.may_read(*a) || *a == app.area)
        .collect();
    let titles = |full: bool, space: &str| -> Vec<String> {
        shown
            .iter()
            .map(|a| {
                let key = app
                    .keymap
                    .hint(Context::List, a.action())
                    .unwrap_or_default();
                let title = if full { a.title() } else { a.short_title() };
                format!("{key}{space}{title}")
            })
            .collect()
    };
    // The widest that fits: full titles, then short ones, then short ones
    // without the space before each, then without the space after each
    // key, then only the keys but the current area's short title; past
    // that the bar is cut at the edge.
    let width = |titles: &[String], padding: usize| -> usize {
        titles
            .iter()
            .map(|t| t.chars().count() + padding)
            .sum::<usize>()
            + titles.len().saturating_sub(1)
    };
    let room = area.width as usize;
    let keys_only: Vec<String> = shown
        .iter()
        .zip(titles(false, ""))
        .map(|(a, title)| {
            if *a == app.area {
                title
            } else {
                app.keymap
                    .hint(Context::List, a.action())
                    .unwrap_or_default()
            }
        })
        .collect();
    let (titles, padding) = [
        (titles(true, " "), 1),
        (titles(false, " "), 1),
        (titles(false, " "), 0),
        (titles(false, ""), 0),
        (keys_only, 0),
    ]
    .into_iter()
    .find(|(titles, padding)| width(titles, *padding) <= room)
    .unwrap_or_else(|| (titles(false, ""), 0));
    let selected = shown.iter().position(|a| *a == app.area);
    frame.render_widget(
        Tabs::new(titles.into_iter().map(Line::from))
            .select(selected)
            .highlight_style(t.selected())
            .padding(if padding == 1 { " " } else { "" }, "")
            .divider("│"),
        area,
    );
}

/// The actions worth a hint in each context, most useful first.
fn hinted(app: &App, context: Context) -> &'static [Action] {
    match context {
        Context::Form
            if app
                .form
                .as_ref()
                .is_some_and(|f| crate::app::picker::for_field(f.focused()).is_some()) =>
        {
            &[
                Action::Save,
                Action::Back,
                Action::Pick,
                Action::NextPane,
                Action::NextChoice,
            ]
        }
        Context::Form => &[
            Action::Save,
            Action::Back,
            Action::NextPane,
            Action::NextChoice,
        ],
        Context::Popup => &[],
        Context::Detail => app.area.detail_hints(),
        Context::List | Context::Global => app.area.list_hints(),
    }
}

/// What the keys do in the popup on screen. A question is answered with
/// y or n only: Enter, pressed out of habit, must not discard a form.
fn popup_hints(app: &App) -> String {
    let back = app
        .keymap
        .hint(Context::Popup, Action::Back)
        .unwrap_or_else(|| "Esc".into());
    match &app.popup {
        Some(Popup::Confirm { .. }) => "y yes · n or Esc no".into(),
        Some(Popup::Help { .. } | Popup::Report { .. }) => {
            format!("↑/↓ PgUp/PgDn scroll · {back} close")
        }
        // These take typing, so only Esc closes them.
        Some(Popup::Search { .. }) => {
            "Enter searches, then opens the selected · ↑/↓ choose · Esc close".into()
        }
        Some(Popup::Palette { .. }) => "Enter runs the selected · ↑/↓ choose · Esc close".into(),
        Some(Popup::Filter { .. }) => "Tab next column · Enter filters · Esc close".into(),
        Some(Popup::Pick { .. }) => {
            "type to narrow · ↑/↓ choose · Enter puts it in · Esc close".into()
        }
        None => String::new(),
    }
}

/// Hints for the current context, made from the live keymap, as many
/// whole ones as fit in `width` columns: the least useful go first, but
/// help (which lists the rest) and the last (quit, on the outer screens)
/// stay.
pub fn hints(app: &App, width: usize) -> String {
    let mut items = hint_items(app);
    let joined = |items: &[String]| items.join(" · ");
    while joined(&items).chars().count() > width {
        let last = items.len().saturating_sub(1);
        match (0..last).rev().find(|i| !items[*i].ends_with(" help")) {
            Some(last) if items.len() > 1 => {
                items.remove(last);
            }
            _ => break,
        }
    }
    joined(&items)
}

fn hint_items(app: &App) -> Vec<String> {
    let context = match &app.screen {
        Screen::Main if app.popup.is_some() => return split_hints(&popup_hints(app)),
        Screen::Main => app.context(),
        Screen::Setup(_) => {
            return split_hints(
                "Tab next field · ←/→ choose · Enter on the last field creates · Ctrl-C quit",
            );
        }
        Screen::Login(_) => return split_hints("Tab next field · Enter logs in · Ctrl-C quit"),
        Screen::Locked(_) => return split_hints("Enter unlocks · Ctrl-C quit"),
        Screen::ChoosePassword(_) => {
            return split_hints(
                "Tab next field · Enter on the last field saves your password · Ctrl-C quit",
            );
        }
    };
    hinted(app, context)
        .iter()
        .filter(|a| context == Context::Form || app.applies(**a))
        .filter_map(|a| {
            app.keymap
                .hint(context, *a)
                .map(|k| format!("{k} {}", a.name().replace('_', " ")))
        })
        .collect()
}

fn split_hints(text: &str) -> Vec<String> {
    text.split(" · ").map(str::to_string).collect()
}

fn render_status(app: &App, t: &Theme, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let line = match &app.status {
        Some(s) if s.error => Line::from(Span::styled(s.text.clone(), t.error())),
        Some(s) => {
            let room = width.saturating_sub(s.text.chars().count() + 2);
            Line::from(vec![
                Span::styled(s.text.clone(), t.ok()),
                Span::raw("  "),
                Span::styled(hints(app, room), t.dim()),
            ])
        }
        None => Line::from(Span::styled(hints(app, width), t.dim())),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// For roles that read no case content: what they are here to do, and
/// where, in place of areas that would only be refused.
/// An area the user's roles may not read: what it is for, and, for an
/// administrator (who reads no case content), where their work is.
fn not_for_these_roles(app: &App, t: &Theme, area: Area, frame: &mut Frame, body: Rect) {
    let accounts = Area::ALL.iter().copied().find(|a| {
        *a != area
            && app.may_read(*a)
            && a.reads() == crate::domain::permission::Action::ListAccounts
    });
    let lines = match accounts {
        Some(accounts) => {
            let key = app
                .keymap
                .hint(Context::List, accounts.action())
                .unwrap_or_else(|| accounts.action().name().to_string());
            vec![
                Line::styled("Your roles read no case content", t.accent()),
                Line::raw(""),
                Line::raw(
                    "An administrator manages accounts and reads no case content (docs/security.md), so the areas here stay empty.",
                ),
                Line::raw(""),
                Line::raw(format!(
                    "Accounts are managed in {}: press {key}. There you add an account, change its roles, disable or enable it, and reset its password.",
                    accounts.title()
                )),
                Line::raw(""),
                Line::raw(
                    "Giving an account a role that reads case content waits for the head of unit's approval, from their queue.",
                ),
            ]
        }
        None => vec![
            Line::styled(format!("{}: not for your roles", area.title()), t.accent()),
            Line::raw(""),
            Line::raw(format!(
                "Reading it needs the permission to {}, which your roles do not hold (docs/security.md).",
                area.reads().phrase()
            )),
        ],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL)),
        body,
    );
}

fn too_small(app: &App, t: &Theme, frame: &mut Frame, area: Rect) {
    let then = if app.unsaved_form() {
        "A form has changes not saved: make the window larger to save or discard them. Keys do nothing until then."
    } else {
        "Keys do nothing until then; Ctrl-C quits."
    };
    let text = format!(
        "ccu needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}. Make the window larger. {then}",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(t.warning())
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// A rectangle of at most `width`×`height`, centred in `area`.
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
