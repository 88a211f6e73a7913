-- Entities by alert, for counting the hosts an entity's alerts span.
CREATE INDEX incident_entities_alert ON incident_entities (tenant, alert_id);
