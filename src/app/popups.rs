//! Keys in a popup: help, the command palette, search, a filter and a
//! yes/no question.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Context};
use super::areas::Area;
use super::areas::kind::RecordForm;
use super::model::{App, Confirmed, Effect, Popup};

impl App {
    pub(super) fn key_popup(&mut self, key: KeyEvent) -> Vec<Effect> {
        let action = self.keymap.action(Context::Popup, &key);
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
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
                            Confirmed::Save { command, reopen } => {
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
            Popup::Pick {
                goes,
                field,
                candidates,
                input,
                selected,
                ..
            } => match key.code {
                KeyCode::Esc => self.popup = None,
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Down => *selected += 1,
                KeyCode::Enter => {
                    let typed = input.lines().join(" ");
                    let all = candidates.clone().unwrap_or_default();
                    let matches = super::picker::matching(&all, &typed);
                    let Some((value, _)) = matches
                        .get((*selected).min(matches.len().saturating_sub(1)))
                        .map(|c| (*c).clone())
                    else {
                        return Vec::new();
                    };
                    let (goes, field) = (*goes, *field);
                    self.popup = None;
                    if let Some(form) = self.form.as_mut()
                        && let Some(f) = form.fields.get_mut(field)
                    {
                        super::picker::choose(f, &value, goes);
                        f.error = None;
                        form.dirty = true;
                    }
                }
                _ => {
                    if input.input(key) {
                        *selected = 0;
                    }
                }
            },
            Popup::Palette { input, selected } => match key.code {
                KeyCode::Esc => self.popup = None,
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Down => *selected += 1,
                KeyCode::Enter => {
                    let query = input.lines().join(" ");
                    let selected = *selected;
                    self.popup = None;
                    let matches = self.palette_matches(&query);
                    let chosen = matches.get(selected.min(matches.len().saturating_sub(1)));
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

impl App {
    /// The actions the palette offers for what has been typed: every
    /// action that applies where the user is ([`App::applies`]) whose
    /// name or description contains each word.
    pub fn palette_matches(&self, query: &str) -> Vec<Action> {
        let words: Vec<String> = query.split_whitespace().map(|w| w.to_lowercase()).collect();
        let mut found: Vec<Action> = Action::ALL
            .iter()
            .copied()
            .filter(|a| {
                !matches!(
                    a,
                    Action::Save | Action::NextChoice | Action::PrevChoice | Action::Pick
                )
            })
            .filter(|a| self.applies(*a))
            .filter(|a| {
                let hay = format!("{} {}", a.name(), a.description()).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect();
        // Actions whose name holds what was typed come first.
        found.sort_by_key(|a| !words.iter().all(|w| a.name().contains(w.as_str())));
        found
    }

    /// Whether an action does something for this user here: a form opens
    /// only for those permitted it, and a record's actions are offered on
    /// the records they apply to in the state they are in. Help and the
    /// palette list only these.
    pub fn applies(&self, action: Action) -> bool {
        let context = self.form_context();
        match action {
            Action::LogOut => self.session.is_some(),
            Action::ResetPassword => self.detail.as_ref().is_some_and(|d| {
                !matches!(
                    d.source.record_form(action, &context),
                    RecordForm::NotHere | RecordForm::Refuse(_)
                )
            }),
            // The tools of one list, only on that list.
            Action::ExportBundle
            | Action::Checkpoint
            | Action::VerifyBundle
            | Action::JumpToEvent
            | Action::SetCapacity => !matches!(
                self.area.list_form(action, &context),
                RecordForm::NotHere | RecordForm::Refuse(_)
            ),
            Action::New => {
                self.area.new_form(&context).is_some() && self.refusal(self.area, action).is_none()
            }
            Action::Export => self.area.export_form().is_some(),
            _ if Area::is_record_action(action) => {
                let area = self.area;
                if self
                    .list(area)
                    .selected_row()
                    .and_then(|row| area.row_form(action, row))
                    .is_some()
                {
                    return true;
                }
                let Some(detail) = &self.detail else {
                    return false;
                };
                self.refusal(detail.area, action).is_none()
                    && !matches!(
                        detail.source.record_form(action, &context),
                        RecordForm::NotHere | RecordForm::Refuse(_)
                    )
            }
            _ => true,
        }
    }
}
