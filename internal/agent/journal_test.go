package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingScript appends a line to file each time it runs and prints how many lines the
// file has then: how many times it ran.
func countingScript(file string, sleep time.Duration) *Script {
	return script("count", fmt.Sprintf("sleep %.3f; echo ran >> %s; wc -l < %s", sleep.Seconds(), file, file), 0)
}

func runs(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// TestJournalRunsACommandOnce sends runScript commands as the dispatcher's retries do: the
// same action id again, after a restart of the agent, while the first run is still going,
// and after the journal has forgotten it.
func TestJournalRunsACommandOnce(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "counter")
	journal := filepath.Join(dir, "commands.json")
	dev := func() *Device {
		d := newTestDevice(t)
		d.Journal = &Journal{Path: journal, Size: 3}
		return d
	}
	d := dev()
	cmd := func(id string) Command {
		return Command{ActionID: id, Type: CmdRunScript, Script: countingScript(counter, 0)}
	}
	for _, step := range []struct {
		name     string
		d        *Device
		id       string
		runs     int  // times the script has run after the step
		repeated bool // answered from the journal
		stdout   string
	}{
		{"first", d, "a1", 1, false, "1\n"},
		{"sent again", d, "a1", 1, true, "1\n"},
		{"another action", d, "a2", 2, false, "2\n"},
		{"agent restarted", dev(), "a1", 2, true, "1\n"},
		{"third and fourth actions", d, "a3", 3, false, "3\n"},
		{"", d, "a4", 4, false, "4\n"},
		{"a1 forgotten past Size", d, "a1", 5, false, "5\n"},
		{"a4 still kept", d, "a4", 5, true, "4\n"},
	} {
		r := step.d.Handle(context.Background(), cmd(step.id))
		if r.Status != StatusCompleted || r.Repeated != step.repeated || r.Data["stdout"] != step.stdout {
			t.Errorf("%s: reply %+v, want completed, repeated %v, stdout %q", step.name, r, step.repeated, step.stdout)
		}
		if n := runs(t, counter); n != step.runs {
			t.Errorf("%s: the script ran %d times, want %d", step.name, n, step.runs)
		}
	}
	if fi, err := os.Stat(journal); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal file: %v %v", fi, err)
	}

	// A command without an action id cannot be recognised when sent again: it runs each time.
	plain := Command{Type: CmdRunScript, Script: countingScript(counter, 0)}
	d.Handle(context.Background(), plain)
	d.Handle(context.Background(), plain)
	if n := runs(t, counter); n != 7 {
		t.Errorf("commands without an action id ran %d times in all, want 7", n)
	}
	// Idempotent commands are carried out again: their reply is not kept.
	ping := Command{ActionID: "p1", Type: CmdPing}
	if d.Handle(context.Background(), ping); d.Handle(context.Background(), ping).Repeated {
		t.Error("a ping sent again was answered from the journal")
	}
}

// TestJournalWaitsForTheRunningCommand sends a command again while its script still runs:
// the second request waits for the first run and gets its reply; the script runs once.
func TestJournalWaitsForTheRunningCommand(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "counter")
	d := newTestDevice(t)
	d.Journal = &Journal{Path: filepath.Join(dir, "commands.json")}
	c := Command{ActionID: "slow", Type: CmdRunScript, Script: countingScript(counter, 300*time.Millisecond)}
	var wg sync.WaitGroup
	replies := make([]Reply, 3)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = d.Handle(context.Background(), c)
		}()
	}
	wg.Wait()
	repeated := 0
	for _, r := range replies {
		if r.Status != StatusCompleted || r.Data["stdout"] != "1\n" {
			t.Errorf("reply %+v, want completed with stdout 1", r)
		}
		if r.Repeated {
			repeated++
		}
	}
	if n := runs(t, counter); n != 1 || repeated != 2 {
		t.Errorf("script ran %d times, %d replies repeated; want 1 and 2", n, repeated)
	}

	// A repeat whose own deadline passes before the first run ends fails and says why.
	c = Command{ActionID: "slower", Type: CmdRunScript, Script: countingScript(counter, time.Second)}
	go d.Handle(context.Background(), c)
	time.Sleep(100 * time.Millisecond)
	c.Deadline = time.Now().Add(100 * time.Millisecond)
	if r := d.Handle(context.Background(), c); r.Status != StatusFailed || !strings.Contains(r.Error, "still running from an earlier request") {
		t.Errorf("repeat past its deadline: %+v", r)
	}
}

// TestJournalDamagedFile: a journal that is not JSON is reported, commands still run, and the
// next save replaces it.
func TestJournalDamagedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "commands.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	j := &Journal{Path: path}
	r, err := j.Do(context.Background(), Command{ActionID: "x", Type: CmdRunScript}, func() Reply { return completed("done") })
	if r.Status != StatusCompleted || err == nil || !strings.Contains(err.Error(), "is not valid; starting a new one") {
		t.Fatalf("damaged journal: %+v, %v", r, err)
	}
	j2 := &Journal{Path: path}
	r, err = j2.Do(context.Background(), Command{ActionID: "x", Type: CmdRunScript}, func() Reply { return failed(fmt.Errorf("ran again")) })
	if err != nil || !r.Repeated || r.Detail != "done" {
		t.Errorf("after the rewrite: %+v, %v", r, err)
	}
}
