package sema

import (
	"regexp"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

func stringFns() map[string]*fnSig {
	str, lng, boo := fixed(schema.TypeString), fixed(schema.TypeLong), fixed(schema.TypeBool)
	return map[string]*fnSig{
		"strlen":                 {Args: "s", Min: 1, Ret: lng},
		"tolower":                {Args: "s", Min: 1, Ret: str},
		"toupper":                {Args: "s", Min: 1, Ret: str},
		"substring":              {Args: "snn", Min: 2, Ret: str},
		"strcat":                 {Args: "s*", Min: 1, Ret: str},
		"strcat_delim":           {Args: "ss*", Min: 2, Ret: str},
		"split":                  intFn("ssn", 2, 2, fixed(schema.TypeDynamic)),
		"replace_string":         {Args: "sss", Min: 3, Ret: str},
		"replace_regex":          {Args: "sss", Min: 3, Ret: str},
		"replace":                {Check: checkReplace},
		"translate":              {Args: "sss", Min: 3, Ret: str},
		"indexof_regex":          {Args: "sc", Min: 2, Check: checkIndexofRegex},
		"hash":                   intFn("an", 1, 1, lng),
		"ipv4_is_match":          intFn("ssn", 2, 2, boo),
		"trim":                   {Args: "ss", Min: 2, Ret: str},
		"trim_start":             {Args: "ss", Min: 2, Ret: str},
		"trim_end":               {Args: "ss", Min: 2, Ret: str},
		"extract":                {Args: "sns", Min: 3, Ret: str},
		"indexof":                {Args: "ss", Min: 2, Ret: lng},
		"reverse":                {Args: "s", Min: 1, Ret: str},
		"hash_sha256":            {Args: "s", Min: 1, Ret: str},
		"hash_md5":               {Args: "s", Min: 1, Ret: str},
		"base64_encode_tostring": {Args: "s", Min: 1, Ret: str},
		"base64_decode_tostring": {Args: "s", Min: 1, Ret: str},
		"ipv4_is_private":        {Args: "s", Min: 1, Ret: boo},
		"ipv4_is_in_range":       {Args: "ss", Min: 2, Ret: boo},
		"parse_url":              {Args: "s", Min: 1, Ret: fixed(schema.TypeDynamic)},
		"not":                    {Args: "b", Min: 1, Ret: boo},
		"isnull":                 {Args: "a", Min: 1, Ret: boo},
		"isnotnull":              {Args: "a", Min: 1, Ret: boo},
		"isempty":                {Args: "a", Min: 1, Ret: boo},
		"isnotempty":             {Args: "a", Min: 1, Ret: boo},
		"iff":                    {Check: checkIff},
		"iif":                    {Check: checkIff},
		"case":                   {Check: checkCase},
		"coalesce":               {Check: checkCoalesce},
	}
}

// common returns the type values of a and b unify to, or invalid.
func common(a, b plan.Expr) schema.Type {
	switch {
	case isNullConst(a):
		return b.Type()
	case isNullConst(b) || a.Type() == b.Type():
		return a.Type()
	case isNumeric(a.Type()) && isNumeric(b.Type()):
		return numericResult(a.Type(), b.Type())
	}
	return schema.TypeInvalid
}

func checkIff(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) != 3 {
		c.errorf(e, "%s() takes 3 arguments, not %d", e.Name.Name, len(args))
		return bad()
	}
	args[0] = convert(args[0], schema.TypeBool)
	if args[0].Type() != schema.TypeBool {
		c.errorf(e.Args[0], "argument 1 of %s() must be a bool, not %s", e.Name.Name, args[0].Type())
		return bad()
	}
	args[1], args[2] = unify(args[1], args[2])
	t := common(args[1], args[2])
	if t == schema.TypeInvalid {
		c.errorf(e, "the branches of %s() have different types: %s and %s", e.Name.Name, args[1].Type(), args[2].Type())
		return bad()
	}
	return &plan.Call{Fn: "iff", Args: args, T: t}
}

func checkCase(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) < 3 || len(args)%2 == 0 {
		c.errorf(e, "case() takes predicate, value pairs and a final else value")
		return bad()
	}
	unifyValues(args)
	t := args[len(args)-1]
	for i := 0; i+1 < len(args); i += 2 {
		args[i] = convert(args[i], schema.TypeBool)
		if args[i].Type() != schema.TypeBool {
			c.errorf(e.Args[i], "argument %d of case() must be a bool, not %s", i+1, args[i].Type())
			return bad()
		}
		if common(t, args[i+1]) == schema.TypeInvalid {
			c.errorf(e.Args[i+1], "case() values have different types: %s and %s", t.Type(), args[i+1].Type())
			return bad()
		}
		if isNullConst(t) {
			t = args[i+1]
		}
	}
	return &plan.Call{Fn: "case", Args: args, T: t.Type()}
}

// unifyValues converts the dynamic values of case(p1, v1, ..., else) to the
// type of its first value that is neither dynamic nor null, as Kusto does:
// case(p, d.CommandLine, "") is a string.
func unifyValues(args []plan.Expr) {
	isValue := func(i int) bool { return i%2 == 1 || i == len(args)-1 }
	want := schema.TypeInvalid
	for i, a := range args {
		if isValue(i) && a.Type() != schema.TypeDynamic && !isNullConst(a) {
			want = a.Type()
			break
		}
	}
	if want == schema.TypeInvalid {
		return
	}
	for i, a := range args {
		if isValue(i) {
			args[i] = convert(a, want)
		}
	}
}

func checkCoalesce(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) < 1 {
		c.errorf(e, "coalesce() takes at least 1 argument")
		return bad()
	}
	t := args[0]
	for _, a := range args[1:] {
		if common(t, a) == schema.TypeInvalid {
			c.errorf(e, "coalesce() arguments have different types: %s and %s", t.Type(), a.Type())
			return bad()
		}
	}
	return &plan.Call{Fn: "coalesce", Args: args, T: t.Type()}
}

// checkReplace accepts replace(regex, rewrite, text), the old name of
// replace_regex(text, regex, rewrite) with its arguments in another order.
func checkReplace(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if !c.checkArgs(e, &fnSig{Args: "sss", Min: 3}, args) {
		return bad()
	}
	if !c.validRegex(e.Args[0], args[0]) {
		return bad()
	}
	return &plan.Call{Fn: "replace_regex", Args: []plan.Expr{args[2], args[0], args[1]}, T: schema.TypeString}
}

// checkIndexofRegex accepts indexof_regex(text, regex) with a constant
// regex; the start, length and occurrence arguments are not supported yet.
func checkIndexofRegex(c *checker, e *syntax.CallExpr, args []plan.Expr) plan.Expr {
	if len(args) > 2 {
		c.errorf(e.Args[2], "indexof_regex() with a start, length or occurrence is not supported yet")
		return bad()
	}
	if !c.checkArgs(e, &fnSig{Args: "sc", Min: 2}, args) || !c.validRegex(e.Args[1], args[1]) {
		return bad()
	}
	return &plan.Call{Fn: "indexof_regex", Args: args, T: schema.TypeLong}
}

// validRegex reports whether a constant regular expression compiles (a
// computed one is checked when the query runs).
func (c *checker) validRegex(at syntax.Node, x plan.Expr) bool {
	k, ok := x.(*plan.Const)
	if !ok {
		return true
	}
	re, _ := k.V.(string)
	if _, err := regexp.Compile(re); err != nil {
		c.errorf(at, "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		return false
	}
	return true
}
