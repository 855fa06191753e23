-- 0005: indexes for the intelligence list screens (src/store/lists.rs).
-- A list sorted by a column pages through (sort key, id), and need-to-know
-- reads operation_id, so each index holds all three, in that order: the
-- first page is read straight off the index, and a page deep in the list
-- is found without reading the rows it skips.
--
-- Codes are sorted by the label a screen shows. Source and triage codes
-- already sort as their labels do, so the stored column is the key; the
-- category codes do not, so that index is on the same CASE expression the
-- list sorts by (codes ranked by their labels). A test checks that every
-- intelligence sort but the operation's codename uses an index: a change
-- to the category labels needs a migration that recreates this one.

DROP INDEX intelligence_by_received;
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
