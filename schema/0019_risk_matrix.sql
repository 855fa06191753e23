-- The subject risk matrix (seed 003 paras 25-27): characteristics of
-- police employees who offend against vulnerable people, each weighted,
-- and a benchmark score. The matrix is versioned: a change makes a new
-- version holding the whole set, and an assessment keeps the version it
-- was made with. Version 1 is the default set shipped with ccu (made by
-- no one, at no recorded time); docs/prevention.md gives the reasoning for each
-- weight. Everything is kept as written: nothing is edited or deleted.

CREATE TABLE risk_matrix (
    id        INTEGER PRIMARY KEY,
    version   INTEGER NOT NULL UNIQUE CHECK (version >= 1),
    benchmark INTEGER NOT NULL CHECK (benchmark >= 1),
    reason    TEXT NOT NULL CHECK (length(reason) >= 1),
    -- None for version 1, the default set; who made a later one, and when.
    made_by   INTEGER REFERENCES user_account (id),
    made_at   TEXT
) STRICT;

CREATE TABLE risk_characteristic (
    id          INTEGER PRIMARY KEY,
    matrix_id   INTEGER NOT NULL REFERENCES risk_matrix (id),
    position    INTEGER NOT NULL CHECK (position >= 1),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 30),
    label       TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 120),
    description TEXT NOT NULL CHECK (length(description) >= 1),
    weight      INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 10),
    UNIQUE (matrix_id, code),
    UNIQUE (matrix_id, position)
) STRICT;

CREATE TABLE risk_assessment (
    id          INTEGER PRIMARY KEY,
    subject_id  INTEGER NOT NULL REFERENCES subject (id),
    matrix_id   INTEGER NOT NULL REFERENCES risk_matrix (id),
    score       INTEGER NOT NULL CHECK (score >= 0),
    summary     TEXT NOT NULL,
    assessed_by INTEGER NOT NULL REFERENCES user_account (id),
    assessed_at TEXT NOT NULL
) STRICT;

CREATE INDEX risk_assessment_by_subject ON risk_assessment (subject_id, id);

-- A characteristic that applies in an assessment, with its weight then.
CREATE TABLE risk_finding (
    id                INTEGER PRIMARY KEY,
    assessment_id     INTEGER NOT NULL REFERENCES risk_assessment (id),
    characteristic_id INTEGER NOT NULL REFERENCES risk_characteristic (id),
    weight            INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 10),
    note              TEXT NOT NULL,
    UNIQUE (assessment_id, characteristic_id)
) STRICT;

-- The intelligence a finding rests on.
CREATE TABLE risk_evidence (
    id              INTEGER PRIMARY KEY,
    finding_id      INTEGER NOT NULL REFERENCES risk_finding (id),
    intelligence_id INTEGER NOT NULL REFERENCES intelligence (id),
    UNIQUE (finding_id, intelligence_id)
) STRICT;

-- What a supervisor decided an assessment called for: at most one each.
CREATE TABLE risk_intervention (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL UNIQUE REFERENCES risk_assessment (id),
    kind          TEXT NOT NULL CHECK (kind IN ('management-discussion', 'role-change',
                      'restricted-duties', 'vetting-referral', 'covert-methods',
                      'no-further-action')),
    rationale     TEXT NOT NULL CHECK (length(rationale) >= 1),
    recorded_by   INTEGER NOT NULL REFERENCES user_account (id),
    recorded_at   TEXT NOT NULL
) STRICT;

CREATE TRIGGER risk_matrix_no_update BEFORE UPDATE ON risk_matrix
BEGIN SELECT RAISE(ABORT, 'a version of the risk matrix is never edited'); END;
CREATE TRIGGER risk_matrix_no_delete BEFORE DELETE ON risk_matrix
BEGIN SELECT RAISE(ABORT, 'a version of the risk matrix is never deleted'); END;
CREATE TRIGGER risk_characteristic_no_update BEFORE UPDATE ON risk_characteristic
BEGIN SELECT RAISE(ABORT, 'a characteristic is never edited: change the matrix'); END;
CREATE TRIGGER risk_characteristic_no_delete BEFORE DELETE ON risk_characteristic
BEGIN SELECT RAISE(ABORT, 'a characteristic is never deleted: change the matrix'); END;
CREATE TRIGGER risk_assessment_no_update BEFORE UPDATE ON risk_assessment
BEGIN SELECT RAISE(ABORT, 'a risk assessment is never edited: reassess'); END;
CREATE TRIGGER risk_assessment_no_delete BEFORE DELETE ON risk_assessment
BEGIN SELECT RAISE(ABORT, 'a risk assessment is never deleted'); END;
CREATE TRIGGER risk_finding_no_update BEFORE UPDATE ON risk_finding
BEGIN SELECT RAISE(ABORT, 'a finding is never edited'); END;
CREATE TRIGGER risk_finding_no_delete BEFORE DELETE ON risk_finding
BEGIN SELECT RAISE(ABORT, 'a finding is never deleted'); END;
CREATE TRIGGER risk_evidence_no_update BEFORE UPDATE ON risk_evidence
BEGIN SELECT RAISE(ABORT, 'evidence is never edited'); END;
CREATE TRIGGER risk_evidence_no_delete BEFORE DELETE ON risk_evidence
BEGIN SELECT RAISE(ABORT, 'evidence is never deleted'); END;
CREATE TRIGGER risk_intervention_no_update BEFORE UPDATE ON risk_intervention
BEGIN SELECT RAISE(ABORT, 'an intervention is never edited'); END;
CREATE TRIGGER risk_intervention_no_delete BEFORE DELETE ON risk_intervention
BEGIN SELECT RAISE(ABORT, 'an intervention is never deleted'); END;

-- Version 1: the default set (src/domain/risk.rs DEFAULT_SET, which a
-- test holds this to).
INSERT INTO risk_matrix (id, version, benchmark, reason) VALUES
    (1, 1, 12, 'the default set shipped with ccu');

INSERT INTO risk_characteristic (matrix_id, position, code, label, description, weight) VALUES
    (1, 1, 'victim-contact', 'Repeated unnecessary contact with victims',
     'Visits, calls or messages to victims or witnesses beyond what the investigation needs, especially to the vulnerable; the pattern most often seen before abuse of position.', 5),
    (1, 2, 'social-media', 'Off-duty contact through social media',
     'Friend requests, private messages or a personal number given to a victim or a member of the public met on duty.', 5),
    (1, 3, 'system-searches', 'Searches about victims or associates',
     'Searches on force systems (PNC, PND, the local intelligence and crime systems) about victims or their associates with no policing purpose.', 4),
    (1, 4, 'earlier-reports', 'Earlier complaints or intelligence',
     'Complaints, conduct matters or intelligence of a similar kind before, whatever their outcome: a pattern matters more than any one report.', 4),
    (1, 5, 'unsupervised-access', 'Unsupervised access to vulnerable people',
     'A role or pattern of work that gives lone access to vulnerable people (safeguarding, domestic abuse, missing persons, custody) with little supervision.', 3),
    (1, 6, 'vetting-issues', 'Vetting issues',
     'Adverse vetting information, lapsed or incomplete vetting, or a change of circumstances not declared.', 3),
    (1, 7, 'undeclared-relationship', 'Undeclared relationship from duty',
     'A relationship with someone met through duty that was not declared, as the code of ethics requires.', 4),
    (1, 8, 'avoids-oversight', 'Working that avoids oversight',
     'Body-worn video not used, visits not logged, or attending calls outside one''s own area or role without reason.', 2);
