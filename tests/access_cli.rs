//! Two-person control through the real binary: `ccu init` records the head
//! of unit, `ccu user add` asks, `ccu user approve` decides, and a one-time
//! password is replaced at the first login.

mod common;

use common::*;

const HEAD_PW: (&str, &str) = ("CCU_HEAD_PASSWORD", HEAD_PASSWORD);

fn as_admin() -> Vec<(&'static str, &'static str)> {
    vec![("CCU_PASSWORD", ADMIN_PASSWORD)]
}

fn as_head() -> Vec<(&'static str, &'static str)> {
    vec![("CCU_PASSWORD", HEAD_PASSWORD)]
}

fn init(file: &str) {
    let out = ccu(
        &[
            "init",
            "--file",
            file,
            "--admin",
            ADMIN,
            "--head",
            HEAD,
            "--head-rank",
            "DCI",
            "--head-display-name",
            "DCI Ada Head",
        ],
        &[("CCU_PASSWORD", ADMIN_PASSWORD), HEAD_PW],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("head of unit head"),
        "{}",
        stdout(&out)
    );
}

/// The request line `ccu user add` and the like print: its reference.
fn request_in(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("ACR-"))
        .unwrap_or_else(|| panic!("no request in {text}"))
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned()
}

#[test]
fn init_refuses_a_head_below_inspector_or_the_administrator_before_any_password() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let file = file.to_str().unwrap();
    for (head, rank, expected) in [
        ("boss", "DS", "Inspector rank or above"),
        (ADMIN, "DI", "two people with two accounts"),
        ("boss", "Sheriff", "--head-rank"),
    ] {
        // No password source at all: the check comes first.
        let out = ccu(
            &[
                "init",
                "--file",
                file,
                "--admin",
                ADMIN,
                "--head",
                head,
                "--head-rank",
                rank,
            ],
            &[],
        );
        assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
        assert!(!std::path::Path::new(file).exists());
    }
    // Without the head's password, nothing is created either.
    let out = ccu(
        &[
            "init",
            "--file",
            file,
            "--admin",
            ADMIN,
            "--head",
            HEAD,
            "--head-rank",
            "DI",
        ],
        &[("CCU_PASSWORD", ADMIN_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("CCU_HEAD_PASSWORD"),
        "{}",
        stderr(&out)
    );
    assert!(!std::path::Path::new(file).exists());
}

#[test]
fn an_administrator_asks_the_head_approves_and_the_new_officer_chooses_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unit.ccu");
    let file = path.to_str().unwrap();
    init(file);
    let f = |args: &[&str]| -> Vec<String> {
        let mut v = vec!["--file".to_owned(), file.to_owned()];
        v.extend(args.iter().map(|s| s.to_string()));
        v
    };
    let run = |args: Vec<String>, env: &[(&str, &str)]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ccu(&args, env)
    };
    // The new officer runs `ccu due` with the passwords in `env`.
    let due = |env: &[(&str, &str)]| run(f(&["due", "--as", "jokafor"]), env);
    let mut env = as_admin();
    env.push(("CCU_NEW_PASSWORD", "temporary first one"));
    let added = run(
        f(&[
            "user",
            "add",
            "jokafor",
            "--display-name",
            "DS Jane Okafor",
            "--rank",
            "DS",
            "--roles",
            "investigator",
            "--as",
            ADMIN,
        ]),
        &env,
    );
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let said = stdout(&added);
    assert!(said.contains("with no access yet"), "{said}");
    assert!(said.contains("ccu user approve"), "{said}");
    let urn = request_in(&said);

    // Listed as pending, for the administrator and in the head's queue.
    let list = run(f(&["user", "list", "--as", ADMIN]), &as_admin());
    let line = stdout(&list)
        .lines()
        .find(|l| l.starts_with("jokafor"))
        .unwrap()
        .to_owned();
    assert!(line.contains("pending") && line.contains(&urn), "{line}");
    let queue = run(f(&["user", "requests", "--as", HEAD]), &as_head());
    assert!(stdout(&queue).contains(&urn), "{}", stdout(&queue));

    // Not yet: the new officer cannot log in.
    let early = due(&[("CCU_PASSWORD", "temporary first one")]);
    assert_eq!(early.status.code(), Some(4), "{}", stderr(&early));

    // The administrator cannot approve their own request.
    let own = run(f(&["user", "approve", &urn, "--as", ADMIN]), &as_admin());
    assert_eq!(own.status.code(), Some(4), "{}", stderr(&own));

    let approved = run(f(&["user", "approve", &urn, "--as", HEAD]), &as_head());
    assert_eq!(approved.status.code(), Some(0), "{}", stderr(&approved));
    assert!(
        stdout(&approved).contains("Approved"),
        "{}",
        stdout(&approved)
    );

    // The first login: without a new password, nothing else is done.
    let first = due(&[("CCU_PASSWORD", "temporary first one")]);
    assert_eq!(first.status.code(), Some(2), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("set by admin"),
        "{}",
        stderr(&first)
    );
    assert!(
        stderr(&first).contains("choose your own password first"),
        "{}",
        stderr(&first)
    );
    let chosen = due(&[
        ("CCU_PASSWORD", "temporary first one"),
        ("CCU_NEW_PASSWORD", "jane's own passphrase"),
    ]);
    assert_eq!(chosen.status.code(), Some(0), "{}", stderr(&chosen));
    assert!(
        stderr(&chosen).contains("Password changed for jokafor"),
        "{}",
        stderr(&chosen)
    );
    let again = due(&[("CCU_PASSWORD", "jane's own passphrase")]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(!stderr(&again).contains("one use"), "{}", stderr(&again));
    let old = due(&[("CCU_PASSWORD", "temporary first one")]);
    assert_eq!(old.status.code(), Some(4), "{}", stderr(&old));

    // A role granted to an active account: listed as a pending grant.
    let grant = run(
        f(&[
            "user",
            "roles",
            "jokafor",
            "investigator,supervisor",
            "--as",
            ADMIN,
        ]),
        &as_admin(),
    );
    assert_eq!(grant.status.code(), Some(0), "{}", stderr(&grant));
    let grant_urn = request_in(&stdout(&grant));
    let list = run(f(&["user", "list", "--as", ADMIN]), &as_admin());
    let line = stdout(&list)
        .lines()
        .find(|l| l.starts_with("jokafor"))
        .unwrap()
        .to_owned();
    assert!(
        line.contains(" investigator ")
            && line.contains(" active ")
            && line.ends_with(&format!(
                "pending grant {grant_urn}: investigator,supervisor"
            )),
        "{line}"
    );

    // A decline needs a reason, and says it.
    let reset = run(
        f(&["user", "passwd", "jokafor", "--as", ADMIN]),
        &[
            ("CCU_PASSWORD", ADMIN_PASSWORD),
            ("CCU_NEW_PASSWORD", "a reset, one use only"),
        ],
    );
    assert_eq!(reset.status.code(), Some(0), "{}", stderr(&reset));
    assert!(
        stdout(&reset).contains("not reset yet"),
        "{}",
        stdout(&reset)
    );
    let reset_urn = request_in(&stdout(&reset));
    let no_reason = run(
        f(&["user", "decline", &reset_urn, "--as", HEAD]),
        &as_head(),
    );
    assert_eq!(no_reason.status.code(), Some(2), "{}", stderr(&no_reason));
    let declined = run(
        f(&[
            "user",
            "decline",
            &reset_urn,
            "--reason",
            "she did not ask for one",
            "--as",
            HEAD,
        ]),
        &as_head(),
    );
    assert_eq!(declined.status.code(), Some(0), "{}", stderr(&declined));
    let all = run(f(&["user", "requests", "--all", "--as", HEAD]), &as_head());
    assert!(
        stdout(&all).contains("declined by head: she did not ask for one"),
        "{}",
        stdout(&all)
    );
    // The declined reset's password opens nothing; hers still works.
    let declined_pw = due(&[("CCU_PASSWORD", "a reset, one use only")]);
    assert_eq!(
        declined_pw.status.code(),
        Some(4),
        "{}",
        stderr(&declined_pw)
    );
    let hers = due(&[("CCU_PASSWORD", "jane's own passphrase")]);
    assert_eq!(hers.status.code(), Some(0), "{}", stderr(&hers));

    // The expiry is the head's to set, within range.
    let bad = run(f(&["user", "expiry", "0", "--as", HEAD]), &as_head());
    assert_eq!(bad.status.code(), Some(5), "{}", stderr(&bad));
    let set = run(f(&["user", "expiry", "48", "--as", HEAD]), &as_head());
    assert_eq!(set.status.code(), Some(0), "{}", stderr(&set));
    assert!(stdout(&set).contains("48 hours"), "{}", stdout(&set));
}

