//! Inputs that once made `ccu` panic, files left half made, writes that
//! locked others out, and a write-ahead log from elsewhere: each through
//! the real binary on a real case file.

mod common;
mod tmux;

use common::*;

const HEAD_ENV: (&str, &str) = ("CCU_PASSWORD", HEAD_PASSWORD);

/// Exit code 101 is Rust's panic; a refusal is a message and a code of
/// ccu's own.
fn refused(out: &std::process::Output, says: &str) {
    assert_ne!(out.status.code(), Some(101), "panicked: {}", stderr(out));
    assert!(!out.status.success(), "accepted: {}", stdout(out));
    let text = stderr(out);
    assert!(text.contains(says), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

/// A new case file, `unit.ccu` in a folder of its own, made by `ccu init`.
fn initialised() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unit.ccu");
    init_cli(path.to_str().unwrap());
    (dir, path)
}

#[test]
fn numbers_and_dates_past_the_calendar_are_refused_not_panicked_on() {
    let (dir, path) = initialised();
    let file = path.to_str().unwrap();
    let out_dir = dir.path().join("bundle");
    let out_dir = out_dir.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--file", file];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--as", HEAD]);
        ccu(&all, &[HEAD_ENV])
    };
    refused(
        &run(&["due", "--within", "100000000"]),
        "100000000 is not in 0..=3660",
    );
    refused(
        &run(&["audit", "export", "--out", out_dir, "--to", "+262142-12-31"]),
        "'+262142-12-31' is outside the years ccu records (1900 to 2200)",
    );
    refused(
        &run(&[
            "audit",
            "export",
            "--out",
            out_dir,
            "--from",
            "01/01/-262143",
        ]),
        "'01/01/-262143' is outside the years ccu records (1900 to 2200)",
    );
    assert!(!std::path::Path::new(out_dir).exists(), "no bundle begun");
    // The edge of the range is a diary.
    let out = run(&["due", "--within", "3660"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A small xorshift generator: the seed is printed, so a failure can be
/// replayed with CCU_TEST_SEED.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let seed = std::env::var("CCU_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        println!("seed {seed} (replay with CCU_TEST_SEED={seed})");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn names_in(dir: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let (hidden, shown) = files_in(dir).into_iter().partition(|n| n.starts_with('.'));
    (shown, hidden)
}

fn init_args(file: &str) -> Vec<&str> {
    let mut args = vec!["init", "--file", file, "--admin", ADMIN, "--rank", "DI"];
    args.extend_from_slice(&HEAD_ARGS);
    args
}

#[test]
fn a_killed_init_leaves_a_whole_case_file_or_none_and_a_new_init_then_works() {
    let mut rng = Rng::seeded();
    let root = tempfile::tempdir().unwrap();
    // How long an init takes here, so that kills fall all through it.
    let started = std::time::Instant::now();
    init_cli(root.path().join("timed.ccu").to_str().unwrap());
    let span = started.elapsed().as_millis() as u64 + 50;
    let (mut whole, mut none, mut leftovers) = (0, 0, 0);
    for round in 0..24 {
        let dir = root.path().join(format!("round-{round}"));
        std::fs::create_dir(&dir).unwrap();
        let file = dir.join("unit.ccu");
        let file = file.to_str().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ccu"))
            .args(init_args(file))
            .env("CCU_PASSWORD", ADMIN_PASSWORD)
            .env(HEAD_PW.0, HEAD_PW.1)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(rng.below(span)));
        let _ = child.kill();
        child.wait().unwrap();
        let (shown, hidden) = names_in(&dir);
        if shown.is_empty() {
            none += 1;
            leftovers += usize::from(!hidden.is_empty());
            // What the killed init left does not stand in the way.
            init_cli(file);
        } else {
            whole += 1;
            // Killed with the finished file open, SQLite's own sidecars
            // may be there too.
            let mine: Vec<_> = shown
                .iter()
                .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
                .collect();
            assert_eq!(
                mine,
                ["unit.ccu", "unit.ccu.keys"],
                "round {round}: {shown:?}, {hidden:?}"
            );
        }
        let out = ccu(&["--file", file, "check", "--as", HEAD], &[HEAD_ENV]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            stderr(&out)
        );
        let (shown, hidden) = names_in(&dir);
        assert_eq!(
            shown,
            ["unit.ccu", "unit.ccu.keys"],
            "round {round}: {shown:?}"
        );
        // Killed in the instant after the files were linked into place,
        // the hidden names may remain: the lock, and other names of the
        // finished files themselves, never a file of their own.
        for name in &hidden {
            if name == ".unit.ccu.init.lock" {
                continue;
            }
            use std::os::unix::fs::MetadataExt;
            let ino = |n: &str| std::fs::metadata(dir.join(n)).unwrap().ino();
            assert!(
                [ino("unit.ccu"), ino("unit.ccu.keys")].contains(&ino(name)),
                "round {round}: {name} left, not the finished file: {hidden:?}"
            );
        }
    }
    println!(
        "killed inits: {whole} finished first, {none} left no case file ({leftovers} of them hidden leftovers, cleared by the next init)"
    );
}

