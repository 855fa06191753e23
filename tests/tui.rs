//! The terminal application driven through its real `update` and runtime
//! against a real case file, drawn into ratatui's `TestBackend`.

mod common;

use ccu::app::runtime::Runtime;
use ccu::app::{App, Msg};
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType};
use ccu::domain::operation::{Codename, Decision, NewOperation, Priority};
use ccu::domain::subject::{
    EmploymentType, StaffNumber, SubjectDetails, SubjectStatus, VettingLevel,
};
use ccu::keymap::Keymap;
use ccu::store::CaseFile;
use ccu::store::Command;
use chrono::{TimeZone, Utc};
use common::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

struct Driver {
    app: App,
    runtime: Runtime,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

fn key_event(key: &str) -> KeyEvent {
    let (mods, name) = match key.strip_prefix("ctrl-") {
        Some(rest) => (KeyModifiers::CONTROL, rest),
        None => (KeyModifiers::NONE, key),
    };
    let code = match name {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "pgdn" => KeyCode::PageDown,
        "pgup" => KeyCode::PageUp,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "backspace" => KeyCode::Backspace,
        "space" => KeyCode::Char(' '),
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap()),
        other => panic!("no key {other}"),
    };
    let mods = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        mods | KeyModifiers::SHIFT
    } else {
        mods
    };
    KeyEvent::new(code, mods)
}

impl Driver {
    fn new(casefile: CaseFile, path: std::path::PathBuf, dir: tempfile::TempDir) -> Driver {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        let app = App::new(now, (80, 24), Keymap::builtin(), "case.ccu".into(), None);
        Driver {
            app,
            runtime: Runtime::new(Some(casefile), fixed_clock),
            _dir: dir,
            path,
        }
    }

    fn send(&mut self, msg: Msg) {
        let effects = self.app.update(msg);
        self.runtime.run(&mut self.app, effects);
    }

    /// Presses keys named like `enter`, `ctrl-s`, `j`.
    fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            self.send(Msg::Key(key_event(k)));
        }
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\t' => KeyCode::Tab,
                c => KeyCode::Char(c),
            };
            self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        }
    }

    fn screen(&mut self) -> String {
        let (w, h) = self.app.size;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| ccu::ui::render(&self.app, f)).unwrap();
        terminal.backend().to_string()
    }

    fn login(&mut self, user: &str, pw: &str) {
        self.type_text(user);
        self.keys(&["enter"]);
        self.type_text(pw);
        self.keys(&["enter"]);
    }
}

fn staff(s: &str) -> StaffNumber {
    StaffNumber::parse(s).unwrap()
}

/// A small unit: a supervisor, two investigators, subjects, two
/// operations with a decision log, and intelligence, one item of which
/// carries an escape sequence and a bidi override.
fn casework() -> Driver {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "sup", "supervisor");
    add_user(&mut cf, &admin, "inv", "investigator");
    add_user(&mut cf, &admin, "other", "investigator");
    let sup = login(&mut cf, "sup", USER_PASSWORD);
    for (n, name, dept) in [
        ("AB1001", "Alex Example", "Response North"),
        ("AB1002", "Sam Sample", "Custody"),
    ] {
        let details = SubjectDetails::new(
            staff(n),
            name,
            "PC",
            EmploymentType::Officer,
            dept,
            "Patrol",
            true,
            VettingLevel::Recruitment,
            None,
            SubjectStatus::Serving,
        )
        .unwrap();
        cf.execute(&sup, Command::AddSubject(details)).unwrap();
    }
    for (codename, lead, subjects, category) in [
        ("KESTREL", "inv", vec!["AB1001"], Category::AbuseOfAuthority),
        ("MERLIN", "other", vec!["AB1002"], Category::Drugs),
    ] {
        let op = NewOperation::new(
            Codename::parse(codename).unwrap(),
            "Allegations that the subject used their position to pursue a relationship with a victim of crime.",
            category,
            Priority::P2,
            username(lead),
            username("sup"),
            vec![],
            subjects.into_iter().map(staff).collect(),
        )
        .unwrap();
        cf.execute(&sup, Command::OpenOperation(op)).unwrap();
    }
    cf.execute(
        &sup,
        Command::RecordDecision {
            codename: Codename::parse("KESTREL").unwrap(),
            decision: Decision::new(
                "Open a scoping phase",
                "Two independent reports within a month",
                "No further action",
                None,
            )
            .unwrap(),
        },
    )
    .unwrap();
    let received = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    for (summary, text, category, subjects) in [
        (
            "Repeated messages to a victim after a domestic call",
            "The caller reports that the officer messaged her privately\nafter attending her address.",
            Category::AbuseOfAuthority,
            vec!["AB1001"],
        ),
        (
            "Hostile text",
            "Line one\u{7}\nLine two \u{200b}hidden",
            Category::Other,
            vec![],
        ),
        (
            "Custody officer seen passing a package",
            "Seen on CCTV.",
            Category::Drugs,
            vec!["AB1002"],
        ),
    ] {
        let item = NewIntelligence::new(
            received,
            SourceType::ConfidentialLine,
            false,
            None,
            Grading::parse("2BP", "").unwrap(),
            category,
            false,
            subjects.into_iter().map(staff).collect(),
            summary,
            text,
        )
        .unwrap();
        cf.execute(&sup, Command::RecordIntelligence(item)).unwrap();
    }
    // Text can reach the case file from outside ccu's checks (an edited
    // file, an old import): the screen must still show it harmlessly.
    sqlite3(
        &path,
        "UPDATE intelligence SET summary = 'Hostile ' || char(27) || '[31mred' || char(27) || '[0m text ' || char(8238) || 'desrever' WHERE summary = 'Hostile text'",
    );
    Driver::new(cf, path, dir)
}

