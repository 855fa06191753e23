//! The case file: opening and creating it, its schema, and the one audited
//! write path ([`CaseFile::execute`]).

mod access;
mod accounts;
mod casework;
mod command;
mod covert;
mod file;
mod plumbing;
mod schema;
mod trail;
mod visibility;
mod write;

include!(concat!(env!("OUT_DIR"), "/register_modules.rs"));

use file::{keyring, probe, settings, staging, vet, wal};
use trail::{check, export, keys, ledger, tree};

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use zeroize::Zeroizing;

use crate::exit::ExitCode;

pub use access::{
    AccessRequest, EXPIRY_HOURS, OneTimePassword, RequestKind, RequestOpened, RequestStatus,
};
pub use accounts::{Account, AccountStatus, PendingRequest};
pub use casework::intelligence::{
    ImportReport, IntelligenceRecord, IntelligenceRow, SHARED_REFERENCES_SHOWN, SharedReference,
    TriageEntry,
};
pub use casework::lists::{
    DASHBOARD_WEEKS, Dashboard, IntelligenceColumn, ListQuery, OperationColumn, SubjectColumn,
};
pub use casework::operations::{
    DecisionEntry, LessonsLearned, Member, OperationRecord, OperationRow,
};
pub use casework::search::{SearchHit, SearchKind};
pub use casework::subjects::{Consultations, HistoryEntry, SubjectRecord, SubjectRow};
pub use command::{Command, Registered, Viewed};
pub use covert::authorisations::{
    AuthorisationRecord, CENTRAL_RECORD_COLUMNS, CancellationEntry, CentralRecordEntry, Drafting,
    Grounds, RenewalEntry, ReviewEntry, TACTICS_NOT_KEPT, TacticEntry, ThresholdState,
    central_record_csv,
};
pub use covert::bids::{BidDecisionRow, BidLineRow, BidRecord, BidRow, ResourceType, WeekLoad};
pub use covert::diary::{
    DueItem, DueKind, LESSONS_DUE_DAYS, MOST_DAYS_AHEAD, QUIET_OPERATION_DAYS,
};
pub use covert::drift::{DriftAcknowledgement, DriftWarning};
pub use covert::queue::{Awaiting, AwaitingAuthorisation, REVIEW_DUE_WITHIN_DAYS};
pub use covert::referrals::ReferralRow;
pub use covert::thresholds::{
    PendingThreshold, ThresholdDecisionEntry, ThresholdEntry, ThresholdHistory,
};
pub use file::custody::Encrypted;
pub use file::keyring::{CIPHER_SETTINGS, DataKey, KeyringFile, keyring_path};
pub use file::probe::CCU_APPLICATION_ID;
pub use plumbing::Page;
pub use schema::{LATEST_VERSION, migrations};
pub use trail::audit_view::{AuditQuery, AuditRow, ChainCursor, ChainProgress};
pub use trail::check::{CheckReport, TailCheck};
pub use trail::export::ExportRequest;
pub use trail::ledger::Integrity;
pub use visibility::Viewer;
pub use write::{Actor, Credentials, Done, Executed, LoginHistory};

use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, NewPassword, Rank, Username};
use crate::domain::role::RoleSet;

/// The time source. Injected so that tests and screens run at a fixed time.
pub type Clock = Box<dyn Fn() -> DateTime<Utc> + Send>;

pub fn system_clock() -> Clock {
    Box::new(Utc::now)
}

