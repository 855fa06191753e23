//! Subjects: the employees an intelligence item or operation concerns.

use std::fmt;

use chrono::NaiveDate;

use super::InvalidInput;
use super::codes::code_list;
use super::text;

/// A staff or collar number: 1 to 20 letters, digits, `-` or `/`, stored in
/// upper case so `ab123` and `AB123` are one subject.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StaffNumber(String);

impl StaffNumber {
    pub fn parse(text: &str) -> Result<StaffNumber, InvalidInput> {
        let n = text.trim().to_uppercase();
        if n.is_empty() || n.chars().count() > 20 {
            return Err(InvalidInput::new(
                "staff number",
                format!("'{}' must be 1 to 20 characters", text.trim()),
            ));
        }
        if !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
        {
            return Err(InvalidInput::new(
                "staff number",
                format!(
                    "'{}' may contain only letters, digits, '-' and '/'",
                    text.trim()
                ),
            ));
        }
        Ok(StaffNumber(n))
    }

    /// Several numbers separated by `;` or `,` (blank entries ignored).
    pub fn parse_list(text: &str) -> Result<Vec<StaffNumber>, InvalidInput> {
        text.split([';', ','])
            .filter(|s| !s.trim().is_empty())
            .map(StaffNumber::parse)
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StaffNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

code_list! {
    pub enum EmploymentType ("employment type") {
        Officer = "officer", "Police officer";
        PoliceStaff = "police-staff", "Police staff";
        SpecialConstable = "special-constable", "Special constable";
        Contractor = "contractor", "Contractor";
        Volunteer = "volunteer", "Volunteer";
    }
}

code_list! {
    /// National vetting levels.
    pub enum VettingLevel ("vetting level") {
        None = "none", "None recorded";
        Recruitment = "rv", "Recruitment vetting";
        Management = "mv", "Management vetting";
        Nppv1 = "nppv1", "NPPV level 1";
        Nppv2 = "nppv2", "NPPV level 2";
        Nppv3 = "nppv3", "NPPV level 3";
        CounterTerrorist = "ctc", "Counter-terrorist check";
        Security = "sc", "Security check";
        Developed = "dv", "Developed vetting";
    }
}

code_list! {
    pub enum SubjectStatus ("status") {
        Serving = "serving", "Serving";
        RestrictedDuties = "restricted", "On restricted duties";
        Suspended = "suspended", "Suspended";
        Left = "left", "Left the force";
    }
}

/// A subject's record, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectDetails {
    pub staff_number: StaffNumber,
    pub name: String,
    pub rank_or_grade: String,
    pub employment_type: EmploymentType,
    pub department: String,
    pub role: String,
    pub vulnerable_contact: bool,
    pub vetting_level: VettingLevel,
    pub vetting_review: Option<NaiveDate>,
    pub status: SubjectStatus,
}

impl SubjectDetails {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        staff_number: StaffNumber,
        name: &str,
        rank_or_grade: &str,
        employment_type: EmploymentType,
        department: &str,
        role: &str,
        vulnerable_contact: bool,
        vetting_level: VettingLevel,
        vetting_review: Option<NaiveDate>,
        status: SubjectStatus,
    ) -> Result<SubjectDetails, InvalidInput> {
        if vetting_level == VettingLevel::None && vetting_review.is_some() {
            return Err(InvalidInput::new(
                "vetting review date",
                "needs a vetting level to review",
            ));
        }
        Ok(SubjectDetails {
            staff_number,
            name: text::line("name", name, 120)?,
            rank_or_grade: text::line("rank or grade", rank_or_grade, 60)?,
            employment_type,
            department: text::line("department", department, 120)?,
            role: text::line("role", role, 120)?,
            vulnerable_contact,
            vetting_level,
            vetting_review,
            status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_numbers_are_upper_cased_and_checked() {
        assert_eq!(StaffNumber::parse(" ab123 ").unwrap().as_str(), "AB123");
        assert!(StaffNumber::parse("").is_err());
        assert!(StaffNumber::parse("12 34").is_err());
        assert!(StaffNumber::parse(&"9".repeat(21)).is_err());
        let list = StaffNumber::parse_list("1234; ab-9,,").unwrap();
        assert_eq!(
            list.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ["1234", "AB-9"]
        );
    }

    #[test]
    fn code_lists_accept_codes_and_labels() {
        assert_eq!(
            EmploymentType::parse("Police staff").unwrap(),
            EmploymentType::PoliceStaff
        );
        assert_eq!(VettingLevel::parse("NPPV3").unwrap(), VettingLevel::Nppv3);
        assert_eq!(
            SubjectStatus::parse("restricted").unwrap(),
            SubjectStatus::RestrictedDuties
        );
        assert!(SubjectStatus::parse("sacked").is_err());
    }

    #[test]
    fn a_review_date_needs_a_vetting_level() {
        let review = NaiveDate::from_ymd_opt(2027, 1, 1);
        let make = |level| {
            SubjectDetails::new(
                StaffNumber::parse("1234").unwrap(),
                "PC Alex Hart",
                "PC",
                EmploymentType::Officer,
                "Response",
                "Patrol",
                true,
                level,
                review,
                SubjectStatus::Serving,
            )
        };
        assert!(make(VettingLevel::Recruitment).is_ok());
        assert_eq!(
            make(VettingLevel::None).unwrap_err().field,
            "vetting review date"
        );
    }
}
