//! Guessing passwords through ccu: after five failures in a row for one
//! username, logins wait (30 s, then doubling, at most 15 minutes) and are
//! refused without the password being checked, alike for a username that
//! exists and one that does not; every refusal reaches the trail, and a
//! successful login clears the count.

mod common;

use std::path::Path;

use ccu::store::{CaseFile, Credentials, Error};
use chrono::Duration;
use common::*;

fn attempt(path: &Path, clock: &TestClock, name: &str, pw: &str) -> Result<(), Error> {
    CaseFile::locate(path)?
        .unlock(
            Credentials {
                username: name,
                password: pw,
            },
            clock.boxed(),
        )
        .map(drop)
}

/// The CLI's refusal with the username, times and seconds taken out.
fn shape(text: &str, name: &str) -> String {
    let text = text.replace(&format!("'{name}'"), "'NAME'");
    let mut out = String::new();
    let mut digits = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !digits {
                out.push('#');
            }
            digits = true;
        } else {
            digits = false;
            out.push(c);
        }
    }
    out
}

#[test]
fn the_real_binary_refuses_alike_for_a_username_that_exists_and_one_that_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, path) = new_casefile(dir.path());
    drop(cf);
    let file = path.to_str().unwrap();
    let mut refusals = Vec::new();
    for name in [ADMIN, "nobody"] {
        for _ in 0..5 {
            let out = ccu(
                &["--file", file, "user", "list", "--as", name],
                &[("CCU_PASSWORD", "not the password at all")],
            );
            assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
            assert!(stderr(&out).contains("login failed"), "{}", stderr(&out));
        }
        // The sixth waits, even with the right password.
        let out = ccu(
            &["--file", file, "user", "list", "--as", name],
            &[("CCU_PASSWORD", ADMIN_PASSWORD)],
        );
        assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
        let message = stderr(&out);
        assert!(message.contains("too many failed attempts"), "{message}");
        assert!(
            message.contains("the password was not checked"),
            "{message}"
        );
        let seconds: i64 = message
            .split("(in ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{message}"));
        assert!((1..=30).contains(&seconds), "{message}");
        assert!(stdout(&out).is_empty());
        refusals.push(shape(&message, name));
    }
    // The same words for both: nothing tells which username exists.
    assert_eq!(refusals[0], refusals[1]);
    // The locked file was never written: every attempt is in the keyring,
    // sealed, and names no one.
    let ring = std::fs::read_to_string(ccu::store::keyring_path(&path)).unwrap();
    assert_eq!(ring.lines().count(), 1 + 12, "{ring}");
    assert!(!ring.contains("nobody") && !ring.contains("\"admin\""));
    assert_eq!(audit_rows(&path).len(), 4, "the four events of init");
}

#[test]
fn logins_wait_longer_after_each_failure_and_a_success_clears_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "sup", "supervisor");
    drop(cf);
    let now = TestClock::at("2026-12-01T09:00:00Z");
    let tick = |by: Duration| now.advance(by);
    for _ in 0..5 {
        let err = attempt(&path, &now, "sup", "wrong password here").unwrap_err();
        assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
        tick(Duration::seconds(1));
    }
    // 30 s after the fifth: refused unchecked until then.
    let err = attempt(&path, &now, "sup", USER_PASSWORD).unwrap_err();
    assert!(
        matches!(&err, Error::Throttled { seconds, .. } if *seconds == 29),
        "{err:?}"
    );
    assert_eq!(err.exit_code(), 4);
    tick(Duration::seconds(30));
    // Then one more wrong one: the next wait is a minute.
    let err = attempt(&path, &now, "sup", "wrong password here").unwrap_err();
    assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
    tick(Duration::seconds(31));
    let err = attempt(&path, &now, "sup", USER_PASSWORD).unwrap_err();
    assert!(
        matches!(&err, Error::Throttled { seconds, .. } if *seconds == 29),
        "{err:?}"
    );
    // Another username is not held up by sup's failures.
    attempt(&path, &now, ADMIN, ADMIN_PASSWORD).unwrap();
    tick(Duration::seconds(30));
    attempt(&path, &now, "sup", USER_PASSWORD).unwrap();

    // The trail has every failure and every unchecked refusal, in order.
    let denied: Vec<String> = audit_rows(&path)
        .into_iter()
        .filter(|r| r.1 == "sup" && r.2 == "login" && r.4 == "denied")
        .map(|r| r.5)
        .collect();
    assert_eq!(denied.len(), 8, "{denied:#?}");
    assert_eq!(
        denied
            .iter()
            .filter(|d| d.contains("refused without checking the password"))
            .count(),
        2
    );
    assert!(denied.iter().all(|d| d.contains("attempted_at")));

    // The success cleared the count: five more failures before any wait.
    for _ in 0..5 {
        let err = attempt(&path, &now, "sup", "wrong password here").unwrap_err();
        assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
    }
    let err = attempt(&path, &now, "sup", USER_PASSWORD).unwrap_err();
    assert!(matches!(err, Error::Throttled { .. }), "{err:?}");
}

#[test]
fn the_lock_screen_of_an_open_file_is_throttled_too() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    for _ in 0..5 {
        let err = cf
            .login(Credentials {
                username: ADMIN,
                password: "not the password at all",
            })
            .unwrap_err();
        assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");
    }
    // The file's clock is fixed, so the wait has not passed.
    let err = cf
        .login(Credentials {
            username: ADMIN,
            password: ADMIN_PASSWORD,
        })
        .unwrap_err();
    assert!(matches!(err, Error::Throttled { .. }), "{err:?}");
    drop(cf);
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!((last.2.as_str(), last.4.as_str()), ("login", "denied"));
    assert!(
        last.5.contains("refused without checking the password"),
        "{}",
        last.5
    );
}