/// How timestamps are stored: UTC, RFC 3339, microseconds, `Z`.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{}: no case file here. Create one with `ccu init --file {} --admin NAME --head NAME --head-rank RANK`, or point to the right file with --file or CCU_FILE",
        .path.display(), .path.display()
    )]
    NotFound { path: PathBuf },

    #[error("{}: is a directory, not a case file; give the path of the file itself", .path.display())]
    IsDirectory { path: PathBuf },

    #[error(
        "{}: is not a ccu case file: {detail}. Check the path; ccu has left the file as it was",
        .path.display()
    )]
    NotSqlite { path: PathBuf, detail: String },

    #[error(
        "{}: is an SQLite database, but not a ccu case file (its application id is {found:#010x}, a case file's is {CCU_APPLICATION_ID:#010x}). Check the path; ccu has left the file as it was",
        .path.display()
    )]
    NotCaseFile { path: PathBuf, found: u32 },

    #[error(
        "{}: was written by a newer version of ccu (case-file schema version {found}; this ccu reads up to version {supported}). Open it with that newer ccu; this one has left the file as it was",
        .path.display()
    )]
    NewerVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },

    #[error(
        "{}: already exists; `ccu init` never overwrites a file. Choose another path with --file, or open the existing case file",
        .path.display()
    )]
    AlreadyExists { path: PathBuf },

    #[error(
        "{}: the write-ahead log beside it, {}, does not belong to it: {detail}. SQLite would have written it into the case file; ccu has opened neither and left both as they were. Move the log away (it may have come from another case file or a copy), then open the case file again",
        .path.display(), .wal.display()
    )]
    ForeignWal {
        path: PathBuf,
        wal: PathBuf,
        detail: String,
    },

    #[error(
        "{}: another `ccu init` is making this case file now; wait for it to finish",
        .path.display()
    )]
    InitInProgress { path: PathBuf },

    #[error(
        "{}: is a case file, but not a demo one; ccu opens as a demo only a file it made and filled with fictional data for the purpose. Choose a new path for the demo; ccu has left this file as it was",
        .path.display()
    )]
    NotDemo { path: PathBuf },

    #[error("{0}")]
    Invalid(#[from] InvalidInput),

    #[error("there is no {what} '{reference}' that you may see")]
    NoSuch {
        what: &'static str,
        reference: String,
    },

    #[error(
        "login failed for '{username}': unknown user, wrong password, a disabled account, or an account whose access a head of unit has not yet approved"
    )]
    LoginFailed { username: String },

    #[error(
        "'{username}' logged in with a one-time password an administrator set: choose a new one before anything else (`ccu user passwd --as {username}`)"
    )]
    PasswordChangeRequired { username: String },

    #[error(
        "login refused for '{username}': too many failed attempts in a row. Try again after {until} UTC (in {seconds} s); the password was not checked"
    )]
    Throttled {
        username: String,
        until: String,
        seconds: i64,
    },

    #[error("permission denied: {username} ({roles}) may not {what}")]
    Denied {
        username: String,
        roles: String,
        what: String,
    },

    #[error(
        "{}: another write held the case file for {} minutes, and ccu gave up waiting; nothing was written. Try again when it has finished",
        .path.display(), LOCK_WAIT.as_secs() / 60
    )]
    Busy { path: PathBuf },

    #[error("{}: {source}", .path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: could not bring the schema up to date: {detail}", .path.display())]
    Migration { path: PathBuf, detail: String },

    #[error(
        "{}: is damaged: {detail}. ccu will not open it, and has left it as it was; restore it from a backup",
        .path.display()
    )]
    Damaged { path: PathBuf, detail: String },

    #[error(
        "{}: carries a ccu case file's application id, but is not a ccu case file: {detail}. Check the path; ccu has left the file as it was",
        .path.display()
    )]
    NotCcuSchema { path: PathBuf, detail: String },

    #[error(
        "{}: the case file's schema was altered outside ccu ({detail}). ccu will not write to it, and has left it as it was; `ccu check` says what else is wrong",
        .path.display()
    )]
    SchemaAltered { path: PathBuf, detail: String },

    #[error(
        "{}: {problem}. Nothing was saved; `ccu check` says what else is wrong",
        .path.display()
    )]
    Integrity { path: PathBuf, problem: Integrity },

    /// `ccu audit export` and `ccu audit checkpoint` sign nothing over a
    /// case file that does not verify; the message is `ccu check`'s.
    #[error("check failed: {}", .report.describe(.path).unwrap_or_default())]
    CheckFailed { path: PathBuf, report: CheckReport },

    #[error(
        "{}: is a case file from an earlier ccu that is not encrypted yet. An administrator encrypts it with `ccu encrypt --file {} --as ADMIN` (docs/security.md); ccu has left the file as it was",
        .path.display(), .path.display()
    )]
    Unencrypted { path: PathBuf },

    #[error(
        "{}: is a demo case file from an earlier ccu, which kept it unencrypted. Its data is invented: delete it (with any {}-wal beside it) and run `ccu demo` again for a new one; ccu has left it as it was",
        .path.display(), .path.display()
    )]
    OldDemo { path: PathBuf },

    #[error(
        "{}: the case file's keyring is damaged: {detail}. ccu has left it and the case file as they were; restore both from a backup",
        .path.display()
    )]
    KeyringDamaged { path: PathBuf, detail: String },

    #[error("{done}, but the keyring was not updated: {source}")]
    KeyringNotUpdated {
        done: String,
        #[source]
        source: Box<Error>,
    },

    #[error("{}: {what}", .path.display())]
    InUse { path: PathBuf, what: String },

    #[error("password hashing failed: {0}")]
    PasswordHash(String),

    #[error("could not get random bytes from the operating system: {0}")]
    Random(String),
}

impl Error {
    fn throttled(username: String, until: DateTime<Utc>, now: DateTime<Utc>) -> Error {
        Error::Throttled {
            username,
            until: until.format("%Y-%m-%d %H:%M:%S").to_string(),
            seconds: (until - now).num_seconds().max(1),
        }
    }

