//! The real `ccu` binary: init, user management and check, as a script or a
//! new user at a shell would run them (passwords from the environment, as
//! standard input is not a terminal here).

mod common;

use std::fs;

use common::*;

const PW: (&str, &str) = ("CCU_PASSWORD", ADMIN_PASSWORD);
const NEW_PW: (&str, &str) = ("CCU_NEW_PASSWORD", USER_PASSWORD);

fn init(file: &str) {
    init_cli(file);
}

#[test]
fn init_creates_the_file_says_what_next_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let file = file.to_str().unwrap();
    let out = ccu(
        &[
            "init",
            "--file",
            file,
            "--admin",
            "Admin",
            "--display-name",
            "DI Sam Reid",
            "--rank",
            "DI",
            "--head",
            "Boss",
            "--head-display-name",
            "DCI Pat Boss",
            "--head-rank",
            "DCI",
        ],
        &[PW, ("CCU_HEAD_PASSWORD", HEAD_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("Created case file {file} (id ")),
        "{text}"
    );
    assert!(
        text.contains("with administrator admin and head of unit boss."),
        "{text}"
    );
    assert!(text.contains("ccu user add"), "{text}");
    assert!(
        text.contains("ccu user approve REQUEST --as boss"),
        "{text}"
    );
    // The head of unit logs in with their own password, as a supervisor.
    let out = ccu(
        &["--file", file, "user", "requests", "--as", "boss"],
        &[("CCU_PASSWORD", HEAD_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "No request for access is waiting.\n");
    let rows = audit_rows(std::path::Path::new(file));
    assert_eq!(
        (rows[2].2.as_str(), rows[2].3.as_str()),
        ("user.add", "boss")
    );
    assert!(
        rows[2].5.contains(r#""rank":"Chief Inspector""#)
            && rows[2].5.contains(r#""roles":["supervisor"]"#)
            && rows[2].5.contains(r#""head_of_unit":true"#),
        "{}",
        rows[2].5
    );

    let before = fs::read(file).unwrap();
    let keys_before = fs::read(format!("{file}.keys")).unwrap();
    let mut again = vec!["init", "--file", file, "--admin", "other"];
    again.extend_from_slice(&HEAD_ARGS);
    let again = ccu(&again, &[PW, HEAD_PW]);
    assert_eq!(again.status.code(), Some(3));
    assert!(
        stderr(&again).contains("already exists; `ccu init` never overwrites"),
        "{}",
        stderr(&again)
    );
    assert_eq!(fs::read(file).unwrap(), before);
    assert_eq!(fs::read(format!("{file}.keys")).unwrap(), keys_before);
}

#[test]
fn init_without_a_password_source_or_with_a_weak_password_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let file = file.to_str().unwrap();

    let init = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["init", "--file", file];
        args.extend_from_slice(extra);
        ccu(&args, env)
    };
    fn head(admin: &str) -> Vec<&str> {
        let mut args = vec!["--admin", admin];
        args.extend_from_slice(&HEAD_ARGS);
        args
    }

    let out = init(&head(ADMIN), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("standard input is not a terminal"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("set CCU_PASSWORD"),
        "{}",
        stderr(&out)
    );

    // The head of unit's password has a source of its own.
    let out = init(&head(ADMIN), &[PW]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("set CCU_HEAD_PASSWORD"),
        "{}",
        stderr(&out)
    );

    let out = init(&head(ADMIN), &[("CCU_PASSWORD", "short"), HEAD_PW]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("password: must be at least 12 characters"),
        "{}",
        stderr(&out)
    );
    let out = init(&head(ADMIN), &[PW, ("CCU_HEAD_PASSWORD", "short")]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("password: must be at least 12 characters"),
        "{}",
        stderr(&out)
    );

    let out = init(&head("x"), &[PW, HEAD_PW]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("username: \"x\" must be 2 to 32 characters long"),
        "{}",
        stderr(&out)
    );

    let mut args = head(ADMIN);
    args.extend_from_slice(&["--rank", "Commissioner"]);
    let out = init(&args, &[PW, HEAD_PW]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("rank: 'Commissioner' is not a rank"),
        "{}",
        stderr(&out)
    );

    // The head of unit is an Inspector or above, and not the administrator.
    let out = init(
        &["--admin", ADMIN, "--head", HEAD, "--head-rank", "DS"],
        &[PW, HEAD_PW],
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("must hold Inspector rank or above, not Sergeant"),
        "{}",
        stderr(&out)
    );
    let out = init(
        &["--admin", ADMIN, "--head", ADMIN, "--head-rank", "DI"],
        &[PW, HEAD_PW],
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("must be two people with two accounts"),
        "{}",
        stderr(&out)
    );

    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn the_default_case_file_lives_in_the_platform_data_directory_and_ccu_file_overrides_it() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let env = [
        ("HOME", home.path().to_str().unwrap()),
        ("XDG_DATA_HOME", data.to_str().unwrap()),
        PW,
        HEAD_PW,
    ];
    let mut init = vec!["init", "--admin", ADMIN];
    init.extend_from_slice(&HEAD_ARGS);
    let out = ccu(&init, &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(data.join("ccu").join("casefile.ccu").is_file());
    let out = ccu(&["check", "--as", ADMIN], &env);
    assert_eq!(
        stdout(&out),
        "ok: 4 events, chain verified, every row answers to it\n",
        "{}",
        stderr(&out)
    );

    let elsewhere = home.path().join("elsewhere.ccu");
    let mut env_file = env.to_vec();
    env_file.push(("CCU_FILE", elsewhere.to_str().unwrap()));
    let out = ccu(&init, &env_file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(elsewhere.is_file());
}

#[test]
fn an_administrator_manages_accounts_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let file = file.to_str().unwrap();
    init(file);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["--file", file];
        all.extend_from_slice(args);
        ccu(&all, env)
    };
    let head_pw = ("CCU_PASSWORD", HEAD_PASSWORD);
    let first = first_password("jokafor");

    // A role that reads case content: the account waits, with no access,
    // for the head of unit.
    let out = run(
        &[
            "user",
            "add",
            "JOkafor",
            "--display-name",
            "DS Jane Okafor",
            "--rank",
            "DS",
            "--roles",
            "investigator,supervisor",
            "--as",
            ADMIN,
        ],
        &[PW, ("CCU_NEW_PASSWORD", &first)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let urn = request_urn(&text).unwrap_or_else(|| panic!("{text}"));
    // It expires when the trail says it does, shown to the minute.
    let added = audit_rows(std::path::Path::new(file)).pop().unwrap();
    let details: serde_json::Value = serde_json::from_str(&added.5).unwrap();
    assert_eq!(details["request"]["urn"], urn.as_str());
    let expires = details["request"]["expires_at"].as_str().unwrap()[..16].replace('T', " ");
    assert_eq!(
        text,
        format!(
            "Added jokafor (Sergeant), with no access yet.\n\
             Request {urn} gives them investigator,supervisor once a head of unit (a supervisor of Inspector rank or above) approves it: `ccu user approve {urn} --as HEAD`. It expires at {expires} UTC.\n\
             Their password is for one use: they choose their own at their first login.\n"
        )
    );
    let out = run(
        &["user", "passwd", "--as", "jokafor"],
        &[("CCU_PASSWORD", &first), NEW_PW],
    );
    assert_eq!(out.status.code(), Some(4), "not before the approval");
    assert!(
        stderr(&out).contains("a head of unit has not yet approved"),
        "{}",
        stderr(&out)
    );
    let out = run(&["user", "list", "--as", ADMIN], &[PW]);
    let pending = stdout(&out)
        .lines()
        .find(|l| l.starts_with("jokafor "))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("{}", stdout(&out)));
    assert!(
        pending.contains(" -  ")
            && pending.contains(" pending ")
            && pending.ends_with(&format!("pending add {urn}: investigator,supervisor")),
        "{pending}"
    );
    // The administrator who asked may not approve; the head of unit does.
    let out = run(&["user", "approve", &urn, "--as", ADMIN], &[PW]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = run(&["user", "approve", &urn, "--as", HEAD], &[head_pw]);
    assert_eq!(
        stdout(&out),
        format!("Approved {urn}: add the account for jokafor; it has taken effect.\n"),
        "{}",
        stderr(&out)
    );
    // The first login replaces the one-time password, then goes on.
    let out = run(
        &["user", "passwd", "--as", "jokafor"],
        &[("CCU_PASSWORD", &first), NEW_PW],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ccu: Your first password was set by admin (admin) at ")
            && stderr(&out).contains(
                "ccu: Password changed for jokafor; the one-time password no longer works."
            ),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "", "the change was the whole command");

    let out = add_user_cli(file, "oversight", "PCC Auditor", "staff", "auditor");
    assert!(
        stdout(&out)
            .starts_with("Added oversight (Police Staff), with no access yet.\nRequest ACR-"),
        "{}",
        stdout(&out)
    );

    // Taking a role away takes effect at once.
    let out = run(
        &["user", "roles", "jokafor", "investigator", "--as", ADMIN],
        &[PW],
    );
    assert_eq!(
        stdout(&out),
        "jokafor now holds: investigator.\n",
        "{}",
        stderr(&out)
    );

    let out = run(&["user", "disable", "jokafor", "--as", ADMIN], &[PW]);
    assert_eq!(
        stdout(&out),
        "Disabled jokafor; the account is kept and can be enabled again.\n\
         A copy of the keyring they kept still holds the data key: run `ccu rekey --as admin` so that it opens nothing.\n",
        "{}",
        stderr(&out)
    );
    let out = run(
        &["user", "list", "--as", "oversight"],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(
        lines[0].starts_with("USERNAME   NAME            RANK") && lines[0].ends_with("PENDING"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("head       head            Inspector     supervisor     active"),
        "{lines:?}"
    );
    assert!(
        lines[3].starts_with("jokafor    DS Jane Okafor  Sergeant      investigator   disabled"),
        "{lines:?}"
    );

    // A disabled account cannot log in.
    let out = run(
        &["user", "passwd", "--as", "jokafor"],
        &[
            ("CCU_PASSWORD", USER_PASSWORD),
            ("CCU_NEW_PASSWORD", "another long secret"),
        ],
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("login failed for 'jokafor'"),
        "{}",
        stderr(&out)
    );

    // Enabling it again is a request, which the head of unit approves.
    let out = run(&["user", "enable", "jokafor", "--as", ADMIN], &[PW]);
    let text = stdout(&out);
    let urn = request_urn(&text).unwrap_or_else(|| panic!("{text} {}", stderr(&out)));
    assert!(
        text.starts_with(&format!(
            "jokafor stays disabled for now.\nRequest {urn} enables the account once a head of unit"
        )) && text.ends_with(" UTC.\n"),
        "{text}"
    );
    let out = run(
        &["user", "passwd", "--as", "jokafor"],
        &[
            ("CCU_PASSWORD", USER_PASSWORD),
            ("CCU_NEW_PASSWORD", "another long secret"),
        ],
    );
    assert_eq!(out.status.code(), Some(4), "still disabled");
    let out = run(&["user", "requests", "--as", HEAD], &[head_pw]);
    assert!(
        stdout(&out)
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with(&format!(
                "{urn}  enable  jokafor (DS Jane Okafor, Sergeant)"
            ))),
        "{}",
        stdout(&out)
    );
    let out = run(&["user", "approve", &urn, "--as", HEAD], &[head_pw]);
    assert_eq!(
        stdout(&out),
        format!("Approved {urn}: enable the account for jokafor; it has taken effect.\n"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &["user", "passwd", "--as", "jokafor"],
        &[
            ("CCU_PASSWORD", USER_PASSWORD),
            ("CCU_NEW_PASSWORD", "another long secret"),
        ],
    );
    assert_eq!(
        stdout(&out),
        "Password changed for jokafor.\n",
        "{}",
        stderr(&out)
    );

    // Only an administrator manages accounts; the refusal is audited.
    let out = run(
        &["user", "disable", ADMIN, "--as", "oversight"],
        &[("CCU_PASSWORD", USER_PASSWORD)],
    );
    assert_eq!(out.status.code(), Some(4));
    // After the line every login prints (the last one, failures since).
    let text = stderr(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("ccu: Last login "), "{text}");
    assert_eq!(
        lines[1],
        "ccu: error: permission denied: oversight (auditor) may not manage user accounts"
    );
    let last = audit_rows(std::path::Path::new(file)).pop().unwrap();
    assert_eq!(
        (last.1.as_str(), last.2.as_str(), last.4.as_str()),
        ("oversight", "user.disable", "denied")
    );

    let out = run(&["check", "--as", ADMIN], &[PW]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("events, chain verified, every row answers to it\n"));
}

#[test]
fn bad_arguments_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let file = file.to_str().unwrap();
    init(file);
    let events = audit_rows(std::path::Path::new(file)).len();
    for (args, message) in [
        (
            vec![
                "user",
                "add",
                "x1",
                "--display-name",
                "X",
                "--rank",
                "Sheriff",
                "--roles",
                "investigator",
            ],
            "rank: 'Sheriff' is not a rank",
        ),
        (
            vec![
                "user",
                "add",
                "x1",
                "--display-name",
                "X",
                "--rank",
                "PC",
                "--roles",
                "administrator,auditor",
            ],
            "role cannot be combined with other roles",
        ),
        (
            vec![
                "user",
                "add",
                "x1",
                "--display-name",
                "X",
                "--rank",
                "PC",
                "--roles",
                "detective",
            ],
            "role: 'detective' is not a role",
        ),
        (
            vec!["user", "roles", "x1", ""],
            "roles: at least one role is needed",
        ),
    ] {
        let mut all = vec!["--file", file];
        all.extend_from_slice(&args);
        all.extend_from_slice(&["--as", ADMIN]);
        let out = ccu(&all, &[PW, NEW_PW]);
        assert_eq!(out.status.code(), Some(5), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    let written: Vec<_> = audit_rows(std::path::Path::new(file))
        .into_iter()
        .skip(events)
        .collect();
    assert!(written.is_empty(), "written: {written:?}");
}

#[test]
fn files_that_are_not_case_files_are_refused_with_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.ccu");
    let out = ccu(
        &["check", "--file", missing.to_str().unwrap(), "--as", ADMIN],
        &[PW],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("no case file here. Create one with `ccu init"),
        "{}",
        stderr(&out)
    );
    assert!(!missing.exists());

    let text = dir.path().join("notes.txt");
    fs::write(&text, "not a database").unwrap();
    let out = ccu(
        &[
            "user",
            "list",
            "--file",
            text.to_str().unwrap(),
            "--as",
            ADMIN,
        ],
        &[PW],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("is not a ccu case file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&text).unwrap(), "not a database");
}

#[test]
fn text_from_the_case_file_reaches_the_terminal_sanitised() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    init(file.to_str().unwrap());
    let added = ccu(
        &[
            "user",
            "add",
            "jdoe",
            "--display-name",
            "J Doe",
            "--rank",
            "DS",
            "--roles",
            "investigator",
            "--file",
            file.to_str().unwrap(),
            "--as",
            ADMIN,
        ],
        &[PW, NEW_PW],
    );
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    // Written from outside ccu, which would refuse these characters. (The
    // changed account could no longer log in; the administrator still can.)
    sqlcipher(
        &file,
        "DROP TRIGGER IF EXISTS user_account_no_update;
         UPDATE user_account SET display_name = 'Evil' || char(27) || '[2J' || char(8238) || 'txet'
          WHERE username = 'jdoe'",
    );
    let out = ccu(
        &[
            "user",
            "list",
            "--file",
            file.to_str().unwrap(),
            "--as",
            ADMIN,
        ],
        &[PW],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Evil\u{241b}[2J<U+202E>txet"), "{text}");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
}

#[test]
fn the_terminal_application_needs_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("none.ccu");
    for args in [
        vec!["--file", file.to_str().unwrap()],
        vec!["--file", file.to_str().unwrap(), "demo"],
    ] {
        let out = ccu(&args, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("needs a terminal"),
            "{}",
            stderr(&out)
        );
        assert!(!file.exists(), "nothing is created without a terminal");
    }
    let out = ccu(&["--lock-minutes", "0"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lock-minutes"), "{}", stderr(&out));
}
