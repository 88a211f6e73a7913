package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest/sample"
)

// TestQueryData runs `vigil query --data` on the directory of a real server: refused with
// a pointer to --server while the server runs, answered through the API with --server, and
// answered in process once the server has stopped.
func TestQueryData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real server")
	}
	dir := t.TempDir()
	if code, out, errOut := run(t, "query", "--data", dir, "-o", "csv", "print x = 1 + 1"); code != 0 || out != "x\n2\n" {
		t.Errorf("on an empty directory: %d %q %q", code, out, errOut)
	}
	data := filepath.Join(dir, "data")
	srv := startServer(t, data)
	if resp, b, err := srv.post("/api/v1/ingest/DeviceProcessEvents", sample.ProcessEvents(0, 120, time.Now())); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ingest: %v %s", err, b)
	}
	srv.waitRows(t, "DeviceProcessEvents", 120)
	const q = "DeviceProcessEvents | summarize n = count(), devices = dcount(DeviceName)"
	code, out, errOut := run(t, "query", "--data", data, "-o", "csv", q)
	if code != 1 || out != "" || !strings.Contains(errOut, "is held by a running Vigil server (pid ") || !strings.Contains(errOut, "--server URL") {
		t.Errorf("--data while the server runs: %d %q %q", code, out, errOut)
	}
	code, viaAPI, errOut := run(t, "query", "--data", data, "--server", srv.url, "-o", "csv", q)
	if code != 0 || !strings.HasPrefix(viaAPI, "n,devices\n120,") {
		t.Errorf("--server: %d %q %q", code, viaAPI, errOut)
	}
	srv.stop(t, syscall.SIGTERM)
	code, out, errOut = run(t, "query", "--data", data, "-o", "csv", q)
	if code != 0 || out != viaAPI {
		t.Errorf("--data after the server stopped: %d %q %q, want %q", code, out, errOut, viaAPI)
	}
}
