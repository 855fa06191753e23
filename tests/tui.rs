//! The terminal application driven through its real `update` and runtime
//! against a real case file, drawn into ratatui's `TestBackend`.

mod common;

use ccu::app::runtime::Runtime;
use ccu::app::{App, Msg};
use ccu::domain::intelligence::{Category, Grading, NewIntelligence, SourceType};
use ccu::domain::operation::{Codename, Decision, NewOperation, Priority};
use ccu::domain::subject::StaffNumber;
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
        "f1" => KeyCode::F(1),
        "f2" => KeyCode::F(2),
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
    /// As the application starts on a case file that exists: found but
    /// still locked; the first login unlocks it.
    fn new(locked: ccu::store::Locked, path: std::path::PathBuf, dir: tempfile::TempDir) -> Driver {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
        let app = App::new(now, (80, 24), Keymap::builtin(), "case.ccu".into(), None);
        Driver {
            app,
            runtime: Runtime::locked(locked, fixed_clock),
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
        terminal
            .draw(|f| ccu::ui::render(&self.app, &ccu::ui::theme::Theme::from_env(), f))
            .unwrap();
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
    casework_with(|_, _| {})
}

/// As [`casework`], with more accounts `more` adds as the administrator.
fn casework_with(more: impl FnOnce(&mut CaseFile, &ccu::store::Actor)) -> Driver {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "sup", "supervisor");
    add_user(&mut cf, &admin, "inv", "investigator");
    add_user(&mut cf, &admin, "other", "investigator");
    more(&mut cf, &admin);
    let sup = login(&mut cf, "sup", USER_PASSWORD);
    for (n, name, dept) in [
        ("AB1001", "Alex Example", "Response North"),
        ("AB1002", "Sam Sample", "Custody"),
    ] {
        cf.execute(&sup, Command::AddSubject(serving_pc(n, name, dept)))
            .unwrap();
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
    sqlcipher(
        &path,
        "UPDATE intelligence SET summary = 'Hostile ' || char(27) || '[31mred' || char(27) || '[0m text ' || char(8238) || 'desrever' WHERE summary = 'Hostile text';",
    );
    drop(cf);
    Driver::new(CaseFile::locate(&path).unwrap(), path, dir)
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
    let file = std::fs::read(&d.path).unwrap();
    let keys = std::fs::read(ccu::store::keyring_path(&d.path)).unwrap();
    d.login("sup", "wrong password!");
    snapshot("login_failed", &mut d);
    assert!(d.app.session.is_none());
    // A failed unlock writes nothing to the case file: it is noted, sealed,
    // in the keyring...
    assert_eq!(std::fs::read(&d.path).unwrap(), file);
    assert_ne!(
        std::fs::read(ccu::store::keyring_path(&d.path)).unwrap(),
        keys
    );
    let failures = "SELECT count(*) FROM audit_event WHERE action = 'login' AND outcome <> 'ok'";
    assert_eq!(count(&d.path, failures), 0);
    d.type_text(USER_PASSWORD);
    d.keys(&["enter"]);
    assert_eq!(d.app.session.as_ref().unwrap().username, "sup");
    // ...and the unlock that follows writes it into the trail, before its
    // own login.
    assert_eq!(count(&d.path, failures), 1, "the failed login is audited");
    let rows = audit_rows(&d.path);
    let [.., denied, ok] = &rows[..] else {
        panic!("{rows:?}")
    };
    assert_eq!(
        (denied.1.as_str(), denied.2.as_str(), denied.4.as_str()),
        ("sup", "login", "denied"),
        "{denied:?}"
    );
    let details: serde_json::Value = serde_json::from_str(&denied.5).unwrap();
    assert_eq!(details["reason"], "wrong password", "{details}");
    assert_eq!(details["noted_in"], "keyring", "{details}");
    assert_eq!(
        (ok.1.as_str(), ok.2.as_str(), ok.4.as_str()),
        ("sup", "login", "ok")
    );
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

/// Ctrl-L locks from inside a form, and the form is as it was once
/// unlocked; help in a form lists only the keys that act there, not the
/// printable ones that type.
#[test]
fn a_form_locks_on_ctrl_l_and_its_help_lists_only_what_acts_there() {
    let mut d = logged_in("sup");
    d.keys(&["3", "n"]);
    d.type_text("AB2001");
    d.keys(&["f1"]);
    let help = d.screen();
    assert!(help.contains("Ctrl-L      Lock"), "{help}");
    assert!(help.contains("Ctrl-S      Save"), "{help}");
    for typed in ["  q ", "  ? ", "  / ", "  1 ", "  : "] {
        assert!(!help.contains(typed), "{typed:?} is listed:\n{help}");
    }
    d.keys(&["esc", "ctrl-l"]);
    assert!(matches!(d.app.screen, ccu::app::Screen::Locked(_)));
    assert!(!d.screen().contains("AB2001"), "{}", d.screen());
    d.type_text(USER_PASSWORD);
    d.keys(&["enter"]);
    assert!(matches!(d.app.screen, ccu::app::Screen::Main));
    let form = d.app.form.as_ref().expect("the form is kept");
    assert_eq!(form.fields[0].value(), "AB2001");
}

/// The administrator reads no case content: the screen says what they
/// are here for and where to do it, rather than "Loading…" over a refusal,
/// and no area asks the case file for what would be refused.
#[test]
fn the_administrator_is_told_what_to_do_not_left_loading() {
    let mut d = casework();
    let denied = "SELECT count(*) FROM audit_event WHERE outcome = 'denied'";
    let before = count(&d.path, denied);
    d.login(ADMIN, ADMIN_PASSWORD);
    assert!(matches!(d.app.screen, ccu::app::Screen::Main));
    for key in ["1", "2", "4", "9", "0"] {
        d.keys(&[key]);
        let screen = d.screen();
        assert!(
            screen.contains("Your roles read no case content"),
            "{screen}"
        );
        assert!(screen.contains("press A"), "{screen}");
        assert!(!screen.contains("Loading"), "{screen}");
        assert!(!screen.contains("permission"), "{screen}");
    }
    let refused: Vec<String> = raw_conn(&d.path)
        .prepare("SELECT action || ' ' || entity_type FROM audit_event WHERE outcome = 'denied'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        count(&d.path, denied),
        before,
        "nothing was asked for and refused: {refused:?}"
    );
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
    let rationale: String = raw_conn(&d.path)
        .query_row(
            "SELECT d.rationale FROM decision_log_entry d JOIN operation o ON o.id = d.operation_id
             WHERE o.codename = ?1 ORDER BY d.id DESC LIMIT 1",
            [&codename],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rationale, "The messages continue\nafter words of advice");
}

/// The limit of a reason is checked where it is typed: one character over
/// and the form says so beside the field, with nothing written; exactly at
/// it and the case file takes it whole.
#[test]
fn a_reason_over_the_limit_is_refused_on_the_form_and_one_at_it_is_saved_whole() {
    use ccu::domain::text::LONG;
    let mut d = logged_in("sup");
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter", "c"]);
    assert!(
        d.app
            .form
            .as_ref()
            .is_some_and(|f| f.title.starts_with("Status of KESTREL")),
        "{}",
        d.screen()
    );
    d.keys(&["right", "tab"]);
    let events = count(&d.path, "SELECT count(*) FROM audit_event");
    let status = d.value("SELECT status FROM operation WHERE codename = 'KESTREL'");
    // As if pasted: typing 20,001 keys one by one takes a minute.
    d.type_text("x");
    let put = |d: &mut Driver, text: &str| {
        let form = d.app.form.as_mut().unwrap();
        let i = form
            .fields
            .iter()
            .position(|f| f.label == "reason")
            .unwrap();
        form.fields[i] = ccu::app::form::Field::text("reason", true, text);
    };
    put(&mut d, &"x".repeat(LONG + 1));
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("the form stays open");
    let reason = form.fields.iter().find(|f| f.label == "reason").unwrap();
    assert_eq!(
        reason.error.as_deref(),
        Some("is 20001 characters long; at most 20000 are allowed")
    );
    assert_eq!(count(&d.path, "SELECT count(*) FROM audit_event"), events);
    assert_eq!(
        d.value("SELECT status FROM operation WHERE codename = 'KESTREL'"),
        status
    );

    put(&mut d, &"x".repeat(LONG));
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "saved: {}", d.status_text());
    assert_ne!(
        d.value("SELECT status FROM operation WHERE codename = 'KESTREL'"),
        status
    );
    let details = all_events(&d.path)
        .into_iter()
        .rev()
        .find(|(_, e, _)| e.1 == "operation.status")
        .unwrap()
        .2;
    assert_eq!(details["reason"].as_str().unwrap().chars().count(), LONG);
}

#[test]
fn leaving_a_form_with_changes_asks_first() {
    let mut d = logged_in("sup");
    d.keys(&["3", "n"]);
    d.type_text("AB2001");
    d.keys(&["esc"]);
    snapshot("confirm_discard", &mut d);
    // Enter, pressed out of habit, answers nothing: the form is kept.
    d.keys(&["enter"]);
    assert!(d.app.form.is_some() && d.app.popup.is_some());
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
    // What FTS5 would read as syntax is searched as typed.
    d.keys(&["/"]);
    d.type_text("\"passing a package");
    d.keys(&["enter"]);
    let Some(ccu::app::Popup::Search { hits, error, .. }) = &d.app.popup else {
        panic!("search popup");
    };
    assert_eq!((hits.len(), error), (1, &None));
    // Nothing to search for says so, with what was typed made safe.
    d.keys(&["esc", "/"]);
    d.type_text("\u{1b}]\u{7} !!");
    d.keys(&["enter"]);
    let screen = d.screen();
    // The message quotes the text with its control characters shown as
    // symbols, never passed to the terminal.
    assert!(
        screen.contains("'␛]␇ !!' has no letters or digits"),
        "{screen}"
    );
}

#[test]
fn search_finds_an_authorisation_and_a_lesson_and_opens_each_in_its_area() {
    let mut d = demo_as("supervisor");
    d.keys(&["/"]);
    d.type_text("AUTH-2026-0004");
    d.keys(&["enter"]);
    let screen = d.screen();
    assert!(
        screen.contains("│authorisation AUTH-2026-0004 BITTERN"),
        "{screen}"
    );
    d.keys(&["enter"]);
    assert!(d.app.popup.is_none());
    assert_eq!(d.app.area, ccu::app::Area::Authorisations);
    assert_eq!(d.app.detail.as_ref().expect("opened").key, "AUTH-2026-0004");

    // A lesson, by the department it went to, opens in lessons learned.
    d.keys(&["esc", "/"]);
    d.type_text("\"Fleet services\"");
    d.keys(&["enter"]);
    let Some(ccu::app::Popup::Search { hits, .. }) = &d.app.popup else {
        panic!("search popup");
    };
    let at = hits
        .iter()
        .position(|h| h.kind == "lesson")
        .expect("a lesson is found");
    for _ in 0..at {
        d.keys(&["down"]);
    }
    d.keys(&["enter"]);
    assert_eq!(d.app.area, ccu::app::Area::Lessons);
    assert_eq!(d.app.detail.as_ref().expect("opened").key, "CORMORANT");
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
    // The head of unit, at the default rank (Inspector), types their own.
    d.keys(&["tab"]);
    d.type_text(&format!("{HEAD}\tDI Harriet Head"));
    d.keys(&["tab", "tab"]);
    d.type_text(HEAD_PASSWORD);
    d.keys(&["tab"]);
    d.type_text(HEAD_PASSWORD);
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
    // Enter moves down to the last field (the head's password again),
    // and there creates the file.
    d.keys(&["enter"; 5]);
    assert!(!path.exists(), "{}", d.screen());
    d.keys(&["enter"]);
    assert!(path.exists(), "{}", d.screen());
    assert!(matches!(d.app.screen, ccu::app::Screen::Login(_)));
    d.type_text("a long enough password");
    d.keys(&["enter"]);
    assert_eq!(d.app.session.as_ref().unwrap().username, "chief");
    // The head of unit was made with it: a supervisor, Inspector, with
    // their own password.
    let (_, head) = open(&path, HEAD, HEAD_PASSWORD);
    assert_eq!(head.roles().to_string(), "supervisor");
}

#[test]
fn the_palette_runs_actions_by_name() {
    let mut d = logged_in("sup");
    d.keys(&["4", "enter", ":"]);
    d.type_text("decision");
    d.keys(&["enter"]);
    let screen = d.screen();
    let form = d.app.form.as_ref().expect(&screen);
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
    assert!(!Keymap::file_ignored(&errors));
    let mut d = casework();
    d.app.keymap = keymap;
    d.app.keymap_problems = errors.iter().map(|e| e.to_string()).collect();
    d.login("sup", USER_PASSWORD);
    let status = d.app.status.as_ref().unwrap().text.clone();
    assert!(
        status.starts_with("Your keymap file has 2 problems; the defaults stand for those keys: ")
            && status.contains("keymap.toml:3")
            && status.contains("no_such_action")
            && status.ends_with("(and 1 more: help lists them all)"),
        "{status}"
    );
    // Help lists every one, whole.
    d.keys(&["?"]);
    let help = d.screen();
    assert!(help.contains("Your keymap file's problems"), "{help}");
    assert!(help.contains("keymap.toml:3"), "{help}");
    assert!(help.contains("keymap.toml:4"), "{help}");
    d.keys(&["esc", "4", "o"]);
    assert!(d.app.detail.is_some(), "the user's o opens");
    d.keys(&["esc", "esc", "enter"]);
    assert!(d.app.detail.is_some(), "Enter still opens");
}

/// A keymap file that is not TOML is not used at all, and the message
/// says so rather than that the defaults stand "for those keys".
#[test]
fn a_keymap_file_that_is_not_toml_is_said_to_be_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keymap.toml");
    std::fs::write(&file, "[list\n\"o\" = \"open\"\n").unwrap();
    let (keymap, errors) = Keymap::builtin().overlay_file(&file);
    let mut d = casework();
    d.app.keymap = keymap;
    d.app.keymap_problems = errors.iter().map(|e| e.to_string()).collect();
    d.app.keymap_ignored = Keymap::file_ignored(&errors);
    assert!(d.app.keymap_ignored);
    d.login("sup", USER_PASSWORD);
    let status = d.app.status.as_ref().unwrap().text.clone();
    assert!(
        status.starts_with("Your keymap file is not used, so every key is the default: "),
        "{status}"
    );
    assert!(!status.contains("for those keys"), "{status}");
}

