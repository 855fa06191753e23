//! Covert authorisations: who may grant each type, how long it lasts, when it
//! ends, renewals and reviews. The statutory table is kept as data so that a
//! reader can check it against the law line by line.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::InvalidInput;
use super::account::Rank;
use super::codes::code_list;
use super::time::{uk_date, uk_datetime};

code_list! {
    /// The kinds of covert authorisation the unit records.
    pub enum AuthorisationType ("authorisation type") {
        DirectedSurveillance = "directed-surveillance", "Directed surveillance";
        IntrusiveSurveillance = "intrusive-surveillance", "Intrusive surveillance";
        Chis = "chis", "Covert human intelligence source (CHIS)";
        JuvenileChis = "juvenile-chis", "Juvenile CHIS";
        PropertyInterference = "property-interference", "Property interference";
        CommunicationsData = "communications-data", "Communications data";
    }
}

/// How long a (non-urgent) grant or renewal lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A period of this many months "beginning with the day" it takes effect.
    Months(u32),
}

/// Whether a Judicial Commissioner must approve before the authorisation
/// takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JudicialApproval {
    NotNeeded,
    /// Never in effect until approved (intrusive surveillance, RIPA s.36).
    Always,
    /// Prior approval where the property is a dwelling, hotel bedroom or
    /// office, or the interference is likely to obtain privileged or
    /// confidential material (Police Act 1997 s.97).
    ForProtectedPremises,
}

/// A fact of the law the rules rest on, with where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    pub fact: &'static str,
    pub source: &'static str,
    /// True only where the source itself was read; false where DOMAIN.md
    /// marks the fact "(check)": our best reading, awaiting confirmation by
    /// the force's legal adviser.
    pub checked: bool,
}

/// One row of the statutory table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorisationRules {
    pub kind: AuthorisationType,
    /// The lowest rank that may grant or renew.
    pub authorising_rank: Rank,
    /// The lowest rank that may grant in an urgent case, where the law sets
    /// a different one; `None` means the same rank as a normal grant.
    pub urgent_authorising_rank: Option<Rank>,
    /// The lowest rank that may grant or renew where confidential or legally
    /// privileged material is likely to be obtained (Annex A of the Codes:
    /// see [`CONFIDENTIAL_RANK_SOURCE`]); `None` where the ordinary rank is
    /// already the highest or the Codes set none.
    pub confidential_rank: Option<Rank>,
    pub period: Period,
    pub judicial_approval: JudicialApproval,
    /// A review must precede any renewal (RIPA s.43(6)).
    pub review_before_renewal: bool,
    /// The longest the review frequency set at grant may be, in days, where
    /// the law sets one.
    pub most_days_between_reviews: Option<u32>,
    /// Where the rank and the rule come from, shown with any refusal.
    pub source: &'static str,
    /// Whether the authorising rank was read in its source.
    pub rank_checked: bool,
    /// Where the period comes from.
    pub period_source: &'static str,
    /// Whether the period was read in its source.
    pub period_checked: bool,
    /// What else the law requires of this type, as the case file shows it
    /// to the applicant and the authorising officer.
    pub safeguards: &'static [Fact],
}

/// Where the higher rank for likely confidential or legally privileged
/// material comes from. The ranks are our reading, marked "(check the
/// ranks)" in DOMAIN.md, so the stricter one is taken.
pub const CONFIDENTIAL_RANK_SOURCE: Fact = Fact {
    fact: "a higher authorising level where confidential or legally privileged material is likely",
    source: "Covert Surveillance and Property Interference Code and CHIS Code, Annex A",
    checked: false,
};

/// The central record is kept at least this many years from the end of
/// each authorisation, and only then may it be reviewed for destruction.
/// Nothing is ever deleted by ccu: this is the earliest date a person may
/// consider it.
pub const CENTRAL_RECORD_RETENTION_YEARS: u32 = 3;

pub const CENTRAL_RECORD_RETENTION: Fact = Fact {
    fact: "the central record is retained at least 3 years from the end of each authorisation",
    source: "Covert Surveillance and Property Interference Code, ch. 8",
    checked: true,
};

/// Reviews of a juvenile CHIS "at least monthly": 28 days, so that a review
/// always falls within a calendar month of the last.
pub const JUVENILE_CHIS_MOST_DAYS_BETWEEN_REVIEWS: u32 = 28;

/// What the law adds for a juvenile CHIS (a source under 18).
pub const JUVENILE_CHIS_SAFEGUARDS: &[Fact] = &[
    Fact {
        fact: "an enhanced risk assessment, covering the source's physical and psychological welfare",
        source: "RIPA (Juveniles) Order 2000 (SI 2000/2793), as amended",
        checked: false,
    },
    Fact {
        fact: "a source under 16 is never authorised to act against their parent or anyone with parental responsibility",
        source: "SI 2000/2793 arts 3-4",
        checked: true,
    },
    Fact {
        fact: "a source under 16 meets the handler only with an appropriate adult present",
        source: "SI 2000/2793 arts 3-4",
        checked: true,
    },
    Fact {
        fact: "reviewed at least monthly (every 28 days at most)",
        source: "CHIS Code, juvenile sources",
        checked: false,
    },
];

