//! Reading one keymap file: TOML with a table per context, each key string
//! bound to an action, with every problem reported against its line.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::key::{KeyChord, KeyError};
use super::{always_on, edits_text};
use crate::app::action::{Action, Context};

/// The action name that unbinds a key.
pub const UNBIND: &str = "none";

/// One binding as written in a keymap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileBinding {
    pub context: Context,
    /// The key string as written.
    pub key: String,
    pub chord: KeyChord,
    /// `None` for `"none"`: the key does nothing in this context.
    pub action: Option<Action>,
    /// `None` when the file gives none (a plain `"j" = "down"`).
    pub desc: Option<String>,
    /// 1-based.
    pub line: usize,
}

/// The bindings of one keymap file that are fine, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeymapFile {
    bindings: Vec<FileBinding>,
}

/// A problem with one entry of a keymap file, or with the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", location(.file, .line, .key))]
pub struct KeymapError {
    /// The file name as given to the parser (for a user file, its path).
    pub file: String,
    /// 1-based; `None` only when the file cannot be read at all.
    pub line: Option<usize>,
    /// The key string, or the section name for a problem with a section;
    /// `None` for a problem with the file as a whole.
    pub key: Option<String>,
    pub problem: Problem,
}

fn location(file: &str, line: &Option<usize>, key: &Option<String>) -> String {
    let mut at = file.to_string();
    if let Some(line) = line {
        at.push_str(&format!(":{line}"));
    }
    at.push_str(": ");
    if let Some(key) = key {
        at.push_str(&format!("{key:?}: "));
    }
    at
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    #[error("this is not valid TOML, so none of the file is used: {0}")]
    NotToml(String),
    #[error(
        "unknown section [{0}]: the sections are [global], [list], [detail], [form] and [popup]"
    )]
    UnknownSection(String),
    #[error("[{section}] must be a table of bindings, not {found}")]
    SectionNotTable { section: String, found: String },
    #[error("bad key: {0}")]
    BadKey(KeyError),
    #[error(
        "unknown action \"{0}\": keymaps/README.md lists the actions; \"none\" unbinds the key"
    )]
    UnknownAction(String),
    #[error(
        "a binding is an action name, as in \"j\" = \"down\", or a table, as in \"j\" = {{ action = \"down\", desc = \"Move down\" }}; this is {0}"
    )]
    NotABinding(String),
    #[error("{field} must be a string, not {found}")]
    FieldNotString { field: &'static str, found: String },
    #[error("unknown field \"{0}\": a binding has only action and desc")]
    UnknownField(String),
    #[error("the binding has no action: add action = \"...\"")]
    MissingAction,
    #[error(
        "this is the same key as {other_key:?} on line {other_line}; a key is bound once in each section"
    )]
    DuplicateKey {
        other_key: String,
        other_line: usize,
    },
    #[error(
        "{key} always means \"{}\" here and cannot be rebound or unbound (keymaps/README.md lists the keys that always work)",
        .action.name()
    )]
    AlwaysOn { key: String, action: Action },
    #[error(
        "{key} types or edits text in a form field, so [form] cannot bind it; bind a key with ctrl or alt instead"
    )]
    EditsText { key: String },
}

/// "a string", "an integer", "a table" ...
fn a_type(value: &DeValue<'_>) -> String {
    let name = value.type_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// Where each line of a text starts, found in one pass, so that the line of
/// any byte offset is a binary search: a file with an error on each of many
/// lines is reported in time proportional to its size, not its square.
struct Lines {
    /// The offset of every newline, in order.
    newlines: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        Lines {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// 1-based line of a byte offset: one more than the newlines before it.
    fn at(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }
}

impl KeymapFile {
    /// The bindings, in the order the file gives them.
    pub fn bindings(&self) -> &[FileBinding] {
        &self.bindings
    }

    /// Reads a keymap file, all or nothing: every problem, or the file.
    /// A binding may leave out its desc.
    pub fn parse(file_name: &str, text: &str) -> Result<KeymapFile, Vec<KeymapError>> {
        all_or_nothing(parse(file_name, text))
    }

    /// Reads a preset (such as `keymaps/default.toml`): as a user file, all
    /// or nothing. A binding leaves out its desc (or gives a blank one) to
    /// show its action's own description.
    pub fn parse_preset(file_name: &str, text: &str) -> Result<KeymapFile, Vec<KeymapError>> {
        Self::parse(file_name, text)
    }

    /// Reads a keymap file and keeps the bindings that are fine, with every
    /// problem. A file that is not valid TOML gives no bindings, since what
    /// was meant cannot be told. A binding may leave out its desc.
    pub fn parse_partial(file_name: &str, text: &str) -> (KeymapFile, Vec<KeymapError>) {
        parse(file_name, text)
    }
}

fn all_or_nothing(
    (file, errors): (KeymapFile, Vec<KeymapError>),
) -> Result<KeymapFile, Vec<KeymapError>> {
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(errors)
    }
}

struct Parser<'a> {
    file_name: &'a str,
    lines: Lines,
    errors: Vec<KeymapError>,
}

