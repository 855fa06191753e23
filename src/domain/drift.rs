//! CHIS "status drift": information taken again and again from the same
//! named person before anyone has asked whether they are being used as a
//! covert human intelligence source (RIPA 2000 s.26(8); the CHIS Code of
//! Practice, and the inspectors' findings, DOMAIN.md). When items from one
//! named, non-anonymous source reach a count within a period, the unit is
//! told to consider it; the acknowledgement, with its reasons, is recorded.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use super::InvalidInput;
use super::permission::Declared;
use super::role::Role;
use super::text;
use super::urn::Urn;

/// Acknowledging a status drift warning, with the reasons.
pub const ACKNOWLEDGE: Declared = Declared::case_write(
    "acknowledge a status drift warning",
    &[Role::Investigator, Role::Supervisor],
);

/// Setting how many items within how many days raise the warning.
pub const SET_THRESHOLD: Declared =
    Declared::case_write("set the status drift threshold", &[Role::Supervisor]);

/// The named person an item of intelligence came from, as recorded, and the
/// form its name is matched in: case and spacing do not make a new person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePerson {
    recorded: String,
    key: String,
}

impl SourcePerson {
    pub const MAX: usize = 200;

    pub fn parse(text: &str) -> Result<SourcePerson, InvalidInput> {
        let recorded = text::line("source person", text, Self::MAX)?;
        Ok(SourcePerson {
            key: SourcePerson::key_of(&recorded),
            recorded,
        })
    }

    /// The matching form: words separated by single spaces, lower case.
    pub fn key_of(text: &str) -> String {
        text.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The name as it was recorded.
    pub fn as_recorded(&self) -> &str {
        &self.recorded
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for SourcePerson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.recorded)
    }
}

/// How many items from one named person within how many days raise the
/// warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriftThreshold {
    pub count: u32,
    pub days: u32,
}

impl DriftThreshold {
    pub const DEFAULT: DriftThreshold = DriftThreshold { count: 3, days: 90 };
    pub const COUNT_RANGE: std::ops::RangeInclusive<u32> = 2..=20;
    pub const DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=730;

    pub fn new(count: u32, days: u32) -> Result<DriftThreshold, InvalidInput> {
        if !Self::COUNT_RANGE.contains(&count) {
            return Err(InvalidInput::new(
                "count",
                format!(
                    "{count} items cannot be right: the warning is raised at {} to {} items from one person",
                    Self::COUNT_RANGE.start(),
                    Self::COUNT_RANGE.end()
                ),
            ));
        }
        if !Self::DAYS_RANGE.contains(&days) {
            return Err(InvalidInput::new(
                "days",
                format!(
                    "a period of {days} days cannot be right: it is {} to {} days",
                    Self::DAYS_RANGE.start(),
                    Self::DAYS_RANGE.end()
                ),
            ));
        }
        Ok(DriftThreshold { count, days })
    }
}

/// One item with a named source, as the rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcedItem {
    pub urn: Urn,
    /// The name as recorded on this item.
    pub person: String,
    pub received_at: DateTime<Utc>,
    /// Whether an earlier acknowledgement already took this item into account.
    pub acknowledged: bool,
}

/// A warning: one person, and the items that reach the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The matching form of the name.
    pub key: String,
    /// The name as recorded on the earliest of the items.
    pub person: String,
    /// Every item in a period that reaches the count, oldest first.
    pub items: Vec<Urn>,
}

