package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAgentCommands(t *testing.T) {
	state := t.TempDir()
	if err := os.WriteFile(filepath.Join(state, "state.json"), []byte(`{"net":{"blockedIps":["192.0.2.7"]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		outHas string
		errHas string
	}{
		{"run needs a server", []string{"agent", "run", "--state", t.TempDir()}, 1, "", "--server"},
		{"run needs a token before enrolling", []string{"agent", "run", "--server", "nats://127.0.0.1:1", "--state", t.TempDir()}, 1, "", "--enroll-token"},
		{"status", []string{"agent", "status", "--state", state}, 0, `"192.0.2.7"`, ""},
		{"status of a corrupt state file", []string{"agent", "status", "--state", writeCorrupt(t)}, 1, "", "state file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(c.args...)
			if code != c.code || !strings.Contains(out, c.outHas) || !strings.Contains(errOut, c.errHas) {
				t.Fatalf("exit %d (want %d)\nstdout %s\nstderr %s", code, c.code, out, errOut)
			}
			if c.name == "status" {
				var st struct{ Enrolled bool }
				if err := json.Unmarshal([]byte(out), &st); err != nil || st.Enrolled {
					t.Errorf("status output: %v %s", err, out)
				}
			}
		})
	}
}

func writeCorrupt(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"net":`), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
