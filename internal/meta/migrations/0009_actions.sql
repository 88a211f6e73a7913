-- Action Center: response actions with their lifecycle, and the state the simulated
-- responder keeps (isolated devices, disabled accounts, quarantined files, blocked indicators).

CREATE TABLE response_actions (
    tenant           TEXT NOT NULL,
    id               TEXT NOT NULL,
    type             TEXT NOT NULL,
    status           TEXT NOT NULL,
    target           TEXT NOT NULL,            -- JSON object
    target_key       TEXT NOT NULL,            -- the device, account, hash, indicator or message id
    parameters       TEXT NOT NULL DEFAULT '{}', -- JSON object
    requester_type   TEXT NOT NULL,            -- user, rule, playbook, investigation, disruption
    requester        TEXT NOT NULL,
    reason           TEXT NOT NULL DEFAULT '',
    incident_id      BIGINT NOT NULL DEFAULT 0, -- 0: no incident
    approver         TEXT NOT NULL DEFAULT '',
    approval_comment TEXT NOT NULL DEFAULT '',
    result           TEXT NOT NULL DEFAULT '{}', -- JSON object
    undo_of          TEXT NOT NULL DEFAULT '',
    undone_by        TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       {{timestamp}} NOT NULL,
    updated_at       {{timestamp}} NOT NULL,
    decided_at       {{timestamp}},
    sent_at          {{timestamp}},
    started_at       {{timestamp}},
    finished_at      {{timestamp}},
    PRIMARY KEY (tenant, id)
);

CREATE INDEX response_actions_created ON response_actions (tenant, created_at);
CREATE INDEX response_actions_status ON response_actions (status);

CREATE TABLE response_simulated_state (
    tenant     TEXT NOT NULL,
    kind       TEXT NOT NULL, -- isolatedDevice, disabledAccount, quarantinedFile, blockedIndicator
    target_key TEXT NOT NULL,
    action_id  TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}',
    updated_at {{timestamp}} NOT NULL,
    PRIMARY KEY (tenant, kind, target_key)
);
