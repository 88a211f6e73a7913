-- Automation: automation rules (their definition as JSON), playbooks (each save a new version,
-- kept as the YAML saved) and playbook runs with the status of each step (JSON).

CREATE TABLE automation_rules (
    tenant     TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    rule_order INTEGER NOT NULL,
    enabled    BOOLEAN NOT NULL,
    definition TEXT NOT NULL, -- JSON object
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE UNIQUE INDEX automation_rules_name ON automation_rules (tenant, name);

CREATE TABLE playbooks (
    tenant     TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    source     TEXT NOT NULL, -- the YAML as saved
    created_by TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, name, version)
);

CREATE TABLE playbook_runs (
    tenant       TEXT NOT NULL,
    id           TEXT NOT NULL,
    playbook     TEXT NOT NULL,
    version      INTEGER NOT NULL, -- 0: a built-in playbook
    status       TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    incident_id  BIGINT NOT NULL DEFAULT 0,
    alert_id     TEXT NOT NULL DEFAULT '',
    started_by   TEXT NOT NULL,
    inputs       TEXT NOT NULL DEFAULT '{}', -- JSON object
    steps        TEXT NOT NULL DEFAULT '[]', -- JSON array of step records
    error        TEXT NOT NULL DEFAULT '',
    created_at   {{timestamp}} NOT NULL,
    updated_at   {{timestamp}} NOT NULL,
    finished_at  {{timestamp}},
    PRIMARY KEY (tenant, id)
);

CREATE INDEX playbook_runs_status ON playbook_runs (status);
CREATE INDEX playbook_runs_playbook ON playbook_runs (tenant, playbook, created_at);
