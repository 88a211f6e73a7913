package sema

import (
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
		"split":                  {Args: "ss", Min: 2, Ret: fixed(schema.TypeDynamic)},
		"replace_string":         {Args: "sss", Min: 3, Ret: str},
		"replace_regex":          {Args: "sss", Min: 3, Ret: str},
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
