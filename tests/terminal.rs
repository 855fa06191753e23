//! The real binary in a real terminal (tmux): passwords are asked for on a
//! hidden prompt and never appear on screen.

use std::path::Path;
use std::time::Duration;

mod tmux;
use tmux::Tmux;

fn shell_command(file: &Path, args: &str) -> String {
    format!(
        "{} --file '{}' {args}; echo \"exit=$?\"; sleep 60",
        env!("CARGO_BIN_EXE_ccu"),
        file.display()
    )
}

#[test]
fn init_and_login_ask_for_passwords_on_a_hidden_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let secret = "tall-giraffe-orbit-41";

    let head_secret = "quiet-heron-ledger-93";
    let init = "init --admin admin --head head --head-rank DI";

    let tmux = Tmux::start("init", &shell_command(&file, init));
    tmux.wait_for("New password for admin:");
    tmux.type_line(secret);
    tmux.wait_for("Type it again:");
    tmux.type_line(secret);
    // Then the head of unit types their own, as the administrator looks away.
    tmux.wait_for("Now the head of unit, head: type your own password");
    tmux.wait_for("New password for head:");
    tmux.type_line(head_secret);
    tmux.wait_for_count("Type it again:", 2);
    tmux.type_line(head_secret);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(screen.contains("Created case file"), "{screen}");
    for typed in [secret, head_secret] {
        assert!(
            !screen.contains(typed),
            "the password was echoed:\n{screen}"
        );
    }
    drop(tmux);

    let tmux = Tmux::start("list", &shell_command(&file, "user list --as admin"));
    tmux.wait_for("Password for admin:");
    tmux.type_line(secret);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(
        screen.contains("admin     admin  Police Staff  administrator  active"),
        "{screen}"
    );
    assert!(
        !screen.contains(secret),
        "the password was echoed:\n{screen}"
    );
    drop(tmux);

    // The head of unit logs in with their own password.
    let tmux = Tmux::start("head", &shell_command(&file, "user requests --as head"));
    tmux.wait_for("Password for head:");
    tmux.type_line(head_secret);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(
        screen.contains("No request for access is waiting."),
        "{screen}"
    );
    assert!(
        !screen.contains(head_secret),
        "the password was echoed:\n{screen}"
    );
    drop(tmux);

    // Two different entries, the administrator's or the head's: nothing is
    // created.
    let other = dir.path().join("other.ccu");
    let tmux = Tmux::start("mismatch", &shell_command(&other, init));
    tmux.wait_for("New password for admin:");
    tmux.type_line(secret);
    tmux.wait_for("Type it again:");
    tmux.type_line("something-else-entirely");
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("the two entries differ"), "{screen}");
    assert!(screen.contains("exit=5"), "{screen}");
    assert!(!other.exists());
    drop(tmux);
    let tmux = Tmux::start("head-mismatch", &shell_command(&other, init));
    tmux.wait_for("New password for admin:");
    tmux.type_line(secret);
    tmux.wait_for("Type it again:");
    tmux.type_line(secret);
    tmux.wait_for("New password for head:");
    tmux.type_line(head_secret);
    tmux.wait_for_count("Type it again:", 2);
    tmux.type_line("something-else-entirely");
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("the two entries differ"), "{screen}");
    assert!(screen.contains("exit=5"), "{screen}");
    assert!(!other.exists());
}

