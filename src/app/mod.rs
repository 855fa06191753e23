//! The application model: state, intents and how they change it.

pub mod action;
