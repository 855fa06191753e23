-- 0017: search finds every kind of casework record: bids, covert
-- authorisations, IOPC referrals and lessons learned, beside intelligence,
-- operations, subjects and decision-log entries.
--
-- An entry's rowid is item_id * 16 + its kind: 0 intelligence,
-- 1 operation, 2 subject, 3 decision, 4 bid, 5 authorisation, 6 referral,
-- 7 lesson (8 to 15 are free for kinds to come). The existing entries are
-- kept as they stand (an entry altered from outside stays for `ccu check`
-- to find) and moved to their new rowids; the index is dropped and made
-- again rather than emptied row by row, which FTS5 does slowly. Every
-- trigger that writes to it is made again with the new rowids, and the
-- entries of the new kinds are made from the records.
--
-- What each new kind makes (and `ccu check` recomputes, in
-- `find_search_index_problems`):
-- - bid: its URN and operation's codename; its justification, then each
--   line's resource (by its label) and justification, in line order.
-- - authorisation: its URN and operation's codename; its kind, description,
--   necessity, proportionality and collateral intrusion.
-- - referral: its URN, the force's reference and the operation's codename
--   (if any); its matter type, criterion and summary, then the IOPC's
--   reference once the IOPC has decided.
-- - lesson (item_id is the operation's id, once its lessons are recorded):
--   the codename and URN; the lessons, then each department they went to
--   with its response, in the order they were recorded.
-- Lines and departments are joined in order by a subquery's ORDER BY, not
-- by `group_concat(... ORDER BY ...)`: SQLite before 3.44 cannot read that,
-- and the case file's schema must stay readable by independent verifiers
-- (docs/audit-format.md) on the SQLite their systems have.

CREATE TABLE search_index_kept (kind TEXT, item_id INTEGER, title TEXT, body TEXT);
INSERT INTO search_index_kept SELECT kind, item_id, title, body FROM search_index
    WHERE kind IN ('intelligence', 'operation', 'subject', 'decision');
DROP TABLE search_index;
CREATE VIRTUAL TABLE search_index USING fts5 (
    kind UNINDEXED,
    item_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT item_id * 16 + CASE kind WHEN 'intelligence' THEN 0 WHEN 'operation' THEN 1
                                    WHEN 'subject' THEN 2 ELSE 3 END,
           kind, item_id, title, body
    FROM search_index_kept;
DROP TABLE search_index_kept;

DROP TRIGGER intelligence_indexed;
CREATE TRIGGER intelligence_indexed AFTER INSERT ON intelligence
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 16 + 0, 'intelligence', new.id, new.urn || ' ' || new.summary, new.full_text);
END;

DROP TRIGGER operation_indexed;
CREATE TRIGGER operation_indexed AFTER INSERT ON operation
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 16 + 1, 'operation', new.id, new.codename || ' ' || new.urn,
            new.description || ' ' || coalesce(new.outcome, '') || ' ' || coalesce(new.lessons_learned, ''));
END;

DROP TRIGGER operation_reindexed;
CREATE TRIGGER operation_reindexed AFTER UPDATE OF description, outcome, lessons_learned ON operation
BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 16 + 1;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 16 + 1, 'operation', new.id, new.codename || ' ' || new.urn,
            new.description || ' ' || coalesce(new.outcome, '') || ' ' || coalesce(new.lessons_learned, ''));
END;

DROP TRIGGER subject_indexed;
CREATE TRIGGER subject_indexed AFTER INSERT ON subject
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 16 + 2, 'subject', new.id, new.name,
            new.staff_number || ' ' || new.department || ' ' || new.role);
END;

DROP TRIGGER subject_reindexed;
CREATE TRIGGER subject_reindexed AFTER UPDATE OF name, staff_number, department, role ON subject
BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 16 + 2;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 16 + 2, 'subject', new.id, new.name,
            new.staff_number || ' ' || new.department || ' ' || new.role);
END;

