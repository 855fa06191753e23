//! The one write path: every change to a case file is a [`Command`] run by
//! [`CaseFile::execute`] in one `BEGIN IMMEDIATE` transaction that checks
//! permission, applies the rule, writes the rows and appends the audit event.
//! Logging in and creating the file append their audit events through the
//! same [`append`] function; nothing else in ccu writes.

use std::path::Path;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::{Value, json};

use super::accounts::{self, AccountStatus};
use super::schema::LATEST_VERSION;
use super::{CaseFile, Error, FirstAdministrator, Result, sqlite_err};
use crate::audit::{Event, event_hash, genesis_hash};
use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, NewPassword, Rank, Username};
use crate::domain::permission::{Action, permits};
use crate::domain::role::{Role, RoleSet};

/// Someone who has logged in. Only [`CaseFile::login`] makes one, so every
/// command carries a user who proved who they are; their roles are read
/// again inside each transaction, so a change of roles or a disabled
/// account takes effect at once.
#[derive(Debug, Clone)]
pub struct Actor {
    user_id: i64,
    username: Username,
    roles: RoleSet,
}

impl Actor {
    pub fn username(&self) -> &Username {
        &self.username
    }

    /// The roles the user held when they logged in.
    pub fn roles(&self) -> &RoleSet {
        &self.roles
    }
}

/// A username and password offered at login.
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
}

/// Every change a user can ask for.
#[derive(Debug, Clone)]
pub enum Command {
    AddUser {
        username: Username,
        display_name: DisplayName,
        rank: Rank,
        roles: RoleSet,
        password: NewPassword,
    },
    DisableUser {
        username: Username,
    },
    EnableUser {
        username: Username,
    },
    SetRoles {
        username: Username,
        roles: RoleSet,
    },
    /// One's own password, or (as an administrator) someone else's.
    SetPassword {
        username: Username,
        password: NewPassword,
    },
    /// Consulting the account list: recorded as a `view` event.
    ViewAccounts,
}

impl Command {
    /// The audit trail's name for this command.
    pub fn audit_action(&self) -> &'static str {
        match self {
            Command::AddUser { .. } => "user.add",
            Command::DisableUser { .. } => "user.disable",
            Command::EnableUser { .. } => "user.enable",
            Command::SetRoles { .. } => "user.roles",
            Command::SetPassword { .. } => "user.passwd",
            Command::ViewAccounts => "view",
        }
    }

    fn target(&self) -> Option<&Username> {
        match self {
            Command::AddUser { username, .. }
            | Command::DisableUser { username }
            | Command::EnableUser { username }
            | Command::SetRoles { username, .. }
            | Command::SetPassword { username, .. } => Some(username),
            Command::ViewAccounts => None,
        }
    }

    fn entity(&self) -> (&'static str, String) {
        match self.target() {
            Some(username) => ("user", username.to_string()),
            None => ("accounts", "*".to_owned()),
        }
    }

    fn required_permission(&self, actor: &Username) -> Action {
        match self {
            Command::SetPassword { username, .. } if username == actor => Action::ChangeOwnPassword,
            Command::ViewAccounts => Action::ListAccounts,
            _ => Action::ManageAccounts,
        }
    }
}

/// An audit event before it is given its place in the chain.
pub(super) struct NewEvent<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub actor_roles: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_ref: &'a str,
    pub outcome: &'a str,
    pub details: Value,
}

