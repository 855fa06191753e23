//! The covert workflow: threshold decisions, bids for covert resources,
//! authorisations and the central record, IOPC referrals, the diary of
//! what falls due, and the authorising officer's queue (docs/covert.md,
//! docs/bids.md, docs/diary.md).

// A module for every file in this folder, found by the build (`build.rs`).
include!(concat!(env!("OUT_DIR"), "/store_covert.rs"));
