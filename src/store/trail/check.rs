//! `ccu check`: SQLite's own integrity check and the audit chain, end to end.
//!
//! The chain is walked by [`ChainWalk`], which can stop after any number of
//! events and carry on later: `ccu check` walks it in one go, and a screen
//! in steps ([`CaseFile::verify_chain_step`](crate::store::CaseFile::verify_chain_step)),
//! so both reach their verdict through the same code.

use crate::exit::ExitCode;
use rusqlite::OptionalExtension;

use crate::audit::merkle::{self, Hash, RootBuilder};
use crate::audit::{ChainBreak, ChainVerifier, Event, EventFields, Problem};
use crate::store::{CaseFile, Result};

/// What `ccu check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckReport {
    /// The database is sound and every event chains.
    Verified { events: i64 },
    /// `PRAGMA integrity_check` reported problems (its own words).
    Corrupt { messages: Vec<String> },
    /// The chain fails at an event; `verified` events before it are sound.
    Broken { verified: i64, at: ChainBreak },
    /// The chain is consistent, but no longer extends the latest signed
    /// checkpoint: the trail was cut short or rewritten since it was signed.
    CheckpointBroken {
        events: i64,
        checkpoint_at: String,
        problem: String,
        /// What `ccu check` found beyond the chain as well (rows, schema
        /// and so on, as in `Altered`); empty from step verification.
        findings: Vec<String>,
    },
    /// The chain verifies, but the case file does not answer to it: rows
    /// changed, added or removed outside ccu, a schema altered, a search
    /// index that is not what the records make, or a checkpoint the trail
    /// signed that is gone. `findings` are the first few, in the users'
    /// words; `more` counts the rest.
    Altered {
        events: i64,
        findings: Vec<String>,
        more: usize,
    },
}

impl CheckReport {
    /// The exit code `ccu check` gives this report (docs/cli.md).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CheckReport::Verified { .. } => ExitCode::Ok,
            CheckReport::Altered { .. } => ExitCode::RowsAltered,
            _ => ExitCode::CheckFailed,
        }
    }

    /// What is wrong, as `ccu check` says it after `check failed: `
    /// (None when the file verifies). Untrusted text in it is not yet
    /// made safe for a terminal.
    pub fn describe(&self, path: &std::path::Path) -> Option<String> {
        let path = path.display();
        Some(match self {
            CheckReport::Verified { .. } => return None,
            CheckReport::Corrupt { messages } => {
                let mut text = format!("{path}: the database is damaged (PRAGMA integrity_check):");
                for m in messages {
                    text.push_str("\n  ");
                    text.push_str(m);
                }
                text
            }
            CheckReport::CheckpointBroken {
                events,
                checkpoint_at,
                problem,
                findings,
            } => {
                let mut text = format!(
                    "{path}: the {events} events chain, but the latest signed checkpoint ({checkpoint_at}) fails: {problem}"
                );
                if !findings.is_empty() {
                    text.push_str("\n  and the case file does not answer to them:");
                }
                for f in findings {
                    text.push_str("\n  ");
                    text.push_str(f);
                }
                text
            }
            CheckReport::Broken { verified, at } => format!(
                "{path}: audit chain broken at {at}\n  (events 1 to {verified} verify; nothing after the break can be trusted)"
            ),
            CheckReport::Altered {
                events,
                findings,
                more,
            } => {
                let mut text = format!(
                    "{path}: the {events} events chain, but the case file does not answer to them:"
                );
                for f in findings {
                    text.push_str("\n  ");
                    text.push_str(f);
                }
                if *more > 0 {
                    text.push_str(&format!("\n  and {more} more"));
                }
                text
            }
        })
    }
}

/// How many findings a report lists before counting the rest.
const MAX_FINDINGS: usize = 40;

/// The first findings of a check, and how many there are in all.
#[derive(Default)]
struct Findings {
    listed: Vec<String>,
    total: usize,
}

impl Findings {
    fn add(&mut self, finding: String) {
        self.add_with(|| Ok(finding)).expect("nothing to fail");
    }

    /// Counts a finding, and words it only if it is to be listed (naming
    /// a row reads the case file).
    fn add_with(
        &mut self,
        finding: impl FnOnce() -> rusqlite::Result<String>,
    ) -> rusqlite::Result<()> {
        self.total += 1;
        if self.listed.len() < MAX_FINDINGS {
            self.listed.push(finding()?);
        }
        Ok(())
    }
}

