package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/sample"
)

// These tests run the real vigil binary, built once by TestMain.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "vigil")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build vigil: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running vigil server process.
type server struct {
	cmd  *exec.Cmd
	url  string
	key  string
	mu   *sync.Mutex
	out  *bytes.Buffer // the server's stdout and stderr
	done chan error
}

// log returns what the server printed.
func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

func startServer(t *testing.T, data string) *server {
	t.Helper()
	cmd := exec.Command(binary, "server", "--data", data, "--listen", "127.0.0.1:0")
	pr, pw := io.Pipe()
	var buf bytes.Buffer
	var mu sync.Mutex
	cmd.Stderr = pw
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, mu: &mu, out: &buf, done: make(chan error, 1)}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			buf.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
		}
	}()
	go func() { s.done <- cmd.Wait(); _ = pw.Close() }()
	select {
	case s.url = <-urlc:
	case err := <-s.done:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("server exited at start: %v\n%s", err, buf.String())
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("server did not start in 60s")
	}
	key, err := os.ReadFile(filepath.Join(data, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	s.key = strings.TrimSpace(string(key))
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("server output:\n%s", s.log())
		}
	})
	return s
}

func (s *server) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(90 * time.Second):
		t.Fatal("server did not stop in 90s")
	}
}

func (s *server) post(path string, body []byte) (*http.Response, []byte, error) {
	req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func (s *server) query(t *testing.T, q string) [][]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q})
	resp, b, err := s.post("/api/v1/admin/sql", body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("query %s: %v %s", q, err, b)
	}
	var res struct{ Rows [][]any }
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res.Rows
}

// waitRows waits until table holds at least n rows.
func (s *server) waitRows(t *testing.T, table string, n int64) int64 {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := int64(s.query(t, "SELECT count(*) FROM "+table)[0][0].(float64))
		if got >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCrashSafety ingests 200,000 rows in batches of 1,000 from four clients, SIGKILLs the
// server mid-stream, restarts it, and checks that every acknowledged row is stored exactly once
// and that no row is stored twice.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	const batches, perBatch = 200, 1000
	data := t.TempDir()
	srv := startServer(t, data)
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	acked := map[int]bool{}
	next := 0
	killAt := batches * 2 / 5
	killed := make(chan struct{})
	var once sync.Once
	send := func(s *server, stopAtKill bool) {
		for {
			mu.Lock()
			b := next
			next++
			mu.Unlock()
			if b >= batches {
				return
			}
			body := sample.ProcessEvents(int64(b*perBatch), perBatch, base)
			resp, rb, err := s.post("/api/v1/ingest/DeviceProcessEvents", body)
			if err == nil && resp.StatusCode == 200 {
				var r struct{ Accepted int }
				if json.Unmarshal(rb, &r) == nil && r.Accepted == perBatch {
					mu.Lock()
					acked[b] = true
					n := len(acked)
					mu.Unlock()
					if n == killAt {
						once.Do(func() { _ = s.cmd.Process.Kill(); close(killed) })
					}
				}
			}
			if stopAtKill {
				select {
				case <-killed:
					return
				default:
				}
			}
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); send(srv, true) }()
	}
	wg.Wait()
	<-srv.done
	unacked := next - len(acked)
	t.Logf("killed after %d acknowledged batches; %d batches were in flight or after the kill and not acknowledged", len(acked), unacked)

	srv = startServer(t, data)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); send(srv, false) }()
	}
	wg.Wait()
	if got := srv.waitRows(t, "DeviceProcessEvents", int64(len(acked)*perBatch)); got < int64(len(acked)*perBatch) {
		t.Fatalf("stored %d rows, fewer than the %d acknowledged", got, len(acked)*perBatch)
	}
	// Every batch is stored whole or not at all, and no row twice.
	perBatchRows := srv.query(t, fmt.Sprintf(`SELECT ReportId // %d AS b, count(*) AS n, count(DISTINCT ReportId) AS d FROM DeviceProcessEvents GROUP BY ALL`, perBatch))
	stored := map[int]bool{}
	for _, r := range perBatchRows {
		b, n, d := int(r[0].(float64)), int(r[1].(float64)), int(r[2].(float64))
		if n != perBatch || d != perBatch {
			t.Errorf("batch %d: %d rows, %d distinct; want %d of each", b, n, d, perBatch)
		}
		stored[b] = true
	}
	for b := range acked {
		if !stored[b] {
			t.Errorf("acknowledged batch %d is missing", b)
		}
	}
	dups := srv.query(t, `SELECT count(*) FROM (SELECT _IngestId FROM DeviceProcessEvents GROUP BY ALL HAVING count(*) > 1)`)
	if n := dups[0][0].(float64); n != 0 {
		t.Errorf("%v ingest ids stored twice", n)
	}
	t.Logf("%d batches acknowledged, %d stored", len(acked), len(stored))
	srv.stop(t, syscall.SIGTERM)
}