#[test]
fn a_killed_export_leaves_no_bundle_without_its_event_and_no_signature_on_disk() {
    let mut rng = Rng::seeded();
    let (dir, path) = initialised();
    let file = path.to_str().unwrap();
    let out = ccu(
        &["--file", file, "audit", "pubkey", "--as", HEAD],
        &[HEAD_ENV],
    );
    let pubkey = stdout(&out).lines().next().unwrap().to_owned();
    let export = |out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ccu"))
            .args([
                "--file", file, "audit", "export", "--out", out, "--as", HEAD,
            ])
            .env("CCU_PASSWORD", HEAD_PASSWORD)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let started = std::time::Instant::now();
    let first = dir.path().join("timed");
    assert!(export(first.to_str().unwrap()).wait().unwrap().success());
    let span = started.elapsed().as_millis() as u64 + 30;
    let (mut bundles, mut none, mut staged) = (0, 0, 0);
    for round in 0..20 {
        let bundle = dir.path().join(format!("bundle-{round}"));
        let name = bundle.to_str().unwrap();
        let mut child = export(name);
        std::thread::sleep(std::time::Duration::from_millis(rng.below(span)));
        let _ = child.kill();
        child.wait().unwrap();
        let events = count(
            &path,
            &format!(
                "SELECT count(*) FROM audit_event WHERE action = 'audit.export' AND entity_ref = '{name}'"
            ),
        );
        if bundle.exists() {
            bundles += 1;
            assert_eq!(events, 1, "round {round}: a bundle without its event");
            let out = ccu(&["audit", "verify", name, "--pubkey", &pubkey], &[]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}: {}",
                stderr(&out)
            );
        } else {
            none += 1;
        }
        // The hidden folder never holds a signature: only after its
        // event commits are the signed files written, and the folder
        // renamed at once.
        let hidden = dir.path().join(format!(".bundle-{round}.export"));
        if hidden.exists() {
            staged += 1;
            if events == 0 {
                let names = files_in(&hidden);
                assert!(
                    !names
                        .iter()
                        .any(|n| n == "manifest.sig" || n == "checkpoint.txt"),
                    "round {round}: signed files with no event: {names:?}"
                );
            }
        }
        let out = ccu(&["--file", file, "check", "--as", HEAD], &[HEAD_ENV]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: {}",
            stderr(&out)
        );
    }
    println!(
        "killed exports: {bundles} finished, {none} left no bundle ({staged} a hidden folder)"
    );
    // A new export into a folder a killed one left half made works, and
    // clears what was left.
    let again = dir.path().join("bundle-0");
    if !again.exists() {
        assert!(export(again.to_str().unwrap()).wait().unwrap().success());
        assert!(!dir.path().join(".bundle-0.export").exists());
        assert!(again.join("manifest.sig").exists());
    }
}

