package respond

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

// SimulatedStore keeps what the simulated responder pretends to change (*meta.Store).
type SimulatedStore interface {
	PutSimulatedState(ctx context.Context, st meta.SimulatedState) error
	DeleteSimulatedState(ctx context.Context, tenant, kind, key string) (bool, error)
	SimulatedStates(ctx context.Context, tenant string) ([]meta.SimulatedState, error)
}

// SimulateParam is the action parameter that makes the simulated responder misbehave, for
// demonstrations and tests: "fail" fails the action, "transient" fails it with
// ErrTransient, "hang" waits until the action's context ends.
const SimulateParam = "simulate"

// The kinds of simulated state.
const (
	SimIsolatedDevice   = "isolatedDevice"
	SimQuarantinedFile  = "quarantinedFile"
	SimDisabledAccount  = "disabledAccount"
	SimBlockedIndicator = "blockedIndicator"
	SimPasswordReset    = "passwordReset"
	SimDeletedEmail     = "deletedEmail"
)

// simEffect is what the simulated responder does for an action type: record (put) or
// remove (!put) state of a kind, or neither (kind "").
type simEffect struct {
	kind   string
	put    bool
	detail string
}

// simEffects is the simulated responder's table.
var simEffects = map[Type]simEffect{
	IsolateDevice:               {SimIsolatedDevice, true, "device isolated (simulated): only the Vigil server is reachable"},
	ReleaseIsolation:            {SimIsolatedDevice, false, "device released from isolation (simulated)"},
	StopAndQuarantineFile:       {SimQuarantinedFile, true, "processes stopped and file quarantined (simulated)"},
	RestoreFile:                 {SimQuarantinedFile, false, "file restored from quarantine (simulated)"},
	DisableAccount:              {SimDisabledAccount, true, "account disabled (simulated)"},
	EnableAccount:               {SimDisabledAccount, false, "account enabled (simulated)"},
	ResetPassword:               {SimPasswordReset, true, "password reset forced at next sign-in (simulated)"},
	BlockIndicator:              {SimBlockedIndicator, true, "indicator blocked on the device (simulated)"},
	UnblockIndicator:            {SimBlockedIndicator, false, "indicator unblocked on the device (simulated)"},
	SoftDeleteEmail:             {SimDeletedEmail, true, "message moved to quarantine (simulated)"},
	RestoreEmail:                {SimDeletedEmail, false, "messages restored from quarantine (simulated)"},
	PurgeAttachment:             {SimDeletedEmail, true, "messages with the attachment moved to quarantine in every mailbox (simulated)"},
	CollectInvestigationPackage: {"", false, "investigation package collected (simulated; no package is stored)"},
	RunScript:                   {"", false, "script run (simulated; nothing was executed)"},
}

// SimulatedResponder is a stand-in for the agent, directory and mail responders until
// they land: it touches no real system, but keeps the state it pretends to change in the
// state store, so that undo works and the state can be queried. `vigil demo` uses it.
type SimulatedResponder struct {
	Store SimulatedStore
	// Delay is how long each action pretends to take.
	Delay time.Duration
}

var _ Responder = (*SimulatedResponder)(nil)

// Supports implements Responder: every action type.
func (r *SimulatedResponder) Supports(t Type) bool {
	_, ok := simEffects[t]
	return ok
}

// Execute implements Responder.
func (r *SimulatedResponder) Execute(ctx context.Context, a Action) (Result, error) {
	if err := r.misbehave(ctx, a); err != nil {
		return Result{}, err
	}
	select {
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-time.After(r.Delay):
	}
	e := simEffects[a.Type]
	key := TargetKey(a.Type, a.Target)
	res := Result{Detail: e.detail, Data: map[string]any{"simulated": true}}
	switch {
	case e.kind == "":
	case e.put:
		detail, _ := json.Marshal(map[string]any{"target": a.Target, "incidentId": a.IncidentID})
		err := r.Store.PutSimulatedState(ctx, meta.SimulatedState{Tenant: a.Tenant, Kind: e.kind, TargetKey: key, ActionID: a.ID, Detail: string(detail)})
		if err != nil {
			return Result{}, fmt.Errorf("%w: %w", ErrTransient, err)
		}
	default:
		had, err := r.Store.DeleteSimulatedState(ctx, a.Tenant, e.kind, key)
		if err != nil {
			return Result{}, fmt.Errorf("%w: %w", ErrTransient, err)
		}
		if !had {
			res.Detail += "; it was not in that state"
		}
	}
	return res, nil
}

// misbehave returns the failure the action's simulate parameter asks for.
func (r *SimulatedResponder) misbehave(ctx context.Context, a Action) error {
	switch a.Parameters[SimulateParam] {
	case "fail":
		return errors.New("simulated failure: the target refused the action")
	case "transient":
		return fmt.Errorf("simulated failure: the target is unreachable: %w", ErrTransient)
	case "hang":
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// State returns tenant's simulated state: isolated devices, quarantined files, disabled
// accounts, blocked indicators, reset passwords and deleted messages.
func (r *SimulatedResponder) State(ctx context.Context, tenant string) ([]meta.SimulatedState, error) {
	return r.Store.SimulatedStates(ctx, tenant)
}

// SimulatedState returns tenant's state kept by the simulated responder in use, none when
// real responders carry actions out.
func (s *Service) SimulatedState(ctx context.Context, tenant string) ([]meta.SimulatedState, error) {
	if s.opts.Simulated == nil {
		return nil, nil
	}
	return s.opts.Simulated.State(ctx, tenant)
}
