//! Which role may do what: the one table every permission check reads.

use super::role::{Role, RoleSet};

/// Something a user may or may not be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A permission a register declares in its own file, with the roles
    /// that hold it ([`Declared`]).
    Declared(&'static Declared),
    /// Create accounts, disable or re-enable them, set roles, reset others' passwords.
    ManageAccounts,
    /// See the list of accounts and their roles.
    ListAccounts,
    /// Change one's own password.
    ChangeOwnPassword,
    /// Read intelligence, subjects, and the operations one may see.
    ReadCaseContent,
    /// See every operation, not only those one is on (need-to-know).
    SeeAllOperations,
    /// Record intelligence, by hand or by bulk import.
    RecordIntelligence,
    /// Move intelligence through triage.
    TriageIntelligence,
    /// Add and update subjects.
    ManageSubjects,
    /// Open a new operation (in scoping).
    OpenOperation,
    /// Link subjects to an operation, or to intelligence, one may see.
    LinkSubjects,
    /// Activate, change the phase of, or suspend an operation.
    ChangeOperationStatus,
    /// Close an operation with its outcome and lessons learned.
    CloseOperation,
    /// Put people on an operation's team or take them off.
    AllocateTeam,
    /// Add to the decision log of an operation one may see.
    RecordDecision,
    /// Draft, submit, complete or withdraw a bid for resources.
    MakeBid,
    /// Decide a bid (never one's own).
    DecideBid,
    /// Set the weekly capacity of a resource type.
    SetCapacity,
    /// Propose that an operation meets the threshold for covert investigation.
    ProposeThreshold,
    /// Decide whether the threshold is met.
    DecideThreshold,
    /// Apply for a covert authorisation.
    ApplyForAuthorisation,
    /// Grant, refuse, review, renew or cancel a covert authorisation, and
    /// record a Judicial Commissioner's approval (never of one's own application).
    ActOnAuthorisation,
    /// Record an IOPC referral in draft, and the IOPC's decision.
    RecordReferral,
    /// Make a referral to the IOPC.
    MakeReferral,
    /// Set the referral deadline the unit works to.
    SetDeadlines,
    /// Read and export the audit trail.
    ReadAuditTrail,
    /// Mark a new, empty case file as a demonstration file (fictional data).
    MarkDemo,
    /// Give the case file a new data key, sealed to the accounts active now.
    RekeyCaseFile,
    /// Make an encrypted backup copy of the case file.
    BackUpCaseFile,
    /// Approve or decline a request for access (two-person control): the
    /// supervisor role, and the store checks the rank (Inspector or above,
    /// the head of unit), never one's own or one's own request.
    DecideAccess,
    /// See the requests for access waiting for a decision.
    ListAccessRequests,
}

impl Action {
    /// Everything that changes case content: an auditor may do none of it.
    pub const CASE_WRITES: &[Action] = &[
        Action::RecordIntelligence,
        Action::TriageIntelligence,
        Action::ManageSubjects,
        Action::OpenOperation,
        Action::LinkSubjects,
        Action::ChangeOperationStatus,
        Action::CloseOperation,
        Action::AllocateTeam,
        Action::RecordDecision,
        Action::MakeBid,
        Action::DecideBid,
        Action::SetCapacity,
        Action::ProposeThreshold,
        Action::DecideThreshold,
        Action::ApplyForAuthorisation,
        Action::ActOnAuthorisation,
        Action::RecordReferral,
        Action::MakeReferral,
        Action::SetDeadlines,
    ];

