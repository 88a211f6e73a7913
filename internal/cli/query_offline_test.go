package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/app"
)

// dirSums maps every file under dir to a hash of its content, to prove a read changed nothing.
func dirSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sums[p] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func sameSums(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestQueryOfflineEmptyDir runs queries that need no table, and one on a table, on a new
// empty directory, and checks that nothing was written there.
func TestQueryOfflineEmptyDir(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, query, output string
		want                string
	}{
		{"print json", `print x=1, s="a", d=datetime(2024-01-02 03:04:05.5), t=90m, g=guid(6f9619ff-8b86-d011-b42d-00c04fc964ff), dy=dynamic({"b":[1,"x"],"a":null}), r=2.5, ok=true, big=9007199254740993`, "json",
			`{"columns":[{"name":"x","type":"long"},{"name":"s","type":"string"},{"name":"d","type":"datetime"},{"name":"t","type":"timespan"},{"name":"g","type":"guid"},{"name":"dy","type":"dynamic"},{"name":"r","type":"real"},{"name":"ok","type":"bool"},{"name":"big","type":"long"}],` +
				`"rows":[[1,"a","2024-01-02T03:04:05.5Z","01:30:00","6f9619ff-8b86-d011-b42d-00c04fc964ff",{"a":null,"b":[1,"x"]},2.5,true,9007199254740993]],"truncated":false}`},
		{"range csv", `range i from 1 to 7 step 3 | extend sq = i * i`, "csv", "i,sq\n1,1\n4,16\n7,49\n"},
		{"datatable table", "datatable(Name:string, N:int)['a', 1, 'b', 2] | where N > 1", "table", "Name  N\nb     2\n"},
		{"empty table", `SecurityEvent | summarize n = count()`, "csv", "n\n0\n"},
		{"union of empty tables", `union isfuzzy=true SecurityEvent, DeviceProcessEvents | count`, "csv", "Count\n0\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI("query", "--data", dir, "-o", c.output, c.query)
			if c.output == "json" {
				out = compactJSON(t, out)
			}
			if code != 0 || out != c.want {
				t.Errorf("exit %d, stderr %q\n got %s\nwant %s", code, errOut, out, c.want)
			}
		})
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("the directory holds %d entries after the queries, want none", len(es))
	}
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, s)
	}
	return b.String()
}

func TestQueryOfflineErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name     string
		args     []string
		code     int
		wantErr  string
		wantOut  string
		emptyDir bool
	}{
		{name: "diagnostics with position", args: []string{"SecurityEvnt\n| count"}, code: 1,
			wantErr: "1:1: unknown table 'SecurityEvnt'; did you mean 'SecurityEvent'?\nSecurityEvnt\n^^^^^^^^^^^^\n"},
		{name: "control command", args: []string{".set-or-append T <| print 1"}, code: 1, wantErr: "1:1: expected an expression, found '.'"},
		{name: "bad timespan", args: []string{"--timespan", "P1M", "print 1"}, code: 1, wantErr: "years and months have no fixed length"},
		{name: "bad tenant", args: []string{"--tenant", "a b", "print 1"}, code: 1, wantErr: `--tenant "a b"`},
		{name: "missing directory", args: []string{"--data", filepath.Join(dir, "nope"), "print 1"}, code: 1, wantErr: "nope: no such directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"query", "--data", dir}, c.args...)
			code, out, errOut := runCLI(args...)
			if code != c.code || !strings.Contains(errOut, c.wantErr) || out != c.wantOut {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, c.code, c.wantErr)
			}
		})
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("the directory holds %d entries, want none", len(es))
	}
}

// testServer is an in-process server that the test can stop before reading its directory.
type testServer struct {
	url, data string
	stop      func()
}

func startStoppableServer(t *testing.T) *testServer {
	t.Helper()
	cfg := app.Default()
	cfg.Data = t.TempDir()
	cfg.Server.Listen = "127.0.0.1:0"
	cfg.Ingest.WriterMaxWait = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(s string) { addr <- s }) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	}
	t.Cleanup(stop)
	return &testServer{url: "http://" + <-addr, data: cfg.Data, stop: stop}
}