fn logged_in(user: &str) -> Driver {
    let mut d = casework();
    d.login(user, USER_PASSWORD);
    d
}

fn snapshot(name: &str, d: &mut Driver) {
    insta::assert_snapshot!(name, d.screen());
}

#[test]
fn login_screen() {
    let mut d = casework();
    snapshot("login", &mut d);
    d.login("sup", "wrong password!");
    snapshot("login_failed", &mut d);
    assert!(d.app.session.is_none());
    let failures = count(
        &d.path,
        "SELECT count(*) FROM audit_event WHERE action = 'login' AND outcome <> 'ok'",
    );
    assert_eq!(failures, 1, "the failed login is audited");
    d.type_text(USER_PASSWORD);
    d.keys(&["enter"]);
    assert_eq!(d.app.session.as_ref().unwrap().username, "sup");
}

#[test]
fn the_password_is_never_drawn() {
    let mut d = casework();
    d.type_text("sup\tsecret-ish-password");
    let screen = d.screen();
    assert!(!screen.contains("secret"), "{screen}");
    assert!(screen.contains("••••"), "{screen}");
}

#[test]
fn dashboard_lists_and_records() {
    let mut d = logged_in("sup");
    snapshot("dashboard", &mut d);
    d.keys(&["2"]);
    snapshot("intelligence_list", &mut d);
    d.keys(&["down", "enter"]);
    snapshot("intelligence_detail", &mut d);
    d.keys(&["3"]);
    snapshot("subjects_list", &mut d);
    d.keys(&["enter"]);
    snapshot("subject_detail", &mut d);
    d.keys(&["4"]);
    snapshot("operations_list", &mut d);
    d.keys(&["end", "enter"]);
    snapshot("operation_detail", &mut d);
}

#[test]
fn hostile_text_is_shown_as_placeholders() {
    let mut d = logged_in("sup");
    d.keys(&["2"]);
    let screen = d.screen();
    assert!(screen.contains("Hostile ␛[31mred"), "{screen}");
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{202e}'));
    let row = d
        .app
        .list(ccu::app::Area::Intelligence)
        .rows
        .iter()
        .position(|r| r.cells[6].starts_with("Hostile"))
        .unwrap();
    for _ in 0..row {
        d.keys(&["down"]);
    }
    d.keys(&["enter"]);
    d.send(Msg::Resize(100, 50));
    let screen = d.screen();
    assert!(
        screen.contains("Hostile ␛[31mred␛[0m text <U+202E>desrever"),
        "{screen}"
    );
    assert!(screen.contains("Line one␇"), "{screen}");
    assert!(screen.contains("Line two <U+200B>hidden"), "{screen}");
}

fn at(minutes: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap() + chrono::Duration::minutes(minutes)
}

