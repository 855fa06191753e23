//! User accounts: the rows, and the queries the write path and screens use.

use rusqlite::{Connection, OptionalExtension, Row, params};

use serde_json::{Value, json};

use super::write::{Actor, Command, Ctx, Fail};
use super::{CaseFile, Error, Result};
use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, Rank, Username};
use crate::domain::role::{Role, RoleSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }

    fn from_stored(text: &str) -> AccountStatus {
        // The schema allows only these two; anything else is treated as
        // disabled rather than trusted.
        if text == "active" {
            AccountStatus::Active
        } else {
            AccountStatus::Disabled
        }
    }
}

/// An account as others see it: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub rank: String,
    pub roles: Vec<Role>,
    pub status: AccountStatus,
    pub created_at: String,
}

/// An account as the write path needs it.
pub(super) struct StoredAccount {
    pub id: i64,
    pub username: String,
    /// Hex X25519 public key (docs/security.md); none for an account not
    /// yet sealed into an encrypted case file.
    pub public_key: Option<String>,
    pub status: AccountStatus,
    pub roles: Vec<Role>,
}

impl StoredAccount {
    pub fn roles_text(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

const STORED_COLUMNS: &str = "a.id, a.username, a.public_key, a.status,
    (SELECT group_concat(role, ',') FROM user_role WHERE user_id = a.id)";

fn stored_from_row(row: &Row<'_>) -> rusqlite::Result<StoredAccount> {
    let status: String = row.get(3)?;
    let roles: Option<String> = row.get(4)?;
    Ok(StoredAccount {
        id: row.get(0)?,
        username: row.get(1)?,
        public_key: row.get(2)?,
        status: AccountStatus::from_stored(&status),
        roles: parse_roles(roles.as_deref()),
    })
}

/// Roles as stored, in [`Role::ALL`] order; unknown names are ignored, so a
/// row edited from outside ccu can only lose permissions, never gain them.
fn parse_roles(text: Option<&str>) -> Vec<Role> {
    let mut roles: Vec<Role> = text
        .unwrap_or_default()
        .split(',')
        .filter_map(|r| Role::parse(r).ok())
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

pub(super) fn find(
    conn: &Connection,
    username: &Username,
) -> rusqlite::Result<Option<StoredAccount>> {
    conn.query_row(
        &format!("SELECT {STORED_COLUMNS} FROM user_account a WHERE a.username = ?1"),
        [username.as_str()],
        stored_from_row,
    )
    .optional()
}

pub(super) fn find_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<StoredAccount>> {
    conn.query_row(
        &format!("SELECT {STORED_COLUMNS} FROM user_account a WHERE a.id = ?1"),
        [id],
        stored_from_row,
    )
    .optional()
}

pub(super) fn insert(
    conn: &Connection,
    username: &Username,
    display_name: &DisplayName,
    rank: Rank,
    roles: &RoleSet,
    public_key: &str,
    at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO user_account (username, display_name, rank, public_key, status, created_at)
         VALUES (?1, ?2, ?3, ?4, 'active', ?5)",
        params![
            username.as_str(),
            display_name.as_str(),
            rank.as_str(),
            public_key,
            at
        ],
    )?;
    let id = conn.last_insert_rowid();
    set_roles(conn, id, roles)
}

pub(super) fn set_roles(conn: &Connection, user_id: i64, roles: &RoleSet) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM user_role WHERE user_id = ?1", [user_id])?;
    for role in roles.iter() {
        conn.execute(
            "INSERT INTO user_role (user_id, role) VALUES (?1, ?2)",
            params![user_id, role.as_str()],
        )?;
    }
    Ok(())
}

pub(super) fn set_status(
    conn: &Connection,
    user_id: i64,
    status: AccountStatus,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE user_account SET status = ?2 WHERE id = ?1",
        params![user_id, status.as_str()],
    )?;
    Ok(())
}

/// A new key pair for the account (its password was set): the new public
/// key replaces the old, so the old keyring entry opens nothing.
pub(super) fn set_public_key(
    conn: &Connection,
    user_id: i64,
    public_key: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE user_account SET public_key = ?2 WHERE id = ?1",
        params![user_id, public_key],
    )?;
    Ok(())
}

impl CaseFile {
    /// Every account, for those allowed to see the list. The consultation
    /// is audited (`view`), and so is a refusal.
    pub fn accounts(&mut self, actor: &Actor) -> Result<Vec<Account>> {
        self.execute(actor, Command::ViewAccounts)?;
        self.account_rows("", &[])
    }

    /// The logged-in user's own account, for the screen's header. Anyone
    /// may read their own; it is not a consultation of others' records.
    pub fn own_account(&mut self, actor: &Actor) -> Result<Account> {
        let mut rows = self.account_rows("WHERE a.username = ?1", &[&actor.username().as_str()])?;
        rows.pop().ok_or_else(|| Error::LoginFailed {
            username: actor.username().to_string(),
        })
    }

    fn account_rows(
        &mut self,
        filter: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT a.username, a.display_name, a.rank, a.status, a.created_at,
                        (SELECT group_concat(role, ',') FROM user_role WHERE user_id = a.id)
                 FROM user_account a {filter} ORDER BY a.username"
            ))
            .map_err(|e| self.sqlite_err(e))?;
        let rows = stmt
            .query_map(params, |row| {
                let status: String = row.get(3)?;
                let roles: Option<String> = row.get(5)?;
                Ok(Account {
                    username: row.get(0)?,
                    display_name: row.get(1)?,
                    rank: row.get(2)?,
                    status: AccountStatus::from_stored(&status),
                    created_at: row.get(4)?,
                    roles: parse_roles(roles.as_deref()),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>());
        drop(stmt);
        rows.map_err(|e| self.sqlite_err(e))
    }
}

pub(super) fn account_details(
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

/// Applies a permitted account command; returns the audit details.
pub(super) fn apply(
    ctx: &Ctx<'_>,
    command: &Command,
    public_key: Option<String>,
) -> Result<Value, Fail> {
    let (tx, actor, at) = (ctx.tx, ctx.actor, ctx.at);
    let invalid = |field: &'static str, message: String| {
        Err(Fail::Invalid(InvalidInput::new(field, message)))
    };
    let existing = match command.target() {
        Some(name) => find(tx, name)?,
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
            let key = public_key.expect("sealed before the transaction");
            insert(tx, username, display_name, *rank, roles, &key, at)?;
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
            set_status(tx, target.id, wanted)?;
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
            set_roles(tx, target.id, roles)?;
            Ok(json!({
                "username": username.as_str(),
                "before": { "roles": target.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
                "after": { "roles": roles.iter().map(Role::as_str).collect::<Vec<_>>() },
            }))
        }
        Command::SetPassword { username, .. } => {
            let target = existing.expect("checked above");
            let key = public_key.expect("sealed before the transaction");
            set_public_key(tx, target.id, &key)?;
            Ok(json!({
                "username": username.as_str(),
                "by": if is_self { "self" } else { "administrator" },
            }))
        }
        Command::ViewAccounts => Ok(json!({ "what": "account list" })),
        _ => unreachable!("only account commands are routed here"),
    }
}
