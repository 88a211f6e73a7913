-- Incidents: alerts correlated into attack stories, their entities, comments and history.

CREATE TABLE incidents (
    id                {{autoid}},
    tenant            TEXT NOT NULL,
    title             TEXT NOT NULL,
    severity          TEXT NOT NULL,
    severity_override BOOLEAN NOT NULL DEFAULT FALSE,
    status            TEXT NOT NULL,
    classification    TEXT NOT NULL DEFAULT 'unknown',
    determination     TEXT NOT NULL DEFAULT 'unknown',
    assigned_to       TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    notes             TEXT NOT NULL DEFAULT '[]', -- JSON array of correlation decisions
    alert_count       INTEGER NOT NULL DEFAULT 0,
    merged_into       BIGINT NOT NULL DEFAULT 0,  -- 0: not merged
    linked_from       BIGINT NOT NULL DEFAULT 0,  -- the full incident this one continues
    version           INTEGER NOT NULL DEFAULT 1,
    first_activity    {{timestamp}} NOT NULL,
    last_activity     {{timestamp}} NOT NULL,
    created_at        {{timestamp}} NOT NULL,
    updated_at        {{timestamp}} NOT NULL
);

CREATE INDEX incidents_tenant_id ON incidents (tenant, id);

-- One row per alert; data holds the alert as JSON.
CREATE TABLE incident_alerts (
    tenant         TEXT NOT NULL,
    alert_id       TEXT NOT NULL,
    incident_id    BIGINT NOT NULL,
    rule_id        TEXT NOT NULL,
    title          TEXT NOT NULL,
    severity       TEXT NOT NULL,
    status         TEXT NOT NULL,
    first_activity {{timestamp}} NOT NULL,
    last_activity  {{timestamp}} NOT NULL,
    created_at     {{timestamp}} NOT NULL,
    data           TEXT NOT NULL,
    PRIMARY KEY (tenant, alert_id)
);

CREATE INDEX incident_alerts_incident ON incident_alerts (incident_id);
CREATE INDEX incident_alerts_created ON incident_alerts (tenant, created_at);

-- The normalized entity keys of each alert (type:value, lower case), for finding the open
-- incidents an alert shares an entity with and for counting how common an entity is.
CREATE TABLE incident_entities (
    tenant      TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    alert_id    TEXT NOT NULL,
    incident_id BIGINT NOT NULL,
    seen_at     {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, entity_key, alert_id)
);

CREATE INDEX incident_entities_incident ON incident_entities (incident_id);

CREATE TABLE incident_comments (
    id          {{autoid}},
    incident_id BIGINT NOT NULL,
    comment     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL
);

CREATE INDEX incident_comments_incident ON incident_comments (incident_id);

CREATE TABLE incident_history (
    id          {{autoid}},
    incident_id BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    at          {{timestamp}} NOT NULL
);

CREATE INDEX incident_history_incident ON incident_history (incident_id);
