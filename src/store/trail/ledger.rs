//! Row commitments: every row of every state table answers to the audit
//! event that last wrote it (docs/audit-format.md, "Rows").
//!
//! Temporary triggers, made on each connection ccu opens and never stored
//! in the file, note the key of every row a transaction inserts, updates
//! or deletes, with the digest the row had before the transaction touched
//! it. The next audit event takes those notes: it checks each row's
//! earlier state against the trail (so nothing is written on top of a row
//! changed from outside ccu), then records each row's digest as it now
//! stands in `audit_row` and commits to the list through its `rows_hash`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::audit::rows::{RowValue, RowsHasher, row_digest};

/// The state tables, in ascending order of their names' bytes: every
/// table but the trail itself (`audit_event`, `audit_row`, `audit_node`), SQLite's own,
/// and the search index with the tables SQLite keeps for it (derived, and
/// verified by recomputation instead).
pub(super) fn state_tables(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM main.sqlite_schema
         WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
           AND name NOT IN ('audit_event', 'audit_row', 'audit_node', 'search_index')
           AND name NOT LIKE 'search\\_index\\_%' ESCAPE '\\'
         ORDER BY name",
    )?;
    let names = stmt.query_map([], |r| r.get(0))?;
    names.collect()
}

/// A state table's columns in declared order and its primary key.
#[derive(Debug, Clone)]
pub(super) struct TableInfo {
    pub name: String,
    pub columns: Vec<String>,
    pub key: Vec<String>,
}

impl TableInfo {
    /// A table of the latest schema, as the write path sees it: read once
    /// per process. Every connection that writes has exactly that schema
    /// (vetted against what the migrations make when opened, or just made by the
    /// migrations), so what one read holds for all; `ccu check`, which
    /// also opens altered files, reads each table afresh with [`read`].
    ///
    /// [`read`]: TableInfo::read
    pub fn of(conn: &Connection, table: &str) -> rusqlite::Result<Arc<TableInfo>> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<TableInfo>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(info) = cache.lock().expect("not poisoned").get(table) {
            return Ok(info.clone());
        }
        let info = Arc::new(TableInfo::read(conn, table)?);
        cache
            .lock()
            .expect("not poisoned")
            .insert(table.to_owned(), info.clone());
        Ok(info)
    }

    pub fn read(conn: &Connection, table: &str) -> rusqlite::Result<TableInfo> {
        let mut stmt =
            conn.prepare_cached("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let cols: Vec<(String, i64)> = stmt
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut key: Vec<(i64, String)> = cols
            .iter()
            .filter(|(_, pk)| *pk > 0)
            .map(|(name, pk)| (*pk, name.clone()))
            .collect();
        key.sort();
        Ok(TableInfo {
            name: table.to_owned(),
            columns: cols.into_iter().map(|(name, _)| name).collect(),
            key: key.into_iter().map(|(_, name)| name).collect(),
        })
    }

    /// The SQL of a row's key, as `json_array` writes it: the documented
    /// row key (`prefix` names the row, as `new.` in a trigger).
    pub fn key_sql(&self, prefix: &str) -> String {
        let cols: Vec<String> = self
            .key
            .iter()
            .map(|c| format!("{prefix}{}", quote(c)))
            .collect();
        format!("json_array({})", cols.join(", "))
    }

    /// Arguments to `ccu_row_digest` for a row (`prefix` as in `key_sql`).
    fn digest_sql(&self, prefix: &str) -> String {
        let mut args = vec![literal(&self.name)];
        for c in &self.columns {
            args.push(literal(c));
            args.push(format!("{prefix}{}", quote(c)));
        }
        format!("ccu_row_digest({})", args.join(", "))
    }

    /// `SELECT` of every column of the row with a given key (`?1`, ...).
    pub fn select_by_key(&self) -> String {
        let cond: Vec<String> = self
            .key
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} = ?{}", quote(c), i + 1))
            .collect();
        format!(
            "SELECT * FROM main.{} WHERE {}",
            quote(&self.name),
            cond.join(" AND ")
        )
    }

    /// The digest of a row read with `SELECT *` (columns from `first`).
    pub fn digest(&self, row: &Row<'_>, first: usize) -> rusqlite::Result<String> {
        let mut values = Vec::with_capacity(self.columns.len());
        for (i, name) in self.columns.iter().enumerate() {
            values.push((name.as_str(), row_value(row.get_ref(first + i)?)));
        }
        Ok(row_digest(&self.name, &values))
    }
}

