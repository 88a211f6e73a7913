package respond

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
}

// DefaultPolicy is the policy of a tenant that has not set one.
var DefaultPolicy = Policy{Level: Semi, FourEyes: true, AttackDisruption: true}

// Validate reports whether p names a known level.
func (p Policy) Validate() error {
	switch p.Level {
	case Full, Semi, None:
		return nil
	}
	return &InvalidError{fmt.Errorf("unknown automation level %q (want full, semi or none)", p.Level)}
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
	s.audit(ctx, actor, tenant, "response.policy", "automationLevel", map[string]any{"level": p.Level, "fourEyes": p.FourEyes})
	return p, nil
}
