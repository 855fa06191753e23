-- 0003: the covert workflow. Threshold decisions, bids for covert resources
-- and the capacity they draw on, covert authorisations (the central
-- record), and IOPC referrals. Nothing here is deleted by a user.

-- Threshold for covert investigation: proposed by an investigator, decided
-- by a supervisor. Both are kept; the latest decision is the operation's
-- current threshold status.
CREATE TABLE threshold_proposal (
    id                    INTEGER PRIMARY KEY,
    operation_id          INTEGER NOT NULL REFERENCES operation (id),
    number                INTEGER NOT NULL,
    overt_steps           TEXT NOT NULL,
    why_not_enough        TEXT NOT NULL,
    seriousness           TEXT NOT NULL,
    necessity             TEXT NOT NULL,
    proportionality       TEXT NOT NULL,
    collateral_intrusion  TEXT NOT NULL,
    confidential_material TEXT NOT NULL,
    review_date           TEXT NOT NULL,   -- yyyy-mm-dd, UK calendar day
    proposed_at           TEXT NOT NULL,
    proposed_by           INTEGER NOT NULL REFERENCES user_account (id),
    UNIQUE (operation_id, number)
) STRICT;

CREATE TABLE threshold_decision (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL UNIQUE REFERENCES threshold_proposal (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('met', 'not-met', 'more-information')),
    rationale   TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    decided_by  INTEGER NOT NULL REFERENCES user_account (id)
) STRICT;

-- The kinds of resource a bid can ask for, with the weekly capacity each
-- has. Covert ones need a threshold decision of "met".
CREATE TABLE resource_type (
    code            TEXT PRIMARY KEY,
    label           TEXT NOT NULL,
    unit            TEXT NOT NULL,
    covert          INTEGER NOT NULL CHECK (covert IN (0, 1)),
    weekly_capacity REAL NOT NULL CHECK (weekly_capacity >= 0)
) STRICT;

INSERT INTO resource_type (code, label, unit, covert, weekly_capacity) VALUES
    ('surveillance-team-days', 'Surveillance team days', 'team days', 1, 5),
    ('technical-deployment', 'Technical deployment', 'deployments', 1, 2),
    ('chis-handling', 'CHIS handling', 'handler days', 1, 5),
    ('communications-data', 'Communications data application', 'applications', 1, 10),
    ('ict-monitoring-capture', 'ICT-monitoring capture', 'capture days', 1, 7),
    ('financial-investigation', 'Financial investigation', 'investigator days', 0, 5),
    ('analyst-hours', 'Analyst hours', 'hours', 0, 37.5),
    ('other', 'Other', 'units', 0, 0);

CREATE TABLE bid (
    id            INTEGER PRIMARY KEY,
    urn           TEXT NOT NULL UNIQUE,
    operation_id  INTEGER NOT NULL REFERENCES operation (id),
    justification TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'deferred', 'declined',
                      'active', 'completed', 'withdrawn')),
    created_at    TEXT NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES user_account (id),
    submitted_at  TEXT
) STRICT;

CREATE TABLE bid_line (
    bid_id            INTEGER NOT NULL REFERENCES bid (id),
    number            INTEGER NOT NULL,
    resource          TEXT NOT NULL REFERENCES resource_type (code),
    quantity          REAL NOT NULL CHECK (quantity > 0),
    approved_quantity REAL,                 -- set by the decision
    starts_on         TEXT NOT NULL,        -- yyyy-mm-dd
    ends_on           TEXT NOT NULL,        -- yyyy-mm-dd, inclusive
    justification     TEXT NOT NULL,
    PRIMARY KEY (bid_id, number),
    CHECK (ends_on >= starts_on)
) STRICT, WITHOUT ROWID;

CREATE TABLE bid_decision (
    id          INTEGER PRIMARY KEY,
    bid_id      INTEGER NOT NULL REFERENCES bid (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('approved', 'partly-approved', 'declined', 'deferred')),
    rationale   TEXT NOT NULL,
    -- The over-commitment warnings shown when the decision was made (JSON).
    warnings    TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    decided_by  INTEGER NOT NULL REFERENCES user_account (id)
) STRICT;

