//! User accounts: the rows, and the queries the write path and screens use.

use super::Cached;
use rusqlite::{Connection, OptionalExtension, Row, params};

use serde_json::{Value, json};

use super::write::{Actor, Command, Ctx, Done, Fail};
use super::{CaseFile, Error, Result};
use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, Rank, Username};
use crate::domain::role::{Role, RoleSet};
use crate::domain::urn::Urn;

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

/// An account as others see it: never its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub rank: String,
    pub roles: Vec<Role>,
    pub status: AccountStatus,
    pub created_at: String,
    /// Requests about the account waiting for a head of unit's decision
    /// (expired ones are not pending).
    pub pending: Vec<PendingRequest>,
}

/// A request about an account, waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub urn: Urn,
    pub kind: super::RequestKind,
    /// The whole set of roles asked for (a new account or a grant).
    pub roles: Vec<Role>,
}

impl Account {
    /// The status to show: `pending` for a new account whose access waits
    /// for approval (it is stored as disabled until then).
    pub fn shown_status(&self) -> &'static str {
        if self
            .pending
            .iter()
            .any(|p| p.kind == super::RequestKind::Add)
        {
            "pending"
        } else {
            self.status.as_str()
        }
    }
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
    pub rank: String,
    /// The administrator who set the password in use, if the account has
    /// not chosen its own since (a one-time password).
    pub password_set_by: Option<i64>,
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
    (SELECT group_concat(role, ',') FROM user_role WHERE user_id = a.id),
    a.rank, a.password_set_by";

fn stored_from_row(row: &Row<'_>) -> rusqlite::Result<StoredAccount> {
    let status: String = row.get(3)?;
    let roles: Option<String> = row.get(4)?;
    Ok(StoredAccount {
        id: row.get(0)?,
        username: row.get(1)?,
        public_key: row.get(2)?,
        status: AccountStatus::from_stored(&status),
        roles: parse_roles(roles.as_deref()),
        rank: row.get(5)?,
        password_set_by: row.get(6)?,
    })
}

/// Roles as stored, in [`Role::ALL`] order; unknown names are ignored, so a
/// row edited from outside ccu can only lose permissions, never gain them.
pub(super) fn parse_roles(text: Option<&str>) -> Vec<Role> {
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
    conn.row_cached(
        &format!("SELECT {STORED_COLUMNS} FROM user_account a WHERE a.id = ?1"),
        [id],
        stored_from_row,
    )
    .optional()
}

/// A new account: active with `roles`, or (`pending`: its access waits
/// for a head of unit) disabled with none until the request is approved.
/// `set_by`: the administrator who chose its first password (one use).
#[allow(clippy::too_many_arguments)]
pub(super) fn insert(
    conn: &Connection,
    username: &Username,
    display_name: &DisplayName,
    rank: Rank,
    roles: Option<&RoleSet>,
    public_key: &str,
    at: &str,
    set_by: Option<i64>,
) -> rusqlite::Result<i64> {
    let status = match roles {
        Some(_) => AccountStatus::Active,
        None => AccountStatus::Disabled,
    };
    conn.execute(
        "INSERT INTO user_account (username, display_name, rank, public_key, status, created_at,
             password_set_by, password_set_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?7 IS NULL THEN NULL ELSE ?6 END)",
        params![
            username.as_str(),
            display_name.as_str(),
            rank.as_str(),
            public_key,
            status.as_str(),
            at,
            set_by
        ],
    )?;
    let id = conn.last_insert_rowid();
    if let Some(roles) = roles {
        set_roles(conn, id, &roles.iter().collect::<Vec<_>>())?;
    }
    Ok(id)
}

