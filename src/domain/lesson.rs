//! Lessons learned: what a closed operation taught, and where it went.
//! Seed 003 para 22: lessons are "disseminated to the relevant department
//! and also published on our internal web site". Each closed operation's
//! lessons (required at closure) are one lesson; the register records each
//! department it went to, when and how, and that department's response.

use chrono::NaiveDate;

use super::InvalidInput;
use super::permission::Declared;
use super::role::Role::{Investigator, Supervisor};
use super::text;

/// Recording where a lesson went, and what came back.
pub const DISSEMINATE: Declared = Declared::case_write(
    "record the dissemination of lessons learned",
    &[Investigator, Supervisor],
);

/// The longest department name, in characters.
pub const DEPARTMENT_CHARS: usize = 120;

/// How a lesson went out, or what came back: a short statement.
pub const MEANS_CHARS: usize = 500;

/// A lesson sent to one department: to whom, on which day, and how
/// (a briefing, an email, the internal web site).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dissemination {
    pub department: String,
    pub on: NaiveDate,
    pub means: String,
}

impl Dissemination {
    pub fn new(
        department: &str,
        on: NaiveDate,
        means: &str,
    ) -> Result<Dissemination, InvalidInput> {
        Ok(Dissemination {
            department: department_name(department)?,
            on,
            means: text::required("how", means, MEANS_CHARS)?,
        })
    }

    /// Refused when dated before the operation closed or after today.
    pub fn check_date(&self, closed: NaiveDate, today: NaiveDate) -> Result<(), InvalidInput> {
        let shown = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
        if self.on < closed {
            return Err(InvalidInput::new(
                "disseminated on",
                format!(
                    "{} is before the operation closed on {}",
                    shown(self.on),
                    shown(closed)
                ),
            ));
        }
        if self.on > today {
            return Err(InvalidInput::new(
                "disseminated on",
                format!("{} is in the future", shown(self.on)),
            ));
        }
        Ok(())
    }
}

/// A department's response to a lesson it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub department: String,
    pub response: String,
}

impl Response {
    pub fn new(department: &str, response: &str) -> Result<Response, InvalidInput> {
        Ok(Response {
            department: department_name(department)?,
            response: text::required("response", response, text::LONG)?,
        })
    }
}

/// A department's name: one line, matched without regard to case or
/// surrounding spaces.
pub fn department_name(text: &str) -> Result<String, InvalidInput> {
    text::line("department", text, DEPARTMENT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn a_dissemination_needs_a_department_a_date_and_how() {
        let ok = Dissemination::new(" Response policing ", day(3, 11), "briefing").unwrap();
        assert_eq!(ok.department, "Response policing");
        assert_eq!(ok.on, day(3, 11));
        assert_eq!(
            Dissemination::new("", day(3, 11), "x").unwrap_err().field,
            "department"
        );
        assert_eq!(
            Dissemination::new("A\nB", day(3, 11), "x")
                .unwrap_err()
                .field,
            "department"
        );
        assert_eq!(
            Dissemination::new("Custody", day(3, 11), " ")
                .unwrap_err()
                .field,
            "how"
        );
        let long = "x".repeat(DEPARTMENT_CHARS + 1);
        assert!(
            Dissemination::new(&long, day(3, 11), "x")
                .unwrap_err()
                .message
                .contains("at most 120")
        );
    }

    #[test]
    fn a_dissemination_falls_between_the_closure_and_today() {
        let d = Dissemination::new("Custody", day(3, 11), "email").unwrap();
        assert!(d.check_date(day(3, 11), day(3, 11)).is_ok());
        let early = d.check_date(day(4, 11), day(5, 11)).unwrap_err();
        assert_eq!(
            early.message,
            "03/11/2026 is before the operation closed on 04/11/2026"
        );
        let late = d.check_date(day(1, 11), day(2, 11)).unwrap_err();
        assert_eq!(late.message, "03/11/2026 is in the future");
    }

    #[test]
    fn a_response_needs_its_text() {
        assert_eq!(
            Response::new("Custody", "  ").unwrap_err().field,
            "response"
        );
        assert_eq!(
            Response::new("Custody", "Adopted in training")
                .unwrap()
                .response,
            "Adopted in training"
        );
    }
}