-- Covert authorisations: together with their reviews, renewals and
-- cancellation this is the force's central record.
CREATE TABLE authorisation (
    id                      INTEGER PRIMARY KEY,
    urn                     TEXT NOT NULL UNIQUE,
    operation_id            INTEGER NOT NULL REFERENCES operation (id),
    kind                    TEXT NOT NULL,
    urgent                  INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    urgency_reason          TEXT NOT NULL,
    description             TEXT NOT NULL,
    necessity               TEXT NOT NULL,
    proportionality         TEXT NOT NULL,
    collateral_intrusion    TEXT NOT NULL,
    confidential_likely     INTEGER NOT NULL CHECK (confidential_likely IN (0, 1)),
    protected_premises      INTEGER NOT NULL CHECK (protected_premises IN (0, 1)),
    status                  TEXT NOT NULL CHECK (status IN ('applied', 'refused', 'awaiting-approval',
                                'granted', 'cancelled')),
    applied_at              TEXT NOT NULL,
    applied_by              INTEGER NOT NULL REFERENCES user_account (id),
    authorising_officer     INTEGER REFERENCES user_account (id),
    authorising_rank        TEXT,
    granted_at              TEXT,
    directly_involved       INTEGER NOT NULL DEFAULT 0 CHECK (directly_involved IN (0, 1)),
    involvement_reason      TEXT,
    review_every_days       INTEGER,
    judicial_approval_at    TEXT,
    judicial_reference      TEXT,
    effective_from          TEXT,           -- the current period's start
    ends_at                 TEXT,           -- exclusive end of the current period
    cancelled_at            TEXT,
    stop_instruction_at     TEXT,
    cancellation_reason     TEXT,
    cancellation_outcome    TEXT,
    material_arrangements   TEXT,
    decision_rationale      TEXT
) STRICT;

CREATE TABLE authorisation_subject (
    authorisation_id INTEGER NOT NULL REFERENCES authorisation (id),
    subject_id       INTEGER NOT NULL REFERENCES subject (id),
    PRIMARY KEY (authorisation_id, subject_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE authorisation_review (
    id               INTEGER PRIMARY KEY,
    authorisation_id INTEGER NOT NULL REFERENCES authorisation (id),
    necessity        TEXT NOT NULL,
    proportionality  TEXT NOT NULL,
    continue         INTEGER NOT NULL CHECK (continue IN (0, 1)),
    reviewed_at      TEXT NOT NULL,
    reviewed_by      INTEGER NOT NULL REFERENCES user_account (id)
) STRICT;

CREATE TABLE authorisation_renewal (
    id               INTEGER PRIMARY KEY,
    authorisation_id INTEGER NOT NULL REFERENCES authorisation (id),
    rationale        TEXT NOT NULL,
    renewed_at       TEXT NOT NULL,
    renewed_by       INTEGER NOT NULL REFERENCES user_account (id),
    renewed_rank     TEXT NOT NULL,
    takes_effect_at  TEXT NOT NULL,
    ends_at          TEXT NOT NULL
) STRICT;

CREATE TABLE referral (
    id               INTEGER PRIMARY KEY,
    urn              TEXT NOT NULL UNIQUE,
    operation_id     INTEGER REFERENCES operation (id),
    force_reference  TEXT NOT NULL,
    matter_type      TEXT NOT NULL,
    criterion        TEXT NOT NULL,
    became_clear_on  TEXT NOT NULL,         -- yyyy-mm-dd, UK calendar day
    deadline         TEXT NOT NULL,         -- exclusive instant, UTC
    summary          TEXT NOT NULL,
    covert_sensitive INTEGER NOT NULL CHECK (covert_sensitive IN (0, 1)),
    restrictions     TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'referred', 'decided')),
    referred_at      TEXT,
    referred_by      INTEGER REFERENCES user_account (id),
    iopc_reference   TEXT,
    mode             TEXT,
    mode_decided_on  TEXT,
    re_referral_of   INTEGER REFERENCES referral (id),
    recorded_at      TEXT NOT NULL,
    recorded_by      INTEGER NOT NULL REFERENCES user_account (id)
) STRICT;

CREATE TABLE referral_subject (
    referral_id INTEGER NOT NULL REFERENCES referral (id),
    subject_id  INTEGER NOT NULL REFERENCES subject (id),
    PRIMARY KEY (referral_id, subject_id)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER authorisation_no_delete BEFORE DELETE ON authorisation
BEGIN
    SELECT RAISE(ABORT, 'an authorisation is never deleted: it stays in the central record');
END;

CREATE TRIGGER referral_no_delete BEFORE DELETE ON referral
BEGIN
    SELECT RAISE(ABORT, 'a referral is never deleted');
END;

CREATE TRIGGER bid_no_delete BEFORE DELETE ON bid
BEGIN
    SELECT RAISE(ABORT, 'a bid is never deleted: withdraw it instead');
END;

CREATE TRIGGER threshold_decision_no_change BEFORE UPDATE ON threshold_decision
BEGIN
    SELECT RAISE(ABORT, 'a threshold decision is never edited: record a new proposal and decision');
END;

-- Settings the unit may change, such as the referral deadline (how many UK
-- days after the day it became clear a referral must be made by).
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

INSERT INTO setting (key, value) VALUES ('referral_deadline_days_after', '1');
