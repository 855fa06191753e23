//! The command line: clap subcommands that call the same library the
//! terminal application uses. Exit codes are listed in docs/cli.md.

mod password;

use crate::exit::ExitCode;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, Rank, Username};
use crate::domain::role::RoleSet;
use crate::domain::urn::{Urn, UrnKind};
use crate::sanitise::for_terminal;
use crate::store::{self, Actor, CaseFile, CheckReport, Command, Credentials, FirstAdministrator};

/// Exit code when `ccu check` finds damage or tampering.

#[derive(Debug, Parser)]
#[command(
    name = "ccu",
    version,
    about = "Casework for a police Counter Corruption Unit: one case file, a tamper-evident audit trail"
)]
struct Cli {
    /// The case file [default: the platform data directory, e.g. ~/.local/share/ccu/casefile.ccu]
    #[arg(long, global = true, env = "CCU_FILE", value_name = "PATH")]
    file: Option<PathBuf>,

    /// Lock the screen after this many minutes without a key press (1-240)
    #[arg(
        long,
        global = true,
        env = "CCU_LOCK_MINUTES",
        default_value_t = 10,
        value_name = "MINUTES",
        value_parser = clap::value_parser!(u32).range(1..=240)
    )]
    lock_minutes: u32,

    /// Key bindings to start from: default or vim (your keymap.toml is merged over it)
    #[arg(
        long,
        global = true,
        env = "CCU_KEYMAP",
        default_value = "default",
        value_name = "PRESET"
    )]
    keymap: String,

    /// Without a command, ccu opens the terminal application on the case
    /// file (and offers to create one when there is none).
    #[command(subcommand)]
    command: Option<TopCommand>,
}

#[derive(Debug, Subcommand)]
enum TopCommand {
    /// Open the terminal application on a demo case file of invented data, creating it if needed [default file: demo.ccu beside the default case file]
    Demo,
    /// Create a new case file with its first administrator and its head of unit (who approves access); each types their own password
    Init {
        /// Username of the first administrator
        #[arg(long, value_name = "USERNAME")]
        admin: String,
        /// Name shown to other users [default: the username]
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
        /// Police rank, or "Police Staff"
        #[arg(long, default_value = "Police Staff")]
        rank: String,
        /// Username of the head of unit: a supervisor of Inspector rank or above, who approves the access administrators ask for
        #[arg(long, value_name = "USERNAME")]
        head: String,
        /// The head of unit's name shown to other users [default: the username]
        #[arg(long, value_name = "TEXT")]
        head_display_name: Option<String>,
        /// The head of unit's rank: Inspector or above
        #[arg(long, value_name = "RANK")]
        head_rank: String,
    },
    /// Manage user accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the database's integrity and verify the whole audit chain (any account; nothing is written)
    Check {
        #[command(flatten)]
        actor: AsUser,
    },
    /// Give the case file a new data key, sealed only to the accounts active now (administrators; run it after disabling an account)
    Rekey {
        #[command(flatten)]
        actor: AsUser,
    },
    /// Write a consistent encrypted copy of the case file and its keyring, checked before it is reported done (administrators and supervisors)
    Backup {
        /// The new backup file (its keyring is written beside it as FILE.keys)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Encrypt a case file made by an earlier ccu, which kept it unencrypted (administrators)
    Encrypt {
        /// A head of unit to seal in too (their password is asked for, or read from CCU_HEAD_PASSWORD), so that the other accounts' password resets can be approved
        #[arg(long, value_name = "USERNAME")]
        head: Option<String>,
        #[command(flatten)]
        actor: AsUser,
    },
    /// What is due or overdue: authorisation ends and reviews, referral deadlines, threshold reviews, bids awaiting decision, quiet operations
    Due {
        /// How many days ahead to look, 0 to 3660 (everything overdue is always shown)
        #[arg(long, default_value_t = 7, value_name = "DAYS",
              value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::store::MOST_DAYS_AHEAD)))]
        within: u32,
        /// Print JSON (field names in docs/diary.md) instead of a table
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Covert authorisations
    Authorisations {
        /// Print the central record (Covert Surveillance and Property Interference Code, ch. 8)
        #[arg(long, required = true)]
        central_record: bool,
        /// As CSV (RFC 4180; cells safe to open in a spreadsheet)
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// As JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        actor: AsUser,
    },
    /// The audit trail's signing key and checkpoints
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Bring records in from files
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Print the public key that verifies this case file's checkpoints, and its fingerprint, for oversight to keep
    Pubkey {
        #[command(flatten)]
        actor: AsUser,
    },
    /// Sign a checkpoint of the whole audit trail as it stands (auditors and supervisors)
    Checkpoint {
        #[command(flatten)]
        actor: AsUser,
    },
    /// Write an export bundle for oversight (auditors and supervisors; docs/oversight-export.md)
    Export {
        /// A new or empty folder for the bundle
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only events on or after this UK day (dd/mm/yyyy)
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Only events on or before this UK day (dd/mm/yyyy)
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only events about this operation and its records
        #[arg(long, value_name = "CODENAME")]
        operation: Option<String>,
        /// Only events by this user
        #[arg(long = "user", value_name = "USERNAME")]
        by: Option<String>,
        #[command(flatten)]
        actor: AsUser,
    },
    /// Verify an export bundle with nothing but the bundle and the public key (no case file)
    Verify {
        /// The bundle folder
        dir: PathBuf,
        /// The verifier key line from `ccu audit pubkey`, or a file holding it
        #[arg(long, value_name = "KEY")]
        pubkey: String,
        /// An earlier signed checkpoint (a file) that this bundle's must extend
        #[arg(long, value_name = "FILE")]
        since: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Import intelligence from a CSV file (columns in docs/import-intel.md)
    Intel {
        /// The CSV file
        csv: PathBuf,
        /// Import the valid rows and list the invalid ones, instead of importing nothing
        #[arg(long)]
        skip_invalid: bool,
        #[command(flatten)]
        actor: AsUser,
    },
}

