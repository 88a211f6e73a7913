-- Detection rules created through the API (the document as submitted, in its own format),
-- per-tenant switches for rules that come from content files, and each rule's last run.

CREATE TABLE detection_rules (
    tenant     TEXT NOT NULL,
    id         TEXT NOT NULL,
    format     TEXT NOT NULL,
    document   TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- enabled overrides the rule's own enabled flag for one tenant.
CREATE TABLE detection_rule_switches (
    tenant     TEXT NOT NULL,
    id         TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE detection_rule_runs (
    tenant      TEXT NOT NULL,
    id          TEXT NOT NULL,
    slot        {{timestamp}} NOT NULL,
    started_at  {{timestamp}} NOT NULL,
    duration_ms BIGINT NOT NULL,
    result_rows BIGINT NOT NULL,
    alerts      BIGINT NOT NULL,
    status      TEXT NOT NULL, -- completed, failed, suppressed
    error       TEXT NOT NULL,
    failures    BIGINT NOT NULL, -- consecutive failed runs
    PRIMARY KEY (tenant, id)
);