    /// The process exit code for this error (docs/cli.md lists them).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::NotFound { .. }
            | Error::IsDirectory { .. }
            | Error::NotSqlite { .. }
            | Error::NotCaseFile { .. }
            | Error::NewerVersion { .. }
            | Error::AlreadyExists { .. }
            | Error::InitInProgress { .. }
            | Error::ForeignWal { .. }
            | Error::NotDemo { .. }
            | Error::Damaged { .. }
            | Error::Unencrypted { .. }
            | Error::OldDemo { .. }
            | Error::KeyringDamaged { .. }
            | Error::NotCcuSchema { .. } => ExitCode::FileRefused,
            Error::SchemaAltered { .. } => ExitCode::RowsAltered,
            Error::Integrity { problem, .. } => match problem {
                Integrity::TailBroken(_) | Integrity::Tree(_) => ExitCode::CheckFailed,
                Integrity::RowAltered { .. } => ExitCode::RowsAltered,
                Integrity::Unaudited { .. } => ExitCode::Failure,
            },
            Error::CheckFailed { report, .. } => report.exit_code(),
            Error::LoginFailed { .. }
            | Error::Throttled { .. }
            | Error::Denied { .. }
            | Error::PasswordChangeRequired { .. } => ExitCode::Refused,
            Error::Invalid(_) | Error::NoSuch { .. } => ExitCode::Invalid,
            Error::KeyringNotUpdated { source, .. } => source.exit_code(),
            Error::Sqlite { .. }
            | Error::Busy { .. }
            | Error::InUse { .. }
            | Error::Io { .. }
            | Error::Migration { .. }
            | Error::PasswordHash(_)
            | Error::Random(_) => ExitCode::Failure,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An open case file: unlocked with its data key, someone logged in.
pub struct CaseFile {
    conn: Connection,
    path: PathBuf,
    id: String,
    clock: Clock,
    data_key: DataKey,
    /// The account whose rows, roles and team memberships were last found
    /// as the trail committed them, and the file's `PRAGMA data_version`
    /// then: until another connection commits, they cannot have changed
    /// (see `write::load_actor`).
    account_checked: std::cell::Cell<Option<(i64, i64)>>,
}

/// The newest event that changed a row: read off the end of the
/// `audit_row_by_seq` index (tests/scale_plans.rs holds it to that).
pub const LAST_CHANGE: &str = "SELECT COALESCE(MAX(seq), 0) FROM audit_row";

/// Where a case file's content stood when last looked at (see
/// [`CaseFile::change_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeMark {
    version: i64,
    last_change: i64,
}

/// The first account of a new case file; it is always an administrator.
pub struct FirstAdministrator {
    pub username: Username,
    pub display_name: DisplayName,
    pub rank: Rank,
    pub password: NewPassword,
}

/// The head of unit, recorded with a new case file (docs/cli.md, "The
/// head of unit"): the supervisor role at Inspector rank or above, who
/// approves the access an administrator asks for. They type their own
/// password, so the administrator never knows it.
pub struct HeadOfUnit {
    pub username: Username,
    pub display_name: DisplayName,
    pub rank: Rank,
    pub password: NewPassword,
}

impl HeadOfUnit {
    /// Refuses a head below Inspector rank, or one who is the administrator.
    pub fn check(&self, admin: &Username) -> std::result::Result<(), InvalidInput> {
        Self::check_parts(&self.username, self.rank, admin)
    }

    /// [`HeadOfUnit::check`], before a password is asked for.
    pub fn check_parts(
        username: &Username,
        rank: Rank,
        admin: &Username,
    ) -> std::result::Result<(), InvalidInput> {
        if rank < Rank::Inspector {
            return Err(InvalidInput::new(
                "head rank",
                format!(
                    "the head of unit approves access and must hold Inspector rank or above, not {rank}"
                ),
            ));
        }
        if username == admin {
            return Err(InvalidInput::new(
                "head",
                "the head of unit and the administrator must be two people with two accounts",
            ));
        }
        Ok(())
    }
}

/// A case file found and recognised, not yet unlocked: its keyring has
/// been read, the file itself not opened. Unlocking takes a password.
pub struct Locked {
    path: PathBuf,
    keys: KeyringFile,
    warnings: Vec<String>,
}

/// What a file opened with its key is for.
#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    /// Casework: upgraded if older, written to.
    Work,
    /// Only a demonstration file.
    Demo,
    /// `ccu check`: opened as it is, never written to.
    Check,
}

impl CaseFile {
    /// Finds the case file at `path` and recognises it without unlocking
    /// it: a missing path, a folder, a file that is no case file, one made
    /// by a newer ccu, one cut short or with a damaged keyring, and an
    /// unencrypted one from an earlier ccu are refused, and nothing is
    /// written, locked or created.
    pub fn locate(path: &Path) -> Result<Locked> {
        let meta = probe::file_metadata(path)?;
        if meta.len() == 0 {
            return Err(Error::NotSqlite {
                path: path.to_owned(),
                detail: "the file is empty".into(),
            });
        }
        if probe::is_plain_sqlite(path)? {
            // An SQLite file in the clear: refused as not a case file, as
            // newer, as damaged, or (a case file) as not yet encrypted.
            vet::vet(path, None)?;
            return Err(Error::Unencrypted {
                path: path.to_owned(),
            });
        }
        let keys = KeyringFile::read(path)?.ok_or_else(|| Error::NotSqlite {
            path: path.to_owned(),
            detail: format!(
                "it is not an SQLite database, and no keyring ({}) lies beside it to make it an encrypted case file",
                keyring_path(path).display()
            ),
        })?;
        if keys.keyring.schema_version > LATEST_VERSION {
            return Err(Error::NewerVersion {
                path: path.to_owned(),
                found: keys.keyring.schema_version,
                supported: LATEST_VERSION,
            });
        }
        if meta.len() % keyring::CIPHER_PAGE_SIZE != 0 {
            return Err(Error::Damaged {
                path: path.to_owned(),
                detail: format!(
                    "it is {} bytes long, not a whole number of {}-byte pages: it was cut short",
                    meta.len(),
                    keyring::CIPHER_PAGE_SIZE
                ),
            });
        }
        let mut warnings = Vec::new();
        for p in [path.to_owned(), keys.path.clone()] {
            if let Some(w) = private::warning(&p) {
                warnings.push(w);
            }
        }
        Ok(Locked {
            path: path.to_owned(),
            keys,
            warnings,
        })
    }

