//! A form: labels on the left (required ones marked `*`), inputs on the
//! right, each field's problem in red beneath it; what does not fit a
//! row (a long label, hint or choice) wraps beneath itself.

use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::form::{Field, Form, FormKind, Input};
use crate::app::view::shown;

const LABEL: u16 = 24;
const TEXT_ROWS: u16 = 4;
/// The most rows a message takes: enough for any ccu writes at 80 columns.
const MESSAGE_ROWS: u16 = 4;

/// The rows `text` takes wrapped at `width`, so that a refusal or a list of
/// choices is read whole rather than cut at the form's edge.
fn rows(text: &str, width: u16) -> u16 {
    rows_up_to(text, width, MESSAGE_ROWS)
}

/// The most rows a hint takes: a bid's lines list every resource type's
/// code, which the user must type, in six rows at 80 columns.
const HINT_ROWS: u16 = 8;

/// As [`rows`], to at most `most`.
fn rows_up_to(text: &str, width: u16, most: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut rows = 0;
    for line in text.split('\n') {
        // Greedy word wrap, as the paragraph draws it: a word that does not
        // fit starts a row; one wider than a row takes several.
        let (mut count, mut used) = (1, 0);
        for word in line.split(' ') {
            let w = Line::raw(word).width();
            let need = if used == 0 { w } else { used + 1 + w };
            if need <= width {
                used = need;
                continue;
            }
            if used != 0 {
                count += 1;
            }
            let extra = w.saturating_sub(1) / width;
            count += extra;
            used = w - extra * width;
        }
        rows += count;
    }
    (rows as u16).clamp(1, most)
}

fn error_text(e: &str) -> String {
    format!("↑ {}", shown(e))
}

fn note_text(n: &str) -> String {
    format!("! {}", shown(n))
}

/// The rows beneath a field's input: its problem, then its note.
fn below_rows(field: &Field, input_width: u16) -> (u16, u16) {
    (
        field
            .error
            .as_deref()
            .map_or(0, |e| rows(&error_text(e), input_width)),
        field
            .note
            .as_deref()
            .map_or(0, |n| rows(&note_text(n), input_width)),
    )
}

/// How far a hint too long for one row is set in, so that the cursor of
/// the empty field it describes stands clear of it.
const HINT_INDENT: u16 = 2;

/// Whether `text` fits on one row `width` wide.
fn fits(text: &str, width: u16) -> bool {
    Line::raw(text).width() <= usize::from(width)
}

/// The rows a field's label takes, its mark included, wrapped in its
/// column rather than cut.
fn label_rows(field: &Field) -> u16 {
    // The mark counted as a letter: the blank one is drawn, not a gap.
    rows(&format!("*{}", field.label), LABEL)
}

/// What is drawn after a choice or a flag: its value, and (while it has
/// the focus) how to change it and its hint.
fn choice_text(field: &Field, focused: bool) -> Option<String> {
    match &field.input {
        Input::Choice { options, selected } => {
            let mut text = match selected {
                Some(i) => format!("◂ {} ▸", options[*i].1),
                None => "◂ choose ▸".to_string(),
            };
            if focused {
                text.push_str(&match options.len() {
                    1 => "  the only choice: ←/→ or space picks it".to_string(),
                    n => format!("  ←/→ or a letter ({n} choices)"),
                });
                if !field.hint.is_empty() {
                    text.push_str(&format!("; {}", field.hint));
                }
            }
            Some(text)
        }
        Input::Flag(on) => {
            let mut text = if *on { "[x] yes" } else { "[ ] no" }.to_string();
            if focused {
                text.push_str("  space to change");
            }
            if !field.hint.is_empty() {
                text.push_str(&format!("  {}", field.hint));
            }
            Some(text)
        }
        _ => None,
    }
}

/// The rows a field's input takes at `width`: a hint or a choice too long
/// for one row wraps rather than being cut at the form's edge.
fn input_rows(field: &Field, width: u16) -> u16 {
    let input = if field.is_multiline() { TEXT_ROWS } else { 1 };
    let wrapped = match &field.input {
        Input::Line(a) | Input::Password(a) | Input::Date(a) | Input::Text(a)
            if a.is_empty() && !fits(&field.hint, width) =>
        {
            rows_up_to(&field.hint, width.saturating_sub(HINT_INDENT), HINT_ROWS)
        }
        // Its longest form, the focused one, so it does not jump.
        _ => choice_text(field, true).map_or(1, |text| rows(&text, width)),
    };
    input.max(wrapped)
}

