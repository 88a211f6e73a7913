package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fileRows runs a FileWatcher on dir and collects its rows.
type fileRows struct {
	mu   sync.Mutex
	rows []Row
}

func (f *fileRows) add(table string, r Row) {
	if table != "DeviceFileEvents" {
		panic("unexpected table " + table)
	}
	f.mu.Lock()
	f.rows = append(f.rows, r)
	f.mu.Unlock()
}

// wait returns the first row (after skip rows) matching action and path, failing after 5 s.
func (f *fileRows) wait(t *testing.T, action, path string) Row {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		f.mu.Lock()
		for _, r := range f.rows {
			if r["ActionType"] == action && r["FolderPath"] == path {
				f.mu.Unlock()
				return r
			}
		}
		f.mu.Unlock()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Fatalf("no %s row for %s; rows: %v", action, path, f.rows)
	return nil
}

func (f *fileRows) count(action, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.rows {
		if r["ActionType"] == action && r["FolderPath"] == path {
			n++
		}
	}
	return n
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestFileWatcher creates, modifies (in a burst of writes), renames and deletes files in a
// watched temporary tree, in a directory made after the watch started too, and moves one
// out of the tree, and expects a row for each.
func TestFileWatcher(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	got := &fileRows{}
	own := filepath.Join(dir, "agent-state")
	if err := os.Mkdir(own, 0o700); err != nil {
		t.Fatal(err)
	}
	w := &FileWatcher{Paths: []string{dir}, Hashes: &HashCache{}, Exclude: []string{own}, MaxHashSize: 100}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, got.add) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	select {
	case <-w.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	a := filepath.Join(dir, "a.conf")
	must(os.WriteFile(a, []byte("hello"), 0o644))
	r := got.wait(t, "FileCreated", a)
	if r["SHA256"] != sha("hello") || r["FileSize"] != int64(5) || r["FileName"] != "a.conf" {
		t.Errorf("created row = %v", r)
	}

	for _, s := range []string{"one", "two", "three"} { // a burst: one FileModified
		f, err := os.OpenFile(a, os.O_WRONLY|os.O_APPEND, 0)
		must(err)
		_, err = f.WriteString(s)
		must(err)
		must(f.Close())
	}
	r = got.wait(t, "FileModified", a)
	if r["SHA256"] != sha("helloonetwothree") || r["FileSize"] != int64(16) {
		t.Errorf("modified row = %v", r)
	}

	b := filepath.Join(dir, "b.conf")
	must(os.Rename(a, b))
	r = got.wait(t, "FileRenamed", b)
	if r["PreviousFileName"] != "a.conf" || r["PreviousFolderPath"] != a || r["SHA256"] != sha("helloonetwothree") {
		t.Errorf("renamed row = %v", r)
	}

	sub := filepath.Join(dir, "new", "deeper")
	must(os.MkdirAll(sub, 0o755))
	c := filepath.Join(sub, "c.sh")
	must(os.WriteFile(c, []byte("#!/bin/sh\n"), 0o755))
	if r = got.wait(t, "FileCreated", c); r["SHA256"] != sha("#!/bin/sh\n") {
		t.Errorf("created in a new directory: row = %v", r)
	}

	must(os.Remove(b))
	if r = got.wait(t, "FileDeleted", b); r["SHA256"] != nil || r["FileName"] != "b.conf" {
		t.Errorf("deleted row = %v", r)
	}

	must(os.Rename(c, filepath.Join(outside, "c.sh")))
	r = got.wait(t, "FileDeleted", c)
	if af, _ := r["AdditionalFields"].(map[string]any); af["movedOutOfWatchedPaths"] != true {
		t.Errorf("moved out: row = %v", r)
	}

	// A renamed directory keeps being watched under its new name.
	moved := filepath.Join(dir, "renamed")
	must(os.Rename(filepath.Join(dir, "new"), moved))
	d := filepath.Join(moved, "deeper", "d.txt")
	time.Sleep(100 * time.Millisecond)
	must(os.WriteFile(d, []byte("d"), 0o600))
	got.wait(t, "FileCreated", d)

	// The agent's own files are not reported; a file over MaxHashSize is, without hash.
	if err := os.WriteFile(filepath.Join(own, "buffer.ndjson"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.bin")
	must(os.WriteFile(big, make([]byte, 200), 0o600))
	if r = got.wait(t, "FileCreated", big); r["FileSize"] != int64(200) || r["SHA256"] != nil {
		t.Errorf("a file over the hash limit: row = %v", r)
	}

	time.Sleep(2 * fileSettle) // anything pending has settled
	if n := got.count("FileCreated", filepath.Join(own, "buffer.ndjson")); n != 0 {
		t.Errorf("a file in an excluded tree was reported")
	}
	if n := got.count("FileModified", a); n != 1 {
		t.Errorf("%d FileModified rows for a burst of writes, want 1", n)
	}
	if n := got.count("FileCreated", a); n != 1 {
		t.Errorf("%d FileCreated rows for %s, want 1", n, a)
	}
	got.mu.Lock()
	checkRows(t, "DeviceFileEvents", got.rows)
	got.mu.Unlock()
}

func TestFileWatcherNothingToWatch(t *testing.T) {
	w := &FileWatcher{Paths: []string{filepath.Join(t.TempDir(), "missing")}}
	err := w.Run(context.Background(), func(string, Row) {})
	if err == nil || err.Error() != "file events: none of "+w.Paths[0]+" could be watched" {
		t.Errorf("err = %v", err)
	}
}
