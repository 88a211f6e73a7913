package sema

import (
	"regexp"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// arrayFns are the functions over dynamic arrays and bit patterns, and the
// regular-expression and IPv4 formatting functions that return them.
func arrayFns() map[string]*fnSig {
	dyn, str, lng := fixed(schema.TypeDynamic), fixed(schema.TypeString), fixed(schema.TypeLong)
	return map[string]*fnSig{
		"set_difference":        {Args: "yy*", Min: 2, Ret: dyn},
		"set_intersect":         {Args: "yy*", Min: 2, Ret: dyn},
		"set_union":             {Args: "yy*", Min: 2, Ret: dyn},
		"array_concat":          {Args: "y*", Min: 1, Ret: dyn},
		"array_slice":           intFn("ynn", 3, 1, dyn),
		"strcat_array":          {Args: "ys", Min: 2, Ret: str},
		"extract_all":           {Check: checkExtractAll},
		"format_ipv4":           intFn("sn", 1, 1, str),
		"format_ipv4_mask":      intFn("sn", 1, 1, str),
		"binary_and":            intFn("nn", 2, 0, lng),
		"binary_or":             intFn("nn", 2, 0, lng),
		"binary_xor":            intFn("nn", 2, 0, lng),
		"binary_not":            intFn("n", 1, 0, lng),
		"binary_shift_left":     intFn("nn", 2, 0, lng),
		"binary_shift_right":    intFn("nn", 2, 0, lng),
		"countof":               {Args: "ssc", Min: 2, Check: checkCountof},
		"base64_decode_toarray": {Args: "s", Min: 1, Ret: dyn},
		"make_string":           {Check: checkMakeString},
	}
}

// intFn is a function whose arguments from index first on must be int or
// long (Kusto has no implicit real to long conversion there).
func intFn(kinds string, minArgs, first int, ret func([]plan.Expr) schema.Type) *fnSig {
	sig := &fnSig{Args: kinds, Min: minArgs, Ret: ret}
	sig.Check = func(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
		if !c.checkArgs(e, &fnSig{Args: kinds, Min: minArgs}, args) {
			return bad()
		}
		for i := first; i < len(args); i++ {
			t := args[i].Type()
			if t != schema.TypeInt && t != schema.TypeLong && !isNullConst(args[i]) {
				c.errorf(e.Args[i], "argument %d of %s() must be an int or long, not %s", i+1, e.Name.Name, t)
				return bad()
			}
		}
		return &plan.Call{Fn: e.Name.Name, Args: args, T: ret(args)}
	}
	return sig
}

// checkExtractAll accepts extract_all(regex, source) with a constant regex
// of exactly one capture group: the result is then a flat array of strings.
func checkExtractAll(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) == 3 {
		c.errorf(e.Args[1], "extract_all() with a capture group selection is not supported yet")
		return bad()
	}
	if !c.checkArgs(e, &fnSig{Args: "cs", Min: 2}, args) {
		return bad()
	}
	re, _ := args[0].(*plan.Const).V.(string)
	rx, err := regexp.Compile(re)
	if err != nil {
		c.errorf(e.Args[0], "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return bad()
	}
	if rx.NumSubexp() != 1 {
		c.errorf(e.Args[0], "extract_all() supports a regular expression with exactly one capture group, not %d", rx.NumSubexp())
		return bad()
	}
	return &plan.Call{Fn: "extract_all", Args: args, T: schema.TypeDynamic}
}

// checkCountof accepts countof(text, search [, kind]) where kind is the
// constant "normal" or "regex"; a regex search must be a valid constant.
func checkCountof(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if !c.checkArgs(e, &fnSig{Args: "ssc", Min: 2}, args) {
		return bad()
	}
	if len(args) < 3 {
		return &plan.Call{Fn: "countof", Args: args, T: schema.TypeLong}
	}
	kind, _ := args[2].(*plan.Const).V.(string)
	switch kind {
	case "normal":
		return &plan.Call{Fn: "countof", Args: args[:2], T: schema.TypeLong}
	case "regex":
		re, ok := args[1].(*plan.Const)
		if !ok {
			c.errorf(e.Args[1], "the regular expression of countof() must be a constant")
			return bad()
		}
		if _, err := regexp.Compile(re.V.(string)); err != nil {
			c.errorf(e.Args[1], "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
			return bad()
		}
		return &plan.Call{Fn: "countof_regex", Args: args[:2], T: schema.TypeLong}
	default:
		c.errorf(e.Args[2], "the kind of countof() must be \"normal\" or \"regex\", not %q", kind)
		return bad()
	}
}

// checkMakeString accepts make_string(x, ...) where each x is an int or
// long code point or a dynamic array of them.
func checkMakeString(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) == 0 {
		c.errorf(e, "make_string() takes at least 1 argument")
		return bad()
	}
	for i, a := range args {
		if t := a.Type(); t != schema.TypeInt && t != schema.TypeLong && t != schema.TypeDynamic {
			c.errorf(e.Args[i], "argument %d of make_string() must be an int, long or dynamic array, not %s", i+1, t)
			return bad()
		}
	}
	return &plan.Call{Fn: "make_string", Args: args, T: schema.TypeString}
}
