//! What the audit viewer is asked to show: its filter, which the viewer's
//! form makes and the runtime's page anchors are kept for.

use chrono::NaiveDate;

/// What the audit viewer is asked to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub operation: Option<String>,
    pub user: Option<String>,
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl AuditFilter {
    pub fn is_empty(&self) -> bool {
        *self == AuditFilter::default()
    }
}