#[derive(Debug, clap::Args)]
struct AsUser {
    /// Who is acting (their password is asked for, or read from CCU_PASSWORD)
    #[arg(long = "as", env = "CCU_USER", value_name = "USERNAME")]
    as_user: String,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
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

/// Why a command failed, and the exit code that says so.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: ExitCode,
}

impl From<store::Error> for Failure {
    fn from(e: store::Error) -> Self {
        Failure {
            message: e.to_string(),
            code: e.exit_code(),
        }
    }
}

impl From<InvalidInput> for Failure {
    fn from(e: InvalidInput) -> Self {
        store::Error::from(e).into()
    }
}

/// Parses the arguments, runs the command, prints the outcome and returns
/// the process exit code.
pub fn run() -> i32 {
    // Whatever ccu creates (case files, their WAL, keyrings, exports,
    // backups) is its owner's alone, whatever umask it was started with.
    // SAFETY: umask only sets the process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
    store::on_lock_wait(|| eprintln!("ccu: waiting for another write to finish..."));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let mut out = std::io::stdout().lock();
    match execute(cli, &mut out) {
        Ok(code) => code.code(),
        Err(failure) => {
            // Line breaks in a message are ccu's own: untrusted text in it
            // was sanitised where it was put in (see import_intel).
            eprintln!("ccu: error: {}", for_terminal_lines(&failure.message));
            failure.code.code()
        }
    }
}

