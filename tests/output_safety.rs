//! Every output surface is safe to print: with a hostile name tried at
//! login, a hostile CSV file name imported and hostile text in the case
//! file, no file of an export bundle and no CLI output carries a raw
//! escape, other control character or bidirectional override (a byte
//! scan), and the JSON outputs parse back to the exact hostile text.

mod common;

use std::path::{Path, PathBuf};

use ccu::domain::account::{Rank, Username};
use ccu::domain::authorisation::AuthorisationType;
use ccu::domain::covert::{AuthorisationApplication, ThresholdCriteria, ThresholdOutcome};
use ccu::domain::intelligence::Category;
use ccu::domain::operation::{Codename, NewOperation, Priority};
use ccu::domain::urn::{Urn, UrnKind};
use ccu::store::Command;
use chrono::{Duration, Utc};
use common::*;

/// A name that retitles the terminal, rings its bell, clears the screen
/// and then starts a spreadsheet formula.
const HOSTILE_NAME: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J=cmd";

/// Text that would take over a terminal or read differently from what it
/// is: escapes, BEL, DEL, a C1 CSI, bidi overrides and isolates,
/// zero-width characters, line and paragraph separators, and an astral
/// character that must survive untouched.
const HOSTILE_TEXT: &str = "=desc \u{1b}[31mred\u{1b}[0m \u{7}\u{7f}\u{9b}2J \u{202e}gnp.exe\u{202c} zero\u{200b}width\u{feff} \u{2066}iso\u{2069} line\u{2028}para\u{2029} tab\there cr\rlf\n \u{1f600} end";

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

fn env() -> [(&'static str, &'static str); 1] {
    [("CCU_PASSWORD", USER_PASSWORD)]
}

struct Setup {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Setup {
    fn file(&self) -> &str {
        self.path.to_str().unwrap()
    }

    /// Runs `ccu ARGS --file F --as AS` with the users' password.
    fn run(&self, args: &[&str], as_user: &str) -> std::process::Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&["--file", self.file(), "--as", as_user]);
        ccu(&all, &env())
    }
}