    /// How a refusal names what was attempted: "may not {phrase}".
    pub fn phrase(self) -> &'static str {
        match self {
            Action::Declared(declared) => declared.phrase,
            Action::ManageAccounts => "manage user accounts",
            Action::ListAccounts => "list user accounts",
            Action::ChangeOwnPassword => "change their password",
            Action::ReadCaseContent => "read case content",
            Action::SeeAllOperations => "see every operation",
            Action::RecordIntelligence => "record intelligence",
            Action::TriageIntelligence => "triage intelligence",
            Action::ManageSubjects => "add or update subjects",
            Action::OpenOperation => "open an operation",
            Action::LinkSubjects => "link subjects to an operation or to intelligence",
            Action::ChangeOperationStatus => "change an operation's status",
            Action::CloseOperation => "close an operation",
            Action::AllocateTeam => "allocate an operation's team",
            Action::RecordDecision => "add to a decision log",
            Action::MakeBid => "make a bid for resources",
            Action::DecideBid => "decide a bid for resources",
            Action::SetCapacity => "set resource capacity",
            Action::ProposeThreshold => "propose a threshold decision",
            Action::DecideThreshold => {
                "decide whether the threshold for covert investigation is met"
            }
            Action::ApplyForAuthorisation => "apply for a covert authorisation",
            Action::ActOnAuthorisation => "grant, review, renew or cancel covert authorisations",
            Action::RecordReferral => "record an IOPC referral",
            Action::MakeReferral => "make a referral to the IOPC",
            Action::SetDeadlines => "set the referral deadline",
            Action::ReadAuditTrail => "read the audit trail",
            Action::MarkDemo => "mark the case file as a demonstration file",
            Action::RekeyCaseFile => "re-key the case file",
            Action::BackUpCaseFile => "back up the case file",
            Action::DecideAccess => "approve or decline requests for access",
            Action::ListAccessRequests => "see requests for access",
        }
    }
}

/// A permission declared beside the register it guards, rather than in
/// [`PERMISSIONS`]: what a refusal calls it, and the roles that hold it.
/// Made only through [`Declared::case_write`] and [`Declared::case_read`],
/// which hold it to the rules of the table at compile time.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Declared {
    pub phrase: &'static str,
    pub roles: &'static [Role],
}

impl Declared {
    /// A change to case content: never an auditor's (who writes nothing)
    /// or an administrator's (who reads no case content). A list that
    /// names either does not compile.
    pub const fn case_write(phrase: &'static str, roles: &'static [Role]) -> Declared {
        let mut i = 0;
        while i < roles.len() {
            if matches!(roles[i], Role::Auditor | Role::Administrator) {
                panic!("a change to case content is never an auditor's or an administrator's");
            }
            i += 1;
        }
        Declared { phrase, roles }
    }

    /// Reading case content: never an administrator's.
    pub const fn case_read(phrase: &'static str, roles: &'static [Role]) -> Declared {
        let mut i = 0;
        while i < roles.len() {
            if matches!(roles[i], Role::Administrator) {
                panic!("an administrator reads no case content");
            }
            i += 1;
        }
        Declared { phrase, roles }
    }
}

use Role::*;

/// The permission table. DOMAIN.md, "Who uses it": an administrator manages
/// accounts but reads no case content; an auditor reads everything and
/// writes nothing; supervisors allocate teams and close operations.
/// Need-to-know (which operations a user may see) is applied on top of this
/// table by the store, from each operation's team.
pub const PERMISSIONS: &[(Action, &[Role])] = &[
    (Action::ManageAccounts, &[Administrator]),
    (Action::ListAccounts, &[Administrator, Auditor]),
    (Action::DecideAccess, &[Supervisor]),
    (
        Action::ListAccessRequests,
        &[Administrator, Auditor, Supervisor],
    ),
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
    (Action::SeeAllOperations, &[Supervisor, Auditor]),
    (Action::RecordIntelligence, &[Investigator, Supervisor]),
    (Action::TriageIntelligence, &[Investigator, Supervisor]),
    (Action::ManageSubjects, &[Investigator, Supervisor]),
    (Action::OpenOperation, &[Investigator, Supervisor]),
    (Action::LinkSubjects, &[Investigator, Supervisor]),
    (Action::ChangeOperationStatus, &[Supervisor]),
    (Action::CloseOperation, &[Supervisor]),
    (Action::AllocateTeam, &[Supervisor]),
    (
        Action::RecordDecision,
        &[Investigator, Supervisor, AuthorisingOfficer],
    ),
    (Action::MakeBid, &[Investigator, Supervisor]),
    (Action::DecideBid, &[Supervisor]),
    (Action::SetCapacity, &[Supervisor]),
    (Action::ProposeThreshold, &[Investigator, Supervisor]),
    (Action::DecideThreshold, &[Supervisor]),
    (Action::ApplyForAuthorisation, &[Investigator, Supervisor]),
    (Action::ActOnAuthorisation, &[AuthorisingOfficer]),
    (Action::RecordReferral, &[Investigator, Supervisor]),
    (Action::MakeReferral, &[Supervisor]),
    (Action::SetDeadlines, &[Supervisor]),
    (Action::ReadAuditTrail, &[Supervisor, Auditor]),
    // Marking is about the file, not its content: whoever sets a file up
    // says what it is for.
    (Action::MarkDemo, &[Administrator]),
    (Action::RekeyCaseFile, &[Administrator]),
    (Action::BackUpCaseFile, &[Administrator, Supervisor]),
];

