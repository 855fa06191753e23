-- 0017: the tactics an application asks for, each with its own necessity
-- and proportionality (domain::tactic), and the grant's decision on each:
-- granted, or refused with its reason. An authorisation grants only the
-- tactics granted. Applications from before tactics were kept have none,
-- and are shown as such. Nothing here is ever changed or deleted.

CREATE TABLE authorisation_tactic (
    id               INTEGER PRIMARY KEY,
    authorisation_id INTEGER NOT NULL REFERENCES authorisation (id),
    -- The order the application lists them in, from 1.
    position         INTEGER NOT NULL CHECK (position >= 1),
    tactic           TEXT NOT NULL,
    necessity        TEXT NOT NULL CHECK (trim(necessity) <> ''),
    proportionality  TEXT NOT NULL CHECK (trim(proportionality) <> ''),
    UNIQUE (authorisation_id, tactic),
    UNIQUE (authorisation_id, position)
) STRICT;

CREATE TABLE authorisation_tactic_decision (
    id         INTEGER PRIMARY KEY,
    tactic_id  INTEGER NOT NULL UNIQUE REFERENCES authorisation_tactic (id),
    granted    INTEGER NOT NULL CHECK (granted IN (0, 1)),
    -- Why it was refused; NULL when granted.
    reason     TEXT,
    decided_at TEXT NOT NULL,
    decided_by INTEGER NOT NULL REFERENCES user_account (id),
    CHECK ((granted = 1 AND reason IS NULL) OR (granted = 0 AND trim(reason) <> ''))
) STRICT;

CREATE TRIGGER authorisation_tactic_no_update BEFORE UPDATE ON authorisation_tactic
BEGIN
    SELECT RAISE(ABORT, 'a tactic applied for is never changed');
END;

CREATE TRIGGER authorisation_tactic_no_delete BEFORE DELETE ON authorisation_tactic
BEGIN
    SELECT RAISE(ABORT, 'a tactic applied for is never deleted');
END;

CREATE TRIGGER authorisation_tactic_decision_no_update BEFORE UPDATE ON authorisation_tactic_decision
BEGIN
    SELECT RAISE(ABORT, 'a decision on a tactic is never changed');
END;

CREATE TRIGGER authorisation_tactic_decision_no_delete BEFORE DELETE ON authorisation_tactic_decision
BEGIN
    SELECT RAISE(ABORT, 'a decision on a tactic is never deleted');
END;
