//! Which key does what, where: key strings, keymap files, and the merged
//! [`Keymap`] the terminal application asks for an [`Action`].
//!
//! The bindings are data. `keymaps/default.toml` is embedded in the binary
//! and is the keymap unless something overrides it; a preset such as
//! `keymaps/vim.toml` and then the user's own file are merged over it key by
//! key, section by section. `keymaps/README.md` describes the format.
//!
//! A key resolves in this order (see [`Keymap::action`]):
//! 1. the always-on keys ([`ALWAYS_ON`]), which no file can take away;
//! 2. in a form, the keys that edit text ([`edits_text`]) go to the field
//!    and resolve to nothing;
//! 3. the section for where the user is;
//! 4. `[global]`.

mod file;
mod key;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub use crate::app::action::{Action, Context};
pub use file::{FileBinding, KeymapError, KeymapFile, Problem, UNBIND};
pub use key::{KeyChord, KeyError};

/// The embedded default keymap.
pub const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
/// The embedded vim preset: overrides merged over the default.
pub const VIM_TOML: &str = include_str!("../../keymaps/vim.toml");

/// The largest keymap file read: a file that binds every key in every
/// section is a few kilobytes, so anything near this is not a keymap, and
/// it (like a device or a pipe in its place) is reported, not read.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The presets [`Keymap::preset`] knows, by name.
pub const PRESETS: &[&str] = &["default", "vim"];

/// Keys that always do the same thing, whatever a keymap file says, so a
/// user file can never leave someone unable to move, open, go back or
/// leave. Each applies, without modifiers, in every context, except that
/// Enter does nothing in a form (the form handles it). Files may bind
/// these keys only to the same action (to give them a desc) and may not
/// unbind them; a user can add other keys for these actions.
pub const ALWAYS_ON: &[(KeyCode, Action)] = &[
    (KeyCode::Up, Action::Up),
    (KeyCode::Down, Action::Down),
    (KeyCode::PageUp, Action::PageUp),
    (KeyCode::PageDown, Action::PageDown),
    (KeyCode::Home, Action::Top),
    (KeyCode::End, Action::Bottom),
    (KeyCode::Tab, Action::NextPane),
    (KeyCode::BackTab, Action::PrevPane),
    (KeyCode::Enter, Action::Open),
    (KeyCode::Esc, Action::Back),
];

/// The always-on action of `chord` in `context`, if it has one.
pub fn always_on(context: Context, chord: KeyChord) -> Option<Action> {
    if chord.modifiers() != KeyModifiers::NONE {
        return None;
    }
    if context == Context::Form && chord.code() == KeyCode::Enter {
        return None;
    }
    ALWAYS_ON
        .iter()
        .find(|(code, _)| *code == chord.code())
        .map(|(_, action)| *action)
}

/// Whether `chord` types or edits text, so that in a form it belongs to the
/// field: a character (with or without shift, so also Space), Enter,
/// Backspace, Delete, Left and Right. In a form these resolve to no action:
/// `[form]` may not bind them and `[global]` bindings for them do not apply
/// there, so typing "q" in a text field types q. Keys with ctrl or alt, and
/// other named keys, resolve in a form through `[form]` and then `[global]`.
pub fn edits_text(chord: KeyChord) -> bool {
    match chord.code() {
        KeyCode::Char(_) => !chord
            .modifiers()
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT),
        KeyCode::Enter | KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right => {
            chord.modifiers() == KeyModifiers::NONE
        }
        _ => false,
    }
}

/// A key as the help popup and hints show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The canonical key string, such as `Ctrl-S` or `PgDn`.
    pub key: String,
    pub chord: KeyChord,
    pub action: Action,
    pub desc: String,
}

/// One key in one section of the merged keymap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    chord: KeyChord,
    /// `None`: unbound here, which also stops `[global]` applying.
    action: Option<Action>,
    desc: String,
}

