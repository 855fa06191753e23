//! Intelligence from a CSV file (ICT-monitoring alerts and the like): every
//! row is read and checked against the domain rules before anything is
//! recorded. Pure: the bytes of the file in, checked items and the list of
//! what is wrong out. The column reference is docs/import-intel.md.

use std::collections::HashMap;
use std::fmt;

use crate::domain::InvalidInput;
use crate::domain::intelligence::{
    Assessment, Category, Grading, Handling, NewIntelligence, SourceEvaluation, SourceType,
};
use crate::domain::subject::StaffNumber;
use crate::domain::{text, time};

/// The longest value one field may hold, in characters. A longer value makes
/// its row invalid; the rest of the file is still read.
pub const MAX_FIELD_CHARS: usize = 100_000;

/// A row that passed every check, with the line of the file it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub item: NewIntelligence,
}

/// One problem in one row: the line the row starts on, the column (its name
/// as documented, in lower case) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.reason
        )
    }
}

impl std::error::Error for RowError {}

/// A readable file: each data row is either in `rows` (good) or has one or
/// more entries in `errors` (the first problem in each bad column), never
/// both. Both lists are in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedFile {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<RowError>,
}

impl ParsedFile {
    /// The number of distinct lines that have at least one error.
    pub fn invalid_row_count(&self) -> usize {
        let mut lines: Vec<u64> = self.errors.iter().map(|e| e.line).collect();
        lines.dedup();
        lines.len()
    }
}

/// The file as a whole cannot be read, so none of it is checked further.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(
        "the file is empty: it needs a header line naming the columns, then one line per intelligence item (the columns are {})",
        Column::names()
    )]
    Empty,
    #[error(
        "the file has a header (line {header_line}) but no rows: add one row per intelligence item below the header"
    )]
    NoRows { header_line: u64 },
    #[error(
        "line {line} is not UTF-8 text: save the file as CSV UTF-8 (in Excel, \"CSV UTF-8 (Comma delimited)\") and import it again"
    )]
    NotUtf8 { line: u64 },
    #[error(
        "line {line}: a quoted value starts on this line but its closing double quote is missing, so the rest of the file would be read into it: add the closing quote (a double quote inside a quoted value is written twice, \"\")"
    )]
    UnterminatedQuote { line: u64 },
    #[error(
        "the header (line {line}) is separated by '{separator}', not by commas: save the file as CSV UTF-8 (comma-separated) and import it again"
    )]
    WrongSeparator { line: u64, separator: char },
    #[error(
        "the header (line {line}) has a column with no name (column {position}): name it or delete it (a comma at the end of the header adds such a column)"
    )]
    BlankColumnName { line: u64, position: usize },
    #[error(
        "the header (line {line}) names the column {name} twice (columns {first} and {second}): keep one of them"
    )]
    DuplicateColumn {
        line: u64,
        name: String,
        first: usize,
        second: usize,
    },
    #[error(
        "the header (line {line}) has {} {}: the known columns are {}; rename or remove {}",
        if .names.len() == 1 { "an unknown column" } else { "unknown columns" },
        quoted_list(.names),
        Column::names(),
        if .names.len() == 1 { "it" } else { "them" }
    )]
    UnknownColumns { line: u64, names: Vec<String> },
    #[error(
        "the header (line {line}) lacks the required {} {}: add {} (the required columns are {})",
        if .names.len() == 1 { "column" } else { "columns" },
        .names.join(", "),
        if .names.len() == 1 { "it" } else { "them" },
        Column::required_names()
    )]
    MissingColumns { line: u64, names: Vec<String> },
    #[error(
        "line {line} has {found} fields but the header has {expected}: check for a missing or extra comma, and put double quotes around any value that contains a comma, a double quote or a line break"
    )]
    WrongFieldCount {
        line: u64,
        expected: u64,
        found: u64,
    },
    #[error("{}", malformed_message(.line, .detail))]
    Malformed { line: Option<u64>, detail: String },
}

fn malformed_message(line: &Option<u64>, detail: &str) -> String {
    let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
    format!(
        "{at}the file cannot be read as comma-separated CSV ({detail}): export it again as CSV UTF-8"
    )
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// User text quoted back in a message, cut short if it is long.
fn shown(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(MAX).collect();
        cut.push('…');
        cut
    }
}

