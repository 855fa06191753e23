//! Intelligence: where it came from, how it is graded (3x5x2, with older
//! 5x5x5 grades kept readable), its national corruption category, and its
//! triage at the daily intelligence meeting.

use std::fmt;

use chrono::{DateTime, Utc};

use super::InvalidInput;
use super::codes::code_list;
use super::drift::SourcePerson;
use super::subject::StaffNumber;
use super::text;

code_list! {
    /// HMICFRS national corruption-related intelligence collection categories.
    pub enum Category ("category") {
        Infiltration = "infiltration", "Infiltration";
        Disclosure = "disclosure", "Disclosure of information";
        PervertingJustice = "perverting-justice", "Perverting the course of justice";
        SexualMisconduct = "sexual-misconduct", "Sexual misconduct";
        Drugs = "drugs", "Controlled drug use and supply";
        TheftFraud = "theft-fraud", "Theft and fraud";
        MisusingSystems = "misusing-systems", "Misusing force systems";
        AbuseOfAuthority = "abuse-of-authority", "Abuse of authority";
        InappropriateAssociation = "inappropriate-association", "Inappropriate association";
        Vulnerability = "vulnerability", "Vulnerability";
        AssistOffender = "assist-offender", "Commit, incite, aid and abet, assist an offender";
        Other = "other", "Other";
    }
}

impl Category {
    /// Abuse of position for a sexual purpose is recorded under one of these.
    pub fn may_be_apsp(self) -> bool {
        matches!(
            self,
            Category::AbuseOfAuthority | Category::SexualMisconduct
        )
    }
}

code_list! {
    pub enum SourceType ("source type") {
        ConfidentialLine = "confidential-line", "Confidential reporting line";
        IctMonitoring = "ict-monitoring", "ICT-monitoring alert";
        PartnerAgency = "partner-agency", "Partner agency";
        Colleague = "colleague", "Colleague";
        PublicComplaint = "public-complaint", "Public complaint";
        OtherForce = "other-force", "Other force";
        Other = "other", "Other";
    }
}

/// 3x5x2 source evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEvaluation {
    Reliable = 1,
    Untested = 2,
    NotReliable = 3,
}

/// 3x5x2 intelligence assessment, A to E.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assessment {
    A,
    B,
    C,
    D,
    E,
}

impl Assessment {
    fn from_letter(c: char) -> Option<Assessment> {
        Some(match c {
            'A' => Assessment::A,
            'B' => Assessment::B,
            'C' => Assessment::C,
            'D' => Assessment::D,
            'E' => Assessment::E,
            _ => return None,
        })
    }

    pub fn letter(self) -> char {
        match self {
            Assessment::A => 'A',
            Assessment::B => 'B',
            Assessment::C => 'C',
            Assessment::D => 'D',
            Assessment::E => 'E',
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Assessment::A => "known directly to the source",
            Assessment::B => "known indirectly but corroborated",
            Assessment::C => "known indirectly",
            Assessment::D => "not known",
            Assessment::E => "suspected to be false",
        }
    }
}

/// 3x5x2 handling code. Sharing with conditions needs the conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    Permitted,
    WithConditions(String),
}

/// An intelligence grade: 3x5x2 for everything recorded now; older items may
/// carry a 5x5x5 grade, kept exactly readable but never used for new work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grading {
    Current {
        source: SourceEvaluation,
        intelligence: Assessment,
        handling: Handling,
    },
    /// 5x5x5: source A-E, intelligence 1-5, handling 1-5.
    Legacy {
        source: char,
        intelligence: u8,
        handling: u8,
    },
}

