//! Popups: help from the live keymap, the command palette, search, the
//! list filter and confirmations.

use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::{App, Context, Popup};

pub fn render(app: &App, t: &Theme, popup: &Popup, frame: &mut Frame, body: Rect) {
    match popup {
        Popup::Help { context, scroll } => {
            let rect = super::centred(body, 76, body.height);
            let mut lines = Vec::new();
            // In a form, a printable key types: the global keys that
            // still act there are the rest (Ctrl-C, Ctrl-L, F1).
            let global: Vec<_> = app
                .keymap
                .bindings(Context::Global)
                .into_iter()
                .filter(|b| *context != Context::Form || !crate::keymap::edits_text(b.chord))
                .filter(|b| app.applies(b.action))
                .collect();
            let own: Vec<_> = app
                .keymap
                .bindings(*context)
                .into_iter()
                .filter(|b| {
                    !global
                        .iter()
                        .any(|g| g.key == b.key && g.action == b.action)
                })
                .filter(|b| *context == Context::Form || app.applies(b.action))
                .collect();
            if let Some(w) = &app.trail_warning {
                lines.push(Line::styled(format!("Warning: {}.", w.text), t.error()));
                lines.push(Line::raw(""));
            }
            if !app.keymap_problems.is_empty() {
                lines.push(Line::styled(
                    if app.keymap_ignored {
                        "Your keymap file is not used, so every key is the default:"
                    } else {
                        "Your keymap file's problems (the defaults stand for those keys):"
                    },
                    t.error(),
                ));
                for p in &app.keymap_problems {
                    lines.push(Line::raw(format!("  {}", crate::app::view::shown(p))));
                }
                lines.push(Line::raw(""));
            }
            let mut sections = vec![(title(*context), own)];
            if *context != Context::Global {
                sections.push((title(Context::Global), global));
            }
            for (heading, bindings) in sections {
                lines.push(Line::styled(format!("{heading} keys"), t.accent()));
                for b in bindings {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {:<12}", b.key), t.title()),
                        Span::raw(b.desc.clone()),
                    ]));
                }
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(
                "Arrows, PgUp/PgDn, Home/End, Tab, Enter and Esc always work.",
                t.dim(),
            ));
            boxed(
                frame,
                rect,
                " Help (j/k, PgUp/PgDn scroll; Esc closes) ",
                t,
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((*scroll, 0)),
            );
        }
        Popup::Pick {
            kind,
            candidates,
            input,
            selected,
            ..
        } => {
            let rect = super::centred(body, 70, body.height.min(18));
            let typed = input.lines().join(" ");
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("> ", t.accent()),
                    Span::raw(crate::app::view::shown(&typed)),
                    Span::styled("▏", t.accent()),
                ]),
                Line::raw(""),
            ];
            let all = candidates.as_deref().unwrap_or_default();
            let matches = crate::app::picker::matching(all, &typed);
            let chosen = (*selected).min(matches.len().saturating_sub(1));
            for (i, (value, about)) in matches.iter().enumerate() {
                let line = Line::from(vec![
                    Span::raw(format!("{:<16} ", crate::app::view::shown(value))),
                    Span::styled(crate::app::view::shown(about), t.dim()),
                ]);
                lines.push(if i == chosen {
                    line.style(t.selected())
                } else {
                    line
                });
            }
            match candidates {
                None => lines.push(Line::styled("Reading the case file...", t.dim())),
                Some(all) if all.is_empty() => {
                    lines.push(Line::styled("There is nothing here you may see.", t.dim()))
                }
                Some(_) if matches.is_empty() => {
                    lines.push(Line::styled("Nothing matches what you typed.", t.dim()))
                }
                Some(_) => {}
            }
            let first = chosen.saturating_sub(rect.height.saturating_sub(5) as usize);
            let shown: Vec<Line> = lines
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i < 2 || *i >= first + 2)
                .map(|(_, l)| l)
                .collect();
            let title = format!(" {} ", kind.title());
            boxed(frame, rect, &title, t, Paragraph::new(shown));
        }
        Popup::Palette { input, selected } => {
            let rect = super::centred(body, 70, body.height.min(18));
            let query = input.lines().join(" ");
            let matches = app.palette_matches(&query);
            let mut lines = vec![
                Line::from(vec![
                    Span::styled(": ", t.accent()),
                    Span::raw(crate::app::view::shown(&query)),
                    Span::styled("▏", t.accent()),
                ]),
                Line::raw(""),
            ];
            let chosen = (*selected).min(matches.len().saturating_sub(1));
            for (i, a) in matches.iter().enumerate() {
                let key = app
                    .keymap
                    .hint(Context::List, *a)
                    .or_else(|| app.keymap.hint(Context::Detail, *a))
                    .or_else(|| app.keymap.hint(Context::Form, *a))
                    .unwrap_or_default();
                let line = Line::from(vec![
                    Span::raw(format!("{:<18}", a.name())),
                    Span::styled(format!("{key:<8}"), t.dim()),
                    Span::raw(a.description()),
                ]);
                lines.push(if i == chosen {
                    line.style(t.selected())
                } else {
                    line
                });
            }
            if matches.is_empty() {
                lines.push(Line::styled("No action has that name.", t.dim()));
            }
            let first = chosen.saturating_sub(rect.height.saturating_sub(5) as usize);
            let shown: Vec<Line> = lines
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i < 2 || *i >= first + 2)
                .map(|(_, l)| l)
                .collect();
            boxed(frame, rect, " Run an action ", t, Paragraph::new(shown));
        }
        Popup::Search {
            input,
            hits,
            selected,
            error,
            ..
        } => {
            let rect = super::centred(body, 100, body.height);
            let query = input.lines().join(" ");
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("/ ", t.accent()),
                    Span::raw(crate::app::view::shown(&query)),
                    Span::styled("▏", t.accent()),
                ]),
                Line::styled(
                    "words, \"exact phrase\", OR, NOT, prefix*  ·  Enter searches, then opens",
                    t.dim(),
                ),
            ];
            if let Some(e) = error {
                lines.push(Line::styled(e.clone(), t.error()));
            }
            let room = rect.height.saturating_sub(6) as usize / 2;
            let first = selected.saturating_sub(room.saturating_sub(1));
            for (i, h) in hits.iter().enumerate().skip(first).take(room) {
                let head = Line::from(vec![
                    Span::styled(format!("{:<14}", h.kind), t.dim()),
                    Span::styled(h.title.clone(), t.title()),
                ]);
                lines.push(if i == *selected {
                    head.style(t.selected())
                } else {
                    head
                });
                lines.push(Line::raw(format!("{:14}{}", "", h.snippet)));
            }
            if !hits.is_empty() {
                lines.push(Line::styled(
                    format!("{} of {} results", selected + 1, hits.len()),
                    t.dim(),
                ));
            }
            boxed(frame, rect, " Search ", t, Paragraph::new(lines));
        }
        Popup::Filter { column, input } => {
            let rect = super::centred(body, 60, 5);
            let name = app
                .list(app.area)
                .columns
                .get(*column)
                .map_or("", |c| c.label);
            let lines = vec![
                Line::raw(format!("Show rows whose {name} contains:")),
                Line::from(vec![
                    Span::raw(crate::app::view::shown(&input.lines().join(" "))),
                    Span::styled("▏", t.accent()),
                ]),
                Line::styled(
                    "Enter applies · Tab another column · Esc cancels · empty clears",
                    t.dim(),
                ),
            ];
            boxed(frame, rect, " Filter ", t, Paragraph::new(lines));
        }
        Popup::Report {
            title,
            lines,
            failed,
            scroll,
        } => {
            let rect = super::centred(body, 76, body.height);
            let mut shown = vec![Line::styled(
                if *failed {
                    "It does not verify."
                } else {
                    "It verifies."
                },
                if *failed { t.error() } else { t.accent() },
            )];
            shown.push(Line::raw(""));
            shown.extend(lines.iter().map(|l| Line::raw(l.clone())));
            boxed(
                frame,
                rect,
                &format!(" {title} (j/k scroll; Esc closes) "),
                t,
                Paragraph::new(shown)
                    .wrap(Wrap { trim: false })
                    .scroll((*scroll, 0)),
            );
        }
        Popup::Confirm { question, .. } => {
            // Tall enough for the whole question, wrapped: a warning before
            // it must be read before the answer.
            let width = 60u16.min(body.width);
            let text_rows = question
                .split(' ')
                .fold((1u16, 0usize), |(rows, used), word| {
                    let w = word.chars().count();
                    let room = usize::from(width.saturating_sub(2)).max(1);
                    match used {
                        0 => (rows, w),
                        _ if used + 1 + w <= room => (rows, used + 1 + w),
                        _ => (rows + 1, w),
                    }
                })
                .0;
            let rect = super::centred(body, width, (text_rows + 4).min(body.height));
            let lines = vec![
                Line::raw(question.clone()),
                Line::raw(""),
                Line::styled("y yes · n no", t.dim()),
            ];
            boxed(
                frame,
                rect,
                " Confirm ",
                t,
                Paragraph::new(lines).wrap(Wrap { trim: true }),
            );
        }
    }
}

fn title(context: Context) -> &'static str {
    match context {
        Context::Global => "Everywhere",
        Context::List => "List",
        Context::Detail => "Open record",
        Context::Form => "Form",
        Context::Popup => "Popup",
    }
}

fn boxed(
    frame: &mut Frame,
    rect: Rect,
    title: &str,
    t: &super::theme::Theme,
    paragraph: Paragraph,
) {
    frame.render_widget(Clear, rect);
    frame.render_widget(
        paragraph.block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.accent())
                .title(Line::styled(title.to_string(), t.title())),
        ),
        rect,
    );
}
