//! Time as the unit reads it: UK local time (Europe/London) for calendar
//! days, UTC for storage. Nothing here reads the clock.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
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

/// A moment as the unit writes it: UK local time, `dd/mm/yyyy HH:MM`.
pub fn uk_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%d/%m/%Y %H:%M")
        .to_string()
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

/// The first calendar year a date typed, imported or read back may fall
/// in. Casework has nothing older; with [`LAST_YEAR`] it keeps every
/// date's arithmetic (a period added, the day after) far from the edges
/// of the calendar.
pub const FIRST_YEAR: i32 = 1900;
/// The last calendar year a date may fall in.
pub const LAST_YEAR: i32 = 2200;

/// The largest distance, in hours, of a written UTC offset from UTC: the
/// offsets in use on Earth run from -12:00 to +14:00.
const MOST_OFFSET_HOURS: i32 = 14;

/// `date` if its year is within [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn date_in_range(
    field: &'static str,
    text: &str,
    date: NaiveDate,
) -> Result<NaiveDate, InvalidInput> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(InvalidInput::new(
            field,
            format!(
                "'{text}' is outside the years ccu records ({FIRST_YEAR} to {LAST_YEAR}); check the year"
            ),
        ))
    }
}

/// A UK date written `dd/mm/yyyy` (or ISO `yyyy-mm-dd`), in the years
/// [`FIRST_YEAR`] to [`LAST_YEAR`].
pub fn parse_uk_date(field: &'static str, text: &str) -> Result<NaiveDate, InvalidInput> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .map_err(|_| {
            InvalidInput::new(
                field,
                format!("'{text}' is not a date; write it as dd/mm/yyyy, e.g. 23/11/2026"),
            )
        })?;
    date_in_range(field, text, date)
}

/// Refuses the 61st second of a minute: chrono reads `:60` as a leap
/// second, which UTC as ccu stores it never holds.
fn no_leap_second(field: &'static str, text: &str, nanos: u32) -> Result<(), InvalidInput> {
    if nanos >= 1_000_000_000 {
        Err(InvalidInput::new(
            field,
            format!("'{text}' has 60 seconds in its minute; the seconds run from 00 to 59"),
        ))
    } else {
        Ok(())
    }
}

/// A time as the case file stores it (RFC 3339, UTC), refused outside the
/// years [`FIRST_YEAR`] to [`LAST_YEAR`]: a row changed from outside ccu
/// must not carry arithmetic on it past the calendar's end.
pub fn parse_stored(text: &str) -> Result<DateTime<Utc>, InvalidInput> {
    let stored = || InvalidInput::new("time", format!("'{text}' is not a stored time"));
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|_| stored())?
        .with_timezone(&Utc);
    if (FIRST_YEAR..=LAST_YEAR).contains(&at.year()) {
        Ok(at)
    } else {
        Err(stored())
    }
}

/// A day as the case file stores it (`yyyy-mm-dd`), in the same years.
pub fn parse_stored_date(text: &str) -> Result<NaiveDate, InvalidInput> {
    let stored = || InvalidInput::new("date", format!("'{text}' is not a stored date"));
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| (FIRST_YEAR..=LAST_YEAR).contains(&d.year()))
        .ok_or_else(stored)
}

