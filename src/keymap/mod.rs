//! Which key does what, where: key strings and the chords they name.

mod key;

pub use key::{KeyChord, KeyError};
