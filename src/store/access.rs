//! Two-person control over access (docs/security.md, "Access model").
//!
//! An administrator's request to add access (a new account holding a role
//! that reads case content, a role granted, a disabled account enabled,
//! another's password reset) waits here until a head of unit (the
//! supervisor role at Inspector rank or above) who is neither the
//! requester nor the account concerned approves or declines it. A request
//! left undecided expires; one overtaken by a newer request for the same
//! account, or by its access being taken away, is superseded.

use super::Cached;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::accounts::{self, AccountStatus, StoredAccount};
use super::plumbing::{next_urn, stored, stored_urn, stored_urn_or_none};
use super::write::{Actor, Applied, Command, Ctx, Done, Fail};
use super::{CaseFile, Result, format_timestamp};
use crate::domain::InvalidInput;
use crate::domain::role::{Role, RoleSet};
use crate::domain::text::Rationale;
use crate::domain::urn::{Urn, UrnKind};

/// The `setting` that says how long a request waits, in hours.
pub(super) const EXPIRY_KEY: &str = "access_request_hours";

/// The range a unit may set the expiry to: an hour to thirty days.
pub const EXPIRY_HOURS: std::ops::RangeInclusive<u32> = 1..=720;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// A new account holding a role that reads case content.
    Add,
    /// A role that reads case content, granted to an existing account.
    Grant,
    /// A disabled account enabled again.
    Enable,
    /// Another person's password reset (a one-time password).
    Reset,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Add => "add",
            RequestKind::Grant => "grant",
            RequestKind::Enable => "enable",
            RequestKind::Reset => "reset",
        }
    }

    fn from_stored(text: &str) -> Option<RequestKind> {
        match text {
            "add" => Some(RequestKind::Add),
            "grant" => Some(RequestKind::Grant),
            "enable" => Some(RequestKind::Enable),
            "reset" => Some(RequestKind::Reset),
            _ => None,
        }
    }

    /// The requests a new one of this kind replaces for the same account.
    fn replaces(self) -> &'static [&'static str] {
        match self {
            RequestKind::Add | RequestKind::Grant => &["add", "grant"],
            RequestKind::Enable => &["enable"],
            RequestKind::Reset => &["reset"],
        }
    }

    /// What approving it does, in a phrase.
    pub fn phrase(self) -> &'static str {
        match self {
            RequestKind::Add => "add the account",
            RequestKind::Grant => "grant roles",
            RequestKind::Enable => "enable the account",
            RequestKind::Reset => "reset the password",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Expired,
    Approved,
    Declined,
    Superseded,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Expired => "expired",
            RequestStatus::Approved => "approved",
            RequestStatus::Declined => "declined",
            RequestStatus::Superseded => "superseded",
        }
    }
}

/// A request for access, as the queue and `ccu user requests` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    pub urn: Urn,
    pub kind: RequestKind,
    pub username: String,
    pub display_name: String,
    pub rank: String,
    /// What the account holds now.
    pub roles: Vec<Role>,
    /// The whole set asked for (add, grant).
    pub requested_roles: Vec<Role>,
    pub requested_by: String,
    pub requested_at: String,
    pub expires_at: String,
    pub status: RequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
}

impl AccessRequest {
    /// What approving it does, in a line: "grant supervisor to jsmith
    /// (DS Jane Smith, Sergeant), who holds investigator".
    pub fn summary(&self) -> String {
        let names = |rs: &[Role]| {
            if rs.is_empty() {
                "no roles".to_owned()
            } else {
                rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
            }
        };
        let who = format!("{} ({}, {})", self.username, self.display_name, self.rank);
        match self.kind {
            RequestKind::Add => format!("add {who} with {}", names(&self.requested_roles)),
            RequestKind::Grant => format!(
                "give {who} {} (holds {} now)",
                names(&self.requested_roles),
                names(&self.roles)
            ),
            RequestKind::Enable => format!("enable {who} ({})", names(&self.roles)),
            RequestKind::Reset => format!(
                "reset the password of {who} ({}) to a one-time password",
                names(&self.roles)
            ),
        }
    }
}

