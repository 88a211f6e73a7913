-- Audit retention (issue 9). A record's hash now covers its sequence number,
-- time, tenant and content_hash (SHA-256 of the rest of the record), so that a
-- pruned record can keep those four and its hashes (a stub, content cleared,
-- pruned_by naming the audit.prune checkpoint that pruned it) and still verify.
-- Rows written before this migration keep content_hash '' and the old hash.
ALTER TABLE audit_log ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN pruned_by BIGINT NOT NULL DEFAULT 0;

-- The chain's base: the records up to base_seq were removed by pruning; the
-- last of them had hash base_hash. Verification starts there.
ALTER TABLE audit_head ADD COLUMN base_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN base_hash TEXT NOT NULL DEFAULT '';