/// The demo case file, as a new user first sees it: found but still
/// locked, as the application starts on it; the first login unlocks it.
fn demo() -> Driver {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ccu");
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
    drop(ccu::demo::create_demo(&path, now).unwrap());
    let locked = ccu::demo::open_or_create_demo(&path, now).unwrap();
    let mut d = Driver::new(locked, path, dir);
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

impl Driver {
    /// Moves the selection of the current list to the row with `key`.
    fn select(&mut self, key: &str) {
        self.keys(&["home"]);
        let area = self.app.area;
        for _ in 0..self.app.list(area).total {
            if self
                .app
                .list(area)
                .selected_row()
                .is_some_and(|r| r.key == key)
            {
                return;
            }
            self.keys(&["down"]);
        }
        panic!("{key} is not in the list:\n{}", self.screen());
    }

    fn value(&self, sql: &str) -> String {
        raw_conn(&self.path)
            .query_row(sql, [], |r| r.get::<_, String>(0))
            .unwrap()
    }

    fn status_text(&self) -> String {
        self.app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }
}

/// What a field of a form holds, by its id.
fn field(form: &ccu::app::form::Form, id: &str) -> String {
    form.fields
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no field {id}"))
        .value()
}

/// The question of the yes/no popup on screen, if one is.
fn confirm_question(d: &Driver) -> Option<String> {
    match &d.app.popup {
        Some(ccu::app::model::Popup::Confirm { question, .. }) => Some(question.clone()),
        _ => None,
    }
}

fn demo_as(user: &str) -> Driver {
    let mut d = demo();
    d.login(user, ccu::demo::DEMO_PASSWORD);
    assert!(d.app.session.is_some(), "{}", d.screen());
    d
}

#[test]
fn a_supervisor_decides_a_bid_from_the_queue() {
    let mut d = demo_as("supervisor");
    d.keys(&["8"]);
    snapshot("queue_supervisor", &mut d);
    d.select("BID-2026-0007");
    d.keys(&["enter"]);
    assert_eq!(d.app.area, ccu::app::Area::Bids);
    snapshot("bid_detail", &mut d);
    d.keys(&["D"]);
    snapshot("form_decide_bid", &mut d);
    // The decision needs a rationale.
    d.keys(&["right", "ctrl-s"]);
    assert!(
        d.app
            .form
            .as_ref()
            .unwrap()
            .fields
            .last()
            .unwrap()
            .error
            .is_some()
    );
    d.type_text("Capacity allows it this month");
    // Approving the covert line waits for the threshold: the refusal says so.
    d.keys(&["ctrl-s"]);
    let error = d.app.form.as_ref().unwrap().fields[0]
        .error
        .clone()
        .unwrap_or_default();
    assert!(error.contains("covert"), "{}", d.screen());
    // Approve in part: the covert line gets nothing.
    d.keys(&["home"]);
    d.app.form.as_mut().unwrap().focus = 0;
    d.keys(&["right", "tab"]);
    for _ in 0..4 {
        d.keys(&["backspace"]);
    }
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        d.value("SELECT status FROM bid WHERE urn = 'BID-2026-0007'"),
        "active"
    );
    assert_eq!(
        d.value("SELECT outcome FROM bid_decision ORDER BY id DESC LIMIT 1"),
        "partly-approved"
    );
    assert!(
        d.status_text().contains("BID-2026-0007"),
        "{}",
        d.status_text()
    );
}

#[test]
fn an_investigator_drafts_and_submits_a_bid_from_the_operation() {
    let mut d = demo_as("investigator");
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter", "b"]);
    snapshot("form_draft_bid", &mut d);
    d.keys(&["tab"]);
    d.type_text("Follow the subject off duty for two weeks");
    d.keys(&["tab"]);
    d.type_text("analyst-hours 12 +7d +20d Review of messages\nanalyst-hours x today today oops");
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("refused");
    let lines = form.fields.iter().find(|f| f.label == "lines").unwrap();
    assert!(
        lines.error.as_deref().unwrap().contains("line 2"),
        "{lines:?}"
    );
    for _ in 0..33 {
        d.keys(&["backspace"]);
    }
    d.keys(&["backspace"]);
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    let urn = d.app.detail.as_ref().unwrap().key.clone();
    assert!(urn.starts_with("BID-"), "{urn}");
    d.keys(&["s"]);
    snapshot("confirm_submit_bid", &mut d);
    d.keys(&["y"]);
    assert_eq!(
        d.value(&format!("SELECT status FROM bid WHERE urn = '{urn}'")),
        "submitted"
    );
}

/// Tried as a user in a hurry: with the window shrunk so that only the
/// "too small" message shows, `s` `y` on a draft bid used to submit it
/// unseen, and typing went into a hidden form.
#[test]
fn no_key_acts_while_the_screen_is_too_small() {
    let mut d = demo_as("investigator");
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter", "b", "tab"]);
    d.type_text("Follow the subject off duty for two weeks");
    d.keys(&["tab"]);
    d.type_text("analyst-hours 12 +7d +20d Review of messages");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    let urn = d.app.detail.as_ref().unwrap().key.clone();
    let events = d.value("SELECT CAST(count(*) AS TEXT) FROM audit_event");

    d.send(Msg::Resize(70, 20));
    d.keys(&["s", "y", "enter", "q", "x", "y"]);
    assert!(!d.app.quit, "q does not quit unseen");
    assert!(d.app.popup.is_none() && d.app.form.is_none());
    assert_eq!(
        d.value(&format!("SELECT status FROM bid WHERE urn = '{urn}'")),
        "draft"
    );
    assert_eq!(
        d.value("SELECT CAST(count(*) AS TEXT) FROM audit_event"),
        events
    );

    // Typing into a hidden form changes nothing in it, and Ctrl-C will not
    // throw its changes away.
    d.send(Msg::Resize(100, 30));
    d.keys(&["esc", "3", "n"]);
    d.type_text("AB9");
    d.send(Msg::Resize(70, 20));
    d.type_text("99\t");
    d.keys(&["ctrl-s", "ctrl-c"]);
    let screen = d.screen();
    assert!(screen.contains("A form has changes not saved"), "{screen}");
    assert!(!d.app.quit);
    d.send(Msg::Resize(100, 30));
    let form = d.app.form.as_ref().expect("the form is still open");
    assert_eq!(form.fields[0].value(), "AB9");
    assert_eq!(form.focus, 0);

    // With nothing unsaved, Ctrl-C quits.
    d.keys(&["esc", "y"]);
    d.send(Msg::Resize(70, 20));
    assert!(d.screen().contains("Ctrl-C quits"));
    d.keys(&["ctrl-c"]);
    assert!(d.app.quit);
}

#[test]
fn deciding_your_own_bid_is_refused_plainly_and_audited() {
    let mut d = demo_as("supervisor");
    d.keys(&["4"]);
    d.select("MERLIN");
    d.keys(&["enter", "b", "tab"]);
    d.type_text("Cover a fortnight");
    d.keys(&["tab"]);
    d.type_text("analyst-hours 4 +1d +5d Review");
    d.keys(&["ctrl-s", "s", "y", "D", "space", "tab", "tab"]);
    d.type_text("Approving my own");
    d.keys(&["ctrl-s"]);
    let screen = d.screen();
    let form = d.app.form.as_ref().expect("the form stays open");
    let message = form.error.clone().unwrap_or_default();
    assert!(
        message.contains("a bid they made themselves"),
        "{message}\n{screen}"
    );
    snapshot("refused_own_bid", &mut d);
    let denied = count(
        &d.path,
        "SELECT count(*) FROM audit_event WHERE action = 'bid.decide' AND outcome = 'denied'",
    );
    assert_eq!(denied, 1);
}

