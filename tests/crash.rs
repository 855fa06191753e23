//! A crash test: `ccu` processes writing to one case file are killed with
//! SIGKILL at random moments, and after every kill `ccu check` must pass,
//! every acknowledged write must be in the case file, and a write that was
//! killed must be there whole or not at all. The writers are `ccu import
//! intel` (most rounds), `ccu audit checkpoint` and `ccu user add`.
//!
//! Each kill is aimed at one part of a run, at random within it: its start
//! (starting up, vetting the file, deriving the password key, which is most
//! of a run), its write (soon after it says who logged in: its write, its
//! commit and its outcome come in the next few milliseconds), its close
//! (just after it printed its outcome, while SQLite folds the write-ahead
//! log into the file), or late (after it has usually exited).
//!
//! A write is acknowledged when its process exited 0 by itself before the
//! kill, or printed its outcome ("Imported 3 items ...") before it was
//! killed: either way someone was told it was done.
//!
//! The test stops starting rounds after `CCU_CRASH_SECONDS` seconds
//! (default 25) or after `CCU_CRASH_ROUNDS` rounds, whichever comes first;
//! the round limit is 60 by default, and there is none when
//! `CCU_CRASH_SECONDS` is set and `CCU_CRASH_ROUNDS` is not. To run it for
//! ten minutes:
//!
//! ```text
//! CCU_CRASH_SECONDS=600 cargo test --test crash -- --nocapture
//! ```
//!
//! It prints its seed first; `CCU_CRASH_SEED=N` replays the same writers
//! with the same kills aimed at the same parts of their runs. How long a
//! run takes depends on the machine and its load, so a replay runs the
//! same script rather than the same interleaving. It prints a summary at
//! the end (shown with `--nocapture`, and on a failure).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command as Process, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// A CSV file's columns; each round's rows carry source references of
/// their own (`CRASH-<round>-<row>`), which tell which imports landed.
const HEADER: &str =
    "source_reference,received_at,source_type,grading,category,summary,full_text\n";
const ROWS_PER_IMPORT: usize = 3;
/// The account that imports.
const IMPORTER: &str = "inv";
/// Longer than any run takes, even on a loaded machine: a process still
/// running then is hung.
const HUNG: Duration = Duration::from_secs(60);

/// SplitMix64: small, seeded, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..=n`.
    fn up_to(&mut self, n: u64) -> u64 {
        self.next() % (n + 1)
    }
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a whole number")),
    )
}

/// One write a round runs and kills.
#[derive(Clone, Debug)]
enum Write {
    /// `ccu import intel` of a file of [`ROWS_PER_IMPORT`] rows with these
    /// source references.
    Import { refs: Vec<String> },
    /// `ccu audit checkpoint` as the head of unit.
    Checkpoint,
    /// `ccu user add NAME` as the administrator.
    AddUser { name: String },
}

impl Write {
    fn label(&self) -> &'static str {
        match self {
            Write::Import { .. } => "import",
            Write::Checkpoint => "checkpoint",
            Write::AddUser { .. } => "user add",
        }
    }
}

/// The part of a run a kill is aimed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Zone {
    /// From its start to about when it usually exits.
    Start,
    /// After it printed who logged in (its login is committed by then),
    /// up to twice as long as it usually takes from there to print its
    /// outcome: its write, its commit, and the outcome.
    Write,
    /// Up to 2 ms after it printed its outcome: the write is committed, and
    /// the connection is closing, copying the write-ahead log into the file.
    Close,
    /// From about when it usually exits to half as long again.
    Late,
}

/// What a process printed that a kill can wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Said {
    /// "ccu: Last login ..." (or "First login"), on standard error.
    Login,
    /// Its first output on standard output: the outcome.
    Outcome,
}

/// Where a kill lands: a part of the run, and a delay within it.
#[derive(Clone, Copy, Debug)]
struct Kill {
    zone: Zone,
    /// After the start, or after what the zone waits for.
    after_ms: u64,
}

