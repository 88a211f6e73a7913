package sema

import (
	"regexp"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/plan"
	"github.com/vigilsec/vigil/internal/kql/syntax"
	"github.com/vigilsec/vigil/internal/schema"
)

// parseKinds are the kinds of parse and parse-where.
var parseKinds = map[string]bool{"simple": true, "regex": true, "relaxed": true}

// parseTypeRegex is the regular expression a typed column of a simple or
// regex parse matches, as Kusto translates it; other types match (.*?) and
// must then convert.
var parseTypeRegex = map[schema.Type]string{
	schema.TypeLong: `(-?\d+)`,
	schema.TypeInt:  `(-?\d+)`,
	schema.TypeReal: `(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)`,
}

// parseConv names the conversion function applied to a typed column's text.
var parseConv = map[schema.Type]string{
	schema.TypeLong: "tolong", schema.TypeInt: "toint", schema.TypeReal: "toreal", schema.TypeBool: "tobool",
	schema.TypeDatetime: "todatetime", schema.TypeGUID: "toguid", schema.TypeDynamic: "todynamic",
}

// parseCol is one extracted column of a parse pattern.
type parseCol struct {
	name  string
	t     schema.Type
	group int64
}

// parsePattern is a checked parse pattern: the anchored regular expression
// and the columns its groups fill.
type parsePattern struct {
	kind string
	re   string
	cols []parseCol
}

// checkParse plans parse and parse-where as an extend (and, for
// parse-where, a filter) over regular-expression matches. The pattern must
// match the whole text; in simple and regex kinds a failed match or a typed
// column that does not convert leaves every column null (empty for
// strings), in relaxed kind only the column that does not convert is null.
func checkParse(c *checker, in plan.Node, op syntax.Operator) plan.Node {
	p := op.(*syntax.ParseOp)
	pat, ok := c.parsePattern(p)
	src := c.expr(p.Source, newScope(in))
	if !ok || isBad(src) {
		return nil
	}
	src = toStringArg(src)
	matched := &plan.Call{Fn: "matches regex", Args: []plan.Expr{src, plan.Str(pat.re)}, T: schema.TypeBool}
	groups := make([]plan.Expr, len(pat.cols))
	for i, col := range pat.cols {
		g := &plan.Call{Fn: "extract", Args: []plan.Expr{plan.Str(pat.re), plan.Long(col.group), src}, T: schema.TypeString}
		groups[i] = g
		if col.t != schema.TypeString {
			groups[i] = &plan.Call{Fn: parseConv[col.t], Args: []plan.Expr{g}, T: col.t}
		}
	}
	okExpr := plan.Expr(matched)
	if pat.kind != "relaxed" {
		for i, col := range pat.cols {
			if col.t != schema.TypeString {
				okExpr = &plan.Call{Fn: "and", Args: []plan.Expr{okExpr, &plan.Call{Fn: "isnotnull", Args: []plan.Expr{groups[i]}, T: schema.TypeBool}}, T: schema.TypeBool}
			}
		}
	}
	if p.Keyword == "parse-where" {
		in = &plan.Filter{In: in, Pred: okExpr}
	}
	items := passThrough(in.Columns())
	for i, col := range pat.cols {
		x := groups[i]
		if p.Keyword == "parse" && pat.kind != "relaxed" && okExpr != plan.Expr(matched) {
			x = &plan.Call{Fn: "iff", Args: []plan.Expr{okExpr, x, &plan.Const{V: nullOf(col.t), T: col.t}}, T: col.t}
		}
		items = setItem(items, col.name, x)
	}
	return &plan.Project{In: in, Items: items}
}

// nullOf is the null value of t as a constant: ” for strings.
func nullOf(t schema.Type) any {
	if t == schema.TypeString {
		return ""
	}
	return nil
}

// setItem replaces the item called name or appends it.
func setItem(items []plan.Item, name string, x plan.Expr) []plan.Item {
	for i := range items {
		if items[i].Name == name {
			items[i].Expr = x
			return items
		}
	}
	return append(items, plan.Item{Name: name, Expr: x})
}

// parsePattern checks the options and pattern of p and builds its regular expression.
func (c *checker) parsePattern(p *syntax.ParseOp) (*parsePattern, bool) {
	pat := &parsePattern{kind: "simple"}
	flags := ""
	for _, o := range p.Options {
		switch o.Name {
		case "kind":
			pat.kind = optionName(o)
			if !parseKinds[pat.kind] {
				c.errorf(o, "unknown parse kind '%s'; expected simple, regex or relaxed", pat.kind)
				return nil, false
			}
		case "flags":
			flags = optionName(o)
			if strings.Trim(flags, "Usmi") != "" {
				c.errorf(o, "unknown regex flags '%s'; expected some of U, s, m, i", flags)
				return nil, false
			}
		}
	}
	if flags != "" && pat.kind != "regex" {
		c.errorf(p, "flags are allowed only with kind=regex")
		return nil, false
	}
	var b strings.Builder
	if flags != "" {
		b.WriteString("(?" + flags + ")")
	}
	b.WriteString("^")
	if !c.patternItems(p, pat, &b) {
		return nil, false
	}
	b.WriteString("$")
	pat.re = b.String()
	if _, err := regexp.Compile(pat.re); err != nil {
		c.errorf(p, "invalid regular expression in the parse pattern: %v", err)
		return nil, false
	}
	return pat, true
}

// patternItems writes the regular expression of the pattern's items.
func (c *checker) patternItems(p *syntax.ParseOp, pat *parsePattern, b *strings.Builder) bool {
	seen := map[string]bool{}
	afterString := false
	groups := 0
	for _, it := range p.Pattern {
		switch it.Kind {
		case syntax.ParseLiteral:
			if pat.kind == "regex" {
				r, err := regexp.Compile(it.Literal.Value)
				if err != nil {
					c.errorf(it, "invalid regular expression %q: %v", it.Literal.Value, err)
					return false
				}
				groups += r.NumSubexp()
				b.WriteString("(?:" + it.Literal.Value + ")")
			} else {
				b.WriteString(regexp.QuoteMeta(it.Literal.Value))
			}
			afterString = false
		case syntax.ParseStar:
			if afterString && pat.kind != "regex" {
				c.errorf(it, "'*' cannot follow a string column in a parse pattern; put a string literal between them")
				return false
			}
			b.WriteString(".*?")
		case syntax.ParseColumn:
			col, ok := c.parseColumn(it, seen)
			if !ok {
				return false
			}
			groups++
			col.group = int64(groups)
			re, typed := parseTypeRegex[col.t]
			if !typed || pat.kind == "relaxed" {
				re = "(.*?)"
			}
			b.WriteString(re)
			pat.cols = append(pat.cols, col)
			afterString = col.t == schema.TypeString
		}
	}
	return true
}

func (c *checker) parseColumn(it *syntax.ParseItem, seen map[string]bool) (parseCol, bool) {
	name := it.Column.Name
	if seen[name] {
		c.errorf(it, "column '%s' appears twice in the parse pattern", name)
		return parseCol{}, false
	}
	seen[name] = true
	col := parseCol{name: name, t: schema.TypeString}
	if it.Type == "" {
		return col, true
	}
	t, err := schema.ParseType(it.Type)
	if err != nil {
		c.errorf(it, "unknown type '%s' in the parse pattern", it.Type)
		return parseCol{}, false
	}
	if _, ok := parseConv[t]; !ok && t != schema.TypeString {
		c.errorf(it, "parse cannot extract a %s column", t)
		return parseCol{}, false
	}
	col.t = t
	return col, true
}
