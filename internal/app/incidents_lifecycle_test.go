package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/detect/rule"
)

// putAlerts hands alerts to the server's alert path (tables, correlation, notifications).
func putAlerts(t *testing.T, s *testServer, alerts ...alert.Alert) {
	t.Helper()
	if err := s.a.alerts.Put(context.Background(), alerts); err != nil {
		t.Fatal(err)
	}
}

func TestIncidentETagsAndConcurrentPatches(t *testing.T) {
	s := startTest(t, nil)
	at := time.Now().UTC().Add(-time.Hour)
	putAlerts(t, s, hostAlert("a1", "default", "ws1", rule.SeverityLow, at))
	path := "/api/v1/security/incidents/1"
	r := s.do(t, "GET", path, nil, nil)
	etag := r.header.Get("ETag")
	if r.status != 200 || etag == "" || !strings.Contains(r.body, `"@odata.etag":"`+strings.ReplaceAll(etag, `"`, `\"`)+`"`) {
		t.Fatalf("GET: %d ETag %q %s", r.status, etag, r.body)
	}
	if r := s.do(t, "PATCH", path, []byte(`{"assignedTo":"alice"}`), map[string]string{"If-Match": `W/"999"`}); r.status != 412 {
		t.Fatalf("stale If-Match: %d %s", r.status, r.body)
	}
	r = s.do(t, "PATCH", path, []byte(`{"assignedTo":"alice"}`), map[string]string{"If-Match": etag})
	if r.status != 200 || r.header.Get("ETag") == etag || !strings.Contains(r.body, `"assignedTo":"alice"`) {
		t.Fatalf("PATCH with ETag: %d %q %s", r.status, r.header.Get("ETag"), r.body)
	}
	// Eight analysts each add a tag by read-modify-write with If-Match, retrying on 412:
	// every tag survives.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for {
				r := s.do(t, "GET", path, nil, nil)
				var in struct{ CustomTags []string }
				_ = json.Unmarshal([]byte(r.body), &in)
				body, _ := json.Marshal(map[string]any{"customTags": append(in.CustomTags, fmt.Sprintf("t%d", i))})
				p := s.do(t, "PATCH", path, body, map[string]string{"If-Match": r.header.Get("ETag")})
				if p.status == 200 {
					return
				}
				if p.status != 412 {
					t.Errorf("PATCH: %d %s", p.status, p.body)
					return
				}
			}
		})
	}
	wg.Wait()
	var in struct{ CustomTags []string }
	decode(t, s.do(t, "GET", path, nil, nil), &in)
	if len(in.CustomTags) != 8 {
		t.Fatalf("tags after concurrent updates = %v, want 8", in.CustomTags)
	}
}

func TestIncidentTransitions(t *testing.T) {
	s := startTest(t, nil)
	at := time.Now().UTC().Add(-time.Hour)
	bridge := hostAlert("a3", "default", "ws1", rule.SeverityLow, at.Add(2*time.Minute))
	bridge.Entities = append(bridge.Entities, alert.Entity{Type: "Account", Identifiers: map[string]string{"Sid": "S-1-5-21-5"}})
	acct := hostAlert("a2", "default", "", rule.SeverityLow, at.Add(time.Minute))
	acct.Entities = []alert.Entity{{Type: "Account", Identifiers: map[string]string{"Sid": "S-1-5-21-5"}}}
	putAlerts(t, s, hostAlert("a1", "default", "ws1", rule.SeverityLow, at), acct, bridge)
	cases := []struct {
		name, path, body string
		status           int
		contains         string
	}{
		{"resolve needs classification", "/api/v1/security/incidents/1", `{"status":"resolved"}`, 409, "resolving needs a classification"},
		{"determination fits classification", "/api/v1/security/incidents/1", `{"classification":"falsePositive","determination":"malware"}`, 409, "does not fit"},
		{"no manual redirect", "/api/v1/security/incidents/1", `{"status":"redirected"}`, 409, "set only by merging"},
		{"merged incident is read-only", "/api/v1/security/incidents/2", `{"assignedTo":"bob"}`, 409, "was merged into incident 1"},
		{"resolve", "/api/v1/security/incidents/1", `{"status":"resolved","classification":"truePositive","determination":"multiStagedAttack"}`, 200, `"status":"resolved"`},
		{"reopen", "/api/v1/security/incidents/1", `{"status":"active"}`, 200, `"status":"active"`},
		{"unknown id", "/api/v1/security/incidents/77", `{"status":"active"}`, 404, "notFound"},
		{"bad If-Match", "/api/v1/security/incidents/1", `{"status":"active"}`, 400, "If-Match"},
	}
	for _, c := range cases {
		hdr := map[string]string(nil)
		if c.name == "bad If-Match" {
			hdr = map[string]string{"If-Match": "nonsense"}
		}
		r := s.do(t, "PATCH", c.path, []byte(c.body), hdr)
		if r.status != c.status || !strings.Contains(r.body, c.contains) {
			t.Errorf("%s: %d %s, want %d containing %q", c.name, r.status, r.body, c.status, c.contains)
		}
	}
	r := s.do(t, "GET", "/api/v1/security/incidents/2", nil, nil)
	if !strings.Contains(r.body, `"redirectIncidentId":"1"`) || !strings.Contains(r.body, `"status":"redirected"`) {
		t.Errorf("merged incident: %s", r.body)
	}
	r = s.do(t, "GET", "/api/v1/security/incidents/1/history", nil, nil)
	for _, want := range []string{`"action":"create"`, `"action":"merged"`, `"action":"update"`, `status: \"resolved\" -> \"active\"`} {
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("history lacks %s: %d %s", want, r.status, r.body)
		}
	}
	if r := s.do(t, "GET", "/api/v1/security/incidents/77/history", nil, nil); r.status != 404 {
		t.Errorf("history of unknown incident: %d", r.status)
	}
}

