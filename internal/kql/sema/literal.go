package sema

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

func (c *checker) literal(e syntax.Expr) plan.Expr {
	switch e := e.(type) {
	case *syntax.IntLit:
		return plan.Long(e.Value)
	case *syntax.RealLit:
		return &plan.Const{V: e.Value, T: schema.TypeReal}
	case *syntax.StringLit:
		return plan.Str(e.Value)
	case *syntax.BoolLit:
		return plan.Bool(e.Value)
	case *syntax.TimespanLit:
		return &plan.Const{V: e.Value, T: schema.TypeTimespan}
	case *syntax.DynamicLit:
		return c.dynamicLit(e)
	case *syntax.TypedLit:
		t, err := schema.ParseType(e.Type)
		if err != nil {
			c.errorf(e, "unknown type '%s'", e.Type)
			return bad()
		}
		if strings.EqualFold(e.Value, "null") || e.Value == "" {
			return &plan.Const{T: t}
		}
		v, ok := parseTyped(t, e.Value)
		if !ok {
			c.errorf(e, "invalid %s literal '%s'", t, e.Value)
			return bad()
		}
		return &plan.Const{V: v, T: t}
	}
	c.errorf(e, "unsupported literal")
	return bad()
}

var datetimeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05.9999999Z", "2006-01-02 15:04:05.9999999",
	"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02", "2006-01", "2006",
}

// parseTyped parses the text of type(value) literals.
func parseTyped(t schema.Type, s string) (any, bool) {
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	switch t {
	case schema.TypeDatetime:
		for _, l := range datetimeLayouts {
			if ts, err := time.Parse(l, s); err == nil {
				return ts.UTC(), true
			}
		}
	case schema.TypeTimespan:
		return parseTimespan(s)
	case schema.TypeLong, schema.TypeInt:
		n, err := strconv.ParseInt(s, 0, 64)
		return n, err == nil
	case schema.TypeReal:
		switch strings.ToLower(s) {
		case "nan":
			return math.NaN(), true
		case "+inf", "inf":
			return math.Inf(1), true
		case "-inf":
			return math.Inf(-1), true
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	case schema.TypeBool:
		b, err := strconv.ParseBool(s)
		return b, err == nil
	case schema.TypeGUID:
		g, err := schema.ParseGUID(s)
		return g.String(), err == nil
	case schema.TypeString:
		return s, true
	default:
	}
	return nil, false
}

// parseTimespan parses [-][d.]hh:mm[:ss[.fffffff]] or a number with a unit.
func parseTimespan(s string) (any, bool) {
	if d, err := time.ParseDuration(strings.ReplaceAll(strings.ReplaceAll(s, "d", "h*24"), "h*24", "h")); err == nil && !strings.Contains(s, "d") {
		return d, true
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s+":", ':') {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return nil, false
		}
		days, s = n, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && days == 0 {
			return time.Duration(n) * 24 * time.Hour, true
		}
		return nil, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if len(parts) == 3 {
		sec, err := strconv.ParseFloat(parts[2], 64)
		if err != nil {
			return nil, false
		}
		d += time.Duration(sec * float64(time.Second))
	}
	if neg {
		d = -d
	}
	return d, true
}