DROP TRIGGER decision_indexed;
CREATE TRIGGER decision_indexed AFTER INSERT ON decision_log_entry
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    VALUES (new.id * 16 + 3, 'decision', new.id, new.decision, new.rationale || ' ' || new.alternatives);
END;

-- Bids: made when the bid is recorded, and again as each line is added.
CREATE TRIGGER bid_indexed AFTER INSERT ON bid
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT b.id * 16 + 4, 'bid', b.id, b.urn || ' ' || o.codename,
           b.justification || coalesce((SELECT ' ' || group_concat(line, ' ') FROM (SELECT t.label || ' ' || l.justification AS line
                FROM bid_line l JOIN resource_type t ON t.code = l.resource
                WHERE l.bid_id = b.id ORDER BY l.number)), '')
    FROM bid b JOIN operation o ON o.id = b.operation_id WHERE b.id = new.id;
END;

CREATE TRIGGER bid_line_indexed AFTER INSERT ON bid_line
BEGIN
    DELETE FROM search_index WHERE rowid = new.bid_id * 16 + 4;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT b.id * 16 + 4, 'bid', b.id, b.urn || ' ' || o.codename,
           b.justification || coalesce((SELECT ' ' || group_concat(line, ' ') FROM (SELECT t.label || ' ' || l.justification AS line
                FROM bid_line l JOIN resource_type t ON t.code = l.resource
                WHERE l.bid_id = b.id ORDER BY l.number)), '')
    FROM bid b JOIN operation o ON o.id = b.operation_id WHERE b.id = new.bid_id;
END;

-- Authorisations: what is searched is the application, which never changes.
CREATE TRIGGER authorisation_indexed AFTER INSERT ON authorisation
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT a.id * 16 + 5, 'authorisation', a.id, a.urn || ' ' || o.codename,
           a.kind || ' ' || a.description || ' ' || a.necessity || ' ' || a.proportionality
               || ' ' || a.collateral_intrusion
    FROM authorisation a JOIN operation o ON o.id = a.operation_id WHERE a.id = new.id;
END;

-- Referrals: made when recorded, and again when the IOPC's reference comes.
CREATE TRIGGER referral_indexed AFTER INSERT ON referral
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT r.id * 16 + 6, 'referral', r.id,
           r.urn || ' ' || r.force_reference || coalesce(' ' || o.codename, ''),
           r.matter_type || ' ' || r.criterion || ' ' || r.summary || coalesce(' ' || r.iopc_reference, '')
    FROM referral r LEFT JOIN operation o ON o.id = r.operation_id WHERE r.id = new.id;
END;

CREATE TRIGGER referral_reindexed AFTER UPDATE OF iopc_reference ON referral
BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 16 + 6;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT r.id * 16 + 6, 'referral', r.id,
           r.urn || ' ' || r.force_reference || coalesce(' ' || o.codename, ''),
           r.matter_type || ' ' || r.criterion || ' ' || r.summary || coalesce(' ' || r.iopc_reference, '')
    FROM referral r LEFT JOIN operation o ON o.id = r.operation_id WHERE r.id = new.id;
END;

-- Lessons: made when an operation's lessons are recorded (at closure), and
-- again as they go to a department and as each department responds.
CREATE TRIGGER lesson_indexed AFTER INSERT ON operation WHEN new.lessons_learned IS NOT NULL
BEGIN
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT o.id * 16 + 7, 'lesson', o.id, o.codename || ' ' || o.urn,
           o.lessons_learned || coalesce((SELECT ' ' || group_concat(sent, ' ') FROM (SELECT d.department || coalesce(' ' || p.response, '') AS sent
                FROM lesson_dissemination d LEFT JOIN lesson_response p ON p.dissemination_id = d.id
                WHERE d.operation_id = o.id ORDER BY d.id)), '')
    FROM operation o WHERE o.id = new.id;
END;

