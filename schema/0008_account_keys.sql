-- Encryption at rest (docs/security.md). The case file is encrypted with a
-- random data key, sealed in the keyring beside it to each active
-- account's X25519 public key. The case file holds each account's public
-- key, so a key put into the keyring from outside opens nothing; and it no
-- longer holds password hashes: a password only unseals its own account's
-- key in the keyring.
ALTER TABLE user_account DROP COLUMN password_hash;

-- Hex, 32 bytes. NULL: an account from an unencrypted case file that has
-- not been sealed in yet (an administrator sets its password again).
ALTER TABLE user_account ADD COLUMN public_key TEXT
    CHECK (public_key IS NULL
           OR (length(public_key) = 64 AND public_key NOT GLOB '*[^0-9a-f]*'));

CREATE UNIQUE INDEX user_account_by_public_key ON user_account (public_key)
    WHERE public_key IS NOT NULL;
