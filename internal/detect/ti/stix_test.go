package ti

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

var importTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// testBundle is a bundle with good, bad and non-indicator objects.
const testBundle = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"identity","spec_version":"2.1","id":"identity--acme","name":"ACME CERT","identity_class":"organization"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--c2","created_by_ref":"identity--acme","name":"C2 server",
  "description":"Known C2","pattern":"[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'evil.example']","pattern_type":"stix",
  "valid_from":"2025-01-01T00:00:00Z","valid_until":"2027-01-01T00:00:00Z","confidence":90,"indicator_types":["malicious-activity"],
  "created":"2024-12-01T00:00:00Z","modified":"2024-12-02T00:00:00Z"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--nopattern","valid_from":"2025-01-01T00:00:00Z"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--bad","pattern":"[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '5.6.7.8']","valid_from":"2025-01-01T00:00:00Z"},
 {"type":"malware","spec_version":"2.1","id":"malware--x","name":"x","is_family":false},
 {"type":"indicator","id":"indicator--conf","pattern":"[url:value = 'http://a.example/']","valid_from":"2025-01-01T00:00:00Z","confidence":"high"},
 {"type":"indicator","id":"indicator--range","pattern":"[url:value = 'http://a.example/']","valid_from":"2025-01-01T00:00:00Z","confidence":101},
 {"type":"indicator","id":"indicator--until","pattern":"[url:value = 'http://a.example/']","valid_from":"2025-01-01T00:00:00Z","valid_until":"2024-01-01T00:00:00Z"},
 {"type":"indicator","id":"indicator--ip","pattern":"[ipv4-addr:value = '999.1.1.1']","valid_from":"2025-01-01T00:00:00Z"},
 {"type":"indicator","id":"indicator--sigma","pattern":"title: x","pattern_type":"sigma","valid_from":"2025-01-01T00:00:00Z"},
 {"type":"indicator","id":"x--1","pattern":"[url:value = 'http://a.example/']","valid_from":"2025-01-01T00:00:00Z"},
 {"type":"indicator","id":"indicator--time","pattern":"[url:value = 'http://a.example/']","valid_from":"yesterday"},
 {"type":"indicator","id":"indicator--hash","pattern":"[file:hashes.'SHA-256' = 'AABB']","valid_from":"2025-01-01T00:00:00Z","labels":["malware"],"revoked":true},
 7
]}`

func TestParseBundle(t *testing.T) {
	p, err := ParseBundle([]byte(testBundle), "t1", importTime)
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []string{
		"object 2 (indicator--nopattern): pattern is required",
		"object 3 (indicator--bad): pattern at byte 29: AND is not supported: only comparisons joined by OR can be matched",
		"object 5: invalid object: confidence must be int, not string",
		"object 6 (indicator--range): confidence 101 is not from 0 to 100",
		"object 7 (indicator--until): valid_until must be later than valid_from",
		`object 8 (indicator--ip): invalid ip value "999.1.1.1"`,
		`object 9 (indicator--sigma): pattern_type "sigma" is not supported (want stix)`,
		`object 10 (x--1): id "x--1" must start with indicator--`,
		`object 11 (indicator--time): valid_from: "yesterday" is not an RFC 3339 timestamp`,
		"object 13: invalid object: the object must be a JSON object, not number",
	}
	var got []string
	for _, e := range p.Errors {
		got = append(got, e.Error())
	}
	if !reflect.DeepEqual(got, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantErrs, "\n"))
	}
	if p.Objects != 2 || p.Skipped != 2 || len(p.Indicators) != 3 {
		t.Fatalf("objects %d skipped %d indicators %d", p.Objects, p.Skipped, len(p.Indicators))
	}
	c2 := p.Indicators[0]
	want := Indicator{Tenant: "t1", ID: "indicator--c2", Kind: KindIP, Value: "203.0.113.9", Name: "C2 server", Description: "Known C2",
		Confidence: 90, Types: []string{"malicious-activity"}, Source: "ACME CERT", Pattern: c2.Pattern,
		ValidFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Active: true, Modified: time.Date(2024, 12, 2, 0, 0, 0, 0, time.UTC), Updated: importTime}
	if !reflect.DeepEqual(c2, want) {
		t.Errorf("indicator:\n%+v\nwant\n%+v", c2, want)
	}
	if d := p.Indicators[1]; d.Kind != KindDomain || d.Value != "evil.example" || d.ID != "indicator--c2" {
		t.Errorf("second observable %+v", d)
	}
	if h := p.Indicators[2]; h.Kind != KindFileHash || h.HashType != HashSHA256 || !h.Revoked || h.Confidence != -1 || h.Types[0] != "malware" {
		t.Errorf("hash %+v", h)
	}
}

func TestParseBundleRejectsWhole(t *testing.T) {
	tests := []struct{ body, want string }{
		{``, "invalid STIX bundle: EOF"},
		{`{"type":"bundle","objects":[}`, "invalid STIX bundle at byte 29: invalid character '}' looking for beginning of value"},
		{`{"type":"report"}`, `invalid STIX bundle: type is "report", want "bundle"`},
		{`{"objects":[]}`, `invalid STIX bundle: missing "type": want "bundle"`},
		{`{"type":"bundle","objects":{}}`, "invalid STIX bundle at byte 28: objects must be []json.RawMessage, not object"},
		{`{"type":"bundle"} {}`, "invalid STIX bundle at byte 18: unexpected data after the bundle"},
		{`[1]`, "invalid STIX bundle at byte 1: the bundle must be a JSON object, not array"},
	}
	for _, tc := range tests {
		_, err := ParseBundle([]byte(tc.body), "t1", importTime)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseBundle(%s) error = %v, want %s", tc.body, err, tc.want)
		}
	}
}

func TestParseSingleIndicator(t *testing.T) {
	p, err := ParseBundle([]byte(`{"type":"indicator","id":"indicator--1","pattern":"[email-addr:value = 'A@B.example']","valid_from":"2025-01-01T00:00:00Z"}`), "t1", importTime)
	if err != nil || len(p.Indicators) != 1 || p.Indicators[0].Kind != KindEmail {
		t.Fatalf("%+v %v", p, err)
	}
}

// TestRowsRoundTrip renders indicators as rows of both tables and reads them back.
func TestRowsRoundTrip(t *testing.T) {
	reg := testRegistry()
	p, err := ParseBundle([]byte(testBundle), "t1", importTime)
	if err != nil {
		t.Fatal(err)
	}
	trs, err := Rows(reg, p.Indicators)
	if err != nil || len(trs) != 2 {
		t.Fatalf("Rows: %v %v", trs, err)
	}
	for _, tr := range trs {
		var back []Indicator
		for _, row := range tr.Rows {
			get := func(col string) any {
				i, ok := tr.Table.Column(col)
				if !ok {
					return nil
				}
				return row[i]
			}
			back = append(back, ReadRow(tr.Table.Name, "t1", get)...)
		}
		if len(back) != len(p.Indicators) {
			t.Fatalf("%s: %d indicators back, want %d", tr.Table.Name, len(back), len(p.Indicators))
		}
		for i := range back {
			w := p.Indicators[i]
			g := back[i]
			if tr.Table.Name == TableSTIX {
				w.Types = w.Types[:1] // ThreatType only
				w.Source = g.Source
			}
			w.Pattern, g.Pattern = "", ""
			if tr.Table.Name == TableLegacy && w.Revoked {
				w.Active = false // the legacy table folds revocation into Active
			}
			if !reflect.DeepEqual(g, w) {
				gj, _ := json.Marshal(g)
				wj, _ := json.Marshal(w)
				t.Errorf("%s row %d:\n%s\nwant\n%s", tr.Table.Name, i, gj, wj)
			}
		}
	}
}
