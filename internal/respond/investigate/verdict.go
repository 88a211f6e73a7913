package investigate

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/respond"
)

// facts are what verdicts are decided from.
type facts struct {
	severity rule.Severity
	// intel holds the active threat-intelligence matches by lower-case value.
	intel map[string]string
	// linked holds the lower-case values the alert itself names (entities and evidence).
	linked map[string]bool
	// prevalence is the number of devices that saw each file; fleet the number of devices.
	prevalence map[string]int
	fleet      int
	// messageIndicators holds each message's attachment hashes and URLs.
	messageIndicators map[string][]string
	// rareDevices and minFleet: a file seen on at most rareDevices of a fleet of at least
	// minFleet devices is rare.
	rareDevices, minFleet int
}

// userWritable are path fragments of folders any user can write, where legitimate software
// is seldom installed.
var userWritable = []string{`\temp\`, `\tmp\`, `\downloads\`, `\appdata\`, `\users\public\`, `\programdata\`,
	"/tmp/", "/var/tmp/", "/dev/shm/", "/home/", "/run/user/"}

// judge gives e its verdict and reasons.
func (f *facts) judge(e *Evidence) {
	v := strings.ToLower(e.Value)
	e.Verdict, e.Reasons = NoThreatsFound, nil
	if what, ok := f.intel[v]; ok {
		e.verdict(Malicious, "matches a threat-intelligence indicator: "+what)
	}
	if e.Kind == Message {
		for _, ind := range f.messageIndicators[e.Value] {
			if what, ok := f.intel[strings.ToLower(ind)]; ok {
				e.verdict(Malicious, fmt.Sprintf("carries %s, which matches a threat-intelligence indicator: %s", ind, what))
			} else if f.linked[strings.ToLower(ind)] && f.severity == rule.SeverityHigh {
				e.verdict(Malicious, fmt.Sprintf("carries %s, named by the high-severity alert", ind))
			}
		}
	}
	if f.linked[v] {
		if f.severity == rule.SeverityHigh && e.Kind != Account {
			e.verdict(Malicious, "named by the high-severity alert")
		} else {
			e.verdict(Suspicious, fmt.Sprintf("named by the %s-severity alert", strings.ToLower(string(f.severity))))
		}
	}
	if e.Kind == File && e.Verdict == NoThreatsFound {
		n := f.prevalence[v]
		e.Devices = n
		if n > 0 && n <= f.rareDevices && f.fleet >= f.minFleet && writable(e.Path) {
			e.verdict(Suspicious, fmt.Sprintf("rare in the fleet (seen on %d of %d devices) and run from a folder any user can write", n, f.fleet))
		}
	} else if e.Kind == File {
		e.Devices = f.prevalence[v]
	}
}

// verdict raises e's verdict to v (never lowers it) and adds the reason.
func (e *Evidence) verdict(v Verdict, reason string) {
	if rank(v) > rank(e.Verdict) {
		e.Verdict = v
	}
	e.Reasons = append(e.Reasons, reason)
}

func rank(v Verdict) int {
	switch v {
	case Malicious:
		return 2
	case Suspicious:
		return 1
	case NoThreatsFound:
	}
	return 0
}

func writable(path string) bool {
	p := strings.ToLower(path)
	for _, w := range userWritable {
		if strings.Contains(p, w) {
			return true
		}
	}
	return false
}

// remediation is the action for e's verdict: requested for malicious evidence, proposed for
// suspicious, none otherwise.
func remediation(e *Evidence) *Remediation {
	if e.Verdict == NoThreatsFound {
		return nil
	}
	state := Requested
	if e.Verdict == Suspicious {
		state = Proposed
	}
	r := &Remediation{State: state}
	switch e.Kind {
	case File:
		if e.Device == "" {
			return nil // known only from the alert, not seen on a device: nothing to stop
		}
		r.Type, r.Target = respond.StopAndQuarantineFile, respond.Target{Device: e.Device, FileHash: e.Value, FilePath: e.Path}
	case IP, URL:
		r.Type, r.Target = respond.BlockIndicator, respond.Target{Indicator: e.Value}
	case Message:
		id := e.Name // the Internet message id, which mail servers know the message by
		if id == "" {
			id = e.Value
		}
		r.Type, r.Target = respond.SoftDeleteEmail, respond.Target{MessageID: id, Account: e.Mailbox}
	case Account:
		r.Type, r.Target, r.State = respond.ResetPassword, respond.Target{Account: e.Value}, Proposed
	default:
		return nil
	}
	return r
}