#[test]
fn idle_screen_locks_and_hides_everything_until_the_password() {
    let mut d = logged_in("sup");
    d.keys(&["4", "enter"]);
    assert!(d.screen().contains("KESTREL") || d.screen().contains("MERLIN"));
    d.send(Msg::Tick(at(9)));
    assert!(matches!(d.app.screen, ccu::app::Screen::Main), "not yet");
    d.send(Msg::Tick(at(10)));
    let screen = d.screen();
    snapshot("locked", &mut d);
    for secret in [
        "KESTREL",
        "MERLIN",
        "Operation",
        "OP-2026",
        "Officer sup",
        "allegations",
    ] {
        assert!(
            !screen.contains(secret),
            "{secret} shows while locked:\n{screen}"
        );
    }
    // Keys other than the password do nothing to the case file.
    d.keys(&["q", "enter"]);
    assert!(!d.app.quit);
    let failures = "SELECT count(*) FROM audit_event WHERE action = 'login' AND outcome <> 'ok'";
    assert_eq!(
        count(&d.path, failures),
        1,
        "the q typed was a wrong password"
    );
    d.type_text(USER_PASSWORD);
    d.keys(&["enter"]);
    assert!(matches!(d.app.screen, ccu::app::Screen::Main));
    assert!(d.screen().contains("Operation"), "{}", d.screen());
}

#[test]
fn lock_time_is_configurable_and_counts_from_the_last_key() {
    let mut d = logged_in("sup");
    d.app.lock_after = chrono::Duration::minutes(2);
    d.send(Msg::Tick(at(1)));
    d.keys(&["2"]);
    d.send(Msg::Tick(at(2)));
    assert!(matches!(d.app.screen, ccu::app::Screen::Main));
    assert!(d.screen().contains("lock 1:00"), "{}", d.screen());
    d.send(Msg::Tick(at(3)));
    assert!(matches!(d.app.screen, ccu::app::Screen::Locked(_)));
}

#[test]
fn a_decision_entered_through_the_form_is_in_the_case_file() {
    let mut d = logged_in("sup");
    d.keys(&["4", "home"]);
    let codename = d
        .app
        .list(ccu::app::Area::Operations)
        .selected_row()
        .unwrap()
        .key
        .clone();
    d.keys(&["enter", "d"]);
    snapshot("form_decision_empty", &mut d);
    d.keys(&["ctrl-s"]);
    snapshot("form_decision_errors", &mut d);
    let before = count(&d.path, "SELECT count(*) FROM decision_log_entry");
    d.type_text("Apply for directed surveillance\tThe messages continue\nafter words of advice");
    d.keys(&["tab"]);
    d.type_text("Management action only");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "saved: {}", d.screen());
    assert_eq!(
        count(&d.path, "SELECT count(*) FROM decision_log_entry"),
        before + 1
    );
    let rationale: String = rusqlite::Connection::open(&d.path)
        .unwrap()
        .query_row(
            "SELECT d.rationale FROM decision_log_entry d JOIN operation o ON o.id = d.operation_id
             WHERE o.codename = ?1 ORDER BY d.id DESC LIMIT 1",
            [&codename],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rationale, "The messages continue\nafter words of advice");
}

#[test]
fn leaving_a_form_with_changes_asks_first() {
    let mut d = logged_in("sup");
    d.keys(&["3", "n"]);
    d.type_text("AB2001");
    d.keys(&["esc"]);
    snapshot("confirm_discard", &mut d);
    d.keys(&["n"]);
    assert!(d.app.form.is_some(), "n keeps the form");
    d.keys(&["esc", "y"]);
    assert!(d.app.form.is_none());
    // An untouched form just closes.
    d.keys(&["n", "esc"]);
    assert!(d.app.form.is_none() && d.app.popup.is_none());
}

