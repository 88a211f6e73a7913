package agent

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/vigilsec/vigil/internal/bus"
)

func TestCollectConfigValidate(t *testing.T) {
	tests := []struct {
		c    CollectConfig
		want string
	}{
		{CollectConfig{}, ""},
		{CollectConfig{Disable: []string{"files", "network"}, NetInterval: time.Second, WatchPaths: []string{"/etc"}}, ""},
		{CollectConfig{Disable: []string{"file"}}, `unknown collector "file" (known: network, files, logons, inventory, authlog)`},
		{CollectConfig{NetInterval: time.Millisecond}, "network scan interval 1ms is below 100ms: each scan reads every socket table"},
		{CollectConfig{InventoryInterval: time.Second}, "inventory interval 1s is below a minute"},
		{CollectConfig{WatchPaths: []string{"etc"}}, `watch path "etc" is not absolute`},
		{CollectConfig{AuthLog: "auth.log"}, `auth log path "auth.log" is not absolute`},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.want {
				t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("%+v: no error, want %q", tt.c, tt.want)
		}
	}
}

// TestRunSendsAllTelemetry runs the whole agent against an embedded bus with the collectors
// pointed at temporary files, makes a connection, a file, a logon, and expects each table's
// rows on the telemetry stream.
func TestRunSendsAllTelemetry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := bus.Open(ctx, bus.Config{StoreDir: t.TempDir(), Agents: &bus.AgentListener{Listen: "127.0.0.1:0"}}, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	if err := b.SetAgents([]bus.AgentUser{{NKey: pub, Tenant: "t1", Device: "d1"}}); err != nil {
		t.Fatal(err)
	}
	id := Identity{Tenant: "t1", DeviceID: "d1", Seed: string(seed)}
	nc, err := Connect("nats://"+b.AgentAddr(), id, nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()

	dir := t.TempDir()
	watched := filepath.Join(dir, "watched")
	status := filepath.Join(dir, "dpkg-status")
	wtmp := filepath.Join(dir, "wtmp")
	for _, err := range []error{os.Mkdir(watched, 0o755), os.WriteFile(status, []byte(dpkgFixture), 0o644)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	d := newTestDevice(t)
	d.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d.Collect = CollectConfig{NetInterval: 200 * time.Millisecond, WatchPaths: []string{watched}, Wtmp: wtmp,
		Btmp: filepath.Join(dir, "btmp"), DpkgStatus: status}
	go func() { _ = d.Run(ctx, nc, id) }()
	time.Sleep(500 * time.Millisecond) // the first scans are baselines

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	dropped := filepath.Join(watched, "dropper.sh")
	if err := os.WriteFile(dropped, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	appendUtmp(t, wtmp, utmpEntry{typ: 7, pid: 77, line: "pts/3", user: "mallory", host: "203.0.113.66", at: time.Now()})

	js, _ := jetstream.New(b.Conn())
	want := map[string]func(Row) bool{
		"DeviceNetworkEvents": func(r Row) bool {
			return r["ActionType"] == "ListeningConnectionCreated" && r["LocalPort"] == float64(port) && r["InitiatingProcessId"] == float64(os.Getpid())
		},
		"DeviceFileEvents":           func(r Row) bool { return r["ActionType"] == "FileCreated" && r["FolderPath"] == dropped },
		"DeviceLogonEvents":          func(r Row) bool { return r["AccountName"] == "mallory" && r["RemoteIP"] == "203.0.113.66" },
		"DeviceTvmSoftwareInventory": func(r Row) bool { return r["SoftwareName"] == "openssh-server" && r["TimeGenerated"] != nil },
		"DeviceInfo":                 func(r Row) bool { return r["OSPlatform"] == "Linux" },
		"DeviceNetworkInfo":          func(r Row) bool { return r["NetworkAdapterName"] == "lo" },
	}
	for table, match := range want {
		if !waitRow(t, js, table, match, 15*time.Second) {
			t.Errorf("no matching %s row reached the server", table)
		}
	}
}

// waitRow reads the device's messages of table from the telemetry stream (a work queue
// nobody consumes here, so every message stays) until a row matches.
func waitRow(t *testing.T, js jetstream.JetStream, table string, match func(Row) bool, within time.Duration) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	s, err := js.Stream(ctx, bus.AgentTelemetryStream)
	if err != nil {
		t.Fatal(err)
	}
	subj := "vigil.agent.t1.d1.telemetry." + table
	next := uint64(1)
	for ; ctx.Err() == nil; time.Sleep(100 * time.Millisecond) {
		info, err := s.Info(ctx)
		if err != nil {
			continue
		}
		for ; next <= info.State.LastSeq; next++ {
			m, err := s.GetMsg(ctx, next)
			if err != nil || m.Subject != subj {
				continue
			}
			var rows []Row
			if err := json.Unmarshal(m.Data, &rows); err != nil {
				t.Fatalf("%s: %v", subj, err)
			}
			for _, r := range rows {
				if match(r) {
					return true
				}
			}
		}
	}
	return false
}
