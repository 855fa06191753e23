//! The one write path: every change to a case file is a [`Command`] run by
//! [`CaseFile::execute`] in one `BEGIN IMMEDIATE` transaction that checks
//! permission, applies the rule, writes the rows and appends the audit event.
//! Logging in and creating the file append their audit events through the
//! same [`append`] function; nothing else in ccu writes.

use std::path::Path;

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use chrono::{DateTime, Utc};

use super::accounts::{self, AccountStatus, StoredAccount};
pub use super::command::Command;
use super::file::keyring::{self, KeyringFile};
use super::schema::LATEST_VERSION;
use super::trail::ledger;
use super::{CaseFile, Error, FirstAdministrator, HeadOfUnit, Result, sqlite_err};
use crate::audit::{Event, event_hash, genesis_hash};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
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

/// What a user is told as they log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginHistory {
    /// Their last successful login before this one (stored form).
    pub previous_at: Option<String>,
    /// Failed logins under their username since it (or ever).
    pub failed_since: u64,
}

impl LoginHistory {
    /// One line, e.g. "Last login 2026-11-30 14:02 UTC; 2 failed attempts
    /// since."
    pub fn line(&self) -> String {
        let failed = match self.failed_since {
            0 => "no failed attempts".to_owned(),
            1 => "1 failed attempt".to_owned(),
            n => format!("{n} failed attempts"),
        };
        match &self.previous_at {
            Some(at) => format!(
                "Last login {} UTC; {failed} since.",
                at.get(..16).unwrap_or(at).replace('T', " ")
            ),
            None => format!("First login; {failed} before it."),
        }
    }
}

/// A username and password offered at login.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub username: &'a str,
    pub password: &'a str,
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

/// Which rows an event commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rows {
    /// The rows its transaction wrote since the event before it.
    Written,
    /// Every row of every state table, as it stands (a baseline).
    All,
}

/// Appends one event to the chain inside the caller's transaction and
/// returns its `seq`. It first checks that the trail's last event still
/// hashes and links, so nothing is appended on top of a visibly broken
/// tail, and that every row being committed was, before this transaction,
/// as the trail last recorded it.
pub(super) fn append(
    tx: &Transaction<'_>,
    casefile_id: &str,
    new: NewEvent<'_>,
) -> rusqlite::Result<i64> {
    append_rows(tx, casefile_id, new, Rows::Written)
}

pub(super) fn append_rows(
    tx: &Transaction<'_>,
    casefile_id: &str,
    new: NewEvent<'_>,
    rows: Rows,
) -> rusqlite::Result<i64> {
    let (prev_seq, prev_hash) = match super::check::verify_tail(tx, casefile_id, true)? {
        Ok(Some(last)) => last,
        Ok(None) => (0, genesis_hash(casefile_id)),
        Err(at) => return Err(ledger::raise(ledger::Integrity::TailBroken(at))),
    };
    let seq = prev_seq + 1;
    let rows_hash = match rows {
        Rows::Written => ledger::record(tx, seq, &ledger::take_written(tx)?)?,
        Rows::All => ledger::record_all(tx, seq)?,
    };
    let mut event = Event {
        seq,
        at: new.at.to_owned(),
        actor: new.actor.to_owned(),
        actor_roles: new.actor_roles.to_owned(),
        action: new.action.to_owned(),
        entity_type: new.entity_type.to_owned(),
        entity_ref: new.entity_ref.to_owned(),
        outcome: new.outcome.to_owned(),
        details: new.details.to_string(),
        rows_hash: Some(rows_hash),
        prev_hash,
        hash: String::new(),
    };
    event.hash = event_hash(&event);
    tx.prepare_cached(
        "INSERT INTO audit_event (seq, at, actor, actor_roles, action, entity_type,
                                  entity_ref, outcome, details, rows_hash, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        event.seq,
        event.at,
        event.actor,
        event.actor_roles,
        event.action,
        event.entity_type,
        event.entity_ref,
        event.outcome,
        event.details,
        event.rows_hash,
        event.prev_hash,
        event.hash
    ])?;
    super::tree::appended(tx, event.seq)?;
    Ok(event.seq)
}

/// Commits a write transaction, refusing (and rolling back) one that
/// wrote a row no audit event took in.
pub(super) fn commit(tx: Transaction<'_>) -> rusqlite::Result<()> {
    ledger::ensure_all_taken(&tx)?;
    tx.commit()
}