impl Parser<'_> {
    fn error(&mut self, span: Range<usize>, key: Option<&str>, problem: Problem) {
        self.errors.push(KeymapError {
            file: self.file_name.to_string(),
            line: Some(self.lines.at(span.start)),
            key: key.map(str::to_string),
            problem,
        });
    }

    fn line(&self, span: &Range<usize>) -> usize {
        self.lines.at(span.start)
    }

    /// One `"key" = value` entry of a section, or `None` (and an error)
    /// if anything about it is wrong.
    fn binding(
        &mut self,
        context: Context,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<FileBinding> {
        let key_string: &str = key.get_ref();
        let chord = match KeyChord::parse(key_string) {
            Ok(chord) => Some(chord),
            Err(e) => {
                self.error(key.span(), Some(key_string), Problem::BadKey(e));
                None
            }
        };
        let (action, desc) = self.value(key_string, value)?;
        let chord = chord?;

        if let Some(fixed) = always_on(context, chord)
            && action != Some(fixed)
        {
            let problem = Problem::AlwaysOn {
                key: chord.to_string(),
                action: fixed,
            };
            self.error(key.span(), Some(key_string), problem);
            return None;
        }
        if context == Context::Form && edits_text(chord) && action.is_some() {
            let problem = Problem::EditsText {
                key: chord.to_string(),
            };
            self.error(key.span(), Some(key_string), problem);
            return None;
        }
        Some(FileBinding {
            context,
            key: key_string.to_string(),
            chord,
            action,
            desc,
            line: self.line(&key.span()),
        })
    }

    /// The action (`None` for `"none"`) and desc of a binding's value.
    fn value(
        &mut self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<(Option<Action>, Option<String>)> {
        match value.get_ref() {
            DeValue::String(name) => {
                let action = self.action(key, name, value.span())?;
                Some((action, None))
            }
            DeValue::Table(table) => {
                let mut action = None;
                let mut desc = None;
                let mut fine = true;
                for (field, field_value) in table.iter() {
                    let field_name: &str = field.get_ref();
                    let expected = match field_name {
                        "action" => "action",
                        "desc" => "desc",
                        other => {
                            self.error(
                                field.span(),
                                Some(key),
                                Problem::UnknownField(other.to_string()),
                            );
                            fine = false;
                            continue;
                        }
                    };
                    let DeValue::String(s) = field_value.get_ref() else {
                        let problem = Problem::FieldNotString {
                            field: expected,
                            found: a_type(field_value.get_ref()),
                        };
                        self.error(field_value.span(), Some(key), problem);
                        fine = false;
                        continue;
                    };
                    if expected == "action" {
                        action = Some((s.to_string(), field_value.span()));
                    } else if !s.trim().is_empty() {
                        desc = Some(s.trim().to_string());
                    }
                }
                let Some((name, span)) = action else {
                    if fine {
                        self.error(value.span(), Some(key), Problem::MissingAction);
                    }
                    return None;
                };
                let action = self.action(key, &name, span)?;
                fine.then_some((action, desc))
            }
            other => {
                self.error(value.span(), Some(key), Problem::NotABinding(a_type(other)));
                None
            }
        }
    }

    fn action(&mut self, key: &str, name: &str, span: Range<usize>) -> Option<Option<Action>> {
        if name == UNBIND {
            return Some(None);
        }
        match Action::parse(name) {
            Some(action) => Some(Some(action)),
            None => {
                self.error(span, Some(key), Problem::UnknownAction(name.to_string()));
                None
            }
        }
    }
}

fn parse(file_name: &str, text: &str) -> (KeymapFile, Vec<KeymapError>) {
    let mut parser = Parser {
        file_name,
        lines: Lines::new(text),
        errors: Vec::new(),
    };
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        for e in syntax_errors {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            parser.error(span, None, Problem::NotToml(message));
        }
        let mut errors = parser.errors;
        errors.sort_by_key(|e| e.line);
        return (KeymapFile::default(), errors);
    }

    let mut bindings = Vec::new();
    for (section, value) in document.get_ref().iter() {
        let name: &str = section.get_ref();
        let Some(context) = Context::parse(name) else {
            parser.error(
                section.span(),
                Some(name),
                Problem::UnknownSection(name.to_string()),
            );
            continue;
        };
        let DeValue::Table(table) = value.get_ref() else {
            let problem = Problem::SectionNotTable {
                section: name.to_string(),
                found: a_type(value.get_ref()),
            };
            parser.error(value.span(), Some(name), problem);
            continue;
        };
        for (key, value) in table.iter() {
            if let Some(binding) = parser.binding(context, key, value) {
                bindings.push((key.span().start, binding));
            }
        }
    }

    // The parser's tables are sorted by key; put the bindings back in file
    // order, so the first key given for an action is the one hints show.
    bindings.sort_by_key(|(offset, _)| *offset);
    let mut seen: HashMap<(Context, KeyChord), (String, usize)> = HashMap::new();
    let mut kept = Vec::with_capacity(bindings.len());
    for (_, binding) in bindings {
        if let Some((other_key, other_line)) = seen.get(&(binding.context, binding.chord)) {
            let problem = Problem::DuplicateKey {
                other_key: other_key.clone(),
                other_line: *other_line,
            };
            parser.errors.push(KeymapError {
                file: file_name.to_string(),
                line: Some(binding.line),
                key: Some(binding.key.clone()),
                problem,
            });
            continue;
        }
        seen.insert(
            (binding.context, binding.chord),
            (binding.key.clone(), binding.line),
        );
        kept.push(binding);
    }

    let mut errors = parser.errors;
    errors.sort_by_key(|e| e.line);
    (KeymapFile { bindings: kept }, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(256) })]

        /// The line of an offset is one more than the newlines before it,
        /// as counting them again for each offset would find.
        #[test]
        fn the_line_of_an_offset_counts_the_newlines_before_it(
            text in "(?s)[a\n\r\u{e9}\u{4e00}]{0,200}",
            offsets in prop::collection::vec(0usize..210, 0..20),
        ) {
            let lines = Lines::new(&text);
            for offset in offsets {
                let before = &text.as_bytes()[..offset.min(text.len())];
                let counted = before.iter().filter(|&&b| b == b'\n').count() + 1;
                prop_assert_eq!(lines.at(offset), counted, "offset {}", offset);
            }
        }
    }
}