/// A request for access a command has just opened, as its result tells
/// whoever ran it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOpened {
    pub urn: Urn,
    pub kind: RequestKind,
    /// When it expires undecided (stored form).
    pub expires_at: String,
    /// The roles the account holds until it is decided.
    pub holds: Vec<Role>,
}

/// What the account is shown at a login with a one-time password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimePassword {
    /// The administrator who set it (username and display name).
    pub set_by: String,
    pub set_at: String,
    /// The reset it came from, and the head of unit who approved it (none
    /// for a new account's first password).
    pub request: Option<Urn>,
    pub approved_by: Option<String>,
}

impl OneTimePassword {
    /// The line shown at the login.
    pub fn line(&self) -> String {
        let when = self
            .set_at
            .get(..16)
            .unwrap_or(&self.set_at)
            .replace('T', " ");
        match (&self.request, &self.approved_by) {
            (Some(urn), Some(head)) => format!(
                "Your password was reset by {} ({urn}, approved by {head}) at {when} UTC. It was for one use: choose your own now.",
                self.set_by
            ),
            _ => format!(
                "Your first password was set by {} at {when} UTC. It was for one use: choose your own now.",
                self.set_by
            ),
        }
    }
}

/// The account as a request records it, to be compared at the decision.
fn state_of(account: &StoredAccount) -> String {
    json!({
        "roles": account.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "status": account.status.as_str(),
        "public_key": account.public_key,
    })
    .to_string()
}

pub(super) fn expiry_hours(conn: &Connection) -> rusqlite::Result<u32> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            [EXPIRY_KEY],
            |r| r.get(0),
        )
        .optional()?;
    // A value that is not a number in range (changed outside ccu, which
    // the check reports) falls back to the default rather than trusted.
    Ok(text
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|h| EXPIRY_HOURS.contains(h))
        .unwrap_or(72))
}

/// Opens a request about `account`, replacing any pending one it
/// overtakes; returns what the audit event records of it, and the request.
pub(super) fn open(
    ctx: &Ctx<'_>,
    kind: RequestKind,
    account: &StoredAccount,
    roles: Option<&RoleSet>,
    public_key: Option<&str>,
) -> Result<(Value, RequestOpened), Fail> {
    let tx = ctx.tx;
    let superseded = supersede(
        ctx,
        account.id,
        kind.replaces(),
        "a newer request replaced it",
    )?;
    let urn = next_urn(ctx, UrnKind::AccessRequest)?;
    let hours = expiry_hours(tx)?;
    let expires_at = format_timestamp(ctx.now + Duration::hours(i64::from(hours)));
    tx.execute(
        "INSERT INTO access_request (urn, kind, user_id, roles, public_key, before_state,
             requested_by, requested_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            urn.to_string(),
            kind.as_str(),
            account.id,
            roles.map(|r| r.to_string()),
            public_key,
            state_of(account),
            ctx.actor.id,
            ctx.at,
            expires_at
        ],
    )?;
    let mut value = json!({
        "urn": urn.to_string(),
        "kind": kind.as_str(),
        "awaits": "approval by a head of unit (a supervisor of Inspector rank or above)",
        "expires_at": expires_at,
    });
    if !superseded.is_empty() {
        value["superseded"] = json!(superseded);
    }
    let opened = RequestOpened {
        urn,
        kind,
        expires_at,
        holds: account.roles.clone(),
    };
    Ok((value, opened))
}

