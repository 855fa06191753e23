//! The audit trail's Merkle tree, kept as events are appended
//! (`audit_node`, schema 0012), so that a checkpoint's root, an inclusion
//! proof and a consistency proof each read O(log n) stored hashes instead
//! of every leaf.
//!
//! Every complete subtree of [`STORED_LEVEL`] levels or more (16 leaves or
//! more) is stored once its last leaf is appended: about one node per eight
//! events. Smaller subtrees are hashed from the events' own hashes, at most
//! eight of them. The nodes are derived data: `ccu check` recomputes every
//! one from the events, and signing checks the nodes it relies on (see
//! `keys::verify_since_checkpoint`).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::audit::merkle::{self, Hash, Subtrees};

/// The lowest level stored: subtrees of 2^4 = 16 leaves.
pub(super) const STORED_LEVEL: u32 = 4;

/// Leaves per stored subtree of the lowest stored level.
const BLOCK: i64 = 1 << STORED_LEVEL;

/// Why the tree could not be read.
#[derive(Debug)]
pub(super) enum TreeError {
    Sqlite(rusqlite::Error),
    /// A stored subtree that should be there is not.
    Missing {
        level: u32,
        index: u64,
    },
    /// The trail has no event `seq`, which a subtree covers; `found` is
    /// the next it has, if any.
    Gap {
        seq: i64,
        found: Option<i64>,
    },
}

impl TreeError {
    /// As `ccu check` would report what made the tree unreadable.
    pub fn report(self, events: i64) -> Result<crate::store::CheckReport, rusqlite::Error> {
        use crate::audit::{ChainBreak, Problem};
        Ok(match self {
            TreeError::Sqlite(e) => return Err(e),
            TreeError::Gap { seq, found } => crate::store::CheckReport::Broken {
                verified: seq - 1,
                at: ChainBreak {
                    seq,
                    problem: match found {
                        Some(found) => Problem::Gap { found },
                        None => Problem::Malformed {
                            detail: format!("the trail ends before event {seq}"),
                        },
                    },
                },
            },
            missing @ TreeError::Missing { .. } => crate::store::CheckReport::Altered {
                events,
                findings: vec![format!("audit_node: {missing}")],
                more: 0,
            },
        })
    }
}

impl TreeError {
    /// The refusal of a command that needed the tree, as `ccu check` words it.
    pub fn fail(self, events: i64) -> crate::store::write::Fail {
        match self.report(events) {
            Ok(report) => crate::store::write::Fail::Check(report),
            Err(e) => crate::store::write::Fail::Sql(e),
        }
    }
}

impl From<rusqlite::Error> for TreeError {
    fn from(e: rusqlite::Error) -> Self {
        TreeError::Sqlite(e)
    }
}

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TreeError::Sqlite(e) => write!(f, "{e}"),
            TreeError::Missing { level, index } => write!(
                f,
                "the stored Merkle subtree of events {} to {} is missing",
                (index << level) + 1,
                (index + 1) << level
            ),
            TreeError::Gap { seq, .. } => write!(f, "the trail has no event {seq}"),
        }
    }
}

/// The tree as the case file stores it. Subtrees of 1,024 leaves and more
/// are remembered once read, as every proof of a bundle shares them.
pub(super) struct StoredTree<'c> {
    conn: &'c Connection,
    cache: HashMap<(u32, u64), Hash>,
}

impl<'c> StoredTree<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        StoredTree {
            conn,
            cache: HashMap::new(),
        }
    }

    /// MTH of the first `size` events.
    pub fn root(&mut self, size: u64) -> Result<Hash, TreeError> {
        merkle::range_root(self, 0, size)
    }
}

impl Subtrees for StoredTree<'_> {
    type Error = TreeError;

    fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, TreeError> {
        if level < STORED_LEVEL {
            let first = (index << level) as i64 + 1;
            return leaves_root(self.conn, first, 1 << level);
        }
        if let Some(hash) = self.cache.get(&(level, index)) {
            return Ok(*hash);
        }
        let hash = stored(self.conn, level, index)?.ok_or(TreeError::Missing { level, index })?;
        if level >= 10 {
            self.cache.insert((level, index), hash);
        }
        Ok(hash)
    }
}

