package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// NetState is the network part of the agent's state.
type NetState struct {
	// Isolated is set while the device is isolated.
	Isolated bool `json:"isolated"`
	// Allow lists the server endpoints ("ip:port", or "ip" for any port) reachable while
	// isolated.
	Allow []string `json:"allow,omitempty"`
	// BlockedIPs are dropped to and from, isolated or not.
	BlockedIPs []string `json:"blockedIps,omitempty"`
}

// State is what the agent has changed on the device; it is kept in a file so that a
// restarted agent re-applies it.
type State struct {
	Net NetState `json:"net"`
	// BlockedHashes are SHA-256 hashes (lowercase hex) of files the sensor kills and
	// quarantines when a process starts from them.
	BlockedHashes []string `json:"blockedHashes,omitempty"`
	// FleetBlocked are the hashes and addresses of BlockedHashes and Net.BlockedIPs that are
	// blocked only because the tenant's fleet block list holds them (see SyncBlocklist): they
	// are unblocked when they leave the list. A block the device was sent itself stays.
	FleetBlocked []string `json:"fleetBlocked,omitempty"`
}

// StateFile keeps a State in a file (mode 0600), replaced atomically on every change. Its
// methods are safe for concurrent use.
type StateFile struct {
	Path string

	mu sync.Mutex
}

// Load returns the state in the file, the zero state when there is no file yet.
func (f *StateFile) Load() (State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.load()
}

func (f *StateFile) load() (State, error) {
	var st State
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("state file %s: %w", f.Path, err)
	}
	return st, nil
}

// Update applies change to the state and saves it; when change fails nothing is saved.
// It returns the state before and after.
func (f *StateFile) Update(change func(*State) error) (before, after State, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	before, err = f.load()
	if err != nil {
		return before, before, err
	}
	after = before.clone()
	if err := change(&after); err != nil {
		return before, before, err
	}
	return before, after, f.save(after)
}

func (f *StateFile) save(st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	tmp := f.Path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

func (s State) clone() State {
	s.Net.Allow = slices.Clone(s.Net.Allow)
	s.Net.BlockedIPs = slices.Clone(s.Net.BlockedIPs)
	s.BlockedHashes = slices.Clone(s.BlockedHashes)
	s.FleetBlocked = slices.Clone(s.FleetBlocked)
	return s
}

// addUnique appends v to list unless it is there.
func addUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
