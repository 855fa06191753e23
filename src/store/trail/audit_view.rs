//! What the terminal screens read for the audit viewer.
//!
//! The audit viewer is for those who may read (and export) the audit trail:
//! opening it is a consultation, audited once as a `view` event; the pages,
//! totals and chain verification a screen then asks for, over and over,
//! write nothing. Its filters select events exactly as an export's do: both
//! go through [`Selection`]. Every role that may read the trail also sees
//! every operation (a test in `domain::permission` holds this), so the
//! trail is shown whole, without need-to-know.

use chrono::NaiveDate;
use rusqlite::ToSql;
use rusqlite::types::ValueRef;

use super::check::{ChainWalk, CheckReport};
use crate::domain::InvalidInput;
use crate::domain::operation::Codename;
use crate::domain::permission::Action;
use crate::domain::time::end_of_uk_day;
use crate::store::plumbing::Page;
use crate::store::write::{Actor, Command};
use crate::store::{CaseFile, Error, Result, format_timestamp};

/// Which audit events a screen shows. The default shows every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Events about the operation and about its intelligence, bids,
    /// authorisations and referrals: the same events `ccu audit export
    /// --operation` selects.
    pub operation: Option<Codename>,
    /// Events by this user (the username exactly as recorded). Empty text
    /// filters nothing.
    pub user: Option<String>,
    /// An action exactly (`view`, `bid.decide`), or every action beginning
    /// with a prefix that ends in `.` (`bid.`, `authorisation.`). Empty
    /// text filters nothing.
    pub action: Option<String>,
    /// UK calendar days, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `ok` or `denied` exactly. Empty text filters nothing.
    pub outcome: Option<String>,
    /// Events numbered up to this one (the trail from it back).
    pub through: Option<i64>,
}

/// One audit event as a screen shows it: the columns of `audit_event`
/// without the hashes. Text is shown as stored; where a row altered from
/// outside ccu holds something else in a text column, it is shown as best
/// it can be rather than refused, and `ccu check` or step verification
/// names the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    /// UTC, RFC 3339 with microseconds and `Z`.
    pub at: String,
    pub actor: String,
    pub actor_roles: String,
    pub action: String,
    pub entity_type: String,
    pub entity_ref: String,
    /// `ok` or `denied`.
    pub outcome: String,
    /// The details, compact JSON exactly as stored.
    pub details: String,
}

/// Which events a filter selects, as SQL over `audit_event` with its bound
/// values: the one definition the audit viewer and the export bundle share.
/// Every value a user typed is a bound parameter.
pub(super) struct Selection {
    clauses: Vec<&'static str>,
    values: Vec<(&'static str, String)>,
}

impl Selection {
    /// The selection for `query`, or None if its operation does not exist.
    pub(super) fn of(
        conn: &rusqlite::Connection,
        query: &AuditQuery,
    ) -> rusqlite::Result<Option<Selection>> {
        let mut s = Selection {
            clauses: Vec::new(),
            values: Vec::new(),
        };
        if let Some(codename) = &query.operation {
            let Some(refs) = super::export::operation_refs(conn, codename)? else {
                return Ok(None);
            };
            s.about(&refs);
        }
        if let Some(user) = query.user.as_deref().filter(|u| !u.is_empty()) {
            s.clauses.push("actor = :user");
            s.values.push((":user", user.to_owned()));
        }
        match query.action.as_deref() {
            None | Some("") => {}
            Some(prefix) if prefix.ends_with('.') => {
                // Everything from "bid." up to, not including, "bid/" (the
                // character after '.'): a range an index can answer.
                s.clauses.push("action >= :action AND action < :action_end");
                s.values.push((":action", prefix.to_owned()));
                s.values
                    .push((":action_end", format!("{}/", &prefix[..prefix.len() - 1])));
            }
            Some(exact) => {
                s.clauses.push("action = :action");
                s.values.push((":action", exact.to_owned()));
            }
        }
        if let Some(outcome) = query.outcome.as_deref().filter(|o| !o.is_empty()) {
            s.clauses.push("outcome = :outcome");
            s.values.push((":outcome", outcome.to_owned()));
        }
        if let Some(through) = query.through {
            s.clauses.push("seq <= CAST(:through AS INTEGER)");
            s.values.push((":through", through.to_string()));
        }
        // A UK day runs from the end of the day before to its own end. A
        // bound that every event meets is left out, which selects exactly
        // the same events: a range over most of the trail is slow to read
        // through the index on `at`, while no range at all costs nothing
        // (a screen that fills in "to: today" should not pay for it).
        if let Some(from) = query.from {
            let from = format_timestamp(end_of_uk_day(
                from.pred_opt().expect("a date after the start of time"),
            ));
            if !every_event_meets(conn, "(SELECT min(at) FROM audit_event) >= ?1", &from)? {
                s.clauses.push("at >= :from");
                s.values.push((":from", from));
            }
        }
        if let Some(to) = query.to {
            let to = format_timestamp(end_of_uk_day(to));
            if !every_event_meets(conn, "(SELECT max(at) FROM audit_event) < ?1", &to)? {
                s.clauses.push("at < :to");
                s.values.push((":to", to));
            }
        }
        Ok(Some(s))
    }

