//! The application (Elm style): `App` holds what is on screen,
//! `App::update` turns a message (a key, a tick, a result) into a new state
//! and the effects to run, and `runtime::Runtime` runs those effects against
//! the case file in one place. Rendering (`crate::ui`) only reads `App`.
//!
//! - `model`: the state, the messages, the effects and their outcomes;
//! - `update`, `act`, `popups`, `done`: how each changes the state;
//! - `areas`: the registry of areas, one module each, which the rest
//!   iterates;
//! - `list`, `view`, `form`, `covert_forms`, `audit_filter`: what lists,
//!   records and forms are made of;
//! - `action`: every user intent a keymap can name.

mod act;
pub mod action;
pub mod areas;
pub mod audit_filter;
pub mod confirm;
pub mod covert_forms;
mod done;
pub mod form;
#[cfg(test)]
mod form_ids;
pub mod list;
pub mod model;
pub mod picker;
mod popups;
pub mod runtime;
mod update;
pub mod view;

pub use action::{Action, Context};
pub use areas::audit::ChainStatus;
pub use areas::{Area, Detail, DetailSource, SearchLine};
pub use list::{Column, ListSpec, ListView, WINDOW};
pub use model::{
    App, Confirmed, DEFAULT_LOCK_AFTER, DemoLogin, Effect, Focus, Load, MIN_HEIGHT, MIN_WIDTH, Msg,
    Outcome, Popup, Screen, SessionInfo, Status, TrailWarning, list_rows,
};