/// How far a walk along the audit chain has got: the verifier's state, the
/// last event it accepted, and the latest signed checkpoint with the Merkle
/// root of the events seen so far. Everything needed to carry on is here,
/// so a walk can stop after any event and resume from a clone.
/// What [`CaseFile::verify_tail`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailCheck {
    /// The first and last events checked.
    pub from: i64,
    pub through: i64,
    /// Whether that was the whole trail (with its latest checkpoint).
    pub whole: bool,
    /// The first event that does not verify, and what is wrong with it.
    pub broken: Option<(i64, String)>,
}

#[derive(Debug, Clone)]
pub(super) struct ChainWalk {
    verifier: ChainVerifier,
    /// The seq and hash of the last event verified.
    last: Option<(i64, String)>,
    checkpoint: Option<CheckpointWalk>,
    /// How many row commitments the events verified so far hold.
    rows_seen: i64,
    /// How many events the trail holds, as far as is known.
    pub total: i64,
    /// The verdict, once the walk has finished (never `Corrupt`).
    pub outcome: Option<CheckReport>,
}

/// The latest signed checkpoint (its signature is checked at the end, as
/// the chain's verdict comes first), and the root of the trail's first
/// events as the walk reaches them.
#[derive(Debug, Clone)]
struct CheckpointWalk {
    size: i64,
    at: String,
    note: String,
    tree: RootBuilder,
    /// The root of the first `size` events, once the walk has passed them.
    root: Option<Hash>,
}

impl ChainWalk {
    /// Events verified so far.
    pub fn verified(&self) -> i64 {
        self.verifier.verified()
    }

    /// The size of the latest signed checkpoint, if there is one.
    pub fn checkpoint_size(&self) -> Option<i64> {
        self.checkpoint.as_ref().map(|c| c.size)
    }

    /// Where the walk found the chain broken, and how, in a sentence: the
    /// event that does not verify, or the checkpoint that fails.
    pub fn broken(&self) -> Option<(i64, String)> {
        match &self.outcome {
            Some(CheckReport::Broken { at, .. }) => Some((at.seq, at.to_string())),
            Some(CheckReport::CheckpointBroken {
                checkpoint_at,
                problem,
                ..
            }) => Some((
                self.checkpoint_size().unwrap_or_default(),
                format!("the latest signed checkpoint ({checkpoint_at}) fails: {problem}"),
            )),
            _ => None,
        }
    }

    /// Takes in a verified event's hash for the checkpoint's root.
    fn add_leaf(&mut self, hash: &str) {
        let Some(cp) = self.checkpoint.as_mut() else {
            return;
        };
        if cp.root.is_some() {
            return;
        }
        cp.tree.push(leaf_of(hash));
        if cp.tree.size() as i64 == cp.size {
            cp.root = Some(cp.tree.root());
        }
    }
}

/// The Merkle leaf of an event's stored hash. A hash that is not 32 bytes
/// of hex (tampering) still gets a leaf, so the root changes rather than
/// the check failing to run.
pub(super) fn leaf_of(hash: &str) -> Hash {
    merkle::leaf_hash(&hex::decode(hash).unwrap_or_else(|_| hash.as_bytes().to_vec()))
}

/// The columns of an event, in the order [`event_from_row`] reads them.
pub(super) const EVENT_COLUMNS: &str =
    "seq, at, actor, actor_roles, action, entity_type, entity_ref,
                             outcome, details, rows_hash, prev_hash, hash";

/// Checks that the trail's last event still hashes and links to the one
/// before it (or to the genesis value). Returns its seq and hash, or None
/// for an empty trail. `has_rows`: the schema has `rows_hash` (version 7).
pub(in crate::store) fn verify_tail(
    conn: &rusqlite::Connection,
    casefile_id: &str,
    has_rows: bool,
) -> rusqlite::Result<std::result::Result<Option<(i64, String)>, ChainBreak>> {
    let columns = if has_rows {
        EVENT_COLUMNS.to_owned()
    } else {
        EVENT_COLUMNS.replace("rows_hash", "NULL")
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns} FROM audit_event ORDER BY seq DESC LIMIT 2"
    ))?;
    let mut rows = stmt.query([])?;
    let Some(row) = rows.next()? else {
        return Ok(Ok(None));
    };
    let broken = |seq: i64, problem| Ok(Err(ChainBreak { seq, problem }));
    let last = match event_from_row(row) {
        Ok(e) => e,
        Err(e) => {
            let seq = row.get::<_, i64>(0).unwrap_or(0);
            return broken(
                seq,
                Problem::Malformed {
                    detail: e.to_string(),
                },
            );
        }
    };
    let before = match rows.next()? {
        None => None,
        Some(row) => Some((row.get::<_, i64>(0)?, row.get::<_, String>(11)?)),
    };
    if crate::audit::event_hash(&last) != last.hash {
        return broken(last.seq, Problem::HashMismatch);
    }
    let expected_prev = match (&before, last.seq) {
        (_, 1) => crate::audit::genesis_hash(casefile_id),
        (Some((seq, hash)), _) if *seq == last.seq - 1 => hash.clone(),
        (Some((seq, _)), _) => return broken(seq + 1, Problem::Gap { found: last.seq }),
        (None, _) => return broken(1, Problem::Gap { found: last.seq }),
    };
    if last.prev_hash != expected_prev {
        return broken(
            last.seq,
            if last.seq == 1 {
                Problem::BadGenesis
            } else {
                Problem::BrokenLink
            },
        );
    }
    Ok(Ok(Some((last.seq, last.hash))))
}

