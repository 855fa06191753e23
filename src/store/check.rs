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
    /// The chain is consistent, but no longer extends the latest signed
    /// checkpoint: the trail was cut short or rewritten since it was signed.
    CheckpointBroken {
        events: i64,
        checkpoint_at: String,
        problem: String,
    },
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
        let events = verifier.verified();
        if let Some(problem) = self.check_latest_checkpoint(events)? {
            return Ok(problem);
        }
        Ok(CheckReport::Verified { events })
    }

    /// The latest signed checkpoint must verify with the case file's key,
    /// and the first `tree_size` events must still have its Merkle root.
    /// This catches a trail cut short, or rewritten and re-hashed
    /// consistently, since the checkpoint was signed.
    fn check_latest_checkpoint(&self, events: i64) -> Result<Option<CheckReport>> {
        let Some((size, at, note)) =
            super::keys::latest(&self.conn).map_err(|e| self.sqlite_err(e))?
        else {
            return Ok(None);
        };
        let broken = |problem: String| {
            Ok(Some(CheckReport::CheckpointBroken {
                events,
                checkpoint_at: at.clone(),
                problem,
            }))
        };
        let (verifier, _) = self.verifier_key()?;
        let checkpoint = match crate::audit::checkpoint::verify(&note, &verifier) {
            Ok(cp) => cp,
            Err(e) => return broken(e.to_string()),
        };
        if checkpoint.tree_size != size as u64 {
            return broken("the stored checkpoint's size differs from its signed size".into());
        }
        if events < size {
            return broken(format!(
                "it covers {size} events, but only {events} remain: the trail was cut short"
            ));
        }
        let leaves =
            super::keys::leaves(&self.conn, Some(size as u64)).map_err(|e| self.sqlite_err(e))?;
        if crate::audit::merkle::root(&leaves) != checkpoint.root {
            return broken(format!(
                "events 1 to {size} no longer have the Merkle root that was signed: the trail was rewritten"
            ));
        }
        Ok(None)
    }
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
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}
