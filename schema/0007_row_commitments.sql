-- 0007: every row of the case file answers to the audit chain
-- (docs/audit-format.md, format version 2).
--
-- Each event from now on commits, through `rows_hash`, to the rows its
-- transaction wrote; `audit_row` lists them, one (table, row key, digest)
-- each. The upgrade's own event records a baseline of every row as it
-- stands (src/store/write.rs).

ALTER TABLE audit_event ADD COLUMN rows_hash TEXT;

CREATE TABLE audit_row (
    seq     INTEGER NOT NULL CHECK (seq >= 1),
    tbl     TEXT NOT NULL,
    row_key TEXT NOT NULL,     -- json_array of the row's primary key
    digest  TEXT,              -- hex SHA-256 of the row; NULL: deleted
    PRIMARY KEY (tbl, row_key, seq)
) STRICT, WITHOUT ROWID;

-- The chain walk reads each event's rows in (tbl, row_key) order straight
-- off this index, digest included.
CREATE INDEX audit_row_by_seq ON audit_row (seq, tbl, row_key, digest);

CREATE TRIGGER audit_row_no_update BEFORE UPDATE ON audit_row
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: a row commitment cannot be changed');
END;

CREATE TRIGGER audit_row_no_delete BEFORE DELETE ON audit_row
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: a row commitment cannot be deleted');
END;

-- A row is named by its primary key, which must not change when SQLite
-- rebuilds a table (VACUUM renumbers rowids that are not a declared key),
-- so team membership gets an id of its own, the rowid it already had.
CREATE TABLE operation_member_keyed (
    id           INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operation (id),
    user_id      INTEGER NOT NULL REFERENCES user_account (id),
    part         TEXT NOT NULL CHECK (part IN ('lead', 'supervisor', 'team', 'authorising-officer')),
    added_at     TEXT NOT NULL,
    removed_at   TEXT
) STRICT;

INSERT INTO operation_member_keyed (id, operation_id, user_id, part, added_at, removed_at)
    SELECT rowid, operation_id, user_id, part, added_at, removed_at FROM operation_member;

DROP TABLE operation_member;

ALTER TABLE operation_member_keyed RENAME TO operation_member;

CREATE UNIQUE INDEX operation_member_current
    ON operation_member (operation_id, user_id) WHERE removed_at IS NULL;
CREATE INDEX operation_member_by_user ON operation_member (user_id, operation_id);

-- The search index is derived: `ccu check` recomputes it from the records.
-- An operation was indexed one way when opened and another once changed,
-- so both now use the one form, and the operations are indexed afresh.
DROP TRIGGER operation_indexed;

CREATE TRIGGER operation_indexed AFTER INSERT ON operation
BEGIN
    INSERT INTO search_index (kind, item_id, title, body)
    VALUES ('operation', new.id, new.codename || ' ' || new.urn,
            new.description || ' ' || coalesce(new.outcome, '') || ' ' || coalesce(new.lessons_learned, ''));
END;

DELETE FROM search_index WHERE kind = 'operation';

INSERT INTO search_index (kind, item_id, title, body)
    SELECT 'operation', id, codename || ' ' || urn,
           description || ' ' || coalesce(outcome, '') || ' ' || coalesce(lessons_learned, '')
    FROM operation;

-- Guard-rails: tables the domain only ever adds to refuse UPDATE and
-- DELETE, and tables it updates refuse DELETE. Anyone with the file can
-- drop a trigger; the row commitments are what catch a change.
CREATE TRIGGER urn_counter_no_delete BEFORE DELETE ON urn_counter
BEGIN
    SELECT RAISE(ABORT, 'a URN counter is never deleted: URNs are never reused');
END;

CREATE TRIGGER operation_member_no_delete BEFORE DELETE ON operation_member
BEGIN
    SELECT RAISE(ABORT, 'team membership is never deleted: the member is removed with a date');
END;

