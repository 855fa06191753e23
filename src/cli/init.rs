//! `ccu init`: a new case file with its first administrator and its head
//! of unit.

use std::io::Write;
use std::path::Path;

use super::{Failure, password, say};
use crate::domain::InvalidInput;
use crate::domain::account::{DisplayName, Rank, Username};
use crate::exit::ExitCode;
use crate::store::{self, CaseFile, FirstAdministrator};

#[derive(Debug, clap::Args)]
pub(super) struct Init {
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
}

/// Creates the case file at `path`; every argument is checked before
/// either password is asked for.
pub(super) fn run(path: &Path, args: Init, out: &mut impl Write) -> Result<ExitCode, Failure> {
    let Init {
        admin,
        display_name,
        rank,
        head,
        head_display_name,
        head_rank,
    } = args;
    let username = Username::parse(&admin)?;
    let display_name = DisplayName::parse(display_name.as_deref().unwrap_or(&admin))?;
    let rank = Rank::parse(&rank)?;
    let head_name = Username::parse(&head).map_err(|e| InvalidInput::new("--head", e.message))?;
    let head_display = DisplayName::parse(head_display_name.as_deref().unwrap_or(&head))
        .map_err(|e| InvalidInput::new("--head-display-name", e.message))?;
    let head_rank =
        Rank::parse(&head_rank).map_err(|e| InvalidInput::new("--head-rank", e.message))?;
    // Checked before any password is asked for.
    store::HeadOfUnit::check_parts(&head_name, head_rank, &username)?;
    if path.exists() {
        return Err(store::Error::AlreadyExists {
            path: path.to_owned(),
        }
        .into());
    }
    let password = password::new_password(&username, "CCU_PASSWORD")?;
    let head_password = password::head_password(&head_name)?;
    let casefile = CaseFile::create(
        path,
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
