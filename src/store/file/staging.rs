//! A new case file appears whole or not at all: `init` (and the demo)
//! build it under a hidden name beside where it is to go, `.NAME.init`
//! with its keyring `.NAME.init.keys`, and only when it is complete are
//! the two linked into place, the keyring first. A lock file
//! (`.NAME.init.lock`, held with `flock`) keeps two inits of one name
//! apart and tells a leftover from a live one.
//!
//! An init killed part way leaves only hidden files, which the next init
//! of the same name clears. Killed between the two links, it leaves a
//! keyring with no case file; that keyring is the same file (inode) as
//! the hidden one, so the next init knows it for its own and clears it
//! too. Nothing a user made is ever removed: only files that are, by
//! name and inode, an unfinished init's own.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::keyring::keyring_path;
use crate::store::plumbing::{private_options, try_lock};
use crate::store::{Error, Result};

/// A claimed hidden name, held by its lock until published or dropped.
pub(in crate::store) struct Staged {
    /// Where the case file is to go.
    target: PathBuf,
    /// The hidden name it is built under.
    pub(in crate::store) path: PathBuf,
    lock_path: PathBuf,
    /// The open lock file; its `flock` is released when it is closed.
    _lock: fs::File,
    published: bool,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Removes a file if it is there; any other failure is an error.
fn remove_if_there(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(path)(e)),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::symlink_metadata(a), fs::symlink_metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

impl Staged {
    /// Claims the hidden name for a case file to go at `target`: refuses
    /// a target (or its keyring) that exists, and clears what an earlier,
    /// killed init of the same name left.
    pub(in crate::store) fn claim(target: &Path) -> Result<Staged> {
        let name = target
            .file_name()
            .ok_or_else(|| Error::Io {
                path: target.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "a case file needs a file name",
                ),
            })?
            .to_string_lossy()
            .into_owned();
        let dir = target.parent().unwrap_or(Path::new(""));
        let path = dir.join(format!(".{name}.init"));
        let lock_path = with_suffix(&path, ".lock");
        let Some(lock) = try_lock(&lock_path).map_err(io(&lock_path))? else {
            return Err(Error::InitInProgress {
                path: target.to_owned(),
            });
        };
        let staged = Staged {
            target: target.to_owned(),
            path,
            lock_path,
            _lock: lock,
            published: false,
        };
        let keys = keyring_path(target);
        // A keyring with no case file, that is the unfinished init's own.
        if !target.exists() && same_file(&keys, &keyring_path(&staged.path)) {
            remove_if_there(&keys)?;
        }
        if target.exists() || fs::symlink_metadata(target).is_ok() {
            return Err(Error::AlreadyExists {
                path: target.to_owned(),
            });
        }
        if fs::symlink_metadata(&keys).is_ok() {
            return Err(Error::AlreadyExists { path: keys });
        }
        staged.clear()?;
        private_options()
            .write(true)
            .create_new(true)
            .open(&staged.path)
            .map_err(io(&staged.path))?;
        Ok(staged)
    }

    /// Removes every file under the hidden name: the case file, its
    /// SQLite sidecars, its keyring and the keyring's temporary copies.
    fn clear(&self) -> Result<()> {
        for suffix in ["", "-wal", "-shm", "-journal", ".keys"] {
            remove_if_there(&with_suffix(&self.path, suffix))?;
        }
        let keys = keyring_path(&self.path);
        let prefix = format!(
            "{}.tmp-",
            keys.file_name().expect("a file name").to_string_lossy()
        );
        let dir = keys.parent().filter(|d| !d.as_os_str().is_empty());
        if let Ok(entries) = fs::read_dir(dir.unwrap_or(Path::new("."))) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    remove_if_there(&entry.path())?;
                }
            }
        }
        Ok(())
    }

    /// Links the finished case file (closed, its WAL checkpointed away)
    /// and its keyring into place, the keyring first, then removes the
    /// hidden names.
    pub(in crate::store) fn publish(mut self) -> Result<()> {
        let keys = keyring_path(&self.target);
        let staged_keys = keyring_path(&self.path);
        link_new(&staged_keys, &keys)?;
        if let Err(e) = link_new(&self.path, &self.target) {
            if same_file(&keys, &staged_keys) {
                let _ = fs::remove_file(&keys);
            }
            return Err(e);
        }
        self.published = true;
        let _ = self.clear();
        let _ = fs::remove_file(&self.lock_path);
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            sync_dir(dir);
        } else {
            sync_dir(Path::new("."));
        }
        Ok(())
    }
}

impl Drop for Staged {
    /// An init that failed, or was not published, leaves nothing behind.
    fn drop(&mut self) {
        if !self.published {
            let _ = self.clear();
            let _ = fs::remove_file(&self.lock_path);
        }
    }
}

/// Puts `from` at `to` unless something is there: a hard link, which
/// never replaces; a rename (checked first) where links are not
/// supported.
fn link_new(from: &Path, to: &Path) -> Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::AlreadyExists {
            path: to.to_owned(),
        }),
        Err(_) if fs::symlink_metadata(to).is_err() => fs::rename(from, to).map_err(io(to)),
        Err(e) => Err(io(to)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        fs::write(path, b"x").unwrap();
    }

    #[test]
    fn leftovers_of_a_killed_init_are_cleared_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("unit.ccu");
        let hidden = dir.path().join(".unit.ccu.init");
        // Killed while building: the hidden files, a keyring's temporary.
        for name in [
            ".unit.ccu.init",
            ".unit.ccu.init-wal",
            ".unit.ccu.init.keys",
            ".unit.ccu.init.keys.tmp-0a1b2c",
            ".unit.ccu.init.lock",
        ] {
            touch(&dir.path().join(name));
        }
        // Killed between the two links: the keyring in place is the
        // hidden one.
        fs::hard_link(keyring_path(&hidden), keyring_path(&target)).unwrap();
        let staged = Staged::claim(&target).unwrap();
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".unit.ccu.init", ".unit.ccu.init.lock"]);
        assert_eq!(fs::metadata(&staged.path).unwrap().len(), 0, "made anew");
        drop(staged);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_keyring_of_its_own_is_never_taken_for_a_leftover() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("unit.ccu");
        touch(&keyring_path(&target));
        touch(&dir.path().join(".unit.ccu.init.keys"));
        assert!(matches!(
            Staged::claim(&target),
            Err(Error::AlreadyExists { path }) if path == keyring_path(&target)
        ));
        assert!(keyring_path(&target).exists());
        touch(&target);
        assert!(matches!(
            Staged::claim(&target),
            Err(Error::AlreadyExists { path }) if path == target
        ));
    }

    #[test]
    fn one_init_of_a_name_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("unit.ccu");
        let first = Staged::claim(&target).unwrap();
        assert!(matches!(
            Staged::claim(&target),
            Err(Error::InitInProgress { .. })
        ));
        assert!(first.path.exists(), "the first init's file is left alone");
        drop(first);
        Staged::claim(&target).unwrap();
    }
}