// call sends the JSON body to path with the admin key, acting in tenant (none: the default).
func (s *testServer) call(t *testing.T, method, path, tenant, body string) {
	t.Helper()
	s.send(t, method, path, tenant, "application/json", body)
}

func (s *testServer) send(t *testing.T, method, path, tenant, contentType, body string) {
	t.Helper()
	key, err := os.ReadFile(filepath.Join(s.data, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(key)))
	req.Header.Set("Content-Type", contentType)
	if tenant != "" {
		req.Header.Set("X-Vigil-Tenant", tenant)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
}

const (
	watchlistQuery = `Probe_CL | join kind=inner (_GetWatchlist('Hosts') | project SearchKey, Tier = tostring(Tier)) on $left.Host == $right.SearchKey | project Host, Tier`
	watchlistWant  = "Host,Tier\nweb1,gold\n"
)

const probeQuery = `Probe_CL | project TimeGenerated, Host, N, Small = toint(N), R, Ok, D, G, T | sort by N asc`

// TestQueryOfflineData ingests rows of two tenants into a custom table through a real
// server, queries them through the API, stops the server and queries its directory in
// process: the answers are the same to the byte, tenants stay apart, --timespan limits the
// rows, and the directory is left unchanged.
func TestQueryOfflineData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	srv := startStoppableServer(t)
	srv.call(t, "PUT", "/api/v1/tables/Probe_CL", "", `{"columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Host","type":"string"},
		{"name":"N","type":"long"},{"name":"R","type":"real"},{"name":"Ok","type":"bool"},{"name":"D","type":"dynamic"},
		{"name":"G","type":"guid"},{"name":"T","type":"timespan"}]}`)
	srv.call(t, "POST", "/api/v1/ingest/Probe_CL", "", `[
		{"TimeGenerated":"2024-01-01T10:00:00Z","Host":"web1","N":9007199254740993,"R":0.1,"Ok":true,"D":{"k":[1,2.5,"s"]},"G":"6f9619ff-8b86-d011-b42d-00c04fc964ff","T":"1.02:03:04.5"},
		{"TimeGenerated":"2024-01-03T10:00:00Z","Host":"web2","N":2,"R":-3e-7,"Ok":false,"D":null}]`)
	srv.call(t, "POST", "/api/v1/tenants", "", `{"id":"other","name":"Other"}`)
	srv.call(t, "POST", "/api/v1/ingest/Probe_CL", "other", `[{"TimeGenerated":"2024-01-02T10:00:00Z","Host":"secret","N":3}]`)

	srv.send(t, "POST", "/api/v1/security/watchlists?alias=Hosts&searchKey=Host", "", "text/csv", "Host,Tier\nweb1,gold\nweb9,bronze\n")

	// Through the API, waiting for the store writer.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, out, _ := runCLI("query", "--server", srv.url, "--data", srv.data, "--tenant", "*", "-o", "csv", "union Probe_CL, Watchlist | count")
		if out == "Count\n5\n" {
			break
		}
	}
	code, viaAPI, errOut := runCLI("query", "--server", srv.url, "--data", srv.data, "-o", "json", probeQuery)
	if code != 0 {
		t.Fatalf("query through the API: %d %s", code, errOut)
	}
	code, watchAPI, errOut := runCLI("query", "--server", srv.url, "--data", srv.data, "-o", "csv", watchlistQuery)
	if code != 0 || watchAPI != watchlistWant {
		t.Errorf("watchlist through the API: %d %q %q, want %q", code, watchAPI, errOut, watchlistWant)
	}
	srv.stop()
	before := dirSums(t, srv.data)

	code, offline, errOut := runCLI("query", "--data", srv.data, "-o", "json", probeQuery)
	if code != 0 || offline != viaAPI {
		t.Errorf("offline answer differs from the API's (exit %d, %s):\noffline %s\napi     %s", code, errOut, offline, viaAPI)
	}
	want := `{"columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Host","type":"string"},{"name":"N","type":"long"},{"name":"Small","type":"int"},` +
		`{"name":"R","type":"real"},{"name":"Ok","type":"bool"},{"name":"D","type":"dynamic"},{"name":"G","type":"guid"},{"name":"T","type":"timespan"}],"rows":[` +
		`["2024-01-03T10:00:00Z","web2",2,2,-3e-7,false,null,null,null],` +
		`["2024-01-01T10:00:00Z","web1",9007199254740993,null,0.1,true,{"k":[1,2.5,"s"]},"6f9619ff-8b86-d011-b42d-00c04fc964ff","1.02:03:04.5000000"]],"truncated":false}`
	if got := compactJSON(t, offline); got != want {
		t.Errorf("offline json:\n got %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"default tenant", []string{"Probe_CL | project Host, N | sort by N asc"}, "Host,N\nweb2,2\nweb1,9007199254740993\n"},
		{"other tenant", []string{"--tenant", "other", "Probe_CL | project Host, N"}, "Host,N\nsecret,3\n"},
		{"every tenant", []string{"--tenant", "*", "Probe_CL | project Host | sort by Host asc"}, "Host\nsecret\nweb1\nweb2\n"},
		{"two tenants", []string{"--tenant", "default,other", "Probe_CL | count"}, "Count\n3\n"},
		{"timespan", []string{"--timespan", "2024-01-01T00:00:00Z/P1D", "Probe_CL | project Host"}, "Host\nweb1\n"},
		{"watchlist", []string{watchlistQuery}, watchlistWant},
		{"from a file", []string{"-f", writeFile(t, "q.kql", "Probe_CL\n| where Ok\n| project Host")}, "Host\nweb1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"query", "--data", srv.data, "-o", "csv"}, c.args...)
			code, out, errOut := runCLI(args...)
			if code != 0 || out != c.want {
				t.Errorf("exit %d, stderr %q\n got %q\nwant %q", code, errOut, out, c.want)
			}
		})
	}
	if after := dirSums(t, srv.data); !sameSums(before, after) {
		t.Errorf("the data directory changed:\nbefore %v\nafter  %v", before, after)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHelperServer is not a test: run by TestQueryOfflineServerRunning in a child process, it
// runs `vigil server` on $VIGIL_TEST_SERVER_DATA until it is killed. DuckDB's file lock is per
// process, so only a server in another process holds the directory as a real one does.
func TestHelperServer(t *testing.T) {
	data := os.Getenv("VIGIL_TEST_SERVER_DATA")
	if data == "" {
		t.Skip("helper process only")
	}
	os.Exit(Main(context.Background(), []string{"server", "--data", data, "--listen", "127.0.0.1:0"}))
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// TestQueryOfflineServerRunning queries a directory a running server holds: --data alone
// says so and names --server; with --server the query goes through the API with the
// directory's admin key.
func TestQueryOfflineServerRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	data := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServer$")
	cmd.Env = append(os.Environ(), "VIGIL_TEST_SERVER_DATA="+data)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				url <- m[1]
			}
		}
	}()
	var server string
	select {
	case server = <-url:
	case <-time.After(time.Minute):
		t.Fatal("the server did not start in a minute")
	}
	code, out, errOut := runCLI("query", "--data", data, "print x=1")
	if code != 1 || out != "" || !strings.Contains(errOut, "is held by a running Vigil server (pid ") || !strings.Contains(errOut, "--server URL") {
		t.Errorf("offline on a held directory: exit %d, %q %q", code, out, errOut)
	}
	code, out, errOut = runCLI("query", "--data", data, "--server", server, "-o", "csv", "print x=1")
	if code != 0 || out != "x\n1\n" {
		t.Errorf("through --server: exit %d, %q %q", code, out, errOut)
	}
}
