//! Inputs that once made `ccu` panic, files left half made, writes that
//! locked others out, and a write-ahead log from elsewhere: each through
//! the real binary on a real case file.

mod common;

use common::*;

const HEAD_ENV: (&str, &str) = ("CCU_PASSWORD", HEAD_PASSWORD);

/// Exit code 101 is Rust's panic; a refusal is a message and a code of
/// ccu's own.
fn refused(out: &std::process::Output, says: &str) {
    assert_ne!(out.status.code(), Some(101), "panicked: {}", stderr(out));
    assert!(!out.status.success(), "accepted: {}", stdout(out));
    let text = stderr(out);
    assert!(text.contains(says), "{text}");
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn numbers_and_dates_past_the_calendar_are_refused_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unit.ccu");
    let file = file.to_str().unwrap();
    init_cli(file);
    let out_dir = dir.path().join("bundle");
    let out_dir = out_dir.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--file", file];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--as", HEAD]);
        ccu(&all, &[HEAD_ENV])
    };
    refused(
        &run(&["due", "--within", "100000000"]),
        "100000000 is not in 0..=3660",
    );
    refused(
        &run(&["audit", "export", "--out", out_dir, "--to", "+262142-12-31"]),
        "'+262142-12-31' is outside the years ccu records (1900 to 2200)",
    );
    refused(
        &run(&[
            "audit",
            "export",
            "--out",
            out_dir,
            "--from",
            "01/01/-262143",
        ]),
        "'01/01/-262143' is outside the years ccu records (1900 to 2200)",
    );
    assert!(!std::path::Path::new(out_dir).exists(), "no bundle begun");
    // The edge of the range is a diary.
    let out = run(&["due", "--within", "3660"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