/// A case file (with the real clock, as the binary uses) holding a granted
/// authorisation with hostile text, a failed login under a hostile name, and
/// intelligence with hostile text imported from a file with a hostile name.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile_with(dir.path(), ccu::store::system_clock());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    for (name, roles, rank) in [
        ("inv", "investigator", Rank::Constable),
        ("sup", "supervisor", Rank::Sergeant),
        ("supt", "authorising-officer", Rank::Superintendent),
        ("aud", "auditor", Rank::PoliceStaff),
    ] {
        add_user_ranked(&mut cf, &admin, name, roles, rank);
    }
    let [inv, sup, supt] = ["inv", "sup", "supt"].map(|n| login(&mut cf, n, USER_PASSWORD));
    let kestrel = Codename::parse("KESTREL").unwrap();
    cf.execute(
        &inv,
        Command::OpenOperation(
            NewOperation::new(
                kestrel.clone(),
                HOSTILE_TEXT,
                Category::AbuseOfAuthority,
                Priority::P1,
                user("inv"),
                user("sup"),
                vec![],
                vec![],
            )
            .unwrap(),
        ),
    )
    .unwrap();
    let today = ccu::domain::time::uk_date(Utc::now());
    let criteria = ThresholdCriteria::new(
        HOSTILE_TEXT,
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        today + Duration::days(30),
    )
    .unwrap();
    cf.execute(
        &inv,
        Command::ProposeThreshold {
            codename: kestrel.clone(),
            criteria,
        },
    )
    .unwrap();
    cf.execute(
        &sup,
        Command::DecideThreshold {
            codename: kestrel.clone(),
            outcome: ThresholdOutcome::Met,
            rationale: why(HOSTILE_TEXT),
        },
    )
    .unwrap();
    cf.execute(
        &inv,
        Command::ApplyForAuthorisation(
            AuthorisationApplication::new(
                kestrel.clone(),
                user("supt"),
                AuthorisationType::DirectedSurveillance,
                false,
                "",
                HOSTILE_TEXT,
                vec![],
                "n",
                "p",
                "c",
                ccu::domain::covert::ConfidentialMaterial::new(
                    false,
                    "Unlikely because public places only, away from any lawyer",
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
            .unwrap(),
        ),
    )
    .unwrap();
    cf.execute(
        &supt,
        Command::GrantAuthorisation {
            urn: Urn::parse(
                UrnKind::Authorisation,
                &format!("AUTH-{}-0001", ccu::domain::time::uk_year(Utc::now())),
            )
            .unwrap(),
            review_every_days: 14,
            rationale: why(HOSTILE_TEXT),
            involvement: None,
            tactics: vec![(
                ccu::domain::tactic::Tactic::StaticObservation,
                ccu::domain::tactic::TacticDecision::Granted,
            )],
        },
    )
    .unwrap();
    drop(cf);
    let setup = Setup { dir, path };

    // A failed login under a hostile name, through the real binary.
    let out = ccu(
        &["due", "--file", setup.file(), "--as", HOSTILE_NAME],
        &[("CCU_PASSWORD", "x")],
    );
    assert_ne!(out.status.code(), Some(0));
    assert_clean("failed login stdout", &out.stdout, false);
    assert_clean("failed login stderr", &out.stderr, false);

    // Intelligence with hostile text, from a file with a hostile name.
    let csv = setup.dir.path().join(format!(
        "alerts{}.csv",
        "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}"
    ));
    let summary = "=Summary of an alert";
    std::fs::write(
        &csv,
        format!(
            "{IMPORT_HEADER}ICT-1,23/11/2026 08:15,ict-monitoring,2BP,,misusing-systems,no,,\"{summary}\",\"{}\"\n",
            HOSTILE_TEXT.replace('"', "\"\"")
        ),
    )
    .unwrap();
    let out = setup.run(&["import", "intel", csv.to_str().unwrap()], "inv");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_clean("import stdout", &out.stdout, false);
    assert_clean("import stderr", &out.stderr, false);
    setup
}

/// Fails if `bytes` holds a raw ESC, BEL or other C0 control except line
/// feed (and carriage return, when `crlf`, only right before a line feed),
/// DEL, a C1 control, or any bidirectional, zero-width or separator
/// character that [`ccu::sanitise::is_hidden_or_control`] names.
fn assert_clean(what: &str, bytes: &[u8], crlf: bool) {
    assert!(!bytes.contains(&0x1b), "{what}: a raw ESC");
    assert!(!bytes.contains(&0x07), "{what}: a raw BEL");
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{what}: not UTF-8"));
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let allowed = c == '\n' || (crlf && c == '\r' && chars.get(i + 1) == Some(&'\n'));
        assert!(
            allowed || !ccu::sanitise::is_hidden_or_control(c),
            "{what}: raw U+{:04X} at char {i} in {text:?}",
            c as u32
        );
    }
    assert!(!text.contains('\u{202e}'), "{what}: a raw U+202E");
}

fn assert_ok(what: &str, out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(out));
    assert_clean(&format!("{what} stdout"), &out.stdout, false);
    assert_clean(&format!("{what} stderr"), &out.stderr, false);
}

/// Every string anywhere in a JSON value.
fn strings(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => into.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, into)),
        serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, into)),
        _ => {}
    }
}