/// The columns of an intelligence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    SourceReference,
    ReceivedAt,
    SourceType,
    Anonymous,
    Grading,
    HandlingConditions,
    Category,
    Apsp,
    StaffNumbers,
    Summary,
    FullText,
    SourcePerson,
}

impl Column {
    const ALL: [Column; 12] = [
        Column::SourceReference,
        Column::ReceivedAt,
        Column::SourceType,
        Column::Anonymous,
        Column::Grading,
        Column::HandlingConditions,
        Column::Category,
        Column::Apsp,
        Column::StaffNumbers,
        Column::Summary,
        Column::FullText,
        Column::SourcePerson,
    ];

    fn name(self) -> &'static str {
        match self {
            Column::SourceReference => "source_reference",
            Column::ReceivedAt => "received_at",
            Column::SourceType => "source_type",
            Column::Anonymous => "anonymous",
            Column::Grading => "grading",
            Column::HandlingConditions => "handling_conditions",
            Column::Category => "category",
            Column::Apsp => "apsp",
            Column::StaffNumbers => "staff_numbers",
            Column::Summary => "summary",
            Column::FullText => "full_text",
            Column::SourcePerson => "source_person",
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            Column::SourceReference
                | Column::ReceivedAt
                | Column::SourceType
                | Column::Grading
                | Column::Category
                | Column::Summary
        )
    }

    /// The column a header names: case ignored, surrounding spaces ignored.
    fn from_name(name: &str) -> Option<Column> {
        let name = name.trim().to_lowercase();
        Column::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The column a domain field's value comes from.
    fn for_field(field: &str) -> Option<Column> {
        Some(match field {
            "source reference" => Column::SourceReference,
            "received at" => Column::ReceivedAt,
            "source type" => Column::SourceType,
            "anonymous" => Column::Anonymous,
            "grading" => Column::Grading,
            "handling conditions" => Column::HandlingConditions,
            "category" => Column::Category,
            "apsp" => Column::Apsp,
            "staff number" => Column::StaffNumbers,
            "summary" => Column::Summary,
            "full text" => Column::FullText,
            "source person" => Column::SourcePerson,
            _ => return None,
        })
    }

    fn names() -> String {
        Column::ALL.map(Column::name).join(", ")
    }

    fn required_names() -> String {
        Column::ALL
            .into_iter()
            .filter(|c| c.required())
            .map(Column::name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Where each column sits in the file, by field index.
struct Columns {
    index: [Option<usize>; Column::ALL.len()],
}

impl Columns {
    fn from_header(header: &csv::StringRecord, line: u64) -> Result<Columns, FileError> {
        if let [only] = header.iter().collect::<Vec<_>>()[..] {
            for separator in [';', '\t', '|'] {
                if only
                    .split(separator)
                    .any(|name| Column::from_name(name).is_some())
                {
                    return Err(FileError::WrongSeparator { line, separator });
                }
            }
        }
        let mut index = [None; Column::ALL.len()];
        let mut unknown = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            if raw.trim().is_empty() {
                return Err(FileError::BlankColumnName {
                    line,
                    position: i + 1,
                });
            }
            match Column::from_name(raw) {
                Some(c) => match index[c as usize] {
                    Some(first) => {
                        return Err(FileError::DuplicateColumn {
                            line,
                            name: c.name().to_owned(),
                            first: first + 1,
                            second: i + 1,
                        });
                    }
                    None => index[c as usize] = Some(i),
                },
                None => unknown.push(shown(raw.trim())),
            }
        }
        if !unknown.is_empty() {
            return Err(FileError::UnknownColumns {
                line,
                names: unknown,
            });
        }
        let missing: Vec<String> = Column::ALL
            .into_iter()
            .filter(|c| c.required() && index[*c as usize].is_none())
            .map(|c| c.name().to_owned())
            .collect();
        if !missing.is_empty() {
            return Err(FileError::MissingColumns {
                line,
                names: missing,
            });
        }
        Ok(Columns { index })
    }

    /// Where a column sits, for ordering a row's errors as the file does.
    fn position(&self, column: &str) -> usize {
        Column::from_name(column)
            .and_then(|c| self.index[c as usize])
            .unwrap_or(usize::MAX)
    }
}

/// Line numbers from byte offsets. The csv crate's own line count is off by
/// one for CRLF files and ignores skipped blank lines, so lines are counted
/// here from the byte where each record starts.
struct Lines<'a> {
    bytes: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Lines { bytes, newlines }
    }

    /// The line (from 1) holding the byte at `offset`.
    fn at(&self, offset: usize) -> u64 {
        self.newlines.partition_point(|&n| n < offset) as u64 + 1
    }

    /// The line a record starts on, given the offset csv reports for it
    /// (which may still point at the previous line's end or at blank lines).
    fn record_start(&self, offset: u64) -> u64 {
        let mut i = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while i < self.bytes.len() && matches!(self.bytes[i], b'\r' | b'\n') {
            i += 1;
        }
        self.at(i)
    }

    fn of_position(&self, position: Option<&csv::Position>) -> u64 {
        self.record_start(position.map_or(0, csv::Position::byte))
    }
}