/// Marks the account's pending requests of `kinds` superseded; returns
/// their references.
fn supersede(
    ctx: &Ctx<'_>,
    user_id: i64,
    kinds: &[&str],
    reason: &str,
) -> Result<Vec<String>, Fail> {
    let mut taken = Vec::new();
    for kind in kinds {
        let mut stmt = ctx.tx.prepare(
            "UPDATE access_request SET status = 'superseded', decided_at = ?3, reason = ?4
             WHERE user_id = ?1 AND kind = ?2 AND status = 'pending' RETURNING urn",
        )?;
        let urns = stmt
            .query_map(params![user_id, kind, ctx.at, reason], |r| {
                r.get::<_, String>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        taken.extend(urns);
    }
    taken.sort();
    Ok(taken)
}

/// Access taken away: the account's pending requests of `kinds` (all, if
/// none named) no longer stand.
pub(super) fn withdraw_pending(
    ctx: &Ctx<'_>,
    account: &StoredAccount,
    kinds: Option<&[RequestKind]>,
) -> Result<Vec<String>, Fail> {
    let all = [
        RequestKind::Add,
        RequestKind::Grant,
        RequestKind::Enable,
        RequestKind::Reset,
    ];
    let names: Vec<&str> = kinds.unwrap_or(&all).iter().map(|k| k.as_str()).collect();
    supersede(
        ctx,
        account.id,
        &names,
        "access was taken away after it was made",
    )
}

/// Whether the account was added and has never been approved (it holds
/// no roles and is disabled, and its request to be added was never
/// approved): a role change for it is still a request to add it.
pub(super) fn pending_kind(tx: &Connection, user_id: i64) -> rusqlite::Result<Option<RequestKind>> {
    let never_approved: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM access_request WHERE user_id = ?1 AND kind = 'add')
            AND NOT EXISTS (SELECT 1 FROM access_request
                            WHERE user_id = ?1 AND kind = 'add' AND status = 'approved')",
        [user_id],
        |r| r.get(0),
    )?;
    Ok(never_approved.then_some(RequestKind::Add))
}

/// The pending requests an account list row carries, from the JSON array
/// the query builds in `column`: `[[urn, kind, roles], ...]`.
pub(super) fn parse_pending(
    column: usize,
    text: &str,
) -> rusqlite::Result<Vec<super::PendingRequest>> {
    let rows: Vec<(String, String, String)> = serde_json::from_str(text).unwrap_or_default();
    let mut pending = Vec::with_capacity(rows.len());
    for (urn, kind, roles) in rows {
        let Some(kind) = RequestKind::from_stored(&kind) else {
            continue;
        };
        pending.push(super::PendingRequest {
            urn: stored(column, |t| Urn::parse(UrnKind::AccessRequest, t), &urn)?,
            kind,
            roles: accounts::parse_roles(Some(&roles)),
        });
    }
    Ok(pending)
}

/// Refuses anyone but a head of unit: the supervisor role (the permission
/// table checked that) at Inspector rank or above.
fn require_head(ctx: &Ctx<'_>) -> Result<(), Fail> {
    if accounts::is_head(&ctx.actor.roles, &ctx.actor.rank) {
        Ok(())
    } else {
        Err(Fail::SeparationOfDuties {
            reason: format!(
                "only a head of unit (a supervisor of Inspector rank or above) decides access; {} is a {}",
                ctx.actor.username, ctx.actor.rank
            ),
        })
    }
}

struct StoredRequest {
    id: i64,
    kind: RequestKind,
    user_id: i64,
    roles: Option<String>,
    public_key: Option<String>,
    before_state: String,
    requested_by: i64,
    requested_at: String,
    expires_at: String,
    status: String,
}

fn find(tx: &Connection, urn: &Urn) -> rusqlite::Result<Option<StoredRequest>> {
    tx.query_row(
        "SELECT id, kind, user_id, roles, public_key, before_state, requested_by, requested_at,
                expires_at, status
         FROM access_request WHERE urn = ?1",
        [urn.to_string()],
        |r| {
            let kind: String = r.get(1)?;
            Ok(StoredRequest {
                id: r.get(0)?,
                // The schema allows only the four kinds.
                kind: RequestKind::from_stored(&kind).unwrap_or(RequestKind::Grant),
                user_id: r.get(2)?,
                roles: r.get(3)?,
                public_key: r.get(4)?,
                before_state: r.get(5)?,
                requested_by: r.get(6)?,
                requested_at: r.get(7)?,
                expires_at: r.get(8)?,
                status: r.get(9)?,
            })
        },
    )
    .optional()
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    crate::domain::time::parse_stored(text).ok()
}

