package schedule

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/schema"
)

// Skipped is a rule the scheduler does not run, and why.
type Skipped struct {
	RuleID string
	File   string
	Reason string
}

func (s Skipped) String() string {
	id := s.RuleID
	if id == "" {
		id = "(no id)"
	}
	return fmt.Sprintf("%s (%s): %s", id, s.File, s.Reason)
}

// Select lints rules against reg and returns those the scheduler can run. Rules with error
// findings (from loading, passed in as findings, or from rule.Lint), disabled rules, NRT and
// continuous rules, and rules whose id repeats an earlier one are skipped, each with the
// reason. Every lint finding is returned for logging.
func Select(rules []*rule.Rule, findings []rule.Finding, reg *schema.Registry) ([]*rule.Rule, []Skipped, []rule.Finding) {
	var ok []*rule.Rule
	var skipped []Skipped
	all := append([]rule.Finding(nil), findings...)
	seen := map[string]bool{}
	for _, r := range rules {
		lint := rule.Lint(r, reg)
		all = append(all, lint...)
		var errs []string
		for _, f := range append(lint, findings...) {
			if f.Level == rule.LevelError && f.File == r.Source.File && (f.RuleID == "" || f.RuleID == r.ID) {
				errs = append(errs, f.String())
			}
		}
		reason := ""
		switch {
		case len(errs) > 0:
			reason = "lint errors: " + strings.Join(errs, "; ")
		case !r.Enabled:
			reason = "disabled"
		case seen[r.ID]:
			reason = "duplicate rule id"
		default:
			reason = unschedulable(r)
		}
		if reason != "" {
			skipped = append(skipped, Skipped{RuleID: r.ID, File: r.Source.File, Reason: reason})
			continue
		}
		seen[r.ID] = true
		ok = append(ok, r)
	}
	return ok, skipped, all
}

func unschedulable(r *rule.Rule) string {
	switch {
	case r.Kind == rule.KindNRT:
		return ""
	case r.Frequency <= 0:
		return "no queryFrequency"
	case r.Period <= 0:
		return "no queryPeriod"
	}
	return ""
}
