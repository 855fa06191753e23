//! The roles a user can hold, and which of them may be held together.

use std::collections::BTreeSet;
use std::fmt;

use super::InvalidInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Investigator,
    Supervisor,
    AuthorisingOfficer,
    Auditor,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Investigator,
        Role::Supervisor,
        Role::AuthorisingOfficer,
        Role::Auditor,
        Role::Administrator,
    ];

    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Investigator => "investigator",
            Role::Supervisor => "supervisor",
            Role::AuthorisingOfficer => "authorising-officer",
            Role::Auditor => "auditor",
            Role::Administrator => "administrator",
        }
    }

    /// Whether holding the role lets one read case content: granting such
    /// a role takes a second person (docs/security.md, "Access model").
    pub fn reads_case_content(self) -> bool {
        !matches!(self, Role::Administrator)
    }

    /// A role that must be held alone: whoever administers access must not
    /// read or audit case content, and an auditor must never be able to write.
    fn is_exclusive(self) -> bool {
        matches!(self, Role::Auditor | Role::Administrator)
    }

    pub fn parse(text: &str) -> Result<Role, InvalidInput> {
        let key = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        let role = match key.as_str() {
            "investigator" => Role::Investigator,
            "supervisor" => Role::Supervisor,
            "authorising-officer" | "authorizing-officer" | "ao" => Role::AuthorisingOfficer,
            "auditor" => Role::Auditor,
            "administrator" | "admin" => Role::Administrator,
            _ => {
                return Err(InvalidInput::new(
                    "role",
                    format!(
                        "'{}' is not a role; the roles are {}",
                        text.trim(),
                        Role::ALL.map(Role::as_str).join(", ")
                    ),
                ));
            }
        };
        Ok(role)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-empty set of roles that may lawfully be held together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSet(BTreeSet<Role>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Result<RoleSet, InvalidInput> {
        let set: BTreeSet<Role> = roles.into_iter().collect();
        if set.is_empty() {
            return Err(InvalidInput::new("roles", "at least one role is needed"));
        }
        if set.len() > 1
            && let Some(alone) = set.iter().find(|r| r.is_exclusive())
        {
            let why = match alone {
                Role::Administrator => {
                    "whoever manages accounts must not read or audit case content"
                }
                _ => "an auditor reads everything and must never be able to change anything",
            };
            return Err(InvalidInput::new(
                "roles",
                format!("the {alone} role cannot be combined with other roles: {why}"),
            ));
        }
        Ok(RoleSet(set))
    }

    /// Parses a comma-separated list such as `investigator,supervisor`.
    pub fn parse_list(text: &str) -> Result<RoleSet, InvalidInput> {
        let roles = text
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(Role::parse)
            .collect::<Result<Vec<_>, _>>()?;
        RoleSet::new(roles)
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }
}

/// Comma-separated, in the fixed order of [`Role::ALL`]; this exact text is
/// what the audit trail records as the actor's roles.
impl fmt::Display for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Role::as_str).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_role_and_common_spellings() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert_eq!(
            Role::parse(" Authorising Officer ").unwrap(),
            Role::AuthorisingOfficer
        );
        assert_eq!(Role::parse("AO").unwrap(), Role::AuthorisingOfficer);
        assert_eq!(Role::parse("admin").unwrap(), Role::Administrator);
        let err = Role::parse("chief").unwrap_err();
        assert!(err.message.contains("'chief' is not a role"), "{err}");
    }

    #[test]
    fn case_roles_combine_and_print_in_a_fixed_order() {
        let set = RoleSet::parse_list("supervisor, investigator,authorising-officer").unwrap();
        assert_eq!(
            set.to_string(),
            "investigator,supervisor,authorising-officer"
        );
    }

    #[test]
    fn administrator_and_auditor_are_held_alone() {
        for list in [
            "administrator,auditor",
            "administrator,investigator",
            "auditor,supervisor",
            "auditor,authorising-officer",
        ] {
            let err = RoleSet::parse_list(list).unwrap_err();
            assert!(err.message.contains("cannot be combined"), "{list}: {err}");
        }
        assert!(RoleSet::parse_list("administrator").is_ok());
        assert!(RoleSet::parse_list("auditor").is_ok());
    }

    #[test]
    fn an_empty_set_is_refused() {
        assert!(RoleSet::parse_list("").is_err());
        assert!(RoleSet::parse_list(" , ").is_err());
    }
}
