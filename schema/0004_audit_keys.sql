-- 0004: the case file's signing key and the signed checkpoints of its audit
-- trail. A checkpoint commits to the RFC 9162 Merkle root of the first
-- tree_size events; `ccu check` verifies that the trail still extends the
-- latest one. Both tables are append-only.

CREATE TABLE signing_key (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    public_key TEXT NOT NULL CHECK (length(public_key) = 64),  -- hex, Ed25519
    secret_key TEXT NOT NULL CHECK (length(secret_key) = 64),  -- hex seed
    created_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER signing_key_no_update BEFORE UPDATE ON signing_key
BEGIN
    SELECT RAISE(ABORT, 'the signing key cannot be changed: oversight holds its public half');
END;

CREATE TRIGGER signing_key_no_delete BEFORE DELETE ON signing_key
BEGIN
    SELECT RAISE(ABORT, 'the signing key cannot be deleted: oversight holds its public half');
END;

CREATE TABLE checkpoint (
    id        INTEGER PRIMARY KEY,
    tree_size INTEGER NOT NULL CHECK (tree_size >= 0),
    root_hash TEXT NOT NULL,        -- hex
    at        TEXT NOT NULL,
    note      TEXT NOT NULL         -- the signed note, exactly as signed
) STRICT;

CREATE TRIGGER checkpoint_no_update BEFORE UPDATE ON checkpoint
BEGIN
    SELECT RAISE(ABORT, 'a checkpoint is never changed');
END;

CREATE TRIGGER checkpoint_no_delete BEFORE DELETE ON checkpoint
BEGIN
    SELECT RAISE(ABORT, 'a checkpoint is never deleted');
END;
