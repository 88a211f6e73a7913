-- Device groups (issue 9): a tenant's devices are partitioned into named groups
-- by ordered membership rules (the lowest rank whose rules all match wins;
-- devices no group matches are "Ungrouped devices", which is not stored).
-- rules is a JSON array of {field, op, value}; automation_level is full, semi,
-- none or '' (the tenant's level).
CREATE TABLE device_groups (
    tenant           TEXT NOT NULL,
    id               TEXT NOT NULL,
    name             TEXT NOT NULL,
    name_key         TEXT NOT NULL, -- lower(name): names are unique per tenant ignoring case
    description      TEXT NOT NULL DEFAULT '',
    rank             INTEGER NOT NULL,
    automation_level TEXT NOT NULL DEFAULT '',
    rules            TEXT NOT NULL,
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, name_key)
);

-- A grant may be restricted to device groups of its tenant: a comma-separated
-- list of group ids; '' is every device.
ALTER TABLE role_grants ADD COLUMN device_groups TEXT NOT NULL DEFAULT '';
