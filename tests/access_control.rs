//! Two-person control over access, tried as an administrator who wants
//! case access without anyone else agreeing (docs/security.md, "Access
//! model"): each escalation waits for a head of unit, takes effect only on
//! their approval, and the trail names who approved it.

mod common;

use ccu::domain::account::{DisplayName, Rank};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::role::RoleSet;
use ccu::domain::text::Rationale;
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::{
    AccountStatus, Actor, CaseFile, Command, Credentials, Error, RequestKind, RequestStatus, Viewed,
};
use common::*;

const SHADOW_PASSWORD: &str = "a quiet account passphrase";

/// A unit with investigators `inv` and `lead`, a supervisor `sup` (a
/// sergeant: not a head of unit), and an operation `inv` is not on, opened
/// by `sup`; and the administrator.
fn with_hidden_operation() -> (tempfile::TempDir, CaseFile, std::path::PathBuf, Actor) {
    let mut u = Unit::new(&[
        ("inv", "investigator"),
        ("sup", "supervisor"),
        ("lead", "investigator"),
    ]);
    let sup = u.login("sup");
    u.cf.execute(
        &sup,
        Command::OpenOperation(
            NewOperation::new(
                Codename::parse("HIDDEN").unwrap(),
                "A covert operation the investigator is not on",
                Category::AbuseOfAuthority,
                Priority::P1,
                username("lead"),
                username("sup"),
                vec![],
                vec![],
            )
            .unwrap(),
        ),
    )
    .unwrap();
    (u.dir, u.cf, u.path, u.admin)
}

fn urn_of(done: &ccu::store::Executed) -> Urn {
    let text = done.details["request"]["urn"]
        .as_str()
        .unwrap_or_else(|| panic!("no request in {}", done.details));
    Urn::parse(UrnKind::AccessRequest, text).unwrap()
}

/// The administrator asks for `name` to hold `roles`; returns the request.
fn ask_roles(cf: &mut CaseFile, admin: &Actor, name: &str, roles: &str) -> Urn {
    let done = cf
        .execute(
            admin,
            Command::SetRoles {
                username: username(name),
                roles: RoleSet::parse_list(roles).unwrap(),
            },
        )
        .unwrap();
    urn_of(&done)
}

fn decide(
    cf: &mut CaseFile,
    who: &Actor,
    urn: Urn,
    approve: bool,
    reason: Option<&str>,
) -> ccu::store::Result<ccu::store::Executed> {
    cf.execute(
        who,
        Command::DecideAccess {
            urn,
            approve,
            // A blank reason is none, as the form and the command line
            // read it: declining with none is refused by the store.
            reason: reason
                .filter(|r| !r.trim().is_empty())
                .map(|r| Rationale::new("reason", r).unwrap()),
        },
    )
}

fn head(cf: &mut CaseFile) -> Actor {
    login(cf, HEAD, HEAD_PASSWORD)
}

fn try_login(cf: &mut CaseFile, name: &str, pw: &str) -> ccu::store::Result<Actor> {
    cf.login(Credentials {
        username: name,
        password: pw,
    })
}

/// The last event's (actor, action, entity_ref, outcome, details).
fn last_event(path: &std::path::Path) -> (String, String, String, String, serde_json::Value) {
    let (_, actor, action, entity, outcome, details) = audit_rows(path).pop().unwrap();
    (
        actor,
        action,
        entity,
        outcome,
        serde_json::from_str(&details).unwrap(),
    )
}

