//! The strategic threat assessment: the unit's register of corruption
//! threats (seed 000: the counter corruption Strategic Threat Assessment,
//! "with analytical support provided to ensure the correct prioritisation
//! of those risks identified"; seed 003 para 30), each tied to a national
//! corruption category and a theme, scored and put in priority order.
//!
//! The scoring is in the manner of MoRiLE (the UK policing matrix for
//! prioritisation): it takes from it the separation of harm and
//! likelihood, a confidence in the assessment, and the organisation's
//! capacity and capability to respond. It is not the official MoRiLE
//! matrix, and its numbers are this register's own:
//!
//! - harm, likelihood: 1 (lowest) to 5 (highest);
//! - capacity and capability: the organisation's ability to respond, 1
//!   (little or none) to 5 (fully able); the lower it is, the higher the
//!   priority, through the gap `6 - capacity` (1 to 5);
//! - confidence in the assessment: low, medium or high, weighted 3, 4
//!   and 5, so that a well-founded assessment outranks a guess;
//! - risk = harm x likelihood (1 to 25);
//! - score = risk x gap x weight (3 to 625).
//!
//! Priority order: the higher score first; on equal scores the higher
//! risk, then the higher harm, then the sooner next review, then the
//! reference (the older threat first).

use std::cmp::Ordering;

use chrono::NaiveDate;

use super::InvalidInput;
use super::account::Username;
use super::codes::code_list;
use super::permission::Declared;
use super::role::Role::{Investigator, Supervisor};
use super::text;

/// Recording a threat and reviewing it.
pub const ASSESS: Declared = Declared::case_write(
    "record and review the strategic threat assessment",
    &[Investigator, Supervisor],
);

/// The longest theme, in characters.
pub const THEME_CHARS: usize = 120;

/// The furthest ahead a next review may be set: a strategic assessment is
/// reviewed at least yearly.
pub const MOST_REVIEW_DAYS: i64 = 366;

code_list! {
    /// How well founded an assessment is.
    pub enum Confidence ("confidence") {
        Low = "low", "Low";
        Medium = "medium", "Medium";
        High = "high", "High";
    }
}

impl Confidence {
    /// The weight a score is multiplied by: 3, 4 or 5.
    pub fn weight(self) -> u32 {
        match self {
            Confidence::Low => 3,
            Confidence::Medium => 4,
            Confidence::High => 5,
        }
    }
}

/// One assessment's scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    pub harm: u8,
    pub likelihood: u8,
    pub confidence: Confidence,
    /// The organisation's capacity and capability to respond.
    pub capacity: u8,
}

impl Scores {
    /// Refused, naming the field, when a scale is outside 1 to 5.
    pub fn new(
        harm: u8,
        likelihood: u8,
        confidence: Confidence,
        capacity: u8,
    ) -> Result<Scores, InvalidInput> {
        for (field, n) in [
            ("harm", harm),
            ("likelihood", likelihood),
            ("capacity", capacity),
        ] {
            if !(1..=5).contains(&n) {
                return Err(InvalidInput::new(
                    field,
                    format!("{n} is outside the scale: give 1 to 5"),
                ));
            }
        }
        Ok(Scores {
            harm,
            likelihood,
            confidence,
            capacity,
        })
    }

    /// Harm x likelihood: 1 to 25.
    pub fn risk(self) -> u32 {
        u32::from(self.harm) * u32::from(self.likelihood)
    }

    /// How far the organisation falls short of responding: 6 - capacity.
    pub fn gap(self) -> u32 {
        6 - u32::from(self.capacity)
    }

    /// Risk x gap x confidence weight: 3 to 625.
    pub fn score(self) -> u32 {
        self.risk() * self.gap() * self.confidence.weight()
    }
}

/// A scale's value typed in a form: a whole number 1 to 5.
pub fn scale(field: &'static str, text: &str) -> Result<u8, InvalidInput> {
    let t = text.trim();
    match t.parse::<u8>() {
        Ok(n) if (1..=5).contains(&n) => Ok(n),
        _ => Err(InvalidInput::new(
            field,
            format!("'{}' is not on the scale: give 1 to 5", t.escape_debug()),
        )),
    }
}

/// What a threat is ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked<'a> {
    pub scores: Scores,
    pub next_review: NaiveDate,
    pub reference: &'a str,
}

/// The priority order: `Less` when `a` comes first.
pub fn priority(a: &Ranked<'_>, b: &Ranked<'_>) -> Ordering {
    b.scores
        .score()
        .cmp(&a.scores.score())
        .then_with(|| b.scores.risk().cmp(&a.scores.risk()))
        .then_with(|| b.scores.harm.cmp(&a.scores.harm))
        .then_with(|| a.next_review.cmp(&b.next_review))
        .then_with(|| reference_number(a.reference).cmp(&reference_number(b.reference)))
        .then_with(|| a.reference.cmp(b.reference))
}

