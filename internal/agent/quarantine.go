package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Quarantine is a root-only store of quarantined files: Dir (mode 0700) holds each file as
// <sha256> (mode 0600, never executable) with a <sha256>.json sidecar saying where it came
// from.
type Quarantine struct {
	Dir string
}

// QuarantineEntry is a quarantined file's sidecar.
type QuarantineEntry struct {
	SHA256       string      `json:"sha256"`
	OriginalPath string      `json:"originalPath"`
	Mode         os.FileMode `json:"mode"`
	UID          int         `json:"uid"`
	GID          int         `json:"gid"`
	Size         int64       `json:"size"`
	Time         time.Time   `json:"quarantinedAt"`
}

// ErrNotQuarantined is returned when restoring a hash the quarantine does not hold.
var ErrNotQuarantined = errors.New("file is not in quarantine")

func (q Quarantine) ensure() error {
	if err := os.MkdirAll(q.Dir, 0o700); err != nil {
		return fmt.Errorf("quarantine directory: %w", err)
	}
	return os.Chmod(q.Dir, 0o700) //nolint:gosec // a directory needs its execute bit; 0700 is root alone
}

// Path returns where the file with hash sha is kept.
func (q Quarantine) Path(sha string) string { return filepath.Join(q.Dir, sha) }

// Put moves the file at path, whose SHA-256 is sha, into the quarantine.
func (q Quarantine) Put(path, sha string) (QuarantineEntry, error) {
	if err := q.ensure(); err != nil {
		return QuarantineEntry{}, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return QuarantineEntry{}, fmt.Errorf("quarantine %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return QuarantineEntry{}, fmt.Errorf("quarantine %s: not a regular file", path)
	}
	e := QuarantineEntry{SHA256: sha, OriginalPath: path, Mode: fi.Mode().Perm(), Size: fi.Size(), Time: time.Now().UTC()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.UID, e.GID = int(st.Uid), int(st.Gid)
	}
	dst := q.Path(sha)
	if err := moveFile(path, dst); err != nil {
		return QuarantineEntry{}, fmt.Errorf("quarantine %s: %w", path, err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return e, fmt.Errorf("quarantine %s: %w", path, err)
	}
	if err := os.Chown(dst, 0, 0); err != nil && os.Geteuid() == 0 {
		return e, fmt.Errorf("quarantine %s: %w", path, err)
	}
	b, _ := json.MarshalIndent(e, "", "  ")
	if err := os.WriteFile(dst+".json", b, 0o600); err != nil {
		return e, fmt.Errorf("quarantine sidecar: %w", err)
	}
	return e, nil
}

// Entry returns the sidecar of the quarantined file with hash sha.
func (q Quarantine) Entry(sha string) (QuarantineEntry, error) {
	var e QuarantineEntry
	b, err := os.ReadFile(q.Path(sha) + ".json")
	if errors.Is(err, os.ErrNotExist) {
		return e, fmt.Errorf("%w: %s", ErrNotQuarantined, sha)
	}
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("quarantine sidecar %s: %w", sha, err)
	}
	return e, nil
}

// Restore puts the quarantined file with hash sha back where it was, with its mode and
// owner, and returns its sidecar.
func (q Quarantine) Restore(sha string) (QuarantineEntry, error) {
	e, err := q.Entry(sha)
	if err != nil {
		return e, err
	}
	if _, err := os.Lstat(e.OriginalPath); err == nil {
		return e, fmt.Errorf("restore %s: a file exists at %s", sha, e.OriginalPath)
	}
	if err := moveFile(q.Path(sha), e.OriginalPath); err != nil {
		return e, fmt.Errorf("restore %s: %w", sha, err)
	}
	if err := os.Chown(e.OriginalPath, e.UID, e.GID); err != nil && os.Geteuid() == 0 {
		return e, fmt.Errorf("restore %s: %w", sha, err)
	}
	if err := os.Chmod(e.OriginalPath, e.Mode); err != nil {
		return e, fmt.Errorf("restore %s: %w", sha, err)
	}
	return e, os.Remove(q.Path(sha) + ".json")
}

// moveFile renames src to dst, copying across file systems. The copy is made without
// any permission for others and its execute bits are never set here.
func moveFile(src, dst string) error {
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		_ = os.Remove(dst) // the partial copy; the original is still in place
		return err
	}
	if err := out.Close(); err != nil {
		_ = os.Remove(dst)
		return err
	}
	return os.Remove(src)
}

// HashFile returns the SHA-256 of the file at path, in lowercase hex.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// validHash reports whether s is a SHA-256 in hex.
func validHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Process is a running process.
type Process struct {
	PID  int
	Exe  string // the executable's path, " (deleted)" trimmed
	Name string
}

// Processes lists the processes under procDir (normally /proc) whose executable can be
// read.
func Processes(procDir string) ([]Process, error) {
	ents, err := os.ReadDir(procDir)
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var out []Process
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join(procDir, e.Name(), "exe"))
		if err != nil {
			continue // kernel thread, or gone
		}
		comm, _ := os.ReadFile(filepath.Join(procDir, e.Name(), "comm"))
		out = append(out, Process{PID: pid, Exe: strings.TrimSuffix(exe, " (deleted)"), Name: strings.TrimSpace(string(comm))})
	}
	return out, nil
}