fn execute(cli: Cli, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let options = crate::tui::Options {
        lock_after: chrono::Duration::minutes(cli.lock_minutes.into()),
        keymap: cli.keymap.clone(),
    };
    let demo = matches!(cli.command, Some(TopCommand::Demo));
    let path = match (&cli.file, demo) {
        (None, true) => crate::tui::default_demo_path(&case_file_path(None)?),
        _ => case_file_path(cli.file)?,
    };
    let Some(command) = cli.command else {
        return terminal_application(&path, false, options);
    };
    match command {
        TopCommand::Demo => terminal_application(&path, true, options),
        TopCommand::Init {
            admin,
            display_name,
            rank,
            head,
            head_display_name,
            head_rank,
        } => {
            let username = Username::parse(&admin)?;
            let display_name = DisplayName::parse(display_name.as_deref().unwrap_or(&admin))?;
            let rank = Rank::parse(&rank)?;
            let head_name =
                Username::parse(&head).map_err(|e| InvalidInput::new("--head", e.message))?;
            let head_display = DisplayName::parse(head_display_name.as_deref().unwrap_or(&head))
                .map_err(|e| InvalidInput::new("--head-display-name", e.message))?;
            let head_rank =
                Rank::parse(&head_rank).map_err(|e| InvalidInput::new("--head-rank", e.message))?;
            // Checked before any password is asked for.
            store::HeadOfUnit::check_parts(&head_name, head_rank, &username)?;
            if path.exists() {
                return Err(store::Error::AlreadyExists { path }.into());
            }
            let password = password::new_password(&username, "CCU_PASSWORD")?;
            let head_password = password::head_password(&head_name)?;
            let casefile = CaseFile::create(
                &path,
                FirstAdministrator {
                    username: username.clone(),
                    display_name,
                    rank,
                    password,
                },
                store::HeadOfUnit {
                    username: head_name.clone(),
                    display_name: head_display,
                    rank: head_rank,
                    password: head_password,
                },
                store::system_clock(),
            )?;
            say(
                out,
                &format!(
                    "Created case file {} (id {}) with administrator {username} and head of unit {head_name}.\nNext: add the unit's accounts with `ccu user add USERNAME --display-name ... --rank ... --roles ... --as {username}`; {head_name} approves each with `ccu user approve REQUEST --as {head_name}`.",
                    path.display(),
                    casefile.id()
                ),
            )?;
            Ok(ExitCode::Ok)
        }
        TopCommand::Check { actor } => {
            let locked = locate(&path)?;
            let password = password::acting_password(&actor.as_user)?;
            let casefile = locked.unlock_for_check(Credentials {
                username: &actor.as_user,
                password: &password,
            })?;
            let report = casefile.check()?;
            match (&report, report.describe(&path)) {
                (CheckReport::Verified { events }, _) => {
                    say(
                        out,
                        &format!("ok: {events} events, chain verified, every row answers to it"),
                    )?;
                    Ok(ExitCode::Ok)
                }
                (_, problem) => {
                    // Line breaks are ccu's own; what the case file holds
                    // (names, references) is made safe line by line.
                    eprintln!(
                        "ccu: check failed: {}",
                        for_terminal_lines(&problem.unwrap_or_default())
                    );
                    Ok(report.exit_code())
                }
            }
        }
        TopCommand::User { command } => user_command(&path, command, out),
        TopCommand::Rekey { actor } => {
            let (mut casefile, actor) = open(&path, &actor)?;
            let done = casefile.rekey(&actor)?;
            let left_out: Vec<String> = done.details["left_out"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            say(
                out,
                &format!(
                    "Re-keyed {}: a new data key (fingerprint {}), sealed to the {} active accounts.{}",
                    path.display(),
                    done.details["key"].as_str().unwrap_or_default(),
                    done.details["sealed_to"].as_array().map_or(0, Vec::len),
                    if left_out.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " Left out (disabled; their old keys open nothing now): {}.",
                            left_out.join(", ")
                        )
                    }
                ),
            )?;
            Ok(ExitCode::Ok)
        }
        TopCommand::Backup { out: file, actor } => {
            // Refused before the unlock (a login) is written.
            for p in [file.clone(), store::keyring_path(&file)] {
                if p.exists() {
                    return Err(store::Error::AlreadyExists { path: p }.into());
                }
            }
            let (mut casefile, actor) = open(&path, &actor)?;
            let done = casefile.backup(&actor, &file)?;
            say(
                out,
                &format!(
                    "Backed up {} to {} and {} ({} events; the copy was opened and checked). Restore it as docs/security.md says.",
                    path.display(),
                    file.display(),
                    store::keyring_path(&file).display(),
                    done.details["events"]
                ),
            )?;
            Ok(ExitCode::Ok)
        }
        TopCommand::Encrypt { head, actor } => {
            let head = head
                .map(|h| Username::parse(&h).map_err(|e| InvalidInput::new("--head", e.message)))
                .transpose()?;
            let password = password::acting_password(&actor.as_user)?;
            let head_password = match &head {
                Some(name) => Some(password::existing_head_password(name)?),
                None => None,
            };
            let done = CaseFile::encrypt_with_head(
                &path,
                Credentials {
                    username: &actor.as_user,
                    password: &password,
                },
                head.as_ref()
                    .zip(head_password.as_ref())
                    .map(|(name, pw)| Credentials {
                        username: name.as_str(),
                        password: pw,
                    }),
                store::system_clock(),
            )?;
            let mut text = format!(
                "Encrypted {}; its keyring is {}. The data key is sealed to {}.",
                path.display(),
                store::keyring_path(&path).display(),
                match &done.head {
                    Some(head) => format!("{} and to the head of unit {head}", done.sealed_to),
                    None => done.sealed_to.clone(),
                }
            );
            if !done.awaiting.is_empty() {
                text.push_str(&format!(
                    "\nThese accounts cannot unlock it until their password is reset (`ccu user passwd NAME --as {}`, approved by a head of unit): {}.",
                    done.sealed_to,
                    done.awaiting.join(", ")
                ));
            }
            if done.head.is_none() {
                text.push_str("\nNo head of unit was sealed in (`--head`), so until one can log in no reset can be approved.");
            }
            text.push_str(
                "\nCopies and backups of the file from before are still unencrypted: destroy them.",
            );
            say(out, &text)?;
            Ok(ExitCode::Ok)
        }
        TopCommand::Audit {
            command: AuditCommand::Pubkey { actor },
        } => {
            let (casefile, _) = open(&path, &actor)?;
            let (key, fingerprint) = casefile.verifier_key()?;
            say(out, &format!("{key}\nfingerprint: SHA-256:{fingerprint}"))?;
            Ok(ExitCode::Ok)
        }
        TopCommand::Audit {
            command: AuditCommand::Checkpoint { actor },
        } => {
            let (mut casefile, actor) = open_to_sign(&path, &actor)?;
            let done = casefile.execute(&actor, Command::RecordCheckpoint)?;
            say(
                out,
                &format!(
                    "Signed a checkpoint of {} events (Merkle root {}).",
                    done.details["tree_size"],
                    done.details["root"].as_str().unwrap_or_default()
                ),
            )?;
            Ok(ExitCode::Ok)
        }
        TopCommand::Audit {
            command:
                AuditCommand::Export {
                    out: dir,
                    from,
                    to,
                    operation,
                    by,
                    actor,
                },
        } => {
            let date = |text: Option<String>, field| {
                text.map(|t| crate::domain::time::parse_uk_date(field, &t))
                    .transpose()
            };
            let request = store::ExportRequest {
                out: dir.clone(),
                from: date(from, "from")?,
                to: date(to, "to")?,
                operation: operation
                    .as_deref()
                    .map(crate::domain::operation::Codename::parse)
                    .transpose()?,
                user: by.as_deref().map(Username::parse).transpose()?,
            };
            let (mut casefile, actor) = open_to_sign(&path, &actor)?;
            let done = casefile.execute(&actor, Command::ExportAudit(request))?;
            say(
                out,
                &format!(
                    "Wrote {} entries to {} ({} export; checkpoint of {} events). Verify with: ccu audit verify {} --pubkey KEY",
                    done.details["entries"],
                    dir.display(),
                    if done.details["full"] == true {
                        "full"
                    } else {
                        "filtered"
                    },
                    done.details["tree_size"],
                    dir.display()
                ),
            )?;
            Ok(ExitCode::Ok)
        }
        TopCommand::Audit {
            command: AuditCommand::Verify { dir, pubkey, since },
        } => {
            use crate::audit::bundle::{MAX_HELD_CHECKPOINT_BYTES, MAX_KEY_FILE_BYTES};
            let unreadable = |e: crate::files::ReadError| Failure {
                message: e.to_string(),
                code: ExitCode::Invalid,
            };
            // A path to anything (even a device, a pipe or a dangling link)
            // is meant as the key's file, and refused unless it is a regular
            // file within the limit; only a path to nothing is the key.
            let key_path = std::path::Path::new(&pubkey);
            let key = if key_path.symlink_metadata().is_ok() {
                crate::files::read_bounded_text(key_path, MAX_KEY_FILE_BYTES, "the key")
                    .map_err(unreadable)?
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            } else {
                pubkey
            };
            let since = since
                .map(|p| {
                    crate::files::read_bounded_text(
                        &p,
                        MAX_HELD_CHECKPOINT_BYTES,
                        "the earlier checkpoint",
                    )
                    .map_err(unreadable)
                })
                .transpose()?;
            match crate::audit::bundle::verify(&dir, &key, since.as_deref()) {
                Ok(verified) => {
                    say(out, &verified.to_string())?;
                    Ok(ExitCode::Ok)
                }
                Err(e) => Err(Failure {
                    message: format!(
                        "{}: verification failed: {}",
                        dir.display(),
                        for_terminal(&e.to_string())
                    ),
                    code: ExitCode::CheckFailed,
                }),
            }
        }
        TopCommand::Due {
            within,
            json,
            actor,
        } => {
            let (mut casefile, actor) = open(&path, &actor)?;
            let items = casefile.due(&actor, within)?;
            if json {
                let doc = serde_json::json!({
                    "user": actor.username().as_str(),
                    "within_days": within,
                    "items": items,
                });
                say_json(out, &doc)?;
            } else if items.is_empty() {
                say(
                    out,
                    &format!("Nothing is due in the next {within} days, and nothing is overdue."),
                )?;
            } else {
                let rows: Vec<[String; 5]> = items
                    .iter()
                    .map(|i| {
                        [
                            i.due_at.get(..16).unwrap_or(&i.due_at).replace('T', " "),
                            if i.overdue {
                                "OVERDUE".into()
                            } else {
                                String::new()
                            },
                            serde_json::to_value(i.what)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default(),
                            i.reference.clone(),
                            i.why.clone(),
                        ]
                    })
                    .collect();
                say(
                    out,
                    &table(&["DUE (UTC)", "", "WHAT", "REFERENCE", "WHY"], &rows),
                )?;
            }
            Ok(ExitCode::Ok)
        }
        TopCommand::Authorisations {
            central_record: _,
            csv,
            json,
            actor,
        } => {
            let (mut casefile, actor) = open(&path, &actor)?;
            let entries = casefile.central_record(&actor)?;
            if json {
                say_json(out, &entries)?;
            } else if csv {
                let bytes = store::central_record_csv(&entries).map_err(|e| Failure {
                    message: format!("cannot write CSV: {e}"),
                    code: ExitCode::Failure,
                })?;
                out.write_all(&bytes).map_err(|e| Failure {
                    message: format!("cannot write to standard output: {e}"),
                    code: ExitCode::Failure,
                })?;
            } else {
                let rows: Vec<[String; 7]> = entries
                    .iter()
                    .map(|e| {
                        [
                            e.urn.clone(),
                            e.kind.clone(),
                            e.operation.clone(),
                            e.status.label().to_owned(),
                            e.last_day.clone().unwrap_or_default(),
                            e.authorising_officer.clone().unwrap_or_default(),
                            if e.directly_involved {
                                "DIRECTLY INVOLVED".into()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                say(
                    out,
                    &table(
                        &[
                            "URN",
                            "TYPE",
                            "OPERATION",
                            "STATUS",
                            "LAST DAY",
                            "AUTHORISED BY",
                            "",
                        ],
                        &rows,
                    ),
                )?;
            }
            Ok(ExitCode::Ok)
        }
        TopCommand::Import {
            command:
                ImportCommand::Intel {
                    csv,
                    skip_invalid,
                    actor,
                },
        } => import_intel(&path, &csv, skip_invalid, &actor, out),
    }
}

/// The largest CSV file `ccu import` reads.
const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// `ccu import intel`: the whole file is checked before anything is
/// written; by default one bad row means nothing is imported.
fn import_intel(
    path: &std::path::Path,
    csv: &std::path::Path,
    skip_invalid: bool,
    actor: &AsUser,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let shown = csv.display().to_string();
    let bytes =
        crate::files::read_bounded(csv, MAX_IMPORT_BYTES, "the file").map_err(|e| Failure {
            message: match e.failure {
                crate::files::ReadFailure::TooLarge { .. } => format!("{e}; split it"),
                _ => e.to_string(),
            },
            code: ExitCode::Invalid,
        })?;
    let parsed = crate::import::parse_intel_csv(&bytes).map_err(|e| Failure {
        message: format!("{shown}: {e}; nothing was imported"),
        code: ExitCode::Invalid,
    })?;
    let invalid = parsed.invalid_row_count();
    let total = parsed.rows.len() + invalid;
    if !parsed.errors.is_empty() && !skip_invalid {
        let mut message = format!(
            "{shown}: {invalid} of {total} rows are invalid, so nothing was imported (fix them, or use --skip-invalid to import the rest):"
        );
        for e in &parsed.errors {
            message.push_str(&format!("\n  {}", for_terminal(&e.to_string())));
        }
        return Err(Failure {
            message,
            code: ExitCode::Invalid,
        });
    }
    let (mut casefile, actor) = open(path, actor)?;
    let label = csv
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let report = casefile.import_intelligence(
        &actor,
        &label,
        parsed.rows.into_iter().map(|r| r.item).collect(),
    )?;
    let mut lines = vec![match (report.imported.first(), report.imported.last()) {
        (Some(first), Some(last)) if first != last => {
            format!(
                "Imported {} items from {shown}: {first} to {last}.",
                report.imported.len()
            )
        }
        (Some(only), _) => format!("Imported 1 item from {shown}: {only}."),
        _ => format!("Imported nothing from {shown}."),
    }];
    match report.already_imported.len() {
        0 => {}
        1 => lines.push("1 row was imported before and was left as it is.".into()),
        n => lines.push(format!(
            "{n} rows were imported before and were left as they are."
        )),
    }
    for (reference, staff) in &report.unknown_staff_numbers {
        lines.push(format!(
            "Staff number {} (row {}) matches no subject: the item was imported without that link.",
            for_terminal(staff),
            for_terminal(reference)
        ));
    }
    if !parsed.errors.is_empty() {
        lines.push(if invalid == 1 {
            "1 invalid row was not imported:".to_owned()
        } else {
            format!("{invalid} invalid rows were not imported:")
        });
        for e in &parsed.errors {
            lines.push(format!("  {}", for_terminal(&e.to_string())));
        }
    }
    say(out, &lines.join("\n"))?;
    Ok(ExitCode::Ok)
}

fn user_command(
    path: &std::path::Path,
    command: UserCommand,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let acting = match &command {
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
    };
    // The arguments are checked before the password is asked for: an
    // unlock is a login, and a login is written to the trail.
    match &command {
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
        UserCommand::Approve { request, .. } | UserCommand::Decline { request, .. } => {
            Urn::parse(UrnKind::AccessRequest, request)?;
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
        UserCommand::List { .. } | UserCommand::Passwd { .. } | UserCommand::Requests { .. } => {}
    }
    let own_password = matches!(&command, UserCommand::Passwd { username: None, .. })
        || matches!(&command, UserCommand::Passwd { username: Some(u), actor } if Username::parse(u).ok() == Username::parse(&actor.as_user).ok());
    let (mut casefile, actor, changed) = open_changing(path, acting)?;
    if own_password && changed {
        return Ok(ExitCode::Ok);
    }
    match command {
        UserCommand::Add {
            username,
            display_name,
            rank,
            roles,
            actor: _,
        } => {
            let username = Username::parse(&username)?;
            let display_name = DisplayName::parse(&display_name)?;
            let rank = Rank::parse(&rank)?;
            let roles = RoleSet::parse_list(&roles)?;
            let password = password::new_password(&username, "CCU_NEW_PASSWORD")?;
            let done = casefile.execute(
                &actor,
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
                        request(&format!("gives them {roles}"))
                    ),
                )?,
                None => say(
                    out,
                    &format!(
                        "Added {username} ({rank}; {roles}).\nTheir password is for one use: they choose their own at their first login."
                    ),
                )?,
            }
        }
        UserCommand::List { actor: _ } => {
            let accounts = casefile.accounts(&actor)?;
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
        }
        UserCommand::Disable { username, .. } => {
            let username = Username::parse(&username)?;
            casefile.execute(
                &actor,
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
        }
        UserCommand::Enable { username, .. } => {
            let username = Username::parse(&username)?;
            let done = casefile.execute(
                &actor,
                Command::EnableUser {
                    username: username.clone(),
                },
            )?;
            match requested(&done) {
                Some(request) => say(
                    out,
                    &format!(
                        "{username} stays disabled for now.\n{}",
                        request("enables the account")
                    ),
                )?,
                None => say(out, &format!("Enabled {username}."))?,
            }
        }
        UserCommand::Roles {
            username, roles, ..
        } => {
            let username = Username::parse(&username)?;
            let roles = RoleSet::parse_list(&roles)?;
            let done = casefile.execute(
                &actor,
                Command::SetRoles {
                    username: username.clone(),
                    roles: roles.clone(),
                },
            )?;
            match requested(&done) {
                Some(request) => {
                    let now: Vec<String> = done.details["after"]["roles"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|r| r.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    let now = if now.is_empty() {
                        "no roles".to_owned()
                    } else {
                        now.join(",")
                    };
                    say(
                        out,
                        &format!(
                            "{username} holds {now} for now.\n{}",
                            request(&format!("gives them {roles}"))
                        ),
                    )?
                }
                None => say(out, &format!("{username} now holds: {roles}."))?,
            }
        }
        UserCommand::Passwd { username, .. } => {
            let username = match username {
                Some(name) => Username::parse(&name)?,
                None => actor.username().clone(),
            };
            let password = password::new_password(&username, "CCU_NEW_PASSWORD")?;
            let done = casefile.execute(
                &actor,
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
                        request("resets it")
                    ),
                )?,
                None => say(out, &format!("Password changed for {username}."))?,
            }
        }
        UserCommand::Requests { all, .. } => {
            let requests = casefile.access_requests(&actor, all)?;
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
                        r.urn.clone(),
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
                            (Some(by), Some(why)) => {
                                format!("{} by {by}: {why}", r.status.as_str())
                            }
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
        }
        UserCommand::Approve { request, note, .. } => {
            let urn = Urn::parse(UrnKind::AccessRequest, &request)?;
            let done = casefile.execute(
                &actor,
                Command::DecideAccess {
                    urn,
                    approve: true,
                    reason: note,
                },
            )?;
            let who = done.details["username"].as_str().unwrap_or_default();
            say(
                out,
                &format!(
                    "Approved {urn}: {} for {}; it has taken effect.",
                    done.details["kind"]
                        .as_str()
                        .map_or("the request", kind_phrase),
                    for_terminal(who)
                ),
            )?;
        }
        UserCommand::Decline {
            request, reason, ..
        } => {
            let urn = Urn::parse(UrnKind::AccessRequest, &request)?;
            let done = casefile.execute(
                &actor,
                Command::DecideAccess {
                    urn,
                    approve: false,
                    reason: Some(reason),
                },
            )?;
            let who = done.details["username"].as_str().unwrap_or_default();
            say(
                out,
                &format!(
                    "Declined {urn} ({} for {}); nothing changed.",
                    done.details["kind"]
                        .as_str()
                        .map_or("the request", kind_phrase),
                    for_terminal(who)
                ),
            )?;
        }
        UserCommand::Expiry { hours, .. } => {
            casefile.execute(&actor, Command::SetAccessExpiry { hours })?;
            say(
                out,
                &format!("Requests for access made from now on expire after {hours} hours."),
            )?;
        }
    }
    Ok(ExitCode::Ok)
}

fn role_list(roles: &[crate::domain::role::Role]) -> String {
    if roles.is_empty() {
        return "-".into();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn kind_phrase(kind: &str) -> &'static str {
    match kind {
        "add" => "add the account",
        "grant" => "grant roles",
        "enable" => "enable the account",
        _ => "reset the password",
    }
}

/// `2026-12-01T09:30:00.000000Z` as `2026-12-01 09:30 UTC`.
fn short_time(at: &str) -> String {
    format!("{} UTC", at.get(..16).unwrap_or(at).replace('T', " "))
}

/// What a command that opened a request for access prints, given what
/// the request does: its reference, who approves it, and when it expires.
fn requested(done: &store::Executed) -> Option<impl Fn(&str) -> String> {
    let request = done.details.get("request")?;
    let urn = request["urn"].as_str()?.to_owned();
    let expires = request["expires_at"].as_str().map(short_time)?;
    Some(move |does: &str| {
        format!(
            "Request {urn} {does} once a head of unit (a supervisor of Inspector rank or above) approves it: `ccu user approve {urn} --as HEAD`. It expires at {expires}."
        )
    })
}

/// Finds the case file, and warns if others can read it or its keyring.
fn locate(path: &std::path::Path) -> Result<store::Locked, Failure> {
    let locked = CaseFile::locate(path)?;
    for warning in locked.warnings() {
        eprintln!("ccu: {}", for_terminal(warning));
    }
    Ok(locked)
}

/// Finds the case file and unlocks it as the user named with `--as`; a
/// one-time password is replaced first (asked for, or CCU_NEW_PASSWORD).
fn open(path: &std::path::Path, actor: &AsUser) -> Result<(CaseFile, Actor), Failure> {
    open_changing(path, actor).map(|(casefile, actor, _)| (casefile, actor))
}

/// As [`open`]; also says whether a one-time password was just replaced.
fn open_changing(
    path: &std::path::Path,
    actor: &AsUser,
) -> Result<(CaseFile, Actor, bool), Failure> {
    let locked = locate(path)?;
    let password = password::acting_password(&actor.as_user)?;
    let (casefile, actor) = locked.unlock(
        Credentials {
            username: &actor.as_user,
            password: &password,
        },
        store::system_clock(),
    )?;
    logged_in(casefile, actor)
}

/// After every login: the last login and failed attempts since, on
/// standard error; then a one-time password replaced (asked for, or
/// CCU_NEW_PASSWORD) before anything else. Says whether it was.
fn logged_in(mut casefile: CaseFile, actor: Actor) -> Result<(CaseFile, Actor, bool), Failure> {
    tell_login_history(&casefile, &actor)?;
    if let Some(one_time) = casefile.one_time_password(&actor)? {
        eprintln!("ccu: {}", for_terminal(&one_time.line()));
        let chosen =
            password::new_password(actor.username(), "CCU_NEW_PASSWORD").map_err(|f| Failure {
                message: format!(
                    "{}; nothing else was done: choose your own password first",
                    f.message
                ),
                code: f.code,
            })?;
        casefile.execute(
            &actor,
            Command::SetPassword {
                username: actor.username().clone(),
                password: chosen,
            },
        )?;
        eprintln!(
            "ccu: Password changed for {}; the one-time password no longer works.",
            actor.username()
        );
        return Ok((casefile, actor, true));
    }
    Ok((casefile, actor, false))
}

/// At every login, on standard error: the last one, and the failed
/// attempts under the username since.
fn tell_login_history(casefile: &CaseFile, actor: &Actor) -> Result<(), Failure> {
    let history = casefile.login_history(actor)?;
    eprintln!("ccu: {}", history.line());
    Ok(())
}

/// Opens the terminal application: on the case file at `path`, on a form
/// that creates it when there is none, or on the demo file.
fn terminal_application(
    path: &std::path::Path,
    demo: bool,
    options: crate::tui::Options,
) -> Result<ExitCode, Failure> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Failure {
            message: "the terminal application needs a terminal; in scripts, use the commands in `ccu --help`".into(),
            code: ExitCode::Usage,
        });
    }
    if crate::keymap::Keymap::preset(&options.keymap).is_none() {
        return Err(Failure {
            message: format!(
                "--keymap: there is no preset '{}'; choose one of: {}",
                options.keymap,
                crate::keymap::PRESETS.join(", ")
            ),
            code: ExitCode::Usage,
        });
    }
    let start = if demo {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Failure {
                message: format!("{}: {e}", parent.display()),
                code: ExitCode::Failure,
            })?;
        }
        if !path.exists() {
            eprintln!("Building the demo case file {} …", path.display());
        }
        crate::tui::Start::Open(Box::new(crate::demo::open_or_create_demo(
            path,
            chrono::Utc::now(),
        )?))
    } else if path.exists() {
        crate::tui::Start::Open(Box::new(locate(path)?))
    } else {
        crate::tui::Start::Create(path.to_path_buf())
    };
    crate::tui::run(start, options).map_err(|e| Failure {
        message: format!("terminal: {e}"),
        code: ExitCode::Failure,
    })?;
    Ok(ExitCode::Ok)
}