/// The terminal application, for real: log in to a demo case file, open an
/// operation, add a decision-log entry, quit; the entry is in the case file
/// and the terminal is given back.
#[test]
fn the_application_adds_a_decision_to_a_demo_case_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let supervisor = demo_supervisor();
    let tmux = Tmux::start("tui", &shell_command(&file, "demo"));
    // Building the demo file hashes a password per account: allow time.
    // (Waiting for each thing looked for: a capture may catch a frame
    // half drawn.)
    tmux.wait_for_up_to("Demo accounts", Duration::from_secs(180));
    tmux.wait_for(&format!("password is: {}", ccu::demo::DEMO_PASSWORD));
    tmux.type_text(supervisor.username);
    tmux.keys(&["Tab"]);
    tmux.type_text(ccu::demo::DEMO_PASSWORD);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Due (");
    let screen = tmux.wait_for("Intelligence by category");
    assert!(!screen.contains(ccu::demo::DEMO_PASSWORD), "{screen}");

    tmux.keys(&["4"]);
    tmux.wait_for("sorted by");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Decision log (");
    let screen = tmux.wait_for("│Opened");
    let codename = screen
        .lines()
        .find_map(|l| l.split("Operation ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the operation's title")
        .to_string();
    tmux.keys(&["d"]);
    tmux.wait_for(&format!("Decision log: {codename}"));
    tmux.type_text("Seek a directed surveillance authority");
    tmux.keys(&["Tab"]);
    tmux.type_text("Pattern of contact with victims continues");
    tmux.keys(&["C-s"]);
    tmux.wait_for(&format!("Saved: {codename}"));
    tmux.keys(&["Escape", "Escape", "q"]);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    assert!(
        !screen.contains("Intelligence by category"),
        "the terminal was not given back:\n{screen}"
    );
    drop(tmux);

    let conn = demo_conn(&file);
    let (decision, by): (String, String) = conn
        .query_row(
            "SELECT d.decision, u.username FROM decision_log_entry d
             JOIN operation o ON o.id = d.operation_id
             JOIN user_account u ON u.id = d.recorded_by
             WHERE o.codename = ?1 ORDER BY d.id DESC LIMIT 1",
            [&codename],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(decision, "Seek a directed surveillance authority");
    assert_eq!(by, supervisor.username);
}

/// A raw SQLCipher connection to a demo file, keyed from a demo account's
/// password. (common::raw_conn tries the test administrator's password
/// first, which the demo's `admin` does not have: each try would be noted
/// in the keyring as a failed login.)
fn demo_conn(file: &Path) -> rusqlite::Connection {
    let sql = ccu::store::CaseFile::locate(file)
        .unwrap()
        .sqlcipher_unlock(ccu::store::Credentials {
            username: ccu::demo::DEMO_ACCOUNTS[0].username,
            password: ccu::demo::DEMO_PASSWORD,
        })
        .unwrap();
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.execute_batch(&sql).unwrap();
    conn
}

/// The demo's supervisor account.
fn demo_supervisor() -> &'static ccu::demo::DemoAccount {
    ccu::demo::DEMO_ACCOUNTS
        .iter()
        .find(|a| a.roles.contains(&"supervisor"))
        .expect("a demo supervisor")
}

/// Logs in to the demo file as `user` in a fresh tmux session.
fn demo_session(name: &str, file: &Path, user: &str) -> Tmux {
    let tmux = Tmux::start(name, &shell_command(file, "demo"));
    tmux.wait_for_up_to("Demo accounts", Duration::from_secs(180));
    tmux.wait_for(&format!("password is: {}", ccu::demo::DEMO_PASSWORD));
    tmux.type_text(user);
    tmux.keys(&["Tab"]);
    tmux.type_text(ccu::demo::DEMO_PASSWORD);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Due (");
    tmux
}

fn quit(tmux: Tmux) {
    tmux.keys(&["Escape", "Escape", "q"]);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
}

/// Moves down a list until the selected row (shown reversed, so found by
/// its text on the line the list reports as selected) holds `text`.
fn select_row(tmux: &Tmux, text: &str) {
    for _ in 0..30 {
        let screen = tmux.screen();
        let position = screen.lines().find_map(|l| {
            l.split(" of ")
                .next()?
                .rsplit('(')
                .next()?
                .parse::<usize>()
                .ok()
        });
        let rows: Vec<&str> = screen.lines().skip(4).collect();
        if let Some(p) = position
            && rows.get(p - 1).is_some_and(|row| row.contains(text))
        {
            return;
        }
        tmux.keys(&["Down"]);
    }
    panic!("no row with {text}:\n{}", tmux.screen());
}

/// The covert workflow, for real: an investigator bids for resources on
/// an operation whose threshold is met and submits the bid, a supervisor
/// approves it from their queue, an authorising officer grants a directed
/// surveillance application, and the dashboard shows the authorisation's
/// last day as the domain rules compute it.
#[test]
fn a_bid_is_approved_and_directed_surveillance_granted_in_the_application() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");

    let tmux = demo_session("bid", &file, "investigator");
    tmux.keys(&["4"]);
    tmux.wait_for("sorted by");
    select_row(&tmux, "KESTREL");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Operation KESTREL");
    tmux.keys(&["b"]);
    tmux.wait_for("Bid for resources");
    tmux.keys(&["Tab"]);
    tmux.type_text("Two weeks of analysis of the subject's messages");
    tmux.keys(&["Tab"]);
    tmux.type_text("analyst-hours 10 +1d +14d Message analysis");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("Saved: BID-");
    let urn = screen
        .split("Saved: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    tmux.keys(&["s"]);
    tmux.wait_for("for a supervisor's decision?");
    tmux.keys(&["y"]);
    tmux.wait_for("Submitted");
    quit(tmux);

    let tmux = demo_session("approve", &file, "supervisor");
    tmux.keys(&["8"]);
    tmux.wait_for(&urn);
    select_row(&tmux, &urn);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("Bid {urn}"));
    tmux.keys(&["D"]);
    tmux.wait_for(&format!("Decide bid {urn}"));
    tmux.keys(&["Right", "Tab", "Tab"]);
    tmux.type_text("Within capacity; threshold met");
    tmux.keys(&["C-s"]);
    tmux.wait_for(&format!("Saved: {urn}"));
    quit(tmux);

    let tmux = demo_session("grant", &file, "authorising");
    tmux.keys(&["6"]);
    tmux.wait_for("sorted by");
    select_row(&tmux, "AUTH-2026-0005");
    tmux.keys(&["Enter"]);
    tmux.wait_for("AUTH-2026-0005  Directed surveillance");
    tmux.keys(&["D"]);
    tmux.wait_for("Decide AUTH-2026-0005");
    // Grant, then each of its two tactics granted, then the rationale.
    tmux.keys(&[
        "Right", "Tab", "Right", "Tab", "Tab", "Right", "Tab", "Tab", "Tab",
    ]);
    tmux.type_text("Necessary and proportionate: no overt route remains");
    tmux.keys(&["C-s"]);
    // A grant is asked about first, naming its end.
    tmux.wait_for("Grant AUTH-2026-0005 until ");
    tmux.keys(&["y"]);
    tmux.wait_for("Saved: AUTH-2026-0005");
    tmux.keys(&["Escape", "Escape", "1"]);

    let conn = demo_conn(&file);
    let (status, granted_at, ends_at): (String, String, String) = conn
        .query_row(
            "SELECT status, granted_at, ends_at FROM authorisation WHERE urn = 'AUTH-2026-0005'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(status, "granted");
    let granted = chrono::DateTime::parse_from_rfc3339(&granted_at)
        .unwrap()
        .to_utc();
    let expected_end = ccu::domain::authorisation::ends_at(
        ccu::domain::authorisation::AuthorisationType::DirectedSurveillance,
        granted,
        false,
    );
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&ends_at)
            .unwrap()
            .to_utc(),
        expected_end
    );
    let last_day = ccu::domain::authorisation::last_day(expected_end).format("%d/%m/%Y");
    let screen = tmux.wait_for(&format!("AUTH-2026-0005 to {last_day}"));
    assert!(screen.contains("Authorisations in effect"), "{screen}");
    quit(tmux);

    let bid_status: String = conn
        .query_row("SELECT status FROM bid WHERE urn = ?1", [&urn], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(bid_status, "active");
}

/// The register of lessons learned, in the real binary: the supervisor
/// goes to it, opens CORMORANT's lessons, sees where they went, records
/// that they went to custody too, and the case file holds it.
#[test]
fn lessons_are_opened_and_a_dissemination_recorded_in_the_application() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let supervisor = demo_supervisor();
    let tmux = demo_session("lessons", &file, supervisor.username);
    tmux.keys(&["0"]);
    tmux.wait_for("Lessons learned (");
    select_row(&tmux, "CORMORANT");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Lessons learned from CORMORANT");
    let screen = tmux.wait_for("Fleet services on");
    assert!(
        screen.contains("Disseminated (1 of 2 answered)"),
        "{screen}"
    );
    assert!(
        screen.contains("Cards now suspend automatically"),
        "{screen}"
    );
    tmux.keys(&["e"]);
    tmux.wait_for("Record where CORMORANT's lessons went");
    tmux.keys(&["Tab"]);
    tmux.type_text("Custody");
    tmux.keys(&["Tab", "Tab"]);
    tmux.type_text("briefing to custody sergeants");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("Disseminated (1 of 3 answered)");
    assert!(screen.contains("Custody on"), "{screen}");
    quit(tmux);

    let conn = demo_conn(&file);
    let (means, by): (String, String) = conn
        .query_row(
            "SELECT d.means, u.username FROM lesson_dissemination d
             JOIN operation o ON o.id = d.operation_id
             JOIN user_account u ON u.id = d.recorded_by
             WHERE o.codename = 'CORMORANT' AND d.department = 'Custody'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(means, "briefing to custody sergeants");
    assert_eq!(by, supervisor.username);
}

/// The register of partner agencies, in the real binary: the supervisor
/// goes to it with `O`, opens the refuge, sees its SPOC and what it
/// produced, and records a call, which sets the next contact due.
#[test]
fn a_partner_is_opened_and_an_engagement_recorded_in_the_application() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let supervisor = demo_supervisor();
    let tmux = demo_session("partners", &file, supervisor.username);
    tmux.keys(&["O"]);
    tmux.wait_for("Partner agencies (");
    select_row(&tmux, "ORG-2026-0001");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Partner Easthaven Women's Refuge");
    assert!(screen.contains("Priya Anand"), "{screen}");
    tmux.keys(&["m"]);
    tmux.wait_for("Record an engagement with ORG-2026-0001");
    tmux.keys(&["Tab", "Tab"]);
    tmux.type_text("Call about the refuge's new referral route");
    tmux.keys(&["Tab"]);
    tmux.type_text("+4w");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Engagements (4)");
    quit(tmux);

    let conn = demo_conn(&file);
    let (kind, by, days): (String, String, i64) = conn
        .query_row(
            "SELECT e.kind, u.username, julianday(e.next_due) - julianday(e.engaged_on)
             FROM partner_engagement e JOIN user_account u ON u.id = e.recorded_by
             WHERE e.summary = 'Call about the refuge''s new referral route'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, f64>(2)? as i64)),
        )
        .unwrap();
    assert_eq!(kind, "meeting");
    assert_eq!(by, supervisor.username);
    assert_eq!(days, 28);
}