CREATE TRIGGER operation_subject_no_update BEFORE UPDATE ON operation_subject
BEGIN
    SELECT RAISE(ABORT, 'a link between an operation and a subject is never changed');
END;

CREATE TRIGGER operation_subject_no_delete BEFORE DELETE ON operation_subject
BEGIN
    SELECT RAISE(ABORT, 'a link between an operation and a subject is never deleted');
END;

CREATE TRIGGER intelligence_subject_no_update BEFORE UPDATE ON intelligence_subject
BEGIN
    SELECT RAISE(ABORT, 'a link between intelligence and a subject is never changed');
END;

CREATE TRIGGER intelligence_subject_no_delete BEFORE DELETE ON intelligence_subject
BEGIN
    SELECT RAISE(ABORT, 'a link between intelligence and a subject is never deleted');
END;

CREATE TRIGGER threshold_proposal_no_update BEFORE UPDATE ON threshold_proposal
BEGIN
    SELECT RAISE(ABORT, 'a threshold proposal is never edited: record a new one');
END;

CREATE TRIGGER threshold_proposal_no_delete BEFORE DELETE ON threshold_proposal
BEGIN
    SELECT RAISE(ABORT, 'a threshold proposal is never deleted');
END;

CREATE TRIGGER threshold_decision_no_delete BEFORE DELETE ON threshold_decision
BEGIN
    SELECT RAISE(ABORT, 'a threshold decision is never deleted');
END;

CREATE TRIGGER resource_type_no_delete BEFORE DELETE ON resource_type
BEGIN
    SELECT RAISE(ABORT, 'a resource type is never deleted: bids refer to it');
END;

CREATE TRIGGER bid_line_no_delete BEFORE DELETE ON bid_line
BEGIN
    SELECT RAISE(ABORT, 'a bid line is never deleted');
END;

CREATE TRIGGER bid_decision_no_update BEFORE UPDATE ON bid_decision
BEGIN
    SELECT RAISE(ABORT, 'a bid decision is never edited');
END;

CREATE TRIGGER bid_decision_no_delete BEFORE DELETE ON bid_decision
BEGIN
    SELECT RAISE(ABORT, 'a bid decision is never deleted');
END;

CREATE TRIGGER authorisation_subject_no_update BEFORE UPDATE ON authorisation_subject
BEGIN
    SELECT RAISE(ABORT, 'the subjects of an authorisation are never changed');
END;

CREATE TRIGGER authorisation_subject_no_delete BEFORE DELETE ON authorisation_subject
BEGIN
    SELECT RAISE(ABORT, 'the subjects of an authorisation are never deleted');
END;

CREATE TRIGGER authorisation_review_no_update BEFORE UPDATE ON authorisation_review
BEGIN
    SELECT RAISE(ABORT, 'a review is never edited');
END;

CREATE TRIGGER authorisation_review_no_delete BEFORE DELETE ON authorisation_review
BEGIN
    SELECT RAISE(ABORT, 'a review is never deleted');
END;

CREATE TRIGGER authorisation_renewal_no_update BEFORE UPDATE ON authorisation_renewal
BEGIN
    SELECT RAISE(ABORT, 'a renewal is never edited');
END;

CREATE TRIGGER authorisation_renewal_no_delete BEFORE DELETE ON authorisation_renewal
BEGIN
    SELECT RAISE(ABORT, 'a renewal is never deleted');
END;

CREATE TRIGGER referral_subject_no_update BEFORE UPDATE ON referral_subject
BEGIN
    SELECT RAISE(ABORT, 'the subjects of a referral are never changed');
END;

CREATE TRIGGER referral_subject_no_delete BEFORE DELETE ON referral_subject
BEGIN
    SELECT RAISE(ABORT, 'the subjects of a referral are never deleted');
END;

CREATE TRIGGER setting_no_delete BEFORE DELETE ON setting
BEGIN
    SELECT RAISE(ABORT, 'a setting is never deleted');
END;
