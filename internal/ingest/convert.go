package ingest

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/schema"
)

// convert turns one JSON value into the Go value of column type t, or explains why it cannot.
func convert(t schema.Type, v *fastjson.Value) (schema.Value, error) {
	if v.Type() == fastjson.TypeNull {
		return nil, nil
	}
	switch t {
	case schema.TypeString:
		return toString(v), nil
	case schema.TypeLong:
		return toInt(v, math.MinInt64, math.MaxInt64, "long")
	case schema.TypeInt:
		n, err := toInt(v, math.MinInt32, math.MaxInt32, "int")
		if err != nil {
			return nil, err
		}
		return int32(n), nil
	case schema.TypeReal:
		return toReal(v)
	case schema.TypeBool:
		return toBool(v)
	case schema.TypeDatetime:
		return toDatetime(v)
	case schema.TypeDynamic:
		return toDynamic(v), nil
	case schema.TypeGUID:
		return toGUID(v)
	case schema.TypeTimespan:
		return toTimespan(v)
	case schema.TypeDecimal:
		return toDecimal(v)
	case schema.TypeInvalid:
	}
	return nil, fmt.Errorf("column type %s cannot be ingested", t)
}

func kind(v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeObject:
		return "an object"
	case fastjson.TypeArray:
		return "an array"
	case fastjson.TypeString:
		return "a string"
	case fastjson.TypeNumber:
		return "a number"
	case fastjson.TypeTrue, fastjson.TypeFalse:
		return "a boolean"
	case fastjson.TypeNull:
		return "null"
	}
	return "a value"
}

// toString keeps strings as they are and the JSON text of anything else, as Log Analytics does.
func toString(v *fastjson.Value) string {
	if v.Type() == fastjson.TypeString {
		return string(v.GetStringBytes())
	}
	return string(v.MarshalTo(nil))
}

func toInt(v *fastjson.Value, lo, hi int64, name string) (int64, error) {
	var text string
	switch v.Type() {
	case fastjson.TypeNumber:
		text = string(v.MarshalTo(nil))
	case fastjson.TypeString:
		text = strings.TrimSpace(string(v.GetStringBytes()))
	default:
		return 0, fmt.Errorf("want %s, got %s", name, kind(v))
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
			return 0, fmt.Errorf("want %s, got %q", name, text)
		}
		n = int64(f)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s out of range: %s", name, text)
	}
	return n, nil
}

func toReal(v *fastjson.Value) (float64, error) {
	switch v.Type() {
	case fastjson.TypeNumber:
		return v.Float64()
	case fastjson.TypeString:
		s := strings.TrimSpace(string(v.GetStringBytes()))
		switch s {
		case "NaN", "nan":
			return math.NaN(), nil
		case "Infinity", "+Infinity", "inf":
			return math.Inf(1), nil
		case "-Infinity", "-inf":
			return math.Inf(-1), nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("want real, got %q", s)
		}
		return f, nil
	}
	return 0, fmt.Errorf("want real, got %s", kind(v))
}

func toBool(v *fastjson.Value) (bool, error) {
	switch v.Type() {
	case fastjson.TypeTrue:
		return true, nil
	case fastjson.TypeFalse:
		return false, nil
	case fastjson.TypeNumber:
		switch v.String() {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
	case fastjson.TypeString:
		switch strings.ToLower(strings.TrimSpace(string(v.GetStringBytes()))) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
	}
	return false, fmt.Errorf("want bool (true, false, 1 or 0), got %s", strings.TrimSpace(v.String()))
}

// datetimeLayouts are the forms of datetime text accepted, besides RFC 3339. Text without a
// zone is UTC, as in Kusto.
var datetimeLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
	"01/02/2006 15:04:05",
	time.RFC1123Z,
	time.RFC1123,
}

func toDatetime(v *fastjson.Value) (time.Time, error) {
	if v.Type() != fastjson.TypeString {
		return time.Time{}, fmt.Errorf("want datetime text (ISO 8601), got %s", kind(v))
	}
	s := strings.TrimSpace(string(v.GetStringBytes()))
	return ParseDatetime(s)
}