fn row_value(v: ValueRef<'_>) -> RowValue<'_> {
    match v {
        ValueRef::Null => RowValue::Null,
        ValueRef::Integer(i) => RowValue::Integer(i),
        ValueRef::Real(r) => RowValue::Real(r),
        ValueRef::Text(t) => RowValue::Text(t),
        ValueRef::Blob(b) => RowValue::Blob(b),
    }
}

pub(super) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Registers `ccu_row_digest(table, name, value, ...)` and makes the
/// temporary table and triggers that note what each transaction writes.
/// Called on every connection that writes, once the schema is current.
pub(in crate::store) fn install_capture(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "ccu_row_digest",
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let table = ctx.get_raw(0).as_str().map_err(|e| {
                rusqlite::Error::UserFunctionError(format!("ccu_row_digest: {e}").into())
            })?;
            let mut values = Vec::with_capacity(ctx.len() / 2);
            for i in (1..ctx.len()).step_by(2) {
                let name = ctx.get_raw(i).as_str().map_err(|e| {
                    rusqlite::Error::UserFunctionError(format!("ccu_row_digest: {e}").into())
                })?;
                values.push((name, row_value(ctx.get_raw(i + 1))));
            }
            Ok(row_digest(table, &values))
        },
    )?;
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS ccu_written (
             tbl     TEXT NOT NULL,
             row_key TEXT NOT NULL,
             -- the row's digest before this transaction first touched it
             before  TEXT,
             PRIMARY KEY (tbl, row_key)
         ) WITHOUT ROWID;",
    );
    let (never_updated, never_deleted) = guarded(conn)?;
    for table in state_tables(conn)? {
        let info = TableInfo::read(conn, &table)?;
        let t = literal(&table);
        let q = quote(&table);
        let (new_key, old_key, old_digest) = (
            info.key_sql("new."),
            info.key_sql("old."),
            info.digest_sql("old."),
        );
        // A trigger's own conflict clause gives way to that of the
        // statement that fired it (an upsert, say), so a row already noted
        // is skipped with NOT EXISTS rather than OR IGNORE.
        let note = |key: &str, before: &str| {
            format!(
                "INSERT INTO ccu_written (tbl, row_key, before) SELECT {t}, {key}, {before}
                 WHERE NOT EXISTS (SELECT 1 FROM ccu_written WHERE tbl = {t} AND row_key = {key});"
            )
        };
        let trigger = |event: &str, body: String| {
            format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS {} AFTER {event} ON main.{q} BEGIN {body} END;",
                quote(&format!("ccu_written_{}_{table}", event.to_lowercase()))
            )
        };
        sql.push_str(&trigger("INSERT", note(&new_key, "NULL")));
        if !never_updated.contains(&table) {
            sql.push_str(&trigger(
                "UPDATE",
                note(&old_key, &old_digest) + &note(&new_key, "NULL"),
            ));
        }
        if !never_deleted.contains(&table) {
            sql.push_str(&trigger("DELETE", note(&old_key, &old_digest)));
        }
    }
    conn.execute_batch(&sql)
}

/// The tables whose schema refuses every `UPDATE`, and every `DELETE`
/// (a `BEFORE` trigger that raises ABORT): ccu never changes or removes
/// their rows, so only what it inserts needs noting. The schema is the
/// one ccu made (vetted at open), so these are its own guard-rails.
fn guarded(conn: &Connection) -> rusqlite::Result<(Vec<String>, Vec<String>)> {
    let mut stmt = conn.prepare(
        "SELECT tbl_name, sql FROM main.sqlite_schema WHERE type = 'trigger' AND sql LIKE '%RAISE(ABORT%'",
    )?;
    let mut updates = Vec::new();
    let mut deletes = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (table, sql): (String, String) = (row.get(0)?, row.get(1)?);
        if sql.contains("BEFORE UPDATE ON") {
            updates.push(table);
        } else if sql.contains("BEFORE DELETE ON") {
            deletes.push(table);
        }
    }
    Ok((updates, deletes))
}

/// One row an event commits to: its table, key and digest now (None if the
/// transaction deleted it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::store) struct RowEntry {
    pub table: String,
    pub key: String,
    pub digest: Option<String>,
}

/// Why a write was refused: a row it touches no longer answers to the
/// trail. Found inside the write path, so it travels as a SQLite user
/// error and becomes [`crate::store::Error::Integrity`] (see `sqlite_err`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// The trail's last event no longer hashes or links.
    TailBroken(crate::audit::ChainBreak),
    /// A row was changed, added or removed outside ccu; `seq` is the
    /// event that last wrote it (None for a row no event wrote).
    RowAltered {
        table: String,
        label: String,
        seq: Option<i64>,
        what: &'static str,
    },
    /// A transaction wrote a row that no audit event took in: a fault in
    /// ccu, and nothing was saved.
    Unaudited { table: String, key: String },
    /// The stored Merkle tree cannot be extended: a subtree or an event it
    /// needs is gone (a trail altered outside ccu).
    Tree(String),
}

