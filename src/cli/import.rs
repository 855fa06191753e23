//! `ccu import`: records brought in from files.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{AsUser, Failure, open, say};
use crate::exit::ExitCode;
use crate::import::ParsedFile;
use crate::sanitise::for_terminal;
use crate::store::ImportReport;

#[derive(Debug, Subcommand)]
pub(super) enum ImportCommand {
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

pub(super) fn run(
    path: &Path,
    command: ImportCommand,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    match command {
        ImportCommand::Intel {
            csv,
            skip_invalid,
            actor,
        } => intel(path, &csv, skip_invalid, &actor, out),
    }
}

/// The largest CSV file `ccu import` reads.
const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// `ccu import intel`: the whole file is checked before anything is
/// written; by default one bad row means nothing is imported.
fn intel(
    path: &Path,
    csv: &Path,
    skip_invalid: bool,
    actor: &AsUser,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let shown = csv.display().to_string();
    let mut parsed = checked(csv, &shown, skip_invalid)?;
    let (mut casefile, actor) = open(path, actor)?;
    let label = csv
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let report = casefile.import_intelligence(
        &actor,
        &label,
        std::mem::take(&mut parsed.rows)
            .into_iter()
            .map(|r| r.item)
            .collect(),
    )?;
    say(out, &summary(&shown, &report, &parsed))?;
    Ok(ExitCode::Ok)
}

/// The file read and every row checked, before any password is asked
/// for; refused whole if a row is invalid, unless `skip_invalid`.
fn checked(csv: &Path, shown: &str, skip_invalid: bool) -> Result<ParsedFile, Failure> {
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
    if !parsed.errors.is_empty() && !skip_invalid {
        let invalid = parsed.invalid_row_count();
        let total = parsed.rows.len() + invalid;
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
    Ok(parsed)
}

/// What an import says it did: the URNs it made, the rows it left as
/// they were, the staff numbers it could not link, the rows it skipped.
fn summary(shown: &str, report: &ImportReport, parsed: &ParsedFile) -> String {
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
        let invalid = parsed.invalid_row_count();
        lines.push(if invalid == 1 {
            "1 invalid row was not imported:".to_owned()
        } else {
            format!("{invalid} invalid rows were not imported:")
        });
        for e in &parsed.errors {
            lines.push(format!("  {}", for_terminal(&e.to_string())));
        }
    }
    lines.join("\n")
}
