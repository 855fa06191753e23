//! Pure rules of the unit's work: no I/O, no SQL, no terminal, no clock.

pub mod account;
pub mod authorisation;
pub mod bid;
pub mod codes;
pub mod covert;
pub mod intelligence;
pub mod operation;
pub mod permission;
pub mod referral;
pub mod role;
pub mod subject;
pub mod text;
pub mod time;
pub mod urn;

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
