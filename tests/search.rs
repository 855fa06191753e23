//! Search covers every kind of casework record: bids, covert
//! authorisations, IOPC referrals and lessons learned as well as
//! intelligence, operations, subjects and decision logs, each behind the
//! need-to-know its list applies, and case files from before it upgrade.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ccu::demo::{DEMO_PASSWORD, create_demo};
use ccu::store::{CaseFile, CheckReport, Credentials, SearchKind};
use chrono::TimeZone;
use common::*;

fn demo() -> &'static Path {
    static BUILT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.ccu");
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 23, 9, 30, 0)
            .unwrap();
        drop(create_demo(&path, now).unwrap());
        (dir, path)
    });
    path
}

/// Runs `ccu check`'s checks on the demo file at `path`.
fn check(path: &Path) -> CheckReport {
    CaseFile::locate(path)
        .unwrap()
        .unlock_for_check(Credentials {
            username: "admin",
            password: DEMO_PASSWORD,
        })
        .unwrap()
        .check()
        .unwrap()
}

fn copy_of_demo(dir: &Path) -> PathBuf {
    let path = dir.join("case.ccu");
    std::fs::copy(demo(), &path).unwrap();
    std::fs::copy(
        ccu::store::keyring_path(demo()),
        ccu::store::keyring_path(&path),
    )
    .unwrap();
    path
}

/// What `user` finds for `query`, as (kind, reference).
fn found(cf: &mut CaseFile, user: &str, query: &str) -> Vec<(SearchKind, String)> {
    let actor = login(cf, user, DEMO_PASSWORD);
    cf.search(&actor, query, 50)
        .unwrap()
        .into_iter()
        .map(|h| (h.kind, h.reference))
        .collect()
}

fn has(hits: &[(SearchKind, String)], kind: SearchKind, reference: &str) -> bool {
    hits.iter().any(|(k, r)| *k == kind && r == reference)
}

#[test]
fn bids_authorisations_referrals_and_lessons_are_found_by_what_users_quote() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let (mut cf, _) = open(&path, "supervisor", DEMO_PASSWORD);
    let mut search = |query: &str| found(&mut cf, "supervisor", query);

    // References, as written on every form and letter.
    assert_eq!(
        search("BID-2026-0008"),
        [(SearchKind::Bid, "BID-2026-0008".to_owned())]
    );
    assert_eq!(
        search("AUTH-2026-0004"),
        [(SearchKind::Authorisation, "AUTH-2026-0004".to_owned())]
    );
    assert_eq!(
        search("REF-2026-0003"),
        [(SearchKind::Referral, "REF-2026-0003".to_owned())]
    );
    // The force's reference, and the IOPC's, recorded when it decided.
    assert_eq!(
        search("PSD/2026/SISKIN-1"),
        [(SearchKind::Referral, "REF-2026-0003".to_owned())]
    );
    assert_eq!(
        search("IOPC-2026-NS-0417"),
        [(SearchKind::Referral, "REF-2026-0002".to_owned())]
    );
    // A bid by the resource its lines ask for and what they say.
    let capture = search("\"ICT-monitoring capture\"");
    assert!(
        has(&capture, SearchKind::Bid, "BID-2026-0007"),
        "{capture:?}"
    );
    assert!(
        has(
            &search("\"Capture of her sessions on shifts\""),
            SearchKind::Bid,
            "BID-2026-0007"
        ),
        "a line's justification"
    );
    // An authorisation by its kind and its grounds.
    let grounds = search("chis \"supply group\"");
    assert_eq!(
        grounds,
        [(SearchKind::Authorisation, "AUTH-2026-0004".to_owned())]
    );
    // A lesson by its text, the department it went to, and the response.
    let lesson = search("\"Fleet services\"");
    assert!(has(&lesson, SearchKind::Lesson, "CORMORANT"), "{lesson:?}");
    let response = search("\"monthly reconciliation\"");
    assert!(
        has(&response, SearchKind::Lesson, "CORMORANT"),
        "{response:?}"
    );
    // The codename finds the operation and what hangs off it.
    let all = search("BITTERN");
    for (kind, reference) in [
        (SearchKind::Operation, "BITTERN"),
        (SearchKind::Bid, "BID-2026-0003"),
        (SearchKind::Authorisation, "AUTH-2026-0004"),
    ] {
        assert!(has(&all, kind, reference), "{kind:?} {reference}: {all:?}");
    }
}

