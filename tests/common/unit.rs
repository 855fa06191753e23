//! A unit to test in: a case file in a temporary folder of its own, on a
//! clock the test moves, with its administrator and the accounts it was
//! staffed with.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ccu::domain::account::Rank;
use ccu::store::{Actor, CaseFile};
use chrono::{DateTime, Duration, Utc};

use super::{ADMIN, ADMIN_PASSWORD, USER_PASSWORD, add_user_ranked, login, new_casefile_with};

/// A clock the test moves; every copy reads the same time.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    /// A clock stopped at `text` (RFC 3339).
    pub fn at(text: &str) -> TestClock {
        TestClock(Arc::new(Mutex::new(time(text))))
    }

    /// A clock stopped at the common fixed time, 09:30 UTC on Monday 23
    /// November 2026 (as [`super::fixed_clock`]).
    pub fn fixed() -> TestClock {
        TestClock(Arc::new(Mutex::new((super::fixed_clock())())))
    }

    /// Moves the clock to `text` (RFC 3339).
    pub fn set(&self, text: &str) {
        *self.0.lock().unwrap() = time(text);
    }

    /// Moves the clock on `by`.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }

    /// The clock for [`CaseFile`], reading this one.
    pub fn boxed(&self) -> ccu::store::Clock {
        let inner = self.0.clone();
        Box::new(move || *inner.lock().unwrap())
    }
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// A new case file in a temporary folder, its administrator logged in,
/// and the accounts it was staffed with.
pub struct Unit {
    pub dir: tempfile::TempDir,
    pub cf: CaseFile,
    pub path: PathBuf,
    pub clock: TestClock,
    pub admin: Actor,
    /// The accounts it was staffed with, in the order added.
    accounts: Vec<String>,
    /// The accounts logged in through [`Unit::login`], latest last.
    logged_in: Vec<Actor>,
}

impl Unit {
    /// A case file on `clock` with the administrator logged in and each
    /// `(name, roles, rank)` account added in turn, as [`add_user_ranked`]
    /// does: no account but the administrator is logged in after.
    pub fn at(clock: TestClock, accounts: &[(&str, &str, Rank)]) -> Unit {
        let dir = tempfile::tempdir().unwrap();
        let (mut cf, path) = new_casefile_with(dir.path(), clock.boxed());
        let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
        for &(name, roles, rank) in accounts {
            add_user_ranked(&mut cf, &admin, name, roles, rank);
        }
        Unit {
            dir,
            cf,
            path,
            clock,
            admin,
            accounts: accounts.iter().map(|a| a.0.to_owned()).collect(),
            logged_in: Vec::new(),
        }
    }

    /// As [`Unit::at`], at the common fixed time.
    pub fn ranked(accounts: &[(&str, &str, Rank)]) -> Unit {
        Unit::at(TestClock::fixed(), accounts)
    }

    /// As [`Unit::ranked`], every account a sergeant (as [`super::add_user`]).
    pub fn new(accounts: &[(&str, &str)]) -> Unit {
        Unit::ranked(&sergeants(accounts))
    }

    /// As [`Unit::new`], then each account logged in, in the order given.
    pub fn staffed(accounts: &[(&str, &str)]) -> Unit {
        Unit::new(accounts).logged_in()
    }

    /// The unit with each account it was staffed with logged in, in the
    /// order they were added.
    pub fn logged_in(mut self) -> Unit {
        for name in self.accounts.clone() {
            self.login(&name);
        }
        self
    }

    /// Logs `name` in with [`USER_PASSWORD`]; [`Unit::actor`] gives it
    /// from then on.
    pub fn login(&mut self, name: &str) -> Actor {
        let actor = login(&mut self.cf, name, USER_PASSWORD);
        self.logged_in.push(actor.clone());
        actor
    }

    /// `name` as it was last logged in with [`Unit::login`] (or the
    /// administrator).
    pub fn actor(&self, name: &str) -> Actor {
        if name == ADMIN {
            return self.admin.clone();
        }
        self.logged_in
            .iter()
            .rev()
            .find(|a| a.username().as_str() == name)
            .unwrap_or_else(|| panic!("{name} has not logged in to this unit"))
            .clone()
    }

    /// Each of `names`, as [`Unit::actor`] gives it.
    pub fn actors<const N: usize>(&self, names: [&str; N]) -> [Actor; N] {
        names.map(|name| self.actor(name))
    }

    /// Closes the case file: what is left is its folder and its path.
    pub fn close(self) -> (tempfile::TempDir, PathBuf) {
        let Unit { dir, cf, path, .. } = self;
        drop(cf);
        (dir, path)
    }
}

/// `accounts` as `(name, roles, rank)`, every one a sergeant.
pub fn sergeants<'a>(accounts: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str, Rank)> {
    accounts
        .iter()
        .map(|&(name, roles)| (name, roles, Rank::Sergeant))
        .collect()
}