impl Kill {
    /// A kill for a kind of write that runs at `pace`.
    fn aim(rng: &mut Rng, pace: &Pace) -> Kill {
        let run = pace.run_ms as u64;
        let (zone, after_ms) = match rng.up_to(11) {
            0..=3 => (Zone::Start, rng.up_to(run)),
            4..=7 => (Zone::Write, rng.up_to(pace.write_ms as u64 * 2 + 2)),
            8 | 9 => (Zone::Close, rng.up_to(2)),
            _ => (Zone::Late, run + rng.up_to(run / 2)),
        };
        Kill { zone, after_ms }
    }

    fn waits_for(self) -> Option<Said> {
        match self.zone {
            Zone::Start | Zone::Late => None,
            Zone::Write => Some(Said::Login),
            Zone::Close => Some(Said::Outcome),
        }
    }
}

/// How long one kind of write usually takes here, unkilled: learnt from
/// the runs that exit by themselves, as the machine's load changes.
struct Pace {
    /// From its start to its exit.
    run_ms: f64,
    /// From saying who logged in to printing its outcome.
    write_ms: f64,
}

impl Pace {
    fn new(ended: &Ended) -> Pace {
        Pace {
            run_ms: ended.took.as_secs_f64() * 1000.0,
            write_ms: ended.writing.unwrap_or_default().as_secs_f64() * 1000.0,
        }
    }

    fn learn(&mut self, ended: &Ended) {
        if ended.exited {
            let new = Pace::new(ended);
            self.run_ms = 0.8 * self.run_ms + 0.2 * new.run_ms;
            self.write_ms = 0.8 * self.write_ms + 0.2 * new.write_ms;
        }
    }
}

/// How a round's process ended.
struct Ended {
    /// It exited 0 by itself, or printed its outcome before it was killed.
    acknowledged: bool,
    /// It exited by itself (0), before any kill.
    exited: bool,
    stdout: String,
    /// The exit status, for messages.
    status: String,
    /// From its start to its exit.
    took: Duration,
    /// From saying who logged in to printing its outcome, if it did both.
    writing: Option<Duration>,
}

/// What is read back from the case file after a round.
#[derive(Clone, Debug, Default, PartialEq)]
struct State {
    /// Every intelligence item's source reference.
    refs: BTreeSet<String>,
    intelligence_rows: i64,
    /// Every checkpoint's tree size, in order.
    checkpoints: Vec<i64>,
    users: BTreeSet<String>,
    /// The accounts an `add` request for access was opened for.
    add_requests: BTreeSet<String>,
    /// Successful logins recorded in the trail.
    logins: i64,
}

/// How far a round's write had got when it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reached {
    /// Killed with nothing of it in the case file, not even its login.
    BeforeLogin,
    /// Killed after its login was recorded, before its write was.
    AfterLogin,
    /// Killed after its write was committed, before it said so.
    AfterCommit,
    /// Killed after it printed its outcome, before it exited.
    AfterOutcome,
    /// It exited by itself before the kill.
    Exited,
}

impl Reached {
    const ALL: [Reached; 5] = [
        Reached::BeforeLogin,
        Reached::AfterLogin,
        Reached::AfterCommit,
        Reached::AfterOutcome,
        Reached::Exited,
    ];

    fn describe(self) -> &'static str {
        match self {
            Reached::BeforeLogin => "killed before its login",
            Reached::AfterLogin => "killed after its login, before its commit",
            Reached::AfterCommit => "killed after its commit, before its outcome",
            Reached::AfterOutcome => "killed after its outcome, before its exit",
            Reached::Exited => "exited before the kill",
        }
    }
}

struct Round {
    number: usize,
    write: Write,
    kill: Kill,
    acknowledged: bool,
    /// Whether its write is in the case file, as first seen after it.
    landed: bool,
    reached: Reached,
}

