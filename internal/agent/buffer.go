package agent

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Buffer defaults.
const (
	DefaultBufferBytes  = 256 << 20 // all segments together
	DefaultSegmentBytes = 1 << 20
)

// Buffer is the agent's on-disk telemetry buffer: rows are appended to the newest segment
// file (seg-<n>.ndjson in Dir); the sender takes the oldest closed segment and deletes it
// only once the server has acknowledged its rows. When the segments pass MaxBytes the
// oldest is deleted unsent and its rows are counted as dropped. It survives restarts. Its
// methods are safe for concurrent use.
type Buffer struct {
	Dir          string
	MaxBytes     int64 // default DefaultBufferBytes
	SegmentBytes int64 // default DefaultSegmentBytes

	mu      sync.Mutex
	cur     *os.File
	curN    int
	curSize int64
	dropped int64
}

type bufferedRow struct {
	Table string `json:"t"`
	Row   Row    `json:"r"`
}

func (b *Buffer) segPath(n int) string {
	return filepath.Join(b.Dir, fmt.Sprintf("seg-%010d.ndjson", n))
}

// segments returns the segment numbers on disk, oldest first.
func (b *Buffer) segments() ([]int, error) {
	ents, err := os.ReadDir(b.Dir)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		s, ok := strings.CutPrefix(e.Name(), "seg-")
		if s, ok2 := strings.CutSuffix(s, ".ndjson"); ok && ok2 {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// Append writes a row to the newest segment.
func (b *Buffer) Append(table string, r Row) error {
	line, err := json.Marshal(bufferedRow{table, r})
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur == nil {
		if err := b.open(); err != nil {
			return err
		}
	}
	if _, err := b.cur.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("telemetry buffer: %w", err)
	}
	b.curSize += int64(len(line) + 1)
	limit := b.SegmentBytes
	if limit <= 0 {
		limit = DefaultSegmentBytes
	}
	if b.curSize >= limit {
		b.closeCur()
	}
	return nil
}

// open starts a new segment after the newest on disk, first dropping the oldest segments
// while the buffer is over its size.
func (b *Buffer) open() error {
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return fmt.Errorf("telemetry buffer: %w", err)
	}
	segs, err := b.segments()
	if err != nil {
		return err
	}
	b.enforceMax(segs)
	next := 1
	if len(segs) > 0 {
		next = segs[len(segs)-1] + 1
	}
	f, err := os.OpenFile(b.segPath(next), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("telemetry buffer: %w", err)
	}
	b.cur, b.curN, b.curSize = f, next, 0
	return nil
}

func (b *Buffer) enforceMax(segs []int) {
	limit := b.MaxBytes
	if limit <= 0 {
		limit = DefaultBufferBytes
	}
	var total int64
	sizes := make([]int64, len(segs))
	for i, n := range segs {
		if fi, err := os.Stat(b.segPath(n)); err == nil {
			sizes[i] = fi.Size()
			total += fi.Size()
		}
	}
	for i := 0; i < len(segs) && total > limit; i++ {
		rows, _ := b.readSegment(segs[i])
		b.dropped += int64(len(rows))
		_ = os.Remove(b.segPath(segs[i]))
		total -= sizes[i]
	}
}

func (b *Buffer) closeCur() {
	if b.cur != nil {
		_ = b.cur.Close()
		b.cur = nil
	}
}

func (b *Buffer) readSegment(n int) ([]bufferedRow, error) {
	f, err := os.Open(b.segPath(n))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []bufferedRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for sc.Scan() {
		var r bufferedRow
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Table != "" {
			out = append(out, r) // a torn last line (a crash mid-write) is skipped
		}
	}
	return out, sc.Err()
}

// Oldest closes the current segment when no closed one is waiting, and returns the oldest
// segment's number and rows; ok is false when the buffer is empty.
func (b *Buffer) Oldest() (n int, rows []bufferedRow, ok bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	segs, err := b.segments()
	if err != nil || len(segs) == 0 {
		return 0, nil, false, err
	}
	if segs[0] == b.curN && b.cur != nil {
		if b.curSize == 0 {
			return 0, nil, false, nil
		}
		b.closeCur()
	}
	rows, err = b.readSegment(segs[0])
	return segs[0], rows, true, err
}

// Done deletes segment n once its rows are acknowledged.
func (b *Buffer) Done(n int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return os.Remove(b.segPath(n))
}

// TakeDropped returns and resets how many rows were dropped unsent.
func (b *Buffer) TakeDropped() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.dropped
	b.dropped = 0
	return d
}
