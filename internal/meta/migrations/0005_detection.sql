-- Deception: decoy accounts, hosts, files, credentials (honeytokens), IPs and mailboxes that no
-- legitimate activity touches, so any event naming one is an alert.

CREATE TABLE decoys (
    id          {{autoid}},
    tenant      TEXT NOT NULL,
    kind        TEXT NOT NULL,    -- account, host, file, credential, ip, mailbox
    value       TEXT NOT NULL,
    value_key   TEXT NOT NULL,    -- value as compared for uniqueness (lower case but for credentials)
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE UNIQUE INDEX decoys_tenant_kind_value ON decoys (tenant, kind, value_key);

-- One row counting changes to decoys, so that detectors reload only when it moves.
CREATE TABLE decoy_changes (
    id      INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);

INSERT INTO decoy_changes (id, version) VALUES (1, 0);
