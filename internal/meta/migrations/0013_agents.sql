-- Endpoint agents (issue 8): one-time enrollment tokens (kept as SHA-256 hashes) and the
-- enrolled devices with the NKey public key each authenticates to the bus with.
CREATE TABLE agent_enrollment_tokens (
    token_hash   TEXT NOT NULL PRIMARY KEY, -- hex SHA-256 of the token
    tenant       TEXT NOT NULL,
    device_group TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   {{timestamp}} NOT NULL,
    expires_at   {{timestamp}} NOT NULL,
    used_at      {{timestamp}},
    used_by      TEXT NOT NULL DEFAULT '' -- the device id that enrolled with it
);

CREATE TABLE agents (
    tenant       TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    device_name  TEXT NOT NULL,
    os           TEXT NOT NULL DEFAULT '',
    nkey         TEXT NOT NULL UNIQUE,
    device_group TEXT NOT NULL DEFAULT '',
    enrolled_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, device_id)
);

CREATE INDEX agents_name ON agents (tenant, device_name);
