//! Properties over generated input, for the parsers of what users and
//! other systems hand ccu: the intelligence CSV import, keymap files, key
//! strings and oversight bundles. Whatever the input, each returns a value
//! or an error saying what is wrong and where; none panics or hangs. The
//! number of cases is bounded so the file runs in seconds.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use ccu::audit::bundle;
use ccu::import::{FileError, MAX_FIELD_CHARS, ParsedFile, parse_intel_csv};
use ccu::keymap::{Action, Context, KeyChord, KeyError, Keymap, KeymapFile, Problem};
use ccu::store::{Command, ExportRequest};
use proptest::prelude::*;
use proptest::sample::Index;

/// 256 cases a property, or `PROPTEST_CASES` for a longer search. A
/// failure is printed with its smallest input, which becomes a regular
/// test; nothing is written beside the sources.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

// ---------------------------------------------------------------------------
// The intelligence CSV import.

const COLUMNS: [&str; 11] = [
    "source_reference",
    "received_at",
    "source_type",
    "anonymous",
    "grading",
    "handling_conditions",
    "category",
    "apsp",
    "staff_numbers",
    "summary",
    "full_text",
];

/// A row that imports cleanly, by column; the reference gets the row's
/// number after it.
const GOOD: [&str; 11] = [
    "ALERT-",
    "23/11/2026 09:30",
    "ict-monitoring",
    "no",
    "2BP",
    "",
    "misusing-systems",
    "no",
    "1234; AB-9",
    "Searched a victim's record",
    "",
];

/// Never given a generated value: these properties are about the file, not
/// about reading dates.
const RECEIVED_AT: usize = 1;

/// Columns a file may leave out.
const OPTIONAL: [&str; 5] = [
    "anonymous",
    "handling_conditions",
    "apsp",
    "staff_numbers",
    "full_text",
];

/// Values that are wrong, or nearly right, for one column or another.
const AWKWARD: &[&str] = &[
    "",
    " ",
    "\"",
    "\"\"",
    ",",
    "a,b",
    "\n",
    "\r\n",
    "line one\nline two",
    "yes",
    "YES",
    "maybe",
    "1AC",
    "3EP",
    "5X5",
    "9ZZ",
    "1AC,",
    "C",
    "P",
    "other",
    "Other",
    "abuse-of-authority",
    "confidential-line",
    "1234",
    "1234;",
    ";;",
    "AB-9; AB-9",
    "=SUM(A1)",
    "\u{0}",
    "\u{1b}[2J",
    "\u{202e}evil",
    "\u{feff}",
    "🙂",
    "-",
    "ALERT-1",
    " ALERT-2 ",
];

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(AWKWARD).prop_map(str::to_owned),
        4 => "(?s).{0,40}",
        1 => Just("x".repeat(MAX_FIELD_CHARS + 1)),
        1 => Just("é".repeat(MAX_FIELD_CHARS)),
    ]
}

#[derive(Debug, Clone, Copy)]
enum Quoting {
    /// Every value in double quotes.
    Always,
    /// Quotes only where a value needs them.
    AsNeeded,
    /// No quotes at all: values with commas, quotes or line breaks break
    /// the file.
    Never,
}

/// A near-valid file: a header (any order, any case, optional columns left
/// out) and good rows, some of whose values (never the date) are replaced.
#[derive(Debug, Clone)]
struct NearValid {
    columns: Vec<usize>,
    header_case: Vec<bool>,
    /// Per row: column index to replacement value.
    changes: Vec<BTreeMap<usize, String>>,
    quoting: Quoting,
    crlf: bool,
    bom: bool,
    blank_lines: Vec<bool>,
    final_newline: bool,
}

fn near_valid() -> impl Strategy<Value = NearValid> {
    let columns = Just((0..COLUMNS.len()).collect::<Vec<usize>>())
        .prop_shuffle()
        .prop_flat_map(|order| {
            prop::collection::vec(any::<bool>(), OPTIONAL.len()).prop_map(move |keep| {
                order
                    .iter()
                    .copied()
                    .filter(|&c| {
                        OPTIONAL
                            .iter()
                            .position(|o| *o == COLUMNS[c])
                            .is_none_or(|i| keep[i])
                    })
                    .collect::<Vec<usize>>()
            })
        });
    let column = (0..COLUMNS.len()).prop_filter("not the date", |c| *c != RECEIVED_AT);
    let changes = prop::collection::vec(prop::collection::btree_map(column, cell(), 0..3), 1..8);
    (
        columns,
        prop::collection::vec(any::<bool>(), COLUMNS.len()),
        changes,
        prop_oneof![
            Just(Quoting::Always),
            Just(Quoting::AsNeeded),
            Just(Quoting::Never)
        ],
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(prop::bool::weighted(0.1), 8),
        any::<bool>(),
    )
        .prop_map(
            |(columns, header_case, changes, quoting, crlf, bom, blank_lines, final_newline)| {
                NearValid {
                    columns,
                    header_case,
                    changes,
                    quoting,
                    crlf,
                    bom,
                    blank_lines,
                    final_newline,
                }
            },
        )
}

impl NearValid {
    fn value(&self, row: usize, column: usize) -> String {
        match self.changes[row].get(&column) {
            Some(v) => v.clone(),
            None if column == 0 => format!("ALERT-{row}"),
            None => GOOD[column].to_owned(),
        }
    }

    fn field(&self, value: &str) -> String {
        let needs = value.contains([',', '"', '\n', '\r']);
        match self.quoting {
            Quoting::Always => format!("\"{}\"", value.replace('"', "\"\"")),
            Quoting::AsNeeded if needs => format!("\"{}\"", value.replace('"', "\"\"")),
            _ => value.to_owned(),
        }
    }

