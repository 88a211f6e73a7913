-- Watchlists (Sentinel's): a named list of items made from a CSV, queried with
-- _GetWatchlist('alias'). The definition and the current items are kept here, the source of
-- truth for the API; every change is also appended to the event store's Watchlist table,
-- which is what KQL reads. column_defs is a JSON array of {"name": ..., "type": ...} in the CSV's
-- order; an item is a JSON object of the CSV's values (strings), by column name.

CREATE TABLE watchlists (
    tenant      TEXT NOT NULL,
    alias       TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    provider    TEXT NOT NULL,
    source      TEXT NOT NULL,
    search_key  TEXT NOT NULL,
    column_defs TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  {{timestamp}} NOT NULL,
    updated_at  {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, alias)
);

CREATE TABLE watchlist_items (
    tenant     TEXT NOT NULL,
    alias      TEXT NOT NULL,
    id         TEXT NOT NULL,
    item       TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, alias, id)
);