fn stored(conn: &Connection, level: u32, index: u64) -> rusqlite::Result<Option<Hash>> {
    let blob: Option<Vec<u8>> = conn
        .prepare_cached("SELECT hash FROM audit_node WHERE level = ?1 AND idx = ?2")?
        .query_row(params![level, index as i64], |r| r.get(0))
        .optional()?;
    // A value that is not 32 bytes (altered from outside) reads as a hash
    // of what it holds, so a root over it is wrong rather than unreadable.
    Ok(blob.map(|b| {
        b.as_slice()
            .try_into()
            .unwrap_or_else(|_| merkle::leaf_hash(&b))
    }))
}

/// MTH of the `count` events from `first` on, from their hashes.
fn leaves_root(conn: &Connection, first: i64, count: i64) -> Result<Hash, TreeError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, hash FROM audit_event WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![first, first + count])?;
    let mut leaves = Vec::with_capacity(count as usize);
    let mut expected = first;
    while let Some(row) = rows.next()? {
        let (seq, hash): (i64, String) = (row.get(0)?, row.get(1)?);
        if seq != expected {
            return Err(TreeError::Gap {
                seq: expected,
                found: Some(seq),
            });
        }
        leaves.push(super::check::leaf_of(&hash));
        expected += 1;
    }
    if expected != first + count {
        return Err(TreeError::Gap {
            seq: expected,
            found: None,
        });
    }
    Ok(merkle::root(&leaves))
}

fn tree_broken(e: TreeError) -> rusqlite::Error {
    match e {
        TreeError::Sqlite(e) => e,
        e => super::ledger::raise(super::ledger::Integrity::Tree(e.to_string())),
    }
}

fn insert(conn: &Connection, level: u32, index: u64, hash: &Hash) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO audit_node (level, idx, hash) VALUES (?1, ?2, ?3)")?
        .execute(params![level, index as i64, &hash[..]])?;
    Ok(())
}

/// Called as event `seq` is appended (its row already written): when it
/// completes a block of 16, stores the block's subtree and every larger
/// subtree it completes, each joined to its stored left sibling.
pub(in crate::store) fn appended(conn: &Connection, seq: i64) -> rusqlite::Result<()> {
    if seq % BLOCK != 0 {
        return Ok(());
    }
    let block = (seq / BLOCK - 1) as u64;
    let mut hash = match leaves_root(conn, seq - BLOCK + 1, BLOCK) {
        Ok(hash) => hash,
        Err(TreeError::Sqlite(e)) => return Err(e),
        // The tail was verified before this event was chained to it, so
        // a gap here is in the events before the tail: refuse to build on it.
        Err(e) => return Err(tree_broken(e)),
    };
    let (mut level, mut index) = (STORED_LEVEL, block);
    insert(conn, level, index, &hash)?;
    while index & 1 == 1 {
        let Some(left) = stored(conn, level, index - 1)? else {
            return Err(tree_broken(TreeError::Missing {
                level,
                index: index - 1,
            }));
        };
        hash = merkle::node_hash(&left, &hash);
        level += 1;
        index >>= 1;
        insert(conn, level, index, &hash)?;
    }
    Ok(())
}

/// Stores the subtrees of events appended without the write path (the
/// benchmarks' bulk events), block by block from the last one stored.
pub(in crate::store) fn catch_up(conn: &Connection) -> rusqlite::Result<()> {
    let blocks: i64 = conn.query_row(
        "SELECT coalesce(max(idx) + 1, 0) FROM audit_node WHERE level = ?1",
        [STORED_LEVEL],
        |r| r.get(0),
    )?;
    let events: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM audit_event", [], |r| {
        r.get(0)
    })?;
    let mut seq = (blocks + 1) * BLOCK;
    while seq <= events {
        appended(conn, seq)?;
        seq += BLOCK;
    }
    Ok(())
}