    /// Only events about one of `refs` (an operation's codename and URNs).
    fn about(&mut self, refs: &[String]) {
        self.clauses
            .push("entity_ref IN (SELECT value FROM json_each(:refs))");
        self.values.push((
            ":refs",
            serde_json::to_string(refs).expect("a list of strings is JSON"),
        ));
    }

    /// The condition on `audit_event`, for a WHERE clause.
    pub(super) fn condition(&self) -> String {
        if self.clauses.is_empty() {
            "1".to_owned()
        } else {
            self.clauses.join(" AND ")
        }
    }

    /// The bound values the condition names.
    pub(super) fn params(&self) -> Vec<(&'static str, &dyn ToSql)> {
        self.values
            .iter()
            .map(|(name, value)| (*name, value as &dyn ToSql))
            .collect()
    }
}

/// Whether `test` (on the oldest or newest `at`, with the bound as ?1)
/// shows that every event meets the bound. An event without a time (a row
/// altered from outside ccu) meets none, so then the bound always stays.
/// Both look-ups are answered from the index on `at`.
fn every_event_meets(
    conn: &rusqlite::Connection,
    test: &str,
    bound: &str,
) -> rusqlite::Result<bool> {
    conn.query_row(
        &format!(
            "SELECT coalesce({test} AND NOT EXISTS (SELECT 1 FROM audit_event WHERE at IS NULL), 0)"
        ),
        [bound],
        |r| r.get(0),
    )
}

/// Stored text as it is; anything else as well as it can be shown.
fn shown(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<String> {
    Ok(match row.get_ref(column)? {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Null => String::new(),
    })
}

const ROW_COLUMNS: &str =
    "seq, at, actor, actor_roles, action, entity_type, entity_ref, outcome, details";

fn audit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: row.get(0)?,
        at: shown(row, 1)?,
        actor: shown(row, 2)?,
        actor_roles: shown(row, 3)?,
        action: shown(row, 4)?,
        entity_type: shown(row, 5)?,
        entity_ref: shown(row, 6)?,
        outcome: shown(row, 7)?,
        details: shown(row, 8)?,
    })
}

/// Where step verification has got to. The default is the start of the
/// trail; each [`ChainProgress`] carries the cursor for the next step.
#[derive(Debug, Clone, Default)]
pub struct ChainCursor {
    walk: Option<Box<ChainWalk>>,
}

impl ChainCursor {
    /// Carries on from where a walk stopped, for a screen opened again:
    /// the events already verified are not read again (the last of them
    /// is, so a change to it is still caught), and events appended since
    /// are verified next. A walk that found the chain sound is reopened
    /// for them; one that found it broken stays broken.
    pub fn resumed(mut self) -> Self {
        if let Some(walk) = &mut self.walk
            && matches!(walk.outcome, Some(CheckReport::Verified { .. }))
        {
            walk.outcome = None;
        }
        self
    }
}

/// What step verification has found so far.
#[derive(Debug, Clone)]
pub struct ChainProgress {
    /// Pass this to the next step.
    pub cursor: ChainCursor,
    /// The last seq that verified (0 before any has).
    pub verified_through: i64,
    /// How many events the trail holds: its newest seq at the first step, never
    /// less than those verified, and once a sound trail is done exactly
    /// the number verified (events appended meanwhile included).
    pub total: i64,
    /// The first problem, as `ccu check` names it: the seq and the text it
    /// prints after "audit chain broken at". If the chain is sound but the
    /// latest signed checkpoint fails, the seq is the checkpoint's size and
    /// the text is "the latest signed checkpoint (AT) fails: PROBLEM".
    pub broken: Option<(i64, String)>,
    /// True once the verdict is in: the trail ran out, or it broke.
    pub done: bool,
}