CREATE TRIGGER lesson_reindexed AFTER UPDATE OF lessons_learned ON operation
BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 16 + 7;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT o.id * 16 + 7, 'lesson', o.id, o.codename || ' ' || o.urn,
           o.lessons_learned || coalesce((SELECT ' ' || group_concat(sent, ' ') FROM (SELECT d.department || coalesce(' ' || p.response, '') AS sent
                FROM lesson_dissemination d LEFT JOIN lesson_response p ON p.dissemination_id = d.id
                WHERE d.operation_id = o.id ORDER BY d.id)), '')
    FROM operation o WHERE o.id = new.id AND o.lessons_learned IS NOT NULL;
END;

CREATE TRIGGER lesson_dissemination_indexed AFTER INSERT ON lesson_dissemination
BEGIN
    DELETE FROM search_index WHERE rowid = new.operation_id * 16 + 7;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT o.id * 16 + 7, 'lesson', o.id, o.codename || ' ' || o.urn,
           o.lessons_learned || coalesce((SELECT ' ' || group_concat(sent, ' ') FROM (SELECT d.department || coalesce(' ' || p.response, '') AS sent
                FROM lesson_dissemination d LEFT JOIN lesson_response p ON p.dissemination_id = d.id
                WHERE d.operation_id = o.id ORDER BY d.id)), '')
    FROM operation o WHERE o.id = new.operation_id AND o.lessons_learned IS NOT NULL;
END;

CREATE TRIGGER lesson_response_indexed AFTER INSERT ON lesson_response
BEGIN
    DELETE FROM search_index
    WHERE rowid = (SELECT operation_id FROM lesson_dissemination WHERE id = new.dissemination_id) * 16 + 7;
    INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT o.id * 16 + 7, 'lesson', o.id, o.codename || ' ' || o.urn,
           o.lessons_learned || coalesce((SELECT ' ' || group_concat(sent, ' ') FROM (SELECT d.department || coalesce(' ' || p.response, '') AS sent
                FROM lesson_dissemination d LEFT JOIN lesson_response p ON p.dissemination_id = d.id
                WHERE d.operation_id = o.id ORDER BY d.id)), '')
    FROM operation o
    WHERE o.id = (SELECT operation_id FROM lesson_dissemination WHERE id = new.dissemination_id)
      AND o.lessons_learned IS NOT NULL;
END;

-- The new kinds' entries for the records already in the file.
INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT b.id * 16 + 4, 'bid', b.id, b.urn || ' ' || o.codename,
           b.justification || coalesce((SELECT ' ' || group_concat(line, ' ') FROM (SELECT t.label || ' ' || l.justification AS line
                FROM bid_line l JOIN resource_type t ON t.code = l.resource
                WHERE l.bid_id = b.id ORDER BY l.number)), '')
    FROM bid b JOIN operation o ON o.id = b.operation_id;

INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT a.id * 16 + 5, 'authorisation', a.id, a.urn || ' ' || o.codename,
           a.kind || ' ' || a.description || ' ' || a.necessity || ' ' || a.proportionality
               || ' ' || a.collateral_intrusion
    FROM authorisation a JOIN operation o ON o.id = a.operation_id;

INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT r.id * 16 + 6, 'referral', r.id,
           r.urn || ' ' || r.force_reference || coalesce(' ' || o.codename, ''),
           r.matter_type || ' ' || r.criterion || ' ' || r.summary || coalesce(' ' || r.iopc_reference, '')
    FROM referral r LEFT JOIN operation o ON o.id = r.operation_id;

INSERT INTO search_index (rowid, kind, item_id, title, body)
    SELECT o.id * 16 + 7, 'lesson', o.id, o.codename || ' ' || o.urn,
           o.lessons_learned || coalesce((SELECT ' ' || group_concat(sent, ' ') FROM (SELECT d.department || coalesce(' ' || p.response, '') AS sent
                FROM lesson_dissemination d LEFT JOIN lesson_response p ON p.dissemination_id = d.id
                WHERE d.operation_id = o.id ORDER BY d.id)), '')
    FROM operation o WHERE o.lessons_learned IS NOT NULL;
