//! Where passwords come from: a hidden prompt on a terminal, otherwise an
//! environment variable (for scripts and tests).

use crate::exit::ExitCode;
use std::io::IsTerminal;

use zeroize::Zeroizing;

use super::Failure;
use crate::domain::account::{NewPassword, Username};

fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

fn from_env(var: &str, purpose: &str) -> Result<String, Failure> {
    std::env::var(var).map_err(|_| Failure {
        message: format!(
            "standard input is not a terminal, so {purpose} cannot be asked for: set {var}"
        ),
        code: ExitCode::Usage,
    })
}

fn prompt(text: &str) -> Result<String, Failure> {
    rpassword::prompt_password(text).map_err(|e| Failure {
        message: format!("could not read a password from the terminal: {e}"),
        code: ExitCode::Failure,
    })
}

/// The password of the user named with `--as`; wiped from memory when
/// dropped.
pub fn acting_password(username: &str) -> Result<Zeroizing<String>, Failure> {
    let name = crate::sanitise::for_terminal(username);
    if stdin_is_terminal() {
        prompt(&format!("Password for {name}: ")).map(Zeroizing::new)
    } else {
        from_env("CCU_PASSWORD", "your password").map(Zeroizing::new)
    }
}

/// A new password for `username`, checked against the policy; typed twice
/// on a terminal.
pub fn new_password(username: &Username, env_var: &str) -> Result<NewPassword, Failure> {
    let text = if stdin_is_terminal() {
        let first = prompt(&format!("New password for {username}: "))?;
        let again = prompt("Type it again: ")?;
        if first != again {
            return Err(Failure {
                message: "password: the two entries differ; nothing was changed".into(),
                code: ExitCode::Invalid,
            });
        }
        first
    } else {
        from_env(env_var, &format!("a new password for {username}"))?
    };
    Ok(NewPassword::parse(text, username)?)
}

/// The head of unit's password at `ccu init`, typed twice on a terminal by
/// the head themselves (the administrator looks away), or read from
/// CCU_HEAD_PASSWORD.
pub fn head_password(username: &Username) -> Result<NewPassword, Failure> {
    if stdin_is_terminal() {
        eprintln!(
            "Now the head of unit, {username}: type your own password (the administrator should not see it)."
        );
    }
    new_password(username, "CCU_HEAD_PASSWORD").map_err(|f| Failure {
        message: f
            .message
            .replacen("password:", "the head of unit's password:", 1),
        code: f.code,
    })
}

/// A head of unit's existing password, at `ccu encrypt`: a hidden prompt
/// (the head types it), or CCU_HEAD_PASSWORD.
pub fn existing_head_password(username: &Username) -> Result<Zeroizing<String>, Failure> {
    if stdin_is_terminal() {
        prompt(&format!("Password for the head of unit {username}: ")).map(Zeroizing::new)
    } else {
        from_env("CCU_HEAD_PASSWORD", "the head of unit's password").map(Zeroizing::new)
    }
}