/// Tried as a user pasting from an email: a paste arrives whole. Several
/// lines into a one-line field stay in that field (they used to spill into
/// the next, Enter moving on), control characters are left out and said so,
/// 5,000 characters arrive as one edit, and a paste on a list is not read
/// as keys that would act.
#[test]
fn a_paste_arrives_whole_in_the_field_with_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let tmux = demo_session("paste", &file, "investigator");
    tmux.keys(&["2"]);
    tmux.wait_for("Intelligence (");
    // On a list, a paste holding "n" and Enter opens nothing.
    tmux.paste("n\r");
    std::thread::sleep(Duration::from_millis(500));
    let screen = tmux.screen();
    assert!(!screen.contains("Record intelligence"), "{screen}");
    assert!(screen.contains("Nothing to paste into here"), "{screen}");
    tmux.keys(&["n"]);
    tmux.wait_for("Record intelligence");
    // To the source reference: received, source type, anonymous, then it.
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.paste("CRL-2026-114\nforwarded by the duty inspector\u{7}");
    let screen = tmux.wait_for("CRL-2026-114 forwarded by the duty inspector");
    assert!(screen.contains("1 line break made a space"), "{screen}");
    assert!(screen.contains("1 control character left out"), "{screen}");
    // The grading, the next field, is still empty.
    let grading = screen
        .lines()
        .find(|l| l.contains("grading"))
        .expect("the grading field");
    assert!(
        grading.contains("3x5x2"),
        "the hint of an empty field: {grading}"
    );
    // A long paste into the summary arrives as one edit.
    let long = "word ".repeat(1000);
    for _ in 0..6 {
        tmux.keys(&["Tab"]);
    }
    tmux.paste(&long);
    tmux.wait_for("word word word word");
    quit_with_form(tmux);
}