// TestRestartAndLock checks that a graceful restart keeps every row and that a second server
// refuses a data directory in use.
func TestRestartAndLock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	data := t.TempDir()
	srv := startServer(t, data)
	body := sample.ProcessEvents(0, 5000, time.Now())
	if resp, b, err := srv.post("/api/v1/ingest/DeviceProcessEvents", body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ingest: %v %s", err, b)
	}
	second := exec.Command(binary, "server", "--data", data, "--listen", "127.0.0.1:0")
	out, err := second.CombinedOutput()
	if err == nil {
		t.Fatal("second server on the same data directory started")
	}
	if !strings.Contains(string(out), "is used by another Vigil server (pid ") {
		t.Errorf("second server's message = %q", out)
	}
	srv.stop(t, syscall.SIGTERM) // graceful: drains the writer before exiting
	srv = startServer(t, data)
	if n := srv.query(t, "SELECT count(*) FROM DeviceProcessEvents")[0][0].(float64); n != 5000 {
		t.Errorf("after restart %v rows, want 5000", n)
	}
	srv.stop(t, syscall.SIGTERM)
}

// run runs the vigil binary and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func TestCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("server:\n  listen: 127.0.0.1:1\n  port: 9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("log:\n  level: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run(t, "config", "check", good, bad); code != 1 || !strings.Contains(out, "good.yaml: ok") ||
		!strings.Contains(errOut, `bad.yaml: config: line 3: unknown key "port" in section server`) {
		t.Errorf("config check = %d %q %q", code, out, errOut)
	}
	if code, out, _ := run(t, "version"); code != 0 || !strings.HasPrefix(out, "vigil ") {
		t.Errorf("version = %d %q", code, out)
	}

	data := filepath.Join(dir, "data")
	srv := startServer(t, data)
	events := filepath.Join(dir, "events.ndjson")
	body := string(sample.ProcessEvents(0, 250, time.Now())) + "{\"DeviceName\":\"no time\"}\n" + string(sample.ProcessEvents(250, 50, time.Now()))
	if err := os.WriteFile(events, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "ingest", events, "--table", "DeviceProcessEvents", "--batch", "100", "--server", srv.url, "--data", data)
	if code != 2 || !strings.Contains(out, "300 rows accepted, 1 rejected") || !strings.Contains(errOut, "line 251: missing required time") {
		t.Errorf("ingest = %d %q %q", code, out, errOut)
	}
	srv.waitRows(t, "DeviceProcessEvents", 300)
	code, out, errOut = run(t, "sql", "SELECT count(*) AS n, count(DISTINCT DeviceName) AS devices FROM DeviceProcessEvents", "-o", "csv", "--server", srv.url, "--data", data)
	if code != 0 || out != "n,devices\n300,5\n" {
		t.Errorf("sql = %d %q %q", code, out, errOut)
	}
	code, _, errOut = run(t, "sql", "DELETE FROM DeviceProcessEvents", "--server", srv.url, "--data", data)
	if code != 1 || !strings.Contains(errOut, "only a single read-only SELECT statement is allowed (HTTP 400 notReadOnly)") {
		t.Errorf("sql delete = %d %q", code, errOut)
	}

	// Rules: import a content rule file onto the server, see it listed, switch it off.
	rules := "../../content/rules/lsass_access.yaml"
	code, out, errOut = run(t, "rules", "import", rules, "--server", srv.url, "--data", data)
	if code != 0 || !strings.Contains(out, "imported ") || !strings.Contains(out, "(version 1)") {
		t.Errorf("rules import = %d %q %q", code, out, errOut)
	}
	code, out, errOut = run(t, "rules", "import", rules, "--server", srv.url, "--data", data)
	if code != 1 || !strings.Contains(errOut, "lsass_access.yaml: ") {
		t.Errorf("second import of the same rule = %d %q %q, want a conflict", code, out, errOut)
	}
	code, out, errOut = run(t, "rules", "list", "--server", srv.url, "--data", data)
	if code != 0 || !strings.Contains(out, "LSASS") || !strings.Contains(out, "api") {
		t.Errorf("rules list = %d %q %q", code, out, errOut)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	code, out, errOut = run(t, "rules", "disable", id, "--server", srv.url, "--data", data)
	if code != 0 || out != "disabled "+id+"\n" {
		t.Errorf("rules disable = %d %q %q", code, out, errOut)
	}
	code, out, _ = run(t, "rules", "list", "--server", srv.url, "--data", data)
	if code != 0 || !strings.Contains(out, "disabled") {
		t.Errorf("rules list after disable = %d %q", code, out)
	}
	srv.stop(t, syscall.SIGTERM)
}
