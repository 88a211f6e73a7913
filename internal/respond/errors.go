package respond

import (
	"errors"
	"fmt"

	"github.com/vigilsec/vigil/internal/meta"
)

// ErrTransient marks a responder failure worth retrying (a device not reachable yet, a
// directory server busy). Responders wrap it; the dispatcher retries.
var ErrTransient = errors.New("transient failure")

// ErrFourEyes is returned when the requester of an action tries to approve or reject it
// while the tenant's policy requires a second person.
var ErrFourEyes = errors.New("four eyes: the requester of an action cannot decide on it")

// ErrAutomationOff is returned when automation requests an action in a tenant whose
// automation level is none.
var ErrAutomationOff = errors.New("automation level is none: automation cannot request actions")

// InvalidError is a request or policy that does not validate.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return "invalid: " + e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// TransitionError is a status change the transition table does not allow. It wraps
// meta.ErrInvalidTransition.
type TransitionError struct {
	ID       string
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("action %s cannot go from %s to %s", e.ID, e.From, e.To)
}

func (e *TransitionError) Unwrap() error { return meta.ErrInvalidTransition }
