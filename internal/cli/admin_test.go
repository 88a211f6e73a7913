package cli

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"modernc.org/sqlite"
)

// run runs the CLI with args and returns its output and error.
func runAdmin(args ...string) (string, error) {
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String() + errb.String(), err
}

func TestAdminAndAuditCommands(t *testing.T) {
	url, data := startServer(t)
	conn := []string{"--server", url, "--data", data}
	must := func(args ...string) string {
		t.Helper()
		out, err := runAdmin(append(args, conn...)...)
		if err != nil {
			t.Fatalf("vigil %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	out := must("admin", "init")
	if !regexp.MustCompile(`one-time password: \S{20,}`).MatchString(out) {
		t.Fatalf("admin init: %s", out)
	}
	if out, err := runAdmin(append([]string{"admin", "init"}, conn...)...); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second admin init: %v %s", err, out)
	}
	must("admin", "users", "add", "bob", "--role", "security-reader@default")
	must("admin", "users", "grant", "bob", "responder@default")
	if out := must("admin", "users", "list"); !strings.Contains(out, "responder@default") || !strings.Contains(out, "global-admin@*") {
		t.Errorf("users list: %s", out)
	}
	if out := must("admin", "users", "disable", "bob"); !strings.Contains(out, "disabled bob") {
		t.Errorf("disable: %s", out)
	}
	out = must("admin", "keys", "create", "beats", "--ingest", "--expires", "24h")
	id := regexp.MustCompile(`\((k_[0-9a-f]+)\)`).FindStringSubmatch(out)
	if id == nil || !strings.Contains(out, "vgl_") {
		t.Fatalf("keys create: %s", out)
	}
	must("admin", "keys", "revoke", id[1])
	if out := must("admin", "keys", "list"); !strings.Contains(out, "revoked") {
		t.Errorf("keys list: %s", out)
	}
	if out := must("audit", "list", "--action", "api.*"); !strings.Contains(out, "/api/v1/apiKeys") {
		t.Errorf("audit list: %s", out)
	}
	if out := must("audit", "verify"); !strings.Contains(out, "audit chain intact") {
		t.Fatalf("verify: %s", out)
	}
	tamper(t, filepath.Join(data, "meta.db"), `UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`)
	out, err := runAdmin(append([]string{"audit", "verify"}, conn...)...)
	if err == nil || !strings.Contains(out, "audit chain broken at seq 2") {
		t.Fatalf("verify after tampering: %v %s", err, out)
	}
}

// tamper edits the state store behind the server's back, as an insider with
// database access would.
func tamper(t *testing.T, path, stmt string) {
	t.Helper()
	c, err := sqlite.NewConnector(path + "?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	res, err := db.Exec(stmt)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s: %d rows", stmt, n)
	}
}
