package alert

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
)

// Provider is the product name alerts carry.
const Provider = "Vigil"

// StatusNew is the status of a fresh alert.
const StatusNew = "New"

// Entity is one typed entity of an alert with its identifiers (Account{AadUserId, Sid}, IP{Address}, ...).
type Entity struct {
	Type        string            `json:"type"`
	Identifiers map[string]string `json:"identifiers"`
}

// Evidence is the result rows an alert came from, capped.
type Evidence struct {
	Columns   []string `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated,omitempty"`
}

// Alert is one detection.
type Alert struct {
	ID            string                     `json:"id"`
	Tenant        string                     `json:"tenant"`
	Provider      string                     `json:"provider"`
	RuleID        string                     `json:"ruleId"`
	RuleVersion   string                     `json:"ruleVersion,omitempty"`
	RuleName      string                     `json:"ruleName"`
	Title         string                     `json:"title"`
	Description   string                     `json:"description,omitempty"`
	Severity      rule.Severity              `json:"severity"`
	Status        string                     `json:"status"`
	Tactics       []string                   `json:"tactics,omitempty"`
	Techniques    []string                   `json:"techniques,omitempty"`
	Entities      []Entity                   `json:"entities,omitempty"`
	CustomDetails map[string][]any           `json:"customDetails,omitempty"`
	Properties    map[string]string          `json:"properties,omitempty"`
	Evidence      Evidence                   `json:"evidence"`
	StartTime     time.Time                  `json:"startTime"`
	EndTime       time.Time                  `json:"endTime"`
	CreatedTime   time.Time                  `json:"createdTime"`
	Incident      rule.IncidentConfiguration `json:"incidentConfiguration"`
	// ResponseActions are the actions the rule asks for on a match (Defender custom
	// detections), handed to the Action Center.
	ResponseActions []rule.ResponseAction `json:"responseActions,omitempty"`
}

// Sink receives alerts. The scheduler calls Put from its run goroutines, possibly
// concurrently; Put must not keep the slice after it returns. An error means none of the
// alerts may be assumed stored, and the caller retries the run's alerts.
type Sink interface {
	Put(ctx context.Context, alerts []Alert) error
}
