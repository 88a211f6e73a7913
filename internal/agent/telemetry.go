package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/version"
)

// Row is one telemetry row: column name to value, in the shape of a Defender table.
type Row map[string]any

// DefaultTelemetryQueue is how many rows wait for the server before the oldest are dropped.
const DefaultTelemetryQueue = 50000

// Telemetry sends rows to the server on the device's telemetry subjects
// (vigil.agent.<tenant>.<device>.telemetry.<table>), one JSON array per batch, and
// forgets a batch only once JetStream has acknowledged it. While the server is
// unreachable rows wait in a bounded queue (in memory); when it is full the oldest rows
// are dropped and counted, and a DeviceEvents row (ActionType AgentTelemetryDropped) says
// how many once the server is back. Its methods are safe for concurrent use.
type Telemetry struct {
	JS       jetstream.JetStream
	ID       Identity
	Device   string // the device name stamped on rows
	MaxQueue int    // default DefaultTelemetryQueue
	// Buffer, when set, keeps rows on disk instead of in memory until acknowledged.
	Buffer *Buffer

	mu      sync.Mutex
	queue   []queued
	dropped int64
	wake    chan struct{}
}

type queued struct {
	table string
	row   Row
}

// NewTelemetry returns a sender over nc for id.
func NewTelemetry(nc *nats.Conn, id Identity) (*Telemetry, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return &Telemetry{JS: js, ID: id, Device: host}, nil
}

// Add queues a row of table. A row that carries its own Timestamp (the time a logon was
// recorded, say) keeps it; others get the current time.
func (t *Telemetry) Add(table string, r Row) {
	t.stamp(table, r, time.Now())
	if t.Buffer != nil {
		if err := t.Buffer.Append(table, r); err != nil {
			t.mu.Lock()
			t.dropped++
			t.mu.Unlock()
		}
		t.signal()
		return
	}
	max := t.MaxQueue
	if max <= 0 {
		max = DefaultTelemetryQueue
	}
	t.mu.Lock()
	if len(t.queue) >= max {
		n := len(t.queue) - max + 1
		t.queue = t.queue[n:]
		t.dropped += int64(n)
	}
	t.queue = append(t.queue, queued{table, r})
	t.mu.Unlock()
	t.signal()
}

// untimedTables have no Timestamp column: their rows carry the time in TimeGenerated.
var untimedTables = map[string]bool{"DeviceTvmSoftwareInventory": true, "Syslog": true}

// stamp sets the device name and, unless the row has one, the time of r. A Syslog row has
// no DeviceName: its host is HostName and Computer.
func (t *Telemetry) stamp(table string, r Row, now time.Time) {
	if table == "Syslog" {
		r["HostName"], r["Computer"] = t.Device, t.Device
	} else {
		r["DeviceName"] = t.Device
	}
	col := "Timestamp"
	if untimedTables[table] {
		col = "TimeGenerated"
	}
	if _, ok := r[col]; !ok {
		r[col] = now.UTC().Format(time.RFC3339Nano)
	}
}

func (t *Telemetry) signal() {
	t.mu.Lock()
	if t.wake == nil {
		t.wake = make(chan struct{}, 1)
	}
	wake := t.wake
	t.mu.Unlock()
	select {
	case wake <- struct{}{}:
	default:
	}
}

// Dropped returns how many rows were dropped because the queue was full.
func (t *Telemetry) Dropped() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dropped
}

// Run sends queued rows until ctx ends, retrying with a backoff while the server does not
// acknowledge them.
func (t *Telemetry) Run(ctx context.Context) error {
	t.mu.Lock()
	if t.wake == nil {
		t.wake = make(chan struct{}, 1)
	}
	wake := t.wake
	t.mu.Unlock()
	backoff := time.Second
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
		if err := t.flush(ctx); err != nil {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, time.Minute)
			continue
		}
		backoff = time.Second
	}
}

// flush sends what is queued, table by table, removing rows only once acknowledged.
func (t *Telemetry) flush(ctx context.Context) error {
	if t.Buffer != nil {
		return t.flushBuffer(ctx)
	}
	t.mu.Lock()
	if t.dropped > 0 {
		r := droppedRow(t.dropped)
		r["DeviceName"] = t.Device
		t.queue = append(t.queue, queued{"DeviceEvents", r})
		t.dropped = 0
	}
	batch := t.queue[:min(len(t.queue), 1000)]
	t.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := t.send(ctx, batch); err != nil {
		return err
	}
	t.mu.Lock()
	// Rows only ever leave the front (sent, or dropped when full): drop what was sent and
	// is still there.
	n := min(len(batch), len(t.queue))
	t.queue = t.queue[n:]
	t.mu.Unlock()
	return nil
}

