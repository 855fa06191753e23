//! The process exit codes, one name each (docs/cli.md, "Errors and exit
//! codes"): what a script reading `$?` can rely on.

use std::fmt;

/// Why `ccu` stopped, as its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ExitCode {
    /// Done.
    Ok = 0,
    /// Something failed that is not the user's doing: the disk, SQLite,
    /// a lock waited on too long.
    Failure = 1,
    /// How ccu was run: an argument, a variable, no terminal to ask on.
    Usage = 2,
    /// The file given is not one ccu will open: missing, not a case file,
    /// newer, damaged, unencrypted, or with a log that is not its own.
    FileRefused = 3,
    /// The login, or the command for this account, was refused.
    Refused = 4,
    /// Bad input, or a record that does not exist for this user.
    Invalid = 5,
    /// The audit chain, the database or a checkpoint failed its check.
    CheckFailed = 6,
    /// The chain verifies, but rows, schema, search index or checkpoints
    /// do not answer to it.
    RowsAltered = 7,
}

impl ExitCode {
    /// The number the process exits with.
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl From<ExitCode> for i32 {
    fn from(code: ExitCode) -> i32 {
        code.code()
    }
}

impl PartialEq<i32> for ExitCode {
    fn eq(&self, other: &i32) -> bool {
        self.code() == *other
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_are_the_documented_numbers() {
        let all = [
            ExitCode::Ok,
            ExitCode::Failure,
            ExitCode::Usage,
            ExitCode::FileRefused,
            ExitCode::Refused,
            ExitCode::Invalid,
            ExitCode::CheckFailed,
            ExitCode::RowsAltered,
        ];
        for (n, code) in all.into_iter().enumerate() {
            assert_eq!(code, n as i32);
        }
    }
}