/// The statutory table, one row per type (a test holds us to that).
pub const AUTHORISATION_RULES: &[AuthorisationRules] = &[
    AuthorisationRules {
        kind: AuthorisationType::DirectedSurveillance,
        authorising_rank: Rank::Superintendent,
        urgent_authorising_rank: Some(Rank::Inspector),
        confidential_rank: Some(Rank::ChiefConstable),
        period: Period::Months(3),
        judicial_approval: JudicialApproval::NotNeeded,
        review_before_renewal: false,
        most_days_between_reviews: None,
        source: "RIPA 2000 s.28, s.43(3)(c)",
        rank_checked: true,
        period_source: "RIPA 2000 s.43(3)(c)",
        period_checked: true,
        safeguards: &[],
    },
    AuthorisationRules {
        kind: AuthorisationType::IntrusiveSurveillance,
        authorising_rank: Rank::ChiefConstable,
        urgent_authorising_rank: None,
        confidential_rank: None,
        period: Period::Months(3),
        judicial_approval: JudicialApproval::Always,
        review_before_renewal: false,
        most_days_between_reviews: None,
        source: "RIPA 2000 ss.32, 36, 43(3)(c)",
        rank_checked: true,
        period_source: "RIPA 2000 s.43(3)(c), from the day it takes effect (s.36(2))",
        period_checked: true,
        safeguards: &[],
    },
    AuthorisationRules {
        kind: AuthorisationType::Chis,
        authorising_rank: Rank::Superintendent,
        urgent_authorising_rank: None,
        confidential_rank: Some(Rank::ChiefConstable),
        period: Period::Months(12),
        judicial_approval: JudicialApproval::NotNeeded,
        review_before_renewal: true,
        most_days_between_reviews: None,
        source: "RIPA 2000 s.29, s.43(3)(b)",
        rank_checked: true,
        period_source: "RIPA 2000 s.43(3)(b)",
        period_checked: true,
        safeguards: &[],
    },
    // DOMAIN.md gives the four months a source (SI 2018/715, which extended
    // it from one month) but still marks the rank "(check)": Assistant Chief
    // Constable is the stricter of the readings in circulation, and until
    // confirmed the stricter rank is the safe one.
    AuthorisationRules {
        kind: AuthorisationType::JuvenileChis,
        authorising_rank: Rank::AssistantChiefConstable,
        urgent_authorising_rank: None,
        confidential_rank: Some(Rank::ChiefConstable),
        period: Period::Months(4),
        judicial_approval: JudicialApproval::NotNeeded,
        review_before_renewal: true,
        most_days_between_reviews: Some(JUVENILE_CHIS_MOST_DAYS_BETWEEN_REVIEWS),
        source: "RIPA 2000 s.29; RIPA (Juveniles) Order 2000 as amended",
        rank_checked: false,
        period_source: "RIPA (Juveniles) Order 2000 as amended by SI 2018/715",
        period_checked: true,
        safeguards: JUVENILE_CHIS_SAFEGUARDS,
    },
    // Three months "(check s.95)" in DOMAIN.md.
    AuthorisationRules {
        kind: AuthorisationType::PropertyInterference,
        authorising_rank: Rank::ChiefConstable,
        urgent_authorising_rank: None,
        confidential_rank: None,
        period: Period::Months(3),
        judicial_approval: JudicialApproval::ForProtectedPremises,
        review_before_renewal: false,
        most_days_between_reviews: None,
        source: "Police Act 1997 ss.93, 95, 97",
        rank_checked: true,
        period_source: "Police Act 1997 s.95",
        period_checked: false,
        safeguards: &[],
    },
    // Communications data is normally authorised by the Office for
    // Communications Data Authorisations, which is not a police rank at all;
    // only an urgent case goes to the force's designated senior officer
    // (IPA s.61A). Inspector stands in for both until the model can name the
    // OCDA, hence the rank is unchecked; the periods are read in s.65.
    AuthorisationRules {
        kind: AuthorisationType::CommunicationsData,
        authorising_rank: Rank::Inspector,
        urgent_authorising_rank: None,
        confidential_rank: None,
        period: Period::Months(1),
        judicial_approval: JudicialApproval::NotNeeded,
        review_before_renewal: false,
        most_days_between_reviews: None,
        source: "IPA 2016 Part 3",
        rank_checked: false,
        period_source: "IPA 2016 s.65(1), (3); urgent: s.65(3A)",
        period_checked: true,
        safeguards: &[],
    },
];

/// An urgent (oral) grant runs this many hours from the instant of grant
/// (RIPA s.43(3)(a)): elapsed time, not calendar days.
pub const URGENT_DURATION_HOURS: i64 = 72;

/// An urgent communications data authorisation (IPA 2016 s.61A) ceases "at
/// the end of the period of 3 days beginning with the date on which it is
/// granted" (s.65(3A)): calendar days, the day of grant being the first,
/// not 72 hours from the instant.
pub const URGENT_COMMUNICATIONS_DATA_DAYS: u64 = 3;

/// The row of the statutory table for `kind`.
pub fn rules(kind: AuthorisationType) -> &'static AuthorisationRules {
    AUTHORISATION_RULES
        .iter()
        .find(|row| row.kind == kind)
        .expect("every authorisation type has a row in AUTHORISATION_RULES")
}

/// The exclusive end instant (UTC) of an authorisation that takes effect at
/// `effective_from`: if urgent, 72 hours later (RIPA s.43(3)(a)), or for
/// communications data the end of the third UK day counting the day of
/// grant (IPA s.65(3A)); otherwise the end of its period.
pub fn ends_at(
    kind: AuthorisationType,
    effective_from: DateTime<Utc>,
    urgent: bool,
) -> DateTime<Utc> {
    if urgent && kind == AuthorisationType::CommunicationsData {
        return uk_date(effective_from)
            .checked_add_days(Days::new(URGENT_COMMUNICATIONS_DATA_DAYS))
            .map(uk_day_start)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
    }
    if urgent {
        return effective_from
            .checked_add_signed(TimeDelta::hours(URGENT_DURATION_HOURS))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
    }
    match rules(kind).period {
        Period::Months(months) => period_end(effective_from, months),
    }
}

