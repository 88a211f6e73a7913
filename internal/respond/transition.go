package respond

import "github.com/vigilsec/vigil/internal/meta"

// transition is one allowed status change and the step time it records.
type transition struct {
	from, to Status
	stamp    meta.ActionStamp
}

// transitions is the lifecycle: every status change not listed is refused.
var transitions = []transition{
	{PendingApproval, Approved, meta.StampDecided},
	{PendingApproval, Rejected, meta.StampDecided},
	{PendingApproval, Cancelled, meta.StampFinished},
	{Approved, Sent, meta.StampSent},
	{Approved, Cancelled, meta.StampFinished},
	{Sent, Running, meta.StampStarted},
	{Sent, Failed, meta.StampFinished},
	{Sent, Cancelled, meta.StampFinished},
	{Sent, TimedOut, meta.StampFinished},
	{Running, Completed, meta.StampFinished},
	{Running, Failed, meta.StampFinished},
	{Running, Cancelled, meta.StampFinished},
	{Running, TimedOut, meta.StampFinished},
}

// checkTransition returns the step time the change from -> to records, or a
// *TransitionError when the table does not allow it.
func checkTransition(id string, from, to Status) (meta.ActionStamp, error) {
	for _, t := range transitions {
		if t.from == from && t.to == to {
			return t.stamp, nil
		}
	}
	return meta.StampNone, &TransitionError{ID: id, From: from, To: to}
}

// Terminal reports whether no status can follow s.
func (s Status) Terminal() bool {
	for _, t := range transitions {
		if t.from == s {
			return false
		}
	}
	return true
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, t := range transitions {
		if t.from == s || t.to == s {
			return true
		}
	}
	return false
}
