//! Casework: intelligence from intake to triage, subjects, operations with
//! their teams and decision logs, the list screens' pages and the
//! dashboard's figures, and full-text search (docs/casework.md).

pub(super) mod intelligence;
pub(super) mod lists;
pub(super) mod operations;
pub(super) mod search;
pub(super) mod subjects;
