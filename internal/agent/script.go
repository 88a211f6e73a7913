package agent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// MaxScriptOutput is how much of a script's stdout and of its stderr is returned.
const MaxScriptOutput = 64 << 10

// DefaultScriptTimeout bounds a script that names no timeout.
const DefaultScriptTimeout = 5 * time.Minute

// Script is a live-response script as the server sends it: the body from its script
// library and the body's SHA-256, which the agent checks before running it.
type Script struct {
	Name    string        `json:"name"`
	Body    string        `json:"body"`
	SHA256  string        `json:"sha256"`
	Args    []string      `json:"args,omitempty"`
	Timeout time.Duration `json:"timeout,omitempty"`
}

// ScriptResult is what a script did.
type ScriptResult struct {
	ExitCode  int    `json:"exitCode"`
	Stdout    string `json:"stdout"`
	Stderr    string `json:"stderr"`
	Truncated bool   `json:"truncated,omitempty"`
	TimedOut  bool   `json:"timedOut,omitempty"`
}

// cappedBuffer keeps the first max bytes written to it.
type cappedBuffer struct {
	buf       bytes.Buffer // not embedded: its ReadFrom would bypass the cap
	max       int
	truncated bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room < len(p) {
		b.truncated = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) String() string { return b.buf.String() }

// RunScript verifies s's hash, writes it to a private temporary file and runs it (with
// /bin/sh unless it starts with #!) until it ends or its timeout passes. A script that
// runs and exits non-zero is a result, not an error; an error means it could not run.
func (d *Device) RunScript(ctx context.Context, s Script) (ScriptResult, error) {
	sum := sha256.Sum256([]byte(s.Body))
	if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, s.SHA256) {
		return ScriptResult{}, fmt.Errorf("script %q: body has SHA-256 %s, not the %q the server sent; not run", s.Name, got, s.SHA256)
	}
	dir, err := os.MkdirTemp("", "vigil-script-")
	if err != nil {
		return ScriptResult{}, fmt.Errorf("script %q: %w", s.Name, err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := filepath.Join(dir, "script")
	if err := os.WriteFile(path, []byte(s.Body), 0o700); err != nil { //nolint:gosec // the script is run, so it must be executable; only root can read it
		return ScriptResult{}, fmt.Errorf("script %q: %w", s.Name, err)
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultScriptTimeout
	}
	// The command's deadline (the server's wait) may come before the script's own timeout.
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append([]string{path}, s.Args...)
	if !strings.HasPrefix(s.Body, "#!") {
		args = append([]string{"/bin/sh"}, args...)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...) //nolint:gosec // running the library script the server sent (its hash checked) is the action
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	stdout, stderr := &cappedBuffer{max: MaxScriptOutput}, &cappedBuffer{max: MaxScriptOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	res := ScriptResult{Stdout: stdout.String(), Stderr: stderr.String(), Truncated: stdout.truncated || stderr.truncated,
		TimedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
	var exit *exec.ExitError
	switch {
	case res.TimedOut:
		res.ExitCode = -1
		return res, fmt.Errorf("script %q: timed out after %s (its timeout: %s)", s.Name, time.Since(start).Round(100*time.Millisecond), timeout)
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitCode()
	case err != nil:
		return res, fmt.Errorf("script %q: %w", s.Name, err)
	}
	return res, nil
}
