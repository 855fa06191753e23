//! Custody of the case file's keys and copies: re-keying it, backing it
//! up, and encrypting a case file from an earlier ccu (docs/security.md).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, params};
use serde_json::{Value, json};

use super::keyring::{self, DataKey, Keyring, keyring_path};
use super::vet;
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::permission::{Action, permits};
use crate::domain::role::{Role, RoleSet};
use crate::store::accounts::{self, AccountStatus};
use crate::store::write::{
    self, Actor, Credentials, Done, Executed, NewEvent, append, commit, load_actor,
};
use crate::store::{CaseFile, Clock, Error, LATEST_VERSION, Purpose, Result, sqlite_err};

/// What `ccu encrypt` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Encrypted {
    /// The administrator the data key was sealed to.
    pub sealed_to: String,
    /// The head of unit sealed in beside them, if one was named.
    pub head: Option<String>,
    /// Active accounts that cannot unlock the file until their password is
    /// reset (asked for by an administrator, approved by a head of unit).
    pub awaiting: Vec<String>,
}

/// A temporary name beside `path`, for a file that is renamed into place
/// only when whole.
fn temporary(path: &Path) -> Result<PathBuf> {
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).map_err(|e| Error::Random(e.to_string()))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", hex::encode(suffix)));
    Ok(PathBuf::from(tmp))
}

