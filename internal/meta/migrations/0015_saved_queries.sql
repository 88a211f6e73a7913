-- Saved hunting queries: a user's own (private) or shared with the tenant. A shared query is
-- changed only by its owner or by someone who may write rules (the API checks that).

CREATE TABLE saved_queries (
    tenant      TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    query       TEXT NOT NULL,
    folder      TEXT NOT NULL,
    shared      BOOLEAN NOT NULL,
    owner       TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE INDEX saved_queries_owner ON saved_queries (tenant, owner);
