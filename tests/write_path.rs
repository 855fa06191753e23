//! The one write path on a real file: permissions, rules, and exactly the
//! audit events each outcome should leave.

mod common;

use ccu::domain::account::{DisplayName, Rank};
use ccu::domain::role::RoleSet;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{CaseFile, CheckReport, Command, Credentials, Error};
use common::*;

fn setup() -> (tempfile::TempDir, CaseFile, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (casefile, path) = new_casefile(dir.path());
    (dir, casefile, path)
}

/// The events appended after `seen`, as (actor, action, entity_ref, outcome).
fn new_events(path: &std::path::Path, seen: usize) -> Vec<(String, String, String, String)> {
    audit_rows(path)
        .into_iter()
        .skip(seen)
        .map(|(_, actor, action, entity, outcome, _)| (actor, action, entity, outcome))
        .collect()
}

fn ev(actor: &str, action: &str, entity: &str, outcome: &str) -> (String, String, String, String) {
    (actor.into(), action.into(), entity.into(), outcome.into())
}

#[test]
fn adding_an_account_writes_the_rows_and_exactly_one_event() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    let seen = audit_rows(&path).len();
    let roles_of_jokafor = || {
        count(
            &path,
            "SELECT count(*) FROM user_role WHERE user_id = (SELECT id FROM user_account WHERE username = 'jokafor')",
        )
    };
    let done = cf
        .execute(
            &admin,
            Command::AddUser {
                username: username("jokafor"),
                display_name: DisplayName::parse("Officer jokafor").unwrap(),
                rank: Rank::Sergeant,
                roles: RoleSet::parse_list("investigator,supervisor").unwrap(),
                password: password(&first_password("jokafor"), "jokafor"),
            },
        )
        .unwrap();
    assert_eq!(
        new_events(&path, seen),
        [ev(ADMIN, "user.add", "jokafor", "ok")]
    );
    let details = audit_rows(&path).last().unwrap().5.clone();
    assert!(
        details.contains(r#""requested_roles":["investigator","supervisor"]"#)
            && details.contains(r#""roles":[]"#)
            && details.contains(r#""status":"pending""#),
        "{details}"
    );
    assert!(!details.contains("argon2") && !details.contains(&first_password("jokafor")));
    // The roles read case content: the account waits, disabled and with
    // none, for a head of unit.
    let urn = done.details["request"]["urn"].as_str().unwrap().to_owned();
    assert!(urn.starts_with("ACR-2026-"), "{urn}");
    assert_eq!(roles_of_jokafor(), 0);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM user_account WHERE username = 'jokafor' AND status = 'disabled'"
        ),
        1
    );
    let err = cf
        .login(Credentials {
            username: "jokafor",
            password: &first_password("jokafor"),
        })
        .unwrap_err();
    assert!(matches!(err, Error::LoginFailed { .. }), "{err:?}");

    // The head of unit approves: the roles are set, the account active.
    let seen = audit_rows(&path).len();
    approve(&mut cf, &urn);
    assert_eq!(
        new_events(&path, seen),
        [
            ev(HEAD, "login", HEAD, "ok"),
            ev(HEAD, "access.approve", &urn, "ok")
        ]
    );
    assert_eq!(roles_of_jokafor(), 2);

    // The new account can log in, and that is audited too; its one-time
    // password lets it do nothing but choose its own.
    let seen = audit_rows(&path).len();
    let actor = login(&mut cf, "jokafor", &first_password("jokafor"));
    assert_eq!(actor.roles().to_string(), "investigator,supervisor");
    assert_eq!(
        new_events(&path, seen),
        [ev("jokafor", "login", "jokafor", "ok")]
    );
    let err = cf.access_requests(&actor, false).unwrap_err();
    assert!(
        matches!(err, Error::PasswordChangeRequired { .. }),
        "{err:?}"
    );
    assert_eq!(err.exit_code(), 4);
    let err = cf
        .execute(
            &actor,
            Command::SetPassword {
                username: username("jokafor"),
                password: password(&first_password("jokafor"), "jokafor"),
            },
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("must not be the one-time password an administrator set"),
        "{err}"
    );
    first_login(&mut cf, "jokafor");
    let seen = audit_rows(&path).len();
    let actor = login(&mut cf, "jokafor", USER_PASSWORD);
    cf.access_requests(&actor, false).unwrap();
    assert_eq!(
        new_events(&path, seen),
        [
            ev("jokafor", "login", "jokafor", "ok"),
            ev("jokafor", "view", "*", "ok")
        ]
    );
}