/// An investigator not on BITTERN or DUNLIN finds none of their bids,
/// authorisations, referrals or lessons, by reference or by what they say;
/// the researcher on their team finds each.
#[test]
fn an_insider_off_the_operation_finds_nothing_of_its_covert_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let (mut cf, _) = open(&path, "supervisor", DEMO_PASSWORD);
    for (query, kind, reference) in [
        (
            "AUTH-2026-0004",
            SearchKind::Authorisation,
            "AUTH-2026-0004",
        ),
        (
            "\"source already close to the supply group\"",
            SearchKind::Authorisation,
            "AUTH-2026-0004",
        ),
        ("BID-2026-0003", SearchKind::Bid, "BID-2026-0003"),
        (
            "\"Observation at the address and two pubs\"",
            SearchKind::Bid,
            "BID-2026-0003",
        ),
        ("REF-2026-0001", SearchKind::Referral, "REF-2026-0001"),
        (
            "\"witness statement retyped\"",
            SearchKind::Referral,
            "REF-2026-0001",
        ),
        (
            "\"Amended statements were not checked\"",
            SearchKind::Lesson,
            "DUNLIN",
        ),
    ] {
        let theirs = found(&mut cf, "researcher", query);
        assert!(has(&theirs, kind, reference), "{query}: {theirs:?}");
        let outsider = found(&mut cf, "investigator", query);
        assert_eq!(outsider, [], "{query}");
    }
}

/// The first schema version whose search index holds bids.
fn version_searching_bids() -> u32 {
    (1..=ccu::store::LATEST_VERSION)
        .find(|v| {
            let mut conn = rusqlite::Connection::open_in_memory().unwrap();
            ccu::store::migrations()
                .to_version(&mut conn, *v as usize)
                .unwrap();
            conn.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'bid_indexed'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
                == 1
        })
        .expect("a version indexes bids")
}

fn entries(path: &Path) -> Vec<(i64, String, i64, String, String)> {
    raw_conn(path)
        .prepare("SELECT rowid, kind, item_id, title, body FROM search_index ORDER BY rowid")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A case file from before: its index held only the four older kinds, at
/// `item_id * 4 + kind`. Opened, it is upgraded to exactly the index the
/// triggers make as records are written, and the check passes.
#[test]
fn a_case_file_from_before_gets_every_kind_into_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_of_demo(dir.path());
    let made = entries(&path);
    assert!(made.iter().any(|e| e.1 == "lesson"));
    let before = version_searching_bids() - 1;
    sqlcipher(
        &path,
        &format!(
            "{}
             DELETE FROM search_index WHERE kind NOT IN ('intelligence', 'operation', 'subject', 'decision');
             UPDATE search_index SET rowid = -rowid;
             UPDATE search_index SET rowid = item_id * 4 + CASE kind WHEN 'intelligence' THEN 0
                 WHEN 'operation' THEN 1 WHEN 'subject' THEN 2 ELSE 3 END;",
            back_to_schema(&path, before)
        ),
    );
    assert_eq!(
        count(
            &path,
            "SELECT count(*) FROM search_index WHERE search_index MATCH '\"AUTH-2026-0004\"'"
        ),
        0
    );
    let (mut cf, _) = open(&path, "supervisor", DEMO_PASSWORD);
    assert_eq!(
        found(&mut cf, "supervisor", "AUTH-2026-0004"),
        [(SearchKind::Authorisation, "AUTH-2026-0004".to_owned())]
    );
    drop(cf);
    assert_eq!(entries(&path), made);
    // Going back dropped the tables later migrations made, with their
    // rows, which the row ledger then misses; nothing else may be found.
    match check(&path) {
        CheckReport::Verified { .. } => {}
        CheckReport::Altered { findings, .. } => {
            let old = tables_at(before);
            for finding in &findings {
                let table = finding.split_whitespace().next().unwrap();
                assert!(!old.contains(table), "{finding}");
            }
        }
        other => panic!("{other:?}"),
    }
}

/// Each new kind's entry follows its record as it changes: a bid's lines,
/// a referral's IOPC reference, a lesson's departments and responses. The
/// demo wrote all of those through the triggers; what they left is what
/// the check recomputes from the records.
#[test]
fn the_triggers_make_what_the_check_recomputes() {
    let report = check(demo());
    assert!(matches!(report, CheckReport::Verified { .. }), "{report:?}");
    let kinds = count(
        demo(),
        "SELECT count(DISTINCT kind) FROM search_index
         WHERE kind IN ('bid', 'authorisation', 'referral', 'lesson')",
    );
    assert_eq!(kinds, 4);
}