// ParseDatetime parses ISO 8601 / RFC 3339 text and the other common forms Kusto accepts;
// text without a zone is UTC. The result is in UTC.
func ParseDatetime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, l := range datetimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("want datetime (ISO 8601, e.g. 2024-05-01T12:30:00Z), got %q", s)
}

// toDynamic stores any JSON value as its JSON text; a string that holds a JSON object or array
// is parsed, as Log Analytics does for dynamic columns.
func toDynamic(v *fastjson.Value) schema.Dynamic {
	if v.Type() == fastjson.TypeString {
		b := v.GetStringBytes()
		t := strings.TrimSpace(string(b))
		if len(t) > 1 && (t[0] == '{' || t[0] == '[') {
			if inner, err := fastjson.Parse(t); err == nil {
				return schema.Dynamic(inner.MarshalTo(nil))
			}
		}
	}
	return schema.Dynamic(v.MarshalTo(nil))
}

func toGUID(v *fastjson.Value) (schema.GUID, error) {
	if v.Type() != fastjson.TypeString {
		return schema.GUID{}, fmt.Errorf("want guid text, got %s", kind(v))
	}
	return schema.ParseGUID(strings.TrimSpace(string(v.GetStringBytes())))
}

func toTimespan(v *fastjson.Value) (time.Duration, error) {
	if v.Type() != fastjson.TypeString {
		return 0, fmt.Errorf("want timespan text ([-][d.]hh:mm:ss[.fffffff] or 5m, 1h), got %s", kind(v))
	}
	return ParseTimespan(strings.TrimSpace(string(v.GetStringBytes())))
}

// ParseTimespan parses Kusto's timespan text: [-][d.]hh:mm[:ss[.fffffff]], or a literal such as
// 100ms, 30s, 5m, 2h, 1d.
func ParseTimespan(s string) (time.Duration, error) {
	bad := fmt.Errorf("want timespan ([-][d.]hh:mm:ss[.fffffff] or 5m, 1h, 1d), got %q", s)
	if !strings.Contains(s, ":") {
		return parseTimespanLiteral(s, bad)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, bad
		}
		days, s = d, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, bad
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	var sec float64
	var err3 error
	if len(parts) == 3 {
		sec, err3 = strconv.ParseFloat(parts[2], 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || m > 59 || sec >= 60 || h < 0 || m < 0 || sec < 0 {
		return 0, bad
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(math.Round(sec*1e9))
	if neg {
		d = -d
	}
	return d, nil
}

var timespanUnits = []struct {
	suffix string
	unit   time.Duration
}{
	{"microseconds", time.Microsecond}, {"microsecond", time.Microsecond},
	{"milliseconds", time.Millisecond}, {"millisecond", time.Millisecond},
	{"seconds", time.Second}, {"second", time.Second},
	{"minutes", time.Minute}, {"minute", time.Minute},
	{"hours", time.Hour}, {"hour", time.Hour},
	{"days", 24 * time.Hour}, {"day", 24 * time.Hour},
	{"ticks", 100 * time.Nanosecond}, {"tick", 100 * time.Nanosecond},
	{"ms", time.Millisecond}, {"us", time.Microsecond},
	{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second},
}

func parseTimespanLiteral(s string, bad error) (time.Duration, error) {
	for _, u := range timespanUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok && n != "" {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, bad
			}
			return time.Duration(math.Round(f * float64(u.unit))), nil
		}
	}
	return 0, bad
}

func toDecimal(v *fastjson.Value) (schema.Decimal, error) {
	var s string
	switch v.Type() {
	case fastjson.TypeNumber:
		s = string(v.MarshalTo(nil))
	case fastjson.TypeString:
		s = strings.TrimSpace(string(v.GetStringBytes()))
	default:
		return "", fmt.Errorf("want decimal, got %s", kind(v))
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("want decimal, got %q", s)
	}
	return schema.Decimal(r.FloatString(18)), nil
}
