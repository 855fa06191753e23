//! Pure rules of the unit's work: no I/O, no SQL, no terminal, no clock.

// A module for every file in this folder, found by the build (`build.rs`).
include!(concat!(env!("OUT_DIR"), "/domain.rs"));

use std::fmt;

/// Bad input: which field, and what is wrong with it. Nothing is written
/// when a command carries one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidInput {
    pub field: &'static str,
    pub message: String,
}

impl InvalidInput {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        InvalidInput {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for InvalidInput {}