func TestIncidentListQueries(t *testing.T) {
	s := startTest(t, nil)
	at := time.Now().UTC().Add(-time.Hour)
	putAlerts(t, s,
		hostAlert("a1", "default", "ws1", rule.SeverityLow, at),
		hostAlert("a2", "default", "ws2", rule.SeverityHigh, at.Add(time.Minute)),
		hostAlert("a3", "default", "ws3", rule.SeverityMedium, at.Add(2*time.Minute)),
		hostAlert("a4", "default", "ws4", rule.SeverityHigh, at.Add(3*time.Minute)),
	)
	s.do(t, "PATCH", "/api/v1/security/incidents/2", []byte(`{"customTags":["vip"],"assignedTo":"alice"}`), nil)
	q := func(v string) string { return "/api/v1/security/incidents?" + v }
	cases := []struct {
		name, path string
		status     int
		want       []string // ids in order, or a substring of the error
	}{
		{"orderby severity then id", q("$orderby=severity%20desc,id%20asc"), 200, []string{"2", "4", "3", "1"}},
		{"filter or", q("$filter=severity%20eq%20'high'%20or%20severity%20eq%20'low'&$orderby=id"), 200, []string{"1", "2", "4"}},
		{"filter tags", q("$filter=tags/any(t:%20t%20eq%20'vip')"), 200, []string{"2"}},
		{"filter in and not", q("$filter=severity%20in%20('high','medium')%20and%20not%20(assignedTo%20eq%20'alice')&$orderby=id"), 200, []string{"3", "4"}},
		{"filter time", q("$filter=createdDateTime%20ge%202000-01-01T00:00:00Z%20and%20lastUpdateDateTime%20lt%203000-01-01T00:00:00Z&$top=1&$orderby=id"), 200, []string{"1"}},
		{"bad filter position", q("$filter=status%20eq%20'active'%20and%20severity%20eq"), 400, []string{"position 35: expected a field or a value, found the end"}},
		{"bad orderby", q("$orderby=owner"), 400, []string{"cannot order by"}},
		{"bad skiptoken", q("$skiptoken=abc"), 400, []string{"$skiptoken"}},
		{"bad count", q("$count=maybe"), 400, []string{"$count"}},
	}
	for _, c := range cases {
		r := s.do(t, "GET", c.path, nil, nil)
		if r.status != c.status {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
			continue
		}
		if c.status != 200 {
			if !strings.Contains(r.body, c.want[0]) {
				t.Errorf("%s: %s, want %q", c.name, r.body, c.want[0])
			}
			continue
		}
		var l incidentList
		decode(t, r, &l)
		var ids []string
		for _, v := range l.Value {
			ids = append(ids, v.ID)
		}
		if strings.Join(ids, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: ids %v, want %v", c.name, ids, c.want)
		}
	}
	// The cursor pages through a filtered, ordered list; $count counts all matches.
	var seen []string
	next := q("$filter=severity%20ne%20'low'&$orderby=id&$top=2&$count=true")
	for next != "" {
		r := s.do(t, "GET", next, nil, nil)
		var l struct {
			incidentList
			Count int `json:"@odata.count"`
		}
		decode(t, r, &l)
		if l.Count != 3 {
			t.Fatalf("@odata.count = %d: %s", l.Count, r.body)
		}
		for _, v := range l.Value {
			seen = append(seen, v.ID)
		}
		next = l.NextLink
	}
	if strings.Join(seen, ",") != "2,3,4" {
		t.Errorf("paged ids = %v", seen)
	}
}