#[test]
fn thresholds_are_proposed_and_decided_on_the_operation() {
    let mut d = demo_as("supervisor");
    d.keys(&["4"]);
    d.select("MERLIN");
    d.keys(&["enter"]);
    let detail = format!("{:?}", d.app.detail.as_ref().unwrap().lines);
    assert!(
        detail.contains("awaiting a supervisor's decision"),
        "{detail}"
    );
    d.keys(&["D"]);
    snapshot("form_decide_threshold", &mut d);
    d.keys(&["n", "tab"]);
    d.type_text("Overt steps not yet exhausted");
    let decisions = "SELECT CAST(count(*) AS TEXT) FROM threshold_decision";
    let before = d.value(decisions);
    // A decision stands: it is asked about first, and "n" leaves the form
    // as it was, with nothing written.
    d.keys(&["ctrl-s"]);
    snapshot("confirm_decide_threshold", &mut d);
    assert_eq!(
        confirm_question(&d).as_deref(),
        Some(
            "Decide MERLIN's threshold: not met? The decision stands; a change needs a new proposal."
        )
    );
    d.keys(&["n"]);
    assert!(d.app.popup.is_none());
    let form = d.app.form.as_ref().expect("the form stays");
    assert_eq!(field(form, "rationale"), "Overt steps not yet exhausted");
    assert_eq!(field(form, "outcome"), "not-met");
    assert_eq!(d.value(decisions), before);
    d.keys(&["ctrl-s", "esc"]);
    assert!(d.app.form.is_some() && d.app.popup.is_none());
    assert_eq!(d.value(decisions), before);
    d.keys(&["ctrl-s", "y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        d.value("SELECT d.outcome FROM threshold_decision d ORDER BY d.id DESC LIMIT 1"),
        "not-met"
    );
    d.keys(&["P"]);
    snapshot("form_propose_threshold", &mut d);
    // An empty proposal does not save: the overt steps and why they were
    // not enough are the threshold itself.
    let proposals = "SELECT CAST(count(*) AS TEXT) FROM threshold_proposal";
    let before = d.value(proposals);
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("still open");
    assert_eq!(form.fields[0].error.as_deref(), Some("required"));
    assert_eq!(d.value(proposals), before);
    d.type_text("Records checked; the victim would not engage");
    d.keys(&["tab"]);
    d.type_text("Neither shows the contact after duty");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_ne!(d.value(proposals), before);
}

#[test]
fn authorisations_referrals_and_the_central_record() {
    // The authorising officer's forms, as the authorising officer sees them.
    let mut d = demo_as("authorising");
    d.keys(&["6"]);
    d.select("AUTH-2026-0002");
    d.keys(&["enter"]);
    snapshot("authorisation_detail_authorising", &mut d);
    for (key, name) in [
        ("v", "form_review"),
        ("w", "form_renew"),
        ("J", "form_judicial"),
        ("x", "form_cancel"),
        ("D", "form_decide_authorisation"),
    ] {
        d.keys(&[key]);
        snapshot(name, &mut d);
        d.keys(&["esc"]);
    }
    let mut d = demo_as("supervisor");
    d.keys(&["6"]);
    snapshot("authorisations_list", &mut d);
    d.select("AUTH-2026-0002");
    d.keys(&["enter"]);
    snapshot("authorisation_detail", &mut d);
    // A supervisor may not act on an authorisation: no form opens.
    d.keys(&["D"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    d.keys(&["esc", "esc", "n"]);
    snapshot("form_apply_authorisation", &mut d);
    d.keys(&["esc", "E"]);
    snapshot("form_export", &mut d);
    let file = d.path.with_file_name("central.csv");
    for _ in 0.."central-record.csv".len() {
        d.keys(&["backspace"]);
    }
    d.type_text(&file.display().to_string());
    d.keys(&["enter"]);
    let screen = d.screen();
    let csv = std::fs::read_to_string(&file).expect(&screen);
    assert!(csv.starts_with("urn,kind,status"), "{csv}");
    assert_eq!(csv.lines().count(), 6, "{csv}");
    // Never over an existing file.
    d.keys(&["E"]);
    for _ in 0.."central-record.csv".len() {
        d.keys(&["backspace"]);
    }
    d.type_text(&file.display().to_string());
    d.keys(&["enter"]);
    let error = d.app.form.as_ref().unwrap().fields[0].error.clone();
    assert_eq!(
        error.as_deref(),
        Some(format!(
            "{} is already there, and ccu never writes over a file: give a new name",
            file.display()
        ))
        .as_deref()
    );
    // The name alone lands beside the case file, wherever ccu was started.
    d.keys(&["esc", "y", "E", "enter"]);
    let beside = d.path.with_file_name("central-record.csv");
    let csv = std::fs::read_to_string(&beside).unwrap_or_else(|_| panic!("{}", d.screen()));
    assert!(csv.starts_with("urn,kind,status"), "{csv}");
    let status = d
        .app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains(&beside.display().to_string()), "{status}");
    d.keys(&["7"]);
    snapshot("referrals_list", &mut d);
    d.select("REF-2026-0003");
    d.keys(&["enter"]);
    snapshot("referral_detail", &mut d);
    d.keys(&["s"]);
    d.keys(&["y"]);
    assert_eq!(
        d.value("SELECT status FROM referral WHERE urn = 'REF-2026-0003'"),
        "referred"
    );
    d.keys(&["i"]);
    snapshot("form_iopc_decision", &mut d);
    d.keys(&["esc", "R"]);
    snapshot("form_re_referral", &mut d);
}

/// A long record scrolls to its last row and no further; one that fits
/// does not scroll at all. (KESTREL's decided threshold and rationale were
/// only readable at 200x50.)
#[test]
fn a_record_scrolls_to_its_end_and_no_further() {
    let mut d = demo_as("supervisor");
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter"]);
    let last = d
        .app
        .detail
        .as_ref()
        .unwrap()
        .lines
        .iter()
        .rev()
        .find_map(|l| match l {
            ccu::app::view::DetailLine::Text(t) if t.len() > 12 => Some(t.clone()),
            ccu::app::view::DetailLine::Field(_, v) if v.len() > 12 => Some(v.clone()),
            _ => None,
        })
        .expect("a last line");
    let start: String = last.chars().take(12).collect();
    assert!(!d.screen().contains(&start), "already in view: {start}");
    assert!(d.screen().contains("more below"));
    for _ in 0..400 {
        d.keys(&["j"]);
    }
    let screen = d.screen();
    assert!(screen.contains(&start), "{start:?} not reached:\n{screen}");
    assert!(!screen.contains("more below"), "{screen}");
    // At the end, one more key does not scroll into emptiness: going back
    // up one row moves the view at once.
    let at_end = d.app.detail.as_ref().unwrap().scroll;
    d.keys(&["j"]);
    assert_eq!(d.app.detail.as_ref().unwrap().scroll, at_end);
    d.keys(&["k"]);
    assert_eq!(d.app.detail.as_ref().unwrap().scroll, at_end - 1);

    // A record that fits does not scroll.
    d.send(Msg::Resize(100, 60));
    d.keys(&["esc", "esc", "3", "enter"]);
    for _ in 0..5 {
        d.keys(&["j"]);
    }
    let scroll = d.app.detail.as_ref().expect("a subject open").scroll;
    assert_eq!(scroll, 0, "{}", d.screen());
}

/// A status drift warning waits in a researcher's queue, opens the
/// latest of its items, and is acknowledged from the queue with reasons:
/// the acknowledgement is recorded, shows on the item, and the warning
/// leaves the queue.
#[test]
fn a_researcher_acknowledges_status_drift_from_the_queue() {
    let mut d = demo_as("researcher");
    d.keys(&["8"]);
    snapshot("queue_researcher", &mut d);
    let warning = |d: &Driver| {
        d.app
            .list(ccu::app::Area::Queue)
            .rows
            .iter()
            .find(|r| r.cells[0].starts_with("Status drift: Bryony Castellane"))
            .cloned()
    };
    let row = warning(&d).expect("the warning is in the queue");
    let urns: Vec<&str> = row.cells[0]
        .rsplit_once(" as a CHIS (")
        .unwrap()
        .1
        .trim_end_matches(')')
        .split(", ")
        .collect();
    assert_eq!(urns.len(), 3, "{row:?}");
    assert_eq!(row.key, urns[2]);
    // Enter opens the latest item, in its own area.
    d.select(&row.key);
    d.keys(&["enter"]);
    assert_eq!(d.app.area, ccu::app::Area::Intelligence);
    snapshot("intelligence_drift_warning", &mut d);
    assert!(d.screen().contains("BRYONY CASTELLANE"), "{}", d.screen());
    assert!(
        d.screen()
            .contains("consider whether Bryony Castellane is being used as a"),
        "{}",
        d.screen()
    );
    d.keys(&["esc", "esc"]);
    assert_eq!(d.app.area, ccu::app::Area::Queue);

    // D asks for the reasons; saving without them is refused.
    d.select(&row.key);
    d.keys(&["D"]);
    snapshot("form_acknowledge_drift", &mut d);
    d.keys(&["ctrl-s"]);
    assert!(
        d.app.form.as_ref().unwrap().fields[0].error.is_some(),
        "{}",
        d.screen()
    );
    assert_eq!(
        d.value("SELECT CAST(count(*) AS TEXT) FROM drift_acknowledgement"),
        "1"
    );
    d.type_text("Discussed with the supervisor: she volunteers what she sees; not tasked, and told we cannot ask her to watch");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        d.value("SELECT CAST(count(*) AS TEXT) FROM drift_acknowledged_item WHERE acknowledgement_id = 2"),
        "3"
    );
    // The item opens again with its acknowledgement; the queue no longer
    // holds the warning.
    d.keys(&["G"]);
    snapshot("intelligence_drift_acknowledged", &mut d);
    assert!(
        d.screen().contains("Status drift acknowledged (1)"),
        "{}",
        d.screen()
    );
    d.keys(&["8", "r"]);
    assert!(warning(&d).is_none(), "{}", d.screen());
}

#[test]
fn the_authorising_officers_queue() {
    let mut d = demo_as("authorising");
    d.keys(&["8"]);
    snapshot("queue_authorising_officer", &mut d);
    let list = d.app.list(ccu::app::Area::Queue);
    assert!(
        list.rows
            .iter()
            .any(|r| r.key == "AUTH-2026-0005" && r.cells[0].starts_with("Application to decide")),
        "{:?}",
        list.rows
    );
    d.select("AUTH-2026-0005");
    d.keys(&["enter"]);
    assert_eq!(d.app.area, ccu::app::Area::Authorisations);
    assert_eq!(d.app.detail.as_ref().unwrap().key, "AUTH-2026-0005");
    // The central record's list has the record selected, not its first row.
    let list = d.app.list(ccu::app::Area::Authorisations);
    assert_eq!(
        list.selected_row().map(|r| r.key.as_str()),
        Some("AUTH-2026-0005"),
        "{:?}",
        list.rows.iter().map(|r| &r.key).collect::<Vec<_>>()
    );
    // Esc leaves the record, and Esc again goes back to the queue.
    d.keys(&["esc", "esc"]);
    assert_eq!(d.app.area, ccu::app::Area::Queue);
    assert!(d.app.detail.is_none());
    // Having gone back, Esc does nothing more.
    d.keys(&["esc"]);
    assert_eq!(d.app.area, ccu::app::Area::Queue);
}

fn verify_fully(d: &mut Driver) {
    for _ in 0..100 {
        if d.app.chain.as_ref().is_some_and(|c| c.done) {
            // Nothing left to do in the background: the event loop waits.
            assert!(!d.app.working());
            return;
        }
        // Verification under way: the event loop ticks without waiting.
        assert!(d.app.working(), "{:?}", d.app.chain);
        d.send(Msg::Tick(at(0)));
    }
    panic!("verification did not finish: {:?}", d.app.chain);
}

#[test]
fn the_audit_viewer_verifies_the_chain_and_filters() {
    let mut d = demo_as("auditor");
    let views = "SELECT count(*) FROM audit_event WHERE action = 'view' AND entity_type = 'audit'";
    let before = count(&d.path, views);
    d.keys(&["9"]);
    verify_fully(&mut d);
    assert_eq!(
        count(&d.path, views),
        before + 1,
        "opening the trail is audited once"
    );
    let chain = d.app.chain.clone().unwrap();
    assert!(chain.broken.is_none());
    assert_eq!(chain.verified_through, chain.total);
    snapshot("audit_viewer", &mut d);
    // Scrolling the whole trail, page by page and back, shows every event
    // in order: the selected row is always the event that many from the
    // newest, across the reloads of the window.
    let total = d.app.list(ccu::app::Area::Audit).total;
    assert!(total > 2 * ccu::app::WINDOW);
    for key in ["pgdn", "pgup"] {
        for _ in 0..(total / 19 + 2) {
            d.keys(&[key]);
            let list = d.app.list(ccu::app::Area::Audit);
            let row = list.selected_row().expect("the selected row is loaded");
            assert_eq!(row.key, (total - list.selected).to_string());
        }
    }
    d.keys(&["end"]);
    assert_eq!(
        d.app
            .list(ccu::app::Area::Audit)
            .selected_row()
            .unwrap()
            .key,
        "1"
    );
    d.keys(&["home"]);
    // Paging and filtering read the trail without writing to it.
    d.keys(&["pgdn", "pgdn", "f"]);
    snapshot("form_audit_filter", &mut d);
    d.keys(&["tab"]);
    d.type_text("supervisor\tbid.");
    d.keys(&["ctrl-s"]);
    let list = d.app.list(ccu::app::Area::Audit);
    assert!(list.total > 0);
    assert!(
        list.rows
            .iter()
            .all(|r| r.cells[2] == "supervisor" && r.cells[3].starts_with("bid."))
    );
    assert_eq!(count(&d.path, views), before + 1);
    d.keys(&["enter"]);
    snapshot("audit_event", &mut d);
    // Leaving and coming back is a new consultation.
    d.keys(&["esc", "1", "9"]);
    assert_eq!(count(&d.path, views), before + 2);
    // From the oldest, paging up reads upwards from what is known.
    d.keys(&["F", "end"]);
    let total = d.app.list(ccu::app::Area::Audit).total;
    for _ in 0..(total / 19 + 2) {
        d.keys(&["pgup"]);
        let list = d.app.list(ccu::app::Area::Audit);
        let row = list.selected_row().expect("the selected row is loaded");
        assert_eq!(row.key, (total - list.selected).to_string());
    }
}

#[test]
fn the_audit_viewer_marks_a_break_in_the_chain() {
    let mut d = demo();
    // An insider edits an old event from outside ccu, while the
    // application waits locked, and puts back the trigger they dropped so
    // that the schema looks untouched (ccu refuses to unlock a file whose
    // schema was altered, before anyone reaches the audit viewer).
    let trigger = try_sqlcipher(
        &d.path,
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_event_no_update';",
    );
    assert!(trigger.status.success(), "{}", stderr(&trigger));
    let trigger = stdout(&trigger);
    assert!(trigger.contains("audit_event_no_update"), "{trigger}");
    sqlcipher(
        &d.path,
        &format!(
            "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET actor = 'nobody' WHERE seq = 40; {};",
            trigger.trim()
        ),
    );
    d.login("auditor", ccu::demo::DEMO_PASSWORD);
    assert!(d.app.session.is_some(), "{}", d.screen());
    d.keys(&["9"]);
    verify_fully(&mut d);
    let chain = d.app.chain.clone().unwrap();
    let (seq, problem) = chain.broken.clone().expect("the break is found");
    assert_eq!(seq, 40, "{problem}");
    assert_eq!(chain.verified_through, 39);
    let screen = d.screen();
    assert!(screen.contains("CHAIN BROKEN at event 40"), "{screen}");
}

#[test]
fn an_investigator_may_not_read_the_audit_trail() {
    let mut d = demo_as("investigator");
    d.keys(&["9"]);
    let status = d.status_text();
    assert!(status.contains("permission denied"), "{status}");
    assert_eq!(
        count(
            &d.path,
            "SELECT count(*) FROM audit_event WHERE entity_type = 'audit' AND outcome = 'denied'"
        ),
        1
    );
}

#[test]
fn bid_and_referral_forms_draw() {
    let mut d = demo_as("supervisor");
    d.keys(&["5"]);
    snapshot("bids_list", &mut d);
    d.select("BID-2026-0001");
    d.keys(&["enter", "x"]);
    snapshot("form_close_bid", &mut d);
    d.keys(&["esc", "esc", "esc", "7", "n"]);
    snapshot("form_record_referral", &mut d);
}

#[test]
fn enter_on_the_diary_opens_the_record() {
    let mut d = demo_as("supervisor");
    let due = d.app.dashboard.as_ref().unwrap().due.clone();
    assert!(due.iter().any(|x| x.overdue), "{due:?}");
    for (i, item) in due.iter().enumerate() {
        d.keys(&["1", "home"]);
        for _ in 0..i {
            d.keys(&["down"]);
        }
        d.keys(&["enter"]);
        let detail = d.app.detail.as_ref().expect("opened");
        assert_eq!(detail.key, item.key, "{:?}", item);
        d.keys(&["esc", "esc"]);
    }
}

#[test]
fn opening_a_bid_an_authorisation_or_a_referral_is_a_logged_consultation() {
    let mut d = demo_as("supervisor");
    let views = |d: &Driver, kind: &str| {
        count(
            &d.path,
            &format!(
                "SELECT count(*) FROM audit_event WHERE action = 'view' AND entity_type = '{kind}' AND outcome = 'ok'"
            ),
        )
    };
    for (area, key, kind) in [
        ("5", "BID-2026-0007", "bid"),
        ("6", "AUTH-2026-0002", "authorisation"),
        ("7", "REF-2026-0003", "referral"),
    ] {
        let before = views(&d, kind);
        d.keys(&[area]);
        d.select(key);
        d.keys(&["enter"]);
        assert_eq!(views(&d, kind), before + 1, "{kind}");
    }
}

#[test]
fn a_covert_record_outside_need_to_know_is_refused_as_missing_and_audited() {
    use ccu::domain::urn::{Urn, UrnKind};
    use ccu::store::{Command, Viewed};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ccu");
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
    let mut cf = ccu::demo::create_demo(&path, now).unwrap();
    let inv = login(&mut cf, "investigator", ccu::demo::DEMO_PASSWORD);
    // A bid on an operation the investigator is not on.
    let sup = login(&mut cf, "supervisor", ccu::demo::DEMO_PASSWORD);
    let all = cf.bids(&sup, ccu::store::Page::ALL).unwrap();
    let theirs = cf.bids(&inv, ccu::store::Page::ALL).unwrap();
    let hidden = all
        .iter()
        .map(|b| b.urn)
        .find(|u| !theirs.iter().any(|t| &t.urn == u))
        .expect("a bid the investigator may not see");
    let hidden_text = hidden.to_string();
    let err = cf
        .execute(&inv, Command::View(Viewed::Bid(hidden)))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("no bid '{hidden_text}' that you may see")),
        "{err}"
    );
    let missing = Urn::parse(UrnKind::Bid, "BID-2026-0999").unwrap();
    let err2 = cf
        .execute(&inv, Command::View(Viewed::Bid(missing)))
        .unwrap_err();
    assert!(
        err2.to_string().contains("no bid 'BID-2026-0999'"),
        "{err2}"
    );
    assert_eq!(
        count(
            &path,
            &format!(
                "SELECT count(*) FROM audit_event WHERE entity_ref = '{hidden_text}' AND outcome = 'denied'"
            )
        ),
        1
    );
}

