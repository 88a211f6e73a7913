package agent

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestSensorStopsBlockedHash blocks a copy of /bin/sleep's hash, starts it, and expects the
// sensor (the process connector) to stop it and quarantine its file, and to report the
// start as a DeviceProcessEvents row.
func TestSensorStopsBlockedHash(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the process connector needs root (CAP_NET_ADMIN) and CI=true")
		}
		t.Skip("the process connector needs root (CAP_NET_ADMIN)")
	}
	d := newTestDevice(t)
	d.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	path, _, exited := startSleepCopy(t) // a running copy, to learn the hash
	sha, _ := HashFile(path)
	if _, err := d.BlockIndicator(sha); err != nil {
		t.Fatal(err)
	}
	<-exited
	if _, err := d.RestoreFile(sha); err != nil { // put the file back, unblocked
		t.Fatal(err)
	}
	// Block it again with nothing running: only the sensor can stop it now.
	if _, _, err := d.State.Update(func(s *State) error { s.BlockedHashes = append(s.BlockedHashes, sha); return nil }); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows := make(chan Row, 64)
	go func() {
		_ = WatchExecs(ctx, func(pid int) {
			row, h, ok := d.ProcessRow(pid)
			if ok && h == sha {
				rows <- row
				d.onExec(pid, nil)
			}
		})
	}()
	time.Sleep(200 * time.Millisecond) // the subscription is in place
	cmd := exec.Command(path, "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("a process started from a blocked hash was not stopped")
	}
	row := <-rows
	if row["ProcessId"] != cmd.Process.Pid || row["FolderPath"] != path || row["ProcessCommandLine"] != path+" 300" {
		t.Errorf("process row = %v (pid %s)", row, strconv.Itoa(cmd.Process.Pid))
	}
	// The process dies before its file is moved: wait for the quarantine.
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err = d.Quarantine.Entry(sha); err == nil {
			break
		}
	}
	if err != nil {
		t.Errorf("the blocked file was not quarantined: %v", err)
	}
}
