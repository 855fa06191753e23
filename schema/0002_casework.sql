-- 0002: casework. Intelligence and its triage, subjects, operations with
-- their teams, the decision log, and the full-text search index.
-- Nothing here is deleted by a user: things are closed, filed or superseded.

-- The last number issued per kind and UK calendar year, so a URN is never
-- issued twice.
CREATE TABLE urn_counter (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
) STRICT;

CREATE TABLE subject (
    id                 INTEGER PRIMARY KEY,
    staff_number       TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    rank_or_grade      TEXT NOT NULL,
    employment_type    TEXT NOT NULL,
    department         TEXT NOT NULL,
    role               TEXT NOT NULL,
    vulnerable_contact INTEGER NOT NULL CHECK (vulnerable_contact IN (0, 1)),
    vetting_level      TEXT NOT NULL,
    vetting_review     TEXT,            -- yyyy-mm-dd
    status             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    created_by         INTEGER NOT NULL REFERENCES user_account (id)
) STRICT;

CREATE TABLE operation (
    id              INTEGER PRIMARY KEY,
    urn             TEXT NOT NULL UNIQUE,
    codename        TEXT NOT NULL UNIQUE,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN
                        ('scoping', 'active-overt', 'active-covert', 'suspended', 'closed')),
    category        TEXT NOT NULL,
    priority        TEXT NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    outcome         TEXT,
    lessons_learned TEXT,
    opened_at       TEXT NOT NULL,
    opened_by       INTEGER NOT NULL REFERENCES user_account (id),
    closed_at       TEXT,
    CHECK ((status = 'closed') = (closed_at IS NOT NULL AND outcome IS NOT NULL
                                  AND lessons_learned IS NOT NULL))
) STRICT;

-- Who is on an operation. Need-to-know is read from here. Leaving the team
-- sets removed_at; the row stays.
CREATE TABLE operation_member (
    operation_id INTEGER NOT NULL REFERENCES operation (id),
    user_id      INTEGER NOT NULL REFERENCES user_account (id),
    part         TEXT NOT NULL CHECK (part IN ('lead', 'supervisor', 'team', 'authorising-officer')),
    added_at     TEXT NOT NULL,
    removed_at   TEXT
) STRICT;

