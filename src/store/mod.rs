//! The case file: opening and creating it, its schema, and the one audited
//! write path ([`CaseFile::execute`]).

mod accounts;
mod audit_view;
mod authorisations;
mod bids;
mod check;
mod command;
mod diary;
mod export;
mod intelligence;
mod keys;
mod ledger;
mod lists;
mod operations;
mod probe;
mod referrals;
mod schema;
mod search;
mod settings;
mod subjects;
mod thresholds;
mod vet;
mod visibility;
mod write;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use accounts::{Account, AccountStatus};
pub use audit_view::{
    AuditQuery, AuditRow, Awaiting, AwaitingAuthorisation, ChainCursor, ChainProgress,
    REVIEW_DUE_WITHIN_DAYS,
};
pub use authorisations::{CENTRAL_RECORD_COLUMNS, CentralRecordEntry, central_record_csv};
pub use bids::{BidDecisionRow, BidLineRow, BidRecord, BidRow, ResourceType, WeekLoad};
pub use check::{CheckReport, EXIT_CHECK_FAILED, EXIT_ROWS_ALTERED};
pub use command::{Command, Viewed};
pub use diary::{DueItem, DueKind, QUIET_OPERATION_DAYS};
pub use export::ExportRequest;
pub use intelligence::{ImportReport, IntelligenceRecord, IntelligenceRow, Page, TriageEntry};
pub use ledger::Integrity;
pub use lists::{
    DASHBOARD_WEEKS, Dashboard, IntelligenceColumn, ListQuery, OperationColumn, SubjectColumn,
};
pub use operations::{DecisionEntry, LessonsLearned, Member, OperationRecord, OperationRow};
pub use probe::CCU_APPLICATION_ID;
pub use referrals::ReferralRow;
pub use schema::{LATEST_VERSION, migrations};
pub use search::{SearchHit, SearchKind};
pub use subjects::{HistoryEntry, SubjectRecord, SubjectRow};
pub use thresholds::{PendingThreshold, ThresholdDecisionEntry, ThresholdEntry, ThresholdHistory};
pub use visibility::Viewer;
pub use write::{Actor, Credentials, Executed};

use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, NewPassword, Rank, Username};

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
        "{}: no case file here. Create one with `ccu init --file {} --admin NAME`, or point to the right file with --file or CCU_FILE",
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

    #[error("login failed for '{username}': unknown user, wrong password, or a disabled account")]
    LoginFailed { username: String },

    #[error("permission denied: {username} ({roles}) may not {what}")]
    Denied {
        username: String,
        roles: String,
        what: String,
    },

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

    #[error("password hashing failed: {0}")]
    PasswordHash(String),

    #[error("could not get random bytes from the operating system: {0}")]
    Random(String),
}

impl Error {
    /// The process exit code for this error (docs/cli.md lists them).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotFound { .. }
            | Error::IsDirectory { .. }
            | Error::NotSqlite { .. }
            | Error::NotCaseFile { .. }
            | Error::NewerVersion { .. }
            | Error::AlreadyExists { .. }
            | Error::NotDemo { .. }
            | Error::Damaged { .. }
            | Error::NotCcuSchema { .. } => 3,
            Error::SchemaAltered { .. } => EXIT_ROWS_ALTERED,
            Error::Integrity { problem, .. } => match problem {
                Integrity::TailBroken(_) => EXIT_CHECK_FAILED,
                Integrity::RowAltered { .. } => EXIT_ROWS_ALTERED,
                Integrity::Unaudited { .. } => 1,
            },
            Error::CheckFailed { report, .. } => report.exit_code(),
            Error::LoginFailed { .. } | Error::Denied { .. } => 4,
            Error::Invalid(_) | Error::NoSuch { .. } => 5,
            Error::Sqlite { .. }
            | Error::Io { .. }
            | Error::Migration { .. }
            | Error::PasswordHash(_)
            | Error::Random(_) => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An open case file.
pub struct CaseFile {
    conn: Connection,
    path: PathBuf,
    id: String,
    clock: Clock,
}

/// The first account of a new case file; it is always an administrator.
pub struct FirstAdministrator {
    pub username: Username,
    pub display_name: DisplayName,
    pub rank: Rank,
    pub password: NewPassword,
}

impl CaseFile {
    /// Opens an existing case file with the system clock.
    pub fn open(path: &Path) -> Result<CaseFile> {
        Self::open_with_clock(path, system_clock())
    }