impl std::fmt::Display for Integrity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Integrity::TailBroken(at) => write!(f, "audit chain broken at {at}"),
            Integrity::RowAltered {
                table,
                label,
                seq,
                what,
            } => {
                write!(f, "{table} {label}: {what}")?;
                match seq {
                    Some(seq) => write!(f, " (last written by seq {seq})"),
                    None => write!(f, " (no audit event wrote it)"),
                }
            }
            Integrity::Tree(problem) => write!(f, "the audit trail's Merkle tree: {problem}"),
            Integrity::Unaudited { table, key } => write!(
                f,
                "internal error: {table} {key} was written without an audit event; nothing was saved"
            ),
        }
    }
}

impl std::error::Error for Integrity {}

pub(in crate::store) fn raise(problem: Integrity) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(Box::new(problem))
}

/// The latest commitment to a row: the seq that wrote it and its digest
/// (None for a deletion).
pub(in crate::store) fn latest(
    conn: &Connection,
    table: &str,
    key: &str,
) -> rusqlite::Result<Option<(i64, Option<String>)>> {
    conn.prepare_cached(
        "SELECT seq, digest FROM audit_row WHERE tbl = ?1 AND row_key = ?2
         ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([table, key], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

/// The values of a documented row key (a JSON array of integers and text).
pub(super) fn key_values(key: &str) -> Option<Vec<Value>> {
    let parsed: serde_json::Value = serde_json::from_str(key).ok()?;
    parsed
        .as_array()?
        .iter()
        .map(|v| match v {
            serde_json::Value::Number(n) => n.as_i64().map(Value::Integer),
            serde_json::Value::String(s) => Some(Value::Text(s.clone())),
            _ => None,
        })
        .collect()
}

/// The digest of the stored row with this key, if there is one.
pub(super) fn current_digest(
    conn: &Connection,
    info: &TableInfo,
    key: &str,
) -> rusqlite::Result<Option<String>> {
    let Some(values) = key_values(key) else {
        return Ok(None);
    };
    if values.len() != info.key.len() {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(&info.select_by_key())?;
    stmt.query_row(rusqlite::params_from_iter(values), |r| info.digest(r, 0))
        .optional()
}

/// Takes the rows noted since the last event, in (table, key) order,
/// after checking that each one's state before this transaction is the
/// state the trail last committed to. Leaves the notes empty.
pub(in crate::store) fn take_written(conn: &Connection) -> rusqlite::Result<Vec<RowEntry>> {
    let noted: Vec<(String, String, Option<String>)> = conn
        .prepare_cached("SELECT tbl, row_key, before FROM ccu_written ORDER BY tbl, row_key")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut entries = Vec::with_capacity(noted.len());
    for (table, key, before) in noted {
        let info = &*TableInfo::of(conn, &table)?;
        let committed = latest(conn, &table, &key)?;
        let committed_digest = committed.as_ref().and_then(|(_, d)| d.clone());
        if before != committed_digest {
            let what = match (&before, &committed_digest) {
                (Some(_), None) => "was added outside ccu, so ccu will not write over it",
                (None, Some(_)) => "was removed outside ccu, so ccu will not write it again",
                _ => "was changed outside ccu, so ccu will not write over it",
            };
            return Err(raise(Integrity::RowAltered {
                label: label(conn, info, &key)?,
                table,
                seq: committed.map(|(seq, _)| seq),
                what,
            }));
        }
        let digest = current_digest(conn, info, &key)?;
        entries.push(RowEntry { table, key, digest });
    }
    conn.prepare_cached("DELETE FROM ccu_written")?
        .execute([])?;
    Ok(entries)
}

/// Records `entries` for event `seq` and returns their rows hash.
pub(in crate::store) fn record(
    conn: &Connection,
    seq: i64,
    entries: &[RowEntry],
) -> rusqlite::Result<String> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO audit_row (seq, tbl, row_key, digest) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut hasher = RowsHasher::new();
    for e in entries {
        insert.execute(params![seq, e.table, e.key, e.digest])?;
        hasher.push(&e.table, &e.key, e.digest.as_deref());
    }
    Ok(hasher.finish())
}

/// Records every row of every state table for event `seq` (a baseline),
/// streaming, and returns the rows hash. Clears the notes: the baseline
/// covers whatever the transaction wrote before it.
pub(in crate::store) fn record_all(conn: &Connection, seq: i64) -> rusqlite::Result<String> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO audit_row (seq, tbl, row_key, digest) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut hasher = RowsHasher::new();
    for table in state_tables(conn)? {
        let info = TableInfo::read(conn, &table)?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {key}, * FROM main.{q} ORDER BY {key}",
            key = info.key_sql(""),
            q = quote(&table)
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            let digest = info.digest(row, 1)?;
            insert.execute(params![seq, table, key, digest])?;
            hasher.push(&table, &key, Some(&digest));
        }
    }
    conn.prepare_cached("DELETE FROM ccu_written")?
        .execute([])?;
    Ok(hasher.finish())
}

/// Refuses a commit that would leave rows no event took in.
pub(in crate::store) fn ensure_all_taken(conn: &Connection) -> rusqlite::Result<()> {
    let left: Option<(String, String)> = conn
        .prepare_cached("SELECT tbl, row_key FROM ccu_written LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match left {
        None => Ok(()),
        Some((table, key)) => Err(raise(Integrity::Unaudited { table, key })),
    }
}

/// Whether an account's row, its roles and its team memberships are as the
/// trail last committed them: checked at login and before each command and
/// read, so an account, role or membership changed from outside ccu (a
/// copied password hash, a role added with sqlite3) gives no one access.
pub(in crate::store) fn account_problem(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Option<Integrity>> {
    // Team membership too: a membership put in from outside would show an
    // operation (and all linked to it) to someone not on its team.
    for (table, filter) in [
        ("user_account", "id"),
        ("user_role", "user_id"),
        ("operation_member", "user_id"),
    ] {
        let info = &*TableInfo::of(conn, table)?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {key}, * FROM main.{table} WHERE {filter} = ?1",
            key = info.key_sql(""),
        ))?;
        let mut rows = stmt.query([user_id])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            let digest = info.digest(row, 1)?;
            let committed = latest(conn, table, &key)?;
            let what = match &committed {
                Some((_, Some(d))) if *d == digest => continue,
                Some((_, Some(_))) => "was changed outside ccu",
                _ => "was added outside ccu",
            };
            return Ok(Some(Integrity::RowAltered {
                table: table.to_owned(),
                label: label(conn, info, &key)?,
                seq: committed.map(|(seq, _)| seq),
                what,
            }));
        }
    }
    Ok(None)
}

