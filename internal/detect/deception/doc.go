// Package deception raises an alert whenever an event touches a decoy: an account, host,
// file, credential (honeytoken), IP address or mailbox that no legitimate activity uses.
//
// Decoys are kept in the state store (meta.Decoy). The Detector holds them as an immutable
// per-tenant index, swapped atomically when Reload finds that the store's decoy version moved;
// Run polls for that. Which columns are checked for which decoy kind is the data in fields.go,
// checked against the schema registry by a test; tables that hold alerts themselves are never
// checked, so that a decoy named in an alert does not trip again.
package deception
