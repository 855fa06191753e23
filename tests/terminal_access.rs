//! Two-person control in the terminal application, through the real binary
//! in tmux: a one-time password is replaced before anything is shown, and
//! a head of unit decides a request for access from their queue.

mod common;
mod tmux;

use ccu::domain::account::{DisplayName, Rank};
use ccu::domain::role::RoleSet;
use ccu::store::{CaseFile, Command, Credentials};
use common::*;
use tmux::Tmux;

const FIRST: &str = "given by the admin";
const OWN: &str = "known to the officer only";

fn application(file: &std::path::Path) -> String {
    format!(
        "{} --file '{}'; echo \"exit=$?\"; sleep 60",
        env!("CARGO_BIN_EXE_ccu"),
        file.display()
    )
}

/// A case file whose administrator has asked, at the real time now, for
/// an account `jokafor` with the investigator role; returns the request.
fn asked_for(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let (cf, path) = new_casefile(dir);
    drop(cf);
    let (mut cf, admin) = CaseFile::locate(&path)
        .unwrap()
        .unlock(
            Credentials {
                username: ADMIN,
                password: ADMIN_PASSWORD,
            },
            ccu::store::system_clock(),
        )
        .unwrap();
    let done = cf
        .execute(
            &admin,
            Command::AddUser {
                username: username("jokafor"),
                display_name: DisplayName::parse("DS Jane Okafor").unwrap(),
                rank: Rank::Sergeant,
                roles: RoleSet::parse_list("investigator").unwrap(),
                password: password(FIRST, "jokafor"),
            },
        )
        .unwrap();
    let urn = done.details["request"]["urn"].as_str().unwrap().to_owned();
    (path, urn)
}

fn log_in(tmux: &Tmux, name: &str, pw: &str) {
    tmux.wait_for("Log in");
    tmux.type_text(name);
    tmux.keys(&["Tab"]);
    tmux.type_text(pw);
    tmux.keys(&["Enter"]);
}

#[test]
fn the_head_of_unit_approves_a_request_from_their_queue() {
    let dir = tempfile::tempdir().unwrap();
    let (path, urn) = asked_for(dir.path());
    let tmux = Tmux::start("approve", &application(&path));
    log_in(&tmux, HEAD, HEAD_PASSWORD);
    tmux.wait_for("8 Queue");
    tmux.keys(&["8"]);
    let screen = tmux.wait_for(&urn);
    assert!(screen.contains("Access to decide: add jokafor"), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Decide {urn}"));
    // Declining needs a reason: shown beside the field.
    tmux.keys(&["Right", "Right", "C-s"]);
    tmux.wait_for("say why the request is declined");
    tmux.keys(&["BTab", "Left"]);
    let screen = tmux.wait_for("◂ Approve ▸");
    assert!(!screen.contains("exit="), "{screen}");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for(&format!("Approved {urn}"));
    assert!(screen.contains("add for jokafor"), "{screen}");
    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=");
    drop(tmux);
    // The account is active now, and the approval is the head's.
    let rows = audit_rows(&path);
    assert!(
        rows.iter()
            .any(|r| r.1 == HEAD && r.2 == "access.approve" && r.3 == urn && r.4 == "ok"),
        "{rows:?}"
    );
    let (mut cf, admin) = open_admin(&path);
    let account = cf
        .accounts(&admin)
        .unwrap()
        .into_iter()
        .find(|a| a.username == "jokafor")
        .unwrap();
    assert_eq!(account.shown_status(), "active");
}

#[test]
fn a_one_time_password_is_replaced_before_anything_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (path, urn) = asked_for(dir.path());
    let (mut cf, _) = open_admin(&path);
    approve(&mut cf, &urn);
    drop(cf);

    let tmux = Tmux::start("first", &application(&path));
    log_in(&tmux, "jokafor", FIRST);
    let screen = tmux.wait_for("Choose your own password");
    assert!(
        screen.contains("Your first password was set by admin"),
        "{screen}"
    );
    // Nothing from the case file: no tabs, no dashboard.
    assert!(!screen.contains("Intelligence"), "{screen}");
    // The one-time password again is refused.
    tmux.type_text(FIRST);
    tmux.keys(&["Tab"]);
    tmux.type_text(FIRST);
    tmux.keys(&["Enter"]);
    tmux.wait_for("must not be the one-time password");
    // A password of their own: into the application.
    tmux.keys(&["BTab"]);
    for _ in 0..FIRST.len() {
        tmux.keys(&["BSpace"]);
    }
    tmux.type_text(OWN);
    tmux.keys(&["Tab"]);
    for _ in 0..FIRST.len() {
        tmux.keys(&["BSpace"]);
    }
    tmux.type_text(OWN);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Your password is changed");
    assert!(!screen.contains(OWN) && !screen.contains(FIRST), "{screen}");
    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=");
    drop(tmux);
    assert!(try_open(&path, "jokafor", FIRST).is_err());
    let (cf, actor) = open(&path, "jokafor", OWN);
    assert!(cf.one_time_password(&actor).unwrap().is_none());
}

/// The whole of two-person control in the application, through the real
/// binary, without quitting: the administrator adds an account, logs out;
/// the head of unit logs in and approves it from the queue, logs out; and
/// the new account logs in with its one-time password and chooses its own.
#[test]
fn the_administrator_adds_an_account_the_head_approves_it_and_it_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, path) = new_casefile(dir.path());
    drop(cf);
    let tmux = Tmux::start("adds", &application(&path));
    log_in(&tmux, ADMIN, ADMIN_PASSWORD);
    tmux.wait_for("User accounts");
    tmux.keys(&["n"]);
    tmux.wait_for("Add an account");
    for (i, text) in [
        "nnewton",
        "DC Nia Newton",
        "DC",
        "investigator",
        FIRST,
        FIRST,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            tmux.keys(&["Tab"]);
        }
        tmux.type_text(text);
    }
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("waits for a head of unit");
    assert!(screen.contains("nnewton"), "{screen}");
    assert!(screen.contains("pending"), "{screen}");

    tmux.keys(&["C-o"]);
    tmux.wait_for("admin logged out");
    log_in(&tmux, HEAD, HEAD_PASSWORD);
    tmux.wait_for("8 Queue");
    tmux.keys(&["8"]);
    tmux.wait_for("Access to decide: add nnewton");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Decide ACR-");
    tmux.keys(&["Right"]);
    tmux.wait_for("◂ Approve ▸");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Approved ACR-");

    tmux.keys(&["C-o"]);
    tmux.wait_for("head logged out");
    log_in(&tmux, "nnewton", FIRST);
    let screen = tmux.wait_for("Choose your own password");
    assert!(
        screen.contains("Your first password was set by admin"),
        "{screen}"
    );
    tmux.type_text(OWN);
    tmux.keys(&["Tab"]);
    tmux.type_text(OWN);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Your password is changed");
    assert!(screen.contains("DC Nia Newton"), "{screen}");
    tmux.keys(&["C-c"]);
    tmux.wait_for("exit=0");
    drop(tmux);
    let rows = audit_rows(&path);
    for (who, action) in [
        (ADMIN, "user.add"),
        (HEAD, "access.approve"),
        ("nnewton", "user.passwd"),
    ] {
        assert!(
            rows.iter()
                .any(|r| r.1 == who && r.2 == action && r.4 == "ok"),
            "{who} {action}: {rows:?}"
        );
    }
}