/// `--file`, then `CCU_FILE` (both handled by clap), then the platform
/// data directory.
fn case_file_path(given: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(path) = given {
        return Ok(path);
    }
    directories::ProjectDirs::from("", "", "ccu")
        .map(|dirs| dirs.data_dir().join("casefile.ccu"))
        .ok_or_else(|| Failure {
            message: "cannot find a home directory for the default case file; give one with --file PATH or CCU_FILE".into(),
            code: ExitCode::Usage,
        })
}

/// Prints text from the case file, sanitised for the terminal.
fn say(out: &mut impl Write, text: &str) -> Result<(), Failure> {
    writeln!(out, "{}", for_terminal_lines(text)).map_err(|e| Failure {
        message: format!("cannot write to standard output: {e}"),
        code: ExitCode::Failure,
    })
}

/// Prints a value as indented JSON: lossless, never rewritten, and still
/// safe to print, since every control, bidirectional and zero-width
/// character in it is a `\uXXXX` escape ([`crate::sanitise::to_json_pretty`]).
fn say_json<T: serde::Serialize + ?Sized>(out: &mut impl Write, value: &T) -> Result<(), Failure> {
    let text = crate::sanitise::to_json_pretty(value).expect("plain data serialises");
    writeln!(out, "{text}").map_err(|e| Failure {
        message: format!("cannot write to standard output: {e}"),
        code: ExitCode::Failure,
    })
}

