package hunt

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimespan(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in       string
		from, to time.Time
		err      string
	}{
		{"", time.Time{}, time.Time{}, ""},
		{"P7D", now.Add(-7 * 24 * time.Hour), now, ""},
		{"PT12H", now.Add(-12 * time.Hour), now, ""},
		{"P1W", now.Add(-7 * 24 * time.Hour), now, ""},
		{"P1DT6H30M", now.Add(-30*time.Hour - 30*time.Minute), now, ""},
		{"PT1.5S", now.Add(-1500 * time.Millisecond), now, ""},
		{"2024-01-01T00:00:00Z/2024-01-08T00:00:00Z", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC), ""},
		{"2024-01-01T02:00:00+02:00/P1D", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), ""},
		{"P1M", time.Time{}, time.Time{}, "years and months"},
		{"P", time.Time{}, time.Time{}, "not an ISO 8601 duration"},
		{"7d", time.Time{}, time.Time{}, "not an ISO 8601 duration"},
		{"PT5D", time.Time{}, time.Time{}, "not an ISO 8601 duration"},
		{"P2000D", time.Time{}, time.Time{}, "longer than 366 days"},
		{"2024-01-08T00:00:00Z/2024-01-01T00:00:00Z", time.Time{}, time.Time{}, "not after the start"},
		{"yesterday/P1D", time.Time{}, time.Time{}, "start is not an RFC 3339 time"},
	} {
		from, to, err := ParseTimespan(c.in, now)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want one saying %q", c.in, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.in, err)
		case c.err == "" && (!from.Equal(c.from) || !to.Equal(c.to)):
			t.Errorf("%q: [%v, %v), want [%v, %v)", c.in, from, to, c.from, c.to)
		}
	}
}

func FuzzParseTimespan(f *testing.F) {
	for _, s := range []string{"P7D", "PT1.5S", "2024-01-01T00:00:00Z/P1D", "P1DT6H30M", "PT"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		from, to, err := ParseTimespan(s, now)
		if err == nil && !from.IsZero() && (!to.After(from) || to.Sub(from) > maxTimespan) {
			t.Errorf("%q: accepted [%v, %v)", s, from, to)
		}
	})
}
