//! Time as the unit reads it: UK local time (Europe/London) for calendar
//! days, UTC for storage. Nothing here reads the clock.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::InvalidInput;

/// The calendar year in the UK at `at`.
pub fn uk_year(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&London).year()
}

/// The calendar date in the UK at `at`.
pub fn uk_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

/// The start of a UK calendar day, in UTC: its midnight in Europe/London.
pub fn start_of_uk_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight");
    // UK clocks change at 01:00 or 02:00, never at midnight, so midnight is
    // never skipped or repeated.
    London
        .from_local_datetime(&midnight)
        .earliest()
        .expect("midnight exists in UK time")
        .with_timezone(&Utc)
}

/// The end of a UK calendar day, as the exclusive instant in UTC: the
/// midnight (Europe/London) that begins the next day.
pub fn end_of_uk_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_uk_day(date.succ_opt().expect("a date before the end of time"))
}

/// The Monday that begins the UK week holding `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// A UK date written `dd/mm/yyyy` (or ISO `yyyy-mm-dd`).
pub fn parse_uk_date(field: &'static str, text: &str) -> Result<NaiveDate, InvalidInput> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .map_err(|_| {
            InvalidInput::new(
                field,
                format!("'{text}' is not a date; write it as dd/mm/yyyy, e.g. 23/11/2026"),
            )
        })
}

/// A moment written as RFC 3339 (`2026-11-23T09:30:00Z`), or as UK local
/// time `dd/mm/yyyy HH:MM` (or a bare date, taken as midnight). Local times
/// that do not exist (the spring clock change) are refused; ambiguous ones
/// (the autumn change) take the earlier instant.
pub fn parse_uk_datetime(field: &'static str, text: &str) -> Result<DateTime<Utc>, InvalidInput> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%d/%m/%Y %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%d/%m/%Y %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .or_else(|_| parse_uk_date(field, text).map(|d| d.and_hms_opt(0, 0, 0).expect("midnight")))
        .map_err(|_| {
            InvalidInput::new(
                field,
                format!(
                    "'{text}' is not a date and time; write dd/mm/yyyy HH:MM (UK time) or RFC 3339"
                ),
            )
        })?;
    London
        .from_local_datetime(&naive)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| {
            InvalidInput::new(
                field,
                format!("{text} does not exist in UK time (the clocks went forward)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_times_become_utc_across_the_clock_changes() {
        let winter = parse_uk_datetime("t", "15/01/2026 09:00").unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-01-15T09:00:00+00:00");
        let summer = parse_uk_datetime("t", "15/07/2026 09:00").unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-07-15T08:00:00+00:00");
        assert!(
            parse_uk_datetime("t", "29/03/2026 01:30").is_err(),
            "skipped hour"
        );
        let ambiguous = parse_uk_datetime("t", "25/10/2026 01:30").unwrap();
        assert_eq!(ambiguous.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        let rfc = parse_uk_datetime("t", "2026-11-23T09:30:00Z").unwrap();
        assert_eq!(rfc.to_rfc3339(), "2026-11-23T09:30:00+00:00");
        assert!(parse_uk_datetime("t", "yesterday").is_err());
    }

    #[test]
    fn the_uk_year_turns_at_uk_midnight() {
        let new_year_utc = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(uk_year(new_year_utc), 2026);
        let bst = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap();
        assert_eq!(uk_date(bst).to_string(), "2026-07-01");
    }

    #[test]
    fn the_end_of_a_uk_day_in_winter_and_summer() {
        let winter = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        assert_eq!(
            end_of_uk_day(winter).to_rfc3339(),
            "2026-01-16T00:00:00+00:00"
        );
        let summer = NaiveDate::from_ymd_opt(2026, 7, 15).unwrap();
        assert_eq!(
            end_of_uk_day(summer).to_rfc3339(),
            "2026-07-15T23:00:00+00:00"
        );
        let clocks_go_back = NaiveDate::from_ymd_opt(2026, 10, 24).unwrap();
        assert_eq!(
            end_of_uk_day(clocks_go_back).to_rfc3339(),
            "2026-10-24T23:00:00+00:00"
        );
    }

    #[test]
    fn weeks_begin_on_monday_at_uk_midnight() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(week_start(sunday), monday);
        assert_eq!(week_start(monday), monday);
        let summer = NaiveDate::from_ymd_opt(2026, 7, 13).unwrap();
        assert_eq!(
            start_of_uk_day(summer).to_rfc3339(),
            "2026-07-12T23:00:00+00:00"
        );
        assert_eq!(
            start_of_uk_day(monday).to_rfc3339(),
            "2026-11-23T00:00:00+00:00"
        );
    }

    #[test]
    fn dates_in_uk_order() {
        assert_eq!(
            parse_uk_date("d", "01/02/2027").unwrap().to_string(),
            "2027-02-01"
        );
        assert!(parse_uk_date("d", "31/02/2027").is_err());
    }
}