    /// Unlocks and opens the case file at `path` as `credentials`, with
    /// the system clock: [`CaseFile::locate`], then [`Locked::unlock`].
    pub fn open(path: &Path, credentials: Credentials<'_>) -> Result<(CaseFile, Actor)> {
        Self::locate(path)?.unlock(credentials, system_clock())
    }

    /// Creates a new case file with its first administrator: encrypted
    /// with a new random data key, sealed to the administrator in a new
    /// keyring beside it. Refuses to touch an existing file. If anything
    /// fails, nothing is left behind.
    pub fn create(
        path: &Path,
        admin: FirstAdministrator,
        head: HeadOfUnit,
        clock: Clock,
    ) -> Result<CaseFile> {
        Self::create_marked(path, admin, head, clock, false)
    }

    pub(crate) fn create_marked(
        path: &Path,
        admin: FirstAdministrator,
        head: HeadOfUnit,
        clock: Clock,
        demo: bool,
    ) -> Result<CaseFile> {
        Self::create_staged(path, admin, head, clock, demo, Ok)
    }

    /// Makes a case file at `path` under a hidden name beside it, lets
    /// `fill` write to it (the demo's story), and only then puts it and
    /// its keyring in place ([`staging`]): killed or failing at any point
    /// before, it leaves no case file and no keyring at `path`.
    pub(crate) fn create_staged(
        path: &Path,
        admin: FirstAdministrator,
        head: HeadOfUnit,
        clock: Clock,
        demo: bool,
        fill: impl FnOnce(CaseFile) -> Result<CaseFile>,
    ) -> Result<CaseFile> {
        head.check(&admin.username)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private::create_dir_all(dir)?;
        }
        let staged = staging::Staged::claim(path)?;
        let data_key = DataKey::generate()?;
        let made = Self::initialise_with(&staged.path, admin, head, clock, demo, data_key.clone())?;
        let made = fill(made)?;
        let id = made.id.clone();
        let clock = made.close_for_move()?;
        staged.publish()?;
        let casefile = Self::open_vetted(path, data_key, clock, demo, true)?;
        if casefile.id != id {
            return Err(Error::Damaged {
                path: path.to_owned(),
                detail: "the file put in place is not the one just made".into(),
            });
        }
        Ok(casefile)
    }

    /// Closes a case file so that it may be moved: its WAL checkpointed
    /// into it and removed. Gives back its clock.
    fn close_for_move(self) -> Result<Clock> {
        let CaseFile {
            conn, path, clock, ..
        } = self;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| sqlite_err(&path, e))
        .and_then(|busy| {
            if busy == 0 {
                Ok(())
            } else {
                Err(Error::Io {
                    path: path.clone(),
                    source: std::io::Error::other("its log could not be written into it"),
                })
            }
        })?;
        conn.close().map_err(|(_, e)| sqlite_err(&path, e))?;
        Ok(clock)
    }

    fn initialise_with(
        path: &Path,
        admin: FirstAdministrator,
        head: HeadOfUnit,
        clock: Clock,
        demo: bool,
        data_key: DataKey,
    ) -> Result<CaseFile> {
        let mut id_bytes = [0u8; 16];
        getrandom::fill(&mut id_bytes).map_err(|e| Error::Random(e.to_string()))?;
        let id = hex::encode(id_bytes);
        let mut keyring = keyring::Keyring::new(&id, demo, &data_key)?;
        let entry =
            keyring.new_entry(admin.username.as_str(), admin.password.expose(), &data_key)?;
        let public_key = entry.public_key.clone();
        keyring.put(entry);
        let head_entry =
            keyring.new_entry(head.username.as_str(), head.password.expose(), &data_key)?;
        let head_key = head_entry.public_key.clone();
        keyring.put(head_entry);

        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| sqlite_err(path, source))?;
        apply_key(&conn, &data_key, path)?;
        configure(&mut conn, path)?;
        schema::migrate(&mut conn, path)?;
        ledger::install_capture(&conn).map_err(|e| sqlite_err(path, e))?;
        let mut casefile = CaseFile {
            conn,
            path: path.to_owned(),
            id,
            clock,
            data_key,
            account_checked: Default::default(),
        };
        casefile.record_init(admin, public_key, head, head_key)?;
        KeyringFile::create(keyring_path(path), keyring)?;
        Ok(casefile)
    }

    /// Opens a file whose key has been unsealed: the first of `keys` that
    /// opens it (two during a re-key), vetted through it.
    fn open_keyed(
        path: &Path,
        keys: &KeyringFile,
        data_keys: Vec<DataKey>,
        clock: Clock,
        purpose: Purpose,
    ) -> Result<CaseFile> {
        // Before SQLite sees the file: it would replay any log beside it.
        wal::check_any(path, &data_keys)?;
        let mut found = None;
        for key in data_keys {
            if vet::opens_with(path, &key)? {
                found = Some(key);
                break;
            }
        }
        let data_key = found.ok_or_else(|| Error::Damaged {
            path: path.to_owned(),
            detail: "it does not open with the key its keyring holds (the file is damaged, or the keyring beside it belongs to another case file)".into(),
        })?;
        let vetted = vet::vet(path, Some(&data_key))?;
        let writes = match purpose {
            Purpose::Check => {
                let tolerated = vetted.version == LATEST_VERSION;
                if !tolerated && let Some(refusal) = vetted.refusal(path) {
                    return Err(refusal);
                }
                false
            }
            Purpose::Work | Purpose::Demo => {
                if let Some(refusal) = vetted.refusal(path) {
                    return Err(refusal);
                }
                true
            }
        };
        let casefile = Self::open_vetted(
            path,
            data_key,
            clock,
            purpose == Purpose::Demo,
            writes && vetted.refusal(path).is_none(),
        )?;
        if casefile.id != keys.keyring.case_id {
            return Err(Error::KeyringDamaged {
                path: keys.path.clone(),
                detail: "it belongs to another case file (the ids differ)".into(),
            });
        }
        Ok(casefile)
    }

    /// Opens a vetted file; `writes`: it may be upgraded and written to.
    fn open_vetted(
        path: &Path,
        data_key: DataKey,
        clock: Clock,
        demo_only: bool,
        writes: bool,
    ) -> Result<CaseFile> {
        wal::check(path, &data_key)?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| sqlite_err(path, source))?;
        // The key before the first read.
        apply_key(&conn, &data_key, path)?;
        configure(&mut conn, path)?;
        // The header can lag behind a WAL that was not checkpointed, so the
        // version is checked again now that SQLite sees the whole file.
        probe::check_pragmas(&conn, path)?;
        if demo_only && !settings::demo_marked(&conn).map_err(|e| sqlite_err(path, e))? {
            return Err(Error::NotDemo {
                path: path.to_owned(),
            });
        }
        let from = schema::version(&conn, path)?;
        // A file opened only to be checked gets no notes of what is
        // written, so any write through it fails before it commits.
        if writes {
            schema::migrate(&mut conn, path)?;
            ledger::install_capture(&conn).map_err(|e| sqlite_err(path, e))?;
        }
        let id: String = conn
            .query_row("SELECT id FROM casefile", [], |r| r.get(0))
            .map_err(|source| sqlite_err(path, source))?;
        let mut casefile = CaseFile {
            conn,
            path: path.to_owned(),
            id,
            clock,
            data_key,
            account_checked: Default::default(),
        };
        if writes {
            if from < LATEST_VERSION {
                casefile.record_upgrade(from)?;
                casefile.update_keyring(|k| {
                    k.keyring.schema_version = LATEST_VERSION;
                    Ok(())
                })?;
            }
            casefile.ensure_signing_key()?;
        }
        Ok(casefile)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the case file's content stands, cheaply, for telling whether
    /// another session changed it: SQLite's `PRAGMA data_version` (which
    /// moves only when another connection commits, and costs no read of the
    /// file) and the newest event that changed a row (a lookup at the end
    /// of the `audit_row_by_seq` index, however long the trail). A
    /// consultation (`view`) or a refused attempt changes no row, so a
    /// session that reads does not make the others reload.
    pub fn change_mark(&self) -> Result<ChangeMark> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| sqlite_err(&self.path, e))?;
        let last_change = self.last_change()?;
        Ok(ChangeMark {
            version,
            last_change,
        })
    }

    /// As [`CaseFile::change_mark`], but the index is read only if another
    /// connection committed since `seen`: what a session asks on every
    /// tick. `true`: another session changed a row since `seen`, which is
    /// moved on to now.
    pub fn changed_since(&self, seen: &mut ChangeMark) -> Result<bool> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| sqlite_err(&self.path, e))?;
        if version == seen.version {
            return Ok(false);
        }
        let last_change = self.last_change()?;
        let changed = last_change > seen.last_change;
        *seen = ChangeMark {
            version,
            last_change,
        };
        Ok(changed)
    }

    fn last_change(&self) -> Result<i64> {
        self.conn
            .query_row(LAST_CHANGE, [], |r| r.get(0))
            .map_err(|e| sqlite_err(&self.path, e))
    }

    /// The case file's own random id, fixed at init.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn now(&self) -> String {
        format_timestamp((self.clock)())
    }

    /// The time by the case file's clock (injected, so tests are fixed).
    pub fn current_time(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    fn sqlite_err(&self, source: rusqlite::Error) -> Error {
        sqlite_err(&self.path, source)
    }
}

