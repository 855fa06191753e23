//! Every file ccu is pointed at is read with a bound, through the real
//! binary: a device that never ends (/dev/zero), a pipe nobody writes to,
//! a folder or a file over the limit, in place of the verifier key, the
//! earlier checkpoint, the CSV to import, the keyring or the keymap, is
//! refused at once with a message naming it and what it is, never read for
//! ever or into memory whole.

mod common;
mod tmux;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

/// Long enough for a slow machine, far shorter than for ever.
const PROMPTLY: Duration = Duration::from_secs(30);

/// The real binary with `args`, as [`ccu`] runs it, but killed (and the
/// test failed) if it has not finished within [`PROMPTLY`].
fn ccu_promptly(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ccu"));
    cmd.args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .env_remove("CCU_FILE")
        .env_remove("CCU_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the ccu binary runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > PROMPTLY {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("ccu {args:?} was still running after {PROMPTLY:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn fifo(path: &Path) -> PathBuf {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    path.to_owned()
}

/// A file of `len` bytes that takes no room (its size is all that matters).
fn sparse(path: &Path, len: u64) -> PathBuf {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
    path.to_owned()
}

fn refused(out: &std::process::Output, code: i32, message: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err, format!("ccu: error: {message}\n"));
    assert!(stdout(out).is_empty(), "{}", stdout(out));
}

#[test]
fn audit_verify_refuses_a_device_pipe_folder_or_huge_file_as_key_or_earlier_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir(&bundle).unwrap();
    let bundle = bundle.to_str().unwrap();
    // No such path, so this is the key itself.
    let key = "ccu/00+00+AA";
    let pipe = fifo(&dir.path().join("pipe"));
    let huge = sparse(&dir.path().join("huge.txt"), (64 << 10) + 1);
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let cases: [(&Path, &str); 4] = [
        (
            Path::new("/dev/zero"),
            "it is a character device, not a regular file",
        ),
        (&pipe, "it is a named pipe (FIFO), not a regular file"),
        (&folder, "it is a directory, not a regular file"),
        (
            &huge,
            "it is larger than 64 KiB, the most ccu reads for this file",
        ),
    ];
    for (path, why) in cases {
        let shown = path.to_str().unwrap();
        let out = ccu_promptly(
            &["audit", "verify", bundle, "--pubkey", key, "--since", shown],
            &[],
        );
        refused(
            &out,
            5,
            &format!("{shown}: cannot read the earlier checkpoint: {why}"),
        );
        let out = ccu_promptly(&["audit", "verify", bundle, "--pubkey", shown], &[]);
        refused(&out, 5, &format!("{shown}: cannot read the key: {why}"));
    }
    // A link to nothing is a file that is missing, not a key.
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let shown = dangling.to_str().unwrap();
    let out = ccu_promptly(&["audit", "verify", bundle, "--pubkey", shown], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.starts_with(&format!("ccu: error: {shown}: cannot read the key: ")),
        "{err}"
    );
}

#[test]
fn import_refuses_a_device_pipe_or_huge_csv_before_asking_for_a_password() {
    let dir = tempfile::tempdir().unwrap();
    // The file is read before the case file is opened: none is needed.
    let casefile = dir.path().join("none.ccu");
    let pipe = fifo(&dir.path().join("alerts.csv"));
    let huge = sparse(&dir.path().join("huge.csv"), (64 << 20) + 1);
    let cases: [(&Path, &str); 3] = [
        (
            Path::new("/dev/zero"),
            "it is a character device, not a regular file",
        ),
        (&pipe, "it is a named pipe (FIFO), not a regular file"),
        (
            &huge,
            "it is larger than 64 MiB, the most ccu reads for this file; split it",
        ),
    ];
    for (path, why) in cases {
        let shown = path.to_str().unwrap();
        let out = ccu_promptly(
            &[
                "import",
                "intel",
                shown,
                "--as",
                "inv",
                "--file",
                casefile.to_str().unwrap(),
            ],
            &[],
        );
        refused(&out, 5, &format!("{shown}: cannot read the file: {why}"));
    }
    assert!(!casefile.exists());
}

#[test]
fn a_keyring_that_is_a_device_pipe_or_huge_is_refused_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let casefile = dir.path().join("unit.ccu");
    let file = casefile.to_str().unwrap();
    init_cli(file);
    let keyring = ccu::store::keyring_path(&casefile);
    std::fs::rename(&keyring, dir.path().join("kept.keys")).unwrap();
    let shown = keyring.to_str().unwrap();
    let damaged = |why: &str| {
        format!(
            "{shown}: the case file's keyring is damaged: {why}. ccu has left it and the case file as they were; restore both from a backup"
        )
    };
    let check = || {
        ccu_promptly(
            &["check", "--file", file, "--as", ADMIN],
            &[("CCU_PASSWORD", ADMIN_PASSWORD)],
        )
    };

    fifo(&keyring);
    refused(
        &check(),
        3,
        &damaged("it is a named pipe (FIFO), not a regular file"),
    );
    std::fs::remove_file(&keyring).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &keyring).unwrap();
    refused(
        &check(),
        3,
        &damaged("it is a character device, not a regular file"),
    );
    std::fs::remove_file(&keyring).unwrap();
    sparse(&keyring, (16 << 20) + 1);
    refused(
        &check(),
        3,
        &damaged("it is larger than a keyring can be (16777216 bytes)"),
    );
}

/// The user's keymap is read before the terminal application draws: a
/// device in its place is reported (on standard error, as every keymap
/// problem is) and the application opens with the defaults, instead of
/// never opening.
#[test]
fn a_keymap_that_is_a_device_is_reported_and_the_application_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("ccu")).unwrap();
    let keymap = config.join("ccu").join("keymap.toml");
    std::os::unix::fs::symlink("/dev/zero", &keymap).unwrap();
    let command = format!(
        "XDG_CONFIG_HOME='{}' {} --file '{}'; echo \"exit=$?\"; sleep 60",
        config.display(),
        env!("CARGO_BIN_EXE_ccu"),
        dir.path().join("new.ccu").display()
    );
    let tmux = tmux::Tmux::start("keymap-device", &command);
    tmux.wait_for_up_to("Create a case file", PROMPTLY);
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("exit=").replace('\n', "");
    assert!(
        screen.contains(&format!(
            "ccu: {}: cannot read the file: it is a character device, not a regular file",
            keymap.display()
        )),
        "{screen}"
    );
    assert!(screen.contains("exit=0"), "{screen}");
}