/// Opens a case file to sign a checkpoint of it or export it. A file that
/// opening refuses as altered (its schema, or its trail's last event) is
/// refused with `ccu check`'s own message and exit code, as is one that
/// `execute` finds does not verify.
fn open_to_sign(path: &std::path::Path, actor: &AsUser) -> Result<(CaseFile, Actor), Failure> {
    let locked = locate(path)?;
    let password = password::acting_password(&actor.as_user)?;
    let credentials = Credentials {
        username: &actor.as_user,
        password: &password,
    };
    match locked.unlock(credentials, store::system_clock()) {
        Ok((casefile, actor)) => {
            logged_in(casefile, actor).map(|(casefile, actor, _)| (casefile, actor))
        }
        Err(store::Error::SchemaAltered { .. } | store::Error::Integrity { .. }) => {
            let report = locked.unlock_for_check(credentials)?.check()?;
            Err(store::Error::CheckFailed {
                path: path.to_owned(),
                report,
            }
            .into())
        }
        opened => Ok(opened?),
    }
}

/// Like [`for_terminal`], but keeps the line breaks ccu itself put there.
fn for_terminal_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| for_terminal(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A plain table with columns padded to their widest cell. Cells are
/// sanitised before they are measured, so the columns line up.
fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let cells: Vec<Vec<String>> = std::iter::once(header.map(str::to_owned).to_vec())
        .chain(
            rows.iter()
                .map(|r| r.iter().map(|c| for_terminal(c).into_owned()).collect()),
        )
        .collect();
    let widths: Vec<usize> = (0..N)
        .map(|i| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    cells
        .iter()
        .map(|row| {
            row.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn tables_pad_columns_and_sanitise_cells() {
        let rows = [
            ["a\u{1b}b".to_owned(), "x".to_owned()],
            ["long-cell".to_owned(), "y".to_owned()],
        ];
        assert_eq!(
            table(&["H1", "H2"], &rows),
            "H1         H2\na\u{241b}b        x\nlong-cell  y"
        );
    }
}