/// Tried as each role in turn: a form opens only for those who may use it,
/// and the refusal comes before anything is typed, not at save. Nothing
/// is written, and nothing is audited as attempted.
#[test]
fn forms_open_only_for_those_who_may_use_them() {
    // An investigator closing an operation; an auditor adding a
    // decision; the authorising officer recording intelligence.
    let tries: [(&str, &[&str], &str); 3] = [
        ("investigator", &["4", "enter", "x"], "close an operation"),
        ("auditor", &["4", "enter", "d"], "add to a decision log"),
        ("authorising", &["2", "n"], "record intelligence"),
    ];
    for (user, keys, refused) in tries {
        let mut d = demo_as(user);
        d.keys(&keys[..keys.len() - 1]);
        let before = last_seq(&d.path);
        d.keys(&keys[keys.len() - 1..]);
        assert!(
            d.app.form.is_none(),
            "{user}: a form opened\n{}",
            d.screen()
        );
        let status = d.status_text();
        assert!(
            status.contains("your roles") && status.contains(&format!("may not {refused}")),
            "{user}: {status}"
        );
        assert_eq!(last_seq(&d.path), before, "{user}: nothing is written");
    }
    // Help and the palette offer only what applies: an investigator on
    // an operation is not offered its closing, a supervisor is.
    let mut d = demo_as("investigator");
    d.keys(&["4", "enter", "?"]);
    let help = d.screen();
    assert!(help.contains("Add a decision-log entry"), "{help}");
    assert!(!help.contains("Close: an operation"), "{help}");
    d.keys(&["esc", ":"]);
    d.type_text("close");
    assert!(
        !d.app
            .palette_matches("close")
            .contains(&ccu::app::Action::Close),
        "{}",
        d.screen()
    );
    assert!(d.screen().contains("go_lessons"), "{}", d.screen());
    // Those who may, get the form.
    let mut d = demo_as("supervisor");
    d.keys(&["4", "enter", "?"]);
    assert!(d.screen().contains("Close: an operation"), "{}", d.screen());
    d.keys(&["esc", "x"]);
    assert!(d.app.form.is_some(), "{}", d.screen());
    let mut d = demo_as("investigator");
    d.keys(&["2", "n"]);
    assert!(d.app.form.is_some(), "{}", d.screen());
}

/// Columns use the room there is: at 200 columns nothing in the lists is
/// cut ("Active (over", "P1 (highe" were); at 80 a cut shows an ellipsis,
/// never a word broken without a mark.
#[test]
fn columns_grow_with_the_screen_and_cut_with_an_ellipsis() {
    let mut d = demo_as("supervisor");
    d.send(Msg::Resize(200, 50));
    // Coded columns show whole; only free text (a summary) may be cut.
    d.keys(&["2"]);
    let screen = d.screen();
    assert!(screen.contains("Confidential reporting line"), "{screen}");
    assert!(screen.contains("Linked to an operation"), "{screen}");
    assert!(screen.contains("Commit, incite, aid and abet"), "{screen}");
    for area in ["4", "5", "6", "7"] {
        d.keys(&[area]);
        let screen = d.screen();
        let list: Vec<&str> = screen.lines().skip(3).take(10).collect();
        assert!(
            !list.iter().any(|l| l.contains('…')),
            "area {area}: cut at 200 columns\n{screen}"
        );
    }
    d.keys(&["6"]);
    assert!(
        d.screen().contains("Covert human intelligence source"),
        "{}",
        d.screen()
    );
    d.send(Msg::Resize(80, 24));
    let screen = d.screen();
    assert!(screen.contains("Applied for "), "{screen}");
    assert!(screen.contains("Covert human intelligence so…"), "{screen}");
}

