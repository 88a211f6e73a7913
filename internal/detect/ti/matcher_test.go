package ti

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/rule"
	"github.com/vigilsec/vigil/internal/detect/stream"
)

var (
	t2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	t2027 = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	event = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

func ind(id string, k Kind, v string, edit ...func(*Indicator)) Indicator {
	in := Indicator{Tenant: "t1", ID: id, Kind: k, Value: v, Confidence: 90, Active: true, ValidFrom: t2025, ValidUntil: t2027, Updated: t2025, Source: "ACME"}
	if k == KindFileHash {
		in.HashType, in.Value, _ = strings.Cut(v, ":")
		in.Value = strings.TrimPrefix(v, in.HashType+":")
	}
	for _, e := range edit {
		e(&in)
	}
	return in
}

func testIndicators() []Indicator {
	return []Indicator{
		ind("ip", KindIP, "203.0.113.9"),
		ind("ip6", KindIP, "2001:db8::1"),
		ind("cidr", KindIP, "198.51.100.0/24"),
		ind("cidr6", KindIP, "2001:db8:ff::/48"),
		ind("dom", KindDomain, "Evil.Example"),
		ind("url", KindURL, "HTTP://Bad.Example:80/payload/"),
		ind("sha256", KindFileHash, "SHA256:AABBCC"),
		ind("sha1", KindFileHash, "SHA1:DDEEFF"),
		ind("md5", KindFileHash, "MD5:112233"),
		ind("mail", KindEmail, "Phish@Evil.Example"),
		ind("expired", KindIP, "192.0.2.1", func(in *Indicator) { in.ValidUntil = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }),
		ind("future", KindIP, "192.0.2.2", func(in *Indicator) { in.ValidFrom = t2027; in.ValidUntil = time.Time{} }),
		ind("revoked", KindIP, "192.0.2.3", func(in *Indicator) { in.Revoked = true }),
		ind("inactive", KindIP, "192.0.2.4", func(in *Indicator) { in.Active = false }),
		ind("lowconf", KindIP, "192.0.2.5", func(in *Indicator) { in.Confidence = 10 }),
		ind("noconf", KindIP, "192.0.2.6", func(in *Indicator) { in.Confidence = -1; in.ValidUntil = time.Time{} }),
		ind("medium", KindIP, "192.0.2.7", func(in *Indicator) { in.Confidence = 60 }),
		ind("other-tenant", KindIP, "192.0.2.8", func(in *Indicator) { in.Tenant = "t2" }),
	}
}

func newTestMatcher(t testing.TB, ins []Indicator) *Matcher {
	t.Helper()
	// Quiet off: these tests look at every match; TestMatcherAggregates covers the quiet period.
	m, err := NewMatcher(Options{Registry: testRegistry(), MinConfidence: 20, Now: func() time.Time { return event }, Quiet: -1})
	if err != nil {
		t.Fatal(err)
	}
	m.Add(ins)
	return m
}

func TestMatcher(t *testing.T) {
	m := newTestMatcher(t, testIndicators())
	tests := []struct {
		name, table string
		row         map[string]any
		want        []string // indicator ids matched, in order
	}{
		{"ipv4 exact", "DeviceNetworkEvents", map[string]any{"RemoteIP": "203.0.113.9"}, []string{"ip"}},
		{"ipv4 other", "DeviceNetworkEvents", map[string]any{"RemoteIP": "203.0.113.10"}, nil},
		{"ipv4 mapped", "DeviceNetworkEvents", map[string]any{"RemoteIP": "::ffff:203.0.113.9"}, []string{"ip"}},
		{"ipv6 exact", "DeviceNetworkEvents", map[string]any{"RemoteIP": "2001:DB8::1"}, []string{"ip6"}},
		{"cidr inside", "SigninLogs", map[string]any{"IPAddress": "198.51.100.77"}, []string{"cidr"}},
		{"cidr outside", "SigninLogs", map[string]any{"IPAddress": "198.51.101.1"}, nil},
		{"cidr6 inside", "OfficeActivity", map[string]any{"ClientIP": "2001:db8:ff:1::5"}, []string{"cidr6"}},
		{"ip with port", "OfficeActivity", map[string]any{"ClientIP": "203.0.113.9:51234"}, []string{"ip"}},
		{"cef source", "CommonSecurityLog", map[string]any{"SourceIP": "203.0.113.9", "DestinationIP": "10.0.0.1"}, []string{"ip"}},
		{"cloudtrail", "AWSCloudTrail", map[string]any{"SourceIpAddress": "198.51.100.1"}, []string{"cidr"}},
		{"logon", "DeviceLogonEvents", map[string]any{"RemoteIP": "203.0.113.9"}, []string{"ip"}},
		{"domain exact", "DnsEvents", map[string]any{"Name": "evil.example"}, []string{"dom"}},
		{"subdomain", "DnsEvents", map[string]any{"Name": "a.b.EVIL.example."}, []string{"dom"}},
		{"lookalike is not a subdomain", "DnsEvents", map[string]any{"Name": "notevil.example"}, nil},
		{"parent is not a match", "DnsEvents", map[string]any{"Name": "example"}, nil},
		{"remote url domain", "DeviceNetworkEvents", map[string]any{"RemoteUrl": "cdn.evil.example"}, []string{"dom"}},
		{"remote url ip", "DeviceNetworkEvents", map[string]any{"RemoteUrl": "http://203.0.113.9/x"}, []string{"ip"}},
		{"url normalized", "UrlClickEvents", map[string]any{"Url": "https://bad.example/payload"}, []string{"url"}},
		{"url trailing slash and case", "EmailUrlInfo", map[string]any{"Url": "http://BAD.example/payload/"}, []string{"url"}},
		{"url other path", "UrlClickEvents", map[string]any{"Url": "http://bad.example/other"}, nil},
		{"url other port", "UrlClickEvents", map[string]any{"Url": "http://bad.example:8080/payload"}, nil},
		{"cef request url and host", "CommonSecurityLog", map[string]any{"RequestURL": "bad.example/payload", "DestinationHostName": "x.evil.example"}, []string{"url", "dom"}},
		{"email url domain", "EmailUrlInfo", map[string]any{"UrlDomain": "evil.example"}, []string{"dom"}},
		{"sha256", "DeviceFileEvents", map[string]any{"SHA256": "aabbcc"}, []string{"sha256"}},
		{"sha1", "DeviceProcessEvents", map[string]any{"SHA1": "DDEEFF"}, []string{"sha1"}},
		{"md5", "DeviceFileEvents", map[string]any{"MD5": "112233"}, []string{"md5"}},
		{"hash type matters", "DeviceFileEvents", map[string]any{"SHA1": "aabbcc"}, nil},
		{"sender", "EmailEvents", map[string]any{"SenderFromAddress": "PHISH@evil.example"}, []string{"mail"}},
		{"mail from and sender ip", "EmailEvents", map[string]any{"SenderMailFromAddress": "phish@evil.example", "SenderIPv4": "203.0.113.9"}, []string{"mail", "ip"}},
		{"one alert per indicator and row", "CommonSecurityLog", map[string]any{"SourceIP": "203.0.113.9", "DestinationIP": "203.0.113.9"}, []string{"ip"}},
		{"expired", "DeviceNetworkEvents", map[string]any{"RemoteIP": "192.0.2.1"}, nil},
		{"not yet valid", "DeviceNetworkEvents", map[string]any{"RemoteIP": "192.0.2.2"}, nil},
		{"revoked", "DeviceNetworkEvents", map[string]any{"RemoteIP": "192.0.2.3"}, nil},
		{"inactive", "DeviceNetworkEvents", map[string]any{"RemoteIP": "192.0.2.4"}, nil},
		{"below min confidence", "DeviceNetworkEvents", map[string]any{"RemoteIP": "192.0.2.5"}, nil},
		{"no confidence", "DeviceNetworkEvents", map[string]any{"RemoteIP": "192.0.2.6"}, []string{"noconf"}},
		{"other tenant's indicator", "DeviceNetworkEvents", map[string]any{"RemoteIP": "192.0.2.8"}, nil},
		{"unchecked column", "DeviceNetworkEvents", map[string]any{"LocalIP": "203.0.113.9"}, nil},
		{"unchecked table", "Syslog", map[string]any{"HostIP": "203.0.113.9"}, nil},
		{"garbage", "DeviceNetworkEvents", map[string]any{"RemoteIP": "not an ip", "RemoteUrl": "::::"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.row["Timestamp"] = event
			if tc.table == "DnsEvents" || tc.table == "SigninLogs" || tc.table == "OfficeActivity" || tc.table == "CommonSecurityLog" || tc.table == "AWSCloudTrail" || tc.table == "Syslog" {
				delete(tc.row, "Timestamp")
				tc.row["TimeGenerated"] = event
			}
			as := detect(t, m, batchOf(t, m.opts.Registry, "t1", tc.table, 7, tc.row))
			var got []string
			for _, a := range as {
				got = append(got, a.Properties["IndicatorId"])
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("matched %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMatcherAlert(t *testing.T) {
	m := newTestMatcher(t, []Indicator{
		ind("indicator--c2", KindIP, "203.0.113.9", func(in *Indicator) {
			in.Name = "C2"
			in.Description = "Known C2"
			in.Types = []string{"malicious-activity"}
		}),
		ind("medium", KindIP, "192.0.2.7", func(in *Indicator) { in.Confidence = 60 }),
		ind("low", KindIP, "192.0.2.9", func(in *Indicator) { in.Confidence = 30 }),
	})
	b := batchOf(t, m.opts.Registry, "t1", "DeviceNetworkEvents", 42,
		map[string]any{"Timestamp": event, "DeviceName": "ws1.contoso.com", "InitiatingProcessAccountName": "alice", "RemoteIP": "203.0.113.9", "RemotePort": int32(443)},
		map[string]any{"Timestamp": event, "RemoteIP": "192.0.2.7"},
		map[string]any{"Timestamp": event, "RemoteIP": "192.0.2.9"})
	as := detect(t, m, b)
	if len(as) != 3 {
		t.Fatalf("%d alerts", len(as))
	}
	a := as[0]
	if a.Title != "Threat intelligence match: connection to 203.0.113.9" || a.Severity != rule.SeverityHigh || a.Tenant != "t1" ||
		a.RuleID != RuleID || !reflect.DeepEqual(a.Tactics, []string{"CommandAndControl"}) || !a.StartTime.Equal(event) || !a.CreatedTime.Equal(event) {
		t.Errorf("alert %+v", a)
	}
	wantDesc := `DeviceNetworkEvents.RemoteIP holds 203.0.113.9, which matches threat-intelligence indicator "C2" (ip 203.0.113.9, confidence 90, source ACME): Known C2`
	if a.Description != wantDesc {
		t.Errorf("description %q", a.Description)
	}
	ents := fmt.Sprint(a.Entities)
	if ents != "[{IP map[Address:203.0.113.9]} {Host map[FullName:ws1.contoso.com]} {Account map[FullName:alice]}]" {
		t.Errorf("entities %s", ents)
	}
	if a.Properties["IndicatorId"] != "indicator--c2" || a.Properties["Confidence"] != "90" || a.Properties["ThreatType"] != "malicious-activity" {
		t.Errorf("properties %v", a.Properties)
	}
	if len(a.Evidence.Rows) != 1 || len(a.Evidence.Columns) != 5 {
		t.Errorf("evidence %+v", a.Evidence)
	}
	if as[1].Severity != rule.SeverityMedium || as[2].Severity != rule.SeverityLow {
		t.Errorf("severities %s %s", as[1].Severity, as[2].Severity)
	}
	again := detect(t, m, b)
	if again[0].ID != a.ID || a.ID == as[1].ID || len(a.ID) != 36 {
		t.Errorf("ids %s %s %s", a.ID, again[0].ID, as[1].ID)
	}
}

// TestMatcherLearnsFromStream feeds indicator rows through Detect: new indicators match from
// the next batch on, and a newer version (revoked) replaces the older one.
func TestMatcherLearnsFromStream(t *testing.T) {
	m := newTestMatcher(t, nil)
	reg := m.opts.Registry
	p, err := ParseBundle([]byte(testBundle), "t1", importTime)
	if err != nil {
		t.Fatal(err)
	}
	conn := func() int {
		return len(detect(t, m, batchOf(t, reg, "t1", "DeviceNetworkEvents", 9, map[string]any{"Timestamp": event, "RemoteIP": "203.0.113.9", "RemoteUrl": "www.evil.example"})))
	}
	if n := conn(); n != 0 {
		t.Fatalf("%d alerts before any indicator", n)
	}
	for i, table := range []string{TableSTIX, TableLegacy} {
		trs, _ := Rows(reg, p.Indicators)
		tr := trs[0]
		if tr.Table.Name != table {
			tr = trs[1]
		}
		if as := detect(t, m, tableBatch(tr, "t1", uint64(i))); len(as) != 0 {
			t.Errorf("indicator rows raised %d alerts", len(as))
		}
		if n := conn(); n != 1 {
			t.Errorf("after %s rows: %d alerts, want 1 (ip and domain of one indicator)", table, n)
		}
	}
	if n := m.Index().Len("t1"); n != 2 {
		t.Errorf("index holds %d observables, want 2 (the same ones from both tables; the revoked hash left out)", n)
	}
	revoked := p.Indicators[:2:2]
	for i := range revoked {
		revoked[i].Revoked, revoked[i].Updated = true, importTime.Add(time.Hour)
	}
	trs, _ := Rows(reg, revoked[:1])
	detect(t, m, tableBatch(trs[0], "t1", 5))
	if n := conn(); n != 0 {
		t.Errorf("after revocation: %d alerts", n)
	}
}

func tableBatch(tr TableRows, tenant string, seq uint64) *stream.Batch {
	return &stream.Batch{Tenant: tenant, Table: tr.Table.Name, Seq: seq, Columns: tr.Table.Columns, Rows: tr.Rows}
}

func TestFieldsExistInSchema(t *testing.T) {
	if _, err := newFieldSet(testRegistry(), DefaultFields()); err != nil {
		t.Fatal(err)
	}
	_, err := newFieldSet(testRegistry(), []Field{{Table: "DeviceNetworkEvents", Column: "RemoteIPAddress", Check: CheckIP}})
	if err == nil || err.Error() != "threat intelligence field DeviceNetworkEvents.RemoteIPAddress: no such column" {
		t.Errorf("error %v", err)
	}
}

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP://Bad.Example:80/payload/":  "bad.example/payload",
		"https://bad.example:443":         "bad.example",
		"bad.example/":                    "bad.example",
		"https://u:p@bad.example/a?q=1#f": "bad.example/a?q=1",
		"http://bad.example:8080/a":       "bad.example:8080/a",
		"http://[2001:db8::1]:80/":        "[2001:db8::1]",
		"not a url":                       "",
		"":                                "",
	} {
		if got := normalizeURL(in); got != want {
			t.Errorf("normalizeURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMatcherAggregates checks that one indicator matched by many rows of a batch is one alert
// with those rows as evidence, and that the same indicator in the same table raises nothing
// more within the quiet period, but does once it has passed or in another table.
func TestMatcherAggregates(t *testing.T) {
	m, err := NewMatcher(Options{Registry: testRegistry(), Now: func() time.Time { return event }})
	if err != nil {
		t.Fatal(err)
	}
	m.Add([]Indicator{ind("c2", KindIP, "203.0.113.9")})
	rows := func(at time.Time, hosts ...string) []map[string]any {
		var out []map[string]any
		for i, h := range hosts {
			out = append(out, map[string]any{"Timestamp": at.Add(time.Duration(i) * time.Second), "DeviceName": h, "RemoteIP": "203.0.113.9"})
		}
		return out
	}
	first := detect(t, m, batchOf(t, m.opts.Registry, "t1", "DeviceNetworkEvents", 1, rows(event, "ws1", "ws2", "ws1")...))
	if len(first) != 1 || len(first[0].Evidence.Rows) != 3 || !first[0].EndTime.Equal(event.Add(2*time.Second)) {
		t.Fatalf("first batch: %d alerts %+v", len(first), first)
	}
	if hosts := fmt.Sprint(first[0].Entities); hosts != "[{IP map[Address:203.0.113.9]} {Host map[FullName:ws1]} {Host map[FullName:ws2]}]" {
		t.Errorf("entities %s", hosts)
	}
	for _, c := range []struct {
		name  string
		table string
		at    time.Time
		want  int
	}{
		{"same table within the hour", "DeviceNetworkEvents", event.Add(30 * time.Minute), 0},
		{"another table", "DeviceLogonEvents", event.Add(31 * time.Minute), 1},
		{"quiet period extended by the suppressed match", "DeviceNetworkEvents", event.Add(80 * time.Minute), 0},
		{"after the quiet period", "DeviceNetworkEvents", event.Add(200 * time.Minute), 1},
	} {
		got := detect(t, m, batchOf(t, m.opts.Registry, "t1", c.table, 2, rows(c.at, "ws3")...))
		if len(got) != c.want {
			t.Errorf("%s: %d alerts, want %d", c.name, len(got), c.want)
		}
	}
}