impl CaseFile {
    /// Opens the audit trail for reading: for those who may read the trail
    /// (auditors, supervisors). The consultation is audited once, as a
    /// `view` event on `audit`; a refusal is audited too. Returns how many
    /// events the trail holds, that one included.
    pub fn open_audit_trail(&mut self, actor: &Actor) -> Result<u64> {
        self.execute(actor, Command::ViewAuditTrail)?;
        self.newest_seq()
    }

    /// The newest event's seq: how many events the trail holds, the trail
    /// being numbered from 1 without a gap (a gap is what the chain check
    /// reports), read from the primary key rather than counted.
    fn newest_seq(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM audit_event", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sqlite_err(e))?;
        Ok(n.max(0) as u64)
    }

    /// One page of the audit trail, newest first, filtered by `query`.
    /// Permission is checked (and a refusal audited), but a permitted read
    /// writes nothing. A page deep in a long trail is cheaper with
    /// [`CaseFile::audit_page_before`].
    pub fn audit_page(
        &mut self,
        actor: &Actor,
        query: &AuditQuery,
        page: Page,
    ) -> Result<Vec<AuditRow>> {
        let selection = self.audit_selection(actor, query)?;
        let clamp = |n: u64| n.min(i64::MAX as u64) as i64;
        let (limit, offset) = (clamp(page.limit), clamp(page.offset));
        // Unfiltered, the page is a range of seqs below the newest, found
        // through the primary key however deep; filtered, the filter's
        // index is walked to the offset.
        let sql = if selection.clauses.is_empty() {
            format!(
                "SELECT {ROW_COLUMNS} FROM audit_event
                 WHERE seq <= (SELECT max(seq) FROM audit_event) - :offset
                 ORDER BY seq DESC LIMIT :limit"
            )
        } else {
            format!(
                "SELECT {ROW_COLUMNS} FROM audit_event WHERE seq IN (
                     SELECT seq FROM audit_event WHERE {}
                     ORDER BY seq DESC LIMIT :limit OFFSET :offset)
                 ORDER BY seq DESC",
                selection.condition()
            )
        };
        let mut params = selection.params();
        params.extend_from_slice(&[(":limit", &limit as &dyn ToSql), (":offset", &offset)]);
        self.query_rows(&sql, &params, audit_row)
    }

    /// Up to `limit` events older than `before_seq` (from the newest if
    /// None), newest first, filtered by `query`: the next page is the one
    /// before the last seq of this one. Each page costs the same however
    /// deep in the trail it is. Writes nothing, as [`CaseFile::audit_page`].
    pub fn audit_page_before(
        &mut self,
        actor: &Actor,
        query: &AuditQuery,
        before_seq: Option<i64>,
        limit: u64,
    ) -> Result<Vec<AuditRow>> {
        let selection = self.audit_selection(actor, query)?;
        let limit = limit.min(i64::MAX as u64) as i64;
        let before = before_seq.unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM audit_event WHERE seq IN (
                 SELECT seq FROM audit_event WHERE seq < :before AND {}
                 ORDER BY seq DESC LIMIT :limit)
             ORDER BY seq DESC",
            selection.condition()
        );
        let mut params = selection.params();
        params.extend_from_slice(&[(":limit", &limit as &dyn ToSql), (":before", &before)]);
        self.query_rows(&sql, &params, audit_row)
    }

    /// Up to `limit` events newer than `after_seq`, the nearest first
    /// read, returned newest first like every page: the page above one
    /// whose first seq is known, at the same cost however deep. Writes
    /// nothing, as [`CaseFile::audit_page`].
    pub fn audit_page_after(
        &mut self,
        actor: &Actor,
        query: &AuditQuery,
        after_seq: i64,
        limit: u64,
    ) -> Result<Vec<AuditRow>> {
        let selection = self.audit_selection(actor, query)?;
        let limit = limit.min(i64::MAX as u64) as i64;
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM audit_event WHERE seq IN (
                 SELECT seq FROM audit_event WHERE seq > :after AND {}
                 ORDER BY seq ASC LIMIT :limit)
             ORDER BY seq DESC",
            selection.condition()
        );
        let mut params = selection.params();
        params.extend_from_slice(&[(":limit", &limit as &dyn ToSql), (":after", &after_seq)]);
        self.query_rows(&sql, &params, audit_row)
    }

    /// How many events `query` selects. Writes nothing, as
    /// [`CaseFile::audit_page`].
    pub fn audit_total(&mut self, actor: &Actor, query: &AuditQuery) -> Result<u64> {
        let selection = self.audit_selection(actor, query)?;
        // Unfiltered: the newest seq, not a count of every row.
        if selection.clauses.is_empty() {
            return self.newest_seq();
        }
        let sql = format!(
            "SELECT count(*) FROM audit_event WHERE {}",
            selection.condition()
        );
        let n: i64 = self
            .conn
            .query_row(&sql, &selection.params()[..], |r| r.get(0))
            .map_err(|e| self.sqlite_err(e))?;
        Ok(n as u64)
    }

    /// The permission check every read of the trail starts with, and the
    /// query as SQL.
    fn audit_selection(&mut self, actor: &Actor, query: &AuditQuery) -> Result<Selection> {
        self.reader_for(actor, "audit", Action::ReadAuditTrail)?;
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from > to
        {
            return Err(InvalidInput::new("to", "is before the from date").into());
        }
        Selection::of(&self.conn, query)
            .map_err(|e| self.sqlite_err(e))?
            .ok_or_else(|| Error::NoSuch {
                what: "operation",
                reference: query
                    .operation
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            })
    }

    /// Verifies up to `max_events` more events of the audit chain from
    /// `cursor`, so a screen can verify millions of events a step at a time
    /// and stay responsive. Run to the end, it reaches the verdict of
    /// [`CaseFile::check`] (apart from SQLite's own integrity check) by the
    /// same code: the chain in `seq` order, then the latest signed
    /// checkpoint. Events appended meanwhile are verified too; the
    /// checkpoint is the latest when the first step ran. Reads only.
    pub fn verify_chain_step(&self, cursor: ChainCursor, max_events: u32) -> Result<ChainProgress> {
        let mut walk = match cursor.walk {
            Some(walk) => walk,
            None => Box::new(self.start_chain_walk()?),
        };
        self.walk_chain(&mut walk, Some(max_events))?;
        let broken = walk.broken();
        // An insertion is found only at the event after it, so once the
        // chain is broken the last good seq is the one before the break.
        let verified_through = match &walk.outcome {
            Some(CheckReport::Broken { verified, .. }) => *verified,
            _ => walk.verified(),
        };
        Ok(ChainProgress {
            verified_through,
            total: walk.total,
            done: walk.outcome.is_some(),
            broken,
            cursor: ChainCursor { walk: Some(walk) },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How SQLite means to run `sql`: the detail lines of its plan.
    fn plan(conn: &rusqlite::Connection, sql: &str, selection: &Selection) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let mut params = selection.params();
        let (limit, before) = (50_i64, i64::MAX);
        if sql.contains(":limit") {
            params.push((":limit", &limit));
        }
        if sql.contains(":before") {
            params.push((":before", &before));
        }
        let details: Vec<String> = stmt
            .query_map(&params[..], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        details.join("; ")
    }

    /// Every filter reads its index (schema 0006), for the page's seqs,
    /// the keyset page and the total alike, on a file that has never been
    /// analysed (as a case file is not).
    #[test]
    fn each_filter_is_answered_from_its_index() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::migrations().to_latest(&mut conn).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d);
        let cases: Vec<(AuditQuery, &str)> = vec![
            (
                AuditQuery {
                    user: Some("inv".into()),
                    ..Default::default()
                },
                "audit_event_by_actor",
            ),
            (
                AuditQuery {
                    action: Some("bid.decide".into()),
                    ..Default::default()
                },
                "audit_event_by_action",
            ),
            (
                AuditQuery {
                    action: Some("bid.".into()),
                    ..Default::default()
                },
                "audit_event_by_action",
            ),
            (
                AuditQuery {
                    from: day(2),
                    to: day(8),
                    ..Default::default()
                },
                "audit_event_by_at",
            ),
        ];
        let mut selections: Vec<(Selection, &str)> = cases
            .iter()
            .map(|(query, index)| (Selection::of(&conn, query).unwrap().unwrap(), *index))
            .collect();
        let mut about = Selection::of(&conn, &AuditQuery::default())
            .unwrap()
            .unwrap();
        about.about(&["KESTREL".to_owned(), "INT-2026-00001".to_owned()]);
        selections.push((about, "audit_event_by_entity_ref"));
        for (selection, index) in &selections {
            let condition = selection.condition();
            for sql in [
                format!(
                    "SELECT seq FROM audit_event WHERE {condition} ORDER BY seq DESC LIMIT :limit"
                ),
                format!(
                    "SELECT seq FROM audit_event WHERE seq < :before AND {condition} ORDER BY seq DESC LIMIT :limit"
                ),
                format!("SELECT count(*) FROM audit_event WHERE {condition}"),
            ] {
                let plan = plan(&conn, &sql, selection);
                assert!(
                    plan.contains(&format!("COVERING INDEX {index}")),
                    "{condition}: {plan}"
                );
            }
        }
    }
}