fn height(field: &Field, width: u16) -> u16 {
    let input_width = width.saturating_sub(LABEL);
    let (error, note) = below_rows(field, input_width);
    input_rows(field, input_width).max(label_rows(field)) + error + note
}

/// The first field to draw so that the focused one is on screen.
fn first_shown(form: &Form, room: u16, width: u16) -> usize {
    let mut first = 0;
    loop {
        let used: u16 = form.fields[first..=form.focus]
            .iter()
            .map(|f| height(f, width))
            .sum();
        if used <= room || first == form.focus {
            return first;
        }
        first += 1;
    }
}

/// Draws a record form over the body.
pub fn render(t: &Theme, form: &Form, frame: &mut Frame, body: Rect) {
    let rect = super::centred(body, 100, body.height);
    frame.render_widget(Clear, rect);
    render_in(t, form, frame, rect);
}

/// Draws a form's fields inside a bordered box at `rect`.
pub fn render_in(t: &Theme, form: &Form, frame: &mut Frame, rect: Rect) {
    let mut title = format!(" {} ", form.title);
    let record = !matches!(form.kind, FormKind::Login | FormKind::Setup);
    if form.dirty && record {
        title.push_str("(unsaved) ");
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent())
        .title(Line::styled(title, t.title()))
        .title_bottom(Line::styled(
            if record { " * required " } else { "" },
            t.dim(),
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut y = inner.y;
    let bottom = inner.y + inner.height;
    // A warning about the act itself (a threshold not met), above all else.
    if let Some(w) = &form.ask.warning {
        let w = format!("! {}", shown(w));
        let h = rows(&w, inner.width);
        frame.render_widget(
            Paragraph::new(Line::styled(w, t.warning())).wrap(Wrap { trim: false }),
            Rect {
                height: h,
                y,
                ..inner
            },
        );
        y += h;
    }
    if let Some(e) = &form.error {
        let e = shown(e);
        let h = rows(&e, inner.width);
        frame.render_widget(
            Paragraph::new(Line::styled(e, t.error())).wrap(Wrap { trim: false }),
            Rect {
                height: h,
                y,
                ..inner
            },
        );
        y += h;
    }
    let first = first_shown(form, bottom.saturating_sub(y), inner.width);
    for (i, field) in form.fields.iter().enumerate().skip(first) {
        let h = height(field, inner.width);
        let (error_rows, note_rows) = below_rows(field, inner.width.saturating_sub(LABEL));
        let below = error_rows + note_rows;
        if y + h > bottom {
            break;
        }
        let focused = i == form.focus;
        let mark = if field.required { "*" } else { " " };
        let label_style = if focused { t.accent() } else { t.plain() };
        // A label too long for its column wraps beneath itself.
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(mark, t.error()),
                Span::styled(field.label.as_str(), label_style),
            ]))
            .wrap(Wrap { trim: false }),
            Rect {
                x: inner.x,
                y,
                width: LABEL.min(inner.width),
                height: label_rows(field).min(h - below),
            },
        );
        let input_rect = Rect {
            x: inner.x + LABEL,
            y,
            width: inner.width.saturating_sub(LABEL),
            height: h - below,
        };
        render_input(t, field, focused, frame, input_rect);
        if let Some(e) = &field.error {
            frame.render_widget(
                Paragraph::new(Line::styled(error_text(e), t.error())).wrap(Wrap { trim: false }),
                Rect {
                    x: inner.x + LABEL,
                    y: y + h - below,
                    width: inner.width.saturating_sub(LABEL),
                    height: error_rows,
                },
            );
        }
        if let Some(n) = &field.note {
            frame.render_widget(
                Paragraph::new(Line::styled(note_text(n), t.warning())).wrap(Wrap { trim: false }),
                Rect {
                    x: inner.x + LABEL,
                    y: y + h - note_rows,
                    width: inner.width.saturating_sub(LABEL),
                    height: note_rows,
                },
            );
        }
        y += h;
    }
    // The grounds a decision weighs, in the room left; the record page
    // behind the form has them in full.
    if !form.ask.grounds.is_empty() && y + 2 < bottom {
        let mut lines = vec![
            Line::raw(""),
            Line::styled(
                "The grounds applied for (in full on the record page)",
                t.dim(),
            ),
        ];
        for (heading, text) in &form.ask.grounds {
            lines.push(Line::from(vec![
                Span::styled(format!("{heading}: "), t.accent()),
                Span::styled(shown(&text.replace('\n', " ")), t.plain()),
            ]));
        }
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            Rect {
                y,
                height: bottom - y,
                ..inner
            },
        );
    }
}