#[test]
fn an_account_added_with_case_access_opens_nothing_until_a_head_of_unit_approves() {
    let (_dir, mut cf, path, admin) = with_hidden_operation();
    let done = cf
        .execute(
            &admin,
            Command::AddUser {
                username: username("shadow"),
                display_name: DisplayName::parse("Shadow").unwrap(),
                rank: Rank::Superintendent,
                roles: RoleSet::parse_list("supervisor").unwrap(),
                password: password(SHADOW_PASSWORD, "shadow"),
            },
        )
        .unwrap();
    let urn = urn_of(&done);
    // The account exists, with no roles, and is listed as pending.
    let listed = cf.accounts(&admin).unwrap();
    let shadow = listed.iter().find(|a| a.username == "shadow").unwrap();
    assert!(shadow.roles.is_empty());
    assert_eq!(shadow.status, AccountStatus::Disabled);
    assert_eq!(shadow.shown_status(), "pending");
    assert_eq!(shadow.pending[0].kind, RequestKind::Add);
    // Its password opens nothing: not the case file in ccu, and not the
    // file outside ccu either (its keyring entry holds no data key yet).
    assert!(matches!(
        try_login(&mut cf, "shadow", SHADOW_PASSWORD),
        Err(Error::LoginFailed { .. })
    ));
    drop(cf);
    let locked = CaseFile::locate(&path).unwrap();
    assert!(
        locked
            .sqlcipher_unlock(Credentials {
                username: "shadow",
                password: SHADOW_PASSWORD,
            })
            .is_err(),
        "a pending account's password must not unseal the data key"
    );
    assert!(try_open(&path, "shadow", SHADOW_PASSWORD).is_err());

    // The head of unit approves: the approval is theirs in the trail.
    let (mut cf, _) = open_admin(&path);
    let head = head(&mut cf);
    decide(&mut cf, &head, urn, true, None).unwrap();
    let (actor, action, entity, outcome, details) = last_event(&path);
    assert_eq!(
        (actor.as_str(), action.as_str(), entity, outcome.as_str()),
        ("head", "access.approve", urn.to_string(), "ok")
    );
    assert_eq!(details["requested_by"], "admin");
    assert_eq!(details["username"], "shadow");
    assert_eq!(details["after"]["roles"][0], "supervisor");
    // Now the password opens the file, but only to choose a new one.
    let shadow = try_login(&mut cf, "shadow", SHADOW_PASSWORD).unwrap();
    let refused = cf.execute(
        &shadow,
        Command::View(Viewed::Operation(Codename::parse("HIDDEN").unwrap())),
    );
    assert!(
        matches!(refused, Err(Error::PasswordChangeRequired { .. })),
        "{refused:?}"
    );
    let notice = cf.one_time_password(&shadow).unwrap().unwrap();
    assert!(notice.line().contains("set by admin"), "{}", notice.line());
}

#[test]
fn a_password_reset_by_an_administrator_waits_for_approval_and_is_for_one_use() {
    let (_dir, mut cf, path, admin) = with_hidden_operation();
    let one_time = "reset for the sergeant, once";
    let done = cf
        .execute(
            &admin,
            Command::SetPassword {
                username: username("sup"),
                password: password(one_time, "sup"),
            },
        )
        .unwrap();
    let urn = urn_of(&done);
    // Until approved: the old password still works, the new one opens nothing.
    login(&mut cf, "sup", USER_PASSWORD);
    assert!(try_login(&mut cf, "sup", one_time).is_err());
    drop(cf);
    assert!(
        CaseFile::locate(&path)
            .unwrap()
            .sqlcipher_unlock(Credentials {
                username: "sup",
                password: one_time,
            })
            .is_err(),
        "a reset not yet approved must not unseal the data key"
    );
    let (mut cf, _) = open_admin(&path);
    let head = head(&mut cf);
    decide(&mut cf, &head, urn, true, None).unwrap();
    // Approved: the old password opens nothing, the one-time one logs in
    // and must be replaced, and the reset is shown at that login.
    assert!(try_login(&mut cf, "sup", USER_PASSWORD).is_err());
    let sup = login(&mut cf, "sup", one_time);
    let notice = cf.one_time_password(&sup).unwrap().unwrap();
    assert_eq!(notice.request, Some(urn));
    assert!(
        notice.line().contains("approved by head"),
        "{}",
        notice.line()
    );
    assert!(matches!(
        cf.accounts(&sup),
        Err(Error::PasswordChangeRequired { .. }) | Err(Error::Denied { .. })
    ));
    assert!(matches!(
        cf.due(&sup, 7),
        Err(Error::PasswordChangeRequired { .. })
    ));
    let (_, action, _, outcome, details) = last_event(&path);
    assert_eq!((action.as_str(), outcome.as_str()), ("view", "denied"));
    assert!(
        details["reason"].as_str().unwrap().contains("one-time"),
        "{details}"
    );
    // Choosing the one-time password again is refused: the admin knows it.
    let again = cf.execute(
        &sup,
        Command::SetPassword {
            username: username("sup"),
            password: password(one_time, "sup"),
        },
    );
    assert!(
        matches!(&again, Err(Error::Invalid(e)) if e.message.contains("one-time")),
        "{again:?}"
    );
    cf.execute(
        &sup,
        Command::SetPassword {
            username: username("sup"),
            password: password("only the sergeant knows this", "sup"),
        },
    )
    .unwrap();
    assert!(cf.one_time_password(&sup).unwrap().is_none());
    assert!(cf.due(&sup, 7).is_ok());
    assert!(try_login(&mut cf, "sup", one_time).is_err());
}

