//! `ccu check`: SQLite's own integrity check and the audit chain, end to end.

use rusqlite::OptionalExtension;

use super::{CaseFile, Result};
use crate::audit::{ChainBreak, ChainVerifier, Event};

/// What `ccu check` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckReport {
    /// The database is sound and every event chains.
    Verified { events: i64 },
    /// `PRAGMA integrity_check` reported problems (its own words).
    Corrupt { messages: Vec<String> },
    /// The chain fails at an event; `verified` events before it are sound.
    Broken { verified: i64, at: ChainBreak },
}

impl CaseFile {
    /// Runs `PRAGMA integrity_check`, then walks the whole audit trail in
    /// `seq` order, one event at a time.
    pub fn check(&self) -> Result<CheckReport> {
        let messages: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("PRAGMA integrity_check")
                .map_err(|e| self.sqlite_err(e))?;
            stmt.query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<_>>())
                .map_err(|e| self.sqlite_err(e))?
        };
        if messages != ["ok"] {
            return Ok(CheckReport::Corrupt { messages });
        }

        let mut verifier = ChainVerifier::new(&self.id);
        let mut locate = self
            .conn
            .prepare("SELECT seq FROM audit_event WHERE hash = ?1")
            .map_err(|e| self.sqlite_err(e))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, actor, actor_roles, action, entity_type, entity_ref,
                        outcome, details, prev_hash, hash
                 FROM audit_event ORDER BY seq",
            )
            .map_err(|e| self.sqlite_err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sqlite_err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite_err(e))? {
            let pushed = match event_from_row(row) {
                Ok(event) => verifier.push(&event, |hash| {
                    locate
                        .query_row([hash], |r| r.get(0))
                        .optional()
                        .ok()
                        .flatten()
                }),
                Err(e) => Err(verifier.malformed(e.to_string())),
            };
            if let Err(at) = pushed {
                return Ok(CheckReport::Broken {
                    verified: at.seq - 1,
                    at,
                });
            }
        }
        Ok(CheckReport::Verified {
            events: verifier.verified(),
        })
    }
}

fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
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
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}