    /// The file, and the line each row starts on.
    fn render(&self) -> (Vec<u8>, Vec<u64>) {
        let end = if self.crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        if self.bom {
            text.push('\u{feff}');
        }
        let header: Vec<String> = self
            .columns
            .iter()
            .map(|&c| {
                if self.header_case[c] {
                    COLUMNS[c].to_uppercase()
                } else {
                    COLUMNS[c].to_owned()
                }
            })
            .collect();
        text.push_str(&header.join(","));
        let mut starts = Vec::new();
        for row in 0..self.changes.len() {
            text.push_str(end);
            if self.blank_lines[row] {
                text.push_str(end);
            }
            starts.push(text.matches('\n').count() as u64 + 1);
            let fields: Vec<String> = self
                .columns
                .iter()
                .map(|&c| self.field(&self.value(row, c)))
                .collect();
            text.push_str(&fields.join(","));
        }
        if self.final_newline {
            text.push_str(end);
        }
        (text.into_bytes(), starts)
    }

    /// The rows nothing was changed in and whose reference no earlier row
    /// already used: these must import.
    fn clean_rows(&self) -> Vec<usize> {
        let mut seen = HashSet::new();
        let mut clean = Vec::new();
        for row in 0..self.changes.len() {
            let reference = self.value(row, 0);
            let counted =
                reference.chars().count() <= MAX_FIELD_CHARS && !reference.trim().is_empty();
            let repeated = counted && !seen.insert(reference.trim().to_owned());
            let changed = self.changes[row].keys().any(|c| self.columns.contains(c));
            if !changed && !repeated {
                clean.push(row);
            }
        }
        clean
    }
}