/// Whether any of `roles` is allowed `action`.
pub fn permits(roles: &RoleSet, action: Action) -> bool {
    if let Action::Declared(declared) = action {
        return declared.roles.iter().any(|role| roles.contains(*role));
    }
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
    fn a_declared_permission_is_held_by_its_roles_only() {
        const DISSEMINATE: Declared =
            Declared::case_write("record a dissemination", &[Role::Supervisor]);
        let action = Action::Declared(&DISSEMINATE);
        assert!(permits(&roles("supervisor"), action));
        assert!(permits(&roles("investigator,supervisor"), action));
        for list in [
            "investigator",
            "auditor",
            "administrator",
            "authorising-officer",
        ] {
            assert!(!permits(&roles(list), action), "{list}");
        }
        assert_eq!(action.phrase(), "record a dissemination");
    }

    #[test]
    fn administrator_manages_accounts_but_reads_no_case_content() {
        let admin = roles("administrator");
        assert!(permits(&admin, Action::ManageAccounts));
        assert!(!permits(&admin, Action::ReadCaseContent));
        for write in Action::CASE_WRITES {
            assert!(!permits(&admin, *write), "{write:?}");
        }
        assert!(!permits(&admin, Action::ReadAuditTrail));
    }

    #[test]
    fn auditor_reads_everything_and_writes_nothing() {
        let auditor = roles("auditor");
        assert!(permits(&auditor, Action::ReadCaseContent));
        assert!(permits(&auditor, Action::ReadAuditTrail));
        assert!(permits(&auditor, Action::ListAccounts));
        assert!(permits(&auditor, Action::SeeAllOperations));
        for write in Action::CASE_WRITES {
            assert!(!permits(&auditor, *write), "{write:?}");
        }
        assert!(!permits(&auditor, Action::ManageAccounts));
    }

    #[test]
    fn case_roles_work_cases_but_do_not_manage_accounts() {
        for list in ["investigator", "supervisor", "authorising-officer"] {
            let r = roles(list);
            assert!(permits(&r, Action::ReadCaseContent), "{list}");
            assert!(permits(&r, Action::RecordDecision), "{list}");
            assert!(!permits(&r, Action::ManageAccounts), "{list}");
        }
        assert!(!permits(&roles("investigator"), Action::ReadAuditTrail));
        assert!(permits(&roles("supervisor"), Action::ReadAuditTrail));
        // Only supervisors decide the shape of an operation.
        for action in [
            Action::CloseOperation,
            Action::AllocateTeam,
            Action::ChangeOperationStatus,
        ] {
            assert!(permits(&roles("supervisor"), action));
            assert!(!permits(&roles("investigator"), action));
            assert!(!permits(&roles("authorising-officer"), action));
        }
        // Need-to-know: only supervisors and auditors see every operation.
        assert!(!permits(&roles("investigator"), Action::SeeAllOperations));
        assert!(!permits(
            &roles("authorising-officer"),
            Action::SeeAllOperations
        ));
    }

    /// The audit viewer shows the whole trail, with no need-to-know filter:
    /// only right while everyone who may read it sees every operation.
    #[test]
    fn whoever_may_read_the_audit_trail_sees_every_operation() {
        for role in Role::ALL {
            let r = RoleSet::new([role]).unwrap();
            if permits(&r, Action::ReadAuditTrail) {
                assert!(permits(&r, Action::SeeAllOperations), "{role:?}");
            }
        }
    }

    #[test]
    fn every_action_is_in_the_table_and_every_role_may_change_its_password() {
        for action in [
            Action::ManageAccounts,
            Action::ListAccounts,
            Action::ChangeOwnPassword,
            Action::ReadCaseContent,
            Action::SeeAllOperations,
            Action::ReadAuditTrail,
            Action::MarkDemo,
        ]
        .iter()
        .chain(Action::CASE_WRITES)
        {
            assert!(PERMISSIONS.iter().any(|(a, _)| a == action), "{action:?}");
        }
        for role in Role::ALL {
            assert!(permits(
                &RoleSet::new([role]).unwrap(),
                Action::ChangeOwnPassword
            ));
        }
    }
}