/// The keyring brought into line with a command about to commit, in
/// its transaction: a new entry put in, a disabled account's data key
/// removed, an enabled one's sealed again, the demo flag set.
fn keyring_before_commit(
    path: &Path,
    data_key: &keyring::DataKey,
    tx: &Transaction<'_>,
    command: &Command,
    staged: Option<keyring::Entry>,
) -> Result<()> {
    let key_of = |username: &Username| -> Result<Option<String>> {
        Ok(accounts::find(tx, username)
            .map_err(|e| sqlite_err(path, e))?
            .and_then(|a| a.public_key))
    };
    match command {
        Command::AddUser { .. } | Command::SetPassword { .. } => {
            if let Some(entry) = staged {
                update_keyring(path, |k| {
                    k.keyring.put(entry);
                    Ok(())
                })?;
            }
        }
        Command::DisableUser { username } => {
            if let Some(key) = key_of(username)? {
                update_keyring(path, |k| {
                    if let Some(entry) = k.keyring.entry_mut(&key) {
                        entry.data_key = None;
                        entry.next_data_key = None;
                    }
                    Ok(())
                })?;
            }
        }
        // Access a head of unit approved: the data key sealed to the key
        // the account now has (its first, its own again, or a reset's).
        Command::DecideAccess {
            urn, approve: true, ..
        } => {
            if let Some(key) =
                super::access::approved_account_key(tx, urn).map_err(|e| sqlite_err(path, e))?
            {
                update_keyring(path, |k| {
                    if k.keyring.seal_data_key(&key, data_key)? {
                        Ok(())
                    } else {
                        Err(Error::KeyringDamaged {
                            path: keyring::keyring_path(path),
                            detail:
                                "the approved account's key is not in it, so nothing was approved"
                                    .into(),
                        })
                    }
                })?;
            }
        }
        // The keyring says so too, so that the login screen can offer
        // the demo accounts before the file is unlocked.
        Command::MarkDemo => update_keyring(path, |k| {
            k.keyring.demo = true;
            Ok(())
        })?,
        _ => {}
    }
    Ok(())
}

/// Why a command was refused to someone logged in with a one-time password.
const ONE_TIME: &str =
    "a one-time password set by an administrator: the account must choose its own first";

/// Why a login was refused without its password being checked.
const THROTTLED: &str = "too many failed attempts in a row: refused without checking the password";

/// The keyring beside the case file at `path`, as it is on disk now.
pub(super) fn read_keyring(path: &Path) -> Result<KeyringFile> {
    KeyringFile::read(path)?.ok_or_else(|| Error::KeyringDamaged {
        path: keyring::keyring_path(path),
        detail: "it is no longer there".into(),
    })
}

/// Changes the keyring on disk: read afresh, changed, written whole.
pub(super) fn update_keyring(
    path: &Path,
    change: impl FnOnce(&mut KeyringFile) -> Result<()>,
) -> Result<()> {
    let mut keys = read_keyring(path)?;
    change(&mut keys)?;
    keys.write(&[])
}

/// Whether `offered` is the password an unencrypted case file's argon2id
/// hash was made from (`ccu encrypt`, before the hashes are dropped).
pub(super) fn password_matches(stored: &str, offered: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(offered.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// What a command did: the `seq` of its audit event, the reference of the
/// thing acted on (a URN, codename, staff number or username), the
/// details recorded in the audit trail, and what it reports to whoever
/// ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    pub seq: i64,
    pub reference: String,
    pub details: Value,
    /// What the command reports, typed: read this, not `details`, to tell
    /// the user what was done.
    pub result: Done,
}

/// What a command reports beyond its reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Nothing more: the event is recorded.
    Recorded,
    /// Access that waits for a head of unit (an account added with a role
    /// that reads case content, a role granted, an account enabled,
    /// another's password reset): the request opened for it.
    AccessRequested(super::access::RequestOpened),
    /// A head of unit's decision on a request for access: whose account,
    /// and what the request was.
    AccessDecided {
        username: String,
        kind: super::RequestKind,
    },
    /// A bulk import of intelligence: what it added, left and could not
    /// link.
    Imported(super::ImportReport),
    /// A signed checkpoint of the whole trail: its size, and its Merkle
    /// root in hex.
    Checkpoint { tree_size: u64, root: String },
    /// An export bundle: the entries in it, whether it holds the whole
    /// trail, and the size of the checkpoint it carries.
    Exported {
        entries: u64,
        full: bool,
        tree_size: u64,
    },
    /// A new data key: its fingerprint, the active accounts it is sealed
    /// to, and the disabled ones left out.
    Rekeyed {
        key: String,
        sealed_to: Vec<String>,
        left_out: Vec<String>,
    },
    /// A backup, opened and checked: the events it holds, and the
    /// fingerprint of the key it is encrypted with.
    BackedUp { events: i64, key: String },
}

