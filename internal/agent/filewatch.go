package agent

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DefaultWatchPaths are the trees watched for file events when none are configured: where
// configuration, programs and persistence live, and the world-writable places malware is
// dropped into. Home directories and /var are left out: they change all the time.
var DefaultWatchPaths = []string{
	"/etc", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/root/.ssh", "/tmp", "/var/tmp", "/dev/shm",
}

// Defaults of the file watcher.
const (
	// DefaultMaxWatches bounds the directories watched (each is one inotify watch).
	DefaultMaxWatches = 8192
	// DefaultMaxHashSize is the largest file hashed; larger files are reported unhashed.
	DefaultMaxHashSize = 64 << 20
	// fileSettle is how long a modified file is left alone before it is reported, so that
	// a burst of writes becomes one FileModified row, and how long a created file may stay
	// open for writing before it is reported anyway.
	fileSettle = time.Second
	// moveWait is how long a move out of a watched directory waits for its other half.
	moveWait = 500 * time.Millisecond
)

const inotifyMask = unix.IN_CREATE | unix.IN_CLOSE_WRITE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_DELETE_SELF | unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW | unix.IN_EXCL_UNLINK

// FileWatcher reports changes to files under watched directory trees as DeviceFileEvents
// rows, from inotify: FileCreated, FileModified (once per burst of writes), FileRenamed
// (with the previous name when both ends of the move are watched) and FileDeleted. Created
// and modified regular files are hashed. inotify does not say which process made a change,
// so the InitiatingProcess* columns stay empty. Directories created later are watched as
// they appear; files created in a new directory before its watch is in place are reported
// by a scan of the directory.
type FileWatcher struct {
	// Paths are the directory trees to watch (default DefaultWatchPaths); missing ones are
	// skipped.
	Paths []string
	// Exclude are trees not watched even under a watched path: the agent's own state and
	// buffer, whose writes would otherwise report themselves without end.
	Exclude []string
	// MaxWatches bounds the directories watched (default DefaultMaxWatches).
	MaxWatches int
	// MaxHashSize is the largest file hashed (default DefaultMaxHashSize).
	MaxHashSize int64
	// Hashes caches the files' SHA-256; nil hashes without a cache.
	Hashes *HashCache
	// Log receives what the watcher cannot do (a tree too large, lost events).
	Log *slog.Logger

	fd      int
	dirs    map[int]string // watch descriptor to directory
	pending map[string]*pendingFile
	moves   map[uint32]pendingMove
	emit    func(string, Row)
	full    bool // MaxWatches was reached (logged once)
	ready   chan struct{}
	once    sync.Once
}

type pendingFile struct {
	action string // FileCreated or FileModified
	due    time.Time
}

type pendingMove struct {
	path  string
	isDir bool
	at    time.Time
}

// Ready is closed once every watch of the configured paths is in place, so that a caller
// (a test) knows later changes will be seen.
func (w *FileWatcher) Ready() <-chan struct{} {
	w.once.Do(func() { w.ready = make(chan struct{}) })
	return w.ready
}

// Run watches until ctx ends, calling emit with each row. It fails when inotify cannot be
// used at all or no path could be watched.
func (w *FileWatcher) Run(ctx context.Context, emit func(table string, r Row)) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return fmt.Errorf("inotify: %w", err)
	}
	// A non-blocking descriptor goes through the runtime's poller, so closing the file
	// unblocks Read when ctx ends. (Fd() would make it blocking again: it is not called.)
	f := os.NewFile(uintptr(fd), "inotify")
	defer f.Close()
	w.fd, w.emit = fd, emit
	w.dirs, w.pending, w.moves = map[int]string{}, map[string]*pendingFile{}, map[uint32]pendingMove{}
	paths := w.Paths
	if paths == nil {
		paths = DefaultWatchPaths
	}
	for _, p := range paths {
		if err := w.addTree(filepath.Clean(p), false); err != nil && w.Log != nil {
			w.Log.Warn("file events: cannot watch", "path", p, "err", err)
		}
	}
	w.Ready()
	close(w.ready)
	if len(w.dirs) == 0 {
		return fmt.Errorf("file events: none of %s could be watched", strings.Join(paths, ", "))
	}
	events := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := f.Read(buf)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case events <- append([]byte(nil), buf[:n]...):
			case <-ctx.Done():
				return
			}
		}
	}()
	tick := time.NewTicker(fileSettle / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			w.flush(time.Now(), true) // what is pending goes out (into the buffer) too
			return nil
		case err := <-readErr:
			return fmt.Errorf("file events: %w", err)
		case b := <-events:
			w.handle(b, time.Now())
		case now := <-tick.C:
			w.flush(now, false)
		}
	}
}

// addTree watches dir and the directories under it. When report is set (a directory that
// just appeared), the regular files already in it are reported as created.
func (w *FileWatcher) addTree(dir string, report bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // a subdirectory vanished or is unreadable: go on with the rest
		}
		if w.excluded(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if report && d.Type().IsRegular() {
				w.pending[p] = &pendingFile{"FileCreated", time.Now()}
			}
			return nil
		}
		max := w.MaxWatches
		if max <= 0 {
			max = DefaultMaxWatches
		}
		if len(w.dirs) >= max {
			if !w.full && w.Log != nil {
				w.Log.Warn("file events: too many directories; the rest are not watched", "max", max, "at", p)
			}
			w.full = true
			return fs.SkipAll
		}
		wd, err := unix.InotifyAddWatch(w.fd, p, inotifyMask)
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		w.dirs[wd] = p
		return nil
	})
}

func (w *FileWatcher) excluded(p string) bool {
	for _, x := range w.Exclude {
		x = filepath.Clean(x)
		if p == x || strings.HasPrefix(p, x+"/") {
			return true
		}
	}
	return false
}

