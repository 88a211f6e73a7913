package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// CollectConfig configures the telemetry collectors beyond processes; the zero value runs
// them all with their defaults.
type CollectConfig struct {
	// Disable names collectors not to run (see CollectorNames).
	Disable []string
	// NetInterval is the time between scans of the socket tables (default
	// DefaultNetInterval).
	NetInterval time.Duration
	// WatchPaths are the directory trees watched for file events (default
	// DefaultWatchPaths).
	WatchPaths []string
	// Wtmp and Btmp are the login record files (default DefaultWtmp and DefaultBtmp).
	Wtmp, Btmp string
	// DpkgStatus is dpkg's status file (default DefaultDpkgStatus).
	DpkgStatus string
	// InventoryInterval is how often the whole software inventory is sent again (default
	// DefaultInventoryInterval).
	InventoryInterval time.Duration
	// AuthLog is the authentication log file followed (default: the first of
	// DefaultAuthLogs that exists, else the journal).
	AuthLog string
}

// collector is one telemetry collector: its name (for Disable) and what runs it.
type collector struct {
	name string
	run  func(d *Device, ctx context.Context, emit func(string, Row)) error
}

// collectors are the collectors Device.Run starts next to the process connector.
var collectors = []collector{
	{"network", (*Device).runNetwork},
	{"files", (*Device).runFiles},
	{"logons", (*Device).runLogons},
	{"inventory", (*Device).runInventory},
	{"authlog", (*Device).runAuthLog},
}

// CollectorNames are the names CollectConfig.Disable takes.
func CollectorNames() []string {
	names := make([]string, len(collectors))
	for i, c := range collectors {
		names[i] = c.name
	}
	return names
}

// Validate says what is wrong with the configuration, if anything.
func (c CollectConfig) Validate() error {
	var errs []error
	for _, n := range c.Disable {
		if !slices.Contains(CollectorNames(), n) {
			errs = append(errs, fmt.Errorf("unknown collector %q (known: %s)", n, strings.Join(CollectorNames(), ", ")))
		}
	}
	if c.NetInterval != 0 && c.NetInterval < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("network scan interval %s is below 100ms: each scan reads every socket table", c.NetInterval))
	}
	if c.InventoryInterval != 0 && c.InventoryInterval < time.Minute {
		errs = append(errs, fmt.Errorf("inventory interval %s is below a minute", c.InventoryInterval))
	}
	for _, p := range c.WatchPaths {
		if !filepath.IsAbs(p) {
			errs = append(errs, fmt.Errorf("watch path %q is not absolute", p))
		}
	}
	if c.AuthLog != "" && !filepath.IsAbs(c.AuthLog) {
		errs = append(errs, fmt.Errorf("auth log path %q is not absolute", c.AuthLog))
	}
	return errors.Join(errs...)
}

// runCollectors starts every collector not disabled, each on its own: one that fails is
// logged and the others go on, as the agent does without the process connector.
func (d *Device) runCollectors(ctx context.Context, emit func(string, Row)) {
	for _, c := range collectors {
		if slices.Contains(d.Collect.Disable, c.name) {
			continue
		}
		go func() {
			if err := c.run(d, ctx, emit); err != nil && d.Log != nil {
				d.Log.Error("telemetry collector stopped; the others go on", "collector", c.name, "err", err)
			}
		}()
	}
}

func (d *Device) runNetwork(ctx context.Context, emit func(string, Row)) error {
	w := &NetWatcher{ProcDir: d.procDir(), Interval: d.Collect.NetInterval, Hashes: &d.hashes}
	return w.Run(ctx, emit)
}

func (d *Device) runFiles(ctx context.Context, emit func(string, Row)) error {
	w := &FileWatcher{Paths: d.Collect.WatchPaths, Hashes: &d.hashes, Log: d.Log}
	own := []string{d.BufferDir, d.Quarantine.Dir}
	if d.State != nil && d.State.Path != "" {
		own = append(own, filepath.Dir(d.State.Path))
	}
	for _, p := range own {
		if abs, err := filepath.Abs(p); p != "" && err == nil {
			w.Exclude = append(w.Exclude, abs)
		}
	}
	return w.Run(ctx, emit)
}

// runLogons follows wtmp and btmp, keeping where it stopped in <state>/logons.json.
func (d *Device) runLogons(ctx context.Context, emit func(string, Row)) error {
	var offsets *OffsetFile
	if d.State != nil && d.State.Path != "" {
		offsets = &OffsetFile{Path: filepath.Join(filepath.Dir(d.State.Path), "logons.json")}
	}
	files := []*LogonReader{
		{Path: or(d.Collect.Wtmp, DefaultWtmp), Offsets: offsets},
		{Path: or(d.Collect.Btmp, DefaultBtmp), Failed: true, Offsets: offsets},
	}
	// Each file goes on alone: an unreadable btmp leaves logons from wtmp.
	var wg sync.WaitGroup
	for _, l := range files {
		wg.Go(func() {
			if err := l.Run(ctx, DefaultLogonInterval, emit); err != nil && d.Log != nil {
				d.Log.Error("logon telemetry stopped", "file", l.Path, "err", err)
			}
		})
	}
	wg.Wait()
	return nil
}

// runAuthLog follows the authentication log file, keeping where it stopped in
// <state>/authlog.json, or, when there is none, the journal, keeping its cursor in
// <state>/authlog.cursor.
func (d *Device) runAuthLog(ctx context.Context, emit func(string, Row)) error {
	stateDir := ""
	if d.State != nil && d.State.Path != "" {
		stateDir = filepath.Dir(d.State.Path)
	}
	host, _ := os.Hostname()
	path := d.Collect.AuthLog
	for _, p := range DefaultAuthLogs {
		if _, err := os.Stat(p); path == "" && err == nil {
			path = p
		}
	}
	if path != "" {
		r := &AuthLogReader{Path: path, Host: host}
		if stateDir != "" {
			r.Offsets = &OffsetFile{Path: filepath.Join(stateDir, "authlog.json")}
		}
		if d.Log != nil {
			d.Log.Info("auth log telemetry from a file", "file", path)
		}
		return r.Run(ctx, DefaultAuthLogInterval, d.Log, emit)
	}
	if d.Log != nil {
		d.Log.Info("auth log telemetry from the journal: no " + strings.Join(DefaultAuthLogs, " or "))
	}
	j := &AuthJournal{Log: d.Log}
	if stateDir != "" {
		j.CursorFile = filepath.Join(stateDir, "authlog.cursor")
	}
	err := j.Run(ctx, emit)
	if errors.Is(err, ErrNoJournalctl) {
		if d.Log != nil {
			d.Log.Warn("no auth log telemetry: neither "+strings.Join(DefaultAuthLogs, " nor ")+" exists and journalctl is not installed", "err", err)
		}
		return nil
	}
	return err
}

func (d *Device) runInventory(ctx context.Context, emit func(string, Row)) error {
	inv := &Inventory{DpkgStatus: d.Collect.DpkgStatus, Interval: d.Collect.InventoryInterval, Log: d.Log}
	return inv.Run(ctx, emit)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