/// The offset of a double quote that opens a value and is never closed, read
/// as the csv crate reads (a quote opens a value only at its start; `""`
/// inside is one quote), which otherwise accepts it silently at the end.
fn unterminated_quote(bytes: &[u8]) -> Option<usize> {
    enum State {
        FieldStart,
        Unquoted,
        Quoted(usize),
        QuoteInQuoted(usize),
    }
    let mut state = State::FieldStart;
    for (i, &b) in bytes.iter().enumerate() {
        state = match (state, b) {
            (State::FieldStart, b'"') => State::Quoted(i),
            (State::FieldStart | State::Unquoted, b',' | b'\n' | b'\r') => State::FieldStart,
            (State::FieldStart | State::Unquoted, _) => State::Unquoted,
            (State::Quoted(open), b'"') => State::QuoteInQuoted(open),
            (State::Quoted(open), _) => State::Quoted(open),
            (State::QuoteInQuoted(open), b'"') => State::Quoted(open),
            (State::QuoteInQuoted(_), b',' | b'\n' | b'\r') => State::FieldStart,
            (State::QuoteInQuoted(_), _) => State::Unquoted,
        };
    }
    match state {
        State::Quoted(open) => Some(open),
        _ => None,
    }
}

fn csv_error(error: &csv::Error, lines: &Lines) -> FileError {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => FileError::WrongFieldCount {
            line: lines.of_position(pos.as_ref()),
            expected: *expected_len,
            found: *len,
        },
        _ => FileError::Malformed {
            line: error.position().map(|p| lines.record_start(p.byte())),
            detail: error.to_string(),
        },
    }
}

/// Reads and checks a whole intelligence CSV file.
///
/// `Err` when the file as a whole cannot be read (see [`FileError`]);
/// otherwise every data row is either a checked [`ImportRow`] or has its
/// problems listed in [`ParsedFile::errors`]. Rows whose fields are all blank
/// are skipped like blank lines. A UTF-8 byte-order mark is skipped.
pub fn parse_intel_csv(bytes: &[u8]) -> Result<ParsedFile, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    let lines = Lines::new(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(FileError::NotUtf8 {
            line: lines.at(e.valid_up_to()),
        });
    }
    if let Some(open) = unterminated_quote(bytes) {
        return Err(FileError::UnterminatedQuote {
            line: lines.at(open),
        });
    }

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header = reader.headers().map_err(|e| csv_error(&e, &lines))?.clone();
    let header_line = lines.of_position(header.position());
    let columns = Columns::from_header(&header, header_line)?;

    let mut parsed = ParsedFile::default();
    let mut references: HashMap<String, u64> = HashMap::new();
    let mut any_row = false;
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(&e, &lines))?
    {
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        any_row = true;
        let line = lines.of_position(record.position());
        match check_row(&record, &columns, line, &mut references) {
            Ok(item) => parsed.rows.push(ImportRow { line, item }),
            Err(problems) => parsed
                .errors
                .extend(problems.into_iter().map(|(column, reason)| RowError {
                    line,
                    column,
                    reason,
                })),
        }
    }
    if !any_row {
        return Err(FileError::NoRows { header_line });
    }
    Ok(parsed)
}