/// A threat's reference: `THR-` and its number, from 1 in the order
/// recorded (`THR-001`).
pub fn reference(number: u32) -> String {
    format!("THR-{number:03}")
}

fn reference_number(r: &str) -> u32 {
    r.strip_prefix("THR-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}

/// A reference typed or chosen: `THR-` and a number (`thr-1` is read as
/// `THR-001`).
pub fn parse_reference(text: &str) -> Result<String, InvalidInput> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    match upper
        .strip_prefix("THR-")
        .filter(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u32>().ok())
    {
        Some(n) if n > 0 => Ok(reference(n)),
        _ => Err(InvalidInput::new(
            "threat",
            format!(
                "'{}' is not a threat's reference, such as THR-001",
                t.escape_debug()
            ),
        )),
    }
}

/// A theme: one line.
pub fn theme(text: &str) -> Result<String, InvalidInput> {
    text::line("theme", text, THEME_CHARS)
}

/// An assessment of a threat, first or on review: its scores, who owns
/// it, why, and when it is next reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub scores: Scores,
    pub owner: Username,
    pub rationale: String,
    pub next_review: NaiveDate,
}

impl Assessment {
    pub fn new(
        scores: Scores,
        owner: Username,
        rationale: &str,
        next_review: NaiveDate,
    ) -> Result<Assessment, InvalidInput> {
        Ok(Assessment {
            scores,
            owner,
            rationale: text::required("rationale", rationale, text::LONG)?,
            next_review,
        })
    }

    /// Refused unless the next review falls after today and within a year.
    pub fn check_review(&self, today: NaiveDate) -> Result<(), InvalidInput> {
        let shown = self.next_review.format("%d/%m/%Y");
        if self.next_review <= today {
            return Err(InvalidInput::new(
                "next review",
                format!("{shown} is not after today: the next review is still to come"),
            ));
        }
        if (self.next_review - today).num_days() > MOST_REVIEW_DAYS {
            return Err(InvalidInput::new(
                "next review",
                format!("{shown} is more than a year away: review at least yearly"),
            ));
        }
        Ok(())
    }
}