/// Whether an authorisation of `kind` is in effect only once a Judicial
/// Commissioner's approval has been given and notified to the grantor:
/// always for intrusive surveillance (RIPA s.36(2)), and for property
/// interference at protected premises or likely to obtain privileged or
/// confidential material (Police Act 1997 s.97(1)).
pub fn needs_judicial_approval(kind: AuthorisationType, protected_premises: bool) -> bool {
    match rules(kind).judicial_approval {
        JudicialApproval::NotNeeded => false,
        JudicialApproval::Always => true,
        JudicialApproval::ForProtectedPremises => protected_premises,
    }
}

/// When an authorisation needing a Judicial Commissioner's approval, granted
/// at `granted_at`, takes effect and ends, given that the approval was given
/// and notified to the grantor at `approved_at` (recorded at `now`).
///
/// It takes effect only then (RIPA s.36(2), Police Act 1997 s.97(1)), and
/// its period begins with the day it takes effect (RIPA s.43(3)), so the
/// end, and every review and renewal after it, is timed from the approval.
/// An urgent grant is the exception: its 72 hours run from the grant itself,
/// the earlier of the two readings, so it never shows as live after its
/// legal end.
pub fn approval(
    kind: AuthorisationType,
    urgent: bool,
    granted_at: DateTime<Utc>,
    approved_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), InvalidInput> {
    if approved_at > now {
        return Err(InvalidInput::new(
            "approved at",
            "the approval cannot be recorded before it is given",
        ));
    }
    if approved_at < granted_at {
        return Err(InvalidInput::new(
            "approved at",
            "a Judicial Commissioner approves a grant already made: the approval cannot be before the grant",
        ));
    }
    if urgent {
        return Ok((granted_at, ends_at(kind, granted_at, true)));
    }
    Ok((approved_at, ends_at(kind, approved_at, false)))
}

