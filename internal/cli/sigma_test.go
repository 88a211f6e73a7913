package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSigmaCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	root.SetArgs(append([]string{"sigma"}, args...))
	err := root.Execute()
	return out.String(), err
}

func TestSigmaCheckAndConvert(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	bad := filepath.Join(dir, "bad.yml")
	_ = os.WriteFile(good, []byte("title: Whoami\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s:\n    Image|endswith: '\\whoami.exe'\n  condition: s\n"), 0o600)
	_ = os.WriteFile(bad, []byte("title: Bad\nlogsource: {product: windows, category: process_creation}\ndetection:\n  s:\n    Image|endswith: x\n  condition: s or t\n"), 0o600)
	out, err := runSigmaCLI(t, "check", dir)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("check: err %v, want exit 1", err)
	}
	for _, want := range []string{"FAIL " + bad + `:6: condition: col 6: unknown search "t"`, "ok   " + good + ": Whoami", "1 rules loaded and compiled (1 detection, 0 correlation), 1 errors"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	out, err = runSigmaCLI(t, "convert", good)
	if err != nil || !strings.Contains(out, "DeviceProcessEvents\n| where FolderPath endswith \"\\\\whoami.exe\"") {
		t.Fatalf("convert: %v\n%s", err, out)
	}
}

func TestSigmaBenchData(t *testing.T) {
	dir := t.TempDir()
	if _, err := runSigmaCLI(t, "bench-data", "--dir", dir, "--rules", "20", "--events", "500"); err != nil {
		t.Fatal(err)
	}
	out, err := runSigmaCLI(t, "bench", "--rules", filepath.Join(dir, "rules"), "--events", filepath.Join(dir, "events.vigil.ndjson"), "--rounds", "1")
	if err != nil || !strings.Contains(out, "rules: 20 compiled") || !strings.Contains(out, "events: 500 x 1 rounds") {
		t.Fatalf("bench: %v\n%s", err, out)
	}
}
