-- 0012: the audit trail's Merkle tree, kept as events are appended.
--
-- A checkpoint signs the RFC 9162 Merkle root of the trail, and an export
-- proves each entry it holds with an inclusion proof and each earlier
-- checkpoint with a consistency proof. Computed from the leaves, each of
-- these read every event (1.1 s for a checkpoint at a million events, and
-- a filtered export recomputed subtrees for every proof). Each complete
-- subtree of 16 leaves or more is stored here once its last event is
-- appended, so each of them now reads O(log n) nodes; subtrees of fewer
-- than 16 leaves are hashed from the events themselves.
--
-- `level` 4 holds the subtree of events idx*16+1 to idx*16+16; level L+1
-- joins idx 2i and 2i+1 of level L (SHA-256 of 0x01, left, right). The
-- nodes are derived: `ccu check` recomputes each one from the events. The
-- rows for the events already in the trail are computed by the migration
-- (src/store/tree.rs, `build_all`). The table is append-only, like the
-- trail.

CREATE TABLE audit_node (
    level INTEGER NOT NULL CHECK (level BETWEEN 4 AND 62),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER audit_node_no_update BEFORE UPDATE ON audit_node
BEGIN
    SELECT RAISE(ABORT, 'the audit tree is append-only: a node cannot be changed');
END;

CREATE TRIGGER audit_node_no_delete BEFORE DELETE ON audit_node
BEGIN
    SELECT RAISE(ABORT, 'the audit tree is append-only: a node cannot be deleted');
END;
