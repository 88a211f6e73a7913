// Package incident groups alerts into incidents. Correlator implements alert.Sink: each
// alert joins an open incident of its tenant that shares a strong entity with it (a host,
// an account, a mailbox, a file hash, a URL, an IP address, a cloud app used by an account)
// within a correlation window, or opens a new one; an alert that bridges several open
// incidents merges them into the largest. Over-common entities (a static list such as
// SYSTEM and 127.0.0.1, and any entity carried by more than a configured share of the
// tenant's recent alerts) never join alerts, and the decision is recorded on the incident.
// Incidents have a size cap; past it an alert opens a linked incident.
//
// The correlation state (incidents, their alerts and entity keys) lives in the state store
// behind State, and each batch of a tenant's alerts is correlated in one transaction that
// serializes with every other node's, so that scaled-out nodes correlate the same way and
// the result depends only on the order of the alerts.
package incident
