package ingest

import (
	"errors"
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
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s out of range: %s", name, text)
	}
	if err != nil {
		// An integral number written as a real (3.0, 1e3) is accepted; 2^63 is not a long.
		f, ferr := strconv.ParseFloat(text, 64)
		if ferr != nil || f != math.Trunc(f) {
			return 0, fmt.Errorf("want %s, got %q", name, text)
		}
		if f < float64(lo) || f >= -float64(lo) {
			return 0, fmt.Errorf("%s out of range: %s", name, text)
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
		f, err := v.Float64()
		if err == nil && math.IsInf(f, 0) {
			return 0, fmt.Errorf("real out of range: %s", v.MarshalTo(nil))
		}
		return f, err
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
	default:
		return 0, fmt.Errorf("want real, got %s", kind(v))
	}
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
	default:
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
			if inner, err := fastjson.Parse(t); err == nil && fastjson.Validate(t) == nil {
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
	orig := s
	bad := fmt.Errorf("want timespan ([-][d.]hh:mm:ss[.fffffff] or 5m, 1h, 1d), got %q", s)
	if !strings.Contains(s, ":") {
		return parseTimespanLiteral(s, bad)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		if !allDigits(s[:i]) {
			return 0, bad
		}
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, bad
		}
		days, s = d, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || !allDigits(parts[0]) || !allDigits(parts[1]) {
		return 0, bad
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	var sec float64
	var err3 error
	if len(parts) == 3 {
		if !plainDecimal(parts[2]) {
			return 0, bad
		}
		sec, err3 = strconv.ParseFloat(parts[2], 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || m > 59 || sec >= 60 || days < 0 {
		return 0, bad
	}
	total := float64(days)*86400 + float64(h)*3600 + float64(m)*60 + sec
	if total*1e9 >= math.MaxInt64 {
		return 0, fmt.Errorf("timespan out of range: %q", orig)
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
			if !plainDecimal(strings.TrimPrefix(n, "-")) {
				return 0, bad
			}
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, bad
			}
			d := f * float64(u.unit)
			if math.Abs(d) >= math.MaxInt64 {
				return 0, fmt.Errorf("timespan out of range: %q", s)
			}
			return time.Duration(math.Round(d)), nil
		}
	}
	return 0, bad
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// plainDecimal reports whether s is digits with at most one '.', with a digit somewhere: no
// sign, exponent, NaN or infinity.
func plainDecimal(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
			digits++
		case s[i] == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

var decimalMax = new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(29), nil))

// hugeExponent reports whether s has an exponent too large for a decimal.
func hugeExponent(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	e, err := strconv.Atoi(s[i+1:])
	return err != nil || e > 40 || e < -40
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
	// big.Rat also takes fractions (1/3) and exponents of any size; a decimal is neither.
	if strings.ContainsAny(s, "/") {
		return "", fmt.Errorf("want decimal, got %q", s)
	}
	if len(s) > 64 || hugeExponent(s) {
		return "", fmt.Errorf("want decimal (at most 38 digits), got %q", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("want decimal, got %q", s)
	}
	if new(big.Rat).Abs(r).Cmp(decimalMax) >= 0 {
		return "", fmt.Errorf("decimal out of range (at most 29 digits before the point): %q", s)
	}
	return schema.Decimal(r.FloatString(9)), nil
}