/// What [`drain`] read from a pipe.
struct Drained {
    bytes: Vec<u8>,
    /// When the text first showed what it waited for.
    said_at: Option<Instant>,
    /// When the pipe closed: the process exited (or was killed).
    end: Instant,
}

/// Reads `pipe` to its end on a thread, saying `said` on `tx` once its
/// text shows it (`Said::Outcome`: any output; `Said::Login`: a whole
/// login line).
fn drain(
    mut pipe: impl Read + Send + 'static,
    said: Said,
    tx: mpsc::Sender<Said>,
) -> std::thread::JoinHandle<Drained> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        let mut said_at = None;
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
            if said_at.is_none() {
                let text = String::from_utf8_lossy(&bytes);
                let shows = match said {
                    Said::Outcome => true,
                    Said::Login => {
                        text.ends_with('\n')
                            && text.lines().any(|l| {
                                l.starts_with("ccu: Last login ")
                                    || l.starts_with("ccu: First login")
                            })
                    }
                };
                if shows {
                    said_at = Some(Instant::now());
                    let _ = tx.send(said);
                }
            }
        }
        Drained {
            bytes,
            said_at,
            end: Instant::now(),
        }
    })
}

struct Crash {
    dir: PathBuf,
    file: PathBuf,
    seed: u64,
}

impl Crash {
    fn file_str(&self) -> &str {
        self.file.to_str().unwrap()
    }

    /// The command for `write`, ready to spawn; `round` names its CSV.
    fn command(&self, round: usize, write: &Write) -> Process {
        let mut cmd = Process::new(env!("CARGO_BIN_EXE_ccu"));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("CCU_FILE")
            .env_remove("CCU_USER")
            .env_remove("CCU_PASSWORD")
            .env_remove("CCU_NEW_PASSWORD")
            .env_remove("CCU_HEAD_PASSWORD")
            .args(["--file", self.file_str()]);
        match write {
            Write::Import { refs } => {
                let csv = self.dir.join("csv").join(format!("round-{round}.csv"));
                let mut text = HEADER.to_owned();
                for (i, r) in refs.iter().enumerate() {
                    text.push_str(&format!(
                        "{r},23/11/2026 08:15,ict-monitoring,2BP,misusing-systems,Crash round {round} row {i},\"Alert {r}: written by round {round}\"\n"
                    ));
                }
                std::fs::write(&csv, text).unwrap();
                cmd.args(["import", "intel", csv.to_str().unwrap(), "--as", IMPORTER])
                    .env("CCU_PASSWORD", USER_PASSWORD);
            }
            Write::Checkpoint => {
                cmd.args(["audit", "checkpoint", "--as", HEAD])
                    .env("CCU_PASSWORD", HEAD_PASSWORD);
            }
            Write::AddUser { name } => {
                cmd.args([
                    "user",
                    "add",
                    name,
                    "--display-name",
                    &format!("DC {name}"),
                    "--rank",
                    "DC",
                    "--roles",
                    "investigator",
                    "--as",
                    ADMIN,
                ])
                .env("CCU_PASSWORD", ADMIN_PASSWORD)
                .env("CCU_NEW_PASSWORD", first_password(name));
            }
        }
        cmd
    }