/// A moment written as RFC 3339 (`2026-11-23T09:30:00Z`), or as UK local
/// time `dd/mm/yyyy HH:MM` (or a bare date, taken as midnight). Local times
/// that do not exist (the spring clock change) are refused; ambiguous ones
/// (the autumn change) take the earlier instant.
pub fn parse_uk_datetime(field: &'static str, text: &str) -> Result<DateTime<Utc>, InvalidInput> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        if at.offset().local_minus_utc().abs() > MOST_OFFSET_HOURS * 3600 {
            return Err(InvalidInput::new(
                field,
                format!(
                    "'{text}' has an offset from UTC of more than {MOST_OFFSET_HOURS} hours, which no place uses"
                ),
            ));
        }
        no_leap_second(field, text, at.nanosecond())?;
        let utc = at.with_timezone(&Utc);
        date_in_range(field, text, uk_date(utc))?;
        return Ok(utc);
    }
    let naive = NaiveDateTime::parse_from_str(text, "%d/%m/%Y %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%d/%m/%Y %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%d/%m/%Y").map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map_err(|_| {
            InvalidInput::new(
                field,
                format!(
                    "'{text}' is not a date and time; write dd/mm/yyyy HH:MM (UK time) or RFC 3339"
                ),
            )
        })?;
    no_leap_second(field, text, naive.nanosecond())?;
    date_in_range(field, text, naive.date())?;
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
    fn implausible_dates_are_refused_with_the_reason() {
        for (text, says) in [
            ("9999-12-31T23:59:59-23:59", "more than 14 hours"),
            ("2026-11-23T09:30:00+14:01", "more than 14 hours"),
            ("01/01/-5 00:00", "1900 to 2200"),
            ("1/1/1 0:0", "1900 to 2200"),
            ("31/12/1899 23:59", "1900 to 2200"),
            ("01/01/2201", "1900 to 2200"),
            ("2201-01-01T00:00:00Z", "1900 to 2200"),
            ("23/11/2026 23:59:60", "60 seconds"),
            ("2026-12-31T23:59:60Z", "60 seconds"),
        ] {
            let err = parse_uk_datetime("received at", text).unwrap_err();
            assert_eq!(err.field, "received at");
            assert!(err.message.contains(says), "{text}: {}", err.message);
            assert!(err.message.contains(text.trim()), "{text}: {}", err.message);
        }
        for text in ["+262142-12-31", "01/01/-262143", "1/1/1", "2201-01-01"] {
            let err = parse_uk_date("to", text).unwrap_err();
            assert!(
                err.message.contains("1900 to 2200"),
                "{text}: {}",
                err.message
            );
        }
        // The edges themselves are dates.
        assert!(parse_uk_date("d", "01/01/1900").is_ok());
        assert!(parse_uk_date("d", "31/12/2200").is_ok());
        assert!(parse_uk_datetime("t", "31/12/2200 23:59:59").is_ok());
        assert!(parse_uk_datetime("t", "2026-11-23T09:30:00-12:00").is_ok());
        assert!(parse_uk_datetime("t", "2026-11-23T09:30:00+14:00").is_ok());
        // And the last day's end, and the first day's start, compute.
        let last = parse_uk_date("d", "31/12/2200").unwrap();
        assert!(end_of_uk_day(last) > start_of_uk_day(last));
    }

    #[test]
    fn stored_times_outside_the_years_are_not_stored_times() {
        assert!(parse_stored("2026-11-23T09:30:00.000000Z").is_ok());
        assert!(parse_stored("9999-12-31T23:59:59Z").is_err());
        assert!(parse_stored("1800-01-01T00:00:00Z").is_err());
        assert!(parse_stored_date("2026-11-23").is_ok());
        assert!(parse_stored_date("+262142-12-31").is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Whatever is typed, a date is a date in range or a clear refusal
        /// naming the field; and whatever is parsed can be carried to the
        /// end of its day and a year on without overflow.
        #[test]
        fn any_text_parses_or_is_refused_clearly(text in "\\PC{0,40}|[-+0-9/:T. Z]{0,30}") {
            match parse_uk_datetime("when", &text) {
                Ok(at) => {
                    let y = uk_year(at);
                    proptest::prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&y));
                    let _ = end_of_uk_day(uk_date(at)) + chrono::Duration::days(3660);
                }
                Err(e) => {
                    proptest::prop_assert_eq!(e.field, "when");
                    proptest::prop_assert!(!e.message.is_empty());
                }
            }
            match parse_uk_date("day", &text) {
                Ok(d) => {
                    proptest::prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&d.year()));
                    let _ = end_of_uk_day(d);
                }
                Err(e) => proptest::prop_assert_eq!(e.field, "day"),
            }
        }

        /// Dates made of plausible parts, over and past every edge.
        #[test]
        fn dates_from_parts_parse_or_are_refused(
            d in 0u32..40, m in 0u32..15, y in -300_000i32..300_000,
            h in 0u32..30, min in 0u32..70, s in 0u32..70,
            off in -1500i32..1500,
        ) {
            let local = format!("{d}/{m}/{y} {h}:{min}:{s}");
            let sign = if off < 0 { '-' } else { '+' };
            let rfc = format!(
                "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}{sign}{:02}:{:02}",
                off.abs() / 60, off.abs() % 60
            );
            for text in [local, rfc] {
                if let Ok(at) = parse_uk_datetime("when", &text) {
                    proptest::prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&uk_year(at)), "{}", text);
                    proptest::prop_assert!(at.nanosecond() < 1_000_000_000);
                }
            }
        }
    }

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
