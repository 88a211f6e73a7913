package sema

import (
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

func timeFns() map[string]*fnSig {
	dt, in := fixed(schema.TypeDatetime), fixed(schema.TypeInt)
	return map[string]*fnSig{
		"ago":             {Check: checkAgo},
		"now":             {Check: checkNow},
		"bin":             {Check: checkBin},
		"floor":           {Check: checkBin},
		"startofday":      {Args: "d", Min: 1, Ret: dt},
		"startofweek":     {Args: "d", Min: 1, Ret: dt},
		"startofmonth":    {Args: "d", Min: 1, Ret: dt},
		"startofyear":     {Args: "d", Min: 1, Ret: dt},
		"endofday":        {Args: "d", Min: 1, Ret: dt},
		"dayofweek":       {Args: "d", Min: 1, Ret: fixed(schema.TypeTimespan)},
		"hourofday":       {Args: "d", Min: 1, Ret: in},
		"dayofmonth":      {Args: "d", Min: 1, Ret: in},
		"getmonth":        {Args: "d", Min: 1, Ret: in},
		"monthofyear":     {Args: "d", Min: 1, Ret: in},
		"getyear":         {Args: "d", Min: 1, Ret: in},
		"datetime_diff":   {Args: "cdd", Min: 3, Ret: fixed(schema.TypeLong)},
		"datetime_add":    {Args: "cnd", Min: 3, Ret: dt},
		"format_datetime": {Args: "dc", Min: 2, Ret: fixed(schema.TypeString)},
		"format_timespan": {Check: checkFormatTimespan},
	}
}

// timespanFormatChars are the letters and delimiters format_timespan knows.
const timespanFormatChars = "dhHmsfF /-:,._[]"

func checkFormatTimespan(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if !c.checkArgs(e, &fnSig{Args: "tc", Min: 2}, args) {
		return bad()
	}
	f, _ := args[1].(*plan.Const).V.(string)
	for _, r := range f {
		if !strings.ContainsRune(timespanFormatChars, r) {
			c.errorf(e.Args[1], "format_timespan() does not support %q in a format; use d, h, H, m, s, f, F and the delimiters %s", r, timespanFormatChars[7:])
			return bad()
		}
	}
	return &plan.Call{Fn: "format_timespan", Args: args, T: schema.TypeString}
}

func constDuration(x plan.Expr) (time.Duration, bool) {
	k, ok := x.(*plan.Const)
	if !ok {
		return 0, false
	}
	d, ok := k.V.(time.Duration)
	return d, ok
}

// checkAgo folds ago(span) into a constant: now() is fixed for the query.
func checkAgo(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) != 1 || args[0].Type() != schema.TypeTimespan {
		c.errorf(e, "ago() takes one timespan argument")
		return bad()
	}
	if d, ok := constDuration(args[0]); ok {
		return &plan.Const{V: c.opts.Now.Add(-d), T: schema.TypeDatetime}
	}
	now := &plan.Const{V: c.opts.Now, T: schema.TypeDatetime}
	return &plan.Call{Fn: "-", Args: []plan.Expr{now, args[0]}, T: schema.TypeDatetime}
}

func checkNow(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) > 1 || len(args) == 1 && args[0].Type() != schema.TypeTimespan {
		c.errorf(e, "now() takes an optional timespan offset")
		return bad()
	}
	if len(args) == 0 {
		return &plan.Const{V: c.opts.Now, T: schema.TypeDatetime}
	}
	if d, ok := constDuration(args[0]); ok {
		return &plan.Const{V: c.opts.Now.Add(d), T: schema.TypeDatetime}
	}
	c.errorf(e.Args[0], "now() needs a constant offset")
	return bad()
}

func checkBin(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	name := e.Name.Name
	if len(args) != 2 {
		c.errorf(e, "%s() takes 2 arguments, not %d", name, len(args))
		return bad()
	}
	v, step := convert(args[0], schema.TypeReal), args[1]
	t := v.Type()
	switch {
	case t == schema.TypeDatetime || t == schema.TypeTimespan:
		if step.Type() != schema.TypeTimespan {
			c.errorf(e.Args[1], "the step of %s() on a %s must be a timespan, not %s", name, t, step.Type())
			return bad()
		}
	case isNumeric(t):
		if !isNumeric(step.Type()) {
			c.errorf(e.Args[1], "the step of %s() on a number must be a number, not %s", name, step.Type())
			return bad()
		}
		t = numericResult(t, step.Type())
	default:
		c.errorf(e.Args[0], "%s() needs a number, datetime or timespan, not %s", name, t)
		return bad()
	}
	if _, ok := step.(*plan.Const); !ok {
		c.errorf(e.Args[1], "the step of %s() must be a constant", name)
		return bad()
	}
	return &plan.Call{Fn: "bin", Args: []plan.Expr{v, step}, T: t}
}
