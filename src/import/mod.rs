//! Bulk intake from files: pure parsers and validators that turn the bytes of
//! a file into checked domain values and a list of what is wrong, with no
//! database and no I/O.

pub mod intel_csv;

pub use intel_csv::{FileError, ImportRow, MAX_FIELD_CHARS, ParsedFile, RowError, parse_intel_csv};