impl CaseFile {
    /// Runs `PRAGMA integrity_check`, then walks the whole audit trail in
    /// `seq` order, one event at a time, and checks the latest signed
    /// checkpoint against it.
    pub fn check(&self) -> Result<CheckReport> {
        // Reading the whole file, a larger page cache saves decrypting the
        // same pages again (integrity_check revisits them); the usual size
        // is set back after.
        self.conn
            .pragma_update(None, "cache_size", -65_536)
            .map_err(|e| self.sqlite_err(e))?;
        let report = self.check_all();
        self.conn
            .pragma_update(None, "cache_size", -32_768)
            .map_err(|e| self.sqlite_err(e))?;
        report
    }

    fn check_all(&self) -> Result<CheckReport> {
        let messages: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("PRAGMA integrity_check")
                .map_err(|e| self.sqlite_err(e))?;
            match stmt
                .query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<_>>())
            {
                Ok(messages) => messages,
                // A page that does not decrypt (its HMAC fails) stops the
                // check with SQLite's error rather than a message: it is
                // damage all the same.
                Err(e @ rusqlite::Error::SqliteFailure(..)) => {
                    vec![format!("a page could not be read through the key ({e})")]
                }
                Err(e) => return Err(self.sqlite_err(e)),
            }
        };
        if messages != ["ok"] {
            return Ok(CheckReport::Corrupt { messages });
        }
        let mut walk = self.start_chain_walk()?;
        self.walk_chain(&mut walk, None)?;
        let report = walk.outcome.expect("a walk without a limit finishes");
        // Past a broken chain nothing can be trusted; with the chain whole,
        // the rows and the rest must answer to it.
        if matches!(
            report,
            CheckReport::Broken { .. } | CheckReport::Corrupt { .. }
        ) {
            return Ok(report);
        }
        let mut findings = Findings::default();
        self.find_all(&mut findings)
            .map_err(|e| self.sqlite_err(e))?;
        Ok(match report {
            CheckReport::CheckpointBroken {
                events,
                checkpoint_at,
                problem,
                ..
            } => CheckReport::CheckpointBroken {
                events,
                checkpoint_at,
                problem,
                findings: findings.listed,
            },
            CheckReport::Verified { events } if findings.total > 0 => CheckReport::Altered {
                events,
                more: findings.total - findings.listed.len(),
                findings: findings.listed,
            },
            report => report,
        })
    }

    /// Everything beyond the chain that must answer to it: the schema, the
    /// checkpoints the trail says it signed, every row, the search index.
    fn find_all(&self, findings: &mut Findings) -> rusqlite::Result<()> {
        let version = crate::store::schema::version(&self.conn, &self.path).unwrap_or(0);
        for d in crate::store::schema::schema_differences(&self.conn, version)? {
            findings.add(format!("schema: {d}"));
        }
        self.find_missing_checkpoints(findings)?;
        let events: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit_event", [], |r| r.get(0))?;
        for problem in super::tree::problems(&self.conn, events)? {
            findings.add(problem);
        }
        for table in super::ledger::state_tables(&self.conn)? {
            self.find_row_problems(&table, findings)?;
        }
        self.find_search_index_problems(findings)
    }

    /// Every checkpoint the trail records signing (`audit.checkpoint` and
    /// `audit.export` events) must still be in the case file.
    fn find_missing_checkpoints(&self, findings: &mut Findings) -> rusqlite::Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, action, details FROM audit_event
             WHERE action IN ('audit.checkpoint', 'audit.export') AND outcome = 'ok' ORDER BY seq",
        )?;
        let mut exists = self
            .conn
            .prepare("SELECT 1 FROM checkpoint WHERE tree_size = ?1 AND root_hash = ?2")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let (seq, action, details): (i64, String, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?);
            let parsed: serde_json::Value = serde_json::from_str(&details).unwrap_or_default();
            let size = parsed["tree_size"].as_i64();
            let root = parsed["root"].as_str();
            let found = match (size, root) {
                (Some(size), Some(root)) => exists.exists(rusqlite::params![size, root])?,
                _ => false,
            };
            if !found {
                findings.add(format!(
                    "checkpoint: seq {seq} ({action}) signed a checkpoint of {} events that the case file no longer holds",
                    size.map_or("?".into(), |s| s.to_string())
                ));
            }
        }
        Ok(())
    }

    /// Each row of `table` against the latest commitment to it: changed,
    /// missing (committed, gone) or unwritten (no live commitment).
    fn find_row_problems(&self, table: &str, findings: &mut Findings) -> rusqlite::Result<()> {
        use super::ledger::{TableInfo, current_digest, label, latest, quote};
        let conn = &self.conn;
        let info = TableInfo::read(conn, table)?;
        // The latest commitment per row, read in key order off the primary
        // key of audit_row: the last entry of each run of one key.
        let mut stmt = conn.prepare(
            "SELECT row_key, seq, digest FROM audit_row WHERE tbl = ?1 ORDER BY row_key, seq",
        )?;
        let mut rows = stmt.query([table])?;
        let mut present: i64 = 0;
        let mut check = |key: &str, seq: i64, digest: &Option<String>| -> rusqlite::Result<()> {
            let Some(committed) = digest else {
                return Ok(());
            };
            match current_digest(conn, &info, key)? {
                None => findings.add_with(|| {
                    Ok(format!(
                        "{table} {}: missing: seq {seq} wrote it, and it is gone",
                        label(conn, &info, key)?
                    ))
                }),
                Some(d) if d == *committed => {
                    present += 1;
                    Ok(())
                }
                Some(_) => {
                    present += 1;
                    findings.add_with(|| {
                        Ok(format!(
                            "{table} {}: changed since seq {seq} wrote it",
                            label(conn, &info, key)?
                        ))
                    })
                }
            }
        };
        let mut run: Option<(String, i64, Option<String>)> = None;
        while let Some(row) = rows.next()? {
            let entry: (String, i64, Option<String>) = (row.get(0)?, row.get(1)?, row.get(2)?);
            if let Some((key, seq, digest)) = run.take()
                && key != entry.0
            {
                check(&key, seq, &digest)?;
            }
            run = Some(entry);
        }
        if let Some((key, seq, digest)) = run {
            check(&key, seq, &digest)?;
        }
        let stored: i64 = conn.query_row(
            &format!("SELECT count(*) FROM main.{}", quote(table)),
            [],
            |r| r.get(0),
        )?;
        if stored == present {
            return Ok(());
        }
        // Some row has no live commitment: find which.
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM main.{}",
            info.key_sql(""),
            quote(table)
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            match latest(conn, table, &key)? {
                Some((_, Some(_))) => {}
                Some((seq, None)) => findings.add_with(|| {
                    Ok(format!(
                        "{table} {}: present, but seq {seq} recorded it as removed",
                        label(conn, &info, &key)?
                    ))
                })?,
                None => findings.add_with(|| {
                    Ok(format!(
                        "{table} {}: added outside ccu: no audit event wrote it",
                        label(conn, &info, &key)?
                    ))
                })?,
            }
        }
        Ok(())
    }

    /// The search index is derived: it must hold exactly what the records
    /// make (the same forms, and the same rowids, as the schema's triggers). One pass over the
    /// index looks each entry's record up by its id; the counts then show
    /// whether any record has no entry, and only then is it looked for.
    fn find_search_index_problems(&self, findings: &mut Findings) -> rusqlite::Result<()> {
        const MADE: &str = "
            (s.kind = 'intelligence' AND s.rowid = s.item_id * 16 + 0
                AND EXISTS (SELECT 1 FROM intelligence r WHERE r.id = s.item_id
                AND s.title = r.urn || ' ' || r.summary AND s.body = r.full_text))
            OR (s.kind = 'operation' AND s.rowid = s.item_id * 16 + 1
                AND EXISTS (SELECT 1 FROM operation r WHERE r.id = s.item_id
                AND s.title = r.codename || ' ' || r.urn
                AND s.body = r.description || ' ' || coalesce(r.outcome, '') || ' ' || coalesce(r.lessons_learned, '')))
            OR (s.kind = 'subject' AND s.rowid = s.item_id * 16 + 2
                AND EXISTS (SELECT 1 FROM subject r WHERE r.id = s.item_id
                AND s.title = r.name AND s.body = r.staff_number || ' ' || r.department || ' ' || r.role))
            OR (s.kind = 'decision' AND s.rowid = s.item_id * 16 + 3
                AND EXISTS (SELECT 1 FROM decision_log_entry r WHERE r.id = s.item_id
                AND s.title = r.decision AND s.body = r.rationale || ' ' || r.alternatives))
            OR (s.kind = 'bid' AND s.rowid = s.item_id * 16 + 4
                AND EXISTS (SELECT 1 FROM bid r JOIN operation o ON o.id = r.operation_id WHERE r.id = s.item_id
                AND s.title = r.urn || ' ' || o.codename
                AND s.body = r.justification || coalesce((SELECT ' ' || group_concat(line, ' ') FROM (SELECT t.label || ' ' || l.justification AS line
                FROM bid_line l JOIN resource_type t ON t.code = l.resource
                WHERE l.bid_id = r.id ORDER BY l.number)), '')))
            OR (s.kind = 'authorisation' AND s.rowid = s.item_id * 16 + 5
                AND EXISTS (SELECT 1 FROM authorisation r JOIN operation o ON o.id = r.operation_id WHERE r.id = s.item_id
                AND s.title = r.urn || ' ' || o.codename
                AND s.body = r.kind || ' ' || r.description || ' ' || r.necessity || ' ' || r.proportionality
                    || ' ' || r.collateral_intrusion))
            OR (s.kind = 'referral' AND s.rowid = s.item_id * 16 + 6
                AND EXISTS (SELECT 1 FROM referral r LEFT JOIN operation o ON o.id = r.operation_id WHERE r.id = s.item_id
                AND s.title = r.urn || ' ' || r.force_reference || coalesce(' ' || o.codename, '')
                AND s.body = r.matter_type || ' ' || r.criterion || ' ' || r.summary || coalesce(' ' || r.iopc_reference, '')))
            OR (s.kind = 'lesson' AND s.rowid = s.item_id * 16 + 7
                AND EXISTS (SELECT 1 FROM operation r WHERE r.id = s.item_id AND r.lessons_learned IS NOT NULL
                AND s.title = r.codename || ' ' || r.urn
                AND s.body = r.lessons_learned || coalesce((SELECT ' ' || group_concat(sent, ' ') FROM (SELECT d.department || coalesce(' ' || p.response, '') AS sent
                FROM lesson_dissemination d LEFT JOIN lesson_response p ON p.dissemination_id = d.id
                WHERE d.operation_id = r.id ORDER BY d.id)), '')))";
        const RECORDS: &str = "
            SELECT 'intelligence', id FROM intelligence UNION ALL SELECT 'operation', id FROM operation
            UNION ALL SELECT 'subject', id FROM subject UNION ALL SELECT 'decision', id FROM decision_log_entry
            UNION ALL SELECT 'bid', id FROM bid UNION ALL SELECT 'authorisation', id FROM authorisation
            UNION ALL SELECT 'referral', id FROM referral
            UNION ALL SELECT 'lesson', id FROM operation WHERE lessons_learned IS NOT NULL";
        let conn = &self.conn;
        let entry = |kind: Option<String>, id: rusqlite::types::ValueRef<'_>, what: &str| {
            let id = match id {
                rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                other => format!("{other:?}"),
            };
            crate::sanitise::for_terminal(&format!(
                "search index: the entry for {} {id} {what} (the index is derived from the records)",
                kind.unwrap_or_default()
            ))
            .into_owned()
        };
        let mut stmt = conn.prepare(&format!(
            "SELECT s.kind, s.item_id FROM search_index s WHERE NOT coalesce({MADE}, 0) ORDER BY 1, 2"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            findings.add(entry(
                row.get(0)?,
                row.get_ref(1)?,
                "is not what the record makes",
            ));
        }
        let (indexed, distinct, records): (i64, i64, i64) = conn.query_row(
            &format!(
                "SELECT (SELECT count(*) FROM search_index),
                        (SELECT count(*) FROM (SELECT DISTINCT kind, item_id FROM search_index)),
                        (SELECT count(*) FROM ({RECORDS}))"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if indexed != distinct {
            findings.add(format!(
                "search index: it holds {} entries more than once",
                indexed - distinct
            ));
        }
        if distinct != records {
            let mut stmt = conn.prepare(&format!(
                "SELECT * FROM ({RECORDS} EXCEPT SELECT kind, item_id FROM search_index) ORDER BY 1, 2"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                findings.add(entry(
                    row.get(0)?,
                    row.get_ref(1)?,
                    "is missing from the search index",
                ));
            }
            if distinct > records {
                findings.add(format!(
                    "search index: it holds {} entries where the records make {records}",
                    distinct
                ));
            }
        }
        Ok(())
    }

    /// Verifies the newest `events` events of the audit chain (every one,
    /// on a trail no longer than that): each hashes to its contents, links
    /// to the one before, and holds exactly the row commitments it made.
    /// Quick enough for every login on a trail of ten million events,
    /// where the whole walk ([`CaseFile::check`]) takes about a minute; it
    /// reads only, and asks no permission (it shows no case content).
    pub fn verify_tail(&self, events: u32) -> Result<TailCheck> {
        let newest: i64 = self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM audit_event", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sqlite_err(e))?;
        let start = newest - i64::from(events);
        let mut walk = if start <= 0 {
            self.start_chain_walk()?
        } else {
            // The event before the tail is trusted as it stands, so the
            // walk starts from it as a step of verification resumes.
            let before: Option<(String, bool)> = self
                .conn
                .query_row(
                    "SELECT hash, rows_hash IS NOT NULL FROM audit_event WHERE seq = ?1",
                    [start],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(|e| self.sqlite_err(e))?;
            let Some((hash, v2)) = before else {
                return Ok(TailCheck {
                    from: start,
                    through: newest,
                    whole: false,
                    broken: Some((start, format!("event {start} is missing"))),
                });
            };
            ChainWalk {
                verifier: ChainVerifier::after(start, &hash, v2),
                last: Some((start, hash)),
                checkpoint: None,
                rows_seen: 0,
                total: newest,
                outcome: None,
            }
        };
        let whole = start <= 0;
        // A tail walk stops after its events, before the verdict on the
        // whole trail (the checkpoint, the count of row commitments).
        self.walk_chain(&mut walk, (!whole).then_some(events))?;
        let broken = walk.broken();
        Ok(TailCheck {
            from: start.max(0) + 1,
            through: newest,
            whole,
            broken,
        })
    }

    /// A walk from the start of the trail, against the latest signed
    /// checkpoint as it is now.
    pub(super) fn start_chain_walk(&self) -> Result<ChainWalk> {
        // The newest seq, from the primary key: counting ten million rows
        // took most of a second, in a step meant to take a frame. A trail
        // with a gap holds fewer, and the walk finds the gap.
        let total: i64 = self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM audit_event", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sqlite_err(e))?;
        let checkpoint = match super::keys::latest(&self.conn).map_err(|e| self.sqlite_err(e))? {
            None => None,
            Some((size, at, note)) => {
                let tree = RootBuilder::new();
                Some(CheckpointWalk {
                    size,
                    at,
                    note,
                    // The root of no events at all is known before the walk.
                    root: (size == 0).then(|| tree.root()),
                    tree,
                })
            }
        };
        Ok(ChainWalk {
            verifier: ChainVerifier::new(&self.id),
            last: None,
            checkpoint,
            rows_seen: 0,
            total,
            outcome: None,
        })
    }

    /// Verifies up to `max_events` more events (all the rest if None), in
    /// `seq` order from where `walk` stopped. Sets `walk.outcome` when the
    /// chain breaks or the trail runs out.
    pub(super) fn walk_chain(&self, walk: &mut ChainWalk, max_events: Option<u32>) -> Result<()> {
        if walk.outcome.is_some() {
            return Ok(());
        }
        let limit = max_events.map_or(-1, i64::from);
        let mut locate = self
            .conn
            .prepare("SELECT seq FROM audit_event WHERE hash = ?1")
            .map_err(|e| self.sqlite_err(e))?;
        // Carrying on, the query starts at the last verified event itself
        // (skipped below): were its seq held twice, by a table rebuilt from
        // outside ccu, the second would then be read, as in one walk.
        let mut stmt = match &walk.last {
            None => self.conn.prepare(&format!(
                "SELECT {EVENT_COLUMNS} FROM audit_event ORDER BY seq LIMIT ?1"
            )),
            Some(_) => self.conn.prepare(&format!(
                "SELECT {EVENT_COLUMNS} FROM audit_event WHERE seq >= ?2 ORDER BY seq LIMIT ?1 + 1"
            )),
        }
        .map_err(|e| self.sqlite_err(e))?;
        let mut rows = match &walk.last {
            None => stmt.query([limit]),
            Some((seq, _)) => stmt.query([limit, *seq]),
        }
        .map_err(|e| self.sqlite_err(e))?;
        // The row commitments, read alongside the events in seq order
        // (audit_row_by_seq covers them); commitments for an event that
        // made none are passed over here and caught by the count at the end.
        let mut commitments_of = self
            .conn
            .prepare(
                "SELECT seq, tbl, row_key, digest FROM audit_row WHERE seq >= ?1 ORDER BY seq, tbl, row_key",
            )
            .map_err(|e| self.sqlite_err(e))?;
        let first = walk.last.as_ref().map_or(1, |(seq, _)| seq + 1);
        let mut commitments = commitments_of
            .query([first])
            .map_err(|e| self.sqlite_err(e))?;
        let mut peeked: Option<(i64, String, String, Option<String>)> = None;
        let empty = crate::audit::rows::empty_rows_hash();
        let mut resumed = walk.last.clone();
        let mut read: i64 = 0;
        while let Some(row) = rows.next().map_err(|e| self.sqlite_err(e))? {
            let event = fields_from_row(row);
            if let (Some((seq, hash)), Ok(e)) = (resumed.take(), &event)
                && e.seq == seq
                && e.hash == hash
            {
                // The event the walk stopped at, verified then: it must
                // still hash to what its contents make.
                if crate::audit::hash_matches(e) {
                    continue;
                }
                walk.outcome = Some(CheckReport::Broken {
                    verified: seq - 1,
                    at: ChainBreak {
                        seq,
                        problem: Problem::HashMismatch,
                    },
                });
                return Ok(());
            }
            read += 1;
            let pushed = match event {
                Ok(event) => walk
                    .verifier
                    .push_fields(&event, |hash| {
                        locate
                            .query_row([hash], |r| r.get(0))
                            .optional()
                            .ok()
                            .flatten()
                    })
                    .map(|()| event),
                Err(e) => Err(walk.verifier.malformed(e.to_string())),
            };
            // A version 2 event's rows must be exactly those it committed to.
            let pushed = pushed.and_then(|event| match event.rows_hash {
                Some(hash) if hash != empty => {
                    let malformed = |e: rusqlite::Error| ChainBreak {
                        seq: event.seq,
                        problem: Problem::Malformed {
                            detail: format!("a row commitment cannot be read: {e}"),
                        },
                    };
                    let mut hasher = crate::audit::rows::RowsHasher::new();
                    loop {
                        if peeked.is_none() {
                            peeked = match commitments.next().map_err(malformed)? {
                                None => break,
                                Some(r) => Some(
                                    (|| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))()
                                        .map_err(malformed)?,
                                ),
                            };
                        }
                        match &peeked {
                            Some((seq, ..)) if *seq < event.seq => peeked = None,
                            Some((seq, tbl, key, digest)) if *seq == event.seq => {
                                hasher.push(tbl, key, digest.as_deref());
                                peeked = None;
                            }
                            _ => break,
                        }
                    }
                    walk.rows_seen += hasher.count() as i64;
                    if hasher.finish() == hash {
                        Ok(event)
                    } else {
                        Err(ChainBreak {
                            seq: event.seq,
                            problem: Problem::RowsMismatch,
                        })
                    }
                }
                _ => Ok(event),
            });
            match pushed {
                Ok(event) => {
                    walk.add_leaf(event.hash);
                    walk.last = Some((event.seq, event.hash.to_owned()));
                }
                Err(at) => {
                    walk.outcome = Some(CheckReport::Broken {
                        verified: at.seq - 1,
                        at,
                    });
                    return Ok(());
                }
            }
        }
        walk.total = walk.total.max(walk.verified());
        if limit < 0 || read < limit {
            self.finish_chain_walk(walk)?;
        }
        Ok(())
    }

    /// The verdict once every event has chained: the latest checkpoint
    /// must verify with the case file's key, and the first `tree_size`
    /// events must still have its Merkle root. This catches a trail cut
    /// short, or rewritten and re-hashed consistently, since it was signed.
    fn finish_chain_walk(&self, walk: &mut ChainWalk) -> Result<()> {
        let events = walk.verified();
        walk.total = events;
        let problem = match &walk.checkpoint {
            None => None,
            Some(cp) => self
                .checkpoint_problem(cp, events)?
                .map(|problem| (cp.at.clone(), problem)),
        };
        if problem.is_none()
            && let Some(at) = self.stray_rows(walk)?
        {
            walk.outcome = Some(CheckReport::Broken {
                verified: at.seq - 1,
                at,
            });
            return Ok(());
        }
        walk.outcome = Some(match problem {
            Some((checkpoint_at, problem)) => CheckReport::CheckpointBroken {
                events,
                checkpoint_at,
                problem,
                findings: Vec::new(),
            },
            None => CheckReport::Verified { events },
        });
        Ok(())
    }

    /// Row commitments that belong to no event that committed to them
    /// (added to an event that wrote no rows, or to no event at all): the
    /// walk counted every commitment it checked, so any more are stray.
    fn stray_rows(&self, walk: &ChainWalk) -> Result<Option<ChainBreak>> {
        let stored: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit_row", [], |r| r.get(0))
            .map_err(|e| self.sqlite_err(e))?;
        if stored == walk.rows_seen {
            return Ok(None);
        }
        let seq: Option<i64> = self
            .conn
            .query_row(
                "SELECT min(r.seq) FROM audit_row r LEFT JOIN audit_event e ON e.seq = r.seq
                 WHERE e.seq IS NULL OR e.rows_hash IS NULL OR e.rows_hash = ?1",
                [crate::audit::rows::empty_rows_hash()],
                |r| r.get(0),
            )
            .map_err(|e| self.sqlite_err(e))?;
        let seq = seq.unwrap_or(walk.verified() + 1);
        Ok(Some(ChainBreak {
            seq,
            problem: if seq <= walk.verified() {
                Problem::RowsMismatch
            } else {
                Problem::Malformed {
                    detail: "audit_row holds row commitments for an event the trail does not have"
                        .into(),
                }
            },
        }))
    }

    fn checkpoint_problem(&self, cp: &CheckpointWalk, events: i64) -> Result<Option<String>> {
        let size = cp.size;
        let verifier = match super::keys::load(&self.conn).map_err(|e| self.sqlite_err(e))? {
            Some(key) => crate::audit::checkpoint::verifier_key(
                &crate::audit::checkpoint::Checkpoint::origin_for(&self.id),
                &key.verifying_key(),
            ),
            None => {
                return Ok(Some(
                    "the case file's signing key is gone, so no checkpoint can be verified".into(),
                ));
            }
        };
        let signed = match crate::audit::checkpoint::verify(&cp.note, &verifier) {
            Ok(signed) => signed,
            Err(e) => return Ok(Some(e.to_string())),
        };
        if signed.tree_size != size as u64 {
            return Ok(Some(
                "the stored checkpoint's size differs from its signed size".into(),
            ));
        }
        if events < size {
            return Ok(Some(format!(
                "it covers {size} events, but only {events} remain: the trail was cut short"
            )));
        }
        if cp.root != Some(signed.root) {
            return Ok(Some(format!(
                "events 1 to {size} no longer have the Merkle root that was signed: the trail was rewritten"
            )));
        }
        Ok(None)
    }
}

/// An audit event's fields, borrowed from a row of [`EVENT_COLUMNS`].
pub(super) fn fields_from_row<'r>(row: &'r rusqlite::Row<'_>) -> rusqlite::Result<EventFields<'r>> {
    let text = |i: usize| -> rusqlite::Result<&'r str> {
        row.get_ref(i)?.as_str().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(EventFields {
        seq: row.get(0)?,
        at: text(1)?,
        actor: text(2)?,
        actor_roles: text(3)?,
        action: text(4)?,
        entity_type: text(5)?,
        entity_ref: text(6)?,
        outcome: text(7)?,
        details: text(8)?,
        rows_hash: row.get_ref(9)?.as_str_or_null().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, Box::new(e))
        })?,
        prev_hash: text(10)?,
        hash: text(11)?,
    })
}

/// An audit event from a row of the columns in table order.
pub(super) fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        actor_roles: row.get(3)?,
        action: row.get(4)?,
        entity_type: row.get(5)?,
        entity_ref: row.get(6)?,
        outcome: row.get(7)?,
        details: row.get(8)?,
        rows_hash: row.get(9)?,
        prev_hash: row.get(10)?,
        hash: row.get(11)?,
    })
}
