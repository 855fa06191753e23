//! Bids for covert resources: lines, decisions, the status life cycle, and
//! the capacity arithmetic (how a quantity spread over a range of days falls
//! into ISO weeks, and which weeks a bid would over-commit).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};

use super::InvalidInput;
use super::codes::code_list;
use super::text;

/// The longest range of days one line may cover (inclusive of both ends).
pub const MAX_LINE_DAYS: i64 = 366;

/// The largest quantity one line may ask for.
pub const MAX_QUANTITY: f64 = 1_000_000.0;

/// The most lines one bid may hold.
pub const MAX_LINES: usize = 100;

/// Figures closer than this are taken as equal when testing capacity, so
/// that a quantity spread over days and added back up still fits exactly.
pub const CAPACITY_TOLERANCE: f64 = 1e-9;

/// One line of a bid, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct BidLine {
    /// A `resource_type` code, such as `surveillance-team-days`.
    pub resource: String,
    pub quantity: f64,
    pub starts_on: NaiveDate,
    /// Inclusive.
    pub ends_on: NaiveDate,
    pub justification: String,
}

impl BidLine {
    /// A line asking for `quantity` of `resource` (a resource type code;
    /// the case file checks that it exists) from `starts_on` to `ends_on`
    /// inclusive.
    pub fn new(
        resource: &str,
        quantity: f64,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        justification: &str,
    ) -> Result<BidLine, InvalidInput> {
        let resource = text::line("resource", resource, 64)?.to_lowercase();
        check_quantity("quantity", quantity)?;
        if ends_on < starts_on {
            return Err(InvalidInput::new(
                "ends on",
                format!("{ends_on} is before the start, {starts_on}"),
            ));
        }
        let days = days_in(starts_on, ends_on);
        if days > MAX_LINE_DAYS {
            return Err(InvalidInput::new(
                "ends on",
                format!(
                    "{starts_on} to {ends_on} is {days} days; one line covers at most {MAX_LINE_DAYS}: split it into several lines"
                ),
            ));
        }
        Ok(BidLine {
            resource,
            quantity,
            starts_on,
            ends_on,
            justification: text::required("justification", justification, text::LONG)?,
        })
    }

    /// How many days the line covers, both ends included.
    pub fn days(&self) -> i64 {
        days_in(self.starts_on, self.ends_on)
    }
}

fn check_quantity(field: &'static str, quantity: f64) -> Result<(), InvalidInput> {
    if !quantity.is_finite() || quantity <= 0.0 {
        return Err(InvalidInput::new(
            field,
            format!("{quantity} is not a quantity: it must be a number above 0"),
        ));
    }
    if quantity > MAX_QUANTITY {
        return Err(InvalidInput::new(
            field,
            format!("{quantity} is more than the most one line may ask for ({MAX_QUANTITY})"),
        ));
    }
    Ok(())
}

/// A supervisor's decision on a submitted bid.
#[derive(Debug, Clone, PartialEq)]
pub enum BidDecision {
    Approve,
    /// Approved quantity per line number (lines not named get nothing).
    PartlyApprove(Vec<(u32, f64)>),
    Decline,
    Defer,
}

code_list! {
    /// What a decision on a bid was, as recorded.
    pub enum BidOutcome ("outcome") {
        Approved = "approved", "Approved";
        PartlyApproved = "partly-approved", "Partly approved";
        Declined = "declined", "Declined";
        Deferred = "deferred", "Deferred";
    }
}

impl BidDecision {
    pub fn outcome(&self) -> BidOutcome {
        match self {
            BidDecision::Approve => BidOutcome::Approved,
            BidDecision::PartlyApprove(_) => BidOutcome::PartlyApproved,
            BidDecision::Decline => BidOutcome::Declined,
            BidDecision::Defer => BidOutcome::Deferred,
        }
    }

