// Package investigate is automated investigation (Defender's AIR): when an alert arrives it
// collects the evidence around the alert's devices and mailboxes from the event store
// (processes, files, connections, messages), gives every piece a verdict (malicious,
// suspicious, no threats found) from threat intelligence, the alert's own evidence and the
// file's prevalence across the fleet, and remediates: malicious files, addresses and
// messages are requested from the Action Center as the investigation (the tenant's
// automation level decides whether they wait for approval), suspicious ones are proposed
// for an analyst to request. Investigations are kept in the state store; queued and
// interrupted ones resume after a restart.
package investigate