/// A row in the users' words: its URN, codename, username or what it
/// belongs to, falling back on the table's key. Read from the row when it
/// exists; `None` when it does not.
fn label_of_row(conn: &Connection, table: &str, key: &str) -> rusqlite::Result<Option<String>> {
    let Some(values) = key_values(key) else {
        return Ok(None);
    };
    let op = "(SELECT 'Op ' || codename FROM operation WHERE id = t.operation_id)";
    let intel = "(SELECT urn FROM intelligence WHERE id = t.intelligence_id)";
    let subject = "(SELECT name || ' (staff number ' || staff_number || ')' FROM subject WHERE id = t.subject_id)";
    let user = "(SELECT username FROM user_account WHERE id = t.user_id)";
    let auth = "(SELECT urn FROM authorisation WHERE id = t.authorisation_id)";
    let (expr, key_cols): (String, &[&str]) = match table {
        "casefile" => ("'the case file ' || t.id".into(), &["singleton"]),
        "user_account" => ("'account ' || t.username".into(), &["id"]),
        "user_role" => (format!("'account ' || {user} || ', role ' || t.role"), &["user_id", "role"]),
        "urn_counter" => ("'URN counter ' || t.kind || ' ' || t.year".into(), &["kind", "year"]),
        "subject" => ("'subject ' || t.name || ' (staff number ' || t.staff_number || ')'".into(), &["id"]),
        "operation" => ("'Op ' || t.codename || ' (' || t.urn || ')'".into(), &["id"]),
        "operation_member" => (format!("{op} || ', team member ' || {user}"), &["id"]),
        "operation_subject" => (format!("{op} || ', subject ' || {subject}"), &["operation_id", "subject_id"]),
        "intelligence" => ("t.urn".into(), &["id"]),
        "intelligence_subject" => (format!("{intel} || ', subject ' || {subject}"), &["intelligence_id", "subject_id"]),
        "triage_decision" => (format!("{intel} || ', triage to ' || t.to_status"), &["id"]),
        "decision_log_entry" => (format!("{op} || ', decision log entry ' || t.number"), &["id"]),
        "threshold_proposal" => (format!("{op} || ', threshold proposal ' || t.number"), &["id"]),
        "threshold_decision" => ("(SELECT 'Op ' || o.codename || ', decision on threshold proposal ' || p.number FROM threshold_proposal p JOIN operation o ON o.id = p.operation_id WHERE p.id = t.proposal_id)".into(), &["id"]),
        "resource_type" => ("'resource type ' || t.code".into(), &["code"]),
        "bid" => ("t.urn".into(), &["id"]),
        "bid_line" => ("(SELECT urn FROM bid WHERE id = t.bid_id) || ', line ' || t.number".into(), &["bid_id", "number"]),
        "bid_decision" => ("(SELECT urn FROM bid WHERE id = t.bid_id) || ', decision ' || t.outcome".into(), &["id"]),
        "authorisation" => ("t.urn".into(), &["id"]),
        "authorisation_subject" => (format!("{auth} || ', subject ' || {subject}"), &["authorisation_id", "subject_id"]),
        "authorisation_review" => (format!("{auth} || ', review of ' || t.reviewed_at"), &["id"]),
        "authorisation_renewal" => (format!("{auth} || ', renewal of ' || t.renewed_at"), &["id"]),
        "authorisation_similarity" => (format!("{auth} || ', ' || t.field || ' ' || t.percent || '% like earlier text'"), &["id"]),
        "authorisation_tactic" => (format!("{auth} || ', tactic ' || t.tactic"), &["id"]),
        "authorisation_tactic_decision" => ("(SELECT a.urn || ', decision on tactic ' || x.tactic FROM authorisation_tactic x JOIN authorisation a ON a.id = x.authorisation_id WHERE x.id = t.tactic_id)".into(), &["id"]),
        "referral" => ("t.urn".into(), &["id"]),
        "referral_subject" => (format!("(SELECT urn FROM referral WHERE id = t.referral_id) || ', subject ' || {subject}"), &["referral_id", "subject_id"]),
        "drift_acknowledgement" => ("'status drift of ' || t.person || ', acknowledged ' || t.acknowledged_at".into(), &["id"]),
        "drift_acknowledged_item" => (format!("{intel} || ', in status drift acknowledgement ' || t.acknowledgement_id"), &["acknowledgement_id", "intelligence_id"]),
        "setting" => ("'setting ' || t.key".into(), &["key"]),
        "signing_key" => ("'the signing key'".into(), &["singleton"]),
        "checkpoint" => ("'checkpoint of ' || t.tree_size || ' events signed ' || t.at".into(), &["id"]),
        _ => return Ok(None),
    };
    if values.len() != key_cols.len() {
        return Ok(None);
    }
    let cond: Vec<String> = key_cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("t.{c} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "SELECT {expr} FROM main.{} t WHERE {}",
        quote(table),
        cond.join(" AND ")
    );
    conn.query_row(&sql, rusqlite::params_from_iter(values), |r| {
        r.get::<_, Option<String>>(0)
    })
    .optional()
    .map(Option::flatten)
}

