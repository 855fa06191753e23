//! The command line: clap subcommands that call the same library the
//! terminal application uses. Exit codes are listed in docs/cli.md.
//!
//! This module holds the top-level command line, the dispatch and what
//! every subcommand shares (opening the case file as `--as`, printing);
//! each subcommand, or group of them, is a module of its own.

mod audit;
mod authorisations;
mod check;
mod custody;
mod due;
mod import;
mod init;
mod password;
mod report;
mod settings;
mod terminal;
mod user;

use crate::exit::ExitCode;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::domain::InvalidInput;
use crate::sanitise::for_terminal;
use crate::store::{self, Actor, CaseFile, Command, Credentials};

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
    Init(init::Init),
    /// Manage user accounts
    User {
        #[command(subcommand)]
        command: user::UserCommand,
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
        command: audit::AuditCommand,
    },
    /// Reports for analysts, as JSON or CSV, on what the user may see; each read is logged (field names in docs/reports.md)
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// The rules the unit works to: the IOPC referral deadline and the status drift threshold
    Settings {
        #[command(subcommand)]
        command: settings::SettingsCommand,
    },
    /// Bring records in from files
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
}

#[derive(Debug, clap::Args)]
struct AsUser {
    /// Who is acting (their password is asked for, or read from CCU_PASSWORD)
    #[arg(long = "as", env = "CCU_USER", value_name = "USERNAME")]
    as_user: String,
}

/// Why a command failed, and the exit code that says so.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: ExitCode,
}

impl Failure {
    /// A command that reported something other than what it reports: the
    /// change was made (it is in the audit trail), but what it came to
    /// cannot be said here.
    pub(crate) fn unexpected(what: &str) -> Failure {
        Failure {
            message: format!(
                "done, but ccu could not report the result ({what}); the event is in the audit trail"
            ),
            code: ExitCode::Failure,
        }
    }
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
            // was sanitised where it was put in (see import::checked).
            eprintln!("ccu: error: {}", for_terminal_lines(&failure.message));
            failure.code.code()
        }
    }
}

/// Runs the command the arguments name: each subcommand's module does
/// the work and the printing.
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
        return terminal::run(&path, false, options);
    };
    match command {
        TopCommand::Demo => terminal::run(&path, true, options),
        TopCommand::Init(args) => init::run(&path, args, out),
        TopCommand::User { command } => user::run(&path, command, out),
        TopCommand::Check { actor } => check::run(&path, &actor, out),
        TopCommand::Rekey { actor } => custody::rekey(&path, &actor, out),
        TopCommand::Backup { out: file, actor } => custody::backup(&path, &file, &actor, out),
        TopCommand::Encrypt { head, actor } => custody::encrypt(&path, head, &actor, out),
        TopCommand::Due {
            within,
            json,
            actor,
        } => due::run(&path, within, json, &actor, out),
        TopCommand::Authorisations {
            central_record: _,
            csv,
            json,
            actor,
        } => authorisations::central_record(&path, csv, json, &actor, out),
        TopCommand::Audit { command } => audit::run(&path, command, out),
        TopCommand::Import { command } => import::run(&path, command, out),
        TopCommand::Report { command } => report::run(&path, command, out),
        TopCommand::Settings { command } => settings::run(&path, command, out),
    }
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