/// The problems of one row: the first per column.
#[derive(Default)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn add(&mut self, column: &str, reason: impl Into<String>) {
        if !self.has(column) {
            self.0.push((column.to_owned(), reason.into()));
        }
    }

    fn has(&self, column: &str) -> bool {
        self.0.iter().any(|(c, _)| c == column)
    }

    /// Records a domain error against the column its field comes from (a
    /// field the file has no column for is named as the field itself).
    fn invalid(&mut self, e: InvalidInput) {
        match Column::for_field(e.field) {
            Some(c) => self.add(c.name(), e.message),
            None => self.add(&e.field.replace(' ', "_"), e.message),
        }
    }

    fn take<T>(&mut self, result: Result<T, InvalidInput>) -> Option<T> {
        result.map_err(|e| self.invalid(e)).ok()
    }
}

/// Checks one row: every column on its own, then the rules that join
/// columns (through [`NewIntelligence::new`]), so a row with several
/// problems has them all listed at once.
fn check_row(
    record: &csv::StringRecord,
    columns: &Columns,
    line: u64,
    references: &mut HashMap<String, u64>,
) -> Result<NewIntelligence, Vec<(String, String)>> {
    let mut problems = Problems::default();

    // Every value within the size limit; an oversized one is not read
    // further (it counts as blank, and its column already has its problem).
    let mut values = [""; Column::ALL.len()];
    for c in Column::ALL {
        let Some(i) = columns.index[c as usize] else {
            continue;
        };
        let value = record.get(i).unwrap_or("");
        let chars = value.chars().count();
        if chars > MAX_FIELD_CHARS {
            problems.add(
                c.name(),
                format!("is {chars} characters long; at most {MAX_FIELD_CHARS} fit in one field"),
            );
        } else {
            values[c as usize] = value;
        }
    }
    let value = |c: Column| values[c as usize];
    let required = |problems: &mut Problems, c: Column| -> Option<&str> {
        let v = value(c);
        if v.trim().is_empty() {
            problems.add(c.name(), "is required");
            None
        } else {
            Some(v)
        }
    };

    // The re-import key: once per file. Blank or malformed references are
    // left to the domain's own check below.
    let reference = value(Column::SourceReference).trim();
    if !reference.is_empty() {
        match references.get(reference) {
            Some(first) => problems.add(
                Column::SourceReference.name(),
                format!(
                    "'{}' is already used on line {first}; a source reference may appear only once in a file",
                    shown(reference)
                ),
            ),
            None => {
                references.insert(reference.to_owned(), line);
            }
        }
    }

    let received_at = required(&mut problems, Column::ReceivedAt)
        .and_then(|v| problems.take(time::parse_uk_datetime("received at", v)));
    let source_type = required(&mut problems, Column::SourceType)
        .and_then(|v| problems.take(SourceType::parse(v)));
    let anonymous = problems.take(text::yes_no("anonymous", value(Column::Anonymous)));
    let grading = required(&mut problems, Column::Grading)
        .and_then(|v| problems.take(Grading::parse(v, value(Column::HandlingConditions))));
    let category =
        required(&mut problems, Column::Category).and_then(|v| problems.take(Category::parse(v)));
    let apsp = problems.take(text::yes_no("apsp", value(Column::Apsp)));
    let subjects = problems.take(StaffNumber::parse_list(value(Column::StaffNumbers)));

    // The rules that join columns, and the domain's own text checks. A
    // column that already failed stands in with a value that passes every
    // rule, so only real problems are added; each problem found is then
    // replaced the same way and the check run again, until it passes.
    let placeholder_grade = || Grading::Current {
        source: SourceEvaluation::Untested,
        intelligence: Assessment::B,
        handling: Handling::Permitted,
    };
    let mut anonymous = anonymous.unwrap_or(false);
    let mut apsp = apsp.unwrap_or(false);
    let mut grading = grading.unwrap_or_else(placeholder_grade);
    let standin = |c: Column, stand_in: &'static str| {
        if problems.has(c.name()) {
            stand_in.to_owned()
        } else {
            value(c).to_owned()
        }
    };
    let mut reference = standin(Column::SourceReference, "-");
    let mut summary = standin(Column::Summary, "-");
    let mut full_text = standin(Column::FullText, "");
    let mut person = standin(Column::SourcePerson, "");
    for _ in Column::ALL {
        let checked = NewIntelligence::new(
            received_at.unwrap_or_default(),
            source_type.unwrap_or(SourceType::ConfidentialLine),
            anonymous,
            Some(reference.clone()),
            grading.clone(),
            category.unwrap_or(Category::AbuseOfAuthority),
            apsp,
            subjects.clone().unwrap_or_default(),
            &summary,
            &full_text,
        )
        .and_then(|item| item.from_person(&person));
        let e = match checked {
            Ok(item) if problems.0.is_empty() => return Ok(item),
            Ok(_) => break,
            Err(e) => e,
        };
        let column = Column::for_field(e.field);
        problems.invalid(e);
        match column {
            Some(Column::Anonymous) => anonymous = false,
            Some(Column::Apsp) => apsp = false,
            Some(Column::Grading) => grading = placeholder_grade(),
            Some(Column::SourceReference) => reference = "-".to_owned(),
            Some(Column::Summary) => summary = "-".to_owned(),
            Some(Column::FullText) => full_text.clear(),
            Some(Column::SourcePerson) => person.clear(),
            _ => break,
        }
    }

    let mut problems = problems.0;
    problems.sort_by_key(|(column, _)| columns.position(column));
    Err(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::intelligence::Handling;

    const HEADER: &str = "source_reference,received_at,source_type,anonymous,grading,handling_conditions,category,apsp,staff_numbers,summary,full_text";

    fn file(rows: &[&str]) -> String {
        let mut text = String::from(HEADER);
        for row in rows {
            text.push('\n');
            text.push_str(row);
        }
        text.push('\n');
        text
    }

    fn parse(text: &str) -> ParsedFile {
        parse_intel_csv(text.as_bytes()).expect("a readable file")
    }

    fn file_error(bytes: &[u8]) -> FileError {
        parse_intel_csv(bytes).expect_err("a file error")
    }

    /// (line, column) of every row error.
    fn where_(parsed: &ParsedFile) -> Vec<(u64, &str)> {
        parsed
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect()
    }

    const GOOD: &str = "ALERT-1,23/11/2026 09:30,ict-monitoring,no,2BP,,misusing-systems,no,1234; AB-9,Searched a victim's record,";

    #[test]
    fn a_source_person_column_names_the_person_and_never_an_anonymous_one() {
        let text = "source_reference,received_at,source_type,anonymous,grading,category,summary,source_person\n\
                    C-1,23/11/2026 09:30,colleague,no,2BP,other,Told us again,  Jo  Bloggs \n\
                    C-2,23/11/2026 09:40,confidential-line,yes,2BP,other,Anonymous call,Jo Bloggs\n\
                    C-3,23/11/2026 09:50,colleague,no,2BP,other,No name given,\n";
        let parsed = parse(text);
        let person = parsed.rows[0].item.source_person.as_ref().unwrap();
        assert_eq!(person.as_recorded(), "Jo  Bloggs");
        assert_eq!(person.key(), "jo bloggs");
        assert_eq!(where_(&parsed), [(3, "source_person")]);
        assert!(
            parsed.errors[0]
                .reason
                .contains("anonymous report names no source"),
            "{:?}",
            parsed.errors
        );
        assert_eq!(parsed.rows[1].item.source_person, None);
    }

    #[test]
    fn a_good_file_with_every_column_and_a_multi_line_full_text() {
        let text = file(&[
            GOOD,
            "ALERT-2,2026-07-15T08:00:00Z,confidential-line,yes,1AC,Not to be shared outside PSD,abuse-of-authority,yes,5678,Messages to a victim,\"First line\nsecond line, with a comma\nand \"\"quotes\"\"\"",
            "ALERT-3,15/07/2026 09:00,ICT-monitoring alert,,3EP,,Other,,,After a multi-line value,",
        ]);
        let parsed = parse(&text);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3, 6]
        );

        let first = &parsed.rows[0].item;
        assert_eq!(first.source_reference.as_deref(), Some("ALERT-1"));
        assert_eq!(first.received_at.to_rfc3339(), "2026-11-23T09:30:00+00:00");
        assert_eq!(first.source_type, SourceType::IctMonitoring);
        assert!(!first.anonymous);
        assert_eq!(first.grading.code(), "2BP");
        assert_eq!(first.category, Category::MisusingSystems);
        assert!(!first.apsp);
        assert_eq!(
            first
                .subjects
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
            ["1234", "AB-9"]
        );
        assert_eq!(first.summary, "Searched a victim's record");
        assert_eq!(first.full_text, "");

        let second = &parsed.rows[1].item;
        assert!(second.anonymous && second.apsp);
        assert_eq!(second.received_at.to_rfc3339(), "2026-07-15T08:00:00+00:00");
        assert_eq!(
            second.grading,
            Grading::Current {
                source: SourceEvaluation::Reliable,
                intelligence: Assessment::A,
                handling: Handling::WithConditions("Not to be shared outside PSD".into()),
            }
        );
        assert_eq!(
            second.full_text,
            "First line\nsecond line, with a comma\nand \"quotes\""
        );

        let third = &parsed.rows[2].item;
        assert_eq!(
            third.received_at.to_rfc3339(),
            "2026-07-15T08:00:00+00:00",
            "BST"
        );
        assert_eq!(third.category, Category::Other);
        assert!(third.subjects.is_empty());
    }

    #[test]
    fn header_in_another_order_and_case_with_optional_columns_left_out() {
        let text = " Summary ,CATEGORY,Grading,Source_Type,Received_At,SOURCE_REFERENCE\n\
                    Odd search,misusing-systems,2bp,ict-monitoring,23/11/2026 09:30,A-7\n";
        let parsed = parse(text);
        assert_eq!(parsed.errors, vec![]);
        let item = &parsed.rows[0].item;
        assert_eq!(item.summary, "Odd search");
        assert_eq!(item.source_reference.as_deref(), Some("A-7"));
        assert!(!item.anonymous && !item.apsp);
        assert_eq!(item.full_text, "");
    }

    #[test]
    fn an_empty_file_and_a_header_without_rows() {
        assert_eq!(file_error(b""), FileError::Empty);
        assert_eq!(file_error(b"\xEF\xBB\xBF\r\n\n"), FileError::Empty);
        assert!(FileError::Empty.to_string().contains("source_reference"));
        let err = file_error(format!("{HEADER}\n").as_bytes());
        assert_eq!(err, FileError::NoRows { header_line: 1 });
        assert!(
            err.to_string()
                .contains("has a header (line 1) but no rows")
        );
        let only_blank_rows = file_error(format!("{HEADER}\n,,,,,,,,,,\n").as_bytes());
        assert_eq!(only_blank_rows, FileError::NoRows { header_line: 1 });
    }

    #[test]
    fn text_that_is_not_utf8_names_its_line() {
        let mut bytes = file(&[GOOD, GOOD]).into_bytes();
        let at = bytes.len() - 5;
        bytes[at] = 0xE9; // "é" in Windows-1252
        let err = file_error(&bytes);
        assert_eq!(err, FileError::NotUtf8 { line: 3 });
        assert!(
            err.to_string().contains("save the file as CSV UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn missing_unknown_duplicated_and_blank_columns() {
        let err = file_error(b"source_reference,summary,full_text\nA,b,c\n");
        assert_eq!(
            err,
            FileError::MissingColumns {
                line: 1,
                names: vec![
                    "received_at".into(),
                    "source_type".into(),
                    "grading".into(),
                    "category".into()
                ],
            }
        );
        assert!(
            err.to_string()
                .contains("lacks the required columns received_at, source_type, grading, category"),
            "{err}"
        );

        let err = file_error(format!("{HEADER},notes\n").as_bytes());
        assert_eq!(
            err,
            FileError::UnknownColumns {
                line: 1,
                names: vec!["notes".into()]
            }
        );
        let message = err.to_string();
        assert!(message.contains("an unknown column 'notes'"), "{message}");
        assert!(
            message.contains("the known columns are source_reference, received_at"),
            "{message}"
        );

        let err = file_error(format!("{HEADER}, Summary \n").as_bytes());
        assert_eq!(
            err,
            FileError::DuplicateColumn {
                line: 1,
                name: "summary".into(),
                first: 10,
                second: 12
            }
        );
        assert!(
            err.to_string()
                .contains("names the column summary twice (columns 10 and 12)")
        );

        let err = file_error(format!("{HEADER},\n").as_bytes());
        assert_eq!(
            err,
            FileError::BlankColumnName {
                line: 1,
                position: 12
            }
        );

        let err = file_error(format!("{}\n", HEADER.replace(',', ";")).as_bytes());
        assert_eq!(
            err,
            FileError::WrongSeparator {
                line: 1,
                separator: ';'
            }
        );
        assert!(
            err.to_string().contains("separated by ';', not by commas"),
            "{err}"
        );
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields() {
        let text = file(&[
            GOOD,
            "ALERT-2,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,Too many,,extra",
        ]);
        let err = file_error(text.as_bytes());
        assert_eq!(
            err,
            FileError::WrongFieldCount {
                line: 3,
                expected: 11,
                found: 12
            }
        );
        assert!(
            err.to_string()
                .starts_with("line 3 has 12 fields but the header has 11"),
            "{err}"
        );
    }

    #[test]
    fn an_unterminated_quote_names_the_line_it_opens_on() {
        let text = file(&[
            GOOD,
            "ALERT-2,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,Summary,\"never closed",
            "ALERT-3,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,Summary,",
        ]);
        let err = file_error(text.as_bytes());
        assert_eq!(err, FileError::UnterminatedQuote { line: 3 });
        assert!(
            err.to_string().starts_with("line 3: a quoted value starts"),
            "{err}"
        );
        // A quote inside an unquoted value, and a doubled quote, are fine.
        let fine = file(&[
            "ALERT-1,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,The \"usual\" search,\"said \"\"hi\"\"\"",
        ]);
        let parsed = parse(&fine);
        assert_eq!(parsed.rows[0].item.summary, "The \"usual\" search");
        assert_eq!(parsed.rows[0].item.full_text, "said \"hi\"");
    }

    #[test]
    fn row_errors_carry_the_line_and_column_even_after_a_multi_line_value() {
        let text = file(&[
            "ALERT-1,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,Fine,\"one\ntwo\nthree\"",
            "ALERT-2,31/02/2026 09:30,ict-monitoring,no,2BP,,gossip,no,,Bad date and category,",
            "",
            "ALERT-3,23/11/2026 09:30,ict-monitoring,maybe,2BP,,other,no,12 34,,",
        ]);
        let parsed = parse(&text);
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(
            where_(&parsed),
            [
                (5, "received_at"),
                (5, "category"),
                (7, "anonymous"),
                (7, "staff_numbers"),
                (7, "summary"),
            ]
        );
        assert!(parsed.errors[1].reason.contains("'gossip' is not one of"));
        assert_eq!(
            parsed.errors[4].to_string(),
            "line 7, column summary: is required"
        );
        assert_eq!(parsed.invalid_row_count(), 2);
    }

    #[test]
    fn a_reference_twice_in_one_file_is_an_error_on_the_later_line() {
        let text = file(&[GOOD, GOOD.replace("ALERT-1", "ALERT-2").as_str(), GOOD]);
        let parsed = parse(&text);
        assert_eq!(
            parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(where_(&parsed), [(4, "source_reference")]);
        assert!(
            parsed.errors[0]
                .reason
                .contains("'ALERT-1' is already used on line 2"),
            "{}",
            parsed.errors[0]
        );
    }

    #[test]
    fn handling_code_c_needs_conditions_and_p_refuses_them() {
        let text = file(&[
            "A-1,23/11/2026 09:30,ict-monitoring,no,2BC,,other,no,,Summary,",
            "A-2,23/11/2026 09:30,ict-monitoring,no,2BP,Only PSD,other,no,,Summary,",
        ]);
        let parsed = parse(&text);
        assert_eq!(
            where_(&parsed),
            [(2, "handling_conditions"), (3, "handling_conditions")]
        );
        assert!(
            parsed.errors[0]
                .reason
                .contains("required for handling code C")
        );
        // Without a handling_conditions column at all, C still needs them.
        let text = "source_reference,received_at,source_type,grading,category,summary\n\
                    A-1,23/11/2026 09:30,colleague,1AC,other,Summary\n";
        assert_eq!(where_(&parse(text)), [(2, "handling_conditions")]);
    }

    #[test]
    fn rules_joining_columns_apsp_and_anonymity() {
        let text = file(&[
            "A-1,23/11/2026 09:30,colleague,yes,2BP,,drugs,yes,,Summary,",
            "A-2,23/11/2026 09:30,colleague,no,2BP,,sexual-misconduct,yes,,Summary,",
            "A-3,yesterday,nonsense,yes,2BP,,nonsense,yes,,Summary,",
        ]);
        let parsed = parse(&text);
        assert_eq!(parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3]);
        assert!(parsed.rows[0].item.apsp);
        // Both joined rules are reported; a column that is bad on its own
        // does not make a joined rule fail too.
        assert_eq!(
            where_(&parsed),
            [
                (2, "anonymous"),
                (2, "apsp"),
                (4, "received_at"),
                (4, "source_type"),
                (4, "category"),
            ]
        );
        assert!(
            parsed.errors[1]
                .reason
                .contains("abuse-of-authority or sexual-misconduct")
        );
    }

    #[test]
    fn older_5x5x5_grades_are_accepted() {
        let parsed = parse(&file(&[
            "OLD-7,01/02/2009 10:00,other-force,no,B/2/4,,other,no,,An old item,",
        ]));
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.rows[0].item.grading.code(), "5x5x5:B24");
        let bad = parse(&file(&[
            "OLD-8,01/02/2009 10:00,other-force,no,B24,Only PSD,other,no,,x,",
        ]));
        assert_eq!(where_(&bad), [(2, "handling_conditions")]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(file(&[GOOD]).bytes());
        let parsed = parse_intel_csv(&bytes).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.rows[0].line, 2);
        assert_eq!(
            parsed.rows[0].item.source_reference.as_deref(),
            Some("ALERT-1")
        );
    }

    #[test]
    fn crlf_line_endings_and_blank_lines_keep_line_numbers_right() {
        let text = file(&[
            GOOD,
            "",
            "A-2,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,\"two\nlines\",",
            "A-3,bad,ict-monitoring,no,2BP,,other,no,,Summary,",
        ])
        .replace('\n', "\r\n");
        let parsed = parse(&text);
        assert_eq!(parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2]);
        assert_eq!(where_(&parsed), [(4, "summary"), (6, "received_at")]);
        assert_eq!(parsed.rows[0].item.summary, "Searched a victim's record");

        let err = file_error(format!("{HEADER}\r\n{GOOD}\r\n\r\nA,b\r\n").as_bytes());
        assert_eq!(
            err,
            FileError::WrongFieldCount {
                line: 4,
                expected: 11,
                found: 2
            }
        );
    }

    #[test]
    fn an_overlong_field_fails_its_row_only() {
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        let text = file(&[
            &format!("A-1,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,Summary,\"{long}\""),
            &format!("A-2,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,{long},"),
            "A-3,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,Summary,",
        ]);
        let parsed = parse(&text);
        assert_eq!(parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [4]);
        assert_eq!(where_(&parsed), [(2, "full_text"), (3, "summary")]);
        assert_eq!(
            parsed.errors[0].reason,
            "is 100001 characters long; at most 100000 fit in one field"
        );
        // Exactly the limit is fine for full_text.
        let at_limit = "y".repeat(MAX_FIELD_CHARS);
        let parsed = parse(&file(&[&format!(
            "A-1,23/11/2026 09:30,ict-monitoring,no,2BP,,other,no,,Summary,{at_limit}"
        )]));
        assert_eq!(parsed.errors, vec![]);
    }

    #[test]
    fn the_example_in_the_documentation_imports_cleanly() {
        let doc = include_str!("../../docs/import-intel.md");
        let example = doc
            .split("```csv\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("a csv example in docs/import-intel.md");
        let parsed = parse(example);
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(
            parsed.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 4, 5]
        );
        let [ict, line, old] = &parsed.rows[..] else {
            panic!("three rows");
        };
        assert!(ict.item.full_text.contains('\n'));
        assert!(line.item.anonymous && line.item.apsp);
        assert_eq!(
            line.item.grading.conditions(),
            "Not to be shared outside PSD"
        );
        assert_eq!(old.item.grading.code(), "5x5x5:B24");
    }

    #[test]
    fn the_unterminated_quote_scan_reads_as_csv_does() {
        assert_eq!(unterminated_quote(b"a,b\n\"x\",y\n"), None);
        assert_eq!(unterminated_quote(b"a,b\nx\"y,z\n"), None);
        assert_eq!(unterminated_quote(b"a,b\n\"x\"\"\n"), Some(4));
        assert_eq!(unterminated_quote(b"a,\"b\"c\"\n"), None);
        assert_eq!(unterminated_quote(b"a,b\r\n\"x\r\n"), Some(5));
    }
}
