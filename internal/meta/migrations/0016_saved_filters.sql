-- Saved incident queue filters: a user's own (private) or shared with the tenant. The query
-- is the queue's URL query string (status=active&severity=high). name_key is the name in
-- lower case: one owner has one filter of a name, whatever its case. A shared filter is
-- changed only by its owner or by someone who may change settings (the API checks that).

CREATE TABLE saved_filters (
    tenant     TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    query      TEXT NOT NULL,
    shared     BOOLEAN NOT NULL,
    owner      TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE UNIQUE INDEX saved_filters_owner_name ON saved_filters (tenant, owner, name_key);
