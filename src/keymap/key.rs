//! Key strings such as `"j"`, `"G"`, `"ctrl-s"` and `"shift-tab"`, and the
//! chords they name.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Keys with a name, as written in a keymap file (any case) and as shown
/// in help and hints. Space is here because a key string of one blank is
/// easy to misread.
const NAMED: &[(&str, &str, KeyCode)] = &[
    ("enter", "Enter", KeyCode::Enter),
    ("esc", "Esc", KeyCode::Esc),
    ("tab", "Tab", KeyCode::Tab),
    ("backspace", "Backspace", KeyCode::Backspace),
    ("delete", "Delete", KeyCode::Delete),
    ("insert", "Insert", KeyCode::Insert),
    ("up", "Up", KeyCode::Up),
    ("down", "Down", KeyCode::Down),
    ("left", "Left", KeyCode::Left),
    ("right", "Right", KeyCode::Right),
    ("pgup", "PgUp", KeyCode::PageUp),
    ("pgdn", "PgDn", KeyCode::PageDown),
    ("home", "Home", KeyCode::Home),
    ("end", "End", KeyCode::End),
    ("space", "Space", KeyCode::Char(' ')),
];

/// The highest function key a key string may name.
const MAX_F: u8 = 12;

/// The modifier words, in the order a chord is displayed.
const MODIFIERS: &[(&str, &str, KeyModifiers)] = &[
    ("ctrl", "Ctrl", KeyModifiers::CONTROL),
    ("alt", "Alt", KeyModifiers::ALT),
    ("shift", "Shift", KeyModifiers::SHIFT),
];

fn key_names() -> String {
    let mut names: Vec<&str> = NAMED.iter().map(|(word, _, _)| *word).collect();
    names.push("f1 to f12");
    names.join(", ")
}

/// Why a key string names no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key string is empty: give a key, as in \"j\" or \"ctrl-s\"")]
    Empty,
    #[error("\"{0}\" has no key: put one after the modifiers, as in \"ctrl-s\"")]
    NoKey(String),
    #[error(
        "unknown key name \"{0}\": a key is one character or one of {names} (one key per binding, not a sequence)",
        names = key_names()
    )]
    UnknownName(String),
    #[error(
        "unknown modifier \"{modifier}\" in \"{input}\": the modifiers are ctrl, alt and shift"
    )]
    UnknownModifier { modifier: String, input: String },
    #[error("\"{modifier}\" is given twice in \"{input}\"")]
    RepeatedModifier { modifier: String, input: String },
    #[error(
        "\"{input}\": which character shift makes from {key:?} depends on the keyboard; write the character itself, as in \"?\" or \"!\""
    )]
    ShiftedSymbol { input: String, key: char },
}

/// One key with its modifiers, normalised so that the chord a key string
/// names and the chord of the event a terminal reports for that key are
/// equal:
///
/// - a character carries its own shift: `"G"` is `Char('G')` with no
///   modifiers, and an event of `Char('G')` with SHIFT (or, from some
///   terminals, `Char('g')` with SHIFT) is the same chord;
/// - with ctrl, letters are lower case: terminals send the same byte for
///   ctrl-s and ctrl-shift-s, so `"ctrl-S"` and `"ctrl-s"` are one chord;
/// - shift-tab is `BackTab`, with no SHIFT, which is what crossterm
///   reports for it (with or without SHIFT, depending on the terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl KeyChord {
    /// The chord for `code` with `modifiers`, normalised.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> KeyChord {
        let mut code = code;
        let mut modifiers = modifiers;
        match code {
            KeyCode::Char(c) => {
                if modifiers.contains(KeyModifiers::SHIFT) {
                    modifiers.remove(KeyModifiers::SHIFT);
                    if c.is_ascii_lowercase() {
                        code = KeyCode::Char(c.to_ascii_uppercase());
                    }
                }
                if modifiers.contains(KeyModifiers::CONTROL)
                    && let KeyCode::Char(c) = code
                {
                    code = KeyCode::Char(c.to_ascii_lowercase());
                }
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                code = KeyCode::BackTab;
                modifiers.remove(KeyModifiers::SHIFT);
            }
            KeyCode::BackTab => modifiers.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        KeyChord { code, modifiers }
    }

    /// The chord a terminal key event is for.
    pub fn from_event(event: &KeyEvent) -> KeyChord {
        KeyChord::new(event.code, event.modifiers)
    }

    pub fn code(self) -> KeyCode {
        self.code
    }

    pub fn modifiers(self) -> KeyModifiers {
        self.modifiers
    }

    /// Whether `event` is this key (its kind, press or repeat, is not
    /// looked at).
    pub fn matches(self, event: &KeyEvent) -> bool {
        KeyChord::from_event(event) == self
    }

    /// Reads a key string: modifiers `ctrl-`, `alt-`, `shift-` (any order,
    /// any case) before one character (`"j"`, `"G"`, `"?"`, `"-"`) or a key
    /// name (any case): `enter`, `esc`, `tab`, `backspace`, `delete`,
    /// `insert`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`,
    /// `end`, `space`, `f1` to `f12`.
    pub fn parse(input: &str) -> Result<KeyChord, KeyError> {
        if input.is_empty() {
            return Err(KeyError::Empty);
        }
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = input;
        // One character left is the key itself, even if it is "-".
        while rest.chars().count() > 1 {
            let Some((word, tail)) = rest.split_once('-') else {
                break;
            };
            let Some(modifier) = modifier_named(word) else {
                if !word.is_empty() && !tail.is_empty() {
                    return Err(KeyError::UnknownModifier {
                        modifier: word.to_string(),
                        input: input.to_string(),
                    });
                }
                break;
            };
            if modifiers.contains(modifier) {
                return Err(KeyError::RepeatedModifier {
                    modifier: word.to_ascii_lowercase(),
                    input: input.to_string(),
                });
            }
            modifiers.insert(modifier);
            rest = tail;
            if rest.is_empty() {
                return Err(KeyError::NoKey(input.to_string()));
            }
        }

        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => {
                if modifier_named(rest).is_some() {
                    return Err(KeyError::NoKey(input.to_string()));
                }
                code_named(rest).ok_or_else(|| KeyError::UnknownName(rest.to_string()))?
            }
        };
        if let KeyCode::Char(c) = code
            && modifiers.contains(KeyModifiers::SHIFT)
            && !c.is_alphabetic()
        {
            return Err(KeyError::ShiftedSymbol {
                input: input.to_string(),
                key: c,
            });
        }
        Ok(KeyChord::new(code, modifiers))
    }
}

