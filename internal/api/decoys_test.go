package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// Keys of the detection API tests: principals of tenants t1 and t2. (Permissions are
// checked by authorize for every route alike; authz_test covers the table.)
const (
	detKeyT1 = "vgl_det_t1"
	detKeyT2 = "vgl_det_t2"
)

// batchPub keeps the ingest batches published, decoded.
type batchPub struct {
	mu      sync.Mutex
	batches []*ingest.Batch
}

func (p *batchPub) Publish(_ context.Context, _ string, msgs [][]byte) ([]uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range msgs {
		b, err := ingest.DecodeBatch(m)
		if err != nil {
			return nil, err
		}
		p.batches = append(p.batches, b)
	}
	return make([]uint64, len(msgs)), nil
}

// rows returns the rows published for table in tenant, as column name -> value.
func (p *batchPub) rows(tenant, table string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, b := range p.batches {
		if b.Table != table || b.Tenant != tenant {
			continue
		}
		for _, r := range b.Rows {
			m := map[string]any{}
			for i, c := range b.Columns {
				if r[i] != nil {
					m[c.Name] = r[i]
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// newDetectionServer serves the TI and decoy routes over real HTTP, from a real SQLite state
// store and the real ingest service publishing to pub.
func newDetectionServer(t *testing.T) (*httptest.Server, *batchPub) {
	t.Helper()
	ctx := context.Background()
	st, err := meta.Open(ctx, meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	reg := schema.NewRegistry()
	pub := &batchPub{}
	keys := NewKeyRing()
	keys.Add(detKeyT1, Principal{Name: "alice", Tenant: "t1"})
	keys.Add(detKeyT2, Principal{Name: "bob", Tenant: "t2"})
	s := &Server{
		opts: Options{MaxBodyBytes: 1 << 20},
		d: Deps{Registry: reg, Ingest: ingest.NewService(reg, pub, ingest.Options{}, nil), Keys: keys, Decoys: st,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
	}
	hs := httptest.NewServer(s.routes())
	t.Cleanup(hs.Close)
	return hs, pub
}

func httpCall(t *testing.T, base, key, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDecoyAPI(t *testing.T) {
	hs, _ := newDetectionServer(t)
	// Each step runs against the state the previous steps left.
	steps := []struct {
		name, key, method, path, body string
		status                        int
		want                          string // a substring of the answer
	}{
		{"empty list", detKeyT1, "GET", "/api/v1/deception/decoys", "", 200, `{"value":[]}`},
		{"create", detKeyT1, "POST", "/api/v1/deception/decoys", `{"kind":"account","value":"svc-backup-admin","description":"fake admin"}`,
			201, `"id":"1","kind":"account","value":"svc-backup-admin","description":"fake admin","enabled":true,"createdBy":"alice"`},
		{"create disabled", detKeyT1, "POST", "/api/v1/deception/decoys", `{"kind":"host","value":"FILESRV-OLD","enabled":false}`, 201, `"enabled":false`},
		{"duplicate", detKeyT1, "POST", "/api/v1/deception/decoys", `{"kind":"account","value":"SVC-BACKUP-ADMIN"}`, 409, `"code":"conflict"`},
		{"bad kind", detKeyT1, "POST", "/api/v1/deception/decoys", `{"kind":"printer","value":"p"}`, 400,
			`"code":"invalidDecoy","message":"create decoy: kind \"printer\" is not one of account, host, file, credential, ip, mailbox: invalid decoy"`},
		{"short credential", detKeyT1, "POST", "/api/v1/deception/decoys", `{"kind":"credential","value":"abc"}`, 400, `"invalidDecoy"`},
		{"unknown field", detKeyT1, "POST", "/api/v1/deception/decoys", `{"kind":"ip","value":"10.0.0.1","color":"red"}`, 400, `unknown field \"color\"`},
		{"not json", detKeyT1, "POST", "/api/v1/deception/decoys", `kind=ip`, 400, `"badRequest"`},
		{"list", detKeyT1, "GET", "/api/v1/deception/decoys", "", 200, `"value":"svc-backup-admin"`},
		{"get", detKeyT1, "GET", "/api/v1/deception/decoys/1", "", 200, `"id":"1"`},
		{"other tenant cannot see it", detKeyT2, "GET", "/api/v1/deception/decoys/1", "", 404, `"notFound"`},
		{"other tenant's list is empty", detKeyT2, "GET", "/api/v1/deception/decoys", "", 200, `{"value":[]}`},
		{"other tenant cannot delete it", detKeyT2, "DELETE", "/api/v1/deception/decoys/1", "", 404, `"message":"decoy 1: not found"`},
		{"bad id", detKeyT1, "GET", "/api/v1/deception/decoys/x", "", 404, `decoy \"x\": not found`},
		{"no key", "", "GET", "/api/v1/deception/decoys", "", 401, `"unauthorized"`},
		{"delete", detKeyT1, "DELETE", "/api/v1/deception/decoys/1", "", 204, ""},
		{"deleted", detKeyT1, "GET", "/api/v1/deception/decoys/1", "", 404, `"notFound"`},
		{"delete again", detKeyT1, "DELETE", "/api/v1/deception/decoys/1", "", 404, `"notFound"`},
	}
	for _, st := range steps {
		status, body := httpCall(t, hs.URL, st.key, st.method, st.path, st.body)
		if status != st.status || !strings.Contains(body, st.want) {
			t.Errorf("%s: %s %s = %d %s; want %d containing %s", st.name, st.method, st.path, status, body, st.status, st.want)
		}
	}
}
