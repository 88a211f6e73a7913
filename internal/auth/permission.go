package auth

import (
	"slices"
	"strings"
)

// Permission names one thing a principal may do.
type Permission string

// The permissions, checked per route by the API and per action by services.
const (
	DataRead        Permission = "data:read"        // tables, schemas
	HuntingRun      Permission = "hunting:run"      // run KQL hunting queries
	IncidentsRead   Permission = "incidents:read"   // incidents and alerts
	IncidentsWrite  Permission = "incidents:write"  // triage: status, assignment, comments
	AlertsWrite     Permission = "alerts:write"     // alert triage
	RulesRead       Permission = "rules:read"       // detection rules and content
	RulesWrite      Permission = "rules:write"      // create and change rules and content
	ResponseRequest Permission = "response:request" // request response actions
	ResponseApprove Permission = "response:approve" // approve response actions
	IngestWrite     Permission = "ingest:write"     // send data
	SettingsWrite   Permission = "settings:write"   // settings, automation, custom tables
	UsersManage     Permission = "users:manage"     // users, roles, API keys, tenants
	AuditRead       Permission = "audit:read"       // the audit log
	AdminSQL        Permission = "admin:sql"        // raw read-only SQL on the event store
)

// Permissions lists every permission, in the order above.
func Permissions() []Permission {
	return []Permission{DataRead, HuntingRun, IncidentsRead, IncidentsWrite, AlertsWrite, RulesRead, RulesWrite,
		ResponseRequest, ResponseApprove, IngestWrite, SettingsWrite, UsersManage, AuditRead, AdminSQL}
}

// Known reports whether p is a permission.
func Known(p Permission) bool { return slices.Contains(Permissions(), p) }

// PermSet is a set of permissions.
type PermSet map[Permission]bool

// NewPermSet returns the set of ps.
func NewPermSet(ps ...Permission) PermSet {
	s := PermSet{}
	for _, p := range ps {
		s[p] = true
	}
	return s
}

// Has reports whether p is in the set.
func (s PermSet) Has(p Permission) bool { return s[p] }

// Add adds every permission of o.
func (s PermSet) Add(o PermSet) {
	for p := range o {
		s[p] = true
	}
}

// List returns the permissions sorted by name.
func (s PermSet) List() []Permission {
	out := make([]Permission, 0, len(s))
	for p := range s {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Permission) int { return strings.Compare(string(a), string(b)) })
	return out
}

// tablePermissions are the tables readable in KQL only with a permission
// beyond hunting:run.
var tablePermissions = map[string]Permission{
	AuditTableName: AuditRead,
}

// TablePermission returns the permission needed to read table in a query,
// beyond hunting:run; ok is false when none is.
func TablePermission(table string) (p Permission, ok bool) {
	p, ok = tablePermissions[table]
	return p, ok
}