/// A row in the users' words (see [`label_of_row`]); a row that is gone
/// is named by its key and what the event that last wrote it was about.
/// Made safe for a terminal here, as it may hold anything (a name written
/// with sqlite3, say) and goes into messages whole.
pub(super) fn label(conn: &Connection, info: &TableInfo, key: &str) -> rusqlite::Result<String> {
    Ok(crate::sanitise::for_terminal(&raw_label(conn, info, key)?).into_owned())
}

fn raw_label(conn: &Connection, info: &TableInfo, key: &str) -> rusqlite::Result<String> {
    if let Some(label) = label_of_row(conn, &info.name, key)? {
        return Ok(format!("{label} (key {key})"));
    }
    let about: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT e.action, e.entity_ref FROM audit_row r JOIN audit_event e ON e.seq = r.seq
             WHERE r.tbl = ?1 AND r.row_key = ?2 ORDER BY r.seq DESC LIMIT 1",
        )?
        .query_row([&info.name, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match about {
        Some((action, entity)) => format!("key {key} (written by {action} {entity})"),
        None => format!("key {key}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_keys_parse_back_to_their_values() {
        assert_eq!(key_values("[5]"), Some(vec![Value::Integer(5)]));
        assert_eq!(
            key_values(r#"[2,"supervisor"]"#),
            Some(vec![Value::Integer(2), Value::Text("supervisor".into())])
        );
        assert_eq!(key_values("[1.5]"), None);
        assert_eq!(key_values("{}"), None);
        assert_eq!(key_values("not json"), None);
    }
}