/// Approves or declines a pending request, as a head of unit who is
/// neither its requester nor the account it is about.
pub(super) fn decide(
    ctx: &Ctx<'_>,
    urn: &Urn,
    approve: bool,
    reason: Option<&Rationale>,
) -> Result<(Applied, Done), Fail> {
    let tx = ctx.tx;
    let invalid = |message: String| Err(Fail::Invalid(InvalidInput::new("request", message)));
    require_head(ctx)?;
    let Some(request) = find(tx, urn)? else {
        return invalid(format!("there is no request {urn}"));
    };
    if request.requested_by == ctx.actor.id {
        return Err(Fail::SeparationOfDuties {
            reason: format!("{urn} is your own request; another head of unit decides it"),
        });
    }
    if request.user_id == ctx.actor.id {
        return Err(Fail::SeparationOfDuties {
            reason: format!("{urn} is about your own account; another head of unit decides it"),
        });
    }
    if request.status != "pending" {
        return invalid(format!(
            "{urn} was {} already; a request is decided once",
            request.status
        ));
    }
    let expired = parse_time(&request.expires_at).is_none_or(|t| t <= ctx.now);
    if expired {
        return invalid(format!(
            "{urn} expired at {} UTC without a decision; the administrator can make it again",
            request
                .expires_at
                .get(..16)
                .unwrap_or(&request.expires_at)
                .replace('T', " ")
        ));
    }
    let reason = reason.map(Rationale::as_str);
    if !approve && reason.is_none() {
        return Err(InvalidInput::new(
            "reason",
            "say why the request is declined (the administrator and the trail are told)",
        )
        .into());
    }
    // Its length was checked once, as the Rationale was made.
    let account = accounts::find_by_id(tx, request.user_id)?
        .ok_or_else(|| Fail::Invalid(InvalidInput::new("request", "its account is missing")))?;
    let requester = accounts::find_by_id(tx, request.requested_by)?
        .map(|a| a.username)
        .unwrap_or_default();
    let names = |rs: &[Role]| rs.iter().map(|r| r.as_str()).collect::<Vec<_>>();
    let mut details = json!({
        "request": urn.to_string(),
        "kind": request.kind.as_str(),
        "username": account.username,
        "requested_by": requester,
        "requested_at": request.requested_at,
    });
    if let Some(r) = reason {
        details["reason"] = json!(r);
    }
    if approve {
        if state_of(&account) != request.before_state {
            return invalid(format!(
                "{}'s account has changed since {urn} was made, so it is not approved as it stands; decline it, and the administrator can ask again",
                account.username
            ));
        }
        let requested = match &request.roles {
            Some(text) => Some(RoleSet::parse_list(text).map_err(|_| {
                Fail::Invalid(InvalidInput::new(
                    "request",
                    format!("{urn} holds no valid set of roles"),
                ))
            })?),
            None => None,
        };
        details["before"] =
            json!({ "roles": names(&account.roles), "status": account.status.as_str() });
        match request.kind {
            RequestKind::Add | RequestKind::Grant => {
                let roles: Vec<Role> = requested.expect("checked by the schema").iter().collect();
                accounts::set_roles(tx, account.id, &roles)?;
                if request.kind == RequestKind::Add {
                    accounts::set_status(tx, account.id, AccountStatus::Active)?;
                }
                details["after"] = json!({
                    "roles": names(&roles),
                    "status": if request.kind == RequestKind::Add { "active" } else { account.status.as_str() },
                });
            }
            RequestKind::Enable => {
                accounts::set_status(tx, account.id, AccountStatus::Active)?;
                details["after"] = json!({ "roles": names(&account.roles), "status": "active" });
            }
            RequestKind::Reset => {
                let key = request
                    .public_key
                    .as_deref()
                    .expect("checked by the schema");
                accounts::set_public_key(
                    tx,
                    account.id,
                    key,
                    Some((request.requested_by, ctx.at, &urn.to_string())),
                )?;
                details["after"] = json!({ "password": "one-time: the account chooses its own at its next login" });
            }
        }
    }
    tx.execute(
        "UPDATE access_request SET status = ?2, decided_by = ?3, decided_at = ?4, reason = ?5
         WHERE id = ?1 AND status = 'pending'",
        params![
            request.id,
            if approve { "approved" } else { "declined" },
            ctx.actor.id,
            ctx.at,
            reason
        ],
    )?;
    let decided = Done::AccessDecided {
        username: account.username,
        kind: request.kind,
    };
    let applied = Applied {
        entity_type: "access-request",
        entity_ref: urn.to_string(),
        details,
    };
    Ok((applied, decided))
}

