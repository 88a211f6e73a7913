package api

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// newSavedFilterServer serves the saved filter routes over real HTTP from a real SQLite state
// store. ann and lead act in t1 with every permission; analyst in t1 with incidents:read and
// incidents:write only; bob in t2.
func newSavedFilterServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, err := meta.Open(context.Background(), meta.Config{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "meta.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	keys := NewKeyRing()
	keys.Add("k-ann", Principal{Name: "ann", Tenant: "t1"})
	keys.Add("k-lead", Principal{Name: "lead", Tenant: "t1"})
	keys.Add("k-bob", Principal{Name: "bob", Tenant: "t2"})
	analyst := auth.NewAccess([]meta.Grant{{Role: "analyst", Tenant: "t1"}},
		map[string]auth.Role{"analyst": {ID: "analyst", Permissions: []auth.Permission{auth.IncidentsRead, auth.IncidentsWrite}}})
	keys.Add("k-analyst", Principal{Name: "analyst", Tenant: "t1", Tenants: []string{"t1"}, Kind: auth.KindAPIKey, access: analyst})
	s := &Server{opts: Options{MaxBodyBytes: 1 << 20}, d: Deps{Registry: schema.NewRegistry(), Keys: keys, SavedFilters: st,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	hs := httptest.NewServer(s.routes())
	t.Cleanup(hs.Close)
	return hs
}

func TestSavedFilterAPI(t *testing.T) {
	hs := newSavedFilterServer(t)
	const base = "/api/v1/security/savedFilters"
	ids := map[string]string{} // step name -> id created
	idRe := regexp.MustCompile(`"id":"(sf-[a-z0-9]+)"`)
	// Each step runs against the state the previous steps left; {priv} and {team} are the ids
	// created by those steps.
	steps := []struct {
		name, key, method, path, body string
		status                        int
		want                          string // a substring of the answer
		not                           string // a substring the answer must not have
	}{
		{"empty list", "k-analyst", "GET", base, "", 200, `{"value":[]}`, ""},
		{"priv", "k-analyst", "POST", base, `{"name":" Mine, high ","query":"?severity=high&assignedTo=analyst"}`, 201, `"name":"Mine, high","query":"severity=high&assignedTo=analyst","shared":false,"owner":"analyst"`, ""},
		{"team", "k-ann", "POST", base, `{"name":"Team: active","query":"status=active","shared":true}`, 201, `"shared":true,"owner":"ann"`, ""},
		{"same name, other case", "k-analyst", "POST", base, `{"name":"MINE, HIGH","query":"status=active"}`, 409, `"code":"conflict","message":"create saved filter \"MINE, HIGH\": analyst has a filter named \"MINE, HIGH\" already`, ""},
		{"no name", "k-ann", "POST", base, `{"query":"status=active"}`, 400, `"message":"saved filter: name is empty"`, ""},
		{"no query", "k-ann", "POST", base, `{"name":"n","query":" "}`, 400, `query is empty`, ""},
		{"bad query", "k-ann", "POST", base, `{"name":"n","query":"status=%zz"}`, 400, `saved filter: query \"status=%zz\" is not a URL query string`, ""},
		{"unknown field", "k-ann", "POST", base, `{"name":"n","query":"a=b","color":1}`, 400, `unknown field \"color\"`, ""},
		{"analyst sees own and shared", "k-analyst", "GET", base, "", 200, `"name":"Mine, high"`, ""},
		{"analyst may not edit the shared one", "k-analyst", "GET", base + "/{team}", "", 200, `"mine":false,"canEdit":false`, ""},
		{"ann does not see analyst's private one", "k-ann", "GET", base, "", 200, `"name":"Team: active"`, `"Mine, high"`},
		{"ann cannot get it", "k-ann", "GET", base + "/{priv}", "", 404, `"notFound"`, ""},
		{"ann cannot change it", "k-ann", "PUT", base + "/{priv}", `{"name":"x","query":"a=b"}`, 404, `"notFound"`, ""},
		{"other tenant cannot see shared", "k-bob", "GET", base + "/{team}", "", 404, `"notFound"`, ""},
		{"other tenant's list is empty", "k-bob", "GET", base, "", 200, `{"value":[]}`, ""},
		{"analyst (incidents:write) cannot change shared", "k-analyst", "PUT", base + "/{team}", `{"name":"x","query":"a=b","shared":true}`, 403, `only its owner or someone with settings:write`, ""},
		{"analyst cannot delete shared", "k-analyst", "DELETE", base + "/{team}", "", 403, `"forbidden"`, ""},
		{"lead (settings:write) changes shared", "k-lead", "PUT", base + "/{team}", `{"name":"Team: active, high","query":"status=active&severity=high","shared":true}`, 200, `"name":"Team: active, high","query":"status=active&severity=high","shared":true,"owner":"ann"`, ""},
		{"lead cannot make it private", "k-lead", "PUT", base + "/{team}", `{"name":"Team","query":"a=b","shared":false}`, 403, `"forbidden"`, ""},
		{"owner changes own", "k-analyst", "PUT", base + "/{priv}", `{"name":"Mine, high","query":"severity=high"}`, 200, `"query":"severity=high","shared":false`, ""},
		{"owner empties the name", "k-analyst", "PUT", base + "/{priv}", `{"name":"","query":"a=b"}`, 400, `name is empty`, ""},
		{"owner shares it", "k-analyst", "PUT", base + "/{priv}", `{"name":"Mine, high","query":"severity=high","shared":true}`, 200, `"shared":true,"owner":"analyst","createdDateTime"`, ""},
		{"now ann sees it, and may edit it", "k-ann", "GET", base + "/{priv}", "", 200, `"mine":false,"canEdit":true`, ""},
		{"owner makes shared private", "k-ann", "PUT", base + "/{team}", `{"name":"Team v3","query":"a=b","shared":false}`, 200, `"shared":false`, ""},
		{"now analyst cannot see it", "k-analyst", "GET", base + "/{team}", "", 404, `"notFound"`, ""},
		{"owner deletes", "k-analyst", "DELETE", base + "/{priv}", "", 204, "", ""},
		{"gone", "k-analyst", "GET", base + "/{priv}", "", 404, `saved filter sf-`, ""},
	}
	for _, st := range steps {
		path := st.path
		for k, v := range ids {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		code, body := httpCall(t, hs.URL, st.key, st.method, path, st.body)
		if code != st.status || !strings.Contains(body, st.want) || st.not != "" && strings.Contains(body, st.not) {
			t.Fatalf("%s: %d %s; want %d with %q", st.name, code, body, st.status, st.want)
		}
		if m := idRe.FindStringSubmatch(body); m != nil && st.method == "POST" {
			ids[st.name] = m[1]
		}
	}
}
