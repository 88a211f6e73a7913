package respond

import (
	"time"
)

// Type is a response action type, named as Defender names its machine actions where one
// exists.
type Type string

// The action types.
const (
	IsolateDevice               Type = "isolateDevice"
	ReleaseIsolation            Type = "releaseIsolation"
	StopAndQuarantineFile       Type = "stopAndQuarantineFile"
	RestoreFile                 Type = "restoreFile"
	DisableAccount              Type = "disableAccount"
	EnableAccount               Type = "enableAccount"
	ResetPassword               Type = "resetPassword"
	CollectInvestigationPackage Type = "collectInvestigationPackage"
	BlockIndicator              Type = "blockIndicator"
	UnblockIndicator            Type = "unblockIndicator"
	RunScript                   Type = "runScript"
	SoftDeleteEmail             Type = "softDeleteEmail"
	RestoreEmail                Type = "restoreEmail"
	PurgeAttachment             Type = "purgeAttachment"
)

// Status is where an action is in its lifecycle.
type Status string

// The statuses.
const (
	PendingApproval Status = "pendingApproval"
	Approved        Status = "approved"
	Rejected        Status = "rejected"
	Sent            Status = "sent"
	Running         Status = "running"
	Completed       Status = "completed"
	Failed          Status = "failed"
	Cancelled       Status = "cancelled"
	TimedOut        Status = "timedOut"
)

// RequesterType says who asked for an action.
type RequesterType string

// The requester types.
const (
	ByUser          RequesterType = "user"
	ByRule          RequesterType = "rule"
	ByPlaybook      RequesterType = "playbook"
	ByInvestigation RequesterType = "investigation"
	ByDisruption    RequesterType = "disruption"
)

// requesterTypes lists the requester types and whether each is automation.
var requesterTypes = map[RequesterType]bool{
	ByUser: false, ByRule: true, ByPlaybook: true, ByInvestigation: true, ByDisruption: true,
}

// Automated reports whether t is automation rather than a person.
func (t RequesterType) Automated() bool { return requesterTypes[t] }

// Valid reports whether t is one of the requester types.
func (t RequesterType) Valid() bool {
	_, ok := requesterTypes[t]
	return ok
}

// Requester is who asked for an action: a user (or API key) name, or the id of a rule,
// playbook, investigation or disruption.
type Requester struct {
	Type RequesterType `json:"type"`
	Name string        `json:"name"`
}

// Target is what an action acts on; which field an action type needs is in its entry of
// the type table.
type Target struct {
	Device    string `json:"device,omitempty"`
	Account   string `json:"account,omitempty"`
	FileHash  string `json:"fileSha256,omitempty"`
	FilePath  string `json:"filePath,omitempty"`
	Indicator string `json:"indicator,omitempty"`
	MessageID string `json:"messageId,omitempty"`
}

// Result is what a responder reports.
type Result struct {
	// Detail says what was done, for people.
	Detail string `json:"detail,omitempty"`
	// Error is why the action failed or timed out.
	Error string `json:"error,omitempty"`
	// Data is responder-specific output (a package location, a script's output).
	Data map[string]any `json:"data,omitempty"`
}

// Action is a response action with its history.
type Action struct {
	Tenant          string         `json:"tenantId"`
	ID              string         `json:"id"`
	Type            Type           `json:"type"`
	Status          Status         `json:"status"`
	Target          Target         `json:"target"`
	Parameters      map[string]any `json:"parameters,omitempty"`
	Requester       Requester      `json:"requestor"`
	Reason          string         `json:"requestorComment"`
	IncidentID      int64          `json:"incidentId,omitempty"`
	Approver        string         `json:"approver,omitempty"`
	ApprovalComment string         `json:"approvalComment,omitempty"`
	Result          Result         `json:"result"`
	UndoOf          string         `json:"undoOf,omitempty"`
	UndoneBy        string         `json:"undoneBy,omitempty"`
	Attempts        int            `json:"attempts"`
	CreatedAt       time.Time      `json:"creationDateTimeUtc"`
	UpdatedAt       time.Time      `json:"lastUpdateDateTimeUtc"`
	DecidedAt       *time.Time     `json:"decisionDateTimeUtc,omitempty"`
	SentAt          *time.Time     `json:"sentDateTimeUtc,omitempty"`
	StartedAt       *time.Time     `json:"startDateTimeUtc,omitempty"`
	FinishedAt      *time.Time     `json:"completionDateTimeUtc,omitempty"`
}

// Request asks for an action.
type Request struct {
	Type       Type           `json:"type"`
	Target     Target         `json:"target"`
	Parameters map[string]any `json:"parameters,omitempty"`
	Reason     string         `json:"comment"`
	IncidentID int64          `json:"incidentId,omitempty"`
}
