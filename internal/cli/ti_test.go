package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql"
	"github.com/vigilsec/vigil/internal/schema"
)

// TestTIListQueryCompiles checks that the query behind `vigil ti list` compiles against the
// schema, with and without --all.
func TestTIListQueryCompiles(t *testing.T) {
	reg := schema.NewRegistry()
	for _, all := range []bool{false, true} {
		src := tiListKQL(all, 10)
		if q, diags := kql.Compile(src, reg, kql.Options{Tenant: offlineTenant}); q == nil || len(diags) > 0 {
			t.Errorf("all=%v: %v\n%s", all, diags, src)
		}
	}
}

// TestTIEndToEnd imports a bundle into a real in-process server with `vigil ti import` and
// lists it with `vigil ti list`.
func TestTIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	url, data := startServer(t)
	file := filepath.Join(t.TempDir(), "bundle.json")
	bundle := `{"type":"bundle","objects":[
	 {"type":"indicator","id":"indicator--c2","pattern":"[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'evil.example']",
	  "valid_from":"2025-01-01T00:00:00Z","confidence":90,"indicator_types":["malicious-activity"],"description":"C2"},
	 {"type":"indicator","id":"indicator--gone","pattern":"[url:value = 'http://old.example/x']","valid_from":"2020-01-01T00:00:00Z","valid_until":"2021-01-01T00:00:00Z"}]}`
	if err := os.WriteFile(file, []byte(bundle), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI("ti", "import", file, "--server", url, "--data", data)
	if code != 0 || out != "accepted 2 indicators (3 observables), rejected 0, skipped 0 other objects\n" {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "indicator--c2,ip,203.0.113.9,90,malicious-activity,true,,C2\nindicator--c2,domain,evil.example,90,malicious-activity,true,,C2\n"},
		{[]string{"--all"}, "indicator--c2,ip,203.0.113.9,90,malicious-activity,true,,C2\nindicator--c2,domain,evil.example,90,malicious-activity,true,,C2\nindicator--gone,url,http://old.example/x,,,true,2021-01-01T00:00:00Z,\n"},
	} {
		var got string
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			args := append([]string{"ti", "list", "-o", "csv", "--server", url, "--data", data}, tc.args...)
			_, out, errOut = runCLI(args...)
			got = dropFirstColumn(out)
			if got == tc.want {
				break
			}
		}
		if got != tc.want {
			t.Errorf("ti list %v:\n got %q %q\nwant %q", tc.args, got, errOut, tc.want)
		}
	}
}

// dropFirstColumn removes the header line and the first CSV column (TimeGenerated).
func dropFirstColumn(csv string) string {
	lines := strings.SplitAfter(csv, "\n")
	if len(lines) < 2 {
		return ""
	}
	var b strings.Builder
	for _, l := range lines[1:] {
		if _, rest, ok := strings.Cut(l, ","); ok {
			b.WriteString(rest)
		}
	}
	return b.String()
}
