// Package ruleset holds the detection rules of every tenant: the read-only rules of the
// configured content files and the rules created through the API (kept in the state store
// as the documents submitted), with per-tenant switches and each rule's last run. Every change
// recomputes the scheduler's jobs and hands them over (Scheduler.Replace), so rules take
// effect without a restart.
package ruleset