/// The demo, with an application for directed surveillance on MERLIN,
/// whose threshold proposal waits for a supervisor: made by the
/// investigator, asking the authorising officer.
fn demo_with_merlin_application() -> (Driver, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ccu");
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
    let mut cf = ccu::demo::create_demo(&path, now).unwrap();
    let inv = login(&mut cf, "investigator", ccu::demo::DEMO_PASSWORD);
    let applied = cf
        .execute(
            &inv,
            Command::ApplyForAuthorisation(
                ccu::domain::covert::AuthorisationApplication::new(
                    Codename::parse("MERLIN").unwrap(),
                    username("authorising"),
                    ccu::domain::authorisation::AuthorisationType::DirectedSurveillance,
                    false,
                    "",
                    "Observe the call handler near her former partner's home.",
                    vec![staff("S20488")],
                    "The searches suggest she is following him; only observation shows whether she goes there.",
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
                .with_tactics(vec![ccu::domain::tactic::TacticCase::new(
                    ccu::domain::tactic::Tactic::StaticObservation,
                    "Only watching the street shows whether she goes to his home.",
                    "From one vehicle in the street, evenings only.",
                )
                .unwrap()])
                .unwrap(),
            ),
        )
        .unwrap();
    drop(cf);
    let locked = ccu::demo::open_or_create_demo(&path, now).unwrap();
    let mut d = Driver::new(locked, path, dir);
    d.app.casefile = "demo.ccu".into();
    d.app.demo = Some((ccu::tui::demo_logins(), ccu::demo::DEMO_PASSWORD.into()));
    d.login("authorising", ccu::demo::DEMO_PASSWORD);
    assert!(d.app.session.is_some(), "{}", d.screen());
    (d, applied.reference)
}

/// On the grant form: "grant", each tactic granted, then to the rationale.
fn grant_each_tactic(d: &mut Driver) {
    d.keys(&["right"]);
    for slot in ccu::app::covert_forms::DECISION_SLOTS {
        if d.app
            .form
            .as_ref()
            .unwrap()
            .fields
            .iter()
            .any(|f| f.id == slot[0])
        {
            focus_on(d, slot[0]);
            d.keys(&["right"]);
        }
    }
    focus_on(d, "rationale");
}

fn detail_text(d: &Driver) -> String {
    d.app
        .detail
        .as_ref()
        .unwrap()
        .lines
        .iter()
        .map(|l| match l {
            ccu::app::view::DetailLine::Heading(t) | ccu::app::view::DetailLine::Text(t) => {
                t.clone()
            }
            ccu::app::view::DetailLine::Field(k, v) | ccu::app::view::DetailLine::Warning(k, v) => {
                format!("{k}: {v}")
            }
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The authorising officer reads the grounds and the operation's threshold
/// before granting; with the threshold not met the form and its question
/// say so, and "n" leaves the form as it was with nothing written.
#[test]
fn the_authorising_officer_reads_the_grounds_and_the_threshold_warning_before_granting() {
    let (mut d, urn) = demo_with_merlin_application();
    d.keys(&["6"]);
    d.select(&urn);
    d.keys(&["enter"]);
    snapshot("authorisation_application", &mut d);
    let text = detail_text(&d);
    for grounds in [
        "Necessity\nThe searches suggest she is following him; only observation shows whether she goes there.",
        "Proportionality\nEvenings only, for four weeks, from a vehicle in the street.",
        "Collateral intrusion\nNeighbours passing in the street; no private space is watched.",
        "Confidential or privileged material\nnot likely",
        "Threshold: MERLIN's threshold is not met (proposed ",
    ] {
        assert!(text.contains(grounds), "{grounds:?} not in\n{text}");
    }
    // The grounds scroll into view at 80x24.
    for _ in 0..60 {
        if d.screen().contains("Collateral intrusion") {
            break;
        }
        d.keys(&["j"]);
    }
    snapshot("authorisation_application_grounds", &mut d);
    assert!(
        d.screen().contains("Collateral intrusion"),
        "{}",
        d.screen()
    );
    d.keys(&["D"]);
    snapshot("form_grant_not_met", &mut d);
    let screen = d.screen();
    assert!(screen.contains("MERLIN's threshold is not met"), "{screen}");
    assert!(
        screen.contains("Necessity: The searches suggest she is following him"),
        "{screen}"
    );
    grant_each_tactic(&mut d);
    d.type_text("Necessary and proportionate: no overt route remains");
    let status = format!("SELECT status FROM authorisation WHERE urn = '{urn}'");
    d.keys(&["ctrl-s"]);
    snapshot("confirm_grant_not_met", &mut d);
    let question = confirm_question(&d).expect("asked first");
    assert!(
        question.starts_with("MERLIN's threshold is not met (proposed ")
            && question.ends_with(&format!(
                "Grant {urn} until 23/02/2027 00:00 for static observation?"
            )),
        "{question}"
    );
    d.keys(&["n"]);
    let form = d.app.form.as_ref().expect("the form stays");
    assert_eq!(
        field(form, "rationale"),
        "Necessary and proportionate: no overt route remains"
    );
    assert_eq!(field(form, "decision"), "grant");
    assert_eq!(d.value(&status), "applied");
    d.keys(&["ctrl-s", "y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(d.value(&status), "granted");
}

/// Reviews, renewals and a cancellation on the record page: each date as
/// dd/mm/yyyy HH:MM, what each review said, a second renewal of one period
/// refused, and the cancellation's reason, outcome and material.
#[test]
fn an_authorisation_is_reviewed_renewed_once_and_cancelled_through_the_forms() {
    let (mut d, urn) = demo_with_merlin_application();
    d.keys(&["6"]);
    d.select(&urn);
    d.keys(&["enter", "D"]);
    grant_each_tactic(&mut d);
    d.type_text("Necessary and proportionate");
    d.keys(&["ctrl-s", "y"]);
    assert_eq!(
        d.value(&format!(
            "SELECT status FROM authorisation WHERE urn = '{urn}'"
        )),
        "granted"
    );
    // A review asks nothing: it changes no period.
    d.keys(&["v"]);
    d.type_text("Still necessary: the searches go on");
    d.keys(&["tab"]);
    d.type_text("Narrowed to two evenings a week");
    d.keys(&["ctrl-s"]);
    assert!(
        d.app.form.is_none() && d.app.popup.is_none(),
        "{}",
        d.screen()
    );
    // A renewal asks, naming the new end.
    let renewals = "SELECT CAST(count(*) AS TEXT) FROM authorisation_renewal";
    d.keys(&["w"]);
    d.type_text("The pattern needs another period to show");
    d.keys(&["ctrl-s"]);
    assert_eq!(
        confirm_question(&d).as_deref(),
        Some(format!("Renew {urn} until 23/05/2027 00:00?").as_str())
    );
    d.keys(&["esc"]);
    assert_eq!(d.value(renewals), "0");
    assert!(d.app.form.is_some());
    d.keys(&["ctrl-s", "y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(d.value(renewals), "1");
    // Renewing again, for a period renewed already, is refused on the form.
    let ends = format!("SELECT ends_at FROM authorisation WHERE urn = '{urn}'");
    let end = d.value(&ends);
    d.keys(&["w"]);
    d.type_text("Once more");
    d.keys(&["ctrl-s"]);
    assert!(confirm_question(&d).is_none(), "nothing to ask");
    let form = d.app.form.as_ref().expect("refused");
    let error = form.error.clone().unwrap_or_default();
    assert!(
        error.contains("the period in effect is renewed already: the next begins 23/02/2027 00:00"),
        "{error}"
    );
    snapshot("form_renew_refused", &mut d);
    assert_eq!(d.value(renewals), "1");
    assert_eq!(d.value(&ends), end);
    d.keys(&["esc", "y"]);
    // Cancelling asks first.
    d.keys(&["x", "tab"]);
    d.type_text("The subject has been arrested");
    d.keys(&["tab"]);
    d.type_text("Visits to the address observed twice");
    // The product: kept, by whom, reviewed when, and how.
    d.keys(&["tab", "k", "tab"]);
    d.type_text("Case officer, DS Brambleworth");
    d.keys(&["tab"]);
    d.type_text("+4w");
    d.keys(&["tab"]);
    d.type_text("Logs kept on the case system for review at charge");
    d.keys(&["ctrl-s"]);
    assert_eq!(
        confirm_question(&d).as_deref(),
        Some(format!("Cancel {urn}? A cancelled authorisation cannot be renewed.").as_str())
    );
    d.keys(&["y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    let text = detail_text(&d);
    for shown in [
        "Reviewed: 23/11/2026 09:30 by",
        "Still necessary: the searches go on",
        "Narrowed to two evenings a week",
        "Renewed: 23/11/2026 09:30 by",
        "Period: 23/02/2027 00:00 to 23/05/2027 00:00",
        "Why cancelled\nThe subject has been arrested",
        "Outcome\nVisits to the address observed twice",
        "Material obtained\nLogs kept on the case system for review at charge",
        "Cancelled: 23/11/2026 09:30",
    ] {
        assert!(text.contains(shown), "{shown:?} not in\n{text}");
    }
    assert!(!text.contains("T09:30"), "a raw timestamp:\n{text}");
    for _ in 0..60 {
        d.keys(&["j"]);
    }
    snapshot("authorisation_cancelled_end", &mut d);
}

/// Closing an operation asks first; "n" leaves the form as it was.
#[test]
fn closing_an_operation_asks_first() {
    let mut d = demo_as("supervisor");
    d.keys(&["4"]);
    d.select("MERLIN");
    d.keys(&["enter", "x"]);
    d.type_text("No offence shown");
    d.keys(&["tab"]);
    d.type_text("Alerts on one address should reach the unit sooner");
    let status = "SELECT status FROM operation WHERE codename = 'MERLIN'";
    let before = d.value(status);
    d.keys(&["ctrl-s"]);
    assert_eq!(
        confirm_question(&d).as_deref(),
        Some("Close MERLIN? A closed operation stays closed.")
    );
    d.keys(&["n"]);
    let form = d.app.form.as_ref().expect("the form stays");
    assert_eq!(field(form, "outcome"), "No offence shown");
    assert_eq!(d.value(status), before);
    d.keys(&["ctrl-s", "y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(d.value(status), "closed");
}

/// A referral's record shows its summary, subjects and the IOPC's decided-on
/// day; a decision dated before the referral was made is refused beside
/// the date, with nothing written.
#[test]
fn a_referral_shows_its_summary_and_the_iopc_decision_is_not_dated_before_it() {
    let mut d = demo_as("supervisor");
    d.keys(&["7"]);
    d.select("REF-2026-0003");
    d.keys(&["enter"]);
    let text = detail_text(&d);
    for shown in [
        "Criterion: Serious corruption",
        "Status: Draft",
        "Subjects: SC0712 ",
        "Summary\nA special constable has sent a domestic abuse victim",
    ] {
        assert!(text.contains(shown), "{shown:?} not in\n{text}");
    }
    d.keys(&["s", "y", "i"]);
    d.type_text("IOPC-2026-NS-0501");
    d.keys(&["tab", "right", "tab"]);
    for _ in 0.."today".len() {
        d.keys(&["backspace"]);
    }
    d.type_text("yesterday");
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("refused");
    let decided = form.fields.iter().find(|f| f.id == "decided on").unwrap();
    assert_eq!(
        decided.error.as_deref(),
        Some("22/11/2026 is before REF-2026-0003 was referred to the IOPC, on 23/11/2026")
    );
    let status = "SELECT status FROM referral WHERE urn = 'REF-2026-0003'";
    assert_eq!(d.value(status), "referred");
    for _ in 0.."yesterday".len() {
        d.keys(&["backspace"]);
    }
    d.type_text("today");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(d.value(status), "decided");
    assert!(
        detail_text(&d).contains("IOPC decided on: 23/11/2026"),
        "{}",
        detail_text(&d)
    );
}

/// The overdue referral waits in the supervisor's queue with its deadline,
/// and opens from there.
#[test]
fn the_overdue_referral_is_in_the_supervisors_queue() {
    let mut d = demo_as("supervisor");
    d.keys(&["8"]);
    let list = d.app.list(ccu::app::Area::Queue);
    let row = list
        .rows
        .iter()
        .find(|r| r.key == "REF-2026-0003")
        .unwrap_or_else(|| panic!("{:?}", list.rows));
    assert_eq!(
        row.cells,
        [
            "IOPC referral OVERDUE",
            "REF-2026-0003",
            "SISKIN",
            "22/11/2026 00:00"
        ]
    );
    d.select("REF-2026-0003");
    d.keys(&["enter"]);
    assert_eq!(d.app.area, ccu::app::Area::Referrals);
    assert_eq!(d.app.detail.as_ref().unwrap().key, "REF-2026-0003");
}

/// The account's status and roles, read directly.
fn account(path: &std::path::Path, name: &str) -> (String, String) {
    raw_conn(path)
        .query_row(
            "SELECT a.status, coalesce((SELECT group_concat(role, ',') FROM
                 (SELECT role FROM user_role WHERE user_id = a.id ORDER BY role)), '')
             FROM user_account a WHERE a.username = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

fn status_text(d: &Driver) -> String {
    d.app
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// The administrator's whole task in the application: an account added
/// waits, with no access, for the head of unit, who logs in without
/// quitting, approves it from the queue, and the new account then logs in
/// and must choose its own password first.
#[test]
fn the_administrator_adds_an_account_and_the_head_of_unit_approves_it() {
    let mut d = casework();
    d.login(ADMIN, ADMIN_PASSWORD);
    // The administrator starts where their work is.
    assert_eq!(d.app.area, ccu::app::Area::Accounts);
    snapshot("accounts_administrator", &mut d);
    d.keys(&["n"]);
    snapshot("accounts_add_form", &mut d);
    d.type_text(
        "newinv\tDC Nia Newton\tDC\tinvestigator\tF!1!R!S!T!-!O!N!C!E!\tF!1!R!S!T!-!O!N!C!E!",
    );
    d.keys(&["ctrl-s"]);
    assert!(
        d.app.form.is_none(),
        "{:?}",
        d.app.form.as_ref().map(|f| &f.fields)
    );
    let said = status_text(&d);
    assert!(
        said.contains("waits for a head of unit: request ACR-"),
        "{said}"
    );
    assert_eq!(account(&d.path, "newinv"), ("disabled".into(), "".into()));
    snapshot("accounts_added", &mut d);

    // Log out, and in as the head of unit, without quitting.
    d.keys(&["ctrl-o"]);
    assert!(matches!(d.app.screen, ccu::app::Screen::Login(_)));
    assert!(d.app.session.is_none());
    snapshot("logged_out", &mut d);
    d.login(HEAD, HEAD_PASSWORD);
    d.keys(&["8"]);
    let screen = d.screen();
    assert!(screen.contains("Access to decide: add newinv"), "{screen}");
    d.keys(&["enter"]);
    let form = d.app.form.as_ref().expect("the decision form");
    assert!(form.title.contains("add newinv"), "{}", form.title);
    d.keys(&["ctrl-n", "ctrl-s"]);
    assert!(
        status_text(&d).starts_with("Approved ACR-"),
        "{}",
        status_text(&d)
    );
    assert_eq!(
        account(&d.path, "newinv"),
        ("active".into(), "investigator".into())
    );

    // The new account logs in with its one-time password, and chooses
    // its own before anything else.
    d.keys(&["ctrl-o"]);
    d.login("newinv", "F!1!R!S!T!-!O!N!C!E!");
    assert!(
        matches!(d.app.screen, ccu::app::Screen::ChoosePassword(_)),
        "{}",
        d.screen()
    );
    d.type_text("my own long passphrase\tmy own long passphrase\n");
    assert!(
        matches!(d.app.screen, ccu::app::Screen::Main),
        "{}",
        d.screen()
    );
    assert_eq!(d.app.session.as_ref().unwrap().username, "newinv");
}

/// Disabling, enabling, changing roles and resetting a password, each
/// from the open account, each through the case file's own rules.
#[test]
fn the_administrator_disables_enables_changes_roles_and_resets_a_password() {
    let mut d = casework();
    d.login(ADMIN, ADMIN_PASSWORD);
    // Rows sort by username: admin, head, inv, other, sup.
    d.keys(&["j", "j", "enter"]);
    assert_eq!(d.app.detail.as_ref().map(|x| x.key.as_str()), Some("inv"));
    snapshot("accounts_open", &mut d);
    d.keys(&["c"]);
    assert!(d.screen().contains("Disable inv?"), "{}", d.screen());
    d.keys(&["y"]);
    assert_eq!(account(&d.path, "inv").0, "disabled");
    assert!(
        status_text(&d).starts_with("Disabled inv: "),
        "{}",
        status_text(&d)
    );
    assert!(status_text(&d).contains("ccu rekey"), "{}", status_text(&d));
    assert!(d.screen().contains("disabled"), "{}", d.screen());
    // Enabling gives access to case content again: a request.
    d.keys(&["c"]);
    assert!(d.screen().contains("Enable inv?"), "{}", d.screen());
    d.keys(&["y"]);
    assert!(
        status_text(&d).contains("request ACR-"),
        "{}",
        status_text(&d)
    );
    assert_eq!(account(&d.path, "inv").0, "disabled");
    // Roles: a wrong one is named beside the field, and nothing changes.
    d.keys(&["e"]);
    let before = count(&d.path, "SELECT count(*) FROM audit_event");
    for _ in 0..20 {
        d.keys(&["backspace"]);
    }
    d.type_text("investigator,wizard");
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("kept open");
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("'wizard' is not a role"),
        "{:?}",
        form.fields[0].error
    );
    assert_eq!(count(&d.path, "SELECT count(*) FROM audit_event"), before);
    snapshot("accounts_roles_refused", &mut d);
    for _ in 0..7 {
        d.keys(&["backspace"]);
    }
    // The same roles again are refused by the case file, beside the field.
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("kept open");
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("already holds exactly"),
        "{:?}",
        form.fields[0].error
    );
    // A role that reads case content waits for the head of unit.
    d.type_text(",supervisor");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert!(
        status_text(&d).contains("request ACR-"),
        "{}",
        status_text(&d)
    );
    assert_eq!(account(&d.path, "inv").1, "investigator");
    // A password reset waits for the head of unit too.
    d.keys(&["p"]);
    d.type_text("a reset passphrase\ta reset passphrase");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert!(
        status_text(&d).contains("request ACR-"),
        "{}",
        status_text(&d)
    );
    let kinds: Vec<String> = raw_conn(&d.path)
        .prepare("SELECT kind FROM access_request ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        kinds.ends_with(&["enable".into(), "grant".into(), "reset".into()]),
        "{kinds:?}"
    );
}

/// Those who may not change accounts are not offered the forms: an
/// auditor reads the list, an investigator is told what the area is for,
/// and nothing is asked of the case file that it would refuse.
#[test]
fn only_an_administrator_is_offered_the_account_forms() {
    let mut d = casework_with(|cf, admin| add_user(cf, admin, "aud", "auditor"));
    let denied = "SELECT count(*) FROM audit_event WHERE outcome = 'denied'";
    let before = count(&d.path, denied);
    d.login("inv", USER_PASSWORD);
    d.keys(&["A"]);
    let screen = d.screen();
    assert!(
        screen.contains("User accounts: not for your roles"),
        "{screen}"
    );
    snapshot("accounts_investigator", &mut d);
    d.keys(&["n"]);
    assert!(d.app.form.is_none());
    assert_eq!(count(&d.path, denied), before);

    d.keys(&["ctrl-o"]);
    d.login("aud", USER_PASSWORD);
    d.keys(&["A"]);
    assert!(d.screen().contains("sup"), "{}", d.screen());
    d.keys(&["n"]);
    assert!(d.app.form.is_none());
    d.keys(&["enter", "e"]);
    assert!(d.app.form.is_none());
    assert!(
        status_text(&d).contains("may not manage user accounts"),
        "{}",
        status_text(&d)
    );
    d.keys(&["p"]);
    assert!(d.app.form.is_none());
    assert_eq!(count(&d.path, denied), before);
}

/// The auditor's tools on the trail: a checkpoint signed, a bundle
/// exported beside the case file (and never over one), that bundle
/// verified and the result shown, the refusals alone, and one event by
/// its number.
#[test]
fn the_auditor_signs_exports_verifies_and_finds_events_in_the_trail() {
    let mut d = casework_with(|cf, admin| {
        add_user(cf, admin, "aud", "auditor");
        // A refusal for the trail to hold: an administrator reads no case
        // content.
        let refused = cf.execute(
            admin,
            Command::View(ccu::store::Viewed::Operation(
                Codename::parse("KESTREL").unwrap(),
            )),
        );
        assert!(refused.is_err());
    });
    d.login("aud", USER_PASSWORD);
    d.keys(&["9", "X"]);
    snapshot("audit_export_form", &mut d);
    d.keys(&["esc"]);
    let checkpoints = "SELECT count(*) FROM checkpoint";
    let before = count(&d.path, checkpoints);
    d.keys(&["C"]);
    assert!(d.screen().contains("Sign a checkpoint"), "{}", d.screen());
    d.keys(&["y"]);
    assert!(
        status_text(&d).starts_with("Signed a checkpoint of "),
        "{}",
        status_text(&d)
    );
    assert_eq!(count(&d.path, checkpoints), before + 1);

    d.keys(&["X"]);
    d.type_text("bundle");
    d.keys(&["ctrl-s"]);
    let folder = d.path.parent().unwrap().join("bundle");
    assert!(folder.join("manifest.json").exists(), "{}", d.screen());
    let said = status_text(&d);
    assert!(
        said.starts_with("Wrote ") && said.contains("full export"),
        "{said}"
    );
    // A second export to the same folder is refused: nothing is written over.
    let manifest = std::fs::read(folder.join("manifest.json")).unwrap();
    d.keys(&["X"]);
    d.type_text("bundle");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_some(), "the form stays, with the refusal");
    assert_eq!(
        std::fs::read(folder.join("manifest.json")).unwrap(),
        manifest
    );
    d.keys(&["esc", "y"]);

    d.keys(&["V"]);
    d.type_text("bundle");
    d.keys(&["ctrl-s"]);
    let screen = d.screen();
    assert!(screen.contains("It verifies."), "{screen}");
    // The whole path is shown; the snapshot names the folder alone.
    let shown_path = folder.display().to_string();
    assert!(screen.contains(&shown_path), "{screen}");
    insta::assert_snapshot!(
        "audit_bundle_verified",
        screen.replace(&shown_path, "/CASEFILE-FOLDER/bundle")
    );
    d.keys(&["esc"]);
    // A bundle altered after it was written does not verify, and says so.
    let events = folder.join("entries.jsonl");
    let text = std::fs::read_to_string(&events).unwrap();
    std::fs::write(&events, text.replacen("login", "logon", 1)).unwrap();
    d.keys(&["V"]);
    d.type_text("bundle");
    d.keys(&["ctrl-s"]);
    let screen = d.screen();
    assert!(screen.contains("It does not verify."), "{screen}");
    assert!(screen.contains("Verification failed"), "{screen}");
    d.keys(&["esc"]);

    // The refusals alone.
    d.keys(&["f"]);
    for _ in 0..5 {
        d.keys(&["tab"]);
    }
    d.type_text("denied");
    d.keys(&["ctrl-s"]);
    let list = d.app.list(ccu::app::Area::Audit);
    assert!(list.total > 0);
    assert!(
        list.rows.iter().all(|r| r.cells[5] == "denied"),
        "{:?}",
        list.rows
    );
    assert_eq!(
        list.total as i64,
        count(
            &d.path,
            "SELECT count(*) FROM audit_event WHERE outcome = 'denied'"
        )
    );
    // A wrong outcome is named beside its field.
    d.keys(&["f"]);
    for _ in 0..5 {
        d.keys(&["tab"]);
    }
    for _ in 0..6 {
        d.keys(&["backspace"]);
    }
    d.type_text("refused");
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("kept open");
    assert!(
        form.fields[5]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not an outcome"),
        "{:?}",
        form.fields[5].error
    );
    d.keys(&["esc", "y", "F"]);

    // One event by its number: the trail from it back.
    d.keys(&["#"]);
    d.type_text("7");
    d.keys(&["ctrl-s"]);
    let list = d.app.list(ccu::app::Area::Audit);
    assert_eq!(list.total, 7);
    assert_eq!(list.rows[0].key, "7");
    snapshot("audit_jumped", &mut d);
    d.keys(&["#"]);
    d.type_text("0");
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("kept open");
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not an event number"),
        "{:?}",
        form.fields[0].error
    );
}

/// The trail's tools are offered on the trail alone, to those who may use
/// them: help and the palette list them there and nowhere else.
#[test]
fn help_and_the_palette_offer_the_trails_tools_only_on_the_trail() {
    let mut d = casework_with(|cf, admin| add_user(cf, admin, "aud", "auditor"));
    d.login("aud", USER_PASSWORD);
    d.keys(&["2", "?"]);
    let elsewhere = d.screen();
    assert!(!elsewhere.contains("Export a bundle"), "{elsewhere}");
    d.keys(&["esc", ":"]);
    d.type_text("bundle");
    assert!(!d.screen().contains("export_bundle"), "{}", d.screen());
    d.keys(&["esc", ":"]);
    d.type_text("log out");
    assert!(d.screen().contains("log_out"), "everywhere: {}", d.screen());
    d.keys(&["esc", "9", "?"]);
    let there = d.screen();
    assert!(there.contains("Export a bundle"), "{there}");
    d.keys(&["esc", ":"]);
    d.type_text("bundle");
    assert!(d.screen().contains("export_bundle"), "{}", d.screen());
    snapshot("palette_audit_tools", &mut d);
    // Elsewhere, the key says where the tool is.
    d.keys(&["esc", "2", "X"]);
    assert!(
        status_text(&d).contains("go to Audit trail first"),
        "{}",
        status_text(&d)
    );
}

/// Every user is told, on every screen, when the newest events of the
/// trail do not verify: the check at login, which says what it checked.
#[test]
fn every_user_is_warned_when_the_trail_does_not_verify() {
    let mut d = casework();
    let newest = count(&d.path, "SELECT max(seq) FROM audit_event");
    sqlcipher(
        &d.path,
        &format!(
            "DROP TRIGGER audit_event_no_update;
             UPDATE audit_event SET details = '{{\"what\":\"nothing\"}}' WHERE seq = {};
             CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: an event cannot be changed');
END;",
            newest - 1
        ),
    );
    d.login("inv", USER_PASSWORD);
    assert!(
        matches!(d.app.screen, ccu::app::Screen::Main),
        "{}",
        d.screen()
    );
    let warning = d.app.trail_warning.clone().expect("a warning").text;
    assert!(
        warning.contains(&format!("does not verify at event {}", newest - 1)),
        "{warning}"
    );
    assert!(
        warning.contains("the whole trail checked at login"),
        "{warning}"
    );
    snapshot("trail_warning", &mut d);
    // Not only on the screen it started on.
    d.keys(&["4"]);
    let header = |d: &mut Driver| d.screen().lines().next().unwrap().to_owned();
    assert!(header(&mut d).contains(&format!("trail broken at event {}", newest - 1)));
    d.keys(&["?"]);
    assert!(d.screen().contains("does not verify"), "{}", d.screen());
    d.keys(&["esc"]);
    // Nor only for those who read case content.
    d.keys(&["ctrl-o"]);
    d.login(ADMIN, ADMIN_PASSWORD);
    assert!(
        header(&mut d).contains("trail broken at event"),
        "{}",
        d.screen()
    );
}

/// A clean trail says nothing.
#[test]
fn a_clean_trail_gives_no_warning() {
    let mut d = logged_in("inv");
    assert_eq!(d.app.trail_warning, None);
    assert!(!d.screen().contains("does not verify"));
}

/// Approving past capacity is allowed, but never unawares: the decision
/// form says which week goes over and by how much, and the save asks
/// first (approving into "41.4/30 OVER" used to say nothing).
#[test]
fn approving_a_bid_past_capacity_warns_on_the_form_and_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.ccu");
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap();
    let urn = {
        let mut cf = ccu::demo::create_demo(&path, now).unwrap();
        let inv = login(&mut cf, "investigator", ccu::demo::DEMO_PASSWORD);
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let drafted = cf
            .execute(
                &inv,
                Command::DraftBid {
                    codename: Codename::parse("KESTREL").unwrap(),
                    justification: why("Phone downloads need reviewing within the week"),
                    lines: vec![
                        ccu::domain::bid::BidLine::new(
                            "analyst-hours",
                            100.0,
                            day(30),
                            day(30) + chrono::Days::new(6),
                            "Review of three phone downloads",
                        )
                        .unwrap(),
                    ],
                },
            )
            .unwrap()
            .reference;
        let urn = ccu::domain::urn::Urn::parse(ccu::domain::urn::UrnKind::Bid, &drafted).unwrap();
        cf.execute(&inv, Command::SubmitBid { urn }).unwrap();
        drafted
    };
    let locked = ccu::demo::open_or_create_demo(&path, now).unwrap();
    let mut d = Driver::new(locked, path, dir);
    d.app.casefile = "demo.ccu".into();
    d.login("supervisor", ccu::demo::DEMO_PASSWORD);
    d.keys(&["5"]);
    d.select(&urn);
    d.keys(&["enter", "D"]);
    let screen = d.screen();
    assert!(
        screen.contains("Approving in full goes over capacity: Analyst hours w/c 30/11/2026"),
        "{screen}"
    );
    snapshot("form_decide_bid_over_capacity", &mut d);
    d.keys(&["right", "tab", "tab"]);
    d.type_text("The downloads cannot wait: overtime agreed");
    d.keys(&["ctrl-s"]);
    let screen = d.screen();
    assert!(screen.contains(&format!("Approve {urn}?")), "{screen}");
    let status = format!("SELECT status FROM bid WHERE urn = '{urn}'");
    d.keys(&["n"]);
    assert!(d.app.form.is_some(), "{}", d.screen());
    assert_eq!(d.value(&status), "submitted");
    d.keys(&["ctrl-s", "y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(d.value(&status), "active");
}

/// A second session on the same case file, still to log in.
fn second_session(d: &Driver) -> Driver {
    Driver::new(
        CaseFile::locate(&d.path).unwrap(),
        d.path.clone(),
        tempfile::tempdir().unwrap(),
    )
}

impl Driver {
    fn tick(&mut self) {
        let now = self.app.now;
        self.send(Msg::Tick(now));
    }
}

fn views(path: &std::path::Path) -> i64 {
    count(
        path,
        "SELECT count(*) FROM audit_event WHERE action = 'view'",
    )
}

#[test]
fn a_list_reloads_on_the_tick_after_another_session_writes_keeping_its_selection() {
    let mut a = logged_in("sup");
    let mut b = second_session(&a);
    b.login("sup", USER_PASSWORD);
    a.keys(&["3"]);
    let selected = |d: &Driver| {
        d.app
            .list(ccu::app::Area::Subjects)
            .selected_row()
            .map(|r| r.key.clone())
    };
    a.keys(&["end"]);
    let before = selected(&a).unwrap();
    a.tick();
    let events = count(&a.path, "SELECT count(*) FROM audit_event");
    // A tick with nothing changed elsewhere reads nothing new and writes
    // nothing.
    a.tick();
    assert_eq!(count(&a.path, "SELECT count(*) FROM audit_event"), events);
    assert!(!a.screen().contains("Aaron Abbot"));

    b.keys(&["3", "n"]);
    b.type_text("AA0001\tAaron Abbot\tPC");
    b.keys(&["tab", "right"]);
    b.type_text("\tResponse\tPatrol");
    b.keys(&["ctrl-s"]);
    assert!(b.app.form.is_none(), "{}", b.screen());

    let events = count(&a.path, "SELECT count(*) FROM audit_event");
    a.tick();
    assert!(a.screen().contains("Aaron Abbot"), "{}", a.screen());
    assert_eq!(a.app.list(ccu::app::Area::Subjects).total, 3);
    assert_eq!(
        selected(&a).unwrap(),
        before,
        "the selection stays on its row"
    );
    // Reading the list again is not a consultation: nothing is written,
    // and the other session is not set reloading in turn.
    assert_eq!(count(&a.path, "SELECT count(*) FROM audit_event"), events);
    snapshot("refreshed_for_another_session", &mut a);
}

#[test]
fn an_open_record_reloads_once_per_change_and_a_form_being_typed_is_left_alone() {
    let mut a = logged_in("sup");
    let mut b = second_session(&a);
    b.login("sup", USER_PASSWORD);
    for d in [&mut a, &mut b] {
        d.keys(&["4", "home", "enter"]);
    }
    let codename = a.app.detail.as_ref().unwrap().key.clone();
    assert_eq!(b.app.detail.as_ref().unwrap().key, codename);
    a.keys(&["down"]);
    let scroll = a.app.detail.as_ref().unwrap().scroll;
    a.tick();
    b.tick();

    b.keys(&["d"]);
    b.type_text("Refer to the IOPC\tConduct meets the mandatory criteria");
    b.keys(&["tab"]);
    b.type_text("Local handling only");
    b.keys(&["ctrl-s"]);
    assert!(b.app.form.is_none(), "{}", b.screen());

    let seen = views(&a.path);
    a.tick();
    let lines = format!("{:?}", a.app.detail.as_ref().unwrap().lines);
    assert!(lines.contains("Refer to the IOPC"), "{lines}");
    assert_eq!(
        a.app.detail.as_ref().unwrap().scroll,
        scroll,
        "read to where it was"
    );
    // Opened again as `r` opens it: one consultation for the change.
    assert_eq!(views(&a.path), seen + 1);
    // The view changed no row: neither session reloads for it, so
    // neither logs another.
    for _ in 0..3 {
        a.tick();
        b.tick();
    }
    assert_eq!(views(&a.path), seen + 1);

    // While a form is being typed, only a notice.
    a.keys(&["d"]);
    a.type_text("Half typed");
    b.keys(&["d"]);
    b.type_text("Another decision\tMore reports");
    b.keys(&["tab"]);
    b.type_text("None");
    b.keys(&["ctrl-s"]);
    let seen = views(&a.path);
    a.tick();
    let form = a.app.form.as_ref().expect("the form stays open");
    assert!(form.fields.iter().any(|f| f.value() == "Half typed"));
    assert_eq!(views(&a.path), seen, "nothing reloaded under the form");
    snapshot("changed_elsewhere_under_a_form", &mut a);
    // Closed, it reloads on the next tick.
    a.keys(&["esc"]);
    if a.app.popup.is_some() {
        a.keys(&["y"]);
    }
    assert!(a.app.form.is_none());
    a.tick();
    let lines = format!("{:?}", a.app.detail.as_ref().unwrap().lines);
    assert!(lines.contains("Another decision"), "{lines}");
}

#[test]
fn a_refusal_goes_once_what_it_is_about_is_edited() {
    let mut d = logged_in("sup");
    // Beside the field it names, until that field is changed.
    d.keys(&["3", "n"]);
    d.type_text("AB1001\tSomeone Else\tPC");
    d.keys(&["tab", "right"]);
    d.type_text("\tResponse\tPatrol");
    d.keys(&["ctrl-s"]);
    let staff_number = |d: &Driver| d.app.form.as_ref().unwrap().fields[0].error.clone();
    assert!(staff_number(&d).is_some_and(|e| e.contains("already")));
    d.keys(&["backspace"]);
    assert_eq!(staff_number(&d), None, "{}", d.screen());

    // A refusal about the form as a whole (the account disabled from
    // another session meanwhile) goes at the first change to any field.
    let (mut cf, admin) = CaseFile::locate(&d.path)
        .unwrap()
        .unlock(
            ccu::store::Credentials {
                username: ADMIN,
                password: ADMIN_PASSWORD,
            },
            fixed_clock(),
        )
        .unwrap();
    cf.execute(
        &admin,
        Command::DisableUser {
            username: username("sup"),
        },
    )
    .unwrap();
    drop(cf);
    d.type_text("9");
    d.keys(&["ctrl-s"]);
    let error = d.app.form.as_ref().expect("still open").error.clone();
    assert!(error.is_some(), "{}", d.screen());
    snapshot("form_refused_as_a_whole", &mut d);
    d.keys(&["tab"]);
    d.type_text("x");
    let error = d.app.form.as_ref().unwrap().error.clone();
    assert_eq!(error, None, "{}", d.screen());
}

/// Labels, hints and a choice's help wrap in their columns at 80x24, so
/// that what a field wants is read whole, never cut at the form's edge.
#[test]
fn long_labels_and_hints_wrap_rather_than_being_cut_at_80x24() {
    let mut d = demo_as("investigator");
    assert_eq!(d.app.size, (80, 24));
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter", "b"]);
    let screen = d.screen();
    // The resource codes a bid's lines name, to the last.
    let last = d.app.resources.last().unwrap().0.clone();
    assert!(screen.contains(&last), "{last} not shown:\n{screen}");
    d.keys(&["esc"]);
    if d.app.popup.is_some() {
        d.keys(&["y"]);
    }

    let mut d = logged_in("sup");
    d.keys(&["3", "n"]);
    for _ in 0..6 {
        d.keys(&["tab"]);
    }
    assert_eq!(
        d.app.form.as_ref().unwrap().focused().id,
        "vulnerable contact"
    );
    let screen = d.screen();
    for whole in ["space to change", "vulnerable people"] {
        assert!(screen.contains(whole), "{whole}:\n{screen}");
    }
    snapshot("form_flag_hint_wrapped", &mut d);
}

/// The team and subjects of an operation, and who an item of intelligence
/// concerns, are changed from the open record and shown on it.
#[test]
fn the_team_and_subjects_are_managed_from_the_open_operation_and_intelligence() {
    let mut d = logged_in("sup");
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter", "T"]);
    snapshot("form_team", &mut d);
    d.keys(&["tab"]);
    d.type_text("other");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    let on_team = "SELECT count(*) FROM operation_member m JOIN user_account u ON u.id = m.user_id
         JOIN operation o ON o.id = m.operation_id
         WHERE o.codename = 'KESTREL' AND u.username = 'other' AND m.removed_at IS NULL";
    assert_eq!(count(&d.path, on_team), 1);
    // Twice is refused beside the username, and nothing is written.
    d.keys(&["T", "tab"]);
    d.type_text("other");
    d.keys(&["ctrl-s"]);
    let error = d.app.form.as_ref().map(|f| field_error(f, "team"));
    assert!(
        d.app.form.as_ref().is_some_and(|f| f.error.is_some()
            || f.fields
                .iter()
                .any(|f| f.error.as_deref().is_some_and(|e| e.contains("already")))),
        "{error:?} {}",
        d.screen()
    );
    d.keys(&["esc", "y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());

    d.keys(&["L"]);
    snapshot("form_link_subject", &mut d);
    d.type_text("AB1002");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        count(
            &d.path,
            "SELECT count(*) FROM operation_subject x JOIN operation o ON o.id = x.operation_id
             WHERE o.codename = 'KESTREL'"
        ),
        2
    );
    let page = format!("{:?}", d.app.detail);
    assert!(
        page.contains("Subjects (2)") && page.contains("Team (3)"),
        "{page}"
    );
    d.keys(&["G"]);
    snapshot("operation_team_and_subjects", &mut d);

    // Taken off the team again: the page says when they left.
    d.keys(&["T", "right", "tab"]);
    d.type_text("other");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(count(&d.path, on_team), 0);

    // Intelligence, after it was recorded.
    d.keys(&["esc", "2"]);
    let urn = d.value("SELECT urn FROM intelligence WHERE summary LIKE 'Repeated messages%'");
    d.select(&urn);
    d.keys(&["enter", "L"]);
    d.type_text("AB1002");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        count(
            &d.path,
            &format!(
                "SELECT count(*) FROM intelligence_subject x JOIN intelligence i ON i.id = x.intelligence_id
                 WHERE i.urn = '{urn}'"
            )
        ),
        2
    );
    let page = format!("{:?}", d.app.detail);
    assert!(page.contains("Sam Sample"), "{page}");
}

/// The error beside a field of a form, by its id.
fn field_error(form: &ccu::app::form::Form, id: &str) -> Option<String> {
    form.fields
        .iter()
        .find(|f| f.id == id)
        .and_then(|f| f.error.clone())
}

/// Someone who may not allocate a team is told so, and no form opens.
#[test]
fn an_investigator_is_not_offered_the_team_form() {
    let mut d = logged_in("inv");
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter", "T"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert!(
        d.status_text().to_lowercase().contains("team"),
        "{}",
        d.status_text()
    );
}

/// A supervisor sets a resource type's weekly capacity from the bids list,
/// seeing what it is now; the form then shows the new one.
#[test]
fn a_supervisor_sets_a_weekly_capacity_from_the_bids_list() {
    let mut d = demo_as("supervisor");
    d.keys(&["5", "K"]);
    snapshot("form_set_capacity", &mut d);
    let resource = field(d.app.form.as_ref().unwrap(), "resource");
    d.keys(&["tab"]);
    d.type_text("lots");
    d.keys(&["ctrl-s"]);
    let error = field_error(d.app.form.as_ref().unwrap(), "weekly capacity");
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("'lots' is not a number")),
        "{error:?}"
    );
    for _ in 0..4 {
        d.keys(&["backspace"]);
    }
    d.type_text("12.5");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        d.value(&format!(
            "SELECT CAST(weekly_capacity AS TEXT) FROM resource_type WHERE code = '{resource}'"
        )),
        "12.5"
    );
    d.keys(&["K"]);
    let shown = format!("{:?}", d.app.form.as_ref().unwrap().fields[0].input);
    assert!(
        shown.contains(&format!("{resource}: 12.5 a week now")),
        "{shown}"
    );
}

#[test]
fn an_investigator_is_told_capacity_is_for_supervisors() {
    let mut d = demo_as("investigator");
    d.keys(&["5", "K"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert!(
        d.status_text().contains("for supervisors"),
        "{}",
        d.status_text()
    );
}

/// On a field that names a subject, an operation or a resource type, F2
/// lists those the user may see; typing narrows the list and Enter puts
/// the choice in the field.
#[test]
fn staff_numbers_codenames_and_resources_are_chosen_from_a_list() {
    let mut d = logged_in("sup");
    d.keys(&["4"]);
    d.select("KESTREL");
    d.keys(&["enter", "L"]);
    let hints = d.screen();
    assert!(hints.contains("F2 pick"), "{hints}");
    d.keys(&["f2"]);
    snapshot("pick_subject", &mut d);
    d.type_text("sam");
    snapshot("pick_subject_narrowed", &mut d);
    d.keys(&["enter"]);
    assert!(d.app.popup.is_none(), "{}", d.screen());
    assert_eq!(field(d.app.form.as_ref().unwrap(), "subjects"), "AB1002");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        count(
            &d.path,
            "SELECT count(*) FROM operation_subject x JOIN subject s ON s.id = x.subject_id
             JOIN operation o ON o.id = x.operation_id
             WHERE o.codename = 'KESTREL' AND s.staff_number = 'AB1002'"
        ),
        1
    );

    // A new bid: the operation, and a line's resource type.
    d.keys(&["esc", "5", "n"]);
    d.keys(&["f2"]);
    d.type_text("merl");
    d.keys(&["enter"]);
    assert_eq!(field(d.app.form.as_ref().unwrap(), "operation"), "MERLIN");
    d.keys(&["tab", "tab", "f2", "down", "enter"]);
    let lines = field(d.app.form.as_ref().unwrap(), "lines");
    let second = &d.app.resources[1].0;
    assert_eq!(lines, format!("{second} "));

    // Nothing to choose for a field that is typed.
    d.keys(&["backtab", "f2"]);
    assert!(d.app.popup.is_none());
    assert!(d.status_text().contains("type it"), "{}", d.status_text());
}

/// An investigator is offered only the operations they may see: another
/// team's is not listed.
#[test]
fn the_list_to_choose_from_holds_only_what_the_user_may_see() {
    let mut d = logged_in("inv");
    d.keys(&["5", "n", "f2"]);
    let screen = d.screen();
    assert!(screen.contains("KESTREL"), "{screen}");
    assert!(
        !screen.contains("MERLIN"),
        "MERLIN is not inv's to see: {screen}"
    );
    snapshot("pick_operation", &mut d);
}

/// Usernames are chosen from the unit's case workers: the lead, the team,
/// the officer asked to decide. Administrators and auditors are not
/// listed, nor is a disabled account.
#[test]
fn colleagues_are_chosen_by_username_from_the_unit_s_case_workers() {
    let mut d = demo_as("supervisor");
    d.keys(&["4", "n"]);
    let at = |d: &Driver, id: &str| {
        d.app
            .form
            .as_ref()
            .unwrap()
            .fields
            .iter()
            .position(|f| f.id == id)
            .unwrap()
    };
    let lead = at(&d, "lead");
    d.app.form.as_mut().unwrap().focus = lead;
    d.keys(&["f2"]);
    let screen = d.screen();
    assert!(screen.contains("Choose a colleague"), "{screen}");
    assert!(screen.contains("investigator"), "{screen}");
    for hidden in ["admin ", "auditor "] {
        assert!(
            !screen.lines().any(|l| l.contains(&format!("│{hidden}"))),
            "{hidden} is listed:\n{screen}"
        );
    }
    d.type_text("research");
    d.keys(&["enter"]);
    assert_eq!(field(d.app.form.as_ref().unwrap(), "lead"), "researcher");
    // The team takes each once, in a comma list.
    let team = at(&d, "team");
    d.app.form.as_mut().unwrap().focus = team;
    for name in ["investigator", "investigator"] {
        d.keys(&["f2"]);
        d.type_text(name);
        d.keys(&["enter"]);
    }
    assert_eq!(field(d.app.form.as_ref().unwrap(), "team"), "investigator");
}

/// Index of the field `id` on the form on screen.
fn field_at(d: &Driver, id: &str) -> usize {
    d.app
        .form
        .as_ref()
        .expect("a form is open")
        .fields
        .iter()
        .position(|f| f.id == id)
        .unwrap_or_else(|| panic!("no field {id}"))
}

/// The note beside field `id` of the form on screen.
fn note(d: &Driver, id: &str) -> Option<String> {
    let at = field_at(d, id);
    d.app.form.as_ref().unwrap().fields[at].note.clone()
}

/// Moves the form's focus to field `id`.
fn focus_on(d: &mut Driver, id: &str) {
    let at = field_at(d, id);
    while d.app.form.as_ref().unwrap().focus != at {
        d.keys(&["tab"]);
    }
}

/// A paragraph copied from an earlier authorisation into a new application
/// is flagged beside its field as the field is left, in the record's words;
/// a genuinely different paragraph is not, and nothing stops either.
#[test]
fn reasoning_copied_from_an_earlier_authorisation_is_flagged_on_the_form() {
    let mut d = demo_as("supervisor");
    let earlier = d.value("SELECT proportionality FROM authorisation WHERE urn = 'AUTH-2026-0002'");
    d.keys(&["6", "n"]);
    focus_on(&mut d, "proportionality");
    d.send(Msg::Paste(earlier.clone()));
    d.keys(&["tab"]);
    assert_eq!(
        note(&d, "proportionality").as_deref(),
        Some("100% the same as AUTH-2026-0002's proportionality"),
        "{}",
        d.screen()
    );
    let screen = d.screen();
    assert!(
        screen.contains("! 100% the same as AUTH-2026-0002's"),
        "{screen}"
    );
    // The text is as pasted: nothing was rewritten.
    assert_eq!(
        field(d.app.form.as_ref().unwrap(), "proportionality"),
        earlier
    );
    // Typing in the field again takes the flag away until it is left.
    d.keys(&["backtab", "x"]);
    assert_eq!(note(&d, "proportionality"), None);
    // A genuinely different paragraph, in a fresh form, shows nothing.
    d.keys(&["esc", "y", "n"]);
    focus_on(&mut d, "proportionality");
    d.send(Msg::Paste(
        "Observation is confined to the two evenings a week the subject visits the \
         victim's street, from a parked vehicle, so neighbours are not watched."
            .into(),
    ));
    d.keys(&["tab"]);
    assert_eq!(note(&d, "proportionality"), None, "{}", d.screen());
    assert!(!d.screen().contains("the same as"), "{}", d.screen());
}

/// Types `text` into field `id` of the form on screen.
fn fill(d: &mut Driver, id: &str, text: &str) {
    focus_on(d, id);
    d.send(Msg::Paste(text.into()));
}

/// An application lists several tactics on the form, each with its own
/// lines (room for the next appearing as each is chosen, a missing line
/// refused beside it); the grant form decides each, a refusal with its
/// reason; the record shows each tactic, its lines and its decision.
#[test]
fn tactics_are_listed_on_the_application_and_decided_one_by_one_at_grant() {
    let mut d = demo_as("investigator");
    d.keys(&["6", "n"]);
    fill(&mut d, "operation", "MERLIN");
    focus_on(&mut d, "authorisation type");
    d.keys(&["right"]);
    fill(&mut d, "authorising officer", "authorising");
    fill(
        &mut d,
        "description",
        "Observe the call handler near her former partner's home.",
    );
    fill(
        &mut d,
        "necessity",
        "Only observation shows whether she goes there.",
    );
    fill(&mut d, "proportionality", "Evenings only, for four weeks.");
    fill(
        &mut d,
        "collateral intrusion",
        "Neighbours passing in the street.",
    );
    assert!(
        !d.app
            .form
            .as_ref()
            .unwrap()
            .fields
            .iter()
            .any(|f| f.id == "tactic 2")
    );
    focus_on(&mut d, "tactic 1");
    d.keys(&["right"]);
    // Choosing the first tactic makes room for a second.
    assert!(
        d.app
            .form
            .as_ref()
            .unwrap()
            .fields
            .iter()
            .any(|f| f.id == "tactic 2")
    );
    fill(
        &mut d,
        "tactic 1 necessity",
        "Only watching the street shows whether she visits.",
    );
    fill(
        &mut d,
        "tactic 1 proportionality",
        "One vehicle, evenings only.",
    );
    focus_on(&mut d, "tactic 2");
    d.keys(&["f"]);
    assert_eq!(
        field(d.app.form.as_ref().unwrap(), "tactic 2"),
        "following-on-foot"
    );
    fill(
        &mut d,
        "tactic 2 necessity",
        "She walks from the bus stop; only following shows where.",
    );
    snapshot("form_apply_tactics", &mut d);
    fill(
        &mut d,
        "confidential reason",
        "Unlikely because a public street, away from any lawyer",
    );
    let count = "SELECT count(*) FROM authorisation";
    let before = d.value(&format!("SELECT CAST(({count}) AS TEXT)"));
    d.keys(&["ctrl-s"]);
    // The second tactic's proportionality is missing: refused beside it.
    let form = d.app.form.as_ref().expect("the form stays");
    let at = field_at(&d, "tactic 2 proportionality");
    assert_eq!(form.focus, at);
    assert_eq!(
        form.fields[at].error.as_deref(),
        Some("Following on foot's proportionality is required")
    );
    assert_eq!(d.value(&format!("SELECT CAST(({count}) AS TEXT)")), before);
    d.send(Msg::Paste(
        "Bus stop to the street only, never inside.".into(),
    ));
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    let urn = d.value("SELECT urn FROM authorisation ORDER BY id DESC LIMIT 1");
    assert_eq!(
        d.value(&format!(
            "SELECT group_concat(tactic || ': ' || proportionality, ' | ') FROM authorisation_tactic
             WHERE authorisation_id = (SELECT id FROM authorisation WHERE urn = '{urn}')"
        )),
        "static-observation: One vehicle, evenings only. | following-on-foot: Bus stop to the street only, never inside."
    );

    // The authorising officer decides each tactic.
    let Driver {
        runtime,
        _dir,
        path,
        ..
    } = d;
    drop(runtime);
    let mut d = Driver::new(CaseFile::locate(&path).unwrap(), path, _dir);
    d.login("authorising", ccu::demo::DEMO_PASSWORD);
    d.keys(&["6"]);
    d.select(&urn);
    d.keys(&["enter", "D", "right"]);
    snapshot("form_grant_tactics", &mut d);
    focus_on(&mut d, "tactic 1 decision");
    d.keys(&["right"]);
    focus_on(&mut d, "tactic 2 decision");
    d.keys(&["right", "right"]);
    assert_eq!(
        field(d.app.form.as_ref().unwrap(), "tactic 2 decision"),
        "refused"
    );
    fill(
        &mut d,
        "rationale",
        "Necessary and proportionate for the street watch.",
    );
    // Refused without a reason: said beside it, nothing written.
    d.keys(&["ctrl-s"]);
    let at = field_at(&d, "tactic 2 reason");
    let form = d.app.form.as_ref().unwrap();
    assert_eq!(form.focus, at);
    assert!(
        form.fields[at]
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("say why following on foot is refused")),
        "{:?}",
        form.fields[at].error
    );
    d.send(Msg::Paste("The street watch is enough for now.".into()));
    d.keys(&["ctrl-s"]);
    let question = confirm_question(&d).expect("asked first");
    assert!(
        question.ends_with("for static observation only, refusing following on foot?"),
        "{question}"
    );
    d.keys(&["y"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        d.value(&format!(
            "SELECT status FROM authorisation WHERE urn = '{urn}'"
        )),
        "granted"
    );
    let text = detail_text(&d);
    for shown in [
        "Tactics (2)",
        "Static observation: granted",
        "Following on foot: refused: The street watch is enough for now.",
        "Bus stop to the street only, never inside.",
    ] {
        assert!(text.contains(shown), "{shown:?} not in\n{text}");
    }
}

/// The risk area on the demo: the matrix and the subjects, a subject
/// assessed through the form (intelligence they may see as evidence, one
/// they may not refused as missing), and the supervisor recording the
/// intervention from the queue, after which the subject leaves it.
#[test]
fn a_subject_is_assessed_and_the_supervisor_intervenes_from_the_queue() {
    let mut d = demo_as("supervisor");
    d.keys(&["M"]);
    assert_eq!(d.app.area, ccu::app::Area::Risk);
    snapshot("risk_list", &mut d);
    // SISKIN's special constable waits, at 13 against a benchmark of 12.
    d.keys(&["8"]);
    let waiting = |d: &Driver| {
        d.app
            .list(ccu::app::Area::Queue)
            .rows
            .iter()
            .any(|r| r.key == "risk:SC0712")
    };
    assert!(waiting(&d), "{}", d.screen());
    d.select("risk:SC0712");
    d.keys(&["enter"]);
    assert_eq!(d.app.area, ccu::app::Area::Risk);
    snapshot("risk_record", &mut d);
    let text = detail_text(&d);
    assert!(text.contains("Risk: 13 (benchmark 12)"), "{text}");
    d.keys(&["D"]);
    assert!(d.app.form.is_some(), "{}", d.screen());
    d.keys(&["ctrl-n"]);
    d.keys(&["tab"]);
    d.type_text("Moved off calls to victims while the adviser's report is looked into");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "saved: {}", d.screen());
    assert_eq!(
        d.value("SELECT kind FROM risk_intervention ORDER BY id DESC LIMIT 1"),
        "role-change"
    );
    d.keys(&["8", "r"]);
    assert!(!waiting(&d), "decided: {}", d.screen());

    // A reassessment of the custody sergeant through the form.
    d.keys(&["M"]);
    d.select("NS4127");
    d.keys(&["enter", "e"]);
    snapshot("risk_assess_form", &mut d);
    let before = count(&d.path, "SELECT count(*) FROM risk_assessment");
    let urn = d.value(
        "SELECT i.urn FROM intelligence i JOIN intelligence_subject x ON x.intelligence_id = i.id
         JOIN subject s ON s.id = x.subject_id WHERE s.staff_number = 'NS4127' ORDER BY i.id LIMIT 1",
    );
    d.type_text(&format!("{urn} she was contacted again"));
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "saved: {}", d.screen());
    assert_eq!(
        count(&d.path, "SELECT count(*) FROM risk_assessment"),
        before + 1
    );
    let text = detail_text(&d);
    assert!(text.contains("Risk: 12 → 16 → 5 (benchmark 12)"), "{text}");
    assert!(
        text.contains(&format!("victim-contact +5 [{urn}]")),
        "{text}"
    );
}

/// An investigator who may not see an item is told it does not exist,
/// as for one that does not, and nothing is written.
#[test]
fn evidence_the_assessor_may_not_see_is_refused_as_missing() {
    let mut d = demo_as("investigator");
    let hidden = d.value(
        "SELECT i.urn FROM intelligence i WHERE i.operation_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM operation_member m JOIN user_account u ON u.id = m.user_id
                           WHERE m.operation_id = i.operation_id AND u.username = 'investigator'
                             AND m.removed_at IS NULL)
         ORDER BY i.id LIMIT 1",
    );
    d.keys(&["M"]);
    d.select("matrix");
    d.keys(&["enter", "e"]);
    assert!(d.app.form.is_none(), "only a supervisor changes the matrix");
    assert!(
        d.status_text().contains("Only a supervisor"),
        "{}",
        d.status_text()
    );
    d.keys(&["esc"]);
    let visible = d
        .app
        .list(ccu::app::Area::Risk)
        .rows
        .iter()
        .find(|r| r.key != "matrix")
        .map(|r| r.key.clone())
        .unwrap();
    d.select(&visible);
    d.keys(&["enter", "e"]);
    let before = count(&d.path, "SELECT count(*) FROM risk_assessment");
    d.type_text(&hidden);
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("refused, the form stays");
    let said = format!(
        "{:?} {:?}",
        form.error,
        form.fields.iter().map(|f| &f.error).collect::<Vec<_>>()
    );
    assert!(
        said.contains(&format!(
            "there is no intelligence item '{hidden}' that you may see"
        )),
        "{said}"
    );
    assert_eq!(
        count(&d.path, "SELECT count(*) FROM risk_assessment"),
        before
    );
}

#[test]
fn partners_are_kept_from_the_orgs_tab() {
    let mut d = demo_as("investigator");
    d.keys(&["O"]);
    snapshot("partners_list", &mut d);
    let refuge = d.value("SELECT urn FROM partner WHERE name = 'Easthaven Women''s Refuge'");
    d.select(&refuge);
    d.keys(&["enter"]);
    snapshot("partner_detail", &mut d);
    let before = count(&d.path, "SELECT count(*) FROM partner_engagement");
    d.keys(&["m"]);
    snapshot("form_partner_engagement", &mut d);
    d.keys(&["tab", "tab"]);
    d.type_text("Call with the new safeguarding lead about the referral route");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        count(&d.path, "SELECT count(*) FROM partner_engagement"),
        before + 1
    );
    assert_eq!(
        d.value("SELECT summary FROM partner_engagement ORDER BY id DESC LIMIT 1"),
        "Call with the new safeguarding lead about the referral route"
    );
    // A SPOC replaced from the record: the earlier one stays.
    d.keys(&["e", "tab"]);
    d.type_text("Ifeoma Clarke");
    d.keys(&["tab", "tab"]);
    d.type_text("ifeoma.clarke.at.refuge");
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("refused, not saved");
    let email = form.fields.iter().find(|f| f.id == "email").unwrap();
    assert!(
        email
            .error
            .as_deref()
            .unwrap()
            .contains("is not an email address: it has no @"),
        "{email:?}"
    );
    assert_eq!(count(&d.path, "SELECT count(*) FROM partner_spoc"), 7);
}

#[test]
fn intelligence_from_a_partner_is_linked_from_its_record_and_others_are_refused() {
    let mut d = demo_as("supervisor");
    let item = d.value(
        "SELECT urn FROM intelligence WHERE source_type = 'partner-agency'
           AND id NOT IN (SELECT intelligence_id FROM partner_intelligence)
         ORDER BY received_at DESC LIMIT 1",
    );
    let colleague = d.value(
        "SELECT urn FROM intelligence WHERE source_type = 'colleague'
         ORDER BY received_at DESC LIMIT 1",
    );
    d.keys(&["2"]);
    d.select(&colleague);
    d.keys(&["enter", "o"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert!(
        d.status_text().contains("not a partner agency"),
        "{}",
        d.status_text()
    );
    d.keys(&["esc"]);
    d.select(&item);
    d.keys(&["enter", "o"]);
    snapshot("form_link_partner", &mut d);
    d.type_text("harbour lights project");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(
        d.value(&format!(
            "SELECT p.name FROM partner_intelligence l JOIN partner p ON p.id = l.partner_id
             JOIN intelligence i ON i.id = l.intelligence_id WHERE i.urn = '{item}'"
        )),
        "Harbour Lights Project"
    );
    // The partner's record shows what it produced.
    d.keys(&["O"]);
    let harbour = d.value("SELECT urn FROM partner WHERE name = 'Harbour Lights Project'");
    d.select(&harbour);
    d.keys(&["enter"]);
    assert!(detail_text(&d).contains(&item), "{}", detail_text(&d));
}

/// Tried as a partner's hostile email pasted in: a name with a bidi
/// override and a summary with an escape sequence are shown as
/// placeholders in the list and the record, never sent raw.
#[test]
fn a_partners_hostile_text_is_shown_as_placeholders() {
    use ccu::domain::partner::{Engagement, EngagementKind, NewPartner, PartnerType, Spoc};
    use ccu::store::registers::partners::Command as Partners;
    let mut d = casework_with(|cf, _| {
        let sup = login(cf, "sup", USER_PASSWORD);
        cf.execute(
            &sup,
            Partners::Add {
                partner: NewPartner::new("Refuge \u{202e}desrever", PartnerType::Refuge, "East")
                    .unwrap(),
                spoc: Some(Spoc::new("Dana \u{200b}Hidden", "", "d@refuge.example", "").unwrap()),
                unit_spoc: None,
            }
            .into(),
        )
        .unwrap();
        cf.execute(
            &sup,
            Partners::RecordEngagement {
                partner: ccu::domain::urn::Urn::parse(
                    ccu::domain::urn::UrnKind::Partner,
                    "ORG-2026-0001",
                )
                .unwrap(),
                engagement: Engagement::new(
                    chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                    EngagementKind::Call,
                    "Met \u{1b}[31mred\u{1b}[0m",
                    None,
                )
                .unwrap(),
            }
            .into(),
        )
        .unwrap();
    });
    d.login("sup", USER_PASSWORD);
    d.keys(&["O"]);
    let screen = d.screen();
    assert!(screen.contains("Refuge <U+202E>desre"), "{screen}");
    d.keys(&["enter"]);
    d.send(Msg::Resize(100, 50));
    let screen = d.screen();
    assert!(screen.contains("Met ␛[31mred␛[0m"), "{screen}");
    assert!(screen.contains("Dana <U+200B>Hidden"), "{screen}");
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{202e}'));
}

#[test]
fn a_partner_contact_in_the_diary_opens_the_partner() {
    let mut d = demo_as("supervisor");
    let due = d.app.dashboard.as_ref().unwrap().due.clone();
    let at = due
        .iter()
        .position(|x| x.key.starts_with("ORG-") && x.overdue)
        .unwrap_or_else(|| panic!("an overdue partner contact: {due:?}"));
    d.keys(&["1", "home"]);
    for _ in 0..at {
        d.keys(&["down"]);
    }
    d.keys(&["enter"]);
    assert_eq!(d.app.area, ccu::app::Area::Partners);
    let detail = d.app.detail.as_ref().expect("opened");
    assert_eq!(detail.key, due[at].key);
    assert!(
        detail_text(&d).contains("Harbour Lights Project"),
        "{}",
        detail_text(&d)
    );
}

#[test]
fn the_strategic_threat_assessment_is_listed_in_priority_order_and_reviewed() {
    let mut d = demo_as("supervisor");
    d.keys(&["H"]);
    assert_eq!(d.app.area, ccu::app::Area::Threats);
    snapshot("threats_list", &mut d);
    d.select("THR-001");
    d.keys(&["enter"]);
    snapshot("threat_detail", &mut d);
    d.keys(&["e"]);
    snapshot("form_review_threat", &mut d);
    let versions =
        "SELECT CAST(count(*) AS TEXT) FROM threat_version v JOIN threat t ON t.id = v.threat_id
                    WHERE t.reference = 'THR-001'";
    assert_eq!(d.value(versions), "2");
    // A harm off the scale is refused beside it, and nothing is written.
    for _ in 0..3 {
        d.keys(&["backspace"]);
    }
    d.type_text("9");
    d.app.form.as_mut().unwrap().focus = 6;
    d.type_text("Capacity restored after the surveillance bid closed");
    d.keys(&["ctrl-s"]);
    let form = d.app.form.as_ref().expect("refused");
    let harm = form.fields.iter().find(|f| f.id == "harm").unwrap();
    assert!(
        harm.error.as_deref().unwrap_or("").contains("1 to 5"),
        "{harm:?}"
    );
    assert_eq!(d.value(versions), "2");
    d.app.form.as_mut().unwrap().focus = 0;
    d.keys(&["backspace"]);
    d.type_text("4");
    d.keys(&["ctrl-s"]);
    assert!(d.app.form.is_none(), "{}", d.screen());
    assert_eq!(d.value(versions), "3");
    assert_eq!(d.app.detail.as_ref().unwrap().key, "THR-001");
    assert_eq!(
        d.value(
            "SELECT v.harm || '/' || u.username FROM threat_version v
             JOIN user_account u ON u.id = v.reviewed_by ORDER BY v.id DESC LIMIT 1"
        ),
        "4/supervisor"
    );
}
