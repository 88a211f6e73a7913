-- Trust: users, custom roles, role grants, API keys, sessions and the hash-chained audit log.

-- Local users. username_key is the user name in lower case (names are unique
-- case-insensitively). password_hash is an argon2id PHC string; empty for a
-- user that cannot sign in with a password.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL,
    username_key   TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL DEFAULT '',
    password_hash  TEXT NOT NULL DEFAULT '',
    default_tenant TEXT NOT NULL,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   {{timestamp}},
    last_login     {{timestamp}},
    created_at     {{timestamp}} NOT NULL,
    updated_at     {{timestamp}} NOT NULL
);

-- Custom roles: named sets of permissions (built-in roles live in code).
CREATE TABLE roles (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    permissions TEXT NOT NULL, -- JSON array of permission names
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);

-- Role grants of users and API keys, per tenant; tenant '*' is every tenant.
CREATE TABLE role_grants (
    principal_id TEXT NOT NULL, -- a user id or an API key id
    role_id      TEXT NOT NULL,
    tenant       TEXT NOT NULL,
    created_at   {{timestamp}} NOT NULL,
    PRIMARY KEY (principal_id, role_id, tenant)
);

-- API keys: only the SHA-256 of the key is kept; prefix is its first
-- characters, shown to tell keys apart.
CREATE TABLE api_keys (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    prefix         TEXT NOT NULL,
    key_hash       TEXT NOT NULL UNIQUE,
    default_tenant TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    expires_at     {{timestamp}},
    revoked_at     {{timestamp}},
    last_used_at   {{timestamp}},
    created_at     {{timestamp}} NOT NULL
);

-- Sessions of signed-in users: only the SHA-256 of the session token is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source     TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    last_seen  {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);

-- The audit log: append-only, each row's hash covers the previous row's hash
-- and the row itself, so editing or removing a row breaks the chain.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    time       {{timestamp}} NOT NULL,
    actor      TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    source     TEXT NOT NULL,
    result     TEXT NOT NULL,
    detail     TEXT NOT NULL, -- JSON object, hashed as stored
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE INDEX audit_log_tenant_time ON audit_log (tenant, time);

-- The chain's head: one row, locked by every append so appends are serial.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
