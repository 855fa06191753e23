//! The one write path on a real file: permissions, rules, and exactly the
//! audit events each outcome should leave.

mod common;

use ccu::domain::role::RoleSet;
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
    add_user(&mut cf, &admin, "jokafor", "investigator,supervisor");
    assert_eq!(
        new_events(&path, seen),
        [ev(ADMIN, "user.add", "jokafor", "ok")]
    );
    let details = audit_rows(&path).last().unwrap().5.clone();
    assert!(
        details.contains(r#""roles":["investigator","supervisor"]"#),
        "{details}"
    );
    assert!(!details.contains("argon2") && !details.contains(USER_PASSWORD));
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM user_role WHERE user_id = (SELECT id FROM user_account WHERE username = 'jokafor')"
        ),
        2
    );
    // The new account can log in, and that is audited too.
    let seen = audit_rows(&path).len();
    let actor = login(&mut cf, "jokafor", USER_PASSWORD);
    assert_eq!(actor.roles().to_string(), "investigator,supervisor");
    assert_eq!(
        new_events(&path, seen),
        [ev("jokafor", "login", "jokafor", "ok")]
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
        "username: you cannot disable or enable your own account",
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
    let seen = audit_rows(&path).len();

    for (name, pw) in [
        (ADMIN, "not the password"),
        ("ghost", "whatever"),
        ("leaver", USER_PASSWORD),
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
                "login failed for '{name}': unknown user, wrong password, or a disabled account"
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
        ]
    );
}

#[test]
fn roles_and_status_are_read_again_at_every_command() {
    let (_dir, mut cf, path) = setup();
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "aud", "auditor");
    let auditor = login(&mut cf, "aud", USER_PASSWORD);
    assert_eq!(cf.accounts(&auditor).unwrap().len(), 2);

    // Their roles change while they are logged in: the next command sees it.
    cf.execute(
        &admin,
        Command::SetRoles {
            username: username("aud"),
            roles: RoleSet::parse_list("investigator").unwrap(),
        },
    )
    .unwrap();
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

    // Enabled again, they can log in with their old password.
    cf.execute(
        &admin,
        Command::EnableUser {
            username: username("aud"),
        },
    )
    .unwrap();
    login(&mut cf, "aud", USER_PASSWORD);
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

    cf.execute(
        &admin,
        Command::SetPassword {
            username: username("sup"),
            password: password("reset by the admin", "sup"),
        },
    )
    .unwrap();
    login(&mut cf, "sup", "reset by the admin");
    let details: Vec<String> = audit_rows(&path)
        .into_iter()
        .filter(|r| r.2 == "user.passwd" && r.4 == "ok")
        .map(|r| r.5)
        .collect();
    assert_eq!(
        details,
        [
            r#"{"by":"self","username":"inv"}"#,
            r#"{"by":"administrator","username":"sup"}"#
        ]
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
        2
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
            events: 3 + 2 * (1 + 8)
        }
    );
}