/// Why a command's rule stopped it, inside the transaction.
pub(super) enum Fail {
    /// Bad input: nothing is written.
    Invalid(InvalidInput),
    /// Need-to-know: the actor may not see this. Audited as `denied`, and
    /// reported exactly like something that does not exist.
    Hidden {
        what: &'static str,
        reference: String,
        /// How to report it, when the command reports a missing one of
        /// these as bad input rather than as [`Error::NoSuch`].
        shown_as: Option<InvalidInput>,
    },
    /// Separation of duties: the actor's roles allow the action, but not
    /// on this record (their own bid, their own application). Audited as
    /// `denied` with the reason, and reported as [`Error::Denied`].
    SeparationOfDuties {
        reason: String,
    },
    Sql(rusqlite::Error),
    Store(Error),
    /// What signing relies on does not verify: reported as `ccu check`
    /// reports it.
    Check(super::CheckReport),
}

impl From<InvalidInput> for Fail {
    fn from(e: InvalidInput) -> Self {
        Fail::Invalid(e)
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Self {
        Fail::Sql(e)
    }
}

/// What a permitted command did, for its audit event.
pub(super) struct Applied {
    pub entity_type: &'static str,
    pub entity_ref: String,
    pub details: Value,
}

/// A command's view of its transaction: the time, who is acting, and a way
/// to add further audit events (one per item of an import, say).
pub(super) struct Ctx<'a> {
    pub tx: &'a Transaction<'a>,
    pub casefile_id: &'a str,
    pub now: DateTime<Utc>,
    pub at: &'a str,
    pub actor: &'a StoredAccount,
    pub roles: &'a RoleSet,
    /// An export's first phase, done before the write lock was taken.
    pub export: Option<&'a super::export::Prepared>,
}

impl Ctx<'_> {
    pub fn may(&self, action: Action) -> bool {
        permits(self.roles, action)
    }

    /// Appends an `ok` event by the acting user.
    pub fn event(
        &self,
        action: &str,
        entity_type: &str,
        entity_ref: &str,
        details: Value,
    ) -> rusqlite::Result<i64> {
        append(
            self.tx,
            self.casefile_id,
            NewEvent {
                at: self.at,
                actor: &self.actor.username,
                actor_roles: &self.actor.roles_text(),
                action,
                entity_type,
                entity_ref,
                outcome: "ok",
                details,
            },
        )
    }
}

/// The acting user's account as it is now, refused if it (or one of its
/// roles) no longer answers to the audit trail.
///
/// The account's rows are digested and compared with the trail only when
/// another connection has committed since they last were for this account
/// (`PRAGMA data_version` moves exactly then): a change made from outside
/// ccu is a commit by another connection, and this connection's own writes
/// go through the audited path. So a session pays for the check (one row
/// per team the account is on) once, and again only after someone else
/// has written.
pub(super) fn load_actor(
    conn: &rusqlite::Connection,
    actor: &Actor,
    path: &Path,
    checked: &std::cell::Cell<Option<(i64, i64)>>,
) -> Result<StoredAccount> {
    let account = accounts::find_by_id(conn, actor.user_id)
        .map_err(|e| sqlite_err(path, e))?
        .ok_or_else(|| {
            Error::Invalid(InvalidInput::new("user", "your account no longer exists"))
        })?;
    let version: i64 = conn
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .map_err(|e| sqlite_err(path, e))?;
    if checked.get() == Some((account.id, version)) {
        return Ok(account);
    }
    if let Some(problem) =
        ledger::account_problem(conn, account.id).map_err(|e| sqlite_err(path, e))?
    {
        checked.set(None);
        return Err(Error::Integrity {
            path: path.to_owned(),
            problem,
        });
    }
    checked.set(Some((account.id, version)));
    Ok(account)
}

pub(super) fn roles_or_none(account: &StoredAccount) -> String {
    match account.roles_text() {
        t if t.is_empty() => "no roles".into(),
        t => t,
    }
}

