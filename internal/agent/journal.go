package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// JournalSize is how many replies a Journal keeps by default. A script's reply carries at
// most twice MaxScriptOutput, so the file stays under about 16 MiB.
const JournalSize = 128

// Journal remembers the replies to the commands the agent carried out, by action id, so that
// a command sent again is answered with the first reply instead of being carried out twice.
// The server's dispatcher sends a command again when its answer did not come in time (a slow
// script, a lost reply, an agent that reconnected): without the journal the script would run
// twice and a file quarantined once would be "not found" the second time. A command sent
// again while the first is still running waits for it. The replies are kept in a file (mode
// 0600, replaced atomically) so that a restarted agent remembers them too; only the last Size
// are kept. Its methods are safe for concurrent use.
type Journal struct {
	// Path is the file, in the agent's state directory.
	Path string
	// Size bounds the replies kept (default JournalSize).
	Size int

	mu      sync.Mutex
	loaded  bool
	entries []journalEntry
	running map[string]*flight
}

type journalEntry struct {
	Key   string    `json:"key"` // actionId/type
	At    time.Time `json:"at"`
	Reply Reply     `json:"reply"`
}

// flight is a command being carried out; done closes when reply is set.
type flight struct {
	done  chan struct{}
	reply Reply
}

// remembered reports whether c's reply is kept: a command with an action id (without one
// it cannot be recognised when sent again) whose second run would do harm or misreport:
// a script runs again, a file already quarantined or restored is "not found". Isolation,
// release and blocks are idempotent and are carried out again; an investigation package (up
// to 5 MiB) is collected again rather than kept on the device.
func remembered(c Command) bool {
	switch c.Type {
	case CmdRunScript, CmdStopQuarantine, CmdRestoreFile:
		return c.ActionID != ""
	}
	return false
}

// Do answers c: with the reply kept for its action id when it was carried out before (marked
// Repeated), after the first run when it is running now, and otherwise by calling run and
// keeping its reply. The error says the journal could not be read or saved; the reply is
// good all the same.
func (j *Journal) Do(ctx context.Context, c Command, run func() Reply) (Reply, error) {
	key := c.ActionID + "/" + c.Type
	j.mu.Lock()
	loadErr := j.load()
	for _, e := range j.entries {
		if e.Key == key {
			j.mu.Unlock()
			r := e.Reply
			r.Repeated = true
			return r, loadErr
		}
	}
	if f, ok := j.running[key]; ok {
		j.mu.Unlock()
		select {
		case <-f.done:
			r := f.reply
			r.Repeated = true
			return r, loadErr
		case <-ctx.Done():
			return failed(fmt.Errorf("agent: command %s (%s) is still running from an earlier request", c.ActionID, c.Type)), loadErr
		}
	}
	f := &flight{done: make(chan struct{})}
	j.running[key] = f
	j.mu.Unlock()

	f.reply = run()
	j.mu.Lock()
	defer j.mu.Unlock()
	delete(j.running, key)
	close(f.done)
	j.entries = append(j.entries, journalEntry{Key: key, At: time.Now().UTC(), Reply: f.reply})
	if n := j.size(); len(j.entries) > n {
		j.entries = append([]journalEntry(nil), j.entries[len(j.entries)-n:]...)
	}
	return f.reply, errors.Join(loadErr, j.save())
}

func (j *Journal) size() int {
	if j.Size <= 0 {
		return JournalSize
	}
	return j.Size
}

// load reads the file once. A file that cannot be read or parsed is reported and then
// treated as empty: commands still run, and the next save replaces it.
func (j *Journal) load() error {
	if j.running == nil {
		j.running = map[string]*flight{}
	}
	if j.loaded {
		return nil
	}
	j.loaded = true
	b, err := os.ReadFile(j.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read command journal: %w", err)
	}
	if err := json.Unmarshal(b, &j.entries); err != nil {
		j.entries = nil
		return fmt.Errorf("command journal %s is not valid; starting a new one: %w", j.Path, err)
	}
	return nil
}

func (j *Journal) save() error {
	b, err := json.Marshal(j.entries)
	if err != nil {
		return fmt.Errorf("command journal: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(j.Path), 0o700); err != nil {
		return fmt.Errorf("command journal directory: %w", err)
	}
	tmp := j.Path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write command journal: %w", err)
	}
	if err := os.Rename(tmp, j.Path); err != nil {
		return fmt.Errorf("write command journal: %w", err)
	}
	return nil
}