#[test]
fn a_command_waits_for_another_write_and_says_so_instead_of_failing() {
    let (_dir, path) = initialised();
    let file = path.to_str().unwrap();
    // Another writer holds the lock, as a long import does.
    let holder = raw_conn(&path);
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_ccu"))
        .args(["--file", file, "due", "--as", HEAD])
        .env("CCU_PASSWORD", HEAD_PASSWORD)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Well past the five seconds after which it once gave up.
    std::thread::sleep(std::time::Duration::from_secs(7));
    holder.execute_batch("ROLLBACK").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stderr(&out);
    assert_eq!(
        text.matches("waiting for another write to finish...")
            .count(),
        1,
        "{text}"
    );
    assert!(stdout(&out).contains("Nothing is due"), "{}", stdout(&out));
}

/// A case file at `dir/name` with a write-ahead log of committed frames
/// beside it, as a process killed with the file open leaves it: a login
/// whose connection is never closed.
fn with_live_wal(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    init_cli(path.to_str().unwrap());
    let (casefile, _) = open(&path, HEAD, HEAD_PASSWORD);
    // Never closed, so never checkpointed: the log stays as it is.
    std::mem::forget(casefile);
    let wal = sidecar(&path, "-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 32,
        "frames in the log"
    );
    path
}

fn sidecar(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

/// A copy of the case file, its keyring and its log (no `-shm`), as a
/// crash leaves them for the next process.
fn copy_crashed(from: &std::path::Path, to: &std::path::Path) {
    for suffix in ["", ".keys", "-wal"] {
        std::fs::copy(sidecar(from, suffix), sidecar(to, suffix)).unwrap();
    }
}

/// SQLite's WAL checksum, little- or big-endian words, carried on.
fn wal_checksum(data: &[u8], big: bool, mut s: (u32, u32)) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let w = |b: &[u8]| {
            let b: [u8; 4] = b.try_into().unwrap();
            if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        s.0 = s.0.wrapping_add(w(&pair[..4]).wrapping_add(s.1));
        s.1 = s.1.wrapping_add(w(&pair[4..]).wrapping_add(s.0));
    }
    s
}

