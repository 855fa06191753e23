//! Which role may do what: the one table every permission check reads.

use super::role::{Role, RoleSet};

/// Something a user may or may not be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Create accounts, disable or re-enable them, set roles, reset others' passwords.
    ManageAccounts,
    /// See the list of accounts and their roles.
    ListAccounts,
    /// Change one's own password.
    ChangeOwnPassword,
    /// Read intelligence, subjects, operations and everything linked to them.
    ReadCaseContent,
    /// Record or change case content.
    WriteCaseContent,
    /// Read and export the audit trail.
    ReadAuditTrail,
}

impl Action {
    /// How a refusal names what was attempted: "may not {phrase}".
    pub fn phrase(self) -> &'static str {
        match self {
            Action::ManageAccounts => "manage user accounts",
            Action::ListAccounts => "list user accounts",
            Action::ChangeOwnPassword => "change their password",
            Action::ReadCaseContent => "read case content",
            Action::WriteCaseContent => "change case content",
            Action::ReadAuditTrail => "read the audit trail",
        }
    }
}

use Role::*;

/// The permission table. DOMAIN.md, "Who uses it": an administrator manages
/// accounts but reads no case content; an auditor reads everything and
/// writes nothing.
pub const PERMISSIONS: &[(Action, &[Role])] = &[
    (Action::ManageAccounts, &[Administrator]),
    (Action::ListAccounts, &[Administrator, Auditor]),
    (
        Action::ChangeOwnPassword,
        &[
            Investigator,
            Supervisor,
            AuthorisingOfficer,
            Auditor,
            Administrator,
        ],
    ),
    (
        Action::ReadCaseContent,
        &[Investigator, Supervisor, AuthorisingOfficer, Auditor],
    ),
    (
        Action::WriteCaseContent,
        &[Investigator, Supervisor, AuthorisingOfficer],
    ),
    (Action::ReadAuditTrail, &[Supervisor, Auditor]),
];

/// Whether any of `roles` is allowed `action`.
pub fn permits(roles: &RoleSet, action: Action) -> bool {
    PERMISSIONS
        .iter()
        .filter(|(a, _)| *a == action)
        .flat_map(|(_, allowed)| allowed.iter())
        .any(|role| roles.contains(*role))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(list: &str) -> RoleSet {
        RoleSet::parse_list(list).unwrap()
    }

    #[test]
    fn administrator_manages_accounts_but_reads_no_case_content() {
        let admin = roles("administrator");
        assert!(permits(&admin, Action::ManageAccounts));
        assert!(!permits(&admin, Action::ReadCaseContent));
        assert!(!permits(&admin, Action::WriteCaseContent));
        assert!(!permits(&admin, Action::ReadAuditTrail));
    }

    #[test]
    fn auditor_reads_everything_and_writes_nothing() {
        let auditor = roles("auditor");
        assert!(permits(&auditor, Action::ReadCaseContent));
        assert!(permits(&auditor, Action::ReadAuditTrail));
        assert!(permits(&auditor, Action::ListAccounts));
        assert!(!permits(&auditor, Action::WriteCaseContent));
        assert!(!permits(&auditor, Action::ManageAccounts));
    }

    #[test]
    fn case_roles_work_cases_but_do_not_manage_accounts() {
        for list in ["investigator", "supervisor", "authorising-officer"] {
            let r = roles(list);
            assert!(permits(&r, Action::ReadCaseContent), "{list}");
            assert!(permits(&r, Action::WriteCaseContent), "{list}");
            assert!(!permits(&r, Action::ManageAccounts), "{list}");
        }
        assert!(!permits(&roles("investigator"), Action::ReadAuditTrail));
        assert!(permits(&roles("supervisor"), Action::ReadAuditTrail));
    }

    #[test]
    fn every_action_is_in_the_table_and_every_role_may_change_its_password() {
        for action in [
            Action::ManageAccounts,
            Action::ListAccounts,
            Action::ChangeOwnPassword,
            Action::ReadCaseContent,
            Action::WriteCaseContent,
            Action::ReadAuditTrail,
        ] {
            assert!(PERMISSIONS.iter().any(|(a, _)| *a == action), "{action:?}");
        }
        for role in Role::ALL {
            assert!(permits(
                &RoleSet::new([role]).unwrap(),
                Action::ChangeOwnPassword
            ));
        }
    }
}