#[test]
fn a_role_granted_waits_while_a_role_taken_away_goes_at_once() {
    let (_dir, mut cf, path, admin) = with_hidden_operation();
    let hidden = || Command::View(Viewed::Operation(Codename::parse("HIDDEN").unwrap()));
    let urn = ask_roles(&mut cf, &admin, "inv", "investigator,supervisor");
    // Not yet: the investigator still cannot see the hidden operation.
    let inv = login(&mut cf, "inv", USER_PASSWORD);
    assert!(matches!(
        cf.execute(&inv, hidden()),
        Err(Error::NoSuch { .. })
    ));
    let pending = cf.accounts(&admin).unwrap();
    let row = pending.iter().find(|a| a.username == "inv").unwrap();
    assert_eq!(row.shown_status(), "active");
    assert_eq!(row.pending[0].urn, urn);
    let head = head(&mut cf);
    decide(&mut cf, &head, urn, true, Some("promoted to acting DS")).unwrap();
    let inv = login(&mut cf, "inv", USER_PASSWORD);
    cf.execute(&inv, hidden()).unwrap();
    let (actor, action, entity, outcome, _) = last_event(&path);
    assert_eq!(
        (
            actor.as_str(),
            action.as_str(),
            entity.as_str(),
            outcome.as_str()
        ),
        ("inv", "view", "HIDDEN", "ok")
    );
    // Taking the role away again needs no one's approval.
    cf.execute(
        &admin,
        Command::SetRoles {
            username: username("inv"),
            roles: RoleSet::parse_list("investigator").unwrap(),
        },
    )
    .unwrap();
    let inv = login(&mut cf, "inv", USER_PASSWORD);
    assert!(matches!(
        cf.execute(&inv, hidden()),
        Err(Error::NoSuch { .. })
    ));
}

#[test]
fn enabling_an_account_waits_for_approval_and_disabling_is_immediate() {
    let (_dir, mut cf, _path, admin) = with_hidden_operation();
    cf.execute(
        &admin,
        Command::DisableUser {
            username: username("inv"),
        },
    )
    .unwrap();
    assert!(try_login(&mut cf, "inv", USER_PASSWORD).is_err());
    let done = cf
        .execute(
            &admin,
            Command::EnableUser {
                username: username("inv"),
            },
        )
        .unwrap();
    let urn = urn_of(&done);
    assert!(
        try_login(&mut cf, "inv", USER_PASSWORD).is_err(),
        "still disabled"
    );
    let head = head(&mut cf);
    decide(&mut cf, &head, urn, true, None).unwrap();
    login(&mut cf, "inv", USER_PASSWORD);
}