#[test]
fn a_reason_over_the_limit_is_refused_before_the_case_file_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unit.ccu");
    let file = path.to_str().unwrap();
    init(file);
    let mut env = as_admin();
    env.push(("CCU_NEW_PASSWORD", "temporary first one"));
    let added = ccu(
        &[
            "--file",
            file,
            "user",
            "add",
            "jokafor",
            "--display-name",
            "DS Jane Okafor",
            "--rank",
            "DS",
            "--roles",
            "investigator",
            "--as",
            ADMIN,
        ],
        &env,
    );
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let urn = request_in(&stdout(&added));
    let events = count(&path, "SELECT count(*) FROM audit_event");
    let over = "x".repeat(ccu::domain::text::LONG + 1);
    for (verb, flag) in [("decline", "--reason"), ("approve", "--note")] {
        let out = ccu(
            &[
                "--file", file, "user", verb, &urn, flag, &over, "--as", HEAD,
            ],
            &as_head(),
        );
        assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("reason: is 20001 characters long; at most 20000 are allowed"),
            "{}",
            stderr(&out)
        );
    }
    // Refused before the login: not even that is in the trail.
    assert_eq!(count(&path, "SELECT count(*) FROM audit_event"), events);
    let queue = ccu(
        &["--file", file, "user", "requests", "--as", HEAD],
        &as_head(),
    );
    assert!(stdout(&queue).contains(&urn), "{}", stdout(&queue));
}
