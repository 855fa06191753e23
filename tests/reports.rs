//! `ccu report` through the real binary on the demo case file: every kind
//! the binary offers is documented in docs/reports.md, prints exactly the
//! JSON fields documented there and a CSV whose every line has its header's
//! columns, and every read is a consultation in the audit trail.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ccu::demo::{DEMO_PASSWORD, create_demo};
use chrono::Utc;
use common::*;

const READER: &str = "supervisor";

struct Built {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.ccu");
        drop(create_demo(&path, Utc::now()).unwrap());
        Built { _dir: dir, path }
    })
}

/// A copy of the demo file, with its keyring, for a test of its own.
fn copy(dir: &Path) -> PathBuf {
    let path = dir.join("demo.ccu");
    std::fs::copy(&built().path, &path).unwrap();
    std::fs::copy(
        ccu::store::keyring_path(&built().path),
        ccu::store::keyring_path(&path),
    )
    .unwrap();
    path
}

fn report(file: &Path, kind: &str, format: &str, who: &str) -> std::process::Output {
    ccu(
        &[
            "report",
            kind,
            format,
            "--file",
            file.to_str().unwrap(),
            "--as",
            who,
        ],
        &[("CCU_PASSWORD", DEMO_PASSWORD)],
    )
}

/// The kinds `ccu report --help` lists.
fn kinds() -> Vec<String> {
    let out = ccu(&["report", "--help"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let help = stdout(&out);
    let commands = help
        .split("Commands:")
        .nth(1)
        .expect("report --help lists its commands");
    let kinds: Vec<String> = commands
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|k| *k != "help")
        .map(str::to_owned)
        .collect();
    assert!(!kinds.is_empty(), "{help}");
    kinds
}

/// The section of docs/reports.md on one kind.
fn section(kind: &str) -> String {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reports.md")).unwrap();
    let heading = format!("## `ccu report {kind}`\n");
    let start = docs
        .find(&heading)
        .unwrap_or_else(|| panic!("docs/reports.md has no section '{}'", heading.trim()));
    let rest = &docs[start + heading.len()..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_owned()
}

/// The `rows[]...` field paths a section's tables document.
fn documented(kind: &str) -> BTreeSet<String> {
    section(kind)
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .filter(|p| p.starts_with("rows[]."))
        .map(str::to_owned)
        .collect()
}

/// Every field path in a JSON value, `prefix.name` for objects and
/// `prefix[]` for the elements of arrays.
fn paths(value: &serde_json::Value, prefix: &str, into: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, v) in map {
                let path = format!("{prefix}.{name}");
                into.insert(path.clone());
                paths(v, &path, into);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), into);
            }
        }
        _ => {}
    }
}

#[test]
fn every_report_prints_exactly_the_fields_its_documentation_names() {
    let dir = tempfile::tempdir().unwrap();
    let file = copy(dir.path());
    for kind in kinds() {
        let out = report(&file, &kind, "--json", READER);
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let top: BTreeSet<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            top,
            BTreeSet::from(["generated_at", "report", "rows", "user"]),
            "{kind}"
        );
        assert_eq!(doc["report"], kind.as_str());
        assert_eq!(doc["user"], READER);
        let rows = doc["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "the demo has rows for the {kind} report");
        let mut printed = BTreeSet::new();
        paths(&doc["rows"], "rows", &mut printed);
        assert_eq!(
            printed,
            documented(&kind),
            "{kind}: the fields printed (left) and documented (right) differ"
        );
    }
}

#[test]
fn every_report_as_csv_has_its_header_on_every_line_and_no_live_formula() {
    let dir = tempfile::tempdir().unwrap();
    let file = copy(dir.path());
    for kind in kinds() {
        let out = report(&file, &kind, "--csv", READER);
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.ends_with("\r\n"), "{kind}: CRLF line ends");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let columns: Vec<&str> = header.iter().collect();
        // The section names its CSV columns, in order.
        let named = section(&kind);
        let listed = named
            .split("CSV columns:")
            .nth(1)
            .unwrap_or_else(|| panic!("{kind}: docs/reports.md lists no CSV columns"));
        let mut at = 0;
        for column in &columns {
            let quoted = format!("`{column}`");
            let found = listed[at..]
                .find(&quoted)
                .unwrap_or_else(|| panic!("{kind}: column {column} not documented in order"));
            at += found + quoted.len();
        }
        let mut lines = 0;
        for record in reader.records() {
            let record = record.unwrap();
            assert_eq!(record.len(), columns.len(), "{kind}: {record:?}");
            for cell in record.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "{kind}: a live formula cell {cell:?}"
                );
                assert!(!cell.chars().any(char::is_control), "{kind}: {cell:?}");
            }
            lines += 1;
        }
        assert!(lines > 0, "{kind}: the demo has rows");
    }
}

#[test]
fn every_read_of_a_report_is_a_consultation_in_the_trail() {
    let dir = tempfile::tempdir().unwrap();
    let file = copy(dir.path());
    for kind in kinds() {
        let before = seen(&file);
        let out = report(&file, &kind, "--json", "investigator");
        assert_eq!(out.status.code(), Some(0), "{kind}: {}", stderr(&out));
        let events = since(&file, before);
        assert!(
            events.contains(&ev("investigator", "view", "report", &kind, "ok")),
            "{kind}: {events:?}"
        );

        // The administrator reads no case content: refused, nothing
        // printed, and the refusal is in the trail.
        let before = seen(&file);
        let out = report(&file, &kind, "--csv", "admin");
        assert_ne!(out.status.code(), Some(0), "{kind}");
        assert!(stdout(&out).is_empty(), "{kind}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("not permitted") || stderr(&out).contains("may not"),
            "{kind}: {}",
            stderr(&out)
        );
        let events = since(&file, before);
        assert!(
            events.contains(&ev("admin", "view", "report", &kind, "denied")),
            "{kind}: {events:?}"
        );
    }
}

#[test]
fn a_report_needs_exactly_one_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = copy(dir.path());
    let before = seen(&file);
    for args in [
        vec!["report", "lessons", "--as", READER],
        vec!["report", "lessons", "--json", "--csv", "--as", READER],
    ] {
        let mut args = args;
        args.extend(["--file", file.to_str().unwrap()]);
        let out = ccu(&args, &[("CCU_PASSWORD", DEMO_PASSWORD)]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--json"), "{}", stderr(&out));
    }
    assert_eq!(seen(&file), before, "nothing was read or logged");
}
