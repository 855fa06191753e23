//! What the audit viewer is asked to show: its filter, which the viewer's
//! form makes and the runtime's page anchors are kept for.

use chrono::NaiveDate;

use crate::domain::InvalidInput;

/// What the audit viewer is asked to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub operation: Option<String>,
    pub user: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `ok` or `denied`.
    pub outcome: Option<String>,
    /// Events up to this number: the trail from it back, newest first.
    pub through: Option<i64>,
}

impl AuditFilter {
    pub fn is_empty(&self) -> bool {
        *self == AuditFilter::default()
    }
}

/// An outcome the trail records: `ok` or `denied`.
pub fn audit_outcome(text: &str) -> Result<String, InvalidInput> {
    match text.trim().to_ascii_lowercase().as_str() {
        o @ ("ok" | "denied") => Ok(o.to_owned()),
        _ => Err(InvalidInput::new(
            "outcome",
            format!(
                "'{}' is not an outcome: the trail records ok or denied",
                text.trim()
            ),
        )),
    }
}

/// An audit event's number: a whole number from 1.
pub fn event_number(field: &'static str, text: &str) -> Result<i64, InvalidInput> {
    match text.trim().parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(InvalidInput::new(
            field,
            format!(
                "'{}' is not an event number: events are numbered from 1",
                text.trim()
            ),
        )),
    }
}
