package sema

import (
	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// timeExtraFns are the time functions of issue 4: bin_at, totimespan and the
// unixtime_*_todatetime family.
func timeExtraFns() map[string]*fnSig {
	dt := fixed(schema.TypeDatetime)
	return map[string]*fnSig{
		"bin_at":                           {Check: checkBinAt},
		"totimespan":                       {Check: checkToTimespan},
		"totime":                           {Check: checkToTimespan},
		"unixtime_seconds_todatetime":      {Args: "n", Min: 1, Ret: dt},
		"unixtime_milliseconds_todatetime": {Args: "n", Min: 1, Ret: dt},
		"unixtime_microseconds_todatetime": {Args: "n", Min: 1, Ret: dt},
		"unixtime_nanoseconds_todatetime":  {Args: "n", Min: 1, Ret: dt},
	}
}

// checkBinAt accepts bin_at(value, bin_size, fixed_point) and rewrites it to
// fixed_point + bin(value - fixed_point, bin_size): the bins are bin()'s bins
// shifted so that fixed_point starts one, which both dialects already lower.
func checkBinAt(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) != 3 {
		c.errorf(e, "bin_at() takes 3 arguments, not %d", len(args))
		return bad()
	}
	v, at := convert(args[0], schema.TypeReal), convert(args[2], schema.TypeReal)
	t := v.Type()
	switch {
	case t == schema.TypeDatetime || t == schema.TypeTimespan:
		if at.Type() != t {
			c.errorf(e.Args[2], "the fixed point of bin_at() on a %s must be a %s, not %s", t, t, at.Type())
			return bad()
		}
	case isNumeric(t):
		if !isNumeric(at.Type()) {
			c.errorf(e.Args[2], "the fixed point of bin_at() on a number must be a number, not %s", at.Type())
			return bad()
		}
	default:
		c.errorf(e.Args[0], "bin_at() needs a number, datetime or timespan, not %s", t)
		return bad()
	}
	if (t == schema.TypeDatetime || t == schema.TypeTimespan) && args[1].Type() != schema.TypeTimespan {
		c.errorf(e.Args[1], "the step of bin_at() on a %s must be a timespan, not %s", t, args[1].Type())
		return bad()
	}
	diff := &plan.Call{Fn: "-", Args: []plan.Expr{v, at}, T: arithType("-", t, at.Type())}
	binned := checkBin(c, &syntax.CallExpr{Span: e.Span, Name: e.Name, Args: []syntax.Expr{e.Args[0], e.Args[1]}}, []plan.Expr{diff, args[1]})
	if isBad(binned) {
		return bad()
	}
	return &plan.Call{Fn: "+", Args: []plan.Expr{at, binned}, T: arithType("+", at.Type(), binned.Type())}
}

// checkToTimespan accepts totimespan(x) (and its deprecated alias totime):
// a timespan passes through; a string (or dynamic value) is parsed when the
// query runs, null where it is not one of Kusto's timespan forms.
func checkToTimespan(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) != 1 {
		c.errorf(e, "%s() takes 1 argument, not %d", e.Name.Name, len(args))
		return bad()
	}
	x := args[0]
	switch x.Type() {
	case schema.TypeTimespan:
		return x
	case schema.TypeString, schema.TypeDynamic:
		return &plan.Call{Fn: "totimespan", Args: []plan.Expr{toStringArg(x)}, T: schema.TypeTimespan}
	default:
	}
	c.errorf(e.Args[0], "%s() needs a string or a timespan, not %s", e.Name.Name, x.Type())
	return bad()
}