CREATE UNIQUE INDEX operation_member_current
    ON operation_member (operation_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX operation_member_by_user ON operation_member (user_id, operation_id);

CREATE TABLE operation_subject (
    operation_id INTEGER NOT NULL REFERENCES operation (id),
    subject_id   INTEGER NOT NULL REFERENCES subject (id),
    linked_at    TEXT NOT NULL,
    PRIMARY KEY (operation_id, subject_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX operation_subject_by_subject ON operation_subject (subject_id);

CREATE TABLE intelligence (
    id                  INTEGER PRIMARY KEY,
    urn                 TEXT NOT NULL UNIQUE,
    received_at         TEXT NOT NULL,
    source_type         TEXT NOT NULL,
    anonymous           INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    source_reference    TEXT UNIQUE,
    grading             TEXT NOT NULL,
    handling_conditions TEXT NOT NULL,
    category            TEXT NOT NULL,
    apsp                INTEGER NOT NULL CHECK (apsp IN (0, 1)),
    summary             TEXT NOT NULL,
    full_text           TEXT NOT NULL,
    triage              TEXT NOT NULL CHECK (triage IN
                            ('new', 'assessed', 'no-further-action', 'filed', 'develop', 'linked')),
    operation_id        INTEGER REFERENCES operation (id),
    recorded_at         TEXT NOT NULL,
    recorded_by         INTEGER NOT NULL REFERENCES user_account (id),
    CHECK ((triage = 'linked') = (operation_id IS NOT NULL))
) STRICT;

CREATE INDEX intelligence_by_operation ON intelligence (operation_id);
CREATE INDEX intelligence_by_received ON intelligence (received_at);

CREATE TABLE intelligence_subject (
    intelligence_id INTEGER NOT NULL REFERENCES intelligence (id),
    subject_id      INTEGER NOT NULL REFERENCES subject (id),
    PRIMARY KEY (intelligence_id, subject_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX intelligence_subject_by_subject ON intelligence_subject (subject_id);

-- Every triage decision: who, when and why.
CREATE TABLE triage_decision (
    id              INTEGER PRIMARY KEY,
    intelligence_id INTEGER NOT NULL REFERENCES intelligence (id),
    from_status     TEXT NOT NULL,
    to_status       TEXT NOT NULL,
    operation_id    INTEGER REFERENCES operation (id),
    rationale       TEXT NOT NULL,
    decided_at      TEXT NOT NULL,
    decided_by      INTEGER NOT NULL REFERENCES user_account (id)
) STRICT;

CREATE TRIGGER triage_decision_no_change BEFORE UPDATE ON triage_decision
BEGIN
    SELECT RAISE(ABORT, 'a triage decision is never edited: record a new one');
END;

CREATE TRIGGER triage_decision_no_delete BEFORE DELETE ON triage_decision
BEGIN
    SELECT RAISE(ABORT, 'a triage decision is never deleted');
END;

-- The decision log (policy file). Entries are never edited: a correction is
-- a new entry whose `corrects` names the one it corrects.
CREATE TABLE decision_log_entry (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operation (id),
    number       INTEGER NOT NULL CHECK (number >= 1),
    decision     TEXT NOT NULL,
    rationale    TEXT NOT NULL,
    alternatives TEXT NOT NULL,
    corrects     INTEGER REFERENCES decision_log_entry (id),
    recorded_at  TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL REFERENCES user_account (id),
    UNIQUE (operation_id, number)
) STRICT;

CREATE TRIGGER decision_log_no_update BEFORE UPDATE ON decision_log_entry
BEGIN
    SELECT RAISE(ABORT, 'a decision-log entry is never edited: record a correction');
END;

CREATE TRIGGER decision_log_no_delete BEFORE DELETE ON decision_log_entry
BEGIN
    SELECT RAISE(ABORT, 'a decision-log entry is never deleted: record a correction');
END;

CREATE TRIGGER subject_no_delete BEFORE DELETE ON subject
BEGIN
    SELECT RAISE(ABORT, 'subjects are never deleted');
END;

CREATE TRIGGER operation_no_delete BEFORE DELETE ON operation
BEGIN
    SELECT RAISE(ABORT, 'operations are never deleted: close the operation instead');
END;

CREATE TRIGGER intelligence_no_delete BEFORE DELETE ON intelligence
BEGIN
    SELECT RAISE(ABORT, 'intelligence is never deleted: triage it as no further action or filed');
END;

-- Full-text search. `kind` and `item_id` say where a row comes from; the
-- triggers below keep it in step with the tables it indexes.
CREATE VIRTUAL TABLE search_index USING fts5 (
    kind UNINDEXED,
    item_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER intelligence_indexed AFTER INSERT ON intelligence
BEGIN
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('intelligence', new.id, new.urn || ' ' || new.summary, new.full_text);
END;

CREATE TRIGGER operation_indexed AFTER INSERT ON operation
BEGIN
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('operation', new.id, new.codename || ' ' || new.urn, new.description);
END;

CREATE TRIGGER operation_reindexed AFTER UPDATE OF description, outcome, lessons_learned ON operation
BEGIN
    DELETE FROM search_index WHERE kind = 'operation' AND item_id = old.id;
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('operation', new.id, new.codename || ' ' || new.urn,
            new.description || ' ' || coalesce(new.outcome, '') || ' ' || coalesce(new.lessons_learned, ''));
END;

CREATE TRIGGER subject_indexed AFTER INSERT ON subject
BEGIN
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('subject', new.id, new.name, new.staff_number || ' ' || new.department || ' ' || new.role);
END;

CREATE TRIGGER subject_reindexed AFTER UPDATE OF name, staff_number, department, role ON subject
BEGIN
    DELETE FROM search_index WHERE kind = 'subject' AND item_id = old.id;
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('subject', new.id, new.name, new.staff_number || ' ' || new.department || ' ' || new.role);
END;

CREATE TRIGGER decision_indexed AFTER INSERT ON decision_log_entry
BEGIN
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('decision', new.id, new.decision, new.rationale || ' ' || new.alternatives);
END;
