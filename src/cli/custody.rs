//! Custody of the case file's keys and copies: `ccu rekey`, `ccu backup`
//! and `ccu encrypt`.

use std::io::Write;
use std::path::Path;

use super::{AsUser, Failure, open, password, say};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::exit::ExitCode;
use crate::store::{self, CaseFile, Credentials, Done};

/// `ccu rekey`: a new data key, sealed only to the accounts active now.
pub(super) fn rekey(
    path: &Path,
    actor: &AsUser,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let (mut casefile, actor) = open(path, actor)?;
    let Done::Rekeyed {
        key,
        sealed_to,
        left_out,
    } = casefile.rekey(&actor)?.result
    else {
        return Err(Failure::unexpected("a re-key reports the new key"));
    };
    say(
        out,
        &format!(
            "Re-keyed {}: a new data key (fingerprint {key}), sealed to the {} active accounts.{}",
            path.display(),
            sealed_to.len(),
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

/// `ccu backup`: a checked encrypted copy of the case file and its keyring.
pub(super) fn backup(
    path: &Path,
    file: &Path,
    actor: &AsUser,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    // Refused before the unlock (a login) is written.
    for p in [file.to_owned(), store::keyring_path(file)] {
        if p.exists() {
            return Err(store::Error::AlreadyExists { path: p }.into());
        }
    }
    let (mut casefile, actor) = open(path, actor)?;
    let Done::BackedUp { events, .. } = casefile.backup(&actor, file)?.result else {
        return Err(Failure::unexpected("a backup reports the events it holds"));
    };
    say(
        out,
        &format!(
            "Backed up {} to {} and {} ({events} events; the copy was opened and checked). Restore it as docs/security.md says.",
            path.display(),
            file.display(),
            store::keyring_path(file).display(),
        ),
    )?;
    Ok(ExitCode::Ok)
}

/// `ccu encrypt`: a case file from an earlier ccu, which kept it
/// unencrypted, encrypted in place.
pub(super) fn encrypt(
    path: &Path,
    head: Option<String>,
    actor: &AsUser,
    out: &mut impl Write,
) -> Result<ExitCode, Failure> {
    let head = head
        .map(|h| Username::parse(&h).map_err(|e| InvalidInput::new("--head", e.message)))
        .transpose()?;
    let password = password::acting_password(&actor.as_user)?;
    let head_password = match &head {
        Some(name) => Some(password::existing_head_password(name)?),
        None => None,
    };
    let done = CaseFile::encrypt_with_head(
        path,
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
        store::keyring_path(path).display(),
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