fn lines_in(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// What holds for any file the parser accepts: each row is imported or has
/// errors, never both; every error names a line of the file, a column and
/// a reason.
fn check_parsed(parsed: &ParsedFile, bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = lines_in(bytes);
    let good: HashSet<u64> = parsed.rows.iter().map(|r| r.line).collect();
    prop_assert_eq!(good.len(), parsed.rows.len(), "two rows on one line");
    for row in &parsed.rows {
        prop_assert!((2..=lines).contains(&row.line), "row line {}", row.line);
    }
    for e in &parsed.errors {
        prop_assert!(
            (2..=lines).contains(&e.line),
            "error line {}: {}",
            e.line,
            e
        );
        prop_assert!(!good.contains(&e.line), "line {} is good and bad", e.line);
        prop_assert!(!e.reason.trim().is_empty(), "{}", e);
        prop_assert!(!e.column.is_empty(), "{}", e);
        let shown = e.to_string();
        let prefix = format!("line {}, column {}: ", e.line, e.column);
        prop_assert!(shown.starts_with(&prefix), "{}", shown);
    }
    Ok(())
}

/// A whole-file error names the line it is about, within the file, or says
/// what is wrong with the file as a whole.
fn check_file_error(e: &FileError, bytes: &[u8]) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert!(!shown.trim().is_empty());
    let line = match e {
        FileError::Empty => None,
        FileError::Malformed { line, .. } => *line,
        FileError::NoRows { header_line: line }
        | FileError::NotUtf8 { line }
        | FileError::UnterminatedQuote { line }
        | FileError::WrongSeparator { line, .. }
        | FileError::BlankColumnName { line, .. }
        | FileError::DuplicateColumn { line, .. }
        | FileError::UnknownColumns { line, .. }
        | FileError::MissingColumns { line, .. }
        | FileError::WrongFieldCount { line, .. } => Some(*line),
    };
    match line {
        Some(line) => {
            prop_assert!((1..=lines_in(bytes)).contains(&line), "{}", shown);
            prop_assert!(shown.contains(&format!("line {line}")), "{}", shown);
        }
        None => prop_assert!(shown.contains("the file"), "{}", shown),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_of_arbitrary_bytes_is_read_or_refused_with_a_line(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            "(?s).{0,300}".prop_map(String::into_bytes),
            prop::collection::vec(
                prop::sample::select(vec![b',', b'"', b'\n', b'\r', b'a', b' ', 0xEF, 0xBB, 0xBF]),
                0..200,
            ),
        ]
    ) {
        match parse_intel_csv(&bytes) {
            Ok(parsed) => check_parsed(&parsed, &bytes)?,
            Err(e) => check_file_error(&e, &bytes)?,
        }
    }

    #[test]
    fn csv_with_a_good_header_and_any_values_is_read_or_refused_with_a_line(
        header in prop::collection::vec(
            prop::sample::select(COLUMNS.to_vec()).prop_map(str::to_owned),
            1..12,
        ),
        rows in prop::collection::vec(prop::collection::vec(cell(), 0..13), 0..5),
    ) {
        let mut text = header.join(",");
        for row in &rows {
            // Any values but in received_at, which gets a good date.
            let row: Vec<&str> = row
                .iter()
                .enumerate()
                .map(|(i, v)| match header.get(i) {
                    Some(c) if c == COLUMNS[RECEIVED_AT] => GOOD[RECEIVED_AT],
                    _ => v.as_str(),
                })
                .collect();
            text.push('\n');
            text.push_str(&row.join(","));
        }
        let bytes = text.into_bytes();
        match parse_intel_csv(&bytes) {
            Ok(parsed) => check_parsed(&parsed, &bytes)?,
            Err(e) => check_file_error(&e, &bytes)?,
        }
    }

    #[test]
    fn csv_near_valid_files_account_for_every_row(file in near_valid()) {
        let (bytes, starts) = file.render();
        let parsed = match (parse_intel_csv(&bytes), file.quoting) {
            (Ok(parsed), _) => parsed,
            (Err(e), Quoting::Never) => return check_file_error(&e, &bytes),
            (Err(e), _) => {
                return Err(TestCaseError::fail(format!(
                    "a well-quoted file was refused as a whole: {e}"
                )));
            }
        };
        check_parsed(&parsed, &bytes)?;
        if matches!(file.quoting, Quoting::Never) {
            return Ok(());
        }
        // Well quoted: each row is one record, on the line it starts on.
        prop_assert_eq!(parsed.rows.len() + parsed.invalid_row_count(), starts.len());
        let row_starts = starts.clone();
        let starts: HashSet<u64> = starts.into_iter().collect();
        for line in parsed.rows.iter().map(|r| r.line).chain(parsed.errors.iter().map(|e| e.line)) {
            prop_assert!(starts.contains(&line), "line {} starts no row", line);
        }
        // Each error names a column of the format (one the file left out,
        // when a rule needs it: "handling_conditions are required ...").
        for e in &parsed.errors {
            prop_assert!(COLUMNS.contains(&e.column.as_str()), "{}", e);
        }
        let good: HashSet<u64> = parsed.rows.iter().map(|r| r.line).collect();
        for row in file.clean_rows() {
            prop_assert!(
                good.contains(&row_starts[row]),
                "row {} (line {}) was not changed but did not import: {:?}",
                row,
                row_starts[row],
                parsed.errors
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Key strings.

const KEY_NAMES: &[&str] = &[
    "enter",
    "esc",
    "tab",
    "backspace",
    "delete",
    "insert",
    "up",
    "down",
    "left",
    "right",
    "pgup",
    "pgdn",
    "home",
    "end",
    "space",
    "f1",
    "f9",
    "f12",
    "f13",
    "f0",
    "f01",
    "f+1",
    "pgdown",
    "ctrl",
    "alt",
];

const MODIFIER_WORDS: &[&str] = &["ctrl", "alt", "shift", "meta", "super", ""];

#[derive(Debug, Clone)]
enum KeyPart {
    Char(char),
    Name(&'static str),
    Raw(String),
}

/// Modifier words and a key, each word and name in a case of its own.
#[derive(Debug, Clone)]
struct KeyString {
    modifiers: Vec<(&'static str, Vec<bool>)>,
    key: KeyPart,
    key_case: Vec<bool>,
}

fn recase(word: &str, upper: &[bool]) -> String {
    word.chars()
        .enumerate()
        .map(|(i, c)| {
            if upper.get(i).copied().unwrap_or(false) {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

impl KeyString {
    /// The key string, in lower case or with its words recased.
    fn render(&self, recased: bool) -> String {
        let case = |upper: &[bool]| if recased { upper.to_vec() } else { Vec::new() };
        let mut s = String::new();
        for (word, upper) in &self.modifiers {
            s.push_str(&recase(word, &case(upper)));
            s.push('-');
        }
        match &self.key {
            KeyPart::Char(c) => s.push(*c),
            KeyPart::Name(name) => s.push_str(&recase(name, &case(&self.key_case))),
            KeyPart::Raw(raw) => s.push_str(raw),
        }
        s
    }
}

fn key_string() -> impl Strategy<Value = KeyString> {
    let word_case = prop::collection::vec(any::<bool>(), 6);
    (
        prop::collection::vec(
            (prop::sample::select(MODIFIER_WORDS), word_case.clone()),
            0..4,
        ),
        prop_oneof![
            any::<char>().prop_map(KeyPart::Char),
            prop::sample::select(KEY_NAMES).prop_map(KeyPart::Name),
            "[a-zA-Z0-9+-]{0,6}".prop_map(KeyPart::Raw),
        ],
        prop::collection::vec(any::<bool>(), 9),
    )
        .prop_map(|(modifiers, key, key_case)| KeyString {
            modifiers,
            key,
            key_case,
        })
}

/// What holds for any key string: a chord whose canonical form reads back
/// as itself, or an error that quotes what it is about.
fn check_key(input: &str) -> Result<Option<KeyChord>, TestCaseError> {
    match KeyChord::parse(input) {
        Ok(chord) => {
            let shown = chord.to_string();
            prop_assert!(!shown.is_empty());
            let again = KeyChord::parse(&shown);
            prop_assert_eq!(
                again.as_ref(),
                Ok(&chord),
                "{:?} shows as {:?}, which does not read back",
                input,
                shown
            );
            prop_assert_eq!(again.unwrap().to_string(), shown);
            Ok(Some(chord))
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(!message.trim().is_empty());
            match &e {
                KeyError::Empty => prop_assert!(input.is_empty()),
                KeyError::NoKey(i) => prop_assert_eq!(i, input),
                KeyError::UnknownName(name) => {
                    prop_assert!(!name.is_empty() && input.ends_with(name.as_str()));
                    prop_assert!(message.contains(name.as_str()), "{}", message);
                }
                KeyError::UnknownModifier { modifier, input: i }
                | KeyError::RepeatedModifier { modifier, input: i } => {
                    prop_assert_eq!(i, input);
                    prop_assert!(
                        input
                            .to_ascii_lowercase()
                            .contains(&modifier.to_ascii_lowercase()),
                        "{}",
                        message
                    );
                    prop_assert!(message.contains(input), "{}", message);
                }
                KeyError::ShiftedSymbol { input: i, key } => {
                    prop_assert_eq!(i, input);
                    // The key as written: the character, or "space".
                    prop_assert!(
                        input.ends_with(*key)
                            || (*key == ' ' && input.to_ascii_lowercase().ends_with("space")),
                        "{}",
                        message
                    );
                }
            }
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_key_string_is_a_chord_that_reads_back_or_a_clear_error(input in "(?s).{0,12}") {
        check_key(&input)?;
    }

    #[test]
    fn key_strings_of_modifiers_and_names_ignore_the_case_of_words(key in key_string()) {
        let plain = key.render(false);
        let recased = key.render(true);
        let a = check_key(&plain)?;
        let b = check_key(&recased)?;
        prop_assert_eq!(a, b, "{:?} and {:?} differ", plain, recased);
    }
}

// ---------------------------------------------------------------------------
// Keymap files.

/// A key string as a TOML basic string, escaped so any text is one key.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn action_names() -> Vec<String> {
    let mut names: Vec<String> = Action::ALL.iter().map(|a| a.name().to_owned()).collect();
    names.extend(["none", "opne", "", "Down", "quit "].map(str::to_owned));
    names
}

fn toml_value() -> impl Strategy<Value = String> {
    let name = prop::sample::select(action_names());
    prop_oneof![
        4 => name.clone().prop_map(|n| toml_string(&n)),
        2 => (name.clone(), "[ a-zA-Z]{0,12}")
            .prop_map(|(n, d)| format!("{{ action = {}, desc = {} }}", toml_string(&n), toml_string(&d))),
        1 => name.clone().prop_map(|n| format!("{{ desc = {} }}", toml_string(&n))),
        1 => name.prop_map(|n| format!("{{ action = {}, colour = 1 }}", toml_string(&n))),
        1 => prop::sample::select(vec![
            "1", "true", "[1, 2]", "{ action = 3 }", "{}", "\"down", "down", "{ action = \"up\"",
            "2026-11-23", "'down'", "\"\"\"down\"\"\"",
        ]).prop_map(str::to_owned),
    ]
}

fn toml_line() -> impl Strategy<Value = String> {
    let section = prop::sample::select(vec![
        "global", "list", "detail", "form", "popup", "nosuch", "list.sub", "", "\"list\"",
    ]);
    let key = prop_oneof![
        key_string().prop_map(|k| toml_string(&k.render(true))),
        "[a-z0-9_-]{1,6}",
        "(?s).{0,6}".prop_map(|k| toml_string(&k)),
    ];
    prop_oneof![
        2 => section.clone().prop_map(|s| format!("[{s}]")),
        1 => section.prop_map(|s| format!("[[{s}]]")),
        6 => (key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => "#[^\n]{0,20}",
        1 => Just(String::new()),
        1 => "[^\n]{0,20}",
    ]
}

fn toml_ish() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(toml_line(), 0..30).prop_map(|lines| lines.join("\n")),
        1 => "(?s).{0,300}",
    ]
}

/// What holds for any keymap file: every error names the file, a line
/// within it and (for an entry) the key; every binding read is one whose
/// key parses, and it is what the merged keymap does there.
fn check_keymap(name: &str, text: &str) -> Result<(), TestCaseError> {
    let (file, errors) = KeymapFile::parse_partial(name, text);
    let lines = text.matches('\n').count() + 1;
    for e in &errors {
        let shown = e.to_string();
        prop_assert_eq!(&e.file, name);
        let Some(line) = e.line else {
            return Err(TestCaseError::fail(format!("no line: {shown}")));
        };
        prop_assert!((1..=lines).contains(&line), "{}", shown);
        let mut prefix = format!("{name}:{line}: ");
        if let Some(key) = &e.key {
            prefix.push_str(&format!("{key:?}: "));
        }
        prop_assert!(shown.starts_with(&prefix), "{}", shown);
        prop_assert!(shown.len() > prefix.len() + 10, "{}", shown);
    }
    let mut keymap = Keymap::builtin();
    keymap.merge(&file);
    for b in file.bindings() {
        prop_assert!((1..=lines).contains(&b.line), "{:?}", b);
        prop_assert_eq!(KeyChord::parse(&b.key), Ok(b.chord));
        prop_assert_eq!(keymap.action_for(b.context, b.chord), b.action, "{:?}", b);
    }
    // All or nothing agrees with the partial reading.
    match KeymapFile::parse(name, text) {
        Ok(whole) => {
            prop_assert!(errors.is_empty());
            prop_assert_eq!(whole, file);
        }
        Err(all) => prop_assert_eq!(all, errors),
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_keymap_text_is_read_with_each_error_at_its_line(text in toml_ish()) {
        check_keymap("keymap.toml", &text)?;
    }

    #[test]
    fn each_key_string_in_a_keymap_is_a_binding_or_one_error_on_its_line(
        keys in prop::collection::hash_set(
            prop_oneof![
                key_string().prop_map(|k| k.render(true)),
                "(?s).{0,8}",
            ],
            1..40,
        )
    ) {
        let keys: Vec<String> = keys.into_iter().collect();
        let mut text = String::from("[list]\n");
        for key in &keys {
            text.push_str(&format!("{} = \"down\"\n", toml_string(key)));
        }
        let (file, errors) = KeymapFile::parse_partial("keymap.toml", &text);
        prop_assert_eq!(file.bindings().len() + errors.len(), keys.len(), "{:?}", errors);
        let mut seen: HashMap<KeyChord, &str> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            let line = i + 2;
            let bound = file.bindings().iter().find(|b| b.line == line);
            let failed: Vec<_> = errors.iter().filter(|e| e.line == Some(line)).collect();
            match (bound, failed.as_slice()) {
                (Some(b), []) => {
                    prop_assert_eq!(&b.key, key);
                    prop_assert_eq!(b.context, Context::List);
                    prop_assert_eq!(b.action, Some(Action::Down));
                    prop_assert!(seen.insert(b.chord, key).is_none());
                }
                (None, [e]) => {
                    prop_assert_eq!(e.key.as_deref(), Some(key.as_str()));
                    let why = match &e.problem {
                        Problem::BadKey(_) => KeyChord::parse(key).is_err(),
                        Problem::AlwaysOn { .. } => KeyChord::parse(key).is_ok(),
                        Problem::DuplicateKey { other_key, other_line } => {
                            KeyChord::parse(key) == KeyChord::parse(other_key)
                                && *other_line < line
                        }
                        _ => false,
                    };
                    prop_assert!(why, "{}", e);
                }
                _ => {
                    return Err(TestCaseError::fail(format!(
                        "line {line} ({key:?}): {bound:?} and {failed:?}"
                    )));
                }
            }
        }
    }

    #[test]
    fn a_user_keymap_file_of_any_bytes_is_loaded_or_reported(
        bytes in prop_oneof![
            toml_ish().prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..300),
        ]
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.toml");
        std::fs::write(&path, &bytes).unwrap();
        let (keymap, errors) = Keymap::with_user_file(&path);
        let name = path.display().to_string();
        match std::str::from_utf8(&bytes) {
            Ok(text) => {
                check_keymap(&name, text)?;
                let (_, direct) = KeymapFile::parse_partial(&name, text);
                prop_assert_eq!(errors, direct);
            }
            Err(_) => {
                prop_assert_eq!(errors.len(), 1);
                prop_assert_eq!(
                    errors[0].to_string(),
                    format!("{name}: cannot read the file: it is not UTF-8 text")
                );
                prop_assert_eq!(keymap, Keymap::builtin());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Oversight bundles.

/// Two real bundles of a small case file (a full one and one filtered to
/// the administrator's events), the key that verifies them, and a
/// checkpoint signed before their last events, as oversight would hold;
/// and the case file's signing key, which an insider holding the case
/// file has, to sign whatever they change.
struct Bundles {
    key: String,
    signing: ed25519_dalek::SigningKey,
    held: String,
    full: BTreeMap<String, Vec<u8>>,
    filtered: BTreeMap<String, Vec<u8>>,
}

fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (mut cf, casefile) = common::new_casefile(dir.path());
        let head = common::login(&mut cf, common::HEAD, common::HEAD_PASSWORD);
        let export = |cf: &mut ccu::store::CaseFile, name: &str, user: Option<&str>| {
            let out = dir.path().join(name);
            cf.execute(
                &head,
                Command::ExportAudit(ExportRequest {
                    out: out.clone(),
                    from: None,
                    to: None,
                    operation: None,
                    user: user.map(common::username),
                }),
            )
            .unwrap();
            let mut files = BTreeMap::new();
            for entry in std::fs::read_dir(&out).unwrap() {
                let entry = entry.unwrap();
                let name = entry.file_name().into_string().unwrap();
                files.insert(name, std::fs::read(entry.path()).unwrap());
            }
            files
        };
        let early = export(&mut cf, "early", None);
        let held = String::from_utf8(early[bundle::CHECKPOINT].clone()).unwrap();
        common::login(&mut cf, common::ADMIN, common::ADMIN_PASSWORD);
        common::login(&mut cf, common::ADMIN, common::ADMIN_PASSWORD);
        let full = export(&mut cf, "full", None);
        let filtered = export(&mut cf, "filtered", Some(common::ADMIN));
        assert!(filtered.contains_key(bundle::PROOFS));
        let (key, _) = cf.verifier_key().unwrap();
        drop(cf);
        let seed: String = common::raw_conn(&casefile)
            .query_row("SELECT secret_key FROM signing_key", [], |r| r.get(0))
            .unwrap();
        let seed: [u8; 32] = hex::decode(seed).unwrap().try_into().unwrap();
        let bundles = Bundles {
            key,
            signing: ed25519_dalek::SigningKey::from_bytes(&seed),
            held,
            full,
            filtered,
        };
        for files in [&bundles.full, &bundles.filtered] {
            let dir = tempfile::tempdir().unwrap();
            write_bundle(dir.path(), files);
            bundle::verify(dir.path(), &bundles.key, Some(bundles.held.as_str()))
                .expect("the bundles as made verify");
        }
        bundles
    })
}

fn write_bundle(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

#[derive(Debug, Clone)]
enum Change {
    Flip(Index, u8),
    Truncate(Index),
    Extend(Vec<u8>),
    Insert(Index, Vec<u8>),
    Replace(Vec<u8>),
    Remove,
    Pipe,
    Device,
    /// One field of one JSON line (of the manifest, for manifest.json)
    /// set to a value.
    Field(Index, Index, serde_json::Value),
    /// The seq of one entry and of its proof set to the same value (the
    /// file it is applied to is not looked at).
    SeqOfEntryAndProof(Index, serde_json::Value),
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        prop::sample::select(vec![
            json!(0),
            json!(-1),
            json!(1),
            json!(2),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(u64::MAX),
            json!(1.5),
            Value::Null,
            json!(""),
            json!([]),
            json!({}),
            json!(["00"]),
        ]),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-f0-9]{0,64}".prop_map(|s| json!(s)),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..64),
        prop::sample::select(vec![
            b"\n".to_vec(),
            b"\r".to_vec(),
            b"\n\n".to_vec(),
            b"{}\n".to_vec(),
            b"\xff".to_vec(),
            b"\"seq\":1,".to_vec(),
        ]),
    ];
    prop_oneof![
        4 => (any::<Index>(), 1..=255u8).prop_map(|(i, x)| Change::Flip(i, x)),
        2 => any::<Index>().prop_map(Change::Truncate),
        2 => bytes.clone().prop_map(Change::Extend),
        2 => (any::<Index>(), bytes.clone()).prop_map(|(i, b)| Change::Insert(i, b)),
        1 => prop::collection::vec(any::<u8>(), 0..128).prop_map(Change::Replace),
        1 => Just(Change::Remove),
        1 => Just(Change::Pipe),
        1 => Just(Change::Device),
        3 => (any::<Index>(), any::<Index>(), json_value())
            .prop_map(|(line, field, v)| Change::Field(line, field, v)),
    ]
}

/// Sets `field` (a key of the object, by index, or a name) of JSON line
/// `line` of `path` (of the whole file, if it is not JSON lines) to
/// `value`; false if there is no such object.
fn edit_json(
    path: &Path,
    line: &Index,
    field: Result<&Index, &str>,
    value: &serde_json::Value,
) -> bool {
    if !is_file(path) {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let lines_of_json = path.extension().is_some_and(|e| e == "jsonl");
    let mut lines: Vec<String> = if lines_of_json {
        text.lines().map(str::to_owned).collect()
    } else {
        vec![text.clone()]
    };
    if lines.is_empty() {
        return false;
    }
    let at = line.index(lines.len());
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str(&lines[at]) else {
        return false;
    };
    let key = match field {
        Ok(i) if !object.is_empty() => object.keys().nth(i.index(object.len())).unwrap().clone(),
        Ok(_) => return false,
        Err(name) => name.to_owned(),
    };
    object.insert(key, value.clone());
    lines[at] = serde_json::to_string(&object).unwrap();
    let mut new = lines.join("\n");
    if lines_of_json {
        new.push('\n');
    }
    std::fs::write(path, &new).unwrap();
    new != text
}

/// Applies `change` to the file `name` in `dir`; false if it left the file
/// as it was.
fn apply(dir: &Path, name: &str, change: &Change) -> bool {
    let path = dir.join(name);
    if !is_file(&path) {
        // Already removed or replaced by an earlier change.
        return false;
    }
    let before = std::fs::read(&path).unwrap();
    let mut bytes = before.clone();
    match change {
        Change::Flip(i, x) if !bytes.is_empty() => {
            let i = i.index(bytes.len());
            bytes[i] ^= x;
        }
        Change::Flip(..) => return false,
        Change::Truncate(i) if !bytes.is_empty() => bytes.truncate(i.index(bytes.len())),
        Change::Truncate(_) => return false,
        Change::Extend(more) => bytes.extend_from_slice(more),
        Change::Insert(i, more) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, more.iter().copied());
        }
        Change::Replace(new) => bytes = new.clone(),
        Change::Remove => {
            std::fs::remove_file(&path).unwrap();
            return true;
        }
        Change::Pipe => {
            std::fs::remove_file(&path).unwrap();
            let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
            // SAFETY: mkfifo reads a NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            return true;
        }
        Change::Device => {
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
            return true;
        }
        Change::Field(line, field, value) => return edit_json(&path, line, Ok(field), value),
        Change::SeqOfEntryAndProof(line, value) => {
            let entry = edit_json(&dir.join(bundle::ENTRIES), line, Err("seq"), value);
            let proof = edit_json(&dir.join(bundle::PROOFS), line, Err("seq"), value);
            return entry || proof;
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    bytes != before
}

fn is_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// The files of `files` that are not as they were in `dir`.
fn changed_files(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    files
        .iter()
        .filter(|(name, bytes)| {
            let path = dir.join(name);
            !is_file(&path) || std::fs::read(&path).unwrap() != **bytes
        })
        .map(|(name, _)| name.clone())
        .collect()
}

fn bundle_file(filtered: bool) -> impl Strategy<Value = String> {
    let names: Vec<String> = if filtered {
        bundles().filtered.keys().cloned().collect()
    } else {
        bundles().full.keys().cloned().collect()
    };
    prop::sample::select(names)
}

proptest! {
    #![proptest_config(config())]

    /// Every file but the manifest's signature is hashed in the signed
    /// manifest, so any change to one is caught, and named.
    #[test]
    fn a_bundle_with_one_file_changed_fails_naming_that_file(
        (filtered, name) in any::<bool>().prop_flat_map(|f| (Just(f), bundle_file(f))),
        change in change(),
    ) {
        let b = bundles();
        let dir = tempfile::tempdir().unwrap();
        write_bundle(dir.path(), if filtered { &b.filtered } else { &b.full });
        prop_assume!(apply(dir.path(), &name, &change));
        match bundle::verify(dir.path(), &b.key, Some(b.held.as_str())) {
            Ok(verified) => prop_assert!(
                name == bundle::MANIFEST_SIGNATURE,
                "{} changed by {:?} and still verified: {}",
                name,
                change,
                verified
            ),
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(shown.contains(name.as_str()), "{} changed by {:?}: {}", name, change, shown);
            }
        }
    }

    #[test]
    fn a_bundle_with_any_changes_and_any_key_or_held_checkpoint_verifies_or_says_why(
        filtered in any::<bool>(),
        changes in prop::collection::vec(
            (
                any::<Index>(),
                prop_oneof![
                    6 => change(),
                    1 => (any::<Index>(), json_value())
                        .prop_map(|(line, v)| Change::SeqOfEntryAndProof(line, v)),
                ],
            ),
            0..4,
        ),
        key_change in prop::option::weighted(0.2, (any::<Index>(), "(?s).{0,3}")),
        held in prop_oneof![
            2 => Just(None),
            2 => Just(Some(Change::Extend(Vec::new()))),
            1 => change()
                .prop_filter("a change of bytes", |c| {
                    !matches!(c, Change::Remove | Change::Pipe | Change::Device)
                })
                .prop_map(Some),
        ],
    ) {
        let b = bundles();
        let files = if filtered { &b.filtered } else { &b.full };
        let dir = tempfile::tempdir().unwrap();
        write_bundle(dir.path(), files);
        let names: Vec<&String> = files.keys().collect();
        for (i, change) in &changes {
            apply(dir.path(), names[i.index(names.len())], change);
        }
        let changed = changed_files(dir.path(), files);
        // Only the signature may change and still verify (a line of
        // another signer's, a carriage return before a line's end).
        let hashed_changed = changed.iter().any(|n| n != bundle::MANIFEST_SIGNATURE);
        let mut key = b.key.clone();
        if let Some((i, text)) = &key_change {
            let mut at = i.index(key.len() + 1);
            while !key.is_char_boundary(at) {
                at -= 1;
            }
            key.replace_range(at..(at + 1).min(key.len()), text);
        }
        let held = held.map(|change| {
            let held_dir = tempfile::tempdir().unwrap();
            let path = held_dir.path().join("held.txt");
            std::fs::write(&path, &b.held).unwrap();
            apply(held_dir.path(), "held.txt", &change);
            std::fs::read(&path)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        });
        match bundle::verify(dir.path(), &key, held.as_deref()) {
            Ok(verified) => {
                prop_assert!(!hashed_changed, "{:?} changed and verified: {}", changed, verified);
                prop_assert!(verified.to_string().starts_with("ok: "));
            }
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(shown.len() > 10, "{}", shown);
                // A changed file is reported before the key is used on
                // anything but the signature, and before the held
                // checkpoint is looked at.
                if let [name] = changed.as_slice()
                    && key == b.key
                {
                    prop_assert!(shown.contains(name.as_str()), "{} changed: {}", name, shown);
                }
                if changed.is_empty() && key == b.key {
                    // Nothing but the held checkpoint can be wrong.
                    prop_assert!(shown.contains("earlier checkpoint"), "{}", shown);
                }
            }
        }
    }
}

/// What an insider holding the signing key can do after changing a
/// bundle: make the manifest list what the files now hold (their hashes
/// and, if `count`, the number of entries) and sign it again.
fn resign(dir: &Path, count: bool) {
    let signing = &bundles().signing;
    let path = dir.join(bundle::MANIFEST);
    if !is_file(&path) {
        return;
    }
    let bytes = std::fs::read(&path).unwrap();
    let mut origin = String::from("ccu/");
    if let Ok(serde_json::Value::Object(mut manifest)) = serde_json::from_slice(&bytes) {
        if let Some(serde_json::Value::Object(files)) = manifest.get_mut("files") {
            for (name, hash) in files.iter_mut() {
                let file = dir.join(name);
                if is_file(&file) {
                    *hash = serde_json::json!(bundle::sha256_hex(&std::fs::read(&file).unwrap()));
                }
            }
        }
        let entries = dir.join(bundle::ENTRIES);
        if count && is_file(&entries) {
            let lines = std::fs::read(&entries)
                .unwrap()
                .split(|b| *b == b'\n')
                .count()
                - 1;
            manifest.insert("entries".into(), serde_json::json!(lines));
        }
        if let Some(o) = manifest.get("origin").and_then(|o| o.as_str()) {
            origin = o.to_owned();
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let note =
        ccu::audit::checkpoint::sign_note(&bundle::manifest_note_body(&bytes), &origin, signing);
    let sig = dir.join(bundle::MANIFEST_SIGNATURE);
    if is_file(&sig) || !sig.exists() {
        std::fs::write(sig, note).unwrap();
    }
}

/// A checkpoint of the bundle's, changed and signed again.
fn resign_checkpoint(note: &str, size: Option<u64>, root: Option<[u8; 32]>) -> String {
    let b = bundles();
    let mut cp = ccu::audit::checkpoint::verify(note, &b.key).unwrap();
    if let Some(size) = size {
        cp.tree_size = size;
    }
    if let Some(root) = root {
        cp.root = root;
    }
    ccu::audit::checkpoint::sign(&cp, &b.signing)
}

/// Sets the seq of the first entry and of its inclusion proof.
fn set_first_seq(dir: &Path, seq: i64) {
    for name in [bundle::ENTRIES, bundle::PROOFS] {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        first["seq"] = serde_json::json!(seq);
        lines[0] = serde_json::to_string(&first).unwrap();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }
}

#[test]
fn an_entry_and_its_proof_of_seq_zero_are_refused_as_outside_the_checkpoint() {
    let b = bundles();
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path(), &b.filtered);
    set_first_seq(dir.path(), 0);
    resign(dir.path(), false);
    let e = bundle::verify(dir.path(), &b.key, None).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("entry seq 0: outside the checkpoint, which covers seq 1 to "),
        "{e}"
    );
}

#[test]
fn an_entry_of_the_lowest_seq_is_refused_as_outside_the_checkpoint() {
    let b = bundles();
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path(), &b.full);
    let path = dir.path().join(bundle::ENTRIES);
    let text = std::fs::read_to_string(&path).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let mut first: serde_json::Value = serde_json::from_str(first).unwrap();
    first["seq"] = serde_json::json!(i64::MIN);
    std::fs::write(&path, format!("{first}\n{rest}")).unwrap();
    // As changed: the file differs from the manifest.
    let e = bundle::verify(dir.path(), &b.key, None).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("entries.jsonl: its SHA-256 differs from the manifest"),
        "{e}"
    );
    // And with the manifest signed again over it.
    resign(dir.path(), false);
    let e = bundle::verify(dir.path(), &b.key, None).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "entry seq -9223372036854775808: outside the checkpoint, which covers seq 1 to "
        ),
        "{e}"
    );
}

#[test]
fn a_negative_seq_is_reported_as_written() {
    let b = bundles();
    for files in [&b.full, &b.filtered] {
        let dir = tempfile::tempdir().unwrap();
        write_bundle(dir.path(), files);
        if files.contains_key(bundle::PROOFS) {
            set_first_seq(dir.path(), -1);
        } else {
            let path = dir.path().join(bundle::ENTRIES);
            let text = std::fs::read_to_string(&path).unwrap();
            let (first, rest) = text.split_once('\n').unwrap();
            let mut first: serde_json::Value = serde_json::from_str(first).unwrap();
            first["seq"] = serde_json::json!(-1);
            std::fs::write(&path, format!("{first}\n{rest}")).unwrap();
        }
        resign(dir.path(), false);
        let e = bundle::verify(dir.path(), &b.key, None).unwrap_err();
        assert!(e.to_string().starts_with("entry seq -1: "), "{e}");
    }
}

#[test]
fn a_consistency_proof_that_is_not_hashes_is_not_blamed_on_an_entry() {
    let b = bundles();
    let dir = tempfile::tempdir().unwrap();
    write_bundle(dir.path(), &b.filtered);
    let held = ccu::audit::checkpoint::verify(&b.held, &b.key).unwrap();
    std::fs::write(
        dir.path().join(bundle::CONSISTENCY),
        format!(
            "{{\"old_size\":{},\"proof\":[\"not a hash\"]}}\n",
            held.tree_size
        ),
    )
    .unwrap();
    resign(dir.path(), false);
    let e = bundle::verify(dir.path(), &b.key, Some(&b.held)).unwrap_err();
    assert_eq!(e.seq, None, "{e}");
    assert_eq!(
        e.to_string(),
        "the consistency proof holds a value that is not a 32-byte hex hash"
    );
}

fn tree_size() -> impl Strategy<Value = u64> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            2,
            3,
            7,
            8,
            9,
            1 << 32,
            i64::MAX as u64,
            u64::MAX
        ]),
        any::<u64>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// An insider holding the signing key can make a bundle say anything
    /// and sign it; verifying it still ends in a verdict, never a panic.
    #[test]
    fn a_bundle_changed_and_signed_again_verifies_or_says_why(
        filtered in any::<bool>(),
        changes in prop::collection::vec(
            (
                any::<Index>(),
                prop_oneof![
                    4 => change(),
                    // Seqs near and outside the checkpoint's 1 to N.
                    2 => (any::<Index>(), -3i64..=12)
                        .prop_map(|(line, seq)| {
                            Change::SeqOfEntryAndProof(line, serde_json::json!(seq))
                        }),
                ],
            ),
            0..4,
        ),
        count in any::<bool>(),
        checkpoint in prop::option::weighted(
            0.5,
            (prop::option::of(tree_size()), prop::option::of(any::<[u8; 32]>())),
        ),
        held in prop::option::weighted(
            0.5,
            (prop::option::of(tree_size()), prop::option::of(any::<[u8; 32]>())),
        ),
    ) {
        let b = bundles();
        let files = if filtered { &b.filtered } else { &b.full };
        let dir = tempfile::tempdir().unwrap();
        write_bundle(dir.path(), files);
        let names: Vec<&String> = files.keys().collect();
        for (i, change) in &changes {
            apply(dir.path(), names[i.index(names.len())], change);
        }
        if let Some((size, root)) = checkpoint {
            let path = dir.path().join(bundle::CHECKPOINT);
            if is_file(&path) {
                let note = String::from_utf8(files[bundle::CHECKPOINT].clone()).unwrap();
                std::fs::write(&path, resign_checkpoint(&note, size, root)).unwrap();
            }
        }
        resign(dir.path(), count);
        let held = match held {
            Some((size, root)) => resign_checkpoint(&b.held, size, root),
            None => b.held.clone(),
        };
        match bundle::verify(dir.path(), &b.key, Some(&held)) {
            Ok(verified) => prop_assert!(verified.to_string().starts_with("ok: ")),
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(shown.len() > 10, "{}", shown);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Search: whatever is typed is searched or refused as bad input, and never
// reaches FTS5 as syntax it fails on.

/// One case file with a little in it, searched by every case.
fn search_unit() -> &'static std::sync::Mutex<common::Unit> {
    static UNIT: OnceLock<std::sync::Mutex<common::Unit>> = OnceLock::new();
    UNIT.get_or_init(|| {
        let mut u = common::Unit::staffed(&[("lead", "investigator")]);
        let lead = u.actor("lead");
        use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType};
        let item = NewIntelligence::new(
            chrono::Utc::now(),
            SourceType::PartnerAgency,
            false,
            None,
            Grading::parse("2BP", "").unwrap(),
            Category::AbuseOfAuthority,
            true,
            Vec::new(),
            "An ex-partner's report on PC O'Brien (INT \"quoted\")",
            "She says NOT to AND OR contact* her: col:umn ^start",
        )
        .unwrap();
        u.cf.execute(&lead, Command::RecordIntelligence(item))
            .unwrap();
        std::sync::Mutex::new(u)
    })
}

/// Text built from the characters FTS5 gives meaning to, and words.
fn search_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\"".to_owned()),
            Just("*".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just(":".to_owned()),
            Just("^".to_owned()),
            Just("-".to_owned()),
            Just("'".to_owned()),
            Just("+".to_owned()),
            Just("NOT".to_owned()),
            Just("OR".to_owned()),
            Just("AND".to_owned()),
            Just("NEAR".to_owned()),
            Just(" ".to_owned()),
            "[a-z0-9]{1,6}",
            "(?s).{0,3}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_search_text_is_searched_or_refused_as_bad_input(text in search_text()) {
        let mut guard = search_unit().lock().unwrap();
        let u = &mut *guard;
        let lead = u.actor("lead");
        match u.cf.search(&lead, &text, 5) {
            Ok(_) => {}
            // Only nothing to search for is bad input: never the text as syntax.
            Err(ccu::store::Error::Invalid(e)) => prop_assert!(
                e.field == "search"
                    && (e.message == "type something to search for"
                        || e.message.ends_with("has no letters or digits to search for")),
                "{:?}: {}", text, e
            ),
            Err(e) => prop_assert!(false, "{:?} reached the database as an error: {}", text, e),
        }
    }
}