#[test]
fn bad_input_is_shown_beside_the_field_and_nothing_is_written() {
    let mut d = logged_in("sup");
    let events = count(&d.path, "SELECT count(*) FROM audit_event");
    d.keys(&["3", "n"]);
    // Staff number taken: the case file refuses, the form says why.
    d.type_text("AB1001\tSomeone Else\tPC");
    d.keys(&["tab", "right"]);
    d.type_text("\tResponse\tPatrol");
    d.keys(&["ctrl-s"]);
    let screen = d.screen();
    assert!(d.app.form.is_some(), "{screen}");
    snapshot("form_subject_refused", &mut d);
    assert_eq!(count(&d.path, "SELECT count(*) FROM subject"), 2);
    assert_eq!(
        count(
            &d.path,
            "SELECT count(*) FROM audit_event WHERE outcome = 'ok'"
        ),
        events
            - count(
                &d.path,
                "SELECT count(*) FROM audit_event WHERE outcome <> 'ok'"
            )
    );
}

#[test]
fn every_form_draws() {
    let mut d = logged_in("sup");
    d.keys(&["2", "n"]);
    snapshot("form_intelligence", &mut d);
    d.keys(&["esc", "enter", "t"]);
    snapshot("form_triage", &mut d);
    d.keys(&["esc", "3", "n"]);
    snapshot("form_subject_new", &mut d);
    d.keys(&["esc", "enter", "e"]);
    snapshot("form_subject_edit", &mut d);
    d.keys(&["esc", "4", "n"]);
    snapshot("form_operation_new", &mut d);
    d.keys(&["esc", "enter", "c"]);
    snapshot("form_operation_status", &mut d);
    d.keys(&["esc", "x"]);
    snapshot("form_operation_close", &mut d);
}

#[test]
fn popups_draw() {
    let mut d = logged_in("sup");
    d.keys(&["2", "?"]);
    snapshot("help_list", &mut d);
    let help = d.screen();
    // Help is made from the live keymap.
    assert!(help.contains("Sort by the next column"), "{help}");
    d.keys(&["esc", ":"]);
    d.type_text("decision");
    snapshot("palette", &mut d);
    d.keys(&["esc", "f"]);
    d.type_text("CUSTODY");
    snapshot("filter", &mut d);
    d.keys(&["esc", "/"]);
    d.type_text("victim");
    d.keys(&["enter"]);
    snapshot("search_results", &mut d);
}

#[test]
fn search_opens_what_it_finds() {
    let mut d = logged_in("sup");
    d.keys(&["/"]);
    d.type_text("package");
    d.keys(&["enter"]);
    let Some(ccu::app::Popup::Search { hits, .. }) = &d.app.popup else {
        panic!("search popup");
    };
    assert_eq!(hits.len(), 1, "{hits:?}");
    d.keys(&["enter"]);
    assert!(d.app.popup.is_none());
    assert_eq!(d.app.area, ccu::app::Area::Intelligence);
    let detail = d.app.detail.as_ref().expect("opened");
    assert!(
        detail
            .lines
            .iter()
            .any(|l| format!("{l:?}").contains("passing a package"))
    );
    // A query that is not search syntax says so, and nothing breaks.
    d.keys(&["/"]);
    d.type_text("\"unclosed");
    d.keys(&["enter"]);
    let Some(ccu::app::Popup::Search { error, .. }) = &d.app.popup else {
        panic!("search popup");
    };
    assert!(
        error.as_deref().unwrap_or("").contains("not a search"),
        "{error:?}"
    );
}

#[test]
fn filter_and_sort_by_column() {
    let mut d = logged_in("sup");
    d.keys(&["3"]);
    assert_eq!(d.app.list(ccu::app::Area::Subjects).total, 2);
    // Sort moves to the name column; the filter applies to it.
    d.keys(&["s", "f"]);
    d.type_text("sam");
    d.keys(&["enter"]);
    let list = d.app.list(ccu::app::Area::Subjects);
    assert_eq!(list.total, 1);
    assert_eq!(list.rows[0].cells[1], "Sam Sample");
    d.keys(&["F"]);
    assert_eq!(d.app.list(ccu::app::Area::Subjects).total, 2);
    d.keys(&["S"]);
    let names: Vec<String> = d
        .app
        .list(ccu::app::Area::Subjects)
        .rows
        .iter()
        .map(|r| r.cells[1].clone())
        .collect();
    assert_eq!(names, ["Sam Sample", "Alex Example"]);
}

#[test]
fn too_small_and_wide_terminals() {
    let mut d = logged_in("sup");
    d.send(Msg::Resize(79, 24));
    snapshot("too_small", &mut d);
    d.send(Msg::Resize(140, 36));
    d.keys(&["4", "enter"]);
    snapshot("wide_operation", &mut d);
}