/// Appends one event to the chain inside the caller's transaction and
/// returns its `seq`.
pub(super) fn append(
    tx: &Transaction<'_>,
    casefile_id: &str,
    new: NewEvent<'_>,
) -> rusqlite::Result<i64> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (prev_seq, prev_hash) = last.unwrap_or_else(|| (0, genesis_hash(casefile_id)));
    let mut event = Event {
        seq: prev_seq + 1,
        at: new.at.to_owned(),
        actor: new.actor.to_owned(),
        actor_roles: new.actor_roles.to_owned(),
        action: new.action.to_owned(),
        entity_type: new.entity_type.to_owned(),
        entity_ref: new.entity_ref.to_owned(),
        outcome: new.outcome.to_owned(),
        details: new.details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = event_hash(&event);
    tx.execute(
        "INSERT INTO audit_event (seq, at, actor, actor_roles, action, entity_type,
                                  entity_ref, outcome, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            event.seq,
            event.at,
            event.actor,
            event.actor_roles,
            event.action,
            event.entity_type,
            event.entity_ref,
            event.outcome,
            event.details,
            event.prev_hash,
            event.hash
        ],
    )?;
    Ok(event.seq)
}

pub(super) fn hash_password(password: &NewPassword) -> Result<String> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| Error::PasswordHash(e.to_string()))
}