/// Which people reach the threshold: for each (matched) name, the items
/// that lie in some period of `threshold.days` days (from the first to the
/// last received, inclusive) holding at least `threshold.count` items. A
/// person is warned of only if one of those items is not yet acknowledged:
/// an acknowledgement holds until a further item arrives. People in order
/// of their names' matching form.
pub fn drift(items: &[SourcedItem], threshold: DriftThreshold) -> Vec<Drift> {
    let mut by_person: std::collections::BTreeMap<String, Vec<&SourcedItem>> = Default::default();
    for item in items {
        by_person
            .entry(SourcePerson::key_of(&item.person))
            .or_default()
            .push(item);
    }
    let period = Duration::days(i64::from(threshold.days));
    let count = threshold.count.max(1) as usize;
    let mut warnings = Vec::new();
    for (key, mut items) in by_person {
        items.sort_by(|a, b| {
            a.received_at
                .cmp(&b.received_at)
                .then_with(|| a.urn.to_string().cmp(&b.urn.to_string()))
        });
        let mut warned = vec![false; items.len()];
        let mut end = 0;
        for start in 0..items.len() {
            end = end.max(start);
            while end + 1 < items.len()
                && items[end + 1].received_at - items[start].received_at <= period
            {
                end += 1;
            }
            if end + 1 - start >= count {
                warned[start..=end].iter_mut().for_each(|w| *w = true);
            }
        }
        let reached: Vec<&SourcedItem> = items
            .iter()
            .zip(&warned)
            .filter(|(_, w)| **w)
            .map(|(i, _)| *i)
            .collect();
        if reached.iter().any(|i| !i.acknowledged) {
            warnings.push(Drift {
                key,
                person: reached[0].person.clone(),
                items: reached.iter().map(|i| i.urn).collect(),
            });
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::urn::UrnKind;
    use chrono::TimeZone;

    fn day(d: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap() + Duration::days(d)
    }

    fn urn(n: u32) -> Urn {
        Urn::parse(UrnKind::Intelligence, &format!("INT-2026-{n:05}")).unwrap()
    }

    fn item(n: u32, person: &str, at: DateTime<Utc>) -> SourcedItem {
        SourcedItem {
            urn: urn(n),
            person: person.into(),
            received_at: at,
            acknowledged: false,
        }
    }

    const T: DriftThreshold = DriftThreshold::DEFAULT;

    #[test]
    fn warns_at_the_count_and_not_one_below() {
        let two = [item(1, "Jo Bloggs", day(0)), item(2, "Jo Bloggs", day(10))];
        assert_eq!(drift(&two, T), []);
        let three = [
            item(1, "Jo Bloggs", day(0)),
            item(2, "Jo Bloggs", day(10)),
            item(3, "Jo Bloggs", day(20)),
        ];
        let warned = drift(&three, T);
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].person, "Jo Bloggs");
        assert_eq!(warned[0].items, [urn(1), urn(2), urn(3)]);
    }

    #[test]
    fn the_period_includes_its_last_moment_and_nothing_after() {
        let on_edge = [
            item(1, "A", day(0)),
            item(2, "A", day(45)),
            item(3, "A", day(90)),
        ];
        assert_eq!(drift(&on_edge, T).len(), 1);
        let past_edge = [
            item(1, "A", day(0)),
            item(2, "A", day(45)),
            item(3, "A", day(90) + Duration::seconds(1)),
        ];
        assert_eq!(drift(&past_edge, T), []);
    }

    #[test]
    fn any_window_counts_and_only_its_items_are_named() {
        // Days 0 and 200 are alone; 100, 150 and 180 are three within 90.
        let items = [
            item(1, "A", day(0)),
            item(2, "A", day(100)),
            item(3, "A", day(150)),
            item(4, "A", day(180)),
            item(5, "A", day(400)),
        ];
        let warned = drift(&items, T);
        assert_eq!(warned[0].items, [urn(2), urn(3), urn(4)]);
        // The order they were given in does not matter.
        let mut reversed = items.to_vec();
        reversed.reverse();
        assert_eq!(drift(&reversed, T), warned);
    }

    #[test]
    fn spellings_differing_in_case_and_spacing_are_one_person() {
        let items = [
            item(1, "Jo Bloggs", day(0)),
            item(2, "  jo   BLOGGS ", day(1)),
            item(3, "JO\tBloggs", day(2)),
            item(4, "Joe Bloggs", day(3)),
        ];
        let warned = drift(&items, T);
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].key, "jo bloggs");
        assert_eq!(warned[0].person, "Jo Bloggs");
        assert_eq!(warned[0].items, [urn(1), urn(2), urn(3)]);
    }

    #[test]
    fn different_people_are_counted_apart() {
        let items = [
            item(1, "A", day(0)),
            item(2, "B", day(1)),
            item(3, "A", day(2)),
            item(4, "B", day(3)),
        ];
        assert_eq!(drift(&items, T), []);
        let two = DriftThreshold::new(2, 5).unwrap();
        let warned: Vec<String> = drift(&items, two).into_iter().map(|d| d.key).collect();
        assert_eq!(warned, ["a", "b"]);
    }

    #[test]
    fn an_acknowledgement_holds_until_a_further_item_arrives() {
        let mut items = vec![
            item(1, "A", day(0)),
            item(2, "A", day(1)),
            item(3, "A", day(2)),
        ];
        for i in &mut items {
            i.acknowledged = true;
        }
        assert_eq!(drift(&items, T), []);
        items.push(item(4, "A", day(3)));
        assert_eq!(drift(&items, T)[0].items.len(), 4);
        // A further item outside every window reaching the count is no
        // new warning.
        items.pop();
        items.push(item(5, "A", day(300)));
        assert_eq!(drift(&items, T), []);
    }

    #[test]
    fn the_threshold_is_range_checked() {
        assert_eq!(DriftThreshold::new(3, 90).unwrap(), DriftThreshold::DEFAULT);
        assert_eq!(DriftThreshold::new(1, 90).unwrap_err().field, "count");
        assert_eq!(DriftThreshold::new(21, 90).unwrap_err().field, "count");
        assert_eq!(DriftThreshold::new(3, 0).unwrap_err().field, "days");
        assert!(
            DriftThreshold::new(3, 731)
                .unwrap_err()
                .message
                .contains("1 to 730 days")
        );
    }

    #[test]
    fn a_source_person_is_one_line_matched_without_case_or_spacing() {
        let p = SourcePerson::parse("  Jo  Bloggs ").unwrap();
        assert_eq!(p.as_recorded(), "Jo  Bloggs");
        assert_eq!(p.key(), "jo bloggs");
        assert_eq!(SourcePerson::parse("").unwrap_err().field, "source person");
        assert!(SourcePerson::parse("Jo\nBloggs").is_err());
    }
}