/// Quits from a form with changes: Ctrl-C asks, y leaves.
fn quit_with_form(tmux: Tmux) {
    tmux.keys(&["C-c"]);
    tmux.wait_for("lost");
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
}

/// The authorising officer, in the real binary at 80x24, reads an
/// application's grounds and its operation's threshold before granting:
/// MERLIN's threshold waits for a supervisor, so the form and its question
/// warn; "n" writes nothing, "y" grants.
#[test]
fn the_authorising_officer_reads_the_grounds_and_the_threshold_warning_before_granting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let urn = merlin_application(&file);
    let tmux = demo_session("warning", &file, "authorising");
    tmux.resize(80, 24);
    grant_with_the_warning_read(&tmux, &file, &urn);
    quit(tmux);
}

/// A demo file with an application for directed surveillance on MERLIN,
/// whose threshold waits for a supervisor: its URN.
fn merlin_application(file: &Path) -> String {
    {
        let mut cf = ccu::demo::create_demo(file, chrono::Utc::now()).unwrap();
        let inv = cf
            .login(ccu::store::Credentials {
                username: "investigator",
                password: ccu::demo::DEMO_PASSWORD,
            })
            .unwrap();
        let application = ccu::domain::covert::AuthorisationApplication::new(
            ccu::domain::operation::Codename::parse("MERLIN").unwrap(),
            ccu::domain::account::Username::parse("authorising").unwrap(),
            ccu::domain::authorisation::AuthorisationType::DirectedSurveillance,
            false,
            "",
            "Observe the call handler near her former partner's home.",
            vec![ccu::domain::subject::StaffNumber::parse("S20488").unwrap()],
            "Only observation shows whether she goes to his address.",
            "Evenings only, for four weeks, from a vehicle in the street.",
            "Neighbours passing in the street; no private space is watched.",
            ccu::domain::covert::ConfidentialMaterial::new(
                false,
                "Unlikely because a public street, away from any lawyer",
            )
            .unwrap(),
            false,
        )
        .unwrap()
        .with_tactics(vec![
            ccu::domain::tactic::TacticCase::new(
                ccu::domain::tactic::Tactic::StaticObservation,
                "Only watching the car park shows the contact",
                "One parked vehicle, two hours after late shifts",
            )
            .unwrap(),
        ])
        .unwrap();
        cf.execute(
            &inv,
            ccu::store::Command::ApplyForAuthorisation(application),
        )
        .unwrap()
        .reference
    }
}

