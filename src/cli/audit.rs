//! `ccu audit`: the trail's signing key, signed checkpoints, export
//! bundles for oversight, and their offline verification.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{AsUser, Failure, locate, logged_in, open, password, say};
use crate::domain::account::Username;
use crate::exit::ExitCode;
use crate::sanitise::for_terminal;
use crate::store::{self, Actor, CaseFile, Command, Credentials, Done};

#[derive(Debug, Subcommand)]
pub(super) enum AuditCommand {
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
    Export(Export),
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

#[derive(Debug, clap::Args)]
pub(super) struct Export {
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
}

pub(super) fn run(
    path: &Path,
    command: AuditCommand,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    match command {
        AuditCommand::Pubkey { actor } => pubkey(path, &actor, out),
        AuditCommand::Checkpoint { actor } => checkpoint(path, &actor, out),
        AuditCommand::Export(args) => export(path, args, out),
        AuditCommand::Verify { dir, pubkey, since } => verify(&dir, pubkey, since, out),
    }
}

/// `ccu audit pubkey`: the key that verifies the checkpoints, and its
/// fingerprint.
fn pubkey(path: &Path, actor: &AsUser, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let (casefile, _) = open(path, actor)?;
    let (key, fingerprint) = casefile.verifier_key()?;
    say(out, &format!("{key}\nfingerprint: SHA-256:{fingerprint}"))?;
    Ok(ExitCode::Ok)
}

/// `ccu audit checkpoint`: a signed checkpoint of the whole trail.
fn checkpoint(path: &Path, actor: &AsUser, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let (mut casefile, actor) = open_to_sign(path, actor)?;
    let Done::Checkpoint { tree_size, root } =
        casefile.execute(&actor, Command::RecordCheckpoint)?.result
    else {
        return Err(Failure::unexpected(
            "a checkpoint reports its size and root",
        ));
    };
    say(
        out,
        &format!("Signed a checkpoint of {tree_size} events (Merkle root {root})."),
    )?;
    Ok(ExitCode::Ok)
}

/// `ccu audit export`: a bundle for oversight, with a new checkpoint.
fn export(path: &Path, args: Export, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let Export {
        out: dir,
        from,
        to,
        operation,
        by,
        actor,
    } = args;
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
    let (mut casefile, actor) = open_to_sign(path, &actor)?;
    let Done::Exported {
        entries,
        full,
        tree_size,
    } = casefile
        .execute(&actor, Command::ExportAudit(request))?
        .result
    else {
        return Err(Failure::unexpected("an export reports what it wrote"));
    };
    say(
        out,
        &format!(
            "Wrote {entries} entries to {} ({} export; checkpoint of {tree_size} events). Verify with: ccu audit verify {} --pubkey KEY",
            dir.display(),
            if full { "full" } else { "filtered" },
            dir.display()
        ),
    )?;
    Ok(ExitCode::Ok)
}

/// `ccu audit verify`: a bundle checked with nothing but itself and the
/// public key.
fn verify(
    dir: &Path,
    pubkey: String,
    since: Option<PathBuf>,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    use crate::audit::bundle::{MAX_HELD_CHECKPOINT_BYTES, MAX_KEY_FILE_BYTES};
    let unreadable = |e: crate::files::ReadError| Failure {
        message: e.to_string(),
        code: ExitCode::Invalid,
    };
    // A path to anything (even a device, a pipe or a dangling link) is
    // meant as the key's file, and refused unless it is a regular file
    // within the limit; only a path to nothing is the key.
    let key_path = Path::new(&pubkey);
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
            crate::files::read_bounded_text(&p, MAX_HELD_CHECKPOINT_BYTES, "the earlier checkpoint")
                .map_err(unreadable)
        })
        .transpose()?;
    match crate::audit::bundle::verify(dir, &key, since.as_deref()) {
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

/// Opens a case file to sign a checkpoint of it or export it. A file that
/// opening refuses as altered (its schema, or its trail's last event) is
/// refused with `ccu check`'s own message and exit code, as is one that
/// `execute` finds does not verify.
fn open_to_sign(path: &Path, actor: &AsUser) -> Result<(CaseFile, Actor), Failure> {
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