fn render_input(t: &Theme, field: &Field, focused: bool, frame: &mut Frame, rect: Rect) {
    match &field.input {
        Input::Line(area) | Input::Password(area) | Input::Date(area) | Input::Text(area) => {
            // A hint too long for a row is wrapped beside the cursor.
            let long_hint = area.is_empty() && !fits(&field.hint, rect.width);
            if long_hint {
                frame.render_widget(
                    Paragraph::new(Line::styled(field.hint.as_str(), t.dim()))
                        .wrap(Wrap { trim: false }),
                    Rect {
                        x: rect.x + HINT_INDENT.min(rect.width),
                        width: rect.width.saturating_sub(HINT_INDENT),
                        ..rect
                    },
                );
                if !focused {
                    return;
                }
            } else if area.is_empty() && !focused && !field.hint.is_empty() {
                frame.render_widget(Line::styled(field.hint.as_str(), t.dim()), rect);
                return;
            }
            let rect = match long_hint {
                true => Rect {
                    width: HINT_INDENT.min(rect.width),
                    height: 1,
                    ..rect
                },
                false => rect,
            };
            let mut area = area.clone();
            // What the user typed is theirs, but may hold anything pasted:
            // it is drawn through the sanitiser like case-file text.
            let lines: Vec<String> = area.lines().iter().map(|l| shown(l)).collect();
            if lines.iter().zip(area.lines()).any(|(a, b)| a != b) {
                let cursor = area.cursor();
                area = ratatui_textarea::TextArea::new(lines);
                area.move_cursor(ratatui_textarea::CursorMove::Jump(
                    cursor.0 as u16,
                    cursor.1 as u16,
                ));
                if let Input::Password(_) = field.input {
                    area.set_mask_char('•');
                }
            }
            area.set_cursor_line_style(t.plain());
            if focused {
                area.set_cursor_style(t.selected());
                area.set_style(
                    ratatui::style::Style::default()
                        .add_modifier(ratatui::style::Modifier::UNDERLINED),
                );
            } else {
                area.set_cursor_style(t.plain());
            }
            if focused && !field.hint.is_empty() && area.is_empty() {
                area.set_placeholder_text(field.hint.as_str());
                area.set_placeholder_style(t.dim());
            }
            frame.render_widget(&area, rect);
        }
        Input::Choice { .. } | Input::Flag(_) => {
            let text = choice_text(field, focused).unwrap_or_default();
            let style = if focused { t.selected() } else { t.plain() };
            // The value stands out; how to change it, and the hint, do not.
            let value_end = text.find("  ").unwrap_or(text.len());
            let (value, rest) = text.split_at(value_end);
            frame.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled(value.to_string(), style),
                    Span::styled(rest.to_string(), t.dim()),
                ]))
                .wrap(Wrap { trim: false }),
                rect,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rows;

    #[test]
    fn a_message_takes_the_rows_it_wraps_to() {
        assert_eq!(rows("short", 20), 1);
        assert_eq!(rows("", 20), 1);
        assert_eq!(rows("aaaa bbbb cccc", 9), 2);
        assert_eq!(rows("aaaa bbbb cccc", 14), 1);
        // A word longer than a row takes several.
        assert_eq!(rows(&"x".repeat(25), 10), 3);
        assert_eq!(rows(&format!("ab {}", "x".repeat(25)), 10), 4);
        assert_eq!(rows("one\ntwo", 20), 2);
        // Never more than a form can spare.
        assert_eq!(rows(&"word ".repeat(100), 10), 4);
    }
}