/// Sets how long a request waits for a decision (a head of unit).
pub(super) fn set_expiry(ctx: &Ctx<'_>, hours: u32) -> Result<Applied, Fail> {
    require_head(ctx)?;
    if !EXPIRY_HOURS.contains(&hours) {
        return Err(InvalidInput::new(
            "hours",
            format!(
                "{hours} is out of range: a request waits between {} hour and {} hours (30 days)",
                EXPIRY_HOURS.start(),
                EXPIRY_HOURS.end()
            ),
        )
        .into());
    }
    let before = expiry_hours(ctx.tx)?;
    if before == hours {
        return Err(InvalidInput::new(
            "hours",
            format!("requests already expire after {hours} hours"),
        )
        .into());
    }
    ctx.tx.exec_cached(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![EXPIRY_KEY, hours.to_string()],
    )?;
    Ok(Applied {
        entity_type: "setting",
        entity_ref: EXPIRY_KEY.into(),
        details: json!({ "before": before, "after": hours, "applies_to": "requests made from now on" }),
    })
}

/// The public keys of resets still waiting (not expired): their keyring
/// entries must stay.
pub(super) fn pending_reset_keys(conn: &Connection, now: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT public_key FROM access_request INDEXED BY access_request_by_status
         WHERE status = 'pending' AND expires_at > ?1 AND public_key IS NOT NULL",
    )?;
    stmt.query_map([now], |r| r.get(0))?.collect()
}

/// The public key the request `urn` leaves the account with, once it is
/// approved: the key to seal the data key to.
pub(super) fn approved_account_key(
    conn: &Connection,
    urn: &Urn,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT a.public_key FROM access_request r JOIN user_account a ON a.id = r.user_id
         WHERE r.urn = ?1 AND r.status = 'approved' AND r.kind IN ('add', 'enable', 'reset')
           AND a.status = 'active'",
        [urn.to_string()],
        |r| r.get(0),
    )
    .optional()
    .map(Option::flatten)
}

impl CaseFile {
    /// The requests for access: pending ones (with `all`, every request
    /// ever made, newest first). The consultation is audited (`view`).
    pub fn access_requests(&mut self, actor: &Actor, all: bool) -> Result<Vec<AccessRequest>> {
        self.execute(actor, Command::ViewAccessRequests)?;
        let filter = if all {
            ""
        } else {
            "WHERE r.status = 'pending' AND r.expires_at > ?1"
        };
        self.requests_where(&format!("{filter} ORDER BY r.id DESC"), None)
    }

    /// The pending requests `actor` may decide, oldest first: none unless
    /// they are a head of unit; never their own account's, nor their own.
    /// A queue, read like the other queues (not a consultation of the
    /// account list).
    pub fn access_requests_to_decide(&mut self, actor: &Actor) -> Result<Vec<AccessRequest>> {
        let viewer = self.reader_for(
            actor,
            "access-requests",
            crate::domain::permission::Action::DecideAccess,
        )?;
        let me =
            accounts::find_by_id(&self.conn, viewer.user_id).map_err(|e| self.sqlite_err(e))?;
        if !me.is_some_and(|a| accounts::is_head(&a.roles, &a.rank)) {
            return Ok(Vec::new());
        }
        self.requests_where(
            "WHERE r.status = 'pending' AND r.expires_at > ?1
               AND r.user_id != ?2 AND r.requested_by != ?2
             ORDER BY r.id",
            Some(viewer.user_id),
        )
    }

