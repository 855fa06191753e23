//! ccu: casework for a police Counter Corruption Unit, kept in one local
//! SQLite case file with a tamper-evident audit trail.

pub mod app;
pub mod audit;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod exit;
pub mod files;
pub mod import;
pub mod keymap;
pub mod sanitise;
pub mod store;
pub mod tui;
pub mod ui;
