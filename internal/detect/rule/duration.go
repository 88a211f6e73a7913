package rule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a rule time span. It reads Sentinel's short form ("5m", "5h", "14d"), the ISO
// 8601 form of the ARM export ("PT5H", "P14D", "P1DT2H") and Defender's schedule periods
// ("1H", "24H", "0"), and renders as ISO 8601.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String renders d in ISO 8601 (PT5H, P14D, PT0S).
func (d Duration) String() string {
	if d == 0 {
		return "PT0S"
	}
	t := time.Duration(d)
	var b strings.Builder
	b.WriteString("P")
	if days := t / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		t -= days * 24 * time.Hour
	}
	if t == 0 {
		return b.String()
	}
	b.WriteString("T")
	for _, u := range []struct {
		d time.Duration
		s string
	}{{time.Hour, "H"}, {time.Minute, "M"}, {time.Second, "S"}} {
		if n := t / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.s)
			t -= n * u.d
		}
	}
	return b.String()
}

// MarshalText renders d in ISO 8601.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses any of the accepted forms.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	*d = v
	return err
}

var errDuration = errors.New("want a duration such as 5m, 5h, 14d, PT5H or P14D")

var shortUnits = map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}

// ParseDuration parses "5m", "5h", "14d", "30s", "PT5H", "P14D", "P1DT2H30M", "1H" or "0".
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errDuration
	}
	if s == "0" {
		return 0, nil
	}
	if s[0] == 'P' || s[0] == 'p' {
		return parseISO(strings.ToUpper(s[1:]))
	}
	unit, ok := shortUnits[s[len(s)-1]|0x20]
	if !ok {
		return 0, errDuration
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 32)
	if err != nil || n < 0 {
		return 0, errDuration
	}
	return Duration(time.Duration(n) * unit), nil
}

func parseISO(s string) (Duration, error) {
	var total time.Duration
	inTime, seen := false, false
	for len(s) > 0 {
		if s[0] == 'T' {
			if inTime {
				return 0, errDuration
			}
			inTime, s = true, s[1:]
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return 0, errDuration
		}
		n, _ := strconv.ParseInt(s[:i], 10, 64)
		var unit time.Duration
		switch {
		case !inTime && s[i] == 'D':
			unit = 24 * time.Hour
		case !inTime && s[i] == 'W':
			unit = 7 * 24 * time.Hour
		case inTime && s[i] == 'H':
			unit = time.Hour
		case inTime && s[i] == 'M':
			unit = time.Minute
		case inTime && s[i] == 'S':
			unit = time.Second
		default:
			return 0, errDuration
		}
		total += time.Duration(n) * unit
		s, seen = s[i+1:], true
	}
	if !seen {
		return 0, errDuration
	}
	return Duration(total), nil
}
