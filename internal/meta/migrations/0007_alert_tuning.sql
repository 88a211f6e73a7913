-- Alert tuning rules: the rule as JSON, its owner, and how often it matched.

CREATE TABLE alert_tuning_rules (
    tenant      TEXT NOT NULL,
    id          TEXT NOT NULL,
    document    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    hits        BIGINT NOT NULL DEFAULT 0,
    last_hit_at TEXT NOT NULL DEFAULT '', -- RFC 3339, empty when it never matched
    PRIMARY KEY (tenant, id)
);