#[test]
fn first_run_creates_a_case_file_and_its_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new").join("unit.ccu");
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
    let app = App::new(
        now,
        (80, 24),
        Keymap::builtin(),
        "unit.ccu".into(),
        Some(path.display().to_string()),
    );
    let mut d = Driver {
        app,
        runtime: Runtime::new(None, fixed_clock),
        _dir: dir,
        path: path.clone(),
    };
    let screen = d.screen();
    assert!(screen.contains("Create a case file"), "{screen}");
    d.keys(&["tab"]);
    d.type_text("chief\tDet Supt Example");
    d.keys(&["tab", "right", "tab"]);
    d.type_text("short");
    d.keys(&["tab"]);
    d.type_text("short");
    d.keys(&["enter"]);
    assert!(!path.exists(), "a short password creates nothing");
    assert!(d.screen().contains("12"), "{}", d.screen());
    // The temporary folder's name changes from run to run.
    let folder = path
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .display()
        .to_string();
    let fixed = format!("{:.<width$}", "/tmp/x", width = folder.chars().count());
    insta::assert_snapshot!("setup", d.screen().replace(&folder, &fixed));
    // The focus is on the first field in error: retype both passwords.
    for _ in 0..5 {
        d.keys(&["backspace"]);
    }
    d.type_text("a long enough password\t");
    for _ in 0..5 {
        d.keys(&["backspace"]);
    }
    d.type_text("a long enough password");
    d.keys(&["enter"]);
    assert!(path.exists(), "{}", d.screen());
    assert!(matches!(d.app.screen, ccu::app::Screen::Login(_)));
    d.type_text("a long enough password");
    d.keys(&["enter"]);
    assert_eq!(d.app.session.as_ref().unwrap().username, "chief");
}

#[test]
fn the_palette_runs_actions_by_name() {
    let mut d = logged_in("sup");
    d.keys(&["4", "enter", ":"]);
    d.type_text("decision");
    d.keys(&["enter"]);
    let form = d.app.form.as_ref().expect("the decision form");
    assert!(form.title.starts_with("Decision log:"), "{}", form.title);
}

#[test]
fn a_users_keymap_file_applies_and_its_mistakes_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(
        &file,
        "[list]\n\"o\" = \"open\"\n\"z\" = \"no_such_action\"\n\"ctrl-\" = \"open\"\n",
    )
    .unwrap();
    let (keymap, errors) = Keymap::builtin().overlay_file(&file);
    let mut d = casework();
    d.app.keymap = keymap;
    d.app.keymap_problems = errors.iter().map(|e| e.to_string()).collect();
    d.login("sup", USER_PASSWORD);
    let screen = d.screen();
    assert!(screen.contains("keymap file has problems"), "{screen}");
    let status = d.app.status.as_ref().unwrap().text.clone();
    assert!(
        status.contains("keymap.toml:3") && status.contains("no_such_action"),
        "{status}"
    );
    assert!(status.contains("keymap.toml:4"), "{status}");
    d.keys(&["4", "o"]);
    assert!(d.app.detail.is_some(), "the user's o opens");
    d.keys(&["esc", "esc", "enter"]);
    assert!(d.app.detail.is_some(), "Enter still opens");
}

/// The demo case file, as a new user first sees it.
fn demo() -> Driver {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ccu");
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
    let casefile = ccu::demo::create_demo(&path, now).unwrap();
    let mut d = Driver::new(casefile, path, dir);
    d.app.casefile = "demo.ccu".into();
    d.app.demo = Some((ccu::tui::demo_logins(), ccu::demo::DEMO_PASSWORD.into()));
    d
}

#[test]
fn the_demo_login_screen_lists_its_accounts() {
    let mut d = demo();
    snapshot("demo_login", &mut d);
    let screen = d.screen();
    for account in ccu::demo::DEMO_ACCOUNTS {
        assert!(screen.contains(account.username), "{screen}");
    }
    d.login("supervisor", ccu::demo::DEMO_PASSWORD);
    snapshot("demo_dashboard", &mut d);
    d.send(Msg::Resize(120, 40));
    snapshot("demo_dashboard_wide", &mut d);
}
