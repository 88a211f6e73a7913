package respond

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
)

// Store keeps actions and the response policy (*meta.Store).
type Store interface {
	CreateAction(ctx context.Context, a meta.Action, decided bool) (meta.Action, error)
	Action(ctx context.Context, tenant, id string) (meta.Action, error)
	Actions(ctx context.Context, tenant string, f meta.ActionFilter) ([]meta.Action, error)
	ActionsInStatus(ctx context.Context, statuses ...string) ([]meta.Action, error)
	UpdateActionStatus(ctx context.Context, tenant, id, from string, c meta.ActionChange) (meta.Action, error)
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
}

// Actor is who changes an action: a person or API key, or a component.
type Actor struct {
	Name string
	// Kind is auth.KindUser, auth.KindAPIKey, auth.KindAdmin or auth.KindSystem.
	Kind string
	// As is the requester type of actions this actor requests; empty means ByUser.
	As RequesterType
	// DeviceGroups, when not nil, are the only device groups whose devices the
	// actor may act on (a principal scoped to device groups); nil is every
	// device.
	DeviceGroups []string
}

// DeviceGroups places a tenant's devices in device groups (*auth.Devices).
type DeviceGroups interface {
	GroupOf(ctx context.Context, tenant, device string) (meta.DeviceGroup, error)
}

// system is the actor of the dispatcher's changes.
var system = Actor{Name: "action-center", Kind: auth.KindSystem}

// Options configure a Service.
type Options struct {
	// Auditor receives an audit event per state change; nil audits nothing.
	Auditor auth.Auditor
	// Table writes the rows of the VigilActions table; nil writes none.
	Table *TableWriter
	// Simulated is the simulated responder whose state SimulatedState reports; nil when
	// none is in use.
	Simulated *SimulatedResponder
	// Devices, when set, places target devices in device groups: an action on
	// a device takes its group's automation level, and actors scoped to
	// device groups may act only on devices of their groups.
	Devices DeviceGroups
	Log     *slog.Logger
}

// Service is the Action Center. It is safe for concurrent use.
type Service struct {
	store  Store
	opts   Options
	submit func(tenant, id string) // set by NewDispatcher; nil: approved actions wait
	abort  func(tenant, id string) // set by NewDispatcher: stops a running action
}

// New returns the Action Center over store.
func New(store Store, opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, opts: opts}
}

// Request validates r and records it as an action requested by actor, approved at once or
// pending approval according to tenant's policy.
func (s *Service) Request(ctx context.Context, tenant string, actor Actor, r Request) (Action, error) {
	if err := r.validate(); err != nil {
		return Action{}, err
	}
	return s.create(ctx, tenant, actor, r, "")
}

// create stores a new action from r, undoing undoOf when set.
func (s *Service) create(ctx context.Context, tenant string, actor Actor, r Request, undoOf string) (Action, error) {
	by := Requester{Type: actor.As, Name: actor.Name}
	if by.Type == "" {
		by.Type = ByUser
	}
	if actor.DeviceGroups != nil && r.Target.Device == "" && fleetWide[r.Type] {
		return Action{}, &ScopeError{Scope: actor.DeviceGroups}
	}
	p, err := s.devicePolicy(ctx, tenant, actor, r.Target)
	if err != nil {
		return Action{}, err
	}
	now, err := p.approveAtOnce(by.Type)
	if err != nil {
		return Action{}, err
	}
	a := Action{Tenant: tenant, ID: newID(), Type: r.Type, Status: PendingApproval, Target: r.Target,
		Parameters: r.Parameters, Requester: by, Reason: r.Reason, IncidentID: r.IncidentID, UndoOf: undoOf}
	if now {
		a.Status, a.Approver, a.ApprovalComment = Approved, "automation level full", "approved automatically"
		if by.Type == ByDisruption {
			a.Approver, a.ApprovalComment = "automatic attack disruption", "contained at once: high-confidence attack pattern"
		}
	}
	rec, err := toRecord(a)
	if err != nil {
		return Action{}, err
	}
	if rec, err = s.store.CreateAction(ctx, rec, now); err != nil {
		return Action{}, err
	}
	if a, err = fromRecord(rec); err != nil {
		return Action{}, err
	}
	s.record(ctx, actor, "", a, r.Reason)
	s.dispatch(a)
	return a, nil
}

// Get returns one of tenant's actions.
func (s *Service) Get(ctx context.Context, tenant, id string) (Action, error) {
	rec, err := s.store.Action(ctx, tenant, id)
	if err != nil {
		return Action{}, err
	}
	return fromRecord(rec)
}