#[test]
fn no_one_approves_their_own_account_or_their_own_request_and_only_a_head_approves() {
    let (_dir, mut cf, path, admin) = with_hidden_operation();
    // A second head of unit, approved by the first.
    add_user_ranked(&mut cf, &admin, "head2", "supervisor", Rank::ChiefInspector);
    // A request about the head's own account: they may not decide it.
    let urn = ask_roles(&mut cf, &admin, HEAD, "supervisor,authorising-officer");
    let head = head(&mut cf);
    let own = decide(&mut cf, &head, urn, true, None);
    assert!(
        matches!(&own, Err(Error::Denied { what, .. }) if what.contains("your own account")),
        "{own:?}"
    );
    let (actor, action, _, outcome, details) = last_event(&path);
    assert_eq!(
        (actor.as_str(), action.as_str(), outcome.as_str()),
        ("head", "access.approve", "denied")
    );
    assert!(
        details["reason"]
            .as_str()
            .unwrap()
            .contains("separation of duties"),
        "{details}"
    );
    // A supervisor below Inspector is no head of unit.
    let sup = login(&mut cf, "sup", USER_PASSWORD);
    let sergeant = decide(&mut cf, &sup, urn, true, None);
    assert!(
        matches!(&sergeant, Err(Error::Denied { what, .. }) if what.contains("Inspector")),
        "{sergeant:?}"
    );
    // The administrator who asked holds no role that decides.
    assert!(matches!(
        decide(&mut cf, &admin, urn, true, None),
        Err(Error::Denied { .. })
    ));
    // Another head may.
    let head2 = login(&mut cf, "head2", USER_PASSWORD);
    decide(&mut cf, &head2, urn, true, None).unwrap();
    let (actor, action, ..) = last_event(&path);
    assert_eq!(
        (actor.as_str(), action.as_str()),
        ("head2", "access.approve")
    );
    // A request is decided once.
    let twice = decide(&mut cf, &head2, urn, false, Some("changed my mind"));
    assert!(
        matches!(&twice, Err(Error::Invalid(e)) if e.message.contains("decided once")),
        "{twice:?}"
    );
}

#[test]
fn a_declined_request_says_why_and_changes_nothing() {
    let (_dir, mut cf, path, admin) = with_hidden_operation();
    let urn = ask_roles(&mut cf, &admin, "inv", "investigator,authorising-officer");
    let head = head(&mut cf);
    let bare = decide(&mut cf, &head, urn, false, Some("   "));
    assert!(
        matches!(&bare, Err(Error::Invalid(e)) if e.field == "reason"),
        "{bare:?}"
    );
    decide(
        &mut cf,
        &head,
        urn,
        false,
        Some("a constable is no authorising officer"),
    )
    .unwrap();
    let (_, action, _, _, details) = last_event(&path);
    assert_eq!(action, "access.decline");
    assert_eq!(details["reason"], "a constable is no authorising officer");
    let requests = cf.access_requests(&admin, true).unwrap();
    let decided = requests.iter().find(|r| r.urn == urn).unwrap();
    assert_eq!(decided.status, RequestStatus::Declined);
    assert_eq!(decided.decided_by.as_deref(), Some("head"));
    let inv = cf
        .accounts(&admin)
        .unwrap()
        .into_iter()
        .find(|a| a.username == "inv")
        .unwrap();
    assert_eq!(inv.roles, vec![ccu::domain::role::Role::Investigator]);
    assert!(inv.pending.is_empty());
}

#[test]
fn a_request_expires_and_the_head_sets_how_long_requests_wait() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, path) = new_casefile(dir.path());
    drop(cf);
    // Made on the 23rd at 09:30, with the default of 72 hours.
    let (mut cf, admin) = open_admin(&path);
    let done = cf
        .execute(
            &admin,
            Command::AddUser {
                username: username("late"),
                display_name: DisplayName::parse("Late").unwrap(),
                rank: Rank::Constable,
                roles: RoleSet::parse_list("investigator").unwrap(),
                password: password(USER_PASSWORD, "late"),
            },
        )
        .unwrap();
    let urn = urn_of(&done);
    assert_eq!(
        done.details["request"]["expires_at"],
        "2026-11-26T09:30:00.000000Z"
    );
    drop(cf);
    // Four days later the request has expired.
    let later = || -> ccu::store::Clock {
        Box::new(|| {
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 27, 9, 0, 0).unwrap()
        })
    };
    let (mut cf, head) = CaseFile::locate(&path)
        .unwrap()
        .unlock(
            Credentials {
                username: HEAD,
                password: HEAD_PASSWORD,
            },
            later(),
        )
        .unwrap();
    assert!(cf.access_requests_to_decide(&head).unwrap().is_empty());
    let expired = decide(&mut cf, &head, urn, true, None);
    assert!(
        matches!(&expired, Err(Error::Invalid(e)) if e.message.contains("expired")),
        "{expired:?}"
    );
    let all = cf.access_requests(&head, true).unwrap();
    assert_eq!(all[0].status, RequestStatus::Expired);
    // The head of unit sets the wait, within range.
    for bad in [0, 721] {
        let out = cf.execute(&head, Command::SetAccessExpiry { hours: bad });
        assert!(
            matches!(&out, Err(Error::Invalid(e)) if e.field == "hours"),
            "{out:?}"
        );
    }
    cf.execute(&head, Command::SetAccessExpiry { hours: 24 })
        .unwrap();
    assert_eq!(cf.access_request_hours().unwrap(), 24);
    let (_, action, _, _, details) = last_event(&path);
    assert_eq!(action, "setting.access-request-hours");
    assert_eq!(
        (details["before"].as_u64(), details["after"].as_u64()),
        (Some(72), Some(24))
    );
    // Only a head of unit: the administrator may not make requests last longer.
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    assert!(matches!(
        cf.execute(&admin, Command::SetAccessExpiry { hours: 720 }),
        Err(Error::Denied { .. })
    ));
}