/// As the authorising officer, on the authorisations list: opens `urn`,
/// reads the threshold warning and the grounds, answers n to the grant
/// (nothing written) and then y.
fn grant_with_the_warning_read(tmux: &Tmux, file: &Path, urn: &str) {
    let urn = urn.to_string();
    tmux.keys(&["6"]);
    tmux.wait_for("sorted by");
    select_row(tmux, &urn);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("{urn}  Directed surveillance"));
    let screen = tmux.wait_for("MERLIN's threshold is not met (proposed ");
    assert!(screen.contains("yet decided"), "{screen}");
    // The grounds, further down the record.
    for _ in 0..40 {
        if tmux
            .screen()
            .contains("Neighbours passing in the street; no private space is watched.")
        {
            break;
        }
        tmux.keys(&["j"]);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let screen = tmux.wait_for("Collateral intrusion");
    assert!(
        screen.contains("Neighbours passing in the street; no private space is watched."),
        "{screen}"
    );
    tmux.keys(&["D"]);
    tmux.wait_for(&format!("Decide {urn}"));
    let screen = tmux.wait_for("! MERLIN's threshold is not met");
    assert!(
        screen.contains("Proportionality: Evenings only"),
        "{screen}"
    );
    // Grant, its one tactic granted, then the rationale.
    tmux.keys(&["Right", "Tab", "Right", "Tab", "Tab", "Tab"]);
    tmux.type_text("Necessary despite the threshold: the risk is rising");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for(&format!("Grant {urn} until"));
    assert!(screen.contains("y yes · n no"), "{screen}");
    tmux.keys(&["n"]);
    tmux.wait_for("(unsaved)");
    let conn = demo_conn(file);
    let status = || -> String {
        conn.query_row(
            "SELECT status FROM authorisation WHERE urn = ?1",
            [&urn],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(status(), "applied");
    tmux.keys(&["C-s"]);
    tmux.wait_for(&format!("Grant {urn} until"));
    tmux.keys(&["y"]);
    tmux.wait_for(&format!("Saved: {urn}"));
    assert_eq!(status(), "granted");
}

/// A new user's first day, in one run of the real binary at 80x24: the
/// administrator adds an investigator and the head of unit approves it;
/// the new investigator chooses a password, searches by a URN and by a
/// hyphenated word, opens a result and records intelligence; then the
/// authorising officer reads an application's grounds and its threshold
/// warning before granting.
#[test]
fn a_new_investigators_first_day_from_account_to_grant() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let urn = merlin_application(&file);
    let tmux = Tmux::start("firstday", &shell_command(&file, "demo"));
    tmux.resize(80, 24);
    let log_in = |name: &str, pw: &str| {
        tmux.wait_for("Log in");
        tmux.type_text(name);
        tmux.keys(&["Tab"]);
        tmux.type_text(pw);
        tmux.keys(&["Enter"]);
    };
    let first = "given by the admin today";
    let own = "known to the new officer";
    tmux.wait_for_up_to("Demo accounts", Duration::from_secs(180));
    log_in("admin", ccu::demo::DEMO_PASSWORD);
    tmux.wait_for("User accounts");
    tmux.keys(&["n"]);
    tmux.wait_for("Add an account");
    for (i, text) in [
        "nnewton",
        "DC Nia Newton",
        "DC",
        "investigator",
        first,
        first,
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
    tmux.wait_for("pending");
    tmux.keys(&["C-o"]);
    tmux.wait_for("admin logged out");

    log_in("head", ccu::demo::DEMO_PASSWORD);
    tmux.wait_for("Due (");
    tmux.keys(&["8"]);
    tmux.wait_for("add nnewton");
    select_row(&tmux, "add nnewton");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Decide ACR-");
    tmux.keys(&["Right"]);
    tmux.wait_for("◂ Approve ▸");
    tmux.keys(&["C-s"]);
    tmux.wait_for("Approved ACR-");
    tmux.keys(&["C-o"]);
    tmux.wait_for("head logged out");

    log_in("nnewton", first);
    tmux.wait_for("Choose your own password");
    tmux.type_text(own);
    tmux.keys(&["Tab"]);
    tmux.type_text(own);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Your password is changed");
    // By its URN, and by a hyphenated word (both used to fail in FTS5).
    tmux.keys(&["/"]);
    tmux.type_text("INT-2026-00059");
    tmux.keys(&["Enter"]);
    tmux.wait_for("bribe");
    tmux.keys(&["Escape", "/"]);
    tmux.type_text("ex-partner");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("INT-2026-00084");
    assert!(!screen.contains("no such column"), "{screen}");
    tmux.keys(&["Down", "Up", "Enter"]);
    // The record opens beside its row (both name it).
    tmux.wait_for_count("INT-2026-00084", 2);
    tmux.keys(&["Escape", "Escape", "2", "n"]);
    tmux.wait_for("Record intelligence");
    // received (now), source type, anonymous, source reference, source
    // person, grading, handling conditions, category, apsp, subjects,
    // summary, full text.
    tmux.keys(&["Tab", "o", "Tab", "Tab", "Tab", "Tab"]);
    tmux.type_text("2BP");
    tmux.keys(&["Tab", "Tab", "m", "Tab", "Tab", "Tab"]);
    tmux.type_text("Custody log viewed for a relative's arrest");
    tmux.keys(&["Tab"]);
    tmux.type_text("A colleague saw the officer open the custody record of his brother-in-law.");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("Saved: INT-2026-00085");
    assert!(!screen.contains("may not"), "{screen}");
    tmux.keys(&["Escape", "C-o"]);
    tmux.wait_for("nnewton logged out");

    log_in("authorising", ccu::demo::DEMO_PASSWORD);
    tmux.wait_for("Due (");
    grant_with_the_warning_read(&tmux, &file, &urn);
    quit(tmux);

    let conn = demo_conn(&file);
    let (summary, by): (String, String) = conn
        .query_row(
            "SELECT i.summary, u.username FROM intelligence i
             JOIN user_account u ON u.id = i.recorded_by WHERE i.urn = 'INT-2026-00085'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(summary, "Custody log viewed for a relative's arrest");
    assert_eq!(by, "nnewton");
}

/// Two people on one case file, each in the real binary: a decision one
/// records shows on the other's open operation within a tick or two, with
/// no key pressed there.
#[test]
fn a_decision_recorded_in_one_session_shows_in_another_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let supervisor = demo_supervisor();
    let a = demo_session("refresh-a", &file, supervisor.username);
    let b = demo_session("refresh-b", &file, supervisor.username);
    let count = |screen: &str| -> usize {
        screen
            .split("Decision log (")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no decision log:\n{screen}"))
    };
    for t in [&a, &b] {
        t.keys(&["4"]);
        t.wait_for("sorted by");
        t.keys(&["Enter"]);
        t.wait_for("Decision log (");
    }
    let before = count(&a.wait_for("│Opened"));
    b.keys(&["d"]);
    b.wait_for("Decision log:");
    b.type_text("Seek a directed surveillance authority");
    b.keys(&["Tab"]);
    b.type_text("Pattern of contact with victims continues");
    b.keys(&["C-s"]);
    b.wait_for("Saved:");
    let screen = a.wait_for(&format!("Decision log ({})", before + 1));
    assert_eq!(count(&screen), before + 1);
    quit(a);
    quit(b);
}

/// The strategic threat assessment, in the real binary: the supervisor
/// goes to it (`H`), opens the drugs threat, reviews it with a graver
/// harm, and the case file holds the new version beside the old.
#[test]
fn a_strategic_threat_is_opened_and_reviewed_in_the_application() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.ccu");
    let supervisor = demo_supervisor();
    let tmux = demo_session("threats", &file, supervisor.username);
    tmux.keys(&["H"]);
    tmux.wait_for("Strategic threat assessment (");
    select_row(&tmux, "THR-004");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Strategic threat THR-004");
    assert!(screen.contains("(score 54)"), "{screen}");
    tmux.keys(&["e"]);
    tmux.wait_for("Review THR-004");
    tmux.keys(&["BSpace"]);
    tmux.type_text("5");
    for _ in 0..6 {
        tmux.keys(&["Tab"]);
    }
    tmux.type_text("A partner agency reports supply into two stations");
    tmux.keys(&["C-s"]);
    tmux.wait_for("(score 90)");
    quit(tmux);

    let conn = demo_conn(&file);
    let versions: Vec<(i64, i64, String)> = conn
        .prepare(
            "SELECT v.version, v.harm, u.username FROM threat_version v
             JOIN threat t ON t.id = v.threat_id
             JOIN user_account u ON u.id = v.reviewed_by
             WHERE t.reference = 'THR-004' ORDER BY v.version",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        versions,
        [
            (1, 3, "head".to_owned()),
            (2, 5, supervisor.username.to_owned())
        ]
    );
}