// List returns tenant's actions matching f, newest first.
func (s *Service) List(ctx context.Context, tenant string, f meta.ActionFilter) ([]Action, error) {
	recs, err := s.store.Actions(ctx, tenant, f)
	if err != nil {
		return nil, err
	}
	out := make([]Action, 0, len(recs))
	for _, rec := range recs {
		a, err := fromRecord(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Approve approves a pending action and hands it to the dispatcher. With four eyes on, the
// approver must not be the requester.
func (s *Service) Approve(ctx context.Context, tenant, id string, actor Actor, comment string) (Action, error) {
	return s.decide(ctx, tenant, id, actor, comment, Approved)
}

// Reject rejects a pending action.
func (s *Service) Reject(ctx context.Context, tenant, id string, actor Actor, comment string) (Action, error) {
	return s.decide(ctx, tenant, id, actor, comment, Rejected)
}

func (s *Service) decide(ctx context.Context, tenant, id string, actor Actor, comment string, to Status) (Action, error) {
	a, err := s.Get(ctx, tenant, id)
	if err != nil {
		return Action{}, err
	}
	p, err := s.devicePolicy(ctx, tenant, actor, a.Target)
	if err != nil {
		return Action{}, err
	}
	if p.FourEyes && a.Requester.Type == ByUser && a.Requester.Name == actor.Name {
		return Action{}, fmt.Errorf("action %s: %w", id, ErrFourEyes)
	}
	a, err = s.transition(ctx, a, actor, comment, meta.ActionChange{Status: string(to), Approver: actor.Name, ApprovalComment: comment})
	if err == nil && to == Approved {
		s.dispatch(a)
	}
	return a, err
}

// Cancel cancels an action that has not finished; a running one is told to stop.
func (s *Service) Cancel(ctx context.Context, tenant, id string, actor Actor, comment string) (Action, error) {
	a, err := s.Get(ctx, tenant, id)
	if err != nil {
		return Action{}, err
	}
	if _, err := s.devicePolicy(ctx, tenant, actor, a.Target); err != nil {
		return Action{}, err
	}
	detail := "cancelled by " + actor.Name
	if comment != "" {
		detail += ": " + comment
	}
	a, err = s.transition(ctx, a, actor, comment, meta.ActionChange{Status: string(Cancelled), Result: resultJSON(Result{Detail: detail})})
	if err == nil && s.abort != nil {
		s.abort(tenant, id)
	}
	return a, err
}

// Undo requests the action reversing a completed one (release isolation, enable account,
// restore file), linked to it; it is approved as any request of actor's is.
func (s *Service) Undo(ctx context.Context, tenant, id string, actor Actor, reason string) (Action, error) {
	a, err := s.Get(ctx, tenant, id)
	if err != nil {
		return Action{}, err
	}
	undo := types[a.Type].undo
	switch {
	case undo == "":
		return Action{}, &InvalidError{fmt.Errorf("action %s (%s) cannot be undone", id, a.Type)}
	case a.Status != Completed:
		return Action{}, &TransitionError{ID: id, From: a.Status, To: "undone"}
	case a.UndoneBy != "":
		return Action{}, fmt.Errorf("action %s is undone by action %s already: %w", id, a.UndoneBy, meta.ErrConflict)
	}
	if reason == "" {
		reason = "undo of action " + id
	}
	return s.create(ctx, tenant, actor, Request{Type: undo, Target: a.Target, Reason: reason, IncidentID: a.IncidentID}, id)
}

// transition moves a to c.Status if the table allows it and a is still in the status read.
func (s *Service) transition(ctx context.Context, a Action, actor Actor, comment string, c meta.ActionChange) (Action, error) {
	stamp, err := checkTransition(a.ID, a.Status, Status(c.Status))
	if err != nil {
		return a, err
	}
	c.Stamp = stamp
	rec, err := s.store.UpdateActionStatus(ctx, a.Tenant, a.ID, string(a.Status), c)
	if err != nil {
		if errors.Is(err, meta.ErrInvalidTransition) {
			return a, &TransitionError{ID: a.ID, From: Status(rec.Status), To: Status(c.Status)}
		}
		return a, err
	}
	next, err := fromRecord(rec)
	if err != nil {
		return a, err
	}
	s.record(ctx, actor, a.Status, next, comment)
	return next, nil
}

func (s *Service) dispatch(a Action) {
	if a.Status == Approved && s.submit != nil {
		s.submit(a.Tenant, a.ID)
	}
}

// newID returns a random UUID (version 4), as Defender's action ids are.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
