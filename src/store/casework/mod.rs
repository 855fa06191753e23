//! Casework: intelligence from intake to triage, subjects, operations with
//! their teams and decision logs, the list screens' pages and the
//! dashboard's figures, and full-text search (docs/casework.md).

// A module for every file in this folder, found by the build (`build.rs`).
include!(concat!(env!("OUT_DIR"), "/store_casework.rs"));
