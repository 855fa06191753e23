-- 0011: two lookups that grew with the whole file, made independent of it.
--
-- The search index's entries are found by their rowid, which is now a
-- function of the record: item_id * 4 + 0 (intelligence), 1 (operation),
-- 2 (subject), 3 (decision). FTS5 cannot index its `kind` and `item_id`
-- columns, so re-indexing an operation or a subject by them
-- (`DELETE ... WHERE kind = ... AND item_id = ...`) read the whole index;
-- by rowid it is one lookup. The entries are rebuilt with their rowids,
-- and the triggers that keep the index in step write and delete by rowid.
-- `ccu check` checks each entry's rowid with the rest of what the record
-- makes.
--
-- The dashboard counts the year's intelligence by category: grouped over
-- the index on received_at, it sorted every item of the year; one count
-- per category on (category, received_at) reads only the index.
--
-- Opening an operation lists each decision's corrections
-- (`decision_log_entry.corrects`), which had no index: every decision in
-- the file was read for each one shown.

CREATE TABLE search_index_rebuilt (kind TEXT, item_id INTEGER, title TEXT, body TEXT);
INSERT INTO search_index_rebuilt SELECT kind, item_id, title, body FROM search_index;
DELETE FROM search_index;
INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT item_id * 4 + CASE kind WHEN 'intelligence' THEN 0 WHEN 'operation' THEN 1
                                   WHEN 'subject' THEN 2 ELSE 3 END,
           kind, item_id, title, body
    FROM search_index_rebuilt;
DROP TABLE search_index_rebuilt;

DROP TRIGGER intelligence_indexed;
CREATE TRIGGER intelligence_indexed AFTER INSERT ON intelligence
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 4 + 0, 'intelligence', new.id, new.urn || ' ' || new.summary, new.full_text);
END;

DROP TRIGGER operation_indexed;
CREATE TRIGGER operation_indexed AFTER INSERT ON operation
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 4 + 1, 'operation', new.id, new.codename || ' ' || new.urn,
            new.description || ' ' || coalesce(new.outcome, '') || ' ' || coalesce(new.lessons_learned, ''));
END;

DROP TRIGGER operation_reindexed;
CREATE TRIGGER operation_reindexed AFTER UPDATE OF description, outcome, lessons_learned ON operation
BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 1;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 4 + 1, 'operation', new.id, new.codename || ' ' || new.urn,
            new.description || ' ' || coalesce(new.outcome, '') || ' ' || coalesce(new.lessons_learned, ''));
END;

DROP TRIGGER subject_indexed;
CREATE TRIGGER subject_indexed AFTER INSERT ON subject
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 4 + 2, 'subject', new.id, new.name,
            new.staff_number || ' ' || new.department || ' ' || new.role);
END;

DROP TRIGGER subject_reindexed;
CREATE TRIGGER subject_reindexed AFTER UPDATE OF name, staff_number, department, role ON subject
BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 4 + 2;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 4 + 2, 'subject', new.id, new.name,
            new.staff_number || ' ' || new.department || ' ' || new.role);
END;

DROP TRIGGER decision_indexed;
CREATE TRIGGER decision_indexed AFTER INSERT ON decision_log_entry
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 4 + 3, 'decision', new.id, new.decision, new.rationale || ' ' || new.alternatives);
END;

CREATE INDEX decision_log_entry_by_corrects ON decision_log_entry (corrects)
    WHERE corrects IS NOT NULL;

CREATE INDEX intelligence_by_category_received
    ON intelligence (category, received_at, operation_id);
