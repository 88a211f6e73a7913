package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/vigilsec/vigil"

// imports returns each package of the module with its direct imports.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkgs[f[0]] = f[1:]
	}
	return pkgs
}

var drivers = []string{
	"github.com/duckdb/", "github.com/jackc/pgx", "modernc.org/sqlite", "github.com/nats-io/",
	"github.com/ClickHouse/", "database/sql/driver",
}

// driverOwners may import drivers. The endpoint agent and its server-side responder speak
// the agent protocol over NATS themselves (NKey credentials, per-device subjects, request and
// reply, the package object store): that is their transport, not the server's event bus.
var driverOwners = []string{
	module + "/internal/store/", module + "/internal/meta", module + "/internal/bus",
	module + "/internal/agent", module + "/internal/respond/responders/agent",
}

func TestOnlyStoresImportDrivers(t *testing.T) {
	for pkg, imps := range imports(t) {
		if hasPrefix(pkg, driverOwners) {
			continue
		}
		for _, imp := range imps {
			if hasPrefix(imp, drivers) {
				t.Errorf("%s imports driver %s; only store/*, meta, bus and the agent may", pkg, imp)
			}
		}
	}
}

func TestNothingImportsAPIOrCmd(t *testing.T) {
	for pkg, imps := range imports(t) {
		for _, imp := range imps {
			if strings.HasPrefix(imp, module+"/cmd/") {
				t.Errorf("%s imports %s: nothing imports cmd", pkg, imp)
			}
			if strings.HasPrefix(imp, module+"/internal/api") && pkg != module+"/internal/app" && !strings.HasPrefix(pkg, module+"/internal/api") {
				t.Errorf("%s imports %s: only the app wiring imports the API", pkg, imp)
			}
		}
	}
}

func TestKQLSyntaxImportsOnlyStandardLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}{{end}}`, module+"/internal/kql/syntax").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != module+"/internal/kql/syntax" {
			t.Errorf("internal/kql/syntax depends on %s; it may use only the standard library", dep)
		}
	}
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) || s == strings.TrimSuffix(p, "/") {
			return true
		}
	}
	return false
}