/// The merged keymap: for each context, its keys in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    sections: [Vec<Slot>; Context::ALL.len()],
}

fn index(context: Context) -> usize {
    Context::ALL
        .iter()
        .position(|c| *c == context)
        .expect("every context is in Context::ALL")
}

impl Keymap {
    /// A keymap with no bindings but the always-on keys.
    pub fn empty() -> Keymap {
        Keymap {
            sections: Default::default(),
        }
    }

    /// The embedded `keymaps/default.toml`. Its tests check it parses as a
    /// preset, so this does not panic.
    pub fn builtin() -> Keymap {
        let mut keymap = Keymap::empty();
        keymap.merge(&embedded("default.toml", DEFAULT_TOML));
        keymap
    }

    /// A preset by name (see [`PRESETS`]). Presets other than "default"
    /// hold only what they change, and are merged over the default, so
    /// every action stays bound and a fix to the default reaches them.
    pub fn preset(name: &str) -> Option<Keymap> {
        let mut keymap = Keymap::builtin();
        match name {
            "default" => {}
            "vim" => keymap.merge(&embedded("vim.toml", VIM_TOML)),
            _ => return None,
        }
        Some(keymap)
    }

    /// Where the user's keymap file is: `keymap.toml` in ccu's
    /// configuration directory, or `None` without a home directory.
    pub fn user_file_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "ccu")
            .map(|dirs| dirs.config_dir().join("keymap.toml"))
    }

    /// Whether these problems mean the file was not used at all (it could
    /// not be read, or is not TOML), rather than only some of its keys.
    pub fn file_ignored(errors: &[KeymapError]) -> bool {
        errors
            .iter()
            .any(|e| matches!(e.problem, Problem::NotToml(_) | Problem::Unreadable(_)))
    }

    /// The default keymap with the user file at `path` merged over it. See
    /// [`Keymap::overlay_file`] for what happens to a file with errors.
    pub fn with_user_file(path: &Path) -> (Keymap, Vec<KeymapError>) {
        Keymap::builtin().overlay_file(path)
    }

    /// This keymap with the keymap file at `path` merged over it, and every
    /// problem with that file.
    ///
    /// A missing file is not a problem: nothing changes. In a file with
    /// errors, each bad entry is reported and the key keeps the binding it
    /// had (the defaults stay in force for it), while the entries that are
    /// fine still apply: one typo should not silently cost someone every
    /// other key they set up, and the errors say exactly which entries were
    /// skipped. A file that is not valid TOML, or cannot be read, changes
    /// nothing, since which entries were meant cannot be told. Only a
    /// regular file of at most [`MAX_FILE_BYTES`] is read.
    pub fn overlay_file(mut self, path: &Path) -> (Keymap, Vec<KeymapError>) {
        let file_name = path.display().to_string();
        let text = match crate::files::read_bounded_text(path, MAX_FILE_BYTES, "the keymap file") {
            Ok(text) => text,
            Err(e) if e.is_not_found() => return (self, Vec::new()),
            Err(e) => {
                let error = KeymapError {
                    file: file_name,
                    line: None,
                    key: None,
                    problem: Problem::Unreadable(e.failure.to_string()),
                };
                return (self, vec![error]);
            }
        };
        let (file, errors) = KeymapFile::parse_partial(&file_name, &text);
        self.merge(&file);
        (self, errors)
    }

    /// Merges `file` over this keymap key by key: a key the file binds in a
    /// section replaces that key's binding there (keeping its place), a new
    /// key is added after the others, and `"none"` leaves the key doing
    /// nothing in that context. A binding without a desc takes the action's
    /// description.
    ///
    /// Each section's keys are indexed once, so merging a file of many
    /// bindings takes time in proportion to its size.
    pub fn merge(&mut self, file: &KeymapFile) {
        let mut places: Vec<HashMap<KeyChord, usize>> = self
            .sections
            .iter()
            .map(|section| {
                section
                    .iter()
                    .enumerate()
                    .map(|(at, slot)| (slot.chord, at))
                    .collect()
            })
            .collect();
        for binding in file.bindings() {
            let slot = Slot {
                chord: binding.chord,
                action: binding.action,
                desc: match (&binding.desc, binding.action) {
                    (Some(desc), _) => desc.clone(),
                    (None, Some(action)) => action.description().to_string(),
                    (None, None) => String::new(),
                },
            };
            let i = index(binding.context);
            let section = &mut self.sections[i];
            match places[i].get(&binding.chord) {
                Some(&at) => section[at] = slot,
                None => {
                    places[i].insert(binding.chord, section.len());
                    section.push(slot);
                }
            }
        }
    }

    fn slot(&self, context: Context, chord: KeyChord) -> Option<&Slot> {
        self.sections[index(context)]
            .iter()
            .find(|s| s.chord == chord)
    }

    /// What `key` does in `context`, or `None`. Key releases do nothing.
    ///
    /// In order: an always-on key ([`ALWAYS_ON`]) is its action; in a form,
    /// a key that edits text ([`edits_text`]) is nothing; then the
    /// context's own section; then, unless the section unbinds the key with
    /// `"none"`, `[global]`.
    pub fn action(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        self.action_for(context, KeyChord::from_event(key))
    }

    /// [`Keymap::action`] for a chord.
    pub fn action_for(&self, context: Context, chord: KeyChord) -> Option<Action> {
        if let Some(action) = always_on(context, chord) {
            return Some(action);
        }
        if context == Context::Form && edits_text(chord) {
            return None;
        }
        if let Some(slot) = self.slot(context, chord) {
            return slot.action;
        }
        if context == Context::Global {
            return None;
        }
        self.slot(Context::Global, chord).and_then(|s| s.action)
    }

    /// Every key that does something in `context`, for the help popup:
    /// the context's own keys, then the `[global]` keys that apply there,
    /// then the always-on keys not already listed. Sorted by action (in
    /// the order of [`Action::ALL`]), and within an action in that order,
    /// each section's keys in file order.
    pub fn bindings(&self, context: Context) -> Vec<Binding> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut add = |slot: &Slot, out: &mut Vec<Binding>| {
            if !seen.insert(slot.chord) {
                return;
            }
            if let Some(action) = slot.action {
                out.push(Binding {
                    key: slot.chord.to_string(),
                    chord: slot.chord,
                    action,
                    desc: slot.desc.clone(),
                });
            }
        };
        for slot in &self.sections[index(context)] {
            if context == Context::Form && edits_text(slot.chord) {
                continue;
            }
            add(slot, &mut out);
        }
        if context != Context::Global {
            for slot in &self.sections[index(Context::Global)] {
                if context == Context::Form && edits_text(slot.chord) {
                    continue;
                }
                add(slot, &mut out);
            }
        }
        for (code, action) in ALWAYS_ON {
            let chord = KeyChord::new(*code, KeyModifiers::NONE);
            if always_on(context, chord).is_some() {
                let slot = Slot {
                    chord,
                    action: Some(*action),
                    desc: action.description().to_string(),
                };
                add(&slot, &mut out);
            }
        }
        out.sort_by_key(|b| b.action);
        out
    }

    /// The first key that does `action` in `context`, in the order of
    /// [`Keymap::bindings`], for status-line hints such as "n new".
    pub fn hint(&self, context: Context, action: Action) -> Option<String> {
        self.bindings(context)
            .into_iter()
            .find(|b| b.action == action)
            .map(|b| b.key)
    }
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap::builtin()
    }
}

fn embedded(name: &str, text: &str) -> KeymapFile {
    match KeymapFile::parse_preset(name, text) {
        Ok(file) => file,
        Err(errors) => {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("the embedded keymap is broken:\n{}", errors.join("\n"))
        }
    }
}

#[cfg(test)]
mod tests;