func TestAlertsV2AndTimeline(t *testing.T) {
	s := startTest(t, nil)
	at := time.Now().UTC().Add(-time.Hour)
	a1 := hostAlert("a1", "default", "ws1", rule.SeverityLow, at)
	a1.Tactics, a1.Techniques = []string{"InitialAccess"}, []string{"T1566"}
	a2 := hostAlert("a2", "default", "ws1", rule.SeverityHigh, at.Add(time.Minute))
	a2.Techniques = []string{"T1059.001"}
	quiet := hostAlert("q1", "default", "ws1", rule.SeverityLow, at.Add(2*time.Minute))
	quiet.Incident = rule.IncidentConfiguration{CreateIncident: false, Grouping: rule.GroupingConfiguration{MatchingMethod: rule.MatchAllEntities}}
	putAlerts(t, s, a1, a2, quiet)
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		contains                 string
	}{
		{"list filter", "GET", "/api/v1/security/alerts_v2?$filter=severity%20eq%20'high'", "", nil, 200, `"id":"a2"`},
		{"alert without incident", "GET", "/api/v1/security/alerts_v2/q1", "", nil, 200, `"incidentId":null`},
		{"evidence", "GET", "/api/v1/security/alerts_v2/a1", "", nil, 200, `"@odata.type":"#microsoft.graph.security.deviceEvidence"`},
		{"patch", "PATCH", "/api/v1/security/alerts_v2/a1", `{"status":"inProgress","assignedTo":"bob","classification":"truePositive","determination":"phishing"}`, nil, 200, `"classification":"truePositive"`},
		{"patch stale", "PATCH", "/api/v1/security/alerts_v2/a1", `{"status":"resolved"}`, map[string]string{"If-Match": `W/"1"`}, 412, "preconditionFailed"},
		{"patch bad status", "PATCH", "/api/v1/security/alerts_v2/a1", `{"status":"active"}`, nil, 400, "status"},
		{"patch unknown", "PATCH", "/api/v1/security/alerts_v2/nope", `{"status":"resolved"}`, nil, 404, "notFound"},
		{"filter assigned", "GET", "/api/v1/security/alerts_v2?$filter=assignedTo%20eq%20'bob'", "", nil, 200, `"id":"a1"`},
		{"bad filter", "GET", "/api/v1/security/alerts_v2?$filter=status%20eq%20'active'", "", nil, 400, "position 11"},
		{"timeline", "GET", "/api/v1/security/incidents/1/timeline", "", nil, 200, `"techniques":["T1566","T1059.001"]`},
		{"summary", "GET", "/api/v1/security/incidents/1", "", nil, 200, `It began with \"Alert a1\"`},
		{"incident history records alert change", "GET", "/api/v1/security/incidents/1/history", "", nil, 200, `"action":"updateAlert"`},
	}
	for _, c := range cases {
		r := s.do(t, c.method, c.path, []byte(c.body), c.hdr)
		if r.status != c.status || !strings.Contains(r.body, c.contains) {
			t.Errorf("%s: %d %s, want %d containing %s", c.name, r.status, r.body, c.status, c.contains)
		}
	}
}

