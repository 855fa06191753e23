//! `ccu user`: accounts, and the requests for access a head of unit
//! decides.

use std::io::Write;
use std::path::Path;

use clap::Subcommand;

use super::{AsUser, Failure, open_changing, password, say, table};
use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, Rank, Username};
use crate::domain::role::{Role, RoleSet};
use crate::domain::text::Rationale;
use crate::domain::urn::{Urn, UrnKind};
use crate::exit::ExitCode;
use crate::sanitise::for_terminal;
use crate::store::{self, Actor, CaseFile, Command, Done, Executed, RequestOpened};

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Add an account (administrators); its password is asked for, or read from CCU_NEW_PASSWORD
    Add {
        /// The new account's username (2-32 characters: a-z, 0-9, '.', '_', '-')
        username: String,
        /// Name shown to other users, e.g. "DS Jane Okafor"
        #[arg(long, value_name = "TEXT")]
        display_name: String,
        /// Police rank (e.g. DS, Inspector, Supt) or "Police Staff"
        #[arg(long)]
        rank: String,
        /// Comma-separated: investigator, supervisor, authorising-officer, auditor, administrator
        #[arg(long)]
        roles: String,
        #[command(flatten)]
        actor: AsUser,
    },
    /// List accounts (administrators and auditors)
    List {
        #[command(flatten)]
        actor: AsUser,
    },
    /// Disable an account; it is kept, and can be enabled again (administrators)
    Disable {
        /// The account to disable
        username: String,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Enable a disabled account (administrators)
    Enable {
        /// The account to enable
        username: String,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Replace an account's roles with the comma-separated list given (administrators)
    Roles {
        /// The account whose roles change
        username: String,
        /// The complete new set, comma-separated, e.g. investigator,supervisor
        roles: String,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Change your own password, or (administrators) ask for someone else's to be reset to a one-time password
    Passwd {
        /// Whose password [default: your own]
        username: Option<String>,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Requests for access waiting for a head of unit (administrators, auditors, supervisors)
    Requests {
        /// Every request ever made, decided or not, newest first
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Approve a request for access (a head of unit: a supervisor of Inspector rank or above, neither its requester nor its account)
    Approve {
        /// The request, e.g. ACR-2026-0001
        request: String,
        /// A note for the trail
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Decline a request for access, saying why (a head of unit)
    Decline {
        /// The request, e.g. ACR-2026-0001
        request: String,
        /// Why it is declined (recorded in the trail)
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Set how many hours a request for access waits for a decision before it expires (a head of unit; 1 to 720)
    Expiry {
        /// Hours, from 1 to 720 (30 days); the default is 72
        hours: u32,
        #[command(flatten)]
        actor: AsUser,
    },
}

impl UserCommand {
    /// Who is acting.
    fn actor(&self) -> &AsUser {
        match self {
            UserCommand::Add { actor, .. }
            | UserCommand::List { actor }
            | UserCommand::Disable { actor, .. }
            | UserCommand::Enable { actor, .. }
            | UserCommand::Roles { actor, .. }
            | UserCommand::Passwd { actor, .. }
            | UserCommand::Requests { actor, .. }
            | UserCommand::Approve { actor, .. }
            | UserCommand::Decline { actor, .. }
            | UserCommand::Expiry { actor, .. } => actor,
        }
    }

    /// Checks the arguments before the password is asked for: an unlock
    /// is a login, and a login is written to the trail.
    fn check(&self) -> Result<(), Failure> {
        match self {
            UserCommand::Add {
                username,
                display_name,
                rank,
                roles,
                ..
            } => {
                Username::parse(username)?;
                DisplayName::parse(display_name)?;
                Rank::parse(rank)?;
                RoleSet::parse_list(roles)?;
            }
            UserCommand::Disable { username, .. } | UserCommand::Enable { username, .. } => {
                Username::parse(username)?;
            }
            UserCommand::Roles {
                username, roles, ..
            } => {
                Username::parse(username)?;
                RoleSet::parse_list(roles)?;
            }
            UserCommand::Passwd {
                username: Some(username),
                ..
            } => {
                Username::parse(username)?;
            }
            UserCommand::Approve { request, note, .. } => {
                Urn::parse(UrnKind::AccessRequest, request)?;
                access_reason(note.as_deref())?;
            }
            UserCommand::Decline {
                request, reason, ..
            } => {
                Urn::parse(UrnKind::AccessRequest, request)?;
                access_reason(Some(reason))?;
            }
            UserCommand::Expiry { hours, .. } => {
                if !store::EXPIRY_HOURS.contains(hours) {
                    return Err(InvalidInput::new(
                        "hours",
                        format!(
                            "{hours} is out of range: a request waits between 1 hour and 720 hours (30 days)"
                        ),
                    )
                    .into());
                }
            }
            UserCommand::List { .. }
            | UserCommand::Passwd { .. }
            | UserCommand::Requests { .. } => {}
        }
        Ok(())
    }

    /// Whether it changes the acting user's own password.
    fn own_password(&self) -> bool {
        match self {
            UserCommand::Passwd { username: None, .. } => true,
            UserCommand::Passwd {
                username: Some(u),
                actor,
            } => Username::parse(u).ok() == Username::parse(&actor.as_user).ok(),
            _ => false,
        }
    }
}

pub(super) fn run(
    path: &Path,
    command: UserCommand,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    command.check()?;
    let own_password = command.own_password();
    let (mut casefile, actor, changed) = open_changing(path, command.actor())?;
    // A one-time password just replaced at the login was the change asked for.
    if own_password && changed {
        return Ok(ExitCode::Ok);
    }
    let casefile = &mut casefile;
    match command {
        UserCommand::Add {
            username,
            display_name,
            rank,
            roles,
            actor: _,
        } => add(
            casefile,
            &actor,
            &username,
            &display_name,
            &rank,
            &roles,
            out,
        ),
        UserCommand::List { actor: _ } => list(casefile, &actor, out),
        UserCommand::Disable { username, .. } => disable(casefile, &actor, &username, out),
        UserCommand::Enable { username, .. } => enable(casefile, &actor, &username, out),
        UserCommand::Roles {
            username, roles, ..
        } => set_roles(casefile, &actor, &username, &roles, out),
        UserCommand::Passwd { username, .. } => passwd(casefile, &actor, username, out),
        UserCommand::Requests { all, .. } => requests(casefile, &actor, all, out),
        UserCommand::Approve { request, note, .. } => {
            let note = access_reason(note.as_deref())?;
            decide(casefile, &actor, &request, true, note, out)
        }
        UserCommand::Decline {
            request, reason, ..
        } => {
            let reason = access_reason(Some(&reason))?;
            decide(casefile, &actor, &request, false, reason, out)
        }
        UserCommand::Expiry { hours, .. } => {
            casefile.execute(&actor, Command::SetAccessExpiry { hours })?;
            say(
                out,
                &format!("Requests for access made from now on expire after {hours} hours."),
            )?;
            Ok(ExitCode::Ok)
        }
    }
}

/// `ccu user add`: an account holding a role that reads case content
/// waits, with no access, for a head of unit to approve it.
fn add(
    casefile: &mut CaseFile,
    actor: &Actor,
    username: &str,
    display_name: &str,
    rank: &str,
    roles: &str,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let username = Username::parse(username)?;
    let display_name = DisplayName::parse(display_name)?;
    let rank = Rank::parse(rank)?;
    let roles = RoleSet::parse_list(roles)?;
    let password = password::new_password(&username, "CCU_NEW_PASSWORD")?;
    let done = casefile.execute(
        actor,
        Command::AddUser {
            username: username.clone(),
            display_name,
            rank,
            roles: roles.clone(),
            password,
        },
    )?;
    match requested(&done) {
        Some(request) => say(
            out,
            &format!(
                "Added {username} ({rank}), with no access yet.\n{}\nTheir password is for one use: they choose their own at their first login.",
                awaits(request, &format!("gives them {roles}"))
            ),
        )?,
        None => say(
            out,
            &format!(
                "Added {username} ({rank}; {roles}).\nTheir password is for one use: they choose their own at their first login."
            ),
        )?,
    }
    Ok(ExitCode::Ok)
}

/// `ccu user list`: every account, with the requests waiting on it.
fn list(casefile: &mut CaseFile, actor: &Actor, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let accounts = casefile.accounts(actor)?;
    let rows: Vec<[String; 7]> = accounts
        .iter()
        .map(|a| {
            [
                a.username.clone(),
                a.display_name.clone(),
                a.rank.clone(),
                role_list(&a.roles),
                a.shown_status().to_owned(),
                a.created_at.get(..10).unwrap_or(&a.created_at).to_owned(),
                a.pending
                    .iter()
                    .map(|p| match p.kind {
                        store::RequestKind::Add | store::RequestKind::Grant => format!(
                            "pending {} {}: {}",
                            p.kind.as_str(),
                            p.urn,
                            role_list(&p.roles)
                        ),
                        kind => format!("pending {} {}", kind.as_str(), p.urn),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    let header = [
        "USERNAME", "NAME", "RANK", "ROLES", "STATUS", "CREATED", "PENDING",
    ];
    say(out, &table(&header, &rows))?;
    Ok(ExitCode::Ok)
}

/// `ccu user disable`: at once, and kept.
fn disable(
    casefile: &mut CaseFile,
    actor: &Actor,
    username: &str,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let username = Username::parse(username)?;
    casefile.execute(
        actor,
        Command::DisableUser {
            username: username.clone(),
        },
    )?;
    say(
        out,
        &format!(
            "Disabled {username}; the account is kept and can be enabled again.\nA copy of the keyring they kept still holds the data key: run `ccu rekey --as {}` so that it opens nothing.",
            actor.username()
        ),
    )?;
    Ok(ExitCode::Ok)
}

/// `ccu user enable`: a request for a head of unit to approve.
fn enable(
    casefile: &mut CaseFile,
    actor: &Actor,
    username: &str,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let username = Username::parse(username)?;
    let done = casefile.execute(
        actor,
        Command::EnableUser {
            username: username.clone(),
        },
    )?;
    match requested(&done) {
        Some(request) => say(
            out,
            &format!(
                "{username} stays disabled for now.\n{}",
                awaits(request, "enables the account")
            ),
        )?,
        None => say(out, &format!("Enabled {username}."))?,
    }
    Ok(ExitCode::Ok)
}

/// `ccu user roles`: roles taken away go at once; a role that reads case
/// content waits for a head of unit.
fn set_roles(
    casefile: &mut CaseFile,
    actor: &Actor,
    username: &str,
    roles: &str,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let username = Username::parse(username)?;
    let roles = RoleSet::parse_list(roles)?;
    let done = casefile.execute(
        actor,
        Command::SetRoles {
            username: username.clone(),
            roles: roles.clone(),
        },
    )?;
    match requested(&done) {
        Some(request) => {
            let now = if request.holds.is_empty() {
                "no roles".to_owned()
            } else {
                role_list(&request.holds)
            };
            say(
                out,
                &format!(
                    "{username} holds {now} for now.\n{}",
                    awaits(request, &format!("gives them {roles}"))
                ),
            )?
        }
        None => say(out, &format!("{username} now holds: {roles}."))?,
    }
    Ok(ExitCode::Ok)
}

/// `ccu user passwd`: one's own password at once; someone else's reset to
/// a one-time password once a head of unit approves it.
fn passwd(
    casefile: &mut CaseFile,
    actor: &Actor,
    username: Option<String>,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let username = match username {
        Some(name) => Username::parse(&name)?,
        None => actor.username().clone(),
    };
    let password = password::new_password(&username, "CCU_NEW_PASSWORD")?;
    let done = casefile.execute(
        actor,
        Command::SetPassword {
            username: username.clone(),
            password,
        },
    )?;
    match requested(&done) {
        Some(request) => say(
            out,
            &format!(
                "{username}'s password is not reset yet.\n{}\nThe new password is then for one use: they choose their own at their next login.",
                awaits(request, "resets it")
            ),
        )?,
        None => say(out, &format!("Password changed for {username}."))?,
    }
    Ok(ExitCode::Ok)
}

/// `ccu user requests`: those waiting, or (`all`) every one ever made.
fn requests(
    casefile: &mut CaseFile,
    actor: &Actor,
    all: bool,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let requests = casefile.access_requests(actor, all)?;
    if requests.is_empty() {
        say(
            out,
            if all {
                "No request for access has ever been made."
            } else {
                "No request for access is waiting."
            },
        )?;
        return Ok(ExitCode::Ok);
    }
    let rows: Vec<[String; 8]> = requests
        .iter()
        .map(|r| {
            [
                r.urn.to_string(),
                r.kind.as_str().to_owned(),
                format!("{} ({}, {})", r.username, r.display_name, r.rank),
                role_list(&r.roles),
                match r.kind {
                    store::RequestKind::Add | store::RequestKind::Grant => {
                        role_list(&r.requested_roles)
                    }
                    kind => kind.phrase().to_owned(),
                },
                r.requested_by.clone(),
                short_time(&r.expires_at),
                match (&r.decided_by, &r.reason) {
                    (Some(by), Some(why)) => format!("{} by {by}: {why}", r.status.as_str()),
                    (Some(by), None) => format!("{} by {by}", r.status.as_str()),
                    (None, Some(why)) => format!("{}: {why}", r.status.as_str()),
                    (None, None) => r.status.as_str().to_owned(),
                },
            ]
        })
        .collect();
    let header = [
        "REQUEST", "KIND", "ACCOUNT", "HOLDS", "ASKS FOR", "BY", "EXPIRES", "STATUS",
    ];
    say(out, &table(&header, &rows))?;
    Ok(ExitCode::Ok)
}

/// The note on an approval or the reason for a decline, checked as it is
/// read, before the case file is opened. A blank one is none, so declining
/// without a reason is refused by the rule that asks for one.
fn access_reason(text: Option<&str>) -> Result<Option<Rationale>, InvalidInput> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| Rationale::new("reason", t))
        .transpose()
}

/// `ccu user approve` and `ccu user decline`: a head of unit's decision.
fn decide(
    casefile: &mut CaseFile,
    actor: &Actor,
    request: &str,
    approve: bool,
    reason: Option<Rationale>,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let urn = Urn::parse(UrnKind::AccessRequest, request)?;
    let decision = Command::DecideAccess {
        urn,
        approve,
        reason,
    };
    let Done::AccessDecided { username, kind } = casefile.execute(actor, decision)?.result else {
        return Err(Failure::unexpected(
            "a decision reports the request decided",
        ));
    };
    let (what, who) = (kind.phrase(), for_terminal(&username));
    let text = if approve {
        format!("Approved {urn}: {what} for {who}; it has taken effect.")
    } else {
        format!("Declined {urn} ({what} for {who}); nothing changed.")
    };
    say(out, &text)?;
    Ok(ExitCode::Ok)
}

fn role_list(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "-".into();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// `2026-12-01T09:30:00.000000Z` as `2026-12-01 09:30 UTC`.
fn short_time(at: &str) -> String {
    format!("{} UTC", at.get(..16).unwrap_or(at).replace('T', " "))
}

/// The request for access a command opened, if it opened one.
fn requested(done: &Executed) -> Option<&RequestOpened> {
    match &done.result {
        Done::AccessRequested(request) => Some(request),
        _ => None,
    }
}

/// What a command that opened a request for access prints, given what
/// the request does: its reference, who approves it, and when it expires.
fn awaits(request: &RequestOpened, does: &str) -> String {
    let (urn, expires) = (request.urn, short_time(&request.expires_at));
    format!(
        "Request {urn} {does} once a head of unit (a supervisor of Inspector rank or above) approves it: `ccu user approve {urn} --as HEAD`. It expires at {expires}."
    )
}
