//! The demo's story: twelve operations and the covert workflow around
//! them, each step dated on the story's 120 days.
//!
//! Each operation's life, from the intelligence it starts from to its
//! bids, authorisations, referrals and closure, is planned in its own
//! module; [`story`] plans them in order. Steps run in time order, and
//! steps planned for the same moment run in the order planned, so the
//! order of the calls below is part of the story.

mod bittern;
mod chis_drift;
mod cormorant;
mod dunlin;
mod kestrel;
mod lapwing;
mod merlin;
mod oversight;
mod partners;
mod plover;
mod risk;
mod shrike;
mod siskin;
mod steps;
mod teal;
mod threats;
mod unit;
mod wagtail;
mod whimbrel;

use super::Plan;
use super::intake::plan_background;

/// Plans the whole story: the unit is set up, the background intake
/// arrives, each operation lives its life, and oversight looks on.
pub(super) fn story(plan: &mut Plan) {
    unit::set_up(plan);
    plan_background(plan);
    kestrel::life(plan);
    cormorant::life(plan);
    dunlin::life(plan);
    plover::life(plan);
    bittern::life(plan);
    shrike::life(plan);
    lapwing::life(plan);
    wagtail::life(plan);
    merlin::life(plan);
    whimbrel::life(plan);
    siskin::life(plan);
    teal::life(plan);
    risk::assessments(plan);
    chis_drift::life(plan);
    partners::work(plan);
    threats::assessment(plan);
    oversight::trail(plan);
}
