package cli

import (
	"net/url"
	"testing"
	"time"
)

func TestIncidentListQuery(t *testing.T) {
	now := time.Date(2026, 5, 2, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		f    listFlags
		want string
	}{
		{listFlags{top: 10}, ""},
		{listFlags{top: 10, status: "active", severity: "high"}, "status eq 'active' and severity eq 'high'"},
		{listFlags{top: 10, assignedTo: "o'brien@corp", tag: "vip"}, "assignedTo eq 'o''brien@corp' and tags/any(t: t eq 'vip')"},
		{listFlags{top: 10, since: "24h", filter: "classification eq 'truePositive' or determination eq 'malware'"},
			"createdDateTime ge 2026-05-01T12:00:00Z and (classification eq 'truePositive' or determination eq 'malware')"},
	}
	for _, c := range cases {
		q, err := c.f.query(now)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := url.ParseQuery(q)
		if got := v.Get("$filter"); got != c.want || v.Get("$top") != "10" {
			t.Errorf("%+v: $filter %q $top %q, want %q", c.f, got, v.Get("$top"), c.want)
		}
	}
	if _, err := (&listFlags{since: "last week"}).query(now); err == nil {
		t.Error("bad --since accepted")
	}
}
