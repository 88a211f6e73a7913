-- Incident lifecycle: analyst fields and versions on alerts (alerts_v2 PATCH), the time an
-- incident was resolved (SecurityIncident.ClosedTime), alert tactics, and indexes for
-- correlation. Times added here are TEXT in the fixed-width UTC layout ('' for none) on
-- both engines, since a NOT NULL {{timestamp}} column cannot be added without a default.

ALTER TABLE incident_alerts ADD COLUMN classification TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE incident_alerts ADD COLUMN determination TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE incident_alerts ADD COLUMN assigned_to TEXT NOT NULL DEFAULT '';
ALTER TABLE incident_alerts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE incident_alerts ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';

ALTER TABLE incidents ADD COLUMN closed_at TEXT NOT NULL DEFAULT '';

-- An incident's alerts in order, without SQLite choosing the (tenant, created_at) index and
-- scanning every alert of the tenant; it replaces the index on incident_id alone.
CREATE INDEX incident_alerts_tenant_incident ON incident_alerts (tenant, incident_id, created_at, alert_id);
DROP INDEX incident_alerts_incident;

-- The alert's MITRE tactics (JSON array), so that correlation derives an incident's title
-- without decoding every alert; '' on rows from before this migration (read from data).
ALTER TABLE incident_alerts ADD COLUMN tactics TEXT NOT NULL DEFAULT '';
