package respond

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/meta"
)

// Level is a tenant's automation level.
type Level string

// The automation levels.
const (
	// Full approves every requested action at once.
	Full Level = "full"
	// Semi makes every requested action wait for approval.
	Semi Level = "semi"
	// None refuses automation's requests; people's requests wait for approval.
	None Level = "none"
)

// Policy is a tenant's response policy.
type Policy struct {
	Level Level `json:"level"`
	// FourEyes requires the approver of an action to be someone other than its requester.
	FourEyes bool `json:"fourEyes"`
	// AttackDisruption lets automatic attack disruption contain at once (its patterns are
	// few and of high confidence), whatever the level, except none.
	AttackDisruption bool `json:"attackDisruption"`
	// DisruptionDryRun makes attack disruption only comment on the incident what it would
	// have contained.
	DisruptionDryRun bool `json:"disruptionDryRun,omitempty"`
	// DisruptionExclusions are the devices and accounts attack disruption never contains;
	// nil is none (a pointer keeps Policy comparable).
	DisruptionExclusions *DisruptionExclusions `json:"disruptionExclusions,omitempty"`
}

// DefaultPolicy is the policy of a tenant that has not set one.
var DefaultPolicy = Policy{Level: Semi, FourEyes: true, AttackDisruption: true}

// Validate reports whether p names a known level and well-formed disruption exclusions.
func (p Policy) Validate() error {
	switch p.Level {
	case Full, Semi, None:
	default:
		return &InvalidError{fmt.Errorf("unknown automation level %q (want full, semi or none)", p.Level)}
	}
	return p.DisruptionExclusions.validate()
}

// approveAtOnce reports whether a request from requester is approved without waiting, or
// an error when it may not be made at all.
func (p Policy) approveAtOnce(r RequesterType) (bool, error) {
	if p.Level == None && r.Automated() {
		return false, ErrAutomationOff
	}
	return p.Level == Full || r == ByDisruption && p.AttackDisruption, nil
}

func policyKey(tenant string) string { return "response.policy/" + tenant }

// Policy returns tenant's response policy, DefaultPolicy when none was set.
func (s *Service) Policy(ctx context.Context, tenant string) (Policy, error) {
	v, err := s.store.Setting(ctx, policyKey(tenant))
	if errors.Is(err, meta.ErrNotFound) {
		return DefaultPolicy, nil
	}
	if err != nil {
		return Policy{}, err
	}
	p := DefaultPolicy
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return Policy{}, fmt.Errorf("response policy of tenant %s: %w", tenant, err)
	}
	return p, nil
}

// SetPolicy validates and stores tenant's response policy, auditing the change.
func (s *Service) SetPolicy(ctx context.Context, tenant string, actor Actor, p Policy) (Policy, error) {
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return Policy{}, err
	}
	if err := s.store.PutSetting(ctx, policyKey(tenant), string(b)); err != nil {
		return Policy{}, err
	}
	s.audit(ctx, actor, tenant, "response.policy", "automationLevel", map[string]any{"level": p.Level, "fourEyes": p.FourEyes,
		"disruptionDryRun": p.DisruptionDryRun, "disruptionExclusions": p.DisruptionExclusions})
	return p, nil
}

// devicePolicy returns the policy for an action of actor on target in tenant:
// the tenant's, with the automation level of the target device's group when
// the group sets one. An actor scoped to device groups that do not hold the
// device gets a *ScopeError.
func (s *Service) devicePolicy(ctx context.Context, tenant string, actor Actor, target Target) (Policy, error) {
	p, err := s.Policy(ctx, tenant)
	if err != nil || target.Device == "" {
		return p, err // not a device action: device groups do not apply
	}
	if s.opts.Devices == nil {
		if actor.DeviceGroups != nil {
			return Policy{}, &ScopeError{Device: target.Device, Group: "(unknown: no device directory)", Scope: actor.DeviceGroups}
		}
		return p, nil
	}
	g, err := s.opts.Devices.GroupOf(ctx, tenant, target.Device)
	if err != nil {
		return Policy{}, err
	}
	if actor.DeviceGroups != nil && !slices.Contains(actor.DeviceGroups, g.ID) {
		return Policy{}, &ScopeError{Device: target.Device, Group: g.ID, Scope: actor.DeviceGroups}
	}
	if g.AutomationLevel != "" {
		p.Level = Level(g.AutomationLevel)
	}
	return p, nil
}

// ScopeError is an action on a device outside the device groups of an actor
// scoped to device groups.
type ScopeError struct {
	Device string
	Group  string   // the device's group
	Scope  []string // the actor's groups
}

func (e *ScopeError) Error() string {
	if e.Device == "" {
		return fmt.Sprintf("a fleet-wide action reaches devices outside your device groups (%s)", strings.Join(e.Scope, ", "))
	}
	return fmt.Sprintf("device %s is in device group %s, outside your device groups (%s)", e.Device, e.Group, strings.Join(e.Scope, ", "))
}
