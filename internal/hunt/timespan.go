package hunt

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxTimespan is the longest range a hunting query may ask for: the archive is not searched
// by the hunting API.
const maxTimespan = 366 * 24 * time.Hour

// ParseTimespan reads the time range of a hunting query (the Timespan of a runHuntingQuery
// request, vigil query --timespan) as Microsoft Graph takes it, an ISO 8601 duration ending
// now ("P7D", "PT12H", "P1W", "P1DT6H") or an interval ("2024-01-01T00:00:00Z/2024-01-08T00:00:00Z",
// "2024-01-01T00:00:00Z/P7D"), and returns [from, to). Empty means no range: the query's own
// time filters apply.
func ParseTimespan(s string, now time.Time) (from, to time.Time, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, time.Time{}, nil
	}
	start, end, interval := strings.Cut(s, "/")
	switch {
	case !interval:
		d, err := parseISODuration(s)
		if err != nil {
			return from, to, err
		}
		from, to = now.Add(-d), now
	default:
		if from, err = time.Parse(time.RFC3339Nano, start); err != nil {
			return from, to, fmt.Errorf("timespan %q: the start is not an RFC 3339 time", s)
		}
		if strings.HasPrefix(end, "P") {
			d, err := parseISODuration(end)
			if err != nil {
				return from, to, err
			}
			to = from.Add(d)
		} else if to, err = time.Parse(time.RFC3339Nano, end); err != nil {
			return from, to, fmt.Errorf("timespan %q: the end is neither an RFC 3339 time nor a duration", s)
		}
	}
	switch {
	case !to.After(from):
		return from, to, fmt.Errorf("timespan %q: the end is not after the start", s)
	case to.Sub(from) > maxTimespan:
		return from, to, fmt.Errorf("timespan %q: longer than %d days", s, int(maxTimespan/(24*time.Hour)))
	}
	return from.UTC(), to.UTC(), nil
}

// parseISODuration reads PnW or PnDTnHnMnS (whole numbers; seconds may have a fraction).
// Years and months have no fixed length and are refused.
func parseISODuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("timespan %q: not an ISO 8601 duration such as P7D or PT12H", s)
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, bad
	}
	var d time.Duration
	inTime := false
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, bad
			}
			inTime, rest = true, rest[1:]
			continue
		}
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, bad
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || n < 0 {
			return 0, bad
		}
		var unit time.Duration
		switch u := rest[i]; {
		case u == 'W' && !inTime:
			unit = 7 * 24 * time.Hour
		case u == 'D' && !inTime:
			unit = 24 * time.Hour
		case u == 'H' && inTime:
			unit = time.Hour
		case u == 'M' && inTime:
			unit = time.Minute
		case u == 'S' && inTime:
			unit = time.Second
		case u == 'Y' || u == 'M':
			return 0, fmt.Errorf("timespan %q: years and months have no fixed length; use days", s)
		default:
			return 0, bad
		}
		if n > float64(maxTimespan/unit)+1 {
			return 0, fmt.Errorf("timespan %q: longer than %d days", s, int(maxTimespan/(24*time.Hour)))
		}
		d += time.Duration(n * float64(unit))
		rest = rest[i+1:]
	}
	if d == 0 {
		return 0, bad
	}
	return d, nil
}