    /// Runs `write`, and kills it as `kill` says if it is given.
    fn run(&self, round: usize, write: &Write, kill: Option<Kill>) -> Ended {
        let label = write.label();
        let mut child = self.command(round, write).spawn().expect("ccu runs");
        let started = Instant::now();
        let (tx, rx) = mpsc::channel();
        let out = drain(child.stdout.take().unwrap(), Said::Outcome, tx.clone());
        let err = drain(child.stderr.take().unwrap(), Said::Login, tx);
        // Until it says what the kill waits for; with no kill, until it
        // has closed both pipes (exited). Either way, not for ever.
        let waits_for = kill.and_then(Kill::waits_for);
        if kill.is_none() || waits_for.is_some() {
            loop {
                match rx.recv_timeout(HUNG.saturating_sub(started.elapsed())) {
                    Ok(said) if Some(said) == waits_for => break,
                    Ok(_) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        let _ = child.kill();
                        panic!(
                            "seed {}: round {round} ({label}) still runs after {} s",
                            self.seed,
                            HUNG.as_secs()
                        );
                    }
                }
            }
        }
        if let Some(kill) = kill {
            std::thread::sleep(Duration::from_millis(kill.after_ms));
            // SIGKILL; a process that has exited already (not yet reaped)
            // is unaffected, and its exit status says so below.
            child.kill().expect("the child can be signalled");
        }
        let out = out.join().unwrap();
        let err = err.join().unwrap();
        let exit = child.wait().expect("the child is reaped");
        let stdout = String::from_utf8_lossy(&out.bytes).into_owned();
        let stderr = String::from_utf8_lossy(&err.bytes).into_owned();
        let said_done = match write {
            Write::Import { .. } => stdout.starts_with("Imported "),
            Write::Checkpoint => stdout.starts_with("Signed a checkpoint of "),
            Write::AddUser { .. } => stdout.starts_with("Added "),
        };
        let status = describe(exit);
        let exited = exit.code() == Some(0);
        let killed = {
            use std::os::unix::process::ExitStatusExt;
            exit.signal() == Some(libc::SIGKILL)
        };
        assert!(
            exited || killed,
            "seed {}: round {round} ({label}) failed by itself: {status}\nstdout: {stdout}\nstderr: {stderr}",
            self.seed,
        );
        assert!(
            !exited || said_done,
            "seed {}: round {round} ({label}) exited 0 without saying it was done: {stdout}",
            self.seed,
        );
        Ended {
            acknowledged: exited || said_done,
            exited,
            stdout,
            status,
            took: out.end.max(err.end) - started,
            writing: out
                .said_at
                .zip(err.said_at)
                .map(|(outcome, login)| outcome.saturating_duration_since(login)),
        }
    }

    /// `ccu check` through the real binary, as the administrator: it must
    /// pass.
    fn check(&self, after: &str) {
        let out = ccu(
            &["check", "--file", self.file_str(), "--as", ADMIN],
            &[("CCU_PASSWORD", ADMIN_PASSWORD)],
        );
        assert!(
            out.status.code() == Some(0) && stdout(&out).starts_with("ok: "),
            "seed {}: ccu check failed after {after}: {}\nstdout: {}\nstderr: {}\nfiles: {:?}",
            self.seed,
            describe(out.status),
            stdout(&out),
            stderr(&out),
            files_in(&self.dir)
        );
    }

    /// Reads the case file back from a copy of it (its WAL too), so that
    /// reading it replays nothing into the file the next ccu opens.
    fn read(&self) -> State {
        let copy_dir = self.dir.join("read");
        let _ = std::fs::remove_dir_all(&copy_dir);
        std::fs::create_dir(&copy_dir).unwrap();
        let copy = copy_dir.join("case.ccu");
        for suffix in ["", "-wal", ".keys"] {
            let from = PathBuf::from(format!("{}{suffix}", self.file.display()));
            if from.exists() {
                std::fs::copy(&from, format!("{}{suffix}", copy.display())).unwrap();
            }
        }
        let conn = raw_conn(&copy);
        let strings = |sql: &str| -> Vec<String> {
            let mut stmt = conn.prepare(sql).unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let number = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        let mut stmt = conn
            .prepare("SELECT tree_size FROM checkpoint ORDER BY id")
            .unwrap();
        let checkpoints = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        drop(stmt);
        State {
            refs: strings(
                "SELECT source_reference FROM intelligence WHERE source_reference IS NOT NULL",
            )
            .into_iter()
            .collect(),
            intelligence_rows: number("SELECT count(*) FROM intelligence"),
            checkpoints,
            users: strings("SELECT username FROM user_account")
                .into_iter()
                .collect(),
            add_requests: strings(
                "SELECT u.username FROM access_request r JOIN user_account u ON u.id = r.user_id
                 WHERE r.kind = 'add'",
            )
            .into_iter()
            .collect(),
            logins: number(
                "SELECT count(*) FROM audit_event WHERE action = 'login' AND outcome = 'ok'",
            ),
        }
    }
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => "ended".to_owned(),
    }
}

