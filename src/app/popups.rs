//! Keys in a popup: help, the command palette, search, a filter and a
//! yes/no question.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Context};
use super::model::{App, Confirmed, Effect, Popup};

impl App {
    pub(super) fn key_popup(&mut self, key: KeyEvent) -> Vec<Effect> {
        let action = self.keymap.action(Context::Popup, &key);
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let applicable: Vec<Action> = match self.popup {
            Some(Popup::Palette { .. }) => Action::ALL
                .iter()
                .copied()
                .filter(|a| self.applies(*a))
                .collect(),
            _ => Vec::new(),
        };
        let Some(popup) = self.popup.as_mut() else {
            return Vec::new();
        };
        match popup {
            Popup::Help { scroll, .. } => match action {
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Action::Top) => *scroll = 0,
                Some(Action::Back | Action::Help | Action::Open | Action::Quit) => {
                    self.popup = None
                }
                _ => {}
            },
            Popup::Report { scroll, .. } => match action {
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Action::Top) => *scroll = 0,
                Some(Action::Back | Action::Open | Action::Quit) => self.popup = None,
                _ => {}
            },
            Popup::Confirm { yes, .. } => {
                let yes = yes.clone();
                match key.code {
                    // Only y: Enter out of habit must not discard or run.
                    KeyCode::Char('y') | KeyCode::Char('Y') => {
                        self.popup = None;
                        match yes {
                            Confirmed::DiscardForm => self.form = None,
                            Confirmed::Quit => self.quit = true,
                            Confirmed::LogOut => return vec![Effect::LogOut],
                            Confirmed::Run { command, reopen } => {
                                return vec![Effect::Execute {
                                    command: *command,
                                    reopen,
                                    area: self.area,
                                }];
                            }
                        }
                    }
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => self.popup = None,
                    _ => {}
                }
            }
            Popup::Filter { column, input } => match key.code {
                KeyCode::Esc => self.popup = None,
                KeyCode::Tab | KeyCode::BackTab => {
                    let n = self.lists[self.area.index()].columns.len().max(1);
                    let by = if key.code == KeyCode::Tab { 1 } else { n - 1 };
                    *column = (*column + by) % n;
                }
                KeyCode::Enter => {
                    let text = input.lines().join(" ").trim().to_string();
                    let column = *column;
                    self.popup = None;
                    let area = self.area;
                    let list = self.list_mut(area);
                    list.spec.filter = (!text.is_empty()).then_some((column, text));
                    list.selected = 0;
                    return self.reload(area);
                }
                _ => {
                    input.input(key);
                }
            },
            Popup::Palette { input, selected } => match key.code {
                KeyCode::Esc => self.popup = None,
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Down => *selected += 1,
                KeyCode::Enter => {
                    let query = input.lines().join(" ");
                    let matches = palette_matches(&query, |a| applicable.contains(&a));
                    let chosen = matches.get((*selected).min(matches.len().saturating_sub(1)));
                    self.popup = None;
                    if let Some(action) = chosen.copied() {
                        return self.act(action);
                    }
                }
                _ => {
                    if input.input(key) {
                        *selected = 0;
                    }
                }
            },
            Popup::Search {
                input,
                searched,
                hits,
                selected,
                error,
            } => {
                let query = input.lines().join(" ").trim().to_string();
                match key.code {
                    KeyCode::Esc => self.popup = None,
                    KeyCode::Up => *selected = selected.saturating_sub(1),
                    KeyCode::Down => *selected = (*selected + 1).min(hits.len().saturating_sub(1)),
                    KeyCode::Enter if searched.as_deref() != Some(query.as_str()) => {
                        *error = None;
                        if query.is_empty() {
                            *error = Some("type something to search for".into());
                            return Vec::new();
                        }
                        return vec![Effect::Search(query)];
                    }
                    KeyCode::Enter => {
                        if let Some(hit) = hits.get(*selected) {
                            let (area, key) = (hit.area, hit.key.clone());
                            self.popup = None;
                            return self.open(area, key);
                        }
                    }
                    _ if plain || key.code != KeyCode::Char('c') => {
                        input.input(key);
                    }
                    _ => {}
                }
            }
        }
        Vec::new()
    }
}

/// The actions the palette offers for what has been typed: every action
/// that `applies` where the user is and whose name or description contains
/// each word.
pub fn palette_matches(query: &str, applies: impl Fn(Action) -> bool) -> Vec<Action> {
    let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
    let mut found: Vec<Action> = Action::ALL
        .iter()
        .copied()
        .filter(|a| applies(*a))
        .filter(|a| {
            let hay = format!("{} {}", a.name(), a.description()).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect();
    // Actions whose name holds what was typed come first.
    found.sort_by_key(|a| !words.iter().all(|w| a.name().contains(w.as_str())));
    found
}
