-- 0009: a source reference no longer has to be unique. Bulk import checks
-- for a duplicate only among the items the importer may see (need-to-know,
-- docs/import-intel.md), so an item whose reference matches one on an
-- operation the importer is not on is imported as a new item, and the
-- supervisors' queue names the references two items share. The lookup by
-- reference keeps an ordinary index, holding (reference, id, operation_id):
-- what the duplicate check, the queue and need-to-know read.
--
-- SQLite cannot drop a UNIQUE column constraint, so the table is rebuilt:
-- the same columns in the same order, every row with its id (the rowid, and
-- the key its row commitments name), then its indexes and triggers as they
-- were. The search index is left as it is: it holds the same rows. The
-- migrations run with foreign keys off (src/store/schema.rs), and this one
-- checks them before it commits. The upgrade's event records a baseline of
-- every row.

CREATE TABLE intelligence_rebuilt (
    id                  INTEGER PRIMARY KEY,
    urn                 TEXT NOT NULL UNIQUE,
    received_at         TEXT NOT NULL,
    source_type         TEXT NOT NULL,
    anonymous           INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    source_reference    TEXT,
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

INSERT INTO intelligence_rebuilt (id, urn, received_at, source_type, anonymous, source_reference,
        grading, handling_conditions, category, apsp, summary, full_text, triage, operation_id,
        recorded_at, recorded_by)
    SELECT id, urn, received_at, source_type, anonymous, source_reference,
           grading, handling_conditions, category, apsp, summary, full_text, triage, operation_id,
           recorded_at, recorded_by
    FROM intelligence ORDER BY id;

-- Its indexes and triggers go with it.
DROP TABLE intelligence;

ALTER TABLE intelligence_rebuilt RENAME TO intelligence;

CREATE INDEX intelligence_by_source_reference
    ON intelligence (source_reference, id, operation_id) WHERE source_reference IS NOT NULL;

-- As 0002 and 0005 made them.
CREATE INDEX intelligence_by_operation ON intelligence (operation_id);

CREATE INDEX intelligence_by_received ON intelligence (received_at, id, operation_id);

CREATE INDEX intelligence_by_source ON intelligence (source_type, id, operation_id);

CREATE INDEX intelligence_by_grading ON intelligence (grading, id, operation_id);

CREATE INDEX intelligence_by_category_label ON intelligence (
    CASE category
        WHEN 'abuse-of-authority' THEN 0
        WHEN 'assist-offender' THEN 1
        WHEN 'drugs' THEN 2
        WHEN 'disclosure' THEN 3
        WHEN 'inappropriate-association' THEN 4
        WHEN 'infiltration' THEN 5
        WHEN 'misusing-systems' THEN 6
        WHEN 'other' THEN 7
        WHEN 'perverting-justice' THEN 8
        WHEN 'sexual-misconduct' THEN 9
        WHEN 'theft-fraud' THEN 10
        WHEN 'vulnerability' THEN 11
    END,
    id,
    operation_id
);

CREATE INDEX intelligence_by_triage ON intelligence (triage, id, operation_id);

CREATE INDEX intelligence_by_summary ON intelligence (summary COLLATE NOCASE, id, operation_id);

CREATE TRIGGER intelligence_no_delete BEFORE DELETE ON intelligence
BEGIN
    SELECT RAISE(ABORT, 'intelligence is never deleted: triage it as no further action or filed');
END;

CREATE TRIGGER intelligence_indexed AFTER INSERT ON intelligence
BEGIN
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('intelligence', new.id, new.urn || ' ' || new.summary, new.full_text);
END;
