//! The case file as a file: telling one from anything else, vetting it
//! before anything writes, its WAL, its keyring and data key, making a new
//! one whole or not at all, custody (re-keying, backups, encrypting an old
//! file) and the facts kept about the file itself (docs/security.md).

pub(super) mod custody;
pub(super) mod keyring;
pub(super) mod probe;
pub(super) mod settings;
pub(super) mod staging;
pub(super) mod vet;
pub(super) mod wal;