func TestImportAlerts(t *testing.T) {
	s := startTest(t, nil)
	now := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	graph := `{"value":[{"id":"ext-1","title":"Suspicious sign-in","severity":"high","createdDateTime":"` + now + `",
		"serviceSource":"acmeIdp","category":"InitialAccess","mitreTechniques":["T1078"],
		"evidence":[{"@odata.type":"#microsoft.graph.security.userEvidence","userAccount":{"azureAdUserId":"u-77"}},
		{"@odata.type":"#microsoft.graph.security.ipEvidence","ipAddress":"198.51.100.7"}]}]}`
	sentinel := `[{"SystemAlertId":"ext-2","AlertName":"Mass download","AlertSeverity":"Medium","TimeGenerated":"` + now + `",
		"ProviderName":"AcmeCASB","Tactics":"Exfiltration","Entities":"[{\"$id\":\"2\",\"Type\":\"account\",\"AadUserId\":\"u-77\"}]"}]`
	cases := []struct {
		name, body string
		status     int
		contains   string
	}{
		{"graph", graph, 201, `"incidentId":"1"`},
		{"sentinel joins by account", sentinel, 201, `"incidentId":"1"`},
		{"missing title", `{"id":"x","severity":"high"}`, 400, "alert 0: title: is required"},
		{"bad severity", `[{"id":"x","title":"t","severity":"low"},{"id":"y","title":"t","severity":"critical"}]`, 400, `alert 1: severity: \"critical\" is not one of`},
		{"bad time", `{"id":"x","title":"t","severity":"low","createdDateTime":"yesterday"}`, 400, "createdDateTime"},
		{"bad evidence", `{"id":"x","title":"t","severity":"low","evidence":[{"ipAddress":"1.2.3.4"}]}`, 400, "evidence[0]: @odata.type is required"},
		{"bad entities", `{"SystemAlertId":"x","AlertName":"t","AlertSeverity":"Low","Entities":"{"}`, 400, "Entities"},
		{"empty", `[]`, 400, "array of 1 to"},
	}
	for _, c := range cases {
		r := s.do(t, "POST", "/api/v1/security/alerts", []byte(c.body), nil)
		if r.status != c.status || !strings.Contains(r.body, c.contains) {
			t.Errorf("%s: %d %s, want %d containing %s", c.name, r.status, r.body, c.status, c.contains)
		}
	}
	// The imported alerts reach the alert tables, and the incident SecurityIncident.
	s.settle(t)
	for q, want := range map[string]string{
		`SecurityAlert | where SystemAlertId in ("ext-1", "ext-2") | count`:                                     `"Count":2`,
		`AlertEvidence | where AlertId == "ext-1" | count`:                                                      `"Count":2`,
		`SecurityIncident | where IncidentNumber == 1 | summarize n = count(), a = max(array_length(AlertIds))`: `"a":2`,
	} {
		body, _ := json.Marshal(map[string]string{"Query": q})
		r := s.do(t, "POST", "/api/v1/security/runHuntingQuery", body, nil)
		if r.status != 200 || !strings.Contains(r.body, want) {
			t.Errorf("%s: %d %s, want %s", q, r.status, r.body, want)
		}
	}
}

// sseEvent is one server-sent event.
type sseEvent struct{ id, event, data string }

// readEvents reads events from an event stream until n are read or the stream ends.
func readEvents(t *testing.T, sc *bufio.Scanner, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.event != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			cur.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return out
}

func openStream(t *testing.T, s *testServer, lastID string) (*bufio.Scanner, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/security/events", nil)
	req.Header.Set("Authorization", "Bearer "+s.key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %v %v", resp, err)
	}
	return bufio.NewScanner(resp.Body), func() { cancel(); _ = resp.Body.Close() }
}

func TestSecurityEventsFeed(t *testing.T) {
	s := startTest(t, nil)
	sc, stop := openStream(t, s, "")
	at := time.Now().UTC().Add(-time.Hour)
	putAlerts(t, s, hostAlert("a1", "default", "ws1", rule.SeverityLow, at), hostAlert("x1", "other", "ws1", rule.SeverityLow, at))
	evs := readEvents(t, sc, 3)
	if len(evs) != 3 || evs[0].event != "incidentCreated" || evs[1].event != "alertCreated" || evs[2].event != "incidentUpdated" ||
		!strings.Contains(evs[1].data, `"alertId":"a1"`) || !strings.Contains(evs[0].data, `"tenantId":"default"`) {
		t.Fatalf("events = %+v", evs)
	}
	stop()
	// Changes made while disconnected are replayed after Last-Event-ID.
	s.do(t, "POST", "/api/v1/security/incidents/1/comments", []byte(`{"comment":"on it"}`), nil)
	s.do(t, "PATCH", "/api/v1/security/incidents/1", []byte(`{"status":"inProgress"}`), nil)
	sc, stop = openStream(t, s, evs[2].id)
	defer stop()
	evs = readEvents(t, sc, 2)
	if len(evs) != 2 || evs[0].event != "commentAdded" || evs[1].event != "incidentUpdated" {
		t.Fatalf("resumed events = %+v", evs)
	}
	// An id the feed no longer holds (from before a restart) asks the client to reload.
	sc2, stop2 := openStream(t, s, "999999")
	defer stop2()
	if evs := readEvents(t, sc2, 1); len(evs) != 1 || evs[0].event != "reset" {
		t.Fatalf("stale id events = %+v", evs)
	}
}
