package api

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/meta"
)

func TestODataFilter(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	ins := []meta.Incident{
		{ID: 1, Status: "active", Severity: "high", AssignedTo: "alice@corp", Tags: []string{"apt", "vip"}, CreatedAt: at},
		{ID: 2, Status: "resolved", Severity: "low", Classification: "falsePositive", Tags: []string{"noise"}, CreatedAt: at.Add(time.Hour)},
		{ID: 3, Status: "inProgress", Severity: "medium", AssignedTo: "bob@corp", CreatedAt: at.Add(2 * time.Hour)},
	}
	cases := []struct {
		filter string
		want   []int64
	}{
		{"status eq 'active'", []int64{1}},
		{"status ne 'active'", []int64{2, 3}},
		{"severity eq 'high' or severity eq 'medium'", []int64{1, 3}},
		{"not (status eq 'resolved') and assignedTo ne null", []int64{1, 3}},
		{"severity in ('low', 'medium')", []int64{2, 3}},
		{"createdDateTime ge 2026-05-01T10:30:00Z", []int64{2, 3}},
		{"createdDateTime lt '2026-05-01T11:00:00Z'", []int64{1}},
		{"tags/any(t: t eq 'vip')", []int64{1}},
		{"customTags/any(x: x eq 'noise' or x eq 'apt')", []int64{1, 2}},
		{"tags/any()", []int64{1, 2}},
		{"STATUS eq 'Active'", nil}, // field names are case-sensitive, values are not
		{"'high' eq severity", []int64{1}},
		{"assignedTo eq 'ALICE@corp'", []int64{1}},
		{"classification eq 'falsePositive' and (createdDateTime gt 2026-05-01 or status eq 'active')", []int64{2}},
	}
	for _, c := range cases {
		e, err := parseODataFilter(c.filter, incidentFields)
		if c.want == nil {
			if err == nil {
				t.Errorf("%s: no error", c.filter)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.filter, err)
			continue
		}
		var got []int64
		for _, in := range ins {
			if isTrue(e.eval(incidentRecord(in), nil)) {
				got = append(got, in.ID)
			}
		}
		if !equalIDs(got, c.want) {
			t.Errorf("%s: %v, want %v", c.filter, got, c.want)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestODataFilterErrors(t *testing.T) {
	cases := []struct{ filter, want string }{
		{"owner eq 'x'", `$filter: position 1: cannot filter on "owner" (fields: alertCount, assignedTo, classification, createdDateTime, customTags, determination, displayName, firstActivityDateTime, id, lastActivityDateTime, lastUpdateDateTime, severity, status, tags)`},
		{"status eq 'closed'", `$filter: position 11: unknown status "closed" (want one of active, resolved, inProgress, redirected)`},
		{"status eq 'active' and", `$filter: position 23: expected a field or a value, found the end`},
		{"status eq 'active' severity eq 'low'", `$filter: position 20: unexpected "severity"; expected and, or or the end`},
		{"(status eq 'active'", `$filter: position 20: expected ")", found the end`},
		{"status eq 'active", `$filter: position 11: unterminated string literal`},
		{"createdDateTime gt 'yesterday'", `$filter: position 20: createdDateTime is a datetime; "yesterday" is not (want RFC 3339)`},
		{"createdDateTime gt 2026-13-01T00:00:00Z", `$filter: position 20: bad datetime "2026-13-01T00:00:00Z" (want RFC 3339, such as 2026-05-01T10:00:00Z)`},
		{"tags eq 'x'", `$filter: position 6: tags is a collection: use tags/any(t: t eq 'value')`},
		{"tags/all(t: t eq 'x')", `$filter: position 6: expected any after tags/, found "all"`},
		{"status", `$filter: position 7: expected a comparison operator after status, found the end`},
		{"status eq 'active' & x", `$filter: position 20: unexpected character '&'`},
		{"severity in ('low' 'high')", `$filter: position 20: expected "," or ")" in the list, found "high"`},
		{"severity eq high", `$filter: position 13: cannot filter on "high" (fields: alertCount, assignedTo, classification, createdDateTime, customTags, determination, displayName, firstActivityDateTime, id, lastActivityDateTime, lastUpdateDateTime, severity, status, tags)`},
	}
	for _, c := range cases {
		_, err := parseODataFilter(c.filter, incidentFields)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s:\n got  %v\n want %s", c.filter, err, c.want)
		}
	}
}

func TestODataOrderBy(t *testing.T) {
	keys, err := parseOrderBy("severity desc, createdDateTime", incidentFields)
	if err != nil || len(keys) != 2 || !keys[0].desc || keys[1].desc || keys[1].field != "createdDateTime" {
		t.Fatalf("parseOrderBy = %+v, %v", keys, err)
	}
	for in, want := range map[string]string{
		"owner":              `$orderby: position 1: cannot order by "owner"`,
		"severity, tags":     `$orderby: position 11: cannot order by "tags"`,
		"severity downwards": `$orderby: position 10: expected asc or desc, found "downwards"`,
	} {
		_, err := parseOrderBy(in, incidentFields)
		if err == nil || len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
			t.Errorf("%s: %v, want %s...", in, err, want)
		}
	}
}

func FuzzODataFilter(f *testing.F) {
	for _, s := range []string{"status eq 'active'", "tags/any(t: t eq 'x') and not (severity in ('low'))", "createdDateTime ge 2026-05-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseODataFilter(s, incidentFields)
		if err == nil {
			_ = e.eval(incidentRecord(meta.Incident{Tags: []string{"a"}}), nil)
		}
	})
}