fn sqlite_err(path: &Path, source: rusqlite::Error) -> Error {
    // The write path raises integrity refusals from inside a transaction
    // as SQLite user errors (ledger::raise); they surface here.
    if let rusqlite::Error::UserFunctionError(inner) = &source
        && let Some(problem) = inner.downcast_ref::<Integrity>()
    {
        return Error::Integrity {
            path: path.to_owned(),
            problem: problem.clone(),
        };
    }
    // SQLite's own word for a damaged file is a refusal of the file (exit
    // 3), not an unexpected failure.
    if let Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) =
        source.sqlite_error_code()
    {
        return Error::Damaged {
            path: path.to_owned(),
            detail: source.to_string(),
        };
    }
    if let Some(rusqlite::ErrorCode::DatabaseBusy) = source.sqlite_error_code() {
        return Error::Busy {
            path: path.to_owned(),
        };
    }
    Error::Sqlite {
        path: path.to_owned(),
        source,
    }
}

/// How long a command waits for another's write to finish before it
/// gives up: longer than the longest write ccu makes in use (an import of
/// a large CSV, in one transaction), so no one is turned away while
/// another works.
pub const LOCK_WAIT: Duration = Duration::from_secs(300);

/// How long a wait for the lock goes unremarked: after this, the notice
/// set with [`on_lock_wait`] is given, once a wait.
const NOTICE_AFTER: Duration = Duration::from_millis(300);

