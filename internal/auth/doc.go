// Package auth decides who may do what in Vigil: permissions, built-in and
// custom roles granted per tenant, local users with argon2id passwords,
// sign-in throttling and lockout, sessions, API keys (ingest tokens are API
// keys limited to ingest:write) and the hash-chained audit log.
//
// The state (users, grants, keys, sessions, audit records) lives in the state
// store (internal/meta); this package holds the rules. Permissions are a fixed
// table (permission.go); roles are sets of them (role.go), modeled on
// Microsoft Defender's unified RBAC. A principal's Access maps each tenant to
// the permissions its grants give there; a grant in tenant "*" applies in
// every tenant.
//
// Users may also sign in through an OpenID Connect provider (oidc.go), whose
// groups map to grants; CertReloader serves HTTPS certificates from files and
// reloads them when they change.
//
// The audit log is also copied to the VigilAudit table of the event store
// (AuditTable, at least once, without blocking requests), and pruned per
// tenant retention (AuditPruner) with chained checkpoints so that `vigil
// audit verify` still checks every record kept (see meta.Store.PruneAudit).
//
// Secrets are never stored: passwords as argon2id hashes, session tokens and
// API keys (random, 256 bits) as SHA-256 hashes, which is enough for
// high-entropy secrets and keeps each request's check cheap.
package auth
