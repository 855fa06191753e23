//! The audit trail's side of the store: row commitments, the stored Merkle
//! tree, the signing key and checkpoints, `ccu check`, the audit viewer's
//! reads and the oversight export (docs/audit-format.md).

// A module for every file in this folder, found by the build (`build.rs`).
include!(concat!(env!("OUT_DIR"), "/store_trail.rs"));

// What the file wing asks of the trail when it vets or converts a file:
// whether the last event still chains, a row's latest commitment, and the
// row capture every connection that writes installs.
pub(in crate::store) use check::verify_tail;
pub(in crate::store) use ledger::{install_capture, latest as latest_commitment};