    /// The status the decision puts a submitted bid in.
    pub fn status(&self) -> BidStatus {
        match self {
            BidDecision::Approve | BidDecision::PartlyApprove(_) => BidStatus::Active,
            BidDecision::Decline => BidStatus::Declined,
            BidDecision::Defer => BidStatus::Deferred,
        }
    }

    /// The approved quantity of every line, given each line's number and
    /// requested quantity: `None` for a decision that approves nothing
    /// (decline, defer). A partial approval must name lines of the bid, each
    /// once, with `0 < approved <= requested`; lines it does not name get 0;
    /// and it must leave something short of the request (approving every
    /// line in full is an approval).
    pub fn approved(
        &self,
        requested: &[(u32, f64)],
    ) -> Result<Option<Vec<(u32, f64)>>, InvalidInput> {
        let named = match self {
            BidDecision::Decline | BidDecision::Defer => return Ok(None),
            BidDecision::Approve => return Ok(Some(requested.to_vec())),
            BidDecision::PartlyApprove(named) => named,
        };
        if named.is_empty() {
            return Err(InvalidInput::new(
                "approved",
                "a partial approval names at least one line and the quantity approved; to approve nothing, decline",
            ));
        }
        let mut approved: BTreeMap<u32, f64> = BTreeMap::new();
        for &(number, quantity) in named {
            let Some(&(_, asked)) = requested.iter().find(|(n, _)| *n == number) else {
                return Err(InvalidInput::new(
                    "approved",
                    format!(
                        "the bid has no line {number}; its lines are {}",
                        requested
                            .iter()
                            .map(|(n, _)| n.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if !quantity.is_finite() || quantity <= 0.0 {
                return Err(InvalidInput::new(
                    "approved",
                    format!(
                        "line {number}: {quantity} cannot be approved; name a quantity above 0, or leave the line out to approve none of it"
                    ),
                ));
            }
            if quantity > asked {
                return Err(InvalidInput::new(
                    "approved",
                    format!("line {number}: {quantity} is more than the {asked} asked for"),
                ));
            }
            if approved.insert(number, quantity).is_some() {
                return Err(InvalidInput::new(
                    "approved",
                    format!("line {number} is named more than once"),
                ));
            }
        }
        let all: Vec<(u32, f64)> = requested
            .iter()
            .map(|&(n, _)| (n, approved.get(&n).copied().unwrap_or(0.0)))
            .collect();
        if all.iter().zip(requested).all(|((_, a), (_, r))| a == r) {
            return Err(InvalidInput::new(
                "approved",
                "every line is approved in full: that is an approval, not a partial one",
            ));
        }
        Ok(Some(all))
    }
}

code_list! {
    pub enum BidStatus ("bid status") {
        Draft = "draft", "Draft";
        Submitted = "submitted", "Submitted";
        Deferred = "deferred", "Deferred";
        Declined = "declined", "Declined";
        Active = "active", "Active";
        Completed = "completed", "Completed";
        Withdrawn = "withdrawn", "Withdrawn";
    }
}

impl BidStatus {
    /// Where a bid in this status may go. From `submitted`, `active`,
    /// `declined` and `deferred` are a supervisor's decision; `completed`
    /// and `withdrawn` are closing the bid.
    pub fn next(self) -> &'static [BidStatus] {
        use BidStatus::*;
        match self {
            Draft => &[Submitted, Withdrawn],
            Submitted => &[Active, Declined, Deferred, Withdrawn],
            Deferred => &[Submitted, Withdrawn],
            Active => &[Completed, Withdrawn],
            Declined | Completed | Withdrawn => &[],
        }
    }

    /// Declined, completed and withdrawn bids stay as they are.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// Checks a move.
    pub fn transition(self, to: BidStatus) -> Result<BidStatus, InvalidInput> {
        if self.next().contains(&to) {
            return Ok(to);
        }
        Err(InvalidInput::new(
            "status",
            if self.is_final() {
                format!(
                    "a {} bid stays {}",
                    self.label().to_lowercase(),
                    self.label().to_lowercase()
                )
            } else if self == to {
                format!("the bid is already {}", self.label().to_lowercase())
            } else {
                format!(
                    "a bid that is {} can go only to: {}",
                    self.label().to_lowercase(),
                    self.next()
                        .iter()
                        .map(|s| s.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ))
    }
}

/// Days from `starts_on` to `ends_on`, both included.
fn days_in(starts_on: NaiveDate, ends_on: NaiveDate) -> i64 {
    (ends_on - starts_on).num_days() + 1
}

/// The Monday that begins the ISO week holding `day`.
pub fn week_starting(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Spreads `quantity` evenly over the days from `starts_on` to `ends_on`
/// (inclusive) and adds it up per ISO week: one `(Monday, share)` per week
/// the range touches, in order. The shares add up to `quantity`. An empty
/// range (end before start) has no weeks.
pub fn weekly_shares(
    quantity: f64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> Vec<(NaiveDate, f64)> {
    if ends_on < starts_on {
        return Vec::new();
    }
    let total = days_in(starts_on, ends_on) as f64;
    let mut shares = Vec::new();
    let mut monday = week_starting(starts_on);
    while monday <= ends_on {
        let sunday = monday + Duration::days(6);
        let first = starts_on.max(monday);
        let last = ends_on.min(sunday);
        let days = days_in(first, last) as f64;
        shares.push((monday, quantity * days / total));
        monday += Duration::days(7);
    }
    shares
}

/// A quantity of one resource over a range of days: a bid line as the
/// capacity arithmetic sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub resource: String,
    pub quantity: f64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// One resource in one ISO week: what other active bids have committed,
/// what this bid adds, and the weekly capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekLoad {
    pub resource: String,
    /// The Monday of the ISO week.
    pub week_starting: NaiveDate,
    pub committed_elsewhere: f64,
    pub this_bid: f64,
    pub capacity: f64,
    /// Committed elsewhere plus this bid is more than the capacity.
    pub over: bool,
}

impl WeekLoad {
    /// How far the week is over capacity (0 when it is not).
    pub fn over_by(&self) -> f64 {
        (self.committed_elsewhere + self.this_bid - self.capacity).max(0.0)
    }
}

/// The load per resource and ISO week for every week that a line of
/// `this` touches: `this` is the bid in question, `elsewhere` what other
/// bids have committed, and `capacity` the weekly capacity of a resource
/// (a resource without one has none). Sorted by resource, then week.
pub fn week_loads(
    this: &[Demand],
    elsewhere: &[Demand],
    capacity: impl Fn(&str) -> f64,
) -> Vec<WeekLoad> {
    let mut weeks: BTreeSet<(String, NaiveDate)> = BTreeSet::new();
    let mut mine: BTreeMap<(String, NaiveDate), f64> = BTreeMap::new();
    for d in this {
        for (monday, share) in weekly_shares(d.quantity, d.starts_on, d.ends_on) {
            weeks.insert((d.resource.clone(), monday));
            *mine.entry((d.resource.clone(), monday)).or_default() += share;
        }
    }
    let mut others: BTreeMap<(String, NaiveDate), f64> = BTreeMap::new();
    for d in elsewhere {
        for (monday, share) in weekly_shares(d.quantity, d.starts_on, d.ends_on) {
            let key = (d.resource.clone(), monday);
            if weeks.contains(&key) {
                *others.entry(key).or_default() += share;
            }
        }
    }
    weeks
        .into_iter()
        .map(|key| {
            let committed_elsewhere = others.get(&key).copied().unwrap_or(0.0);
            let this_bid = mine.get(&key).copied().unwrap_or(0.0);
            let capacity = capacity(&key.0);
            WeekLoad {
                over: committed_elsewhere + this_bid > capacity + CAPACITY_TOLERANCE,
                resource: key.0,
                week_starting: key.1,
                committed_elsewhere,
                this_bid,
                capacity,
            }
        })
        .collect()
}

/// The weeks that approving `this` would put over capacity: those over
/// capacity to which this bid adds something.
pub fn over_commitments(
    this: &[Demand],
    elsewhere: &[Demand],
    capacity: impl Fn(&str) -> f64,
) -> Vec<WeekLoad> {
    week_loads(this, elsewhere, capacity)
        .into_iter()
        .filter(|w| w.over && w.this_bid > 0.0)
        .collect()
}

/// A weekly capacity, checked: a number of 0 or more.
pub fn check_capacity(weekly: f64) -> Result<f64, InvalidInput> {
    if !weekly.is_finite() || weekly < 0.0 {
        return Err(InvalidInput::new(
            "weekly capacity",
            format!("{weekly} is not a capacity: it must be a number of 0 or more"),
        ));
    }
    Ok(weekly)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn line(quantity: f64, from: &str, to: &str) -> Result<BidLine, InvalidInput> {
        BidLine::new(
            "surveillance-team-days",
            quantity,
            day(from),
            day(to),
            "To follow the subject",
        )
    }

    #[test]
    fn a_line_needs_a_quantity_a_range_and_a_reason() {
        let ok = line(3.0, "2026-11-23", "2026-11-27").unwrap();
        assert_eq!(ok.days(), 5);
        let upper = BidLine::new(
            " Analyst-Hours ",
            1.0,
            day("2026-11-23"),
            day("2026-11-23"),
            "x",
        )
        .unwrap();
        assert_eq!(upper.resource, "analyst-hours");
        for bad in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2_000_000.0,
        ] {
            assert_eq!(
                line(bad, "2026-11-23", "2026-11-27").unwrap_err().field,
                "quantity",
                "{bad}"
            );
        }
        let backwards = line(1.0, "2026-11-27", "2026-11-23").unwrap_err();
        assert_eq!(backwards.field, "ends on");
        assert_eq!(
            backwards.message,
            "2026-11-23 is before the start, 2026-11-27"
        );
        // 366 days is the most one line covers.
        assert!(line(1.0, "2026-01-01", "2027-01-01").is_ok());
        let long = line(1.0, "2026-01-01", "2027-01-02").unwrap_err();
        assert!(long.message.contains("367 days"), "{}", long.message);
        let no_reason = BidLine::new("other", 1.0, day("2026-11-23"), day("2026-11-23"), "  ");
        assert_eq!(no_reason.unwrap_err().field, "justification");
        let no_resource = BidLine::new(" ", 1.0, day("2026-11-23"), day("2026-11-23"), "x");
        assert_eq!(no_resource.unwrap_err().field, "resource");
    }

    #[test]
    fn every_legal_and_illegal_status_move() {
        use BidStatus::*;
        let legal = [
            (Draft, Submitted),
            (Draft, Withdrawn),
            (Submitted, Active),
            (Submitted, Declined),
            (Submitted, Deferred),
            (Submitted, Withdrawn),
            (Deferred, Submitted),
            (Deferred, Withdrawn),
            (Active, Completed),
            (Active, Withdrawn),
        ];
        for from in BidStatus::ALL {
            for to in BidStatus::ALL {
                assert_eq!(
                    from.transition(*to).is_ok(),
                    legal.contains(&(*from, *to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        for final_status in [Declined, Completed, Withdrawn] {
            assert!(final_status.is_final());
        }
        assert_eq!(
            Withdrawn.transition(Draft).unwrap_err().message,
            "a withdrawn bid stays withdrawn"
        );
        assert_eq!(
            Draft.transition(Draft).unwrap_err().message,
            "the bid is already draft"
        );
        assert_eq!(
            Draft.transition(Active).unwrap_err().message,
            "a bid that is draft can go only to: submitted, withdrawn"
        );
    }

    #[test]
    fn decisions_and_their_outcomes() {
        assert_eq!(BidDecision::Approve.outcome().code(), "approved");
        assert_eq!(
            BidDecision::PartlyApprove(vec![]).outcome().code(),
            "partly-approved"
        );
        assert_eq!(BidDecision::Decline.status(), BidStatus::Declined);
        assert_eq!(BidDecision::Defer.status(), BidStatus::Deferred);
        assert_eq!(BidDecision::Approve.status(), BidStatus::Active);
        assert_eq!(
            BidDecision::PartlyApprove(vec![(1, 1.0)]).status(),
            BidStatus::Active
        );
    }

    #[test]
    fn approved_quantities() {
        let requested = [(1, 5.0), (2, 10.0), (3, 2.0)];
        assert_eq!(BidDecision::Decline.approved(&requested), Ok(None));
        assert_eq!(BidDecision::Defer.approved(&requested), Ok(None));
        assert_eq!(
            BidDecision::Approve.approved(&requested),
            Ok(Some(requested.to_vec()))
        );
        let partly = BidDecision::PartlyApprove(vec![(2, 4.0), (1, 5.0)]);
        assert_eq!(
            partly.approved(&requested),
            Ok(Some(vec![(1, 5.0), (2, 4.0), (3, 0.0)]))
        );
        let refused = |named: Vec<(u32, f64)>| {
            BidDecision::PartlyApprove(named)
                .approved(&requested)
                .unwrap_err()
                .message
        };
        assert_eq!(
            refused(vec![(4, 1.0)]),
            "the bid has no line 4; its lines are 1, 2, 3"
        );
        assert_eq!(
            refused(vec![(2, 11.0)]),
            "line 2: 11 is more than the 10 asked for"
        );
        assert!(refused(vec![(2, 0.0)]).starts_with("line 2: 0 cannot be approved"));
        assert!(refused(vec![(2, -1.0)]).starts_with("line 2: -1 cannot be approved"));
        assert!(refused(vec![(2, f64::NAN)]).starts_with("line 2: NaN cannot be approved"));
        assert_eq!(
            refused(vec![(2, 1.0), (2, 2.0)]),
            "line 2 is named more than once"
        );
        assert!(refused(vec![]).contains("to approve nothing, decline"));
        assert_eq!(
            refused(vec![(1, 5.0), (2, 10.0), (3, 2.0)]),
            "every line is approved in full: that is an approval, not a partial one"
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_starting(day("2026-11-23")), day("2026-11-23")); // Monday
        assert_eq!(week_starting(day("2026-11-29")), day("2026-11-23")); // Sunday
        assert_eq!(week_starting(day("2027-01-01")), day("2026-12-28")); // across the year
    }

    #[test]
    fn a_quantity_spreads_evenly_over_the_days_of_its_weeks() {
        // One week exactly.
        assert_eq!(
            weekly_shares(7.0, day("2026-11-23"), day("2026-11-29")),
            [(day("2026-11-23"), 7.0)]
        );
        // Fri 27 Nov to Thu 3 Dec: 3 days in the first week, 4 in the second.
        assert_eq!(
            weekly_shares(14.0, day("2026-11-27"), day("2026-12-03")),
            [(day("2026-11-23"), 6.0), (day("2026-11-30"), 8.0)]
        );
        // A single day.
        assert_eq!(
            weekly_shares(2.5, day("2026-12-02"), day("2026-12-02")),
            [(day("2026-11-30"), 2.5)]
        );
        // Three weeks, unevenly: Sun, then 7 days, then Mon: 1 + 7 + 1 = 9 days.
        let shares = weekly_shares(9.0, day("2026-11-29"), day("2026-12-07"));
        assert_eq!(
            shares,
            [
                (day("2026-11-23"), 1.0),
                (day("2026-11-30"), 7.0),
                (day("2026-12-07"), 1.0)
            ]
        );
        // Shares always add up to the quantity.
        let odd = weekly_shares(10.0, day("2026-11-25"), day("2027-02-03"));
        let total: f64 = odd.iter().map(|(_, s)| s).sum();
        assert!((total - 10.0).abs() < 1e-9, "{total}");
        assert_eq!(odd.len(), 11);
        assert!(weekly_shares(1.0, day("2026-11-25"), day("2026-11-24")).is_empty());
    }

    fn demand(resource: &str, quantity: f64, from: &str, to: &str) -> Demand {
        Demand {
            resource: resource.into(),
            quantity,
            starts_on: day(from),
            ends_on: day(to),
        }
    }

    #[test]
    fn loads_and_over_commitments_per_resource_and_week() {
        let capacity = |r: &str| {
            if r == "surveillance-team-days" {
                5.0
            } else {
                37.5
            }
        };
        // This bid: 6 team days over two whole weeks (3 a week), 10 analyst hours in week 2.
        let this = [
            demand("surveillance-team-days", 6.0, "2026-11-23", "2026-12-06"),
            demand("analyst-hours", 10.0, "2026-11-30", "2026-12-06"),
        ];
        // Elsewhere: 3 team days in week 1 only, 30 analyst hours in week 2,
        // and something in a week this bid does not touch.
        let elsewhere = [
            demand("surveillance-team-days", 3.0, "2026-11-23", "2026-11-29"),
            demand("analyst-hours", 30.0, "2026-11-30", "2026-12-06"),
            demand("surveillance-team-days", 50.0, "2027-01-04", "2027-01-10"),
        ];
        let loads = week_loads(&this, &elsewhere, capacity);
        let brief: Vec<_> = loads
            .iter()
            .map(|w| {
                (
                    w.resource.as_str(),
                    w.week_starting.to_string(),
                    w.committed_elsewhere,
                    w.this_bid,
                    w.capacity,
                    w.over,
                )
            })
            .collect();
        assert_eq!(
            brief,
            [
                (
                    "analyst-hours",
                    "2026-11-30".to_string(),
                    30.0,
                    10.0,
                    37.5,
                    true
                ),
                (
                    "surveillance-team-days",
                    "2026-11-23".to_string(),
                    3.0,
                    3.0,
                    5.0,
                    true
                ),
                (
                    "surveillance-team-days",
                    "2026-11-30".to_string(),
                    0.0,
                    3.0,
                    5.0,
                    false
                ),
            ]
        );
        assert_eq!(loads[0].over_by(), 2.5);
        assert_eq!(loads[2].over_by(), 0.0);
        let over = over_commitments(&this, &elsewhere, capacity);
        assert_eq!(over.len(), 2);
        // Filling a week exactly is not over.
        let exact = [demand(
            "surveillance-team-days",
            2.0,
            "2026-11-23",
            "2026-11-29",
        )];
        assert!(over_commitments(&exact, &elsewhere[..1], capacity).is_empty());
        // Figures that add up to the capacity only up to rounding (0.1 + 0.2
        // is a shade over 0.3 in binary) are not over either.
        let tenths = |_: &str| 0.3;
        let this_tenths = [demand("other", 0.2, "2026-11-30", "2026-11-30")];
        let other_tenths = [demand("other", 0.1, "2026-11-30", "2026-11-30")];
        let (a, b) = (other_tenths[0].quantity, this_tenths[0].quantity);
        assert!(a + b > 0.3, "the sum really is a shade over");
        assert!(over_commitments(&this_tenths, &other_tenths, tenths).is_empty());
        // A line approved at 0 adds nothing, so it warns of nothing.
        let nothing = [demand("analyst-hours", 0.0, "2026-11-30", "2026-12-06")];
        assert!(
            over_commitments(
                &nothing,
                &[demand("analyst-hours", 99.0, "2026-11-30", "2026-12-06")],
                capacity
            )
            .is_empty()
        );
    }

    #[test]
    fn capacities() {
        assert_eq!(check_capacity(0.0), Ok(0.0));
        assert_eq!(check_capacity(37.5), Ok(37.5));
        for bad in [-0.5, f64::NAN, f64::INFINITY] {
            assert_eq!(check_capacity(bad).unwrap_err().field, "weekly capacity");
        }
    }
}
