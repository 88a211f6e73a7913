// Package incident groups alerts into incidents. Correlator implements alert.Sink: each
// alert joins an open incident of its tenant that shares a strong entity with it (a host,
// an account, a mailbox, a file hash, a URL, an IP address, a cloud app used by an account)
// within a correlation window, or opens a new one; an alert that bridges several open
// incidents merges them into the largest, with history on both and a redirect pointer on
// the merged one. Over-common entities (a static list such as SYSTEM and 127.0.0.1, and any
// entity carried by more than a configured share of the tenant's recent alerts) never join
// alerts, and the decision is recorded on the incident. Incidents have a size cap; past it
// an alert opens a linked incident.
//
// A rule's incidentConfiguration is honoured: createIncident false keeps its alerts out of
// incidents (they are stored, and count towards prevalence); grouping (AllEntities,
// AnyAlert, Selected by entity types, alert details and custom details) puts the rule's
// alerts within its lookback into the group's incident, reopening it when resolved only if
// the rule says reopenClosedIncident; alerts the group does not place correlate by entity.
// An alert with no configuration at all (imported, or built by hand) correlates by entity.
//
// Reopen policy for entity correlation: a resolved incident whose last activity is within
// the window reopens (status active, history "reopened") when a new alert shares a strong
// entity with it, unless it was classified falsePositive or informationalExpectedActivity,
// or Options.NoReopen is set; then the alert opens a new incident.
//
// The correlation state (incidents, their alerts and entity keys) lives in the state store
// behind State, and each batch of a tenant's alerts is correlated in one transaction that
// serializes with every other node's, so that scaled-out nodes correlate the same way and
// the result depends only on the order of the alerts.
//
// Every committed change (Change) goes to a Notifier: the live Feed (a bounded ring per
// tenant for server-sent events) and the TableWriter (Sentinel's SecurityIncident table).
// Service wraps the state store for the API, announcing analysts' changes the same way.
// BuildStory derives an incident's summary and attack-story timeline from its alerts.
package incident
