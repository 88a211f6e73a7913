-- Automated investigations: one per alert that qualifies, with the evidence collected, each
-- entity's verdict and the remediation proposed or requested (as a JSON document), and the
-- state of the run so that queued and interrupted investigations resume after a restart.

CREATE TABLE investigations (
    tenant     TEXT NOT NULL,
    id         TEXT NOT NULL,
    alert_id   TEXT NOT NULL,
    state      TEXT NOT NULL, -- queued, running, completed, failed
    doc        TEXT NOT NULL, -- JSON: the alert, evidence, verdicts, remediation
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE INDEX investigations_alert ON investigations (tenant, alert_id);
CREATE INDEX investigations_state ON investigations (state);
