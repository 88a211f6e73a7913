package sema

import (
	"regexp"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// kvOptions are the checked options of parse-kv's delimiter mode.
type kvOptions struct {
	pair, kv    string
	open, close string // the quote characters; empty when unquoted
}

// checkParseKV plans parse-kv in the specified-delimiter mode as one
// regular-expression extraction per key: the first occurrence of the key
// after the start or a pair delimiter, then the key/value delimiter; the
// value runs to the next pair delimiter or is quoted. Spaces around keys
// and values are ignored. A missing key is null (empty for strings).
func checkParseKV(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	p := op.(*syntax.ParseKVOp)
	o, ok := c.kvOptions(p)
	src := c.expr(p.Source, newScope(in))
	if !ok || isBad(src) {
		return nil
	}
	src = toStringArg(src)
	items := passThrough(in.Columns())
	for _, cd := range p.Columns {
		t, err := schema.ParseType(cd.Type)
		if err != nil {
			c.errorf(cd, "unknown type '%s'", cd.Type)
			return nil
		}
		if t != schema.TypeString && parseConv[t] == "" {
			c.errorf(cd, "parse-kv cannot convert a value to %s yet", t)
			return nil
		}
		items = setItem(items, cd.Name.Name, kvValue(o, cd.Name.Name, src, t))
	}
	return &plan.Project{In: in, Items: items}
}

// kvValue extracts the value of key from src and converts it to t.
func kvValue(o *kvOptions, key string, src plan.Expr, t schema.Type) plan.Expr {
	q := regexp.QuoteMeta
	pd, kd := q(o.pair), q(o.kv)
	re := `(?:^|` + pd + `)\s*`
	k := q(key)
	if o.open != "" {
		k = `(?:` + q(o.open) + k + q(o.close) + `|` + k + `)`
	}
	re += k + `\s*` + kd + `\s*`
	end := `\s*(?:` + pd + `|$)`
	unquoted := `(.*?)` + end
	var x plan.Expr
	if o.open == "" {
		x = &plan.Call{Fn: "extract", Args: []plan.Expr{plan.Str(re + unquoted), plan.Long(1), src}, T: schema.TypeString}
	} else {
		full := re + `(?:` + q(o.open) + `(.*?)` + q(o.close) + end + `|` + unquoted + `)`
		x = &plan.Call{Fn: "strcat", Args: []plan.Expr{
			&plan.Call{Fn: "extract", Args: []plan.Expr{plan.Str(full), plan.Long(1), src}, T: schema.TypeString},
			&plan.Call{Fn: "extract", Args: []plan.Expr{plan.Str(full), plan.Long(2), src}, T: schema.TypeString},
		}, T: schema.TypeString}
	}
	if t != schema.TypeString {
		x = &plan.Call{Fn: parseConv[t], Args: []plan.Expr{x}, T: t}
	}
	return x
}

// kvOptions checks the with (...) options of parse-kv.
func (c *checker) kvOptions(p *syntax.ParseKVOp) (*kvOptions, bool) {
	o := &kvOptions{}
	for _, opt := range p.With {
		v := optionName(opt)
		switch opt.Name {
		case "pair_delimiter":
			o.pair = v
		case "kv_delimiter":
			o.kv = v
		case "quote":
			if len(v) != 1 && len(v) != 2 {
				c.errorf(opt, "parse-kv quote must be one or two characters (one quote string is supported)")
				return nil, false
			}
			o.open, o.close = v[:1], v[len(v)-1:]
		case "greedy":
			if b, isBool := opt.Value.(*syntax.BoolLit); !isBool || b.Value {
				c.errorf(opt, "parse-kv greedy=true is not supported yet")
				return nil, false
			}
		default:
			c.errorf(opt, "parse-kv option '%s' is not supported yet (supported: pair_delimiter, kv_delimiter, quote)", opt.Name)
			return nil, false
		}
	}
	if o.pair == "" || o.kv == "" {
		c.errorf(p, "parse-kv needs with (pair_delimiter=..., kv_delimiter=...); the mode without delimiters and the regex mode are not supported yet")
		return nil, false
	}
	return o, true
}