    /// Opens an existing case file. Before SQLite touches the file, its
    /// header is read to make sure it is a ccu case file this version
    /// understands; anything else is refused and left byte-for-byte as it
    /// was, with no journal or WAL file created.
    pub fn open_with_clock(path: &Path, clock: Clock) -> Result<CaseFile> {
        Self::open_checked(path, clock, false)
    }

    /// Opens a case file only if it is marked as a demonstration file
    /// ([`CaseFile::is_demo`]). Anything else is refused with
    /// [`Error::NotDemo`] before the schema is brought up to date or
    /// anything is written, so a real case file is left as it was.
    pub fn open_demo_with_clock(path: &Path, clock: Clock) -> Result<CaseFile> {
        Self::open_checked(path, clock, true)
    }

    /// Opens a case file for `ccu check`: refused if it is damaged or not
    /// a case file, but a schema altered outside ccu or a trail whose tail
    /// no longer chains is opened as it is, for the check to report. Such
    /// a file is neither upgraded nor written to.
    pub fn open_for_check(path: &Path) -> Result<CaseFile> {
        let vetted = vet::vet(path)?;
        let tolerated = vetted.version == LATEST_VERSION;
        if !tolerated && let Some(refusal) = vetted.refusal(path) {
            return Err(refusal);
        }
        Self::open_vetted(path, system_clock(), false, vetted.refusal(path).is_none())
    }

    fn open_checked(path: &Path, clock: Clock, demo_only: bool) -> Result<CaseFile> {
        let vetted = vet::vet(path)?;
        if let Some(refusal) = vetted.refusal(path) {
            return Err(refusal);
        }
        Self::open_vetted(path, clock, demo_only, true)
    }

    /// Opens a vetted file; `writes`: it may be upgraded and written to.
    fn open_vetted(path: &Path, clock: Clock, demo_only: bool, writes: bool) -> Result<CaseFile> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| sqlite_err(path, source))?;
        // An encryption key, when case files gain one, is applied here:
        // after the connection opens and before the first read.
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
        };
        if writes {
            if from < LATEST_VERSION {
                casefile.record_upgrade(from)?;
            }
            casefile.ensure_signing_key()?;
        }
        Ok(casefile)
    }

    /// Creates a new case file with its first administrator. Refuses to
    /// touch an existing file. If anything fails, nothing is left behind.
    pub fn create(path: &Path, admin: FirstAdministrator, clock: Clock) -> Result<CaseFile> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        // create_new claims the path atomically, so a file that appears
        // between a check and the create is never overwritten.
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::AlreadyExists {
                    path: path.to_owned(),
                });
            }
            Err(source) => {
                return Err(Error::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        }
        let result = Self::initialise(path, admin, clock);
        if result.is_err() {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = fs::remove_file(PathBuf::from(p));
            }
        }
        result
    }

    fn initialise(path: &Path, admin: FirstAdministrator, clock: Clock) -> Result<CaseFile> {
        let password_hash = write::hash_password(&admin.password)?;
        let mut id_bytes = [0u8; 16];
        getrandom::fill(&mut id_bytes).map_err(|e| Error::Random(e.to_string()))?;
        let id = hex::encode(id_bytes);

        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| sqlite_err(path, source))?;
        configure(&mut conn, path)?;
        schema::migrate(&mut conn, path)?;
        ledger::install_capture(&conn).map_err(|e| sqlite_err(path, e))?;
        let mut casefile = CaseFile {
            conn,
            path: path.to_owned(),
            id,
            clock,
        };
        casefile.record_init(admin, password_hash)?;
        Ok(casefile)
    }

    pub fn path(&self) -> &Path {
        &self.path
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
    Error::Sqlite {
        path: path.to_owned(),
        source,
    }
}

/// Connection settings every case file is used with.
fn configure(conn: &mut Connection, path: &Path) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| sqlite_err(path, e))?;
    // The write path keeps a few dozen statements (the row commitments',
    // one per table among them); the default cache of 16 would re-prepare
    // them on every write.
    conn.set_prepared_statement_cache_capacity(256);
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
