package syslog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsec/vigil/internal/bus"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// fakeIngest records what the receiver publishes; it fails the first failures calls.
type fakeIngest struct {
	mu       sync.Mutex
	failures int
	calls    int
	rows     map[string][][]schema.Value
	rejects  map[string][]ingest.RowError
}

func (f *fakeIngest) IngestRows(_ context.Context, tenant, source string, t *schema.Table, rows [][]schema.Value, rejects []ingest.RowError) (*ingest.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failures > 0 {
		f.failures--
		return nil, fmt.Errorf("publish: %w", bus.ErrFull)
	}
	if tenant != "t1" || source != "syslog" {
		return nil, fmt.Errorf("tenant %q source %q", tenant, source)
	}
	f.rows[t.Name] = append(f.rows[t.Name], rows...)
	f.rejects[t.Name] = append(f.rejects[t.Name], rejects...)
	return &ingest.Result{Accepted: len(rows), Rejected: len(rejects)}, nil
}

func (f *fakeIngest) count() (rows, rejects int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rows {
		rows += len(r)
	}
	for _, r := range f.rejects {
		rejects += len(r)
	}
	return rows, rejects
}

type harness struct {
	r    *Receiver
	f    *fakeIngest
	reg  *prometheus.Registry
	stop func()
}

func start(t *testing.T, cfg Config, failures int) *harness {
	t.Helper()
	h := &harness{f: &fakeIngest{failures: failures, rows: map[string][][]schema.Value{}, rejects: map[string][]ingest.RowError{}}, reg: prometheus.NewRegistry()}
	cfg.UDP, cfg.TCP, cfg.Tenant, cfg.Metrics = "127.0.0.1:0", "127.0.0.1:0", "t1", h.reg
	r, err := newReceiver(cfg, h.f, schema.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h.r = r
	runHarness(t, h)
	return h
}

// runHarness runs h.r until the test ends or h.stop is called.
func runHarness(t *testing.T, h *harness) {
	t.Helper()
	r := h.r
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
}

func (h *harness) waitFor(t *testing.T, rows, rejects int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if r, j := h.f.count(); r >= rows && j >= rejects {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r, j := h.f.count()
	t.Fatalf("got %d rows and %d rejects, want %d and %d", r, j, rows, rejects)
}

func send(t *testing.T, network, addr, data string) {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, data); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func octets(msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "%d %s", len(m), m)
	}
	return b.String()
}

func TestFramingAndTables(t *testing.T) {
	h := start(t, Config{BatchWait: 10 * time.Millisecond, MaxMessageBytes: 512}, 0)
	a := h.r.Addr()
	send(t, "tcp", a.TCP, octets("<38>Mar  9 22:14:15 web01 sshd[4123]: Failed password\nfor root", "CEF:0|V|P|1|s|n|3|src=10.0.0.1"))
	send(t, "tcp", a.TCP, "<13>Mar 10 08:00:00 h app: line one\r\n\n<13>Mar 10 08:00:01 h app: line two\nLEEF:1.0|V|P|1|e|src=10.0.0.2\nno pri here")
	send(t, "udp", a.UDP, "<14>1 2024-03-10T10:00:00Z h app 1 - - over udp\n")
	send(t, "tcp", a.TCP, "<13>"+strings.Repeat("x", 600)+"\n<13>Mar 10 08:00:02 h app: after the long line\n")
	send(t, "tcp", a.TCP, octets("<13>"+strings.Repeat("y", 700), "<13>Mar 10 08:00:03 h app: after the long frame"))
	send(t, "tcp", a.TCP, "12x bad frame")
	h.waitFor(t, 8, 4)
	h.stop()
	f := h.f
	if len(f.rows["Syslog"]) != 6 || len(f.rows["CommonSecurityLog"]) != 2 {
		t.Errorf("Syslog %d rows, CommonSecurityLog %d rows; want 6 and 2", len(f.rows["Syslog"]), len(f.rows["CommonSecurityLog"]))
	}
	reasons := map[string]int{}
	for _, r := range f.rejects["Syslog"] {
		reasons[r.Reason]++
		if len(r.Raw) == 0 {
			t.Errorf("reject %q without raw bytes", r.Reason)
		}
	}
	want := map[string]int{
		"syslog: offset 0: missing <PRI> at the start of the message":                   1,
		"syslog: offset 0: message exceeds maxMessageBytes 512 (kept cut)":              1,
		"syslog: offset 0: message of 704 bytes exceeds maxMessageBytes 512 (kept cut)": 1,
		"syslog: offset 0: invalid octet-counting frame: " + errBadLength.Error():       1,
	}
	for k, v := range want {
		if reasons[k] != v {
			t.Errorf("reject %q: %d, want %d (all: %v)", k, reasons[k], v, reasons)
		}
	}
	for _, c := range []struct {
		name, protocol string
		want           float64
	}{
		{"vigil_ingest_receiver_messages_total", "udp", 1},
		{"vigil_ingest_receiver_messages_total", "tcp", 11},
		{"vigil_ingest_receiver_parse_errors_total", "tcp", 4},
		{"vigil_ingest_receiver_rejected_rows_total", "tcp", 4},
		{"vigil_ingest_receiver_bytes_total", "udp", 48},
		{"vigil_ingest_receiver_connections", "tcp", 0},
	} {
		if got := gathered(t, h.reg, c.name, "syslog", c.protocol); got != c.want {
			t.Errorf("%s{protocol=%q} = %v, want %v", c.name, c.protocol, got, c.want)
		}
	}
}

