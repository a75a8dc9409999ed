-- Accounts: people, their credentials, sessions and second factors. Ids are UUIDv7 strings;
-- instants are unix seconds (UTC). Secrets are stored only as SHA-256 hashes (session and API
-- tokens, single-use tokens, backup codes) or as argon2id PHC strings (passwords).
CREATE TABLE users (
    id                    TEXT    PRIMARY KEY,
    email                 TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    -- argon2id PHC string; empty for deleted (anonymised) accounts, which can never sign in.
    password_hash         TEXT    NOT NULL,
    full_name             TEXT    NOT NULL,
    role                  TEXT    NOT NULL CHECK (role IN ('student', 'instructor', 'admin')),
    timezone              TEXT    NOT NULL DEFAULT 'America/New_York',
    status                TEXT    NOT NULL DEFAULT 'active'
                                  CHECK (status IN ('active', 'deactivated', 'suspended', 'deleted')),
    email_verified_at     INTEGER,
    -- Base32 TOTP secret: pending while two_factor_enabled_at is NULL, active after.
    totp_secret           TEXT,
    two_factor_enabled_at INTEGER,
    -- The last TOTP time step accepted, so one code cannot be used twice.
    totp_last_step        INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    -- Absolute end; the idle limit is checked against last_seen_at.
    expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

-- Single-use tokens sent by email (verification, reset) and the short-lived second step of a
-- two-factor sign-in.
CREATE TABLE one_time_tokens (
    token_hash BLOB    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'password_reset', 'login_challenge')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
CREATE INDEX one_time_tokens_by_user ON one_time_tokens (user_id, purpose);

CREATE TABLE backup_codes (
    user_id   TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB    NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

-- Browsers a user has signed in from (by a long-lived random cookie): a new one triggers a
-- "new sign-in" email; a trusted one skips the second factor until trusted_until.
CREATE TABLE devices (
    user_id       TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash   BLOB    NOT NULL,
    user_agent    TEXT    NOT NULL DEFAULT '',
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    trusted_until INTEGER,
    PRIMARY KEY (user_id, device_hash)
) STRICT;
