//! `ccu settings` through the real binary on the demo case file: the
//! supervisor shows and sets the referral deadline and the status drift
//! threshold, each change an audited event; anyone else is refused and the
//! setting stands; a value out of range is refused before anything is
//! read or written.

mod common;

use std::path::{Path, PathBuf};

use ccu::demo::{DEMO_PASSWORD, create_demo};
use chrono::Utc;
use common::*;

fn demo_file(dir: &Path) -> PathBuf {
    let path = dir.join("demo.ccu");
    drop(create_demo(&path, Utc::now()).unwrap());
    path
}

fn settings(file: &Path, args: &[&str], who: &str) -> std::process::Output {
    let mut all = vec!["settings"];
    all.extend_from_slice(args);
    all.extend(["--file", file.to_str().unwrap(), "--as", who]);
    ccu(&all, &[("CCU_PASSWORD", DEMO_PASSWORD)])
}

fn shown(file: &Path) -> String {
    let out = settings(file, &["show"], "investigator");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn the_supervisor_sets_the_status_drift_threshold_and_others_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo_file(dir.path());
    let before = shown(&file);
    assert!(
        before.contains("a warning when 3 items from one named person fall within 90 days"),
        "{before}"
    );

    // Tried as an insider: the investigator may not set it.
    let seen_before = seen(&file);
    let out = settings(
        &file,
        &["status-drift", "--count", "9", "--days", "30"],
        "investigator",
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("status drift threshold"),
        "{}",
        stderr(&out)
    );
    assert!(
        since(&file, seen_before).contains(&ev(
            "investigator",
            "setting.status-drift",
            "setting",
            "drift",
            "denied"
        )),
        "{:?}",
        since(&file, seen_before)
    );
    assert_eq!(shown(&file), before);

    // Out of range: said, and nothing read or written.
    let seen_before = seen(&file);
    for (count, days, says) in [("1", "30", "count"), ("3", "731", "days")] {
        let out = settings(
            &file,
            &["status-drift", "--count", count, "--days", days],
            "supervisor",
        );
        assert_ne!(out.status.code(), Some(0), "{count} {days}");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    assert_eq!(seen(&file), seen_before, "nothing was logged");

    let out = settings(
        &file,
        &["status-drift", "--count", "4", "--days", "60"],
        "supervisor",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Set."), "{}", stdout(&out));
    assert!(since(&file, seen_before).contains(&ev(
        "supervisor",
        "setting.status-drift",
        "setting",
        "drift",
        "ok"
    )));
    assert!(
        shown(&file).contains("a warning when 4 items from one named person fall within 60 days"),
        "{}",
        shown(&file)
    );
}

#[test]
fn the_supervisor_sets_the_referral_deadline_within_its_range() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo_file(dir.path());
    assert!(
        shown(&file).contains("Referral deadline: 1 UK day after"),
        "{}",
        shown(&file)
    );

    let seen_before = seen(&file);
    let out = settings(&file, &["referral-deadline", "--days", "31"], "supervisor");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("0..=30"), "{}", stderr(&out));
    assert_eq!(seen(&file), seen_before, "nothing was logged");

    let out = settings(&file, &["referral-deadline", "--days", "2"], "investigator");
    assert_ne!(out.status.code(), Some(0));
    assert!(shown(&file).contains("Referral deadline: 1 UK day after"));

    let out = settings(&file, &["referral-deadline", "--days", "2"], "supervisor");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        shown(&file).contains("Referral deadline: 2 UK days after"),
        "{}",
        shown(&file)
    );
}
