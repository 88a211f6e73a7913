package auth

// Role is a named set of permissions. Built-in roles are defined here; custom
// roles are stored in the state store.
type Role struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Builtin     bool         `json:"builtin"`
	Permissions []Permission `json:"permissions"`
}

// The IDs of the built-in roles.
const (
	RoleReader      = "security-reader"
	RoleOperator    = "security-operator"
	RoleResponder   = "responder"
	RoleEngineer    = "detection-engineer"
	RoleSecAdmin    = "security-admin"
	RoleGlobalAdmin = "global-admin"
	RoleIngest      = "ingest"
)

// BuiltinRoles returns the built-in roles, modeled on Microsoft Defender's
// unified RBAC, from least to most privileged, and the ingest-only role of
// ingest tokens.
func BuiltinRoles() []Role {
	read := []Permission{DataRead, HuntingRun, IncidentsRead, RulesRead}
	triage := append(append([]Permission{}, read...), IncidentsWrite, AlertsWrite)
	respond := append(append([]Permission{}, triage...), ResponseRequest)
	engineer := append(append([]Permission{}, read...), RulesWrite, IncidentsWrite, AlertsWrite)
	secAdmin := append(append([]Permission{}, respond...), RulesWrite, ResponseApprove, SettingsWrite, AuditRead, IngestWrite)
	return []Role{
		{ID: RoleReader, Name: "Security reader", Description: "Read data, incidents, alerts and rules; run hunting queries", Builtin: true, Permissions: read},
		{ID: RoleOperator, Name: "Security operator", Description: "Triage incidents and alerts, add comments", Builtin: true, Permissions: triage},
		{ID: RoleResponder, Name: "Responder", Description: "Triage and request response actions", Builtin: true, Permissions: respond},
		{ID: RoleEngineer, Name: "Detection engineer", Description: "Write detection rules and content", Builtin: true, Permissions: engineer},
		{ID: RoleSecAdmin, Name: "Security administrator", Description: "Settings, automation, approvals and the audit log", Builtin: true, Permissions: secAdmin},
		{ID: RoleGlobalAdmin, Name: "Global administrator", Description: "Everything, including users, keys and raw SQL", Builtin: true, Permissions: Permissions()},
		{ID: RoleIngest, Name: "Ingest", Description: "Send data only (ingest tokens)", Builtin: true, Permissions: []Permission{IngestWrite}},
	}
}

// BuiltinRole returns the built-in role id.
func BuiltinRole(id string) (Role, bool) {
	for _, r := range BuiltinRoles() {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}
