//! The accounts: every user of the case file, their roles and status, and
//! the requests for access waiting on each (`store::accounts`,
//! `store::access`). An administrator adds, disables, enables, changes
//! roles and resets passwords here; an auditor reads the list. A change
//! that gives access to case content waits for a head of unit, who
//! decides it from the queue.

area! {
    tab: 99,
    go: "go_accounts", "Go to the user accounts",
}

use chrono::{DateTime, Utc};

use super::kind::{AreaKind, FormContext, Opened, Reader, RecordForm, Unopened};
use crate::app::action::Action;
use crate::app::form::{Field, Form, Submission};
use crate::app::list::{Column, ListSpec, SortKey, window_of};
use crate::app::view::{DetailLine, ListRow, shown, uk_day};
use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, NewPassword, Rank, Username};
use crate::domain::permission::{self, permits};
use crate::domain::role::{Role, RoleSet};
use crate::store::{self, Account, Command, Page, RequestKind};

pub struct Accounts;

/// An open account, as its forms need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub username: String,
    pub roles: Vec<Role>,
    /// `active`, `disabled` or `pending` (a new account waiting).
    pub status: String,
}

impl AreaKind for Accounts {
    type Record = AccountRecord;
    const TITLE: &'static str = "User accounts";
    const SHORT_TITLE: &'static str = "Accounts";
    const IN_MEMORY: bool = true;
    const READS: permission::Action = permission::Action::ListAccounts;
    const NOUN: &'static str = "an account";
    const NEEDS: &'static [(Action, permission::Action)] = &[
        (Action::New, permission::Action::ManageAccounts),
        (Action::Edit, permission::Action::ManageAccounts),
        (Action::ChangeStatus, permission::Action::ManageAccounts),
        (Action::ResetPassword, permission::Action::ManageAccounts),
    ];
    const RECORD_ACTIONS: &'static [Action] =
        &[Action::Edit, Action::ChangeStatus, Action::ResetPassword];
    const DETAIL_HINTS: &'static [Action] = &[
        Action::Edit,
        Action::ChangeStatus,
        Action::ResetPassword,
        Action::Back,
        Action::Help,
    ];
    const LIST_HINTS: &'static [Action] = &[
        Action::Open,
        Action::New,
        Action::SortNext,
        Action::Filter,
        Action::Refresh,
        Action::Help,
        Action::Quit,
    ];

    fn columns() -> Vec<Column> {
        vec![
            Column::text("User", 12, 0),
            Column::text("Name", 0, 1),
            Column::text("Rank", 8, 3),
            Column::text("Roles", 0, 0),
            Column::text("Status", 8, 0),
            Column::new("Created", 10, 4, SortKey::Date),
            Column::text("Waiting", 0, 2),
        ]
    }

    fn load(r: &mut Reader, spec: &ListSpec, page: Page) -> store::Result<(u64, Vec<ListRow>)> {
        let rows = r.casefile.accounts(r.actor)?.iter().map(row).collect();
        Ok(window_of(rows, &Self::columns(), spec, page.offset))
    }

    fn open(r: &mut Reader, key: &str) -> Result<Opened<AccountRecord>, Unopened> {
        let username = Username::parse(key)?;
        let accounts = r.casefile.accounts(r.actor)?;
        let account = accounts
            .iter()
            .find(|a| a.username == username.as_str())
            .ok_or_else(|| Unopened::Nothing(format!("there is no account '{username}'")))?;
        let requests = r.casefile.access_requests(r.actor, false)?;
        Ok(detail(account, &requests))
    }

    fn new_form(context: &FormContext) -> Option<Form> {
        manages(context).then(add_form)
    }

    fn record_form(action: Action, account: &AccountRecord, context: &FormContext) -> RecordForm {
        if !manages(context) {
            return match action {
                Action::Edit | Action::ChangeStatus | Action::ResetPassword => RecordForm::Refuse(
                    "Only an administrator changes accounts; yours may read the list.".into(),
                ),
                _ => RecordForm::NotHere,
            };
        }
        let name = &account.username;
        match action {
            Action::Edit => {
                let held = account.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>();
                RecordForm::Edit(Form::built_by(
                    format!("Change {name}'s roles"),
                    vec![
                        Field::line("roles", true, &held.join(","))
                            .with_hint("the whole new set, comma-separated"),
                    ],
                    set_roles,
                ))
            }
            Action::ChangeStatus => {
                let Ok(username) = Username::parse(name) else {
                    return RecordForm::Refuse(format!("'{name}' is not a username"));
                };
                match account.status.as_str() {
                    "active" => RecordForm::Confirm {
                        question: format!(
                            "Disable {name}? They can no longer log in; the account is kept and can be enabled again."
                        ),
                        command: Command::DisableUser { username },
                    },
                    "pending" => RecordForm::Refuse(format!(
                        "{name} waits for a head of unit to approve the account; nothing to enable yet"
                    )),
                    _ => RecordForm::Confirm {
                        question: format!(
                            "Enable {name}? If their roles read case content, this waits for a head of unit's approval."
                        ),
                        command: Command::EnableUser { username },
                    },
                }
            }
            Action::ResetPassword => RecordForm::Edit(Form::built_by(
                format!("Reset {name}'s password to a one-time password"),
                vec![
                    Field::password("one-time password")
                        .with_hint("at least 12 characters; give it to them in person"),
                    Field::password("one-time password again").labelled("password again"),
                ],
                reset_password,
            )),
            _ => RecordForm::NotHere,
        }
    }

    fn makes(command: &Command) -> bool {
        matches!(command, Command::AddUser { .. })
    }

    #[cfg(test)]
    fn samples() -> Vec<(String, AccountRecord)> {
        ["active", "disabled"]
            .into_iter()
            .map(|status| {
                (
                    "jsmith".to_owned(),
                    AccountRecord {
                        username: "jsmith".into(),
                        roles: vec![Role::Investigator],
                        status: status.into(),
                    },
                )
            })
            .collect()
    }
}