// flushBuffer sends the buffer's segments, oldest first, deleting each once acknowledged.
func (t *Telemetry) flushBuffer(ctx context.Context) error {
	t.mu.Lock()
	dropped := t.dropped
	t.dropped = 0
	t.mu.Unlock()
	if dropped += t.Buffer.TakeDropped(); dropped > 0 {
		t.Add("DeviceEvents", droppedRow(dropped))
	}
	for ctx.Err() == nil {
		n, rows, ok, err := t.Buffer.Oldest()
		if err != nil || !ok {
			return err
		}
		batch := make([]queued, len(rows))
		for i, r := range rows {
			batch[i] = queued{r.Table, r.Row}
		}
		if err := t.send(ctx, batch); err != nil {
			return err
		}
		if err := t.Buffer.Done(n); err != nil {
			return err
		}
	}
	return nil
}

func droppedRow(n int64) Row {
	return Row{"Timestamp": time.Now().UTC().Format(time.RFC3339Nano), "ActionType": "AgentTelemetryDropped",
		"AdditionalFields": map[string]any{"droppedRows": n}}
}

// send publishes batch, one message per table, each acknowledged by JetStream.
func (t *Telemetry) send(ctx context.Context, batch []queued) error {
	// Tables go out in the order their first row was queued, so a table's rows are
	// never sent after a later table's (and a retried batch repeats the same order).
	byTable := map[string][]Row{}
	var order []string
	for _, q := range batch {
		if _, seen := byTable[q.table]; !seen {
			order = append(order, q.table)
		}
		byTable[q.table] = append(byTable[q.table], q.row)
	}
	for _, table := range order {
		rows := byTable[table]
		subj, err := bus.AgentSubject(t.ID.Tenant, t.ID.DeviceID, "telemetry."+table)
		if err != nil {
			return err
		}
		b, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err = t.JS.Publish(pctx, subj, b)
		cancel()
		if err != nil {
			return fmt.Errorf("send %s telemetry: %w", table, err)
		}
	}
	return nil
}

// ProcessRow is the DeviceProcessEvents row of a process that just started: its
// executable, command line, user and SHA-256, and its parent as the initiating process.
func (d *Device) ProcessRow(pid int) (Row, string, bool) {
	dir := filepath.Join(d.procDir(), strconv.Itoa(pid))
	exe, err := os.Readlink(filepath.Join(dir, "exe"))
	if err != nil {
		return nil, "", false // gone already, or a kernel thread
	}
	exe = strings.TrimSuffix(exe, " (deleted)")
	info := readProcInfo(d.procDir(), pid)
	sha, _ := d.hashes.Hash(filepath.Join(dir, "exe"))
	r := Row{"ActionType": "ProcessCreated", "FileName": filepath.Base(exe), "FolderPath": exe, "SHA256": sha,
		"ProcessId": pid, "ProcessCommandLine": info.cmdline, "AccountName": userName(info.uid),
		"InitiatingProcessId": info.ppid}
	if info.ppid > 0 {
		parent := readProcInfo(d.procDir(), info.ppid)
		r["InitiatingProcessFileName"] = parent.name
		r["InitiatingProcessCommandLine"] = parent.cmdline
		r["InitiatingProcessAccountName"] = userName(parent.uid)
		if pexe, err := os.Readlink(filepath.Join(d.procDir(), strconv.Itoa(info.ppid), "exe")); err == nil {
			r["InitiatingProcessFolderPath"] = pexe
			r["InitiatingProcessFileName"] = filepath.Base(pexe)
		}
	}
	return r, sha, true
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

// DeviceInfoRow is the DeviceInfo heartbeat row.
func DeviceInfoRow() Row {
	r := Row{"OSPlatform": "Linux", "OSArchitecture": runtime.GOARCH, "ClientVersion": version.Version,
		"OnboardingStatus": "Onboarded", "SensorHealthState": "Active", "DeviceType": "Server"}
	if f, err := os.Open("/etc/os-release"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), "=")
			v = strings.Trim(v, `"`)
			switch k {
			case "ID":
				r["OSDistribution"] = v
			case "VERSION_ID":
				r["OSVersion"] = v
			}
		}
	}
	// OSBuild is Windows' build number (a long); the Linux kernel release goes to
	// OSVersionInfo instead.
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		r["OSVersionInfo"] = "kernel " + strings.TrimSpace(string(b))
	}
	return r
}
