//! Operations: codenames, priorities and the status life cycle.

use std::fmt;

use super::InvalidInput;
use super::codes::code_list;
use super::text;

/// An operation's codename: one word of 3 to 20 letters, upper case, as in
/// `KESTREL`. A leading `Op` is dropped, so `Op Kestrel` is KESTREL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Codename(String);

impl Codename {
    pub fn parse(text: &str) -> Result<Codename, InvalidInput> {
        let trimmed = text.trim();
        let upper = trimmed.to_uppercase();
        let word = upper
            .strip_prefix("OP ")
            .or_else(|| upper.strip_prefix("OPERATION "))
            .unwrap_or(&upper)
            .trim();
        let len = word.chars().count();
        if !(3..=20).contains(&len) || !word.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(InvalidInput::new(
                "codename",
                format!("'{trimmed}' must be one word of 3 to 20 letters A-Z, such as KESTREL"),
            ));
        }
        Ok(Codename(word.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Codename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Written as its text, `KESTREL`, as it is stored.
impl serde::Serialize for Codename {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        out.serialize_str(&self.0)
    }
}

code_list! {
    pub enum Priority ("priority") {
        P1 = "P1", "P1 (highest)";
        P2 = "P2", "P2";
        P3 = "P3", "P3";
        P4 = "P4", "P4 (lowest)";
    }
}

code_list! {
    /// The stored status. An active operation is in its overt or covert phase.
    pub enum OperationStatus ("status") {
        Scoping = "scoping", "Scoping";
        ActiveOvert = "active-overt", "Active (overt phase)";
        ActiveCovert = "active-covert", "Active (covert phase)";
        Suspended = "suspended", "Suspended";
        Closed = "closed", "Closed";
    }
}

impl OperationStatus {
    pub fn next(self) -> &'static [OperationStatus] {
        use OperationStatus::*;
        match self {
            Scoping => &[ActiveOvert, ActiveCovert, Closed],
            ActiveOvert => &[ActiveCovert, Suspended, Closed],
            ActiveCovert => &[ActiveOvert, Suspended, Closed],
            Suspended => &[ActiveOvert, ActiveCovert, Closed],
            Closed => &[],
        }
    }

    /// Checks a move; closing is only through [`Closure`], which carries the
    /// outcome and lessons learned.
    pub fn transition(self, to: OperationStatus) -> Result<OperationStatus, InvalidInput> {
        if self.next().contains(&to) {
            return Ok(to);
        }
        Err(InvalidInput::new(
            "status",
            if self == OperationStatus::Closed {
                "a closed operation stays closed".to_owned()
            } else if self == to {
                format!("the operation is already {}", self.label().to_lowercase())
            } else {
                format!(
                    "an operation that is {} can go only to: {}",
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

/// What closing an operation must record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub outcome: String,
    pub lessons_learned: String,
}

impl Closure {
    pub fn new(outcome: &str, lessons_learned: &str) -> Result<Closure, InvalidInput> {
        Ok(Closure {
            outcome: text::required("outcome", outcome, text::STATEMENT)?,
            lessons_learned: text::required("lessons learned", lessons_learned, text::LONG)?,
        })
    }
}

/// A decision-log entry, checked. Entries are never edited: a correction is
/// a new entry that names the one it corrects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub decision: String,
    pub rationale: String,
    pub alternatives: String,
    /// The number (within the operation) of the entry this corrects.
    pub corrects: Option<u32>,
}

impl Decision {
    pub fn new(
        decision: &str,
        rationale: &str,
        alternatives: &str,
        corrects: Option<u32>,
    ) -> Result<Decision, InvalidInput> {
        Ok(Decision {
            decision: text::required("decision", decision, text::STATEMENT)?,
            rationale: text::required("rationale", rationale, text::LONG)?,
            alternatives: text::optional("alternatives considered", alternatives, text::LONG)?,
            corrects,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codenames() {
        assert_eq!(Codename::parse("kestrel").unwrap().as_str(), "KESTREL");
        assert_eq!(Codename::parse("Op Kestrel").unwrap().as_str(), "KESTREL");
        let kestrel = Codename::parse("kestrel").unwrap();
        assert_eq!(serde_json::to_string(&kestrel).unwrap(), r#""KESTREL""#);
        for bad in ["KE", "KESTREL HAWK", "K3STREL", "", "ÉCLAIR"] {
            assert!(Codename::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_legal_and_illegal_status_move() {
        use OperationStatus::*;
        let legal = [
            (Scoping, ActiveOvert),
            (Scoping, ActiveCovert),
            (Scoping, Closed),
            (ActiveOvert, ActiveCovert),
            (ActiveOvert, Suspended),
            (ActiveOvert, Closed),
            (ActiveCovert, ActiveOvert),
            (ActiveCovert, Suspended),
            (ActiveCovert, Closed),
            (Suspended, ActiveOvert),
            (Suspended, ActiveCovert),
            (Suspended, Closed),
        ];
        for from in OperationStatus::ALL {
            for to in OperationStatus::ALL {
                assert_eq!(
                    from.transition(*to).is_ok(),
                    legal.contains(&(*from, *to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert_eq!(
            Closed.transition(Scoping).unwrap_err().message,
            "a closed operation stays closed"
        );
    }

    #[test]
    fn closing_needs_an_outcome_and_lessons() {
        assert_eq!(Closure::new("", "x").unwrap_err().field, "outcome");
        assert_eq!(Closure::new("x", " ").unwrap_err().field, "lessons learned");
        assert!(Closure::new("Dismissed at hearing", "Audit PNC use monthly").is_ok());
    }

    #[test]
    fn decisions_need_a_decision_and_a_rationale() {
        assert_eq!(
            Decision::new("", "r", "", None).unwrap_err().field,
            "decision"
        );
        assert_eq!(
            Decision::new("d", "", "", None).unwrap_err().field,
            "rationale"
        );
        assert!(Decision::new("d", "r", "", Some(1)).is_ok());
    }
}

code_list! {
    /// How someone is on an operation's team.
    pub enum TeamPart ("part") {
        Lead = "lead", "Lead investigator";
        Supervisor = "supervisor", "Supervisor";
        Team = "team", "Team member";
        AuthorisingOfficer = "authorising-officer", "Authorising officer asked to act";
    }
}

impl TeamPart {
    /// The role someone must hold to take this part.
    pub fn needs_one_of(self) -> &'static [super::role::Role] {
        use super::role::Role;
        match self {
            TeamPart::Lead | TeamPart::Team => &[Role::Investigator, Role::Supervisor],
            TeamPart::Supervisor => &[Role::Supervisor],
            TeamPart::AuthorisingOfficer => &[Role::AuthorisingOfficer],
        }
    }
}

/// A new operation, checked. It opens in scoping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOperation {
    pub codename: Codename,
    pub description: String,
    pub category: super::intelligence::Category,
    pub priority: Priority,
    pub lead: super::account::Username,
    pub supervisor: super::account::Username,
    pub team: Vec<super::account::Username>,
    pub subjects: Vec<super::subject::StaffNumber>,
}

impl NewOperation {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        codename: Codename,
        description: &str,
        category: super::intelligence::Category,
        priority: Priority,
        lead: super::account::Username,
        supervisor: super::account::Username,
        team: Vec<super::account::Username>,
        subjects: Vec<super::subject::StaffNumber>,
    ) -> Result<NewOperation, InvalidInput> {
        if lead == supervisor {
            return Err(InvalidInput::new(
                "supervisor",
                "the supervisor must be someone other than the lead investigator",
            ));
        }
        let mut team: Vec<_> = team
            .into_iter()
            .filter(|u| *u != lead && *u != supervisor)
            .collect();
        team.sort();
        team.dedup();
        let mut subjects = subjects;
        subjects.sort();
        subjects.dedup();
        Ok(NewOperation {
            codename,
            description: text::required("description", description, text::LONG)?,
            category,
            priority,
            lead,
            supervisor,
            team,
            subjects,
        })
    }
}
