//! `ccu check`: the database's integrity and the whole audit chain,
//! verified without writing anything.

use std::io::Write;
use std::path::Path;

use super::{AsUser, Failure, for_terminal_lines, locate, password, say};
use crate::exit::ExitCode;
use crate::store::{CheckReport, Credentials};

pub(super) fn run(path: &Path, actor: &AsUser, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let locked = locate(path)?;
    let password = password::acting_password(&actor.as_user)?;
    let casefile = locked.unlock_for_check(Credentials {
        username: &actor.as_user,
        password: &password,
    })?;
    let report = casefile.check()?;
    match (&report, report.describe(path)) {
        (CheckReport::Verified { events }, _) => {
            say(
                out,
                &format!("ok: {events} events, chain verified, every row answers to it"),
            )?;
            Ok(ExitCode::Ok)
        }
        (_, problem) => {
            // Line breaks are ccu's own; what the case file holds (names,
            // references) is made safe line by line.
            eprintln!(
                "ccu: check failed: {}",
                for_terminal_lines(&problem.unwrap_or_default())
            );
            Ok(report.exit_code())
        }
    }
}