static LOCK_NOTICE: std::sync::RwLock<Option<fn()>> = std::sync::RwLock::new(None);

/// Sets what to do when a command has waited a moment for another's write
/// to finish: the command line says so on standard error, the terminal
/// application on its status line.
pub fn on_lock_wait(notice: fn()) {
    *LOCK_NOTICE.write().unwrap_or_else(|e| e.into_inner()) = Some(notice);
}

thread_local! {
    /// When the current wait for the lock began, and whether it has
    /// been remarked on.
    static WAITING: std::cell::Cell<(Option<std::time::Instant>, bool)> =
        const { std::cell::Cell::new((None, false)) };
}

/// SQLite's busy handler for every case file connection: called while
/// another connection holds the lock, with how many times it has been
/// called in this wait. It sleeps a little and asks for another try until
/// [`LOCK_WAIT`] has passed, and gives the notice once.
fn wait_for_lock(count: i32) -> bool {
    WAITING.with(|waiting| {
        let now = std::time::Instant::now();
        let (began, remarked) = match waiting.get() {
            (Some(began), remarked) if count > 0 => (began, remarked),
            _ => (now, false),
        };
        let waited = now.duration_since(began);
        if waited >= LOCK_WAIT {
            waiting.set((None, false));
            return false;
        }
        let mut remarked = remarked;
        if !remarked && waited >= NOTICE_AFTER {
            remarked = true;
            if let Some(notice) = *LOCK_NOTICE.read().unwrap_or_else(|e| e.into_inner()) {
                notice();
            }
        }
        waiting.set((Some(began), remarked));
        std::thread::sleep(Duration::from_millis(match count {
            0..=4 => 1,
            5..=20 => 5,
            _ => 25,
        }));
        true
    })
}

/// Connection settings every case file is used with.
fn configure(conn: &mut Connection, path: &Path) -> Result<()> {
    conn.busy_handler(Some(wait_for_lock))
        .map_err(|e| sqlite_err(path, e))?;
    // The write path keeps a few dozen statements (the row commitments',
    // one per table among them); the default cache of 16 would re-prepare
    // them on every write.
    conn.set_prepared_statement_cache_capacity(256);
    // Every page SQLCipher reads from disk is decrypted and its HMAC
    // checked; a page in SQLite's cache is not. 32 MiB (the default is
    // 2 MiB) keeps the write path's indexes there; `check` takes more.
    conn.pragma_update(None, "cache_size", -32_768)
        .map_err(|e| sqlite_err(path, e))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;",
    )
    .map_err(|e| sqlite_err(path, e))?;
    // Every transaction, including the migrations', takes the write lock
    // at BEGIN so two writers never interleave.
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    Ok(())
}

/// Whether an unencrypted case file from an earlier ccu is marked as a
/// demo, read without changing it.
pub fn plain_demo_marked(path: &Path) -> bool {
    let uri = format!("file:{}?mode=ro&immutable=1", vet::uri_path(path));
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .and_then(|conn| settings::demo_marked(&conn))
    .unwrap_or(false)
}

/// Applies the data key to a connection, before anything reads.
fn apply_key(conn: &Connection, key: &DataKey, path: &Path) -> Result<()> {
    quiet(conn, path)?;
    if !key.applied() {
        return Ok(());
    }
    conn.execute_batch(&key.unlock_sql())
        .map_err(|e| sqlite_err(path, e))
}

/// SQLCipher logs a page that does not decrypt to standard error; ccu
/// reports that itself (trying the key of an interrupted re-key, say).
fn quiet(conn: &Connection, path: &Path) -> Result<()> {
    conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(()),
            e => Err(e),
        })
        .map_err(|e| sqlite_err(path, e))
}