fn modifier_named(word: &str) -> Option<KeyModifiers> {
    MODIFIERS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, _, modifier)| *modifier)
}

fn code_named(word: &str) -> Option<KeyCode> {
    if let Some((_, _, code)) = NAMED
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(word))
    {
        return Some(*code);
    }
    let number = word.strip_prefix(['f', 'F'])?;
    // "f01" and "f+1" are not key names.
    if number.starts_with(['0', '+']) {
        return None;
    }
    match number.parse::<u8>() {
        Ok(n) if (1..=MAX_F).contains(&n) => Some(KeyCode::F(n)),
        _ => None,
    }
}

impl FromStr for KeyChord {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<KeyChord, KeyError> {
        KeyChord::parse(s)
    }
}

/// The canonical key string, as help and hints show it: `Ctrl-S`, `PgDn`,
/// `Shift-Tab`, `G`, `?`. It reads back as the same chord.
impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (_, shown, modifier) in MODIFIERS {
            if self.modifiers.contains(*modifier) {
                write!(f, "{shown}-")?;
            }
        }
        for (modifier, shown) in [
            (KeyModifiers::SUPER, "Super"),
            (KeyModifiers::HYPER, "Hyper"),
            (KeyModifiers::META, "Meta"),
        ] {
            if self.modifiers.contains(modifier) {
                write!(f, "{shown}-")?;
            }
        }
        if let Some((_, shown, _)) = NAMED.iter().find(|(_, _, code)| *code == self.code) {
            return f.write_str(shown);
        }
        match self.code {
            // Ctrl ignores case, and the upper case letter is how menus show it.
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn chord(s: &str) -> KeyChord {
        KeyChord::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn plain(code: KeyCode) -> KeyChord {
        KeyChord::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn characters_and_names_parse() {
        assert_eq!(chord("j"), plain(KeyCode::Char('j')));
        assert_eq!(chord("G"), plain(KeyCode::Char('G')));
        assert_eq!(chord("?"), plain(KeyCode::Char('?')));
        assert_eq!(chord("/"), plain(KeyCode::Char('/')));
        assert_eq!(chord(":"), plain(KeyCode::Char(':')));
        assert_eq!(chord("-"), plain(KeyCode::Char('-')));
        assert_eq!(chord("space"), plain(KeyCode::Char(' ')));
        assert_eq!(chord("enter"), plain(KeyCode::Enter));
        assert_eq!(chord("ESC"), plain(KeyCode::Esc));
        assert_eq!(chord("Tab"), plain(KeyCode::Tab));
        assert_eq!(chord("backspace"), plain(KeyCode::Backspace));
        assert_eq!(chord("delete"), plain(KeyCode::Delete));
        assert_eq!(chord("up"), plain(KeyCode::Up));
        assert_eq!(chord("down"), plain(KeyCode::Down));
        assert_eq!(chord("left"), plain(KeyCode::Left));
        assert_eq!(chord("right"), plain(KeyCode::Right));
        assert_eq!(chord("PgUp"), plain(KeyCode::PageUp));
        assert_eq!(chord("pgdn"), plain(KeyCode::PageDown));
        assert_eq!(chord("home"), plain(KeyCode::Home));
        assert_eq!(chord("end"), plain(KeyCode::End));
        assert_eq!(chord("f1"), plain(KeyCode::F(1)));
        assert_eq!(chord("F12"), plain(KeyCode::F(12)));
    }

    #[test]
    fn modifiers_parse_in_any_order_and_case() {
        let ctrl_s = KeyChord::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(chord("ctrl-s"), ctrl_s);
        assert_eq!(chord("Ctrl-S"), ctrl_s);
        assert_eq!(chord("CTRL-s"), ctrl_s);
        assert_eq!(chord("ctrl-shift-s"), ctrl_s);
        assert_eq!(
            chord("ctrl-c"),
            KeyChord::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            chord("alt-x"),
            KeyChord::new(KeyCode::Char('x'), KeyModifiers::ALT)
        );
        assert_eq!(
            chord("shift-alt-x"),
            KeyChord::new(KeyCode::Char('X'), KeyModifiers::ALT)
        );
        assert_eq!(
            chord("ctrl--"),
            KeyChord::new(KeyCode::Char('-'), KeyModifiers::CONTROL)
        );
        assert_eq!(chord("shift-g"), chord("G"));
        assert_eq!(chord("shift-tab"), plain(KeyCode::BackTab));
        assert_eq!(
            chord("shift-up"),
            KeyChord::new(KeyCode::Up, KeyModifiers::SHIFT)
        );
        assert_eq!(
            chord("ctrl-space"),
            KeyChord::new(KeyCode::Char(' '), KeyModifiers::CONTROL)
        );
    }

    #[test]
    fn events_match_the_key_strings_for_them() {
        let cases = [
            ("G", KeyCode::Char('G'), KeyModifiers::SHIFT),
            ("G", KeyCode::Char('G'), KeyModifiers::NONE),
            ("G", KeyCode::Char('g'), KeyModifiers::SHIFT),
            ("?", KeyCode::Char('?'), KeyModifiers::SHIFT),
            ("ctrl-s", KeyCode::Char('s'), KeyModifiers::CONTROL),
            (
                "ctrl-s",
                KeyCode::Char('S'),
                KeyModifiers::CONTROL.union(KeyModifiers::SHIFT),
            ),
            ("shift-tab", KeyCode::BackTab, KeyModifiers::SHIFT),
            ("shift-tab", KeyCode::BackTab, KeyModifiers::NONE),
            (
                "alt-X",
                KeyCode::Char('X'),
                KeyModifiers::ALT | KeyModifiers::SHIFT,
            ),
            ("pgdn", KeyCode::PageDown, KeyModifiers::NONE),
        ];
        for (s, code, modifiers) in cases {
            let event = KeyEvent::new(code, modifiers);
            assert!(chord(s).matches(&event), "{s:?} should match {event:?}");
        }
        let no = [
            ("g", KeyCode::Char('G'), KeyModifiers::SHIFT),
            ("G", KeyCode::Char('g'), KeyModifiers::NONE),
            ("s", KeyCode::Char('s'), KeyModifiers::CONTROL),
            ("alt-x", KeyCode::Char('X'), KeyModifiers::ALT),
            ("tab", KeyCode::BackTab, KeyModifiers::SHIFT),
            ("up", KeyCode::Up, KeyModifiers::SHIFT),
        ];
        for (s, code, modifiers) in no {
            let event = KeyEvent::new(code, modifiers);
            assert!(
                !chord(s).matches(&event),
                "{s:?} should not match {event:?}"
            );
        }
    }

    #[test]
    fn display_is_canonical_and_reads_back() {
        let cases = [
            ("ctrl-s", "Ctrl-S"),
            ("pgdn", "PgDn"),
            ("pgup", "PgUp"),
            ("?", "?"),
            ("G", "G"),
            ("j", "j"),
            ("shift-tab", "Shift-Tab"),
            ("alt-x", "Alt-x"),
            ("alt-X", "Alt-X"),
            ("ctrl-alt-shift-tab", "Ctrl-Alt-Shift-Tab"),
            ("space", "Space"),
            ("ctrl--", "Ctrl--"),
            ("f5", "F5"),
            ("esc", "Esc"),
            ("shift-up", "Shift-Up"),
        ];
        for (s, shown) in cases {
            assert_eq!(chord(s).to_string(), shown, "{s:?}");
            assert_eq!(chord(shown), chord(s), "{shown:?} should read back");
        }
    }

    #[test]
    fn bad_key_strings_say_what_is_wrong() {
        let cases = [
            ("", "the key string is empty"),
            ("pgdown", "unknown key name \"pgdown\""),
            ("ZZ", "unknown key name \"ZZ\""),
            ("f13", "unknown key name \"f13\""),
            ("f0", "unknown key name \"f0\""),
            ("ctrl-", "\"ctrl-\" has no key"),
            ("ctrl", "\"ctrl\" has no key"),
            ("alt-ctrl", "\"alt-ctrl\" has no key"),
            ("meta-x", "unknown modifier \"meta\" in \"meta-x\""),
            ("ctrl-ctrl-x", "\"ctrl\" is given twice in \"ctrl-ctrl-x\""),
            ("shift-1", "write the character itself"),
            ("shift-?", "write the character itself"),
        ];
        for (s, wanted) in cases {
            let error = KeyChord::parse(s).expect_err(s).to_string();
            assert!(error.contains(wanted), "{s:?}: {error}");
        }
    }
}
