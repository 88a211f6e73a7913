package sema

import (
	"slices"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
)

// namedParams lists, for the functions whose optional parameters a call may name
// (series_decompose_anomalies(y, seasonality=24)), their parameters in order. Their checks
// treat a nil argument as one not given.
var namedParams = map[string][]string{
	"series_decompose_anomalies": {"series", "threshold", "seasonality", "trend", "test_points", "ad_method", "seasonality_threshold"},
	"series_decompose":           {"series", "seasonality", "trend", "test_points", "seasonality_threshold"},
	"series_outliers":            {"series", "kind", "ignore_val", "min_percentile", "max_percentile"},
	"series_stats":               {"series", "ignore_val"},
}

// hasNamedArg reports whether a call names one of its arguments.
func hasNamedArg(args []syntax.Expr) bool {
	for _, a := range args {
		if _, ok := a.(*syntax.NamedArg); ok {
			return true
		}
	}
	return false
}

// positionalArgs puts the named arguments of e in their places, returning the argument
// expressions (nil where an optional parameter is left out) and the syntax to blame for each.
func (c *checker) positionalArgs(e *syntax.CallExpr, s *scope) ([]plan.Expr, []syntax.Expr, bool) {
	name := e.Name.Name
	params, ok := namedParams[name]
	if !ok {
		for _, a := range e.Args {
			if na, isNamed := a.(*syntax.NamedArg); isNamed {
				c.errorf(na.Name, "%s() has no named parameters: give its arguments in order", name)
				return nil, nil, false
			}
		}
	}
	slots, ok := c.placeArgs(e.Args, name, params, strings.EqualFold)
	if !ok {
		return nil, nil, false
	}
	args := make([]plan.Expr, len(slots))
	blame := make([]syntax.Expr, len(slots))
	for i, a := range slots {
		if a == nil {
			if i == 0 {
				c.errorf(e, "%s() needs its first argument, the %s", name, params[0])
				return nil, nil, false
			}
			blame[i] = e
			continue
		}
		blame[i] = a
		args[i] = c.expr(a, s)
		if isBad(args[i]) {
			return nil, nil, false
		}
	}
	return args, blame, true
}

// placeArgs puts each argument of a call of name in the slot of its parameter: positional
// arguments in order, then each named one where params has its name (same compares names).
// A slot left nil is a parameter not given. It reports a named parameter that does not exist
// or is given twice, and a positional argument after a named one.
func (c *checker) placeArgs(args []syntax.Expr, name string, params []string, same func(a, b string) bool) ([]syntax.Expr, bool) {
	var slots []syntax.Expr
	named := false
	for _, a := range args {
		na, isNamed := a.(*syntax.NamedArg)
		if !isNamed {
			if named {
				c.errorf(a, "a positional argument cannot follow a named one")
				return nil, false
			}
			slots = append(slots, a)
			continue
		}
		named = true
		i := slices.IndexFunc(params, func(p string) bool { return same(p, na.Name.Name) })
		if i < 0 {
			c.errorf(na.Name, "%s() has no parameter '%s' (its parameters: %s)", name, na.Name.Name, strings.Join(params, ", "))
			return nil, false
		}
		for len(slots) <= i {
			slots = append(slots, nil)
		}
		if slots[i] != nil {
			c.errorf(na.Name, "the parameter '%s' of %s() is given twice", params[i], name)
			return nil, false
		}
		slots[i] = na.Value
	}
	return slots, true
}
