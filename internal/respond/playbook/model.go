package playbook

import (
	"time"
)

// Triggers a playbook may declare.
const (
	TriggerManual          = "manual"
	TriggerAutomationRule  = "automationRule"
	TriggerAlertCreated    = "alertCreated"
	TriggerIncidentCreated = "incidentCreated"
)

// Limits and defaults of steps.
const (
	defaultRetryBackoff     = time.Second
	maxRetryCount           = 10
	defaultApprovalTimeout  = 24 * time.Hour
	maxStepOutputBytes      = 64 << 10
	maxWebhookResponseBytes = 16 << 10
)

var triggers = []string{TriggerManual, TriggerAutomationRule, TriggerAlertCreated, TriggerIncidentCreated}

// Playbook is a parsed and validated playbook.
type Playbook struct {
	Name        string
	Description string
	// Version is the stored version (set by the store; 0 for a built-in playbook).
	Version int
	// DeclaredVersion is the version field of the file, informational.
	DeclaredVersion string
	Trigger         []string
	Inputs          []Input
	Steps           []Step
	// Source is the YAML the playbook was parsed from.
	Source []byte
}

// Input is a value a run is given (or defaults).
type Input struct {
	Name        string
	Description string
	Default     any
	Required    bool
}

// Step is one step of a playbook.
type Step struct {
	ID     string
	Name   string
	Action string
	// If, when set, is evaluated for the step (for each item of a foreach step); the step
	// (or item) is skipped when it is false.
	If *program
	// Foreach, when set, yields the list the step runs once for, with item set to each.
	Foreach *program
	With    map[string]value
	Retry   Retry
	// ContinueOnError lets the run go on when the step fails.
	ContinueOnError bool
	Line, Column    int
}

// Retry is a step's retry policy: Count more attempts after the first, waiting Backoff,
// doubled after each attempt.
type Retry struct {
	Count   int
	Backoff time.Duration
}

// attempts is how many times a step may be tried.
func (r Retry) attempts() int { return r.Count + 1 }

// wait is the pause before attempt n (n >= 2).
func (r Retry) wait(n int) time.Duration {
	b := r.Backoff
	if b <= 0 {
		b = defaultRetryBackoff
	}
	for i := 2; i < n && b < time.Hour; i++ {
		b *= 2
	}
	return b
}

// Allows reports whether the playbook may be started by trigger.
func (p *Playbook) Allows(trigger string) bool {
	for _, t := range p.Trigger {
		if t == trigger {
			return true
		}
	}
	return false
}
