//! `ccu check`: SQLite's own integrity check and the audit chain, end to end.
//!
//! The chain is walked by [`ChainWalk`], which can stop after any number of
//! events and carry on later: `ccu check` walks it in one go, and a screen
//! in steps ([`CaseFile::verify_chain_step`](super::CaseFile::verify_chain_step)),
//! so both reach their verdict through the same code.

use rusqlite::OptionalExtension;

use super::{CaseFile, Result};
use crate::audit::merkle::{self, Hash, RootBuilder};
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

/// How far a walk along the audit chain has got: the verifier's state, the
/// last event it accepted, and the latest signed checkpoint with the Merkle
/// root of the events seen so far. Everything needed to carry on is here,
/// so a walk can stop after any event and resume from a clone.
#[derive(Debug, Clone)]
pub(super) struct ChainWalk {
    verifier: ChainVerifier,
    /// The seq and hash of the last event verified.
    last: Option<(i64, String)>,
    checkpoint: Option<CheckpointWalk>,
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

const EVENT_COLUMNS: &str = "seq, at, actor, actor_roles, action, entity_type, entity_ref,
                             outcome, details, prev_hash, hash";

impl CaseFile {
    /// Runs `PRAGMA integrity_check`, then walks the whole audit trail in
    /// `seq` order, one event at a time, and checks the latest signed
    /// checkpoint against it.
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
        let mut walk = self.start_chain_walk()?;
        self.walk_chain(&mut walk, None)?;
        Ok(walk.outcome.expect("a walk without a limit finishes"))
    }

    /// A walk from the start of the trail, against the latest signed
    /// checkpoint as it is now.
    pub(super) fn start_chain_walk(&self) -> Result<ChainWalk> {
        let total: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit_event", [], |r| r.get(0))
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
        let mut resumed = walk.last.clone();
        let mut read: i64 = 0;
        while let Some(row) = rows.next().map_err(|e| self.sqlite_err(e))? {
            let event = event_from_row(row);
            if let (Some((seq, hash)), Ok(e)) = (resumed.take(), &event)
                && e.seq == seq
                && e.hash == hash
            {
                continue;
            }
            read += 1;
            let pushed = match event {
                Ok(event) => walk
                    .verifier
                    .push(&event, |hash| {
                        locate
                            .query_row([hash], |r| r.get(0))
                            .optional()
                            .ok()
                            .flatten()
                    })
                    .map(|()| event),
                Err(e) => Err(walk.verifier.malformed(e.to_string())),
            };
            match pushed {
                Ok(event) => {
                    walk.add_leaf(&event.hash);
                    walk.last = Some((event.seq, event.hash));
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
        walk.outcome = Some(match problem {
            Some((checkpoint_at, problem)) => CheckReport::CheckpointBroken {
                events,
                checkpoint_at,
                problem,
            },
            None => CheckReport::Verified { events },
        });
        Ok(())
    }

    fn checkpoint_problem(&self, cp: &CheckpointWalk, events: i64) -> Result<Option<String>> {
        let size = cp.size;
        let (verifier, _) = self.verifier_key()?;
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
