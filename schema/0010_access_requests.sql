-- 0010: two-person control over access (docs/security.md, "Access model").
-- Granting a role that reads case content, adding an account that holds
-- one, enabling a disabled account and resetting someone else's password
-- are requests: they take effect only when a head of unit (the supervisor
-- role at Inspector rank or above) who is neither the requester nor the
-- account approves. A request expires if no one decides it in time.
--
-- `before_state` is the account as it was when the request was made
-- (roles, status, public key, as JSON): an approval is refused if the
-- account has changed since, so no one approves what they did not see.
-- `public_key` is the key pair a reset's one-time password opens (its
-- keyring entry holds no data key until the approval seals one to it).
-- A request is decided once: ccu updates only a pending one (a guard
-- trigger on UPDATE would tell the write path the table is never updated,
-- src/store/ledger.rs, so the rule is kept in code and every change is in
-- the trail).

CREATE TABLE access_request (
    id            INTEGER PRIMARY KEY,
    urn           TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('add', 'grant', 'enable', 'reset')),
    user_id       INTEGER NOT NULL REFERENCES user_account (id),
    roles         TEXT,
    public_key    TEXT CHECK (public_key IS NULL
                              OR (length(public_key) = 64 AND public_key NOT GLOB '*[^0-9a-f]*')),
    before_state  TEXT NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES user_account (id),
    requested_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'declined', 'superseded')),
    decided_by    INTEGER REFERENCES user_account (id),
    decided_at    TEXT,
    reason        TEXT,
    CHECK ((kind IN ('add', 'grant')) = (roles IS NOT NULL)),
    CHECK ((kind = 'reset') = (public_key IS NOT NULL)),
    CHECK ((status = 'pending') = (decided_at IS NULL))
) STRICT;

CREATE INDEX access_request_by_user ON access_request (user_id, status);
CREATE INDEX access_request_by_status ON access_request (status, expires_at);

CREATE TRIGGER access_request_no_delete BEFORE DELETE ON access_request
BEGIN
    SELECT RAISE(ABORT, 'a request for access is never deleted');
END;

-- A password an administrator set (a new account's first, or a reset) is
-- for one use: the account must choose its own at its next login.
-- `password_set_by`: the administrator who set it (NULL once the account
-- has chosen its own); `password_request`: the approved reset, if it was one.
ALTER TABLE user_account ADD COLUMN password_set_by INTEGER REFERENCES user_account (id);
ALTER TABLE user_account ADD COLUMN password_set_at TEXT;
ALTER TABLE user_account ADD COLUMN password_request TEXT;

-- How long a request waits for a decision before it expires, in hours.
INSERT INTO setting (key, value) VALUES ('access_request_hours', '72');