// TestBackpressure: while the bus refuses batches the receiver retries them, and nothing is
// lost once it accepts again.
func TestBackpressure(t *testing.T) {
	h := start(t, Config{BatchSize: 5, BatchWait: 5 * time.Millisecond}, 3)
	var msgs []string
	for i := range 50 {
		msgs = append(msgs, fmt.Sprintf("<13>Mar 10 08:00:00 h app: message %d", i))
	}
	send(t, "tcp", h.r.Addr().TCP, octets(msgs...))
	h.waitFor(t, 50, 0)
	if got := counterValue(t, h.r.m.retries); got != 3 {
		t.Errorf("retries = %v, want 3", got)
	}
	if got := gathered(t, h.reg, "vigil_ingest_receiver_backpressure_total", "syslog", "tcp"); got < 1 {
		t.Errorf("tcp read pauses = %v, want at least 1 while the bus refused batches", got)
	}
	msgCol, _ := h.r.parser.SyslogTable().Column("SyslogMessage")
	for i, r := range h.f.rows["Syslog"] {
		if want := fmt.Sprintf("message %d", i); r[msgCol] != want {
			t.Fatalf("row %d holds %q, want %q: a connection's order is kept", i, r[msgCol], want)
		}
	}
}

// TestShutdownFlushes: a batch still waiting is published when the context ends.
func TestShutdownFlushes(t *testing.T) {
	h := start(t, Config{BatchWait: time.Hour}, 0)
	send(t, "tcp", h.r.Addr().TCP, "<13>Mar 10 08:00:00 h app: pending\n")
	time.Sleep(100 * time.Millisecond)
	if r, _ := h.f.count(); r != 0 {
		t.Fatalf("published %d rows before the batch was due", r)
	}
	h.stop()
	if r, _ := h.f.count(); r != 1 {
		t.Fatalf("published %d rows at shutdown, want 1", r)
	}
}

func TestMaxConnections(t *testing.T) {
	h := start(t, Config{MaxConnections: 1}, 0)
	c1, err := net.Dial("tcp", h.r.Addr().TCP)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	time.Sleep(50 * time.Millisecond) // let the first connection be accepted
	c2, err := net.Dial("tcp", h.r.Addr().TCP)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_ = c2.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c2.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("second connection read: %v, want EOF (closed by the receiver)", err)
	}
	if got := counterValue(t, h.r.m.refused); got != 1 {
		t.Errorf("refused = %v, want 1", got)
	}
}

func counterValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	return d.GetCounter().GetValue()
}

// gathered returns the value of the metric called name with the receiver and protocol labels
// in reg (0 when absent).
func gathered(t *testing.T, reg *prometheus.Registry, name, receiver, protocol string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["receiver"] == receiver && labels["protocol"] == protocol {
				return m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

// tenantIngest records the tenant of every published row.
type tenantIngest struct {
	mu   sync.Mutex
	rows map[string]int // by tenant
}

func (f *tenantIngest) IngestRows(_ context.Context, tenant, _ string, _ *schema.Table, rows [][]schema.Value, rejects []ingest.RowError) (*ingest.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rows[tenant] += len(rows) + len(rejects)
	return &ingest.Result{Accepted: len(rows), Rejected: len(rejects)}, nil
}

// TestListenerTenants: each listener stores its messages for its own tenant (an MSSP gives
// every customer a port).
func TestListenerTenants(t *testing.T) {
	f := &tenantIngest{rows: map[string]int{}}
	r, err := newReceiver(Config{TCP: "127.0.0.1:0", Tenant: "main", BatchWait: 5 * time.Millisecond, Listeners: []Listener{
		{UDP: "127.0.0.1:0", TCP: "127.0.0.1:0", Tenant: "acme"},
		{TCP: "127.0.0.1:0", Tenant: "globex"},
	}}, f, schema.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	runHarness(t, &harness{r: r})
	a := r.Addrs()
	if len(a) != 3 || a[0].Tenant != "main" || a[1].Tenant != "acme" || a[2].Tenant != "globex" || r.Addr() != a[0] {
		t.Fatalf("addrs %+v", a)
	}
	msg := "<13>Mar 10 08:00:00 h app: m\n"
	send(t, "tcp", a[0].TCP, msg)
	send(t, "tcp", a[1].TCP, msg+msg)
	send(t, "udp", a[1].UDP, msg)
	send(t, "tcp", a[2].TCP, msg+msg+msg+msg)
	want := map[string]int{"main": 1, "acme": 3, "globex": 4}
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		got := fmt.Sprint(f.rows)
		f.mu.Unlock()
		if got == fmt.Sprint(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("rows by tenant %s, want %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestListenerErrors(t *testing.T) {
	for _, tt := range []struct {
		cfg Config
		err string
	}{
		{Config{}, "syslog receiver: no udp, tcp or tls address"},
		{Config{Listeners: []Listener{{Tenant: "a"}}}, `syslog receiver: listener for tenant "a" has no udp, tcp or tls address`},
		{Config{Listeners: []Listener{{TCP: "127.0.0.1:0"}}}, "syslog receiver: listener without a tenant"},
		{Config{TLS: "127.0.0.1:0", Tenant: "a"}, "syslog receiver: tls address without a TLS configuration"},
		// The first listener is open when the second fails: it is closed again.
		{Config{TCP: "127.0.0.1:0", Tenant: "a", Listeners: []Listener{{TCP: "127.0.0.1:99999", Tenant: "b"}}}, "syslog tcp: "},
	} {
		_, err := newReceiver(tt.cfg, &tenantIngest{}, schema.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%+v: %v, want %s", tt.cfg, err, tt.err)
		}
	}
}