#[test]
fn every_export_file_is_safe_to_cat_and_still_verifies() {
    let s = setup();
    let pubkey = s.run(&["audit", "pubkey"], "aud");
    assert_ok("audit pubkey", &pubkey);
    let pubkey = stdout(&pubkey).lines().next().unwrap().to_owned();
    for (name, who) in [("by-sup", "sup"), ("by-aud", "aud")] {
        let out_dir = s.dir.path().join(name);
        let out = s.run(
            &["audit", "export", "--out", out_dir.to_str().unwrap()],
            who,
        );
        assert_ok("audit export", &out);
        let files = files_in(&out_dir);
        assert!(files.contains(&"audit.csv".to_owned()), "{files:?}");
        for file in &files {
            let bytes = std::fs::read(out_dir.join(file)).unwrap();
            assert_clean(&format!("{name}/{file}"), &bytes, file.ends_with(".csv"));
        }
        // The hostile name and file name reached the trail, as typed.
        let entries = std::fs::read_to_string(out_dir.join("entries.jsonl")).unwrap();
        let mut all = Vec::new();
        for line in entries.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            strings(&v, &mut all);
        }
        assert!(
            all.iter().any(|s| s.contains(HOSTILE_NAME)),
            "the failed login's name is kept as typed"
        );
        assert!(
            all.iter().any(|s| s.contains("\u{202e}")),
            "the hostile text is kept as typed"
        );
        // audit.csv stays RFC 4180: every record ends CRLF, and a reader
        // sees as many records as there are entries (plus the header).
        let csv_bytes = std::fs::read(out_dir.join("audit.csv")).unwrap();
        assert!(csv_bytes.ends_with(b"\r\n"));
        let records = csv::Reader::from_reader(csv_bytes.as_slice())
            .records()
            .map(Result::unwrap)
            .count();
        assert_eq!(records, entries.lines().count());
        let crlfs = csv_bytes.windows(2).filter(|w| w == b"\r\n").count();
        assert_eq!(crlfs, records + 1, "a CR or LF inside a cell");
        // And the bundle still verifies.
        let out = ccu(
            &[
                "audit",
                "verify",
                out_dir.to_str().unwrap(),
                "--pubkey",
                &pubkey,
            ],
            &[],
        );
        assert_ok("audit verify", &out);
    }
}

#[test]
fn every_cli_output_is_safe_to_print() {
    let s = setup();
    for (what, args, who) in [
        ("due", vec!["due", "--within", "120"], "sup"),
        (
            "due --json",
            vec!["due", "--within", "120", "--json"],
            "sup",
        ),
        (
            "central record",
            vec!["authorisations", "--central-record"],
            "sup",
        ),
        (
            "central record --json",
            vec!["authorisations", "--central-record", "--json"],
            "sup",
        ),
        ("user list", vec!["user", "list"], ADMIN),
        ("check", vec!["check"], ADMIN),
    ] {
        let out = if who == ADMIN {
            let mut all = args.clone();
            all.extend_from_slice(&["--file", s.file(), "--as", ADMIN]);
            ccu(&all, &[("CCU_PASSWORD", ADMIN_PASSWORD)])
        } else {
            s.run(&args, who)
        };
        assert_ok(what, &out);
    }
    let out = s.run(&["authorisations", "--central-record", "--csv"], "sup");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_clean("central record --csv", &out.stdout, true);
    assert_clean("central record --csv stderr", &out.stderr, false);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let description = &rows[0][header.iter().position(|h| h == "description").unwrap()];
    assert!(description.starts_with("'=desc "), "{description:?}");
    assert!(description.contains("\u{1f600}"), "{description:?}");
}

#[test]
fn json_outputs_round_trip_hostile_text_unchanged() {
    let s = setup();
    let out = s.run(&["authorisations", "--central-record", "--json"], "sup");
    assert_ok("central record --json", &out);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc[0]["description"], HOSTILE_TEXT);
    let text = stdout(&out);
    assert!(text.contains("\\u001b[31m"), "{text}");
    assert!(text.contains("\\u202e"), "{text}");
    assert!(!text.contains("<U+"), "{text}");
    assert!(!text.contains('\u{241b}'), "{text}");

    let out = s.run(&["due", "--within", "120", "--json"], "sup");
    assert_ok("due --json", &out);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["user"], "sup");
    assert!(!stdout(&out).contains("<U+"));
}

#[test]
fn the_failed_login_name_is_stored_as_typed() {
    let s = setup();
    let rows = audit_rows(Path::new(s.file()));
    assert!(
        rows.iter().any(
            |(_, actor, _, entity, _, details)| actor.contains(HOSTILE_NAME)
                || entity.contains(HOSTILE_NAME)
                || details.contains("\\u001b]0;pwned")
        ),
        "{rows:?}"
    );
}