/// Every stored subtree for the trail as it stands, computed in one pass
/// over the events: for a case file from before the tree was stored
/// (schema 0012's migration). Holds one hash per level.
pub(in crate::store) fn build_all(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("SELECT hash FROM audit_event ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut block = Vec::with_capacity(BLOCK as usize);
    // The left siblings still waiting for their right one, lowest level last.
    let mut waiting: Vec<Hash> = Vec::new();
    let mut blocks: u64 = 0;
    while let Some(row) = rows.next()? {
        block.push(super::check::leaf_of(&row.get::<_, String>(0)?));
        if (block.len() as i64) < BLOCK {
            continue;
        }
        let mut hash = merkle::root(&block);
        block.clear();
        let (mut level, mut index) = (STORED_LEVEL, blocks);
        insert(conn, level, index, &hash)?;
        while index & 1 == 1 {
            let left = waiting.pop().expect("one waiting subtree per set bit");
            hash = merkle::node_hash(&left, &hash);
            level += 1;
            index >>= 1;
            insert(conn, level, index, &hash)?;
        }
        waiting.push(hash);
        blocks += 1;
    }
    Ok(())
}

/// What `ccu check` finds wrong with the stored tree: each stored subtree
/// recomputed from the events (the lowest level) or from the checked level
/// below it, and none stored that the trail does not complete. One pass
/// per level, in index order; a few hashes held at a time.
pub(super) fn problems(conn: &Connection, events: i64) -> rusqlite::Result<Vec<String>> {
    let mut found = Vec::new();
    let describe = |level: u32, index: u64| {
        format!(
            "audit_node: the stored Merkle subtree of events {} to {}",
            (index << level) + 1,
            (index + 1) << level
        )
    };
    // Level 4 against the events.
    {
        let mut stmt = conn.prepare("SELECT hash FROM audit_event ORDER BY seq LIMIT ?1")?;
        let mut rows = stmt.query([events])?;
        let mut block = Vec::with_capacity(BLOCK as usize);
        let mut nodes =
            conn.prepare("SELECT idx, hash FROM audit_node WHERE level = ?1 ORDER BY idx")?;
        let mut stored_rows = nodes.query([STORED_LEVEL])?;
        let mut index: u64 = 0;
        let mut compare =
            |index: u64, hash: Hash, found: &mut Vec<String>| -> rusqlite::Result<()> {
                match stored_rows.next()? {
                    Some(row) => {
                        let (idx, blob): (i64, Vec<u8>) = (row.get(0)?, row.get(1)?);
                        if idx as u64 != index {
                            found.push(format!("{} is missing", describe(STORED_LEVEL, index)));
                        } else if blob.as_slice() != hash {
                            found.push(format!(
                                "{} does not answer to them",
                                describe(STORED_LEVEL, index)
                            ));
                        }
                    }
                    None => found.push(format!("{} is missing", describe(STORED_LEVEL, index))),
                }
                Ok(())
            };
        while let Some(row) = rows.next()? {
            block.push(super::check::leaf_of(&row.get::<_, String>(0)?));
            if block.len() as i64 == BLOCK {
                let hash = merkle::root(&block);
                block.clear();
                compare(index, hash, &mut found)?;
                index += 1;
                if found.len() > 3 {
                    return Ok(found);
                }
            }
        }
        if let Some(row) = stored_rows.next()? {
            let idx: i64 = row.get(0)?;
            found.push(format!(
                "{} is stored, but the trail does not complete it",
                describe(STORED_LEVEL, idx as u64)
            ));
        }
    }
    if !found.is_empty() {
        return Ok(found);
    }
    // Each level above from the level below, both read from the table.
    let mut level = STORED_LEVEL;
    loop {
        let mut below =
            conn.prepare("SELECT hash FROM audit_node WHERE level = ?1 ORDER BY idx")?;
        let mut above =
            conn.prepare("SELECT idx, hash FROM audit_node WHERE level = ?1 ORDER BY idx")?;
        let mut below_rows = below.query([level])?;
        let mut above_rows = above.query([level + 1])?;
        let mut index: u64 = 0;
        let mut any = false;
        loop {
            let Some(left) = below_rows.next()? else {
                break;
            };
            let left: Vec<u8> = left.get(0)?;
            let Some(right) = below_rows.next()? else {
                break;
            };
            let right: Vec<u8> = right.get(0)?;
            any = true;
            let to_hash =
                |b: &[u8]| -> Hash { b.try_into().unwrap_or_else(|_| merkle::leaf_hash(b)) };
            let hash = merkle::node_hash(&to_hash(&left), &to_hash(&right));
            match above_rows.next()? {
                Some(row) => {
                    let (idx, blob): (i64, Vec<u8>) = (row.get(0)?, row.get(1)?);
                    if idx as u64 != index {
                        found.push(format!("{} is missing", describe(level + 1, index)));
                    } else if blob.as_slice() != hash {
                        found.push(format!(
                            "{} does not answer to them",
                            describe(level + 1, index)
                        ));
                    }
                }
                None => found.push(format!("{} is missing", describe(level + 1, index))),
            }
            if !found.is_empty() {
                return Ok(found);
            }
            index += 1;
        }
        if let Some(row) = above_rows.next()? {
            let idx: i64 = row.get(0)?;
            found.push(format!(
                "{} is stored, but the trail does not complete it",
                describe(level + 1, idx as u64)
            ));
            return Ok(found);
        }
        if !any {
            return Ok(found);
        }
        level += 1;
    }
}
