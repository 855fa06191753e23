//! The case file as a file: telling one from anything else, vetting it
//! before anything writes, its WAL, its keyring and data key, making a new
//! one whole or not at all, custody (re-keying, backups, encrypting an old
//! file) and the facts kept about the file itself (docs/security.md).

// A module for every file in this folder, found by the build (`build.rs`).
include!(concat!(env!("OUT_DIR"), "/store_file.rs"));
