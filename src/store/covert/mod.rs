//! The covert workflow: threshold decisions, bids for covert resources,
//! authorisations and the central record, IOPC referrals, the diary of
//! what falls due, and the authorising officer's queue (docs/covert.md,
//! docs/bids.md, docs/diary.md).

pub(super) mod authorisations;
pub(super) mod bids;
pub(super) mod diary;
pub(super) mod queue;
pub(super) mod referrals;
pub(super) mod thresholds;
