//! IOPC referrals: the criteria that make a referral mandatory, the matter
//! types and modes of investigation, and the referral deadline.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::codes::code_list;

code_list! {
    /// What a referral relies on: the mandatory criteria of the Police
    /// (Complaints and Misconduct) Regulations 2020, regs 4 and 7, and a
    /// force's voluntary referral.
    pub enum ReferralCriterion ("criterion") {
        DeathOrSeriousInjury = "death-or-serious-injury", "Death or serious injury";
        SeriousAssault = "serious-assault", "Serious assault";
        SeriousSexualOffence = "serious-sexual-offence", "Serious sexual offence";
        SeriousCorruption = "serious-corruption", "Serious corruption, including abuse of position for a sexual purpose or for an improper emotional relationship";
        Discrimination = "discrimination", "Discrimination-aggravated matter";
        RelevantOffence = "relevant-offence", "Relevant offence";
        ChiefOfficer = "chief-officer", "Matter about a chief officer";
        GravityOrExceptional = "gravity", "Conduct of gravity or exceptional circumstances";
        Voluntary = "voluntary", "Voluntary referral";
    }
}

impl ReferralCriterion {
    /// Whether the force must refer (every criterion but a voluntary one).
    pub fn is_mandatory(self) -> bool {
        self != ReferralCriterion::Voluntary
    }

    /// Its label up to any qualification ("Serious corruption"), where a
    /// list or a line of the diary has room for no more.
    pub fn short_label(self) -> &'static str {
        self.label().split(',').next().unwrap_or(self.label())
    }
}

code_list! {
    /// Where a referral has got: recorded, referred to the IOPC, and
    /// decided by it.
    pub enum ReferralStatus ("status") {
        Draft = "draft", "Draft";
        Referred = "referred", "Referred";
        Decided = "decided", "Decided";
    }
}

code_list! {
    pub enum MatterType ("matter type") {
        Complaint = "complaint", "Complaint";
        Conduct = "conduct", "Conduct matter";
        DeathOrSeriousInjury = "dsi", "Death or serious injury matter";
    }
}

code_list! {
    /// The IOPC's decision on how the matter is to be investigated.
    pub enum ModeOfInvestigation ("mode") {
        Independent = "independent", "Independent (by the IOPC)";
        Directed = "directed", "Directed (by the force under IOPC direction)";
        Local = "local", "Local (by the force)";
        ReferredBack = "referred-back", "Referred back to the force";
    }
}

/// "No later than the end of the day after the day it first became clear
/// that the matter must be referred". Marked "(check)" in DOMAIN.md, so it is
/// a parameter of `referral_deadline` rather than baked in.
pub const DEFAULT_DEADLINE_DAYS_AFTER: u32 = 1;

/// The exclusive deadline instant for a referral: the end of the UK day
/// `days_after` days after `became_clear` (a UK calendar date), i.e. UK
/// midnight at its close, in UTC. Beyond the calendar's range it saturates
/// at the latest representable instant.
pub fn referral_deadline(became_clear: NaiveDate, days_after: u32) -> DateTime<Utc> {
    became_clear
        .checked_add_days(Days::new(u64::from(days_after) + 1))
        .and_then(|next_day| {
            // UK clocks change at 01:00 UTC, so midnight always exists once.
            London
                .from_local_datetime(&next_day.and_time(NaiveTime::MIN))
                .earliest()
        })
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_label_stops_before_its_qualification() {
        assert_eq!(
            ReferralCriterion::SeriousCorruption.short_label(),
            "Serious corruption"
        );
        assert_eq!(
            ReferralCriterion::Voluntary.short_label(),
            "Voluntary referral"
        );
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    fn day(iso: &str) -> NaiveDate {
        NaiveDate::parse_from_str(iso, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn deadlines_are_the_end_of_a_uk_day() {
        // (why, became clear, days after, exclusive deadline)
        let table = [
            // Monday 9 February 2026: end of Tuesday 10th, GMT.
            (
                "ordinary day",
                "2026-02-09",
                DEFAULT_DEADLINE_DAYS_AFTER,
                "2026-02-11T00:00:00Z",
            ),
            // Saturday 24 October 2026: end of Sunday 25th, the day the
            // clocks go back, so the closing midnight is GMT.
            (
                "Saturday before October change",
                "2026-10-24",
                1,
                "2026-10-26T00:00:00Z",
            ),
            // Saturday 28 March 2026: end of Sunday 29th, the day the clocks
            // go forward, so the closing midnight is BST (23:00Z).
            (
                "day before March change",
                "2026-03-28",
                1,
                "2026-03-29T23:00:00Z",
            ),
            // Same day: end of Saturday 28 March, still GMT.
            ("zero days after", "2026-03-28", 0, "2026-03-29T00:00:00Z"),
            // Two days: end of Monday 30 March, BST.
            ("two days after", "2026-03-28", 2, "2026-03-30T23:00:00Z"),
            // Summer: end of 2 July, BST.
            ("summer", "2026-07-01", 1, "2026-07-02T23:00:00Z"),
        ];
        for (why, clear, days_after, deadline) in table {
            assert_eq!(
                referral_deadline(day(clear), days_after),
                at(deadline),
                "{why}"
            );
        }
        assert_eq!(
            referral_deadline(day("2026-07-01"), u32::MAX),
            DateTime::<Utc>::MAX_UTC
        );
    }

    #[test]
    fn all_criteria_but_voluntary_are_mandatory() {
        for criterion in ReferralCriterion::ALL {
            assert_eq!(
                criterion.is_mandatory(),
                *criterion != ReferralCriterion::Voluntary,
                "{criterion:?}"
            );
        }
        assert!(!ReferralCriterion::Voluntary.is_mandatory());
    }

    #[test]
    fn codes_parse() {
        assert_eq!(
            ReferralCriterion::parse("gravity").unwrap(),
            ReferralCriterion::GravityOrExceptional
        );
        assert_eq!(
            MatterType::parse("DSI").unwrap(),
            MatterType::DeathOrSeriousInjury
        );
        assert_eq!(
            ModeOfInvestigation::parse("referred back").unwrap(),
            ModeOfInvestigation::ReferredBack
        );
        assert_eq!(ModeOfInvestigation::parse("x").unwrap_err().field, "mode");
    }
}