/// For `cargo bench` only: the same case file and the same code paths, but
/// with no key applied, so that the cost of encryption can be measured in
/// the same run. ccu itself never makes or opens such a file (a plain one is
/// refused as unencrypted); nothing but the benchmarks calls these.
#[doc(hidden)]
pub mod bench {
    use super::*;

    /// [`CaseFile::create`], unencrypted.
    pub fn create_unencrypted(
        path: &Path,
        admin: FirstAdministrator,
        head: HeadOfUnit,
        clock: Clock,
    ) -> Result<CaseFile> {
        keyring::private_options()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })?;
        CaseFile::initialise_with(
            path,
            admin,
            head,
            clock,
            false,
            DataKey::generate()?.unapplied(),
        )
    }

    /// Stores the Merkle subtrees of events a benchmark appended straight
    /// into `audit_event`, as the write path would have.
    pub fn catch_up_tree(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        tree::catch_up(conn)
    }

    /// The head of unit the benchmarks make their files with.
    pub const HEAD: &str = "head";

    pub fn head(password: &str) -> HeadOfUnit {
        let username = Username::parse(HEAD).expect("a valid username");
        HeadOfUnit {
            display_name: DisplayName::parse("DI Bench Head").expect("a valid name"),
            rank: Rank::Inspector,
            password: NewPassword::parse(password.to_owned(), &username)
                .expect("the benchmarks' password meets the policy"),
            username,
        }
    }

    /// Adds an account as the unit does (through the write path): the
    /// administrator asks, the head of unit (password `head_password`)
    /// approves, and the account replaces its one-time password with
    /// `password` at its first login.
    pub fn add_account(
        cf: &mut CaseFile,
        admin: &Actor,
        head_password: &str,
        username: &Username,
        rank: Rank,
        roles: RoleSet,
        password: &str,
    ) -> Result<()> {
        let first = format!("{password} (one-time)");
        let done = cf.execute(
            admin,
            Command::AddUser {
                username: username.clone(),
                display_name: DisplayName::parse(username.as_str())?,
                rank,
                roles,
                password: NewPassword::parse(first.clone(), username)?,
            },
        )?;
        if let Done::AccessRequested(request) = done.result {
            let head = cf.login(Credentials {
                username: HEAD,
                password: head_password,
            })?;
            cf.execute(
                &head,
                Command::DecideAccess {
                    urn: request.urn,
                    approve: true,
                    reason: None,
                },
            )?;
        }
        let user = cf.login(Credentials {
            username: username.as_str(),
            password: &first,
        })?;
        cf.execute(
            &user,
            Command::SetPassword {
                username: username.clone(),
                password: NewPassword::parse(password.to_owned(), username)?,
            },
        )?;
        Ok(())
    }

    /// Opens a file [`create_unencrypted`] made, as `credentials`, for
    /// `purpose` "work" or "check".
    pub fn open_unencrypted(
        path: &Path,
        credentials: Credentials<'_>,
        clock: Clock,
        check: bool,
    ) -> Result<(CaseFile, Option<Actor>)> {
        let keys = write::read_keyring(path)?;
        let unsealed = keys
            .keyring
            .unseal(credentials.username, credentials.password)?
            .map_err(|_| Error::LoginFailed {
                username: credentials.username.to_owned(),
            })?;
        let data_keys = unsealed.data_keys.iter().map(DataKey::unapplied).collect();
        let purpose = if check { Purpose::Check } else { Purpose::Work };
        let mut casefile = CaseFile::open_keyed(path, &keys, data_keys, clock, purpose)?;
        if check {
            return Ok((casefile, None));
        }
        let proof = keyring::public_hex(&unsealed.secret);
        let actor = casefile.login_proven(credentials.username, Some(proof))?;
        Ok((casefile, Some(actor)))
    }
}

/// `execute` and `query_row` through the connection's statement cache:
/// the write path runs the same few dozen statements for every command,
/// and preparing each afresh was a sixth of an audited write.
pub(crate) trait Cached {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
    fn row_cached<T, P: rusqlite::Params, F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn exec_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn row_cached<T, P: rusqlite::Params, F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// Files and folders only their owner can read.
mod private {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    use std::path::Path;

    use super::{Error, Result};

    /// A warning if others may read or write `path`, with the fix.
    pub fn warning(path: &Path) -> Option<String> {
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "warning: {} can be read by other users (mode {mode:03o}); make it private with: chmod 600 '{}'",
                path.display(),
                path.display().to_string().replace('\'', r"'\''")
            )
        })
    }

    /// Creates `dir` and any missing parents, owner only (0700).
    pub fn create_dir_all(dir: &Path) -> Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| Error::Io {
                path: dir.to_owned(),
                source,
            })
    }
}

impl Locked {
    /// The case file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the keyring says this is a demonstration file (the file
    /// itself says so too, and is asked again once unlocked).
    pub fn is_demo(&self) -> bool {
        self.keys.keyring.demo
    }

