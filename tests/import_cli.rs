//! `ccu import intel` with the real binary: the whole file is checked first,
//! bad rows are listed by line and column, nothing is imported twice, and
//! malformed files get a clear error rather than a panic.

mod common;

use std::path::Path;

use ccu::store::Command;
use common::*;

/// A case file with an investigator `inv` and one subject, 1234.
fn setup(dir: &Path) -> std::path::PathBuf {
    let (mut cf, path) = new_casefile(dir);
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "inv", "investigator");
    let inv = login(&mut cf, "inv", USER_PASSWORD);
    let subject = serving_pc("1234", "PC Alex Hart", "Response");
    cf.execute(&inv, Command::AddSubject(subject)).unwrap();
    path
}

fn items(path: &Path) -> i64 {
    count(path, "SELECT count(*) FROM intelligence")
}

fn good_rows() -> String {
    format!(
        "{IMPORT_HEADER}ICT-1,23/11/2026 08:15,ict-monitoring,2BP,,misusing-systems,no,1234,PNC check on ex-partner,\"Searched PNC for a\nnamed woman, no policing purpose\"\n\
         ICT-2,23/11/2026 08:20,ict-monitoring,2BC,PSD only,abuse-of-authority,yes,1234;9999,Repeated searches on a victim,\n"
    )
}

#[test]
fn a_good_file_is_imported_once_and_unknown_staff_numbers_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cf = setup(dir.path());
    let csv = dir.path().join("alerts.csv");
    std::fs::write(&csv, good_rows()).unwrap();

    let out = import_intel(&cf, &csv, "inv", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Imported 2 items from"), "{text}");
    assert!(text.contains("INT-2026-00001 to INT-2026-00002"), "{text}");
    assert!(
        text.contains("Staff number 9999 (row ICT-2) matches no subject: the item was imported without that link."),
        "{text}"
    );
    assert_eq!(items(&cf), 2);
    assert_eq!(count(&cf, "SELECT count(*) FROM intelligence_subject"), 2);
    let full: String = raw_conn(&cf)
        .query_row(
            "SELECT full_text FROM intelligence WHERE source_reference = 'ICT-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(full, "Searched PNC for a\nnamed woman, no policing purpose");

    // The same file again adds nothing.
    let out = import_intel(&cf, &csv, "inv", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 rows were imported before"),
        "{}",
        stdout(&out)
    );
    assert_eq!(items(&cf), 2);

    let actions: Vec<String> = audit_rows(&cf)
        .into_iter()
        .map(|r| r.2)
        .filter(|a| a.starts_with("intelligence."))
        .collect();
    assert_eq!(
        actions,
        [
            "intelligence.record",
            "intelligence.record",
            "intelligence.import",
            "intelligence.import"
        ]
    );
}

#[test]
fn one_bad_row_means_nothing_is_imported_and_every_bad_row_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let cf = setup(dir.path());
    let events = audit_rows(&cf).len();
    let csv = dir.path().join("alerts.csv");
    std::fs::write(
        &csv,
        format!(
            "{}ICT-3,31/02/2026 08:20,ict-monitoring,9ZP,,gossip,no,,x,\nICT-1,23/11/2026 09:00,colleague,1AP,,drugs,yes,,dup,\n",
            good_rows()
        ),
    )
    .unwrap();
    let out = import_intel(&cf, &csv, "inv", &[]);
    assert_eq!(out.status.code(), Some(5));
    let err = stderr(&out);
    assert!(
        err.contains("2 of 4 rows are invalid, so nothing was imported"),
        "{err}"
    );
    for expected in [
        "line 5, column received_at: '31/02/2026 08:20' is not a date and time",
        "line 5, column grading: '9ZP' is not a grade",
        "line 5, column category: 'gossip' is not one of",
        "line 6, column source_reference:",
        "line 6, column apsp:",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert_eq!(items(&cf), 0);
    assert_eq!(
        audit_rows(&cf).len(),
        events,
        "nothing written, not even a login"
    );

    let out = import_intel(&cf, &csv, "inv", &["--skip-invalid"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Imported 2 items"), "{text}");
    assert!(text.contains("2 invalid rows were not imported:"), "{text}");
    assert!(text.contains("line 5, column grading"), "{text}");
    assert_eq!(items(&cf), 2);
}

#[test]
fn malformed_files_get_a_clear_error_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cf = setup(dir.path());
    let events = audit_rows(&cf).len();
    let huge = format!(
        "{IMPORT_HEADER}ICT-9,23/11/2026 08:15,other,2BP,,other,no,,big,{}\n",
        "x".repeat(ccu::import::MAX_FIELD_CHARS + 1)
    );
    let mut not_utf8 = good_rows().into_bytes();
    not_utf8.extend_from_slice(b"ICT-4,23/11/2026 08:15,other,2BP,,other,no,,caf\xe9,\n");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "the file is empty"),
        ("latin1.csv", not_utf8, "line 5 is not UTF-8"),
        (
            "quote.csv",
            format!("{IMPORT_HEADER}ICT-5,23/11/2026 08:15,other,2BP,,other,no,,\"never closed,\n")
                .into_bytes(),
            "quote",
        ),
        (
            "fields.csv",
            format!("{IMPORT_HEADER}ICT-6,23/11/2026 08:15,other\n").into_bytes(),
            "line 2",
        ),
        (
            "columns.csv",
            b"reference,when\nA,B\n".to_vec(),
            "source_reference",
        ),
        ("huge.csv", huge.into_bytes(), "100000"),
    ];
    for (name, bytes, expected) in cases {
        let csv = dir.path().join(name);
        std::fs::write(&csv, bytes).unwrap();
        let out = import_intel(&cf, &csv, "inv", &[]);
        assert_eq!(out.status.code(), Some(5), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("ccu: error: {}", csv.display())),
            "{name}: {err}"
        );
        assert!(
            err.contains(expected),
            "{name}: expected {expected:?} in {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    assert_eq!(items(&cf), 0);
    assert_eq!(audit_rows(&cf).len(), events);

    let out = import_intel(&cf, &dir.path().join("missing.csv"), "inv", &[]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("cannot read the file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn hostile_text_in_a_file_reaches_the_terminal_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let cf = setup(dir.path());
    let csv = dir.path().join("hostile.csv");
    std::fs::write(
        &csv,
        format!("{IMPORT_HEADER}ICT-7,23/11/2026 08:15,other,2BP,,\"\x1b[2Jwipe\",no,\"12\x1b]0;pwned\x07\",s,\n"),
    )
    .unwrap();
    let out = import_intel(&cf, &csv, "inv", &[]);
    assert_eq!(out.status.code(), Some(5));
    let err = stderr(&out);
    assert!(err.contains("\u{241b}[2Jwipe"), "{err}");
    assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
}
