-- The strategic threat assessment: the unit's register of corruption
-- threats, each tied to a national corruption category and a theme
-- (seed 000; seed 003 para 30). A threat is recorded once; every
-- assessment of it, the first and each review, is a new version with
-- its scores (in the manner of MoRiLE: harm, likelihood, confidence,
-- capacity and capability), owner, rationale and next review. Nothing is
-- edited or deleted: the latest version is the threat's current one.

CREATE TABLE threat (
    id          INTEGER PRIMARY KEY,
    reference   TEXT NOT NULL UNIQUE CHECK (reference GLOB 'THR-[0-9][0-9][0-9]*'),
    category    TEXT NOT NULL,
    theme       TEXT NOT NULL CHECK (length(theme) BETWEEN 1 AND 120),
    recorded_by INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at TEXT NOT NULL
) STRICT;

CREATE TABLE threat_version (
    id          INTEGER PRIMARY KEY,
    threat_id   INTEGER NOT NULL REFERENCES threat (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    harm        INTEGER NOT NULL CHECK (harm BETWEEN 1 AND 5),
    likelihood  INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    confidence  TEXT NOT NULL CHECK (confidence IN ('low', 'medium', 'high')),
    capacity    INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 5),
    owner_id    INTEGER NOT NULL REFERENCES user_account (id),
    rationale   TEXT NOT NULL CHECK (length(rationale) >= 1),
    next_review TEXT NOT NULL
                CHECK (next_review GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    reviewed_by INTEGER NOT NULL REFERENCES user_account (id),
    reviewed_at TEXT NOT NULL,
    UNIQUE (threat_id, version)
) STRICT;

CREATE TRIGGER threat_no_update BEFORE UPDATE ON threat
BEGIN
    SELECT RAISE(ABORT, 'a threat is never edited: review it');
END;

CREATE TRIGGER threat_no_delete BEFORE DELETE ON threat
BEGIN
    SELECT RAISE(ABORT, 'a threat is never deleted');
END;

CREATE TRIGGER threat_version_no_update BEFORE UPDATE ON threat_version
BEGIN
    SELECT RAISE(ABORT, 'a threat assessment is never edited: review it');
END;

CREATE TRIGGER threat_version_no_delete BEFORE DELETE ON threat_version
BEGIN
    SELECT RAISE(ABORT, 'a threat assessment is never deleted');
END;