    /// Requests as the lists show them; `tail` filters and orders them,
    /// with `?1` the time now and `?2` the `user` given.
    fn requests_where(&self, tail: &str, user: Option<i64>) -> Result<Vec<AccessRequest>> {
        let now = format_timestamp((self.clock)());
        let sql = format!(
            "SELECT r.urn, r.kind, a.username, a.display_name, a.rank,
                    (SELECT group_concat(role, ',') FROM user_role WHERE user_id = a.id),
                    r.roles, q.username, r.requested_at, r.expires_at, r.status,
                    d.username, r.decided_at, r.reason, ?1 AS now, ?2 AS user
             FROM access_request r
             JOIN user_account a ON a.id = r.user_id
             JOIN user_account q ON q.id = r.requested_by
             LEFT JOIN user_account d ON d.id = r.decided_by
             {tail}"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sqlite_err(e))?;
        let rows = stmt
            .query_map(params![now, user], |r| {
                let kind: String = r.get(1)?;
                let roles: Option<String> = r.get(5)?;
                let requested: Option<String> = r.get(6)?;
                let status: String = r.get(10)?;
                let expires_at: String = r.get(9)?;
                let now: String = r.get(14)?;
                let status = match status.as_str() {
                    "pending" if expires_at <= now => RequestStatus::Expired,
                    "pending" => RequestStatus::Pending,
                    "approved" => RequestStatus::Approved,
                    "declined" => RequestStatus::Declined,
                    _ => RequestStatus::Superseded,
                };
                Ok(AccessRequest {
                    urn: stored_urn(r, 0, UrnKind::AccessRequest)?,
                    // The schema allows only the four kinds.
                    kind: RequestKind::from_stored(&kind).unwrap_or(RequestKind::Grant),
                    username: r.get(2)?,
                    display_name: r.get(3)?,
                    rank: r.get(4)?,
                    roles: accounts::parse_roles(roles.as_deref()),
                    requested_roles: accounts::parse_roles(requested.as_deref()),
                    requested_by: r.get(7)?,
                    requested_at: r.get(8)?,
                    expires_at,
                    status,
                    decided_by: r.get(11)?,
                    decided_at: r.get(12)?,
                    reason: r.get(13)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>());
        drop(stmt);
        rows.map_err(|e| self.sqlite_err(e))
    }

    /// Whether the logged-in user's password is one an administrator set
    /// (a new account's first, or an approved reset), which must be
    /// replaced before anything else; and who set it. One's own account,
    /// so nothing is audited.
    pub fn one_time_password(&self, actor: &Actor) -> Result<Option<OneTimePassword>> {
        self.conn
            .query_row(
                "SELECT s.username || ' (' || s.display_name || ')', a.password_set_at,
                        a.password_request,
                        (SELECT d.username || ' (' || d.display_name || ')'
                         FROM access_request r JOIN user_account d ON d.id = r.decided_by
                         WHERE r.urn = a.password_request)
                 FROM user_account a JOIN user_account s ON s.id = a.password_set_by
                 WHERE a.username = ?1",
                [actor.username().as_str()],
                |r| {
                    Ok(OneTimePassword {
                        set_by: r.get(0)?,
                        set_at: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        request: stored_urn_or_none(r, 2, UrnKind::AccessRequest)?,
                        approved_by: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.sqlite_err(e))
    }

    /// How long a request for access waits for a decision, in hours.
    pub fn access_request_hours(&self) -> Result<u32> {
        expiry_hours(&self.conn).map_err(|e| self.sqlite_err(e))
    }
}
