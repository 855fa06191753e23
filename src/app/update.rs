//! The one place state changes: messages reach `App::update`, keys go to
//! the screen, form or popup that has them, or through the keymap to
//! `App::act`.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, Context};
use super::covert_forms;
use super::form::{Form, Submission};
use super::model::{App, Confirmed, Effect, Load, Msg, Popup, Screen};
use crate::domain::InvalidInput;

/// What a checked form asks for: an area's own form's by its builder, a
/// covert workflow form's by `covert_forms::build`, any other's by
/// `Form::build_casework`.
pub(super) fn build_form(form: &Form, now: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    if let Some(build) = form.builder {
        return build(form, now);
    }
    covert_forms::build(form, now)
        .or_else(|| form.build_casework(now))
        .unwrap_or_else(|| Err(InvalidInput::new("form", "this form has nothing to save")))
}

impl App {
    /// The one place state changes.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Tick(now) => {
                self.now = now;
                if matches!(self.screen, Screen::Main) && self.lock_in().is_zero() {
                    self.lock();
                    return Vec::new();
                }
                // Verification of the audit chain goes on a stretch a tick
                // while the viewer is open.
                let mut effects = match &self.chain {
                    Some(c) if !c.done && self.area.verifies_chain() => {
                        vec![Effect::VerifyChainStep]
                    }
                    _ => Vec::new(),
                };
                if matches!(self.screen, Screen::Main) && self.session.is_some() {
                    // What another session changed while a form was open
                    // is reloaded once it is closed.
                    if self.stale && self.form.is_none() && self.popup.is_none() {
                        effects.extend(self.refresh_for_others());
                    }
                    effects.push(Effect::CheckChanged);
                }
                effects
            }
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.load_visible()
            }
            Msg::Key(key) => {
                if key.kind == KeyEventKind::Release {
                    return Vec::new();
                }
                self.last_activity = self.now;
                self.key(key)
            }
            Msg::Paste(text) => {
                self.last_activity = self.now;
                self.paste(&text);
                Vec::new()
            }
            Msg::Done(outcome) => self.done(*outcome),
        }
    }

    /// A paste goes into the field or the popup's input that has the
    /// cursor, and nowhere else: on a list or a record it is not read as
    /// keys (where `x`, `y` or Enter would act).
    fn paste(&mut self, text: &str) {
        if self.too_small() {
            return;
        }
        let said = match &mut self.screen {
            Screen::Setup(f) | Screen::Login(f) | Screen::Locked(f) | Screen::ChoosePassword(f) => {
                f.paste(text)
            }
            Screen::Main => match (&mut self.popup, &mut self.form) {
                (
                    Some(
                        Popup::Search { input, .. }
                        | Popup::Palette { input, .. }
                        | Popup::Pick { input, .. }
                        | Popup::Filter { input, .. },
                    ),
                    _,
                ) => {
                    let clean = super::form::pasted(text, true);
                    if text.chars().count() <= super::form::PASTE_LIMIT {
                        input.insert_str(&clean.text);
                    }
                    None
                }
                (Some(_), _) => None,
                (None, Some(form)) => {
                    let said = form.paste(text);
                    covert_forms::grow_tactics(form);
                    said
                }
                (None, None) => Some(
                    "Nothing to paste into here: open a form or the search (/) first".to_string(),
                ),
            },
        };
        if let Some(said) = said {
            self.complain(said);
        }
    }

    pub(super) fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        // Nothing but the "too small" message is on screen: a key may not
        // submit, type or decide unseen. Ctrl-C still quits, unless that
        // would lose a form's changes (the message says so).
        if self.too_small() {
            if ctrl_c && !self.unsaved_form() {
                self.quit = true;
            }
            return Vec::new();
        }
        match &mut self.screen {
            Screen::Setup(_) | Screen::Login(_) | Screen::Locked(_) | Screen::ChoosePassword(_) => {
                if ctrl_c {
                    self.quit = true;
                    return Vec::new();
                }
                self.key_outer_form(key)
            }
            Screen::Main => {
                if self.popup.is_some() {
                    self.key_popup(key)
                } else if self.form.is_some() {
                    self.status = None;
                    self.key_form(key)
                } else {
                    // A message answers the key before: the next one
                    // clears it, so that "Saved" or a refusal is never
                    // read as being about what is on screen now.
                    self.status = None;
                    match self.keymap.action(self.context(), &key) {
                        Some(action) => self.act(action),
                        None => Vec::new(),
                    }
                }
            }
        }
    }

    /// Keys on the setup, login and lock screens.
    pub(super) fn key_outer_form(&mut self, key: KeyEvent) -> Vec<Effect> {
        let now = self.now;
        let form = match &mut self.screen {
            Screen::Setup(f) | Screen::Login(f) | Screen::Locked(f) | Screen::ChoosePassword(f) => {
                f
            }
            Screen::Main => return Vec::new(),
        };
        let last = form.focus + 1 == form.fields.len();
        let save = key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Tab | KeyCode::Down => form.move_focus(1, now),
            KeyCode::BackTab | KeyCode::Up => form.move_focus(-1, now),
            KeyCode::Enter if !last => form.move_focus(1, now),
            KeyCode::Enter => return self.submit_outer(),
            _ if save => return self.submit_outer(),
            _ => form.key(key),
        }
        Vec::new()
    }

    pub(super) fn submit_outer(&mut self) -> Vec<Effect> {
        let now = self.now;
        let locked_user = matches!(self.screen, Screen::Locked(_))
            .then(|| self.session.as_ref().map(|s| s.username.clone()))
            .flatten();
        let form = match &mut self.screen {
            Screen::Setup(f) | Screen::Login(f) | Screen::Locked(f) | Screen::ChoosePassword(f) => {
                f
            }
            Screen::Main => return Vec::new(),
        };
        if locked_user.is_some() {
            // The lock screen: the same user, password only.
            let password = zeroize::Zeroizing::new(form.value("password"));
            return vec![Effect::Unlock { password }];
        }
        match form.submit(now, build_form) {
            Some(Submission::Setup { path, admin, head }) => {
                vec![Effect::Create { path, admin, head }]
            }
            Some(Submission::Login { username, password }) => {
                vec![Effect::Login { username, password }]
            }
            Some(Submission::ChoosePassword(password)) => {
                vec![Effect::ChoosePassword { password }]
            }
            _ => Vec::new(),
        }
    }

    /// Keys in a record form. Leaving a field of reasoning asks the case
    /// file whether it repeats earlier text, to show beside it.
    pub(super) fn key_form(&mut self, key: KeyEvent) -> Vec<Effect> {
        let left = self.form.as_ref().map(|f| f.focus);
        let mut effects = self.key_form_field(key);
        if let Some(form) = self.form.as_mut() {
            covert_forms::grow_tactics(form);
        }
        if let (Some(left), Some(form)) = (left, self.form.as_ref())
            && form.focus != left
        {
            effects.extend(covert_forms::similar_check(form, left));
        }
        effects
    }

    fn key_form_field(&mut self, key: KeyEvent) -> Vec<Effect> {
        let now = self.now;
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        let takes_text = form.focused().takes_text();
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // Printable keys belong to a text field; Enter starts a new line in
        // a multi-line one and moves on from anything else.
        if takes_text && plain && matches!(key.code, KeyCode::Char(_)) {
            form.key(key);
            return Vec::new();
        }
        if key.code == KeyCode::Enter && plain {
            if form.focused().is_multiline() {
                form.key(key);
            } else if form.focus + 1 == form.fields.len() {
                return self.save_form();
            } else {
                form.move_focus(1, now);
            }
            return Vec::new();
        }
        match self.keymap.action(Context::Form, &key) {
            Some(Action::Save) => return self.save_form(),
            Some(Action::Back) => {
                if form.dirty {
                    self.popup = Some(Popup::Confirm {
                        question: "Leave this form? What you typed will be lost.".into(),
                        yes: Confirmed::DiscardForm,
                    });
                } else {
                    self.form = None;
                }
            }
            Some(Action::NextPane) | Some(Action::Down) if !form.focused().is_multiline() => {
                form.move_focus(1, now)
            }
            Some(Action::PrevPane) | Some(Action::Up) if !form.focused().is_multiline() => {
                form.move_focus(-1, now)
            }
            Some(Action::NextPane) => form.move_focus(1, now),
            Some(Action::PrevPane) => form.move_focus(-1, now),
            Some(Action::Pick) => return self.pick(),
            Some(Action::NextChoice) => form.cycle(1),
            Some(Action::PrevChoice) => form.cycle(-1),
            Some(Action::Help) => {
                self.popup = Some(Popup::Help {
                    context: Context::Form,
                    scroll: 0,
                })
            }
            Some(Action::Quit) if !plain => {
                self.popup = Some(Popup::Confirm {
                    question: "Quit ccu? What you typed in this form will be lost.".into(),
                    yes: Confirmed::Quit,
                })
            }
            // Locking keeps the form as it is, to go on with after unlocking.
            Some(Action::Lock) if !plain => self.lock(),
            Some(Action::LogOut) if !plain => return self.ask_to_log_out(),
            _ => form.key(key),
        }
        Vec::new()
    }

    /// Opens the list the focused field's value may be chosen from, read
    /// from the case file (the resource types are already known).
    pub(super) fn pick(&mut self) -> Vec<Effect> {
        let Some(form) = self.form.as_ref() else {
            return Vec::new();
        };
        let Some((kind, goes)) = super::picker::for_field(form.focused()) else {
            self.complain(format!(
                "Nothing to choose from for {}: type it",
                form.focused().label
            ));
            return Vec::new();
        };
        let known = (kind == super::picker::PickKind::Resource).then(|| {
            self.resources
                .iter()
                .map(|(code, label, _)| (code.clone(), label.clone()))
                .collect()
        });
        let effects = match known {
            Some(_) => Vec::new(),
            None => vec![Effect::Load(Load::Choices(kind))],
        };
        self.popup = Some(Popup::Pick {
            kind,
            goes,
            field: form.focus,
            candidates: known,
            input: ratatui_textarea::TextArea::default(),
            selected: 0,
        });
        effects
    }

    pub(super) fn save_form(&mut self) -> Vec<Effect> {
        let now = self.now;
        let area = self.area;
        let Some(form) = self.form.as_mut() else {
            return Vec::new();
        };
        let reopen = form.about.clone().map(|key| (area, key));
        match form.submit(now, build_form) {
            Some(Submission::Command(command)) => {
                // An irreversible act asks first; "n" leaves the form as it is.
                if let Some(question) = super::confirm::question(&command, &form.ask, now) {
                    // The field being written is compared too, so that what
                    // it repeats is beside it when the question is answered.
                    let effects = covert_forms::similar_check(form, form.focus)
                        .into_iter()
                        .collect();
                    self.popup = Some(Popup::Confirm {
                        question,
                        yes: Confirmed::Save {
                            command: Box::new(command),
                            reopen,
                        },
                    });
                    return effects;
                }
                vec![Effect::Execute {
                    command,
                    reopen,
                    area,
                }]
            }
            Some(Submission::ExportCentralRecord { path }) => {
                vec![Effect::ExportCentralRecord { path, area }]
            }
            Some(Submission::VerifyBundle { dir, key, since }) => {
                vec![Effect::VerifyBundle { dir, key, since }]
            }
            Some(Submission::AuditFilter(filter)) => {
                self.form = None;
                let list = self.list_mut(area);
                list.spec.audit = filter;
                list.selected = 0;
                self.reload(area)
            }
            _ => Vec::new(),
        }
    }
}
