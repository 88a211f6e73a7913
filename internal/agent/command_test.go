package agent

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

func script(name, body string, timeout time.Duration) *Script {
	sum := sha256.Sum256([]byte(body))
	return &Script{Name: name, Body: body, SHA256: hex.EncodeToString(sum[:]), Timeout: timeout}
}

func TestHandleRunScript(t *testing.T) {
	d := newTestDevice(t)
	tampered := script("t", "echo hi", 0)
	tampered.Body = "rm -rf /tmp/x"
	for _, c := range []struct {
		name      string
		script    *Script
		status    string
		stdout    string
		exit      int
		errHas    string
		truncated bool
		timedOut  bool
	}{
		{"ok", script("hello", "echo hello; echo oops >&2", 0), StatusCompleted, "hello\n", 0, "", false, false},
		{"shebang", script("sh", "#!/bin/sh\necho $0 >/dev/null; echo bang", 0), StatusCompleted, "bang\n", 0, "", false, false},
		{"exit code", script("bad", "echo x; exit 3", 0), StatusFailed, "x\n", 3, "exited with code 3", false, false},
		{"hash mismatch", tampered, StatusFailed, "", 0, "not the", false, false},
		{"timeout", script("slow", "echo started; sleep 30", 300*time.Millisecond), StatusFailed, "started\n", -1, "timed out", false, true},
		{"truncated", script("big", "head -c 200000 /dev/zero | tr '\\0' a", 0), StatusCompleted, strings.Repeat("a", MaxScriptOutput), 0, "", true, false},
		{"no script", nil, StatusFailed, "", 0, "carries no script", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r := d.Handle(context.Background(), Command{Type: CmdRunScript, Script: c.script})
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if r.Status != c.status || !strings.Contains(r.Error, c.errHas) {
				t.Fatalf("reply = %+v, want status %s and error with %q", r, c.status, c.errHas)
			}
			if c.script == nil || c.errHas == "not the" {
				return
			}
			if r.Data["stdout"] != c.stdout || r.Data["exitCode"] != c.exit || r.Data["truncated"] != c.truncated || r.Data["timedOut"] != c.timedOut {
				t.Errorf("data = exit %v truncated %v timedOut %v stdout %.40q", r.Data["exitCode"], r.Data["truncated"], r.Data["timedOut"], r.Data["stdout"])
			}
		})
	}
}

func TestHandleCollectPackage(t *testing.T) {
	d := newTestDevice(t)
	r := d.Handle(context.Background(), Command{Type: CmdCollectPackage})
	if r.Status != StatusCompleted {
		t.Fatalf("reply = %+v", r)
	}
	gz, err := gzip.NewReader(bytes.NewReader(r.Package))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name], _ = io.ReadAll(tr)
	}
	if !bytes.Contains(files["processes.tsv"], []byte("pid\tppid")) || !bytes.Contains(files["network/tcp"], []byte("local_address")) {
		t.Errorf("package lacks the process list or connections: %d files", len(files))
	}
	var m struct {
		Files []string `json:"files"`
	}
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil || len(m.Files) != len(files)-1 {
		t.Errorf("manifest lists %d files, package has %d (%v)", len(m.Files), len(files)-1, err)
	}
}

func TestHandleUnknown(t *testing.T) {
	r := newTestDevice(t).Handle(context.Background(), Command{Type: "formatDisk"})
	if r.Status != StatusFailed || !strings.Contains(r.Error, `does not support command "formatDisk"`) {
		t.Fatalf("reply = %+v", r)
	}
}
