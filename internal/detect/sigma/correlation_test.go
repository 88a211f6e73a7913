package sigma

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/alert"
	"github.com/vigilsec/vigil/internal/schema"
)

const corrBase = `title: Failed logon
id: base-failed
name: failed_logon
status: test
level: low
logsource: {product: windows, service: security}
detection:
  sel:
    EventID: 4625
  condition: sel
---
title: Success logon
id: base-success
name: success_logon
level: low
logsource: {product: windows, service: security}
detection:
  sel:
    EventID: 4624
  condition: sel
`

func logon(id int32, user, ip string, at time.Time) row {
	return row{"EventID": id, "TargetUserName": user, "IpAddress": ip, "TimeGenerated": at, "Computer": "dc1"}
}

func runCorrelation(t *testing.T, corr string, rows []row, maxState int) ([]alert.Alert, *Detector) {
	t.Helper()
	rules, err := Load([]byte(corrBase+"---\n"+corr), "c.yml")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Compile(rules, Config{Registry: testReg, MaxCorrelationState: maxState})
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetector(rs)
	var out []alert.Alert
	for _, r := range rows { // one batch per event, as a stream delivers them
		if err := d.Detect(makeBatch(t, "SecurityEvent", []map[string]schema.Value{r}), func(a alert.Alert) { out = append(out, a) }); err != nil {
			t.Fatal(err)
		}
	}
	return out, d
}

func countRule(as []alert.Alert, id string) int {
	n := 0
	for _, a := range as {
		if a.RuleID == id {
			n++
		}
	}
	return n
}

func TestCorrelationEventCount(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	corr := "title: Brute force\nid: bf\nlevel: high\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {gte: 3}\n"
	rows := []row{
		logon(4625, "alice", "1.1.1.1", t0), logon(4625, "alice", "1.1.1.1", t0.Add(time.Minute)),
		logon(4625, "bob", "1.1.1.1", t0.Add(time.Minute)), logon(4625, "alice", "1.1.1.1", t0.Add(2*time.Minute)),
		logon(4625, "bob", "1.1.1.1", t0.Add(10*time.Minute)), logon(4625, "bob", "1.1.1.1", t0.Add(11*time.Minute)),
	}
	as, _ := runCorrelation(t, corr, rows, 0)
	if n := countRule(as, "bf"); n != 1 {
		t.Fatalf("brute force fired %d times, want 1: %+v", n, as)
	}
	if countRule(as, "base-failed") != 0 {
		t.Fatal("base rule raised alerts though the correlation does not generate them")
	}
	a := as[0]
	if a.Severity != "High" || a.Properties["correlationCount"] != "3" || !a.StartTime.Equal(t0) {
		t.Fatalf("alert %+v", a)
	}
}

func TestCorrelationValueCount(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	corr := "title: Spray\nid: spray\ncorrelation:\n  type: value_count\n  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 10m\n  generate: true\n  condition: {field: TargetUserName, gt: 2}\n"
	rows := []row{
		logon(4625, "a", "9.9.9.9", t0), logon(4625, "a", "9.9.9.9", t0), logon(4625, "b", "9.9.9.9", t0),
		logon(4625, "c", "8.8.8.8", t0), logon(4625, "C", "9.9.9.9", t0.Add(time.Minute)),
	}
	as, _ := runCorrelation(t, corr, rows, 0)
	if n := countRule(as, "spray"); n != 1 {
		t.Fatalf("spray fired %d times, want 1", n)
	}
	if countRule(as, "base-failed") != 5 {
		t.Fatal("generate: true must keep the base rule's alerts")
	}
}

func TestCorrelationTemporal(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, typ := range []string{"temporal", "temporal_ordered"} {
		corr := "title: Fail then success\nid: fts\ncorrelation:\n  type: " + typ + "\n  rules: [failed_logon, base-success]\n  group-by: [TargetUserName]\n  timespan: 5m\n"
		rows := []row{
			logon(4624, "alice", "", t0), logon(4625, "alice", "", t0.Add(time.Minute)), // success before failure
			logon(4625, "bob", "", t0), logon(4624, "bob", "", t0.Add(10*time.Minute)), // too far apart
			logon(4625, "carol", "", t0), logon(4624, "carol", "", t0.Add(time.Minute)),
		}
		as, _ := runCorrelation(t, corr, rows, 0)
		want := map[string]int{"temporal": 2, "temporal_ordered": 1}[typ]
		if n := countRule(as, "fts"); n != want {
			t.Errorf("%s fired %d times, want %d", typ, n, want)
		}
	}
}

func TestCorrelationLessThanAtWindowEnd(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	corr := "title: Rare\nid: rare\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 5m\n  condition: {lt: 2}\n"
	rows := []row{logon(4625, "alice", "", t0), logon(4625, "alice", "", t0.Add(6*time.Minute))}
	as, _ := runCorrelation(t, corr, rows, 0)
	if n := countRule(as, "rare"); n != 1 {
		t.Fatalf("rare fired %d times, want 1 (when the first window closed)", n)
	}
}

func TestCorrelationStateBounded(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	corr := "title: BF\nid: bf\ncorrelation:\n  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 1h\n  condition: {gte: 2}\n"
	var rows []row
	for _, u := range []string{"u1", "u2", "u3", "u4", "u1"} {
		rows = append(rows, logon(4625, u, "", t0))
	}
	as, d := runCorrelation(t, corr, rows, 2)
	if n := countRule(as, "bf"); n != 0 {
		t.Fatalf("u1 was evicted before its second event, yet fired %d times", n)
	}
	if ev := d.Stats().CorrelationEvictions; ev != 3 {
		t.Fatalf("evictions %d, want 3", ev)
	}
}

func TestCorrelationAliases(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	corr := "title: Fail then success by user\nid: alias\ncorrelation:\n  type: temporal\n  rules: [failed_logon, success_logon]\n  group-by: [user]\n  timespan: 5m\n  aliases:\n    user:\n      failed_logon: TargetUserName\n      success_logon: TargetUserName\n"
	rows := []row{logon(4625, "dave", "", t0), logon(4624, "dave", "", t0.Add(time.Minute)), logon(4624, "erin", "", t0)}
	as, _ := runCorrelation(t, corr, rows, 0)
	if n := countRule(as, "alias"); n != 1 {
		t.Fatalf("aliased correlation fired %d times, want 1", n)
	}
}
