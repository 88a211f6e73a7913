package fleet

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/respond"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

var (
	hashA = strings.Repeat("a1", 32)
	hashB = strings.Repeat("b2", 32)
)

// events is a DuckDB event store with the indicator table; it takes rows as the ingest
// path's writer would, one store batch per call.
type events struct {
	reg *schema.Registry
	st  *duckdb.Store
	mu  sync.Mutex
	seq uint64
}

func newEvents(t *testing.T) *events {
	t.Helper()
	ctx := context.Background()
	st, err := duckdb.Open(ctx, filepath.Join(t.TempDir(), "ev.duckdb"), duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reg := schema.NewRegistry()
	tab, _ := reg.Table("ThreatIntelligenceIndicator")
	if err := st.EnsureTables(ctx, []*schema.Table{tab}); err != nil {
		t.Fatal(err)
	}
	return &events{reg: reg, st: st}
}

// IngestRows implements respond.RowIngester by writing to the store at once.
func (e *events) IngestRows(ctx context.Context, tenant, _ string, t *schema.Table, rows [][]schema.Value, _ []ingest.RowError) (*ingest.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	cols := make([]int, len(t.Columns))
	for i := range cols {
		cols[i] = i
	}
	b := store.Batch{Seq: e.seq, Tenant: tenant, Table: t, IngestTime: time.Now().UTC(), Columns: cols, Rows: rows}
	if err := e.st.Write(ctx, "test", e.seq, []store.Batch{b}); err != nil {
		return nil, err
	}
	return &ingest.Result{Accepted: len(rows)}, nil
}

// put writes one indicator row of tenant with the given columns.
func (e *events) put(t *testing.T, tenant string, cols map[string]any) {
	t.Helper()
	tab, _ := e.reg.Table("ThreatIntelligenceIndicator")
	row := make([]schema.Value, len(tab.Columns))
	for name, v := range cols {
		i, ok := tab.Column(name)
		if !ok {
			t.Fatalf("no column %s", name)
		}
		row[i] = v
	}
	if _, err := e.IngestRows(context.Background(), tenant, "test", tab, [][]schema.Value{row}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestParseValue(t *testing.T) {
	for _, c := range []struct {
		in, kind, value, err string
	}{
		{strings.ToUpper(hashA), "sha256", hashA, ""},
		{strings.Repeat("c3", 20), "sha1", strings.Repeat("c3", 20), ""},
		{strings.Repeat("d4", 16), "md5", strings.Repeat("d4", 16), ""},
		{" 198.51.100.7 ", "ip", "198.51.100.7", ""},
		{"::ffff:198.51.100.7", "ip", "198.51.100.7", ""},
		{"2001:db8::1", "ip", "2001:db8::1", ""},
		{"https://evil.example/payload.bin", "url", "https://evil.example/payload.bin", ""},
		{"Evil.Example.", "domain", "evil.example", ""},
		{"http://", "", "", `indicator "http://": not a URL with a scheme and a host`},
		{"evil", "", "", `indicator "evil" is not a file hash (SHA-256, SHA-1 or MD5), an IP address, a URL or a domain name`},
		{strings.Repeat("z", 64), "", "", "is not a file hash"},
		{"10.0.0.0/8", "", "", "is not a file hash"},
	} {
		kind, v, err := ParseValue(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseValue(%q) = %s %s %v, want error %q", c.in, kind, v, err, c.err)
			}
			continue
		}
		if err != nil || string(kind) != c.kind || v != c.value {
			t.Errorf("ParseValue(%q) = %s %s %v, want %s %s", c.in, kind, v, err, c.kind, c.value)
		}
	}
}

// TestListBlocked reads the block list of two tenants: only each tenant's active,
// unexpired indicators whose latest row blocks, never the other tenant's.
func TestListBlocked(t *testing.T) {
	ev := newEvents(t)
	now := time.Now().UTC()
	old, later := now.Add(-time.Hour), now.Add(-time.Minute)
	ev.put(t, "t1", map[string]any{"TimeGenerated": old, "IndicatorId": "blk-hash", "Action": "block", "Active": true,
		"FileHashType": "SHA256", "FileHashValue": strings.ToUpper(hashA), "Description": "dropper"})
	ev.put(t, "t1", map[string]any{"TimeGenerated": old, "IndicatorId": "feed-ip", "Action": "Block", "Active": true,
		"NetworkIP": "203.0.113.9", "IndicatorProvider": "feed"})
	ev.put(t, "t1", map[string]any{"TimeGenerated": old, "IndicatorId": "alert-only", "Action": "alert", "Active": true, "NetworkIP": "203.0.113.10"})
	ev.put(t, "t1", map[string]any{"TimeGenerated": old, "IndicatorId": "lifted", "Action": "block", "Active": true, "DomainName": "lifted.example"})
	ev.put(t, "t1", map[string]any{"TimeGenerated": later, "IndicatorId": "lifted", "Action": "block", "Active": false, "DomainName": "lifted.example"})
	ev.put(t, "t1", map[string]any{"TimeGenerated": old, "IndicatorId": "expired", "Action": "block", "Active": true,
		"Url": "http://gone.example/x", "ExpirationDateTime": now.Add(-time.Minute)})
	ev.put(t, "t1", map[string]any{"TimeGenerated": old, "IndicatorId": "cidr", "Action": "block", "Active": true, "NetworkIP": "10.0.0.0/8"})
	ev.put(t, "t2", map[string]any{"TimeGenerated": later, "IndicatorId": "other-tenant", "Action": "block", "Active": true,
		"FileHashType": "SHA256", "FileHashValue": hashB})
	l := List{Registry: ev.reg, Store: ev.st}
	for tenant, want := range map[string]string{
		"t1": "blk-hash sha256 " + hashA + " ; feed-ip ip 203.0.113.9 feed", // same time: by id
		"t2": "other-tenant sha256 " + hashB + " ",
		"t3": "",
	} {
		ins, truncated, err := l.Blocked(context.Background(), tenant)
		if err != nil || truncated {
			t.Fatalf("%s: %v truncated=%v", tenant, err, truncated)
		}
		var got []string
		for _, in := range ins {
			got = append(got, strings.Join([]string{in.ID, string(in.Kind), in.Value, in.Source}, " "))
		}
		if g := strings.Join(got, "; "); g != want {
			t.Errorf("block list of %s:\n got %s\nwant %s", tenant, g, want)
		}
	}
}

// notified records the tenants whose agents were told.
type notified struct {
	mu      sync.Mutex
	tenants []string
}

func (n *notified) NotifyAgents(_ context.Context, tenant string) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tenants = append(n.tenants, tenant)
	return 3, nil
}

// TestResponder blocks and unblocks indicators fleet-wide: the undo of a block lifts that
// block's indicator only, an unblock of its own every indicator blocking the value.
func TestResponder(t *testing.T) {
	ev := newEvents(t)
	n := &notified{}
	r := &Responder{List: List{Registry: ev.reg, Store: ev.st}, Ingest: ev, Notify: n, Visible: 5 * time.Second}
	ctx := context.Background()
	exec := func(a respond.Action) respond.Result {
		t.Helper()
		a.Tenant, a.Requester = "t1", respond.Requester{Type: respond.ByUser, Name: "ana"}
		if !r.Supports(a.Type) || !r.SupportsAction(ctx, a) {
			t.Fatalf("the fleet responder does not take %+v", a)
		}
		res, err := r.Execute(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", a.Type, err)
		}
		return res
	}
	blocked := func() string {
		ins, _, err := r.List.Blocked(ctx, "t1")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, in := range ins {
			out = append(out, in.ID+"="+in.Value)
		}
		return strings.Join(out, " ")
	}

	res := exec(respond.Action{ID: "a1", Type: respond.BlockIndicator, Target: respond.Target{Indicator: strings.ToUpper(hashA)}, Reason: "dropper"})
	if !strings.Contains(res.Detail, "added to the fleet block list as indicator vigil-block-a1; 3 agent(s) told to sync") || res.Data["agentsNotified"] != 3 {
		t.Errorf("block: %+v", res)
	}
	if got := blocked(); got != "vigil-block-a1="+hashA {
		t.Errorf("after block: %s", got)
	}
	exec(respond.Action{ID: "a2", Type: respond.BlockIndicator, Target: respond.Target{Indicator: hashA}})
	res = exec(respond.Action{ID: "u1", UndoOf: "a1", Type: respond.UnblockIndicator, Target: respond.Target{Indicator: hashA}})
	if got := blocked(); got != "vigil-block-a2="+hashA || !strings.Contains(res.Detail, "it stays blocked by indicator vigil-block-a2") {
		t.Errorf("after the undo of a1: %s; %s", got, res.Detail)
	}
	exec(respond.Action{ID: "a3", Type: respond.BlockIndicator, Target: respond.Target{Indicator: "198.51.100.7"}})
	res = exec(respond.Action{ID: "u2", Type: respond.UnblockIndicator, Target: respond.Target{Indicator: hashA}})
	if got := blocked(); got != "vigil-block-a3=198.51.100.7" {
		t.Errorf("after unblocking the hash: %s (%s)", got, res.Detail)
	}
	res = exec(respond.Action{ID: "u3", Type: respond.UnblockIndicator, Target: respond.Target{Indicator: hashB}})
	if !strings.Contains(res.Detail, "not on the fleet block list") {
		t.Errorf("unblock of what is not blocked: %s", res.Detail)
	}
	if got := strings.Join(n.tenants, ","); got != "t1,t1,t1,t1,t1" {
		t.Errorf("agents told for %s, want t1 once per change", got)
	}

	if r.SupportsAction(ctx, respond.Action{Type: respond.BlockIndicator, Target: respond.Target{Device: "web1", Indicator: hashA}}) {
		t.Error("the fleet responder takes an action on one device")
	}
	if _, err := r.Execute(ctx, respond.Action{Tenant: "t1", ID: "bad", Type: respond.BlockIndicator, Target: respond.Target{Indicator: "not an indicator"}}); err == nil ||
		!strings.Contains(err.Error(), "is not a file hash") {
		t.Errorf("bad indicator: %v", err)
	}
}
