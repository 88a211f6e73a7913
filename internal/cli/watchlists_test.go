package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatchlistsEndToEnd creates a watchlist from a CSV file with `vigil watchlists create`
// on a real in-process server, lists and shows it, reads it in a query, and deletes it.
func TestWatchlistsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	url, data := startServer(t)
	file := filepath.Join(t.TempDir(), "vips.csv")
	if err := os.WriteFile(file, []byte("User,Title,Level\nalice@contoso.com,CFO,1\nbob@contoso.com,CEO,0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := []string{"--server", url, "--data", data}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(append(args, srv...)...)
	}
	if code, out, errOut := run("watchlists", "create", "--alias", "VIPUsers", "--search-key", "User", "--type", "Level:string", "--description", "Executives", file); code != 0 ||
		out != "created watchlist VIPUsers with 2 items; query it with _GetWatchlist('VIPUsers')\n" {
		t.Fatalf("create: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run("watchlists", "create", "--alias", "VIPUsers", file); code == 0 || !strings.Contains(errOut, "--alias and --search-key are required") {
		t.Errorf("create without a search key: %d %q", code, errOut)
	}
	if code, _, errOut := run("watchlists", "create", "--alias", "Other", "--search-key", "Nope", file); code == 0 || !strings.Contains(errOut, `search key "Nope" is not one of the columns`) {
		t.Errorf("create with a bad search key: %d %q", code, errOut)
	}
	code, out, errOut := run("watchlists", "list")
	if code != 0 || !strings.Contains(out, "ALIAS") || !strings.Contains(out, "VIPUsers") || !strings.Contains(out, "Executives") {
		t.Errorf("list: %d %q %q", code, out, errOut)
	}
	code, out, errOut = run("watchlists", "show", "VIPUsers")
	if code != 0 || !strings.Contains(out, "columns:     User:string, Title:string, Level:string\n") || !strings.Contains(out, "source:      vips.csv\n") {
		t.Errorf("show: %d %q %q", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out[strings.Index(out, "ITEM ID"):]), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "alice@contoso.com  CFO    1") || !strings.Contains(lines[2], "bob@contoso.com    CEO    0") {
		t.Errorf("show items:\n%s", strings.Join(lines, "\n"))
	}
	var got string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, got, errOut = run("query", "-o", "csv", "_GetWatchlist('VIPUsers') | where Level == '1' | project SearchKey, Title")
		if got == "SearchKey,Title\nalice@contoso.com,CFO\n" {
			break
		}
	}
	if got != "SearchKey,Title\nalice@contoso.com,CFO\n" {
		t.Errorf("query: %q %q", got, errOut)
	}
	if code, out, errOut := run("watchlists", "delete", "VIPUsers"); code != 0 || out != "deleted VIPUsers\n" {
		t.Errorf("delete: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := run("watchlists", "show", "VIPUsers"); code == 0 || !strings.Contains(errOut, "watchlist VIPUsers: not found") {
		t.Errorf("show deleted: %d %q", code, errOut)
	}
}

// TestRulesLintWatchlist lints a Sentinel-style rule that reads a watchlist: without the
// watchlist the query is only parsed (a warning), with --watchlist its columns are checked.
func TestRulesLintWatchlist(t *testing.T) {
	dir := t.TempDir()
	rule := filepath.Join(dir, "vip.yaml")
	if err := os.WriteFile(rule, []byte(`id: 5a1d0c1e-2b3c-4d5e-8f90-a1b2c3d4e5f6
name: Sign-in by a VIP from a new country
severity: Medium
query: |
  let vips = _GetWatchlist('VIPUsers') | project SearchKey, Title;
  SigninLogs
  | join kind=inner (vips) on $left.UserPrincipalName == $right.SearchKey
  | project TimeGenerated, UserPrincipalName, Title, Locatio
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
`), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "vips.csv")
	if err := os.WriteFile(csv, []byte("UPN,Title\nalice@contoso.com,CFO\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI("rules", "lint", rule)
	if code != 0 || !strings.Contains(out, "warning") || !strings.Contains(out, "_GetWatchlist() is resolved when the rule runs") {
		t.Errorf("lint without the watchlist: %d %q", code, out)
	}
	code, out, _ = runCLI("rules", "lint", "--watchlist", "VIPUsers="+csv, rule)
	if code != 1 || !strings.Contains(out, "unknown column 'Locatio'") {
		t.Errorf("lint with the watchlist: %d %q", code, out)
	}
	code, out, _ = runCLI("rules", "lint", "--watchlist", "VIPUser="+csv, rule)
	if code != 1 || !strings.Contains(out, "unknown watchlist 'VIPUsers'; did you mean 'VIPUser'?") {
		t.Errorf("lint with another watchlist: %d %q", code, out)
	}
	if err := os.WriteFile(rule, []byte(strings.Replace(mustRead(t, rule), "Locatio\n", "Location\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ = runCLI("rules", "lint", "--watchlist", "VIPUsers="+csv, rule); code != 0 || strings.Contains(out, "error") {
		t.Errorf("lint of the fixed rule: %d %q", code, out)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
