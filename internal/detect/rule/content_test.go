package rule

import (
	"testing"

	"github.com/vigilsec/vigil/internal/schema"
)

// TestBuiltinContent lints the built-in rule pack: every rule must be clean and map entities.
func TestBuiltinContent(t *testing.T) {
	rules, findings, err := Load([]string{"../../../content/rules"})
	if err != nil {
		t.Fatal(err)
	}
	reg := schema.NewRegistry()
	for _, r := range rules {
		findings = append(findings, Lint(r, reg)...)
		if len(r.EntityMappings) == 0 {
			t.Errorf("%s: no entity mappings", r.Source.File)
		}
	}
	for _, f := range findings {
		t.Error(f)
	}
	if len(rules) < 12 {
		t.Errorf("%d built-in rules, want at least 12", len(rules))
	}
	ids := map[string]bool{}
	for _, r := range rules {
		if ids[r.ID] {
			t.Errorf("duplicate rule id %s", r.ID)
		}
		ids[r.ID] = true
	}
}
