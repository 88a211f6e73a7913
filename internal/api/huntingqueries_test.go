package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/content"
	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/meta"
	"github.com/vigilsec/vigil/internal/schema"
)

// newHuntingQueryServer serves the saved query routes over real HTTP from a real SQLite state
// store. ann and lead act in t1 with every permission; hunter in t1 with hunting:run only;
// bob in t2.
func newHuntingQueryServer(t *testing.T) *httptest.Server {
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
	hunter := auth.NewAccess([]meta.Grant{{Role: "hunter", Tenant: "t1"}},
		map[string]auth.Role{"hunter": {ID: "hunter", Permissions: []auth.Permission{auth.HuntingRun}}})
	keys.Add("k-hunter", Principal{Name: "hunter", Tenant: "t1", Tenants: []string{"t1"}, Kind: auth.KindAPIKey, access: hunter})
	s := &Server{opts: Options{MaxBodyBytes: 1 << 20}, d: Deps{Registry: schema.NewRegistry(), Keys: keys, HuntingQueries: st,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	hs := httptest.NewServer(s.routes())
	t.Cleanup(hs.Close)
	return hs
}

func TestHuntingQueryAPI(t *testing.T) {
	hs := newHuntingQueryServer(t)
	const base = "/api/v1/security/huntingQueries"
	ids := map[string]string{} // step name -> id created
	idRe := regexp.MustCompile(`"id":"(hq-[a-z0-9]+)"`)
	// Each step runs against the state the previous steps left; {priv} and {shared} are the
	// ids created by those steps.
	steps := []struct {
		name, key, method, path, body string
		status                        int
		want                          string // a substring of the answer
		not                           string // a substring the answer must not have
	}{
		{"empty list", "k-hunter", "GET", base, "", 200, `{"value":[]}`, ""},
		{"priv", "k-hunter", "POST", base, `{"name":" Mine ","query":"print 1","folder":"x"}`, 201, `"name":"Mine","description":"","query":"print 1","folder":"x","shared":false,"owner":"hunter"`, ""},
		{"shared", "k-ann", "POST", base, `{"name":"Team","query":"SigninLogs","shared":true}`, 201, `"shared":true,"owner":"ann"`, ""},
		{"no name", "k-ann", "POST", base, `{"query":"print 1"}`, 400, `"message":"saved query: name is empty"`, ""},
		{"no query", "k-ann", "POST", base, `{"name":"n","query":" "}`, 400, `query is empty`, ""},
		{"unknown field", "k-ann", "POST", base, `{"name":"n","query":"q","color":1}`, 400, `unknown field \"color\"`, ""},
		{"hunter sees own and shared", "k-hunter", "GET", base, "", 200, `"name":"Mine"`, ""},
		{"hunter may not edit the shared one", "k-hunter", "GET", base + "/{shared}", "", 200, `"mine":false,"canEdit":false`, ""},
		{"ann does not see hunter's private one", "k-ann", "GET", base, "", 200, `"name":"Team"`, `"Mine"`},
		{"ann cannot get it", "k-ann", "GET", base + "/{priv}", "", 404, `"notFound"`, ""},
		{"ann cannot change it", "k-ann", "PUT", base + "/{priv}", `{"name":"x","query":"y"}`, 404, `"notFound"`, ""},
		{"other tenant cannot see shared", "k-bob", "GET", base + "/{shared}", "", 404, `"notFound"`, ""},
		{"other tenant's list is empty", "k-bob", "GET", base, "", 200, `{"value":[]}`, ""},
		{"hunter cannot change shared", "k-hunter", "PUT", base + "/{shared}", `{"name":"x","query":"y","shared":true}`, 403, `only its owner or someone with rules:write`, ""},
		{"hunter cannot delete shared", "k-hunter", "DELETE", base + "/{shared}", "", 403, `"forbidden"`, ""},
		{"lead (rules:write) changes shared", "k-lead", "PUT", base + "/{shared}", `{"name":"Team v2","query":"SigninLogs | take 5","shared":true}`, 200, `"name":"Team v2","description":"","query":"SigninLogs | take 5","folder":"","shared":true,"owner":"ann"`, ""},
		{"lead cannot make it private", "k-lead", "PUT", base + "/{shared}", `{"name":"Team v2","query":"q","shared":false}`, 403, `"forbidden"`, ""},
		{"owner changes own", "k-hunter", "PUT", base + "/{priv}", `{"name":"Mine","query":"print 2","description":"d"}`, 200, `"query":"print 2"`, ""},
		{"owner empties the name", "k-hunter", "PUT", base + "/{priv}", `{"name":"","query":"print 2"}`, 400, `name is empty`, ""},
		{"owner makes shared private", "k-ann", "PUT", base + "/{shared}", `{"name":"Team v3","query":"q","shared":false}`, 200, `"shared":false`, ""},
		{"now hunter cannot see it", "k-hunter", "GET", base + "/{shared}", "", 404, `"notFound"`, ""},
		{"owner deletes", "k-hunter", "DELETE", base + "/{priv}", "", 204, "", ""},
		{"gone", "k-hunter", "GET", base + "/{priv}", "", 404, `saved query hq-`, ""},
		{"templates", "k-hunter", "GET", base + "/templates", "", 200, `"id":"kerberoasting","name":"Kerberoasting","description":"Service tickets requested with RC4`, ""},
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

func TestReadHuntingTemplates(t *testing.T) {
	got, err := readHuntingTemplates(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 {
		t.Fatalf("%d templates; want the content/hunting files", len(got))
	}
	for _, tp := range got {
		if tp.Name == "" || tp.Description == "" || !strings.Contains(tp.Query, "|") || strings.HasPrefix(tp.Description, "//") {
			b, _ := json.Marshal(tp)
			t.Errorf("template %s", b)
		}
	}
}