/// Checks everything the rounds so far have written against `state`, and
/// `state` against the one before the latest round; returns whether the
/// latest round's write is in the case file.
fn verify(
    crash: &Crash,
    rounds: &[Round],
    latest: (&Write, &Ended),
    before: &State,
    state: &State,
    baseline: &State,
) -> bool {
    let seed = crash.seed;
    let number = rounds.len() + 1;
    let (write, ended) = latest;
    let whose = |what: &str| {
        format!(
            "seed {seed}: after round {number} ({}): {what}",
            write.label()
        )
    };

    // The latest write: whole or not at all, and there if acknowledged.
    let landed = match write {
        Write::Import { refs } => {
            let present = refs.iter().filter(|r| state.refs.contains(*r)).count();
            assert!(
                present == 0 || present == refs.len(),
                "{}",
                whose(&format!(
                    "{present} of the {} rows of one import are in the case file: an import is all or nothing",
                    refs.len()
                ))
            );
            present == refs.len()
        }
        Write::Checkpoint => {
            let added = state.checkpoints.len() as i64 - before.checkpoints.len() as i64;
            assert!(
                added == 0 || added == 1,
                "{}",
                whose(&format!("{added} checkpoints were added by one"))
            );
            if ended.acknowledged && added == 1 {
                // "Signed a checkpoint of N events": that checkpoint is it.
                let size: i64 = ended
                    .stdout
                    .trim_start_matches("Signed a checkpoint of ")
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert_eq!(
                    state.checkpoints.last(),
                    Some(&size),
                    "{}",
                    whose(&format!(
                        "the checkpoint it reported ({})",
                        ended.stdout.trim()
                    ))
                );
            }
            added == 1
        }
        Write::AddUser { name } => {
            let user = state.users.contains(name);
            let request = state.add_requests.contains(name);
            assert_eq!(
                user,
                request,
                "{}",
                whose(&format!(
                    "account {name} in the case file: {user}, its request for access: {request}"
                ))
            );
            user
        }
    };
    if ended.acknowledged {
        assert!(
            landed,
            "{}",
            whose(&format!(
                "the write was acknowledged ({}: {}) but is not in the case file",
                ended.status,
                ended.stdout.trim()
            ))
        );
    }

    // A write takes a login first; a process killed leaves one or none.
    let logins = state.logins - before.logins;
    assert!(
        logins == 1 || (logins == 0 && !landed && !ended.acknowledged),
        "{}",
        whose(&format!(
            "{logins} logins recorded (landed: {landed}, {})",
            ended.status
        ))
    );

    // Every earlier round as it was first seen, and nothing else.
    let mut refs: BTreeSet<String> = baseline.refs.clone();
    let mut checkpoints = baseline.checkpoints.len();
    let mut users = baseline.users.clone();
    let all = rounds
        .iter()
        .map(|r| (r.number, &r.write, r.landed))
        .chain([(number, write, landed)]);
    for (n, w, landed) in all {
        match w {
            Write::Import { refs: these } => {
                for r in these {
                    assert_eq!(
                        state.refs.contains(r),
                        landed,
                        "{}",
                        whose(&format!(
                            "row {r} of round {n} (landed: {landed}) changed since"
                        ))
                    );
                }
                if landed {
                    refs.extend(these.iter().cloned());
                }
            }
            Write::Checkpoint => checkpoints += usize::from(landed),
            Write::AddUser { name } => {
                assert_eq!(
                    state.users.contains(name),
                    landed,
                    "{}",
                    whose(&format!(
                        "account {name} of round {n} (landed: {landed}) changed since"
                    ))
                );
                if landed {
                    users.insert(name.clone());
                }
            }
        }
    }
    assert_eq!(state.refs, refs, "{}", whose("the source references"));
    assert_eq!(
        state.intelligence_rows,
        refs.len() as i64,
        "{}",
        whose("the number of intelligence items")
    );
    assert_eq!(
        state.checkpoints.len(),
        checkpoints,
        "{}",
        whose("the number of checkpoints")
    );
    assert_eq!(
        &state.checkpoints[..before.checkpoints.len()],
        &before.checkpoints[..],
        "{}",
        whose("the checkpoints before it")
    );
    assert_eq!(state.users, users, "{}", whose("the accounts"));
    landed
}