fn password_matches(stored: &str, offered: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(offered.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

impl CaseFile {
    /// Checks a username and password. Success and failure are both
    /// audited (`login`, outcome `ok` or `denied`); a failure says nothing
    /// about which part was wrong.
    pub fn login(&mut self, credentials: Credentials<'_>) -> Result<Actor> {
        let offered = credentials.username.trim();
        let account = match Username::parse(offered) {
            Ok(name) => accounts::find(&self.conn, &name).map_err(|e| self.sqlite_err(e))?,
            Err(_) => None,
        };
        let verdict = match &account {
            None => {
                // Spend the same effort as a real check, so the time taken
                // does not tell which usernames exist.
                let _ = Argon2::default().hash_password(credentials.password.as_bytes());
                Err("unknown user")
            }
            Some(a) if !password_matches(&a.password_hash, credentials.password) => {
                Err("wrong password")
            }
            Some(a) if a.status == AccountStatus::Disabled => Err("account disabled"),
            Some(a) => match RoleSet::new(a.roles.iter().copied()) {
                Ok(roles) => Ok(roles),
                Err(_) => Err("account holds no valid set of roles"),
            },
        };
        // An unknown name is recorded as typed, but never more than a line.
        let actor_name: String = match &account {
            Some(a) => a.username.clone(),
            None => offered.chars().take(64).collect(),
        };
        let actor_roles = account.as_ref().map(|a| a.roles_text()).unwrap_or_default();
        let at = self.now();
        let details = match verdict {
            Ok(_) => json!({}),
            Err(reason) => json!({ "reason": reason }),
        };
        let tx = self
            .conn
            .transaction()
            .map_err(|e| sqlite_err(&self.path, e))?;
        append(
            &tx,
            &self.id,
            NewEvent {
                at: &at,
                actor: &actor_name,
                actor_roles: &actor_roles,
                action: "login",
                entity_type: "user",
                entity_ref: &actor_name,
                outcome: if verdict.is_ok() { "ok" } else { "denied" },
                details,
            },
        )
        .and_then(|_| tx.commit())
        .map_err(|e| sqlite_err(&self.path, e))?;
        match (verdict, account) {
            (Ok(roles), Some(a)) => Ok(Actor {
                user_id: a.id,
                username: Username::parse(&a.username)?,
                roles,
            }),
            _ => Err(Error::LoginFailed {
                username: actor_name,
            }),
        }
    }

    /// Runs one command as `actor`: the only way case data changes.
    ///
    /// Bad input returns [`Error::Invalid`] and writes nothing. A command
    /// the actor may not run returns [`Error::Denied`] and writes only the
    /// `denied` audit event. Success writes the rows and one `ok` event, and
    /// returns that event's `seq`.
    pub fn execute(&mut self, actor: &Actor, command: Command) -> Result<i64> {
        // Hashing is slow on purpose; do it before taking the write lock.
        let password_hash = match &command {
            Command::AddUser { password, .. } | Command::SetPassword { password, .. } => {
                Some(hash_password(password)?)
            }
            _ => None,
        };
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        let current = accounts::find_by_id(&tx, actor.user_id)
            .map_err(|e| sqlite_err(&path, e))?
            .ok_or_else(|| {
                Error::Invalid(InvalidInput::new("user", "your account no longer exists"))
            })?;
        let roles_text = current.roles_text();
        let (entity_type, entity_ref) = command.entity();
        let required = command.required_permission(&actor.username);
        let current_roles = RoleSet::new(current.roles.iter().copied()).ok();
        let refusal = if current.status == AccountStatus::Disabled {
            Some("the account is disabled")
        } else if !current_roles.is_some_and(|roles| permits(&roles, required)) {
            Some("no role held permits this")
        } else {
            None
        };
        if let Some(reason) = refusal {
            append(
                &tx,
                &self.id,
                NewEvent {
                    at: &at,
                    actor: &current.username,
                    actor_roles: &roles_text,
                    action: command.audit_action(),
                    entity_type,
                    entity_ref: &entity_ref,
                    outcome: "denied",
                    details: json!({ "reason": reason, "requires": required.phrase() }),
                },
            )
            .and_then(|_| tx.commit())
            .map_err(|e| sqlite_err(&path, e))?;
            return Err(Error::Denied {
                username: current.username,
                roles: if roles_text.is_empty() {
                    "no roles".into()
                } else {
                    roles_text
                },
                what: required.phrase().to_owned(),
            });
        }
        let details = apply(&tx, &command, &current, password_hash, &at, &path)?;
        let seq = append(
            &tx,
            &self.id,
            NewEvent {
                at: &at,
                actor: &current.username,
                actor_roles: &roles_text,
                action: command.audit_action(),
                entity_type,
                entity_ref: &entity_ref,
                outcome: "ok",
                details,
            },
        )
        .map_err(|e| sqlite_err(&path, e))?;
        tx.commit().map_err(|e| sqlite_err(&path, e))?;
        Ok(seq)
    }

    /// The first rows of a new case file and their two audit events.
    pub(super) fn record_init(
        &mut self,
        admin: FirstAdministrator,
        password_hash: String,
    ) -> Result<()> {
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        let write = || -> rusqlite::Result<()> {
            tx.execute(
                "INSERT INTO casefile (singleton, id, created_at) VALUES (1, ?1, ?2)",
                params![self.id, at],
            )?;
            let roles = RoleSet::new([Role::Administrator]).expect("a single role is valid");
            accounts::insert(
                &tx,
                &admin.username,
                &admin.display_name,
                admin.rank,
                &roles,
                &password_hash,
                &at,
            )?;
            let name = admin.username.as_str();
            let roles_text = roles.to_string();
            append(
                &tx,
                &self.id,
                NewEvent {
                    at: &at,
                    actor: name,
                    actor_roles: &roles_text,
                    action: "casefile.init",
                    entity_type: "casefile",
                    entity_ref: &self.id,
                    outcome: "ok",
                    details: json!({ "schema_version": LATEST_VERSION }),
                },
            )?;
            append(
                &tx,
                &self.id,
                NewEvent {
                    at: &at,
                    actor: name,
                    actor_roles: &roles_text,
                    action: "user.add",
                    entity_type: "user",
                    entity_ref: name,
                    outcome: "ok",
                    details: account_details(
                        &admin.username,
                        &admin.display_name,
                        admin.rank,
                        &roles,
                    ),
                },
            )?;
            Ok(())
        };
        write().map_err(|e| sqlite_err(&path, e))?;
        tx.commit().map_err(|e| sqlite_err(&path, e))
    }

    /// Records that this ccu brought an older case file's schema up to date.
    pub(super) fn record_upgrade(&mut self, from: u32) -> Result<()> {
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        append(
            &tx,
            &self.id,
            NewEvent {
                at: &at,
                actor: "ccu",
                actor_roles: "",
                action: "casefile.upgrade",
                entity_type: "casefile",
                entity_ref: &self.id,
                outcome: "ok",
                details: json!({ "from_version": from, "to_version": LATEST_VERSION }),
            },
        )
        .and_then(|_| tx.commit())
        .map_err(|e| sqlite_err(&path, e))
    }
}

fn account_details(
    username: &Username,
    display_name: &DisplayName,
    rank: Rank,
    roles: &RoleSet,
) -> Value {
    json!({
        "username": username.as_str(),
        "display_name": display_name.as_str(),
        "rank": rank.as_str(),
        "roles": roles.iter().map(Role::as_str).collect::<Vec<_>>(),
        "status": AccountStatus::Active.as_str(),
    })
}

/// Applies a permitted command's rule and rows; returns the audit details.
fn apply(
    tx: &Transaction<'_>,
    command: &Command,
    actor: &accounts::StoredAccount,
    password_hash: Option<String>,
    at: &str,
    path: &Path,
) -> Result<Value> {
    let sql = |e| sqlite_err(path, e);
    let invalid = |field: &'static str, message: String| {
        Err(Error::Invalid(InvalidInput::new(field, message)))
    };
    let existing = match command.target() {
        Some(name) => accounts::find(tx, name).map_err(sql)?,
        None => None,
    };
    let is_self = command.target().map(Username::as_str) == Some(actor.username.as_str());
    if !matches!(command, Command::AddUser { .. } | Command::ViewAccounts) && existing.is_none() {
        let name = command
            .target()
            .map(Username::to_string)
            .unwrap_or_default();
        return invalid("username", format!("there is no account named '{name}'"));
    }
    match command {
        Command::AddUser {
            username,
            display_name,
            rank,
            roles,
            ..
        } => {
            if existing.is_some() {
                return invalid(
                    "username",
                    format!(
                        "'{username}' is already taken (accounts are never deleted, so a username is never reused)"
                    ),
                );
            }
            let hash = password_hash.expect("hashed before the transaction");
            accounts::insert(tx, username, display_name, *rank, roles, &hash, at).map_err(sql)?;
            Ok(account_details(username, display_name, *rank, roles))
        }
        Command::DisableUser { username } | Command::EnableUser { username } => {
            let target = existing.expect("checked above");
            let wanted = if matches!(command, Command::DisableUser { .. }) {
                AccountStatus::Disabled
            } else {
                AccountStatus::Active
            };
            if is_self {
                return invalid(
                    "username",
                    "you cannot disable or enable your own account; ask another administrator"
                        .into(),
                );
            }
            if target.status == wanted {
                return invalid(
                    "username",
                    format!("'{username}' is already {}", wanted.as_str()),
                );
            }
            accounts::set_status(tx, target.id, wanted).map_err(sql)?;
            Ok(json!({
                "username": username.as_str(),
                "before": { "status": target.status.as_str() },
                "after": { "status": wanted.as_str() },
            }))
        }
        Command::SetRoles { username, roles } => {
            let target = existing.expect("checked above");
            if is_self {
                return invalid(
                    "roles",
                    "you cannot change your own roles; ask another administrator".into(),
                );
            }
            let before = target.roles_text();
            if before == roles.to_string() {
                return invalid(
                    "roles",
                    format!("'{username}' already holds exactly these roles ({before})"),
                );
            }
            accounts::set_roles(tx, target.id, roles).map_err(sql)?;
            Ok(json!({
                "username": username.as_str(),
                "before": { "roles": target.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
                "after": { "roles": roles.iter().map(Role::as_str).collect::<Vec<_>>() },
            }))
        }
        Command::SetPassword { username, .. } => {
            let target = existing.expect("checked above");
            let hash = password_hash.expect("hashed before the transaction");
            accounts::set_password(tx, target.id, &hash).map_err(sql)?;
            Ok(json!({
                "username": username.as_str(),
                "by": if is_self { "self" } else { "administrator" },
            }))
        }
        Command::ViewAccounts => Ok(json!({ "what": "account list" })),
    }
}