    /// Warnings found on the way: a case file or keyring others can read.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Unlocks the case file with `credentials` and logs them in: the
    /// password unseals the account's key from the keyring, that key the
    /// data key, and the case file must hold the same public key for the
    /// account. A failure is noted (sealed) in the keyring and reaches the
    /// audit trail at the next unlock.
    pub fn unlock(&self, credentials: Credentials<'_>, clock: Clock) -> Result<(CaseFile, Actor)> {
        self.unlock_for(credentials, clock, Purpose::Work)
    }

    /// As [`Locked::unlock`], for a demonstration file only: a real case
    /// file is refused with [`Error::NotDemo`] before anything is written.
    pub fn unlock_demo(
        &self,
        credentials: Credentials<'_>,
        clock: Clock,
    ) -> Result<(CaseFile, Actor)> {
        if !self.is_demo() {
            return Err(Error::NotDemo {
                path: self.path.clone(),
            });
        }
        self.unlock_for(credentials, clock, Purpose::Demo)
    }

    /// Unlocks the case file for `ccu check`: refused if damaged or not a
    /// case file, but a schema altered outside ccu or a trail whose tail no
    /// longer chains is opened as it is, for the check to report. Nothing
    /// is written to the case file, not even a login.
    pub fn unlock_for_check(&self, credentials: Credentials<'_>) -> Result<CaseFile> {
        let unsealed = self.unseal(&credentials, Utc::now())?;
        CaseFile::open_keyed(
            &self.path,
            &self.keys,
            unsealed.data_keys,
            system_clock(),
            Purpose::Check,
        )
    }

    /// The statements that open this case file in the `sqlcipher`
    /// program, for an account holder examining it outside ccu (forensic
    /// work, or a test tampering with it as an insider would): `PRAGMA
    /// key` with the data key, then the cipher settings. Whoever runs them
    /// reads everything, whatever their roles; docs/security.md says so.
    ///
    /// It reads the keyring and nothing else, and writes nothing: a wrong
    /// password here is refused but not noted (what it would unlock is read
    /// outside ccu, where nothing is audited anyway).
    pub fn sqlcipher_unlock(&self, credentials: Credentials<'_>) -> Result<Zeroizing<String>> {
        let unsealed = self.unseal_noting(&credentials, Utc::now(), false)?;
        for key in unsealed.data_keys {
            if vet::opens_with(&self.path, &key)? {
                return Ok(key.unlock_sql());
            }
        }
        Err(Error::Damaged {
            path: self.path.clone(),
            detail: "it does not open with the key its keyring holds".into(),
        })
    }

    fn unlock_for(
        &self,
        credentials: Credentials<'_>,
        clock: Clock,
        purpose: Purpose,
    ) -> Result<(CaseFile, Actor)> {
        let unsealed = self.unseal(&credentials, clock())?;
        let proof = keyring::public_hex(&unsealed.secret);
        let mut casefile =
            CaseFile::open_keyed(&self.path, &self.keys, unsealed.data_keys, clock, purpose)?;
        casefile.take_notices()?;
        let actor = casefile.login_proven(credentials.username, Some(proof))?;
        Ok((casefile, actor))
    }

    /// The account's secret and the data keys sealed to it; a failure is
    /// noted in the keyring and refused as a failed login.
    fn unseal(
        &self,
        credentials: &Credentials<'_>,
        now: DateTime<Utc>,
    ) -> Result<keyring::Unsealed> {
        self.unseal_noting(credentials, now, true)
    }

    fn unseal_noting(
        &self,
        credentials: &Credentials<'_>,
        now: DateTime<Utc>,
        note: bool,
    ) -> Result<keyring::Unsealed> {
        let keys = KeyringFile::read(&self.path)?.ok_or_else(|| Error::KeyringDamaged {
            path: self.keys.path.clone(),
            detail: "it is no longer there".into(),
        })?;
        let offered = credentials.username.trim();
        let name = Username::parse(offered)
            .map(|u| u.as_str().to_owned())
            .unwrap_or_else(|_| offered.to_owned());
        let shown: String = offered.chars().take(64).collect();
        let at = format_timestamp(now);
        let label = keys.throttle_label(&name);
        // Too many failures in a row: refused before the password is
        // checked, alike for a username that exists and one that does not.
        if note && let Some(until) = keys.waits_until(&label, now) {
            let notice = keyring::Notice {
                at: at.clone(),
                username: shown.clone(),
                matched: false,
                throttled: true,
            };
            keys.append_notice(keys.keyring.seal_notice(&notice)?, &label, &at, true)?;
            return Err(Error::throttled(shown, until, now));
        }
        let matched = match keys.keyring.unseal(&name, credentials.password)? {
            Ok(unsealed) if !unsealed.data_keys.is_empty() => return Ok(unsealed),
            Ok(_) => true,
            Err(keyring::Refused::NoEntry) => false,
        };
        let notice = keyring::Notice {
            at: at.clone(),
            username: shown,
            matched,
            throttled: false,
        };
        if note {
            keys.append_notice(keys.keyring.seal_notice(&notice)?, &label, &at, false)?;
        }
        Err(Error::LoginFailed {
            username: notice.username,
        })
    }
}
