//! The real `ccu` binary: init, user management and check, as a script or a
//! new user at a shell would run them (passwords from the environment, as
//! standard input is not a terminal here).

mod common;

use std::fs;

use common::*;

const PW: (&str, &str) = ("CCU_PASSWORD", ADMIN_PASSWORD);
const NEW_PW: (&str, &str) = ("CCU_NEW_PASSWORD", USER_PASSWORD);

fn init(file: &str) {
    let out = ccu(
        &["init", "--file", file, "--admin", ADMIN, "--rank", "DI"],
        &[PW],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
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
        ],
        &[PW],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("Created case file {file} (id ")),
        "{text}"
    );
    assert!(text.contains("with administrator admin."), "{text}");
    assert!(text.contains("ccu user add"), "{text}");

    let before = fs::read(file).unwrap();
    let keys_before = fs::read(format!("{file}.keys")).unwrap();
    let again = ccu(&["init", "--file", file, "--admin", "other"], &[PW]);
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

    let out = ccu(&["init", "--file", file, "--admin", ADMIN], &[]);
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

    let out = ccu(
        &["init", "--file", file, "--admin", ADMIN],
        &[("CCU_PASSWORD", "short")],
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("password: must be at least 12 characters"),
        "{}",
        stderr(&out)
    );

    let out = ccu(&["init", "--file", file, "--admin", "x"], &[PW]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("username: \"x\" must be 2 to 32 characters long"),
        "{}",
        stderr(&out)
    );

    let out = ccu(
        &[
            "init",
            "--file",
            file,
            "--admin",
            ADMIN,
            "--rank",
            "Commissioner",
        ],
        &[PW],
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("rank: 'Commissioner' is not a rank"),
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
    ];
    let out = ccu(&["init", "--admin", ADMIN], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(data.join("ccu").join("casefile.ccu").is_file());
    let out = ccu(&["check", "--as", ADMIN], &env);
    assert_eq!(
        stdout(&out),
        "ok: 3 events, chain verified, every row answers to it\n",
        "{}",
        stderr(&out)
    );

    let elsewhere = home.path().join("elsewhere.ccu");
    let mut env_file = env.to_vec();
    env_file.push(("CCU_FILE", elsewhere.to_str().unwrap()));
    let out = ccu(&["init", "--admin", ADMIN], &env_file);
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
        &[PW, NEW_PW],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Added jokafor (Sergeant; investigator,supervisor).\n"
    );

    let out = run(
        &[
            "user",
            "add",
            "oversight",
            "--display-name",
            "PCC Auditor",
            "--rank",
            "staff",
            "--roles",
            "auditor",
            "--as",
            ADMIN,
        ],
        &[PW, NEW_PW],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

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
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].starts_with("USERNAME   NAME            RANK"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("jokafor    DS Jane Okafor  Sergeant      investigator   disabled"),
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

    let out = run(&["user", "enable", "jokafor", "--as", ADMIN], &[PW]);
    assert_eq!(stdout(&out), "Enabled jokafor.\n", "{}", stderr(&out));
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