#[test]
fn the_last_head_of_unit_cannot_be_disabled_and_an_account_changed_since_is_not_approved() {
    let (_dir, mut cf, _path, admin) = with_hidden_operation();
    let out = cf.execute(
        &admin,
        Command::DisableUser {
            username: username(HEAD),
        },
    );
    assert!(
        matches!(&out, Err(Error::Invalid(e)) if e.message.contains("only active head of unit")),
        "{out:?}"
    );
    let out = cf.execute(
        &admin,
        Command::SetRoles {
            username: username(HEAD),
            roles: RoleSet::parse_list("investigator").unwrap(),
        },
    );
    assert!(matches!(&out, Err(Error::Invalid(_))), "{out:?}");
    // A grant asked for, then the account disabled: the request no longer
    // stands, so nothing is granted to an account that changed.
    let urn = ask_roles(&mut cf, &admin, "inv", "investigator,supervisor");
    cf.execute(
        &admin,
        Command::DisableUser {
            username: username("inv"),
        },
    )
    .unwrap();
    let head = head(&mut cf);
    let out = decide(&mut cf, &head, urn, true, None);
    assert!(
        matches!(&out, Err(Error::Invalid(e)) if e.message.contains("superseded")),
        "{out:?}"
    );
}

/// Tried as an insider holding the data key: a pending request marked
/// approved, and the roles put in, with the sqlcipher program.
#[test]
fn an_approval_forged_outside_ccu_is_caught() {
    let (_dir, mut cf, path, admin) = with_hidden_operation();
    let urn = ask_roles(&mut cf, &admin, "inv", "investigator,supervisor");
    drop(cf);
    sqlcipher(
        &path,
        &format!(
            "UPDATE access_request SET status = 'approved', decided_at = '2026-11-23T09:31:00.000000Z',
                 decided_by = (SELECT id FROM user_account WHERE username = 'head')
             WHERE urn = '{urn}';
             INSERT INTO user_role (user_id, role)
                 SELECT id, 'supervisor' FROM user_account WHERE username = 'inv';"
        ),
    );
    let out = try_open(&path, "inv", USER_PASSWORD);
    assert!(
        matches!(out, Err(Error::Integrity { .. })),
        "{:?}",
        out.err()
    );
    let report = check_open(&path).check().unwrap();
    let problem = report.describe(&path).unwrap_or_default();
    assert!(
        problem.contains("access_request") && problem.contains("user_role"),
        "{problem}"
    );
}