/// Replaces the account's roles (none: it holds no valid set, and no one
/// logs in as it).
pub(super) fn set_roles(conn: &Connection, user_id: i64, roles: &[Role]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM user_role WHERE user_id = ?1", [user_id])?;
    for role in roles {
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
/// `set_by`: the administrator whose reset this is (a one-time password,
/// `request` the approved reset), or none: the account chose it.
pub(super) fn set_public_key(
    conn: &Connection,
    user_id: i64,
    public_key: &str,
    set_by: Option<(i64, &str, &str)>,
) -> rusqlite::Result<()> {
    let (by, at, request) = match set_by {
        Some((by, at, request)) => (Some(by), Some(at), Some(request)),
        None => (None, None, None),
    };
    conn.execute(
        "UPDATE user_account SET public_key = ?2, password_set_by = ?3, password_set_at = ?4,
             password_request = ?5
         WHERE id = ?1",
        params![user_id, public_key, by, at, request],
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

    /// The unit's case workers, to choose a colleague by username (a
    /// lead, a supervisor, a team member, the officer asked to decide):
    /// (username, display name, roles) of each active account whose roles
    /// read case content. Anyone who reads case content may list them, as
    /// their usernames already show on every record they made; no
    /// administrator or auditor is listed, and nothing else of an account.
    pub fn colleagues(&mut self, actor: &Actor) -> Result<Vec<(String, String, String)>> {
        self.reader(actor, "colleagues")?;
        self.query_rows(
            "SELECT a.username, a.display_name,
                    (SELECT group_concat(role, ', ') FROM user_role WHERE user_id = a.id)
             FROM user_account a
             WHERE a.status = 'active'
               AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = a.id)
               AND NOT EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = a.id
                               AND r.role IN ('administrator', 'auditor'))
             ORDER BY a.username",
            &[],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                ))
            },
        )
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
                        (SELECT group_concat(role, ',') FROM user_role WHERE user_id = a.id),
                        (SELECT json_group_array(json_array(r.urn, r.kind, coalesce(r.roles, '')))
                         FROM access_request r INDEXED BY access_request_by_user
                         WHERE r.user_id = a.id AND r.status = 'pending' AND r.expires_at > ?{now})
                 FROM user_account a {filter} ORDER BY a.username",
                now = params.len() + 1
            ))
            .map_err(|e| self.sqlite_err(e))?;
        let now = super::format_timestamp((self.clock)());
        let mut all: Vec<&dyn rusqlite::ToSql> = params.to_vec();
        all.push(&now);
        let rows = stmt
            .query_map(all.as_slice(), |row| {
                let status: String = row.get(3)?;
                let roles: Option<String> = row.get(5)?;
                let pending: String = row.get(6)?;
                Ok(Account {
                    username: row.get(0)?,
                    display_name: row.get(1)?,
                    rank: row.get(2)?,
                    status: AccountStatus::from_stored(&status),
                    created_at: row.get(4)?,
                    roles: parse_roles(roles.as_deref()),
                    pending: super::access::parse_pending(6, &pending)?,
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

/// Whether holding `roles` makes the account a head of unit: the
/// supervisor role at Inspector rank or above (DOMAIN.md, "Who uses it").
pub(super) fn is_head(roles: &[Role], rank: &str) -> bool {
    roles.contains(&Role::Supervisor) && Rank::parse(rank).is_ok_and(|r| r >= Rank::Inspector)
}

/// Whether the change would leave no active head of unit other than the
/// account changed: then no one could approve access any more.
fn last_head(tx: &Connection, target: &StoredAccount) -> rusqlite::Result<bool> {
    if target.status != AccountStatus::Active || !is_head(&target.roles, &target.rank) {
        return Ok(false);
    }
    let mut stmt = tx.prepare(&format!(
        "SELECT {STORED_COLUMNS} FROM user_account a
         WHERE a.status = 'active' AND a.id != ?1
           AND EXISTS (SELECT 1 FROM user_role WHERE user_id = a.id AND role = 'supervisor')"
    ))?;
    let others = stmt
        .query_map([target.id], stored_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(!others.iter().any(|a| is_head(&a.roles, &a.rank)))
}

fn last_head_refusal(username: &Username, doing: &str) -> Fail {
    Fail::Invalid(InvalidInput::new(
        "username",
        format!(
            "{username} is the only active head of unit (a supervisor of Inspector rank or above), and {doing} would leave no one to approve access; add another head of unit first (approved by {username}), then do this"
        ),
    ))
}

/// Applies a permitted account command; returns the audit details, and
/// the request for access it opened, if it opened one.
/// Adding access (a role that reads case content, enabling an account,
/// resetting another's password) opens a request that a head of unit
/// decides; removing access takes effect at once.
pub(super) fn apply(
    ctx: &Ctx<'_>,
    command: &Command,
    public_key: Option<String>,
) -> Result<(Value, Done), Fail> {
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
            let pending = roles.iter().any(Role::reads_case_content);
            let id = insert(
                tx,
                username,
                display_name,
                *rank,
                (!pending).then_some(roles),
                &key,
                at,
                Some(actor.id),
            )?;
            let mut details = account_details(username, display_name, *rank, roles);
            details["password"] = json!("one-time: the account chooses its own at its first login");
            let mut done = Done::Recorded;
            if pending {
                let account = find_by_id(tx, id)?.expect("just inserted");
                let (request, opened) =
                    super::access::open(ctx, super::RequestKind::Add, &account, Some(roles), None)?;
                details["status"] = json!("pending");
                details["roles"] = json!([]);
                details["requested_roles"] =
                    json!(roles.iter().map(Role::as_str).collect::<Vec<_>>());
                details["request"] = request;
                done = Done::AccessRequested(opened);
            }
            Ok((details, done))
        }
        Command::DisableUser { username } => {
            let target = existing.expect("checked above");
            if is_self {
                return invalid(
                    "username",
                    "you cannot disable your own account; ask another administrator".into(),
                );
            }
            if target.status == AccountStatus::Disabled {
                return invalid("username", format!("'{username}' is already disabled"));
            }
            if last_head(tx, &target)? {
                return Err(last_head_refusal(username, "disabling the account"));
            }
            set_status(tx, target.id, AccountStatus::Disabled)?;
            let withdrawn = super::access::withdraw_pending(ctx, &target, None)?;
            let details = json!({
                "username": username.as_str(),
                "before": { "status": target.status.as_str() },
                "after": { "status": AccountStatus::Disabled.as_str() },
                "withdrew_requests": withdrawn,
            });
            Ok((details, Done::Recorded))
        }
        Command::EnableUser { username } => {
            let target = existing.expect("checked above");
            if is_self {
                return invalid(
                    "username",
                    "you cannot enable your own account; ask another administrator".into(),
                );
            }
            if target.status == AccountStatus::Active {
                return invalid("username", format!("'{username}' is already active"));
            }
            let (request, opened) =
                super::access::open(ctx, super::RequestKind::Enable, &target, None, None)?;
            let details = json!({
                "username": username.as_str(),
                "status": target.status.as_str(),
                "requested": { "status": AccountStatus::Active.as_str() },
                "request": request,
            });
            Ok((details, Done::AccessRequested(opened)))
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
            let names = |rs: &[Role]| rs.iter().map(|r| r.as_str()).collect::<Vec<_>>();
            let added: Vec<Role> = roles
                .iter()
                .filter(|r| !target.roles.contains(r) && r.reads_case_content())
                .collect();
            // Whatever is taken away goes at once; what is added waits.
            let now: Vec<Role> = if added.is_empty() {
                roles.iter().collect()
            } else {
                target
                    .roles
                    .iter()
                    .copied()
                    .filter(|r| roles.contains(*r))
                    .collect()
            };
            if !now.contains(&Role::Supervisor) && last_head(tx, &target)? {
                return Err(last_head_refusal(
                    username,
                    "taking away the supervisor role",
                ));
            }
            if now != target.roles {
                set_roles(tx, target.id, &now)?;
            }
            let mut details = json!({
                "username": username.as_str(),
                "before": { "roles": names(&target.roles) },
                "after": { "roles": names(&now) },
            });
            let mut done = Done::Recorded;
            if !added.is_empty() {
                let changed = find_by_id(tx, target.id)?.expect("the account exists");
                // A new account not yet approved stays a request to add it.
                let kind = if super::access::pending_kind(tx, target.id)?
                    == Some(super::RequestKind::Add)
                {
                    super::RequestKind::Add
                } else {
                    super::RequestKind::Grant
                };
                details["requested"] =
                    json!({ "roles": roles.iter().map(Role::as_str).collect::<Vec<_>>() });
                let (request, opened) =
                    super::access::open(ctx, kind, &changed, Some(roles), None)?;
                details["request"] = request;
                done = Done::AccessRequested(opened);
            } else {
                let withdrawn = super::access::withdraw_pending(
                    ctx,
                    &target,
                    Some(&[super::RequestKind::Add, super::RequestKind::Grant]),
                )?;
                if !withdrawn.is_empty() {
                    details["withdrew_requests"] = json!(withdrawn);
                }
            }
            Ok((details, done))
        }
        Command::SetPassword { username, .. } => {
            let target = existing.expect("checked above");
            let key = public_key.expect("sealed before the transaction");
            if is_self {
                let one_time = target.password_set_by.is_some();
                set_public_key(tx, target.id, &key, None)?;
                let details = json!({
                    "username": username.as_str(),
                    "by": "self",
                    "replaced": if one_time { "a one-time password" } else { "their own" },
                });
                return Ok((details, Done::Recorded));
            }
            let (request, opened) =
                super::access::open(ctx, super::RequestKind::Reset, &target, None, Some(&key))?;
            let details = json!({
                "username": username.as_str(),
                "by": "administrator",
                "request": request,
                "password": "one-time, once approved: the account chooses its own at its next login",
            });
            Ok((details, Done::AccessRequested(opened)))
        }
        Command::ViewAccounts => Ok((json!({ "what": "account list" }), Done::Recorded)),
        _ => unreachable!("only account commands are routed here"),
    }
}