impl Grading {
    /// Parses `1AP`, `2/B/C`, `3 E P` (3x5x2) or `B24`, `B/2/4` (5x5x5).
    /// `conditions` is required for handling code C and refused otherwise.
    pub fn parse(text: &str, conditions: &str) -> Result<Grading, InvalidInput> {
        let compact: Vec<char> = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect();
        let conditions = text::optional("handling conditions", conditions, 2000)?;
        let bad = || {
            InvalidInput::new(
                "grading",
                format!(
                    "'{}' is not a grade: write 3x5x2 as source 1-3, intelligence A-E, handling P or C (e.g. 2BP), or an older 5x5x5 grade as B24",
                    text.trim()
                ),
            )
        };
        let [a, b, c] = compact[..] else {
            return Err(bad());
        };
        if let (Some(source), Some(intelligence)) = (
            match a {
                '1' => Some(SourceEvaluation::Reliable),
                '2' => Some(SourceEvaluation::Untested),
                '3' => Some(SourceEvaluation::NotReliable),
                _ => None,
            },
            Assessment::from_letter(b),
        ) {
            let handling = match c {
                'P' if conditions.is_empty() => Handling::Permitted,
                'P' => {
                    return Err(InvalidInput::new(
                        "handling conditions",
                        "are only for handling code C; handling P shares without conditions",
                    ));
                }
                'C' if conditions.is_empty() => {
                    return Err(InvalidInput::new(
                        "handling conditions",
                        "are required for handling code C (lawful sharing with conditions)",
                    ));
                }
                'C' => Handling::WithConditions(conditions),
                _ => return Err(bad()),
            };
            return Ok(Grading::Current {
                source,
                intelligence,
                handling,
            });
        }
        match (a, b.to_digit(10), c.to_digit(10)) {
            ('A'..='E', Some(i @ 1..=5), Some(h @ 1..=5)) => {
                if !conditions.is_empty() {
                    return Err(InvalidInput::new(
                        "handling conditions",
                        "belong to 3x5x2 handling code C, not to a 5x5x5 grade",
                    ));
                }
                Ok(Grading::Legacy {
                    source: a,
                    intelligence: i as u8,
                    handling: h as u8,
                })
            }
            _ => Err(bad()),
        }
    }

    /// The stored code: `2BC` for 3x5x2, `5x5x5:B24` for an older grade.
    pub fn code(&self) -> String {
        match self {
            Grading::Current {
                source,
                intelligence,
                handling,
            } => format!(
                "{}{}{}",
                *source as u8,
                intelligence.letter(),
                match handling {
                    Handling::Permitted => 'P',
                    Handling::WithConditions(_) => 'C',
                }
            ),
            Grading::Legacy {
                source,
                intelligence,
                handling,
            } => format!("5x5x5:{source}{intelligence}{handling}"),
        }
    }

    /// Reads a stored code back (with its stored conditions).
    pub fn from_stored(code: &str, conditions: &str) -> Result<Grading, InvalidInput> {
        Grading::parse(code.strip_prefix("5x5x5:").unwrap_or(code), conditions)
    }

    pub fn conditions(&self) -> &str {
        match self {
            Grading::Current {
                handling: Handling::WithConditions(c),
                ..
            } => c,
            _ => "",
        }
    }
}

impl fmt::Display for Grading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grading::Current { .. } => f.write_str(&self.code()),
            Grading::Legacy { .. } => write!(f, "{} (older 5x5x5 grade)", &self.code()[6..]),
        }
    }
}

code_list! {
    /// Where an item stands at the daily intelligence meeting.
    pub enum TriageStatus ("triage") {
        New = "new", "New";
        Assessed = "assessed", "Assessed";
        NoFurtherAction = "no-further-action", "No further action";
        Filed = "filed", "Filed";
        Develop = "develop", "Develop";
        LinkedToOperation = "linked", "Linked to an operation";
    }
}

