package ruletest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/detect/rule"
)

const contentDir = "../../../content/rules"

// TestContent runs every script under content/rules/tests and checks that every built-in
// rule has one.
func TestContent(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(contentDir, "tests", "*.test"))
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t)
	tested := map[string]bool{}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
			for _, fail := range env.RunFile(context.Background(), f) {
				t.Error(fail)
			}
		})
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s, err := Parse(f, data); err == nil {
			for _, r := range s.Rules {
				tested[filepath.Clean(filepath.Join(filepath.Dir(f), r.Path))] = true
			}
		}
	}
	rules, _, err := rule.Load([]string{contentDir})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 60 {
		t.Errorf("%d built-in rules, want at least 60", len(rules))
	}
	for _, r := range rules {
		if !tested[filepath.Clean(r.Source.File)] {
			t.Errorf("%s: rule %q has no test under %s/tests", r.Source.File, r.Name, contentDir)
		}
	}
}

func newTestEnv(t *testing.T) *Env {
	t.Helper()
	env, err := NewEnv(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Error(err)
		}
	})
	return env
}
