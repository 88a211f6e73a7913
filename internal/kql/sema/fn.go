package sema

import (
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// fnSig is a scalar function's signature. Args has one letter per argument:
// s string, n number, d datetime, t timespan, b bool, y dynamic, a any,
// c constant string, x number/datetime/timespan; a trailing '*' repeats the
// last letter. Min is the least number of arguments. Ret computes the result
// type from the checked arguments. Check, when set, replaces the generic
// checking entirely.
type fnSig struct {
	Args  string
	Min   int
	Ret   func(args []plan.Expr) schema.Type
	Check func(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr
}

func fixed(t schema.Type) func([]plan.Expr) schema.Type {
	return func([]plan.Expr) schema.Type { return t }
}

func argType(i int) func([]plan.Expr) schema.Type {
	return func(a []plan.Expr) schema.Type { return a[i].Type() }
}

// functions is the table of scalar functions, assembled from the families.
var functions = mergeFns(stringFns(), timeFns(), convFns(), dynamicFns(), mathFns(), arrayFns(), seriesFns(), extraFns(), timeExtraFns(), webFns())

func mergeFns(parts ...map[string]*fnSig) map[string]*fnSig {
	m := map[string]*fnSig{}
	for _, p := range parts {
		for k, v := range p {
			m[k] = v
		}
	}
	return m
}

// FunctionNames returns the names of the supported scalar functions and
// aggregates, sorted.
func FunctionNames() []string {
	out := make([]string, 0, len(functions)+len(aggregates))
	for k := range functions {
		out = append(out, k)
	}
	for k := range aggregates {
		out = append(out, k)
	}
	out = append(out, "ingestion_time", "column_ifexists", "toscalar")
	for k := range windowFns {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *checker) call(e *syntax.CallExpr, s *scope) plan.Expr {
	name := e.Name.Name
	if f, ok := c.funcs[name]; ok {
		return c.callScalarUDF(e, f, s)
	}
	if name == "column_ifexists" {
		return c.columnIfExists(e, s)
	}
	if name == "toscalar" {
		return c.toScalar(e, s)
	}
	e = canonicalCall(e)
	name = e.Name.Name
	if ag, ok := aggregates[name]; ok {
		return c.aggregateCall(e, ag, s)
	}
	if w, ok := windowFns[name]; ok {
		return c.window(e, w, s)
	}
	if name == "ingestion_time" {
		return c.ingestionTime(e, s)
	}
	sig, ok := functions[name]
	if !ok {
		if lsig, lok := functions[strings.ToLower(name)]; lok {
			c.errorf(e.Name, "unknown function '%s'; did you mean '%s'?", name, strings.ToLower(name))
			_ = lsig
			return bad()
		}
		c.errorf(e.Name, "unknown function '%s'%s", name, didYouMean(nearest(name, FunctionNames())))
		return bad()
	}
	if hasNamedArg(e.Args) {
		args, blame, ok := c.positionalArgs(e, s)
		if !ok {
			return bad()
		}
		return sig.Check(c, &syntax.CallExpr{Span: e.Span, Name: e.Name, Args: blame}, args)
	}
	args := make([]plan.Expr, len(e.Args))
	for i, a := range e.Args {
		args[i] = c.expr(a, s)
		if isBad(args[i]) {
			return bad()
		}
	}
	if sig.Check != nil {
		return sig.Check(c, e, args)
	}
	if !c.checkArgs(e, sig, args) {
		return bad()
	}
	return &plan.Call{Fn: name, Args: args, T: sig.Ret(args)}
}

// checkArgs checks the number and kinds of args, converting where Kusto does.
func (c *checker) checkArgs(e *syntax.CallExpr, sig *fnSig, args []plan.Expr) bool {
	kinds := strings.TrimSuffix(sig.Args, "*")
	variadic := strings.HasSuffix(sig.Args, "*")
	maxN := len(kinds)
	if len(args) < sig.Min || !variadic && len(args) > maxN {
		if sig.Min == maxN {
			c.errorf(e, "%s() takes %d argument%s, not %d", e.Name.Name, maxN, plural(maxN), len(args))
		} else if variadic {
			c.errorf(e, "%s() takes at least %d argument%s, not %d", e.Name.Name, sig.Min, plural(sig.Min), len(args))
		} else {
			c.errorf(e, "%s() takes %d to %d arguments, not %d", e.Name.Name, sig.Min, maxN, len(args))
		}
		return false
	}
	for i := range args {
		k := kinds[min(i, len(kinds)-1)]
		conv, ok := coerceArg(k, args[i])
		if !ok {
			c.errorf(e.Args[i], "argument %d of %s() must be %s, not %s", i+1, e.Name.Name, kindName(k), args[i].Type())
			return false
		}
		args[i] = conv
	}
	return true
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func kindName(k byte) string {
	return map[byte]string{'s': "a string", 'n': "a number", 'd': "a datetime", 't': "a timespan", 'b': "a bool",
		'y': "dynamic", 'c': "a constant string", 'x': "a number, datetime or timespan", 'a': "a value"}[k]
}

func coerceArg(k byte, x plan.Expr) (plan.Expr, bool) {
	t := x.Type()
	switch k {
	case 'a':
		return x, true
	case 's':
		return toStringArg(x), true
	case 'c':
		_, ok := x.(*plan.Const)
		return x, ok && t == schema.TypeString
	case 'n':
		x = convert(x, schema.TypeReal)
		return x, isNumeric(x.Type())
	case 'd':
		x = convert(x, schema.TypeDatetime)
		return x, x.Type() == schema.TypeDatetime
	case 't':
		return x, t == schema.TypeTimespan
	case 'b':
		x = convert(x, schema.TypeBool)
		return x, x.Type() == schema.TypeBool
	case 'y':
		return x, t == schema.TypeDynamic
	case 'x':
		x = convert(x, schema.TypeReal)
		t = x.Type()
		return x, isNumeric(t) || t == schema.TypeDatetime || t == schema.TypeTimespan
	}
	return x, false
}