/// The exclusive end instant of a period of `months` months "beginning with
/// the day" on which `effective_from` falls in the UK.
///
/// The day of effect is day one, so the period ends at the end of the day
/// before the corresponding day `months` months on (15 January + 3 months
/// ends at the end of 14 April). Where that month has no corresponding day
/// (30 November + 3 months: no 30 February) the law can be read two ways;
/// we take the earlier, ending at the end of the day before the month's last
/// day, because showing an authorisation as live after its legal end is the
/// worse mistake. (chrono's own month arithmetic clamps to the last day,
/// which is the later reading, so it is not used here.)
///
/// Beyond the calendar's range (some 260,000 years) this saturates at the
/// latest representable instant, which is still no later than the true end.
pub fn period_end(effective_from: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    end_boundary_date(uk_date(effective_from), months)
        .map(uk_day_start)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The first UK day on which a period of `months` months beginning with
/// `first_day` is no longer in effect.
fn end_boundary_date(first_day: NaiveDate, months: u32) -> Option<NaiveDate> {
    let index =
        i64::from(first_day.year()) * 12 + i64::from(first_day.month0()) + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    match NaiveDate::from_ymd_opt(year, month, first_day.day()) {
        // The corresponding day exists: the period ended the day before it.
        Some(corresponding) => Some(corresponding),
        // It does not: the period ended the day before the month's last day,
        // so the month's last day is the first day outside it.
        None => (28..=31)
            .rev()
            .find_map(|day| NaiveDate::from_ymd_opt(year, month, day)),
    }
}

/// The instant a UK calendar day begins (midnight Europe/London), in UTC.
/// Saturates at the latest representable instant beyond the calendar's range.
fn uk_day_start(day: NaiveDate) -> DateTime<Utc> {
    London
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        // UK clocks change at 01:00 UTC, so midnight is never skipped or
        // repeated; the saturation is for the edge of the calendar's range.
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The last UK calendar day on which an authorisation ending (exclusively)
/// at `ends_at` is in effect, for display: "ends at the end of 14 April 2026".
/// For an urgent grant, which ends mid-day, this is the day it lapses.
pub fn last_day(ends_at: DateTime<Utc>) -> NaiveDate {
    // The end is exclusive: the last moment in effect is just before it.
    let last_moment = ends_at
        .checked_sub_signed(TimeDelta::nanoseconds(1))
        .unwrap_or(ends_at);
    uk_date(last_moment)
}

/// When a renewal granted at `renewed_at` takes effect and ends. The
/// period in effect runs from `period_start` (the grant, or the latest
/// renewal taking effect) to `current_end`: a renewal is made within it,
/// once, before it ends. It takes effect at `current_end` and runs a full
/// new (non-urgent) period beginning with that day. A period renewed
/// already has its successor waiting (`period_start` still to come), and
/// renewing again would add a period nobody has yet needed.
pub fn renewal(
    kind: AuthorisationType,
    period_start: DateTime<Utc>,
    current_end: DateTime<Utc>,
    renewed_at: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), InvalidInput> {
    if renewed_at >= current_end {
        return Err(InvalidInput::new(
            "renewal",
            "an authorisation can be renewed only before it ends",
        ));
    }
    if renewed_at < period_start {
        return Err(InvalidInput::new(
            "renewal",
            format!(
                "the period in effect is renewed already: the next begins {} and runs to {}; renew again once it has begun",
                uk_datetime(period_start),
                uk_datetime(current_end),
            ),
        ));
    }
    Ok((current_end, ends_at(kind, current_end, false)))
}

/// When the next review is due: the end of the UK day `every_days` days
/// after the UK date of `from` (the grant or the last review), as an
/// exclusive instant. Officers think of review dates as days, so a review
/// done at any time on the due day is on time.
pub fn review_due(from: DateTime<Utc>, every_days: u32) -> DateTime<Utc> {
    uk_date(from)
        .checked_add_days(Days::new(u64::from(every_days) + 1))
        .map(uk_day_start)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether an officer of `rank` may grant (or renew) an authorisation of
/// `kind`, urgently or not, and where confidential or legally privileged
/// material is likely (`confidential`) or not.
pub fn check_authorising_rank(
    kind: AuthorisationType,
    rank: Rank,
    urgent: bool,
    confidential: bool,
) -> Result<(), InvalidInput> {
    let row = rules(kind);
    let needed = match (urgent, row.urgent_authorising_rank) {
        (true, Some(urgent_rank)) => urgent_rank,
        _ => row.authorising_rank,
    };
    // The higher level for confidential material applies urgent or not.
    if confidential
        && let Some(higher) = row.confidential_rank
        && rank < higher
    {
        return Err(InvalidInput::new(
            "rank",
            format!(
                "{} likely to obtain confidential or legally privileged material must be authorised at the rank of {} or above, not {} ({})",
                row.kind.label(),
                higher.as_str(),
                rank.as_str(),
                CONFIDENTIAL_RANK_SOURCE.source,
            ),
        ));
    }
    if rank >= needed {
        return Ok(());
    }
    let urgency = if urgent { " in an urgent case" } else { "" };
    // Say when urgency would have let a lower rank grant it, so the officer
    // knows the difference is the urgency and not the rank alone.
    let hint = match row.urgent_authorising_rank {
        Some(urgent_rank) if !urgent && rank >= urgent_rank => {
            format!(" ({} or above only if urgent)", urgent_rank.as_str())
        }
        _ => String::new(),
    };
    Err(InvalidInput::new(
        "rank",
        format!(
            "{}{urgency} must be authorised at the rank of {} or above{hint}, not {} ({})",
            row.kind.label(),
            needed.as_str(),
            rank.as_str(),
            row.source,
        ),
    ))
}

/// Checks the review frequency set at grant: 1 to 366 days, and no longer
/// than the law allows for the type (a juvenile CHIS at least monthly).
pub fn check_review_frequency(kind: AuthorisationType, days: u32) -> Result<(), InvalidInput> {
    if days == 0 || days > 366 {
        return Err(InvalidInput::new(
            "review frequency",
            "must be between 1 and 366 days",
        ));
    }
    match rules(kind).most_days_between_reviews {
        Some(most) if days > most => Err(InvalidInput::new(
            "review frequency",
            format!(
                "a {} is reviewed at least monthly: every {most} days at most, not {days}",
                kind.label()
            ),
        )),
        _ => Ok(()),
    }
}

/// The first UK day on which the central record entry of an authorisation
/// that ended (exclusively) at `ended_at` may be reviewed for destruction:
/// the day after [`CENTRAL_RECORD_RETENTION_YEARS`] years from its last
/// day in effect. A 29 February with no anniversary gives 28 February's
/// next day, 1 March. Nothing is deleted: this only says when a person may
/// first consider it.
pub fn destruction_review_from(ended_at: DateTime<Utc>) -> NaiveDate {
    let last = last_day(ended_at);
    let years = CENTRAL_RECORD_RETENTION_YEARS as i32;
    let anniversary = NaiveDate::from_ymd_opt(last.year() + years, last.month(), last.day())
        .or_else(|| NaiveDate::from_ymd_opt(last.year() + years, last.month(), 28))
        .unwrap_or(NaiveDate::MAX);
    anniversary.succ_opt().unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AuthorisationType::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    fn day(iso: &str) -> NaiveDate {
        NaiveDate::parse_from_str(iso, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn every_type_has_exactly_one_row() {
        for kind in AuthorisationType::ALL {
            let rows = AUTHORISATION_RULES
                .iter()
                .filter(|r| r.kind == *kind)
                .count();
            assert_eq!(rows, 1, "{kind:?}");
        }
        assert_eq!(AUTHORISATION_RULES.len(), AuthorisationType::ALL.len());
    }

    #[test]
    fn the_table_as_data() {
        assert_eq!(
            rules(DirectedSurveillance).urgent_authorising_rank,
            Some(Rank::Inspector)
        );
        assert_eq!(
            rules(IntrusiveSurveillance).judicial_approval,
            JudicialApproval::Always
        );
        assert_eq!(
            rules(PropertyInterference).judicial_approval,
            JudicialApproval::ForProtectedPremises
        );
        assert!(rules(Chis).review_before_renewal);
        assert!(rules(JuvenileChis).review_before_renewal);
        assert!(!rules(DirectedSurveillance).review_before_renewal);
        let unchecked_ranks: Vec<_> = AUTHORISATION_RULES
            .iter()
            .filter(|r| !r.rank_checked)
            .map(|r| r.kind)
            .collect();
        assert_eq!(unchecked_ranks, [JuvenileChis, CommunicationsData]);
        let unchecked_periods: Vec<_> = AUTHORISATION_RULES
            .iter()
            .filter(|r| !r.period_checked)
            .map(|r| r.kind)
            .collect();
        assert_eq!(unchecked_periods, [PropertyInterference]);
        // SI 2018/715: four months for a juvenile CHIS, not one.
        assert_eq!(rules(JuvenileChis).period, Period::Months(4));
        assert!(rules(JuvenileChis).period_source.contains("SI 2018/715"));
        assert_eq!(rules(JuvenileChis).most_days_between_reviews, Some(28));
        assert_eq!(rules(JuvenileChis).safeguards.len(), 4);
        const { assert!(CENTRAL_RECORD_RETENTION.checked) };
        const { assert!(!CONFIDENTIAL_RANK_SOURCE.checked) };
    }

    #[test]
    fn authorisations_end_at_the_end_of_the_right_uk_day() {
        // (why, type, takes effect, urgent, exclusive end instant, last day in effect)
        let table: &[(&str, AuthorisationType, &str, bool, &str, &str)] = &[
            // Ordinary: beginning with 15 January, ends at the end of 14 April
            // (BST by then, so UK midnight is 23:00Z).
            (
                "ordinary",
                DirectedSurveillance,
                "2026-01-15T09:00:00Z",
                false,
                "2026-04-14T23:00:00Z",
                "2026-04-14",
            ),
            // Granted at 00:30 BST on 1 July, which is still 30 June in UTC:
            // the period begins with 1 July.
            (
                "late night BST",
                DirectedSurveillance,
                "2026-06-30T23:30:00Z",
                false,
                "2026-09-30T23:00:00Z",
                "2026-09-30",
            ),
            // Midnight UK time exactly is the start of that day.
            (
                "at UK midnight",
                DirectedSurveillance,
                "2026-01-15T00:00:00Z",
                false,
                "2026-04-14T23:00:00Z",
                "2026-04-14",
            ),
            // One second before UK midnight is still the previous day.
            (
                "just before UK midnight",
                DirectedSurveillance,
                "2026-01-14T23:59:59Z",
                false,
                "2026-04-13T23:00:00Z",
                "2026-04-13",
            ),
            // No 30 February: the earlier reading, end of 27 February.
            (
                "30 Nov, no 30 Feb",
                DirectedSurveillance,
                "2026-11-30T10:00:00Z",
                false,
                "2027-02-28T00:00:00Z",
                "2027-02-27",
            ),
            // 28 November has a corresponding day: also end of 27 February.
            (
                "28 Nov",
                DirectedSurveillance,
                "2026-11-28T10:00:00Z",
                false,
                "2027-02-28T00:00:00Z",
                "2027-02-27",
            ),
            // No 31 April: end of 29 April (BST).
            (
                "31 Jan, no 31 Apr",
                DirectedSurveillance,
                "2027-01-31T10:00:00Z",
                false,
                "2027-04-29T23:00:00Z",
                "2027-04-29",
            ),
            // 12-month CHIS from 31 March: 31 March exists next year.
            (
                "CHIS 31 Mar",
                Chis,
                "2026-03-31T09:00:00Z",
                false,
                "2027-03-30T23:00:00Z",
                "2027-03-30",
            ),
            // Leap day as start: no 29 February 2029, so end of 27 February.
            (
                "CHIS from 29 Feb",
                Chis,
                "2028-02-29T12:00:00Z",
                false,
                "2029-02-28T00:00:00Z",
                "2029-02-27",
            ),
            // Leap year as target: no 30 February 2028, whose last day is
            // the 29th, so end of 28 February.
            (
                "30 Nov into leap Feb",
                DirectedSurveillance,
                "2027-11-30T10:00:00Z",
                false,
                "2028-02-29T00:00:00Z",
                "2028-02-28",
            ),
            // 29 February 2028 exists, so end of the day before it.
            (
                "29 Nov into leap Feb",
                DirectedSurveillance,
                "2027-11-29T10:00:00Z",
                false,
                "2028-02-29T00:00:00Z",
                "2028-02-28",
            ),
            // Ends on 28 March 2026, the day before the clocks go forward:
            // UK midnight is still GMT.
            (
                "ends before March change",
                DirectedSurveillance,
                "2025-12-29T10:00:00Z",
                false,
                "2026-03-29T00:00:00Z",
                "2026-03-28",
            ),
            // Ends at the end of 29 March 2026, the day the clocks go
            // forward: the next midnight is BST.
            (
                "ends on March change",
                DirectedSurveillance,
                "2025-12-30T10:00:00Z",
                false,
                "2026-03-29T23:00:00Z",
                "2026-03-29",
            ),
            // Ends at the end of 24 October 2026, still BST.
            (
                "ends before October change",
                IntrusiveSurveillance,
                "2026-07-25T08:00:00Z",
                false,
                "2026-10-24T23:00:00Z",
                "2026-10-24",
            ),
            // Ends at the end of 25 October 2026, the day the clocks go
            // back: the next midnight is GMT.
            (
                "ends on October change",
                PropertyInterference,
                "2026-07-26T08:00:00Z",
                false,
                "2026-10-26T00:00:00Z",
                "2026-10-25",
            ),
            // One month of communications data.
            (
                "comms data",
                CommunicationsData,
                "2026-01-15T09:00:00Z",
                false,
                "2026-02-15T00:00:00Z",
                "2026-02-14",
            ),
            // One month from 31 January: no 31 February, end of 27 February.
            (
                "comms data 31 Jan",
                CommunicationsData,
                "2026-01-31T09:00:00Z",
                false,
                "2026-02-28T00:00:00Z",
                "2026-02-27",
            ),
            // Four months of juvenile CHIS.
            (
                "juvenile CHIS",
                JuvenileChis,
                "2026-01-15T09:00:00Z",
                false,
                "2026-05-14T23:00:00Z",
                "2026-05-14",
            ),
            // Urgent: 72 hours of elapsed time, though the UK clock shows 73
            // because the clocks go forward on 29 March.
            (
                "urgent over March change",
                DirectedSurveillance,
                "2026-03-28T10:00:00Z",
                true,
                "2026-03-31T10:00:00Z",
                "2026-03-31",
            ),
            // Urgent: 72 hours, though the UK clock shows 71 because the
            // clocks go back on 25 October.
            (
                "urgent over October change",
                DirectedSurveillance,
                "2026-10-24T10:00:00Z",
                true,
                "2026-10-27T10:00:00Z",
                "2026-10-27",
            ),
            // Urgent rules are the same for every type.
            (
                "urgent CHIS",
                Chis,
                "2026-01-15T09:00:00Z",
                true,
                "2026-01-18T09:00:00Z",
                "2026-01-18",
            ),
        ];
        for (why, kind, from, urgent, end, last) in table {
            let got = ends_at(*kind, at(from), *urgent);
            assert_eq!(got, at(end), "{why}");
            assert_eq!(last_day(got), day(last), "{why}");
        }
    }

    #[test]
    fn urgent_communications_data_ends_with_its_third_uk_day_ipa_s65_3a() {
        // (why, granted, exclusive end, last day in effect): three days
        // beginning with the date of grant, not 72 hours from the instant.
        let table = [
            // 10:00 on 15 January: ends at the end of 17 January, not at
            // 10:00 on 18 January.
            (
                "morning",
                "2026-01-15T10:00:00Z",
                "2026-01-18T00:00:00Z",
                "2026-01-17",
            ),
            // One minute before UK midnight still counts 15 January as day one.
            (
                "just before midnight",
                "2026-01-15T23:59:00Z",
                "2026-01-18T00:00:00Z",
                "2026-01-17",
            ),
            // 00:30 BST on 1 July is 30 June in UTC: the UK date is day one.
            (
                "late night BST",
                "2026-06-30T23:30:00Z",
                "2026-07-03T23:00:00Z",
                "2026-07-03",
            ),
            // Over the March change: the end of 30 March is 23:00Z (BST).
            (
                "over March change",
                "2026-03-28T10:00:00Z",
                "2026-03-30T23:00:00Z",
                "2026-03-30",
            ),
            // Over the October change: the end of 26 October is midnight GMT.
            (
                "over October change",
                "2026-10-24T10:00:00Z",
                "2026-10-27T00:00:00Z",
                "2026-10-26",
            ),
            // Over a month end and a leap day.
            (
                "leap day",
                "2028-02-28T12:00:00Z",
                "2028-03-02T00:00:00Z",
                "2028-03-01",
            ),
        ];
        for (why, granted, end, last) in table {
            let got = ends_at(CommunicationsData, at(granted), true);
            assert_eq!(got, at(end), "{why}");
            assert_eq!(last_day(got), day(last), "{why}");
        }
        // The same grant of directed surveillance keeps its 72 hours
        // (RIPA s.43(3)(a)).
        assert_eq!(
            ends_at(DirectedSurveillance, at("2026-01-15T10:00:00Z"), true),
            at("2026-01-18T10:00:00Z")
        );
    }

    #[test]
    fn judicial_approval_is_needed_ripa_s36_2_and_police_act_s97_1() {
        // (type, protected premises, needs approval)
        let table = [
            (IntrusiveSurveillance, false, true),
            (PropertyInterference, true, true),
            (PropertyInterference, false, false),
            (DirectedSurveillance, false, false),
            (Chis, false, false),
            (JuvenileChis, false, false),
            (CommunicationsData, false, false),
        ];
        for (kind, protected, needed) in table {
            assert_eq!(
                needs_judicial_approval(kind, protected),
                needed,
                "{kind:?} protected={protected}"
            );
        }
    }

    #[test]
    fn a_grant_whose_approval_comes_three_days_later_ends_three_days_later_ripa_s43_3() {
        // (why, type, urgent, granted, approved, takes effect, exclusive end)
        let table = [
            // Granted 15 January, approved and notified 18 January: three
            // months beginning with 18 January end at the end of 17 April,
            // three days after the end of 14 April a grant alone would give.
            (
                "intrusive, three days later (s.36(2))",
                IntrusiveSurveillance,
                false,
                "2026-01-15T09:00:00Z",
                "2026-01-18T16:00:00Z",
                "2026-01-18T16:00:00Z",
                "2026-04-17T23:00:00Z",
            ),
            (
                "property interference, three days later (PA 1997 s.97(1))",
                PropertyInterference,
                false,
                "2026-01-15T09:00:00Z",
                "2026-01-18T08:00:00Z",
                "2026-01-18T08:00:00Z",
                "2026-04-17T23:00:00Z",
            ),
            // Approved the same day: the same end as the grant would give.
            (
                "same day",
                IntrusiveSurveillance,
                false,
                "2026-01-15T09:00:00Z",
                "2026-01-15T17:00:00Z",
                "2026-01-15T17:00:00Z",
                "2026-04-14T23:00:00Z",
            ),
            // Approved at 00:30 BST on 1 July (30 June UTC): begins with 1 July.
            (
                "approved late night BST",
                IntrusiveSurveillance,
                false,
                "2026-06-29T09:00:00Z",
                "2026-06-30T23:30:00Z",
                "2026-06-30T23:30:00Z",
                "2026-09-30T23:00:00Z",
            ),
            // Urgent: the 72 hours run from the grant, the earlier reading.
            (
                "urgent",
                IntrusiveSurveillance,
                true,
                "2026-01-15T09:00:00Z",
                "2026-01-16T09:00:00Z",
                "2026-01-15T09:00:00Z",
                "2026-01-18T09:00:00Z",
            ),
        ];
        for (why, kind, urgent, granted, approved, from, end) in table {
            let (got_from, got_end) =
                approval(kind, urgent, at(granted), at(approved), at(approved)).unwrap();
            assert_eq!(got_from, at(from), "{why}");
            assert_eq!(got_end, at(end), "{why}");
        }
        // A renewal after the approval runs from the approval's end.
        let (_, end) = approval(
            IntrusiveSurveillance,
            false,
            at("2026-01-15T09:00:00Z"),
            at("2026-01-18T16:00:00Z"),
            at("2026-01-18T16:00:00Z"),
        )
        .unwrap();
        let (from, to) = renewal(
            IntrusiveSurveillance,
            at("2026-01-18T16:00:00Z"),
            end,
            at("2026-04-10T10:00:00Z"),
        )
        .unwrap();
        assert_eq!(from, at("2026-04-17T23:00:00Z"));
        assert_eq!(to, at("2026-07-17T23:00:00Z"));
    }

    #[test]
    fn an_approval_is_refused_before_the_grant_or_in_the_future() {
        let granted = at("2026-01-15T09:00:00Z");
        let now = at("2026-01-16T09:00:00Z");
        let early = approval(
            IntrusiveSurveillance,
            false,
            granted,
            at("2026-01-15T08:59:59Z"),
            now,
        )
        .unwrap_err();
        assert_eq!(early.field, "approved at");
        assert!(
            early.message.contains("before the grant"),
            "{}",
            early.message
        );
        let future = approval(
            IntrusiveSurveillance,
            false,
            granted,
            at("2026-01-16T09:00:01Z"),
            now,
        )
        .unwrap_err();
        assert_eq!(future.field, "approved at");
        assert!(
            future.message.contains("before it is given"),
            "{}",
            future.message
        );
    }

    #[test]
    fn period_end_counts_months_from_the_uk_day() {
        assert_eq!(
            period_end(at("2026-01-15T09:00:00Z"), 0),
            at("2026-01-15T00:00:00Z")
        );
        assert_eq!(
            period_end(at("2026-12-15T09:00:00Z"), 1),
            at("2027-01-15T00:00:00Z")
        );
        assert_eq!(
            period_end(at("2026-01-15T09:00:00Z"), 24),
            at("2028-01-15T00:00:00Z")
        );
        assert_eq!(
            period_end(at("2026-01-15T09:00:00Z"), u32::MAX),
            DateTime::<Utc>::MAX_UTC
        );
    }

    #[test]
    fn three_renewals_each_run_from_the_previous_end() {
        let granted = at("2026-01-15T09:00:00Z");
        let mut end = ends_at(DirectedSurveillance, granted, false);
        assert_eq!(end, at("2026-04-14T23:00:00Z"));
        // (renewed at, expected new end): each begins with the day after the
        // previous last day.
        let chain = [
            ("2026-04-10T10:00:00Z", "2026-07-14T23:00:00Z"),
            ("2026-07-14T22:59:59Z", "2026-10-14T23:00:00Z"),
            ("2026-10-01T10:00:00Z", "2027-01-15T00:00:00Z"),
        ];
        let mut start = granted;
        for (renewed_at, new_end) in chain {
            let (from, to) = renewal(DirectedSurveillance, start, end, at(renewed_at)).unwrap();
            assert_eq!(from, end, "{renewed_at}");
            assert_eq!(to, at(new_end), "{renewed_at}");
            (start, end) = (from, to);
        }
        assert_eq!(last_day(end), day("2027-01-14"));
    }

    #[test]
    fn a_renewed_urgent_grant_runs_a_full_period() {
        let granted = at("2026-01-15T09:00:00Z");
        let end = ends_at(DirectedSurveillance, granted, true);
        let (from, to) = renewal(
            DirectedSurveillance,
            granted,
            end,
            at("2026-01-17T12:00:00Z"),
        )
        .unwrap();
        assert_eq!(from, at("2026-01-18T09:00:00Z"));
        // Beginning with 18 January: ends at the end of 17 April.
        assert_eq!(to, at("2026-04-17T23:00:00Z"));
    }

    #[test]
    fn renewal_is_refused_at_or_after_the_end() {
        let end = at("2026-04-14T23:00:00Z");
        for late in [end, at("2026-04-15T09:00:00Z")] {
            let err = renewal(Chis, at("2026-01-15T09:00:00Z"), end, late).unwrap_err();
            assert_eq!(err.field, "renewal");
            assert_eq!(
                err.message,
                "an authorisation can be renewed only before it ends"
            );
        }
    }

    /// Renewing twice within a minute of the grant once moved the end on
    /// by two periods: a period is renewed once, while it runs.
    #[test]
    fn a_period_is_renewed_once_and_its_successor_only_once_it_has_begun() {
        let granted = at("2026-01-15T09:00:00Z");
        let end = ends_at(DirectedSurveillance, granted, false);
        let (from, to) = renewal(
            DirectedSurveillance,
            granted,
            end,
            at("2026-01-15T09:01:00Z"),
        )
        .unwrap();
        assert_eq!((from, to), (end, at("2026-07-14T23:00:00Z")));
        // The renewed period has not begun: a second renewal is refused.
        for again in ["2026-01-15T09:01:30Z", "2026-04-14T22:59:59Z"] {
            let err = renewal(DirectedSurveillance, from, to, at(again)).unwrap_err();
            assert_eq!(err.field, "renewal");
            assert_eq!(
                err.message,
                "the period in effect is renewed already: the next begins 15/04/2026 00:00 and runs to 15/07/2026 00:00; renew again once it has begun",
                "{again}"
            );
        }
        // Once it has begun, it may be renewed in its turn.
        let (next, _) = renewal(
            DirectedSurveillance,
            from,
            to,
            at("2026-04-15T00:00:00+01:00"),
        )
        .unwrap();
        assert_eq!(next, to);
    }

    #[test]
    fn reviews_fall_due_at_the_end_of_a_uk_day() {
        // (why, from, every_days, due)
        let table = [
            // A week after 15 January: end of 22 January.
            ("weekly", "2026-01-15T09:00:00Z", 7, "2026-01-23T00:00:00Z"),
            // Same day.
            (
                "zero days",
                "2026-01-15T09:00:00Z",
                0,
                "2026-01-16T00:00:00Z",
            ),
            // From 1 July in the UK (still 30 June in UTC), 28 days: end of
            // 29 July, BST.
            (
                "late night BST",
                "2026-06-30T23:30:00Z",
                28,
                "2026-07-29T23:00:00Z",
            ),
            // Across the October change: end of 27 October, GMT.
            (
                "over October change",
                "2026-10-20T12:00:00Z",
                7,
                "2026-10-28T00:00:00Z",
            ),
        ];
        for (why, from, every, due) in table {
            assert_eq!(review_due(at(from), every), at(due), "{why}");
        }
        assert_eq!(
            review_due(at("2026-01-15T09:00:00Z"), u32::MAX),
            DateTime::<Utc>::MAX_UTC
        );
    }

    #[test]
    fn authorising_ranks() {
        use Rank::*;
        // (type, rank, urgent, allowed)
        let table = [
            (DirectedSurveillance, Superintendent, false, true),
            (DirectedSurveillance, ChiefInspector, false, false),
            // An Inspector may grant directed surveillance only if urgent.
            (DirectedSurveillance, Inspector, true, true),
            (DirectedSurveillance, Inspector, false, false),
            (DirectedSurveillance, Sergeant, true, false),
            (IntrusiveSurveillance, ChiefConstable, false, true),
            (IntrusiveSurveillance, DeputyChiefConstable, false, false),
            // Urgency lowers no rank for intrusive surveillance.
            (IntrusiveSurveillance, DeputyChiefConstable, true, false),
            (Chis, Superintendent, false, true),
            (Chis, ChiefInspector, false, false),
            (Chis, ChiefInspector, true, false),
            (JuvenileChis, AssistantChiefConstable, false, true),
            (JuvenileChis, ChiefSuperintendent, false, false),
            (PropertyInterference, ChiefConstable, false, true),
            (PropertyInterference, AssistantChiefConstable, false, false),
            (CommunicationsData, Inspector, false, true),
            (CommunicationsData, Inspector, true, true),
            (CommunicationsData, Sergeant, false, false),
            (CommunicationsData, PoliceStaff, true, false),
        ];
        for (kind, rank, urgent, allowed) in table {
            let result = check_authorising_rank(kind, rank, urgent, false);
            assert_eq!(result.is_ok(), allowed, "{kind:?} {rank:?} urgent={urgent}");
            if let Err(err) = result {
                assert_eq!(err.field, "rank");
                assert!(err.message.contains(rules(kind).source), "{}", err.message);
            }
        }
        let err =
            check_authorising_rank(DirectedSurveillance, Inspector, false, false).unwrap_err();
        assert_eq!(
            err.message,
            "Directed surveillance must be authorised at the rank of Superintendent or above \
             (Inspector or above only if urgent), not Inspector (RIPA 2000 s.28, s.43(3)(c))"
        );
        let err = check_authorising_rank(DirectedSurveillance, Sergeant, true, false).unwrap_err();
        assert_eq!(
            err.message,
            "Directed surveillance in an urgent case must be authorised at the rank of Inspector \
             or above, not Sergeant (RIPA 2000 s.28, s.43(3)(c))"
        );
    }

    #[test]
    fn confidential_material_needs_the_higher_rank_csp_and_chis_codes_annex_a() {
        use Rank::*;
        // (type, rank, urgent, allowed) with confidential material likely.
        let table = [
            (DirectedSurveillance, ChiefConstable, false, true),
            (DirectedSurveillance, DeputyChiefConstable, false, false),
            (DirectedSurveillance, Superintendent, false, false),
            // Urgency does not lower the higher level.
            (DirectedSurveillance, Inspector, true, false),
            (Chis, ChiefConstable, false, true),
            (Chis, Superintendent, false, false),
            (JuvenileChis, AssistantChiefConstable, false, false),
            (IntrusiveSurveillance, ChiefConstable, false, true),
            (PropertyInterference, ChiefConstable, false, true),
        ];
        for (kind, rank, urgent, allowed) in table {
            let result = check_authorising_rank(kind, rank, urgent, true);
            assert_eq!(result.is_ok(), allowed, "{kind:?} {rank:?} urgent={urgent}");
            // The same rank without confidential material is judged as before.
            if !allowed && rank >= rules(kind).authorising_rank && !urgent {
                assert!(check_authorising_rank(kind, rank, urgent, false).is_ok());
            }
        }
        let err = check_authorising_rank(Chis, Superintendent, false, true).unwrap_err();
        assert_eq!(err.field, "rank");
        assert_eq!(
            err.message,
            "Covert human intelligence source (CHIS) likely to obtain confidential or legally \
             privileged material must be authorised at the rank of Chief Constable or above, not \
             Superintendent (Covert Surveillance and Property Interference Code and CHIS Code, Annex A)"
        );
    }

    #[test]
    fn a_juvenile_chis_is_reviewed_at_least_monthly_si_2000_2793() {
        // (type, days, allowed)
        let table = [
            (JuvenileChis, 28, true),
            (JuvenileChis, 29, false),
            (JuvenileChis, 1, true),
            (Chis, 90, true),
            (Chis, 0, false),
            (DirectedSurveillance, 367, false),
        ];
        for (kind, days, allowed) in table {
            let result = check_review_frequency(kind, days);
            assert_eq!(result.is_ok(), allowed, "{kind:?} {days}");
            if let Err(err) = result {
                assert_eq!(err.field, "review frequency");
            }
        }
        assert_eq!(
            check_review_frequency(JuvenileChis, 29)
                .unwrap_err()
                .message,
            "a Juvenile CHIS is reviewed at least monthly: every 28 days at most, not 29"
        );
    }

    #[test]
    fn the_central_record_may_be_reviewed_for_destruction_3_years_after_the_end_cspi_code_ch8() {
        // (why, exclusive end, first day it may be reviewed)
        let table = [
            // Last day 14 April 2026: kept to the end of 14 April 2029.
            ("ordinary", "2026-04-14T23:00:00Z", "2029-04-15"),
            // Ended mid-day (urgent): its last day is that day.
            ("mid-day", "2026-01-18T10:00:00Z", "2029-01-19"),
            // Last day 29 February 2028: no 29 February 2031, so the end of
            // 28 February, and 1 March.
            ("leap day", "2028-03-01T00:00:00Z", "2031-03-01"),
            // Last day 31 December: into the next year.
            ("year end", "2027-01-01T00:00:00Z", "2030-01-01"),
        ];
        for (why, end, from) in table {
            assert_eq!(destruction_review_from(at(end)), day(from), "{why}");
        }
    }
}
