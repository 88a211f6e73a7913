package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// dataLock is an exclusive lock on a data directory, so that two servers never share one.
type dataLock struct {
	fl   *flock.Flock
	path string
}

// ErrDataDirInUse is a data directory locked by another running server.
var ErrDataDirInUse = errors.New("data directory in use")

func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, "vigil.lock")
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		who := "another process"
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				who = fmt.Sprintf("another Vigil server (pid %d)", pid)
			}
		}
		return nil, fmt.Errorf("%w: %s is used by %s; stop it, or give this one another --data directory", ErrDataDirInUse, dir, who)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		_ = fl.Unlock()
		return nil, err
	}
	return &dataLock{fl: fl, path: path}, nil
}

func (l *dataLock) release() error {
	return l.fl.Unlock()
}
