//! Lookups that must not grow with the whole file, checked by their query
//! plans and by what they leave behind (timings are for the benchmarks).

mod common;

use ccu::domain::subject::SubjectDetails;
use ccu::store::{CheckReport, Command};
use common::*;

fn subject(name: &str) -> SubjectDetails {
    serving_pc("K100", name, "Response")
}

fn plan(conn: &rusqlite::Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.join("; ")
}

#[test]
fn a_subject_updated_is_reindexed_by_rowid_and_the_check_knows_the_rowids() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cf, path) = new_casefile(dir.path());
    let admin = login(&mut cf, ADMIN, ADMIN_PASSWORD);
    add_user(&mut cf, &admin, "sup", "supervisor");
    let sup = login(&mut cf, "sup", USER_PASSWORD);
    cf.execute(&sup, Command::AddSubject(subject("Alder Brook")))
        .unwrap();
    cf.execute(&sup, Command::UpdateSubject(subject("Birch Cole")))
        .unwrap();
    cf.execute(&sup, Command::UpdateSubject(subject("Cedar Dunn")))
        .unwrap();
    let hits = cf.search(&sup, "Cedar", 10).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(cf.search(&sup, "Birch", 10).unwrap().is_empty());
    drop(cf);

    let conn = raw_conn(&path);
    let entries: Vec<(i64, i64, String)> = conn
        .prepare("SELECT rowid, item_id, title FROM search_index WHERE kind = 'subject'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (rowid, id, title) = &entries[0];
    assert_eq!((*rowid, title.as_str()), (id * 16 + 2, "Cedar Dunn"));
    // The trigger's delete is a rowid lookup (FTS5 says `=` in its plan),
    // where a delete by kind and item id reads every entry.
    let by_rowid = plan(&conn, "DELETE FROM search_index WHERE rowid = 1 * 16 + 2");
    assert!(by_rowid.ends_with(":="), "{by_rowid}");
    let by_columns = plan(
        &conn,
        "DELETE FROM search_index WHERE kind = 'subject' AND item_id = 1",
    );
    assert!(!by_columns.contains('='), "{by_columns}");
    drop(conn);
    assert!(matches!(
        check_open(&path).check().unwrap(),
        CheckReport::Verified { .. }
    ));

    // An entry moved to another rowid (by an insider with the key) would
    // make the next re-index miss it: the check names it.
    sqlcipher(
        &path,
        "UPDATE search_index SET rowid = rowid + 400 WHERE kind = 'subject';",
    );
    let report = check_open(&path).check().unwrap();
    let said = report.describe(&path).unwrap_or_default();
    assert!(
        said.contains("search index: the entry for subject")
            && said.contains("is not what the record makes"),
        "{said}"
    );
}

#[test]
fn a_decisions_corrections_are_found_through_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, path) = new_casefile(dir.path());
    drop(cf);
    let conn = raw_conn(&path);
    let corrections = plan(
        &conn,
        "SELECT group_concat(n.number, ',') FROM decision_log_entry n WHERE n.corrects = 7",
    );
    assert!(
        corrections.contains("decision_log_entry_by_corrects"),
        "{corrections}"
    );
}

#[test]
fn the_dashboards_counts_by_category_read_only_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, path) = new_casefile(dir.path());
    drop(cf);
    let conn = raw_conn(&path);
    let by_category = plan(
        &conn,
        "SELECT count(*) FROM intelligence i WHERE i.category = 'drugs'
             AND i.received_at >= '2026-01-01' AND i.received_at < '2027-01-01'
             AND (i.operation_id IS NULL OR i.operation_id = 3)",
    );
    assert!(
        by_category.contains("COVERING INDEX intelligence_by_category_received"),
        "{by_category}"
    );
}

/// Every tick asks whether another session changed the file: when one
/// has committed, the newest row-changing event is read off the end of
/// an index, never by reading the trail.
#[test]
fn whether_another_session_changed_the_file_is_one_index_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let (cf, path) = new_casefile(dir.path());
    drop(cf);
    let conn = raw_conn(&path);
    let last = plan(&conn, ccu::store::LAST_CHANGE);
    assert_eq!(
        last, "SEARCH audit_row USING COVERING INDEX audit_row_by_seq",
        "{last}"
    );
}