/// The calendar quarters an intelligence volume is counted over: the
/// current one and the three before it, oldest first, each as (label,
/// first day, first day of the next).
pub fn last_four_quarters(today: NaiveDate) -> Vec<(String, NaiveDate, NaiveDate)> {
    use chrono::Datelike;
    let start = |y: i32, q: u32| NaiveDate::from_ymd_opt(y, q * 3 - 2, 1).expect("a quarter");
    let (mut y, mut q) = (today.year(), (today.month() - 1) / 3 + 1);
    let mut out = Vec::new();
    for _ in 0..4 {
        let (ny, nq) = if q == 4 { (y + 1, 1) } else { (y, q + 1) };
        out.push((format!("{y} Q{q}"), start(y, q), start(ny, nq)));
        (y, q) = if q == 1 { (y - 1, 4) } else { (y, q - 1) };
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(h: u8, l: u8, c: Confidence, cap: u8) -> Scores {
        Scores::new(h, l, c, cap).unwrap()
    }

    fn day(d: u32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn scores_follow_the_documented_formula() {
        use Confidence::*;
        // (harm, likelihood, confidence, capacity) -> (risk, gap, score)
        let table = [
            ((1, 1, Low, 5), (1, 1, 3)),
            ((5, 5, High, 1), (25, 5, 625)),
            ((5, 4, Medium, 3), (20, 3, 240)),
            ((4, 5, High, 2), (20, 4, 400)),
            ((3, 3, Low, 4), (9, 2, 54)),
            ((2, 5, High, 5), (10, 1, 50)),
        ];
        for ((h, l, c, cap), (risk, gap, score)) in table {
            let x = s(h, l, c, cap);
            assert_eq!((x.risk(), x.gap(), x.score()), (risk, gap, score), "{x:?}");
        }
    }

    #[test]
    fn low_capacity_raises_priority_and_low_confidence_lowers_it() {
        use Confidence::*;
        assert!(s(3, 3, Medium, 1).score() > s(3, 3, Medium, 5).score());
        assert!(s(3, 3, High, 3).score() > s(3, 3, Low, 3).score());
    }

    #[test]
    fn a_scale_outside_one_to_five_is_refused_by_name() {
        assert_eq!(
            Scores::new(0, 3, Confidence::Low, 3).unwrap_err().field,
            "harm"
        );
        assert_eq!(
            Scores::new(3, 6, Confidence::Low, 3).unwrap_err().field,
            "likelihood"
        );
        assert_eq!(
            Scores::new(3, 3, Confidence::Low, 9).unwrap_err().field,
            "capacity"
        );
        assert_eq!(scale("harm", " 4 ").unwrap(), 4);
        for bad in ["", "0", "6", "x", "-1", "2.5"] {
            let e = scale("harm", bad).unwrap_err();
            assert_eq!(e.field, "harm");
            assert!(e.message.contains("1 to 5"), "{}", e.message);
        }
    }

    type Threat = (&'static str, Scores, NaiveDate);

    fn order(threats: &[Threat]) -> Vec<&'static str> {
        let mut ranked: Vec<Ranked> = threats
            .iter()
            .map(|(r, scores, next_review)| Ranked {
                scores: *scores,
                next_review: *next_review,
                reference: r,
            })
            .collect();
        ranked.sort_by(priority);
        ranked.iter().map(|r| r.reference).collect()
    }

    #[test]
    fn threats_are_ordered_by_score_then_risk_harm_review_and_reference() {
        use Confidence::*;
        let d = day(1, 6);
        let table: &[(&[Threat], &[&str])] = &[
            // By score.
            (
                &[
                    ("THR-001", s(2, 2, High, 3), d),
                    ("THR-002", s(5, 5, High, 1), d),
                    ("THR-003", s(4, 4, Medium, 2), d),
                ],
                &["THR-002", "THR-003", "THR-001"],
            ),
            // Equal scores (120): the higher risk first (20 x 2 x 3 vs 12 x 2 x 5).
            (
                &[
                    ("THR-001", s(3, 4, High, 4), d),
                    ("THR-002", s(4, 5, Low, 4), d),
                ],
                &["THR-002", "THR-001"],
            ),
            // Equal score and risk: the higher harm first.
            (
                &[
                    ("THR-001", s(2, 5, High, 3), d),
                    ("THR-002", s(5, 2, High, 3), d),
                ],
                &["THR-002", "THR-001"],
            ),
            // Equal scores, risk and harm: the sooner review first.
            (
                &[
                    ("THR-001", s(4, 3, Medium, 3), day(1, 9)),
                    ("THR-002", s(4, 3, Medium, 3), day(1, 7)),
                ],
                &["THR-002", "THR-001"],
            ),
            // All equal: the older reference first, by number not by text.
            (
                &[
                    ("THR-1000", s(4, 3, Medium, 3), d),
                    ("THR-010", s(4, 3, Medium, 3), d),
                    ("THR-002", s(4, 3, Medium, 3), d),
                ],
                &["THR-002", "THR-010", "THR-1000"],
            ),
            // Low capacity lifts a middling threat over a greater one well handled.
            (
                &[
                    ("THR-001", s(5, 4, High, 5), d),
                    ("THR-002", s(3, 3, High, 1), d),
                ],
                &["THR-002", "THR-001"],
            ),
        ];
        for (threats, expected) in table {
            assert_eq!(order(threats), *expected, "{threats:?}");
        }
    }

    #[test]
    fn references_are_read_forgivingly_and_refused_clearly() {
        assert_eq!(parse_reference(" thr-7 ").unwrap(), "THR-007");
        assert_eq!(parse_reference("THR-012").unwrap(), "THR-012");
        for bad in ["", "THR-", "THR-0", "T-1", "THR-1x", "THR-1234567"] {
            assert_eq!(parse_reference(bad).unwrap_err().field, "threat", "{bad}");
        }
    }

    #[test]
    fn the_next_review_falls_after_today_and_within_a_year() {
        let a = |on| {
            Assessment::new(
                s(3, 3, Confidence::Medium, 3),
                Username::parse("sup").unwrap(),
                "why",
                on,
            )
            .unwrap()
        };
        assert!(a(day(2, 6)).check_review(day(1, 6)).is_ok());
        let e = a(day(1, 6)).check_review(day(1, 6)).unwrap_err();
        assert_eq!(e.field, "next review");
        assert!(e.message.starts_with("01/06/2026 is not after today"));
        let far = NaiveDate::from_ymd_opt(2027, 6, 3).unwrap();
        assert!(
            a(far)
                .check_review(day(1, 6))
                .unwrap_err()
                .message
                .contains("more than a year")
        );
        assert_eq!(
            Assessment::new(
                s(1, 1, Confidence::Low, 1),
                Username::parse("sup").unwrap(),
                "  ",
                day(2, 6)
            )
            .unwrap_err()
            .field,
            "rationale"
        );
    }

    #[test]
    fn the_last_four_quarters_end_with_the_current_one() {
        let q = last_four_quarters(day(15, 2));
        let labels: Vec<&str> = q.iter().map(|(l, _, _)| l.as_str()).collect();
        assert_eq!(labels, ["2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1"]);
        assert_eq!(q[3].1, day(1, 1));
        assert_eq!(q[3].2, day(1, 4));
        assert_eq!(q[2].2, q[3].1);
        let dec = last_four_quarters(day(31, 12));
        assert_eq!(dec[3].0, "2026 Q4");
        assert_eq!(dec[3].2, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
    }
}
