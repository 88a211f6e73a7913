package respond

import "context"

// Responder carries actions out: the endpoint agent, the directory, the mail server, the
// indicator lists, or the SimulatedResponder. The dispatcher calls Execute from its
// workers, concurrently for different actions.
type Responder interface {
	// Supports reports whether the responder can carry out actions of type t.
	Supports(t Type) bool
	// Execute carries a out and reports what it did. It returns when done or when ctx
	// ends (timeout or cancellation). An error wrapping ErrTransient is retried.
	Execute(ctx context.Context, a Action) (Result, error)
}

// ActionSupporter is a Responder that decides per action, not only per type: the agent
// responder takes only actions on devices with an enrolled agent, leaving the others to
// the next responder.
type ActionSupporter interface {
	// SupportsAction reports whether the responder carries a out.
	SupportsAction(ctx context.Context, a Action) bool
}