#[test]
fn a_log_left_by_a_crash_is_replayed_and_one_from_elsewhere_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let a = with_live_wal(dir.path(), "a.ccu");
    let b = with_live_wal(dir.path(), "b.ccu");
    let logins = |path: &std::path::Path| {
        count(
            path,
            "SELECT count(*) FROM audit_event WHERE action = 'login' AND outcome = 'ok'",
        )
    };

    // A's own log, as a crash leaves it: replayed, the login in it kept.
    let crashed = dir.path().join("crashed.ccu");
    copy_crashed(&a, &crashed);
    let crashed_file = crashed.to_str().unwrap();
    let out = ccu(
        &["--file", crashed_file, "check", "--as", HEAD],
        &[HEAD_ENV],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(logins(&crashed), 1, "the login in the log is in the file");

    // B's log beside a copy of A.
    let victim = dir.path().join("victim.ccu");
    copy_crashed(&a, &victim);
    std::fs::copy(sidecar(&b, "-wal"), sidecar(&victim, "-wal")).unwrap();
    let before = std::fs::read(&victim).unwrap();
    let log_before = std::fs::read(sidecar(&victim, "-wal")).unwrap();
    let file = victim.to_str().unwrap();
    for args in [
        vec!["--file", file, "due", "--as", HEAD],
        vec!["--file", file, "check", "--as", HEAD],
    ] {
        let out = ccu(&args, &[HEAD_ENV]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        let text = stderr(&out);
        assert!(
            text.contains("victim.ccu-wal, does not belong to it"),
            "{text}"
        );
        assert!(text.contains("is not this case file's"), "{text}");
    }
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        before,
        "the case file untouched"
    );
    assert_eq!(
        std::fs::read(sidecar(&victim, "-wal")).unwrap(),
        log_before,
        "the log untouched"
    );

    // A page of A's own log changed by hand, its checksums made good
    // again (they have no key): refused too.
    let forged = dir.path().join("forged.ccu");
    copy_crashed(&a, &forged);
    let mut log = std::fs::read(sidecar(&forged, "-wal")).unwrap();
    let big = log[3] & 1 == 1;
    let mut sum = wal_checksum(&log[..24], big, (0, 0));
    log[24 + 100] ^= 0x40; // in the first frame's page
    let frame = 24 + 4096;
    let mut at = 32;
    while at + frame <= log.len() {
        sum = wal_checksum(&log[at..at + 8], big, sum);
        sum = wal_checksum(&log[at + 24..at + frame], big, sum);
        log[at + 16..at + 20].copy_from_slice(&sum.0.to_be_bytes());
        log[at + 20..at + 24].copy_from_slice(&sum.1.to_be_bytes());
        at += frame;
    }
    std::fs::write(sidecar(&forged, "-wal"), &log).unwrap();
    let forged_file = forged.to_str().unwrap();
    let out = ccu(&["--file", forged_file, "due", "--as", HEAD], &[HEAD_ENV]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("page "), "{}", stderr(&out));

    // Moved away, as the message says, the file opens and checks.
    std::fs::remove_file(sidecar(&victim, "-wal")).unwrap();
    let _ = std::fs::remove_file(sidecar(&victim, "-shm"));
    let out = ccu(&["--file", file, "check", "--as", HEAD], &[HEAD_ENV]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn an_import_refuses_dates_no_calendar_or_clock_has() {
    let (dir, path) = initialised();
    let file = path.to_str().unwrap();
    let csv = dir.path().join("alerts.csv");
    let rows = [
        ("9999-12-31T23:59:59-23:59", "more than 14 hours"),
        (
            "01/01/-5 00:00",
            "outside the years ccu records (1900 to 2200)",
        ),
        ("1/1/1 0:0", "outside the years ccu records (1900 to 2200)"),
        ("23/11/2026 23:59:60", "60 seconds in its minute"),
    ];
    let mut text =
        String::from("source_reference,received_at,source_type,grading,category,summary\n");
    for (n, (at, _)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "ICT-{n},{at},ict-monitoring,2BP,misusing-systems,PNC check\n"
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let out = ccu(
        &[
            "--file",
            file,
            "import",
            "intel",
            csv.to_str().unwrap(),
            "--as",
            HEAD,
        ],
        &[HEAD_ENV],
    );
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    let err = stderr(&out);
    for (n, (at, says)) in rows.iter().enumerate() {
        let line = format!("line {}, column received_at: '{at}'", n + 2);
        assert!(err.contains(&line), "missing {line:?} in:\n{err}");
        assert!(err.contains(says), "missing {says:?} in:\n{err}");
    }
    assert_eq!(count(&path, "SELECT count(*) FROM intelligence"), 0);
}

#[test]
fn the_terminal_application_says_it_is_waiting_for_another_write() {
    let (_dir, path) = initialised();
    let tmux = tmux::Tmux::start(
        "waiting",
        &format!(
            "{} --file '{}'; echo \"exit=$?\"; sleep 60",
            env!("CARGO_BIN_EXE_ccu"),
            path.display()
        ),
    );
    tmux.wait_for("Log in");
    // Another writer holds the lock; the login must write its event.
    let holder = raw_conn(&path);
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    tmux.type_text(HEAD);
    tmux.keys(&["Tab"]);
    tmux.type_text(HEAD_PASSWORD);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("waiting for another write to finish...");
    let last = screen.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    assert!(last.contains("waiting for another write"), "{screen}");
    holder.execute_batch("ROLLBACK").unwrap();
    // The login goes through, and the whole screen is drawn again.
    let screen = tmux.wait_for("8 Queue");
    assert!(!screen.contains("waiting for another write"), "{screen}");
    assert!(!screen.contains("exit="), "{screen}");
}

#[test]
fn a_page_overwritten_from_outside_is_reported_damaged_by_check() {
    let (_dir, path) = initialised();
    let file = path.to_str().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[4096 * 3 + 100..4096 * 3 + 164].fill(0x55);
    std::fs::write(&path, &bytes).unwrap();
    let out = ccu(&["--file", file, "check", "--as", HEAD], &[HEAD_ENV]);
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the database is damaged"),
        "{}",
        stderr(&out)
    );
}
