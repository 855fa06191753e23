-- The register of partner agencies: the organisations that support
-- vulnerable people (seed 003) and their single points of contact, kept
-- in regular touch with (seed 000). Every table is append-only: a SPOC
-- who changes is replaced by a new row, the latest being the current
-- one, so the history stays; an engagement, once logged, stays as
-- written; an intelligence item, once linked to the partner it came
-- from, stays linked.

CREATE TABLE partner (
    id          INTEGER PRIMARY KEY,
    urn         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE
                CHECK (length(name) BETWEEN 1 AND 120),
    kind        TEXT NOT NULL CHECK (length(kind) >= 1),
    district    TEXT NOT NULL CHECK (length(district) BETWEEN 1 AND 120),
    recorded_by INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at TEXT NOT NULL
) STRICT;

-- The partner's own SPOC, as each one was named.
CREATE TABLE partner_spoc (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partner (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    role        TEXT NOT NULL CHECK (length(role) <= 120),
    email       TEXT CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    phone       TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 10 AND 24),
    recorded_by INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at TEXT NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
) STRICT;

-- The unit's own SPOC for the partner: a member of the unit.
CREATE TABLE partner_unit_spoc (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partner (id),
    user_id     INTEGER NOT NULL REFERENCES user_account (id),
    recorded_by INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at TEXT NOT NULL
) STRICT;

CREATE TABLE partner_engagement (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partner (id),
    engaged_on  TEXT NOT NULL
                CHECK (engaged_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kind        TEXT NOT NULL CHECK (length(kind) >= 1),
    summary     TEXT NOT NULL CHECK (length(summary) >= 1),
    next_due    TEXT NOT NULL
                CHECK (next_due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
                       AND next_due > engaged_on),
    recorded_by INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at TEXT NOT NULL
) STRICT;

CREATE INDEX partner_engagement_by_partner ON partner_engagement (partner_id, engaged_on);

-- Intelligence whose source is a partner agency, linked to the partner
-- it came from: one partner per item.
CREATE TABLE partner_intelligence (
    intelligence_id INTEGER PRIMARY KEY REFERENCES intelligence (id),
    partner_id      INTEGER NOT NULL REFERENCES partner (id),
    linked_by       INTEGER NOT NULL REFERENCES user_account (id),
    linked_at       TEXT NOT NULL
) STRICT;

CREATE INDEX partner_intelligence_by_partner ON partner_intelligence (partner_id);

CREATE TRIGGER partner_no_update BEFORE UPDATE ON partner
BEGIN
    SELECT RAISE(ABORT, 'a partner is never edited');
END;

CREATE TRIGGER partner_no_delete BEFORE DELETE ON partner
BEGIN
    SELECT RAISE(ABORT, 'a partner is never deleted');
END;

CREATE TRIGGER partner_spoc_no_update BEFORE UPDATE ON partner_spoc
BEGIN
    SELECT RAISE(ABORT, 'a SPOC is replaced, never edited');
END;

CREATE TRIGGER partner_spoc_no_delete BEFORE DELETE ON partner_spoc
BEGIN
    SELECT RAISE(ABORT, 'a SPOC is replaced, never deleted');
END;

CREATE TRIGGER partner_unit_spoc_no_update BEFORE UPDATE ON partner_unit_spoc
BEGIN
    SELECT RAISE(ABORT, 'a SPOC is replaced, never edited');
END;

CREATE TRIGGER partner_unit_spoc_no_delete BEFORE DELETE ON partner_unit_spoc
BEGIN
    SELECT RAISE(ABORT, 'a SPOC is replaced, never deleted');
END;

CREATE TRIGGER partner_engagement_no_update BEFORE UPDATE ON partner_engagement
BEGIN
    SELECT RAISE(ABORT, 'an engagement is never edited');
END;

CREATE TRIGGER partner_engagement_no_delete BEFORE DELETE ON partner_engagement
BEGIN
    SELECT RAISE(ABORT, 'an engagement is never deleted');
END;

CREATE TRIGGER partner_intelligence_no_update BEFORE UPDATE ON partner_intelligence
BEGIN
    SELECT RAISE(ABORT, 'a link to a partner is never edited');
END;

CREATE TRIGGER partner_intelligence_no_delete BEFORE DELETE ON partner_intelligence
BEGIN
    SELECT RAISE(ABORT, 'a link to a partner is never deleted');
END;
