package investigate

import (
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/respond"
)

// Verdict is what the investigation concluded about a piece of evidence.
type Verdict string

// The verdicts, as Defender names them.
const (
	Malicious      Verdict = "malicious"
	Suspicious     Verdict = "suspicious"
	NoThreatsFound Verdict = "noThreatsFound"
)

// Kind is the kind of a piece of evidence.
type Kind string

// The evidence kinds.
const (
	File    Kind = "file"    // a file (by SHA-256) seen run or written on a device
	IP      Kind = "ip"      // a public address a device talked to
	URL     Kind = "url"     // a URL or domain a device or message pointed to
	Account Kind = "account" // an account of the alert
	Message Kind = "message" // an email message delivered to a mailbox of the alert
)

// Evidence is one piece of evidence with its verdict.
type Evidence struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"` // SHA-256, address, URL, account or network message id
	// Device, Path and Name locate a file: the device it was seen on, its folder and name.
	Device string `json:"device,omitempty"`
	Path   string `json:"path,omitempty"`
	Name   string `json:"name,omitempty"`
	// Mailbox is the recipient of a message.
	Mailbox string `json:"mailbox,omitempty"`
	// Detail is a line for people: a command line, a subject and sender, a URL's host.
	Detail    string    `json:"detail,omitempty"`
	FirstSeen time.Time `json:"firstSeen,omitzero"`
	LastSeen  time.Time `json:"lastSeen,omitzero"`
	// Devices is how many devices of the fleet saw the file in the prevalence window; 0 when
	// not measured.
	Devices     int          `json:"devices,omitempty"`
	Verdict     Verdict      `json:"verdict"`
	Reasons     []string     `json:"reasons,omitempty"`
	Remediation *Remediation `json:"remediation,omitempty"`
}

// The states of a remediation.
const (
	// Proposed is a remediation the investigation suggests but does not request (suspicious
	// evidence): an analyst requests it.
	Proposed = "proposed"
	// Requested went to the Action Center; the action's status says what became of it.
	Requested = "requested"
	// NotAllowed could not be requested: the automation level is none, or the request failed.
	NotAllowed = "notAllowed"
)

// Remediation is the response action for a piece of evidence.
type Remediation struct {
	Type     respond.Type   `json:"type"`
	Target   respond.Target `json:"target"`
	State    string         `json:"state"`
	ActionID string         `json:"actionId,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// Investigation is one automated investigation of an alert.
type Investigation struct {
	ID     string      `json:"id"`
	Tenant string      `json:"tenant"`
	Alert  alert.Alert `json:"alert"`
	// State is the run's state: queued, running, completed or failed (meta.Investigation*).
	State string `json:"state"`
	// Scope is what was investigated: devices, accounts and mailboxes of the alert.
	Scope    Scope      `json:"scope"`
	Evidence []Evidence `json:"evidence"`
	// Window is the time range evidence was collected from.
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"`
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	Error    string    `json:"error,omitempty"`
}

// Scope is the entities an investigation starts from.
type Scope struct {
	Devices   []string `json:"devices,omitempty"`
	Accounts  []string `json:"accounts,omitempty"`
	Mailboxes []string `json:"mailboxes,omitempty"`
	Files     []string `json:"files,omitempty"` // SHA-256 of the alert's file entities and evidence
	IPs       []string `json:"ips,omitempty"`
	URLs      []string `json:"urls,omitempty"`
}

// Counts returns how many pieces of evidence have each verdict.
func (inv *Investigation) Counts() map[Verdict]int {
	out := map[Verdict]int{}
	for _, e := range inv.Evidence {
		out[e.Verdict]++
	}
	return out
}

// Status is the investigation's status as Defender shows it, from the run's state and what
// became of the requested actions (statuses by action id).
func (inv *Investigation) Status(actions map[string]respond.Status) string {
	switch inv.State {
	case "queued", "running":
		return "running"
	case "failed":
		return "failed"
	}
	var threats, pending, done, failed, proposed int
	for _, e := range inv.Evidence {
		if e.Verdict == NoThreatsFound {
			continue
		}
		threats++
		r := e.Remediation
		switch {
		case r == nil:
		case r.State == Proposed:
			proposed++
		case r.State == NotAllowed:
			failed++
		default:
			switch actions[r.ActionID] {
			case respond.Completed:
				done++
			case respond.Failed, respond.Rejected, respond.Cancelled, respond.TimedOut:
				failed++
			default:
				pending++
			}
		}
	}
	switch {
	case threats == 0:
		return "noThreatsFound"
	case pending > 0 || proposed > 0 && done == 0 && failed == 0:
		return "pendingAction"
	case failed > 0 && done > 0:
		return "partiallyRemediated"
	case failed > 0:
		return "remediationFailed"
	case done > 0 && proposed == 0:
		return "remediated"
	case done > 0:
		return "partiallyRemediated"
	}
	return "threatsFound"
}
