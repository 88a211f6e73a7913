package sema

import (
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
	var slots []syntax.Expr
	named := false
	for _, a := range e.Args {
		na, isNamed := a.(*syntax.NamedArg)
		if !isNamed {
			if named {
				c.errorf(a, "a positional argument cannot follow a named one")
				return nil, nil, false
			}
			slots = append(slots, a)
			continue
		}
		named = true
		i := -1
		for j, p := range params {
			if strings.EqualFold(p, na.Name.Name) {
				i = j
			}
		}
		if i < 0 {
			c.errorf(na.Name, "%s() has no parameter '%s' (its parameters: %s)", name, na.Name.Name, strings.Join(params, ", "))
			return nil, nil, false
		}
		for len(slots) <= i {
			slots = append(slots, nil)
		}
		if slots[i] != nil {
			c.errorf(na.Name, "the parameter '%s' of %s() is given twice", params[i], name)
			return nil, nil, false
		}
		slots[i] = na.Value
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