#[test]
fn writers_killed_at_random_moments_leave_a_case_file_that_checks_and_holds_every_acknowledged_write()
 {
    let started = Instant::now();
    let budget = Duration::from_secs(env_number("CCU_CRASH_SECONDS").unwrap_or(25));
    let max_rounds = env_number("CCU_CRASH_ROUNDS").unwrap_or(
        if std::env::var_os("CCU_CRASH_SECONDS").is_some() {
            u64::MAX
        } else {
            60
        },
    );
    let seed = env_number("CCU_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    });
    println!(
        "crash test: seed {seed} (replay with CCU_CRASH_SEED={seed}), up to {} s and {}",
        budget.as_secs(),
        match max_rounds {
            u64::MAX => "no limit on rounds".to_owned(),
            n => format!("{n} rounds"),
        }
    );
    let mut rng = Rng(seed);

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("csv")).unwrap();
    let crash = Crash {
        dir: dir.path().to_owned(),
        file: dir.path().join("case.ccu"),
        seed,
    };
    init_cli(crash.file_str());
    add_user_cli(
        crash.file_str(),
        IMPORTER,
        "DC Ida Vance",
        "DC",
        "investigator",
    );
    let import_refs = |round: usize| -> Vec<String> {
        (1..=ROWS_PER_IMPORT)
            .map(|row| format!("CRASH-{round}-{row}"))
            .collect()
    };

    // Each write run once to the end, for how long it takes here; the
    // estimate follows every run that exits by itself after that.
    let mut paces: BTreeMap<&'static str, Pace> = BTreeMap::new();
    for write in [
        Write::Import {
            refs: import_refs(0),
        },
        Write::Checkpoint,
        Write::AddUser {
            name: "warmup".into(),
        },
    ] {
        let ended = crash.run(0, &write, None);
        assert!(ended.exited, "seed {seed}: {}", ended.status);
        paces.insert(write.label(), Pace::new(&ended));
    }
    crash.check("the first writes");
    let baseline = crash.read();
    println!(
        "unkilled: {}",
        paces
            .iter()
            .map(|(k, p)| format!("{k} {:.0} ms ({:.0} ms writing)", p.run_ms, p.write_ms))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let mut rounds: Vec<Round> = Vec::new();
    let mut leftovers: BTreeMap<String, String> = BTreeMap::new();
    let mut before = baseline.clone();
    while started.elapsed() < budget && (rounds.len() as u64) < max_rounds {
        let number = rounds.len() + 1;
        let write = match rng.up_to(9) {
            0 => Write::Checkpoint,
            1 => Write::AddUser {
                name: format!("crash{number}"),
            },
            _ => Write::Import {
                refs: import_refs(number),
            },
        };
        let pace = paces.get_mut(write.label()).unwrap();
        let kill = Kill::aim(&mut rng, pace);
        let ended = crash.run(number, &write, Some(kill));
        pace.learn(&ended);
        let after = format!(
            "round {number} ({}, its kill aimed at {:?}, {} ms in)",
            write.label(),
            kill.zone,
            kill.after_ms
        );
        crash.check(&after);
        let state = crash.read();
        let landed = verify(
            &crash,
            &rounds,
            (&write, &ended),
            &before,
            &state,
            &baseline,
        );

        let reached = match (ended.exited, ended.acknowledged, landed) {
            (true, _, _) => Reached::Exited,
            (false, true, _) => Reached::AfterOutcome,
            (false, false, true) => Reached::AfterCommit,
            (false, false, false) if state.logins > before.logins => Reached::AfterLogin,
            (false, false, false) => Reached::BeforeLogin,
        };
        for name in files_in(&crash.dir) {
            let ours = ["case.ccu", "case.ccu.keys", "case.ccu-wal", "case.ccu-shm"];
            if !ours.contains(&name.as_str()) && name != "csv" && name != "read" {
                leftovers.entry(name).or_insert_with(|| after.clone());
            }
        }
        rounds.push(Round {
            number,
            write,
            kill,
            acknowledged: ended.acknowledged,
            landed,
            reached,
        });
        before = state;
    }

    // The case file is still usable: an import to the end, then a check.
    let last = rounds.len() + 1;
    let ended = crash.run(
        last,
        &Write::Import {
            refs: import_refs(last),
        },
        None,
    );
    assert!(
        ended.exited,
        "seed {seed}: an import after the last kill: {}",
        ended.status
    );
    crash.check("the last import");
    let state = crash.read();
    assert!(import_refs(last).iter().all(|r| state.refs.contains(r)));
    // An account whose `user add` was killed after it committed can still
    // be approved and log in: its key reached the keyring.
    let killed_but_added: Vec<&str> = rounds
        .iter()
        .filter_map(|r| match &r.write {
            Write::AddUser { name } if r.landed && r.reached != Reached::Exited => {
                Some(name.as_str())
            }
            _ => None,
        })
        .collect();
    for name in killed_but_added.iter().take(2) {
        let urn: String = raw_conn(&crash.dir.join("read").join("case.ccu"))
            .query_row(
                "SELECT r.urn FROM access_request r JOIN user_account u ON u.id = r.user_id
                 WHERE u.username = ?1 AND r.kind = 'add'",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        approve_cli(crash.file_str(), &urn);
        first_login_cli(crash.file_str(), name);
    }
    crash.check("approving the accounts killed after they were added");

    let count = |f: &dyn Fn(&Round) -> bool| rounds.iter().filter(|r| f(r)).count();
    println!(
        "crash test: seed {seed}: {} rounds in {:.1} s, {} acknowledged: {}",
        rounds.len(),
        started.elapsed().as_secs_f64(),
        count(&|r| r.acknowledged),
        Reached::ALL
            .iter()
            .map(|&s| format!("{} {}", count(&|r| r.reached == s), s.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for kind in ["import", "checkpoint", "user add"] {
        println!(
            "  {kind}: {} rounds; unkilled at the end: {} ms, {} ms of them writing",
            count(&|r| r.write.label() == kind),
            paces[kind].run_ms as u64,
            paces[kind].write_ms as u64
        );
        for zone in [Zone::Start, Zone::Write, Zone::Close, Zone::Late] {
            let these: Vec<&Round> = rounds
                .iter()
                .filter(|r| r.write.label() == kind && r.kill.zone == zone)
                .collect();
            if these.is_empty() {
                continue;
            }
            let mut by: BTreeMap<Reached, usize> = BTreeMap::new();
            for r in &these {
                *by.entry(r.reached).or_default() += 1;
            }
            println!(
                "    aimed at {zone:?} ({}..{} ms in): {}",
                these.iter().map(|r| r.kill.after_ms).min().unwrap(),
                these.iter().map(|r| r.kill.after_ms).max().unwrap(),
                by.iter()
                    .map(|(s, n)| format!("{n} {}", s.describe()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if !leftovers.is_empty() {
        for (name, after) in &leftovers {
            println!("  {name} left beside the case file, first after {after}");
        }
    }
    assert!(
        !rounds.is_empty(),
        "seed {seed}: no round ran in {} s",
        budget.as_secs()
    );
}