#[test]
fn a_denied_command_is_audited_and_changes_nothing_else() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "inv", "investigator");
    let inv = login(&mut cf, "inv", USER_PASSWORD);
    let users_before = count(&path, "SELECT count(*) FROM user_account");
    let seen = audit_rows(&path).len();

    let err = cf
        .execute(
            &inv,
            Command::AddUser {
                username: username("mole"),
                display_name: ccu::domain::account::DisplayName::parse("Mole").unwrap(),
                rank: ccu::domain::account::Rank::Constable,
                roles: RoleSet::parse_list("supervisor").unwrap(),
                password: password(USER_PASSWORD, "mole"),
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "permission denied: inv (investigator) may not manage user accounts"
    );
    assert_eq!(err.exit_code(), 4);
    assert_eq!(
        new_events(&path, seen),
        [ev("inv", "user.add", "mole", "denied")]
    );
    assert_eq!(
        count(&path, "SELECT count(*) FROM user_account"),
        users_before
    );

    // Listing accounts is for administrators and auditors only.
    let seen = audit_rows(&path).len();
    assert!(matches!(cf.accounts(&inv), Err(Error::Denied { .. })));
    assert_eq!(new_events(&path, seen), [ev("inv", "view", "*", "denied")]);
}

#[test]
fn bad_input_writes_nothing_at_all() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "jokafor", "investigator");
    let seen = audit_rows(&path).len();
    let bytes_of_accounts = || {
        count(&path, "SELECT count(*) FROM user_account")
            + 100 * count(&path, "SELECT count(*) FROM user_role")
    };
    let before = bytes_of_accounts();

    let attempts = [
        Command::AddUser {
            username: username("jokafor"),
            display_name: ccu::domain::account::DisplayName::parse("Again").unwrap(),
            rank: ccu::domain::account::Rank::Constable,
            roles: RoleSet::parse_list("investigator").unwrap(),
            password: password(USER_PASSWORD, "jokafor"),
        },
        Command::DisableUser {
            username: username("nobody"),
        },
        Command::DisableUser {
            username: username(ADMIN),
        },
        Command::EnableUser {
            username: username("jokafor"),
        },
        Command::SetRoles {
            username: username(ADMIN),
            roles: RoleSet::parse_list("auditor").unwrap(),
        },
        Command::SetRoles {
            username: username("jokafor"),
            roles: RoleSet::parse_list("investigator").unwrap(),
        },
    ];
    let expected = [
        "username: 'jokafor' is already taken",
        "username: there is no account named 'nobody'",
        "username: you cannot disable your own account",
        "username: 'jokafor' is already active",
        "roles: you cannot change your own roles",
        "roles: 'jokafor' already holds exactly these roles",
    ];
    for (command, message) in attempts.into_iter().zip(expected) {
        let err = cf.execute(&admin, command).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
        assert!(err.to_string().starts_with(message), "{err}");
        assert_eq!(err.exit_code(), 5);
    }
    // The only head of unit keeps the role and the account: someone must
    // be left to approve access.
    for command in [
        Command::DisableUser {
            username: username(HEAD),
        },
        Command::SetRoles {
            username: username(HEAD),
            roles: RoleSet::parse_list("investigator").unwrap(),
        },
    ] {
        let err = cf.execute(&admin, command).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("username: head is the only active head of unit"),
            "{err}"
        );
    }
    assert_eq!(audit_rows(&path).len(), seen, "no event for bad input");
    // Nor does a head of unit's bad input write anything (past the login).
    let head = login(&mut cf, HEAD, HEAD_PASSWORD);
    let seen = audit_rows(&path).len();
    for (command, message) in [
        (
            Command::DecideAccess {
                urn: Urn::parse(UrnKind::AccessRequest, "ACR-2026-0099").unwrap(),
                approve: true,
                reason: None,
            },
            "request: there is no request ACR-2026-0099",
        ),
        (
            Command::SetAccessExpiry { hours: 0 },
            "hours: 0 is out of range",
        ),
        (
            Command::SetAccessExpiry { hours: 72 },
            "hours: requests already expire after 72 hours",
        ),
    ] {
        let err = cf.execute(&head, command).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
        assert!(err.to_string().starts_with(message), "{err}");
    }
    assert_eq!(audit_rows(&path).len(), seen, "no event for bad input");
    assert_eq!(bytes_of_accounts(), before);
}

