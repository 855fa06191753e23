-- 0013: the register of lessons learned. A closed operation's lessons
-- (required at closure) go to the departments that should learn them
-- (seed 003 para 22); each dissemination records the department, the day
-- and how, and at most one response from that department comes back.
-- Both are kept as written: a mistake is recorded in the decision log,
-- never edited away.

CREATE TABLE lesson_dissemination (
    id              INTEGER PRIMARY KEY,
    operation_id    INTEGER NOT NULL REFERENCES operation (id),
    department      TEXT NOT NULL COLLATE NOCASE
                    CHECK (length(department) BETWEEN 1 AND 120),
    disseminated_on TEXT NOT NULL
                    CHECK (disseminated_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    means           TEXT NOT NULL CHECK (length(means) >= 1),
    recorded_by     INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at     TEXT NOT NULL,
    UNIQUE (operation_id, department)
) STRICT;

CREATE TABLE lesson_response (
    id               INTEGER PRIMARY KEY,
    dissemination_id INTEGER NOT NULL UNIQUE REFERENCES lesson_dissemination (id),
    response         TEXT NOT NULL CHECK (length(response) >= 1),
    recorded_by      INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at      TEXT NOT NULL
) STRICT;

CREATE TRIGGER lesson_dissemination_no_update BEFORE UPDATE ON lesson_dissemination
BEGIN
    SELECT RAISE(ABORT, 'a dissemination is never edited');
END;

CREATE TRIGGER lesson_dissemination_no_delete BEFORE DELETE ON lesson_dissemination
BEGIN
    SELECT RAISE(ABORT, 'a dissemination is never deleted');
END;

CREATE TRIGGER lesson_response_no_update BEFORE UPDATE ON lesson_response
BEGIN
    SELECT RAISE(ABORT, 'a response is never edited');
END;

CREATE TRIGGER lesson_response_no_delete BEFORE DELETE ON lesson_response
BEGIN
    SELECT RAISE(ABORT, 'a response is never deleted');
END;