/// The demo is made as a unit would make its file: every account but the
/// two recorded at init was asked for and approved by the head of unit,
/// and one request still waits in the head's queue.
#[test]
fn the_demo_file_was_staffed_through_two_person_control() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ccu");
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 1, 10, 0, 0).unwrap();
    drop(ccu::demo::create_demo(&path, now).unwrap());
    let approvals: Vec<_> = audit_rows(&path)
        .into_iter()
        .filter(|r| r.2 == "access.approve")
        .collect();
    assert_eq!(
        approvals.len(),
        ccu::demo::DEMO_ACCOUNTS.len() - 2,
        "{approvals:?}"
    );
    assert!(approvals.iter().all(|r| r.1 == "head" && r.4 == "ok"));
    let locked = CaseFile::locate(&path).unwrap();
    let clock: ccu::store::Clock = Box::new(move || now);
    let (mut cf, head) = locked
        .unlock_demo(
            Credentials {
                username: "head",
                password: ccu::demo::DEMO_PASSWORD,
            },
            clock,
        )
        .unwrap();
    let waiting = cf.access_requests_to_decide(&head).unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].username, "trainee");
    assert_eq!(waiting[0].kind, RequestKind::Add);
}

/// A case file from an earlier, unencrypted ccu: encrypting it seals in a
/// head of unit beside the administrator, so that the other accounts'
/// password resets can be approved; someone who is no head is refused and
/// the file left as it was.
#[test]
fn encrypting_an_old_file_seals_in_a_head_of_unit_to_approve_the_resets() {
    let dir = tempfile::tempdir().unwrap();
    let path = schema_6_file(dir.path());
    let admin = Credentials {
        username: ADMIN,
        password: ADMIN_PASSWORD,
    };
    // `lead` is a sergeant: no head of unit.
    let lead = Credentials {
        username: "lead",
        password: ADMIN_PASSWORD,
    };
    let before = std::fs::read(&path).unwrap();
    let refused = CaseFile::encrypt_with_head(&path, admin, Some(lead), fixed_clock());
    assert!(
        matches!(&refused, Err(Error::Invalid(e)) if e.message.contains("not a head of unit")),
        "{:?}",
        refused.err()
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // Promoted (in the old file, before it is encrypted), they are one.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE user_account SET rank = 'Inspector' WHERE username = 'lead'",
        [],
    )
    .unwrap();
    drop(conn);
    let done = CaseFile::encrypt_with_head(&path, admin, Some(lead), fixed_clock()).unwrap();
    assert_eq!(done.head.as_deref(), Some("lead"));
    assert!(done.awaiting.is_empty(), "{:?}", done.awaiting);
    let (mut cf, admin) = open_admin(&path);
    let lead = login(&mut cf, "lead", ADMIN_PASSWORD);
    let added = cf
        .execute(
            &admin,
            Command::AddUser {
                username: username("inv"),
                display_name: DisplayName::parse("DC Inv").unwrap(),
                rank: Rank::Constable,
                roles: RoleSet::parse_list("investigator").unwrap(),
                password: password(&first_password("inv"), "inv"),
            },
        )
        .unwrap();
    decide(&mut cf, &lead, urn_of(&added), true, None).unwrap();
    let done = cf
        .execute(
            &admin,
            Command::SetPassword {
                username: username("inv"),
                password: password("a reset for the detective", "inv"),
            },
        )
        .unwrap();
    decide(&mut cf, &lead, urn_of(&done), true, None).unwrap();
    login(&mut cf, "inv", "a reset for the detective");
}

/// The list of colleagues to choose from holds the case workers only,
/// active ones, with nothing but their username, name and roles; an
/// administrator, who reads no case content, may not list it.
#[test]
fn colleagues_are_the_active_case_workers_and_only_case_workers_list_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, _path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "inv", "investigator");
    add_user(&mut cf, &admin, "gone", "investigator");
    add_user(&mut cf, &admin, "aud", "auditor");
    cf.execute(
        &admin,
        ccu::store::Command::DisableUser {
            username: username("gone"),
        },
    )
    .unwrap();
    let inv = login(&mut cf, "inv", USER_PASSWORD);
    let names: Vec<String> = cf
        .colleagues(&inv)
        .unwrap()
        .into_iter()
        .map(|(u, _, _)| u)
        .collect();
    assert!(names.contains(&"inv".to_string()), "{names:?}");
    assert!(names.contains(&HEAD.to_string()), "{names:?}");
    for absent in [ADMIN, "aud", "gone"] {
        assert!(!names.contains(&absent.to_string()), "{absent}: {names:?}");
    }
    assert!(matches!(
        cf.colleagues(&admin),
        Err(ccu::store::Error::Denied { .. })
    ));
}
