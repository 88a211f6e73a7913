package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/schedule"
)

const assetsCSV = "Hostname,Owner,Tier,Since\nws1,alice,1,2024-01-15T00:00:00Z\nsrv1,ops,2,2023-11-01\nws9,nobody,3,\n"

// hunt runs a hunting query through the API in tenant and returns its rows as JSON, or the
// error's message.
func (s *testServer) hunt(t *testing.T, tenant, query string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"Query": query})
	r := s.do(t, "POST", "/api/v1/security/runHuntingQuery", body, map[string]string{"X-Vigil-Tenant": tenant})
	var res struct {
		Results []map[string]any `json:"results"`
		Error   struct{ Message string }
	}
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatalf("hunting answer %d %s: %v", r.status, r.body, err)
	}
	if r.status != 200 {
		return r.status, res.Error.Message
	}
	b, _ := json.Marshal(res.Results)
	return r.status, string(b)
}

// apiMessage is the message of an API error answer.
func apiMessage(r reply) string {
	var e struct{ Error struct{ Message string } }
	_ = json.Unmarshal([]byte(r.body), &e)
	return e.Error.Message
}

// TestWatchlists creates a watchlist from a CSV through the real server, joins it to events
// in a hunting query, changes and deletes items and the watchlist and sees each change in
// the next query; another tenant neither sees it nor shares its alias. A scheduled rule's
// query reads the watchlist over a one-hour window although its items are older.
func TestWatchlists(t *testing.T) {
	s := startTest(t, nil)
	mustStatus(t, s.do(t, "POST", "/api/v1/tenants", []byte(`{"id":"other"}`), nil), http.StatusCreated)
	csv := map[string]string{"Content-Type": "text/csv"}
	r := s.do(t, "POST", "/api/v1/security/watchlists?alias=HighValueAssets&searchKey=Hostname&description=Crown+jewels&source=assets.csv", []byte(assetsCSV), csv)
	if r.status != 201 || !strings.Contains(r.body, `"itemCount":3`) ||
		!strings.Contains(r.body, `"columns":[{"name":"Hostname","type":"string"},{"name":"Owner","type":"string"},{"name":"Tier","type":"long"},{"name":"Since","type":"datetime"}]`) {
		t.Fatalf("create = %d %s", r.status, r.body)
	}
	for _, tc := range []struct{ path, body, want string }{
		{"?alias=HighValueAssets&searchKey=Hostname", assetsCSV, "alias \"HighValueAssets\" is in use: conflict"},
		{"?alias=x&searchKey=Host", assetsCSV, `search key "Host" is not one of the columns`},
		{"?alias=x&searchKey=a", "a,b\n1,2\n3\n", "record on line 3: wrong number of fields"},
		{"?alias=bad alias&searchKey=a", "a\n1\n", `alias "bad alias" must be`},
	} {
		r := s.do(t, "POST", "/api/v1/security/watchlists"+strings.ReplaceAll(tc.path, " ", "%20"), []byte(tc.body), csv)
		if r.status/100 != 4 || !strings.Contains(apiMessage(r), tc.want) {
			t.Errorf("create %s = %d %s, want %q", tc.path, r.status, r.body, tc.want)
		}
	}
	// The same alias in the other tenant is another watchlist, made from JSON items.
	r = s.do(t, "POST", "/api/v1/security/watchlists", []byte(`{"watchlistAlias":"HighValueAssets","displayName":"Other's","itemsSearchKey":"Hostname",
		"columns":[{"name":"Hostname","type":"string"},{"name":"Owner","type":"string"}],"items":[{"Hostname":"ws1","Owner":"mallory"}]}`), map[string]string{"X-Vigil-Tenant": "other"})
	mustStatus(t, r, 201)

	now := time.Now().UTC()
	var events strings.Builder
	for _, dev := range []string{"ws1", "ws1", "srv1", "ws9", "ws2"} {
		fmt.Fprintf(&events, `{"Timestamp":%q,"DeviceName":%q,"FileName":"cmd.exe"}`+"\n", now.Format(time.RFC3339), dev)
	}
	mustStatus(t, s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(events.String()), nil), 200)
	mustStatus(t, s.do(t, "POST", "/api/v1/ingest/DeviceProcessEvents", []byte(`{"Timestamp":"`+now.Format(time.RFC3339)+`","DeviceName":"ws1","FileName":"x.exe"}`), map[string]string{"X-Vigil-Tenant": "other"}), 200)

	const join = `DeviceProcessEvents
| join kind=inner (_GetWatchlist('HighValueAssets') | where Tier <= 2) on $left.DeviceName == $right.SearchKey
| summarize Events = count() by DeviceName, Owner, Tier
| order by DeviceName asc`
	expect := func(step, tenant, query, want string) {
		t.Helper()
		s.settle(t)
		if _, got := s.hunt(t, tenant, query); got != want {
			t.Errorf("%s: got %s\nwant %s", step, got, want)
		}
	}
	expect("created", "default", join, `[{"DeviceName":"srv1","Events":1,"Owner":"ops","Tier":2},{"DeviceName":"ws1","Events":2,"Owner":"alice","Tier":1}]`)
	expect("other tenant", "other", `_GetWatchlist('HighValueAssets') | join kind=inner DeviceProcessEvents on $left.SearchKey == $right.DeviceName | project SearchKey, Owner, FileName`,
		`[{"FileName":"x.exe","Owner":"mallory","SearchKey":"ws1"}]`)

	var items struct {
		Value []struct {
			ID            string            `json:"watchlistItemId"`
			ItemsKeyValue map[string]string `json:"itemsKeyValue"`
		} `json:"value"`
	}
	r = s.do(t, "GET", "/api/v1/security/watchlists/HighValueAssets/watchlistItems", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &items); err != nil || len(items.Value) != 3 {
		t.Fatalf("items = %d %s", r.status, r.body)
	}
	ids := map[string]string{}
	for _, it := range items.Value {
		ids[it.ItemsKeyValue["Hostname"]] = it.ID
	}
	base := "/api/v1/security/watchlists/HighValueAssets/watchlistItems/"
	mustStatus(t, s.do(t, "PUT", base+ids["srv1"], []byte(`{"itemsKeyValue":{"Hostname":"srv1","Owner":"svc_backup","Tier":"1"}}`), nil), 200)
	mustStatus(t, s.do(t, "DELETE", base+ids["ws1"], nil, nil), 204)
	mustStatus(t, s.do(t, "POST", "/api/v1/security/watchlists/HighValueAssets/watchlistItems", []byte(`{"itemsKeyValue":{"Hostname":"ws2","Owner":"bob","Tier":"1"}}`), nil), 201)
	if r := s.do(t, "PUT", base+ids["srv1"], []byte(`{"itemsKeyValue":{"Hostnam":"srv1"}}`), nil); r.status != 400 || !strings.Contains(apiMessage(r), `"Hostnam" is not a column of watchlist HighValueAssets`) {
		t.Errorf("put with an unknown column = %d %s", r.status, r.body)
	}
	if r := s.do(t, "DELETE", base+ids["ws1"], nil, nil); r.status != 404 {
		t.Errorf("delete a deleted item = %d %s", r.status, r.body)
	}
	expect("changed", "default", join, `[{"DeviceName":"srv1","Events":1,"Owner":"svc_backup","Tier":1},{"DeviceName":"ws2","Events":1,"Owner":"bob","Tier":1}]`)

	// A scheduled rule's window is an hour; the watchlist's records are older than that
	// would need, and the rule still reads every current item.
	rules, findings := rule.Parse("vip.yaml", []byte(`id: 0d6e0a4c-1111-4222-8333-944455556666
name: Activity on high value assets
severity: High
query: |
  let assets = _GetWatchlist('HighValueAssets') | project SearchKey;
  DeviceProcessEvents | where DeviceName in (assets) | summarize n = count() by DeviceName
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
`))
	if len(rules) != 1 || rule.HasErrors(findings) {
		t.Fatalf("rule: %v", findings)
	}
	k := schedule.KQL{Registry: s.a.reg, Store: s.a.store, Watchlists: s.a.meta}
	later := now.Add(90 * time.Minute)
	res, err := k.Evaluate(context.Background(), rules[0], schedule.Window{Tenant: "default", From: now.Add(-time.Minute), To: later, Now: later})
	if err != nil {
		t.Fatal(err)
	}
	var devs []string
	for _, row := range res.Rows {
		devs = append(devs, fmt.Sprint(row[0]))
	}
	sort.Strings(devs)
	if got := strings.Join(devs, ","); got != "srv1,ws2,ws9" {
		t.Errorf("scheduled rule matched %s, want srv1,ws2,ws9 (ws1 was deleted from the watchlist)", got)
	}

	mustStatus(t, s.do(t, "DELETE", "/api/v1/security/watchlists/HighValueAssets", nil, nil), 204)
	s.settle(t)
	if status, msg := s.hunt(t, "default", join); status != 400 || msg != "unknown watchlist 'HighValueAssets'" {
		t.Errorf("after delete: %d %s", status, msg)
	}
	expect("other tenant's is kept", "other", `_GetWatchlist('HighValueAssets') | project SearchKey`, `[{"SearchKey":"ws1"}]`)
	// A new watchlist of the alias starts with its own items only.
	mustStatus(t, s.do(t, "POST", "/api/v1/security/watchlists?alias=HighValueAssets&searchKey=Hostname", []byte("Hostname,Owner\ndb1,dba\n"), csv), 201)
	expect("recreated", "default", `_GetWatchlist('HighValueAssets') | project SearchKey, Owner`, `[{"Owner":"dba","SearchKey":"db1"}]`)

	r = s.do(t, "GET", "/api/v1/audit?top=1000", nil, nil)
	if n := strings.Count(r.body, "/api/v1/security/watchlists"); n < 6 {
		t.Errorf("the audit log names the watchlist API %d times; want every change (6+): %.500s", n, r.body)
	}
}