#[test]
fn failed_logins_are_audited_with_the_reason_but_say_nothing_to_the_caller() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "leaver", "investigator");
    cf.execute(
        &admin,
        Command::DisableUser {
            username: username("leaver"),
        },
    )
    .unwrap();
    // An account whose access no head of unit has approved yet.
    cf.execute(
        &admin,
        Command::AddUser {
            username: username("newcomer"),
            display_name: DisplayName::parse("Officer newcomer").unwrap(),
            rank: Rank::Constable,
            roles: RoleSet::parse_list("investigator").unwrap(),
            password: password(&first_password("newcomer"), "newcomer"),
        },
    )
    .unwrap();
    let seen = audit_rows(&path).len();

    let newcomer = first_password("newcomer");
    for (name, pw) in [
        (ADMIN, "not the password"),
        ("ghost", "whatever"),
        ("leaver", USER_PASSWORD),
        ("newcomer", newcomer.as_str()),
    ] {
        let err = cf
            .login(Credentials {
                username: name,
                password: pw,
            })
            .unwrap_err();
        assert!(matches!(err, Error::LoginFailed { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "login failed for '{name}': unknown user, wrong password, a disabled account, or an account whose access a head of unit has not yet approved"
            )
        );
    }
    let rows: Vec<_> = audit_rows(&path).into_iter().skip(seen).collect();
    let seen_as: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r.1.as_str(), r.4.as_str(), r.5.as_str()))
        .collect();
    assert_eq!(
        seen_as,
        [
            (ADMIN, "denied", r#"{"reason":"wrong password"}"#),
            ("ghost", "denied", r#"{"reason":"unknown user"}"#),
            ("leaver", "denied", r#"{"reason":"account disabled"}"#),
            ("newcomer", "denied", r#"{"reason":"account disabled"}"#),
        ]
    );
}

#[test]
fn roles_and_status_are_read_again_at_every_command() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "aud", "auditor");
    let auditor = login(&mut cf, "aud", USER_PASSWORD);
    assert_eq!(cf.accounts(&auditor).unwrap().len(), 3);

    // Their roles change while they are logged in: the next command sees
    // it. The role taken away goes at once; the one added waits for the
    // head of unit.
    let done = cf
        .execute(
            &admin,
            Command::SetRoles {
                username: username("aud"),
                roles: RoleSet::parse_list("investigator").unwrap(),
            },
        )
        .unwrap();
    assert_eq!(done.details["after"]["roles"], serde_json::json!([]));
    assert!(matches!(cf.accounts(&auditor), Err(Error::Denied { .. })));
    approve(&mut cf, done.details["request"]["urn"].as_str().unwrap());
    assert!(matches!(cf.accounts(&auditor), Err(Error::Denied { .. })));

    // Disabled while logged in: even their own password is refused.
    cf.execute(
        &admin,
        Command::DisableUser {
            username: username("aud"),
        },
    )
    .unwrap();
    let seen = audit_rows(&path).len();
    let err = cf
        .execute(
            &auditor,
            Command::SetPassword {
                username: username("aud"),
                password: password("a fresh long secret", "aud"),
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!(audit_rows(&path).len(), seen + 1);
    assert_eq!(
        (last.2.as_str(), last.4.as_str()),
        ("user.passwd", "denied")
    );
    assert!(last.5.contains("the account is disabled"), "{}", last.5);

    // Enabled again (once the head of unit approves), they can log in
    // with their old password, as an investigator.
    let done = cf
        .execute(
            &admin,
            Command::EnableUser {
                username: username("aud"),
            },
        )
        .unwrap();
    assert!(
        cf.login(Credentials {
            username: "aud",
            password: USER_PASSWORD
        })
        .is_err()
    );
    approve(&mut cf, done.details["request"]["urn"].as_str().unwrap());
    let again = login(&mut cf, "aud", USER_PASSWORD);
    assert_eq!(again.roles().to_string(), "investigator");
}

#[test]
fn passwords_change_for_oneself_and_are_reset_only_by_an_administrator() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "inv", "investigator");
    add_user(&mut cf, &admin, "sup", "supervisor");
    let inv = login(&mut cf, "inv", USER_PASSWORD);

    cf.execute(
        &inv,
        Command::SetPassword {
            username: username("inv"),
            password: password("my own new passphrase", "inv"),
        },
    )
    .unwrap();
    assert!(
        cf.login(Credentials {
            username: "inv",
            password: USER_PASSWORD
        })
        .is_err()
    );
    login(&mut cf, "inv", "my own new passphrase");

    let err = cf
        .execute(
            &inv,
            Command::SetPassword {
                username: username("sup"),
                password: password("taken over account", "sup"),
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::Denied { .. }), "{err:?}");
    login(&mut cf, "sup", USER_PASSWORD);

    // An administrator's reset is a request: until the head of unit
    // approves it, the old password stands and the new one opens nothing.
    let done = cf
        .execute(
            &admin,
            Command::SetPassword {
                username: username("sup"),
                password: password("reset by the admin", "sup"),
            },
        )
        .unwrap();
    let urn = done.details["request"]["urn"].as_str().unwrap().to_owned();
    assert!(
        cf.login(Credentials {
            username: "sup",
            password: "reset by the admin"
        })
        .is_err()
    );
    login(&mut cf, "sup", USER_PASSWORD);
    approve(&mut cf, &urn);
    assert!(
        cf.login(Credentials {
            username: "sup",
            password: USER_PASSWORD
        })
        .is_err()
    );
    // The reset password is for one use: nothing but choosing one's own.
    let sup = login(&mut cf, "sup", "reset by the admin");
    let err = cf.access_requests(&sup, false).unwrap_err();
    assert!(
        matches!(err, Error::PasswordChangeRequired { .. }),
        "{err:?}"
    );
    let last = audit_rows(&path).pop().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.4.as_str()),
        ("sup", "view", "denied")
    );
    cf.execute(
        &sup,
        Command::SetPassword {
            username: username("sup"),
            password: password("my very own phrase again", "sup"),
        },
    )
    .unwrap();
    let sup = login(&mut cf, "sup", "my very own phrase again");
    cf.access_requests(&sup, false).unwrap();

    let details: Vec<serde_json::Value> = audit_rows(&path)
        .into_iter()
        .filter(|r| r.2 == "user.passwd" && r.4 == "ok")
        .map(|r| serde_json::from_str(&r.5).unwrap())
        .collect();
    let seen: Vec<(&str, &str, &str)> = details
        .iter()
        .map(|d| {
            (
                d["username"].as_str().unwrap(),
                d["by"].as_str().unwrap(),
                d["replaced"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            // Each account's first login.
            ("inv", "self", "a one-time password"),
            ("sup", "self", "a one-time password"),
            ("inv", "self", "their own"),
            ("sup", "administrator", "-"),
            ("sup", "self", "a one-time password"),
        ]
    );
    assert_eq!(details[3]["request"]["urn"], urn.as_str());
    assert!(
        details
            .iter()
            .all(|d| !d.to_string().contains("argon2")
                && !d.to_string().contains("reset by the admin")),
        "{details:?}"
    );
}

#[test]
fn an_administrator_reads_no_case_content_and_an_auditor_changes_nothing() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "aud", "auditor");
    let auditor = login(&mut cf, "aud", USER_PASSWORD);
    let users = count(&path, "SELECT count(*) FROM user_account");
    for command in [
        Command::DisableUser {
            username: username(ADMIN),
        },
        Command::SetRoles {
            username: username(ADMIN),
            roles: RoleSet::parse_list("investigator").unwrap(),
        },
    ] {
        assert!(matches!(
            cf.execute(&auditor, command),
            Err(Error::Denied { .. })
        ));
    }
    assert_eq!(count(&path, "SELECT count(*) FROM user_account"), users);
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM user_account WHERE status = 'active'"
        ),
        3
    );
    // The table the store consults says the same for case content.
    use ccu::domain::permission::{Action, permits};
    assert!(!permits(admin.roles(), Action::ReadCaseContent));
    assert!(
        Action::CASE_WRITES
            .iter()
            .all(|a| !permits(auditor.roles(), *a))
    );
}

#[test]
fn two_writers_on_one_file_keep_one_unbroken_chain() {
    let (_dir, cf, path) = setup();
    drop(cf);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                // Unlocking is itself a login: one event, then eight more.
                let mut cf = open_admin(&path).0;
                for _ in 0..8 {
                    login(&mut cf, ADMIN, ADMIN_PASSWORD);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let cf = check_open(&path);
    assert_eq!(
        cf.check().unwrap(),
        CheckReport::Verified {
            events: 4 + 2 * (1 + 8)
        }
    );
}
