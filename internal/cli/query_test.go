package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKQLCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.kql")
	bad := filepath.Join(dir, "bad.kql")
	_ = os.WriteFile(good, []byte("DeviceProcessEvents | count"), 0o644)
	_ = os.WriteFile(bad, []byte("DeviceProcessEvents\n| where FileNme == 1"), 0o644)
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	root.SetArgs([]string{"kql", "check", good, bad})
	err := root.Execute()
	var ee *exitError
	if err == nil || !strings.Contains(err.Error(), "exit 1") {
		t.Fatalf("err = %v, want exit 1", err)
	}
	_ = ee
	want := bad + ":2:9: unknown column 'FileNme'; did you mean 'FileName'?\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestKQLExplain(t *testing.T) {
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	root.SetArgs([]string{"kql", "explain", "SigninLogs | take 1"})
	if err := root.Execute(); err != nil {
		t.Fatal(err, errb.String())
	}
	if !strings.Contains(out.String(), "Limit 1") || !strings.Contains(out.String(), `"TenantId" = `) {
		t.Errorf("explain output:\n%s", out.String())
	}
}
