-- Tenants, custom (_CL) table definitions and settings.

CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL
);

INSERT INTO tenants (id, name, created_at) VALUES ('default', 'Default', {{now}});

-- Custom tables created through the API. Names are unique
-- case-insensitively: name_key is the name in lower case.
CREATE TABLE custom_tables (
    name_key    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    columns     TEXT NOT NULL, -- JSON array of {"name": ..., "type": ...}
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL
);

CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at {{timestamp}} NOT NULL
);
