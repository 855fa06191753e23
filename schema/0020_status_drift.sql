-- CHIS status drift (docs/covert.md, "Status drift"). An item may name the
-- person it came from, when that person is not anonymous: the name as
-- recorded, and the form it is matched in (lower case, single spaces),
-- never changed once recorded. When one person's items reach a count within
-- a period (two settings, 3 within 90 days to begin with), the queue asks
-- whether the person is being used as a CHIS; an acknowledgement records who
-- considered it, why, and the items it took into account. It is the
-- decision log of that source: kept as written, never edited or deleted.

ALTER TABLE intelligence ADD COLUMN source_person TEXT
    CHECK (source_person IS NULL OR length(source_person) BETWEEN 1 AND 200);
ALTER TABLE intelligence ADD COLUMN source_person_key TEXT
    CHECK ((source_person IS NULL) = (source_person_key IS NULL))
    CHECK (source_person_key IS NULL OR anonymous = 0);

-- The warning reads each person's items in the order they were received,
-- with what need-to-know reads.
CREATE INDEX intelligence_by_source_person
    ON intelligence (source_person_key, received_at, id, operation_id)
    WHERE source_person_key IS NOT NULL;

CREATE TRIGGER intelligence_source_person_fixed
    BEFORE UPDATE OF source_person, source_person_key ON intelligence
    WHEN old.source_person IS NOT new.source_person
      OR old.source_person_key IS NOT new.source_person_key
BEGIN
    SELECT RAISE(ABORT, 'the person an item came from is recorded once and never changed');
END;

INSERT INTO setting (key, value) VALUES ('drift_count', '3');
INSERT INTO setting (key, value) VALUES ('drift_days', '90');

CREATE TABLE drift_acknowledgement (
    id              INTEGER PRIMARY KEY,
    person_key      TEXT NOT NULL CHECK (length(person_key) >= 1),
    person          TEXT NOT NULL CHECK (length(person) >= 1),
    rationale       TEXT NOT NULL CHECK (length(rationale) >= 1),
    acknowledged_by INTEGER NOT NULL REFERENCES user_account (id),
    acknowledged_at TEXT NOT NULL
) STRICT;

CREATE INDEX drift_acknowledgement_by_person ON drift_acknowledgement (person_key, id);

CREATE TABLE drift_acknowledged_item (
    acknowledgement_id INTEGER NOT NULL REFERENCES drift_acknowledgement (id),
    intelligence_id    INTEGER NOT NULL REFERENCES intelligence (id),
    PRIMARY KEY (acknowledgement_id, intelligence_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX drift_acknowledged_item_by_item ON drift_acknowledged_item (intelligence_id);

CREATE TRIGGER drift_acknowledgement_no_update BEFORE UPDATE ON drift_acknowledgement
BEGIN
    SELECT RAISE(ABORT, 'an acknowledgement of status drift is never edited');
END;

CREATE TRIGGER drift_acknowledgement_no_delete BEFORE DELETE ON drift_acknowledgement
BEGIN
    SELECT RAISE(ABORT, 'an acknowledgement of status drift is never deleted');
END;

CREATE TRIGGER drift_acknowledged_item_no_update BEFORE UPDATE ON drift_acknowledged_item
BEGIN
    SELECT RAISE(ABORT, 'an acknowledgement of status drift is never edited');
END;

CREATE TRIGGER drift_acknowledged_item_no_delete BEFORE DELETE ON drift_acknowledged_item
BEGIN
    SELECT RAISE(ABORT, 'an acknowledgement of status drift is never deleted');
END;