/// Whether the user may change accounts (an administrator), not only read
/// them (an auditor): the store checks it again.
fn manages(context: &FormContext) -> bool {
    context.roles.iter().any(|r| {
        RoleSet::new([*r]).is_ok_and(|one| permits(&one, permission::Action::ManageAccounts))
    })
}

fn add_form() -> Form {
    Form::built_by(
        "Add an account",
        vec![
            Field::line("username", true, "").with_hint("2-32 characters: a-z, 0-9, '.', '_', '-'"),
            Field::line("display name", true, "").with_hint("shown to others, e.g. DS Jane Okafor"),
            Field::line("rank", true, "").with_hint("e.g. DC, DS, Inspector, or Police Staff"),
            Field::line("roles", true, "")
                .with_hint("comma-separated, e.g. investigator,supervisor"),
            Field::password("one-time password")
                .with_hint("at least 12 characters; replaced at first login"),
            Field::password("one-time password again").labelled("password again"),
        ],
        add,
    )
}

/// The one-time password typed twice, for `username`.
fn one_time_password(form: &Form, username: &Username) -> Result<NewPassword, InvalidInput> {
    if form.value("one-time password") != form.value("one-time password again") {
        return Err(InvalidInput::new(
            "one-time password again",
            "the two passwords differ",
        ));
    }
    NewPassword::parse(form.value("one-time password"), username)
        .map_err(|e| InvalidInput::new("one-time password", e.message))
}

fn roles_field(form: &Form) -> Result<RoleSet, InvalidInput> {
    RoleSet::parse_list(&form.value("roles")).map_err(|e| InvalidInput::new("roles", e.message))
}

fn add(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let username = Username::parse(&form.value("username"))
        .map_err(|e| InvalidInput::new("username", e.message))?;
    let display_name = DisplayName::parse(&form.value("display name"))
        .map_err(|e| InvalidInput::new("display name", e.message))?;
    let rank =
        Rank::parse(&form.value("rank")).map_err(|e| InvalidInput::new("rank", e.message))?;
    let roles = roles_field(form)?;
    let password = one_time_password(form, &username)?;
    Ok(Submission::Command(Command::AddUser {
        username,
        display_name,
        rank,
        roles,
        password,
    }))
}

/// The account the form is about.
fn about(form: &Form) -> Result<Username, InvalidInput> {
    Username::parse(form.about.as_deref().unwrap_or(""))
}

fn set_roles(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    Ok(Submission::Command(Command::SetRoles {
        username: about(form)?,
        roles: roles_field(form)?,
    }))
}

fn reset_password(form: &Form, _: DateTime<Utc>) -> Result<Submission, InvalidInput> {
    let username = about(form)?;
    let password = one_time_password(form, &username)?;
    Ok(Submission::Command(Command::SetPassword {
        username,
        password,
    }))
}

fn role_list(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "none".into();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// What waits on an account, in a few words: "add ACR-2026-0001".
fn waiting(a: &Account) -> String {
    a.pending
        .iter()
        .map(|p| match p.kind {
            RequestKind::Add | RequestKind::Grant => {
                format!("{} {}: {}", p.kind.as_str(), p.urn, role_list(&p.roles))
            }
            kind => format!("{} {}", kind.as_str(), p.urn),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn row(a: &Account) -> ListRow {
    ListRow {
        key: shown(&a.username),
        cells: vec![
            shown(&a.username),
            shown(&a.display_name),
            Rank::parse(&a.rank)
                .map(|r| r.abbreviation().to_string())
                .unwrap_or_else(|_| shown(&a.rank)),
            role_list(&a.roles),
            a.shown_status().to_owned(),
            uk_day(&a.created_at),
            waiting(a),
        ],
    }
}

fn detail(a: &Account, requests: &[store::AccessRequest]) -> Opened<AccountRecord> {
    let mut lines = vec![
        DetailLine::Field("Username", shown(&a.username)),
        DetailLine::Field("Name", shown(&a.display_name)),
        DetailLine::Field("Rank", shown(&a.rank)),
        DetailLine::Field("Roles", role_list(&a.roles)),
        DetailLine::Field("Status", a.shown_status().to_owned()),
        DetailLine::Field("Created", uk_day(&a.created_at)),
        DetailLine::Blank,
        DetailLine::Heading("Waiting for a head of unit".into()),
    ];
    let mine: Vec<&store::AccessRequest> = requests
        .iter()
        .filter(|r| r.username == a.username)
        .collect();
    if mine.is_empty() {
        lines.push(DetailLine::Text("nothing".into()));
    }
    for r in mine {
        lines.push(DetailLine::Field("Request", r.urn.to_string()));
        lines.push(DetailLine::Text(shown(&r.summary())));
        lines.push(DetailLine::Field(
            "Asked by",
            format!(
                "{}, expires {}",
                shown(&r.requested_by),
                uk_day(&r.expires_at)
            ),
        ));
    }
    Opened::new(
        shown(&a.username),
        format!("Account {}", shown(&a.username)),
        AccountRecord {
            username: shown(&a.username),
            roles: a.roles.clone(),
            status: a.shown_status().to_owned(),
        },
        lines,
    )
}