// handle takes one read's worth of inotify events.
func (w *FileWatcher) handle(b []byte, now time.Time) {
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0])) //nolint:gosec // the kernel's inotify_event layout; the length is checked above
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			return
		}
		name := strings.TrimRight(string(b[unix.SizeofInotifyEvent:end]), "\x00")
		b = b[end:]
		if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
			if w.Log != nil {
				w.Log.Warn("file events: the kernel's queue overflowed; some changes were not seen")
			}
			continue
		}
		dir, ok := w.dirs[int(ev.Wd)]
		if !ok {
			continue
		}
		w.event(int(ev.Wd), dir, name, ev.Mask, ev.Cookie, now)
	}
	w.flush(now, false)
}

func (w *FileWatcher) event(wd int, dir, name string, mask, cookie uint32, now time.Time) {
	path := filepath.Join(dir, name)
	if w.excluded(path) {
		return
	}
	isDir := mask&unix.IN_ISDIR != 0
	switch {
	case mask&(unix.IN_IGNORED|unix.IN_DELETE_SELF) != 0:
		// The directory itself is gone. (A directory moved keeps its watch: a move within
		// the trees renames it, a move out of them removes it, in movedTo and flush.)
		delete(w.dirs, wd)
	case mask&unix.IN_CREATE != 0 && isDir:
		_ = w.addTree(path, true)
	case mask&unix.IN_CREATE != 0:
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			w.pending[path] = &pendingFile{"FileCreated", now.Add(fileSettle)}
		} else {
			w.emitFile("FileCreated", path, nil)
		}
	case mask&unix.IN_CLOSE_WRITE != 0:
		switch p := w.pending[path]; {
		case p == nil:
			w.pending[path] = &pendingFile{"FileModified", now.Add(fileSettle)}
		case p.action == "FileCreated":
			p.due = now // written and closed: report it with its content now
		}
	case mask&unix.IN_DELETE != 0 && !isDir:
		w.deleted(path, nil)
	case mask&unix.IN_MOVED_FROM != 0:
		w.moves[cookie] = pendingMove{path, isDir, now}
	case mask&unix.IN_MOVED_TO != 0:
		w.movedTo(path, isDir, cookie)
	}
}

// deleted reports path gone; a creation not reported yet is reported first, so that a file
// dropped and removed between two reads is still seen.
func (w *FileWatcher) deleted(path string, extra map[string]any) {
	if p := w.pending[path]; p != nil {
		delete(w.pending, path)
		if p.action == "FileCreated" {
			w.emitFile("FileCreated", path, nil)
		}
	}
	w.emitFile("FileDeleted", path, extra)
}

func (w *FileWatcher) movedTo(path string, isDir bool, cookie uint32) {
	from, paired := w.moves[cookie]
	delete(w.moves, cookie)
	if isDir {
		if paired {
			w.renameDirs(from.path, path)
		} else {
			_ = w.addTree(path, true)
		}
		return
	}
	r := Row{}
	if paired {
		r["PreviousFileName"] = filepath.Base(from.path)
		r["PreviousFolderPath"] = from.path
		if p := w.pending[from.path]; p != nil {
			delete(w.pending, from.path)
			if p.action == "FileCreated" {
				w.emitFile("FileCreated", from.path, nil)
			}
		}
	}
	w.emitFileRow("FileRenamed", path, r)
}

// renameDirs moves the watches under from to their new place under to.
func (w *FileWatcher) renameDirs(from, to string) {
	for wd, d := range w.dirs {
		if d == from || strings.HasPrefix(d, from+"/") {
			w.dirs[wd] = to + strings.TrimPrefix(d, from)
		}
	}
}

// flush reports the files that have settled and the moves whose other half did not come
// (a file moved out of the watched trees is reported deleted); all settles everything.
func (w *FileWatcher) flush(now time.Time, all bool) {
	for path, p := range w.pending {
		if all || !now.Before(p.due) {
			delete(w.pending, path)
			w.emitFile(p.action, path, nil)
		}
	}
	for cookie, m := range w.moves {
		if !all && now.Sub(m.at) < moveWait {
			continue
		}
		delete(w.moves, cookie)
		if m.isDir {
			for wd, d := range w.dirs {
				if d == m.path || strings.HasPrefix(d, m.path+"/") {
					_, _ = unix.InotifyRmWatch(w.fd, uint32(wd))
					delete(w.dirs, wd)
				}
			}
			continue
		}
		w.deleted(m.path, map[string]any{"movedOutOfWatchedPaths": true})
	}
}

func (w *FileWatcher) emitFile(action, path string, extra map[string]any) {
	r := Row{}
	if extra != nil {
		r["AdditionalFields"] = extra
	}
	w.emitFileRow(action, path, r)
}

// emitFileRow completes r with the file's name, path, size and (for created, modified and
// renamed regular files) SHA-256, and emits it.
func (w *FileWatcher) emitFileRow(action, path string, r Row) {
	r["ActionType"], r["FileName"], r["FolderPath"] = action, filepath.Base(path), path
	if action != "FileDeleted" {
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			r["FileSize"] = fi.Size()
			if sha, err := w.hash(path, fi.Size()); err == nil {
				r["SHA256"] = sha
			}
		}
	}
	w.emit("DeviceFileEvents", r)
}

func (w *FileWatcher) hash(path string, size int64) (string, error) {
	max := w.MaxHashSize
	if max <= 0 {
		max = DefaultMaxHashSize
	}
	if size > max {
		return "", errors.New("too large to hash")
	}
	if w.Hashes != nil {
		return w.Hashes.Hash(path)
	}
	return HashFile(path)
}
