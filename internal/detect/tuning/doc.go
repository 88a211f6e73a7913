// Package tuning is alert tuning: exclusion rules, kept per tenant, that suppress or resolve
// the alerts they match (by rule, title, severity, MITRE, entity identifiers or evidence
// columns) before they reach the queue, each with an owner, a reason and an optional expiry,
// and an impact preview over past alerts. Defender XDR calls this alert tuning; it is what
// Wazuh users build as global exceptions.
package tuning
