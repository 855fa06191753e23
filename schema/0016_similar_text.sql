-- 0016: reasoning that is near-identical to earlier text in the case file
-- (domain::similarity: containment over word shingles), found when the
-- application, grant or review is written and kept beside it, so the
-- record and the central record show it without comparing anything when
-- read. ccu never writes reasoning; this records only where words came
-- from. A finding is never changed or deleted.

CREATE TABLE authorisation_similarity (
    id                       INTEGER PRIMARY KEY,
    authorisation_id         INTEGER NOT NULL REFERENCES authorisation (id),
    -- NULL: the application's or the grant's text; else the review's.
    review_id                INTEGER REFERENCES authorisation_review (id),
    field                    TEXT NOT NULL,
    percent                  INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    earlier_authorisation_id INTEGER NOT NULL REFERENCES authorisation (id),
    -- NULL: the earlier authorisation's application or grant; else that review.
    earlier_review_id        INTEGER REFERENCES authorisation_review (id),
    earlier_field            TEXT NOT NULL,
    found_at                 TEXT NOT NULL
) STRICT;

CREATE INDEX authorisation_similarity_by_authorisation
    ON authorisation_similarity (authorisation_id, id);

CREATE TRIGGER authorisation_similarity_no_update BEFORE UPDATE ON authorisation_similarity
BEGIN
    SELECT RAISE(ABORT, 'a finding of similar text is never changed');
END;

CREATE TRIGGER authorisation_similarity_no_delete BEFORE DELETE ON authorisation_similarity
BEGIN
    SELECT RAISE(ABORT, 'a finding of similar text is never deleted');
END;
