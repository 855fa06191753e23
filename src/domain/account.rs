//! User accounts: usernames, display names, ranks and the password policy.

use std::fmt;

use super::InvalidInput;

/// A login name: 2 to 32 characters, lower-case letters, digits, `.`, `_`
/// or `-`, starting with a letter. Input is lower-cased first, so `JSmith`
/// and `jsmith` are the same account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Username, InvalidInput> {
        let name = text.trim().to_lowercase();
        let problem = if name.chars().count() < 2 || name.chars().count() > 32 {
            Some("must be 2 to 32 characters long")
        } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            Some("must start with a letter")
        } else if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            Some("may contain only letters a-z, digits, '.', '_' and '-'")
        } else {
            None
        };
        match problem {
            Some(why) => Err(InvalidInput::new(
                "username",
                format!("{:?} {why}", text.trim()),
            )),
            None => Ok(Username(name)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name shown to other users, such as `DS Jane Okafor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 80;

    pub fn parse(text: &str) -> Result<DisplayName, InvalidInput> {
        let name = text.trim();
        if name.is_empty() {
            return Err(InvalidInput::new("display name", "must not be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                "display name",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if let Some(c) = name
            .chars()
            .find(|&c| crate::sanitise::is_hidden_or_control(c))
        {
            return Err(InvalidInput::new(
                "display name",
                format!(
                    "contains the invisible or control character U+{:04X}",
                    c as u32
                ),
            ));
        }
        Ok(DisplayName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Police ranks in order of seniority, with police staff (who hold no rank)
/// below them all. Authorising ranks for covert powers are judged on this
/// order, so it is a closed list rather than free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rank {
    PoliceStaff,
    Constable,
    Sergeant,
    Inspector,
    ChiefInspector,
    Superintendent,
    ChiefSuperintendent,
    AssistantChiefConstable,
    DeputyChiefConstable,
    ChiefConstable,
}

impl Rank {
    pub const ALL: [Rank; 10] = [
        Rank::PoliceStaff,
        Rank::Constable,
        Rank::Sergeant,
        Rank::Inspector,
        Rank::ChiefInspector,
        Rank::Superintendent,
        Rank::ChiefSuperintendent,
        Rank::AssistantChiefConstable,
        Rank::DeputyChiefConstable,
        Rank::ChiefConstable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rank::PoliceStaff => "Police Staff",
            Rank::Constable => "Constable",
            Rank::Sergeant => "Sergeant",
            Rank::Inspector => "Inspector",
            Rank::ChiefInspector => "Chief Inspector",
            Rank::Superintendent => "Superintendent",
            Rank::ChiefSuperintendent => "Chief Superintendent",
            Rank::AssistantChiefConstable => "Assistant Chief Constable",
            Rank::DeputyChiefConstable => "Deputy Chief Constable",
            Rank::ChiefConstable => "Chief Constable",
        }
    }

    /// The usual short form, for tight spaces such as the screen's header.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Rank::PoliceStaff => "Staff",
            Rank::Constable => "PC",
            Rank::Sergeant => "PS",
            Rank::Inspector => "Insp",
            Rank::ChiefInspector => "CI",
            Rank::Superintendent => "Supt",
            Rank::ChiefSuperintendent => "Ch Supt",
            Rank::AssistantChiefConstable => "ACC",
            Rank::DeputyChiefConstable => "DCC",
            Rank::ChiefConstable => "CC",
        }
    }

    /// Accepts the full name (with or without "Detective") and the usual
    /// abbreviations: PC, DC, PS, DS, Insp, DI, CI, DCI, Supt, DSupt,
    /// Ch Supt, DCS, ACC, DCC, CC, Staff.
    pub fn parse(text: &str) -> Result<Rank, InvalidInput> {
        let key: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let key = key.strip_prefix("detective").unwrap_or(&key);
        let rank = match key {
            "staff" | "policestaff" => Rank::PoliceStaff,
            "constable" | "pc" | "dc" => Rank::Constable,
            "sergeant" | "ps" | "ds" => Rank::Sergeant,
            "inspector" | "insp" | "di" => Rank::Inspector,
            "chiefinspector" | "ci" | "dci" => Rank::ChiefInspector,
            "superintendent" | "supt" | "dsupt" => Rank::Superintendent,
            "chiefsuperintendent" | "chsupt" | "chiefsupt" | "dcs" => Rank::ChiefSuperintendent,
            "assistantchiefconstable" | "acc" => Rank::AssistantChiefConstable,
            "deputychiefconstable" | "dcc" => Rank::DeputyChiefConstable,
            "chiefconstable" | "cc" => Rank::ChiefConstable,
            _ => {
                return Err(InvalidInput::new(
                    "rank",
                    format!(
                        "'{}' is not a rank ccu knows; use one of: {} (or an abbreviation such as DS, DI, Supt)",
                        text.trim(),
                        Rank::ALL.map(Rank::as_str).join(", ")
                    ),
                ));
            }
        };
        Ok(rank)
    }
}

impl fmt::Display for Rank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A password that meets the policy, held only until it is hashed.
/// Its `Debug` output never shows the text.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(text: String, username: &Username) -> Result<NewPassword, InvalidInput> {
        let chars = text.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(InvalidInput::new(
                "password",
                format!(
                    "must be at least {} characters (a few unrelated words make a good one)",
                    Self::MIN_CHARS
                ),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                "password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if text.to_lowercase().contains(username.as_str()) {
            return Err(InvalidInput::new(
                "password",
                "must not contain the username",
            ));
        }
        Ok(NewPassword(text))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(Username::parse(" JOkafor ").unwrap().as_str(), "jokafor");
        assert_eq!(
            Username::parse("j.okafor-2").unwrap().as_str(),
            "j.okafor-2"
        );
        for bad in [
            "j",
            "9lives",
            "j okafor",
            "jo;drop",
            "ünïcode",
            &"a".repeat(33),
        ] {
            assert!(Username::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn display_names_refuse_hidden_and_control_characters() {
        assert_eq!(
            DisplayName::parse("  DS Jane Okafor ").unwrap().as_str(),
            "DS Jane Okafor"
        );
        assert!(DisplayName::parse("   ").is_err());
        let err = DisplayName::parse("Jane\u{1b}[31m").unwrap_err();
        assert!(err.message.contains("U+001B"), "{err}");
        assert!(DisplayName::parse("Jane\u{202e}rekafO").is_err());
        assert!(DisplayName::parse(&"x".repeat(81)).is_err());
    }

    #[test]
    fn ranks_parse_from_names_and_abbreviations_in_order_of_seniority() {
        for rank in Rank::ALL {
            assert_eq!(Rank::parse(rank.as_str()).unwrap(), rank);
        }
        assert_eq!(Rank::parse("DS").unwrap(), Rank::Sergeant);
        assert_eq!(
            Rank::parse("Detective Chief Inspector").unwrap(),
            Rank::ChiefInspector
        );
        assert_eq!(Rank::parse("Ch. Supt").unwrap(), Rank::ChiefSuperintendent);
        assert_eq!(Rank::parse("staff").unwrap(), Rank::PoliceStaff);
        assert!(Rank::Superintendent > Rank::ChiefInspector);
        assert!(Rank::Constable > Rank::PoliceStaff);
        let err = Rank::parse("Commissioner").unwrap_err();
        assert!(err.message.contains("not a rank"), "{err}");
    }

    #[test]
    fn password_policy() {
        let user = Username::parse("jokafor").unwrap();
        assert!(NewPassword::parse("short".into(), &user).is_err());
        assert!(NewPassword::parse("JOkafor-is-my-password".into(), &user).is_err());
        let ok = NewPassword::parse("kettle lantern orchard".into(), &user).unwrap();
        assert_eq!(format!("{ok:?}"), "NewPassword(..)");
    }
}
