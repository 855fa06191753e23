-- 0001: the case file's identity, user accounts and roles, and the
-- append-only, hash-chained audit trail.

-- 'CCU1': lets ccu tell its own files from any other SQLite database
-- without touching them (read from the file header before opening).
PRAGMA application_id = 1128486193;

-- One row: the case file's own random id, which seeds the audit chain.
CREATE TABLE casefile (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    id         TEXT NOT NULL CHECK (length(id) = 32),
    created_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER casefile_no_update BEFORE UPDATE ON casefile
BEGIN
    SELECT RAISE(ABORT, 'the case file id is fixed at init and cannot be changed');
END;

CREATE TRIGGER casefile_no_delete BEFORE DELETE ON casefile
BEGIN
    SELECT RAISE(ABORT, 'the case file id is fixed at init and cannot be deleted');
END;

CREATE TABLE user_account (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    rank          TEXT NOT NULL,
    -- argon2id, PHC string format
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    status        TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at    TEXT NOT NULL
) STRICT;

CREATE TRIGGER user_account_no_delete BEFORE DELETE ON user_account
BEGIN
    SELECT RAISE(ABORT, 'user accounts are never deleted: disable the account instead');
END;

CREATE TABLE user_role (
    user_id INTEGER NOT NULL REFERENCES user_account (id),
    role    TEXT NOT NULL CHECK (role IN ('investigator', 'supervisor',
                'authorising-officer', 'auditor', 'administrator')),
    PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;

-- The audit trail. docs/audit-format.md defines how `hash` is computed.
CREATE TABLE audit_event (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_roles TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_ref  TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'denied')),
    details     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: an event cannot be changed');
END;

CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: an event cannot be deleted');
END;