fn remove_all(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal", ".keys"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

impl CaseFile {
    /// Refuses (and audits the refusal as `action`) an actor whose roles do
    /// not permit `needs`.
    fn permitted(&mut self, actor: &Actor, action: &str, needs: Action) -> Result<()> {
        let current = load_actor(&self.conn, actor, &self.path, &self.account_checked)?;
        let roles = RoleSet::new(current.roles.iter().copied()).ok();
        let allowed = current.status == AccountStatus::Active
            && roles.as_ref().is_some_and(|r| permits(r, needs));
        if allowed {
            return Ok(());
        }
        let id = self.id.clone();
        Err(self.refuse(
            &current,
            action,
            ("casefile", &id),
            json!({ "reason": "no role held permits this", "requires": needs.phrase() }),
            Error::Denied {
                username: current.username.clone(),
                roles: write::roles_or_none(&current),
                what: needs.phrase().to_owned(),
            },
        ))
    }

    /// Appends one event by `actor` about the case file, in a transaction
    /// of its own; `result` is what it reports.
    fn record(
        &mut self,
        actor: &Actor,
        action: &str,
        details: Value,
        result: Done,
    ) -> Result<Executed> {
        let current = load_actor(&self.conn, actor, &self.path, &self.account_checked)?;
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        let seq = append(
            &tx,
            &self.id,
            NewEvent {
                at: &at,
                actor: &current.username,
                actor_roles: &current.roles_text(),
                action,
                entity_type: "casefile",
                entity_ref: &self.id,
                outcome: "ok",
                details: details.clone(),
            },
        )
        .and_then(|seq| commit(tx).map(|_| seq))
        .map_err(|e| sqlite_err(&path, e))?;
        Ok(Executed {
            seq,
            reference: self.id.clone(),
            details,
            result,
        })
    }

    /// `ccu rekey`: a new random data key; the file re-encrypted with it
    /// (`PRAGMA rekey`), and the key sealed only to the accounts active
    /// now. A disabled account's password and any copy of its sealed key
    /// open nothing afterwards. Needs the file to itself: refused while
    /// anyone else has it open.
    pub fn rekey(&mut self, actor: &Actor) -> Result<Executed> {
        self.permitted(actor, "casefile.rekey", Action::RekeyCaseFile)?;
        let path = self.path.clone();
        let sql = |e| sqlite_err(&path, e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT username, public_key, status FROM user_account
                 WHERE public_key IS NOT NULL ORDER BY username",
            )
            .map_err(sql)?;
        let accounts: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(sql)?;
        drop(stmt);
        let active: Vec<String> = accounts
            .iter()
            .filter(|(_, _, status)| status == "active")
            .map(|(_, key, _)| key.clone())
            .collect();
        let new = DataKey::generate()?;
        let old = self.data_key.clone();
        // Staged first: each active account's entry holds the next key
        // beside the current one, and the rest hold none, so a crash at
        // any point leaves a file that its active accounts can open.
        self.update_keyring(|k| k.keyring.stage_rekey(&active, &new))?;
        // Out of WAL mode, which SQLite allows only to a connection that
        // has the file to itself.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    Error::InUse {
                        path: path.clone(),
                        what: "someone else has the case file open; re-key it when no one else does. Nothing was changed".into(),
                    }
                }
                _ => sqlite_err(&path, e),
            })?;
        if mode != "delete" {
            return Err(Error::InUse {
                path: path.clone(),
                what: "someone else has the case file open; re-key it when no one else does. Nothing was changed".into(),
            });
        }
        let rekeyed = self.conn.execute_batch(&new.rekey_sql()).map_err(sql);
        let back = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(sql);
        rekeyed?;
        back?;
        self.data_key = new.clone();
        self.update_keyring(|k| {
            k.keyring.finish_rekey();
            if k.keyring.reseal_notice_key(&old, &new).is_err() {
                // A notice key left under a key from an interrupted
                // re-key: a new pair (unopened notices are reported).
                let fresh = Keyring::new(&k.keyring.case_id, k.keyring.demo, &new)?;
                k.keyring.notice_key = fresh.notice_key;
                k.keyring.notice_secret = fresh.notice_secret;
            }
            Ok(())
        })?;
        let names = |wanted: bool| -> Vec<String> {
            accounts
                .iter()
                .filter(|(_, _, status)| (status == "active") == wanted)
                .map(|(name, _, _)| name.clone())
                .collect()
        };
        let (sealed_to, left_out, key) = (names(true), names(false), new.fingerprint());
        let details = json!({
            "sealed_to": sealed_to,
            "left_out": left_out,
            "key": key,
        });
        let result = Done::Rekeyed {
            key,
            sealed_to,
            left_out,
        };
        self.record(actor, "casefile.rekey", details, result)
    }

    /// `ccu backup`: a consistent copy made with SQLite's online backup (a
    /// snapshot, while others go on writing), encrypted with the same key,
    /// with a copy of the keyring beside it; opened and checked in full
    /// before it is put in place at `out`, then audited here.
    pub fn backup(&mut self, actor: &Actor, out: &Path) -> Result<Executed> {
        self.permitted(actor, "casefile.backup", Action::BackUpCaseFile)?;
        let out_keys = keyring_path(out);
        for p in [out, out_keys.as_path()] {
            if p.exists() {
                return Err(Error::AlreadyExists { path: p.to_owned() });
            }
        }
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::store::private::create_dir_all(dir)?;
        }
        let tmp = temporary(out)?;
        let made = self.backup_to(&tmp);
        let made = made.and_then(|events| {
            std::fs::rename(keyring_path(&tmp), &out_keys).map_err(io(&out_keys))?;
            std::fs::rename(&tmp, out).map_err(io(out))?;
            Ok(events)
        });
        let events = match made {
            Ok(events) => events,
            Err(e) => {
                remove_all(&tmp);
                return Err(e);
            }
        };
        let key = self.data_key.fingerprint();
        let details = json!({
            "file": out.display().to_string(),
            "events": events,
            "key": key,
        });
        self.record(
            actor,
            "casefile.backup",
            details,
            Done::BackedUp { events, key },
        )
    }

    /// Writes the copy and its keyring at `tmp` and checks it; returns
    /// the number of events it holds.
    fn backup_to(&mut self, tmp: &Path) -> Result<i64> {
        keyring::private_options()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(io(tmp))?;
        {
            let mut dst = Connection::open_with_flags(
                tmp,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| sqlite_err(tmp, e))?;
            crate::store::apply_key(&dst, &self.data_key, tmp)?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut dst)
                .map_err(|e| sqlite_err(tmp, e))?;
            // One step copies every page under one read transaction: a
            // snapshot of one moment, however much others write meanwhile.
            backup.step(-1).map_err(|e| sqlite_err(tmp, e))?;
        }
        let mut keys = self.keyring()?;
        keys.path = keyring_path(tmp);
        keys.notices.clear();
        keyring::write_whole(&keys.path, &ring_text(&keys.keyring))?;
        let copy = CaseFile::open_keyed(
            tmp,
            &keys,
            vec![self.data_key.clone()],
            crate::store::system_clock(),
            Purpose::Check,
        )?;
        match copy.check()? {
            crate::store::CheckReport::Verified { events } => Ok(events),
            report => Err(Error::CheckFailed {
                path: tmp.to_owned(),
                report,
            }),
        }
    }

    /// `ccu encrypt`: encrypts a case file from an earlier ccu, which kept
    /// it in the clear. The administrator's password is checked against
    /// the file's own hash; the schema is brought up to date (dropping the
    /// hashes), the data key sealed to that administrator, and the
    /// encrypted copy renamed over the original. Other accounts have no
    /// key pair yet: an administrator sets each one's password again.
    pub fn encrypt(path: &Path, credentials: Credentials<'_>, clock: Clock) -> Result<Encrypted> {
        Self::encrypt_with_head(path, credentials, None, clock)
    }

    /// As [`CaseFile::encrypt`], sealing a head of unit in beside the
    /// administrator (their password checked against the file's own hash,
    /// as the administrator's is), so that someone can approve the password
    /// resets the other accounts need: an account is a head of unit if it
    /// is active and holds the supervisor role at Inspector rank or above.
    pub fn encrypt_with_head(
        path: &Path,
        credentials: Credentials<'_>,
        head: Option<Credentials<'_>>,
        clock: Clock,
    ) -> Result<Encrypted> {
        if !super::probe::is_plain_sqlite(path)? {
            CaseFile::locate(path)?;
            return Err(Error::Invalid(InvalidInput::new(
                "file",
                format!("{} is already encrypted", path.display()),
            )));
        }
        let vetted = vet::vet(path, None)?;
        if let Some(refusal) = vetted.refusal(path) {
            return Err(refusal);
        }
        let username = Username::parse(credentials.username).map_err(|_| Error::LoginFailed {
            username: credentials.username.chars().take(64).collect(),
        })?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sqlite_err(path, e))?;
        crate::store::configure(&mut conn, path)?;
        // Checked before anything is written: a wrong password leaves the
        // file as it was.
        let stored: Option<(i64, String, String)> = conn
            .query_row(
                "SELECT id, password_hash, status FROM user_account WHERE username = ?1",
                [username.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        let admin = match stored {
            Some((id, hash, status))
                if write::password_matches(&hash, credentials.password) && status == "active" =>
            {
                id
            }
            _ => {
                return Err(Error::LoginFailed {
                    username: username.to_string(),
                });
            }
        };
        // The head of unit, checked the same way before anything is written.
        let head = match head {
            None => None,
            Some(creds) => {
                let name = Username::parse(creds.username).map_err(|_| Error::LoginFailed {
                    username: creds.username.chars().take(64).collect(),
                })?;
                let found: Option<(i64, String, String, String)> = conn
                    .query_row(
                        "SELECT id, password_hash, status, rank FROM user_account WHERE username = ?1",
                        [name.as_str()],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .ok();
                let (id, rank) = match found {
                    Some((id, hash, status, rank))
                        if write::password_matches(&hash, creds.password)
                            && status == "active"
                            && id != admin =>
                    {
                        (id, rank)
                    }
                    _ => {
                        return Err(Error::LoginFailed {
                            username: name.to_string(),
                        });
                    }
                };
                let roles: Option<String> = conn
                    .query_row(
                        "SELECT group_concat(role, ',') FROM user_role WHERE user_id = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .map_err(|e| sqlite_err(path, e))?;
                if !accounts::is_head(&accounts::parse_roles(roles.as_deref()), &rank) {
                    return Err(Error::Invalid(InvalidInput::new(
                        "head",
                        format!(
                            "{name} is not a head of unit: a head of unit holds the supervisor role at Inspector rank or above"
                        ),
                    )));
                }
                Some((id, name, creds.password))
            }
        };
        let is_admin: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM user_role WHERE user_id = ?1 AND role = 'administrator'",
                [admin],
                |r| r.get(0),
            )
            .map_err(|e| sqlite_err(path, e))?;
        if !is_admin {
            return Err(Error::Denied {
                username: username.to_string(),
                roles: "not an administrator".into(),
                what: "encrypt the case file".into(),
            });
        }
        let from = crate::store::schema::version(&conn, path)?;
        crate::store::schema::migrate(&mut conn, path)?;
        crate::store::trail::install_capture(&conn).map_err(|e| sqlite_err(path, e))?;
        let id: String = conn
            .query_row("SELECT id FROM casefile", [], |r| r.get(0))
            .map_err(|e| sqlite_err(path, e))?;
        let data_key = DataKey::generate()?;
        let demo = super::settings::demo_marked(&conn).map_err(|e| sqlite_err(path, e))?;
        let mut ring = Keyring::new(&id, demo, &data_key)?;
        let entry = ring.new_entry(username.as_str(), credentials.password, &data_key)?;
        let public_key = entry.public_key.clone();
        ring.put(entry);
        let head = match head {
            Some((id, name, password)) => {
                let entry = ring.new_entry(name.as_str(), password, &data_key)?;
                let key = entry.public_key.clone();
                ring.put(entry);
                Some((id, name, key))
            }
            None => None,
        };
        let mut casefile = CaseFile {
            conn,
            path: path.to_owned(),
            id,
            clock,
            data_key: data_key.clone(),
            account_checked: Default::default(),
        };
        if from < LATEST_VERSION {
            casefile.record_upgrade(from)?;
        }
        casefile.ensure_signing_key()?;
        let awaiting = casefile.seal_in_first(admin, &username, &public_key, head.as_ref())?;
        // The encrypted copy, made whole beside the original.
        let tmp = temporary(path)?;
        let exported = casefile.export_encrypted(&tmp);
        drop(casefile);
        let done = exported.and_then(|_| {
            keyring::write_whole(&keyring_path(path), &ring_text(&ring))?;
            for suffix in ["-wal", "-shm"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
            std::fs::rename(&tmp, path).map_err(io(path))
        });
        if let Err(e) = done {
            remove_all(&tmp);
            return Err(e);
        }
        Ok(Encrypted {
            sealed_to: username.to_string(),
            head: head.map(|(_, name, _)| name.to_string()),
            awaiting,
        })
    }

    /// Records the administrator's public key and the encryption; returns
    /// the other active accounts, which have none yet.
    fn seal_in_first(
        &mut self,
        admin: i64,
        username: &Username,
        public_key: &str,
        head: Option<&(i64, Username, String)>,
    ) -> Result<Vec<String>> {
        let at = self.now();
        let path = self.path.clone();
        let sql = |e| sqlite_err(&path, e);
        let awaiting: Vec<String> = self
            .conn
            .prepare(
                "SELECT username FROM user_account
                 WHERE status = 'active' AND id != ?1 AND id != ?2 ORDER BY username",
            )
            .and_then(|mut s| {
                s.query_map([admin, head.map_or(admin, |h| h.0)], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(sql)?;
        let roles = RoleSet::new([Role::Administrator]).expect("one role is valid");
        let tx = self.conn.transaction().map_err(sql)?;
        accounts::set_public_key(&tx, admin, public_key, None).map_err(sql)?;
        if let Some((id, _, key)) = head {
            accounts::set_public_key(&tx, *id, key, None).map_err(sql)?;
        }
        let mut sealed_to = vec![username.as_str()];
        sealed_to.extend(head.map(|h| h.1.as_str()));
        append(
            &tx,
            &self.id,
            NewEvent {
                at: &at,
                actor: username.as_str(),
                actor_roles: &roles.to_string(),
                action: "casefile.encrypt",
                entity_type: "casefile",
                entity_ref: &self.id,
                outcome: "ok",
                details: json!({
                    "sealed_to": sealed_to,
                    "awaiting_new_password": awaiting,
                }),
            },
        )
        .and_then(|_| commit(tx))
        .map_err(sql)?;
        Ok(awaiting)
    }

    /// Copies this (clear) file into a new encrypted one at `tmp`.
    fn export_encrypted(&mut self, tmp: &Path) -> Result<()> {
        let path = self.path.clone();
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| sqlite_err(&path, e))?;
        keyring::private_options()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(io(tmp))?;
        let dst = Connection::open_with_flags(
            tmp,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sqlite_err(tmp, e))?;
        crate::store::apply_key(&dst, &self.data_key, tmp)?;
        let sql = |e| sqlite_err(tmp, e);
        dst.execute(
            "ATTACH DATABASE ?1 AS clear KEY ''",
            params![path.to_string_lossy()],
        )
        .map_err(sql)?;
        dst.query_row("SELECT sqlcipher_export('main', 'clear')", [], |_| Ok(()))
            .map_err(sql)?;
        let (version, app): (i64, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version),
                        (SELECT application_id FROM pragma_application_id)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| sqlite_err(&path, e))?;
        dst.execute_batch(&format!(
            "DETACH DATABASE clear;
             PRAGMA main.user_version = {version};
             PRAGMA main.application_id = {app};
             PRAGMA main.journal_mode = WAL;"
        ))
        .map_err(sql)?;
        Ok(())
    }
}

/// The keyring document as written to a new file (no notices).
fn ring_text(ring: &Keyring) -> Vec<u8> {
    let mut text = serde_json::to_string(ring).expect("plain data serialises");
    text.push('\n');
    text.into_bytes()
}