impl CaseFile {
    /// Logs someone in on a case file already open (after the screen
    /// locked, say). The password must unseal the account's key from the
    /// keyring, and the case file must hold that same public key for the
    /// account. Success and failure are both audited (`login`, outcome `ok`
    /// or `denied`); a failure says nothing about which part was wrong.
    pub fn login(&mut self, credentials: Credentials<'_>) -> Result<Actor> {
        let keys = self.keyring()?;
        let offered = credentials.username.trim();
        let name = Username::parse(offered)
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|_| offered.to_owned());
        // Too many failures in a row: refused before the password is
        // checked, alike for a username that exists and one that does not.
        let now = (self.clock)();
        if let Some(until) = keys.waits_until(&keys.throttle_label(&name), now) {
            return self.login_checked(credentials.username, None, Some(until));
        }
        let proof = keys
            .keyring
            .unseal(&name, credentials.password)?
            .ok()
            .map(|u| keyring::public_hex(&u.secret));
        self.login_checked(credentials.username, proof, None)
    }

    /// Logs in `username`, whose password unsealed the keyring entry with
    /// public key `proof` (none: it unsealed nothing). Audited.
    pub(super) fn login_proven(&mut self, username: &str, proof: Option<String>) -> Result<Actor> {
        self.login_checked(username, proof, None)
    }

    /// The login itself; `waits_until`: refused unchecked, the username
    /// having failed too often in a row. A failure counts against the
    /// username in the keyring; a success clears its count.
    fn login_checked(
        &mut self,
        username: &str,
        proof: Option<String>,
        waits_until: Option<DateTime<Utc>>,
    ) -> Result<Actor> {
        let offered = username.trim();
        let account = match Username::parse(offered) {
            Ok(name) => accounts::find(&self.conn, &name).map_err(|e| self.sqlite_err(e))?,
            Err(_) => None,
        };
        let altered = match &account {
            Some(a) => ledger::account_problem(&self.conn, a.id).map_err(|e| self.sqlite_err(e))?,
            None => None,
        };
        let verdict = match &account {
            _ if waits_until.is_some() => Err(THROTTLED),
            None => Err("unknown user"),
            Some(_) if proof.is_none() => Err("wrong password"),
            // The password unsealed a key, but not the one the case file
            // holds for the account: an entry put into the keyring from
            // outside, or one a new password replaced.
            Some(a) if a.public_key != proof => Err("the keyring's key is not the account's"),
            Some(a) if a.status == AccountStatus::Disabled => Err("account disabled"),
            // The key matched, but the account or its roles are not as the
            // trail last recorded them (a key or a role put in with
            // sqlcipher): no one gets in through a changed account.
            Some(_) if altered.is_some() => Err("account changed outside ccu"),
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
            Ok(_)
                if account
                    .as_ref()
                    .is_some_and(|a| a.password_set_by.is_some()) =>
            {
                json!({ "password": "one-time: must choose a new one" })
            }
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
        .and_then(|_| commit(tx))
        .map_err(|e| sqlite_err(&self.path, e))?;
        let name = Username::parse(offered)
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|_| offered.to_owned());
        let keys = self.keyring()?;
        let label = keys.throttle_label(&name);
        match (&verdict, waits_until) {
            (Ok(_), _) if keys.has_failures(&label) => {
                self.locked_keyring_update_taking(|k| {
                    let lines = k.lines_of(&label);
                    k.keyring.throttle.remove(&label);
                    Ok(lines)
                })?;
            }
            (Err(_), None) => keys.append_failure(&label, &at)?,
            _ => {}
        }
        if let Some(until) = waits_until {
            return Err(Error::throttled(actor_name, until, (self.clock)()));
        }
        match (verdict, account) {
            (Ok(roles), Some(a)) => Ok(Actor {
                user_id: a.id,
                username: Username::parse(&a.username)?,
                roles,
            }),
            (Err("account changed outside ccu"), _) => Err(Error::Integrity {
                path: self.path.clone(),
                problem: altered.expect("the reason is given only when altered"),
            }),
            _ => Err(Error::LoginFailed {
                username: actor_name,
            }),
        }
    }

    /// What the user is shown as they log in: when they last logged in
    /// before this login, and how many failed logins under their name
    /// there have been since (or ever, at a first login). Read through the
    /// trail's index by actor, from the newest back to that login.
    pub fn login_history(&self, actor: &Actor) -> Result<LoginHistory> {
        let name = actor.username.as_str();
        let sql = |e| sqlite_err(&self.path, e);
        let mut logins = self
            .conn
            .prepare_cached(
                "SELECT seq, at FROM audit_event INDEXED BY audit_event_by_actor
                 WHERE actor = ?1 AND action = 'login' AND outcome = 'ok'
                 ORDER BY seq DESC LIMIT 2",
            )
            .map_err(sql)?;
        let found: Vec<(i64, String)> = logins
            .query_map([name], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(sql)?;
        drop(logins);
        // The newest is this login; the one before is the last.
        let (since, previous_at) = match found.get(1) {
            Some((seq, at)) => (*seq, Some(at.clone())),
            None => (0, None),
        };
        let failed: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM audit_event INDEXED BY audit_event_by_actor
                 WHERE actor = ?1 AND seq > ?2 AND action = 'login' AND outcome = 'denied'",
                rusqlite::params![name, since],
                |r| r.get(0),
            )
            .map_err(sql)?;
        Ok(LoginHistory {
            previous_at,
            failed_since: failed.max(0) as u64,
        })
    }

    /// Runs one command as `actor`: the only way case data changes.
    ///
    /// Bad input returns [`Error::Invalid`] and writes nothing. A command
    /// the actor's roles do not permit returns [`Error::Denied`] and writes
    /// only a `denied` audit event; so does one on an operation they may not
    /// see, which returns [`Error::NoSuch`] exactly as if it did not exist.
    /// Success writes the rows and the command's audit events, and returns
    /// the main event's `seq`, the reference of what was acted on, and the
    /// details recorded.
    pub fn execute(&mut self, actor: &Actor, command: Command) -> Result<Executed> {
        // An export reads and writes most of its bundle before the write
        // lock is taken (a full one at ten years takes minutes, and every
        // login writes), and finishes under it.
        let prepared = match &command {
            Command::ExportAudit(request) => self.prepare_export(actor, &command, request)?,
            _ => None,
        };
        let done = self.execute_with(actor, command, prepared.as_ref());
        if let Some(prepared) = &prepared {
            match &done {
                // The event has committed: only now does the bundle,
                // with its signatures, appear.
                Ok(_) => prepared.publish()?,
                Err(_) => prepared.discard(),
            }
        }
        done
    }

    /// An export's first phase, in a read transaction of its own: for
    /// someone the command permits. Anyone else gets None here, and is
    /// refused (and audited) by the write path as usual, at no cost.
    fn prepare_export(
        &mut self,
        actor: &Actor,
        command: &Command,
        request: &super::export::ExportRequest,
    ) -> Result<Option<super::export::Prepared>> {
        let current = load_actor(&self.conn, actor, &self.path, &self.account_checked)?;
        let permitted = current.status == AccountStatus::Active
            && current.password_set_by.is_none()
            && RoleSet::new(current.roles.iter().copied())
                .is_ok_and(|r| permits(&r, command.required_permission(&actor.username)));
        if !permitted {
            return Ok(None);
        }
        let path = self.path.clone();
        let id = self.id.clone();
        let snapshot = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
            .map_err(|e| sqlite_err(&path, e))?;
        let prepared = super::export::prepare(&snapshot, &id, request);
        // It only read: rolled back.
        drop(snapshot);
        match prepared {
            Ok(prepared) => Ok(Some(prepared)),
            Err(Fail::Invalid(e)) => Err(Error::Invalid(e)),
            Err(Fail::Sql(e)) => Err(sqlite_err(&path, e)),
            Err(Fail::Store(e)) => Err(e),
            Err(Fail::Check(report)) => Err(Error::CheckFailed { path, report }),
            Err(Fail::Hidden {
                what,
                reference,
                shown_as,
            }) => Err(shown_as.map_or(Error::NoSuch { what, reference }, Error::Invalid)),
            Err(Fail::SeparationOfDuties { reason }) => {
                Err(Error::Invalid(InvalidInput::new("export", reason)))
            }
        }
    }

    fn execute_with(
        &mut self,
        actor: &Actor,
        command: Command,
        export: Option<&super::export::Prepared>,
    ) -> Result<Executed> {
        // A new password gets a new key pair, sealed in the keyring; the
        // derivation is slow on purpose, so it comes before the write lock.
        // Access that waits for a head of unit gets an entry that opens
        // nothing: the approval seals the data key to it.
        let staged = match &command {
            Command::AddUser {
                username,
                password,
                roles,
                ..
            } => {
                let waits = roles.iter().any(|r| r.reads_case_content());
                Some(self.keyring()?.keyring.new_entry_sealing(
                    username.as_str(),
                    password.expose(),
                    (!waits).then_some(&self.data_key),
                )?)
            }
            Command::SetPassword { username, password } => {
                let own = username == &actor.username;
                if own {
                    self.refuse_one_time_again(username, password.expose())?;
                }
                Some(self.keyring()?.keyring.new_entry_sealing(
                    username.as_str(),
                    password.expose(),
                    own.then_some(&self.data_key),
                )?)
            }
            _ => None,
        };
        let public_key = staged.as_ref().map(|e| e.public_key.clone());
        let now = (self.clock)();
        let at = super::format_timestamp(now);
        let path = self.path.clone();
        let (entity_type, entity_ref) = command.entity();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        let current = load_actor(&tx, actor, &path, &self.account_checked)?;
        let roles = RoleSet::new(current.roles.iter().copied()).ok();
        let required = command.required_permission(&actor.username);
        let refusal = if current.status == AccountStatus::Disabled {
            Some("the account is disabled")
        } else if !roles.as_ref().is_some_and(|r| permits(r, required)) {
            Some("no role held permits this")
        } else {
            None
        };
        let own_password = matches!(&command, Command::SetPassword { username, .. } if username == &actor.username);
        if refusal.is_none() && current.password_set_by.is_some() && !own_password {
            drop(tx);
            return Err(self.refuse(
                &current,
                command.audit_action(),
                (entity_type, &entity_ref),
                json!({ "reason": ONE_TIME }),
                Error::PasswordChangeRequired {
                    username: current.username.clone(),
                },
            ));
        }
        if let Some(reason) = refusal {
            drop(tx);
            return Err(self.refuse(
                &current,
                command.audit_action(),
                (entity_type, &entity_ref),
                json!({ "reason": reason, "requires": required.phrase() }),
                Error::Denied {
                    username: current.username.clone(),
                    roles: roles_or_none(&current),
                    what: required.phrase().to_owned(),
                },
            ));
        }
        let ctx = Ctx {
            tx: &tx,
            casefile_id: &self.id,
            now,
            at: &at,
            actor: &current,
            roles: roles.as_ref().expect("permitted, so the roles are valid"),
            export,
        };
        // A password set, or a request decided: keyring entries that no
        // longer answer to an account's key or a waiting reset go after.
        let sweep = matches!(
            command,
            Command::SetPassword { .. }
                | Command::DecideAccess { .. }
                | Command::DisableUser { .. }
        );
        let (applied, result) = match super::command::apply(&ctx, command.clone(), public_key) {
            Ok(done) => done,
            Err(Fail::Invalid(e)) => return Err(Error::Invalid(e)),
            Err(Fail::Sql(e)) => return Err(sqlite_err(&path, e)),
            Err(Fail::Store(e)) => return Err(e),
            Err(Fail::Check(report)) => {
                return Err(Error::CheckFailed {
                    path: path.clone(),
                    report,
                });
            }
            Err(Fail::SeparationOfDuties { reason }) => {
                drop(tx);
                return Err(self.refuse(
                    &current,
                    command.audit_action(),
                    (entity_type, &entity_ref),
                    json!({ "reason": format!("separation of duties: {reason}") }),
                    Error::Denied {
                        username: current.username.clone(),
                        roles: roles_or_none(&current),
                        what: reason,
                    },
                ));
            }
            Err(Fail::Hidden {
                what,
                reference,
                shown_as,
            }) => {
                drop(tx);
                let error = match shown_as {
                    Some(invalid) => Error::Invalid(invalid),
                    None => Error::NoSuch { what, reference },
                };
                return Err(self.refuse(
                    &current,
                    command.audit_action(),
                    (entity_type, &entity_ref),
                    json!({ "reason": "need to know: not on the operation's team" }),
                    error,
                ));
            }
        };
        let seq = ctx
            .event(
                command.audit_action(),
                applied.entity_type,
                &applied.entity_ref,
                applied.details.clone(),
            )
            .map_err(|e| sqlite_err(&path, e))?;
        // The keyring changes while this transaction holds the write lock,
        // so that no other ccu changes it at the same moment. A new entry
        // goes in beside the old one: whichever way a crash falls, one of
        // the two answers to the public key the case file holds.
        keyring_before_commit(&path, &self.data_key, &tx, &command, staged)?;
        commit(tx).map_err(|e| sqlite_err(&path, e))?;
        if sweep {
            // A replaced entry goes once the new key is committed (under
            // the write lock again; if this fails, the old entry opens
            // nothing: its key is no longer the account's).
            self.sweep_keyring().map_err(|e| Error::KeyringNotUpdated {
                done: format!(
                    "{} {} was recorded",
                    command.audit_action(),
                    applied.entity_ref
                ),
                source: Box::new(e),
            })?;
        }
        Ok(Executed {
            seq,
            reference: applied.entity_ref,
            details: applied.details,
            result,
        })
    }

    /// Refuses, as bad input, a one-time password chosen again as the
    /// account's own: the administrator who set it knows it.
    fn refuse_one_time_again(&self, username: &Username, password: &str) -> Result<()> {
        let Some(account) = accounts::find(&self.conn, username).map_err(|e| self.sqlite_err(e))?
        else {
            return Ok(());
        };
        if account.password_set_by.is_none() {
            return Ok(());
        }
        let same = self
            .keyring()?
            .keyring
            .unseal(username.as_str(), password)?
            .ok()
            .is_some_and(|u| Some(keyring::public_hex(&u.secret)) == account.public_key);
        if same {
            return Err(Error::Invalid(InvalidInput::new(
                "password",
                "must not be the one-time password an administrator set: choose one only you know",
            )));
        }
        Ok(())
    }

    /// Takes out of the keyring every entry whose public key is neither an
    /// account's nor a reset's still waiting for a decision: passwords
    /// replaced, resets declined, superseded or expired. Under the write
    /// lock, so no other ccu is between staging an entry and committing.
    pub(super) fn sweep_keyring(&mut self) -> Result<()> {
        let path = self.path.clone();
        let now = self.now();
        self.locked_keyring_update_with(|tx, k| {
            let sql = |e| sqlite_err(&path, e);
            let mut keep: std::collections::HashSet<String> =
                super::access::pending_reset_keys(tx, &now)
                    .map_err(sql)?
                    .into_iter()
                    .collect();
            let mut stmt = tx
                .prepare("SELECT public_key FROM user_account WHERE public_key IS NOT NULL")
                .map_err(sql)?;
            let keys = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(sql)?;
            keep.extend(keys);
            k.keyring.accounts.retain(|e| keep.contains(&e.public_key));
            Ok(())
        })
    }

    /// As [`CaseFile::locked_keyring_update`], taking out the lines the
    /// change returns.
    fn locked_keyring_update_taking(
        &mut self,
        change: impl FnOnce(&mut KeyringFile) -> Result<Vec<String>>,
    ) -> Result<()> {
        let path = self.path.clone();
        let lock = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        let changed = read_keyring(&path).and_then(|mut keys| {
            let taken = change(&mut keys)?;
            keys.write(&taken)
        });
        drop(lock);
        changed
    }

    /// Changes the keyring while holding the case file's write lock (a
    /// transaction that writes nothing), so that two ccu processes never
    /// change it at once.
    pub(super) fn locked_keyring_update(
        &mut self,
        change: impl FnOnce(&mut KeyringFile) -> Result<()>,
    ) -> Result<()> {
        self.locked_keyring_update_with(|_, k| change(k))
    }

    /// As [`CaseFile::locked_keyring_update`], the change reading the case
    /// file through the transaction that holds the lock.
    fn locked_keyring_update_with(
        &mut self,
        change: impl FnOnce(&Transaction<'_>, &mut KeyringFile) -> Result<()>,
    ) -> Result<()> {
        let path = self.path.clone();
        let lock = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        let changed = update_keyring(&path, |k| change(&lock, k));
        drop(lock);
        changed
    }

    /// The keyring as it is on disk now.
    pub(super) fn keyring(&self) -> Result<KeyringFile> {
        read_keyring(&self.path)
    }

    /// Changes the keyring on disk (read afresh, written whole), under the
    /// write lock.
    pub(super) fn update_keyring(
        &mut self,
        change: impl FnOnce(&mut KeyringFile) -> Result<()>,
    ) -> Result<()> {
        self.locked_keyring_update(change)
    }

    /// Writes the failed-unlock notices the keyring holds into the trail
    /// (`login`, `denied`), then takes them out of the keyring. A notice
    /// that does not open with this file's key is recorded as such.
    pub(super) fn take_notices(&mut self) -> Result<()> {
        let keys = self.keyring()?;
        if keys.notices.is_empty() {
            return Ok(());
        }
        let opened = keys.keyring.open_notices(&self.data_key, &keys.notices);
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        for notice in &opened {
            let (actor, details) = match notice {
                Some(n) => {
                    let known = match Username::parse(&n.username) {
                        Ok(name) => accounts::find(&tx, &name)
                            .map_err(|e| sqlite_err(&path, e))?
                            .is_some(),
                        Err(_) => false,
                    };
                    let reason = match (n.matched, known) {
                        _ if n.throttled => THROTTLED,
                        (true, _) => "account disabled, or its access not yet approved",
                        (false, true) => "wrong password",
                        (false, false) => "unknown user",
                    };
                    (
                        n.username.clone(),
                        json!({ "reason": reason, "attempted_at": n.at, "noted_in": "keyring" }),
                    )
                }
                None => (
                    String::new(),
                    json!({ "reason": "a failed-unlock notice in the keyring did not open with this case file's key", "noted_in": "keyring" }),
                ),
            };
            append(
                &tx,
                &self.id,
                NewEvent {
                    at: &at,
                    actor: &actor,
                    actor_roles: "",
                    action: "login",
                    entity_type: "user",
                    entity_ref: &actor,
                    outcome: "denied",
                    details,
                },
            )
            .map_err(|e| sqlite_err(&path, e))?;
        }
        commit(tx).map_err(|e| sqlite_err(&path, e))?;
        // Recorded first, then taken out: a crash between the two records
        // a notice twice, never not at all.
        let taken = keys.notices;
        let lock = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        let written = read_keyring(&path).and_then(|mut now| {
            // What the lines counted against each username is kept.
            now.carry_failures(&taken, None);
            now.write(&taken)
        });
        drop(lock);
        written
    }

    /// Records a refusal in a transaction of its own and returns `error`.
    /// Whatever the refused command had begun was rolled back before this.
    pub(super) fn refuse(
        &mut self,
        account: &StoredAccount,
        action: &str,
        (entity_type, entity_ref): (&str, &str),
        details: Value,
        error: Error,
    ) -> Error {
        let at = self.now();
        let path = self.path.clone();
        let written = self.conn.transaction().and_then(|tx| {
            append(
                &tx,
                &self.id,
                NewEvent {
                    at: &at,
                    actor: &account.username,
                    actor_roles: &account.roles_text(),
                    action,
                    entity_type,
                    entity_ref,
                    outcome: "denied",
                    details,
                },
            )?;
            commit(tx)
        });
        match written {
            Ok(()) => error,
            Err(e) => sqlite_err(&path, e),
        }
    }

    /// The acting user's account as it is now, for reads: refused (and the
    /// refusal audited) if disabled or without the right to read content.
    pub(super) fn reader(
        &mut self,
        actor: &Actor,
        what: &str,
    ) -> Result<super::visibility::Viewer> {
        self.reader_for(actor, what, Action::ReadCaseContent)
    }

    /// As [`CaseFile::reader`], for a read that needs `needs` (reading the
    /// audit trail, say). A permitted read writes nothing.
    pub(super) fn reader_for(
        &mut self,
        actor: &Actor,
        what: &str,
        needs: Action,
    ) -> Result<super::visibility::Viewer> {
        let path = self.path.clone();
        let current = load_actor(&self.conn, actor, &path, &self.account_checked)?;
        let roles = RoleSet::new(current.roles.iter().copied()).ok();
        let allowed = current.status == AccountStatus::Active
            && roles.as_ref().is_some_and(|r| permits(r, needs));
        if allowed && current.password_set_by.is_some() {
            return Err(self.refuse(
                &current,
                "view",
                (what, "*"),
                json!({ "reason": ONE_TIME }),
                Error::PasswordChangeRequired {
                    username: current.username.clone(),
                },
            ));
        }
        if !allowed {
            return Err(self.refuse(
                &current,
                "view",
                (what, "*"),
                json!({ "reason": "no role held permits this", "requires": needs.phrase() }),
                Error::Denied {
                    username: current.username.clone(),
                    roles: roles_or_none(&current),
                    what: needs.phrase().to_owned(),
                },
            ));
        }
        Ok(super::visibility::Viewer {
            user_id: current.id,
            sees_all: roles.is_some_and(|r| permits(&r, Action::SeeAllOperations)),
        })
    }

    /// The first rows of a new case file and their three audit events:
    /// the file, its administrator, and its head of unit.
    pub(super) fn record_init(
        &mut self,
        admin: FirstAdministrator,
        public_key: String,
        head: HeadOfUnit,
        head_key: String,
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
            let name = admin.username.as_str();
            let roles_text = roles.to_string();
            // The first event commits to every row there is: the case
            // file's own and those the schema put in (resource types,
            // settings).
            append_rows(
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
                Rows::All,
            )?;
            // Each founding account: its rows and its `user.add` event, by
            // the administrator running init.
            let found = |username: &Username,
                         display_name: &crate::domain::account::DisplayName,
                         rank: crate::domain::account::Rank,
                         roles: &RoleSet,
                         key: &str,
                         extra: Option<Value>|
             -> rusqlite::Result<()> {
                accounts::insert(
                    &tx,
                    username,
                    display_name,
                    rank,
                    Some(roles),
                    key,
                    &at,
                    None,
                )?;
                let mut details = accounts::account_details(username, display_name, rank, roles);
                if let Some(Value::Object(extra)) = extra {
                    details.as_object_mut().expect("an object").extend(extra);
                }
                append(
                    &tx,
                    &self.id,
                    NewEvent {
                        at: &at,
                        actor: name,
                        actor_roles: &roles_text,
                        action: "user.add",
                        entity_type: "user",
                        entity_ref: username.as_str(),
                        outcome: "ok",
                        details,
                    },
                )
                .map(|_| ())
            };
            found(
                &admin.username,
                &admin.display_name,
                admin.rank,
                &roles,
                &public_key,
                None,
            )?;
            found(
                &head.username,
                &head.display_name,
                head.rank,
                &RoleSet::new([Role::Supervisor]).expect("a single role is valid"),
                &head_key,
                Some(json!({
                    "head_of_unit": true,
                    "recorded": "with the case file at init, the head of unit typing their own password: the one grant no second person approves",
                })),
            )?;
            Ok(())
        };
        write().map_err(|e| sqlite_err(&path, e))?;
        super::keys::ensure(&tx, &self.id, &at, admin.username.as_str(), "administrator")?;
        commit(tx).map_err(|e| sqlite_err(&path, e))
    }

    /// Records that this ccu brought an older case file's schema up to
    /// date. The event is a baseline: it commits to every row as it stands
    /// after the upgrade, so from here on each row answers to the trail
    /// (what this cannot show about the time before is in
    /// docs/audit-format.md).
    pub(super) fn record_upgrade(&mut self, from: u32) -> Result<()> {
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        append_rows(
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
                details: json!({
                    "from_version": from,
                    "to_version": LATEST_VERSION,
                    "baseline": "every row as it stands"
                }),
            },
            Rows::All,
        )
        .and_then(|_| commit(tx))
        .map_err(|e| sqlite_err(&path, e))
    }
}
