//! Colours and emphasis. Only the terminal's own foreground and background
//! are used for text, so screens read on dark and light backgrounds alike;
//! colour is an extra, never the only signal, and `NO_COLOR` turns it off.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless the `NO_COLOR` convention (no-color.org) asks for none.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }

    pub fn plain(&self) -> Style {
        Style::default()
    }

    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        Style::default().add_modifier(Modifier::DIM)
    }

    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Due soon: amber where there is colour.
    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused { self.accent() } else { self.dim() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_only_emphasis_is_used() {
        let plain = Theme { color: false };
        for style in [
            plain.accent(),
            plain.error(),
            plain.warning(),
            plain.ok(),
            plain.border(true),
        ] {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
        // Errors still stand out, in bold.
        assert!(plain.error().add_modifier.contains(Modifier::BOLD));
        // With colour, never a background: the terminal's own stays.
        let colour = Theme { color: true };
        assert_eq!(colour.error().fg, Some(Color::Red));
        assert_eq!(colour.error().bg, None);
        assert_eq!(colour.selected().bg, None);
    }
}