impl TriageStatus {
    /// The triage outcomes that may follow this one. A decision not to act
    /// and a link to an operation are final: new information is a new item.
    pub fn next(self) -> &'static [TriageStatus] {
        use TriageStatus::*;
        match self {
            New => &[Assessed],
            Assessed => &[NoFurtherAction, Filed, Develop, LinkedToOperation],
            Develop => &[NoFurtherAction, Filed, LinkedToOperation],
            Filed => &[Develop, LinkedToOperation],
            NoFurtherAction | LinkedToOperation => &[],
        }
    }

    /// Checks a move from `self` to `to`.
    pub fn transition(self, to: TriageStatus) -> Result<TriageStatus, InvalidInput> {
        if self.next().contains(&to) {
            return Ok(to);
        }
        let allowed = self.next();
        Err(InvalidInput::new(
            "triage",
            if allowed.is_empty() {
                format!(
                    "an item marked '{}' is final and cannot be triaged again",
                    self.label()
                )
            } else {
                format!(
                    "an item marked '{}' can go only to: {}",
                    self.label(),
                    allowed
                        .iter()
                        .map(|s| s.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ))
    }
}

/// A new intelligence item, checked and ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntelligence {
    pub received_at: DateTime<Utc>,
    pub source_type: SourceType,
    pub anonymous: bool,
    /// The sender's own reference (an alert id, say): importing the same
    /// reference twice adds nothing.
    pub source_reference: Option<String>,
    /// The named person it came from, for a source who is not anonymous
    /// (`domain::drift`): none unless given with [`Self::from_person`].
    pub source_person: Option<SourcePerson>,
    pub grading: Grading,
    pub category: Category,
    pub apsp: bool,
    pub subjects: Vec<StaffNumber>,
    pub summary: String,
    pub full_text: String,
}

impl NewIntelligence {
    pub const SUMMARY_MAX: usize = 500;
    pub const FULL_TEXT_MAX: usize = 100_000;

    /// Checks the rules that join fields together.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        received_at: DateTime<Utc>,
        source_type: SourceType,
        anonymous: bool,
        source_reference: Option<String>,
        grading: Grading,
        category: Category,
        apsp: bool,
        subjects: Vec<StaffNumber>,
        summary: &str,
        full_text: &str,
    ) -> Result<NewIntelligence, InvalidInput> {
        if anonymous && source_type != SourceType::ConfidentialLine {
            return Err(InvalidInput::new(
                "anonymous",
                "only reports to the confidential reporting line may be anonymous",
            ));
        }
        if apsp && !category.may_be_apsp() {
            return Err(InvalidInput::new(
                "apsp",
                "abuse of position for a sexual purpose is recorded under abuse-of-authority or sexual-misconduct",
            ));
        }
        if matches!(grading, Grading::Legacy { .. }) && source_reference.is_none() {
            return Err(InvalidInput::new(
                "grading",
                "new intelligence is graded 3x5x2; a 5x5x5 grade is accepted only for older items imported with their source reference",
            ));
        }
        let source_reference = match source_reference {
            Some(r) => Some(text::line("source reference", &r, 200)?),
            None => None,
        };
        let mut subjects = subjects;
        subjects.sort();
        subjects.dedup();
        Ok(NewIntelligence {
            received_at,
            source_type,
            anonymous,
            source_reference,
            source_person: None,
            grading,
            category,
            apsp,
            subjects,
            summary: text::line("summary", summary, Self::SUMMARY_MAX)?,
            full_text: text::optional("full text", full_text, Self::FULL_TEXT_MAX)?,
        })
    }

    /// The item with the named person it came from (none for an empty
    /// name). An anonymous report names nobody.
    pub fn from_person(mut self, person: &str) -> Result<NewIntelligence, InvalidInput> {
        if person.trim().is_empty() {
            self.source_person = None;
            return Ok(self);
        }
        if self.anonymous {
            return Err(InvalidInput::new(
                "source person",
                "an anonymous report names no source: leave the source person empty, or record the report as not anonymous",
            ));
        }
        self.source_person = Some(SourcePerson::parse(person)?);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn current_grades_parse_in_any_common_spelling() {
        for text in ["2BP", "2/B/P", "2 b p", "2-B-P"] {
            assert_eq!(Grading::parse(text, "").unwrap().code(), "2BP", "{text}");
        }
        let c = Grading::parse("1AC", "Not to be shared outside PSD").unwrap();
        assert_eq!(c.code(), "1AC");
        assert_eq!(c.conditions(), "Not to be shared outside PSD");
    }

    #[test]
    fn handling_c_needs_conditions_and_p_refuses_them() {
        assert!(
            Grading::parse("1AC", "  ")
                .unwrap_err()
                .message
                .contains("required")
        );
        assert!(Grading::parse("1AP", "only PSD").is_err());
    }

    #[test]
    fn bad_grades_are_refused_with_the_format() {
        for bad in ["4AP", "1FP", "1AX", "1A", "", "12AP", "F11", "A61"] {
            let err = Grading::parse(bad, "").unwrap_err();
            assert_eq!(err.field, "grading", "{bad}");
        }
    }

    #[test]
    fn older_5x5x5_grades_stay_readable() {
        let g = Grading::parse("B/2/4", "").unwrap();
        assert_eq!(g.code(), "5x5x5:B24");
        assert_eq!(g.to_string(), "B24 (older 5x5x5 grade)");
        assert_eq!(Grading::from_stored("5x5x5:B24", "").unwrap(), g);
        assert_eq!(Grading::from_stored("2BP", "").unwrap().code(), "2BP");
    }

    #[test]
    fn all_twelve_categories_and_their_codes() {
        assert_eq!(Category::ALL.len(), 12);
        assert_eq!(
            Category::parse("Abuse of authority").unwrap(),
            Category::AbuseOfAuthority
        );
        assert_eq!(
            Category::parse("THEFT_FRAUD").unwrap(),
            Category::TheftFraud
        );
        assert!(
            Category::parse("gossip")
                .unwrap_err()
                .message
                .contains("infiltration")
        );
    }

    #[test]
    fn every_legal_and_illegal_triage_move() {
        use TriageStatus::*;
        let legal = [
            (New, Assessed),
            (Assessed, NoFurtherAction),
            (Assessed, Filed),
            (Assessed, Develop),
            (Assessed, LinkedToOperation),
            (Develop, NoFurtherAction),
            (Develop, Filed),
            (Develop, LinkedToOperation),
            (Filed, Develop),
            (Filed, LinkedToOperation),
        ];
        for from in TriageStatus::ALL {
            for to in TriageStatus::ALL {
                let ok = legal.contains(&(*from, *to));
                assert_eq!(from.transition(*to).is_ok(), ok, "{from:?} -> {to:?}");
            }
        }
        assert!(
            NoFurtherAction
                .transition(Develop)
                .unwrap_err()
                .message
                .contains("final")
        );
    }

    #[test]
    fn a_named_source_is_never_anonymous() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let item = |anonymous| {
            NewIntelligence::new(
                at,
                SourceType::ConfidentialLine,
                anonymous,
                None,
                Grading::parse("2BP", "").unwrap(),
                Category::Other,
                false,
                vec![],
                "s",
                "",
            )
            .unwrap()
        };
        let named = item(false).from_person(" Jo  Bloggs ").unwrap();
        assert_eq!(named.source_person.unwrap().key(), "jo bloggs");
        assert_eq!(
            item(true).from_person("Jo Bloggs").unwrap_err().field,
            "source person"
        );
        assert_eq!(item(true).from_person("  ").unwrap().source_person, None);
    }

    #[test]
    fn anonymity_apsp_and_legacy_grades_follow_the_rules() {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let g = Grading::parse("2BP", "").unwrap();
        let make =
            |source, anonymous, category, apsp, grading: Grading, reference: Option<&str>| {
                NewIntelligence::new(
                    at,
                    source,
                    anonymous,
                    reference.map(str::to_owned),
                    grading,
                    category,
                    apsp,
                    vec![],
                    "s",
                    "",
                )
            };
        assert!(
            make(
                SourceType::ConfidentialLine,
                true,
                Category::Other,
                false,
                g.clone(),
                None
            )
            .is_ok()
        );
        assert_eq!(
            make(
                SourceType::Colleague,
                true,
                Category::Other,
                false,
                g.clone(),
                None
            )
            .unwrap_err()
            .field,
            "anonymous"
        );
        assert!(
            make(
                SourceType::Colleague,
                false,
                Category::SexualMisconduct,
                true,
                g.clone(),
                None
            )
            .is_ok()
        );
        assert_eq!(
            make(
                SourceType::Colleague,
                false,
                Category::Drugs,
                true,
                g.clone(),
                None
            )
            .unwrap_err()
            .field,
            "apsp"
        );
        let old = Grading::parse("B24", "").unwrap();
        assert!(
            make(
                SourceType::Colleague,
                false,
                Category::Drugs,
                false,
                old.clone(),
                None
            )
            .is_err()
        );
        assert!(
            make(
                SourceType::Colleague,
                false,
                Category::Drugs,
                false,
                old,
                Some("LEGACY-7")
            )
            .is_ok()
        );
    }
}
